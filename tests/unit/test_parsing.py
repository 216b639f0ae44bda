"""Parsing of recorded MCP tool outputs and Kubernetes objects into cache records."""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kcache.errors import ParseError
from kcache.model import KINDS, Resource
from kcache.parsing import (
    canonical_kind,
    detect_tool_error,
    node_status,
    parse_list,
    parse_object,
    pod_status,
    to_resource,
)

OUTPUTS = Path(__file__).parent / "data" / "mcp-outputs"
REPO = Path(__file__).resolve().parents[2]
DEMO_CANDIDATES = (
    REPO / "devcluster" / "clusters" / "demo",
    Path("/work/shared/fixtures/clusters/demo"),
)


def recorded(name: str) -> tuple[str, dict[str, Any] | None]:
    """The tool's text and structuredContent from a recording, without its annotations."""
    raw = (OUTPUTS / name).read_text()
    text, _, structured = raw.partition("# structuredContent:\n")
    lines = text.split("\n")
    if lines and (lines[0].startswith("# call:") or lines[0] == "isError=true"):
        lines = lines[1:]
    return "\n".join(lines), json.loads(structured) if structured else None


def demo_objects() -> list[dict[str, Any]]:
    folder = next((path for path in DEMO_CANDIDATES if path.is_dir()), None)
    assert folder is not None, f"demo cluster folder not found in {DEMO_CANDIDATES}"
    objects: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.yaml")):
        objects += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return objects


def as_served(obj: dict[str, Any]) -> dict[str, Any]:
    """An object the way the API serves it: stringData folded into base64 data."""
    served = copy.deepcopy(obj)
    served.setdefault("metadata", {}).setdefault("namespace", "default")
    if served["kind"] == "Secret":
        string_data = served.pop("stringData", {})
        served["data"] = {
            key: base64.b64encode(str(value).encode()).decode() for key, value in string_data.items()
        }
    return served


def dump(records: list[Resource] | Resource) -> str:
    items = records if isinstance(records, list) else [records]
    return repr(items) + json.dumps([dataclasses.asdict(r) for r in items])


# --- recorded outputs --------------------------------------------------------------------

LIST_FIXTURES = [
    (
        "kubernetes-mcp-server-0.0.67__yaml__pods_list.txt",
        "pod",
        ["web-7d4b9c-abcde", "coredns-5d78c9869d-xyz12"],
    ),
    ("kubernetes-mcp-server-0.0.67__yaml__namespaces_list.txt", "namespace", ["default", "kube-system"]),
    ("kubernetes-mcp-server-0.0.67__yaml__resources_list_deploy.txt", "deployment", ["web"]),
    ("kubernetes-mcp-server-0.0.67__yaml__resources_list_node.txt", "node", ["node-1"]),
    (
        "kubernetes-mcp-server-0.0.67__table__pods_list.txt",
        "pod",
        ["web-7d4b9c-abcde", "coredns-5d78c9869d-xyz12"],
    ),
    ("kubernetes-mcp-server-0.0.67__table__pods_list_in_namespace.txt", "pod", ["coredns-5d78c9869d-xyz12"]),
    ("kubernetes-mcp-server-0.0.67__table__namespaces_list.txt", "namespace", ["default", "kube-system"]),
    (
        "kubernetes-mcp-server-0.0.67__table__resources_list_cm.txt",
        "configmap",
        ["web-config", "kube-root-ca.crt"],
    ),
    ("kubernetes-mcp-server-0.0.67__table__resources_list_deploy.txt", "deployment", ["web"]),
    ("kubernetes-mcp-server-0.0.67__table__resources_list_node.txt", "node", ["node-1"]),
    ("kubernetes-mcp-server-0.0.67__table__resources_list_svc.txt", "service", ["web", "kubernetes"]),
    ("kubernetes-mcp-server-0.0.67__events_list.txt", "event", None),
    ("mcp-server-kubernetes-4.1.7__get_pods.txt", "pod", ["web-7d4b9c-abcde", "coredns-5d78c9869d-xyz12"]),
    ("mcp-server-kubernetes-4.1.7__get_ns.txt", "namespace", ["default", "kube-system"]),
    ("mcp-server-kubernetes-4.1.7__get_events.txt", "event", None),
    ("k8s-mcp-2026.5.27.147__get_pods.txt", "pod", ["web-7d4b9c-abcde", "coredns-5d78c9869d-xyz12"]),
    ("k8s-mcp-2026.5.27.147__get_namespaces.txt", "namespace", ["default", "kube-system"]),
    ("k8s-mcp-2026.5.27.147__get_nodes.txt", "node", ["node-1"]),
    ("k8s-mcp-2026.5.27.147__get_deployments.txt", "deployment", ["web"]),
    ("k8s-mcp-2026.5.27.147__get_events.txt", "event", ["web-7d4b9c-abcde.17a"]),
]


@pytest.mark.parametrize(("name", "kind", "names"), LIST_FIXTURES, ids=[f[0] for f in LIST_FIXTURES])
def test_every_recorded_list_parses_to_its_names(name: str, kind: str, names: list[str] | None) -> None:
    text, structured = recorded(name)
    records = parse_list(text, kind=kind)
    assert all(r.kind == kind for r in records)
    if names is None:  # events served without a name get a stable synthetic one
        assert len(records) == 1
        assert records[0].name.startswith("web-7d4b9c-abcde.")
    else:
        assert [r.name for r in records] == names
    if structured is not None:
        assert [r.name for r in parse_list("", kind=kind, structured=structured)] == [r.name for r in records]


def test_yaml_pods_carry_the_full_pod_fields() -> None:
    text, _ = recorded("kubernetes-mcp-server-0.0.67__yaml__pods_list.txt")
    web = parse_list(text, kind="pod")[0]
    assert web.namespace == "default"
    assert web.labels == {"app": "web"}
    assert web.created_at == "2025-01-01T00:00:00Z"
    assert web.fields["status"] == "Running"
    assert web.fields["phase"] == "Running"
    assert web.fields["ready"] == "1/1"
    assert web.fields["restarts"] == 0
    assert web.fields["node_name"] == "node-1"
    assert web.fields["pod_ip"] == "10.0.0.5"
    assert web.fields["start_time"] == "2025-01-01T00:00:00Z"
    assert web.fields["containers"] == [
        {
            "name": "main",
            "image": "nginx:1.27",
            "ready": True,
            "restart_count": 0,
            "ports": [],
            "state": "running",
            "reason": None,
            "last_state_reason": None,
            "last_exit_code": None,
        }
    ]


