"""The ``agent`` graph: intent → cache_lookup → tool_select → param_suggest → gemini → tool_call → cache_invalidate.

``gemini`` and ``tool_call`` loop until no further call is decided (bounded by
AGENT_MAX_TOOL_ROUNDS); a turn that ends early (not found, refused, clarification refused)
goes straight to ``cache_invalidate``, which writes the answer and the record.
"""

from __future__ import annotations

from typing import Literal

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph

from graph.context import Context
from graph.state import AgentInput, AgentOutput, AgentState
from kcache import runtime as kcache_runtime
from kcache.tracing import annotated
from nodes.cache_invalidate import cache_invalidate
from nodes.cache_lookup import cache_lookup
from nodes.gemini import gemini
from nodes.intent import intent
from nodes.param_suggest import param_suggest
from nodes.tool_call import tool_call
from nodes.tool_select import tool_select

TERMINAL = ("not_found", "refuse", "clarify")


def route_after_param_suggest(state: AgentState) -> Literal["gemini", "cache_invalidate"]:
    """Turns that end before any tool (not found, refused, unanswered clarification) finish."""
    return "cache_invalidate" if state["plan"].get("outcome") in TERMINAL else "gemini"


def route_after_gemini(state: AgentState) -> Literal["tool_call", "cache_invalidate"]:
    """A decided tool call runs; otherwise the turn is answered."""
    last = state["messages"][-1] if state.get("messages") else None
    if isinstance(last, AIMessage) and last.tool_calls and state["plan"].get("outcome") not in TERMINAL:
        return "tool_call"
    return "cache_invalidate"


def route_after_tool_call(state: AgentState) -> Literal["gemini", "cache_invalidate"]:
    """Back to the LLM with the results, unless a write paused/ended the turn or rounds ran out."""
    if state["plan"].get("outcome") in ("confirm", "refuse") and not any(
        c.get("executed") for c in state.get("calls", []) if c.get("writes")
    ):
        return "cache_invalidate"
    rounds = state.get("llm", {}).get("rounds", 0)
    if rounds >= kcache_runtime.current().settings.agent_max_tool_rounds:
        return "cache_invalidate"
    return "gemini"


def build_agent() -> StateGraph[AgentState, Context, AgentInput, AgentOutput]:
    """The uncompiled agent graph."""
    builder = StateGraph(
        AgentState, context_schema=Context, input_schema=AgentInput, output_schema=AgentOutput
    )
    builder.add_node(intent)
    builder.add_node(cache_lookup)
    builder.add_node(tool_select)
    builder.add_node(param_suggest)
    builder.add_node(gemini)
    builder.add_node(tool_call)
    builder.add_node("cache_invalidate", annotated(cache_invalidate))
    builder.add_edge(START, "intent")
    builder.add_edge("intent", "cache_lookup")
    builder.add_edge("cache_lookup", "tool_select")
    builder.add_edge("tool_select", "param_suggest")
    builder.add_conditional_edges("param_suggest", route_after_param_suggest)
    builder.add_conditional_edges("gemini", route_after_gemini)
    builder.add_conditional_edges("tool_call", route_after_tool_call)
    builder.add_edge("cache_invalidate", END)
    return builder


graph = build_agent().compile(name="agent").with_config(tags=["graph:agent"], metadata={"graph": "agent"})
