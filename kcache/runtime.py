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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, cast

from langchain_core.tools import BaseTool

from kcache.access import (
    EVERYTHING,
    AccessCache,
    FilteredStore,
    Grant,
    Reviewer,
    credentials_from_kubeconfig,
    identity_key,
    is_scanner,
    permit,
    store_grant,
)
from kcache.errors import KcacheError, ToolCallError
from kcache.kubeconfig import Identity, read_identities
from kcache.logs import event
from kcache.mcp import McpConnection, ToolResult
from kcache.registry.loaded import Registry
from kcache.settings import Settings
from kcache.state import Asker
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
    clusters: dict[str, Identity] = field(default_factory=dict)
    """Every configured cluster (partition name → its kubeconfig context), the default one first."""
    asker: Asker | None = None
    """Who this holder reads for: None (the scanner) reads the whole cache; see :meth:`for_asker`."""
    access: AccessCache | None = None
    """The askers' grants and checks, per (cluster, identity), for KCACHE_ACCESS_TTL seconds."""
    _root: Kcache | None = None
    _bound: dict[str, Kcache] = field(default_factory=dict)
    _reviewers: dict[str, Reviewer] = field(default_factory=dict)
    _views: dict[tuple[str, str, tuple[str, ...]], Kcache] = field(default_factory=dict)

    def for_cluster(self, name: str) -> Kcache:
        """The holder bound to one configured cluster: same store and session, calls routed to it."""
        root = self._root or self
        if name == root.cluster:
            return root
        if name not in root.clusters:
            raise KcacheError(
                f"cluster {name!r} is not configured (KCACHE_CONTEXTS: {', '.join(root.clusters)})"
            )
        if name not in root._bound:
            root._bound[name] = replace(
                root, cluster=name, identity=root.clusters[name], scan_lock=asyncio.Lock(), _root=root
            )
        return root._bound[name]

    def scanning(self) -> Kcache:
        """This holder's cluster as the scanner reads it: the whole store, no asker's view.

        Scans run on it (they write what the scanner's identity sees, whoever's turn started
        them), and views are made from it.
        """
        return self.for_cluster(self.cluster)

    async def reviewer(self) -> Reviewer:
        """The access reviewer of this holder's cluster (the scanner's credentials), made once."""
        root = self._root or self
        reviewer = root._reviewers.get(self.cluster)
        if reviewer is None:
            credentials = await credentials_from_kubeconfig(self.identity.path, self.identity.context)
            reviewer = root._reviewers.setdefault(
                self.cluster, Reviewer(credentials, timeout=self.settings.read_through_timeout)
            )
        return reviewer

    def _access(self) -> AccessCache:
        root = self._root or self
        if root.access is None:
            root.access = AccessCache(ttl=self.settings.kcache_access_ttl)
        return root.access

    async def grant(self, asker: Asker) -> Grant:
        """What ``asker`` may read in this cluster's cache; nothing when the reviews fail."""
        if is_scanner(asker):
            return EVERYTHING
        # The namespaces the scanner cached (not a view's): a grant is reviewed for each of them.
        reviewer = await self.reviewer()
        return await store_grant(self.scanning().store, self._access(), self.cluster, asker, reviewer)

    async def permit(
        self, asker: Asker, verb: str, kind: str, namespace: str | None, subresource: str = ""
    ) -> str | None:
        """None when ``asker`` may ``verb`` ``kind`` (its ``subresource``) in ``namespace`` here, else the refusal text."""
        if is_scanner(asker):
            return None
        reviewer = await self.reviewer()
        return await permit(self._access(), self.cluster, asker, reviewer, verb, kind, namespace, subresource)

    async def for_asker(self, asker: Asker | None) -> Kcache:
        """This holder as ``asker`` reads: its store answers only rows they may read.

        The scanner's identity (None or a user-less asker) gets the cluster's holder itself.
        """
        base = self.scanning()
        if asker is None or is_scanner(asker):
            return base
        grant = await self.grant(asker)
        root = self._root or self
        key = identity_key(self.cluster, asker)
        held = root._views.get(key)
        if held is None or held.store.grant is not grant:  # type: ignore[attr-defined]
            # One view per grant: the vocabulary and other per-store caches stay warm across nodes.
            view = cast(Store, FilteredStore(base.store, grant, cluster=self.cluster))
            held = root._views[key] = replace(base, store=view, asker=asker, _root=root)
        return held

    def _route(self, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        # kubernetes-mcp-server given several contexts adds a `context` argument to every tool:
        # kcache fixes it to this holder's cluster, whatever the caller (or the model) put there.
        cap = self.registry.caps.get(tool)
        props = (cap.input_schema.get("properties") or {}) if cap is not None else {}
        if "context" in props:
            return {**args, "context": self.identity.context}
        root = self._root or self
        if len(root.clusters) > 1:
            # Without the argument the call would reach the kubeconfig's current context,
            # whichever cluster this holder is bound to.
            raise ToolCallError(
                f"tool {tool} of {self.registry.server} takes no `context` argument, so it cannot be "
                f"sent to cluster {self.cluster} while KCACHE_CONTEXTS names several clusters"
            )
        return args

    async def tools(self) -> Registry:
        """The registry, reloaded when CACHE_TOOL_MAPPING_TTL expired or the server changed its list."""
        if self._root is not None:
            self.registry = await self._root.tools()
            return self.registry
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
            result = await self.mcp.call(tool, self._route(tool, args), timeout=timeout)
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
    identities = await asyncio.to_thread(read_identities, kube, settings.kcache_contexts)
    # A context's partition is its name; CLUSTER_NAME renames it only when there is one context.
    if len(identities) == 1:
        clusters = {settings.cluster_name or identities[0].context: identities[0]}
    else:
        clusters = {i.context: i for i in identities}
    cluster, identity = next(iter(clusters.items()))
    async with Store(
        settings.cache_db_path,
        timeout=settings.cache_db_timeout,
        max_connections=settings.cache_db_max_connections,
        key=settings.cache_db_key,
    ) as store:
        for name, ident in clusters.items():
            await store.claim_cluster(name, api_server=ident.server)
        async with McpConnection(settings, kubeconfig=kube) as mcp:
            registry = Registry.from_tools(mcp.server_label, await mcp.raw_tools())
            await store.replace_tools(registry.server, registry.rows())
            kc = Kcache(
                settings=settings,
                store=store,
                identity=identity,
                mcp=mcp,
                registry=registry,
                cluster=cluster,
                clusters=clusters,
            )
            event(logger, "runtime", "open", f"kcache open on cluster {cluster} via {registry.server}")
            _STACK.append(kc)
            try:
                yield kc
            finally:
                _STACK.remove(kc)
                for reviewer in kc._reviewers.values():
                    await reviewer.aclose()
