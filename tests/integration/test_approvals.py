"""Approvals and write checks, end to end: Gemini (the real client, against the stub) decides,
kubernetes-mcp-server runs the calls on devcluster, and devcluster counts what reached it.

Every write of a message is approved before any call of it runs, and each approved call runs
exactly once across the resumes; a write whose target or value differs from what the user
asked is rejected before any approval, whatever the policy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command

from devcluster import DevCluster
from graph.agent import build_agent
from kcache import runtime
from kcache.context import Context
from kcache.settings import Settings
from tests.conftest import kcache_env
from tests.support.gemini_stub import GeminiStub

pytestmark = pytest.mark.integration


class Writes:
    """A devcluster request hook that records every write request (method, path) it sees."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, request: Any) -> None:
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and "review" not in request.url.path:
            self.seen.append((request.method, request.url.path))

    def to(self, fragment: str) -> list[tuple[str, str]]:
        return [w for w in self.seen if fragment in w[1]]


def _env(dc: DevCluster, tmp: Path, stub: GeminiStub) -> Settings:
    return Settings.from_env(
        kcache_env(
            dc,
            tmp,
            LLM_PROVIDER="gemini",
            GOOGLE_API_KEY="k",
            LLM_BASE_URL=stub.url,
            LLM_REQUEST_TIMEOUT="10",
        )
    )


@pytest.fixture
async def kc(
    devcluster: DevCluster, gemini_stub: GeminiStub, tmp_path: Path
) -> AsyncIterator[runtime.Kcache]:
    async with runtime.open(_env(devcluster, tmp_path, gemini_stub)) as opened:
        yield opened


@pytest.fixture
async def offline_graph(devcluster: DevCluster, tmp_path: Path) -> AsyncIterator[Any]:
    """The agent on the offline planner over devcluster, with an in-memory checkpointer."""
    async with runtime.open(Settings.from_env(kcache_env(devcluster, tmp_path))) as offline:
        yield build_agent(offline).compile(checkpointer=InMemorySaver())


@pytest.fixture
def writes(devcluster: DevCluster) -> Writes:
    hook = Writes()
    devcluster.add_hook(hook)
    return hook


def _cfg(thread: str) -> Any:
    return {"configurable": {"thread_id": thread}}


async def _ask(graph: Any, text: str, thread: str, ctx: Context | None = None) -> dict[str, Any]:
    out: dict[str, Any] = await graph.ainvoke(
        {"messages": [HumanMessage(text)]}, _cfg(thread), context=ctx or Context()
    )
    return out


async def _resume(graph: Any, thread: str, approved: bool) -> dict[str, Any]:
    out: dict[str, Any] = await graph.ainvoke(
        Command(resume={"approved": approved, "by": "test"}), _cfg(thread), context=Context()
    )
    return out


def _replicas(dc: DevCluster, name: str) -> int:
    (deploy,) = [d for d in dc.list("deployment", "boutique") if d["metadata"]["name"] == name]
    return int(deploy["spec"]["replicas"])


async def _audit(kc: runtime.Kcache, tool: str) -> list[str]:
    return [a["status"] for a in reversed(await kc.store.audit_log()) if a["tool"] == tool]


SCALE = ("resources_scale", {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "boutique", "name": "currencyservice", "scale": 2})  # fmt: skip


async def test_two_writes_are_both_approved_before_either_runs_and_each_runs_once(
    kc: runtime.Kcache, gemini_stub: GeminiStub, devcluster: DevCluster, writes: Writes
) -> None:
    graph = build_agent(kc).compile(checkpointer=InMemorySaver())
    gemini_stub.reply_function_calls([SCALE, SCALE])
    first = await _ask(graph, "scale currencyservice in boutique to 2", "a1")
    (asked,) = first["__interrupt__"]
    assert asked.value["tool"] == "resources_scale" and "currencyservice" in asked.value["summary"]
    assert writes.to("currencyservice") == []  # nothing ran before the first approval
    second = await _resume(graph, "a1", True)
    assert len(second["__interrupt__"]) == 1
    assert writes.to("currencyservice") == []  # nor before the second: the first write did not run early
    gemini_stub.reply_text("currencyservice now runs 2 replicas.")
    done = await _resume(graph, "a1", True)
    assert len(writes.to("deployments/currencyservice")) == 2  # each approved write ran exactly once
    assert _replicas(devcluster, "currencyservice") == 2
    assert await _audit(kc, "resources_scale") == ["ok", "ok"]
    assert done["record"]["executed"] and done["record"]["outcome"] == "executed"


async def test_a_declined_second_write_does_not_run_and_the_first_runs_once(
    kc: runtime.Kcache, gemini_stub: GeminiStub, devcluster: DevCluster, writes: Writes
) -> None:
    graph = build_agent(kc).compile(checkpointer=InMemorySaver())
    gemini_stub.reply_function_calls([SCALE, SCALE])
    await _ask(graph, "scale currencyservice in boutique to 2", "a2")
    await _resume(graph, "a2", True)
    gemini_stub.reply_text("One of the two changes was declined.")
    await _resume(graph, "a2", False)
    assert len(writes.to("deployments/currencyservice")) == 1
    assert await _audit(kc, "resources_scale") == ["ok", "declined"]


