"""The incidents cluster through real clients: kubectl (get, describe, -o json) and the Python client."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client, config, watch

from devcluster import DevCluster
from tests.support.kubectl import kubectl as run_kubectl

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
INCIDENTS = ROOT / "devcluster" / "clusters" / "incidents"


@pytest.fixture(scope="module")
def incidents(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevCluster]:
    with DevCluster(INCIDENTS) as dc:
        dc.write_kubeconfig(tmp_path_factory.mktemp("incidents") / "kc.yaml", namespace="shop")
        yield dc


def kubectl(dc: DevCluster, *args: str, check: bool = True) -> str:
    """kubectl's output (stdout, and stderr when not ``check``ing the exit code)."""
    done = run_kubectl(dc, *args, check=check)
    return done.stdout if check else done.stdout + done.stderr


def _api(dc: DevCluster) -> client.ApiClient:
    return config.new_client_from_config(config_file=str(dc.kubeconfig))


def _pod_name(dc: DevCluster, app: str) -> str:
    return next(
        p["metadata"]["name"] for p in dc.list("pod", "shop") if p["metadata"]["labels"].get("app") == app
    )


def test_kubectl_get_pods_shows_each_incident(incidents: DevCluster) -> None:
    rows = [line.split() for line in kubectl(incidents, "get", "pods").splitlines()[1:]]
    by_app: dict[str, set[tuple[str, str]]] = {}
    for name, ready, status, *_ in rows:
        app = name.rsplit("-", 2)[0] if name.count("-") >= 2 else name
        by_app.setdefault(app, set()).add((ready, status))
    assert by_app["checkout"] == {("0/1", "Running")}
    assert by_app["payments"] == {("1/1", "Running")}
    assert by_app["orders"] == {("0/1", "Init:CrashLoopBackOff")}
    assert by_app["schema-check"] == {("0/1", "Init:Error")}
    assert by_app["recommender"] == {("0/1", "OOMKilled")}
    assert by_app["reports"] == {("0/1", "Pending")}
    assert by_app["export"] == {("0/1", "Error")}  # export-orders-xxxxx
    assert by_app["storefront"] == {("1/1", "Running")}
    restarts = {r[0]: " ".join(r[3:6]) for r in rows}
    assert restarts[_pod_name(incidents, "payments")] == "5 (3d ago)"


def test_kubectl_describe_probe_failures(incidents: DevCluster) -> None:
    ready = kubectl(incidents, "describe", "pod", _pod_name(incidents, "checkout"))
    assert "Readiness probe failed: HTTP probe failed with statuscode: 503" in ready
    assert "Readiness:    http-get http://:8080/ready delay=0s timeout=1s period=10s" in ready
    live = kubectl(incidents, "describe", "pod", _pod_name(incidents, "payments"))
    assert "Liveness probe failed: dial tcp" in live and "connect: connection refused" in live
    assert "Container api failed liveness probe, will be restarted" in live
    assert "Restart Count:  5" in live and "Exit Code:    137" in live


def test_kubectl_describe_failing_init_container(incidents: DevCluster) -> None:
    text = kubectl(incidents, "describe", "pod", _pod_name(incidents, "orders"))
    init = text[text.index("Init Containers:") : text.index("\nContainers:")]
    migrate = init[init.index("migrate-db:") :]
    assert "Reason:       CrashLoopBackOff" in migrate and "Exit Code:    1" in migrate
    assert "Restart Count:  6" in migrate
    assert "Reason:       PodInitializing" in text[text.index("\nContainers:") :]
    pod = json.loads(kubectl(incidents, "get", "pod", "schema-check", "-o", "json"))
    term = pod["status"]["initContainerStatuses"][0]["state"]["terminated"]
    assert (pod["status"]["phase"], term["reason"], term["exitCode"]) == ("Failed", "Error", 1)


def test_oom_killed_through_json_and_python(incidents: DevCluster) -> None:
    name = _pod_name(incidents, "recommender")
    pod = json.loads(kubectl(incidents, "get", "pod", name, "-o", "json"))
    last = pod["status"]["containerStatuses"][0]["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"]) == ("OOMKilled", 137)
    core = client.CoreV1Api(_api(incidents))
    status = core.read_namespaced_pod(name, "shop").status.container_statuses[0]
    assert status.last_state.terminated.exit_code == 137 and status.restart_count == 4
    assert "out of memory" in core.read_namespaced_pod_log(name, "shop", previous=True)


