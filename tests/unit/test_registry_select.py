import json
from pathlib import Path
from typing import Any

import pytest

from kcache.errors import ToolSelectionError
from kcache.registry import OPERATIONS, ToolCapability, build_args, classify_all, select_tools
from kcache.registry.capability import READ_OPERATIONS

DATA = Path(__file__).parent / "data" / "mcp-tools"
KMS = "kubernetes-mcp-server-0.0.67.json"
KMS_ALL = "kubernetes-mcp-server-0.0.67-all-toolsets.json"
MSK = "mcp-server-kubernetes-4.1.7.json"
K8S = "k8s-mcp-2026.5.27.147.json"
K8S_ALL = "k8s-mcp-2026.5.27.147-all-modules.json"
ALL = [KMS, KMS_ALL, MSK, K8S, K8S_ALL]


def caps(file: str) -> list[ToolCapability]:
    return classify_all(json.loads((DATA / file).read_text())["tools"])


def best(file: str, resource: str, operation: str, **kw: Any) -> tuple[str, dict[str, Any]] | None:
    found = select_tools(caps(file), resource=resource, operation=operation, **kw)
    return (found[0].tool.name, found[0].fixed_args) if found else None


POD_V1 = {"apiVersion": "v1", "kind": "Pod"}
DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment"}

CASES = [
    # kubernetes-mcp-server, default and all toolsets alike
    *[(f, "pod", "list", {"namespaced": True}, ("pods_list_in_namespace", {})) for f in (KMS, KMS_ALL)],
    (KMS, "pod", "list", {"all_namespaces": True}, ("pods_list", {})),
    (KMS, "pods", "list", {"namespaced": True, "has_label_selector": True}, ("pods_list_in_namespace", {})),
    (KMS, "pod", "get", {"namespaced": True}, ("pods_get", {})),
    (KMS, "pod", "logs", {"namespaced": True}, ("pods_log", {})),
    (KMS_ALL, "pod", "logs", {"namespaced": True}, ("pods_log", {})),
    (KMS, "node", "top", {}, ("nodes_top", {})),
    (KMS, "pod", "top", {"namespaced": True}, ("pods_top", {})),
    (KMS, "deployment", "list", {"namespaced": True}, ("resources_list", DEPLOY)),
    (KMS, "deployment", "get", {"namespaced": True}, ("resources_get", DEPLOY)),
    (KMS, "node", "list", {}, ("resources_list", {"apiVersion": "v1", "kind": "Node"})),
    (KMS, "deployment", "scale", {"namespaced": True}, ("resources_scale", DEPLOY)),
    (KMS, "pod", "delete", {"namespaced": True}, ("pods_delete", {})),
    (
        KMS,
        "service",
        "delete",
        {"namespaced": True},
        ("resources_delete", {"apiVersion": "v1", "kind": "Service"}),
    ),
    (KMS, "event", "list", {"namespaced": True}, ("events_list", {})),
    (KMS, "namespace", "list", {}, ("namespaces_list", {})),
    (KMS, "pod", "exec", {"namespaced": True}, ("pods_exec", {})),
    (KMS, "pod", "run", {"namespaced": True}, ("pods_run", {})),
    (KMS, "deployment", "apply", {}, ("resources_create_or_update", {})),
    (KMS, "deployment", "describe", {"namespaced": True}, None),
    # mcp-server-kubernetes: generic tools with resourceType
    (MSK, "pod", "list", {"namespaced": True}, ("kubectl_get", {"resourceType": "pods", "output": "json"})),
    (
        MSK,
        "deployment",
        "list",
        {"all_namespaces": True},
        ("kubectl_get", {"resourceType": "deployments", "output": "json"}),
    ),
    (
        MSK,
        "deployment",
        "get",
        {"namespaced": True},
        ("kubectl_get", {"resourceType": "deployments", "output": "json"}),
    ),
    (
        MSK,
        "deployment",
        "describe",
        {"namespaced": True},
        ("kubectl_describe", {"resourceType": "deployments"}),
    ),
    (MSK, "pod", "logs", {"namespaced": True}, ("kubectl_logs", {"resourceType": "pod"})),
    (MSK, "deployment", "scale", {"namespaced": True}, ("kubectl_scale", {"resourceType": "deployments"})),
    (MSK, "pod", "delete", {"namespaced": True}, ("kubectl_delete", {"resourceType": "pods"})),
    # kubectl_rollout requires subCommand, which no canonical parameter fills.
    (MSK, "deployment", "rollout", {"namespaced": True}, None),
    (MSK, "pod", "exec", {"namespaced": True}, ("exec_in_pod", {})),
    (MSK, "node", "top", {}, None),
    (MSK, "service", "logs", {"namespaced": True}, None),
    # k8s-mcp, default modules: no pod tools at all
    (K8S, "node", "list", {}, ("get_nodes", {})),
    (K8S, "service", "list", {"namespaced": True}, ("get_services", {})),
    (K8S, "event", "list", {"all_namespaces": True}, ("get_events", {})),
    (K8S, "pod", "top", {"namespaced": True}, ("get_resource_usage", {})),
    (K8S, "pod", "list", {"namespaced": True}, None),
    (K8S, "deployment", "scale", {"namespaced": True}, None),
    # k8s-mcp, every module (283 tools)
    (K8S_ALL, "pod", "list", {"namespaced": True}, ("get_pods", {})),
    (K8S_ALL, "pod", "list", {"all_namespaces": True}, ("get_pods", {})),
    (K8S_ALL, "node", "list", {}, ("get_nodes", {})),
    (K8S_ALL, "node", "top", {}, ("node_top", {})),
    (K8S_ALL, "pod", "logs", {"namespaced": True}, ("get_logs", {})),
    (K8S_ALL, "pod", "events", {"namespaced": True}, ("get_pod_events", {})),
    (K8S_ALL, "deployment", "list", {"namespaced": True}, ("get_deployments", {})),
    (K8S_ALL, "deployment", "scale", {"namespaced": True}, ("scale_deployment", {})),
    (K8S_ALL, "deployment", "rollout", {"namespaced": True}, ("restart_deployment", {})),
    (K8S_ALL, "pod", "delete", {"namespaced": True}, ("delete_resource", {"resource_type": "pods"})),
    (
        K8S_ALL,
        "deployment",
        "describe",
        {"namespaced": True},
        ("kubectl_describe", {"resource_type": "deployments"}),
    ),
    (K8S_ALL, "persistentvolume", "list", {}, ("get_persistent_volumes", {})),
    (K8S_ALL, "cluster", "version", {}, ("get_cluster_version", {})),
    (K8S_ALL, "pod", "list", {"namespaced": True, "has_label_selector": True}, None),
]


