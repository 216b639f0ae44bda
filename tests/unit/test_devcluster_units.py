"""devcluster's parts without a server: selectors, names, controllers, Status errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from devcluster import controllers, names, rbac, tables, watch
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
from devcluster.store import ExpiredError

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


INCIDENTS = DEMO.parent / "incidents"


@pytest.fixture(scope="module")
def incidents() -> ClusterState:
    state = ClusterState()
    state.load_dir(INCIDENTS)
    return state


def _app_pods(state: ClusterState, app: str) -> list[dict]:  # type: ignore[type-arg]
    return [p for p in state.store.list("pod", "shop") if p["metadata"].get("labels", {}).get("app") == app]


def _pod_events(state: ClusterState, pod: dict) -> list[dict]:  # type: ignore[type-arg]
    return [
        e for e in state.store.list("event", "shop") if e["involvedObject"]["uid"] == pod["metadata"]["uid"]
    ]


def test_probe_failures(incidents: ClusterState) -> None:
    ready_fail = _app_pods(incidents, "checkout")[0]
    st = ready_fail["status"]
    assert st["phase"] == "Running" and st["containerStatuses"][0]["ready"] is False
    assert {c["type"]: c["status"] for c in st["conditions"]}["Ready"] == "False"
    unhealthy = [e for e in _pod_events(incidents, ready_fail) if e["reason"] == "Unhealthy"]
    assert unhealthy[0]["type"] == "Warning"
    assert unhealthy[0]["message"] == "Readiness probe failed: HTTP probe failed with statuscode: 503"

    live_fail = _app_pods(incidents, "payments")[0]
    cs = live_fail["status"]["containerStatuses"][0]
    assert cs["restartCount"] == 5 and "running" in cs["state"]
    assert cs["lastState"]["terminated"]["exitCode"] == 137
    events = {e["reason"]: e for e in _pod_events(incidents, live_fail)}
    ip = live_fail["status"]["podIP"]
    assert (
        events["Unhealthy"]["message"]
        == f"Liveness probe failed: dial tcp {ip}:9000: connect: connection refused"
    )
    assert events["Killing"]["message"] == "Container api failed liveness probe, will be restarted"


def test_init_container_failures(incidents: ClusterState) -> None:
    looping = _app_pods(incidents, "orders")[0]
    st = looping["status"]
    assert st["phase"] == "Pending"
    done, failing = st["initContainerStatuses"]
    assert done["state"]["terminated"]["reason"] == "Completed" and done["ready"] is True
    assert failing["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert failing["lastState"]["terminated"] | {"startedAt": "", "finishedAt": "", "containerID": ""} == {
        "exitCode": 1,
        "reason": "Error",
        "startedAt": "",
        "finishedAt": "",
        "containerID": "",
    }
    assert st["containerStatuses"][0]["state"] == {"waiting": {"reason": "PodInitializing"}}
    init_cond = next(c for c in st["conditions"] if c["type"] == "Initialized")
    assert (init_cond["status"], init_cond["reason"]) == ("False", "ContainersNotInitialized")
    assert init_cond["message"] == "containers with incomplete status: [migrate-db]"
    assert tables.pod_status_reason(looping) == "Init:CrashLoopBackOff"
    restarts = tables.PRINTERS["pod"][1](looping, incidents.now())[3]
    assert restarts.startswith("6 (")  # init container restarts count while initializing

    once = incidents.store.get("pod", "shop", "schema-check")
    assert once is not None and once["status"]["phase"] == "Failed"
    term = once["status"]["initContainerStatuses"][0]["state"]["terminated"]
    assert (term["reason"], term["exitCode"]) == ("Error", 1)
    assert tables.pod_status_reason(once) == "Init:Error"


def test_oom_killed(incidents: ClusterState) -> None:
    pod = _app_pods(incidents, "recommender")[0]
    cs = pod["status"]["containerStatuses"][0]
    last = cs["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"]) == ("OOMKilled", 137)
    assert cs["restartCount"] > 0 and cs["ready"] is False
    assert last["containerID"] != cs["containerID"]  # the previous container instance


def test_pending_on_unbound_claim_has_no_events(incidents: ClusterState) -> None:
    pod = _app_pods(incidents, "reports")[0]
    assert "nodeName" not in pod["spec"]
    (cond,) = pod["status"]["conditions"]
    assert (cond["type"], cond["status"], cond["reason"]) == ("PodScheduled", "False", "Unschedulable")
    nodes = incidents.store.count("node")
    assert cond["message"].startswith(
        f"0/{nodes} nodes are available: pod has unbound immediate PersistentVolumeClaims."
    )
    assert _pod_events(incidents, pod) == []
    pvc = incidents.store.get("persistentvolumeclaim", "shop", "reports-data")
    assert pvc is not None and pvc["status"]["phase"] == "Pending"
    assert [
        e
        for e in incidents.store.list("event", "shop")
        if e["involvedObject"]["kind"] == "PersistentVolumeClaim"
    ] == []


def test_service_selecting_nothing_has_empty_endpoints(incidents: ClusterState) -> None:
    ep = incidents.store.get("endpoints", "shop", "inventory")
    assert ep is not None and "subsets" not in ep
    assert incidents.store.get("endpoints", "shop", "storefront")["subsets"][0]["addresses"]  # type: ignore[index]


def test_job_past_its_backoff_limit(incidents: ClusterState) -> None:
    job = incidents.store.get("job", "shop", "export-orders")
    assert job is not None
    pods = [
        p
        for p in incidents.store.list("pod", "shop")
        if p["metadata"]["labels"].get("job-name") == "export-orders"
    ]
    assert len(pods) == job["spec"]["backoffLimit"] + 1 == job["status"]["failed"]
    for pod in pods:
        assert pod["status"]["phase"] == "Failed"
        assert pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] != 0
    failed = next(c for c in job["status"]["conditions"] if c["type"] == "Failed")
    assert (failed["status"], failed["reason"]) == ("True", "BackoffLimitExceeded")
    assert "active" not in job["status"] and "completionTime" not in job["status"]
    reasons = [
        e["reason"]
        for e in incidents.store.list("event", "shop")
        if e["involvedObject"]["name"] == "export-orders"
    ]
    assert reasons.count("BackoffLimitExceeded") == 1 and reasons.count("SuccessfulCreate") == 3


def test_cronjob_whose_last_run_failed(incidents: ClusterState) -> None:
    cj = incidents.store.get("cronjob", "shop", "nightly-backup")
    assert cj is not None
    last = cj["status"]["lastScheduleTime"]
    assert last.endswith("T02:30:00Z") and "active" not in cj["status"]
    (job,) = [
        j for j in incidents.store.list("job", "shop") if j["metadata"]["name"].startswith("nightly-backup-")
    ]
    assert job["metadata"]["ownerReferences"][0]["uid"] == cj["metadata"]["uid"]
    assert job["status"]["failed"] == 2
    assert any(c["reason"] == "BackoffLimitExceeded" for c in job["status"]["conditions"])
    messages = [
        e["message"]
        for e in incidents.store.list("event", "shop")
        if e["involvedObject"]["kind"] == "CronJob"
    ]
    assert f"Saw completed job: {job['metadata']['name']}, status: Failed" in messages


def test_rollout_past_its_deadline(incidents: ClusterState) -> None:
    dep = incidents.store.get("deployment", "shop", "search")
    assert dep is not None
    cond = {c["type"]: c for c in dep["status"]["conditions"]}
    assert (cond["Progressing"]["status"], cond["Progressing"]["reason"]) == (
        "False",
        "ProgressDeadlineExceeded",
    )
    assert cond["Available"]["status"] == "True"  # the previous ReplicaSet still serves
    sets = {
        r["metadata"]["annotations"]["deployment.kubernetes.io/revision"]: r
        for r in incidents.store.list("replicaset", "shop")
        if r["metadata"]["name"].startswith("search-")
    }
    old, new = sets["1"], sets["2"]
    assert (
        cond["Progressing"]["message"] == f'ReplicaSet "{new["metadata"]["name"]}" has timed out progressing.'
    )
    assert old["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/example/search:6.9.4"
    # replicas 2 with maxSurge 25% (1) and maxUnavailable 25% (0): the old set keeps 2, the new got 1.
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (2, 1)
    ready = {}
    for pod in _app_pods(incidents, "search"):
        ready.setdefault(pod["metadata"]["labels"]["pod-template-hash"], []).append(
            pod["status"]["containerStatuses"][0]["ready"]
        )
    assert ready == {
        old["metadata"]["labels"]["pod-template-hash"]: [True, True],
        new["metadata"]["labels"]["pod-template-hash"]: [False],
    }
    assert (dep["status"]["updatedReplicas"], dep["status"]["readyReplicas"], dep["status"]["replicas"]) == (
        1,
        2,
        3,
    )
    healthy = incidents.store.get("deployment", "shop", "storefront")
    assert {c["type"]: c["status"] for c in healthy["status"]["conditions"]} == {  # type: ignore[index]
        "Available": "True",
        "Progressing": "True",
    }


def test_stuck_rollout_follows_scale_and_rollback() -> None:
    state = ClusterState()
    state.load_dir(INCIDENTS)
    deploy = by_key("deployment")
    state.set_scale(deploy, "shop", "search", 4)
    sets = {
        r["metadata"]["annotations"]["deployment.kubernetes.io/revision"]: r
        for r in state.list(by_key("replicaset"), "shop", "app=search")
    }
    assert (sets["1"]["spec"]["replicas"], sets["2"]["spec"]["replicas"]) == (3, 2)  # surge 1, unavailable 1
    assert controllers.rolling_bounds(state.get(deploy, "shop", "search"), 4) == (1, 1)
    dep = state.get(deploy, "shop", "search")
    dep["spec"]["template"]["spec"]["containers"][0]["image"] = "ghcr.io/example/search:6.9.4"
    state.replace(deploy, "shop", "search", dep)
    sets = {
        r["metadata"]["name"]: r["spec"]["replicas"]
        for r in state.list(by_key("replicaset"), "shop", "app=search")
    }
    assert sorted(sets.values()) == [0, 4]
    progressing = next(
        c for c in state.get(deploy, "shop", "search")["status"]["conditions"] if c["type"] == "Progressing"
    )
    assert progressing["reason"] == "NewReplicaSetAvailable"


def test_not_ready_node_with_pressure(incidents: ClusterState) -> None:
    node = incidents.store.get("node", "", "ops-worker-2")
    assert node is not None
    conds = {c["type"]: (c["status"], c["reason"]) for c in node["status"]["conditions"]}
    assert conds == {
        "MemoryPressure": ("True", "KubeletHasInsufficientMemory"),
        "DiskPressure": ("True", "KubeletHasDiskPressure"),
        "PIDPressure": ("False", "KubeletHasSufficientPID"),
        "Ready": ("False", "KubeletNotReady"),
    }
    taints = {(t["key"], t["effect"]) for t in node["spec"]["taints"]}
    assert {
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    } <= taints
    # Only a daemon runs there: it tolerates the node's taints, and the node marked it unready.
    (daemon,) = [p for p in incidents.store.list("pod") if p["spec"].get("nodeName") == "ops-worker-2"]
    assert daemon["metadata"]["labels"]["app"] == "node-exporter" and daemon["status"]["phase"] == "Running"
    assert {c["type"]: c["status"] for c in daemon["status"]["conditions"]}["Ready"] == "False"
    assert [e["reason"] for e in incidents.store.list("event", "kube-system") if e["type"] == "Warning"] == [
        "NodeNotReady"
    ]
    reasons = {
        e["reason"]
        for e in incidents.store.list("event", "default")
        if e["involvedObject"]["name"] == "ops-worker-2"
    }
    assert {"NodeNotReady", "NodeHasInsufficientMemory", "NodeNotSchedulable"} <= reasons
    lost = controllers.node_conditions("t", {"Unknown"})
    assert {c["status"] for c in lost} == {"Unknown"}


def test_last_schedule_of_cron_expressions() -> None:
    now = dt.datetime(2026, 12, 1, 19, 7, tzinfo=dt.UTC).timestamp()  # a Tuesday

    def last(expr: str) -> str:
        at = controllers.last_schedule(expr, now)
        assert at is not None
        return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%a %d %H:%M")

    assert last("30 2 * * *") == "Tue 01 02:30"
    assert last("*/15 * * * *") == "Tue 01 19:00"
    assert last("0 9 * * 1-5") == "Tue 01 09:00"
    assert last("0 0 * * 0") == "Sun 29 00:00"
    assert last("@hourly") == "Tue 01 19:00"
    assert last("0 3 15 * *") == "Sun 15 03:00"
    with pytest.raises(ValueError):
        controllers.last_schedule("every day", now)


def test_a_pinned_last_run_names_the_same_job_on_any_day() -> None:
    newsroom = Path(__file__).resolve().parents[2] / "evals" / "clusters" / "newsroom"
    seen = []
    for day in (2, 9, 30):
        when = dt.datetime(2026, 12, day, 12, 0, tzinfo=dt.UTC).timestamp()
        state = ClusterState(clock=lambda when=when: when)
        state.load_dir(newsroom)
        jobs = [j["metadata"]["name"] for j in state.store.list("job", "backup")]
        (cron,) = [c for c in state.store.list("cronjob", "backup") if c["metadata"]["name"] == "db-backup"]
        seen.append((sorted(jobs), cron["status"]["lastScheduleTime"]))
        assert "kcache.dev/last-run" not in (cron["metadata"].get("annotations") or {})
    assert seen == [(["db-backup-29932020", "restore-drill"], "2026-11-29T03:00:00Z")] * 3


def test_a_bad_last_run_or_schedule_is_a_warning_on_the_cronjob_and_no_run(tmp_path: Path) -> None:
    def cronjob(name: str, schedule: str, last_run: str | None) -> str:
        pinned = f"\n    kcache.dev/last-run: '{last_run}'" if last_run else ""
        return f"""---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {name}
  namespace: ops
  annotations:{pinned}
    kcache.dev/simulate: BackoffLimitExceeded
