"""Time of a namespace-wide diagnosis over generated cached objects (1,000 and 10,000 pods).

Run: ``python bench/analyzers.py`` from the project root (``--sizes 1000,10000``,
``--runs 21``). The objects are built as the API serves them and reduced by the real
whitelist (``kcache.parsing.to_resource``), so their fields are those the cache keeps:
Deployments of ten pods each (through ReplicaSets), a Service and Endpoints per
Deployment, one Deployment in twenty crash-looping, one Service in twenty selecting no pod,
Warning events for the failing pods, ConfigMaps and Secrets the pods reference, three
nodes. Each run builds the :class:`~kcache.analyzers.View` and runs
:func:`~kcache.analyzers.diagnose_namespace`; the p50 and p95 of both together are printed,
with the p50 of the process's CPU time (on a shared machine the wall time also counts the
time other processes hold the CPU).
Aim: well under 100 ms for 1,000 pods.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kcache.analyzers import View, diagnose_namespace, top_level  # noqa: E402
from kcache.model import Resource  # noqa: E402
from kcache.parsing import to_resource  # noqa: E402

NS = "bench"
AIM_1K_MS = 100.0


def _meta(name: str, owner: tuple[str, str] | None = None, **labels: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": NS, "labels": labels}
    if owner:
        meta["ownerReferences"] = [
            {"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1], "controller": True}
        ]
    return meta


def _container(app: str) -> dict[str, Any]:
    return {
        "name": "app",
        "image": f"registry.example/{app}:1.0",
        "ports": [{"name": "http", "containerPort": 8080}],
        "env": [{"name": "CONF", "valueFrom": {"configMapKeyRef": {"name": f"{app}-conf", "key": "k"}}}],
        "envFrom": [{"secretRef": {"name": f"{app}-secret"}}],
        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
    }


def cluster(pods: int) -> list[Resource]:
    """Records of one namespace with ``pods`` pods in Deployments of ten."""
    records: list[Resource] = []
    for node in range(3):
        records.append(
            to_resource(
                {
                    "kind": "Node",
                    "metadata": {"name": f"node-{node}"},
                    "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]},
                },
                "node",
            )
        )
    for d in range(pods // 10):
        app = f"app-{d:05d}"
        broken = d % 20 == 0
        template = {"metadata": {"labels": {"app": app}}, "spec": {"containers": [_container(app)]}}
        ready = 0 if broken else 10
        records.append(
            to_resource(
                {
                    "kind": "Deployment",
                    "metadata": _meta(app),
                    "spec": {"replicas": 10, "selector": {"matchLabels": {"app": app}}, "template": template},
                    "status": {
                        "replicas": 10,
                        "readyReplicas": ready,
                        "availableReplicas": ready,
                        "updatedReplicas": 10,
                    },
                },
                "deployment",
            )
        )
        rs = f"{app}-5d9c8b7f6d"
        records.append(
            to_resource(
                {"kind": "ReplicaSet", "metadata": _meta(rs, ("Deployment", app)), "spec": {"replicas": 10}},
                "replicaset",
            )
        )
        for i in range(10):
            name = f"{rs}-{i:05d}"
            state: dict[str, Any] = (
                {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}}
                if broken
                else {"running": {}}
            )
            records.append(
                to_resource(
                    {
                        "kind": "Pod",
                        "metadata": _meta(name, ("ReplicaSet", rs), app=app),
                        "spec": {"nodeName": f"node-{i % 3}", **template["spec"]},
                        "status": {
                            "phase": "Running",
                            "conditions": [{"type": "Ready", "status": "False" if broken else "True"}],
                            "containerStatuses": [
                                {
                                    "name": "app",
                                    "ready": not broken,
                                    "restartCount": 7 if broken else 0,
                                    "state": state,
                                    "lastState": {"terminated": {"reason": "Error", "exitCode": 1}}
                                    if broken
                                    else {},
                                }
                            ],
                        },
                    },
                    "pod",
                )
            )
            if broken:
                records.append(
                    to_resource(
                        {
                            "kind": "Event",
                            "metadata": {"name": f"{name}.backoff", "namespace": NS},
                            "type": "Warning",
                            "reason": "BackOff",
                            "message": "Back-off restarting failed container app",
                            "count": 12,
                            "involvedObject": {"kind": "Pod", "name": name, "namespace": NS},
                        },
                        "event",
                    )
                )
        selector = {"app": f"{app}-gone" if d % 20 == 1 else app}
        records.append(
            to_resource(
                {
                    "kind": "Service",
                    "metadata": _meta(app),
                    "spec": {"selector": selector, "ports": [{"port": 80, "targetPort": "http"}]},
                },
                "service",
            )
        )
        addresses = [{"ip": f"10.{d // 250}.{d % 250}.{i}"} for i in range(10)]
        records.append(
            to_resource(
                {
                    "kind": "Endpoints",
                    "metadata": _meta(app),
                    "subsets": [
                        {"notReadyAddresses" if broken else "addresses": addresses, "ports": [{"port": 8080}]}
                    ],
                },
                "endpoints",
            )
        )
        records.append(
            to_resource(
                {"kind": "ConfigMap", "metadata": _meta(f"{app}-conf"), "data": {"k": "v"}}, "configmap"
            )
        )
        records.append(
            to_resource(
                {"kind": "Secret", "metadata": _meta(f"{app}-secret"), "data": {"k": "dg=="}}, "secret"
            )
        )
    return records


def measure(pods: int, runs: int) -> dict[str, float]:
    records = cluster(pods)
    loaded = ("pod", "configmap", "secret", "persistentvolumeclaim", "service", "endpoints")
    times: list[float] = []
    cpu: list[float] = []
    findings: list[Any] = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        findings = diagnose_namespace(View.of(records, loaded=loaded), NS)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    return {
        "records": len(records),
        "findings": len(findings),
        "problems": len(top_level(findings)),
        "p50_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))],
        "cpu_p50_ms": statistics.median(cpu),
    }


def main() -> None:
    """Print one line per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        r = measure(size, args.runs)
        aim = f"  (aim < {AIM_1K_MS:.0f} ms)" if size == 1000 else ""
        print(  # noqa: T201 - a bench prints its figures
            f"{size:>6} pods, {r['records']:>6} records: namespace diagnosis p50 {r['p50_ms']:.1f} ms, "
            f"p95 {r['p95_ms']:.1f} ms (CPU p50 {r['cpu_p50_ms']:.1f} ms); "
            f"{r['findings']} findings, {r['problems']} problems{aim}"
        )


if __name__ == "__main__":
    main()
