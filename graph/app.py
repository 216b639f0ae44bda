"""The HTTP app ``langgraph dev`` combines with its own: its lifespan opens kcache once.

``langgraph.json`` points ``http.app`` here. The lifespan opens the process-level holder
(store and the one MCP session) for the server's lifetime and runs the refresh schedule in
the background; graphs served by the server reach the holder through
``kcache.runtime.current()``. Graph factories run on every request, so nothing connects there.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graph.refresh import graph as refresh_graph
from kcache import runtime
from kcache.kinds import TIERS
from kcache.logs import configure
from kcache.schedule import run_schedule
from kcache.settings import Settings


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Open kcache for the server's lifetime; refresh in the background."""
    settings = await asyncio.to_thread(Settings.from_env)
    await asyncio.to_thread(configure, settings)
    async with runtime.open(settings) as kc:
        stop = asyncio.Event()

        async def refresh(tier: str) -> object:
            return await refresh_graph.ainvoke({"tier": tier, "force": True})

        async def pause(seconds: float) -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=seconds)

        task = asyncio.create_task(run_schedule(kc, TIERS, refresh, sleep=pause, stopped=stop.is_set))
        try:
            yield
        finally:
            stop.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


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
