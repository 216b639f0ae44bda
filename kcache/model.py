"""The record every layer shares: one Kubernetes object as the cache keeps it.

Parsers turn tool output into :class:`Resource` records, the store writes them, the agent
reads them back. ``fields`` holds only the whitelisted, kind-specific details (never a
secret value, an environment value or a last-applied-configuration annotation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Canonical kinds (lowercase singular) and whether they are namespaced.
KINDS: dict[str, bool] = {
    "namespace": False,
    "node": False,
    "persistentvolume": False,
    "storageclass": False,
    "pod": True,
    "deployment": True,
    "replicaset": True,
    "statefulset": True,
    "daemonset": True,
    "job": True,
    "cronjob": True,
    "service": True,
    "endpoints": True,
    "ingress": True,
    "configmap": True,
    "secret": True,
    "persistentvolumeclaim": True,
    "resourcequota": True,
    "serviceaccount": True,
    "event": True,
}

#: Kubernetes ``apiVersion`` and ``Kind`` for each canonical kind.
API_KINDS: dict[str, tuple[str, str]] = {
    "namespace": ("v1", "Namespace"),
    "node": ("v1", "Node"),
    "persistentvolume": ("v1", "PersistentVolume"),
    "storageclass": ("storage.k8s.io/v1", "StorageClass"),
    "pod": ("v1", "Pod"),
    "deployment": ("apps/v1", "Deployment"),
    "replicaset": ("apps/v1", "ReplicaSet"),
    "statefulset": ("apps/v1", "StatefulSet"),
    "daemonset": ("apps/v1", "DaemonSet"),
    "job": ("batch/v1", "Job"),
    "cronjob": ("batch/v1", "CronJob"),
    "service": ("v1", "Service"),
    "endpoints": ("v1", "Endpoints"),
    "ingress": ("networking.k8s.io/v1", "Ingress"),
    "configmap": ("v1", "ConfigMap"),
    "secret": ("v1", "Secret"),
    "persistentvolumeclaim": ("v1", "PersistentVolumeClaim"),
    "resourcequota": ("v1", "ResourceQuota"),
    "serviceaccount": ("v1", "ServiceAccount"),
    "event": ("v1", "Event"),
}


def is_namespaced(kind: str) -> bool:
    """Whether objects of a canonical kind live in a namespace."""
    return KINDS[kind]


@dataclass(kw_only=True)
class Resource:
    """One object of the cluster, reduced to what the cache stores."""

    kind: str
    """Canonical kind, a key of :data:`KINDS`."""
    name: str
    namespace: str | None = None
    """None for cluster-scoped kinds."""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    """Already filtered: no last-applied-configuration."""
    owner_kind: str | None = None
    """Canonical kind of the controlling owner (e.g. ``replicaset`` for a pod)."""
    owner_name: str | None = None
    created_at: str | None = None
    """``metadata.creationTimestamp`` as served (ISO 8601), when known."""
    fields: dict[str, Any] = field(default_factory=dict)
    """Whitelisted kind-specific details; see ``kcache.parsing`` for each kind's keys."""

    @property
    def key(self) -> tuple[str, str | None, str]:
        """Identity within one cluster: (kind, namespace, name)."""
        return (self.kind, self.namespace, self.name)


def plural(kind: str) -> str:
    """The lowercase plural used for scan scopes and table names (``pod`` → ``pods``)."""
    if kind == "endpoints":
        return kind
    return kind + ("es" if kind.endswith("s") else "s")


def scope_name(kind: str, namespace: str | None = None) -> str:
    """The ``cache_metadata.table_name`` of a scan scope: ``pods`` or ``pods/boutique``."""
    return plural(kind) + (f"/{namespace}" if namespace else "")