def test_table_rows_fill_what_the_columns_hold() -> None:
    pods = parse_list(recorded("kubernetes-mcp-server-0.0.67__table__pods_list.txt")[0], kind="pod")
    coredns = pods[1]
    assert coredns.namespace == "kube-system"
    assert coredns.labels == {"k8s-app": "kube-dns"}
    assert coredns.fields == {
        "status": "Running",
        "ready": "1/1",
        "restarts": 0,
        "pod_ip": "10.0.0.5",
        "node_name": "node-1",
    }
    deploy = parse_list(
        recorded("kubernetes-mcp-server-0.0.67__table__resources_list_deploy.txt")[0], kind="deployment"
    )[0]
    assert deploy.fields["replicas"] == 1
    assert deploy.fields["ready_replicas"] == 1
    assert deploy.fields["selector"] == {"app": "web"}
    assert deploy.fields["containers"] == [{"name": "main", "image": "nginx:1.27"}]
    node = parse_list(
        recorded("kubernetes-mcp-server-0.0.67__table__resources_list_node.txt")[0], kind="node"
    )[0]
    assert node.namespace is None
    assert node.labels["node-role.kubernetes.io/control-plane"] == ""
    assert node.fields["roles"] == ["control-plane"]
    namespaces = parse_list(
        recorded("kubernetes-mcp-server-0.0.67__table__namespaces_list.txt")[0], kind="namespace"
    )
    assert [(n.namespace, n.fields["status"]) for n in namespaces] == [(None, "Active"), (None, "Active")]


def test_kubectl_table_without_namespace_column_and_with_restart_age() -> None:
    table = (
        "NAME                     READY   STATUS             RESTARTS      AGE\n"
        "cart-5f7d9c8b6d-x2k9p    0/1     CrashLoopBackOff   7 (2m ago)    20m\n"
        "web-1                    1/1     Running            0             1h\n"
    )
    records = parse_list(table, kind="pod")
    assert [(r.name, r.namespace, r.fields["status"], r.fields["restarts"]) for r in records] == [
        ("cart-5f7d9c8b6d-x2k9p", None, "CrashLoopBackOff", 7),
        ("web-1", None, "Running", 0),
    ]


def test_kubectl_service_and_storageclass_tables() -> None:
    services = (
        "NAME        TYPE           CLUSTER-IP    EXTERNAL-IP   PORT(S)                      AGE\n"
        "frontend    LoadBalancer   10.96.0.10    <pending>     80:30080/TCP,443:30443/TCP   1d\n"
        "redis       ClusterIP      10.96.0.11    <none>        6379/TCP                     1d\n"
    )
    frontend, redis = parse_list(services, kind="service")
    assert frontend.fields["type"] == "LoadBalancer"
    assert [(p["port"], p["node_port"], p["protocol"]) for p in frontend.fields["ports"]] == [
        (80, 30080, "TCP"),
        (443, 30443, "TCP"),
    ]
    assert "external_ip" not in redis.fields
    classes = (
        "NAME                 PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE      AGE\n"
        "standard (default)   rancher.io/local-path   Delete          WaitForFirstConsumer   1d\n"
        "fast-ssd             pd.csi.storage.gke.io   Retain          Immediate              1d\n"
    )
    standard, fast = parse_list(classes, kind="storageclass")
    assert (standard.name, standard.fields["is_default"]) == ("standard", True)
    assert (fast.name, fast.fields["is_default"], fast.fields["reclaim_policy"]) == (
        "fast-ssd",
        False,
        "Retain",
    )


def test_summaries_map_to_the_same_field_keys() -> None:
    pods = parse_list(recorded("k8s-mcp-2026.5.27.147__get_pods.txt")[0], kind="pod")
    assert pods[0].fields == {"status": "Running", "pod_ip": "10.0.0.5"}
    assert pods[1].namespace == "kube-system"
    node = parse_list(recorded("k8s-mcp-2026.5.27.147__get_nodes.txt")[0], kind="node")[0]
    assert node.fields == {"status": "Ready", "internal_ip": "192.0.2.10"}
    deploy = parse_list(recorded("k8s-mcp-2026.5.27.147__get_deployments.txt")[0], kind="deployment")[0]
    assert deploy.fields == {"replicas": 1, "ready_replicas": 1, "available_replicas": 1}
    namespaces = parse_list(recorded("mcp-server-kubernetes-4.1.7__get_ns.txt")[0], kind="namespace")
    assert [(n.namespace, n.fields["status"], n.created_at) for n in namespaces] == [
        (None, "Active", "2025-01-01T00:00:00Z")
    ] * 2


def test_events_from_every_server_shape() -> None:
    go_shape = parse_list(recorded("kubernetes-mcp-server-0.0.67__events_list.txt")[0], kind="event")[0]
    kubectl_shape = parse_list(recorded("mcp-server-kubernetes-4.1.7__get_events.txt")[0], kind="event")[0]
    k8s_mcp = parse_list(recorded("k8s-mcp-2026.5.27.147__get_events.txt")[0], kind="event")[0]
    for event in (go_shape, kubectl_shape):
        assert event.namespace == "default"
        assert event.fields["involved_kind"] == "pod"
        assert event.fields["involved_name"] == "web-7d4b9c-abcde"
        assert event.fields["reason"] == "Pulled"
        assert event.fields["count"] == 1
        # Go's "2025-01-01 00:00:00 +0000 UTC" comes back as the API's RFC 3339 form.
        assert event.fields["last_timestamp"] == "2025-01-01T00:00:00Z"
    assert k8s_mcp.fields["type"] == "Normal"
    assert k8s_mcp.fields["last_timestamp"] == "2025-01-01T00:00:00+00:00"
    again = parse_list(recorded("mcp-server-kubernetes-4.1.7__get_events.txt")[0], kind="event")[0]
    assert again.name == kubectl_shape.name


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("kubernetes-mcp-server-0.0.67__pods_get.txt", "pod", "web-7d4b9c-abcde"),
        ("kubernetes-mcp-server-0.0.67__resources_get_deploy.txt", "deployment", "web"),
        ("kubernetes-mcp-server-0.0.67__resources_get_node.txt", "node", "node-1"),
        ("mcp-server-kubernetes-4.1.7__get_pod.txt", "pod", "web-7d4b9c-abcde"),
    ],
)
def test_every_recorded_get_parses_to_one_object(name: str, kind: str, expected: str) -> None:
    record = parse_object(recorded(name)[0], kind=kind)
    assert (record.kind, record.name) == (kind, expected)


def test_recorded_node_fields() -> None:
    node = parse_object(recorded("kubernetes-mcp-server-0.0.67__resources_get_node.txt")[0], kind="node")
    assert node.fields == {
        "status": "Ready",
        "roles": ["control-plane"],
        "capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
        "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
        "taints": [],
        "kubelet_version": "v1.31.0",
        "os_image": "Debian",
        "internal_ip": "192.0.2.10",
        "unschedulable": False,
        "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
    }


def test_structured_content_is_used_before_text() -> None:
    text, _ = recorded("k8s-mcp-2026.5.27.147__get_pods.txt")
    structured = {"success": True, "pods": [{"name": "only-in-structured", "namespace": "x"}]}
    assert [r.name for r in parse_list(text, kind="pod", structured=structured)] == ["only-in-structured"]
    # Unusable structured content falls back to the text.
    assert len(parse_list(text, kind="pod", structured={"unrelated": 1})) == 2


# --- errors and empty output ---------------------------------------------------------------


