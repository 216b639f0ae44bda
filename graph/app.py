"""The ``langgraph dev`` server's entry points: its HTTP app (lifespan) and its graph factories.

``langgraph.json`` points ``http.app`` and both graphs here. The lifespan opens the
process-level holder (store and the one MCP session) for the server's lifetime and runs the
refresh schedule in the background. The factories build the graphs for that holder: the
server calls them on every request (schema reads too), so they look the holder up and
connect nothing. This is the one module that reads :func:`kcache.runtime.current`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graph.agent import compile_agent
from graph.refresh import compile_refresh
from kcache import runtime
from kcache.kinds import TIERS
from kcache.logs import configure
from kcache.schedule import run_schedule
from kcache.settings import Settings
from kcache.watch import polled_tiers, watching_if_enabled


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Open kcache for the server's lifetime; refresh in the background."""
    settings = await asyncio.to_thread(Settings.from_env)
    await asyncio.to_thread(configure, settings)
    # SCANNER_MODE=watch: the dynamic tier is kept by its watchers, the others by the schedule.
    async with runtime.open(settings) as kc, watching_if_enabled(kc):
        stop = asyncio.Event()

        refresh_graph = compile_refresh(kc)

        async def refresh(tier: str) -> object:
            return await refresh_graph.ainvoke({"tier": tier, "force": True})

        async def pause(seconds: float) -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=seconds)

        task = asyncio.create_task(
            run_schedule(kc, polled_tiers(settings, TIERS), refresh, sleep=pause, stopped=stop.is_set)
        )
        try:
            yield
        finally:
            stop.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def agent() -> Any:
    """The ``agent`` graph for the server's holder (a factory: called per request)."""
    return compile_agent(runtime.current())


def refresh() -> Any:
    """The ``refresh`` graph for the server's holder (a factory: called per request)."""
    return compile_refresh(runtime.current())


async def health(request: Request) -> JSONResponse:
    """Health of kcache: cluster, MCP server, last scans."""
    kc = runtime.current()
    scopes = await kc.store.scopes(kc.cluster)
    failed = {s.table_name: s.error_message for s in scopes if s.scan_status == "failed"}
    return JSONResponse(
        {"cluster": kc.cluster, "mcp_server": kc.registry.server, "scopes": len(scopes), "failed": failed},
        status_code=200 if not failed else 503,
    )


app = Starlette(routes=[Route("/kcache/health", health)], lifespan=lifespan)
