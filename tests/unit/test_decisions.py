"""The agent's decision nodes without a cluster: routers, param_suggest, the approval policy,
the write check and the invalidation scopes, over a small fake of the holder."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from graph.agent import route_after_gemini, route_after_param_suggest, route_after_tool_call
from kcache.context import Context
from kcache.state import AgentState, Understanding
from kcache.store import Store
from kcache.writes import changed_scopes, check_write
from nodes.param_suggest import param_suggest
from nodes.tool_call import tool_call
from tests.support.fake_holder import FakeHolder


def understanding(**kw: Any) -> Understanding:
    base: dict[str, Any] = dict(
        intent="query", resource="pod", operation="list", language="en", confidence=1.0, namespace=None,
        namespace_mention=None, all_namespaces=False, name_mention=None, name_kind=None, name_mentions=(),
        kind_stated=True, label_selector=None, replicas=None, container=None, tail=None, previous=False,
        wants_secret_value=False, count_only=False, problem_only=False, warnings_only=False,
        unknown_words=(), notes=(),
    )  # fmt: skip
    base.update(kw)
    return base  # type: ignore[return-value]


SCALE_U = understanding(intent="action", resource="deployment", operation="scale", name_mention="currencyservice", replicas=2)  # fmt: skip
TARGET = {"kind": "deployment", "namespace": "boutique", "name": "currencyservice", "how": "exact"}
SCALE_ARGS = {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "boutique", "name": "currencyservice", "scale": 2}  # fmt: skip
REPLICAS = {"replicas": {"value": 2, "source": "user", "confidence": 1.0}}
SCALE_TOOL: Any = {"tool": "resources_scale", "score": 1.0, "fixed_args": {}, "reason": "", "operation": "scale", "resource": "deployment", "writes": True, "destructive": False}  # fmt: skip


def runtime(ctx: Context | None = None) -> Runtime[Context]:
    return Runtime(context=ctx or Context())


@pytest.fixture
async def fake(tmp_path: Path) -> AsyncIterator[FakeHolder]:
    async with Store(tmp_path / "cache.db", timeout=5, max_connections=2) as store:
        yield FakeHolder(store, tmp_path)


# --- routers ---------------------------------------------------------------------------------


async def test_route_after_param_suggest_ends_terminal_outcomes() -> None:
    assert (
        await route_after_param_suggest({"messages": [], "plan": {"outcome": "not_found"}})
        == "cache_invalidate"
    )
    assert (
        await route_after_param_suggest({"messages": [], "plan": {"outcome": "clarify"}})
        == "cache_invalidate"
    )
    assert await route_after_param_suggest({"messages": [], "plan": {"outcome": None}}) == "gemini"


async def test_route_after_gemini_runs_only_decided_calls() -> None:
    call = AIMessage(content="", tool_calls=[{"name": "pods_list", "args": {}, "id": "c1"}])
    assert await route_after_gemini({"messages": [], "plan": {}, "exchange": [call]}) == "tool_call"
    assert (
        await route_after_gemini({"messages": [], "plan": {}, "exchange": [AIMessage(content="done")]})
        == "cache_invalidate"
    )
    refused: AgentState = {"messages": [], "plan": {"outcome": "refuse"}, "exchange": [call]}
    assert await route_after_gemini(refused) == "cache_invalidate"


async def test_route_after_tool_call_stops_on_unrun_writes_and_on_the_round_limit() -> None:
    paused: AgentState = {"messages": [], "plan": {"outcome": "confirm"}, "calls": [{"tool": "x", "writes": True, "executed": False}]}  # fmt: skip
    assert await route_after_tool_call(paused) == "cache_invalidate"
    ran: AgentState = {"messages": [], "plan": {"outcome": "executed"}, "calls": [{"tool": "x", "writes": True, "executed": True}]}  # fmt: skip
    assert await route_after_tool_call(ran) == "gemini"
    assert await route_after_tool_call({**ran, "llm": {"limit_reached": True}}) == "cache_invalidate"


# --- param_suggest ---------------------------------------------------------------------------


async def test_param_suggest_asks_to_choose_between_equal_matches_in_a_dry_run() -> None:
    state: AgentState = {
        "messages": [],
        "understanding": understanding(name_mention="frontend", operation="get"),
        "resolved": {"candidates": ["boutique/frontend", "boutique-staging/frontend"], "choices": {}},
    }
    out = await param_suggest(state, runtime(Context(dry_run=True)))
    assert out["plan"]["outcome"] == "clarify"
    assert out["plan"]["candidates"] == ["boutique/frontend", "boutique-staging/frontend"]


async def test_param_suggest_refuses_secret_values_and_reports_missing_names() -> None:
    secret = await param_suggest(
        {
            "messages": [],
            "understanding": understanding(resource="secret", wants_secret_value=True),
            "resolved": {},
        },
        runtime(),
    )
    assert secret["plan"]["outcome"] == "refuse" and "never revealed" in secret["plan"]["reason"]
    missing = {"what": "pod", "mention": "fronted", "suggestions": ["frontend-1"]}
    out = await param_suggest(
        {
            "messages": [],
            "understanding": understanding(name_mention="fronted"),
            "resolved": {"missing": missing},
        },
        runtime(),
    )
    assert out["plan"]["outcome"] == "not_found" and out["plan"]["candidates"] == ["frontend-1"]
    assert out["plan"]["missing"] == missing


async def test_param_suggest_acts_only_on_exact_names_with_a_valid_count() -> None:
    prefix = {**TARGET, "how": "prefix"}
    out = await param_suggest(
        {
            "messages": [],
            "understanding": SCALE_U,
            "selected": [SCALE_TOOL],
            "resolved": {"target": prefix, "namespace": "boutique"},
        },
        runtime(),
    )
    assert out["plan"]["outcome"] == "not_found"
    no_count = understanding(intent="action", resource="deployment", operation="scale", name_mention="x")
    out = await param_suggest(
        {
            "messages": [],
            "understanding": no_count,
            "selected": [SCALE_TOOL],
            "resolved": {"target": TARGET, "namespace": "boutique"},
        },
        runtime(),
    )
    assert out["plan"]["outcome"] == "refuse"
    ok = await param_suggest(
        {
            "messages": [],
            "understanding": SCALE_U,
            "selected": [SCALE_TOOL],
            "resolved": {"target": TARGET, "namespace": "boutique"},
        },
        runtime(),
    )
    assert ok["plan"]["outcome"] is None
    assert {k: v["value"] for k, v in ok["plan"]["params"].items()} == {
        "namespace": "boutique",
        "name": "currencyservice",
        "replicas": 2,
    }


# --- the write check and the invalidation scopes --------------------------------------------


def test_check_write_names_what_differs(fake: FakeHolder) -> None:
    cap = fake.registry.get("resources_scale")
    resolved: Any = {"target": TARGET}
    plan: Any = {"params": REPLICAS}
    kw: Any = dict(understanding=SCALE_U, resolved=resolved, plan=plan, context="test")
    assert check_write(cap, SCALE_ARGS, **kw) is None
    other_ns = check_write(cap, {**SCALE_ARGS, "namespace": "kube-system"}, **kw)
    assert (
        other_ns is not None
        and "kube-system/currencyservice" in other_ns
        and "boutique/currencyservice" in other_ns
    )
    wrong_count = check_write(cap, {**SCALE_ARGS, "scale": 0}, **kw)
    assert wrong_count is not None and "replicas to 0" in wrong_count
    other_kind = check_write(cap, {**SCALE_ARGS, "kind": "StatefulSet"}, **kw)
    assert other_kind is not None and "statefulset" in other_kind
    read_only = check_write(cap, SCALE_ARGS, **{**kw, "understanding": understanding()})
    assert read_only == "the request asked for no change to any object"


def test_changed_scopes_follow_the_kinds_table(fake: FakeHolder) -> None:
    assert changed_scopes(fake.registry.get("resources_scale"), SCALE_ARGS, "deployment") == [
        ("deployment", "boutique"),
        ("replicaset", "boutique"),
        ("pod", "boutique"),
    ]
    assert changed_scopes(fake.registry.get("pods_delete"), {"namespace": "b", "name": "p"}, "pod") == [
        ("pod", "b"),
        ("event", "b"),
    ]
    node = "apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-1\nspec:\n  unschedulable: true\n"
    assert changed_scopes(fake.registry.get("resources_create_or_update"), {"resource": node}, "node") == [
        ("node", None),
        ("pod", None),
    ]


# --- the approval policy and exactly-once execution -----------------------------------------


def _write_state(*calls: dict[str, Any], how: str = "exact") -> AgentState:
    return {
        "messages": [],
        "understanding": SCALE_U,
        "resolved": {"target": {**TARGET, "how": how}, "namespace": "boutique", "items": []},
        "selected": [
            {
                "tool": "resources_scale",
                "score": 1.0,
                "fixed_args": {},
                "reason": "",
                "operation": "scale",
                "resource": "deployment",
                "writes": True,
                "destructive": False,
            }
        ],  # fmt: skip
        "plan": {"outcome": None, "params": REPLICAS},
        "exchange": [
            AIMessage(
                content="",
                tool_calls=[
                    {"name": "resources_scale", "args": c, "id": f"c{i}"} for i, c in enumerate(calls)
                ],
            )
        ],  # fmt: skip
    }


def _tool_call_graph(fake: FakeHolder) -> Any:
    async def node(state: AgentState, runtime: Runtime[Context]) -> dict[str, Any]:
        return await tool_call(state, runtime, kc=fake)

    builder = StateGraph(AgentState, context_schema=Context)
    builder.add_node("tool_call", node)
    builder.add_edge(START, "tool_call")
    builder.add_edge("tool_call", END)
    return builder.compile(checkpointer=InMemorySaver())


async def test_every_write_is_approved_before_any_runs_and_each_runs_once(fake: FakeHolder) -> None:
    graph = _tool_call_graph(fake)
    cfg: Any = {"configurable": {"thread_id": "t"}}
    out = await graph.ainvoke(_write_state(SCALE_ARGS, SCALE_ARGS), cfg, context=Context(approval="ask"))
    assert len(out["__interrupt__"]) == 1 and fake.calls == []
    out = await graph.ainvoke(Command(resume={"approved": True}), cfg, context=Context(approval="ask"))
    assert len(out["__interrupt__"]) == 1 and fake.calls == []
    out = await graph.ainvoke(Command(resume={"approved": False}), cfg, context=Context(approval="ask"))
    assert fake.calls == [("resources_scale", SCALE_ARGS)]
    assert [c["status"] for c in out["calls"]] == ["ok", "declined"]
    assert [a["status"] for a in reversed(await fake.store.audit_log())] == ["ok", "declined"]


@pytest.mark.parametrize(
    ("ctx", "status"),
    [
        (Context(dry_run=True), "planned"),
        (Context(approval="deny"), "denied"),
        (Context(approval="auto"), "ok"),
    ],
)
async def test_the_policy_decides_without_asking(fake: FakeHolder, ctx: Context, status: str) -> None:
    out = await _tool_call_graph(fake).ainvoke(
        _write_state(SCALE_ARGS), {"configurable": {"thread_id": "p"}}, context=ctx
    )
    assert "__interrupt__" not in out
    assert [c["status"] for c in out["calls"]] == [status]
    assert fake.calls == ([("resources_scale", SCALE_ARGS)] if status == "ok" else [])


async def test_auto_approval_does_not_cover_a_target_found_through_its_workload(fake: FakeHolder) -> None:
    graph = _tool_call_graph(fake)
    cfg: Any = {"configurable": {"thread_id": "w"}}
    out = await graph.ainvoke(_write_state(SCALE_ARGS, how="workload"), cfg, context=Context(approval="auto"))
    (asked,) = out["__interrupt__"]
    assert asked.value["needs_person"] is True and fake.calls == []
    out = await graph.ainvoke(Command(resume={"approved": True, "automatic": True}), cfg, context=Context())
    assert fake.calls == [] and [c["status"] for c in out["calls"]] == ["declined"]


async def test_a_write_the_user_did_not_ask_for_is_rejected_before_approval(fake: FakeHolder) -> None:
    other = {**SCALE_ARGS, "namespace": "kube-system", "name": "coredns", "scale": 0}
    out = await _tool_call_graph(fake).ainvoke(
        _write_state(other), {"configurable": {"thread_id": "r"}}, context=Context(approval="ask")
    )
    assert "__interrupt__" not in out and fake.calls == []
    (call,) = out["calls"]
    assert call["status"] == "rejected" and "kube-system/coredns" in call["error"]
    assert out["exchange"][-1].status == "error"


def test_an_applied_manifest_is_only_ever_the_patch_kcache_builds(fake: FakeHolder) -> None:
    from kcache.writes import patch_manifest

    cap = fake.registry.get("resources_create_or_update")
    restart = understanding(
        intent="action", resource="deployment", operation="restart", name_mention="frontend"
    )
    resolved: Any = {
        "target": {"kind": "deployment", "namespace": "boutique", "name": "frontend", "how": "exact"}
    }
    kw: Any = dict(understanding=restart, resolved=resolved, plan={"params": {}}, context="test")
    own = patch_manifest("restart", "deployment", "boutique", "frontend", now="2026-12-01T00:00:00Z")
    assert check_write(cap, {"resource": json.dumps(own)}, **kw) is None
    sneaky = json.loads(json.dumps(own))
    sneaky["spec"]["template"]["spec"] = {"containers": [{"name": "server", "image": "evil/miner:latest"}]}
    reason = check_write(cap, {"resource": json.dumps(sneaky)}, **kw)
    assert reason is not None and "sets more than the restart does" in reason
    other = patch_manifest("restart", "deployment", "kube-system", "coredns", now="x")
    assert "kube-system/coredns" in (check_write(cap, {"resource": json.dumps(other)}, **kw) or "")
    as_delete = check_write(
        cap, {"resource": json.dumps(own)}, **{**kw, "understanding": {**restart, "operation": "delete"}}
    )
    assert as_delete == "the call applies a manifest, but the request asks for a delete"


def test_a_created_manifest_is_only_ever_the_one_the_request_describes(fake: FakeHolder) -> None:
    from kcache.writes import create_manifest

    cap = fake.registry.get("resources_create_or_update")
    create = understanding(
        intent="action", resource="deployment", operation="create", name_mention="web2", image="nginx:1.27"
    )
    resolved: Any = {"target": {"kind": "deployment", "namespace": "boutique", "name": "web2", "how": "new"}}
    kw: Any = dict(understanding=create, resolved=resolved, plan={"params": {}}, context="test")
    own = create_manifest("deployment", "boutique", "web2", image="nginx:1.27")
    assert own["spec"]["replicas"] == 1
    assert own["spec"]["template"]["spec"]["containers"] == [{"name": "web2", "image": "nginx:1.27"}]
    assert check_write(cap, {"resource": json.dumps(own)}, **kw) is None
    sneaky = json.loads(json.dumps(own))
    sneaky["spec"]["template"]["spec"]["containers"][0]["image"] = "evil/miner:latest"
    assert check_write(cap, {"resource": json.dumps(sneaky)}, **kw) == (
        "the applied manifest is not the one the request describes"
    )
    elsewhere = create_manifest("deployment", "kube-system", "web2", image="nginx:1.27")
    assert "kube-system/web2" in (check_write(cap, {"resource": json.dumps(elsewhere)}, **kw) or "")
    cm = create_manifest("configmap", "boutique", "flags", data=[("beta", "true")])
    assert (cm["metadata"], cm["data"]) == ({"name": "flags", "namespace": "boutique"}, {"beta": "true"})
    assert create_manifest("namespace", "ignored", "team-99")["metadata"] == {"name": "team-99"}
    with pytest.raises(ValueError, match="image"):
        create_manifest("deployment", "boutique", "web2")
    with pytest.raises(ValueError, match="secret"):
        create_manifest("secret", "boutique", "x")