def test_empty_yaml_list_is_an_empty_list() -> None:
    assert parse_list("[]", kind="pod") == []
    assert parse_list("[]\n", kind="secret") == []
    assert parse_list('{"apiVersion": "v1", "kind": "List", "items": []}', kind="pod") == []


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_string_is_a_parse_error(text: str) -> None:
    # kubernetes-mcp-server returns "" when the API ignored its table request: not "no pods".
    with pytest.raises(ParseError, match="empty string"):
        parse_list(text, kind="pod")
    with pytest.raises(ParseError, match="empty string"):
        parse_object(text, kind="pod")


@pytest.mark.parametrize(
    ("garbage", "quoted"),
    [
        ("this is definitely not kubernetes output", "this is definitely"),
        ("key: [unclosed", "key: [unclosed"),
        ("null", "null"),
        ("42", "42"),
        ('{"foo": 1}', "foo"),
        ("Pod deleted successfully", "Pod deleted"),
        ("- 3\n- 4\n", "'3'"),
    ],
)
def test_garbage_is_a_parse_error_naming_expectation_and_excerpt(garbage: str, quoted: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_list(garbage, kind="pod")
    message = str(caught.value)
    assert "expected" in message
    assert "Pod" in message
    assert quoted in message


def test_misaligned_table_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="aligned"):
        parse_list("NAME   STATUS\nabcdefghij Running\n", kind="pod")


def test_error_reports_in_json_are_parse_errors_for_parsers() -> None:
    with pytest.raises(ParseError, match="not found"):
        parse_list('{"error": "Resource pods/x not found", "status": "not_found"}', kind="pod")
    with pytest.raises(ParseError, match="boom"):
        parse_list('{"success": false, "error": "boom"}', kind="pod")


def test_get_of_another_kind_or_of_many_is_a_parse_error() -> None:
    deploy_text, _ = recorded("kubernetes-mcp-server-0.0.67__resources_get_deploy.txt")
    with pytest.raises(ParseError, match="Deployment"):
        parse_object(deploy_text, kind="pod")
    with pytest.raises(ParseError, match="2 records"):
        parse_object(recorded("kubernetes-mcp-server-0.0.67__yaml__pods_list.txt")[0], kind="pod")


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="widget"):
        parse_list("[]", kind="widget")


def test_mixed_list_skips_only_items_that_name_another_kind() -> None:
    text = json.dumps(
        {
            "kind": "List",
            "items": [
                {"kind": "Pod", "metadata": {"name": "a", "namespace": "n"}},
                {"kind": "Service", "metadata": {"name": "svc", "namespace": "n"}},
                {"metadata": {"name": "b", "namespace": "n"}},
            ],
        }
    )
    assert [r.name for r in parse_list(text, kind="pod")] == ["a", "b"]
    table = recorded("kubernetes-mcp-server-0.0.67__table__resources_list_svc.txt")[0]
    assert parse_list(table, kind="pod") == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "kubernetes-mcp-server-0.0.67__ERROR__pods_get_missing.txt",
            'failed to get pod nope in namespace default: pods "nope" not found',
        ),
        (
            "kubernetes-mcp-server-0.0.67__ERROR__projects_list_non_openshift.txt",
            'failed to list projects: no matches for kind "Project" in version "project.openshift.io/v1"',
        ),
    ],
)
def test_detect_tool_error_recognises_recorded_errors(name: str, message: str) -> None:
    assert detect_tool_error(recorded(name)[0]) == message


def test_detect_tool_error_other_servers_and_normal_output() -> None:
    assert detect_tool_error('Error from server (NotFound): pods "x" not found') is not None
    assert (
        detect_tool_error('{"error": "Resource pods/x not found", "status": "not_found"}')
        == "Resource pods/x not found"
    )
    assert detect_tool_error('{"success": false, "error": "no context"}') == "no context"
    for name in (
        "kubernetes-mcp-server-0.0.67__yaml__pods_list.txt",
        "kubernetes-mcp-server-0.0.67__table__pods_list.txt",
        "mcp-server-kubernetes-4.1.7__get_events.txt",
        "k8s-mcp-2026.5.27.147__get_pods.txt",
        "kubernetes-mcp-server-0.0.67__events_list.txt",
    ):
        assert detect_tool_error(recorded(name)[0]) is None
    assert detect_tool_error("[]") is None
    assert detect_tool_error("") is None


# --- the demo cluster: secrets, env values, annotations ----------------------------------


def test_demo_secrets_keep_key_names_and_no_value() -> None:
    secrets = [as_served(o) for o in demo_objects() if o["kind"] == "Secret"]
    values = [base64.b64decode(v).decode() for s in secrets for v in s["data"].values()]
    assert len(secrets) == 4 and all("CANARY-SECRET" in v for v in values if v != "a1b2c3")
    for secret in secrets:
        # kubectl apply leaves the whole manifest, values included, in this annotation.
        secret["metadata"]["annotations"] = {
            "kubectl.kubernetes.io/last-applied-configuration": json.dumps(secret),
        }
    text = yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": secrets})
    records = parse_list(text, kind="secret")
    assert {(r.namespace, r.name): r.fields for r in records} == {
        ("kube-system", "bootstrap-token-a1b2c3"): {
            "type": "bootstrap.kubernetes.io/token",
            "keys": ["token-id", "token-secret"],
        },
        ("boutique", "redis-password"): {"type": "Opaque", "keys": ["password"]},
        ("boutique", "tls-frontend"): {"type": "kubernetes.io/tls", "keys": ["tls.crt", "tls.key"]},
        ("boutique-staging", "stripe-api-key"): {"type": "Opaque", "keys": ["key"]},
    }
    dumped = dump(records)
    assert "CANARY-SECRET" not in dumped
    for secret in secrets:
        for encoded in secret["data"].values():
            assert encoded not in dumped
            # The bootstrap token's id is also in the secret's name, which is not a value leak.
            if "CANARY-SECRET" in base64.b64decode(encoded).decode():
                assert base64.b64decode(encoded).decode() not in dumped
    # The same through JSON and one object at a time.
    assert "CANARY-SECRET" not in dump(parse_list(json.dumps({"items": secrets}), kind="secret"))
    assert "CANARY-SECRET" not in dump([to_resource(s, "secret") for s in secrets])
    raw = copy.deepcopy(secrets[0])
    raw["stringData"] = {"extra": "CANARY-SECRET-string-data"}
    assert "CANARY-SECRET" not in dump(to_resource(raw, "secret"))
    assert to_resource(raw, "secret").fields["keys"] == ["extra", "token-id", "token-secret"]


def pod_from_template(deployment: dict[str, Any], **status: Any) -> dict[str, Any]:
    """A pod as a Deployment's controller would make it, with the template's containers."""
    template = copy.deepcopy(deployment["spec"]["template"])
    meta = template.get("metadata", {})
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{deployment['metadata']['name']}-5f7d9c8b6d-x2k9p",
            "namespace": deployment["metadata"].get("namespace", "default"),
            "labels": meta.get("labels", {}),
            "annotations": meta.get("annotations", {}),
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "x-5f7d9c8b6d", "controller": True}
            ],
        },
        "spec": template["spec"],
        "status": status,
    }


