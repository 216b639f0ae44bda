"""Kubernetes objects as the API serves them, turned into cache records by the real parsers.

Tests build small clusters from these, so the whitelists of ``kcache.parsing`` are
exercised on the way to whatever the test is about.
"""

from __future__ import annotations

from typing import Any

from kcache.model import API_KINDS, Resource
from kcache.parsing import to_resource

NS = "team-a"


def obj(
    kind: str,
    name: str,
    namespace: str | None = NS,
    *,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    owner: tuple[str, str] | None = None,
    spec: dict[str, Any] | None = None,
    status: dict[str, Any] | None = None,
    **top: Any,
) -> Resource:
    """One object as the API serves it, turned into a record by the real whitelist."""
    meta: dict[str, Any] = {"name": name, "labels": labels or {}, "annotations": annotations or {}}
    if namespace:
        meta["namespace"] = namespace
    if owner:
        meta["ownerReferences"] = [
            {"apiVersion": "v1", "kind": owner[0], "name": owner[1], "controller": True}
        ]
    api_version, api_kind = API_KINDS[kind]
    body = {"apiVersion": api_version, "kind": api_kind, "metadata": meta, **top}
    if spec is not None:
        body["spec"] = spec
    if status is not None:
        body["status"] = status
    return to_resource(body, kind)


def container(name: str = "app", image: str = "registry.example/app:1.0", **extra: Any) -> dict[str, Any]:
    return {"name": name, "image": image, **extra}


def pod(
    name: str,
    *,
    phase: str = "Running",
    statuses: list[dict[str, Any]] | None = None,
    init_statuses: list[dict[str, Any]] | None = None,
    containers: list[dict[str, Any]] | None = None,
    init: list[dict[str, Any]] | None = None,
    conditions: list[dict[str, Any]] | None = None,
    node: str | None = "node-1",
    labels: dict[str, str] | None = None,
    owner: tuple[str, str] | None = None,
    volumes: list[dict[str, Any]] | None = None,
    **status: Any,
) -> Resource:
    spec: dict[str, Any] = {"containers": containers or [container()]}
    if init:
        spec["initContainers"] = init
    if node:
        spec["nodeName"] = node
    if volumes:
        spec["volumes"] = volumes
    body_status: dict[str, Any] = {"phase": phase, "conditions": conditions or [], **status}
    if statuses is not None:
        body_status["containerStatuses"] = statuses
    if init_statuses is not None:
        body_status["initContainerStatuses"] = init_statuses
    return obj("pod", name, labels=labels, owner=owner, spec=spec, status=body_status)


def running(name: str = "app", *, ready: bool = True, restarts: int = 0, **last: Any) -> dict[str, Any]:
    state: dict[str, Any] = {"name": name, "ready": ready, "restartCount": restarts, "state": {"running": {}}}
    if last:
        state["lastState"] = {"terminated": last}
    return state


def waiting(
    name: str,
    reason: str,
    message: str | None = None,
    restarts: int = 0,
    last_reason: str | None = None,
    last_code: int | None = None,
) -> dict[str, Any]:
    state: dict[str, Any] = {
        "name": name,
        "ready": False,
        "restartCount": restarts,
        "state": {"waiting": {"reason": reason, **({"message": message} if message else {})}},
    }
    if last_reason:
        state["lastState"] = {"terminated": {"reason": last_reason, "exitCode": last_code}}
    return state


def terminated(name: str, reason: str, code: int) -> dict[str, Any]:
    return {
        "name": name,
        "ready": False,
        "restartCount": 0,
        "state": {"terminated": {"reason": reason, "exitCode": code}},
    }


def event(about: Resource, reason: str, message: str, *, kind: str = "Warning", count: int = 1) -> Resource:
    return obj(
        "event",
        f"{about.name}.{reason.lower()}",
        about.namespace or "default",
        type=kind,
        reason=reason,
        message=message,
        count=count,
        involvedObject={"kind": API_KINDS[about.kind][1], "name": about.name, "namespace": about.namespace},
    )


def node(
    name: str, *, ready: str = "True", taints: list[dict[str, Any]] | None = None, **conditions: str
) -> Resource:
    conds = [
        {"type": "Ready", "status": ready, "reason": "KubeletReady" if ready == "True" else "KubeletNotReady"}
    ]
    conds += [{"type": k, "status": v} for k, v in conditions.items()]
    return obj("node", name, None, spec={"taints": taints or []}, status={"conditions": conds})


def deployment(name: str, replicas: int, ready: int, **status: Any) -> Resource:
    return obj(
        "deployment",
        name,
        spec={
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"spec": {"containers": [container()]}},
        },
        status={
            "replicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "updatedReplicas": replicas,
            **status,
        },
    )


def job(name: str, owner: tuple[str, str] | None = None, **status: Any) -> Resource:
    return obj(
        "job",
        name,
        owner=owner,
        spec={"backoffLimit": 2, "template": {"spec": {"containers": [container()]}}},
        status=status,
    )


def service(name: str, selector: dict[str, str], target: int | str = 8080) -> Resource:
    return obj("service", name, spec={"selector": selector, "ports": [{"port": 80, "targetPort": target}]})


def endpoints(name: str, ready: int, not_ready: int) -> Resource:
    subset: dict[str, Any] = {
        "addresses": [{"ip": f"10.0.0.{i}"} for i in range(ready)],
        "notReadyAddresses": [{"ip": f"10.0.1.{i}"} for i in range(not_ready)],
    }
    return obj("endpoints", name, subsets=[subset])


def claim(name: str, storage_class: str | None, phase: str = "Pending") -> Resource:
    spec: dict[str, Any] = {"resources": {"requests": {"storage": "5Gi"}}}
    if storage_class:
        spec["storageClassName"] = storage_class
    return obj("persistentvolumeclaim", name, spec=spec, status={"phase": phase})


def storage_class(
    name: str, *, default: bool = False, mode: str = "Immediate", provisioner: str = "rancher.io/local-path"
) -> Resource:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else {}
    return obj(
        "storageclass", name, None, annotations=annotations, provisioner=provisioner, volumeBindingMode=mode
    )


def broken_namespace() -> list[Resource]:
    """team-a: a crash-looping Deployment with its Service, a Service that selects nothing, a healthy one."""
    d = deployment("cart", 1, 0)
    rs = obj("replicaset", "cart-abc", owner=("Deployment", "cart"), spec={"replicas": 1})
    p = pod(
        "cart-abc-1",
        labels={"app": "cart"},
        owner=("ReplicaSet", "cart-abc"),
        statuses=[waiting("app", "CrashLoopBackOff", restarts=9)],
    )
    svc = service("cart", {"app": "cart"})
    lonely = service("orders", {"app": "orders"})
    ok = deployment("web", 1, 1)
    return [
        d,
        rs,
        p,
        svc,
        endpoints("cart", 0, 1),
        lonely,
        ok,
        claim("data", "standard", phase="Bound"),
        node("node-1"),
    ]
