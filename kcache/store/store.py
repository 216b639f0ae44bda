"""The SQLite cache: one writer, a small pool of readers, freshness on every read.

All SQL lives in :mod:`kcache.store.sql`. Writes go through :meth:`Store.transaction`
(``BEGIN IMMEDIATE``, commit on success, roll back on any exception) on the single writer
connection; reads use pooled connections and, under WAL, see either the old or the new
set of a tier replacement, never a mix.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import aiosqlite

from kcache.errors import SecretLeakError, StoreError
from kcache.model import KINDS, Resource, is_namespaced, scope_name
from kcache.store import sql

Freshness = Literal["fresh", "stale", "missing"]
_TS_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
_FORBIDDEN_FIELDS = {"secret": ("data", "stringData"), "configmap": ("data", "binaryData")}


def to_ts(epoch: float) -> str:
    """Epoch seconds → the UTC text timestamps the store writes (sortable as text)."""
    return datetime.fromtimestamp(epoch, UTC).strftime(_TS_FORMAT)


def from_ts(text: str | None) -> float | None:
    """The store's text timestamps (or SQLite's CURRENT_TIMESTAMP) → epoch seconds."""
    if not text:
        return None
    for fmt in (_TS_FORMAT, "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    raise StoreError(f"unreadable timestamp in the cache: {text!r}")


@dataclass(kw_only=True)
class Lookup:
    """What a read returns: the rows, and whether they are fresh, stale or missing."""

    items: list[Resource] = field(default_factory=list)
    freshness: Freshness = "missing"
    age_s: float | None = None
    """Seconds since the oldest returned row (or the empty scope) was written."""

    @property
    def fresh(self) -> bool:
        """True only when every row returned is within its TTL."""
        return self.freshness == "fresh"


@dataclass(frozen=True, kw_only=True)
class ScanScope:
    """The ``cache_metadata`` row of one scan scope."""

    table_name: str
    scan_status: str
    last_scan_at: float | None
    next_scan_at: float | None
    expires_at: float | None
    last_success_at: float | None
    record_count: int
    error_message: str | None
    tier: str | None


class Store:
    """The cache database. Open it with ``async with Store(path, ...) as store``."""

    def __init__(
        self,
        path: Path,
        *,
        timeout: float = 30.0,
        max_connections: int = 10,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.max_readers = max(1, max_connections - 1)
        self.clock = clock
        self._writer: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._idle: list[aiosqlite.Connection] = []
        self._all_readers: list[aiosqlite.Connection] = []
        self._reader_slots = asyncio.Semaphore(self.max_readers)
        self.generation = 0
        """Bumped when cached cluster objects change: in-process caches of derived data key on it."""

    # --- lifecycle ----------------------------------------------------------------------
    async def __aenter__(self) -> Store:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self) -> None:
        """Create the file (mode 0600, folder included) if missing, connect, migrate."""
        try:
            # File-system work off the event loop (the langgraph dev server forbids blocking calls).
            await asyncio.to_thread(self._create_file)
            self._writer = await self._connect()
            await self.setup()
        except (OSError, aiosqlite.Error) as exc:
            await self.close()
            raise StoreError(f"cannot open the cache database {self.path}: {exc}") from exc

    def _create_file(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        os.chmod(self.path, 0o600)

    async def close(self) -> None:
        """Close every connection."""
        for conn in self._all_readers:
            await conn.close()
        self._all_readers.clear()
        self._idle.clear()
        if self._writer is not None:
            await self._writer.close()
            self._writer = None

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None, timeout=self.timeout)
        await conn.execute(sql.BUSY_TIMEOUT.format(ms=int(self.timeout * 1000)))
        for pragma in sql.PRAGMAS:
            await conn.execute(pragma)
        return conn

    async def setup(self) -> None:
        """Apply pending migrations, each with its version row in one transaction."""
        conn = self._conn()
        await conn.execute(sql.CREATE_VERSION_TABLE)
        async with self._write_lock:
            current = await self._scalar(conn, sql.SELECT_VERSION)
            for version, script in enumerate(sql.MIGRATIONS, start=1):
                if version <= current:
                    continue
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    # executescript() would commit behind our back: run statement by statement.
                    for statement in _split_statements(script):
                        await conn.execute(statement)
                    await conn.execute(sql.INSERT_VERSION, (version,))
                    await conn.execute("COMMIT")
                except BaseException:
                    await conn.execute("ROLLBACK")
                    raise

    def _conn(self) -> aiosqlite.Connection:
        if self._writer is None:
            raise StoreError(f"the cache database {self.path} is not open")
        return self._writer

    @staticmethod
    async def _scalar(conn: aiosqlite.Connection, query: str, params: Sequence[Any] = ()) -> Any:
        async with conn.execute(query, params) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """The one writer, in ``BEGIN IMMEDIATE``; commits on success, rolls back on any error."""
        conn = self._conn()
        async with self._write_lock:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[aiosqlite.Connection]:
        """A pooled read connection (at most CACHE_DB_MAX_CONNECTIONS - 1 of them)."""
        self._conn()
        async with self._reader_slots:
            conn = self._idle.pop() if self._idle else None
            if conn is None:
                conn = await self._connect()
                self._all_readers.append(conn)
            try:
                yield conn
            finally:
                self._idle.append(conn)

    async def _read_all(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        async with self.reader() as conn, conn.execute(query, params) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    def now(self) -> float:
        """The store's clock (injectable for tests)."""
        return self.clock()

    # --- info -----------------------------------------------------------------------------
    async def schema_version(self) -> int:
        """The highest applied migration."""
        return int(await self._scalar(self._conn(), sql.SELECT_VERSION))

    async def info(self) -> dict[str, Any]:
        """Path, schema version, row counts per table and file size (``kcache db info``)."""
        tables = [r[0] for r in await self._read_all(sql.LIST_TABLES)]
        counts = {}
        for table in tables:
            rows = await self._read_all(sql.COUNT_ROWS.format(table=table))
            counts[table] = int(rows[0][0])
        size = sum(
            p.stat().st_size
            for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm"))
            if p.exists()
        )
        return {
            "path": str(self.path),
            "schema_version": await self.schema_version(),
            "tables": counts,
            "size_bytes": size,
        }

    async def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: 'ok' when the file is sound."""
        rows = await self._read_all(sql.INTEGRITY_CHECK)
        return "; ".join(str(r[0]) for r in rows)

    # --- resources ----------------------------------------------------------------------
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
        try:
            async with self.transaction() as conn:
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
        except aiosqlite.Error as exc:
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
        except aiosqlite.Error as exc:
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
            _json(r.labels),
            _json(r.annotations),
            r.created_at,
            r.owner_kind,
            r.owner_name,
            _json(r.fields),
            now_ts,
            expires_ts,
        )
        spec = sql.SPEC_TABLES.get(r.kind)
        if spec is None:
            return (r.kind, r.namespace or "", *common)
        extra = tuple(_column_value(r, col) for col in spec[1])
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
        meta: list[ScanScope] = []
        async with self.reader() as conn:
            # Rows carry their own expiry, so one statement (one snapshot) decides freshness.
            async with conn.execute(query, binds) as cur:
                raw = [tuple(r) for r in await cur.fetchall()]
            if not raw:
                # An empty answer is fresh only if a completed scan of the scope says so.
                scopes = [scope_name(kind)] + ([scope_name(kind, namespace)] if use_ns else [])
                for scope in scopes:
                    async with conn.execute(sql.SELECT_METADATA, (cluster, scope)) as cur:
                        row = await cur.fetchone()
                        if row:
                            meta.append(_scope(row))
        items = [_resource(kind, row) for row in raw]
        return _freshness(items, raw, meta, now)

    async def pods_of(self, cluster: str, workload: str, namespace: str | None = None) -> Lookup:
        """Pods owned by a workload named exactly ``workload`` (directly or through ReplicaSets)."""
        rs = await self.query(cluster, "replicaset", namespace=namespace, owners=[workload])
        owners = [workload] + [r.name for r in rs.items]
        return await self.query(cluster, "pod", namespace=namespace, owners=owners)

    async def names(self, cluster: str, kinds: Iterable[str]) -> dict[str, list[tuple[str | None, str]]]:
        """(namespace, name) of every cached object of the given kinds: the agent's vocabulary."""
        out: dict[str, list[tuple[str | None, str]]] = {}
        for kind in kinds:
            table = sql.table_for(kind)
            ns_col = "namespace" if kind not in sql.SPEC_TABLES or kind in ("pod", "service") else "NULL"
            where = "cluster_name = ?" + (" AND kind = ?" if table == "resources" else "")
            binds = (cluster, kind) if table == "resources" else (cluster,)
            rows = await self._read_all(f"SELECT {ns_col}, name FROM {table} WHERE {where}", binds)
            out[kind] = [(ns or None, n) for ns, n in rows]
        return out

    # --- clusters -------------------------------------------------------------------------
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

    # --- scans ----------------------------------------------------------------------------
    async def scopes(self, cluster: str) -> list[ScanScope]:
        """Every cache_metadata row of a cluster."""
        return [_scope(r) for r in await self._read_all(sql.SELECT_ALL_METADATA, (cluster,))]

    async def scope(self, cluster: str, table_name: str) -> ScanScope | None:
        """One cache_metadata row."""
        rows = await self._read_all(sql.SELECT_METADATA, (cluster, table_name))
        return _scope(rows[0]) if rows else None

    async def mark_scope(
        self,
        cluster: str,
        table_name: str,
        status: str,
        *,
        tier: str | None = None,
        error: str | None = None,
        next_scan_at: float | None = None,
    ) -> None:
        """Set a scope's scan_status (pending, running, completed or failed) and message."""
        if status not in ("pending", "running", "completed", "failed"):
            raise StoreError(f"unknown scan status {status!r}")
        now_ts = to_ts(self.now())
        async with self.transaction() as conn:
            await conn.execute(
                sql.UPSERT_METADATA_STATUS,
                (
                    table_name,
                    cluster,
                    status,
                    error,
                    tier,
                    to_ts(next_scan_at) if next_scan_at else None,
                    now_ts if status in ("completed", "failed") else None,
                    now_ts,
                ),
            )

    async def scan_started(self, cluster: str, table_name: str, tier: str) -> int:
        """Open a scan_history row; returns its id."""
        async with self.transaction() as conn:
            cur = await conn.execute(sql.INSERT_SCAN, (cluster, table_name, tier, to_ts(self.now())))
            return int(cur.lastrowid or 0)

    async def scan_finished(
        self, scan_id: int, status: str, *, error: str | None = None, record_count: int | None = None
    ) -> None:
        """Close a scan_history row with its outcome."""
        async with self.transaction() as conn:
            await conn.execute(sql.FINISH_SCAN, (to_ts(self.now()), status, error, record_count, scan_id))

    async def scan_history(self, cluster: str, limit: int = 50) -> list[dict[str, Any]]:
        """The latest scans, newest first."""
        rows = await self._read_all(sql.SELECT_SCANS, (cluster, limit))
        keys = ("table_name", "tier", "started_at", "finished_at", "status", "error_message", "record_count")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    async def scan_counts(self) -> dict[str, int]:
        """Scans by outcome, over the whole history."""
        return {str(s): int(c) for s, c in await self._read_all(sql.SCAN_COUNTS)}

    # --- tools ----------------------------------------------------------------------------
    async def replace_tools(self, server: str, rows: Sequence[dict[str, Any]]) -> None:
        """Replace the registry with one server's tools (rows keyed by sql.TOOL_COLUMNS)."""
        now_ts = to_ts(self.now())
        values = []
        for row in rows:
            full = {**row, "server": server, "updated_at": now_ts}
            values.append(tuple(full.get(col) for col in sql.TOOL_COLUMNS))
        async with self.transaction() as conn:
            await conn.execute(sql.DELETE_TOOLS)
            await conn.executemany(sql.INSERT_TOOL, values)

    async def load_tools(self) -> list[dict[str, Any]]:
        """The stored registry rows (``server`` and ``updated_at`` included)."""
        rows = await self._read_all(sql.SELECT_TOOLS)
        return [dict(zip(sql.TOOL_COLUMNS, r, strict=True)) for r in rows]

    async def record_tool_usage(self, tool: str, *, ok: bool, duration_ms: float) -> None:
        """Count one call in tool_usage_stats (running average of the response time)."""
        now_ts = to_ts(self.now())
        async with self.transaction() as conn:
            await conn.execute(
                sql.UPSERT_TOOL_USAGE, (tool, int(ok), int(not ok), duration_ms, now_ts, now_ts)
            )

    async def tool_usage(self) -> list[dict[str, Any]]:
        """tool_usage_stats rows."""
        keys = (
            "tool_name",
            "usage_count",
            "success_count",
            "error_count",
            "avg_response_time",
            "last_used_at",
        )
        return [dict(zip(keys, r, strict=True)) for r in await self._read_all(sql.SELECT_TOOL_USAGE)]

    # --- audit, turns, evals --------------------------------------------------------------
    async def audit(
        self,
        *,
        tool: str,
        arguments: dict[str, Any],
        status: str,
        cluster: str | None,
        identity: str | None,
        writes: bool,
        approved_by: str | None = None,
        approved_at: float | None = None,
        error: str | None = None,
        duration_ms: float | None = None,
        origin: str | None = None,
    ) -> None:
        """Write one tool call to the audit log (arguments must already be secret-free)."""
        async with self.transaction() as conn:
            await conn.execute(
                sql.INSERT_AUDIT,
                (
                    to_ts(self.now()),
                    cluster,
                    identity,
                    tool,
                    _json(arguments),
                    int(writes),
                    approved_by,
                    to_ts(approved_at) if approved_at else None,
                    status,
                    error,
                    duration_ms,
                    origin,
                ),
            )

    async def audit_log(self, limit: int = 100) -> list[dict[str, Any]]:
        """The latest audit rows, newest first."""
        keys = (
            "at",
            "cluster_name",
            "identity",
            "tool",
            "arguments",
            "writes",
            "approved_by",
            "approved_at",
            "status",
            "error_message",
            "duration_ms",
            "origin",
        )
        return [dict(zip(keys, r, strict=True)) for r in await self._read_all(sql.SELECT_AUDIT, (limit,))]

    async def record_turn(self, **turn: Any) -> None:
        """Record one agent turn for the KPIs (keys: the agent_turns columns)."""
        cols = (
            "thread_id",
            "cluster_name",
            "intent",
            "resource",
            "operation",
            "tool",
            "outcome",
            "answered_from_cache",
            "executed",
            "cache_lookups",
            "cache_hits",
            "prompt_tokens",
            "duration_ms",
            "non_llm_ms",
            "read_ms",
            "params_suggested",
            "params_accepted",
            "provider",
        )
        unknown = set(turn) - set(cols)
        if unknown:
            raise StoreError(f"unknown agent turn fields: {sorted(unknown)}")
        async with self.transaction() as conn:
            await conn.execute(sql.INSERT_TURN, (to_ts(self.now()), *(turn.get(c) for c in cols)))

    async def record_eval_run(
        self, dataset: str, cluster: str, provider: str, metrics: dict[str, Any]
    ) -> None:
        """Keep an eval run's metrics (the context-accuracy KPI reads the latest)."""
        async with self.transaction() as conn:
            await conn.execute(
                sql.INSERT_EVAL_RUN, (to_ts(self.now()), dataset, cluster, provider, _json(metrics))
            )

    async def kpi_inputs(self) -> dict[str, Any]:
        """The recorded data the spec's KPIs are computed from."""
        turns = (await self._read_all(sql.TURN_TOTALS))[0]
        reads = await self._read_all(sql.READ_TIMES)
        last_eval = await self._read_all(sql.LAST_EVAL_RUN)
        return {
            "turns": int(turns[0]),
            "cache_lookups": int(turns[1]),
            "cache_hits": int(turns[2]),
            "avg_prompt_tokens": turns[3],
            "params_suggested": int(turns[4]),
            "params_accepted": int(turns[5]),
            "read_times": [
                {"resource": r, "from_cache": bool(c), "avg_ms": ms, "count": n} for r, c, ms, n in reads
            ],
            "scans": await self.scan_counts(),
            "last_eval": (
                {"at": last_eval[0][0], "dataset": last_eval[0][1], "metrics": json.loads(last_eval[0][4])}
                if last_eval
                else None
            ),
        }