def test_container_environment_values_are_not_kept() -> None:
    deployments = [as_served(o) for o in demo_objects() if o["kind"] == "Deployment"]
    env_values = {
        str(env["value"])
        for d in deployments
        for c in d["spec"]["template"]["spec"]["containers"]
        for env in c.get("env", [])
        # Port numbers are also the containers' declared ports, which are kept.
        if len(str(env.get("value", ""))) > 3 and not str(env.get("value")).isdigit()
    }
    assert "productcatalogservice:3550" in env_values
    records = [to_resource(d, "deployment") for d in deployments]
    pods = [to_resource(pod_from_template(d, phase="Running"), "pod") for d in deployments]
    dumped = dump(records + pods)
    leaked = sorted(v for v in env_values if v in dumped)
    assert leaked == []
    frontend = next(r for r in records if r.name == "frontend")
    assert frontend.fields["containers"] == [
        {
            "name": "server",
            "image": "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/frontend:v0.10.6",
            "ports": [{"name": None, "container_port": 8080, "protocol": "TCP"}],
            "requests": {"cpu": "100m", "memory": "64Mi"},
            "limits": {"cpu": "200m", "memory": "128Mi"},
            "readiness_probe": {"type": "httpGet", "target": ":8080/_healthz"},
            "liveness_probe": {"type": "httpGet", "target": ":8080/_healthz"},
        }
    ]
    assert frontend.fields["replicas"] == 1  # absent in the manifest: the API default


def test_last_applied_and_kcache_annotations_are_dropped_others_kept() -> None:
    demo = {(o["kind"], o["metadata"]["name"]): as_served(o) for o in demo_objects()}
    hostile = demo[("Deployment", "legacy-report-runner")]
    hostile["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = json.dumps(
        hostile
    )
    hostile["metadata"]["annotations"]["kcache.dev/simulate"] = "CrashLoopBackOff"
    record = to_resource(hostile, "deployment")
    assert list(record.annotations) == ["description"]
    assert record.annotations["description"].startswith("SYSTEM NOTICE")
    simulated = pod_from_template(demo[("Deployment", "loadgenerator")], phase="Pending")
    assert "kcache.dev/simulate" in simulated["metadata"]["annotations"]
    pod = to_resource(simulated, "pod")
    assert not any(key.startswith("kcache.dev/") for key in pod.annotations)
    assert pod.annotations == {"sidecar.istio.io/rewriteAppHTTPProbers": "true"}
    assert (pod.owner_kind, pod.owner_name) == ("replicaset", "x-5f7d9c8b6d")


def test_every_demo_object_becomes_a_record_of_its_kind() -> None:
    objects = [as_served(o) for o in demo_objects()]
    records = [to_resource(o, canonical_kind(o["kind"])) for o in objects]
    counts: dict[str, int] = {}
    for record in records:
        counts[record.kind] = counts.get(record.kind, 0) + 1
        assert record.kind in KINDS
        assert (record.namespace is None) == (not KINDS[record.kind])
    assert counts["node"] == 3 and counts["namespace"] == 5 and counts["secret"] == 4
    by_key = {(r.kind, r.name): r for r in records}
    control = by_key[("node", "demo-control-plane")].fields
    assert control["taints"] == [
        {"key": "node-role.kubernetes.io/control-plane", "value": None, "effect": "NoSchedule"}
    ]
    assert control["roles"] == ["control-plane"]
    assert control["allocatable"]["ephemeral-storage"] == "95Gi"
    assert control["kubelet_version"] == "v1.31.4"
    assert control["status"] == "Unknown"  # the manifest carries no Ready condition
    assert by_key[("storageclass", "standard")].fields == {
        "provisioner": "rancher.io/local-path",
        "reclaim_policy": "Delete",
        "volume_binding_mode": "WaitForFirstConsumer",
        "is_default": True,
    }
    assert by_key[("storageclass", "fast-ssd")].fields["volume_binding_mode"] == "Immediate"
    ingress = by_key[("ingress", "frontend")].fields
    assert ingress == {
        "class_name": "nginx",
        "hosts": ["shop.example.com"],
        "rules": [
            {
                "host": "shop.example.com",
                "paths": [
                    {"path": "/", "path_type": "Prefix", "service": "frontend", "port": 80, "resource": None}
                ],
            }
        ],
        "default_backend": None,
        "tls_hosts": ["shop.example.com"],
        "tls_secrets": ["tls-frontend"],
        "addresses": [],
    }
    assert by_key[("resourcequota", "compute")].fields["hard"] == {
        "requests.cpu": "8",
        "requests.memory": "16Gi",
        "pods": "60",
    }
    pvc = by_key[("persistentvolumeclaim", "redis-data")].fields
    assert (pvc["storage_class"], pvc["requested"], pvc["access_modes"]) == (
        "standard",
        "5Gi",
        ["ReadWriteOnce"],
    )
    lb = by_key[("service", "ingress-nginx-controller")].fields
    assert (lb["type"], lb["external_ip"]) == ("LoadBalancer", "<pending>")
    assert lb["ports"] == [
        {"name": None, "port": 80, "target_port": 80, "protocol": "TCP", "node_port": None}
    ]
    dns = by_key[("service", "kube-dns")].fields
    assert (dns["external_ip"], dns["selector"]) == (None, {"k8s-app": "kube-dns"})
    assert by_key[("configmap", "coredns")].fields == {"keys": ["Corefile"]}
    assert set(by_key[("daemonset", "kube-proxy")].fields) >= {"desired", "current", "ready", "containers"}
    assert by_key[("namespace", "boutique")].fields == {"status": "Active"}


def test_full_kubectl_json_list_parses_like_yaml() -> None:
    objects = [as_served(o) for o in demo_objects() if o["kind"] == "Service"]
    as_json = json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}, indent=2)
    as_yaml = yaml.safe_dump(objects)
    assert parse_list(as_json, kind="service") == parse_list(as_yaml, kind="service")
    assert len(parse_list(as_json, kind="service")) == 19


