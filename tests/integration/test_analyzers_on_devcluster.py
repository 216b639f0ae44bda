"""Analyzers over a cache filled from devcluster through the real kubernetes-mcp-server."""

from __future__ import annotations

from pathlib import Path

import pytest

from devcluster import DevCluster
from kcache import runtime, scan
from kcache.analyzers import diagnose_cluster, diagnose_namespace, diagnose_object
from kcache.analyzers.load import load_view
from kcache.answer import describe, diagnosis, images, problems
from kcache.settings import Settings
from tests.conftest import kcache_env

pytestmark = pytest.mark.integration


async def test_demo_cluster_findings_from_the_cache(devcluster_demo: DevCluster, tmp_path: Path) -> None:
    settings = Settings.from_env(kcache_env(devcluster_demo, tmp_path, SCANNER_TIMEOUT="60"))
    async with runtime.open(settings) as kc:
        for tier in ("static", "dynamic"):
            assert (await scan.run_tier(kc, tier)).status == "completed"
        staging = await load_view(kc.store, kc.cluster, "boutique-staging")
        assert staging.age_s is not None and staging.view.loaded("secret")
        found = diagnose_namespace(staging.view, "boutique-staging")
        by_reason = {(f["kind"], f["reason"]) for f in found}
        # The two failing Deployments of the staging namespace, and their pods under them.
        assert ("pod", "CrashLoopBackOff") in by_reason and ("pod", "ImagePullBackOff") in by_reason
        assert sum(1 for f in found if f["kind"] == "deployment" and f["reason"] == "ReplicasNotReady") == 2
        pulls = [f for f in found if f["reason"] == "ImagePullBackOff"]
        assert all(f["parent"] and f["parent"].startswith("deployment boutique-staging/") for f in pulls)
        text = problems("en", found, "boutique-staging")
        assert text.splitlines()[0].endswith("problems in boutique-staging:")
        assert "CANARY-SECRET" not in text

        boutique = await load_view(kc.store, kc.cluster, "boutique")
        pending = [f for f in diagnose_namespace(boutique.view, "boutique") if f["kind"] == "pod"]
        assert any(f["name"].startswith("loadgenerator-") and f["severity"] == "critical" for f in pending)
        frontend = boutique.view.get("deployment", "boutique", "frontend")
        assert frontend is not None
        assert "microservices-demo/frontend:v0.10.6" in images("en", [frontend])
        assert "readiness httpGet :8080/_healthz" in describe("en", frontend)
        pods = boutique.view.all("pod", "boutique")
        assert images("en", pods, "boutique").startswith(f"The {len(pods)} pods in namespace boutique run")

        whole = await load_view(kc.store, kc.cluster)
        cluster_findings = diagnose_cluster(whole.view)
        assert {f["namespace"] for f in cluster_findings} >= {"boutique", "boutique-staging"}
        # The Deployment asked about alone, through the same cached surroundings.
        name = next(f["name"] for f in found if f["kind"] == "deployment")
        one = diagnose_object(staging.view, "deployment", "boutique-staging", name)
        target = staging.view.get("deployment", "boutique-staging", name)
        assert target is not None
        assert diagnosis("zh", [target], [], {}, view=staging.view).startswith(
            f"deployment boutique-staging/{name} 有 1 个问题："
        )
        assert one[0]["kind"] == "deployment"


INCIDENTS = Path(__file__).resolve().parents[2] / "devcluster" / "clusters" / "incidents"


async def test_every_staged_incident_is_found_under_the_object_it_concerns(tmp_path: Path) -> None:
    with DevCluster(INCIDENTS) as dc:
        dc.write_kubeconfig(tmp_path / "kubeconfig.yaml")
        settings = Settings.from_env(kcache_env(dc, tmp_path, SCANNER_TIMEOUT="60"))
        async with runtime.open(settings) as kc:
            for tier in ("static", "dynamic"):
                assert (await scan.run_tier(kc, tier)).status == "completed"
            whole = (await load_view(kc.store, kc.cluster)).view
    found = diagnose_cluster(whole)

    def under(parent: str, reason: str) -> bool:
        return any(f["parent"] == parent and f["reason"] == reason for f in found)

    def at(kind: str, name: str, reason: str) -> bool:
        return any((f["kind"], f["name"], f["reason"]) == (kind, name, reason) for f in found)

    assert under("deployment shop/checkout", "ReadinessProbeFailed")
    assert under("deployment shop/payments", "LivenessProbeFailed")
    assert under("deployment shop/orders", "CrashLoopBackOff")
    assert under("deployment shop/recommender", "OOMKilled")
    assert under("deployment shop/reports", "Unschedulable")
    assert at("pod", "schema-check", "Error")
    assert at("service", "inventory", "SelectorMatchesNoPods")
    assert at("job", "export-orders", "BackoffLimitExceeded")
    export = [f for f in found if f["parent"] == "job shop/export-orders"]
    assert len(export) == 3 and all(f["reason"] == "Error" for f in export)
    assert at("cronjob", "nightly-backup", "LastRunFailed")
    assert at("deployment", "search", "ProgressDeadlineExceeded")
    # The stuck rollout names where it goes and what still serves: what a rollback returns to.
    (stuck,) = [f for f in found if (f["name"], f["reason"]) == ("search", "ProgressDeadlineExceeded")]
    assert "rollout to ghcr.io/example/search:7.0.0-rc1 is stuck" in stuck["text_en"]
    assert "(ghcr.io/example/search:6.9.4) still serves" in stuck["text_en"]
    assert at("persistentvolumeclaim", "reports-data", "StorageClassNotFound")
    assert {f["reason"] for f in found if f["name"] == "ops-worker-2"} >= {
        "NodeNotReady",
        "MemoryPressure",
        "DiskPressure",
        "Cordoned",
    }
    assert under("daemonset kube-system/node-exporter", "NodeNotReady")
    # The healthy Deployment has nothing, and a node comes first in the cluster's ranking.
    assert not any(f["name"].startswith("storefront") for f in found)
    assert found[0]["kind"] == "node"
    text = problems("en", found, None)
    assert text.splitlines()[0].endswith("problems in the cluster:") and "CANARY-SECRET" not in text
