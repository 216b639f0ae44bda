"""Embedding kcache's agent in a graph of your own.

The parent graph has its own state; kcache's compiled agent is one node of it. Your
application has no ``langgraph dev`` lifespan, so it opens kcache's holder (store and MCP
session) itself around the runs, and compiles the parent with a checkpointer so the agent's
approval and clarification interrupts pause the parent and resume through it.

Run it against a cluster (devcluster works: ``python -m devcluster serve --cluster
devcluster/clusters/demo --port 0 --kubeconfig-out /tmp/kc.yaml``)::

    KUBECONFIG=/tmp/kc.yaml LLM_PROVIDER=offline python examples/embed.py "list pods in boutique"
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import Annotated, Any, NotRequired

from langchain_core.messages import AnyMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import Command
from typing_extensions import TypedDict

from graph.agent import build_agent
from kcache import runtime
from kcache.runtime import Holder
from kcache.settings import Settings


class ParentState(TypedDict):
    """Your application's state: it shares ``messages`` with the agent and keeps its record."""

    messages: Annotated[list[AnyMessage], add_messages]
    """The conversation, shared with the agent."""
    record: NotRequired[dict[str, Any]]
    """kcache's structured record of the last turn (the agent writes it under this key)."""


def build_parent(kc: Holder) -> StateGraph[ParentState, None, ParentState, ParentState]:
    """The parent graph: kcache's agent, built for the open holder, added as the node ``kcache``."""
    builder = StateGraph(ParentState)
    builder.add_node("kcache", build_agent(kc).compile(name="kcache"))
    builder.add_edge(START, "kcache")
    return builder


async def main(question: str) -> None:
    """Ask one question; approve a write or pick a candidate at the terminal when asked."""
    config: RunnableConfig = {"configurable": {"thread_id": str(uuid.uuid4())}}
    async with runtime.open(Settings.from_env()) as kc:
        parent = build_parent(kc).compile(checkpointer=InMemorySaver())
        out = await parent.ainvoke({"messages": [HumanMessage(question)]}, config)
        while out.get("__interrupt__"):
            asked = out["__interrupt__"][0].value
            if asked["type"] == "approval":
                reply = input(f"{asked['summary']} Run it? [y/N] ")
                resume: dict[str, Any] = {"approved": reply.strip().lower() == "y", "by": "example"}
            else:
                reply = input(f"{asked['question']} {asked['candidates']} ")
                resume = {"choice": reply.strip()}
            out = await parent.ainvoke(Command(resume=resume), config)
    print(out["messages"][-1].content)  # noqa: T201
    print(out["record"])  # noqa: T201


if __name__ == "__main__":
    asyncio.run(main(" ".join(sys.argv[1:]) or "list pods in boutique"))
