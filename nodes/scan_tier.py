"""Refresh nodes ``scan_static`` and ``scan_dynamic``: one tier's scan, when planned.

The two nodes differ only in their tier, so one factory makes both: ``scan_static`` scans
cluster, namespaces, quotas, nodes and storage (TTL CACHE_STATIC_TTL); ``scan_dynamic``
pods, workloads, services, config and events (TTL CACHE_DYNAMIC_TTL).
"""

from __future__ import annotations

from typing import Any, Protocol

from kcache.runtime import Holder
from kcache.scan import progress_to_stream, run_tier
from kcache.state import RefreshState


class ScanNode(Protocol):
    """A refresh node: the state in, the update out."""

    __name__: str

    async def __call__(self, state: RefreshState) -> dict[str, Any]:
        """Run the node."""
        ...


def scan_node(tier: str, kc: Holder) -> ScanNode:
    """The node that scans ``tier`` for ``kc`` when the plan includes it; named ``scan_<tier>``."""

    async def scan(state: RefreshState) -> dict[str, Any]:
        if tier not in state.get("planned", []):
            return {}
        result = await run_tier(kc, tier, progress=progress_to_stream())
        return {"results": {**state.get("results", {}), tier: result.summary()}}

    scan.__name__ = scan.__qualname__ = f"scan_{tier}"
    scan.__doc__ = f"Scan the {tier} tier when planned."
    return scan
