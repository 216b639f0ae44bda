"""Answers that start with what was asked, computed from the cache.

The objects a condition keeps, in the order asked, with the fields asked for ("pods that
never restarted", "which pods restarted most", "what image does X use", "pods older than a
day"). Pure functions over cached records.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from kcache.analyzers import object_ref
from kcache.answer import how_many, images, most, ports, scope_words, t
from kcache.model import Resource
from kcache.state import PredicateRow, Understanding
from kcache.understand import scale_target

#: The most objects a fact answer lists.
MAX_LISTED = 20
#: Fields only pods carry: asked of a workload, they are its pods' values.
POD_FIELDS = frozenset({"restarts", "node", "ip"})


def _age_s(r: Resource, now: float) -> float | None:
    if not r.created_at:
        return None
    try:
        return now - datetime.fromisoformat(r.created_at.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _all_ready(r: Resource) -> bool | None:
    ready = r.fields.get("ready")
    if isinstance(ready, str) and "/" in ready:  # a pod: "1/2" containers ready
        have, _, want = ready.partition("/")
        return have == want and want != "0"
    if isinstance(ready, bool):
        return ready
    if r.kind == "node":  # "Ready", "Ready,SchedulingDisabled", "NotReady", "Unknown"
        status = str(r.fields.get("status") or "")
        return None if not status else status.split(",")[0] == "Ready"
    wanted = r.fields.get("replicas", r.fields.get("desired"))
    got = r.fields.get("ready_replicas", ready if isinstance(ready, int) else None)
    return None if wanted is None or got is None else int(got) >= int(wanted)


def value(r: Resource, field: str, now: float) -> Any:
    """The value of a predicate's field for one cached object (None when the cache has none)."""
    if field == "namespace":
        return r.namespace
    if field == "ready":
        return _all_ready(r)
    if field == "age_s":
        return _age_s(r, now)
    if field == "restarts":
        return int(r.fields.get("restarts") or 0) if r.kind == "pod" else r.fields.get("restarts")
    if field == "ready_replicas":
        return r.fields.get(
            "ready_replicas", r.fields.get("ready") if isinstance(r.fields.get("ready"), int) else None
        )
    if field == "replicas":
        return r.fields.get("replicas", r.fields.get("desired"))
    return r.fields.get(field)


#: Pod phases kubectl's STATUS column shows a reason for instead: a pod not started yet
#: (ImagePullBackOff, ContainerCreating, Init:0/1) and a pod that ended (Error, Completed,
#: OOMKilled). A pod asked for by such a phase is found by its phase.
_PHASES_SHOWN_BY_REASON = ("Pending", "Failed", "Succeeded")


def holds(r: Resource, p: PredicateRow, now: float) -> bool:
    """Whether one object meets one condition; an unknown value never does."""
    left = value(r, p["field"], now)
    right = value(r, p["other"], now) if p["other"] else p["value"]
    if p["field"] == "status" and r.kind == "pod" and right in _PHASES_SHOWN_BY_REASON:
        if p["op"] in ("==", "!=") and right in (left, r.fields.get("phase")):
            return p["op"] == "=="
        left = r.fields.get("phase") or left
    if p["field"] == "status" and r.kind == "pod" and left == f"Init:{right}":
        left = right  # "Init:CrashLoopBackOff" is an init container's CrashLoopBackOff, as grep finds it
    if left is None or right is None:
        return False
    try:
        match p["op"]:
            case "==":
                return bool(left == right)
            case "!=":
                return bool(left != right)
            case "<":
                return bool(left < right)
            case "<=":
                return bool(left <= right)
            case ">":
                return bool(left > right)
            case ">=":
                return bool(left >= right)
    except TypeError:
        return False
    return False


def select(
    items: Sequence[Resource], predicates: Sequence[PredicateRow], now: float | None = None
) -> list[Resource]:
    """The objects that meet every condition."""
    at = time.time() if now is None else now
    return [r for r in items if all(holds(r, p, at) for p in predicates)]


_ORDER = {
    "age": lambda r, now: _age_s(r, now) or 0.0,
    "name": lambda r, now: 0.0,
}


def _field_text(lang: str, r: Resource, field: str, now: float) -> str | None:
    f = r.fields
    if field == "ip":
        return f.get("pod_ip") or f.get("cluster_ip")
    if field == "node":
        return f.get("node_name")
    if field == "labels":
        return ", ".join(f"{k}={v}" for k, v in sorted(r.labels.items())) or "-"
    if field == "restarts":
        return None if "restarts" not in f and r.kind != "pod" else str(f.get("restarts", 0))
    if field == "age":
        age = _age_s(r, now)
        return None if age is None else _duration(age)
    if field == "replicas":
        wanted, ready = f.get("replicas", f.get("desired")), f.get("ready_replicas", f.get("ready"))
        return None if wanted is None else f"{ready if ready is not None else '?'}/{wanted}"
    if field == "containers":
        return ", ".join(str(c.get("name")) for c in f.get("containers") or []) or None
    if field == "status":
        return f.get("status") or f.get("phase")
    if field == "storageclass":
        return f.get("storage_class")
    if field == "capacity":
        return f.get("capacity") or f.get("requested")
    if field == "node_selector":
        return _pairs(f.get("node_selector")) or t(lang, "无", "none")
    if field == "selector":
        return _pairs(f.get("selector"))
    if field == "resources":
        return _resources(f.get("containers") or [])
    value_ = f.get(field)
    if value_ is None:
        # A value the object carries as a label ("instance type" of a node:
        # node.kubernetes.io/instance-type) answers the field asked.
        labelled = {k: v for k, v in r.labels.items() if field in re.split(r"[./-]", k)}
        return _pairs(labelled) if labelled else None
    if isinstance(value_, list | tuple):
        return ", ".join(str(v) for v in value_) or "-"
    if isinstance(value_, Mapping):
        return _pairs(value_)
    return str(value_)


