"""Cached cluster objects: tier replacement, deletion, invalidation and the lookups."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from kcache.errors import SecretLeakError, StoreError
from kcache.model import KINDS, Resource, is_namespaced, scope_name
from kcache.store import sql
from kcache.store.cipher import DB_ERRORS
from kcache.store.clusters import Clusters
from kcache.store.pool import INLINE_READ_ROWS
from kcache.store.rows import Lookup, ScanScope, column_value, dumps, freshness, resource, to_ts
from kcache.store.rows import scope as scope_row

_FORBIDDEN_FIELDS = {"secret": ("data", "stringData"), "configmap": ("data", "binaryData")}


class Objects(Clusters):
    """The per-kind tables and ``resource_labels``, inside the cluster partitions."""

    async def replace(
        self,
        cluster: str,
        kind: str,
        items: Iterable[Resource],
        *,
        ttl_s: float,
        namespace: str | None = None,
        namespaces: Iterable[str] | None = None,
        tier: str | None = None,
        next_scan_at: float | None = None,
        partial_error: str | None = None,
    ) -> int:
        """Atomically replace the rows of (cluster, kind[, namespace]) and record the scan.

        ``namespaces`` limits an all-namespaces replacement to those namespaces (the others
        keep their rows); ``partial_error`` then marks the scope failed with that message in
        the same transaction. Readers see the old set or the new set, never a mix.
        """
        rows = list(items)
        for item in rows:
            self._check(item, kind, namespace)
        now = self.now()
        now_ts, expires_ts = to_ts(now), to_ts(now + ttl_s)
        insert = sql.insert_sql(kind)
        values = [self._row(cluster, r, now_ts, expires_ts) for r in rows]
        labels = [(cluster, kind, r.namespace or "", r.name, k, v) for r in rows for k, v in r.labels.items()]
        scope = scope_name(kind, namespace)
        kind_bind = () if kind in sql.SPEC_TABLES else (kind,)
        kube_system = next(
            (r.fields.get("uid") for r in rows if kind == "namespace" and r.name == "kube-system"), None
        )
        try:
            async with self.transaction() as conn:
                if kube_system:
                    await self._note_kube_system_uid(conn, cluster, str(kube_system))
                if namespace is not None or namespaces is not None:
                    for ns in [namespace] if namespace is not None else sorted(set(namespaces or ())):
                        await conn.execute(
                            sql.delete_scope_sql(kind, namespace=True), (cluster, *kind_bind, ns)
                        )
                        await conn.execute(sql.DELETE_LABELS_SCOPE_NS, (cluster, kind, ns))
                else:
                    await conn.execute(sql.delete_scope_sql(kind, namespace=False), (cluster, *kind_bind))
                    await conn.execute(sql.DELETE_LABELS_SCOPE, (cluster, kind))
                await conn.executemany(insert, values)
                await conn.executemany(sql.INSERT_LABEL, labels)
                if partial_error is None:
                    await conn.execute(
                        sql.UPSERT_METADATA_DONE,
                        (
                            scope,
                            cluster,
                            now_ts,
                            to_ts(next_scan_at) if next_scan_at else None,
                            len(rows),
                            tier,
                            expires_ts,
                            now_ts,
                            now_ts,
                        ),
                    )
                else:
                    await conn.execute(
                        sql.UPSERT_METADATA_STATUS,
                        (scope, cluster, "failed", partial_error, tier, None, now_ts, now_ts),
                    )
        except DB_ERRORS as exc:
            raise StoreError(f"replacing {scope} of cluster {cluster!r} failed: {exc}") from exc
        self.generation += 1
        return len(rows)

    async def delete_object(self, cluster: str, kind: str, namespace: str | None, name: str) -> None:
        """Remove one object's row (after a delete the cache must not serve it)."""
        kind_bind = () if kind in sql.SPEC_TABLES else (kind,)
        where_ns = is_namespaced(kind) and (kind not in sql.SPEC_TABLES or kind in ("pod", "service"))
        query = sql.delete_scope_sql(kind, namespace=where_ns) + " AND name = ?"
        binds = (cluster, *kind_bind, *((namespace or "",) if where_ns else ()), name)
        async with self.transaction() as conn:
            await conn.execute(query, binds)
            await conn.execute(sql.DELETE_ONE_LABELS, (cluster, kind, namespace or "", name))
        self.generation += 1

    async def apply_changes(
        self,
        cluster: str,
        kind: str,
        upserts: Iterable[Resource],
        deletes: Iterable[tuple[str | None, str]],
        *,
        ttl_s: float,
        record_count: int,
        tier: str | None = None,
        refresh_rows: bool = False,
    ) -> None:
        """Apply a batch of watched changes to (cluster, kind) and keep its scope fresh.

        ``upserts`` replace their objects' rows, ``deletes`` ((namespace, name)) remove them;
        the all-namespaces scope is recorded completed with ``record_count`` rows and
        expires ``ttl_s`` from now, and with ``refresh_rows`` every row of the kind does too.
        One transaction: readers see the batch whole or not at all.
        """
        rows = list(upserts)
        for item in rows:
            self._check(item, kind, None)
        now = self.now()
        now_ts, expires_ts = to_ts(now), to_ts(now + ttl_s)
        kind_bind = () if kind in sql.SPEC_TABLES else (kind,)
        where_ns = is_namespaced(kind) and (kind not in sql.SPEC_TABLES or kind in ("pod", "service"))
        delete_one = sql.delete_scope_sql(kind, namespace=where_ns) + " AND name = ?"
        keys = [(r.namespace, r.name) for r in rows] + list(deletes)
        gone = [(cluster, *kind_bind, *((ns or "",) if where_ns else ()), name) for ns, name in keys]
        labels = [(cluster, kind, r.namespace or "", r.name, k, v) for r in rows for k, v in r.labels.items()]
        scope = scope_name(kind)
        try:
            async with self.transaction() as conn:
                await conn.executemany(delete_one, gone)
                await conn.executemany(
                    sql.DELETE_ONE_LABELS, [(cluster, kind, ns or "", n) for ns, n in keys]
                )
                await conn.executemany(
                    sql.insert_sql(kind), [self._row(cluster, r, now_ts, expires_ts) for r in rows]
                )
                await conn.executemany(sql.INSERT_LABEL, labels)
                if refresh_rows:
                    await conn.execute(
                        sql.expire_scope_sql(kind, namespace=False), (expires_ts, cluster, *kind_bind)
                    )
                await conn.execute(
                    sql.UPSERT_METADATA_DONE,
                    (scope, cluster, now_ts, None, record_count, tier, expires_ts, now_ts, now_ts),
                )
        except DB_ERRORS as exc:
            raise StoreError(
                f"applying {len(keys)} changes to {scope} of cluster {cluster!r} failed: {exc}"
            ) from exc
        if keys:
            self.generation += 1

    async def invalidate(self, cluster: str, kind: str, namespace: str | None = None) -> None:
        """Mark (cluster, kind[, namespace]) stale now, rows and scan scopes alike."""
        now_ts = to_ts(self.now() - 0.001)
        kind_bind = () if kind in sql.SPEC_TABLES else (kind,)
        use_ns = namespace is not None and (kind not in sql.SPEC_TABLES or kind in ("pod", "service"))
        base = scope_name(kind)
        async with self.transaction() as conn:
            await conn.execute(
                sql.expire_scope_sql(kind, namespace=use_ns),
                (now_ts, cluster, *kind_bind, *((namespace,) if use_ns else ())),
            )
            pattern = scope_name(kind, namespace) if namespace else f"{base}/%"
            await conn.execute(sql.EXPIRE_METADATA, (now_ts, now_ts, cluster, base, pattern))

    def _check(self, item: Resource, kind: str, namespace: str | None) -> None:
        if item.kind != kind:
            raise StoreError(f"record {item.name!r} is a {item.kind!r}, not a {kind!r}")
        if kind not in KINDS:
            raise StoreError(f"unknown kind {kind!r}")
        for forbidden in _FORBIDDEN_FIELDS.get(kind, ()):
            if forbidden in item.fields:
                raise SecretLeakError(
                    f"refusing to cache {kind} {item.namespace}/{item.name}: it carries {forbidden!r} "
                    "(only key names may be stored)"
                )
        if is_namespaced(kind) and not item.namespace:
            raise StoreError(f"{kind} {item.name!r} has no namespace")
        if namespace is not None and item.namespace != namespace:
            raise StoreError(
                f"{kind} {item.namespace}/{item.name} is outside the namespace {namespace!r} being replaced"
            )

    @staticmethod
    def _row(cluster: str, r: Resource, now_ts: str, expires_ts: str) -> tuple[Any, ...]:
        common = (
            cluster,
            r.name,
            dumps(r.labels),
            dumps(r.annotations),
            r.created_at,
            r.owner_kind,
            r.owner_name,
            dumps(r.fields),
            now_ts,
            expires_ts,
        )
        spec = sql.SPEC_TABLES.get(r.kind)
        if spec is None:
            return (r.kind, r.namespace or "", *common)
        extra = tuple(column_value(r, col) for col in spec[1])
        ns = (r.namespace,) if r.kind in ("pod", "service") else ()
        return (*ns, *common, *extra)

    async def query(
        self,
        cluster: str,
        kind: str,
        *,
        namespace: str | None = None,
        name: str | None = None,
        prefix: str | None = None,
        labels: Sequence[tuple[str, str]] = (),
        owners: Sequence[str] = (),
        limit: int | None = None,
    ) -> Lookup:
        """Rows of a kind matching every given criterion, with their freshness.

        ``labels`` are equality requirements (key, value); ``owners`` matches the
        controlling owner's name.
        """
        if kind not in KINDS:
            raise StoreError(f"unknown kind {kind!r}")
        self._serving(cluster)
        use_ns = namespace is not None and is_namespaced(kind)
        query = sql.select_sql(
            kind,
            namespace=use_ns,
            name=name is not None,
            prefix=prefix is not None and name is None,
            owners=len(owners),
            label_reqs=len(labels),
            limit=limit is not None,
        )
        binds: list[Any] = [cluster]
        if kind not in sql.SPEC_TABLES:
            binds.append(kind)
        if use_ns:
            binds.append(namespace)
        if name is not None:
            binds.append(name)
        elif prefix is not None:
            binds += [prefix, prefix + "\U0010ffff"]
        binds += list(owners)
        for key, value in labels:
            binds += [cluster, kind, key, value]
        if limit is not None:
            binds.append(limit)
        now = self.now()
        scopes = [scope_name(kind)] + ([scope_name(kind, namespace)] if use_ns else [])

        def read(conn: sqlite3.Connection) -> tuple[list[Any], list[ScanScope]]:
            # Rows carry their own expiry, so one statement (one snapshot) decides freshness.
            raw = conn.execute(query, binds).fetchall()
            meta: list[ScanScope] = []
            if not raw:
                # An empty answer is fresh only if a completed scan of the scope says so.
                for scope in scopes:
                    row = conn.execute(sql.SELECT_METADATA, (cluster, scope)).fetchone()
                    if row:
                        meta.append(scope_row(row))
            return raw, meta

        # Decoding the rows happens on the loop either way; off the loop goes only the SQL
        # of reads across the whole cluster of a kind with many rows.
        small = name is not None or use_ns or (limit is not None and limit <= INLINE_READ_ROWS)
        if small or await self._few(cluster, kind):
            raw, meta = await self._read_small(read)
        else:
            raw, meta = await self._read_off_loop(read)
        items = [resource(kind, row) for row in raw]
        return freshness(items, raw, meta, now)

    async def _few(self, cluster: str, kind: str) -> bool:
        """True when the last scan of the kind kept few enough rows to read them inline."""
        scanned = (await self._scope_rows(cluster)).get(scope_name(kind))
        return scanned is not None and scanned.record_count <= INLINE_READ_ROWS

    async def pods_of(self, cluster: str, workload: str, namespace: str | None = None) -> Lookup:
        """Pods owned by a workload named exactly ``workload``.

        Directly, or through the ReplicaSets of a Deployment or the Jobs of a CronJob.
        """
        rs = await self.query(cluster, "replicaset", namespace=namespace, owners=[workload])
        jobs = await self.query(cluster, "job", namespace=namespace, owners=[workload])
        owners = [workload] + [r.name for r in (*rs.items, *jobs.items)]
        return await self.query(cluster, "pod", namespace=namespace, owners=owners)

    async def counts_by_namespace(
        self, cluster: str, kinds: Iterable[str]
    ) -> dict[str, dict[str | None, int]]:
        """Cached rows per kind and namespace (None for cluster scope), for ``kcache stats``."""
        out: dict[str, dict[str | None, int]] = {}
        for kind in kinds:
            binds = (cluster,) if kind in sql.SPEC_TABLES else (cluster, kind)
            rows = await self._read_all(sql.count_by_namespace_sql(kind), binds)
            out[kind] = {(ns or None): int(n) for ns, n in rows}
        return out

    async def names(self, cluster: str, kinds: Iterable[str]) -> dict[str, list[tuple[str | None, str]]]:
        """(namespace, name) of every cached object of the given kinds: the agent's vocabulary."""
        self._serving(cluster)
        out: dict[str, list[tuple[str | None, str]]] = {}
        for kind in kinds:
            table = sql.table_for(kind)
            ns_col = "namespace" if kind not in sql.SPEC_TABLES or kind in ("pod", "service") else "NULL"
            where = "cluster_name = ?" + (" AND kind = ?" if table == "resources" else "")
            binds = (cluster, kind) if table == "resources" else (cluster,)
            rows = await self._read_all(f"SELECT {ns_col}, name FROM {table} WHERE {where}", binds)
            out[kind] = [(ns or None, n) for ns, n in rows]
        return out
