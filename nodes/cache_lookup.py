"""Agent node ``cache_lookup``: resolve the mentions against the cache, read what answers them.

Exact, workload, prefix and fuzzy matches across namespaces; a workload's name to its pods;
a typo to its nearest names. A stale or missing scope is refreshed read-through (bounded by
READ_THROUGH_TIMEOUT); the data's age is kept for the answer. Lookups and hits are counted.
"""

from __future__ import annotations

import re
import time
from typing import Any

from langgraph.runtime import Runtime

from kcache import labels as label_selectors
from kcache.access import grant_of
from kcache.analyzers import diagnose_cluster, diagnose_namespace
from kcache.analyzers.load import diagnose_items, load_view
from kcache.answer import HEALTHY_POD, grepped
from kcache.context import DEFAULT_CONTEXT, Context
from kcache.facts import POD_FIELDS, select
from kcache.kinds import KINDS, WORKLOADS, is_namespaced
from kcache.model import Resource
from kcache.resolve import best_or_ambiguous, nearest, rank, workload_of
from kcache.runtime import Holder, Kcache
from kcache.scan import refresh_scopes
from kcache.state import AgentState, ClusterFacts, FurtherAsk, Missing, Resolution, Row, Target, Understanding
from kcache.store import Lookup
from kcache.timing import node_timings
from kcache.understand import Vocabulary
from kcache.vocab import vocabulary
from kcache.watch import liveness
from kcache.writes import WRITE_OPERATIONS

MAX_ITEMS = 200


class _Reader:
    """Counts lookups and hits; refreshes a stale or missing scope once (read-through)."""

    def __init__(self, kc: Holder, force: bool) -> None:
        self.kc = kc
        self.force = force
        self.lookups = 0
        self.hits = 0
        self.refreshed: list[str] = []
        self.ages: list[float] = []
        self.stale: list[str] = []
        self.partial: list[str] = []
        """Scopes whose list is known to be incomplete (narrowed by denied access), with why."""

    async def read(
        self, kind: str, namespace: str | None = None, *, workload: str | None = None, **criteria: Any
    ) -> Lookup:
        """One lookup; ``workload`` reads the pods of a workload (through its ReplicaSets)."""
        self.lookups += 1
        ns = namespace if is_namespaced(kind) else None
        store, cluster = self.kc.store, self.kc.cluster

        async def fetch() -> Lookup:
            if workload is not None:
                return await store.pods_of(cluster, workload, ns)
            return await store.query(cluster, kind, namespace=ns, **criteria)

        got = await fetch()
        scope = f"{kind}/{ns}" if ns else kind
        if got.fresh and not (self.force and scope not in self.refreshed):
            self.hits += 1
        else:
            results = await refresh_scopes(
                self.kc, [(kind, ns)], timeout=self.kc.settings.read_through_timeout
            )
            self.refreshed.append(scope)
            got = await fetch()
            if any(r.status != "completed" for r in results) or not got.fresh:
                self.stale.append(scope)
            narrowed = [r.error for r in results if (r.error or "").startswith("partial")]
            if narrowed and not grant_of(self.kc.store).everything:
                # The scan's note names namespaces of the whole cluster: an asker learns only that
                # the list is incomplete.
                narrowed = ["partial: the cluster's list could not be read whole"]
            self.partial += [f"{scope}: {why}" for why in narrowed]
        if got.age_s is not None:
            self.ages.append(got.age_s)
        return got


def _in_ns(pairs: tuple[tuple[str | None, str], ...], namespace: str | None) -> list[tuple[str | None, str]]:
    return [p for p in pairs if namespace is None or p[0] == namespace]


async def _workload_pods(reader: _Reader, namespace: str | None, workload: str) -> tuple[list[Resource], str]:
    """The pods of a workload, by owner references; by generated names when the listing had none.

    Some servers' pod listings carry no owner references (k8s-mcp): then a pod whose name is
    the workload's name and a generated suffix is taken as its pod ("prefix", never acted on).
    """
    pods = (await reader.read("pod", namespace, workload=workload)).items
    if pods:
        return pods, "workload"
    named = (await reader.read("pod", namespace, prefix=f"{workload}-")).items
    return [p for p in named if p.owner_name is None and workload_of(p.name) == workload], "prefix"