def test_event_objects_and_other_kinds() -> None:
    event = to_resource(
        {
            "kind": "Event",
            "metadata": {"name": "cart.17a", "namespace": "boutique-staging"},
            "involvedObject": {"kind": "Pod", "name": "cart-1", "namespace": "boutique-staging"},
            "reason": "BackOff",
            "message": "Back-off restarting failed container",
            "type": "Warning",
            "count": 12,
            "firstTimestamp": "2025-01-01T00:00:00Z",
            "lastTimestamp": "2025-01-01T00:10:00Z",
            "source": {"component": "kubelet", "host": "demo-worker-1"},
        },
        "event",
    )
    assert event.fields == {
        "type": "Warning",
        "reason": "BackOff",
        "message": "Back-off restarting failed container",
        "count": 12,
        "involved_kind": "pod",
        "involved_name": "cart-1",
        "involved_namespace": "boutique-staging",
        "first_timestamp": "2025-01-01T00:00:00Z",
        "last_timestamp": "2025-01-01T00:10:00Z",
        "source": "kubelet",
    }
    job = to_resource(
        {
            "kind": "Job",
            "metadata": {"name": "report", "namespace": "default"},
            "spec": {
                "completions": 1,
                "template": {"spec": {"containers": [{"name": "r", "image": "busybox"}]}},
            },
            "status": {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]},
        },
        "job",
    )
    assert (job.fields["status"], job.fields["succeeded"], job.fields["failed"]) == ("Complete", 1, 0)
    cron = to_resource(
        {
            "kind": "CronJob",
            "metadata": {"name": "nightly", "namespace": "default"},
            "spec": {"schedule": "0 2 * * *", "suspend": True},
            "status": {"lastScheduleTime": "2025-01-01T02:00:00Z"},
        },
        "cronjob",
    )
    assert (cron.fields["schedule"], cron.fields["suspend"], cron.fields["last_schedule_time"]) == (
        "0 2 * * *",
        True,
        "2025-01-01T02:00:00Z",
    )
    endpoints = to_resource(
        {
            "kind": "Endpoints",
            "metadata": {"name": "web", "namespace": "default"},
            "subsets": [{"addresses": [{"ip": "10.0.0.5"}], "ports": [{"port": 80, "protocol": "TCP"}]}],
        },
        "endpoints",
    )
    assert endpoints.fields["addresses"] == ["10.0.0.5"]
    pv = to_resource(
        {
            "kind": "PersistentVolume",
            "metadata": {"name": "pv-1"},
            "spec": {
                "capacity": {"storage": "5Gi"},
                "claimRef": {"namespace": "boutique", "name": "redis-data"},
                "persistentVolumeReclaimPolicy": "Delete",
                "storageClassName": "standard",
            },
            "status": {"phase": "Bound"},
        },
        "persistentvolume",
    )
    assert (pv.namespace, pv.fields["claim"], pv.fields["status"]) == (None, "boutique/redis-data", "Bound")
    with pytest.raises(ParseError, match="metadata.name"):
        to_resource({"kind": "Pod", "metadata": {}}, "pod")


# --- kubectl's STATUS column ----------------------------------------------------------------


def container(
    name: str = "server", *, ready: bool = False, restarts: int = 0, started: bool | None = None, **state: Any
) -> dict[str, Any]:
    last = state.pop("last", None)
    status: dict[str, Any] = {"name": name, "ready": ready, "restartCount": restarts, "state": state}
    if started is not None:
        status["started"] = started
    if last:
        status["lastState"] = {"terminated": last}
    return status


def pod(
    *,
    phase: str = "Running",
    statuses: list[dict[str, Any]] | None = None,
    init: list[dict[str, Any]] | None = None,
    init_specs: list[dict[str, Any]] | None = None,
    conditions: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": s["name"], "image": "x"} for s in statuses or []]}
    if not spec["containers"]:
        spec["containers"] = [{"name": "server", "image": "x"}]
    if init_specs:
        spec["initContainers"] = init_specs
    status: dict[str, Any] = {"phase": phase, "conditions": conditions or []}
    if statuses is not None:
        status["containerStatuses"] = statuses
    if init is not None:
        status["initContainerStatuses"] = init
    status.update(extra.pop("status", {}))
    return {
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "n", **extra},
        "spec": spec,
        "status": status,
    }


READY = [{"type": "Ready", "status": "True"}]
RUNNING = {"running": {"startedAt": "2025-01-01T00:00:00Z"}}

POD_STATES = {
    "Running": pod(statuses=[container(ready=True, **RUNNING)], conditions=READY),
    # The demo's NotReady simulation: running, readiness failing; kubectl still says Running.
    "Running (not ready)": pod(
        statuses=[container(ready=False, **RUNNING)], conditions=[{"type": "Ready", "status": "False"}]
    ),
    "CrashLoopBackOff": pod(
        statuses=[
            container(
                restarts=7,
                waiting={"reason": "CrashLoopBackOff", "message": "back-off 5m0s"},
                last={"reason": "Error", "exitCode": 1, "finishedAt": "2025-01-01T00:00:00Z"},
            )
        ]
    ),
    "ImagePullBackOff": pod(phase="Pending", statuses=[container(waiting={"reason": "ImagePullBackOff"})]),
    "ErrImagePull": pod(phase="Pending", statuses=[container(waiting={"reason": "ErrImagePull"})]),
    "Pending": pod(
        phase="Pending",
        conditions=[{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}],
    ),
    "OOMKilled": pod(
        statuses=[container(restarts=1, terminated={"reason": "OOMKilled", "exitCode": 137})],
    ),
    "OOMKilled, then backing off": pod(
        statuses=[
            container(
                restarts=3,
                waiting={"reason": "CrashLoopBackOff"},
                last={"reason": "OOMKilled", "exitCode": 137},
            )
        ]
    ),
    "Completed": pod(
        phase="Succeeded", statuses=[container(terminated={"reason": "Completed", "exitCode": 0})]
    ),
    "Error": pod(phase="Failed", statuses=[container(terminated={"reason": "Error", "exitCode": 1})]),
    "ExitCode:2": pod(phase="Failed", statuses=[container(terminated={"exitCode": 2})]),
    "Signal:9": pod(phase="Failed", statuses=[container(terminated={"exitCode": 137, "signal": 9})]),
    "ContainerCreating": pod(phase="Pending", statuses=[container(waiting={"reason": "ContainerCreating"})]),
    "Terminating": pod(
        statuses=[container(ready=True, **RUNNING)],
        conditions=READY,
        deletionTimestamp="2025-01-01T00:00:00Z",
    ),
    "Terminating, but already Succeeded": pod(
        phase="Succeeded",
        statuses=[container(terminated={"reason": "Completed", "exitCode": 0})],
        deletionTimestamp="2025-01-01T00:00:00Z",
    ),
    "Unknown (node lost)": pod(
        statuses=[container(ready=True, **RUNNING)],
        deletionTimestamp="2025-01-01T00:00:00Z",
        status={"reason": "NodeLost"},
    ),
    "Init:0/2": pod(
        phase="Pending",
        init_specs=[{"name": "a", "image": "x"}, {"name": "b", "image": "x"}],
        init=[container("a", **RUNNING), container("b", waiting={"reason": "PodInitializing"})],
        statuses=[container(waiting={"reason": "PodInitializing"})],
    ),
    "Init:1/2": pod(
        phase="Pending",
        init_specs=[{"name": "a", "image": "x"}, {"name": "b", "image": "x"}],
        init=[container("a", terminated={"reason": "Completed", "exitCode": 0}), container("b", **RUNNING)],
        statuses=[container(waiting={"reason": "PodInitializing"})],
    ),
    "Init:CrashLoopBackOff": pod(
        phase="Pending",
        init_specs=[{"name": "a", "image": "x"}],
        init=[container("a", restarts=4, waiting={"reason": "CrashLoopBackOff"})],
        statuses=[container(waiting={"reason": "PodInitializing"})],
    ),
    "Init:Error": pod(
        phase="Pending",
        init_specs=[{"name": "a", "image": "x"}],
        init=[container("a", terminated={"reason": "Error", "exitCode": 1})],
        statuses=[container(waiting={"reason": "PodInitializing"})],
    ),
    "Init:ExitCode:3": pod(
        phase="Pending",
        init_specs=[{"name": "a", "image": "x"}],
        init=[container("a", terminated={"exitCode": 3})],
        statuses=[container(waiting={"reason": "PodInitializing"})],
    ),
    "SchedulingGated": pod(
        phase="Pending",
        conditions=[{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}],
    ),
    "Evicted": pod(phase="Failed", status={"reason": "Evicted"}),
    # A sidecar (restartable init container) that runs on does not hold the pod in Init.
    "Running (with sidecar)": pod(
        init_specs=[{"name": "proxy", "image": "x", "restartPolicy": "Always"}],
        init=[container("proxy", ready=True, started=True, **RUNNING)],
        statuses=[container(ready=True, **RUNNING)],
        conditions=READY,
    ),
    # kubectl turns "Completed" back into Running while another container still runs.
    "Running (one container completed)": pod(
        statuses=[
            container("a", ready=True, **RUNNING),
            container("b", terminated={"reason": "Completed", "exitCode": 0}),
        ],
        conditions=READY,
    ),
}


