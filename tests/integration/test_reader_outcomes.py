"""What the reader's readings become through the real agent: refusals, exec, restarts, relative
scales and counts (offline planner, devcluster, kubernetes-mcp-server; writes are planned only)."""

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
async def ask(devcluster_demo: DevCluster, tmp_path: Path) -> AsyncIterator[Any]:
    async with runtime.open(Settings.from_env(kcache_env(devcluster_demo, tmp_path))) as kc:
        yield turns(kc, Context(dry_run=True), "o")


def _pods(dc: DevCluster, namespace: str, workload: str) -> list[str]:
    return [
        p["metadata"]["name"]
        for p in dc.list("pod", namespace)
        if p["metadata"]["name"].startswith(workload + "-")
    ]


async def test_writes_are_refused_over_everything_and_planned_on_one_object(
    ask: Any, devcluster_demo: DevCluster
) -> None:
    for text in (
        "delete all namespaces",
        "把所有 pod 都删了",
        "kubectl delete pods --all -n boutique",
        "wipe the whole cluster",
    ):
        out = await ask(text)
        assert out["record"]["outcome"] == "refuse", (text, out["answer"])
        assert out["record"]["tool"] is None and not any(c.get("executed") for c in out.get("calls", []))
    # A Deployment's restart is a rollout restart of it; "the X pod" deletes that one pod.
    out = await ask("restart frontend in boutique")
    record = out["record"]
    assert (record["resource"], record["operation"], record["outcome"]) == (
        "deployment",
        "restart",
        "confirm",
    )
    assert record["tool"] == "resources_create_or_update" and "restartedAt" in out["answer"]
    out = await ask("restart the checkoutservice pod")
    assert (out["record"]["tool"], out["record"]["params"]["name"]) == (
        "pods_delete",
        _pods(devcluster_demo, "boutique", "checkoutservice")[0],
    )


async def test_exec_is_planned_with_its_command(ask: Any, devcluster_demo: DevCluster) -> None:
    (pod,) = _pods(devcluster_demo, "boutique", "checkoutservice")
    for text, argv in (
        ("exec into checkoutservice in boutique and cat /etc/hosts", ["cat", "/etc/hosts"]),
        ("进入 boutique 里 checkoutservice 的容器执行 ls -la /tmp", ["ls", "-la", "/tmp"]),
    ):
        out = await ask(text)
        record = out["record"]
        assert (record["outcome"], record["tool"]) == ("confirm", "pods_exec"), (text, out["answer"])
        assert (record["params"]["name"], record["params"]["command"]) == (pod, argv)
    out = await ask("open a shell in checkoutservice in boutique")
    assert out["record"]["outcome"] == "refuse" and "command" in out["answer"]


async def test_numbers_are_computed_from_the_cache(ask: Any, devcluster_demo: DevCluster) -> None:
    out = await ask("scale frontend in boutique up by 200%")
    assert (out["record"]["outcome"], out["record"]["params"]["replicas"]) == ("confirm", 3)
    assert "from 1 to 3" in out["answer"]
    out = await ask("把 boutique 的 frontend 副本数加两个")
    assert out["record"]["params"]["replicas"] == 3 and "从 1 变为 3" in out["answer"]
    # A count under a condition answers the number, then names what it counted.
    unready = [
        p["metadata"]["name"]
        for p in devcluster_demo.list("pod", "boutique-staging")
        if not all(c.get("ready") for c in p.get("status", {}).get("containerStatuses", []))
    ]
    out = await ask("how many pods in boutique-staging are not ready?")
    assert out["answer"].startswith(f"{len(unready)} pods")
    assert unready and all(name in out["answer"] for name in unready)
    # A time window is said plainly, never read as a tail count.
    out = await ask("logs from the last hour for checkoutservice in boutique")
    assert "tail" not in out["record"]["params"] and "cannot filter by time" in out["answer"]


