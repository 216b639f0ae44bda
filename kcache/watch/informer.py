"""One kind kept by list+watch: the informer loop, its write batches and its liveness.

LIST (paged) replaces the kind's rows at once; WATCH goes on from the list's
resourceVersion, and its events are written in batches (every ``batch_interval`` seconds,
or at ``batch_size`` pending objects, whichever comes first), through the same parser and
the same Secret guard as the scans. A stream the server closes is reopened from the last
resourceVersion seen; 410 Gone means that version is gone, so the kind is listed again; a
dropped connection or an error answer is retried after a jittered, growing delay.

Freshness stays data: while the watch is connected each batch moves the scope's
``expires_at`` forward, and every tenth of the TTL every row of the kind too. A watch that
breaks stops doing so, and its rows turn stale at most one TTL later, as a failed scan's
would; once they have, the scope is marked ``failed`` with the watch's error.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from kcache.errors import KcacheError, ParseError
from kcache.kinds import TIER_OF, scope_name
from kcache.logs import event
from kcache.model import Resource
from kcache.parsing import parse_object
from kcache.watch.api import Expired, Page, WatchStream

logger = logging.getLogger(__name__)

Key = tuple[str | None, str]


class Api(Protocol):
    """What a watcher needs of the API session (:class:`kcache.watch.api.KubeApi`)."""

    async def list_page(self, kind: str, *, limit: int, next_token: str | None = None) -> Page:
        """One page of the kind's all-namespaces LIST."""
        ...

    async def open_watch(self, kind: str, *, resource_version: str, timeout_s: int) -> WatchStream:
        """An open WATCH of the kind."""
        ...


class ChangeStore(Protocol):
    """What a watcher writes through (:class:`kcache.store.Store`)."""

    async def replace(
        self, cluster: str, kind: str, items: list[Resource], *, ttl_s: float, tier: str | None = None
    ) -> int:
        """Replace every row of the kind."""
        ...

    async def apply_changes(
        self,
        cluster: str,
        kind: str,
        upserts: list[Resource],
        deletes: list[Key],
        *,
        ttl_s: float,
        record_count: int,
        tier: str | None = None,
        refresh_rows: bool = False,
    ) -> None:
        """Apply one batch of changes and keep the scope fresh."""
        ...

    async def mark_scope(
        self, cluster: str, table_name: str, status: str, *, tier: str | None = None, error: str | None = None
    ) -> None:
        """Set a scope's status."""
        ...


@dataclass(frozen=True, kw_only=True)
class Tuning:
    """The knobs of a watcher; the defaults are what production uses."""

    page_size: int = 500
    batch_interval: float = 0.25
    batch_size: int = 500
    watch_timeout: tuple[int, int] = (300, 600)
    """Each WATCH asks the server to end it after a random number of seconds in this range."""
    backoff: tuple[float, float] = (0.5, 30.0)
    """First and longest delay before retrying a failed LIST or WATCH (each delay is jittered)."""


@dataclass(frozen=True, kw_only=True)
class Liveness:
    """Whether a kind is being watched now, and when it last heard from the server."""

    kind: str
    healthy: bool
    """The WATCH is connected and the rows are current."""
    synced: bool
    """The first LIST is in the cache."""
    last_event_at: float | None
    """Epoch seconds of the last event or bookmark received (or of the LIST)."""
    last_change_at: float | None
    """Epoch seconds of the last object change received."""
    last_event_age_s: float | None
    """Seconds since ``last_event_at``, when this was taken."""
    error: str | None
    """Why the watch is not healthy (None when it is)."""
    lists: int
    """Full LISTs done (the first one and every relist)."""
    reconnects: int
    """Failed LIST or WATCH attempts retried."""


