"""The store's connections: one writer, a small pool of readers, migrations and transactions.

Every section of :class:`kcache.store.Store` (objects, scans, tools, audit, turns, evals)
is a subclass of :class:`Pool` and reaches the database only through its connections: the
writer (:meth:`Pool.transaction`), a pool of readers used off the event loop in one hop per
read, and one read-only connection for short reads made inline on the loop.

Reads are cheap on the agent's hot path: an aiosqlite statement costs a few thread hops of
0.1-0.3 ms each, the same small SELECT on a synchronous connection 15-50 µs
(``bench/store.py``). So reads that return a few rows run inline on the read-only
connection (in one hop too where the event loop forbids blocking calls, as under
``langgraph dev``), and larger ones in one hop. Scope freshness (``cache_metadata``) is kept in
memory per cluster and dropped whenever ``PRAGMA data_version`` on the read-only connection
changes, which it does after any commit by any other connection: this store's own writer
and another process writing the same file alike.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import stat
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

import aiosqlite

from kcache.errors import StoreError
from kcache.store import cipher, sql
from kcache.store.rows import ScanScope
from kcache.store.rows import scope as scope_row

T = TypeVar("T")
logger = logging.getLogger(__name__)

INLINE_READ_ROWS = 500
"""Whole-cluster reads of a kind whose last scan kept at most this many rows run inline.