async def test_a_pod_described_by_its_state_is_one_in_that_state(
    ask: Any, devcluster_demo: DevCluster
) -> None:
    (crashing,) = _pods(devcluster_demo, "boutique-staging", "cartservice")
    for text in (
        "show the logs of the crashing pod in boutique-staging",
        "boutique-staging 里一直重启的 pod 的日志",
    ):
        out = await ask(text)
        record = out["record"]
        assert (record["operation"], record["outcome"], record["tool"]) == ("logs", "answer", "pods_log"), (
            text
        )
        assert record["params"]["name"] == crashing
    # A write on a description is never acted on: the one pod that fits is offered by its name.
    out = await ask("delete the pod that keeps restarting in boutique-staging")
    assert (out["record"]["outcome"], out["record"]["candidates"]) == (
        "clarify",
        [f"boutique-staging/{crashing}"],
    )
    assert not any(c.get("executed") for c in out.get("calls", []))
    # Restarts are counted on pods: asked of the Deployment, they are its pods' restarts.
    out = await ask("how many restarts does cartservice in boutique-staging have")
    restarts = next(
        sum(s.get("restartCount", 0) for s in p["status"].get("containerStatuses", []))
        for p in devcluster_demo.list("pod", "boutique-staging")
        if p["metadata"]["name"] == crashing
    )
    assert restarts > 0 and f"restarts {restarts} ({crashing} {restarts})" in out["answer"]


async def test_a_namespace_is_deleted_by_its_name(ask: Any) -> None:
    out = await ask("delete namespace boutique-staging")
    record = out["record"]
    assert (record["resource"], record["operation"], record["outcome"]) == ("namespace", "delete", "confirm")
    assert (record["tool"], record["params"]) == ("resources_delete", {"name": "boutique-staging"})
    assert record["tool_args"]["kind"] == "Namespace" and "namespace" not in record["tool_args"]
    assert not any(c.get("executed") for c in out.get("calls", []))


async def test_a_miss_is_offered_at_the_level_it_was_typed(ask: Any) -> None:
    # A part of a namespace where a namespace stands: asked, never answered as "does not exist".
    out = await ask("pods in staging")
    assert (out["record"]["outcome"], out["record"]["candidates"]) == ("clarify", ["boutique-staging"])
    # A workload's name mistyped: the workload first, then its pods.
    out = await ask("看下 boutique 的 shipingservice 日志")
    record = out["record"]
    assert record["outcome"] == "not_found" and record["tool"] is None
    assert record["candidates"][0] == "boutique/shippingservice"


async def test_a_create_is_planned_for_approval_or_declined_plainly(ask: Any) -> None:
    for text in ("create namespace team-99", "create a configmap named flags in boutique with beta=true"):
        out = await ask(text)
        record = out["record"]
        assert (record["intent"], record["outcome"], record["tool"]) == (
            "action",
            "confirm",
            "resources_create_or_update",
        ), text
        assert not record["executed"] and "does not exist" not in out["answer"]
    # What kcache builds no manifest for, and what is already there, are declined plainly.
    out = await ask("create a secret named x in boutique")
    assert (out["record"]["outcome"], out["record"]["tool"]) == ("refuse", None)
    assert "kubectl apply" in out["answer"]
    out = await ask("create namespace boutique")
    assert out["record"]["outcome"] == "refuse" and "already exists" in out["answer"]


async def test_a_configmap_value_asked_beside_a_listing_is_read_live_under_it(ask: Any) -> None:
    out = await ask("boutique 里有哪些 configmap？frontend-config 里的 CURRENCY_DEFAULT 是什么")
    record, answer = out["record"], out["answer"]
    # The listing is the cache's (the main ask); the values come from one live get beside it.
    assert (record["operation"], record["resource"], record["tool"]) == (
        "list",
        "configmap",
        "resources_list",
    )
    assert record["answered_from_cache"]  # the cache keeps keys, never values: those are read live
    listing, beside = answer.split("\n\n", 1)[0], answer.split("\n\n", 1)[1]
    assert "frontend-config" in listing and "EUR" not in listing
    assert "CURRENCY_DEFAULT: EUR" in beside and "ENV_PLATFORM: local" in beside


