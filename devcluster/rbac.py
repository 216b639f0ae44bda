"""Authorization from Roles, ClusterRoles and their bindings, as kube-apiserver's RBAC does it.

A request becomes :class:`Attributes` the way kube-apiserver's request-info parser reads a
path (verb from the method, ``list``/``watch``/``deletecollection`` for collections, resource,
subresource, namespace, name), and is allowed when the caller is in ``system:masters`` or a
rule of a Role or ClusterRole bound to one of the caller's names allows it: ClusterRoleBindings
anywhere, RoleBindings only in their namespace. The same rules answer the access reviews.

RBAC is off unless the cluster asks for it; when on, the default roles and bindings every
kube-apiserver creates at start (``cluster-admin``, ``admin``, ``edit``, ``view``,
``system:discovery``, ``system:basic-user``, ``system:public-info-viewer``) are added unless
the cluster folder already defines an object of that name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from devcluster.status import ApiError
from devcluster.store import ObjectStore
from devcluster.users import MASTERS, Identity

Obj = dict[str, Any]
GROUP = "rbac.authorization.k8s.io"
RBAC_KINDS = ("role", "clusterrole", "rolebinding", "clusterrolebinding")
_METHOD_VERBS = {
    "POST": "create",
    "GET": "get",
    "HEAD": "get",
    "PUT": "update",
    "PATCH": "patch",
    "DELETE": "delete",
}
_NAMESPACE_SUBRESOURCES = ("status", "finalize")
_TRUE = ("1", "t", "T", "TRUE", "true", "True")


@dataclass(frozen=True)
class Attributes:
    """What a request asks to do, as RBAC rules are matched against it."""

    verb: str
    resource_request: bool = True
    path: str = ""
    api_group: str = ""
    api_version: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""

    @classmethod
    def from_review(cls, spec: Mapping[str, Any]) -> Attributes:
        """The attributes of an access review's ``spec`` (resource or non-resource)."""
        res = spec.get("resourceAttributes")
        if isinstance(res, Mapping):
            return cls(
                verb=str(res.get("verb") or ""),
                api_group=str(res.get("group") or ""),
                api_version=str(res.get("version") or ""),
                resource=str(res.get("resource") or ""),
                subresource=str(res.get("subresource") or ""),
                namespace=str(res.get("namespace") or ""),
                name=str(res.get("name") or ""),
            )
        non = spec.get("nonResourceAttributes") or {}
        return cls(verb=str(non.get("verb") or ""), resource_request=False, path=str(non.get("path") or ""))


def request_attributes(method: str, path: str, query: Mapping[str, str]) -> Attributes:
    """The attributes kube-apiserver's request-info parser gives ``method path?query``."""
    parts = [p for p in path.split("/") if p]
    nonresource = Attributes(method.lower(), resource_request=False, path=path or "/")
    if len(parts) < 3 or parts[0] not in ("api", "apis"):
        return nonresource
    rest = parts[1:]
    group = ""
    if parts[0] == "apis":
        if len(rest) < 3:
            return nonresource
        group, rest = rest[0], rest[1:]
    version, rest = rest[0], rest[1:]
    verb = _METHOD_VERBS.get(method, "")
    if rest[0] == "watch" and len(rest) > 1:  # the legacy /watch/ prefix
        verb, rest = "watch", rest[1:]
    namespace = ""
    if rest[0] == "namespaces" and len(rest) > 1:
        namespace = rest[1]
        if len(rest) > 2 and rest[2] not in _NAMESPACE_SUBRESOURCES:
            rest = rest[2:]
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else ""
    subresource = rest[2] if len(rest) > 2 else ""
    if not name and verb == "get":
        verb = "watch" if query.get("watch") in _TRUE else "list"
        selector = query.get("fieldSelector", "")
        if selector.startswith("metadata.name=") and "," not in selector:
            name = selector[len("metadata.name=") :]
    if not name and verb == "delete":
        verb = "deletecollection"
    return Attributes(verb, True, path, group, version, resource, subresource, namespace, name)


