"""The ``refresh`` graph: scan the cluster's tiers into the cache, on its own schedule.

plan_refresh → scan_static → scan_dynamic → finish_refresh. Each scan node runs its tier
only when planned. The state carries counts and statuses, never tool output. The graph is
built for one holder (``build_refresh(kc)``).
"""

from __future__ import annotations

import functools
from typing import Any

from langgraph.graph import END, START, StateGraph

from kcache.runtime import Holder
from kcache.state import RefreshInput, RefreshState
from nodes.finish_refresh import finish_refresh
from nodes.plan_refresh import plan_refresh
from nodes.scan_tier import scan_node


def build_refresh(kc: Holder) -> StateGraph[RefreshState, None, RefreshInput, RefreshState]:
    """The uncompiled refresh graph, its nodes bound to ``kc``."""
    builder = StateGraph(RefreshState, input_schema=RefreshInput, output_schema=RefreshState)
    builder.add_node("plan_refresh", functools.partial(plan_refresh, kc=kc))
    for tier in ("static", "dynamic"):
        node = scan_node(tier, kc)
        builder.add_node(node.__name__, node)
    builder.add_node(finish_refresh)
    builder.add_edge(START, "plan_refresh")
    builder.add_edge("plan_refresh", "scan_static")
    builder.add_edge("scan_static", "scan_dynamic")
    builder.add_edge("scan_dynamic", "finish_refresh")
    builder.add_edge("finish_refresh", END)
    return builder


def compile_refresh(kc: Holder, **compile_kwargs: Any) -> Any:
    """``build_refresh(kc)`` compiled, named ``refresh``, with its trace tags and metadata."""
    compiled = build_refresh(kc).compile(name="refresh", **compile_kwargs)
    return compiled.with_config(tags=["graph:refresh"], metadata={"graph": "refresh"})