async def _resolve_name(
    reader: _Reader, kind: str, mention: str, name_kind: str | None, namespace: str | None, write: bool
) -> Resolution:
    """Find the object(s) a mention means: target, or candidates to choose from, or suggestions."""
    kc = reader.kc
    vocab = await vocabulary(kc)
    if kind == "pod" and name_kind in WORKLOADS:
        owners = [p for p in _in_ns(vocab.names.get(name_kind, ()), namespace) if p[1] == mention]
        if len(owners) > 1:
            choices = {}
            for owner_ns, owner in owners:
                owned, _ = await _workload_pods(reader, owner_ns, owner)
                if owned:
                    choices[f"{owner_ns}/{owner}"] = _target(owned[0], "workload")
            return {"candidates": sorted(choices), "choices": choices}
        if owners:
            ns, workload = owners[0]
            pods, how = await _workload_pods(reader, ns, workload)
            if write and pods and how == "prefix":
                choices = {f"{p.namespace}/{p.name}": _target(p, "exact") for p in pods}
                return {"candidates": list(choices), "choices": choices}
            if not pods:
                return {"missing": {"what": "pod", "mention": mention, "suggestions": []}}
            if write and len(pods) > 1:
                choices = {f"{p.namespace}/{p.name}": _target(p, "exact") for p in pods}
                return {"candidates": list(choices), "choices": choices}
            return {
                "target": {
                    "kind": "pod",
                    "namespace": pods[0].namespace,
                    "name": pods[0].name,
                    "how": how,
                },
                "workload": {"kind": name_kind, "name": workload},
                "siblings": [p.name for p in pods[1:]],
            }
    if kind == "job" and not write and (run := _last_run(vocab, mention, namespace)) is not None:
        # "why did the nightly-export job fail": a CronJob's name asked as a Job is its last run.
        return {"target": {"kind": "job", "namespace": run[0], "name": run[1], "how": "workload"}}
    pairs = _in_ns(vocab.names.get(kind, ()), namespace)
    matches = rank(mention, ((kind, ns, name) for ns, name in pairs), limit=8)
    best, options = best_or_ambiguous(matches, exact_only=True)
    if best is not None:
        return {
            "target": {"kind": kind, "namespace": best.namespace, "name": best.name, "how": best.how},
            "siblings": [o.name for o in options],
        }
    if options and all(o.how in ("exact", "workload") for o in options):
        choices = {
            o.label: {"kind": kind, "namespace": o.namespace, "name": o.name, "how": o.how} for o in options
        }
        return {"candidates": list(choices), "choices": choices}
    # The right neighbour first: the same name in another namespace, then near spellings here.
    held_as = (kind, name_kind) if kind == "pod" and name_kind in WORKLOADS else (kind,)
    elsewhere = list(
        dict.fromkeys(
            f"{ns}/{n}"
            for k in held_as
            for ns, n in vocab.names.get(k, ())
            if n == mention and ns != namespace
        )
    )
    suggestions = elsewhere + [o.label for o in options] or nearest(mention, [n for _, n in pairs])
    if kind == "job":
        # "the nightly job": the CronJobs it may stand for come first.
        cronjobs = _in_ns(vocab.names.get("cronjob", ()), namespace)
        parted = any(mention in n.split("-") for _, n in cronjobs)
        scheduled = [f"{ns}/{n}" for ns, n in cronjobs if mention in n.split("-") or n.startswith(mention)]
        suggestions = scheduled + [x for x in suggestions if x not in scheduled]
        if not write and parted:
            # A part of a CronJob's name ("the nightly job"): the user is asked which is meant.
            return {
                "missing": {
                    "what": kind,
                    "mention": mention,
                    "namespace": namespace,
                    "suggestions": suggestions,
                    "partial": True,
                }
            }
    if kind == "pod" and not _POD_SUFFIX_RE.search(mention):
        # "strem-processor" is a workload's name mistyped: offer the workload, then its pods.
        named_kinds = [k for k in WORKLOADS if k != "replicaset"]  # a ReplicaSet is named by its owner
        owners = [(ns, n) for k in named_kinds for ns, n in _in_ns(vocab.names.get(k, ()), namespace)]
        close = set(nearest(mention, sorted({n for _, n in owners})))
        named = list(dict.fromkeys(f"{ns}/{n}" for ns, n in owners if n in close))
        suggestions = named + [x for x in suggestions if x not in named]
    if not suggestions and namespace is not None:
        near = rank(mention, ((kind, ns, n) for ns, n in vocab.names.get(kind, ())), limit=5)
        suggestions = [o.label for o in near]
    return {"missing": {"what": kind, "mention": mention, "namespace": namespace, "suggestions": suggestions}}


