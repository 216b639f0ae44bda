"""The ``agent`` graph: intent → cache_lookup → tool_select → param_suggest → gemini → tool_call → cache_invalidate.

``gemini`` and ``tool_call`` loop until no further call is decided (bounded by
AGENT_MAX_TOOL_ROUNDS); a turn that ends early (not found, refused, clarification refused)
goes straight to ``cache_invalidate``, which writes the answer and the record.

The graph is built for one holder (``build_agent(kc)``): every node receives it explicitly.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from kcache.context import Context
from kcache.errors import KcacheError
from kcache.runtime import Holder, Kcache
from kcache.state import TERMINAL, AgentInput, AgentOutput, AgentState
from kcache.tracing import annotated
from nodes.cache_invalidate import cache_invalidate
from nodes.cache_lookup import cache_lookup
from nodes.gemini import gemini
from nodes.intent import intent
from nodes.param_suggest import param_suggest
from nodes.tool_call import tool_call
from nodes.tool_select import tool_select


async def route_after_param_suggest(state: AgentState) -> Literal["gemini", "cache_invalidate"]:
    """Turns that end before any tool (not found, refused, unanswered clarification) finish."""
    return "cache_invalidate" if state["plan"].get("outcome") in TERMINAL else "gemini"


async def route_after_gemini(state: AgentState) -> Literal["tool_call", "cache_invalidate"]:
    """A decided tool call runs; otherwise the turn is answered."""
    exchange = state.get("exchange") or []
    last = exchange[-1] if exchange else None
    if isinstance(last, AIMessage) and last.tool_calls and state["plan"].get("outcome") not in TERMINAL:
        return "tool_call"
    return "cache_invalidate"


async def route_after_tool_call(state: AgentState) -> Literal["gemini", "cache_invalidate"]:
    """Back to the LLM with the results, unless a write paused/ended the turn or rounds ran out."""
    if state["plan"].get("outcome") in ("confirm", "refuse") and not any(
        c.get("executed") for c in state.get("calls", []) if c.get("writes")
    ):
        return "cache_invalidate"
    if state.get("llm", {}).get("limit_reached"):
        return "cache_invalidate"
    return "gemini"


def _bound(node: Callable[..., Any], kc: Holder) -> Callable[..., Any]:
    """The node with the holder bound to the turn's cluster.

    That is the cluster the request named (``intent`` puts it in the state), else the run
    context's (``Context.cluster``), else ``kc``'s; and its store is the view of the turn's
    asker (``intent`` decides who asks). ``intent`` itself starts a turn, so it sees only the
    run context's cluster and makes its own view.
    """
    wants_runtime = "runtime" in inspect.signature(node).parameters
    starts_turn = node is intent

    async def run(state: AgentState, runtime: Runtime[Context]) -> Any:
        name = None if starts_turn else state.get("cluster")
        if not name:
            name = runtime.context.cluster if runtime.context is not None else None
        holder = kc
        if name and name != kc.cluster:
            if not isinstance(kc, Kcache):
                raise KcacheError(f"cluster {name!r} is not configured (only {kc.cluster!r})")
            holder = kc.for_cluster(name)
        if not starts_turn and isinstance(holder, Kcache):
            holder = await holder.for_asker(state.get("asker"))
        if wants_runtime:
            return await node(state, runtime, kc=holder)
        return await node(state, kc=holder)

    run.__name__ = run.__qualname__ = node.__name__
    run.__doc__ = node.__doc__
    return run


def build_agent(kc: Holder) -> StateGraph[AgentState, Context, AgentInput, AgentOutput]:
    """The uncompiled agent graph, its nodes bound to ``kc``."""
    builder = StateGraph(
        AgentState, context_schema=Context, input_schema=AgentInput, output_schema=AgentOutput
    )
    for node in (intent, cache_lookup, tool_select, param_suggest, gemini, tool_call):
        builder.add_node(node.__name__, _bound(node, kc))
    builder.add_node("cache_invalidate", annotated(_bound(cache_invalidate, kc), cluster=kc.cluster))
    builder.add_edge(START, "intent")
    builder.add_edge("intent", "cache_lookup")
    builder.add_edge("cache_lookup", "tool_select")
    builder.add_edge("tool_select", "param_suggest")
    builder.add_conditional_edges("param_suggest", route_after_param_suggest)
    builder.add_conditional_edges("gemini", route_after_gemini)
    builder.add_conditional_edges("tool_call", route_after_tool_call)
    builder.add_edge("cache_invalidate", END)
    return builder


def compile_agent(kc: Holder, **compile_kwargs: Any) -> Any:
    """``build_agent(kc)`` compiled, named ``agent``, with its trace tags and metadata."""
    compiled = build_agent(kc).compile(name="agent", **compile_kwargs)
    return compiled.with_config(tags=["graph:agent"], metadata={"graph": "agent"})