async def test_a_read_beside_a_write_is_checked_once_and_the_write_waits_for_approval(
    kc: runtime.Kcache, gemini_stub: GeminiStub, writes: Writes
) -> None:
    graph = build_agent(kc).compile(checkpointer=InMemorySaver())
    read = ("pods_list_in_namespace", {"namespace": "boutique"})
    gemini_stub.reply_function_calls([read, SCALE])
    out = await _ask(graph, "scale currencyservice in boutique to 2", "a3")
    assert out["__interrupt__"] and writes.to("currencyservice") == []
    gemini_stub.reply_text("Scaled.")
    await _resume(graph, "a3", True)
    # The read was not offered for a scale request: rejected once (not once per resume), never run.
    assert await _audit(kc, "pods_list_in_namespace") == ["rejected"]
    assert await _audit(kc, "resources_scale") == ["ok"]
    assert len(writes.to("deployments/currencyservice")) == 1


async def test_an_approval_survives_a_restart_and_the_write_runs_once(
    devcluster: DevCluster, gemini_stub: GeminiStub, tmp_path: Path, writes: Writes
) -> None:
    checkpoints = str(tmp_path / "checkpoints.db")
    settings = _env(devcluster, tmp_path, gemini_stub)
    gemini_stub.reply_function_call(*SCALE)
    async with runtime.open(settings) as kc, AsyncSqliteSaver.from_conn_string(checkpoints) as saver:
        out = await _ask(
            build_agent(kc).compile(checkpointer=saver), "scale currencyservice in boutique to 2", "a4"
        )
        assert out["__interrupt__"]
    assert writes.to("currencyservice") == []
    # A new process: a new holder (store, MCP session) and checkpointer on the same files.
    gemini_stub.reply_text("Scaled to 2.")
    async with runtime.open(settings) as kc, AsyncSqliteSaver.from_conn_string(checkpoints) as saver:
        done = await _resume(build_agent(kc).compile(checkpointer=saver), "a4", True)
        assert done["record"]["executed"]
        assert await _audit(kc, "resources_scale") == ["ok"]
    assert len(writes.to("deployments/currencyservice")) == 1
    assert _replicas(devcluster, "currencyservice") == 2


async def test_a_fooled_model_cannot_change_other_objects_even_under_auto_approval(
    kc: runtime.Kcache, gemini_stub: GeminiStub, devcluster: DevCluster, writes: Writes
) -> None:
    graph = build_agent(kc).compile(checkpointer=InMemorySaver())
    coredns = {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "kube-system", "name": "coredns", "scale": 0}  # fmt: skip
    frontend = {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "boutique", "name": "frontend", "scale": 0}  # fmt: skip
    wrong_count = {**SCALE[1], "name": "cartservice", "scale": 0}
    gemini_stub.reply_function_calls(
        [("resources_scale", coredns), ("resources_scale", frontend), ("resources_scale", wrong_count)]
    )
    gemini_stub.reply_text("Done.")
    out = await _ask(graph, "scale cartservice in boutique to 2", "a5", Context(approval="auto"))
    assert writes.seen == []
    assert await _audit(kc, "resources_scale") == ["rejected", "rejected", "rejected"]
    audit = [a for a in await kc.store.audit_log() if a["tool"] == "resources_scale"]
    assert any("kube-system/coredns" in (a["error_message"] or "") for a in audit)
    assert any("replicas to 0" in (a["error_message"] or "") for a in audit)
    assert not out["record"]["executed"] and _replicas(devcluster, "frontend") == 1


async def test_a_pod_found_through_its_workload_is_never_deleted_without_a_person(
    kc: runtime.Kcache, gemini_stub: GeminiStub, devcluster: DevCluster, writes: Writes
) -> None:
    graph = build_agent(kc).compile(checkpointer=InMemorySaver())
    (pod,) = [p["metadata"]["name"] for p in devcluster.list("pod", "boutique") if p["metadata"]["name"].startswith("cartservice-")]  # fmt: skip
    gemini_stub.reply_function_call("pods_delete", {"namespace": "boutique", "name": pod})
    out = await _ask(graph, "delete pod cartservice in boutique", "a6", Context(approval="auto"))
    (asked,) = out["__interrupt__"]  # auto approval does not cover a target the user did not name
    assert asked.value["needs_person"] is True and "deployment cartservice" in asked.value["summary"]
    assert writes.seen == []
    gemini_stub.reply_text("Not deleted.")
    await graph.ainvoke(
        Command(resume={"approved": True, "by": "cli --yes", "automatic": True}),
        _cfg("a6"),
        context=Context(),
    )
    assert writes.seen == [] and await _audit(kc, "pods_delete") == ["declined"]


