"""devcluster over HTTP: hidden annotations, tables, discovery, access knob, hooks, kubectl."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response

from devcluster import DevCluster
from devcluster.resources import BY_KEY

pytestmark = pytest.mark.integration
KUBECTL = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kubectl"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def _path(kind: str) -> str:
    rt = BY_KEY[kind]
    return f"/api/v1/{rt.plural}" if not rt.group else f"/apis/{rt.group}/{rt.version}/{rt.plural}"


def test_no_served_object_carries_a_kcache_annotation(devcluster_demo: DevCluster) -> None:
    with httpx.Client(base_url=devcluster_demo.url) as client:
        bodies = [client.get(_path(kind)).text for kind in BY_KEY]
        bodies += [client.get(_path(kind), headers={"Accept": TABLE}).text for kind in BY_KEY]
    assert all(body.startswith("{") for body in bodies)
    assert not [b for b in bodies if "kcache.dev" in b]
    # the instruction exists in the directory, so the test would notice a leak
    assert (
        "kcache.dev/simulate" in (Path(devcluster_demo.cluster_dir) / "40-boutique-staging.yaml").read_text()
    )


def test_pod_table_columns_and_partial_metadata(devcluster_demo: DevCluster) -> None:
    table = httpx.get(
        f"{devcluster_demo.url}/api/v1/namespaces/boutique/pods", headers={"Accept": TABLE}
    ).json()
    assert table["kind"] == "Table"
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Name",
        "Ready",
        "Status",
        "Restarts",
        "Age",
        "IP",
        "Node",
        "Nominated Node",
        "Readiness Gates",
    ]
    assert len(table["rows"]) == 12
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"


def test_discovery_and_secret_data(devcluster_demo: DevCluster) -> None:
    with httpx.Client(base_url=devcluster_demo.url) as client:
        apps = client.get("/apis/apps/v1").json()
        deploy = next(r for r in apps["resources"] if r["name"] == "deployments")
        assert deploy["shortNames"] == ["deploy"] and deploy["namespaced"] is True
        assert any(r["name"] == "deployments/scale" for r in apps["resources"])
        groups = {g["name"] for g in client.get("/apis").json()["groups"]}
        assert {"apps", "batch", "metrics.k8s.io", "authorization.k8s.io"} <= groups
        secret = client.get("/api/v1/namespaces/boutique/secrets/redis-password").json()
        assert "stringData" not in secret and secret["data"]["password"].startswith("Q0FOQVJZ")


def test_access_knob_and_request_hook(devcluster: DevCluster) -> None:
    review = {
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "spec": {"resourceAttributes": {"verb": "list", "resource": "pods"}},
    }
    url = f"{devcluster.url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    assert httpx.post(url, json=review).json()["status"]["allowed"] is True
    devcluster.access.deny("list", "pods", "")
    answer = httpx.post(url, json=review)
    assert answer.status_code == 201 and answer.json()["status"]["allowed"] is False
    assert httpx.get(f"{devcluster.url}/api/v1/pods").status_code == 403

    async def unavailable(request: Request) -> Response | None:
        if request.url.path.endswith("/configmaps"):
            return Response(json.dumps({"kind": "Status", "code": 503}), 503)
        return None

    devcluster.add_hook(unavailable)
    assert httpx.get(f"{devcluster.url}/api/v1/configmaps").status_code == 503
    assert httpx.get(f"{devcluster.url}/api/v1/nodes").status_code == 200


def test_runtime_changes_from_another_thread(devcluster: DevCluster) -> None:
    devcluster.scale("deployment", "boutique", "cartservice", 2)
    devcluster.add_namespace("team-a", {"team": "a"})
    devcluster.delete("deployment", "boutique", "adservice")
    with httpx.Client(base_url=devcluster.url) as client:
        pods = client.get(
            "/api/v1/namespaces/boutique/pods", params={"labelSelector": "app in (cartservice,adservice)"}
        ).json()
        assert sorted(p["metadata"]["labels"]["app"] for p in pods["items"]) == ["cartservice", "cartservice"]
        ns = client.get("/api/v1/namespaces", params={"labelSelector": "team=a"}).json()
        assert [n["metadata"]["name"] for n in ns["items"]] == ["team-a"]


@pytest.mark.skipif(not KUBECTL.exists(), reason="kubectl not installed")
def test_kubectl_reads_the_cluster(devcluster_demo: DevCluster) -> None:
    out = subprocess.run(
        [
            str(KUBECTL),
            "--kubeconfig",
            str(devcluster_demo.kubeconfig),
            "get",
            "pods",
            "-n",
            "boutique-staging",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    assert "CrashLoopBackOff" in out and "ImagePullBackOff" in out
