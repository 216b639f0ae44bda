"""Diagnoses of one object, a namespace or the whole cluster: every analyzer over a scope."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kcache.analyzers.findings import Finding, rank
from kcache.analyzers.ingress import analyze_ingress
from kcache.analyzers.job import analyze_cronjob, analyze_job
from kcache.analyzers.node import analyze_node
from kcache.analyzers.pod import analyze_pod
from kcache.analyzers.pvc import analyze_pvc
from kcache.analyzers.service import analyze_service
from kcache.analyzers.view import View
from kcache.analyzers.workload import analyze_workload
from kcache.kinds import is_namespaced
from kcache.model import Resource

Analyzer = Callable[[View, Resource], list[Finding]]

#: The analyzer of each kind that has one. A namespace's objects are diagnosed in this order
#: (workloads before Services), and an object owned by another of the view is reached
#: through its owner only.
ANALYZERS: dict[str, Analyzer] = {
    "pod": analyze_pod,
    "deployment": analyze_workload,
    "statefulset": analyze_workload,
    "daemonset": analyze_workload,
    "replicaset": analyze_workload,
    "job": analyze_job,
    "cronjob": analyze_cronjob,
    "service": analyze_service,
    "ingress": analyze_ingress,
    "persistentvolumeclaim": analyze_pvc,
    "node": analyze_node,
}


def diagnose(view: View, r: Resource) -> list[Finding]:
    """Findings about one object and what it leads to (its pods, its backends), ranked."""
    analyzer = ANALYZERS.get(r.kind)
    return rank(analyzer(view, r)) if analyzer else []


def diagnose_each(view: View, items: Iterable[Resource]) -> list[Finding]:
    """Findings about each of ``items`` (read from the view's copy when it has one), ranked together."""
    return rank(f for r in items for f in diagnose(view, view.get(r.kind, r.namespace, r.name) or r))


def diagnose_object(view: View, kind: str, namespace: str | None, name: str) -> list[Finding]:
    """:func:`diagnose` of the object of that identity; no findings when the view lacks it."""
    r = view.get(kind, namespace, name)
    return diagnose(view, r) if r is not None else []


def diagnose_namespace(view: View, namespace: str) -> list[Finding]:
    """Every analyzer over the namespace's objects, ranked by severity.

    Objects owned by an object of the view (a ReplicaSet of a Deployment, a Job of a
    CronJob, a Deployment's pods) are diagnosed through their owner, so each shows once,
    under the object that explains it.
    """
    found: list[Finding] = []
    for kind, analyzer in ANALYZERS.items():
        if not is_namespaced(kind):
            continue
        for r in view.all(kind, namespace):
            if (
                r.owner_kind
                and r.owner_name
                and view.get(r.owner_kind, r.namespace, r.owner_name) is not None
            ):
                continue
            found += analyzer(view, r)
    return rank(found)


def diagnose_cluster(view: View) -> list[Finding]:
    """Every node, then every namespace of the view, ranked by severity."""
    found: list[Finding] = []
    for node in view.all("node"):
        found += analyze_node(view, node)
    for namespace in view.namespaces():
        found += diagnose_namespace(view, namespace)
    return rank(found)
