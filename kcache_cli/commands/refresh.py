"""``kcache refresh``: run the refresh graph once or on the tiers' schedule.

The CLI runs the same refresh graph as ``langgraph dev``, built for the holder it opens. The first SIGINT/SIGTERM lets the scan in progress finish and then
stops; a second one cancels it, and the store rolls the interrupted write back.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence
from typing import Any

from graph.run import failed_tiers, run_refresh, tier_lines
from kcache import runtime
from kcache.kinds import TIERS
from kcache.runtime import Holder
from kcache.schedule import run_cluster_schedules
from kcache.settings import Settings
from kcache_cli.commands.common import echo

JITTER = 0.1
"""Each wait is the tier's interval ±10%, so that several kcache processes do not scan in step."""


class Shutdown:
    """SIGINT/SIGTERM handling: the first signal asks to stop, the second cancels the work."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.signals = 0
        self._task: asyncio.Task[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def install(self) -> None:
        """Handle SIGINT and SIGTERM on the running loop for the current task."""
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._loop.add_signal_handler(sig, self._on_signal, sig)

    def uninstall(self) -> None:
        """Give the signals back to their default handlers."""
        if self._loop is not None:
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._loop.remove_signal_handler(sig)

    def _on_signal(self, sig: signal.Signals) -> None:
        self.signals += 1
        if self.signals == 1:
            echo(
                f"kcache refresh: {sig.name}: finishing the scan in progress, then stopping "
                "(send it again to abort the scan; its write is rolled back)",
                err=True,
            )
            self.event.set()
        elif self._task is not None:
            echo(f"kcache refresh: {sig.name} again: aborting the scan in progress", err=True)
            self._task.cancel()

    @property
    def requested(self) -> bool:
        """Whether a stop was asked for."""
        return self.event.is_set()

    async def sleep(self, seconds: float) -> None:
        """Sleep, waking early when a stop is asked for."""
        try:
            await asyncio.wait_for(self.event.wait(), timeout=max(0.0, seconds))
        except TimeoutError:
            pass


def _stderr(line: str) -> None:
    echo(line, err=True)


async def _once(kc: Holder, tier: str) -> int:
    final = await run_refresh(kc, tier, _stderr)
    for line in tier_lines(final):
        echo(line)
    failed = failed_tiers(final)
    if failed:
        echo(f"kcache refresh: tier scan failed: {', '.join(failed)}", err=True)
        return 1
    return 0


async def _loop(holders: Sequence[Holder], tiers: list[str], stop: Shutdown) -> int:
    async def one(kc: Holder, tier: str) -> None:
        for line in tier_lines(await run_refresh(kc, tier, _stderr)):
            echo(line)

    # SCANNER_MODE=watch: the dynamic tier is kept by its watchers, the others by the schedule.
    await run_cluster_schedules(
        holders, tiers, one, sleep=stop.sleep, stopped=lambda: stop.requested, idle=stop.event.wait
    )
    echo("kcache refresh: stopped", err=True)
    return 0


async def run(*, loop: bool, tier: str, settings: Settings, context: str | None = None) -> int:
    """``refresh --once`` (exit 1 when a tier failed) or ``refresh --loop`` (until a signal).

    Every configured cluster is scanned into its own partition (``context``: only that one);
    under ``--loop`` each cluster keeps its own schedule.
    """
    stop = Shutdown()
    stop.install()
    try:
        async with runtime.open(settings) as kc:
            names = [context] if context else list(kc.clusters)
            holders = [kc.for_cluster(name) for name in names]
            if not loop:
                worst = 0
                for one in holders:
                    if len(kc.clusters) > 1:
                        echo(f"cluster {one.cluster}:")
                    worst = max(worst, await _once(one, tier))
                return worst
            tiers = list(TIERS) if tier == "all" else [tier]
            return await _loop(holders, tiers, stop)
    except asyncio.CancelledError:
        echo("kcache refresh: aborted; the scan in progress was rolled back", err=True)
        return 130
    finally:
        stop.uninstall()
