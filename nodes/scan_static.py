"""Refresh node ``scan_static``: cluster, namespaces, quotas, nodes, storage (TTL CACHE_STATIC_TTL)."""

from __future__ import annotations

from typing import Any

from graph.state import RefreshState
from kcache import runtime
from kcache.scan import progress_to_stream, run_tier


async def scan_static(state: RefreshState) -> dict[str, Any]:
    """Scan the static tier when planned."""
    if "static" not in state.get("planned", []):
        return {}
    result = await run_tier(runtime.current(), "static", progress=progress_to_stream())
    return {"results": {**state.get("results", {}), "static": result.summary()}}
