import json
from pathlib import Path

import pytest

from kcache.errors import McpUnavailableError, StoreError
from kcache.registry import OPERATIONS, ToolCapability, classify, classify_all

DATA = Path(__file__).parent / "data" / "mcp-tools"
COUNTS = {
    "kubernetes-mcp-server-0.0.67.json": 20,
    "kubernetes-mcp-server-0.0.67-all-toolsets.json": 51,
    "mcp-server-kubernetes-4.1.7.json": 23,
    "k8s-mcp-2026.5.27.147.json": 12,
    "k8s-mcp-2026.5.27.147-all-modules.json": 283,
}


def load(file: str) -> dict[str, ToolCapability]:
    tools = json.loads((DATA / file).read_text())["tools"]
    return {c.name: c for c in classify_all(tools)}


@pytest.mark.parametrize("file", sorted(COUNTS))
def test_every_fixture_list_classifies(file: str) -> None:
    caps = load(file)
    assert len(caps) == COUNTS[file]
    for cap in caps.values():
        assert cap.operation_types and set(cap.operation_types) <= set(OPERATIONS)
        assert cap.read_only is not cap.writes
        assert not cap.destructive or cap.writes
        assert not (cap.cache_friendly and cap.writes)
        assert set(cap.param_map) <= set(cap.params)


@pytest.mark.parametrize("file", sorted(COUNTS))
def test_annotated_write_tools_are_never_read_only(file: str) -> None:
    tools = json.loads((DATA / file).read_text())["tools"]
    for tool in tools:
        hints = tool.get("annotations") or {}
        cap = classify(tool)
        if hints.get("readOnlyHint") is False or hints.get("destructiveHint") is True:
            assert cap.writes, tool["name"]
        if hints.get("destructiveHint") is True:
            assert cap.destructive, tool["name"]


def test_kubernetes_mcp_server_default_tools() -> None:
    caps = load("kubernetes-mcp-server-0.0.67.json")
    run = caps["pods_run"]
    assert (run.writes, run.destructive, run.operation_types) == (True, False, ("run",))
    assert caps["pods_list_in_namespace"].resource_types == ("pod",)
    assert caps["pods_list_in_namespace"].scope == "namespace"
    assert caps["pods_list"].scope == "cluster"
    assert caps["pods_top"].all_namespaces_param == "all_namespaces"
    assert caps["pods_log"].param_map["tail"] == "tail"
    assert caps["nodes_log"].param_map["tailLines"] == "tail"
    for name in ("resources_list", "resources_get", "resources_delete", "resources_scale"):
        assert caps[name].resource_types == ("*",)
        assert caps[name].param_map["apiVersion"] == "api_version"
        assert caps[name].param_map["kind"] == "kind"
    assert caps["resources_scale"].param_map["scale"] == "replicas"
    assert caps["resources_scale"].destructive
    assert caps["resources_list"].cache_friendly and caps["pods_get"].cache_friendly
    assert not caps["pods_log"].cache_friendly and caps["pods_log"].output_format == "text"
    assert caps["configuration_view"].resource_types == ("cluster",)


def test_mcp_server_kubernetes_generic_tools() -> None:
    caps = load("mcp-server-kubernetes-4.1.7.json")
    get = caps["kubectl_get"]
    assert get.resource_types == ("*",)
    assert set(get.operation_types) == {"list", "get"}
    assert get.fixed_args == {"output": "json"} and get.output_format == "json"
    assert get.all_namespaces_param == "allNamespaces"
    assert get.param_map["labelSelector"] == "label_selector"
    for name in ("kubectl_describe", "kubectl_delete", "kubectl_scale"):
        assert caps[name].resource_types == ("*",)
    assert caps["kubectl_logs"].resource_types == ("pod", "deployment", "job", "cronjob")
    # No annotations at all: creating is a write, not a destructive one.
    assert caps["kubectl_create"].writes and not caps["kubectl_create"].destructive
    assert caps["kubectl_generic"].operation_types == ("other",)


def test_k8s_mcp_tools() -> None:
    caps = load("k8s-mcp-2026.5.27.147-all-modules.json")
    assert caps["get_pods"].resource_types == ("pod",)
    assert caps["get_pods"].operation_types == ("list",)
    assert caps["get_pods"].scope == "any"
    assert caps["get_logs"].param_map["pod_name"] == "name"
    assert caps["get_pod_events"].operation_types == ("events",)
    # Annotated not destructive, but scaling down removes pods.
    assert caps["scale_deployment"].destructive
    assert not caps["get_evicted_pods"].cache_friendly
    # Add-on objects that share a kind's word are not that kind.
    assert caps["cilium_list_nodes"].resource_types == ()
    assert caps["kind_get_nodes"].resource_types == ()
    assert caps["get_cluster_version"].resource_types == ("cluster",)


def test_unannotated_tools_are_inferred_from_words() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    delete = classify({"name": "removeSecret", "description": "Remove a secret", "inputSchema": schema})
    assert delete.resource_types == ("secret",)
    assert (delete.operation_types, delete.writes, delete.destructive) == (("delete",), True, True)
    read = classify({"name": "describeService", "description": "", "inputSchema": schema})
    assert (read.operation_types, read.writes) == (("describe",), False)
    unknown = classify({"name": "frobnicate", "description": "Does a thing", "inputSchema": {}})
    assert unknown.writes and unknown.operation_types == ("other",)


@pytest.mark.parametrize("file", sorted(COUNTS))
def test_rows_round_trip(file: str) -> None:
    for cap in load(file).values():
        row = cap.to_row()
        assert all(v is None or isinstance(v, str | int) for v in row.values())
        assert ToolCapability.from_row(row) == cap


def test_bad_row_is_a_store_error() -> None:
    row = load("kubernetes-mcp-server-0.0.67.json")["pods_get"].to_row()
    row["operation_types"] = '["list", "fly"]'
    with pytest.raises(StoreError, match="pods_get"):
        ToolCapability.from_row(row)
    del row["scope"]
    with pytest.raises(StoreError, match="scope"):
        ToolCapability.from_row(row)


def test_empty_or_broken_tool_lists_fail() -> None:
    with pytest.raises(McpUnavailableError, match="no tools"):
        classify_all([])
    with pytest.raises(McpUnavailableError, match="without a name"):
        classify_all([{"description": "x"}])
    tool = {"name": "pods_get", "inputSchema": {}}
    with pytest.raises(McpUnavailableError, match="more than once"):
        classify_all([tool, tool])
