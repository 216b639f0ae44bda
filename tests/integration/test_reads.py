"""Reads that must be right or say they cannot be: filters by a named object of another kind,
every pod of a workload, and a read whose refresh failed (offline planner, devcluster,
kubernetes-mcp-server)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from devcluster import DevCluster
from kcache import runtime
from kcache.context import Context
from kcache.settings import Settings
from tests.conftest import kcache_env
from tests.support.agent import turns

pytestmark = pytest.mark.integration


@pytest.fixture
async def agent(devcluster: DevCluster, tmp_path: Path) -> AsyncIterator[Any]:
    async with runtime.open(
        Settings.from_env(kcache_env(devcluster, tmp_path, READ_THROUGH_TIMEOUT="5"))
    ) as kc:
        yield turns(kc, Context(), "r")


def _pods_by_node(devcluster: DevCluster, node: str) -> tuple[list[str], list[str]]:
    """The served pods' names on the node and elsewhere, both non-empty."""
    pods = devcluster.list("pod")
    on = sorted(p["metadata"]["name"] for p in pods if p["spec"].get("nodeName") == node)
    elsewhere = [p["metadata"]["name"] for p in pods if p["spec"].get("nodeName") != node]
    assert on and elsewhere
    return on, elsewhere


async def test_pods_on_a_node_are_the_pods_scheduled_there(agent: Any, devcluster: DevCluster) -> None:
    on_node, elsewhere = _pods_by_node(devcluster, "demo-worker-2")
    out = await agent("list pods on node demo-worker-2")
    assert out["record"]["outcome"] == "answer"
    assert all(name in out["answer"] for name in on_node)
    assert not any(name in out["answer"] for name in elsewhere)


async def test_events_of_a_workload_are_about_it_and_its_pods(agent: Any, devcluster: DevCluster) -> None:
    out = await agent("show events for deployment frontend in boutique")
    assert out["record"]["outcome"] == "answer" and "does not exist" not in out["answer"]
    assert "ScalingReplicaSet" in out["answer"]  # the deployment's own event
    assert "checkoutservice" not in out["answer"]  # nothing about other objects


async def test_pods_of_a_workload_are_all_of_its_pods(agent: Any, devcluster: DevCluster) -> None:
    devcluster.scale("deployment", "boutique", "frontend", 3)
    out = await agent("list the pods of deployment frontend in boutique", Context(fresh=True))
    pods = [
        p["metadata"]["name"]
        for p in devcluster.list("pod", "boutique")
        if p["metadata"]["name"].startswith("frontend-")
    ]
    assert len(pods) == 3
    assert all(name in out["answer"] for name in pods), out["answer"]


async def test_a_read_whose_refresh_and_call_fail_is_an_error_not_a_cache_hit(
    agent: Any, devcluster: DevCluster
) -> None:
    await agent("list pods in boutique")  # warm
    devcluster.faults.set(error_rate=1.0, error_codes="500", only_paths=r"/pods$")
    out = await agent("list pods in boutique", Context(fresh=True))
    devcluster.faults.clear()
    rec = out["record"]
    assert rec["outcome"] == "error" and not rec["answered_from_cache"] and rec["data_age_s"] is None
    assert out["answer"].startswith("Could not read pod")


async def test_a_namespace_asked_about_is_described_not_missing(agent: Any) -> None:
    out = await agent("describe namespace boutique")
    assert out["record"]["outcome"] == "answer" and "does not exist" not in out["answer"]
    assert "boutique" in out["answer"]


async def test_a_pod_deleted_since_the_last_scan_is_reported_missing_not_as_an_empty_list(
    agent: Any, devcluster: DevCluster
) -> None:
    await agent("list pods in boutique")  # the vocabulary now knows every pod
    victim = next(p["metadata"]["name"] for p in devcluster.list("pod", "boutique") if p["metadata"]["name"].startswith("emailservice-"))  # fmt: skip
    devcluster.delete("pod", "boutique", victim)
    out = await agent(f"describe pod {victim} in boutique", Context(fresh=True))
    assert out["record"]["outcome"] == "not_found"
    assert victim in out["answer"] and "There are 0 pods" not in out["answer"]


async def test_an_injected_comparison_is_not_read_as_a_label_selector(
    agent: Any, devcluster: DevCluster
) -> None:
    out = await agent("list pods in boutique' OR 1=1 --")
    rec = out["record"]
    assert rec["outcome"] == "answer" and "label_selector" not in rec["params"]
    assert f"{len(devcluster.list('pod', 'boutique'))} pods" in out["answer"]


async def test_pods_on_a_node_named_by_its_state_are_the_pods_scheduled_there(
    agent: Any, devcluster: DevCluster
) -> None:
    (node,) = [n for n in devcluster.list("node") if n["metadata"]["name"] == "demo-worker-2"]
    for condition in node["status"]["conditions"]:
        if condition["type"] == "Ready":
            condition.update(status="False", reason="KubeletNotReady")
    devcluster.apply(node)
    on_node, elsewhere = _pods_by_node(devcluster, "demo-worker-2")
    out = await agent("which pods run on the node that is not ready?")
    assert out["record"]["outcome"] == "answer"
    assert all(name in out["answer"] for name in on_node)
    assert not any(name in out["answer"] for name in elsewhere)


async def test_the_replicasets_of_a_deployment_are_those_it_owns(agent: Any, devcluster: DevCluster) -> None:
    owned = [
        r["metadata"]["name"]
        for r in devcluster.list("replicaset", "boutique")
        if any(o.get("name") == "frontend" for o in r["metadata"].get("ownerReferences", []))
    ]
    others = [
        r["metadata"]["name"]
        for r in devcluster.list("replicaset", "boutique")
        if r["metadata"]["name"] not in owned
    ]
    assert owned and others
    out = await agent("boutique 里 frontend 的 replicaset 有哪些")
    assert out["record"]["outcome"] == "answer"
    assert all(name in out["answer"] for name in owned) and not any(name in out["answer"] for name in others)