spec:
  schedule: "{schedule}"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{{name: run, image: busybox}}]
"""

    (tmp_path / "ops.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: ops}\n"
        + cronjob("report", "0 3 * * *", "last tuesday")
        + cronjob("sweep", "every day", None)
    )
    state = ClusterState()
    state.load_dir(tmp_path)
    state.reconcile()
    warnings = {
        (e["involvedObject"]["name"], e["reason"]): e["message"]
        for e in state.store.list("event", "ops")
        if e["type"] == "Warning"
    }
    assert "'last tuesday'" in warnings[("report", "InvalidLastRun")]
    assert "'every day'" in warnings[("sweep", "UnparseableSchedule")]
    assert len([e for e in state.store.list("event", "ops") if e["type"] == "Warning"]) == 2
    assert state.store.list("job", "ops") == []


def test_restart_crashing_grows_restart_counts_and_event_counts() -> None:
    state = ClusterState()
    state.load_dir(INCIDENTS)
    pod = _app_pods(state, "payments")[0]
    unhealthy = next(e for e in _pod_events(state, pod) if e["reason"] == "Unhealthy")
    before = (pod["status"]["containerStatuses"][0]["restartCount"], unhealthy["count"])
    rv = state.store.resource_version
    with state.store.locked():
        restarted = controllers.restart_crashing(state)
    # payments, recommender (OOMKilled) and the orders init container restart; healthy pods do not.
    assert restarted == 3
    pod = _app_pods(state, "payments")[0]
    cs = pod["status"]["containerStatuses"][0]
    assert (cs["restartCount"], unhealthy["count"]) == (before[0] + 1, before[1] + 1)
    assert cs["lastState"]["terminated"]["finishedAt"] == state.now_iso()
    assert _app_pods(state, "storefront")[0]["status"]["containerStatuses"][0]["restartCount"] == 0
    changed = {c.obj["metadata"]["name"] for c in state.store.changes_since(rv) if c.kind == "pod"}
    assert changed == {
        p["metadata"]["name"] for a in ("payments", "recommender", "orders") for p in _app_pods(state, a)
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("", False),
        ("1", True),
        ("t", True),
        ("T", True),
        ("TRUE", True),
        ("true", True),
        ("True", True),
        ("0", False),
        ("f", False),
        ("F", False),
        ("FALSE", False),
        ("false", False),
        ("False", False),
    ],
)
def test_parse_bool_reads_go_booleans(value: str | None, expected: bool) -> None:
    assert watch.parse_bool(value) is expected


@pytest.mark.parametrize("value", ["yes", "tRUE", "2", "on"])
def test_parse_bool_rejects_what_go_rejects(value: str) -> None:
    with pytest.raises(ApiError) as err:
        watch.parse_bool(value)
    assert (
        err.value.code == 400 and err.value.message == f'strconv.ParseBool: parsing "{value}": invalid syntax'
    )


def test_endpoint_slices_follow_pods_and_their_service(fresh: ClusterState) -> None:
    def slice_ips() -> list[str]:
        (es,) = fresh.list(by_key("endpointslice"), "boutique", "kubernetes.io/service-name=frontend")
        assert es["metadata"]["ownerReferences"][0]["kind"] == "Service"
        return sorted(a for ep in es["endpoints"] for a in ep["addresses"])

    assert len(slice_ips()) == 1
    fresh.set_scale(by_key("deployment"), "boutique", "frontend", 3)
    pods = fresh.list(by_key("pod"), "boutique", "app=frontend")
    assert slice_ips() == sorted(p["status"]["podIP"] for p in pods)
    endpoints = fresh.get(by_key("endpoints"), "boutique", "frontend")
    assert sorted(a["ip"] for a in endpoints["subsets"][0]["addresses"]) == slice_ips()
    fresh.delete(by_key("service"), "boutique", "frontend")
    assert fresh.list(by_key("endpointslice"), "boutique", "kubernetes.io/service-name=frontend") == []


def test_compacted_log_expires_older_versions(fresh: ClusterState) -> None:
    before = fresh.store.resource_version
    fresh.create(by_key("configmap"), "default", {"metadata": {"name": "c1"}, "data": {}})
    assert [c.obj["metadata"]["name"] for c in fresh.store.changes_since(before)] == ["c1"]
    compacted = fresh.store.compact()
    with pytest.raises(ExpiredError, match=f"too old resource version: {before} \\({compacted}\\)"):
        fresh.store.changes_since(before)
    assert fresh.store.changes_since(compacted) == []
    fresh.create(by_key("configmap"), "default", {"metadata": {"name": "c2"}, "data": {}})
    assert [c.obj["metadata"]["name"] for c in fresh.store.changes_since(compacted)] == ["c2"]


def test_the_view_role_reads_endpoint_slices() -> None:
    view = next(r for r in rbac.default_policy() if r["metadata"]["name"] == "view")
    wanted = rbac.Attributes(
        "list", api_group="discovery.k8s.io", resource="endpointslices", namespace="shop"
    )
    assert any(rbac.rule_allows(rule, wanted) for rule in view["rules"])