class KindWatcher:
    """Keeps one kind's rows by list+watch. Run :meth:`run` as a task; cancel it to stop."""

    def __init__(
        self,
        api: Api,
        store: ChangeStore,
        *,
        cluster: str,
        kind: str,
        ttl_s: float,
        tuning: Tuning | None = None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.api, self.store, self.cluster, self.kind = api, store, cluster, kind
        self.ttl_s = ttl_s
        self.tuning = tuning or Tuning()
        self.clock = clock
        self.rng = rng or random.Random()
        self.tier = TIER_OF.get(kind, "dynamic")
        self.healthy = False
        self.synced = False
        self.error: str | None = "not listed yet"
        self.last_event_at: float | None = None
        self.last_change_at: float | None = None
        self.lists = 0
        self.reconnects = 0
        self._rv: str | None = None
        self._failures = 0
        self._pending: dict[Key, Resource | None] = {}
        self._keys: set[Key] = set()
        self._rows_fresh_at = 0.0
        self._marked_failed = False
        self._full = asyncio.Event()
        self._write = asyncio.Lock()

    @property
    def scope(self) -> str:
        """The ``cache_metadata`` scope this watcher keeps fresh (``pods``)."""
        return scope_name(self.kind)

    def liveness(self) -> Liveness:
        """The watcher's state now."""
        now = self.clock()
        return Liveness(
            kind=self.kind,
            healthy=self.healthy,
            synced=self.synced,
            last_event_at=self.last_event_at,
            last_change_at=self.last_change_at,
            last_event_age_s=None if self.last_event_at is None else round(now - self.last_event_at, 3),
            error=self.error,
            lists=self.lists,
            reconnects=self.reconnects,
        )

    # --- the informer loop -------------------------------------------------------------------
    async def run(self) -> None:
        """List, watch, relist and reconnect until cancelled; the last changes are written on exit."""
        flusher = asyncio.create_task(self._flush_loop(), name=f"watch-flush:{self.kind}")
        try:
            await self._loop()
        finally:
            flusher.cancel()
            await asyncio.gather(flusher, return_exceptions=True)
            self.healthy = False
            self.error = "stopped"
            try:
                await self.flush()
            except KcacheError as exc:
                event(logger, "watch", "stop", f"{self.scope}: last batch lost", error_details=str(exc))

    async def _loop(self) -> None:
        while True:
            try:
                if self._rv is None:
                    await self._relist()
                await self._watch()
            except Expired as exc:
                # The server no longer has the changes since our version: only a LIST catches up.
                event(
                    logger, "watch", "expired", f"{self.scope}: {exc}; listing again", level=logging.WARNING
                )
                self._rv = None
                self.healthy = False
                self.error = str(exc)
                self._failures += 1
                if self._failures > 1:
                    # Gone again before any WATCH opened: do not list in a tight loop.
                    await asyncio.sleep(self._backoff(self._failures - 1))
            except KcacheError as exc:
                self._failures += 1
                self.reconnects += 1
                self.healthy = False
                self.error = str(exc)
                delay = self._backoff(self._failures)
                event(
                    logger,
                    "watch",
                    "retry",
                    f"{self.scope}: retrying in {delay:.2f}s",
                    level=logging.WARNING,
                    error_details=str(exc)[:500],
                )
                await self._mark_if_stale()
                await asyncio.sleep(delay)

    def _backoff(self, failures: int) -> float:
        first, longest = self.tuning.backoff
        return float(min(longest, first * 2 ** (failures - 1)) * self.rng.uniform(0.5, 1.0))

    async def _relist(self) -> None:
        start = time.perf_counter()
        records: list[Resource] = []
        token: str | None = None
        while True:
            page = await self.api.list_page(self.kind, limit=self.tuning.page_size, next_token=token)
            records.extend(r for r in (self._record(obj) for obj in page.items) if r is not None)
            token = page.next
            if token is None:
                break
        async with self._write:
            # Events buffered before the LIST are older than it: the LIST wins.
            self._pending.clear()
            await self.store.replace(self.cluster, self.kind, records, ttl_s=self.ttl_s, tier=self.tier)
            self._keys = {(r.namespace, r.name) for r in records}
            self._rows_fresh_at = self.clock()
            self._marked_failed = False
        self._rv = page.resource_version
        self.synced = True
        self.error = None
        self.lists += 1
        self.last_event_at = self.clock()
        event(
            logger,
            "watch",
            "list",
            f"{self.scope}: {len(records)} rows listed at resourceVersion {self._rv}",
            duration_ms=(time.perf_counter() - start) * 1000,
            count=len(records),
        )

    async def _watch(self) -> None:
        assert self._rv is not None
        low, high = self.tuning.watch_timeout
        timeout = self.rng.randint(low, high)
        async with await self.api.open_watch(
            self.kind, resource_version=self._rv, timeout_s=timeout
        ) as stream:
            self.healthy = True
            self.error = None
            # A connection that opened ends the run of failures: the next drop retries soon.
            self._failures = 0
            async for item in stream:
                now = self.clock()
                self.last_event_at = now
                obj = item["object"]
                meta = obj.get("metadata") or {}
                version = meta.get("resourceVersion")
                kind_of_event = item.get("type")
                if kind_of_event in ("ADDED", "MODIFIED"):
                    record = self._record(obj)
                    if record is not None:
                        self._pending[(record.namespace, record.name)] = record
                elif kind_of_event == "DELETED":
                    self._pending[(meta.get("namespace") or None, str(meta.get("name")))] = None
                if kind_of_event != "BOOKMARK":
                    self.last_change_at = now
                if version:
                    self._rv = str(version)
                if len(self._pending) >= self.tuning.batch_size:
                    self._full.set()

    def _record(self, obj: dict[str, object]) -> Resource | None:
        try:
            return parse_object("", kind=self.kind, structured=obj)
        except ParseError as exc:
            event(
                logger, "watch", "parse", f"{self.scope}: an object was skipped", error_details=str(exc)[:300]
            )
            return None

    # --- writes ------------------------------------------------------------------------------
    async def _flush_loop(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._full.wait(), timeout=self.tuning.batch_interval)
            except TimeoutError:
                pass
            self._full.clear()
            try:
                await self.flush()
            except KcacheError as exc:
                # The batch stays lost only until the next LIST: force one.
                event(logger, "watch", "write", f"{self.scope}: batch failed", error_details=str(exc)[:500])
                self._rv = None
                self.healthy = False
                self.error = f"writing a batch failed: {exc}"

    async def flush(self) -> None:
        """Write the pending changes now; while healthy, keep the scope (and rows) fresh."""
        async with self._write:
            if not self.synced:
                return
            now = self.clock()
            rows_due = self.healthy and now - self._rows_fresh_at >= self.ttl_s / 10
            if not self._pending and not rows_due:
                return
            batch, self._pending = self._pending, {}
            upserts = [r for r in batch.values() if r is not None]
            deletes = [key for key, r in batch.items() if r is None]
            keys = set(self._keys)
            keys.update((r.namespace, r.name) for r in upserts)
            keys.difference_update(deletes)
            await self.store.apply_changes(
                self.cluster,
                self.kind,
                upserts,
                deletes,
                ttl_s=self.ttl_s,
                record_count=len(keys),
                tier=self.tier,
                refresh_rows=rows_due,
            )
            self._keys = keys
            self._marked_failed = False
            if rows_due:
                self._rows_fresh_at = now

    async def _mark_if_stale(self) -> None:
        """Once the rows have gone stale (or were never listed), say why in the scope's status."""
        if self._marked_failed or (self.synced and self.clock() < self._rows_fresh_at + self.ttl_s):
            return
        try:
            await self.store.mark_scope(
                self.cluster, self.scope, "failed", tier=self.tier, error=f"watch broken: {self.error}"
            )
        except KcacheError as exc:
            event(logger, "watch", "mark", f"{self.scope}: cannot record the failure", error_details=str(exc))
            return
        self._marked_failed = True
