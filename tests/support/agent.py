"""Turns of the real agent graph on an opened kcache, one thread each, as a test asks them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from graph.agent import build_agent
from kcache import runtime
from kcache.context import Context

Ask = Callable[..., Awaitable[dict[str, Any]]]


def turns(kc: runtime.Kcache, default: Context, prefix: str = "t") -> Ask:
    """``await ask(text, ctx=None)``: one turn in a new thread, under ``ctx`` or ``default``."""
    graph = build_agent(kc).compile(checkpointer=InMemorySaver())
    n = 0

    async def ask(text: str, ctx: Context | None = None) -> dict[str, Any]:
        nonlocal n
        n += 1
        out: dict[str, Any] = await graph.ainvoke(
            {"messages": [HumanMessage(text)]},
            {"configurable": {"thread_id": f"{prefix}{n}"}},
            context=ctx or default,
        )
        return out

    return ask
