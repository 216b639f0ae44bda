"""Two clusters behind one kubeconfig (KCACHE_CONTEXTS), through kubernetes-mcp-server and the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response

from devcluster import DevCluster
from devcluster.kubeconfig import write_contexts
from graph.run import compile_agent_for_turns, run_turn
from kcache import runtime
from kcache.context import Context
from kcache.settings import Settings
from kcache.store import Store
from tests.support.cli import kcache_env, kcache_in_process

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def clusters(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[DevCluster, DevCluster, Path, dict[str, list[str]]]]:
    """prod (the demo cluster) and staging (dataplat) in one kubeconfig, shared by the module.

    The tests' writes (two scales) change no object another test reads; each test sees the
    write requests sent during it only.
    """
    writes: dict[str, list[str]] = {"prod": [], "staging": []}
    with (
        DevCluster(ROOT / "devcluster" / "clusters" / "demo") as prod,
        DevCluster(ROOT / "evals" / "clusters" / "dataplat") as staging,
    ):
        for name, dc in (("prod", prod), ("staging", staging)):

            async def hook(request: Request, name: str = name) -> Response | None:
                if request.method in WRITES and "authorization.k8s.io" not in request.url.path:
                    writes[name].append(f"{request.method} {request.url.path}")
                return None

            dc.add_hook(hook)
        kube = write_contexts(
            tmp_path_factory.mktemp("contexts") / "kubeconfig.yaml",
            [prod.context("prod"), staging.context("staging")],
            current="prod",
        )
        yield prod, staging, kube, writes


@pytest.fixture
def two(
    clusters: tuple[DevCluster, DevCluster, Path, dict[str, list[str]]],
) -> tuple[DevCluster, DevCluster, Path, dict[str, list[str]]]:
    """The module's two clusters, with the write requests recorded from this test on."""
    for requests in clusters[3].values():
        requests.clear()
    return clusters


