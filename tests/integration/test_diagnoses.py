"""A diagnosis per kind, end to end on the incidents cluster: devcluster stages each incident,
kubernetes-mcp-server lists it, the analyzers find it over the cache, and the answer states the
cause, in English and in Chinese (offline planner: no LLM)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from devcluster import DevCluster
from graph.agent import build_agent
from kcache import runtime
from kcache.context import Context
from kcache.settings import Settings
from tests.conftest import kcache_env

pytestmark = pytest.mark.integration

INCIDENTS = Path(__file__).resolve().parents[2] / "devcluster" / "clusters" / "incidents"

CASES = [
    # (kind, question, what the answer must say)
    ("pod", "why is the recommender pod in shop restarting?", ["OOMKilled", "137"]),
    ("pod", "shop 里的 recommender 为什么一直重启？", ["OOMKilled", "退出码 137"]),
    ("deployment", "why is the checkout deployment in shop not ready?", ["0 of 2 replicas ready", "readiness probe fails"]),
    ("deployment", "shop 里的 checkout 这个 deployment 为什么没有就绪？", ["2 个副本中 0 个就绪", "就绪探针失败"]),
    ("job", "why did job export-orders fail?", ["backoffLimit 2", "exit code 1"]),
    ("job", "为什么 export-orders 这个 job 失败了？", ["backoffLimit 2", "退出码 1"]),
    # A workload named without its kind is diagnosed with its own state, above its pods'.
    ("cronjob", "the nightly backup failed again, why?", ["cronjob shop/nightly-backup: its last run", "BackoffLimitExceeded"]),
    ("cronjob", "nightly-backup 为啥又失败了", ["cronjob shop/nightly-backup", "BackoffLimitExceeded"]),
    ("service", "why is service inventory in shop not reachable?", ["selector app=inventory-api matches no pod"]),
    ("service", "shop 里的 inventory 服务为什么访问不到？", ["app=inventory-api"]),
    ("persistentvolumeclaim", "why is the pvc reports-data pending?", ["Pending", "StorageClass fast-ssd does not exist"]),
    ("persistentvolumeclaim", "reports-data 这个 pvc 为什么一直 Pending？", ["fast-ssd"]),
    ("node", "what is wrong with node ops-worker-2?", ["NotReady", "MemoryPressure", "cordoned"]),
    ("node", "节点 ops-worker-2 怎么了？", ["NotReady", "MemoryPressure"]),
    ("namespace", "what's wrong in shop?", ["problems in shop", "OOMKilled", "matches no pod"]),
    ("namespace", "shop 里有什么问题？", ["shop 有", "个问题", "OOMKilled"]),
    ("cluster", "is my cluster healthy?", ["problems in the cluster", "node ops-worker-2: is NotReady"]),
    ("cluster", "集群健康吗？", ["集群中有", "ops-worker-2"]),
]  # fmt: skip


@pytest.fixture(scope="module")
def incidents(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DevCluster, Path]]:
    folder = tmp_path_factory.mktemp("incidents")
    with DevCluster(INCIDENTS) as dc:
        dc.write_kubeconfig(folder / "kubeconfig.yaml")
        yield dc, folder  # one cache file for the module: filled by the first test, read by the rest


async def ask(incidents: tuple[DevCluster, Path], question: str) -> dict[str, Any]:
    """One dry-run turn on the incidents cluster, through a holder on the module's cache file."""
    dc, folder = incidents
    async with runtime.open(Settings.from_env(kcache_env(dc, folder))) as kc:
        graph = build_agent(kc).compile(checkpointer=InMemorySaver())
        out: dict[str, Any] = await graph.ainvoke(
            {"messages": [HumanMessage(question)]},
            {"configurable": {"thread_id": "t"}},
            context=Context(dry_run=True),
        )
    return out


@pytest.mark.parametrize(
    ("kind", "question", "says"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
async def test_the_diagnosis_states_the_cause(
    incidents: tuple[DevCluster, Path], kind: str, question: str, says: list[str]
) -> None:
    out = await ask(incidents, question)
    rec = out["record"]
    assert rec["operation"] == "diagnose" and rec["outcome"] == "answer", rec
    assert rec["answered_from_cache"] and not rec["executed"]
    for text in says:
        assert text in out["answer"], (text, out["answer"])


FACTS = [
    ("which pods restarted most in shop", ["Top 3 pods by restarts", "1. orders-", "— 6"]),
    ("what image does deployment recommender use", ["ghcr.io/example/recommender:5.0.2"]),
    ("which deployments have fewer ready replicas than desired in shop", ["4 deployments", "checkout: replicas 0/2"]),
    ("how many pods are running in shop", ["8 pods in namespace shop", "running but not ready"]),
    ("shop 里实际在运行的 pod", ["符合条件的 pod 共 8 个"]),
    ("list pods and services in shop", ["17 pods in namespace shop", "3 services in namespace shop"]),
    ("shop 里 payments 日志里包含 healthz 的最近 3 条", ["_healthz"]),
    ("show me logs of storefront in shop from the last hour", ["cannot filter by time", "listening on port"]),
]  # fmt: skip


@pytest.mark.parametrize(("question", "says"), FACTS, ids=[f"fact-{i}" for i in range(len(FACTS))])
async def test_the_answer_starts_with_what_was_asked(
    incidents: tuple[DevCluster, Path], question: str, says: list[str]
) -> None:
    out = await ask(incidents, question)
    assert out["record"]["outcome"] == "answer", out["record"]
    for text in says:
        assert text in out["answer"], (text, out["answer"])
    if "healthz" in question:
        shown = [line for line in out["answer"].splitlines() if line.startswith(">")]
        assert len(shown) == 3 and all("_healthz" in line for line in shown)
