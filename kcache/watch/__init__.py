"""The watch-fed dynamic tier (SCANNER_MODE=watch): one list+watch per kind, beside the TTL scans.

Instead of listing the dynamic tier again through the MCP server every
SCANNER_DYNAMIC_INTERVAL, each of its kinds (``TIERS["dynamic"]``) is listed once from the
Kubernetes API with kcache's kubeconfig identity and then watched, so a change made outside
kcache reaches the cache within about a second (see :mod:`kcache.watch.informer`). The
static tier keeps its TTL scans.

Whoever runs the graphs starts the watchers for the process's lifetime::

    async with Watchers.for_holder(kc) as watchers:
        ...
        watchers.liveness("pod")  # healthy?, last event time

(the ``langgraph dev`` server's lifespan and ``kcache refresh --loop`` do, when
SCANNER_MODE=watch). :func:`liveness` answers for the watchers running in this process.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

from kcache.errors import KcacheError
from kcache.kinds import TIERS, scope_name
from kcache.logs import event
from kcache.watch.api import KubeApi
from kcache.watch.informer import ChangeStore, KindWatcher, Liveness, Tuning

__all__ = [
    "KindWatcher",
    "Liveness",
    "Tuning",
    "Watchers",
    "liveness",
    "polled_tiers",
    "stale_scopes",
    "watching_if_enabled",
]

logger = logging.getLogger(__name__)

_RUNNING: list[Watchers] = []


class _Identity(Protocol):
    @property
    def path(self) -> Path: ...
    @property
    def context(self) -> str: ...


class _Settings(Protocol):
    @property
    def cache_dynamic_ttl(self) -> int: ...
    @property
    def scanner_mode(self) -> str: ...


class _Holder(Protocol):
    """What the watchers use of the process-level holder (:class:`kcache.runtime.Kcache`)."""

    @property
    def store(self) -> Any: ...
    @property
    def cluster(self) -> str: ...
    @property
    def identity(self) -> _Identity: ...
    @property
    def settings(self) -> _Settings: ...


class Watchers:
    """One :class:`KindWatcher` task per kind, started on enter and stopped on exit."""

    def __init__(
        self,
        store: ChangeStore,
        *,
        cluster: str,
        kubeconfig: Path,
        context: str | None,
        ttl_s: float,
        kinds: Sequence[str] = TIERS["dynamic"],
        tuning: Tuning | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.cluster = cluster
        self.kubeconfig = kubeconfig
        self.context = context
        self.ttl_s = ttl_s
        self.kinds = tuple(kinds)
        self.tuning = tuning or Tuning()
        self.rng = rng or random.Random()
        self.api: KubeApi | None = None
        self.watchers: dict[str, KindWatcher] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}

    @classmethod
    def for_holder(cls, kc: _Holder, **kw: Any) -> Watchers:
        """Watchers for a process-level holder: its store, cluster, kubeconfig identity and TTL."""
        return cls(
            kc.store,
            cluster=kc.cluster,
            kubeconfig=kc.identity.path,
            context=kc.identity.context,
            ttl_s=kc.settings.cache_dynamic_ttl,
            **kw,
        )

    async def __aenter__(self) -> Watchers:
        self.api = await KubeApi.open(self.kubeconfig, self.context)
        for kind in self.kinds:
            watcher = KindWatcher(
                self.api,
                self.store,
                cluster=self.cluster,
                kind=kind,
                ttl_s=self.ttl_s,
                tuning=self.tuning,
                rng=random.Random(self.rng.random()),
            )
            self.watchers[kind] = watcher
            task = asyncio.create_task(watcher.run(), name=f"watch:{kind}")
            task.add_done_callback(self._ended)
            self.tasks[kind] = task
        _RUNNING.append(self)
        event(logger, "watch", "start", f"watching {len(self.kinds)} kinds on {self.api.server}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Stop every watcher (their last changes are written) and close the API session."""
        if self in _RUNNING:
            _RUNNING.remove(self)
        for task in self.tasks.values():
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        if self.api is not None:
            await self.api.close()
            self.api = None

    def _ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        failure = task.exception()
        if failure is not None:
            kind = task.get_name().removeprefix("watch:")
            watcher = self.watchers.get(kind)
            if watcher is not None:
                watcher.error = f"the watcher crashed: {type(failure).__name__}: {failure}"
            event(
                logger,
                "watch",
                "crash",
                f"the watcher of {kind} ended",
                level=logging.ERROR,
                error_details=f"{type(failure).__name__}: {failure}",
            )

    def liveness(self, kind: str) -> Liveness:
        """Whether ``kind`` is watched now and when it last heard from the server."""
        try:
            return self.watchers[kind].liveness()
        except KeyError:
            raise KcacheError(
                f"{kind!r} is not watched: the watched kinds are {', '.join(self.kinds)}"
            ) from None

    def all_liveness(self) -> dict[str, Liveness]:
        """:meth:`liveness` of every watched kind."""
        return {kind: w.liveness() for kind, w in self.watchers.items()}

    async def wait_synced(self, timeout: float) -> None:
        """Wait until every kind's first LIST is in the cache.

        Raises:
            KcacheError: not within ``timeout`` seconds (naming the kinds still missing).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not all(w.synced for w in self.watchers.values()):
            if loop.time() >= deadline:
                missing = {k: w.error for k, w in self.watchers.items() if not w.synced}
                raise KcacheError(f"watchers not synced within {timeout:g}s: {missing}")
            await asyncio.sleep(0.05)

    def requests(self) -> dict[str, int]:
        """API requests sent so far, by verb (``list``, ``watch``)."""
        out: dict[str, int] = {}
        if self.api is not None:
            for (verb, _kind), n in self.api.requests.items():
                out[verb] = out.get(verb, 0) + n
        return out


def polled_tiers(settings: _Settings, tiers: Iterable[str]) -> list[str]:
    """The tiers still left to the TTL scans: all of them, but the dynamic one in watch mode."""
    return [t for t in tiers if not (t == "dynamic" and settings.scanner_mode == "watch")]


@asynccontextmanager
async def watching_if_enabled(kc: _Holder) -> AsyncIterator[Watchers | None]:
    """The holder's :class:`Watchers` while the block runs when SCANNER_MODE=watch, else None."""
    if kc.settings.scanner_mode != "watch":
        yield None
        return
    async with Watchers.for_holder(kc) as watchers:
        yield watchers


def liveness(kind: str) -> Liveness | None:
    """The liveness of ``kind`` in this process's running watchers; None when it is not watched."""
    for watchers in reversed(_RUNNING):
        if kind in watchers.watchers:
            return watchers.liveness(kind)
    return None


def stale_scopes(
    scopes: Iterable[Any], now: float, kinds: Iterable[str] = TIERS["dynamic"]
) -> dict[str, str]:
    """The watched scopes that are not fresh now, with why: for ``kcache health`` in watch mode.

    ``scopes`` are :class:`kcache.store.ScanScope` rows. A watched kind's all-namespaces scope
    is fresh while its ``expires_at`` is ahead (its watcher moves it forward); a missing
    scope was never listed.
    """
    by_name = {s.table_name: s for s in scopes}
    out: dict[str, str] = {}
    for kind in kinds:
        name = scope_name(kind)
        scope = by_name.get(name)
        if scope is None:
            out[name] = "never listed by a watch"
        elif scope.expires_at is None or scope.expires_at <= now:
            since = "" if scope.expires_at is None else f" for {now - scope.expires_at:.0f}s"
            why = f": {scope.error_message}" if scope.error_message else ": no live watch keeps it fresh"
            out[name] = f"stale{since}{why}"
    return out
