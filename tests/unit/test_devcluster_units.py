"""devcluster's parts without a server: selectors, names, controllers, Status errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devcluster import names
from devcluster.access import decode_access_review
from devcluster.resources import by_key
from devcluster.selectors import (
    fields_match,
    labels_match,
    parse_field_selector,
    parse_label_selector,
)
from devcluster.state import ClusterState
from devcluster.status import ApiError

DEMO = Path(__file__).resolve().parents[2] / "devcluster" / "clusters" / "demo"


@pytest.fixture(scope="module")
def demo() -> ClusterState:
    state = ClusterState()
    state.load_dir(DEMO)
    return state


@pytest.fixture
def fresh() -> ClusterState:
    state = ClusterState()
    state.load_dir(DEMO)
    return state


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("app=web", {"app": "web"}, True),
        ("app==web", {"app": "db"}, False),
        ("app!=web", {}, True),
        ("env in (prod,staging)", {"env": "staging"}, True),
        ("env notin (prod)", {"env": "prod"}, False),
        ("tier", {"tier": "x"}, True),
        ("!tier", {"tier": "x"}, False),
        ("app=web,env in (prod),!debug", {"app": "web", "env": "prod"}, True),
        ("node-role.kubernetes.io/worker=", {"node-role.kubernetes.io/worker": ""}, True),
    ],
)
def test_label_selector(selector: str, labels: dict[str, str], expected: bool) -> None:
    assert labels_match(parse_label_selector(selector), labels) is expected


def test_bad_label_selector_is_400() -> None:
    with pytest.raises(ApiError) as err:
        parse_label_selector("env in prod")
    assert err.value.code == 400 and err.value.reason == "BadRequest"


def test_field_selector() -> None:
    pod = {
        "metadata": {"name": "a", "namespace": "n"},
        "spec": {"nodeName": "w1"},
        "status": {"phase": "Running"},
    }
    assert fields_match(parse_field_selector("spec.nodeName=w1,status.phase!=Pending", "pod"), pod)
    assert not fields_match(parse_field_selector("metadata.name=b", "pod"), pod)
    with pytest.raises(ApiError) as err:
        parse_field_selector("spec.bogus=1", "pod")
    assert err.value.message == "field label not supported: spec.bogus"


def test_names_are_deterministic_and_kubernetes_shaped() -> None:
    first, second = ClusterState(), ClusterState()
    first.load_dir(DEMO)
    second.load_dir(DEMO)
    pods1 = sorted(p["metadata"]["name"] for p in first.store.list("pod"))
    pods2 = sorted(p["metadata"]["name"] for p in second.store.list("pod"))
    assert pods1 == pods2
    rs = [r["metadata"]["name"] for r in first.store.list("replicaset", "boutique")]
    assert (
        "frontend-"
        + names.template_hash(first.store.get("deployment", "boutique", "frontend")["spec"]["template"])
        in rs
    )
    assert all(
        set(n.rsplit("-", 1)[1]) <= set(names.ALPHABET) for n in pods1 if not n.startswith("kube-proxy")
    )


def test_daemonset_honours_taints_and_deployments_avoid_control_plane(demo: ClusterState) -> None:
    proxies = demo.list(by_key("pod"), "kube-system", "k8s-app=kube-proxy")
    assert sorted(p["spec"]["nodeName"] for p in proxies) == [
        "demo-control-plane",
        "demo-worker-1",
        "demo-worker-2",
    ]
    others = [p for p in demo.store.list("pod") if not p["metadata"]["name"].startswith("kube-proxy")]
    assert all(p["spec"].get("nodeName") != "demo-control-plane" for p in others)


def test_simulated_states_and_events(demo: ClusterState) -> None:
    pods = {p["metadata"]["labels"]["app"]: p for p in demo.store.list("pod", "boutique-staging")}
    crash = pods["cartservice"]["status"]["containerStatuses"][0]
    assert crash["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert crash["restartCount"] > 0 and crash["lastState"]["terminated"]["exitCode"] == 1
    pull = pods["productcatalogservice"]["status"]
    assert pull["phase"] == "Pending"
    assert pull["containerStatuses"][0]["state"]["waiting"]["reason"] == "ImagePullBackOff"
    pending = demo.list(by_key("pod"), "boutique", "app=loadgenerator")[0]
    assert "nodeName" not in pending["spec"]
    assert pending["status"]["conditions"][0]["reason"] == "Unschedulable"
    reasons = {(e["type"], e["reason"]) for e in demo.store.list("event", "boutique-staging")}
    assert {("Warning", "BackOff"), ("Warning", "Failed"), ("Normal", "Scheduled")} <= reasons
    scheduling = [e for e in demo.store.list("event", "boutique") if e["reason"] == "FailedScheduling"]
    assert scheduling and scheduling[0]["message"].startswith("0/3 nodes are available")


def test_scale_and_replacement(fresh: ClusterState) -> None:
    deploy = by_key("deployment")
    fresh.set_scale(deploy, "boutique", "frontend", 3)
    pods = fresh.list(by_key("pod"), "boutique", "app=frontend")
    assert len(pods) == 3
    victim = pods[0]["metadata"]["name"]
    fresh.delete(by_key("pod"), "boutique", victim)
    after = [p["metadata"]["name"] for p in fresh.list(by_key("pod"), "boutique", "app=frontend")]
    assert len(after) == 3 and victim not in after
    fresh.set_scale(deploy, "boutique", "frontend", 0)
    assert fresh.list(by_key("pod"), "boutique", "app=frontend") == []
    assert fresh.get(deploy, "boutique", "frontend")["status"].get("readyReplicas") is None


def test_namespace_delete_removes_contents(fresh: ClusterState) -> None:
    answer = fresh.delete(by_key("namespace"), None, "boutique-staging")
    assert answer["status"]["phase"] == "Terminating"
    assert fresh.store.list("pod", "boutique-staging") == []
    assert fresh.store.list("deployment", "boutique-staging") == []


def test_resource_version_increases(fresh: ClusterState) -> None:
    before = fresh.store.resource_version
    cm = fresh.create(by_key("configmap"), "default", {"metadata": {"name": "c"}, "data": {}})
    assert int(cm["metadata"]["resourceVersion"]) > before
    changes = fresh.store.changes_since(before)
    assert changes[0].type == "ADDED" and changes[0].kind == "configmap"


def test_status_errors(fresh: ClusterState) -> None:
    deploy = by_key("deployment")
    with pytest.raises(ApiError) as err:
        fresh.get(deploy, "boutique", "nope")
    assert err.value.to_status() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'deployments.apps "nope" not found',
        "reason": "NotFound",
        "details": {"name": "nope", "group": "apps", "kind": "deployments"},
        "code": 404,
    }
    with pytest.raises(ApiError) as err:
        fresh.create(by_key("configmap"), "boutique", {"metadata": {"name": "frontend-config"}})
    assert (err.value.code, err.value.reason) == (409, "AlreadyExists")
    current = fresh.get(deploy, "boutique", "frontend")
    stale = json.loads(json.dumps(current))
    stale["metadata"]["resourceVersion"] = "1"
    with pytest.raises(ApiError) as err:
        fresh.replace(deploy, "boutique", "frontend", stale)
    assert err.value.reason == "Conflict" and err.value.message.startswith(
        'Operation cannot be fulfilled on deployments.apps "frontend"'
    )
    with pytest.raises(ApiError) as err:
        fresh.create(
            by_key("pod"),
            "default",
            {"metadata": {"name": "Bad_Name"}, "spec": {"containers": [{"name": "a"}]}},
        )
    assert err.value.code == 422 and 'Pod "Bad_Name" is invalid: metadata.name' in err.value.message
    with pytest.raises(ApiError) as err:
        fresh.create(
            by_key("pod"), "missing-ns", {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}}
        )
    assert err.value.message == 'namespaces "missing-ns" not found'


def test_protobuf_access_review_is_decoded() -> None:
    def field(number: int, payload: bytes) -> bytes:
        return bytes([(number << 3) | 2, len(payload)]) + payload

    attrs = field(1, b"boutique") + field(2, b"list") + field(5, b"pods")
    review = field(2, field(1, attrs))
    envelope = b"k8s\x00" + field(2, review)
    assert decode_access_review(envelope) == {"namespace": "boutique", "verb": "list", "resource": "pods"}