def _pairs(value_: Any) -> str | None:
    if isinstance(value_, Mapping):
        return ", ".join(f"{k}={v}" for k, v in sorted(value_.items())) or None
    return None if value_ in (None, "") else str(value_)


def _resources(containers: Sequence[Mapping[str, Any]]) -> str | None:
    """Each container's limits and requests: ``app: limits memory=128Mi; requests cpu=100m``."""
    parts = []
    for c in containers:
        spec = [f"{key} {_pairs(c.get(key))}" for key in ("limits", "requests") if c.get(key)]
        if spec:
            parts.append(f"{c.get('name')}: " + "; ".join(spec))
    return " | ".join(parts) or None


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def _of_pods(lang: str, field: str, pods: Sequence[Resource], now: float) -> str:
    """A pod field asked of a workload: its pods' values ("7 (notifier-5qlsv 7)")."""
    each = ", ".join(f"{p.name} {_field_text(lang, p, field, now)}" for p in pods[:MAX_LISTED])
    if field == "restarts":
        total = sum(int(p.fields.get("restarts") or 0) for p in pods)
        return f"{total} ({each})"
    if field == "node":
        # "跑在几个节点上": how many nodes, then which pod is where.
        nodes = {p.fields.get("node_name") for p in pods if p.fields.get("node_name")}
        return t(
            lang,
            f"{len(nodes)} 个节点（{each}）",
            f"{len(nodes)} node{'s' if len(nodes) != 1 else ''} ({each})",
        )
    return each


def per_group(
    lang: str, kind: str, items: Sequence[Resource], group: str, *, limit: int | None, descending: bool
) -> str:
    """The count of ``items`` per namespace or node, most first (fewest first when not ``descending``).

    With ``limit`` 1, the answer starts with the group asked for ("checkout has the most pods: 10").
    """
    members: dict[str, list[str]] = {}
    for r in items:
        where = (r.namespace if group == "namespace" else r.fields.get("node_name")) or "<none>"
        members.setdefault(where, []).append(r.name)
    counts = Counter({g: len(names) for g, names in members.items()})
    if not counts:
        return t(lang, f"没有 {kind}。", f"No {kind} to count.")
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1] if descending else kv[1], kv[0]))
    # A count of a few objects names them, as a plain count does.
    named = len(items) <= _FEW
    lines = [
        f"- {g}: {n}" + (f" ({', '.join(sorted(members[g]))})" if named else "")
        for g, n in ordered[:MAX_LISTED]
    ]
    head = t(
        lang, f"每个{'命名空间' if group == 'namespace' else '节点'}的 {kind} 数：", f"{kind}s per {group}:"
    )
    if limit == 1:
        top, n = ordered[0]
        tied = [g for g, c in ordered if c == n and g != top]
        most = ("最多" if descending else "最少", "most" if descending else "fewest")
        head = t(
            lang,
            f"{top} 的 {kind} {most[0]}：{n} 个" + (f"（与 {', '.join(tied)} 并列）" if tied else "") + "。",
            f"{top} has the {most[1]} {kind}s: {n}"
            + (f" (tied with {', '.join(tied)})" if tied else "")
            + ".",
        )
    return head + "\n" + "\n".join(lines)


