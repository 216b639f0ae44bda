"""Agent node ``cache_lookup``: resolve the mentions against the cache, read what answers them.

Exact, workload, prefix and fuzzy matches across namespaces; a workload's name to its pods;
a typo to its nearest names. A stale or missing scope is refreshed read-through (bounded by
READ_THROUGH_TIMEOUT); the data's age is kept for the answer. Lookups and hits are counted.
"""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from kcache import labels as label_selectors
from kcache.answer import HEALTHY_POD
from kcache.context import DEFAULT_CONTEXT, Context
from kcache.kinds import KINDS, WORKLOADS, is_namespaced
from kcache.model import Resource
from kcache.resolve import best_or_ambiguous, nearest, rank
from kcache.runtime import Holder
from kcache.scan import refresh_scopes
from kcache.state import AgentState, Resolution, Row, Target, Understanding
from kcache.store import Lookup
from kcache.timing import node_timings
from kcache.vocab import vocabulary

WRITES = ("delete", "scale")
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
        if got.age_s is not None:
            self.ages.append(got.age_s)
        return got


def _in_ns(pairs: tuple[tuple[str | None, str], ...], namespace: str | None) -> list[tuple[str | None, str]]:
    return [p for p in pairs if namespace is None or p[0] == namespace]


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
                owned = (await reader.read("pod", owner_ns, workload=owner)).items
                if owned:
                    choices[f"{owner_ns}/{owner}"] = _target(owned[0], "workload")
            return {"candidates": sorted(choices), "choices": choices}
        if owners:
            ns, workload = owners[0]
            pods = (await reader.read("pod", ns, workload=workload)).items
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
                    "how": "workload",
                },
                "workload": {"kind": name_kind, "name": workload},
                "siblings": [p.name for p in pods[1:]],
            }
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
    suggestions = [o.label for o in options] or nearest(mention, [n for _, n in pairs])
    if not suggestions and namespace is not None:
        # The name exists elsewhere: offer those namespaces.
        elsewhere = rank(mention, ((kind, ns, n) for ns, n in vocab.names.get(kind, ())), limit=5)
        suggestions = [o.label for o in elsewhere]
    return {"missing": {"what": kind, "mention": mention, "namespace": namespace, "suggestions": suggestions}}


#: Kinds whose objects filter pods when named in a request about pods ("pods on node X").
_POD_FILTERS = ("node", "service", *WORKLOADS)


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
    return None


async def _related_items(reader: _Reader, kind: str, related: Target) -> list[Resource]:
    """The objects of ``kind`` that the named object selects, runs or is about."""
    other, ns, name = related["kind"], related["namespace"], related["name"]
    if kind == "event":
        involved = {name}
        if other in WORKLOADS:
            involved |= {p.name for p in (await reader.read("pod", ns, workload=name)).items}
        events = (await reader.read("event", ns)).items
        return [e for e in events if e.fields.get("involved_name") in involved]
    if other in WORKLOADS:
        return (await reader.read("pod", ns, workload=name)).items
    if other == "node":
        return [p for p in (await reader.read("pod", None)).items if p.fields.get("node_name") == name]
    (service,) = (await reader.read("service", ns, name=name)).items or (None,)
    selector = dict(service.fields.get("selector") or {}) if service else {}
    if not selector:
        return []  # a Service without a selector selects no pod (its endpoints are managed by hand)
    pods = (await reader.read("pod", ns, labels=list(selector.items()))).items
    return [p for p in pods if all(p.labels.get(k) == v for k, v in selector.items())]


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


