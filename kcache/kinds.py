"""The one table of Kubernetes kinds that every module reads.

Names, short names, plural, group/version, scope, cache tier, whether it is a workload and
what a write to it changes: a module that needs any of these facts reads them here, so two
lists of kinds can never disagree. The Chinese words of a kind stay with the reader of
requests (they are a matter of language, not of Kubernetes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Tier = Literal["static", "dynamic"]


@dataclass(frozen=True, kw_only=True)
class Kind:
    """What kcache knows of one Kubernetes kind."""

    name: str
    """Canonical name: lowercase singular (``persistentvolumeclaim``)."""
    api_kind: str
    """``kind`` as the API serves it (``PersistentVolumeClaim``)."""
    api_version: str
    """``apiVersion``: ``v1`` or ``group/version``."""
    plural: str
    """The API's resource name (``persistentvolumeclaims``), also the scan scope's name."""
    short: tuple[str, ...] = ()
    """kubectl's short names and other common abbreviations (``pvc``)."""
    namespaced: bool = True
    tier: Tier | None = "dynamic"
    """The cache tier that keeps it: static (TTL CACHE_STATIC_TTL), dynamic, or None (not cached)."""
    workload: bool = False
    """Owns pods (directly or through ReplicaSets/Jobs); a mention of one stands for its pods."""
    changes: tuple[str, ...] = ()
    """Other kinds whose cached rows a write to this kind changes (a scale changes pods)."""
    rollout: bool = False
    """Its pods are replaced in order by ``kubectl rollout restart`` (a pod template it rolls out)."""

    @property
    def group(self) -> str:
        """The API group ("" for the core group)."""
        return self.api_version.rpartition("/")[0]

    @property
    def words(self) -> tuple[str, ...]:
        """Every English token naming the kind: singular, plural and short names."""
        return tuple(dict.fromkeys((self.name, self.plural, *self.short)))


def _k(name: str, api_kind: str, api_version: str, plural: str = "", **kw: object) -> Kind:
    return Kind(name=name, api_kind=api_kind, api_version=api_version, plural=plural or name + "s", **kw)  # type: ignore[arg-type]


#: Every kind kcache knows, in the order a bare name most likely means one of them.
TABLE: tuple[Kind, ...] = (
    _k("pod", "Pod", "v1", short=("po",), changes=("event",)),
    _k("deployment", "Deployment", "apps/v1", short=("deploy", "deploys"), workload=True, changes=("replicaset", "pod"), rollout=True),
    _k("statefulset", "StatefulSet", "apps/v1", short=("sts",), workload=True, changes=("pod",), rollout=True),
    _k("daemonset", "DaemonSet", "apps/v1", short=("ds",), workload=True, changes=("pod",), rollout=True),
    _k("cronjob", "CronJob", "batch/v1", short=("cj",), workload=True, changes=("job", "pod")),
    _k("job", "Job", "batch/v1", workload=True, changes=("pod",)),
    _k("replicaset", "ReplicaSet", "apps/v1", short=("rs",), workload=True, changes=("pod",)),
    _k("service", "Service", "v1", short=("svc", "svcs"), changes=("endpoints",)),
    _k("ingress", "Ingress", "networking.k8s.io/v1", "ingresses", short=("ing",)),
    _k("configmap", "ConfigMap", "v1", short=("cm",)),
    _k("secret", "Secret", "v1"),
    _k("persistentvolumeclaim", "PersistentVolumeClaim", "v1", short=("pvc", "pvcs")),
    _k("node", "Node", "v1", short=("no",), namespaced=False, tier="static", changes=("pod",)),
    _k(
        "namespace",
        "Namespace",
        "v1",
        short=("ns",),
        namespaced=False,
        tier="static",
        changes=("pod", "deployment", "service", "configmap", "secret"),
    ),
    _k("storageclass", "StorageClass", "storage.k8s.io/v1", "storageclasses", short=("sc",), namespaced=False, tier="static"),
    _k("persistentvolume", "PersistentVolume", "v1", short=("pv", "pvs"), namespaced=False, tier="static"),
    _k("serviceaccount", "ServiceAccount", "v1", short=("sa",), tier=None),
    _k("resourcequota", "ResourceQuota", "v1", short=("quota", "quotas"), tier="static"),
    _k("endpoints", "Endpoints", "v1", "endpoints", short=("ep", "endpoint")),
    _k("event", "Event", "v1", short=("ev",)),
)  # fmt: skip

