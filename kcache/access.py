"""Who asks, and what the cluster lets them read: askers, rules reviews and their TTL cache.

Every request runs for an asker. The scanner's own identity (the kubeconfig that fills the
cache) reads everything the cache holds with no review call; any other asker's rights come
from the cluster: a SelfSubjectRulesReview per namespace made as the asker by impersonation
(``Impersonate-User`` / ``Impersonate-Group`` on the scanner's credentials), and a
SubjectAccessReview for cluster-scoped kinds and single checks. Answers are kept per
(cluster, identity) for ``KCACHE_ACCESS_TTL`` seconds. A review that fails denies: it never
allows. A turn reads the cache through :class:`FilteredStore`, the asker's view of one
cluster, which drops every row they may not read and offers nothing else that reads rows.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, cast

import httpx

from kcache.errors import KcacheError
from kcache.kinds import BY_NAME
from kcache.logs import event
from kcache.state import Asker

logger = logging.getLogger(__name__)


def scanner_asker(name: str = "") -> Asker:
    """The default CLI asker: the kubeconfig identity that also fills the cache."""
    return Asker(name=name or "scanner", user="", groups=[])


def named_asker(user: str, groups: Iterable[str] = (), *, name: str = "") -> Asker:
    """An asker reading as the Kubernetes ``user`` and ``groups`` (``kcache ask --as``)."""
    return Asker(name=name or user, user=user, groups=sorted(set(groups)))


AUTH_USER_KEY = "langgraph_auth_user"
"""Where the ``langgraph dev`` server's custom auth puts the authenticated user (``configurable``)."""


def _auth_field(user: Any, name: str) -> Any:
    """A field of the server's auth user: item access (its extra fields) or attribute."""
    try:
        return user[name]
    except (KeyError, TypeError, IndexError):
        return getattr(user, name, None)


def turn_asker(
    as_user: str | None, as_groups: Iterable[str] | None, configurable: Mapping[str, Any] | None
) -> Asker:
    """Who a turn runs for.

    The server's authenticated user wins when kcache's auth handler made it
    (``configurable["langgraph_auth_user"]`` carrying ``kubernetes_user`` and
    ``kubernetes_groups``; its ``identity`` names the asker): a caller of the server cannot
    choose someone else by the run context. Without one, the run context's ``as_user``/``as_groups``
    (``kcache ask --as``); without those, the scanner's own identity.
    """
    user = (configurable or {}).get(AUTH_USER_KEY)
    kube_user = _auth_field(user, "kubernetes_user") if user is not None else None
    if kube_user:
        groups = _auth_field(user, "kubernetes_groups") or ()
        identity = str(_auth_field(user, "identity") or kube_user)
        return named_asker(str(kube_user), [str(g) for g in groups], name=identity)
    if as_user:
        return named_asker(as_user, as_groups or ())
    if as_groups:
        raise KcacheError("as_groups needs as_user: Kubernetes impersonates groups only together with a user")
    return scanner_asker()


def is_scanner(asker: Asker | None) -> bool:
    """True for the scanner's own identity, which reads the whole cache."""
    return asker is None or not asker["user"]


class AccessError(KcacheError):
    """The cluster's access reviews could not be made: the asker is denied."""


@dataclass(frozen=True)
class Rule:
    """One resource rule of a SelfSubjectRulesReview answer."""

    verbs: frozenset[str]
    groups: frozenset[str]
    resources: frozenset[str]
    names: frozenset[str] = frozenset()

    def allows(self, verb: str, group: str, resource: str) -> bool:
        """True when this rule grants ``verb`` on every object of ``group``/``resource``."""
        if self.names:
            return False  # a rule limited to named objects does not grant a list
        return (
            ("*" in self.verbs or verb in self.verbs)
            and ("*" in self.groups or group in self.groups)
            and ("*" in self.resources or resource in self.resources)
        )


def parse_rules(status: Mapping[str, Any]) -> tuple[Rule, ...]:
    """The resource rules of a SelfSubjectRulesReview ``status``."""
    rules = []
    for raw in status.get("resourceRules") or []:
        rules.append(
            Rule(
                verbs=frozenset(raw.get("verbs") or ()),
                groups=frozenset(raw.get("apiGroups") or ()),
                resources=frozenset(raw.get("resources") or ()),
                names=frozenset(raw.get("resourceNames") or ()),
            )
        )
    return tuple(rules)