@pytest.fixture
def kcache(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """The CLI on both clusters (KCACHE_CONTEXTS=prod,staging unless ``extra`` says otherwise).

    Its ``main()`` runs in this process: the commands' subject here is the clusters they reach.
    """

    def kcache(tmp_path: Path, kube: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return kcache_in_process(
            monkeypatch, capsys, tmp_path, kube, *args, **{"KCACHE_CONTEXTS": "prod,staging", **extra}
        )

    return kcache


def both_clusters(tmp_path: Path, kube: Path) -> Settings:
    """Settings for an in-process kcache on both clusters, as the CLI helper's environment."""
    return Settings.from_env(kcache_env(tmp_path, kube, KCACHE_CONTEXTS="prod,staging"))


async def pod_namespaces(db: Path, cluster: str) -> set[str]:
    async with Store(db) as store:
        return {r.namespace or "" for r in (await store.query(cluster, "pod")).items}


def test_each_context_is_scanned_asked_and_written_on_its_own_cluster(
    two: tuple[DevCluster, DevCluster, Path, dict[str, list[str]]],
    tmp_path: Path,
    kcache: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    _, _, kube, writes = two
    done = kcache(tmp_path, kube, "refresh", "--once")
    assert done.returncode == 0, done.stderr
    assert "cluster prod:" in done.stdout and "cluster staging:" in done.stdout
    prod_ns = asyncio.run(pod_namespaces(tmp_path / "cache.db", "prod"))
    staging_ns = asyncio.run(pod_namespaces(tmp_path / "cache.db", "staging"))
    assert "boutique" in prod_ns and "boutique" not in staging_ns
    assert "data" in staging_ns and "data" not in prod_ns

    asked = kcache(tmp_path, kube, "ask", "--json", "--context", "staging", "list pods in data")
    assert asked.returncode == 0, asked.stderr
    assert "ingest-api-" in json.loads(asked.stdout)["answer"]
    asked = kcache(tmp_path, kube, "ask", "--json", "list pods in boutique")
    assert "currencyservice-" in json.loads(asked.stdout)["answer"]

    wrote = kcache(
        tmp_path, kube, "ask", "--json", "--yes", "--context", "staging", "scale ingest-api in data to 3"
    )
    assert wrote.returncode == 0, wrote.stderr
    assert json.loads(wrote.stdout)["executed"] is True
    assert writes["prod"] == []
    assert any("ingest-api" in w for w in writes["staging"]), writes

    fresh = kcache(tmp_path, kube, "ask", "--json", "--fresh", "--context", "staging", "list pods in data")
    assert json.loads(fresh.stdout)["answer"].count("ingest-api-") == 3


def test_refresh_context_scans_one_cluster(
    two: tuple[DevCluster, DevCluster, Path, dict[str, list[str]]],
    tmp_path: Path,
    kcache: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    _, _, kube, _ = two
    done = kcache(tmp_path, kube, "refresh", "--once", "--context", "staging")
    assert done.returncode == 0, done.stderr
    # health reports each cluster: staging scanned, prod never, so the whole is unhealthy.
    health = kcache(tmp_path, kube, "health", "--json")
    report = json.loads(health.stdout)
    assert health.returncode == 1 and not report["healthy"]
    assert {t["status"] for t in report["clusters"]["staging"]["tiers"].values()} == {"completed"}
    assert {t["status"] for t in report["clusters"]["prod"]["tiers"].values()} == {"never scanned"}
    text = kcache(tmp_path, kube, "health").stdout
    assert (
        "cluster staging, dynamic tier: completed" in text
        and "cluster prod, static tier: never scanned" in text
    )


def test_an_unknown_context_is_named(
    two: tuple[DevCluster, DevCluster, Path, dict[str, list[str]]],
    tmp_path: Path,
    kcache: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    _, _, kube, _ = two
    done = kcache(tmp_path, kube, "refresh", "--once", KCACHE_CONTEXTS="prod,qa")
    assert done.returncode != 0
    assert "'qa'" in done.stderr and "prod, staging" in done.stderr


async def test_the_run_context_names_the_cluster(
    two: tuple[DevCluster, DevCluster, Path, dict[str, list[str]]],
    tmp_path: Path,
) -> None:
    _, _, kube, _ = two

    async def refuse(payload: dict[str, Any]) -> dict[str, Any] | None:
        return None

    async with runtime.open(both_clusters(tmp_path, kube)) as kc:
        agent = compile_agent_for_turns(kc)
        on_staging = await run_turn(
            agent,
            "list pods in data",
            thread_id="t1",
            context=Context(cluster="staging"),
            on_approval=refuse,
            on_clarify=refuse,
        )
        on_prod = await run_turn(
            agent,
            "list pods in boutique",
            thread_id="t2",
            context=Context(),
            on_approval=refuse,
            on_clarify=refuse,
        )
        named = [
            await run_turn(
                agent, q, thread_id=f"n{i}", context=Context(), on_approval=refuse, on_clarify=refuse
            )
            for i, q in enumerate(
                ["在 staging 集群里 列出 data 的 pod", "list the pods in data on the staging cluster"]
            )
        ]
        unnamed = await run_turn(
            agent,
            "describe deployment ingest-api",
            thread_id="t4",
            context=Context(),
            on_approval=refuse,
            on_clarify=refuse,
        )
    assert "ingest-api-" in on_staging.answer
    assert "currencyservice-" in on_prod.answer
    # The request names the cluster: read from staging, and the phrase is not taken for a name.
    for turn in named:
        assert "ingest-api-" in turn.answer, turn.answer
    # Not named: the default cluster (prod), which has no ingest-api; staging's is offered.
    assert "deployment ingest-api exists in cluster staging, not in prod" in unnamed.answer, unnamed.answer


async def test_an_approval_names_the_cluster_and_the_write_goes_there(
    two: tuple[DevCluster, DevCluster, Path, dict[str, list[str]]],
    tmp_path: Path,
) -> None:
    _, staging, kube, writes = two
    asked: list[dict[str, Any]] = []

    async def approve(payload: dict[str, Any]) -> dict[str, Any] | None:
        asked.append(payload)
        return {"approved": True}

    async with runtime.open(both_clusters(tmp_path, kube)) as kc:
        done = await run_turn(
            compile_agent_for_turns(kc),
            "scale stream-processor in data to 2",
            thread_id="w",
            context=Context(cluster="staging"),
            on_approval=approve,
            on_clarify=approve,
        )
    [payload] = asked
    assert payload["cluster"] == "staging" and "on cluster staging" in payload["summary"]
    assert done.approved == payload
    assert writes["prod"] == [] and any("stream-processor" in w for w in writes["staging"])


def test_mcp_server_kubernetes_routes_each_scan_by_its_context(
    two: tuple[DevCluster, DevCluster, Path, dict[str, list[str]]],
    tmp_path: Path,
    kcache: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    # mcp-server-kubernetes takes `context` on its kubectl tools too: one session fills both.
    prod, staging, kube, _ = two
    server = ROOT / "node_modules" / ".bin" / "mcp-server-kubernetes"
    done = kcache(
        tmp_path,
        kube,
        "refresh",
        "--once",
        MCP_SERVER_URL=f"stdio://{server}",
        MCP_SERVER_ARGS="",
        MCP_SERVER_NAME="mcp-server-kubernetes",
        PATH=f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    assert done.returncode == 0, done.stderr
    for cluster, dc in (("prod", prod), ("staging", staging)):
        want = {p["metadata"]["namespace"] for p in dc.list("pod")}
        assert asyncio.run(pod_namespaces(tmp_path / "cache.db", cluster)) == want


def test_stats_report_each_cluster(
    two: tuple[DevCluster, DevCluster, Path, dict[str, list[str]]],
    tmp_path: Path,
    kcache: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    _, _, kube, _ = two
    assert kcache(tmp_path, kube, "ask", "list pods in boutique").returncode == 0
    for question in ("list pods in data", "list deployments in data"):
        asked = kcache(tmp_path, kube, "ask", "--context", "staging", question)
        assert asked.returncode == 0, asked.stderr
    report = json.loads(kcache(tmp_path, kube, "stats", "--json").stdout)
    assert report["turns"] == 3 and set(report["clusters"]) == {"prod", "staging"}
    prod, staging = report["clusters"]["prod"], report["clusters"]["staging"]
    assert (prod["turns"], staging["turns"]) == (1, 2)
    assert staging["kpis"]["cache_hit_rate"]["basis"]["lookups"] >= 2
    assert prod["cached_objects"]["pod"] > 0 and "deployment" in staging["cached_objects"]
    text = kcache(tmp_path, kube, "stats").stdout
    assert "cluster prod: 1 agent turns" in text and "cluster staging: 2 agent turns" in text