#: The end of a pod's generated or ordinal name ("-7c9f4-x2k1p", "-0"): a digit in the last part.
_POD_SUFFIX_RE = re.compile(r"-[a-z0-9]*\d[a-z0-9]*$")
#: Kinds a pod names in its spec (volumes, env, pull secrets): "pods using pvc X".
_MOUNTED = ("persistentvolumeclaim", "configmap", "secret")
#: Kinds whose objects filter pods when named in a request about pods ("pods on node X").
_POD_FILTERS = ("node", "service", *WORKLOADS, *_MOUNTED)


def _relation(u: Understanding) -> tuple[str, str] | None:
    """(kind, name) of an object of another kind that filters what is asked, if the request names one.

    "pods on worker-2", "pods behind service checkout", "pods of deployment api" (listing them),
    "events of the redis pod": the named object is a filter of the kind asked, not its target.
    """
    other, mention, kind = u.get("name_kind"), u.get("name_mention"), u["resource"]
    if not other or not mention or other == kind:
        return None
    if kind == "pod" and other in _POD_FILTERS and (other not in WORKLOADS or u["operation"] == "list"):
        return other, mention
    if kind == "event" and other in KINDS and other != "event":
        return other, mention
    if kind == "replicaset" and other in WORKLOADS:
        return other, mention  # "gateway 的 replicaset": the ReplicaSets the Deployment owns
    return None


async def _related_items(reader: _Reader, kind: str, related: Target) -> list[Resource]:
    """The objects of ``kind`` that the named object selects, runs or is about."""
    other, ns, name = related["kind"], related["namespace"], related["name"]
    if kind == "event":
        involved = {name}
        if other in WORKLOADS:
            involved |= {p.name for p in (await _workload_pods(reader, ns, name))[0]}
        events = (await reader.read("event", ns)).items
        return [e for e in events if e.fields.get("involved_name") in involved]
    if kind == "replicaset" and other in WORKLOADS:
        return [x for x in (await reader.read(kind, ns)).items if x.owner_name == name]
    if other in WORKLOADS:
        return (await _workload_pods(reader, ns, name))[0]
    if other == "node":
        return [p for p in (await reader.read("pod", None)).items if p.fields.get("node_name") == name]
    if other in _MOUNTED:
        pods = (await reader.read("pod", ns)).items
        return [
            p
            for p in pods
            if any(ref.get("kind") == other and ref.get("name") == name for ref in p.fields.get("refs") or [])
        ]
    (service,) = (await reader.read("service", ns, name=name)).items or (None,)
    selector = dict(service.fields.get("selector") or {}) if service else {}
    if not selector:
        return []  # a Service without a selector selects no pod (its endpoints are managed by hand)
    pods = (await reader.read("pod", ns, labels=list(selector.items()))).items
    return [p for p in pods if all(p.labels.get(k) == v for k, v in selector.items())]


def _node_in_state(node: Resource, state: str) -> bool:
    """Whether a node's status (``NotReady``, ``Ready,SchedulingDisabled``) or a condition says ``state``."""
    said = str(node.fields.get("status") or "").split(",")
    if state in said:
        return True
    return any(
        c.get("type") == state and c.get("status") == "True" for c in node.fields.get("conditions") or []
    )


def _target(r: Resource, how: str) -> Target:
    return {"kind": r.kind, "namespace": r.namespace, "name": r.name, "how": how}


def row(r: Resource) -> Row:
    """A cached object in the state's form: a shallow copy (the store's values are not shared)."""
    return {
        "kind": r.kind,
        "name": r.name,
        "namespace": r.namespace,
        "labels": r.labels,
        "annotations": r.annotations,
        "owner_kind": r.owner_kind,
        "owner_name": r.owner_name,
        "created_at": r.created_at,
        "fields": r.fields,
    }


def _items(items: list[Resource]) -> list[Row]:
    return [row(r) for r in items[:MAX_ITEMS]]