async def test_a_write_on_another_kind_than_the_one_named_is_rejected(
    kc: runtime.Kcache, gemini_stub: GeminiStub, devcluster: DevCluster, writes: Writes
) -> None:
    graph = build_agent(kc).compile(checkpointer=InMemorySaver())
    pod = next(p["metadata"]["name"] for p in devcluster.list("pod", "boutique") if p["metadata"]["name"].startswith("emailservice-"))  # fmt: skip
    gemini_stub.reply_function_call("resources_delete", {"apiVersion": "v1", "kind": "Pod", "namespace": "boutique", "name": pod})  # fmt: skip
    gemini_stub.reply_text("Done.")
    await _ask(graph, "delete deployment emailservice in boutique", "a7", Context(approval="auto"))
    assert writes.seen == []
    (row,) = [a for a in await kc.store.audit_log() if a["tool"] == "resources_delete"]
    assert row["status"] == "rejected" and "deployment boutique/emailservice" in row["error_message"]


async def test_a_rollout_restart_applies_only_the_restart_annotation_once_approved(
    devcluster: DevCluster, offline_graph: Any, writes: Writes
) -> None:
    before = {p["metadata"]["name"] for p in devcluster.list("pod", "boutique") if p["metadata"]["name"].startswith("frontend-")}  # fmt: skip
    out = await _ask(offline_graph, "restart deployment frontend in boutique", "r1")
    (asked,) = out["__interrupt__"]
    assert (
        asked.value["tool"] == "resources_create_or_update"
        and "deployment boutique/frontend" in asked.value["summary"]
    )
    assert writes.seen == []
    done = await _resume(offline_graph, "r1", True)
    assert done["record"]["executed"] and done["record"]["outcome"] == "executed"
    (deploy,) = [d for d in devcluster.list("deployment", "boutique") if d["metadata"]["name"] == "frontend"]
    annotations = deploy["spec"]["template"]["metadata"].get("annotations") or {}
    assert "kubectl.kubernetes.io/restartedAt" in annotations
    assert (
        deploy["spec"]["replicas"] == 1 and deploy["spec"]["template"]["spec"]["containers"]
    )  # nothing else lost
    after = {p["metadata"]["name"] for p in devcluster.list("pod", "boutique") if p["metadata"]["name"].startswith("frontend-")}  # fmt: skip
    assert after and not (after & before)  # the controller replaced the pods


async def test_a_create_applies_the_manifest_kcache_built_once_approved(
    devcluster: DevCluster, offline_graph: Any, writes: Writes
) -> None:
    out = await _ask(
        offline_graph, "kubectl create deployment web2 --image=nginx:1.27 --replicas=2 -n boutique", "c1"
    )
    (asked,) = out["__interrupt__"]
    assert asked.value["tool"] == "resources_create_or_update" and "boutique/web2" in asked.value["summary"]
    assert writes.seen == []
    done = await _resume(offline_graph, "c1", True)
    assert done["record"]["executed"] and done["record"]["outcome"] == "executed"
    out = await _ask(offline_graph, "create a configmap named flags in boutique with beta=true", "c2")
    await _resume(offline_graph, "c2", True)
    out = await _ask(offline_graph, "create namespace team-99", "c3")
    await _resume(offline_graph, "c3", True)
    # The object made is now in the cache: a second create of it is refused, never applied.
    again = await _ask(offline_graph, "create namespace team-99", "c4")
    assert again["record"]["outcome"] == "refuse" and "already exists" in again["answer"]
    (deploy,) = [d for d in devcluster.list("deployment", "boutique") if d["metadata"]["name"] == "web2"]
    assert deploy["spec"]["replicas"] == 2
    assert [c["image"] for c in deploy["spec"]["template"]["spec"]["containers"]] == ["nginx:1.27"]
    (flags,) = [c for c in devcluster.list("configmap", "boutique") if c["metadata"]["name"] == "flags"]
    assert flags["data"] == {"beta": "true"}
    assert "team-99" in {n["metadata"]["name"] for n in devcluster.list("namespace")}
    assert len(writes.to("/deployments")) == 1 and len(writes.to("/configmaps")) == 1


async def test_an_update_sets_only_the_keys_named_once_approved(
    devcluster: DevCluster, offline_graph: Any, writes: Writes
) -> None:
    out = await _ask(
        offline_graph, "edit configmap frontend-config in boutique and set CURRENCY_DEFAULT=USD", "u1"
    )
    (asked,) = out["__interrupt__"]
    assert asked.value["tool"] == "resources_create_or_update"
    assert "configmap boutique/frontend-config" in asked.value["summary"]
    assert writes.seen == []
    done = await _resume(offline_graph, "u1", True)
    assert done["record"]["executed"] and done["record"]["outcome"] == "executed"
    # A key given no value sets nothing: refused, and no second write reaches the cluster.
    vague = await _ask(offline_graph, "update configmap frontend-config in boutique", "u2")
    assert "__interrupt__" not in vague
    (config,) = [
        c for c in devcluster.list("configmap", "boutique") if c["metadata"]["name"] == "frontend-config"
    ]
    assert config["data"]["CURRENCY_DEFAULT"] == "USD"
    assert config["data"]["ENV_PLATFORM"] == "local"  # the other keys stay
    assert len(writes.to("/configmaps")) == 1
