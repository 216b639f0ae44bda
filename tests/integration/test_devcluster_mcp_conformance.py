"""kubernetes-mcp-server 0.0.67 (the real Go binary) against devcluster's demo cluster.

Every one of its 20 default tools is called in both ``--list-output`` modes; EXPECTED says
what each call must return.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from devcluster import DevCluster

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "node_modules/kubernetes-mcp-server-linux-amd64/bin/kubernetes-mcp-server-linux-amd64"

BOUTIQUE_APPS = {
    "adservice",
    "cartservice",
    "checkoutservice",
    "currencyservice",
    "emailservice",
    "frontend",
    "loadgenerator",
    "paymentservice",
    "productcatalogservice",
    "recommendationservice",
    "redis-cart",
    "shippingservice",
}
POD_NAME = re.compile(r"^([a-z-]+?)-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$")


def _pod_names(dc: DevCluster, ns: str) -> set[str]:
    return {p["metadata"]["name"] for p in dc.list("pod", ns)}


def _boutique_pods_in(text: str) -> set[str]:
    suffix = "[bcdfghjklmnpqrstvwxz2456789]"
    return set(re.findall(rf"\b([a-z-]+-{suffix}{{10}}-{suffix}{{5}})\b", text))


@dataclass
class Case:
    tool: str
    args: Callable[[DevCluster], dict[str, Any]]
    is_error: bool
    check: Callable[[DevCluster, str, str], None]  # (dc, text, mode)
    note: str


def _first(dc: DevCluster, ns: str, app: str) -> str:
    return next(
        p["metadata"]["name"] for p in dc.list("pod", ns) if p["metadata"]["labels"].get("app") == app
    )


def _check_pods_in_boutique(dc: DevCluster, text: str, mode: str) -> None:
    names = {n for n in _boutique_pods_in(text)}
    assert names == _pod_names(dc, "boutique")
    assert {POD_NAME.match(n).group(1) for n in names} == BOUTIQUE_APPS  # type: ignore[union-attr]
    if mode == "table":
        assert text.splitlines()[0].split()[:12] == [
            "NAMESPACE",
            "APIVERSION",
            "KIND",
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED",
            "NODE",
        ]
        assert re.search(r"loadgenerator-\S+\s+0/1\s+Pending", text)


def _check_scale(dc: DevCluster, text: str, mode: str) -> None:
    assert "replicas: 3" in text
    frontends = [p for p in dc.list("pod", "boutique") if p["metadata"]["labels"]["app"] == "frontend"]
    assert len(frontends) == 3


EXPECTED: list[Case] = [
    Case(
        "configuration_view",
        lambda dc: {},
        False,
        lambda dc, t, m: (dc.url in t and "current-context: devcluster" in t) or pytest.fail(t),
        "the written kubeconfig, server URL and current-context",
    ),
    Case(
        "namespaces_list",
        lambda dc: {},
        False,
        lambda dc, t, m: (
            [n in t for n in ("boutique-staging", "ingress-nginx", "kube-system")] == [True] * 3
            and "kube-public" not in t
            or pytest.fail(t)
        ),
        "the 5 declared namespaces, no kube-public",
    ),
    Case(
        "pods_list",
        lambda dc: {},
        False,
        lambda dc, t, m: (
            (len(re.findall(r"kube-proxy-\w{5}\b", t)) == 3 and "legacy-report-runner" in t) or pytest.fail(t)
        ),
        "all pods, one kube-proxy per node (control plane tolerated)",
    ),
    Case(
        "pods_list_in_namespace",
        lambda dc: {"namespace": "boutique"},
        False,
        _check_pods_in_boutique,
        "exactly the 12 Online Boutique pods, loadgenerator Pending",
    ),
    Case(
        "pods_list_in_namespace",
        lambda dc: {"namespace": "boutique-staging", "labelSelector": "app=cartservice"},
        False,
        lambda dc, t, m: (
            ("CrashLoopBackOff" in t if m == "table" else "CrashLoopBackOff" in t and "restartCount: 7" in t)
            and "frontend" not in t
            or pytest.fail(t)
        ),
        "label selector narrows to the crash-looping cartservice",
    ),
    Case(
        "pods_get",
        lambda dc: {"namespace": "boutique", "name": "nope"},
        True,
        lambda dc, t, m: (
            t == 'failed to get pod nope in namespace boutique: pods "nope" not found' or pytest.fail(t)
        ),
        "NotFound Status message",
    ),
    Case(
        "pods_get",
        lambda dc: {
            "namespace": "boutique-staging",
            "name": _first(dc, "boutique-staging", "productcatalogservice"),
        },
        False,
        lambda dc, t, m: ("reason: ImagePullBackOff" in t and "kcache.dev" not in t) or pytest.fail(t),
        "simulated image pull failure, no hidden annotation",
    ),
    Case(
        "events_list",
        lambda dc: {"namespace": "boutique-staging"},
        False,
        lambda dc, t, m: (
            all(
                s in t
                for s in (
                    "Reason: BackOff",
                    "Reason: Failed",
                    "Error: ImagePullBackOff",
                    "Back-off restarting",
                )
            )
            or pytest.fail(t)
        ),
        "BackOff and Failed events of the two failing workloads",
    ),
    Case(
        "nodes_log",
        lambda dc: {"name": "demo-worker-1", "query": "kubelet"},
        False,
        lambda dc, t, m: ("demo-worker-1 kubelet[" in t) or pytest.fail(t),
        "kubelet journal",
    ),
    Case(
        "nodes_stats_summary",
        lambda dc: {"name": "demo-worker-1"},
        False,
        lambda dc, t, m: (
            ('"nodeName": "demo-worker-1"' in t or '"nodeName":"demo-worker-1"' in t)
            and "usageNanoCores" in t
            or pytest.fail(t)
        ),
        "kubelet stats summary JSON",
    ),
    Case(
        "nodes_top",
        lambda dc: {},
        False,
        lambda dc, t, m: (
            all(n in t for n in ("demo-control-plane", "demo-worker-1", "demo-worker-2", "CPU(cores)"))
            or pytest.fail(t)
        ),
        "usage for the 3 nodes",
    ),
    Case(
        "pods_top",
        lambda dc: {"namespace": "boutique", "all_namespaces": False},
        False,
        lambda dc, t, m: ("frontend-" in t and "loadgenerator" not in t) or pytest.fail(t),
        "usage for running boutique pods (the Pending one has no metrics)",
    ),
    Case(
        "pods_log",
        lambda dc: {
            "namespace": "boutique-staging",
            "name": _first(dc, "boutique-staging", "cartservice"),
            "tail": 2,
        },
        False,
        lambda dc, t, m: (len(t.strip().splitlines()) == 2 and "exiting" in t) or pytest.fail(t),
        "last 2 lines of the crashing container",
    ),
    Case(
        "pods_exec",
        lambda dc: {"namespace": "boutique", "name": _first(dc, "boutique", "frontend"), "command": ["ls"]},
        True,
        lambda dc, t, m: "exec is not supported by devcluster" in t or pytest.fail(t),
        "exec is documented as unsupported",
    ),
    Case(
        "projects_list",
        lambda dc: {},
        True,
        lambda dc, t, m: (
            'no matches for kind "Project" in version "project.openshift.io/v1"' in t or pytest.fail(t)
        ),
        "fails as on any non-OpenShift cluster",
    ),
    Case(
        "resources_list",
        lambda dc: {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "boutique-staging"},
        False,
        lambda dc, t, m: (
            (
                all(d in t for d in ("cartservice", "frontend", "redis-cart", "productcatalogservice"))
                and (m != "table" or re.search(r"cartservice\s+0/1", t) is not None)
            )
            or pytest.fail(t)
        ),
        "4 staging Deployments, cartservice 0/1 ready",
    ),
    Case(
        "resources_get",
        lambda dc: {"apiVersion": "v1", "kind": "Secret", "namespace": "boutique", "name": "redis-password"},
        False,
        lambda dc, t, m: ("password: Q0FOQVJZ" in t and "stringData" not in t) or pytest.fail(t),
        "secret served base64 in data, as kube-apiserver does",
    ),
    Case(
        "resources_scale",
        lambda dc: {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "namespace": "boutique",
            "name": "frontend",
            "scale": 3,
        },
        False,
        _check_scale,
        "scale to 3 gives 3 frontend pods",
    ),
    Case(
        "resources_create_or_update",
        lambda dc: {
            "resource": (
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conformance\n  namespace: default\n"
                "data:\n  key: value\n"
            )
        },
        False,
        lambda dc, t, m: (
            (
                "name: conformance" in t
                and any(c["metadata"]["name"] == "conformance" for c in dc.list("configmap", "default"))
            )
            or pytest.fail(t)
        ),
        "server-side apply creates the ConfigMap",
    ),
    Case(
        "resources_delete",
        lambda dc: {"apiVersion": "v1", "kind": "ConfigMap", "namespace": "default", "name": "conformance"},
        False,
        lambda dc, t, m: (
            (not any(c["metadata"]["name"] == "conformance" for c in dc.list("configmap", "default")))
            or pytest.fail(t)
        ),
        "the ConfigMap is gone",
    ),
    Case(
        "pods_run",
        lambda dc: {"namespace": "default", "image": "nginx:1.27", "name": "conformance-web"},
        False,
        lambda dc, t, m: (
            (
                any(
                    p["metadata"]["name"] == "conformance-web" and p["status"]["phase"] == "Running"
                    for p in dc.list("pod", "default")
                )
            )
            or pytest.fail(t)
        ),
        "a standalone Pod is scheduled and Running",
    ),
]


async def _run(dc: DevCluster, mode: str) -> None:
    assert dc.kubeconfig is not None
    params = StdioServerParameters(
        command=str(BINARY), args=["--kubeconfig", str(dc.kubeconfig), "--list-output", mode]
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = {t.name for t in (await session.list_tools()).tools}
        assert len(tools) == 20
        assert tools | {"pods_delete"} == {c.tool for c in EXPECTED} | {"pods_delete"}
        for case in EXPECTED:
            result = await session.call_tool(case.tool, case.args(dc))
            text = "".join(getattr(c, "text", "") for c in result.content)
            assert bool(result.isError) == case.is_error, (case.tool, case.note, text)
            case.check(dc, text, mode)
        victim = _first(dc, "boutique", "cartservice")
        result = await session.call_tool("pods_delete", {"namespace": "boutique", "name": victim})
        assert not result.isError
        replacements = [
            p["metadata"]["name"]
            for p in dc.list("pod", "boutique")
            if p["metadata"]["labels"]["app"] == "cartservice"
        ]
        assert len(replacements) == 1 and replacements[0] != victim


@pytest.mark.skipif(not BINARY.exists(), reason="kubernetes-mcp-server npm package not installed")
@pytest.mark.parametrize("mode", ["table", "yaml"])
async def test_every_default_tool(devcluster: DevCluster, mode: str) -> None:
    await _run(devcluster, mode)