async def cache_lookup(state: AgentState, runtime: Runtime[Context], *, kc: Holder) -> dict[str, Any]:
    """Resolve namespace and names, and read the rows that answer the request."""
    start = time.perf_counter()
    ctx = runtime.context or DEFAULT_CONTEXT
    u = state["understanding"]
    kind, op = u["resource"], u["operation"]
    reader = _Reader(kc, ctx.fresh)
    vocab = await vocabulary(kc)
    out: Resolution = {
        "namespace": u.get("namespace"),
        "namespace_source": "user" if u.get("namespace") else None,
    }

    mention_ns = u.get("namespace_mention")
    if mention_ns and not u.get("namespace"):
        out["missing"] = {
            "what": "namespace",
            "mention": mention_ns,
            "suggestions": nearest(mention_ns, vocab.namespaces),
        }
    elif (relation := _relation(u)) is not None:
        other_kind, other = relation
        scope = out["namespace"] if KINDS[other_kind] else None
        owners = [p for p in _in_ns(vocab.names.get(other_kind, ()), scope) if p[1] == other]
        if not owners:
            out["missing"] = {"what": other_kind, "mention": other, "namespace": out["namespace"], "suggestions": nearest(other, [n for _, n in vocab.names.get(other_kind, ())])}  # fmt: skip
        elif len(owners) > 1:
            out["candidates"] = [f"{o_ns}/{o}" for o_ns, o in owners]
            out["choices"] = {f"{o_ns}/{o}": {"kind": other_kind, "namespace": o_ns, "name": o, "how": "exact"} for o_ns, o in owners}  # fmt: skip
        else:
            o_ns, o = owners[0]
            out["related"] = {"kind": other_kind, "namespace": o_ns, "name": o, "how": "exact"}
            if o_ns and not out["namespace"]:
                out["namespace"], out["namespace_source"] = o_ns, "cache"
    elif (mention := u.get("name_mention")) and kind in KINDS and kind not in ("namespace",):
        found = await _resolve_name(reader, kind, mention, u.get("name_kind"), out["namespace"], op in WRITES)
        out.update(found)
        target = found.get("target")
        if target and target.get("namespace") and not out["namespace"]:
            out["namespace"], out["namespace_source"] = target["namespace"], "cache"

    ns = out["namespace"]
    items: list[Resource] = []
    if "missing" in out or "candidates" in out:
        pass
    elif kind == "cluster":
        reader.lookups += 1
        info = await kc.store.cluster(kc.cluster)
        if info:
            reader.hits += info["freshness"] == "fresh"
            reader.ages.append(info["age_s"])
            out["cluster"] = {
                "name": info["name"],
                "version": info["version"],
                "api_server": info["api_server"],
                "node_count": info["node_count"],
            }
    elif kind in KINDS and (related := out.get("related")):
        items = await _related_items(reader, kind, related)
    elif kind in KINDS and (workload := out.get("workload")) and op in ("list", "diagnose"):
        # "pods of deployment X": every pod of the workload, not the one a name resolved to.
        items = (await reader.read("pod", ns, workload=workload["name"])).items
    elif kind in KINDS and (target := out.get("target")):
        got = await reader.read(kind, target.get("namespace"), name=target["name"])
        items = got.items
    elif kind in KINDS and op in ("list", "diagnose", "get") and not u.get("name_mention"):
        selector = u.get("label_selector")
        reqs = label_selectors.parse(selector) if selector else []
        got = await reader.read(kind, ns, labels=label_selectors.equalities(reqs))
        items = [r for r in got.items if label_selectors.matches(reqs, r.labels)]
        if kind == "event" and u.get("warnings_only"):
            items = [r for r in items if r.fields.get("type") == "Warning"]
        if kind == "pod" and u.get("problem_only"):
            items = [r for r in items if r.fields.get("status") not in HEALTHY_POD or _unready(r)] or items
    if op == "diagnose" and items:
        events = await reader.read("event", ns or (items[0].namespace if items else None))
        names = {r.name for r in items}
        out["events"] = _items([e for e in events.items if e.fields.get("involved_name") in names])
    out.update(
        {
            "items": _items(items),
            "total": len(items),
            "lookups": reader.lookups,
            "hits": reader.hits,
            "refreshed": reader.refreshed,
            "stale": reader.stale,
            "data_age_s": round(max(reader.ages), 3) if reader.ages else None,
        }
    )
    return {"resolved": out, "timings": node_timings(state, "cache_lookup", start)}


def _unready(r: Resource) -> bool:
    ready = str(r.fields.get("ready") or "")
    return "/" in ready and ready.split("/")[0] != ready.split("/")[1]