async def resolve_mentions(u: Understanding, reader: _Reader, vocab: Vocabulary) -> Resolution:
    """Phase 1: the namespace, the object or related object named, or what is missing."""
    kind, op = u["resource"], u["operation"]
    out: Resolution = {
        "namespace": u.get("namespace"),
        "namespace_source": "user" if u.get("namespace") else None,
    }
    mention_ns = u.get("namespace_mention")
    if op == "create":
        # What a create names need not exist yet: nothing is "not found". An object of that
        # name already there is said so; else the new object is the target.
        name = u.get("name_mention")
        if kind not in KINDS or not name:
            return out
        scope = (out["namespace"] or "default") if is_namespaced(kind) else None
        held = (
            vocab.namespaces
            if kind == "namespace"
            else [n for ns, n in vocab.names.get(kind, ()) if ns == scope]
        )
        new: Target = {"kind": kind, "namespace": scope, "name": name, "how": "new"}
        out["exists" if name in held else "target"] = new
        out["namespace"] = scope
        return out
    if mention_ns and not u.get("namespace"):
        # The namespaces where the named object exists come before spelling neighbours.
        named = u.get("name_mention")
        holding = sorted(
            {ns for pairs in vocab.names.values() for ns, n in pairs if named and n == named and ns}
        )
        near = [n for n in nearest(mention_ns, vocab.namespaces) if n not in holding]
        # "in staging" names a part of boutique-staging: those come first, and the user is asked.
        parts = [
            n for n in vocab.namespaces if mention_ns.lower() in n.split("-") and n != mention_ns.lower()
        ]
        suggestions = list(dict.fromkeys(parts + holding + near))
        out["missing"] = {"what": "namespace", "mention": mention_ns, "suggestions": suggestions}
        if parts:
            out["missing"]["partial"] = True
    elif kind == "namespace" and (named := u.get("namespace") or u.get("name_mention")):
        # "describe namespace X": the namespace is the object asked about.
        if named in vocab.namespaces:
            out["target"] = {"kind": "namespace", "namespace": None, "name": named, "how": "exact"}
        else:
            out["missing"] = {"what": "namespace", "mention": named, "suggestions": nearest(named, vocab.namespaces)}  # fmt: skip
    elif (relation := _relation(u)) is not None:
        out.update(_resolve_related(*relation, out["namespace"], vocab))
    elif (mention := u.get("name_mention")) and kind in KINDS:
        out.update(
            await _resolve_name(
                reader, kind, mention, u.get("name_kind"), out["namespace"], op in WRITE_OPERATIONS
            )
        )
    elif op in ("logs", *WRITE_OPERATIONS) and kind == "pod":
        # Logs of (or a change to) no pod in particular: one pod in scope is it; else ask which.
        # A pod described by its state ("the crashing pod", "一直重启的 pod") is one of those in
        # that state.
        pods = _in_ns(vocab.names.get("pod", ()), out["namespace"])
        if described := await _in_state(u, reader, out["namespace"]):
            pods = [(p.namespace, p.name) for p in described]
        choices: dict[str, Target] = {f"{p_ns}/{p}": {"kind": "pod", "namespace": p_ns, "name": p, "how": "exact"} for p_ns, p in pods}  # fmt: skip
        if len(choices) == 1 and op == "logs":
            out["target"] = next(iter(choices.values()))
        elif choices and len(choices) <= 20:
            out["candidates"], out["choices"] = sorted(choices), choices
        else:
            out["missing"] = {
                "what": "pod",
                "mention": None,
                "namespace": out["namespace"],
                "suggestions": [],
            }
    target = out.get("target") or out.get("related")
    if target and target.get("namespace") and not out["namespace"]:
        out["namespace"], out["namespace_source"] = target["namespace"], "cache"
    return out


async def _in_state(u: Understanding, reader: _Reader, namespace: str | None) -> list[Resource]:
    """The pods in scope in the state the request describes them by; none when it names no state.

    An empty list also when no pod is in that state: the request then falls back to every pod
    in scope, so the user chooses rather than being told of nothing.
    """
    if not (u.get("problem_only") or u.get("predicates")):
        return []
    items = (await reader.read("pod", namespace)).items
    return _stated(u, items)


def _stated(u: Understanding, items: list[Resource]) -> list[Resource]:
    """The objects the request's state words keep: its conditions, and "failing" as unhealthy."""
    if u["resource"] == "pod" and u.get("problem_only"):
        items = [r for r in items if _unhealthy(r)]
    if predicates := u.get("predicates"):
        items = select(items, predicates)
    return items