@pytest.mark.parametrize("label", list(POD_STATES))
def test_pod_status_matches_kubectl(label: str) -> None:
    expected = label.split(" (")[0].split(",")[0]
    if label == "Terminating, but already Succeeded":
        expected = "Completed"
    if label == "OOMKilled, then backing off":
        expected = "CrashLoopBackOff"
    if label == "Unknown (node lost)":
        expected = "Unknown"
    assert pod_status(POD_STATES[label]) == expected
    assert to_resource(POD_STATES[label], "pod").fields["status"] == expected


def test_pod_ready_and_restart_counts() -> None:
    crash = to_resource(POD_STATES["CrashLoopBackOff"], "pod").fields
    assert (crash["ready"], crash["restarts"]) == ("0/1", 7)
    assert crash["containers"][0] | {"name": None} == {
        "name": None,
        "image": "x",
        "ready": False,
        "restart_count": 7,
        "ports": [],
        "state": "waiting",
        "reason": "CrashLoopBackOff",
        "message": "back-off 5m0s",
        "last_state_reason": "Error",
        "last_exit_code": 1,
        "last_finished_at": "2025-01-01T00:00:00Z",
    }
    oom = to_resource(POD_STATES["OOMKilled, then backing off"], "pod").fields["containers"][0]
    assert (oom["last_state_reason"], oom["last_exit_code"]) == ("OOMKilled", 137)
    not_ready = to_resource(POD_STATES["Running (not ready)"], "pod").fields
    assert (not_ready["status"], not_ready["ready"]) == ("Running", "0/1")
    sidecar = to_resource(POD_STATES["Running (with sidecar)"], "pod").fields
    assert sidecar["ready"] == "2/2"
    # Restarts of a finished init container stop counting once the pod is initialised.
    initialised = pod(
        init_specs=[{"name": "a", "image": "x"}],
        init=[container("a", restarts=2, terminated={"reason": "Completed", "exitCode": 0})],
        statuses=[container(ready=True, restarts=1, **RUNNING)],
        conditions=[*READY, {"type": "Initialized", "status": "True"}],
    )
    assert to_resource(initialised, "pod").fields["restarts"] == 1
    stuck = to_resource(POD_STATES["Init:CrashLoopBackOff"], "pod").fields
    assert (stuck["restarts"], stuck["ready"]) == (4, "0/1")


def test_node_status_matches_kubectl() -> None:
    def node(ready: str | None, unschedulable: bool = False) -> dict[str, Any]:
        conditions = [] if ready is None else [{"type": "Ready", "status": ready}]
        return {
            "kind": "Node",
            "metadata": {"name": "n"},
            "spec": {"unschedulable": True} if unschedulable else {},
            "status": {"conditions": [{"type": "MemoryPressure", "status": "False"}, *conditions]},
        }

    assert node_status(node("True")) == "Ready"
    assert node_status(node("False")) == "NotReady"
    assert node_status(node("Unknown")) == "NotReady"
    assert node_status(node(None)) == "Unknown"
    assert node_status(node("True", unschedulable=True)) == "Ready,SchedulingDisabled"
    assert (
        to_resource(node("False", unschedulable=True), "node").fields["status"]
        == "NotReady,SchedulingDisabled"
    )


def test_a_report_with_one_list_is_read_as_its_items() -> None:
    text = '{"success": true, "context": "current", "quotas": [{"name": "compute", "namespace": "boutique", "hard": {"pods": "20"}}]}'
    (quota,) = parse_list(text, kind="resourcequota")
    assert (quota.namespace, quota.name) == ("boutique", "compute")


def test_a_large_yaml_list_is_read_in_chunks_with_the_same_result(monkeypatch) -> None:
    import kcache.parsing as parsing

    one = (OUTPUTS / "kubernetes-mcp-server-0.0.67__yaml__pods_list.txt").read_text()
    body = "\n".join(line for line in one.splitlines() if not line.startswith("#"))
    whole = parse_list(body, kind="pod")
    monkeypatch.setattr(parsing, "_CHUNKED_ABOVE", 10)
    monkeypatch.setattr(parsing, "_CHUNK_ITEMS", 1)
    assert parse_list(body, kind="pod") == whole and len(whole) == 2
    # A chunk that is not plain YAML sends the whole text down the ordinary path.
    with pytest.raises(ParseError):
        parse_list(body + "\n- : : [unclosed", kind="pod")


# --- the fields answers need, and still nothing secret -----------------------------------

CANARY = "CANARY-SECRET-7f3a"


def hostile_container(name: str) -> dict[str, Any]:
    """A container whose env values, command, args, exec probes and hooks hold the canary."""
    return {
        "name": name,
        "image": f"registry.example/{name}:1.2",
        "command": ["/bin/sh", "-c", f"run --token={CANARY}"],
        "args": [f"--password={CANARY}"],
        "env": [
            {"name": "DB_PASSWORD", "value": CANARY},
            {"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "api", "key": "key"}}},
            {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}},
        ],
        "envFrom": [{"secretRef": {"name": "bulk"}}, {"configMapRef": {"name": "flags", "optional": True}}],
        "ports": [{"name": "http", "containerPort": 8080}],
        "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
        "readinessProbe": {
            "httpGet": {
                "path": "/ready",
                "port": "http",
                "httpHeaders": [{"name": "Authorization", "value": f"Bearer {CANARY}"}],
            }
        },
        "livenessProbe": {"exec": {"command": ["check", f"--secret={CANARY}"]}},
        "startupProbe": {"tcpSocket": {"port": 8080}},
        "lifecycle": {"preStop": {"exec": {"command": ["echo", CANARY]}}},
    }


