"""The ``clusters`` table: one row per cluster partition (static tier)."""

from __future__ import annotations

from typing import Any

from kcache.store import sql
from kcache.store.pool import Pool
from kcache.store.rows import from_ts, to_ts


class Clusters(Pool):
    """The cluster rows."""

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
        rows = await self._read_all(sql.SELECT_CLUSTER, (name,))
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
        return [r[0] for r in await self._read_all(sql.SELECT_CLUSTERS)]

    async def expire_cluster(self, name: str) -> None:
        """Mark the cluster row stale."""
        async with self.transaction() as conn:
            await conn.execute(sql.EXPIRE_CLUSTER, (to_ts(self.now() - 0.001), name))