def _last_run(vocab: Vocabulary, cronjob: str, namespace: str | None) -> tuple[str, str] | None:
    """The newest Job of the one CronJob named exactly, when no Job has that name.

    A CronJob names its Jobs ``<cronjob>-<scheduled minute>``; the largest number is the
    last run. None when no Job or several CronJobs (in several namespaces) have the name.
    """
    if any(n == cronjob for _, n in _in_ns(vocab.names.get("job", ()), namespace)):
        return None
    owners = [ns for ns, n in _in_ns(vocab.names.get("cronjob", ()), namespace) if n == cronjob]
    if len(owners) != 1 or owners[0] is None:
        return None
    runs = [
        (int(n[len(cronjob) + 1 :]), n)
        for ns, n in vocab.names.get("job", ())
        if ns == owners[0] and n.startswith(cronjob + "-") and n[len(cronjob) + 1 :].isdigit()
    ]
    return (owners[0], max(runs)[1]) if runs else None


async def _last_run_rows(reader: _Reader, vocab: Vocabulary, cronjob: Target) -> list[Row]:
    """The Job of the CronJob's last run, as a row (none when it never ran)."""
    if (run := _last_run(vocab, cronjob["name"], cronjob["namespace"])) is None:
        return []
    return _items([j for j in (await reader.read("job", run[0])).items if j.name == run[1]])


def _resolve_related(other_kind: str, other: str, namespace: str | None, vocab: Vocabulary) -> Resolution:
    """The object of another kind that filters the read, found by its exact name."""
    scope = namespace if KINDS[other_kind] else None
    if other_kind == "job" and (run := _last_run(vocab, other, scope)) is not None:
        return {"related": {"kind": "job", "namespace": run[0], "name": run[1], "how": "workload"}}
    owners = [p for p in _in_ns(vocab.names.get(other_kind, ()), scope) if p[1] == other]
    if not owners:
        names = [n for _, n in vocab.names.get(other_kind, ())]
        return {"missing": {"what": other_kind, "mention": other, "namespace": namespace, "suggestions": nearest(other, names)}}  # fmt: skip
    choices: dict[str, Target] = {
        f"{o_ns}/{o}" if o_ns else o: {"kind": other_kind, "namespace": o_ns, "name": o, "how": "exact"} for o_ns, o in owners
    }  # fmt: skip
    if len(choices) > 1:
        return {"candidates": list(choices), "choices": choices}
    return {"related": next(iter(choices.values()))}


async def read_rows(u: Understanding, out: Resolution, reader: _Reader) -> list[Resource]:
    """Phase 2: the cached rows that answer the request (read-through when stale)."""
    kind, op, ns = u["resource"], u["operation"], out.get("namespace")
    if "missing" in out or "candidates" in out or kind not in KINDS:
        return []
    if related := out.get("related"):
        return await _related_items(reader, kind, related)
    if (workload := out.get("workload")) and op in ("list", "diagnose"):
        # "pods of deployment X": every pod of the workload, not the one a name resolved to.
        return (await _workload_pods(reader, ns, workload["name"]))[0]
    if target := out.get("target"):
        return (await reader.read(kind, target.get("namespace"), name=target["name"])).items
    if kind == "node" and (state := u.get("node_state")):
        return [n for n in (await reader.read("node", None)).items if _node_in_state(n, state)]
    if kind == "pod" and (state := u.get("node_state")):
        # "pods on the node that is not ready": the nodes in that state, then their pods.
        nodes = {n.name for n in (await reader.read("node", None)).items if _node_in_state(n, state)}
        return [p for p in (await reader.read("pod", ns)).items if p.fields.get("node_name") in nodes]
    if op not in ("list", "diagnose", "get") or u.get("name_mention"):
        return []
    selector = u.get("label_selector")
    reqs = label_selectors.parse(selector) if selector else []
    got = await reader.read(kind, ns, labels=label_selectors.equalities(reqs))
    items = [r for r in got.items if label_selectors.matches(reqs, r.labels)]
    if kind == "event" and u.get("warnings_only"):
        items = [r for r in items if r.fields.get("type") == "Warning"]
    if kind == "pod" and u.get("problem_only"):
        # A count of pods in trouble is that count, none too; a listing falls back to every pod.
        items = [r for r in items if _unhealthy(r)] or ([] if u.get("count_only") else items)
    if predicates := u.get("predicates"):
        items = select(items, predicates)
    if op == "list":  # "kubectl get pods -A | grep payments": the rows with that text
        items = grepped(items, u.get("grep"), u.get("grep_out"))
    return items


