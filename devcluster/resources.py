"""The API resources devcluster serves: kind, group, version, plural and discovery details."""

from __future__ import annotations

from dataclasses import dataclass, field

_ALL = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
_READ = ("get", "list")


@dataclass(frozen=True)
class ResourceType:
    """One REST resource as discovery advertises it."""

    kind: str
    group: str
    version: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = _ALL
    subresources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    #: Served in discovery only (no stored objects), e.g. access reviews and metrics.
    virtual: bool = False
    singular: str = field(default="")

    @property
    def key(self) -> str:
        """Lowercase canonical kind, e.g. ``deployment``."""
        return self.kind.lower()

    @property
    def api_version(self) -> str:
        """``v1`` for the core group, ``group/version`` otherwise."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_resource(self) -> str:
        """``plural`` or ``plural.group`` as kube-apiserver names it in messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def singular_name(self) -> str:
        """Lowercase singular name."""
        return self.singular or self.kind.lower()


_ALLC = ("all",)

RESOURCES: tuple[ResourceType, ...] = (
    ResourceType(
        "Namespace",
        "",
        "v1",
        "namespaces",
        False,
        ("ns",),
        ("create", "delete", "get", "list", "patch", "update", "watch"),
        ("status", "finalize"),
    ),
    ResourceType("Node", "", "v1", "nodes", False, ("no",), subresources=("status", "proxy")),
    ResourceType(
        "Pod",
        "",
        "v1",
        "pods",
        True,
        ("po",),
        subresources=(
            "status",
            "log",
            "exec",
            "attach",
            "portforward",
            "binding",
            "eviction",
            "ephemeralcontainers",
            "proxy",
        ),
        categories=_ALLC,
    ),
    ResourceType(
        "Service",
        "",
        "v1",
        "services",
        True,
        ("svc",),
        ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
        ("status", "proxy"),
        _ALLC,
    ),
    ResourceType("Endpoints", "", "v1", "endpoints", True, ("ep",), singular="endpoints"),
    ResourceType("ConfigMap", "", "v1", "configmaps", True, ("cm",)),
    ResourceType("Secret", "", "v1", "secrets", True),
    ResourceType("Event", "", "v1", "events", True, ("ev",)),
    ResourceType("ServiceAccount", "", "v1", "serviceaccounts", True, ("sa",), subresources=("token",)),
    ResourceType("ResourceQuota", "", "v1", "resourcequotas", True, ("quota",), subresources=("status",)),
    ResourceType("PersistentVolume", "", "v1", "persistentvolumes", False, ("pv",), subresources=("status",)),
    ResourceType(
        "PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", True, ("pvc",), subresources=("status",)
    ),
    ResourceType(
        "Deployment",
        "apps",
        "v1",
        "deployments",
        True,
        ("deploy",),
        subresources=("scale", "status"),
        categories=_ALLC,
    ),
    ResourceType(
        "ReplicaSet",
        "apps",
        "v1",
        "replicasets",
        True,
        ("rs",),
        subresources=("scale", "status"),
        categories=_ALLC,
    ),
    ResourceType(
        "StatefulSet",
        "apps",
        "v1",
        "statefulsets",
        True,
        ("sts",),
        subresources=("scale", "status"),
        categories=_ALLC,
    ),
    ResourceType(
        "DaemonSet", "apps", "v1", "daemonsets", True, ("ds",), subresources=("status",), categories=_ALLC
    ),
    ResourceType("Job", "batch", "v1", "jobs", True, subresources=("status",), categories=_ALLC),
    ResourceType(
        "CronJob", "batch", "v1", "cronjobs", True, ("cj",), subresources=("status",), categories=_ALLC
    ),
    ResourceType("Ingress", "networking.k8s.io", "v1", "ingresses", True, ("ing",), subresources=("status",)),
    ResourceType("IngressClass", "networking.k8s.io", "v1", "ingressclasses", False),
    ResourceType("NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", True, ("netpol",)),
    ResourceType("StorageClass", "storage.k8s.io", "v1", "storageclasses", False, ("sc",)),
    ResourceType("EndpointSlice", "discovery.k8s.io", "v1", "endpointslices", True),
    ResourceType("Role", "rbac.authorization.k8s.io", "v1", "roles", True),
    ResourceType("RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings", True),
    ResourceType("ClusterRole", "rbac.authorization.k8s.io", "v1", "clusterroles", False),
    ResourceType("ClusterRoleBinding", "rbac.authorization.k8s.io", "v1", "clusterrolebindings", False),
    ResourceType("Event", "events.k8s.io", "v1", "events", True, ("ev",), virtual=True),
    ResourceType(
        "SelfSubjectReview",
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        False,
        verbs=("create",),
        virtual=True,
    ),
    ResourceType(
        "SelfSubjectAccessReview",
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        False,
        verbs=("create",),
        virtual=True,
    ),
    ResourceType(
        "SelfSubjectRulesReview",
        "authorization.k8s.io",
        "v1",
        "selfsubjectrulesreviews",
        False,
        verbs=("create",),
        virtual=True,
    ),
    ResourceType(
        "SubjectAccessReview",
        "authorization.k8s.io",
        "v1",
        "subjectaccessreviews",
        False,
        verbs=("create",),
        virtual=True,
    ),
    ResourceType(
        "LocalSubjectAccessReview",
        "authorization.k8s.io",
        "v1",
        "localsubjectaccessreviews",
        True,
        verbs=("create",),
        virtual=True,
    ),
    ResourceType("NodeMetrics", "metrics.k8s.io", "v1beta1", "nodes", False, verbs=_READ, virtual=True),
    ResourceType("PodMetrics", "metrics.k8s.io", "v1beta1", "pods", True, verbs=_READ, virtual=True),
)

#: Stored kinds by lowercase canonical kind.
BY_KEY: dict[str, ResourceType] = {r.key: r for r in RESOURCES if not r.virtual}

#: Groups in the order ``/apis`` lists them, with their served version.
GROUPS: tuple[tuple[str, str], ...] = (
    ("apps", "v1"),
    ("events.k8s.io", "v1"),
    ("authentication.k8s.io", "v1"),
    ("authorization.k8s.io", "v1"),
    ("batch", "v1"),
    ("networking.k8s.io", "v1"),
    ("rbac.authorization.k8s.io", "v1"),
    ("storage.k8s.io", "v1"),
    ("discovery.k8s.io", "v1"),
    ("metrics.k8s.io", "v1beta1"),
)


class UnknownKindError(KeyError):
    """Raised for a kind devcluster does not serve."""


def by_key(kind: str) -> ResourceType:
    """Return the stored resource type for a lowercase kind (``Deployment`` is accepted too)."""
    try:
        return BY_KEY[kind.lower()]
    except KeyError:
        raise UnknownKindError(f"devcluster does not serve kind {kind!r}") from None


def lookup(group: str, version: str, plural: str) -> ResourceType | None:
    """Return the resource served at ``group/version/plural``, or None."""
    for r in RESOURCES:
        if r.group == group and r.version == version and r.plural == plural:
            return r
    return None


def for_object(api_version: str, kind: str) -> ResourceType | None:
    """Return the stored resource type for an object's ``apiVersion`` and ``kind``."""
    group, _, version = api_version.rpartition("/")
    for r in RESOURCES:
        if r.kind == kind and r.group == group and r.version == version and not r.virtual:
            return r
    return None