# --- rules -----------------------------------------------------------------------------------


def _has(values: Iterable[str], wanted: str) -> bool:
    values = list(values)
    return "*" in values or wanted in values


def _resource_matches(rule_resources: list[str], resource: str, subresource: str) -> bool:
    combined = f"{resource}/{subresource}" if subresource else resource
    for r in rule_resources:
        if r in ("*", combined):
            return True
        if subresource and r == f"*/{subresource}":
            return True
    return False


def _path_matches(urls: list[str], path: str) -> bool:
    for url in urls:
        if url in ("*", path):
            return True
        if url.endswith("*") and path.startswith(url[:-1]):
            return True
    return False


def rule_allows(rule: Mapping[str, Any], attrs: Attributes) -> bool:
    """Whether one PolicyRule allows ``attrs`` (kube-apiserver's ``RuleAllows``)."""
    if not _has(rule.get("verbs") or [], attrs.verb):
        return False
    if not attrs.resource_request:
        return _path_matches(rule.get("nonResourceURLs") or [], attrs.path)
    names = rule.get("resourceNames") or []
    return (
        _has(rule.get("apiGroups") or [], attrs.api_group)
        and _resource_matches(rule.get("resources") or [], attrs.resource, attrs.subresource)
        and (not names or attrs.name in names)
    )


def _subject_matches(subject: Mapping[str, Any], who: Identity, binding_namespace: str) -> bool:
    kind = subject.get("kind")
    name = subject.get("name")
    if kind == "User":
        return name == who.name
    if kind == "Group":
        return name in who.groups
    if kind == "ServiceAccount":
        ns = subject.get("namespace") or binding_namespace
        return who.service_account == (ns, name)
    return False


def _describe_subject(subject: Mapping[str, Any], binding_namespace: str) -> str:
    if subject.get("kind") == "ServiceAccount":
        ns = subject.get("namespace") or binding_namespace
        return f'ServiceAccount "{subject.get("name")}/{ns}"'
    return f'{subject.get("kind")} "{subject.get("name")}"'


@dataclass(frozen=True)
class Decision:
    """An authorizer's answer; ``reason`` as kube-apiserver words it (may be empty)."""

    allowed: bool
    reason: str = ""


@dataclass
class _Grant:
    source: str
    rules: list[Obj]
    errors: list[str] = field(default_factory=list)