@pytest.mark.parametrize(("file", "resource", "operation", "kw", "expected"), CASES)
def test_best_tool(file: str, resource: str, operation: str, kw: dict[str, Any], expected: Any) -> None:
    assert best(file, resource, operation, **kw) == expected


def test_specific_tools_rank_above_generic_ones() -> None:
    found = select_tools(caps(KMS), resource="pod", operation="list", namespaced=True)
    assert [s.tool.name for s in found] == ["pods_list_in_namespace", "resources_list"]
    assert found[0].score > found[1].score
    assert found[1].fixed_args == POD_V1
    assert "generic" in found[1].reason
    deletes = select_tools(caps(KMS), resource="pod", operation="delete")
    assert [s.tool.name for s in deletes] == ["pods_delete", "resources_delete"]


def test_qualified_tools_rank_below_plain_ones() -> None:
    names = [s.tool.name for s in select_tools(caps(K8S_ALL), resource="pod", operation="list")]
    assert names.index("get_pods") < names.index("get_evicted_pods")
    nodes = [s.tool.name for s in select_tools(caps(K8S_ALL), resource="node", operation="list", limit=10)]
    assert "cilium_list_nodes" not in nodes and "kind_get_nodes" not in nodes


@pytest.mark.parametrize("file", ALL)
def test_reads_never_get_writers_and_writes_never_get_readers(file: str) -> None:
    registry = caps(file)
    for kind in ("pod", "deployment", "node", "service", "event", "cluster"):
        for op in OPERATIONS:
            for sel in select_tools(registry, resource=kind, operation=op, namespaced=True, limit=50):
                assert sel.tool.writes is (op not in READ_OPERATIONS), (kind, op, sel.tool.name)
                assert op in sel.tool.operation_types


