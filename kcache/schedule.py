"""The refresh schedule: each tier every SCANNER_*_INTERVAL seconds, with jitter.

Used by ``kcache refresh --loop`` and by the ``langgraph dev`` server's lifespan, so both
keep the cache warm the same way. A failed scan is logged and retried at the next slot.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable

from kcache.errors import KcacheError
from kcache.logs import event
from kcache.runtime import Holder
from kcache.scan import interval_of

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