def answer(
    lang: str,
    kind: str,
    items: Sequence[Resource],
    u: Understanding,
    namespace: str | None,
    pods: Sequence[Resource] = (),
) -> str | None:
    """The answer to a count, an order or a field asked of the listed objects.

    None when the request asks none of these (the plain listing answers it). ``items`` are
    the objects the request's conditions kept (see :func:`select`); ``pods`` are the pods of
    the one workload asked about, whose values answer a field only pods carry (restarts, node).
    """
    now = time.time()
    fields: Sequence[str] = u.get("fields") or ()
    sort_by, limit = u.get("sort_by"), u.get("limit")
    if group := u.get("group_by"):
        return per_group(lang, kind, items, group, limit=limit, descending=bool(u.get("descending", True)))
    if u.get("count_only"):
        counted = how_many(lang, kind, items, namespace)
        if items and (u.get("predicates") or u.get("relations") or len(items) <= _FEW):
            # A count under a condition, or of a few, names what it counted: the number first, then who.
            who = [o.name if namespace or not o.namespace else f"{o.namespace}/{o.name}" for o in items]
            names = ", ".join(who[:MAX_LISTED]) + (" …" if len(who) > MAX_LISTED else "")
            counted += "\n" + t(lang, f"它们是：{names}", f"They are: {names}")
        return counted
    if "image" in fields:
        pictured = images(lang, items, scope=namespace)
        rest = [f for f in fields if f not in ("image", "ports")]
        for o in items[:MAX_LISTED] if rest else ():
            more = ", ".join(f"{f} {v}" for f in rest if (v := _value_of(lang, o, f, pods, now)) is not None)
            if more:
                pictured += f"\n- {o.name}: {more}"
        if "ports" in fields:
            pictured += "".join("\n" + ports(lang, o) for o in items[:MAX_LISTED])
        return pictured
    if "ports" in fields and items:
        return "\n".join(ports(lang, r) for r in items[:MAX_LISTED])
    if sort_by in ("restarts", "replicas"):
        return most(lang, kind, items, sort_by, namespace, limit=limit or 10)
    shown = list(items)
    if sort_by in _ORDER:
        shown.sort(
            key=lambda r: (_ORDER[sort_by](r, now), r.name),
            reverse=bool(u.get("descending")) and sort_by != "name",
        )
    asked = [f for f in fields if f not in ("image", "ports")]
    # Conditions said of one object named exactly ("the LoadBalancer one") describe it: its
    # detail answers, not a listing of what matches.
    described = u.get("operation") == "get" and bool(u.get("name_mention"))
    # Nodes found by a condition ("which node has memory pressure") say it of each.
    node_state = u.get("node_state") if kind == "node" else None
    if not asked and not sort_by and not limit and (not (u.get("predicates") or node_state) or described):
        return None
    if described and asked:
        # "is the redis-data pvc bound yet? and what storage class": the state asked is shown too.
        asked += [p["field"] for p in u.get("predicates") or () if p["field"] not in asked]
    shown = shown[: limit or MAX_LISTED]
    if (
        described
        and asked
        and not sort_by
        and all(_value_of(lang, r, f, pods, now) is None for r in shown for f in asked)
    ):
        return None  # a field the object does not carry: its whole detail answers, never its bare name
    where = scope_words(lang, namespace, kind)
    if not shown:
        return t(lang, f"{where}没有符合条件的 {kind}。", f"No {kind} {where} matches.")
    head = t(
        lang,
        f"{where}符合条件的 {kind} 共 {len(items)} 个"
        + (f"，显示前 {len(shown)} 个" if len(shown) < len(items) else "")
        + "：",
        f"{len(items)} {kind}{'s' if len(items) != 1 else ''} {where} match"
        + ("es" if len(items) == 1 else "")
        + (f" (first {len(shown)} shown)" if len(shown) < len(items) else "")
        + ":",
    )
    lines = [head]
    for r in shown:
        ref = object_ref(r.kind, r.namespace, r.name) if not namespace else r.name
        extra = {f: _value_of(lang, r, f, pods, now) for f in asked or _defaults(r)}
        if node_state:
            extra = {"condition": node_state, **extra}
        details = ", ".join(f"{_SHOWN_AS.get(k, k)} {v}" for k, v in extra.items() if v is not None)
        if described and len(items) == 1:
            answer_ = f"{object_ref(r.kind, r.namespace, r.name)}: {details}"  # the one object asked of
            return answer_ + _supposed(lang, r, u)
        lines.append(f"- {ref}" + (f": {details}" if details else ""))
    return "\n".join(lines)


def _value_of(lang: str, r: Resource, f: str, pods: Sequence[Resource], now: float) -> str | None:
    """A field's value as shown; asked of a workload, a field only pods carry is its pods'."""
    if f in POD_FIELDS and r.kind != "pod" and pods:
        return _of_pods(lang, f, pods, now)
    return _field_text(lang, r, f, now)


def _supposed(lang: str, r: Resource, u: Understanding) -> str:
    """The count a supposed scale would give ("要是缩一半": from 6 to 3), computed, nothing run."""
    factor, delta = u.get("replicas_factor"), u.get("replicas_delta")
    current = r.fields.get("replicas")
    target = scale_target(current if isinstance(current, int) else None, factor, delta)
    if target is None:
        return ""
    return t(lang, f"\n按你说的变化，副本数会从 {current} 变为 {target}（未执行）。",
             f"\nWith that change the replicas would go from {current} to {target} (nothing was run).")  # fmt: skip


#: A count of at most this many objects names them.
_FEW = 10
#: Field names shown in other words than the record's.
_SHOWN_AS = {"involved_name": "about"}


def _defaults(r: Resource) -> Mapping[str, None]:
    if r.kind == "event":
        return dict.fromkeys(("type", "reason", "involved_name", "message", "age"))  # what happened, to what
    return dict.fromkeys(("status", "restarts", "age") if r.kind == "pod" else ("status", "replicas", "age"))
