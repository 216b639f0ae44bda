"""kcache's agent embedded in a parent graph of the user's own: as a node, and from a wrapper node.

The parent opens kcache's holder itself (no ``langgraph dev`` lifespan), compiles with an
in-memory checkpointer, and gets the answer, the record, the interrupts and the subgraph's
streamed events through.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any, NotRequired

import pytest
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from typing_extensions import TypedDict

from devcluster import DevCluster
from graph.agent import build_agent
from kcache import runtime
from kcache.settings import Settings
from tests.conftest import kcache_env

pytestmark = pytest.mark.integration


class SharedState(TypedDict):
    """A parent that shares the agent's keys: the agent is added as a node as it is."""

    messages: Annotated[list[AnyMessage], add_messages]
    answer: NotRequired[str]
    record: NotRequired[dict[str, Any]]
    followed_up: NotRequired[bool]


class OwnState(TypedDict):
    """A parent with keys of its own: a wrapper node translates."""

    messages: Annotated[list[AnyMessage], add_messages]
    question: str
    kcache_record: NotRequired[dict[str, Any]]


def after(state: SharedState) -> dict[str, Any]:
    """A node of the user's that runs after kcache and reads what it produced."""
    return {"followed_up": bool(state.get("record"))}


def shared_parent(kc: runtime.Kcache) -> CompiledStateGraph[Any, Any, Any, Any]:
    builder = StateGraph(SharedState)
    builder.add_node("kcache", build_agent(kc).compile(name="kcache"))
    builder.add_node(after)
    builder.add_edge(START, "kcache")
    builder.add_edge("kcache", "after")
    builder.add_edge("after", END)
    return builder.compile(checkpointer=InMemorySaver())


def wrapping_parent(kc: runtime.Kcache) -> CompiledStateGraph[Any, Any, Any, Any]:
    agent = build_agent(kc).compile(name="kcache")

    async def ask_kcache(state: OwnState) -> dict[str, Any]:
        out = await agent.ainvoke({"query": state["question"]})
        return {"messages": [AIMessage(out["answer"])], "kcache_record": out["record"]}

    builder = StateGraph(OwnState)
    builder.add_node(ask_kcache)
    builder.add_edge(START, "ask_kcache")
    return builder.compile(checkpointer=InMemorySaver())


@pytest.fixture
async def opened(devcluster: DevCluster, tmp_path: Path) -> AsyncIterator[runtime.Kcache]:
    async with runtime.open(Settings.from_env(kcache_env(devcluster, tmp_path))) as kc:
        yield kc


def _config() -> RunnableConfig:
    return {"configurable": {"thread_id": str(uuid.uuid4())}}


async def test_agent_as_a_node_returns_answer_and_record(opened: runtime.Kcache) -> None:
    parent = shared_parent(opened)
    out = await parent.ainvoke({"messages": [HumanMessage("list pods in boutique")]}, _config())
    assert out["record"]["outcome"] == "answer" and out["record"]["answered_from_cache"]
    assert "12" in out["answer"] and out["messages"][-1].content == out["answer"]
    assert out["followed_up"] is True


async def test_approval_interrupt_surfaces_to_the_parent_and_resumes(
    opened: runtime.Kcache, devcluster: DevCluster
) -> None:
    parent = shared_parent(opened)
    cfg = _config()
    victim = next(
        p["metadata"]["name"]
        for p in devcluster.list("pod", "boutique")
        if p["metadata"]["name"].startswith("checkoutservice-")
    )
    out = await parent.ainvoke({"messages": [HumanMessage("delete the checkoutservice pod")]}, cfg)
    (pending,) = out["__interrupt__"]
    assert pending.value["type"] == "approval" and pending.value["args"]["name"] == victim
    assert "followed_up" not in out
    out = await parent.ainvoke(Command(resume={"approved": True, "by": "parent"}), cfg)
    assert out["record"]["executed"] and out["followed_up"] is True
    assert victim not in {p["metadata"]["name"] for p in devcluster.list("pod", "boutique")}


async def test_streamed_events_come_from_the_subgraph_namespace(opened: runtime.Kcache) -> None:
    parent = shared_parent(opened)
    seen: dict[str, set[str]] = {}
    async for namespace, update in parent.astream(
        {"messages": [HumanMessage("list pods in boutique")]},
        _config(),
        stream_mode="updates",
        subgraphs=True,
    ):
        key = namespace[0].split(":")[0] if namespace else ""
        seen.setdefault(key, set()).update(update)
    assert {"intent", "cache_lookup", "cache_invalidate"} <= seen["kcache"]
    assert {"kcache", "after"} <= seen[""]


async def test_wrapper_node_maps_schemas_and_passes_interrupts(
    opened: runtime.Kcache, devcluster: DevCluster
) -> None:
    parent = wrapping_parent(opened)
    out = await parent.ainvoke({"question": "list pods in boutique", "messages": []}, _config())
    assert out["kcache_record"]["outcome"] == "answer" and "12" in out["messages"][-1].content

    cfg = _config()
    out = await parent.ainvoke({"question": "delete the checkoutservice pod", "messages": []}, cfg)
    (pending,) = out["__interrupt__"]
    assert pending.value["type"] == "approval"
    out = await parent.ainvoke(Command(resume={"approved": False, "by": "parent"}), cfg)
    assert out["kcache_record"]["executed"] is False and out["kcache_record"]["approved"] is False