class Rbac:
    """The RBAC authorizer over the Roles and bindings in ``store``."""

    def __init__(self, store: ObjectStore, enabled: bool = False) -> None:
        self.store = store
        self.enabled = enabled

    def _role_rules(self, ref: Mapping[str, Any], namespace: str) -> tuple[list[Obj], str | None]:
        kind = ref.get("kind")
        name = str(ref.get("name") or "")
        if kind == "ClusterRole":
            role = self.store.get("clusterrole", "", name)
            missing = f'clusterrole.rbac.authorization.k8s.io "{name}" not found'
        elif kind == "Role" and namespace:
            role = self.store.get("role", namespace, name)
            missing = f'role.rbac.authorization.k8s.io "{name}" not found'
        else:
            return [], f"unknown role kind {kind!r}"
        if role is None:
            return [], missing
        return [r for r in role.get("rules") or [] if isinstance(r, dict)], None

    def _grants(self, who: Identity, namespace: str) -> list[_Grant]:
        """The rules bound to ``who`` that apply in ``namespace`` ("" = cluster scope).

        In kube-apiserver's order: ClusterRoleBindings first, then the namespace's RoleBindings.
        """
        grants: list[_Grant] = []
        with self.store.locked():
            bindings = [("", b) for b in self.store.list("clusterrolebinding")]
            if namespace:
                bindings += [(namespace, b) for b in self.store.list("rolebinding", namespace)]
            for ns, binding in bindings:
                subject = next(
                    (s for s in binding.get("subjects") or [] if _subject_matches(s, who, ns)), None
                )
                if subject is None:
                    continue
                ref = binding.get("roleRef") or {}
                rules, error = self._role_rules(ref, ns)
                bname = binding["metadata"]["name"]
                kind = "RoleBinding" if ns else "ClusterRoleBinding"
                shown = f"{bname}/{ns}" if ns else bname
                source = (
                    f'{kind} "{shown}" of {ref.get("kind")} "{ref.get("name")}" to '
                    f"{_describe_subject(subject, ns)}"
                )
                grants.append(_Grant(source, rules, [error] if error else []))
        return grants

    def authorize(self, who: Identity, attrs: Attributes) -> Decision:
        """Whether ``who`` may do ``attrs`` (always allowed while RBAC is off)."""
        if not self.enabled or MASTERS in who.groups:
            return Decision(True)
        errors: list[str] = []
        namespace = attrs.namespace if attrs.resource_request else ""
        for grant in self._grants(who, namespace):
            errors += grant.errors
            if any(rule_allows(rule, attrs) for rule in grant.rules):
                return Decision(True, f"RBAC: allowed by {grant.source}")
        return Decision(False, f"RBAC: [{', '.join(errors)}]" if len(errors) > 1 else _rbac(errors))

    def rules(self, who: Identity, namespace: str) -> tuple[list[Obj], list[Obj], list[str]]:
        """``(resourceRules, nonResourceRules, errors)`` of ``who`` in ``namespace``."""
        if not self.enabled:
            return (
                [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
                [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
                [],
            )
        resource: list[Obj] = []
        nonresource: list[Obj] = []
        errors: list[str] = []
        for grant in self._grants(who, namespace):
            errors += grant.errors
            for rule in grant.rules:
                if rule.get("nonResourceURLs"):
                    nonresource.append({"verbs": rule["verbs"], "nonResourceURLs": rule["nonResourceURLs"]})
                if rule.get("resources"):
                    out: Obj = {"verbs": rule.get("verbs") or []}
                    for key in ("apiGroups", "resources", "resourceNames"):
                        if rule.get(key):
                            out[key] = rule[key]
                    resource.append(out)
        return resource, nonresource, errors


def _rbac(errors: list[str]) -> str:
    return f"RBAC: {errors[0]}" if errors else ""


def forbidden(attrs: Attributes, who: Identity, reason: str = "") -> ApiError:
    """The 403 kube-apiserver answers when ``who`` may not do ``attrs``."""
    if attrs.resource_request:
        resource = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
        where = f' in the namespace "{attrs.namespace}"' if attrs.namespace else " at the cluster scope"
        text = (
            f'User "{who.name}" cannot {attrs.verb} resource "{resource}" in API group '
            f'"{attrs.api_group}"{where}'
        )
    else:
        text = f'User "{who.name}" cannot {attrs.verb} path "{attrs.path}"'
    if reason:
        text = f"{text}: {reason}"
    qualified = f"{attrs.resource}.{attrs.api_group}" if attrs.api_group else attrs.resource
    if not attrs.resource_request or not qualified:
        return ApiError(403, "Forbidden", f"forbidden: {text}", {})
    subject = f'{qualified} "{attrs.name}"' if attrs.name else qualified
    details: Obj = {"name": attrs.name} if attrs.name else {}
    if attrs.api_group:
        details["group"] = attrs.api_group
    details["kind"] = attrs.resource
    return ApiError(403, "Forbidden", f"{subject} is forbidden: {text}", details)


# --- access reviews ----------------------------------------------------------------------------


def review(
    kind: str,
    spec: Mapping[str, Any],
    requester: Identity,
    path_namespace: str | None,
    rbac: Rbac,
    knob: Callable[[str, str, str], bool],
) -> tuple[Obj, Obj]:
    """``(spec, status)`` of an access or rules review of ``kind`` asked by ``requester``.

    The Self* kinds ask about the requester, the others about ``spec.user`` and
    ``spec.groups``. ``knob`` is devcluster's deny knob (``AccessPolicy.allowed``), which can
    only say no, on top of RBAC.

    Raises:
        ApiError: 400 for a LocalSubjectAccessReview whose namespace is not the path's.
    """
    out_spec = dict(spec)
    if kind == "SelfSubjectRulesReview":
        namespace = str(spec.get("namespace") or "")
        out_spec = {"namespace": namespace}
        resource, nonresource, errors = rbac.rules(requester, namespace)
        rules: Obj = {"resourceRules": resource, "nonResourceRules": nonresource, "incomplete": bool(errors)}
        if errors:
            rules["evaluationError"] = ", ".join(errors)
        return out_spec, rules
    if kind == "LocalSubjectAccessReview":
        res = dict(spec.get("resourceAttributes") or {})
        if res.get("namespace") and res["namespace"] != path_namespace:
            raise ApiError(
                400,
                "BadRequest",
                f"spec.resourceAttributes.namespace must match namespace: {path_namespace}",
            )
        res["namespace"] = path_namespace or ""
        out_spec["resourceAttributes"] = res
    if kind.startswith("Self"):
        subject = requester
    else:
        subject = Identity(str(spec.get("user") or ""), tuple(str(g) for g in spec.get("groups") or []))
    attrs = Attributes.from_review(out_spec)
    if attrs.resource_request and not knob(attrs.verb, attrs.resource, attrs.namespace):
        return out_spec, {"allowed": False, "denied": True, "reason": "denied by devcluster access policy"}
    decision = rbac.authorize(subject, attrs)
    status: Obj = {"allowed": decision.allowed}
    if decision.reason:
        status["reason"] = decision.reason
    elif decision.allowed and not rbac.enabled:
        status["reason"] = "devcluster allows every request unless denied"
    return out_spec, status


def self_subject_review(who: Identity) -> Obj:
    """The SelfSubjectReview (``kubectl auth whoami``) of ``who``."""
    return {
        "kind": "SelfSubjectReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "status": {"userInfo": {"username": who.name, "groups": list(who.groups)}},
    }


# --- the default policy ------------------------------------------------------------------------

_READ = ["get", "list", "watch"]
_WRITE = ["create", "delete", "deletecollection", "patch", "update"]
_VIEW: tuple[tuple[str, list[str]], ...] = (
    (
        "",
        [
            "configmaps",
            "endpoints",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status",
            "pods",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "serviceaccounts",
            "services",
            "services/status",
            "bindings",
            "events",
            "limitranges",
            "namespaces/status",
            "pods/log",
            "pods/status",
            "replicationcontrollers/status",
            "resourcequotas",
            "resourcequotas/status",
            "namespaces",
        ],
    ),
    (
        "apps",
        [
            "controllerrevisions",
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/scale",
            "deployments/status",
            "replicasets",
            "replicasets/scale",
            "replicasets/status",
            "statefulsets",
            "statefulsets/scale",
            "statefulsets/status",
        ],
    ),
    ("batch", ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
    ("networking.k8s.io", ["ingresses", "ingresses/status", "networkpolicies"]),
    ("discovery.k8s.io", ["endpointslices"]),
    ("events.k8s.io", ["events"]),
    ("metrics.k8s.io", ["pods", "nodes"]),
)
_EDIT: tuple[tuple[str, list[str]], ...] = (
    (
        "",
        [
            "pods",
            "pods/attach",
            "pods/exec",
            "pods/portforward",
            "pods/proxy",
            "configmaps",
            "endpoints",
            "persistentvolumeclaims",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "secrets",
            "serviceaccounts",
            "services",
            "services/proxy",
        ],
    ),
    (
        "apps",
        [
            "daemonsets",
            "deployments",
            "deployments/rollback",
            "deployments/scale",
            "replicasets",
            "replicasets/scale",
            "statefulsets",
            "statefulsets/scale",
        ],
    ),
    ("batch", ["cronjobs", "jobs"]),
    ("networking.k8s.io", ["ingresses", "networkpolicies"]),
)


def _rule(verbs: list[str], group: str, resources: list[str]) -> Obj:
    return {"verbs": verbs, "apiGroups": [group], "resources": resources}


def _view_rules() -> list[Obj]:
    return [_rule(_READ, g, r) for g, r in _VIEW]


def _edit_rules() -> list[Obj]:
    return (
        [_rule(["impersonate"], "", ["serviceaccounts"])]
        + [_rule(_WRITE, g, r) for g, r in _EDIT]
        + [
            _rule(["create"], "", ["pods/eviction", "serviceaccounts/token"]),
            _rule(_READ, "", ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets"]),
            _rule(_READ, "", ["services/proxy"]),
        ]
        + _view_rules()
    )


def _admin_rules() -> list[Obj]:
    return [
        _rule(["create"], "authorization.k8s.io", ["localsubjectaccessreviews"]),
        _rule(_WRITE + _READ, GROUP, ["rolebindings", "roles"]),
        *_edit_rules(),
    ]


_DISCOVERY_URLS = [
    "/api",
    "/api/*",
    "/apis",
    "/apis/*",
    "/healthz",
    "/livez",
    "/openapi",
    "/openapi/*",
    "/readyz",
    "/version",
    "/version/",
]
_PUBLIC_URLS = ["/healthz", "/livez", "/readyz", "/version", "/version/"]


def default_policy() -> list[Obj]:
    """The default ClusterRoles and ClusterRoleBindings (those that matter for devcluster's kinds)."""
    meta_extra: Obj = {
        "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
        "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"},
    }
    roles: dict[str, list[Obj]] = {
        "cluster-admin": [
            {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
            {"verbs": ["*"], "nonResourceURLs": ["*"]},
        ],
        "admin": _admin_rules(),
        "edit": _edit_rules(),
        "view": _view_rules(),
        "system:discovery": [{"verbs": ["get"], "nonResourceURLs": _DISCOVERY_URLS}],
        "system:public-info-viewer": [{"verbs": ["get"], "nonResourceURLs": _PUBLIC_URLS}],
        "system:basic-user": [
            _rule(["create"], "authentication.k8s.io", ["selfsubjectreviews"]),
            _rule(
                ["create"], "authorization.k8s.io", ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]
            ),
        ],
    }
    bindings: dict[str, list[str]] = {
        "cluster-admin": [MASTERS],
        "system:discovery": ["system:authenticated"],
        "system:basic-user": ["system:authenticated"],
        "system:public-info-viewer": ["system:authenticated", "system:unauthenticated"],
    }
    out: list[Obj] = []
    for name, rules in roles.items():
        out.append(
            {
                "apiVersion": f"{GROUP}/v1",
                "kind": "ClusterRole",
                "metadata": {"name": name, **meta_extra},
                "rules": rules,
            }
        )
    for name, groups in bindings.items():
        out.append(
            {
                "apiVersion": f"{GROUP}/v1",
                "kind": "ClusterRoleBinding",
                "metadata": {"name": name, **meta_extra},
                "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": name},
                "subjects": [{"apiGroup": GROUP, "kind": "Group", "name": g} for g in groups],
            }
        )
    return out


def defines_rbac(store: ObjectStore) -> bool:
    """Whether the loaded cluster holds any Role, ClusterRole or binding."""
    return any(store.count(kind) for kind in RBAC_KINDS)


__all__ = [
    "Attributes",
    "Decision",
    "Rbac",
    "default_policy",
    "defines_rbac",
    "forbidden",
    "request_attributes",
    "review",
    "rule_allows",
    "self_subject_review",
]
