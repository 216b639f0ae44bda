"""The refresh schedule: each tier every SCANNER_*_INTERVAL seconds, with jitter.

Used by ``kcache refresh --loop`` and by the ``langgraph dev`` server's lifespan, so both
keep the cache warm the same way: one schedule per configured cluster
(:func:`run_cluster_schedules`). A failed scan is logged and retried at the next slot.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence

from kcache.errors import KcacheError
from kcache.logs import event
from kcache.runtime import Holder
from kcache.scan import interval_of
from kcache.watch import polled_tiers, watching_if_enabled

logger = logging.getLogger(__name__)
JITTER = 0.1


async def run_schedule(
    kc: Holder,
    tiers: Iterable[str],
    run: Callable[[str], Awaitable[object]],
    *,
    sleep: Callable[[float], Awaitable[object]],
    stopped: Callable[[], bool],
) -> None:
    """Run ``run(tier)`` when each tier is due, until ``stopped()``; ``sleep`` waits between slots."""
    next_at = dict.fromkeys(tiers, time.monotonic())
    while not stopped():
        for tier, due in list(next_at.items()):
            if stopped() or due > time.monotonic():
                continue
            try:
                await run(tier)
            except KcacheError as exc:
                # The schedule outlives a failed scan: the next slot may find the server back.
                event(
                    logger,
                    "scanner",
                    "schedule",
                    f"{tier} refresh failed",
                    level=logging.WARNING,
                    error_details=f"{type(exc).__name__}: {exc}",
                )
            next_at[tier] = time.monotonic() + interval_of(kc, tier) * random.uniform(1 - JITTER, 1 + JITTER)
        if stopped():
            break
        await sleep(max(0.0, min(next_at.values()) - time.monotonic()))


async def run_cluster_schedules(
    holders: Sequence[Holder],
    tiers: Iterable[str],
    run: Callable[[Holder, str], Awaitable[object]],
    *,
    sleep: Callable[[float], Awaitable[object]],
    stopped: Callable[[], bool],
    idle: Callable[[], Awaitable[object]],
) -> None:
    """One schedule per cluster (``holders``: one bound to each), side by side, until ``stopped()``.

    ``run(holder, tier)`` refreshes one tier of one cluster. With SCANNER_MODE=watch each
    cluster's dynamic tier is kept by its own watchers and left out of its schedule; a cluster
    left with no polled tier waits on ``idle()`` (the stop) with its watchers running.
    """
    wanted = list(tiers)

    async def one(kc: Holder) -> None:
        async def tier_run(tier: str) -> object:
            return await run(kc, tier)

        async with watching_if_enabled(kc):
            polled = polled_tiers(kc.settings, wanted)
            if polled:
                await run_schedule(kc, polled, tier_run, sleep=sleep, stopped=stopped)
            else:
                await idle()

    await asyncio.gather(*(one(kc) for kc in holders))
