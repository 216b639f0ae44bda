"""The real kubectl (1.37) against devcluster's demo cluster: reads, describe, writes, apply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from devcluster import DevCluster
from tests.support.kubectl import kubectl

pytestmark = pytest.mark.integration


def _pods(dc: DevCluster, ns: str | None = None) -> list[dict]:  # type: ignore[type-arg]
    return dc.list("pod", ns)


def test_get_pods_all_namespaces_json_and_wide(devcluster_demo: DevCluster) -> None:
    served = {(p["metadata"]["namespace"], p["metadata"]["name"]) for p in _pods(devcluster_demo)}
    listed = json.loads(kubectl(devcluster_demo, "get", "pods", "-A", "-o", "json").stdout)
    assert {(p["metadata"]["namespace"], p["metadata"]["name"]) for p in listed["items"]} == served
    assert len(served) == 25
    wide = kubectl(devcluster_demo, "get", "pods", "-n", "boutique", "-o", "wide").stdout.splitlines()
    assert wide[0].split()[:7] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"]
    nodes = {
        p["metadata"]["name"]: p["spec"].get("nodeName") or "<none>"
        for p in _pods(devcluster_demo, "boutique")
    }
    assert {line.split()[0]: line.split()[6] for line in wide[1:]} == nodes


def test_get_yaml_labels_and_field_selector(devcluster_demo: DevCluster) -> None:
    doc = yaml.safe_load(
        kubectl(devcluster_demo, "get", "deploy", "frontend", "-n", "boutique", "-o", "yaml").stdout
    )
    assert doc["kind"] == "Deployment" and doc["spec"]["selector"]["matchLabels"] == {"app": "frontend"}
    names = kubectl(devcluster_demo, "get", "pods", "-A", "-l", "app=frontend", "-o", "name").stdout.split()
    assert len(names) == 2 and all(n.startswith("pod/frontend-") for n in names)
    pending = kubectl(
        devcluster_demo, "get", "pods", "-A", "--field-selector", "status.phase=Pending", "-o", "name"
    ).stdout.split()
    expected = {p["metadata"]["name"] for p in _pods(devcluster_demo) if p["status"]["phase"] == "Pending"}
    assert {n.removeprefix("pod/") for n in pending} == expected
    assert len(expected) == 2  # unschedulable loadgenerator, image-pull-failing productcatalog
    crashing = kubectl(devcluster_demo, "get", "pods", "-n", "boutique-staging").stdout
    assert "CrashLoopBackOff" in crashing and "ImagePullBackOff" in crashing


def test_describe_pod_shows_owner_probes_and_events(devcluster_demo: DevCluster) -> None:
    pod = next(
        p
        for p in _pods(devcluster_demo, "boutique-staging")
        if p["metadata"]["name"].startswith("cartservice-")
    )
    name = pod["metadata"]["name"]
    out = kubectl(devcluster_demo, "describe", "pod", "-n", "boutique-staging", name).stdout
    owner = pod["metadata"]["ownerReferences"][0]["name"]
    assert f"Controlled By:  ReplicaSet/{owner}" in out
    assert "Reason:       CrashLoopBackOff" in out
    assert (
        "Liveness:" in out
        and "grpc <pod>:7070  delay=15s timeout=1s period=10s successThreshold=1 failureThreshold=3" in out
    )
    assert "Back-off restarting failed container" in out
    assert f"Successfully assigned boutique-staging/{name} to" in out


def test_describe_node_deployment_service(devcluster_demo: DevCluster) -> None:
    node = kubectl(devcluster_demo, "describe", "node", "demo-worker-1").stdout
    on_node = [p for p in _pods(devcluster_demo) if p["spec"].get("nodeName") == "demo-worker-1"]
    assert f"Non-terminated Pods:          ({len(on_node)} in total)" in node
    assert "Kubelet Version:            v1.31.4" in node
    deploy = kubectl(devcluster_demo, "describe", "deployment", "-n", "boutique", "frontend").stdout
    rs = next(
        r
        for r in devcluster_demo.list("replicaset", "boutique")
        if r["metadata"]["name"].startswith("frontend-")
    )
    assert f"NewReplicaSet:   {rs['metadata']['name']} (1/1 replicas created)" in deploy
    assert f"Scaled up replica set {rs['metadata']['name']} from 0 to 1" in deploy
    svc = kubectl(devcluster_demo, "describe", "service", "-n", "boutique", "frontend").stdout
    ip = next(s for s in devcluster_demo.list("service", "boutique") if s["metadata"]["name"] == "frontend")
    assert f"IP:                       {ip['spec']['clusterIP']}" in svc
    assert "Selector:                 app=frontend" in svc


def test_logs_top_api_resources_version(devcluster_demo: DevCluster) -> None:
    logs = kubectl(devcluster_demo, "logs", "-n", "boutique", "deploy/frontend", "--tail=3").stdout
    assert len(logs.splitlines()) == 3
    top = kubectl(devcluster_demo, "top", "nodes").stdout.splitlines()
    assert [line.split()[0] for line in top[1:]] == ["demo-control-plane", "demo-worker-1", "demo-worker-2"]
    pods_top = kubectl(devcluster_demo, "top", "pods", "-n", "boutique").stdout.splitlines()
    running = [p for p in _pods(devcluster_demo, "boutique") if p["status"]["phase"] == "Running"]
    assert len(pods_top) - 1 == len(running)
    resources = kubectl(devcluster_demo, "api-resources").stdout
    assert any(line.split()[:2] == ["deployments", "deploy"] for line in resources.splitlines())
    version = json.loads(kubectl(devcluster_demo, "version", "-o", "json").stdout)
    assert version["serverVersion"]["gitVersion"] == "v1.31.4"


def test_delete_and_scale(devcluster: DevCluster) -> None:
    victim = next(p for p in _pods(devcluster, "boutique") if p["metadata"]["name"].startswith("adservice-"))
    name = victim["metadata"]["name"]
    assert (
        f'pod "{name}" deleted'
        in kubectl(devcluster, "delete", "pod", "-n", "boutique", name, "--wait=false").stdout
    )
    after = [
        p["metadata"]["name"]
        for p in _pods(devcluster, "boutique")
        if p["metadata"]["name"].startswith("adservice-")
    ]
    assert name not in after and len(after) == 1  # the ReplicaSet replaced it
    kubectl(devcluster, "scale", "deployment", "frontend", "-n", "boutique", "--replicas=3")
    out = kubectl(
        devcluster, "get", "pods", "-n", "boutique", "-l", "app=frontend", "-o", "name"
    ).stdout.split()
    assert len(out) == 3


def _manifest(tmp_path: Path, spec_extra: str = "", replicas: str = "1") -> Path:
    path = tmp_path / "web.yaml"
    path.write_text(
        f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: default}}
spec:
  replicas: {replicas}
  {spec_extra}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: "nginx:1.27"}}]
"""
    )
    return path


