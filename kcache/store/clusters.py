"""Cluster partitions: who each one is (``cluster_identity``) and its ``clusters`` row.

Every cached row carries a ``cluster_name``, the partition key: the kubeconfig context name
unless CLUSTER_NAME says otherwise. A name alone does not identify a cluster (two
devclusters both call their context ``devcluster``), so each partition records the API
server URL it was filled from and, once a namespace scan saw it, the ``kube-system``
namespace UID. :meth:`Clusters.claim_cluster` refuses a partition whose recorded identity
differs, and a namespace scan that finds another ``kube-system`` UID is refused the same
way: rows of one cluster are never served as another's.
"""

from __future__ import annotations

from typing import Any

from kcache.errors import StoreError
from kcache.store import sql
from kcache.store.pool import Pool
from kcache.store.rows import from_ts, to_ts


class Clusters(Pool):
    """The cluster partitions' identities and rows."""

    async def claim_cluster(self, name: str, *, api_server: str, kube_system_uid: str | None = None) -> None:
        """Bind the partition ``name`` to one cluster; refuse it when the file holds another one there.

        The first claim records ``api_server`` (the kubeconfig's server URL) and, when given,
        ``kube_system_uid``; a UID learnt later (by :meth:`replace` of namespaces, or a
        later claim) is added. This process then reads and writes the partition freely.

        Raises:
            StoreError: The partition was filled from another API server URL or another
                ``kube-system`` UID; the message names both identities. Nothing is changed:
                use another CLUSTER_NAME (or another CACHE_DB_PATH) for the other cluster,
                or delete the cache file.
        """
        now_ts = to_ts(self.now())
        async with self.transaction() as conn:
            async with conn.execute(sql.SELECT_IDENTITY, (name,)) as cur:
                row = await cur.fetchone()
            if row is None:
                await conn.execute(sql.INSERT_IDENTITY, (name, api_server, kube_system_uid, now_ts, now_ts))
            else:
                known_server, known_uid = row
                if known_server != api_server or (
                    known_uid and kube_system_uid and known_uid != kube_system_uid
                ):
                    raise StoreError(
                        _mismatch(name, self.path, (known_server, known_uid), (api_server, kube_system_uid))
                    )
                if kube_system_uid and not known_uid:
                    await conn.execute(sql.SET_IDENTITY_UID, (kube_system_uid, now_ts, name))

    async def cluster_identity(self, name: str) -> dict[str, str | None] | None:
        """The recorded identity of a partition: ``api_server`` and ``kube_system_uid``, or None."""
        rows = await self._read_now(sql.SELECT_IDENTITY, (name,))
        return {"api_server": rows[0][0], "kube_system_uid": rows[0][1]} if rows else None

    async def _note_kube_system_uid(self, conn: Any, cluster: str, uid: str) -> None:
        """Inside a namespace replacement: record the UID, or refuse the scan of another cluster."""
        async with conn.execute(sql.SELECT_IDENTITY, (cluster,)) as cur:
            row = await cur.fetchone()
        if row is None:
            return
        known_server, known_uid = row
        if known_uid and known_uid != uid:
            message = _mismatch(cluster, self.path, (known_server, known_uid), (known_server, uid))
            # This process talks to another cluster than the rows are of: stop serving them.
            self._refused[cluster] = message
            raise StoreError(message)
        if not known_uid:
            await conn.execute(sql.SET_IDENTITY_UID, (uid, to_ts(self.now()), cluster))

    def _serving(self, cluster: str) -> None:
        """Raise the recorded refusal when the partition was found to be another cluster's."""
        refused = self._refused.get(cluster)
        if refused is not None:
            raise StoreError(refused)

    async def upsert_cluster(
        self,
        name: str,
        *,
        version: str,
        api_server: str,
        node_count: int,
        ttl_s: float,
        context: str | None = None,
        user_name: str | None = None,
    ) -> None:
        """Record the cluster row (static tier)."""
        now = self.now()
        async with self.transaction() as conn:
            await conn.execute(
                sql.UPSERT_CLUSTER,
                (name, version, api_server, node_count, to_ts(now + ttl_s), context, user_name, to_ts(now)),
            )

    async def cluster(self, name: str) -> dict[str, Any] | None:
        """The cluster row with ``freshness`` and ``age_s``, or None."""
        self._serving(name)
        rows = await self._read_now(sql.SELECT_CLUSTER, (name,))
        if not rows:
            return None
        n, version, api, count, expires, context, user, updated = rows[0]
        now = self.now()
        exp = from_ts(expires) or 0.0
        upd = from_ts(updated) or now
        return {
            "name": n,
            "version": version,
            "api_server": api,
            "node_count": count,
            "context": context,
            "user_name": user,
            "freshness": "fresh" if exp > now else "stale",
            "age_s": round(now - upd, 3),
        }

    async def clusters(self) -> list[str]:
        """Names of the clusters cached, most recently updated first."""
        return [r[0] for r in await self._read_now(sql.SELECT_CLUSTERS)]

    async def expire_cluster(self, name: str) -> None:
        """Mark the cluster row stale."""
        async with self.transaction() as conn:
            await conn.execute(sql.EXPIRE_CLUSTER, (to_ts(self.now() - 0.001), name))


def _mismatch(name: str, path: Any, known: tuple[str, str | None], now: tuple[str, str | None]) -> str:
    def shown(identity: tuple[str, str | None]) -> str:
        server, uid = identity
        return f"{server} (kube-system uid {uid or 'not yet known'})"

    return (
        f"the cache {path} holds cluster {name!r} of {shown(known)}, but {name!r} is now "
        f"{shown(now)}: another cluster under the same name. Its rows are not served; set "
        "CLUSTER_NAME to another name (or CACHE_DB_PATH to another file) for this cluster, "
        "or delete the cache file"
    )