def test_pending_on_unbound_claim(incidents: DevCluster) -> None:
    name = _pod_name(incidents, "reports")
    text = kubectl(incidents, "describe", "pod", name)
    assert text.rstrip().endswith("Events:          <none>")
    core = client.CoreV1Api(_api(incidents))
    cond = core.read_namespaced_pod(name, "shop").status.conditions[0]
    assert (cond.type, cond.status, cond.reason) == ("PodScheduled", "False", "Unschedulable")
    assert cond.message.startswith(
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."
    )
    assert core.read_namespaced_persistent_volume_claim("reports-data", "shop").status.phase == "Pending"
    assert core.list_namespaced_event("shop", field_selector=f"involvedObject.name={name}").items == []


def test_service_without_endpoints(incidents: DevCluster) -> None:
    core = client.CoreV1Api(_api(incidents))
    assert core.read_namespaced_endpoints("inventory", "shop").subsets is None
    assert core.read_namespaced_endpoints("storefront", "shop").subsets[0].addresses
    table = kubectl(incidents, "get", "endpoints", "inventory").splitlines()
    assert table[1].split()[:2] == ["inventory", "<none>"]


def test_failed_job_and_cronjob(incidents: DevCluster) -> None:
    batch = client.BatchV1Api(_api(incidents))
    job = batch.read_namespaced_job("export-orders", "shop")
    assert job.status.failed == job.spec.backoff_limit + 1 == 3
    assert {(c.type, c.reason) for c in job.status.conditions} >= {("Failed", "BackoffLimitExceeded")}
    core = client.CoreV1Api(_api(incidents))
    pods = core.list_namespaced_pod("shop", label_selector="job-name=export-orders").items
    assert len(pods) == 3 and {p.status.phase for p in pods} == {"Failed"}
    assert all(p.status.container_statuses[0].state.terminated.exit_code == 1 for p in pods)
    jobs = kubectl(incidents, "get", "jobs").splitlines()
    assert [line.split()[1] for line in jobs[1:]] == ["Failed", "Failed"]
    cj = batch.read_namespaced_cron_job("nightly-backup", "shop")
    assert cj.status.last_schedule_time is not None and not cj.status.active
    (last,) = [
        j for j in batch.list_namespaced_job("shop").items if j.metadata.name.startswith("nightly-backup-")
    ]
    assert last.metadata.owner_references[0].kind == "CronJob"
    assert any(c.type == "Failed" and c.status == "True" for c in last.status.conditions)
    described = kubectl(incidents, "describe", "cronjob", "nightly-backup")
    assert f"Saw completed job: {last.metadata.name}, status: Failed" in described


def test_rollout_past_deadline(incidents: DevCluster) -> None:
    apps = client.AppsV1Api(_api(incidents))
    dep = apps.read_namespaced_deployment("search", "shop")
    progressing = next(c for c in dep.status.conditions if c.type == "Progressing")
    assert (progressing.status, progressing.reason) == ("False", "ProgressDeadlineExceeded")
    assert progressing.message.endswith("has timed out progressing.")
    assert (dep.status.updated_replicas, dep.status.ready_replicas) == (1, 2)  # the old ReplicaSet serves
    history = kubectl(incidents, "rollout", "history", "deployment/search")
    assert [line.split()[0] for line in history.splitlines()[2:] if line.strip()] == ["1", "2"]
    old = kubectl(incidents, "rollout", "history", "deployment/search", "--revision=1")
    assert "ghcr.io/example/search:6.9.4" in old
    out = kubectl(incidents, "rollout", "status", "deployment/search", "--timeout=5s", check=False)
    assert 'deployment "search" exceeded its progress deadline' in out


