"""Refresh node ``scan_dynamic``: pods, workloads, services, config, events (TTL CACHE_DYNAMIC_TTL)."""

from __future__ import annotations

from typing import Any

from graph.state import RefreshState
from kcache import runtime
from kcache.scan import progress_to_stream, run_tier


async def scan_dynamic(state: RefreshState) -> dict[str, Any]:
    """Scan the dynamic tier when planned."""
    if "dynamic" not in state.get("planned", []):
        return {}
    result = await run_tier(runtime.current(), "dynamic", progress=progress_to_stream())
    return {"results": {**state.get("results", {}), "dynamic": result.summary()}}