def test_apply_client_side_then_server_side(devcluster: DevCluster, tmp_path: Path) -> None:
    assert (
        "deployment.apps/web created" in kubectl(devcluster, "apply", "-f", str(_manifest(tmp_path))).stdout
    )
    out = kubectl(devcluster, "apply", "-f", str(_manifest(tmp_path, replicas="2"))).stdout
    assert "deployment.apps/web configured" in out
    assert len([p for p in _pods(devcluster, "default") if p["metadata"]["labels"].get("app") == "web"]) == 2
    out = kubectl(devcluster, "apply", "--server-side", "-f", str(_manifest(tmp_path, replicas="3"))).stdout
    assert "deployment.apps/web serverside-applied" in out
    assert len([p for p in _pods(devcluster, "default") if p["metadata"]["labels"].get("app") == "web"]) == 3


def test_apply_validates_against_the_openapi_schema(devcluster: DevCluster, tmp_path: Path) -> None:
    unknown = kubectl(devcluster, "apply", "-f", str(_manifest(tmp_path, "colour: blue")), check=False)
    assert unknown.returncode == 1
    assert 'strict decoding error: unknown field "spec.colour"' in unknown.stderr
    wrong_type = kubectl(devcluster, "apply", "-f", str(_manifest(tmp_path, replicas='"two"')), check=False)
    assert (
        "cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
        in wrong_type.stderr
    )
    ssa = kubectl(
        devcluster, "apply", "--server-side", "-f", str(_manifest(tmp_path, "colour: blue")), check=False
    )
    assert ".spec.colour: field not declared in schema" in ssa.stderr
    assert not [d for d in devcluster.list("deployment", "default") if d["metadata"]["name"] == "web"]
    # --validate=false asks the server to ignore unknown fields: it drops them and creates
    kubectl(devcluster, "apply", "--validate=false", "-f", str(_manifest(tmp_path, "colour: blue")))
    web = next(d for d in devcluster.list("deployment", "default") if d["metadata"]["name"] == "web")
    assert "colour" not in web["spec"]