def rules_allow(rules: Sequence[Rule], verb: str, kind: str) -> bool:
    """True when ``rules`` let ``verb`` (list, get, delete, ...) act on every object of ``kind``."""
    entry = BY_NAME[kind]
    return any(rule.allows(verb, entry.group, entry.plural) for rule in rules)


@dataclass(frozen=True)
class Grant:
    """What one asker may read: per namespace (and ``""`` for cluster scope), the kinds."""

    everything: bool = False
    kinds_by_namespace: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def may_read(self, kind: str, namespace: str | None) -> bool:
        """True when the asker may list and get ``kind`` in ``namespace`` (None: cluster scope)."""
        if self.everything:
            return True
        return kind in self.kinds_by_namespace.get(namespace or "", frozenset())

    def visible(self, kind: str, namespace: str | None, name: str = "") -> bool:
        """True when the asker may see this object (``name`` matters for namespaces only).

        A namespace object is visible too when the asker may read anything in it: they can
        work in a namespace they cannot list (``kubectl get pods -n team-a`` needs no list of
        namespaces), and it exists for them exactly as for Kubernetes.
        """
        if self.may_read(kind, namespace):
            return True
        return kind == "namespace" and bool(self.kinds_by_namespace.get(name))

    def namespaces(self, kind: str) -> frozenset[str]:
        """The namespaces where the asker may read ``kind``."""
        return frozenset(ns for ns, kinds in self.kinds_by_namespace.items() if ns and kind in kinds)


EVERYTHING = Grant(everything=True)
NOTHING = Grant()


def grant_from_rules(
    rules_by_namespace: Mapping[str, Sequence[Rule]], cluster_kinds: Mapping[str, bool], kinds: Iterable[str]
) -> Grant:
    """A Grant from the rules per namespace and the cluster-scoped kinds' review answers.

    A namespaced kind is readable in a namespace when its rules allow both ``list`` and
    ``get``; a cluster-scoped kind when ``cluster_kinds[kind]`` says so.
    """
    wanted = [k for k in kinds if k in BY_NAME]
    by_ns: dict[str, frozenset[str]] = {}
    for namespace, rules in rules_by_namespace.items():
        by_ns[namespace] = frozenset(
            k
            for k in wanted
            if BY_NAME[k].namespaced and rules_allow(rules, "list", k) and rules_allow(rules, "get", k)
        )
    by_ns[""] = frozenset(k for k in wanted if not BY_NAME[k].namespaced and cluster_kinds.get(k, False))
    return Grant(kinds_by_namespace=by_ns)


@dataclass(frozen=True)
class Credentials:
    """How the scanner reaches the API server: URL, TLS and its bearer token or client cert."""

    server: str
    token: str = ""
    ca_file: str | None = None
    cert: tuple[str, str] | None = None
    verify: bool = True


async def credentials_from_kubeconfig(kubeconfig: Path, context: str | None = None) -> Credentials:
    """The scanner's credentials from a kubeconfig (``context`` or its current context)."""
    from kcache.watch.api import _load_configuration

    configuration = await asyncio.to_thread(_load_configuration, kubeconfig, context)
    token = str((configuration.api_key or {}).get("authorization") or "")
    if token.lower().startswith("bearer "):
        token = token[7:]
    cert = (str(configuration.cert_file), str(configuration.key_file)) if configuration.cert_file else None
    return Credentials(
        server=str(configuration.host).rstrip("/"),
        token=token,
        ca_file=configuration.ssl_ca_cert or None,
        cert=cert,
        verify=bool(configuration.verify_ssl),
    )


