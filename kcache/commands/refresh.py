"""``kcache refresh``: run the refresh graph once or on the tiers' schedule.

The CLI runs the same compiled graph as ``langgraph dev`` (``graph.refresh.graph``) under
the process holder. The first SIGINT/SIGTERM lets the scan in progress finish and then
stops; a second one cancels it, and the store rolls the interrupted write back.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from typing import Any

from kcache import runtime
from kcache.commands.common import echo
from kcache.kinds import TIERS
from kcache.runtime import Kcache
from kcache.schedule import run_schedule
from kcache.settings import Settings

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


def progress_line(tier: str, scope: str, rows: int | None, status: str, ms: float | None) -> str:
    """One progress line: tier, scope, rows, status and duration."""
    rows_text = f"{rows:>6} rows" if rows is not None else " " * 11
    ms_text = f"{ms:>8.0f} ms" if ms is not None else ""
    return f"[{tier:<7}] {scope:<32} {rows_text}  {status:<9}{ms_text}"


async def run_refresh(tier: str, report: Callable[[str], None]) -> dict[str, Any]:
    """Run the refresh graph for ``tier`` (forced) under the open holder; returns its final state.

    Scope results streamed by the graph as custom events (``{"tier", "scope", "rows",
    "status", "ms", "error"}``) are reported as they come; scopes not streamed are reported from the
    tier summaries at the end.
    """
    from graph.refresh import graph as refresh_graph

    final: dict[str, Any] = {}
    seen: set[tuple[str, str]] = set()
    async for mode, chunk in refresh_graph.astream(
        {"tier": tier, "force": True}, stream_mode=["custom", "values"]
    ):
        if mode == "custom" and isinstance(chunk, dict) and "scope" in chunk:
            key = (str(chunk.get("tier", "")), str(chunk["scope"]))
            seen.add(key)
            line = progress_line(key[0], key[1], chunk.get("rows"), str(chunk.get("status")), chunk.get("ms"))
            report(line + (f"  {chunk['error']}" if chunk.get("error") else ""))
        elif mode == "values" and isinstance(chunk, dict):
            final = chunk
    for tier_name, summary in (final.get("results") or {}).items():
        for scope, count in (summary.get("counts") or {}).items():
            if (tier_name, scope) not in seen:
                report(progress_line(tier_name, scope, int(count), "completed", None))
        for scope, error in (summary.get("failed") or {}).items():
            if (tier_name, scope) not in seen:
                report(progress_line(tier_name, scope, None, "failed", None) + f"  {error}")
        for scope in summary.get("skipped") or []:
            if (tier_name, scope) not in seen:
                report(progress_line(tier_name, scope, None, "skipped", None))
    return final


def tier_lines(final: dict[str, Any]) -> list[str]:
    """One summary line per tier scanned."""
    lines = []
    for tier_name, summary in (final.get("results") or {}).items():
        counts = summary.get("counts") or {}
        failed = summary.get("failed") or {}
        lines.append(
            f"{tier_name}: {summary.get('status')} in {summary.get('duration_ms', 0):.0f} ms, "
            f"{sum(int(n) for n in counts.values())} rows in {len(counts)} scopes"
            + (
                f", {len(failed)} failed: " + "; ".join(f"{s}: {e}" for s, e in failed.items())
                if failed
                else ""
            )
        )
    return lines


def failed_tiers(final: dict[str, Any]) -> list[str]:
    """The tiers whose scan did not complete."""
    return [t for t, s in (final.get("results") or {}).items() if s.get("status") != "completed"]


def _stderr(line: str) -> None:
    echo(line, err=True)


async def _once(tier: str) -> int:
    final = await run_refresh(tier, _stderr)
    for line in tier_lines(final):
        echo(line)
    failed = failed_tiers(final)
    if failed:
        echo(f"kcache refresh: tier scan failed: {', '.join(failed)}", err=True)
        return 1
    return 0


async def _loop(kc: Kcache, tiers: list[str], stop: Shutdown) -> int:
    async def one(tier: str) -> None:
        for line in tier_lines(await run_refresh(tier, _stderr)):
            echo(line)

    await run_schedule(kc, tiers, one, sleep=stop.sleep, stopped=lambda: stop.requested)
    echo("kcache refresh: stopped", err=True)
    return 0


async def run(*, loop: bool, tier: str, settings: Settings) -> int:
    """``refresh --once`` (exit 1 when a tier failed) or ``refresh --loop`` (until a signal)."""
    stop = Shutdown()
    stop.install()
    try:
        async with runtime.open(settings) as kc:
            if not loop:
                return await _once(tier)
            tiers = list(TIERS) if tier == "all" else [tier]
            return await _loop(kc, tiers, stop)
    except asyncio.CancelledError:
        echo("kcache refresh: aborted; the scan in progress was rolled back", err=True)
        return 130
    finally:
        stop.uninstall()