def test_limit_and_bad_requests() -> None:
    assert len(select_tools(caps(KMS), resource="pod", operation="list", limit=1)) == 1
    with pytest.raises(ToolSelectionError, match="widget"):
        select_tools(caps(KMS), resource="widget", operation="list")
    with pytest.raises(ToolSelectionError, match="fly"):
        select_tools(caps(KMS), resource="pod", operation="fly")


def first(file: str, resource: str, operation: str, **kw: Any):
    found = select_tools(caps(file), resource=resource, operation=operation, **kw)
    assert found
    return found[0]


def test_build_args_scale_and_kind() -> None:
    sel = first(KMS, "deployment", "scale", namespaced=True)
    args = build_args(sel, {"name": "web", "namespace": "shop", "replicas": "3"})
    assert args == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "web",
        "namespace": "shop",
        "scale": 3,
    }


def test_build_args_tail_names_and_types() -> None:
    kms = build_args(
        first(KMS, "pod", "logs", namespaced=True),
        {"name": "p", "namespace": "n", "tail": "50", "previous": "true"},
    )
    assert kms == {"name": "p", "namespace": "n", "tail": 50, "previous": True}
    msk = build_args(first(MSK, "pod", "logs", namespaced=True), {"name": "p", "namespace": "n", "tail": 20})
    assert msk == {"resourceType": "pod", "name": "p", "namespace": "n", "tail": 20}
    k8s = build_args(
        first(K8S_ALL, "pod", "logs", namespaced=True), {"name": "p", "namespace": "n", "tail": 5}
    )
    assert k8s == {"pod_name": "p", "namespace": "n", "tail": 5}


def test_build_args_selectors_and_namespaces() -> None:
    sel = first(KMS, "pod", "list", namespaced=True, has_label_selector=True)
    assert build_args(sel, {"namespace": "n", "label_selector": "app=web", "container": None}) == {
        "namespace": "n",
        "labelSelector": "app=web",
    }
    msk = first(MSK, "pod", "list", all_namespaces=True)
    assert build_args(msk, {"all_namespaces": True, "label_selector": "a=b"}) == {
        "resourceType": "pods",
        "output": "json",
        "allNamespaces": True,
        "labelSelector": "a=b",
    }
    # resources_list spans all namespaces when the namespace is left out.
    generic = select_tools(caps(KMS), resource="service", operation="list", all_namespaces=True)[0]
    assert build_args(generic, {"all_namespaces": True, "namespace": "ignored"}) == {
        "apiVersion": "v1",
        "kind": "Service",
    }
    # pods_top counts every namespace by default: a namespace alone must switch that off.
    top = first(KMS, "pod", "top", namespaced=True)
    assert build_args(top, {"namespace": "n"}) == {"namespace": "n", "all_namespaces": False}


def test_build_args_refuses_what_the_tool_cannot_do() -> None:
    pods_list = first(KMS, "pod", "list", all_namespaces=True)
    with pytest.raises(ToolSelectionError, match="namespace"):
        build_args(pods_list, {"namespace": "n"})
    with pytest.raises(ToolSelectionError, match="bogus"):
        build_args(pods_list, {"bogus": 1})
    scale = first(KMS, "deployment", "scale")
    with pytest.raises(ToolSelectionError, match="name"):
        build_args(scale, {"replicas": 2})
    with pytest.raises(ToolSelectionError, match="scale"):
        build_args(scale, {"name": "w", "replicas": "three"})
    exec_sel = first(KMS, "pod", "exec")
    assert build_args(exec_sel, {"name": "p", "command": "ls -la /"})["command"] == ["ls", "-la", "/"]