async def test_an_update_of_a_configmap_is_planned_with_only_its_keys(ask: Any) -> None:
    out = await ask("把 boutique 的 frontend-config 里的 CURRENCY_DEFAULT 改成 USD")
    record = out["record"]
    assert (record["intent"], record["operation"], record["outcome"]) == ("action", "update", "confirm")
    assert record["tool"] == "resources_create_or_update"
    manifest = record["tool_args"]["resource"]
    assert "CURRENCY_DEFAULT: USD" in manifest and "ENV_PLATFORM" not in manifest
    # A Deployment has no keys to set: refused, naming the kinds an update applies to.
    out = await ask("edit deployment frontend in boutique and set LOG_LEVEL=debug")
    assert out["record"]["outcome"] in ("refuse", "answer") and not any(
        c.get("executed") for c in out.get("calls", [])
    )


async def test_a_pipe_into_grep_keeps_the_listed_rows_with_that_text(
    ask: Any, devcluster_demo: DevCluster
) -> None:
    out = await ask("kubectl get pods -A | grep cart")
    names = {
        p["metadata"]["name"]
        for ns in ("boutique", "boutique-staging")
        for p in devcluster_demo.list("pod", ns)
    }
    carts = sorted(n for n in names if "cart" in n)
    listed = [
        line.split()[0] for line in out["answer"].splitlines() if line.split() and line.split()[0] in names
    ]
    assert sorted(listed) == carts and "only the rows containing 'cart'" in out["answer"]
    out = await ask("kubectl get svc -n boutique | grep -v ClusterIP")
    assert "frontend-external" in out["answer"] and "ClusterIP  " not in out["answer"]
    assert "cartservice " not in out["answer"]
    out = await ask("kubectl get po -n boutique | grep nothing-like-this")
    assert out["answer"].startswith("There are 0 pods") and "containing 'nothing-like-this'" in out["answer"]


async def test_a_services_endpoints_are_told_with_it(ask: Any, devcluster_demo: DevCluster) -> None:
    (endpoints,) = [
        e for e in devcluster_demo.list("endpoints", "boutique") if e["metadata"]["name"] == "cartservice"
    ]
    ready = [a["ip"] for s in endpoints.get("subsets") or [] for a in s.get("addresses") or []]
    assert ready  # the demo's cartservice pods are ready
    for text in (
        "kubectl get ep cartservice -n boutique",
        "does the cartservice service in boutique have endpoints?",
    ):
        out = await ask(text)
        assert (out["record"]["resource"], out["record"]["operation"]) == ("service", "get"), text
        assert f"endpoints: {len(ready)} ready ({', '.join(ready)}), 0 not ready" in out["answer"], out[
            "answer"
        ]


async def test_a_count_of_pods_in_trouble_counts_only_those(ask: Any, devcluster_demo: DevCluster) -> None:
    def in_trouble(p: dict[str, Any]) -> bool:
        statuses = p["status"].get("containerStatuses") or []
        return p["status"]["phase"] != "Running" or not all(c.get("ready") for c in statuses)

    for namespace in ("boutique", "boutique-staging"):
        troubled = sorted(
            p["metadata"]["name"] for p in devcluster_demo.list("pod", namespace) if in_trouble(p)
        )
        out = await ask(f"how many pods in {namespace} are unhealthy")
        assert out["record"]["operation"] == "list" and out["answer"].startswith(f"{len(troubled)} pod"), out[
            "answer"
        ]
        assert all(name in out["answer"] for name in troubled)


async def test_a_diagnosis_reads_the_crashing_init_containers_logs_and_a_value_asked_beside(
    tmp_path: Path,
) -> None:
    newsroom = Path(__file__).resolve().parents[2] / "evals" / "clusters" / "newsroom"
    with DevCluster(newsroom) as dc:
        dc.write_kubeconfig(tmp_path / "kubeconfig.yaml")
        async with runtime.open(Settings.from_env(kcache_env(dc, tmp_path))) as kc:
            ask = turns(kc, Context(dry_run=True), "n")
            out = await ask(
                "what's wrong with articles in cms, and what does cms-settings have for SITE_NAME?"
            )
    # The previous logs read are the init container's (the app container never ran: it has none).
    assert "Previous container's logs of pod cms/articles-" in out["answer"]
    assert "not found" not in out["answer"] and "level=error" in out["answer"]
    assert "SITE_NAME: The Daily Ledger" in out["answer"], out["answer"]
