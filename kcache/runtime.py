"""The process-level holder: the store, the one MCP session and the tool registry.

Whoever runs the graphs opens it once with ``async with kcache.runtime.open(settings) as kc``
and builds the graphs for it (``build_agent(kc)``): the CLI, the tests, an application that
embeds the agent. Nodes receive it explicitly and read only the :class:`Holder` interface, so a
unit test can hand them a small fake. The ``langgraph dev`` server is the one place that looks
the process's holder up (:func:`current`), in its graph factories: a run's context is per-run
JSON and cannot carry live handles.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from langchain_core.tools import BaseTool

from kcache.errors import KcacheError
from kcache.kubeconfig import Identity, read_identity
from kcache.logs import event
from kcache.mcp import McpConnection, ToolResult
from kcache.registry.loaded import Registry
from kcache.settings import Settings
from kcache.store import Store

logger = logging.getLogger(__name__)

_STACK: list[Kcache] = []


class Holder(Protocol):
    """What the nodes use of the process-level holder (:class:`Kcache` is the real one)."""

    settings: Settings
    store: Store
    identity: Identity
    registry: Registry
    cluster: str
    scan_lock: asyncio.Lock

    async def tools(self) -> Registry:
        """The tool registry, reloaded when it expired or the server changed its list."""
        ...

    async def langchain_tools(self) -> dict[str, BaseTool]:
        """The MCP server's tools as LangChain tools (what Gemini is bound to)."""
        ...

    async def call(self, tool: str, args: dict[str, Any], *, timeout: float | None = None) -> ToolResult:
        """Call one tool of the MCP server."""
        ...


@dataclass(kw_only=True)
class Kcache:
    """Live handles shared by the refresh graph and the agent in one process."""

    settings: Settings
    store: Store
    identity: Identity
    mcp: McpConnection
    registry: Registry
    cluster: str
    _reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    scan_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held by a tier scan and a read-through refresh (kcache.scan): each waits for the other."""

    async def tools(self) -> Registry:
        """The registry, reloaded when CACHE_TOOL_MAPPING_TTL expired or the server changed its list."""
        if self.mcp.tools_changed or self.registry.expired(self.settings.cache_tool_mapping_ttl):
            async with self._reload_lock:
                if self.mcp.tools_changed or self.registry.expired(self.settings.cache_tool_mapping_ttl):
                    raw = await self.mcp.reload_tools()
                    self.registry = Registry.from_tools(self.mcp.server_label, raw)
                    await self.store.replace_tools(self.registry.server, self.registry.rows())
        return self.registry

    async def langchain_tools(self) -> dict[str, BaseTool]:
        """The MCP server's tools as LangChain tools, by name."""
        return await self.mcp.tools()

    async def call(self, tool: str, args: dict[str, Any], *, timeout: float | None = None) -> ToolResult:
        """Call a tool on the shared session and count it in tool_usage_stats."""
        try:
            result = await self.mcp.call(tool, args, timeout=timeout)
        except KcacheError:
            await self.store.record_tool_usage(tool, ok=False, duration_ms=0.0)
            raise
        await self.store.record_tool_usage(tool, ok=not result.is_error, duration_ms=result.duration_ms)
        return result


def current() -> Kcache:
    """The holder opened by this process; a clear error when nobody opened one.

    Only entry points call this (the ``langgraph dev`` server's graph factories); everything
    else receives the holder explicitly.
    """
    if not _STACK:
        raise KcacheError(
            "kcache is not open in this process: wrap the graph's use in "
            "`async with kcache.runtime.open(settings) as kc:` (the langgraph dev server's "
            "lifespan in graph/app.py does this)"
        )
    return _STACK[-1]


@asynccontextmanager
async def open(settings: Settings | None = None, *, kubeconfig: Path | None = None) -> AsyncIterator[Kcache]:  # noqa: A001
    """Open the store and the MCP session, load the registry; close them on exit."""
    # Reading files happens off the event loop: servers (langgraph dev) forbid blocking calls.
    if settings is None:
        settings = await asyncio.to_thread(Settings.from_env)
    kube = kubeconfig if kubeconfig is not None else await asyncio.to_thread(settings.resolve_kubeconfig)
    identity = await asyncio.to_thread(read_identity, kube)
    cluster = settings.cluster_name or identity.context
    async with Store(
        settings.cache_db_path,
        timeout=settings.cache_db_timeout,
        max_connections=settings.cache_db_max_connections,
        key=settings.cache_db_key,
    ) as store:
        await store.claim_cluster(cluster, api_server=identity.server)
        async with McpConnection(settings, kubeconfig=kube) as mcp:
            registry = Registry.from_tools(mcp.server_label, await mcp.raw_tools())
            await store.replace_tools(registry.server, registry.rows())
            kc = Kcache(
                settings=settings, store=store, identity=identity, mcp=mcp, registry=registry, cluster=cluster
            )
            event(logger, "runtime", "open", f"kcache open on cluster {cluster} via {registry.server}")
            _STACK.append(kc)
            try:
                yield kc
            finally:
                _STACK.remove(kc)
