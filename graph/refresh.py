"""The ``refresh`` graph: scan the cluster's tiers into the cache, on its own schedule.

plan_refresh → scan_static → scan_dynamic → finish_refresh. Each scan node runs its tier
only when planned. The state carries counts and statuses, never tool output.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from graph.state import RefreshInput, RefreshState
from nodes.finish_refresh import finish_refresh
from nodes.plan_refresh import plan_refresh
from nodes.scan_dynamic import scan_dynamic
from nodes.scan_static import scan_static


def build_refresh() -> StateGraph[RefreshState, None, RefreshInput, RefreshState]:
    """The uncompiled refresh graph."""
    builder = StateGraph(RefreshState, input_schema=RefreshInput, output_schema=RefreshState)
    builder.add_node(plan_refresh)
    builder.add_node(scan_static)
    builder.add_node(scan_dynamic)
    builder.add_node(finish_refresh)
    builder.add_edge(START, "plan_refresh")
    builder.add_edge("plan_refresh", "scan_static")
    builder.add_edge("scan_static", "scan_dynamic")
    builder.add_edge("scan_dynamic", "finish_refresh")
    builder.add_edge("finish_refresh", END)
    return builder


graph = (
    build_refresh().compile(name="refresh").with_config(tags=["graph:refresh"], metadata={"graph": "refresh"})
)