BY_NAME: dict[str, Kind] = {k.name: k for k in TABLE}
"""Canonical name → kind."""

_BY_WORD: dict[str, str] = {}
for _kind in TABLE:
    for _word in (*_kind.words, _kind.api_kind.lower()):
        _BY_WORD.setdefault(_word, _kind.name)

#: Canonical kinds and whether they are namespaced (the shape most callers need).
KINDS: dict[str, bool] = {k.name: k.namespaced for k in TABLE}
#: Kubernetes ``apiVersion`` and ``Kind`` for each canonical kind.
API_KINDS: dict[str, tuple[str, str]] = {k.name: (k.api_version, k.api_kind) for k in TABLE}
#: Kinds whose pods a mention of one of their objects stands for.
WORKLOADS: tuple[str, ...] = tuple(k.name for k in TABLE if k.workload)
#: Kinds a rollout restart applies to (their controller replaces the pods in order).
ROLLOUT_KINDS: tuple[str, ...] = tuple(k.name for k in TABLE if k.rollout)
#: Kinds per cache tier, in scan order.
TIERS: dict[str, tuple[str, ...]] = {
    "static": ("namespace", "node", "resourcequota", "storageclass", "persistentvolume"),
    "dynamic": (
        "pod", "deployment", "replicaset", "statefulset", "daemonset", "job", "cronjob", "service",
        "endpoints", "ingress", "configmap", "secret", "persistentvolumeclaim", "event",
    ),
}  # fmt: skip
TIER_OF: dict[str, str] = {k.name: k.tier for k in TABLE if k.tier is not None}

assert all(TIER_OF[k] == tier for tier, kinds in TIERS.items() for k in kinds), "TIERS disagrees with TABLE"
assert set(TIER_OF) == {k for kinds in TIERS.values() for k in kinds}, "a kind is in no tier"


#: What kubectl's STATUS column can show of a pod: its phase, or the reason a container (or the
#: pod) gives instead. Lower case → as shown.
POD_STATUSES: dict[str, str] = {
    s.lower(): s
    for s in (
        "Pending", "Running", "Succeeded", "Failed", "Completed", "Error", "Terminating", "Evicted",
        "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ContainerCreating",
        "PodInitializing", "CreateContainerConfigError", "CreateContainerError", "RunContainerError",
        "OOMKilled", "ContainerStatusUnknown",
    )
}  # fmt: skip


def kind_of_word(word: str) -> str | None:
    """The canonical kind an English word names (``svc``, ``Deployments``, ``PVC``), or None."""
    return _BY_WORD.get(word.strip().lower())


def is_namespaced(kind: str) -> bool:
    """Whether objects of a canonical kind live in a namespace."""
    return BY_NAME[kind].namespaced


def plural(kind: str) -> str:
    """The lowercase plural used for scan scopes (``pod`` → ``pods``)."""
    return BY_NAME[kind].plural


def scope_name(kind: str, namespace: str | None = None) -> str:
    """The ``cache_metadata.table_name`` of a scan scope: ``pods`` or ``pods/boutique``."""
    return plural(kind) + (f"/{namespace}" if namespace else "")


def changed_by_write(kind: str) -> tuple[str, ...]:
    """The kinds whose rows a write to ``kind`` changes: the kind itself first."""
    entry = BY_NAME.get(kind)
    return (kind, *(entry.changes if entry else ()))