def test_not_ready_node(incidents: DevCluster) -> None:
    rows = {line.split()[0]: line.split()[1] for line in kubectl(incidents, "get", "nodes").splitlines()[1:]}
    assert rows == {
        "ops-control-plane": "Ready",
        "ops-worker-1": "Ready",
        "ops-worker-2": "NotReady,SchedulingDisabled",
    }
    core = client.CoreV1Api(_api(incidents))
    node = core.read_node("ops-worker-2")
    conds = {c.type: c.status for c in node.status.conditions}
    assert conds == {
        "MemoryPressure": "True",
        "DiskPressure": "True",
        "PIDPressure": "False",
        "Ready": "False",
    }
    assert node.spec.unschedulable is True
    assert {(t.key, t.effect) for t in node.spec.taints} >= {
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    }
    described = kubectl(incidents, "describe", "node", "ops-worker-2")
    assert "Node ops-worker-2 status is now: NodeNotReady" in described
    assert "KubeletHasInsufficientMemory" in described
    assert "Non-terminated Pods:          (1 in total)" in described and "node-exporter-" in described
    daemons = kubectl(incidents, "get", "daemonset", "-n", "kube-system", "node-exporter").splitlines()
    assert daemons[1].split()[1:6] == ["2", "2", "1", "2", "1"]  # DESIRED CURRENT READY UP-TO-DATE AVAILABLE


def test_restarts_grow_through_the_admin_endpoint(tmp_path: Path) -> None:
    with DevCluster(INCIDENTS) as dc:
        dc.write_kubeconfig(tmp_path / "kc.yaml", namespace="shop")
        name = _pod_name(dc, "payments")
        core = client.CoreV1Api(_api(dc))
        rv = core.list_namespaced_pod("shop").metadata.resource_version
        req = urllib.request.Request(
            f"{dc.url}/_devcluster/changes", data=b'{"op": "restart_crashing"}', method="POST"
        )
        with urllib.request.urlopen(req) as resp:
            assert json.loads(resp.read())["ok"] is True
        row = kubectl(dc, "get", "pod", name, "--no-headers").split()
        assert row[3] == "6" and row[4].startswith("(") and row[5] == "ago)"  # "6 (Ns ago)"
        events = watch.Watch().stream(
            core.list_namespaced_pod,
            "shop",
            resource_version=rv,
            field_selector=f"metadata.name={name}",
            timeout_seconds=2,
        )
        modified = [e["object"] for e in events if e["type"] == "MODIFIED"]
        assert modified[-1].status.container_statuses[0].restart_count == 6
        described = kubectl(dc, "describe", "pod", name)
        assert "(x16 over 3d)" in described  # the Unhealthy event counted once more


def test_endpoint_slices_back_kubectl_describe_service(incidents: DevCluster) -> None:
    ips = sorted(
        p["status"]["podIP"]
        for p in incidents.list("pod", "shop")
        if p["metadata"]["labels"].get("app") == "storefront"
    )
    described = kubectl(incidents, "describe", "service", "storefront")
    line = next(x for x in described.splitlines() if x.startswith("Endpoints:"))
    assert sorted(line.split()[1].split(",")) == sorted(f"{ip}:8080" for ip in ips)
    discovery = client.DiscoveryV1Api(_api(incidents))
    (empty,) = discovery.list_namespaced_endpoint_slice(
        "shop", label_selector="kubernetes.io/service-name=inventory"
    ).items
    assert empty.endpoints is None and empty.address_type == "IPv4"
    (full,) = discovery.list_namespaced_endpoint_slice(
        "shop", label_selector="kubernetes.io/service-name=checkout"
    ).items
    assert {(e.conditions.ready, e.node_name, e.zone) for e in full.endpoints} == {
        (False, "ops-worker-1", "zone-b")
    }
    assert [(p.name, p.port) for p in full.ports] == [("http", 8080)]


def test_kubectl_reads_an_init_containers_logs_by_name(incidents: DevCluster) -> None:
    orders = _pod_name(incidents, "orders")
    previous = kubectl(incidents, "logs", orders, "-c", "migrate-db", "--previous", "--tail=1")
    assert "level=error" in previous and "exiting" in previous
    assert kubectl(incidents, "logs", orders, "-c", "wait-for-config", "--tail=2").count("\n") == 2
    # The app container never started, and an unknown container is refused by name.
    waiting = kubectl(incidents, "logs", orders, "-c", "orders", check=False)
    assert "is waiting to start" in waiting
    assert "container nope is not valid" in kubectl(incidents, "logs", orders, "-c", "nope", check=False)