Reads by name, within one namespace or with a limit up to this run inline too. Measured
with ``bench/store.py`` (1,000 pods in 50 namespaces): a scope read went from 0.10 ms to
0.005 ms, a lookup by name from 0.11 ms to 0.03 ms, a namespace's 20 pods from 0.44 ms to
0.35 ms; decoding rows into records costs the same either way and stays on the loop.
"""


class Pool:
    """The connections of one database file. Open it with ``async with``."""

    def __init__(
        self,
        path: Path,
        *,
        timeout: float = 30.0,
        max_connections: int = 10,
        clock: Callable[[], float] = time.time,
        key: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._key = key
        """CACHE_DB_KEY: with it every connection goes through SQLCipher (never logged)."""
        # The writer and the inline read-only connection count against max_connections too.
        self.max_readers = max(1, max_connections - 2)
        self.clock = clock
        self._writer: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._idle: list[aiosqlite.Connection] = []
        self._all_readers: list[aiosqlite.Connection] = []
        self._reader_slots = asyncio.Semaphore(self.max_readers)
        self._sync_idle: list[sqlite3.Connection] = []
        self._sync_all: list[sqlite3.Connection] = []
        self._inline: sqlite3.Connection | None = None
        """The read-only connection for short reads on the event loop's thread."""
        self._inline_ok = True
        self._inline_lock = asyncio.Lock()
        self._scope_cache: dict[str, dict[str, ScanScope]] = {}
        self._scope_version: int | None = None
        self._refused: dict[str, str] = {}
        """Partitions found to hold another cluster's rows, with the reason."""
        self.generation = 0
        """Bumped when cached cluster objects change: in-process caches of derived data key on it."""

    # --- lifecycle ----------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self) -> None:
        """Create the file (mode 0600, new folders 0700) if missing, connect, migrate.

        Raises:
            StoreError: The path is not a regular file (a folder, a symlink, a device), or
                the file is not a usable SQLite database. Whatever was opened is closed.
        """
        try:
            # File-system work off the event loop (the langgraph dev server forbids blocking calls).
            await asyncio.to_thread(self._create_file)
            self._writer = await self._connect()
            await self.setup()
            self._inline = await asyncio.to_thread(self._connect_sync)
        except BaseException as exc:
            await self.close()
            if isinstance(exc, (OSError, *cipher.DB_ERRORS)):
                raise StoreError(f"cannot open the cache database {self.path}: {exc}") from exc
            raise

    def _create_file(self) -> None:
        _make_folders(self.path.parent)
        try:
            found = os.lstat(self.path)
        except FileNotFoundError:
            found = None
        # Checked before anything touches the path: chmod on a folder or through a symlink
        # changes something that is not the cache.
        if found is not None and not stat.S_ISREG(found.st_mode):
            raise StoreError(
                f"CACHE_DB_PATH {self.path} is {_file_type(found.st_mode)}, not a regular file: "
                "point it at a file (it is created if missing)"
            )
        # O_NOFOLLOW: a symlink swapped in since the check fails here instead of being followed.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                raise StoreError(
                    f"CACHE_DB_PATH {self.path} is {_file_type(opened.st_mode)}, not a regular file"
                )
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)

    async def close(self) -> None:
        """Close every connection."""
        for sync in [*self._sync_all, *([self._inline] if self._inline is not None else [])]:
            sync.close()
        self._sync_all.clear()
        self._sync_idle.clear()
        self._inline = None
        self._scope_cache.clear()
        self._scope_version = None
        for conn in self._all_readers:
            await conn.close()
        self._all_readers.clear()
        self._idle.clear()
        if self._writer is not None:
            await self._writer.close()
            self._writer = None

    async def _connect(self) -> aiosqlite.Connection:
        # The file is opened (and its key checked) here, awaited to the end: a connector that
        # failed inside aiosqlite would leave its worker thread to answer a closed event loop.
        opened = await asyncio.to_thread(
            cipher.connect,
            self.path,
            self._key,
            isolation_level=None,
            timeout=self.timeout,
            check_same_thread=False,  # opened here, used only by aiosqlite's one thread
        )
        conn = await aiosqlite.Connection(lambda: opened, iter_chunk_size=64)
        try:
            await conn.execute(sql.BUSY_TIMEOUT.format(ms=int(self.timeout * 1000)))
            for pragma in sql.PRAGMAS:
                await conn.execute(pragma)
        except BaseException:
            # An unclosed connection keeps its thread alive and the process from exiting.
            await conn.close()
            raise
        return conn

    def _connect_sync(self) -> sqlite3.Connection:
        uri = f"{Path(os.path.abspath(self.path)).as_uri()}?mode=ro"
        conn = cipher.connect(
            uri,
            self._key,
            shown=self.path,
            uri=True,
            isolation_level=None,
            check_same_thread=False,
            timeout=self.timeout,
        )
        try:
            conn.execute(sql.BUSY_TIMEOUT.format(ms=int(self.timeout * 1000)))
            for pragma in sql.READ_PRAGMAS:
                conn.execute(pragma)
        except BaseException:
            conn.close()
            raise
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
        """A pooled aiosqlite read connection (sharing the pool's CACHE_DB_MAX_CONNECTIONS - 2 slots)."""
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

    @contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except cipher.DB_ERRORS as exc:
            raise StoreError(f"reading the cache database {self.path} failed: {exc}") from exc

    async def _read_small(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run a short read on the read-only connection: inline, or in one hop where forbidden.

        A server that forbids blocking calls on its event loop (``langgraph dev`` raises
        blockbuster's BlockingError on any sqlite3 call there) gets the same read in a worker
        thread, from then on for this store.
        """
        self._conn()
        conn = self._inline
        assert conn is not None
        if self._inline_ok:
            try:
                with self._reading():
                    return fn(conn)
            except Exception as exc:
                if not _blocking_forbidden(exc):
                    raise
                self._inline_ok = False
                logger.info("the event loop forbids blocking calls: cache reads run in a worker thread")
        async with self._inline_lock:
            with self._reading():
                return await asyncio.to_thread(fn, conn)

    async def _read_off_loop(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run a read on a pooled connection in a worker thread: one hop, whatever it runs."""
        self._conn()
        async with self._reader_slots:
            conn = self._sync_idle.pop() if self._sync_idle else None
            try:
                if conn is None:
                    conn = await asyncio.to_thread(self._connect_sync)
                    self._sync_all.append(conn)
                with self._reading():
                    return await asyncio.to_thread(fn, conn)
            finally:
                if conn is not None:
                    self._sync_idle.append(conn)

    async def _read_all(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return await self._read_off_loop(lambda conn: conn.execute(query, params).fetchall())

    async def _read_now(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """A short SELECT (a few rows) on the read-only connection."""
        return await self._read_small(lambda conn: conn.execute(query, params).fetchall())

    async def _scope_rows(self, cluster: str) -> dict[str, ScanScope]:
        """The cluster's ``cache_metadata`` rows by table_name, from memory while nothing committed."""

        def load(conn: sqlite3.Connection) -> tuple[int, list[Any] | None]:
            # data_version is per connection: always asked of the same (read-only) one.
            version = int(conn.execute(sql.DATA_VERSION).fetchone()[0])
            if version == self._scope_version and cluster in self._scope_cache:
                return version, None
            return version, conn.execute(sql.SELECT_ALL_METADATA, (cluster,)).fetchall()

        version, rows = await self._read_small(load)
        if version != self._scope_version:
            self._scope_cache.clear()
            self._scope_version = version
        if rows is not None:
            self._scope_cache[cluster] = {r[0]: scope_row(r) for r in rows}
        return self._scope_cache.get(cluster, {})

    def now(self) -> float:
        """The store's clock (injectable for tests)."""
        return self.clock()

    # --- info -----------------------------------------------------------------------------
    @property
    def encrypted(self) -> bool:
        """True when the file is opened with CACHE_DB_KEY (SQLCipher)."""
        return self._key is not None

    async def schema_version(self) -> int:
        """The highest applied migration."""
        return int(await self._scalar(self._conn(), sql.SELECT_VERSION))

    async def info(self) -> dict[str, Any]:
        """Path, schema version, encryption, row counts per table and file size (``kcache db info``)."""
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
            "encrypted": self.encrypted,
            "tables": counts,
            "size_bytes": size,
        }

    async def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: 'ok' when the file is sound, else what is wrong.

        A file too damaged for the check to run gives SQLite's error message instead of
        raising, so ``kcache health`` can report it.
        """
        try:
            rows = await self._read_all(sql.INTEGRITY_CHECK)
        except StoreError as exc:
            return str(exc.__cause__ or exc)
        return "; ".join(str(r[0]) for r in rows)


def _blocking_forbidden(exc: Exception) -> bool:
    """True for blockbuster's error: the event loop refused a blocking call."""
    module = sys.modules.get("blockbuster.blockbuster")
    return module is not None and isinstance(exc, module.BlockingError)


def _make_folders(folder: Path) -> None:
    """Create ``folder`` and its missing parents with mode 0700 (existing ones are left alone)."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            pass


def _file_type(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symlink"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "a special file"


def _split_statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
