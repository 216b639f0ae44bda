"""devcluster's fault knobs and generated clusters, as real clients (kubectl, kubernetes-mcp-server) see them."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from starlette.requests import Request

from devcluster import DevCluster
from devcluster.faults import Admin, FaultError
from devcluster.generate import CANARY, GenerateSpec, GenerateSpecError, generate
from devcluster.state import ClusterState

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
KUBECTL = ROOT / ".venv/bin/kubectl"
BINARY = ROOT / "node_modules/kubernetes-mcp-server-linux-amd64/bin/kubernetes-mcp-server-linux-amd64"


def kubectl(dc: DevCluster, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    assert dc.kubeconfig is not None
    return subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(dc.kubeconfig), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


async def mcp_call(dc: DevCluster, tool: str, args: dict[str, Any]) -> tuple[bool, str]:
    params = StdioServerParameters(
        command=str(BINARY), args=["--kubeconfig", str(dc.kubeconfig), "--list-output", "yaml"]
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        result = await session.call_tool(tool, args)
        return bool(result.isError), "".join(getattr(c, "text", "") for c in result.content)


# --- generated clusters ----------------------------------------------------------------------


def test_generate_spec_parses_defaults_and_rejects_bad_items() -> None:
    spec = GenerateSpec.parse("pods=1000,namespaces=8,nodes=20")
    assert (spec.pods, spec.namespaces, spec.nodes, spec.deployments, spec.services) == (
        1000,
        8,
        20,
        100,
        100,
    )
    assert GenerateSpec.parse("pods=50,namespaces=3,nodes=2,deployments=5,services=2").services == 2
    with pytest.raises(GenerateSpecError, match="'pods=x'"):
        GenerateSpec.parse("pods=x,namespaces=1,nodes=1")
    with pytest.raises(GenerateSpecError, match="lacks nodes"):
        GenerateSpec.parse("pods=10,namespaces=1")
    with pytest.raises(GenerateSpecError, match="'colour=3'"):
        GenerateSpec.parse("pods=10,namespaces=1,nodes=1,colour=3")


def test_generation_is_deterministic() -> None:
    def snapshot() -> list[tuple[str, str, str, str]]:
        state = ClusterState(clock=lambda: 1_750_000_000.0)
        generate(state, GenerateSpec.parse("pods=200,namespaces=4,nodes=5"))
        return [
            (
                o["kind"],
                o["metadata"].get("namespace", ""),
                o["metadata"]["name"],
                json.dumps(o, sort_keys=True),
            )
            for kind in ("pod", "service", "secret", "event", "deployment")
            for o in state.store.list(kind)
        ]

    assert snapshot() == snapshot()


def test_generated_cluster_serves_a_realistic_mix_to_kubectl(tmp_path: Path) -> None:
    with DevCluster(generate="pods=600,namespaces=6,nodes=8") as dc:
        dc.write_kubeconfig(tmp_path / "kc.yaml")
        pods = kubectl(dc, "get", "pods", "-A", "--no-headers")
        assert pods.returncode == 0, pods.stderr
        rows = [line.split() for line in pods.stdout.splitlines()]
        assert len(rows) == 600
        assert len({r[0] for r in rows}) == 6
        statuses = {r[3] for r in rows}
        assert "Running" in statuses
        counts = {s: sum(1 for r in rows if r[3] == s) for s in statuses}
        assert counts["Running"] > 0.8 * 600
        assert statuses - {"Running"} <= {"CrashLoopBackOff", "ImagePullBackOff", "Pending"}
        assert len(statuses) >= 3, counts
        nodes = kubectl(dc, "get", "nodes", "--no-headers")
        assert len(nodes.stdout.splitlines()) == 8
        secret = json.loads(kubectl(dc, "get", "secret", "-A", "-o", "json").stdout)["items"][0]
        assert base64.b64decode(secret["data"]["password"]).decode().startswith(CANARY)
        events = kubectl(dc, "get", "events", "-A", "--no-headers")
        assert "BackOff" in events.stdout or "FailedScheduling" in events.stdout
        deploy = json.loads(kubectl(dc, "get", "deploy", "-A", "-o", "json").stdout)["items"]
        assert sum(d["spec"]["replicas"] for d in deploy) == 600
        svc = kubectl(dc, "get", "svc,endpoints,cm", "-A", "--no-headers")
        assert svc.returncode == 0 and "service/" in svc.stdout and "configmap/" in svc.stdout


# --- latency, errors, drops, hangs ----------------------------------------------------------


def test_latency_fixed_and_range_delays_kubectl(devcluster: DevCluster) -> None:
    devcluster.faults.set(latency=1.0, only_paths=r"/pods$")
    start = time.monotonic()
    assert kubectl(devcluster, "get", "pods", "-n", "boutique").returncode == 0
    assert time.monotonic() - start >= 1.0
    devcluster.faults.set(latency="0.5-0.6")
    start = time.monotonic()
    assert kubectl(devcluster, "get", "pods", "-n", "boutique").returncode == 0
    assert time.monotonic() - start >= 0.5
    assert devcluster.faults.counters.latency == 2
    with pytest.raises(FaultError, match="'0.6-0.5'"):
        devcluster.faults.set(latency="0.6-0.5")


def test_errors_are_status_objects_and_429_carries_retry_after(devcluster: DevCluster) -> None:
    devcluster.faults.set(error_rate=1.0, error_codes="500", only_paths="/pods")
    result = kubectl(devcluster, "get", "pods", "-n", "boutique")
    assert result.returncode == 1
    assert "Error from server (InternalError)" in result.stderr
    devcluster.faults.set(error_codes=[503])
    assert "ServiceUnavailable" in kubectl(devcluster, "get", "pods", "-n", "boutique").stderr
    devcluster.faults.set(error_codes="429", retry_after=0)
    result = kubectl(devcluster, "get", "pods", "-n", "boutique")
    assert "Error from server (TooManyRequests)" in result.stderr
    devcluster.faults.set(retry_after=3)
    answer = httpx.get(f"{devcluster.url}/api/v1/namespaces/boutique/pods")
    assert answer.status_code == 429 and answer.headers["retry-after"] == "3"
    assert answer.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "the server has received too many requests and has asked us to try again later",
        "reason": "TooManyRequests",
        "details": {"retryAfterSeconds": 3},
        "code": 429,
    }
    # Paths outside only_paths are untouched.
    assert kubectl(devcluster, "get", "svc", "-n", "boutique").returncode == 0
    devcluster.faults.clear()
    assert kubectl(devcluster, "get", "pods", "-n", "boutique").returncode == 0


def test_error_rate_is_a_share_of_requests(devcluster: DevCluster) -> None:
    devcluster.faults.set(error_rate=0.3, error_codes="500,503")
    codes = [httpx.get(f"{devcluster.url}/api/v1/namespaces").status_code for _ in range(200)]
    failed = sum(1 for c in codes if c != 200)
    assert 30 <= failed <= 90
    assert set(codes) == {200, 500, 503}


async def test_faults_spare_discovery_so_the_mcp_server_starts(devcluster: DevCluster) -> None:
    devcluster.faults.set(error_rate=1.0, error_codes="503")
    for path in ("/version", "/api", "/api/v1", "/apis", "/apis/apps/v1"):
        assert httpx.get(devcluster.url + path).status_code == 200, path
    assert httpx.get(devcluster.url + "/api/v1/namespaces").status_code == 503
    is_error, text = await mcp_call(devcluster, "namespaces_list", {})
    assert is_error and "the server is currently unable to handle the request" in text
    devcluster.faults.set(discovery=True)
    assert httpx.get(devcluster.url + "/api").status_code == 503


def test_dropped_connection_cuts_kubectl_mid_response(devcluster: DevCluster) -> None:
    devcluster.faults.set(drop_rate=1.0, only_paths="/pods")
    result = kubectl(devcluster, "get", "pods", "-n", "boutique")
    assert result.returncode == 1
    assert "unexpected EOF" in result.stderr
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{devcluster.url}/api/v1/namespaces/boutique/pods")
    assert devcluster.faults.counters.drops == 2


def test_hung_request_waits_until_cleared(devcluster: DevCluster) -> None:
    devcluster.faults.set(hang=True, only_paths="/pods")
    result = kubectl(devcluster, "get", "pods", "-n", "boutique", "--request-timeout=1s")
    assert result.returncode == 1
    assert re.search(r"Client\.Timeout|context deadline exceeded|timeout", result.stderr), result.stderr
    answers: list[int] = []
    waiter = threading.Thread(
        target=lambda: answers.append(httpx.get(f"{devcluster.url}/api/v1/pods", timeout=30).status_code)
    )
    waiter.start()
    waiter.join(timeout=1.5)
    assert waiter.is_alive() and not answers
    devcluster.faults.clear()
    waiter.join(timeout=10)
    assert answers == [200]


# --- access review ---------------------------------------------------------------------------


async def test_denied_access_review_narrows_mcp_all_namespaces_list(devcluster: DevCluster) -> None:
    is_error, full = await mcp_call(devcluster, "pods_list", {})
    assert not is_error and "namespace: boutique" in full
    devcluster.access.deny("list", "pods", "")
    is_error, narrowed = await mcp_call(devcluster, "pods_list", {})
    assert not is_error
    namespaces = set(re.findall(r"^\s+namespace: (\S+)$", narrowed, re.M))
    assert namespaces == {"default"}
    denied = kubectl(devcluster, "get", "pods", "-A")
    assert "Forbidden" in denied.stderr


# --- the admin endpoint and run-time changes -------------------------------------------------


def test_admin_endpoint_sets_faults_and_changes_the_cluster(devcluster: DevCluster) -> None:
    admin = f"{devcluster.url}/_devcluster"
    set_ = httpx.post(
        f"{admin}/faults", json={"error_rate": 1, "error_codes": [500], "only_paths": "/services"}
    )
    assert set_.status_code == 200 and set_.json()["error_rate"] == 1.0
    assert "InternalError" in kubectl(devcluster, "get", "svc", "-n", "boutique").stderr
    assert httpx.get(f"{admin}/faults").json()["counters"]["errors"] == {"500": 1}
    assert httpx.delete(f"{admin}/faults").json()["error_rate"] == 0.0
    assert kubectl(devcluster, "get", "svc", "-n", "boutique").returncode == 0
    bad = httpx.post(f"{admin}/faults", json={"error_rate": 2})
    assert bad.status_code == 400 and "error_rate 2" in bad.json()["message"]

    assert httpx.post(
        f"{admin}/changes",
        json={
            "op": "scale",
            "kind": "deployment",
            "namespace": "boutique",
            "name": "frontend",
            "replicas": 3,
        },
    ).json()["ok"]
    pods = kubectl(devcluster, "get", "pods", "-n", "boutique", "-l", "app=frontend", "--no-headers")
    assert len(pods.stdout.splitlines()) == 3
    assert httpx.post(f"{admin}/changes", json={"op": "add_namespace", "name": "team-a"}).json()["ok"]
    assert kubectl(devcluster, "get", "ns", "team-a").returncode == 0
    assert httpx.post(
        f"{admin}/changes",
        json={"op": "delete", "kind": "service", "namespace": "boutique", "name": "frontend"},
    ).json()["ok"]
    assert "NotFound" in kubectl(devcluster, "get", "svc", "frontend", "-n", "boutique").stderr
    missing = httpx.post(
        f"{admin}/changes", json={"op": "delete", "kind": "service", "namespace": "boutique", "name": "nope"}
    )
    assert missing.status_code == 400 and "nope" in missing.json()["message"]
    assert httpx.post(f"{admin}/changes", json={"op": "deny", "verb": "list", "resource": "pods"}).json()[
        "ok"
    ]
    assert not devcluster.access.allowed("list", "pods", "")
    assert httpx.post(f"{admin}/changes", json={"op": "allow_all"}).json()["ok"]
    assert devcluster.access.allowed("list", "pods", "")


async def test_admin_endpoint_answers_only_loopback_clients(devcluster: DevCluster) -> None:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    def request(client: str) -> Request:
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/_devcluster/faults",
            "query_string": b"",
            "headers": [],
            "client": (client, 40000),
        }
        return Request(scope, receive)

    admin = Admin(devcluster)
    remote = await admin.hook(request("10.1.2.3"))
    assert remote is not None and remote.status_code == 404
    local = await admin.hook(request("127.0.0.1"))
    assert local is not None and local.status_code == 200


# --- the command line ------------------------------------------------------------------------


def test_serve_flags_set_faults_at_start_on_a_generated_cluster(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kc.yaml"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devcluster",
            "serve",
            "--generate",
            "pods=120,namespaces=3,nodes=4",
            "--kubeconfig-out",
            str(kubeconfig),
            "--error-rate",
            "1",
            "--error-codes",
            "503",
            "--fault-paths",
            "/pods",
            "--latency",
            "0.1-0.2",
            "--deny-access",
            "list:secrets",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip().rsplit(" ", 1)[1]
        proc.stdout.readline()
        base = [str(KUBECTL), "--kubeconfig", str(kubeconfig)]

        def run(*a: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*base, *a], capture_output=True, text=True, timeout=60)

        assert "ServiceUnavailable" in run("get", "pods", "-A").stderr
        assert len(run("get", "deploy", "-A", "--no-headers").stdout.splitlines()) == 12
        assert "Forbidden" in run("get", "secrets", "-A").stderr
        faults = httpx.get(f"{url}/_devcluster/faults").json()
        assert faults["latency"] == [0.1, 0.2] and faults["error_codes"] == [503]
    finally:
        proc.terminate()
        assert proc.wait(timeout=15) == 0


def test_serve_rejects_bad_fault_flags(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "devcluster", "serve", "--error-codes", "418"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "error codes '418'" in proc.stderr
