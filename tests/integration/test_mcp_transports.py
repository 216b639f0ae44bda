"""The MCP server over streamable HTTP and SSE, not only stdio."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devcluster import DevCluster
from kcache import runtime
from kcache.settings import PROJECT_ROOT, Settings
from tests.conftest import kcache_env

pytestmark = pytest.mark.integration
BINARY = (
    PROJECT_ROOT
    / "node_modules"
    / "kubernetes-mcp-server-linux-amd64"
    / "bin"
    / "kubernetes-mcp-server-linux-amd64"
)
SCRIPT = Path(__file__).resolve().parents[1] / "support" / "misbehaving_mcp.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serving(cmd: list[str], url: str) -> Iterator[str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            # Ready once the response starts: an SSE endpoint sends its headers and then
            # streams forever, so waiting for the whole body would wait out the deadline.
            try:
                with httpx.stream("GET", url, timeout=0.5):
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def http_server(devcluster: DevCluster) -> Iterator[str]:
    port = free_port()
    cmd = [
        str(BINARY),
        "--port",
        str(port),
        "--bind-address",
        "127.0.0.1",
        "--list-output",
        "yaml",
        "--kubeconfig",
        str(devcluster.kubeconfig),
    ]
    yield from serving(cmd, f"http://127.0.0.1:{port}/mcp")


@pytest.fixture
def sse_server() -> Iterator[str]:
    port = free_port()
    yield from serving([sys.executable, str(SCRIPT), "sse", str(port)], f"http://127.0.0.1:{port}/sse")


async def test_streamable_http(http_server: str, devcluster: DevCluster, tmp_path: Path) -> None:
    env = kcache_env(devcluster, tmp_path, MCP_SERVER_TYPE="streamable_http", MCP_SERVER_URL=http_server)
    async with runtime.open(Settings.from_env(env)) as kc:
        assert len(kc.registry.caps) == 20
        result = await kc.call("namespaces_list", {})
        assert "boutique-staging" in result.text and not result.is_error


async def test_sse(sse_server: str, devcluster: DevCluster, tmp_path: Path) -> None:
    env = kcache_env(devcluster, tmp_path, MCP_SERVER_TYPE="sse", MCP_SERVER_URL=sse_server)
    async with runtime.open(Settings.from_env(env)) as kc:
        assert set(kc.registry.caps) == {"namespaces_list", "nodes_list"}
        assert "default" in (await kc.call("namespaces_list", {})).text