async def _cluster_facts(kc: Holder, reader: _Reader) -> ClusterFacts | None:
    reader.lookups += 1
    info = await kc.store.cluster(kc.cluster)
    if not info:
        return None
    reader.hits += info["freshness"] == "fresh"
    reader.ages.append(info["age_s"])
    return {"name": info["name"], "version": info["version"], "api_server": info["api_server"], "node_count": info["node_count"]}  # fmt: skip


async def _diagnose(
    kc: Holder, u: Understanding, out: Resolution, items: list[Resource], reader: _Reader
) -> Resolution:
    """Phase 3 of a diagnosis: the analyzers' findings over the cached scope, and the events.

    A named object is diagnosed with what it leads to (owners, pods, backends, claims, nodes);
    "what's wrong in X" runs every analyzer over the namespace; "is my cluster healthy?" over
    the cluster.
    """
    ns = out.get("namespace")
    named = u.get("name_mention") or out.get("target") or out.get("related")
    found: Resolution = {}
    if u["resource"] == "cluster" or (not named and ns is None and not items):
        reader.lookups += 1
        found["findings"] = diagnose_cluster((await load_view(kc.store, kc.cluster)).view)
        found["scope"] = None
    elif not named and ns is not None:
        reader.lookups += 1
        found["findings"] = diagnose_namespace((await load_view(kc.store, kc.cluster, ns)).view, ns)
        found["scope"] = ns
    else:
        workload = out.get("workload")
        owner = (workload["kind"], workload["name"]) if workload else None
        found["findings"] = await diagnose_items(kc.store, kc.cluster, items, ns, owner=owner)
    if items:
        events = await reader.read("event", ns or items[0].namespace)
        names = {r.name for r in items}
        found["events"] = _items([e for e in events.items if e.fields.get("involved_name") in names])
    return found


async def _further_asks(
    further: list[Understanding], out: Resolution, reader: _Reader, kc: Holder | None = None
) -> list[FurtherAsk]:
    """The other asks of the sentence ("pods and services in X").

    Reads are answered from the cache too; anything else is named, so the answer says it
    was not done.
    """
    answers: list[FurtherAsk] = []
    for asked in further:
        ns = asked.get("namespace") or out.get("namespace")
        ask: Understanding = {**asked, "namespace": ns}
        if ask["operation"] in ("list", "get") and ask["resource"] in KINDS:
            scope: Resolution = {"namespace": ns}
            if ask.get("name_mention") and kc is not None:
                # "... and its pods": the name is resolved as the first ask's is.
                scope = await resolve_mentions(ask, reader, await vocabulary(kc))
            rows = await read_rows(ask, scope, reader)
            answer: FurtherAsk = {"reading": ask, "items": _items(rows), "answered": True}
            if ask.get("wants_content") and (target := scope.get("target")) and "candidates" not in scope:
                # "… 里的 SITE_NAME 是什么": the values are read live, beside the first ask.
                answer["read_of"] = target
            if (target := scope.get("target")) and target["kind"] == "cronjob" and rows and kc is not None:
                # "…，再看看 nightly-export 最后一次跑成功没有": told with its last run, as a first ask is.
                answer["last_run"] = await _last_run_rows(reader, await vocabulary(kc), target)
            answers.append(answer)
        elif ask["operation"] == "logs" and ask.get("name_mention") and kc is not None:
            # "the pods in X and the logs of Y": Y's pod, in X when it is there, else where it is.
            vocab = await vocabulary(kc)
            found = await resolve_mentions(ask, reader, vocab)
            if "target" not in found and asked.get("namespace") is None:
                found = await resolve_mentions({**asked, "namespace": None}, reader, vocab)
            pod = found.get("target")
            if pod is None or pod["kind"] != "pod" or "candidates" in found:
                answers.append({"reading": ask, "items": [], "answered": False})
                continue
            answers.append({"reading": {**ask, "namespace": pod["namespace"]}, "items": [], "answered": False, "logs_of": pod})  # fmt: skip
        elif ask["operation"] == "diagnose" and (ask.get("name_mention") or ns) and kc is not None:
            # "why is X failing and why is Y": each named object diagnosed in its own namespace;
            # "… and which one is crashlooping": the namespace's problems.
            if ask.get("name_mention"):
                ask = asked  # a named object is looked for in its own namespace
            found = await resolve_mentions(ask, reader, await vocabulary(kc))
            rows = await read_rows(ask, found, reader)
            if "missing" in found or "candidates" in found or not rows:
                answers.append({"reading": ask, "items": [], "answered": False})
                continue
            diagnosed = await _diagnose(kc, ask, found, rows, reader)
            answers.append({"reading": ask, "items": _items(rows), "answered": True, "diagnosis": diagnosed})
        else:
            answers.append({"reading": ask, "items": [], "answered": False})
    return answers


