"""Synthetic pod logs, metrics.k8s.io usage, and the kubelet's stats/summary and node logs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from devcluster import names, quantity
from devcluster.state import iso
from devcluster.status import ApiError, bad_request

Obj = dict[str, Any]

_LINES = (
    "starting {c} (image {image})",
    "listening on port {port}",
    "connected to upstream dependencies",
    "GET /_healthz 200 1ms",
    "handled request id={n} status=200 duration={d}ms",
    "cache refreshed entries={n}",
)


def pod_log(pod: Obj, container: str | None, tail_lines: int | None, previous: bool, now: float) -> str:
    """Plausible log lines for one container.

    Raises:
        ApiError: 400 with kube-apiserver's message for an ambiguous, unknown or not-started
            container, or a ``previous`` request when the container never restarted.
    """
    meta = pod["metadata"]
    name = meta["name"]
    containers = [c["name"] for c in pod["spec"].get("containers") or []]
    if container is None:
        if len(containers) != 1:
            raise bad_request(
                f"a container name must be specified for pod {name}, choose one of: [{' '.join(containers)}]"
            )
        container = containers[0]
    # An init container is asked for by name (kubectl logs -c migrate); it is never the default.
    inits = [c["name"] for c in pod["spec"].get("initContainers") or []]
    if container not in containers + inits:
        raise bad_request(f"container {container} is not valid for pod {name}")
    status = pod.get("status", {})
    statuses = {
        s["name"]: s
        for s in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or [])
    }
    st = statuses.get(container)
    if st is None:
        raise bad_request(f'container "{container}" in pod "{name}" is waiting to start: ContainerCreating')
    waiting = st.get("state", {}).get("waiting", {}).get("reason")
    if previous:
        if not st.get("lastState", {}).get("terminated"):
            raise bad_request(f'previous terminated container "{container}" in pod "{name}" not found')
    elif waiting in ("ImagePullBackOff", "ErrImagePull", "ContainerCreating", "PodInitializing"):
        raise bad_request(
            f'container "{container}" in pod "{name}" is waiting to start: trying and failing to pull image'
            if waiting in ("ImagePullBackOff", "ErrImagePull")
            else f'container "{container}" in pod "{name}" is waiting to start: {waiting}'
        )
    spec = next(
        c
        for c in [*pod["spec"]["containers"], *(pod["spec"].get("initContainers") or [])]
        if c["name"] == container
    )
    port = ((spec.get("ports") or [{}])[0]).get("containerPort", 8080)
    seed = f"{meta['uid']}/{container}/{'prev' if previous else 'cur'}"
    count = 40
    start = now - count * 15
    lines = []
    for i in range(count):
        ts = dt.datetime.fromtimestamp(start + i * 15, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        tmpl = _LINES[min(i, 3)] if i < 3 else _LINES[3 + names.number(f"{seed}/{i}", 3)]
        text = tmpl.format(
            c=container,
            image=spec.get("image", ""),
            port=port,
            n=names.number(f"{seed}/n{i}", 9000) + 100,
            d=names.number(f"{seed}/d{i}", 90) + 1,
        )
        lines.append(f"{ts} level=info {text}")
    terminated = (st.get("lastState") if previous else st.get("state", {})) or {}
    reason = terminated.get("terminated", {}).get("reason") or (
        "Error" if waiting == "CrashLoopBackOff" else None
    )
    if reason == "OOMKilled":
        lines.append(f"{iso(now)} level=error fatal error: runtime: out of memory")
    elif reason == "Error" or waiting == "CrashLoopBackOff":
        lines.append(
            f"{iso(now)} level=error failed to connect to redis-cart:6379: connection refused; exiting"
        )
    if tail_lines is not None:
        if tail_lines < 0:
            raise bad_request("tailLines must be non-negative")
        lines = lines[-tail_lines:] if tail_lines else []
    return "".join(line + "\n" for line in lines)


def _usage(pod: Obj, container: Obj) -> tuple[float, float]:
    res = container.get("resources") or {}
    req = res.get("requests") or {}
    seed = f"{pod['metadata']['uid']}/{container['name']}"
    cpu_req = quantity.parse(req.get("cpu", "10m"))
    mem_req = quantity.parse(req.get("memory", "32Mi"))
    cpu = cpu_req * (0.2 + names.number(seed + "/cpu", 60) / 100)
    mem = mem_req * (0.4 + names.number(seed + "/mem", 50) / 100)
    return max(cpu, 0.001), float(int(mem) // 1024 * 1024)


def _running(pod: Obj) -> bool:
    return bool(pod.get("status", {}).get("phase") == "Running")


def pod_metrics(pod: Obj, now: float) -> Obj:
    """A ``PodMetrics`` object for a running pod."""
    containers = []
    for c in pod["spec"].get("containers") or []:
        cpu, mem = _usage(pod, c)
        containers.append(
            {"name": c["name"], "usage": {"cpu": f"{int(cpu * 1e9)}n", "memory": f"{int(mem) // 1024}Ki"}}
        )
    meta = pod["metadata"]
    return {
        "kind": "PodMetrics",
        "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "creationTimestamp": iso(now),
            "labels": meta.get("labels") or {},
        },
        "timestamp": iso(now - 10),
        "window": "10.06s",
        "containers": containers,
    }


def node_usage(node: Obj, pods: list[Obj]) -> tuple[float, float]:
    """CPU cores and memory bytes in use on ``node`` (system overhead plus its pods)."""
    name = node["metadata"]["name"]
    cpu = 0.08 + names.number(name + "/cpu", 80) / 1000
    mem = float(512 * 2**20 + names.number(name + "/mem", 256) * 2**20)
    for pod in pods:
        if pod["spec"].get("nodeName") == name and _running(pod):
            for c in pod["spec"].get("containers") or []:
                c_cpu, c_mem = _usage(pod, c)
                cpu += c_cpu
                mem += c_mem
    return cpu, mem


def node_metrics(node: Obj, pods: list[Obj], now: float) -> Obj:
    """A ``NodeMetrics`` object."""
    cpu, mem = node_usage(node, pods)
    meta = node["metadata"]
    return {
        "kind": "NodeMetrics",
        "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {"name": meta["name"], "creationTimestamp": iso(now), "labels": meta.get("labels") or {}},
        "timestamp": iso(now - 10),
        "window": "20.05s",
        "usage": {"cpu": f"{int(cpu * 1e9)}n", "memory": f"{int(mem) // 1024}Ki"},
    }


def running_pod_metrics(pods: list[Obj], now: float) -> list[Obj]:
    """PodMetrics for the running pods among ``pods``."""
    return [pod_metrics(p, now) for p in pods if _running(p)]


def stats_summary(node: Obj, pods: list[Obj], now: float) -> Obj:
    """The kubelet's ``/stats/summary`` for ``node``."""
    cpu, mem = node_usage(node, pods)
    ts = iso(now - 5)
    alloc = node.get("status", {}).get("allocatable") or {}
    mem_total = quantity.parse(alloc.get("memory", "8Gi"))
    pod_stats = []
    for pod in pods:
        if pod["spec"].get("nodeName") != node["metadata"]["name"] or not _running(pod):
            continue
        cs = []
        p_cpu = p_mem = 0.0
        for c in pod["spec"].get("containers") or []:
            c_cpu, c_mem = _usage(pod, c)
            p_cpu += c_cpu
            p_mem += c_mem
            cs.append(
                {
                    "name": c["name"],
                    "startTime": pod["metadata"]["creationTimestamp"],
                    "cpu": {"time": ts, "usageNanoCores": int(c_cpu * 1e9)},
                    "memory": {"time": ts, "workingSetBytes": int(c_mem)},
                }
            )
        meta = pod["metadata"]
        pod_stats.append(
            {
                "podRef": {"name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"]},
                "startTime": meta["creationTimestamp"],
                "containers": cs,
                "cpu": {"time": ts, "usageNanoCores": int(p_cpu * 1e9)},
                "memory": {"time": ts, "workingSetBytes": int(p_mem)},
            }
        )
    return {
        "node": {
            "nodeName": node["metadata"]["name"],
            "startTime": node["metadata"]["creationTimestamp"],
            "cpu": {"time": ts, "usageNanoCores": int(cpu * 1e9)},
            "memory": {
                "time": ts,
                "availableBytes": int(mem_total - mem),
                "usageBytes": int(mem * 1.2),
                "workingSetBytes": int(mem),
            },
        },
        "pods": pod_stats,
    }


def node_log(node: Obj, query: str, now: float) -> str:
    """Journal-style lines for ``query`` (a service such as ``kubelet`` or a log file)."""
    if not query:
        raise ApiError(400, "BadRequest", "query parameter is required")
    name = node["metadata"]["name"]
    service = query.lstrip("/")
    lines = []
    for i in range(20):
        ts = dt.datetime.fromtimestamp(now - (20 - i) * 30, dt.UTC).strftime("%b %d %H:%M:%S")
        lines.append(
            f"{ts} {name} {service}[{700 + names.number(name + service, 300)}]: "
            f"I{i:04d} {service} sync loop iteration completed"
        )
    return "\n".join(lines) + "\n"