class Reviewer:
    """Makes access reviews against one cluster with the scanner's credentials."""

    def __init__(self, credentials: Credentials, *, timeout: float = 10.0) -> None:
        self.credentials = credentials
        verify: Any = (
            credentials.ca_file if (credentials.verify and credentials.ca_file) else credentials.verify
        )
        self._client = httpx.AsyncClient(
            base_url=credentials.server, verify=verify, cert=credentials.cert, timeout=timeout
        )
        self.calls = 0
        """Reviews sent (the TTL cache keeps this low)."""

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    def _headers(self, asker: Asker | None = None) -> list[tuple[str, str]]:
        headers = [("Accept", "application/json"), ("Content-Type", "application/json")]
        if self.credentials.token:
            headers.append(("Authorization", f"Bearer {self.credentials.token}"))
        if asker is not None:
            headers.append(("Impersonate-User", asker["user"]))
            headers += [("Impersonate-Group", g) for g in asker["groups"]]
        return headers

    async def _post(self, path: str, body: Mapping[str, Any], asker: Asker | None) -> Mapping[str, Any]:
        self.calls += 1
        try:
            response = await self._client.post(path, json=dict(body), headers=self._headers(asker))
        except httpx.HTTPError as exc:
            raise AccessError(f"access review {path} failed: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 300:
            raise AccessError(f"access review {path} answered {response.status_code}: {response.text[:200]}")
        try:
            status = response.json().get("status") or {}
        except ValueError as exc:
            raise AccessError(f"access review {path} answered no JSON: {response.text[:200]!r}") from exc
        return dict(status)

    async def rules(self, asker: Asker, namespace: str) -> tuple[Rule, ...]:
        """The asker's resource rules in ``namespace`` (SelfSubjectRulesReview by impersonation)."""
        status = await self._post(
            "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
            {
                "apiVersion": "authorization.k8s.io/v1",
                "kind": "SelfSubjectRulesReview",
                "spec": {"namespace": namespace},
            },
            asker,
        )
        return parse_rules(status)

    async def allowed(
        self, asker: Asker, verb: str, kind: str, namespace: str | None, subresource: str = ""
    ) -> bool:
        """One SubjectAccessReview: may ``asker`` ``verb`` ``kind`` (its ``subresource``) in ``namespace``."""
        entry = BY_NAME[kind]
        attrs: dict[str, Any] = {"verb": verb, "group": entry.group, "resource": entry.plural}
        if subresource:
            attrs["subresource"] = subresource
        if namespace and entry.namespaced:
            attrs["namespace"] = namespace
        status = await self._post(
            "/apis/authorization.k8s.io/v1/subjectaccessreviews",
            {
                "apiVersion": "authorization.k8s.io/v1",
                "kind": "SubjectAccessReview",
                "spec": {"user": asker["user"], "groups": list(asker["groups"]), "resourceAttributes": attrs},
            },
            None,
        )
        return bool(status.get("allowed"))


def identity_key(cluster: str, asker: Asker) -> tuple[str, str, tuple[str, ...]]:
    """The key of every per-identity cache: (cluster, user, groups)."""
    return (cluster, asker["user"], tuple(sorted(asker["groups"])))


RETRY_FAILED_S = 5.0
"""How long a failed rules review is answered by its error instead of a new review."""


class AccessCache:
    """Grants and single checks per (cluster, identity), each kept for ``ttl`` seconds."""

    def __init__(self, ttl: float = 120.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._grants: dict[tuple[str, str, tuple[str, ...]], tuple[float, Grant]] = {}
        self._checks: dict[tuple[Any, ...], tuple[float, bool]] = {}
        self._failed: dict[tuple[str, str, tuple[str, ...]], tuple[float, AccessError]] = {}
        self._lock = asyncio.Lock()

    async def grant(
        self,
        cluster: str,
        asker: Asker,
        reviewer: Reviewer,
        *,
        namespaces: Iterable[str],
        kinds: Iterable[str],
    ) -> Grant:
        """What ``asker`` may read in ``cluster`` among ``namespaces`` and ``kinds``.

        A kept grant serves while it is younger than the TTL and was reviewed for every one
        of ``namespaces``: a namespace the cache learnt of since is reviewed at once, so its
        objects are not hidden from its readers until the TTL runs out.

        A failed review is raised again without a new one for :data:`RETRY_FAILED_S`: every
        node of a turn asks for the grant, and an API that hangs would cost each its timeout.

        Raises:
            AccessError: a review failed (now or within RETRY_FAILED_S); the caller denies.
        """
        if is_scanner(asker):
            return EVERYTHING
        key = identity_key(cluster, asker)
        now = self._clock()
        namespaces = set(namespaces)
        async with self._lock:
            hit = self._grants.get(key)
            if hit is not None and now - hit[0] < self.ttl and namespaces <= hit[1].kinds_by_namespace.keys():
                return hit[1]
            failed = self._failed.get(key)
            if failed is not None and now - failed[0] < min(self.ttl, RETRY_FAILED_S):
                raise failed[1]
            kinds = list(kinds)
            try:
                rules = {ns: await reviewer.rules(asker, ns) for ns in sorted(namespaces)}
                cluster_kinds = {
                    k: await reviewer.allowed(asker, "list", k, None)
                    for k in kinds
                    if not BY_NAME[k].namespaced
                }
            except AccessError as exc:
                self._failed[key] = (now, exc)
                raise
            self._failed.pop(key, None)
            grant = grant_from_rules(rules, cluster_kinds, kinds)
            self._grants[key] = (now, grant)
            return grant

    async def check(
        self,
        cluster: str,
        asker: Asker,
        reviewer: Reviewer,
        verb: str,
        kind: str,
        namespace: str | None,
        subresource: str = "",
    ) -> bool:
        """May ``asker`` ``verb`` ``kind`` (its ``subresource``) in ``namespace`` (cached review).

        Raises:
            AccessError: the review failed; the caller denies.
        """
        if is_scanner(asker):
            return True
        key = (*identity_key(cluster, asker), verb, kind, subresource, namespace or "")
        now = self._clock()
        hit = self._checks.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        if subresource:
            allowed = await reviewer.allowed(asker, verb, kind, namespace, subresource)
        else:
            allowed = await reviewer.allowed(asker, verb, kind, namespace)
        self._checks[key] = (now, allowed)
        return allowed


PASS_THROUGH = frozenset(
    {
        # No rows: the cache's clock and its change counter (what per-store caches key on).
        "generation",
        "now",
        # Writes: a turn's records, tool usage and audit rows, invalidation after a write, and
        # what a scan writes (scans read and write as the scanner, see kcache.scan).
        "record_turn",
        "record_tool_usage",
        "audit",
        "invalidate",
        "delete_object",
        "replace",
        "apply_changes",
        "mark_scope",
        "scan_started",
        "scan_finished",
        "upsert_cluster",
    }
)
"""What a :class:`FilteredStore` hands to the wrapped store unchanged: nothing that reads rows."""


class FilteredStore:
    """A view of a store that answers one asker only rows of kinds and namespaces they may read.

    It is made for one cluster and one grant. The reads a turn makes (``query``, ``pods_of``,
    ``names``, ``cluster``) drop every row the asker may not read before anyone sees it, so a
    forbidden object and a missing one read the same. The names in :data:`PASS_THROUGH` (writes,
    the clock) go to the wrapped store; any other attribute raises AttributeError: a reader the
    store gains later must be filtered here before a view offers it, never leak by default.
    """

    def __init__(self, store: Any, grant: Grant, *, cluster: str) -> None:
        self._store = store
        self.grant = grant
        self.cluster_name = cluster
        """The cluster the grant is for: reads of any other cluster are refused."""

    def __getattr__(self, name: str) -> Any:
        if name in PASS_THROUGH:
            return getattr(self._store, name)
        raise AttributeError(
            f"FilteredStore does not offer {name!r}: only the filtered reads and "
            f"{', '.join(sorted(PASS_THROUGH))} (a new reader of the store must filter rows "
            "for the asker in kcache.access.FilteredStore first)"
        )

    def _own(self, cluster: str) -> None:
        if cluster != self.cluster_name:
            raise AccessError(
                f"this view reads cluster {self.cluster_name!r} for its asker, not {cluster!r}: "
                "take the asker's view of that cluster (Kcache.for_cluster(...).for_asker(...))"
            )

    def _keep(self, lookup: Any) -> Any:
        if self.grant.everything:
            return lookup
        items = [r for r in lookup.items if self.grant.visible(r.kind, r.namespace, r.name)]
        return replace(lookup, items=items)

    async def query(self, cluster: str, kind: str, **criteria: Any) -> Any:
        """The wrapped ``query`` less the rows the asker may not read."""
        self._own(cluster)
        return self._keep(await self._store.query(cluster, kind, **criteria))

    async def pods_of(self, cluster: str, workload: str, namespace: str | None = None) -> Any:
        """The wrapped ``pods_of`` less the rows the asker may not read."""
        self._own(cluster)
        return self._keep(await self._store.pods_of(cluster, workload, namespace))

    async def names(self, cluster: str, kinds: Iterable[str]) -> dict[str, list[tuple[str | None, str]]]:
        """The vocabulary of the kinds, only the names the asker may read."""
        self._own(cluster)
        out: dict[str, list[tuple[str | None, str]]] = await self._store.names(cluster, kinds)
        if self.grant.everything:
            return out
        return {k: [(ns, n) for ns, n in rows if self.grant.visible(k, ns, n)] for k, rows in out.items()}

    async def cluster(self, name: str) -> dict[str, Any] | None:
        """The cluster row; its node count only for an asker who may list nodes."""
        self._own(name)
        info: dict[str, Any] | None = await self._store.cluster(name)
        if info is None or self.grant.everything:
            return info
        # Version and API server are public to any authenticated user (/version); who the
        # scanner is, is not.
        shown = {**info, "context": None, "user_name": None}
        if not self.grant.may_read("node", None):
            shown["node_count"] = None
        return shown


def grant_of(store: Any) -> Grant:
    """The grant a store answers for: a view's own, everything for the store itself."""
    return store.grant if isinstance(store, FilteredStore) else EVERYTHING


def complete_kinds(grant: Grant, kinds: Iterable[str], namespace: str | None) -> tuple[str, ...]:
    """The kinds the asker may read wholly in a scope (``namespace``; None: the cluster).

    A namespaced kind over the cluster counts only when it is readable in every namespace the
    asker reads anything in: an analyzer that finds no Secret in a namespace whose Secrets
    are hidden would report a missing Secret that exists.
    """
    if grant.everything:
        return tuple(kinds)
    working = [ns for ns, readable in grant.kinds_by_namespace.items() if ns and readable]
    out = []
    for kind in kinds:
        if kind not in BY_NAME:
            continue
        if not BY_NAME[kind].namespaced:
            ok = grant.may_read(kind, None)
        elif namespace is not None:
            ok = grant.may_read(kind, namespace)
        else:
            ok = bool(working) and all(grant.may_read(kind, ns) for ns in working)
        if ok:
            out.append(kind)
    return tuple(out)


CHECK_FAILED = "the permission check failed"
"""What a refusal says when the review itself could not be made (it refuses, never allows)."""

#: How a refusal names a (verb, subresource) that is not the plain verb on the kind.
_ACTIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("get", "log"): ("read the logs of {what}", "查看 {where}{plural} 的日志"),
    ("create", "exec"): ("exec into {what}", "在 {where}{plural} 中执行命令"),
    ("patch", "scale"): ("scale {what}", "扩缩 {where}{plural}"),
    ("update", "scale"): ("scale {what}", "扩缩 {where}{plural}"),
    ("get", "proxy"): ("read the logs and stats of {what}", "查看 {where}{plural} 的日志和统计"),
}
_ZH_VERBS = {
    "delete": "删除",
    "patch": "修改",
    "update": "修改",
    "create": "创建",
    "get": "查看",
    "list": "列出",
}


def refusal(
    verb: str, kind: str, namespace: str | None, subresource: str = "", *, language: str = "en"
) -> str:
    """The answer to a denied action: ``you may not delete pods in payments`` (or in Chinese)."""
    entry = BY_NAME[kind]
    scoped = bool(namespace and entry.namespaced)
    if language == "zh":
        where = f"{namespace} 中的 " if scoped else ""
        template = _ACTIONS.get((verb, subresource), ("", ""))[1]
        if not template:
            template = _ZH_VERBS.get(verb, verb) + " {where}{plural}"
        return "你无权" + template.format(where=where, plural=entry.plural)
    what = entry.plural + (f" in {namespace}" if scoped else "")
    template = _ACTIONS.get((verb, subresource), ("", ""))[0] or verb + " {what}"
    return "you may not " + template.format(what=what)


async def permit(
    cache: AccessCache,
    cluster: str,
    asker: Asker,
    reviewer: Reviewer,
    verb: str,
    kind: str,
    namespace: str | None,
    subresource: str = "",
) -> str | None:
    """None when ``asker`` may ``verb`` ``kind`` (its ``subresource``) in ``namespace``, else the refusal.

    A review that fails refuses too (with its error), never allows.
    """
    try:
        allowed = await cache.check(cluster, asker, reviewer, verb, kind, namespace, subresource)
    except AccessError as exc:
        return f"{refusal(verb, kind, namespace, subresource)}: {CHECK_FAILED} ({exc})"
    return None if allowed else refusal(verb, kind, namespace, subresource)


@dataclass(frozen=True)
class Need:
    """The permission one action needs: any one of ``verbs`` on ``kind`` (its ``subresource``)."""

    verbs: tuple[str, ...]
    kind: str
    subresource: str = ""


#: Operation → (verbs, subresource) the API server authorizes for the call behind it. A scale
#: goes to the scale subresource (PATCH or PUT); restart and cordon are applied patches.
_OPERATION_NEEDS: dict[str, tuple[tuple[str, ...], str]] = {
    "delete": (("delete",), ""),
    "scale": (("patch", "update"), "scale"),
    "logs": (("get",), "log"),
    "exec": (("create",), "exec"),
    "restart": (("patch",), ""),
    "cordon": (("patch",), ""),
    "uncordon": (("patch",), ""),
    "apply": (("patch",), ""),
    "update": (("patch",), ""),
    "create": (("create",), ""),
    "run": (("create",), ""),
    "get": (("get",), ""),
    "describe": (("get",), ""),
}


def need_of(operation: str, kind: str) -> Need:
    """What ``operation`` on ``kind`` asks of the asker's RBAC; any other read needs ``list``.

    A node's logs and stats are read through the kubelet proxy (``nodes/proxy``); ``top``
    reads metrics, which kcache checks as a list of the kind.
    """
    if kind == "node" and operation in ("logs", "top"):
        return Need(("get",), kind, "proxy")
    verbs, subresource = _OPERATION_NEEDS.get(operation, (("list",), ""))
    return Need(verbs, kind, subresource)


class Permits(Protocol):
    """A holder that checks permissions (:meth:`kcache.runtime.Kcache.permit`)."""

    async def permit(
        self, asker: Asker, verb: str, kind: str, namespace: str | None, subresource: str = ""
    ) -> str | None:
        """None when allowed, else the refusal text."""
        ...


async def refused(
    kc: object,
    asker: Asker | None,
    operation: str,
    kind: str | None,
    namespace: str | None,
    *,
    language: str = "en",
) -> str | None:
    """None when ``asker`` may do ``operation`` on ``kind`` in ``namespace``; else the refusal.

    The refusal is in ``language`` (``en`` or ``zh``). The scanner's identity is never checked.
    A kind kcache does not know, a holder that cannot make reviews, or a review that fails
    all refuse: a check that could not be made never allows.
    """
    if asker is None or is_scanner(asker):
        return None
    if kind is None or kind not in BY_NAME:
        what = kind or "an unknown kind"
        if language == "zh":
            return f"你无权对 {what} 执行 {operation}：kcache 只为它认识的资源类型核对权限"
        return f"you may not {operation} {what}: kcache checks permissions only for the kinds it knows"
    need = need_of(operation, kind)
    check = getattr(kc, "permit", None)
    detail = ""
    if check is None:
        detail = "no access review can be made here"
    else:
        for verb in need.verbs:
            text = await cast(Permits, kc).permit(asker, verb, kind, namespace, need.subresource)
            if text is None:
                return None
            if CHECK_FAILED in text:
                detail = text.split(CHECK_FAILED, 1)[1].strip()
    text = refusal(need.verbs[0], kind, namespace, need.subresource, language=language)
    if not detail:
        return text
    return f"{text}：权限检查失败 {detail}" if language == "zh" else f"{text}: {CHECK_FAILED} {detail}"


async def record_refusal(
    kc: Any,
    asker: Asker | None,
    *,
    tool: str,
    operation: str,
    kind: str | None,
    namespace: str | None,
    name: str | None,
    reason: str,
    writes: bool,
    arguments: Mapping[str, Any] | None = None,
) -> None:
    """One audit row for an action refused because ``asker`` may not do it (nothing was called)."""
    await kc.store.audit(
        tool=tool,
        arguments=dict(arguments or {}),
        status="refused",
        cluster=kc.cluster,
        identity=f"{kc.identity.context}/{kc.identity.user}",
        writes=writes,
        origin="agent",
        error=reason,
        asker=asker,
        verb=operation,
        kind=kind,
        namespace=namespace,
        name=name,
    )


async def store_grant(
    store: Any, cache: AccessCache, cluster: str, asker: Asker, reviewer: Reviewer
) -> Grant:
    """What ``asker`` may read of ``cluster`` in ``store`` (the agent's and ``kcache stats``'s grant).

    Rules are reviewed in every cached namespace, for every kind of the kinds table; a review
    that fails grants nothing, and says why in the log.
    """
    if is_scanner(asker):
        return EVERYTHING
    namespaces = [name for _, name in (await store.names(cluster, ["namespace"]))["namespace"]]
    try:
        return await cache.grant(cluster, asker, reviewer, namespaces=namespaces, kinds=list(BY_NAME))
    except AccessError as exc:
        event(logger, "access", "denied", f"{asker['name']} reads nothing of {cluster}: {exc}")
        return NOTHING