def hostile_pod_spec() -> dict[str, Any]:
    return {
        "initContainers": [hostile_container("init")],
        "containers": [hostile_container("app")],
        "imagePullSecrets": [{"name": "regcred"}],
        "volumes": [
            {"name": "conf", "configMap": {"name": "app-conf"}},
            {"name": "certs", "secret": {"secretName": "app-certs", "optional": True}},
            {"name": "data", "persistentVolumeClaim": {"claimName": "app-data"}},
            {"name": "scratch", "emptyDir": {}},
            {"name": "bundle", "projected": {"sources": [{"secret": {"name": "bundle-s"}}]}},
        ],
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"}],
        "nodeSelector": {"disk": "ssd"},
    }


def hostile_metadata(name: str, kind: str) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": "team-a",
        "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": json.dumps({"kind": kind, "x": CANARY}),
            "openshift.io/token-secret.value": CANARY,
            "kcache.dev/simulate": CANARY,
            "team": "payments",
        },
        "ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{name}-rs", "controller": True}
        ],
    }


def test_new_pod_fields_are_kept_and_no_canary_reaches_a_record() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": hostile_metadata("app-1", "Pod"),
        "spec": hostile_pod_spec() | {"nodeName": "node-1"},
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "Ready", "status": "False", "reason": "ContainersNotReady", "message": "m"}
            ],
            "initContainerStatuses": [
                {
                    "name": "init",
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed", "message": CANARY}},
                }
            ],
            "containerStatuses": [
                {
                    "name": "app",
                    "restartCount": 3,
                    "state": {"terminated": {"exitCode": 2, "reason": "Error", "message": CANARY}},
                    "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "message": CANARY}},
                }
            ],
        },
    }
    record = to_resource(pod, "pod")
    assert CANARY not in dump(record)
    f = record.fields
    app = f["containers"][0]
    assert app["image"] == "registry.example/app:1.2"
    assert app["ports"] == [{"name": "http", "container_port": 8080, "protocol": "TCP"}]
    assert (app["requests"], app["limits"]) == ({"cpu": "250m", "memory": "64Mi"}, {"memory": "128Mi"})
    assert app["readiness_probe"] == {"type": "httpGet", "target": ":http/ready"}
    assert app["liveness_probe"] == {"type": "exec", "target": None}
    assert app["startup_probe"] == {"type": "tcpSocket", "target": ":8080"}
    assert (app["state"], app["reason"], app["exit_code"]) == ("terminated", "Error", 2)
    assert (app["last_state_reason"], app["last_exit_code"]) == ("OOMKilled", 137)
    assert f["init_containers"][0]["reason"] == "Completed"
    assert f["conditions"] == [
        {"type": "Ready", "status": "False", "reason": "ContainersNotReady", "message": "m"}
    ]
    assert {(v["name"], v["type"], v["ref"]) for v in f["volumes"]} == {
        ("conf", "configMap", "app-conf"),
        ("certs", "secret", "app-certs"),
        ("data", "persistentVolumeClaim", "app-data"),
        ("scratch", "emptyDir", None),
        ("bundle", "projected", None),
    }
    refs = {(r["kind"], r["name"], r["optional"]) for r in f["refs"]}
    assert refs >= {
        ("configmap", "app-conf", False),
        ("secret", "app-certs", True),
        ("persistentvolumeclaim", "app-data", False),
        ("secret", "bundle-s", False),
        ("secret", "api", False),
        ("configmap", "settings", False),
        ("secret", "bulk", False),
        ("configmap", "flags", True),
        ("secret", "regcred", True),
    }
    assert f["tolerations"] == [
        {"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"}
    ]
    assert f["node_selector"] == {"disk": "ssd"}
    assert "owners" not in f and (record.owner_kind, record.owner_name) == ("replicaset", "app-1-rs")
    assert record.annotations == {"team": "payments"}


def test_workload_templates_keep_images_and_no_canary() -> None:
    template = {"metadata": {"labels": {"app": "x"}}, "spec": hostile_pod_spec()}
    objects = {
        "deployment": {
            "kind": "Deployment",
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "x"}}, "template": template},
            "status": {
                "replicas": 3,
                "readyReplicas": 1,
                "availableReplicas": 1,
                "updatedReplicas": 2,
                "unavailableReplicas": 2,
                "conditions": [
                    {
                        "type": "Progressing",
                        "status": "False",
                        "reason": "ProgressDeadlineExceeded",
                        "message": "slow",
                    }
                ],
            },
        },
        "statefulset": {"kind": "StatefulSet", "spec": {"template": template}},
        "daemonset": {
            "kind": "DaemonSet",
            "spec": {"template": template},
            "status": {"numberUnavailable": 1},
        },
        "job": {
            "kind": "Job",
            "spec": {"template": template, "backoffLimit": 2},
            "status": {
                "failed": 3,
                "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}],
            },
        },
        "cronjob": {
            "kind": "CronJob",
            "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": template}}},
            "status": {
                "active": [{"kind": "Job", "name": "x-123"}],
                "lastScheduleTime": "2026-01-01T00:00:00Z",
            },
        },
    }
    for kind, obj in objects.items():
        obj["metadata"] = hostile_metadata("x", obj["kind"])
        record = to_resource(obj, kind)
        assert CANARY not in dump(record), kind
        assert [c["image"] for c in record.fields["containers"]] == ["registry.example/app:1.2"], kind
        assert [c["image"] for c in record.fields["init_containers"]] == ["registry.example/init:1.2"], kind
        assert {r["name"] for r in record.fields["refs"]} >= {"app-conf", "app-data", "api"}, kind
    deployment = to_resource(objects["deployment"], "deployment").fields
    assert (deployment["replicas"], deployment["ready_replicas"], deployment["updated_replicas"]) == (3, 1, 2)
    assert deployment["unavailable_replicas"] == 2
    assert deployment["conditions"][0]["reason"] == "ProgressDeadlineExceeded"
    job = to_resource(objects["job"], "job").fields
    assert (job["status"], job["failed"], job["backoff_limit"]) == ("Failed", 3, 2)
    assert job["conditions"][0]["reason"] == "BackoffLimitExceeded"
    objects["job"]["spec"].pop("backoffLimit")
    assert to_resource(objects["job"], "job").fields["backoff_limit"] == 6
    cronjob = to_resource(objects["cronjob"], "cronjob").fields
    assert (cronjob["active_jobs"], cronjob["last_schedule_time"]) == (["x-123"], "2026-01-01T00:00:00Z")
    assert to_resource(objects["daemonset"], "daemonset").fields["unavailable"] == 1


