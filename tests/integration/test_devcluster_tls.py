"""devcluster with TLS and a required bearer token: kubectl, the Python client, kubernetes-mcp-server."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from kubernetes import client, config
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from devcluster import DevCluster

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
KUBECTL = ROOT / ".venv" / "bin" / "kubectl"
BINARY = ROOT / "node_modules/kubernetes-mcp-server-linux-amd64/bin/kubernetes-mcp-server-linux-amd64"
DEMO = ROOT / "devcluster" / "clusters" / "demo"


@pytest.fixture(scope="module")
def tls_dc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevCluster]:
    with DevCluster(DEMO, tls=True) as dc:
        dc.write_kubeconfig(tmp_path_factory.mktemp("tls") / "kubeconfig.yaml")
        yield dc


def test_kubeconfig_carries_ca_and_token(tls_dc: DevCluster) -> None:
    assert tls_dc.url.startswith("https://127.0.0.1:")
    kc = yaml.safe_load(Path(str(tls_dc.kubeconfig)).read_text())
    assert kc["clusters"][0]["cluster"]["certificate-authority-data"]
    assert tls_dc.tls is not None and kc["users"][0]["user"]["token"] == tls_dc.tls.token


def test_requests_without_the_token_get_401(tls_dc: DevCluster) -> None:
    assert tls_dc.tls is not None
    ca = str(tls_dc.tls.cert_file.parent / "ca.crt")
    with httpx.Client(base_url=tls_dc.url, verify=ca) as http:
        anonymous = http.get("/api/v1/pods")
        wrong = http.get("/version", headers={"Authorization": "Bearer nope"})
        ok = http.get("/api/v1/pods", headers={"Authorization": f"Bearer {tls_dc.tls.token}"})
        public = http.get("/version")
    for answer in (anonymous, wrong):
        assert answer.status_code == 401
        assert answer.json()["kind"] == "Status" and answer.json()["reason"] == "Unauthorized"
    assert len(ok.json()["items"]) == 25
    assert public.json()["gitVersion"] == "v1.31.4"
    with pytest.raises(httpx.ConnectError):  # the CA is self-signed: unknown to the default store
        httpx.get(f"{tls_dc.url}/version")


def test_kubectl_over_tls(tls_dc: DevCluster) -> None:
    out = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(tls_dc.kubeconfig), "get", "pods", "-n", "boutique", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["items"]) == 12
    denied = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(tls_dc.kubeconfig), "--token", "wrong", "get", "ns"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert denied.returncode == 1 and "Unauthorized" in denied.stderr


def test_python_client_over_tls(tls_dc: DevCluster) -> None:
    api = client.CoreV1Api(config.new_client_from_config(config_file=str(tls_dc.kubeconfig)))
    assert {n.metadata.name for n in api.list_node().items} == {
        "demo-control-plane",
        "demo-worker-1",
        "demo-worker-2",
    }


async def test_kubernetes_mcp_server_over_tls(tls_dc: DevCluster) -> None:
    params = StdioServerParameters(command=str(BINARY), args=["--kubeconfig", str(tls_dc.kubeconfig)])
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        result = await session.call_tool("pods_list_in_namespace", {"namespace": "boutique"})
    text = "".join(getattr(block, "text", "") for block in result.content)
    assert not result.isError, text
    assert {p["metadata"]["name"] for p in tls_dc.list("pod", "boutique")} <= set(text.split())


def test_cli_serves_tls(tmp_path: Path) -> None:
    kc = tmp_path / "kc.yaml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "devcluster", "serve", "--tls", "--kubeconfig-out", str(kc)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("devcluster serving https://127.0.0.1:")
        proc.stdout.readline()
        out = subprocess.run(
            [str(KUBECTL), "--kubeconfig", str(kc), "get", "nodes", "-o", "name"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.stdout.split() == ["node/demo-control-plane", "node/demo-worker-1", "node/demo-worker-2"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