# json.dumps() with options builds a new encoder per call; one shared encoder is much faster.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(value: Any) -> str:
    return _ENCODER.encode(value)


def _column_value(r: Resource, column: str) -> Any:
    value = r.fields.get(column)
    if column == "status" and value is None:
        return "Unknown"
    if column in ("phase", "type") and value is None:
        return "Unknown" if column == "phase" else "ClusterIP"
    if isinstance(value, (dict, list, tuple)):  # noqa: UP038 - the tuple form is faster here
        return _json(value)
    return value


def _resource(kind: str, row: Sequence[Any]) -> Resource:
    namespace, name, labels, annotations, created, owner_kind, owner_name, data = row[:8]
    return Resource(
        kind=kind,
        name=name,
        namespace=namespace or None,
        labels=json.loads(labels) if labels else {},
        annotations=json.loads(annotations) if annotations else {},
        owner_kind=owner_kind,
        owner_name=owner_name,
        created_at=created,
        fields=json.loads(data) if data else {},
    )


def _scope(row: Sequence[Any]) -> ScanScope:
    table, _cluster, last, nxt, status, error, count, tier, expires, success = row
    return ScanScope(
        table_name=table,
        scan_status=status,
        last_scan_at=from_ts(last),
        next_scan_at=from_ts(nxt),
        expires_at=from_ts(expires),
        last_success_at=from_ts(success),
        record_count=int(count or 0),
        error_message=error,
        tier=tier,
    )


def _freshness(
    items: list[Resource], raw: Sequence[Sequence[Any]], meta: list[ScanScope], now: float
) -> Lookup:
    if raw:
        expires = min(from_ts(r[8]) or 0.0 for r in raw)
        written = min(from_ts(r[9]) or now for r in raw)
        return Lookup(
            items=items, freshness="fresh" if expires > now else "stale", age_s=round(now - written, 3)
        )
    # No rows: an empty answer is fresh only when a completed scan of the scope says so.
    done = [m for m in meta if m.last_success_at is not None]
    if not done:
        return Lookup(items=[], freshness="missing")
    best = max(done, key=lambda m: m.expires_at or 0.0)
    fresh = (best.expires_at or 0.0) > now
    return Lookup(
        items=[], freshness="fresh" if fresh else "stale", age_s=round(now - (best.last_success_at or now), 3)
    )


def _split_statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
