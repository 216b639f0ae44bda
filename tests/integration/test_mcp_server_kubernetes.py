"""mcp-server-kubernetes 4.1.7 (npm; it shells out to kubectl) reading devcluster's demo cluster."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from devcluster import DevCluster

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "node_modules" / ".bin" / "mcp-server-kubernetes"


async def _call(dc: DevCluster, calls: list[tuple[str, dict[str, Any]]]) -> list[str]:
    env = dict(os.environ)
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"  # its kubectl
    env["KUBECONFIG"] = str(dc.kubeconfig)
    params = StdioServerParameters(command=str(SERVER), args=[], env=env)
    texts: list[str] = []
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        for tool, args in calls:
            result = await session.call_tool(tool, args)
            text = "".join(getattr(block, "text", "") for block in result.content)
            assert not result.isError, f"{tool}: {text}"
            texts.append(text)
    return texts


async def test_read_tools(devcluster_demo: DevCluster) -> None:
    dc = devcluster_demo
    crashing = next(
        p for p in dc.list("pod", "boutique-staging") if p["metadata"]["name"].startswith("cartservice-")
    )
    name = crashing["metadata"]["name"]
    get, describe, logs, resources = await _call(
        dc,
        [
            ("kubectl_get", {"resourceType": "pods", "namespace": "boutique", "output": "json"}),
            ("kubectl_describe", {"resourceType": "pod", "name": name, "namespace": "boutique-staging"}),
            (
                "kubectl_logs",
                {"resourceType": "pod", "name": name, "namespace": "boutique-staging", "tail": 5},
            ),
            ("list_api_resources", {}),
        ],
    )
    listed = json.loads(get)
    items = listed["items"] if "items" in listed else listed
    assert {i["name"] for i in items} == {p["metadata"]["name"] for p in dc.list("pod", "boutique")}
    assert "CrashLoopBackOff" in describe and "Back-off restarting failed container" in describe
    log = json.loads(logs)
    assert log["name"] == name and len(log["logs"].splitlines()) == 5
    assert "connection refused" in log["logs"]  # the crash-looping container's last words
    assert any(line.split()[:2] == ["deployments", "deploy"] for line in resources.splitlines())