async def test_hostile_objects_leave_no_canary_in_the_cache_file(tmp_path: Path) -> None:
    from kcache.analyzers.load import load_view
    from kcache.store import Store

    template = {"metadata": {"labels": {"app": "x"}}, "spec": hostile_pod_spec()}
    pod = {
        "kind": "Pod",
        "metadata": hostile_metadata("x-1", "Pod"),
        "spec": hostile_pod_spec(),
        "status": {},
    }
    deployment = {
        "kind": "Deployment",
        "metadata": hostile_metadata("x", "Deployment"),
        "spec": {"template": template},
    }
    secret = {
        "kind": "Secret",
        "metadata": hostile_metadata("s", "Secret"),
        "data": {"k": base64.b64encode(CANARY.encode()).decode()},
        "stringData": {"t": CANARY},
    }
    async with Store(tmp_path / "cache.db") as store:
        for kind, obj in (("pod", pod), ("deployment", deployment), ("secret", secret)):
            await store.replace("c", kind, [to_resource(obj, kind)], ttl_s=60)
        loaded = await load_view(store, "c", "team-a")
        cached = loaded.view.get("deployment", "team-a", "x")
        assert cached is not None and cached.fields["containers"][0]["image"] == "registry.example/app:1.2"
        # Kinds never scanned are not in the view: nothing is concluded from their absence.
        assert loaded.view.loaded("secret") and not loaded.view.loaded("configmap")
        assert loaded.age_s is not None
        for suffix in ("", "-wal", "-shm"):
            f = Path(f"{store.path}{suffix}")
            if f.exists():
                data = f.read_bytes()
                assert CANARY.encode() not in data and base64.b64encode(CANARY.encode()) not in data


def test_secrets_never_keep_data_or_string_data_values() -> None:
    secret = {
        "kind": "Secret",
        "metadata": hostile_metadata("db", "Secret"),
        "type": "Opaque",
        "data": {"password": base64.b64encode(CANARY.encode()).decode()},
        "stringData": {"token": CANARY},
    }
    record = to_resource(secret, "secret")
    assert (record.fields["type"], record.fields["keys"]) == ("Opaque", ["password", "token"])
    assert CANARY not in dump(record) and secret["data"]["password"] not in dump(record)


def test_service_endpoints_ingress_pvc_and_node_fields() -> None:
    endpoints = to_resource(
        {
            "kind": "Endpoints",
            "metadata": {"name": "web", "namespace": "a"},
            "subsets": [
                {
                    "addresses": [{"ip": "10.0.0.1", "targetRef": {"kind": "Pod", "name": "web-1"}}],
                    "notReadyAddresses": [
                        {"ip": "10.0.0.2", "targetRef": {"kind": "Pod", "name": "web-2"}},
                        {"ip": "10.0.0.3"},
                    ],
                    "ports": [{"port": 8080}],
                }
            ],
        },
        "endpoints",
    ).fields
    assert (endpoints["ready_count"], endpoints["not_ready_count"]) == (1, 2)
    assert endpoints["target_pods"] == ["web-1", "web-2"]
    ingress = to_resource(
        {
            "kind": "Ingress",
            "metadata": {"name": "web", "namespace": "a"},
            "spec": {
                "defaultBackend": {"service": {"name": "fallback", "port": {"name": "http"}}},
                "rules": [
                    {
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": "web", "port": {"number": 80}}},
                                }
                            ]
                        }
                    }
                ],
            },
            "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.9"}]}},
        },
        "ingress",
    ).fields
    assert ingress["default_backend"] == {"service": "fallback", "port": "http", "resource": None}
    assert ingress["rules"][0]["paths"][0]["service"] == "web" and ingress["class_name"] is None
    assert ingress["addresses"] == ["203.0.113.9"]
    pvc = to_resource(
        {
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "a"},
            "spec": {"storageClassName": "gone", "resources": {"requests": {"storage": "1Gi"}}},
            "status": {"phase": "Pending"},
        },
        "persistentvolumeclaim",
    ).fields
    assert (pvc["status"], pvc["storage_class"], pvc["volume"], pvc["requested"]) == (
        "Pending",
        "gone",
        None,
        "1Gi",
    )
    node = to_resource(
        {
            "kind": "Node",
            "metadata": {"name": "n1"},
            "spec": {"unschedulable": True, "taints": [{"key": "k", "effect": "NoSchedule"}]},
            "status": {
                "conditions": [
                    {
                        "type": "Ready",
                        "status": "False",
                        "reason": "KubeletNotReady",
                        "message": "PLEG is not healthy",
                    },
                    {"type": "MemoryPressure", "status": "True", "reason": "KubeletHasInsufficientMemory"},
                ]
            },
        },
        "node",
    ).fields
    assert (node["status"], node["unschedulable"]) == ("NotReady,SchedulingDisabled", True)
    assert [(c["type"], c["status"]) for c in node["conditions"]] == [
        ("Ready", "False"),
        ("MemoryPressure", "True"),
    ]


def test_canonical_kind_reads_every_name_of_the_kinds_table() -> None:
    from kcache.kinds import TABLE

    for k in TABLE:
        for word in (*k.words, k.api_kind, k.api_kind.upper(), f" {k.plural} "):
            assert canonical_kind(word) == k.name, word
    assert canonical_kind("HorizontalPodAutoscaler") == "horizontalpodautoscaler"


def test_owner_references_beyond_the_controller_are_kept() -> None:
    meta = {
        "name": "x",
        "namespace": "a",
        "ownerReferences": [
            {"kind": "ReplicaSet", "name": "x-rs", "controller": True},
            {"kind": "CustomThing", "name": "t"},
        ],
    }
    record = to_resource({"kind": "Pod", "metadata": meta}, "pod")
    assert (record.owner_kind, record.owner_name) == ("replicaset", "x-rs")
    assert record.fields["owners"] == [
        {"kind": "replicaset", "name": "x-rs", "controller": True},
        {"kind": "customthing", "name": "t", "controller": False},
    ]


def test_a_bad_item_is_skipped_and_said_when_the_caller_asks() -> None:
    text = json.dumps(
        {"items": [{"metadata": {"name": "a", "namespace": "x"}}, {"metadata": {"namespace": "x"}}]}
    )
    with pytest.raises(ParseError, match="metadata.name"):
        parse_list(text, kind="configmap")
    skipped: list[str] = []
    records = parse_list(text, kind="configmap", skipped=skipped)
    assert [r.name for r in records] == ["a"]
    assert len(skipped) == 1 and "metadata.name" in skipped[0]
    table = "NAME   STATUS\nweb    Running\n       Pending\n"
    skipped = []
    assert [r.name for r in parse_list(table, kind="namespace", skipped=skipped)] == ["web"]
    assert len(skipped) == 1 and "NAME cell" in skipped[0]


def test_secret_annotations_keep_their_keys_only() -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "db",
            "namespace": "boutique",
            "annotations": {
                "vault.example.com/token": "CANARY-SECRET-in-an-annotation",
                "kubectl.kubernetes.io/last-applied-configuration": "CANARY-SECRET-manifest",
            },
        },
        "data": {"password": base64.b64encode(b"CANARY-SECRET-value").decode()},
    }
    record = to_resource(secret, "secret")
    assert record.annotations == {"vault.example.com/token": ""}
    assert "CANARY-SECRET" not in dump([record])
    summary = {"name": "db", "namespace": "boutique", "annotations": secret["metadata"]["annotations"]}
    listed = parse_list(json.dumps({"secrets": [summary]}), kind="secret")
    assert listed[0].annotations == {"vault.example.com/token": ""}
    # Other kinds keep their annotations' values: they are the cluster's documentation.
    config = {**secret, "kind": "ConfigMap"}
    assert to_resource(config, "configmap").annotations["vault.example.com/token"].startswith("CANARY")
