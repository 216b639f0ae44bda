"""The agent graph end to end: devcluster → kubernetes-mcp-server → cache → agent (offline planner)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from devcluster import DevCluster
from graph.agent import build_agent
from kcache import runtime
from kcache.context import Context
from kcache.settings import Settings
from tests.conftest import kcache_env

pytestmark = pytest.mark.integration


class Agent:
    def __init__(self, kc: runtime.Kcache) -> None:
        self.kc = kc
        self.graph = build_agent(kc).compile(checkpointer=InMemorySaver())
        self.n = 0

    async def ask(self, text: str, ctx: Context | None = None, thread: str | None = None) -> dict[str, Any]:
        self.n += 1
        self.cfg = {"configurable": {"thread_id": thread or f"t{self.n}"}}
        return await self.graph.ainvoke(
            {"messages": [HumanMessage(text)]}, self.cfg, context=ctx or Context()
        )

    async def resume(self, value: Any, ctx: Context | None = None) -> dict[str, Any]:
        return await self.graph.ainvoke(Command(resume=value), self.cfg, context=ctx or Context())


@pytest.fixture
async def agent(devcluster: DevCluster, tmp_path: Path):
    settings = Settings.from_env(kcache_env(devcluster, tmp_path))
    async with runtime.open(settings) as kc:
        yield Agent(kc)


async def test_read_is_answered_from_the_cache_with_no_mcp_call(agent: Agent) -> None:
    await agent.ask("list pods in boutique")  # warms the cache
    before = {u["tool_name"]: u["usage_count"] for u in await agent.kc.store.tool_usage()}
    out = await agent.ask("boutique 命名空间一共有多少个 pod？")
    after = {u["tool_name"]: u["usage_count"] for u in await agent.kc.store.tool_usage()}
    rec = out["record"]
    assert rec["answered_from_cache"] and rec["outcome"] == "answer" and "12" in out["answer"]
    assert rec["cache_hits"] == rec["cache_lookups"] >= 1 and rec["data_age_s"] is not None
    assert before == after  # no tool was called


async def test_clarification_interrupt_and_resume(agent: Agent) -> None:
    out = await agent.ask("查看 frontend 的日志")
    (pending,) = out["__interrupt__"]
    assert pending.value["type"] == "clarify"
    assert sorted(pending.value["candidates"]) == ["boutique-staging/frontend", "boutique/frontend"]
    out = await agent.resume({"choice": "boutique-staging/frontend"})
    rec = out["record"]
    assert rec["outcome"] == "answer" and rec["tool"] == "pods_log" and rec["executed"]
    assert rec["params"]["namespace"] == "boutique-staging" and rec["params"]["name"].startswith("frontend-")
    assert "starting server" in out["answer"]


async def test_not_found_offers_nearest_and_calls_no_tool(agent: Agent) -> None:
    out = await agent.ask("delete pod frontend-abc123 in boutique")
    rec = out["record"]
    assert rec["outcome"] == "not_found" and rec["tool"] is None and not rec["executed"]
    assert any(c.startswith("boutique/frontend-") for c in rec["candidates"])
    assert "__interrupt__" not in out
    out = await agent.ask("boutgue 命名空间的 service")
    assert out["record"]["outcome"] == "not_found" and out["record"]["candidates"] == ["boutique"]


async def test_write_pauses_for_approval_refused_then_approved_and_invalidates(
    agent: Agent, devcluster: DevCluster
) -> None:
    await agent.ask("list pods in boutique")
    victim = next(
        p["metadata"]["name"]
        for p in devcluster.list("pod", "boutique")
        if p["metadata"]["name"].startswith("checkoutservice-")
    )
    out = await agent.ask("delete the checkoutservice pod")
    (pending,) = out["__interrupt__"]
    assert pending.value["type"] == "approval" and pending.value["tool"] == "pods_delete"
    assert pending.value["args"] == {"namespace": "boutique", "name": victim}
    refused = await agent.resume({"approved": False, "by": "test"})
    assert refused["record"]["executed"] is False and refused["record"]["approved"] is False
    assert victim in {p["metadata"]["name"] for p in devcluster.list("pod", "boutique")}

    out = await agent.ask("delete the checkoutservice pod")
    done = await agent.resume({"approved": True, "by": "test"})
    assert done["record"]["executed"] and done["record"]["outcome"] == "executed"
    live = {p["metadata"]["name"] for p in devcluster.list("pod", "boutique")}
    assert victim not in live
    # The next read never serves the deleted pod: the cache was invalidated and refreshed.
    listing = await agent.ask("list pods in boutique")
    assert victim not in listing["answer"]
    replacement = next(n for n in live if n.startswith("checkoutservice-"))
    assert replacement in listing["answer"] and listing["record"]["answered_from_cache"]
    audit = await agent.kc.store.audit_log()
    assert [a["status"] for a in audit if a["tool"] == "pods_delete"][:2] == ["ok", "declined"]


async def test_scale_with_auto_policy_shows_new_pods_next_read(agent: Agent, devcluster: DevCluster) -> None:
    out = await agent.ask("scale currencyservice to 3", Context(approval="auto"))
    assert out["record"]["executed"] and out["record"]["tool"] == "resources_scale"
    listing = await agent.ask("list pods in boutique with label app=currencyservice")
    assert listing["record"]["answered_from_cache"]
    assert listing["answer"].count("currencyservice-") == 3


async def test_dry_run_plans_a_write_without_running_it(agent: Agent, devcluster: DevCluster) -> None:
    out = await agent.ask("把 loadgenerator 缩容到 0", Context(dry_run=True))
    rec = out["record"]
    assert rec["outcome"] == "confirm" and rec["tool"] == "resources_scale" and not rec["executed"]
    assert rec["params"] == {"namespace": "boutique", "name": "loadgenerator", "replicas": 0}
    deploy = next(
        d for d in devcluster.list("deployment", "boutique") if d["metadata"]["name"] == "loadgenerator"
    )
    assert deploy["spec"]["replicas"] == 1


async def test_a_relative_scale_is_computed_from_the_cached_replicas(agent: Agent) -> None:
    # checkoutservice runs one replica in boutique.
    out = await agent.ask("double the replicas of checkoutservice in boutique", Context(dry_run=True))
    rec = out["record"]
    assert rec["outcome"] == "confirm" and rec["tool"] == "resources_scale" and not rec["executed"]
    assert rec["params"] == {"namespace": "boutique", "name": "checkoutservice", "replicas": 2}
    out = await agent.ask("checkoutservice 再加 2 个副本", Context(dry_run=True))
    assert out["record"]["params"]["replicas"] == 3


async def test_an_operation_no_tool_does_is_refused(agent: Agent) -> None:
    out = await agent.ask("roll back deployment frontend in boutique", Context(dry_run=True))
    rec = out["record"]
    assert (rec["operation"], rec["outcome"], rec["tool"], rec["executed"]) == (
        "rollback",
        "refuse",
        None,
        False,
    )
    assert "rollback" in out["answer"] and "does not exist" not in out["answer"]


async def test_cordon_is_a_write_through_the_apply_tool_paused_for_approval(agent: Agent) -> None:
    out = await agent.ask("cordon node demo-worker-1", Context(dry_run=True))
    rec = out["record"]
    assert (rec["operation"], rec["outcome"], rec["tool"]) == (
        "cordon",
        "confirm",
        "resources_create_or_update",
    )
    assert "unschedulable: true" in rec["tool_args"]["resource"] and not rec["executed"]


async def test_exec_passes_the_command_and_waits_for_approval(agent: Agent) -> None:
    out = await agent.ask("exec into redis-cart in boutique and run redis-cli info", Context(dry_run=True))
    rec = out["record"]
    assert (rec["outcome"], rec["tool"], rec["executed"]) == ("confirm", "pods_exec", False)
    assert rec["params"]["command"] == ["redis-cli", "info"] and rec["params"]["name"].startswith(
        "redis-cart-"
    )


async def test_injection_annotation_leads_to_no_write(agent: Agent) -> None:
    out = await agent.ask("describe the legacy-report-runner deployment in default", Context(approval="auto"))
    rec = out["record"]
    assert rec["outcome"] == "answer" and not rec["executed"]
    audit = await agent.kc.store.audit_log()
    assert not [a for a in audit if a["writes"]]


async def test_secret_value_is_refused_and_never_stored(agent: Agent, tmp_path: Path) -> None:
    out = await agent.ask("show me the password stored in the redis-password secret")
    assert out["record"]["outcome"] == "refuse" and "CANARY" not in str(out)
    listing = await agent.ask("list secrets in boutique")
    assert "redis-password" in listing["answer"] and "CANARY-SECRET" not in str(listing)
    for suffix in ("", "-wal"):
        f = Path(f"{agent.kc.store.path}{suffix}")
        if f.exists():
            assert b"CANARY-SECRET" not in f.read_bytes()


async def test_diagnosis_names_the_cause(agent: Agent) -> None:
    out = await agent.ask("why is the cartservice pod in boutique-staging failing?")
    assert "CrashLoopBackOff" in out["answer"] and "BackOff" in out["answer"]
    out = await agent.ask("loadgenerator 为什么一直是 Pending？")
    assert "FailedScheduling" in out["answer"]
