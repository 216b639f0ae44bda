"""Analyzers over cached objects, each finding on a small cluster built through the real parsers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kcache.analyzers import (
    Finding,
    View,
    diagnose,
    diagnose_cluster,
    diagnose_namespace,
    diagnose_object,
    hint,
    rank,
    text,
    top_level,
)
from kcache.analyzers.load import diagnose_items, load_view
from kcache.model import Resource
from kcache.parsing import parse_list
from kcache.store import Store
from tests.support.manifests import (
    NS,
    broken_namespace,
    claim,
    container,
    deployment,
    endpoints,
    event,
    job,
    node,
    obj,
    pod,
    running,
    service,
    storage_class,
    terminated,
    waiting,
)


def reasons(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f["kind"], f["name"], f["reason"]) for f in findings]


def only(findings: list[Finding], reason: str) -> Finding:
    matching = [f for f in findings if f["reason"] == reason]
    assert len(matching) == 1, reasons(findings)
    return matching[0]


LOADED = (
    "pod",
    "configmap",
    "secret",
    "persistentvolumeclaim",
    "service",
    "endpoints",
    "storageclass",
    "persistentvolume",
)


def view(*records: Resource, **kw: Any) -> View:
    return View.of(records, loaded=LOADED, **kw)


# --- pods ---------------------------------------------------------------------------------


def test_crashloop_with_oomkilled_last_state_names_exit_137_and_the_memory_limit() -> None:
    p = pod(
        "api-1",
        containers=[container(resources={"limits": {"memory": "128Mi"}})],
        statuses=[
            waiting("app", "CrashLoopBackOff", "back-off 5m0s", 7, last_reason="OOMKilled", last_code=137)
        ],
    )
    back = event(p, "BackOff", "Back-off restarting failed container app", count=12)
    f = only(diagnose(view(p, back), p), "CrashLoopBackOff")
    assert f["severity"] == "critical"
    assert "last exit OOMKilled (exit code 137), 7 restarts" in f["text_en"]
    assert "OOMKilled（退出码 137）" in f["text_zh"]
    assert "128Mi" in f["hint_en"] and "128Mi" in f["hint_zh"]
    assert 'event BackOff ×12: "Back-off restarting failed container app"' in f["evidence"]


def test_crashloop_with_error_exit_code_points_at_previous_logs() -> None:
    p = pod(
        "api-1", statuses=[waiting("app", "CrashLoopBackOff", restarts=4, last_reason="Error", last_code=2)]
    )
    f = only(diagnose(view(p), p), "CrashLoopBackOff")
    assert "last exit Error (exit code 2)" in f["text_en"] and "previous logs" in f["hint_en"]


def test_image_pull_error_names_the_image() -> None:
    p = pod(
        "web-1",
        phase="Pending",
        containers=[container(image="registry.example/web:does-not-exist")],
        statuses=[
            waiting("app", "ImagePullBackOff", 'Back-off pulling image "registry.example/web:does-not-exist"')
        ],
    )
    failed = event(p, "Failed", "Failed to pull image: manifest unknown")
    f = only(diagnose(view(p, failed), p), "ImagePullBackOff")
    assert "registry.example/web:does-not-exist" in f["text_en"]
    assert "无法拉取镜像 registry.example/web:does-not-exist" in f["text_zh"]
    assert 'event Failed: "Failed to pull image: manifest unknown"' in f["evidence"]


def test_pending_pod_without_events_reads_the_podscheduled_message() -> None:
    message = "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."
    claim = obj(
        "persistentvolumeclaim", "data", spec={"storageClassName": "standard"}, status={"phase": "Pending"}
    )
    p = pod(
        "db-0",
        phase="Pending",
        node=None,
        statuses=[],
        conditions=[
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}
        ],
        volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}],
    )
    f = only(diagnose(view(p, claim), p), "Unschedulable")
    assert message in f["text_en"] and message in f["text_zh"]
    # The claim's own cause travels with the pod's finding.
    assert (
        "PersistentVolumeClaim data (StorageClass standard) is Pending: StorageClass standard does not exist"
        in f["evidence"]
    )
    assert "PersistentVolumeClaim" in f["hint_en"]


def test_unschedulable_hint_follows_what_the_scheduler_says() -> None:
    message = "0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {x: }."
    p = pod(
        "big",
        phase="Pending",
        node=None,
        conditions=[
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}
        ],
    )
    repeat = event(p, "FailedScheduling", message, count=4)
    f = only(diagnose(view(p, repeat), p), "Unschedulable")
    assert f["hint_en"].startswith("No node has enough free cpu") and "cpu" in f["hint_zh"]
    assert "event FailedScheduling ×4 (the same message)" in f["evidence"]
    assert sum(line.startswith("event FailedScheduling") for line in f["evidence"]) == 1


def test_pending_pod_falls_back_to_the_failedscheduling_event() -> None:
    p = pod("load-1", phase="Pending", node=None, statuses=[])
    e = event(p, "FailedScheduling", "0/3 nodes are available: 3 Insufficient cpu.")
    f = only(diagnose(view(p, e), p), "Unschedulable")
    assert "3 Insufficient cpu" in f["text_en"]


def test_scheduling_gated_pod_is_a_note_not_a_problem() -> None:
    p = pod(
        "gated",
        phase="Pending",
        node=None,
        conditions=[{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}],
    )
    assert only(diagnose(view(p), p), "SchedulingGated")["severity"] == "info"


def test_terminated_error_and_oomkilled_carry_their_exit_codes() -> None:
    failed = pod("job-x", phase="Failed", statuses=[terminated("app", "Error", 3)])
    f = only(diagnose(view(failed), failed), "Error")
    assert "terminated: Error (exit code 3)" in f["text_en"]
    oom = pod("job-y", phase="Failed", statuses=[terminated("app", "OOMKilled", 137)])
    assert "OOMKilled (exit code 137)" in only(diagnose(view(oom), oom), "OOMKilled")["text_en"]
    done = pod("job-z", phase="Succeeded", statuses=[terminated("app", "Completed", 0)])
    assert diagnose(view(done), done) == []


def test_init_container_failures_are_reported_as_init_containers() -> None:
    p = pod(
        "api-2",
        phase="Pending",
        init=[container("migrate")],
        init_statuses=[waiting("migrate", "CrashLoopBackOff", restarts=3, last_reason="Error", last_code=1)],
        statuses=[waiting("app", "PodInitializing")],
    )
    f = only(diagnose(view(p), p), "CrashLoopBackOff")
    assert f["text_en"].startswith("init container migrate is in CrashLoopBackOff")
    assert f["text_zh"].startswith("初始化容器 migrate")


def test_running_container_that_was_oomkilled_or_restarts_is_a_warning() -> None:
    oom = pod("a", statuses=[running(restarts=2, reason="OOMKilled", exitCode=137)])
    assert only(diagnose(view(oom), oom), "OOMKilled")["severity"] == "warning"
    flappy = pod("b", statuses=[running(restarts=5, reason="Error", exitCode=1)])
    assert (
        "restarted 5 times (last exit Error (exit code 1))"
        in only(diagnose(view(flappy), flappy), "Restarting")["text_en"]
    )
    calm = pod("c", statuses=[running(restarts=1, reason="Error", exitCode=1)])
    assert diagnose(view(calm), calm) == []


def test_readiness_and_liveness_failures_come_from_unhealthy_events() -> None:
    p = pod(
        "web-2",
        containers=[container(readinessProbe={"httpGet": {"path": "/ready", "port": 8080}})],
        statuses=[running(ready=False)],
        conditions=[{"type": "Ready", "status": "False"}],
    )
    ready = event(p, "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", count=30)
    live = event(p, "Unhealthy", "Liveness probe failed: connection refused")
    live.name = "web-2.live"
    found = diagnose(view(p, ready, live), p)
    assert "statuscode: 503" in only(found, "ReadinessProbeFailed")["evidence"][0]
    assert "connection refused" in only(found, "LivenessProbeFailed")["evidence"][0]
    quiet = pod(
        "web-3",
        containers=[container(readinessProbe={"tcpSocket": {"port": 8080}})],
        statuses=[running(ready=False)],
    )
    f = only(diagnose(view(quiet), quiet), "ContainerNotReady")
    assert f["evidence"] == ["app: readiness probe tcpSocket :8080"]


def test_missing_configmap_secret_and_claim_references() -> None:
    spec_containers = [
        container(
            env=[{"name": "K", "valueFrom": {"secretKeyRef": {"name": "db-creds", "key": "password"}}}],
            envFrom=[{"configMapRef": {"name": "optional-flags", "optional": True}}],
        )
    ]
    p = pod(
        "api-3",
        phase="Pending",
        containers=spec_containers,
        statuses=[waiting("app", "CreateContainerConfigError", 'secret "db-creds" not found')],
        volumes=[
            {"name": "conf", "configMap": {"name": "api-conf"}},
            {"name": "data", "persistentVolumeClaim": {"claimName": "api-data"}},
        ],
    )
    present = obj("configmap", "api-conf", data={"a": "b"})
    found = diagnose(view(p, present), p)
    assert {f["reason"] for f in found} == {
        "CreateContainerConfigError",
        "MissingSecret",
        "MissingPersistentVolumeClaim",
    }
    assert "Secret db-creds (env of app), which does not exist" in only(found, "MissingSecret")["text_en"]
    assert 'secret "db-creds" not found' in only(found, "CreateContainerConfigError")["text_en"]
    # Nothing is concluded about kinds the view did not load.
    unknown = View.of([p])
    assert {f["reason"] for f in diagnose(unknown, p)} == {"CreateContainerConfigError"}


def test_pod_on_a_notready_node_and_an_evicted_pod() -> None:
    sick = node("node-1", ready="False")
    p = pod("api-4", statuses=[running()])
    f = only(diagnose(view(p, sick), p), "NodeNotReady")
    assert "node-1" in f["text_en"] and f["severity"] == "critical"
    evicted = pod(
        "api-5",
        phase="Failed",
        statuses=[],
        reason="Evicted",
        message="The node was low on resource: memory.",
    )
    assert "low on resource: memory" in only(diagnose(view(evicted), evicted), "Evicted")["text_en"]


def test_healthy_pod_has_no_findings() -> None:
    p = pod("ok", statuses=[running()], conditions=[{"type": "Ready", "status": "True"}])
    assert diagnose(view(p), p) == []


# --- workloads ----------------------------------------------------------------------------


def test_deployment_follows_owner_references_to_its_pods_never_name_prefixes() -> None:
    d = deployment("cart", 2, 0)
    rs = obj("replicaset", "cart-5d9c8b7f6d", owner=("Deployment", "cart"), spec={"replicas": 2})
    crash = pod(
        "cart-5d9c8b7f6d-x2x7k",
        owner=("ReplicaSet", rs.name),
        statuses=[waiting("app", "CrashLoopBackOff", restarts=6, last_reason="Error", last_code=1)],
    )
    impostor = pod("cart-5d9c8b7f6d-fake1", statuses=[waiting("app", "ImagePullBackOff")])
    found = diagnose(view(d, rs, crash, impostor), d)
    assert reasons(found) == [
        ("deployment", "cart", "ReplicasNotReady"),
        ("pod", crash.name, "CrashLoopBackOff"),
    ]
    assert only(found, "ReplicasNotReady")["severity"] == "critical"
    assert "0 of 2 replicas ready" in only(found, "ReplicasNotReady")["text_en"]
    assert only(found, "CrashLoopBackOff")["parent"] == "deployment team-a/cart"


def test_stuck_rollout_and_replica_failure() -> None:
    d = deployment(
        "web",
        3,
        2,
        conditions=[
            {
                "type": "Progressing",
                "status": "False",
                "reason": "ProgressDeadlineExceeded",
                "message": 'ReplicaSet "web-2" has timed out progressing.',
            },
            {
                "type": "ReplicaFailure",
                "status": "True",
                "reason": "FailedCreate",
                "message": 'pods "web-2-x" is forbidden: exceeded quota: compute',
            },
        ],
    )
    found = diagnose(view(d), d)
    stuck = only(found, "ProgressDeadlineExceeded")
    assert stuck["severity"] == "critical" and "timed out progressing" in stuck["evidence"][0]
    assert "exceeded quota" in only(found, "ReplicaFailure")["text_en"]
    assert only(found, "ReplicasNotReady")["severity"] == "warning"  # 2 of 3 ready: degraded, not down
    assert "no pods exist" in only(found, "ReplicasNotReady")["evidence"]


def test_statefulset_and_daemonset_pods_and_counts() -> None:
    sts = obj("statefulset", "db", spec={"replicas": 1}, status={"readyReplicas": 0})
    db0 = pod("db-0", owner=("StatefulSet", "db"), statuses=[waiting("app", "ErrImagePull")])
    ds = obj(
        "daemonset", "agent", status={"desiredNumberScheduled": 3, "numberReady": 3, "numberMisscheduled": 1}
    )
    v = view(sts, db0, ds)
    assert reasons(diagnose(v, sts)) == [
        ("statefulset", "db", "ReplicasNotReady"),
        ("pod", "db-0", "ErrImagePull"),
    ]
    assert reasons(diagnose(v, ds)) == [("daemonset", "agent", "Misscheduled")]
    healthy = deployment("ok", 2, 2)
    assert diagnose(view(healthy), healthy) == []


# --- jobs and cronjobs --------------------------------------------------------------------


def test_failed_job_reaches_its_failed_pods_through_owner_references() -> None:
    j = job(
        "report",
        failed=3,
        conditions=[
            {
                "type": "Failed",
                "status": "True",
                "reason": "BackoffLimitExceeded",
                "message": "Job has reached the specified backoff limit",
            }
        ],
    )
    pods = [
        pod(f"report-{i}", phase="Failed", owner=("Job", "report"), statuses=[terminated("app", "Error", 1)])
        for i in "abc"
    ]
    found = diagnose(view(j, *pods), j)
    top = only(found, "BackoffLimitExceeded")
    assert (
        top["severity"] == "critical"
        and "failed (BackoffLimitExceeded): 3 pods failed, reaching backoffLimit 2" in top["text_en"]
    )
    assert "succeeded 0, failed 3, active 0, backoffLimit 2" in top["evidence"]
    errors = [f for f in found if f["reason"] == "Error"]
    assert len(errors) == 3 and all(f["parent"] == "job team-a/report" for f in errors)
    assert found[0]["kind"] == "job"  # the job ranks before its pods at equal severity


def test_running_job_with_failures_is_retrying_and_deadline_is_named() -> None:
    j = job("retry", failed=1, active=1)
    assert (
        "1 pod failed so far (backoffLimit 2), 1 active"
        in only(diagnose(view(j), j), "JobRetrying")["text_en"]
    )
    late = obj(
        "job",
        "late",
        spec={"activeDeadlineSeconds": 60},
        status={"conditions": [{"type": "Failed", "status": "True", "reason": "DeadlineExceeded"}]},
    )
    assert "activeDeadlineSeconds 60" in only(diagnose(view(late), late), "DeadlineExceeded")["text_en"]
    done = job("done", succeeded=1, conditions=[{"type": "Complete", "status": "True"}])
    assert diagnose(view(done), done) == []


def test_cronjob_whose_last_run_failed_shows_that_jobs_findings() -> None:
    cj = obj(
        "cronjob",
        "nightly",
        spec={"schedule": "0 2 * * *", "jobTemplate": {"spec": {}}},
        status={"lastScheduleTime": "2026-11-30T02:00:00Z"},
    )
    old = job(
        "nightly-1",
        owner=("CronJob", "nightly"),
        succeeded=1,
        startTime="2026-11-29T02:00:00Z",
        conditions=[{"type": "Complete", "status": "True"}],
    )
    new = job(
        "nightly-2",
        owner=("CronJob", "nightly"),
        failed=3,
        startTime="2026-11-30T02:00:00Z",
        conditions=[{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}],
    )
    p = pod(
        "nightly-2-abc", phase="Failed", owner=("Job", "nightly-2"), statuses=[terminated("app", "Error", 1)]
    )
    found = diagnose(view(cj, old, new, p), cj)
    assert ("cronjob", "nightly", "LastRunFailed") == reasons(found)[0]
    assert "job nightly-2" in found[0]["text_en"]
    assert {("job", "nightly-2", "BackoffLimitExceeded"), ("pod", p.name, "Error")} <= set(reasons(found))
    paused = obj("cronjob", "paused", spec={"schedule": "* * * * *", "suspend": True})
    assert only(diagnose(view(paused), paused), "Suspended")["severity"] == "info"


# --- services -----------------------------------------------------------------------------


def test_service_whose_selector_matches_no_pod_shows_the_near_miss() -> None:
    svc = service("web", {"app": "web", "tier": "front"})
    near = pod("web-v2-1", labels={"app": "web", "tier": "frontend"}, statuses=[running()])
    f = only(diagnose(view(svc, near, endpoints("web", 0, 0)), svc), "SelectorMatchesNoPods")
    assert f["severity"] == "critical" and "app=web,tier=front" in f["text_en"]
    assert "pod web-v2-1 has tier=frontend (selector wants front)" in f["evidence"]
    assert diagnose(View.of([svc]), svc) == []  # pods not loaded: nothing concluded


def test_service_with_no_ready_endpoint_shows_the_pods_findings() -> None:
    svc = service("api", {"app": "api"})
    p = pod(
        "api-1",
        labels={"app": "api"},
        containers=[container(ports=[{"containerPort": 8080}])],
        statuses=[waiting("app", "CrashLoopBackOff", restarts=3)],
    )
    found = diagnose(view(svc, p, endpoints("api", 0, 1)), svc)
    f = only(found, "NoReadyEndpoints")
    assert "no ready endpoint (1 pod selected, 1 not ready)" in f["text_en"]
    assert ("pod", "api-1", "CrashLoopBackOff") in reasons(found)
    # With a ready endpoint the Service works; its pods are not its problem.
    assert diagnose(view(svc, p, endpoints("api", 1, 0)), svc) == []


def test_target_port_that_no_selected_container_exposes() -> None:
    p = pod(
        "web-1",
        labels={"app": "web"},
        containers=[container(ports=[{"name": "http", "containerPort": 8080}])],
        statuses=[running()],
    )
    named = service("web", {"app": "web"}, target="metrics")
    f = only(diagnose(view(named, p), named), "TargetPortNotExposed")
    assert f["severity"] == "critical" and "targets metrics" in f["text_en"]
    assert f["evidence"] == ["container ports: http:8080"]
    numeric = service("web", {"app": "web"}, target=9090)
    assert only(diagnose(view(numeric, p), numeric), "TargetPortNotExposed")["severity"] == "warning"
    fine = service("web", {"app": "web"}, target="http")
    assert diagnose(view(fine, p), fine) == []
    external = obj("service", "ext", spec={"type": "ExternalName", "externalName": "db.example.com"})
    assert diagnose(view(external), external) == []


# --- ingresses ----------------------------------------------------------------------------


def ingress(backend: str, port: int | str = 80, **spec: Any) -> Resource:
    port_ref = {"number": port} if isinstance(port, int) else {"name": port}
    rule = {
        "host": "shop.example.com",
        "http": {
            "paths": [
                {
                    "path": "/",
                    "pathType": "Prefix",
                    "backend": {"service": {"name": backend, "port": port_ref}},
                }
            ]
        },
    }
    return obj("ingress", "shop", spec={"rules": [rule], **spec})


def test_ingress_backend_missing_or_without_ready_endpoints() -> None:
    missing = ingress("gone")
    f = only(diagnose(view(missing), missing), "BackendServiceNotFound")
    assert "Service gone" in f["text_en"] and f["evidence"] == ["/ → gone:80"]
    svc = service("front", {"app": "front"})
    p = pod("front-1", labels={"app": "front"}, statuses=[running(ready=False)])
    down = ingress("front")
    found = diagnose(view(down, svc, p, endpoints("front", 0, 1)), down)
    assert {("ingress", "shop", "BackendNoReadyEndpoints"), ("service", "front", "NoReadyEndpoints")} <= set(
        reasons(found)
    )
    wrong_port = ingress("front", 8443)
    assert (
        "port 8443"
        in only(
            diagnose(view(wrong_port, svc, p, endpoints("front", 1, 0)), wrong_port), "BackendPortNotFound"
        )["text_en"]
    )


def test_ingress_class_and_tls_secret_must_exist() -> None:
    svc = service("front", {"app": "front"})
    p = pod("front-1", labels={"app": "front"}, statuses=[running()])
    ing = ingress(
        "front", ingressClassName="traefik", tls=[{"hosts": ["shop.example.com"], "secretName": "shop-tls"}]
    )
    v = view(ing, svc, p, endpoints("front", 1, 0), ingress_classes=["nginx"])
    found = diagnose(v, ing)
    assert "IngressClass traefik" in only(found, "IngressClassNotFound")["text_en"]
    assert only(found, "TLSSecretNotFound")["severity"] == "warning"
    # Without the cluster's classes known, the class is not judged.
    assert "IngressClassNotFound" not in {f["reason"] for f in diagnose(view(ing, svc, p), ing)}


# --- persistent volume claims -------------------------------------------------------------


def test_pending_claim_without_storageclass_names_the_cause_and_the_waiting_pods() -> None:
    c = claim("data", None)
    p = pod(
        "db-0",
        phase="Pending",
        node=None,
        volumes=[{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}],
    )
    f = only(diagnose(view(c, p, storage_class("fast")), c), "NoStorageClass")
    assert f["severity"] == "critical" and "no default" in f["text_en"]
    assert "pods waiting for it: db-0" in f["evidence"] and "StorageClasses: fast" in f["evidence"]


def test_pending_claim_with_an_unknown_class_or_no_matching_volume() -> None:
    unknown = claim("data", "gold")
    assert (
        "StorageClass gold does not exist"
        in only(diagnose(view(unknown, storage_class("standard")), unknown), "StorageClassNotFound")[
            "text_en"
        ]
    )
    manual = claim("data", "manual")
    sc = storage_class("manual", provisioner="kubernetes.io/no-provisioner")
    taken = obj(
        "persistentvolume",
        "pv-1",
        None,
        spec={"storageClassName": "manual", "claimRef": {"namespace": "x", "name": "y"}},
        status={"phase": "Bound"},
    )
    assert (
        only(diagnose(view(manual, sc, taken), manual), "NoMatchingPersistentVolume")["severity"]
        == "critical"
    )
    free = obj(
        "persistentvolume", "pv-2", None, spec={"storageClassName": "manual"}, status={"phase": "Available"}
    )
    assert only(diagnose(view(manual, sc, free), manual), "ClaimPending")["reason"] == "ClaimPending"


def test_claims_that_wait_for_a_consumer_are_bound_or_lost() -> None:
    lazy = claim("cache", "standard")
    sc = storage_class("standard", default=True, mode="WaitForFirstConsumer")
    assert only(diagnose(view(lazy, sc), lazy), "WaitingForFirstConsumer")["severity"] == "info"
    bound = claim("ok", "standard", phase="Bound")
    assert diagnose(view(bound, sc), bound) == []
    lost = claim("gone", "standard", phase="Lost")
    assert only(diagnose(view(lost, sc), lost), "ClaimLost")["severity"] == "critical"


# --- nodes --------------------------------------------------------------------------------


def test_node_conditions_and_cordoning() -> None:
    down = node("n1", ready="False")
    assert only(diagnose(view(down), down), "NodeNotReady")["severity"] == "critical"
    silent = node("n2", ready="Unknown")
    assert "stopped reporting" in only(diagnose(view(silent), silent), "NodeStatusUnknown")["text_en"]
    pressed = node(
        "n3", MemoryPressure="True", DiskPressure="True", PIDPressure="True", NetworkUnavailable="True"
    )
    assert {f["reason"] for f in diagnose(view(pressed), pressed)} == {
        "MemoryPressure",
        "DiskPressure",
        "PIDPressure",
        "NetworkUnavailable",
    }
    cordoned = obj(
        "node",
        "n4",
        None,
        spec={"unschedulable": True},
        status={"conditions": [{"type": "Ready", "status": "True"}]},
    )
    assert only(diagnose(view(cordoned), cordoned), "Cordoned")["severity"] == "warning"
    assert diagnose(view(node("n5")), node("n5")) == []


def test_taints_that_keep_pending_pods_away() -> None:
    tainted = node("gpu-1", taints=[{"key": "nvidia.com/gpu", "effect": "NoSchedule"}])
    message = "0/1 nodes are available: 1 node(s) had untolerated taint {nvidia.com/gpu: }."
    blocked = pod(
        "train-1",
        phase="Pending",
        node=None,
        conditions=[
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}
        ],
    )
    tolerant = obj(
        "pod",
        "train-2",
        spec={"containers": [container()], "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists"}]},
        status={"phase": "Pending"},
    )
    f = only(diagnose(view(tainted, blocked, tolerant), tainted), "TaintBlocksPods")
    assert f["evidence"] == ["taint nvidia.com/gpu:NoSchedule", "pods: team-a/train-1"]
    assert "keeps 1 Pending pod away" in f["text_en"] and f["severity"] == "warning"
    # With an untainted node the pod could use, the taint is only part of the story.
    roomy = view(tainted, node("worker-1"), blocked)
    assert only(diagnose(roomy, tainted), "TaintBlocksPods")["severity"] == "info"


# --- scopes -------------------------------------------------------------------------------


def test_namespace_diagnosis_shows_each_object_once_ranked_by_severity() -> None:
    found = diagnose_namespace(view(*broken_namespace()), NS)
    keys = [(f["kind"], f["name"], f["reason"]) for f in found]
    assert len(keys) == len(set(keys))
    assert keys.count(("pod", "cart-abc-1", "CrashLoopBackOff")) == 1
    assert next(f for f in found if f["reason"] == "CrashLoopBackOff")["parent"] == "deployment team-a/cart"
    assert {k for k in keys} == {
        ("deployment", "cart", "ReplicasNotReady"),
        ("pod", "cart-abc-1", "CrashLoopBackOff"),
        ("service", "cart", "NoReadyEndpoints"),
        ("service", "orders", "SelectorMatchesNoPods"),
    }
    severities = [f["severity"] for f in found]
    assert severities == sorted(severities, key=["critical", "warning", "info"].index)
    assert len(top_level(found)) == 3  # the pod is counted under its deployment
    assert diagnose_namespace(view(*broken_namespace()), "elsewhere") == []


def test_cluster_diagnosis_adds_nodes_and_every_namespace() -> None:
    other = pod("x", statuses=[waiting("app", "ErrImagePull")])
    other.namespace = "team-b"
    records = [*broken_namespace(), node("node-2", ready="False"), other]
    found = diagnose_cluster(view(*records))
    assert ("node", "node-2", "NodeNotReady") in reasons(found)
    assert {f["namespace"] for f in found} == {None, "team-a", "team-b"}
    assert diagnose_object(view(*records), "node", None, "node-2")[0]["reason"] == "NodeNotReady"
    assert diagnose_object(view(*records), "pod", NS, "no-such-pod") == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_finding_renders_in_both_languages(lang: str) -> None:
    found = diagnose_cluster(view(*broken_namespace()))
    for f in found:
        assert text(f, lang) and text(f, lang) == f[f"text_{lang}"]  # type: ignore[literal-required]
        assert hint(f, lang) == f[f"hint_{lang}"]  # type: ignore[literal-required]
    zh = [text(f, "zh") for f in found]
    assert any("选择器" in s for s in zh) and any("副本" in s for s in zh)


# --- fallbacks and quieter cases ----------------------------------------------------------


def test_mount_failures_and_unknown_phase() -> None:
    p = pod("db-1", phase="Pending", statuses=[waiting("app", "ContainerCreating")])
    mount = event(p, "FailedMount", 'MountVolume.SetUp failed for volume "data": timed out')
    f = only(diagnose(view(p, mount), p), "FailedMount")
    assert f["severity"] == "critical" and "timed out" in f["text_en"]
    lost = pod("db-2", phase="Unknown", statuses=[])
    assert only(diagnose(view(lost), lost), "PodStatusUnknown")["severity"] == "warning"


def test_a_job_that_completed_after_retries_is_not_a_problem() -> None:
    j = job("retried", succeeded=1, failed=2, conditions=[{"type": "Complete", "status": "True"}])
    old = pod("retried-a", phase="Failed", owner=("Job", "retried"), statuses=[terminated("app", "Error", 1)])
    assert diagnose(view(j, old), j) == []


def test_service_without_cached_endpoints_judges_by_the_pods_readiness() -> None:
    svc = service("api", {"app": "api"})
    p = pod("api-1", labels={"app": "api"}, statuses=[running(ready=False)])
    no_endpoints = View.of([svc, p], loaded=("pod",))
    f = only(diagnose(no_endpoints, svc), "NoReadyEndpoints")
    assert "no selected pod is ready (1 pod selected)" in f["text_en"] and f["evidence"] == [
        "pods: api-1 (0/1)"
    ]
    ok = pod("api-2", labels={"app": "api"}, statuses=[running()])
    assert diagnose(View.of([svc, p, ok], loaded=("pod",)), svc) == []


def test_table_rows_are_judged_by_what_kubectl_prints() -> None:
    pods = parse_list(
        "NAME      READY   STATUS             RESTARTS   AGE\n"
        "web-1     0/1     CrashLoopBackOff   7          1h\n"
        "web-2     1/1     Running            0          1h\n",
        kind="pod",
    )
    for p in pods:
        p.namespace = NS
    v = View.of(pods)
    crash = only(diagnose(v, pods[0]), "CrashLoopBackOff")
    assert crash["severity"] == "critical" and "ready 0/1, 7 restarts" in crash["text_en"]
    assert diagnose(v, pods[1]) == []
    nodes = parse_list(
        "NAME   STATUS     ROLES    AGE   VERSION\nn1     NotReady   worker   1d    v1.31.4\n", kind="node"
    )
    assert only(diagnose(View.of(nodes), nodes[0]), "NodeNotReady")["evidence"] == ["status NotReady"]


def test_wait_for_first_consumer_claim_blames_the_pod_until_one_is_scheduled() -> None:
    c = claim("data", "standard")
    sc = storage_class("standard", mode="WaitForFirstConsumer")
    volumes = [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]
    stuck = pod("db-0", phase="Pending", node=None, volumes=volumes)
    f = only(diagnose(view(c, sc, stuck), c), "WaitingForFirstConsumer")
    assert f["severity"] == "info" and f["evidence"] == ["pods waiting for it: db-0"]
    placed = pod("db-0", phase="Pending", node="node-1", volumes=volumes)
    provisioning = event(c, "ProvisioningFailed", "failed to provision volume: disk quota exceeded")
    f = only(diagnose(view(c, sc, placed, provisioning), c), "ClaimPending")
    assert (
        f["severity"] == "critical"
        and 'event ProvisioningFailed: "failed to provision volume: disk quota exceeded"' in f["evidence"]
    )


def test_running_job_whose_pod_keeps_failing_names_the_job_first() -> None:
    j = job("backfill", active=1)
    p = pod(
        "backfill-x",
        owner=("Job", "backfill"),
        statuses=[waiting("app", "CrashLoopBackOff", restarts=7, last_reason="Error", last_code=1)],
    )
    found = diagnose(view(j, p), j)
    assert reasons(found) == [("job", "backfill", "PodsFailing"), ("pod", "backfill-x", "CrashLoopBackOff")]
    assert "is still running, but 1 of its pods is failing" in found[0]["text_en"]
    assert top_level(found) == [found[0]]


def test_pending_pod_whose_node_selector_matches_no_node() -> None:
    message = "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector."
    p = obj(
        "pod",
        "alert-0",
        spec={"containers": [container()], "nodeSelector": {"disktype": "nvme"}},
        status={
            "phase": "Pending",
            "conditions": [
                {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}
            ],
        },
    )
    worker = obj(
        "node",
        "w1",
        None,
        labels={"disktype": "ssd"},
        status={"conditions": [{"type": "Ready", "status": "True"}]},
    )
    f = only(diagnose(view(p, worker), p), "Unschedulable")
    assert "nodeSelector disktype=nvme matches no node" in f["evidence"]
    assert f["hint_en"].startswith("No node matches its node selector or affinity")
    oom = pod("job-y", phase="Failed", statuses=[terminated("app", "OOMKilled", 137)])
    assert "已终止：OOMKilled（退出码 137）" in only(diagnose(view(oom), oom), "OOMKilled")["text_zh"]


def test_startup_probe_failures_and_other_warning_events() -> None:
    p = pod(
        "slow-1",
        statuses=[running(ready=False)],
        containers=[container(startupProbe={"tcpSocket": {"port": 80}})],
    )
    startup = event(p, "Unhealthy", "Startup probe failed: dial tcp 10.0.0.1:80: connect: connection refused")
    assert "connection refused" in only(diagnose(view(p, startup), p), "StartupProbeFailed")["evidence"][0]
    sandbox = pod("net-1", phase="Pending", statuses=[waiting("app", "ContainerCreating")])
    failed = event(
        sandbox, "FailedCreatePodSandBox", "failed to setup network for sandbox: plugin not initialized"
    )
    f = only(diagnose(view(sandbox, failed), sandbox), "FailedCreatePodSandBox")
    assert f["severity"] == "warning" and "plugin not initialized" in f["evidence"][0]
    # Old Warning events of a pod that is now ready are history.
    fine = pod("net-2", statuses=[running()])
    assert diagnose(view(fine, event(fine, "BackOff", "Back-off restarting failed container")), fine) == []


def test_rank_survives_parents_that_point_at_each_other() -> None:
    a = diagnose(view(service("a", {"app": "none"}), pod("x")), service("a", {"app": "none"}))[0]
    b = a.copy()
    b["name"], b["parent"] = "b", "service team-a/a"
    a["parent"] = "service team-a/b"
    assert {f["name"] for f in rank([a, b])} == {"a", "b"}


async def test_load_view_reads_a_namespace_with_the_cluster_kinds_and_says_what_is_stale(
    tmp_path: Path,
) -> None:
    now = [1_000_000.0]
    async with Store(tmp_path / "cache.db", clock=lambda: now[0]) as store:
        await store.replace("c", "pod", [pod("a-1"), obj("pod", "b-1", "team-b")], ttl_s=30)
        await store.replace("c", "node", [node("node-1", ready="False")], ttl_s=300)
        await store.replace("c", "configmap", [], ttl_s=30)
        now[0] += 60
        scoped = await load_view(store, "c", NS)
        assert [p.name for p in scoped.view.all("pod")] == ["a-1"]
        assert scoped.view.loaded("configmap") and not scoped.view.loaded("secret")
        assert scoped.stale == ("pod", "configmap") and scoped.age_s is not None and scoped.age_s >= 60
        assert ("pod", "a-1", "NodeNotReady") in reasons(diagnose_namespace(scoped.view, NS))
        whole = await load_view(store, "c")
        assert sorted(p.name for p in whole.view.all("pod")) == ["a-1", "b-1"]


def test_restarts_caused_by_a_failing_liveness_probe_are_named_for_it() -> None:
    p = pod("pay-1", statuses=[running(restarts=5, reason="Error", exitCode=137)])
    live = event(p, "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500", count=15)
    found = diagnose(view(p, live), p)
    assert reasons(found) == [("pod", "pay-1", "LivenessProbeFailed")]
    assert found[0]["text_en"] == "its liveness probe fails: the kubelet restarts it (5 restarts)"


def test_nodes_rank_before_what_runs_on_them() -> None:
    sick = node("node-1", ready="False")
    p = pod("api-1", statuses=[waiting("app", "ErrImagePull")])
    found = diagnose_cluster(view(sick, p))
    assert found[0]["kind"] == "node"


def test_a_workload_seen_without_its_pods_says_to_diagnose_them() -> None:
    d = deployment("api", 2, 0)
    f = only(diagnose(View.of([d]), d), "ReplicasNotReady")
    assert f["hint_en"].startswith("Diagnose its pods") and "no pods exist" not in f["evidence"]
    f = only(diagnose(view(d), d), "ReplicasNotReady")
    assert f["hint_en"].startswith("No pods exist") and "no pods exist" in f["evidence"]


async def test_diagnose_items_follows_a_job_to_its_cached_pods(tmp_path: Path) -> None:
    j = job("backfill", active=1)
    p = pod(
        "backfill-x",
        owner=("Job", "backfill"),
        statuses=[waiting("app", "CrashLoopBackOff", restarts=7, last_reason="Error", last_code=1)],
    )
    async with Store(tmp_path / "cache.db") as store:
        await store.replace("c", "job", [j], ttl_s=60)
        await store.replace("c", "pod", [p], ttl_s=60)
        found = await diagnose_items(store, "c", [j])
        assert await diagnose_items(store, "c", []) == []
    assert reasons(found) == [("job", "backfill", "PodsFailing"), ("pod", "backfill-x", "CrashLoopBackOff")]


def test_an_out_of_memory_kill_names_the_limit_it_crossed() -> None:
    limited = [container(resources={"limits": {"memory": "256Mi"}})]
    ended = pod("job-m", phase="Failed", containers=limited, statuses=[terminated("app", "OOMKilled", 137)])
    f = only(diagnose(view(ended), ended), "OOMKilled")
    assert "memory limit 256Mi" in f["text_en"] and "内存限制 256Mi" in f["text_zh"]
    again = pod("web-m", containers=limited, statuses=[running(restarts=3, reason="OOMKilled", exitCode=137)])
    assert "memory limit 256Mi" in only(diagnose(view(again), again), "OOMKilled")["text_en"]
