"""The ``langgraph dev`` server's entry points: its HTTP app (lifespan) and its graph factories.

``langgraph.json`` points ``http.app`` and both graphs here. The lifespan reads the server's
token file (``KCACHE_AUTH_FILE``, used by ``graph/auth.py``; an invalid one stops the start),
opens the process-level holder (store and the one MCP session) for the server's lifetime and
runs the refresh schedule of every configured cluster in the background, each on its own
slots. The factories build the graphs for that holder: the server calls them on every request
(schema reads too), so they look the holder up and connect nothing. This is the one module
that reads :func:`kcache.runtime.current`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graph.agent import compile_agent
from graph.refresh import compile_refresh
from kcache import runtime
from kcache.auth_file import configured_tokens
from kcache.kinds import TIERS
from kcache.logs import configure, event
from kcache.runtime import Holder
from kcache.schedule import run_cluster_schedules
from kcache.settings import Settings

logger = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Check the server's auth; open kcache for the server's lifetime; refresh in the background."""
    settings = await asyncio.to_thread(Settings.from_env)
    await asyncio.to_thread(configure, settings)
    tokens = await configured_tokens(settings)
    if tokens is None:
        event(
            logger,
            "server",
            "auth",
            "KCACHE_AUTH_FILE is not set: the server has no auth; every request runs as the scanner's "
            "kubeconfig identity (or the run context's as_user) and every thread is visible to all",
            level=logging.WARNING,
        )
    else:
        who = ", ".join(u.identity for u in tokens.users)
        event(logger, "server", "auth", f"bearer-token auth from {tokens.source}: {who}")
    async with runtime.open(settings) as kc:
        stop = asyncio.Event()
        holders = [kc.for_cluster(name) for name in kc.clusters]
        graphs = {h.cluster: compile_refresh(h) for h in holders}

        async def refresh(holder: Holder, tier: str) -> object:
            return await graphs[holder.cluster].ainvoke({"tier": tier, "force": True})

        async def pause(seconds: float) -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=seconds)

        # SCANNER_MODE=watch: each cluster's dynamic tier is kept by its watchers.
        task = asyncio.create_task(
            run_cluster_schedules(
                holders, list(TIERS), refresh, sleep=pause, stopped=stop.is_set, idle=stop.wait
            )
        )
        task.add_done_callback(_report_stop)
        try:
            yield
        finally:
            stop.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _report_stop(task: asyncio.Task[None]) -> None:
    """Log a background schedule that ended on an error (a watcher that could not start, ...)."""
    if not task.cancelled() and task.exception() is not None:
        exc = task.exception()
        event(
            logger,
            "server",
            "schedule",
            "the background refresh stopped: the cache is no longer kept warm",
            level=logging.ERROR,
            error_details=f"{type(exc).__name__}: {exc}",
        )


def agent() -> Any:
    """The ``agent`` graph for the server's holder (a factory: called per request)."""
    return compile_agent(runtime.current())


def refresh() -> Any:
    """The ``refresh`` graph for the server's holder (a factory: called per request)."""
    return compile_refresh(runtime.current())


async def health(request: Request) -> JSONResponse:
    """Health of kcache: the MCP server, and per configured cluster its scopes and failed scans."""
    kc = runtime.current()
    clusters: dict[str, Any] = {}
    for name in kc.clusters:
        scopes = await kc.store.scopes(name)
        failed = {s.table_name: s.error_message for s in scopes if s.scan_status == "failed"}
        clusters[name] = {"ok": not failed, "scopes": len(scopes), "failed": failed}
    default = clusters[kc.cluster]
    healthy = all(c["ok"] for c in clusters.values())
    return JSONResponse(
        {
            "cluster": kc.cluster,
            "mcp_server": kc.registry.server,
            "scopes": default["scopes"],
            "failed": default["failed"],
            "clusters": clusters,
        },
        status_code=200 if healthy else 503,
    )


app = Starlette(routes=[Route("/kcache/health", health)], lifespan=lifespan)