async def cache_lookup(state: AgentState, runtime: Runtime[Context], *, kc: Holder) -> dict[str, Any]:
    """Resolve namespace and names, and read the rows that answer the request."""
    start = time.perf_counter()
    ctx = runtime.context or DEFAULT_CONTEXT
    u = state["understanding"]
    reader = _Reader(kc, ctx.fresh)
    out = await resolve_mentions(u, reader, await vocabulary(kc))
    items = await read_rows(u, out, reader)
    if u["resource"] == "cluster" and (facts := await _cluster_facts(kc, reader)):
        out["cluster"] = facts
    target = out.get("target")
    if (
        target
        and not items
        and target["how"] != "new"
        and u["operation"] in ("get", "logs", "diagnose", *WRITE_OPERATIONS)
        and target["kind"] in KINDS
    ):
        # Named in the cache's vocabulary but gone when read (deleted since): it does not exist now.
        out.pop("target")
        out["missing"] = {"what": target["kind"], "mention": target["name"], "namespace": target["namespace"], "suggestions": []}  # fmt: skip
    if target and items and target["kind"] in WORKLOADS and POD_FIELDS & set(u.get("fields") or ()):
        # "restarts of deployment notifier": a value only its pods carry.
        out["pods"] = _items((await _workload_pods(reader, target["namespace"], target["name"]))[0])
    if target and items and target["kind"] == "cronjob" and u["operation"] in ("get", "list"):
        # A CronJob is told with its last run: the Job it made last, and how that ended.
        if runs := await _last_run_rows(reader, await vocabulary(kc), target):
            out["last_run"] = runs
    if target and items and target["kind"] == "service" and u["operation"] == "get":
        # A Service is told with its Endpoints (same name): the addresses it sends traffic to.
        endpoints = (await reader.read("endpoints", target["namespace"], name=target["name"])).items
        out["endpoints"] = _items(endpoints)
    if (missing := out.get("missing")) and (elsewhere := await _in_other_clusters(kc, missing)):
        missing["other_clusters"] = elsewhere
    if u["operation"] == "diagnose" and "missing" not in out and "candidates" not in out:
        out.update(await _diagnose(kc, u, out, items, reader))
    if further := u.get("also"):
        out["also"] = await _further_asks(further, out, reader, kc)
    if (live := liveness(u["resource"])) is not None and live.healthy:
        out["live_event_age_s"] = live.last_event_age_s
    out.update(
        {
            "items": _items(items),
            "total": len(items),
            "lookups": reader.lookups,
            "hits": reader.hits,
            "refreshed": reader.refreshed,
            "stale": reader.stale,
            "partial": reader.partial,
            "data_age_s": round(max(reader.ages), 3) if reader.ages else None,
        }
    )
    return {"resolved": out, "timings": node_timings(state, "cache_lookup", start)}


async def _in_other_clusters(kc: Holder, missing: Missing) -> list[str]:
    """The other configured clusters whose cache holds what was not found here (never acted on).

    Each is read as the turn's asker reads it (their grant in that cluster).
    """
    kind, mention = missing["what"], missing["mention"]
    if not isinstance(kc, Kcache) or len(kc.clusters) < 2 or not mention or kind not in KINDS:
        return []
    namespace = missing.get("namespace") if is_namespaced(kind) else None
    found = []
    for cluster in kc.clusters:
        if cluster != kc.cluster:
            there = await kc.for_cluster(cluster).for_asker(kc.asker)
            pairs = (await there.store.names(cluster, (kind,))).get(kind, ())
            if any(n == mention and (namespace is None or ns == namespace) for ns, n in pairs):
                found.append(cluster)
    return found


def _unhealthy(r: Resource) -> bool:
    """A pod in a state that is not healthy, or running with containers not ready."""
    return r.fields.get("status") not in HEALTHY_POD or _unready(r)


def _unready(r: Resource) -> bool:
    ready = str(r.fields.get("ready") or "")
    return "/" in ready and ready.split("/")[0] != ready.split("/")[1]
