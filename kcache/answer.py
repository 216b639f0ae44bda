"""Answers in the user's language, and compact rows of objects for answers and prompts.

Everything that came from the cluster (names, messages, log lines) is shown as data:
quoted or in a table, never as an instruction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from kcache.analyzers import (
    Finding,
    View,
    diagnose_cluster,
    diagnose_each,
    diagnose_namespace,
    hint,
    is_problem,
    object_ref,
    rank,
    ref_of,
    text,
    top_level,
)
from kcache.analyzers.common import quantity
from kcache.analyzers.pod import HEALTHY
from kcache.kinds import BY_NAME
from kcache.model import Resource

T = TypeVar("T")

HEALTHY_POD = HEALTHY
MAX_ROWS = 30
MAX_PROBLEMS = 10
MAX_CHILDREN = 3
MAX_EVIDENCE = 3
MAX_EVIDENCE_LINES = 24
_MAX_IMAGES = 15


def compact(r: Resource) -> dict[str, Any]:
    """The few fields that describe an object of a kind (what answers and prompts show)."""
    f = r.fields
    row: dict[str, Any] = {"name": r.name}
    if r.namespace:
        row["namespace"] = r.namespace
    if r.kind == "pod":
        row |= {
            "status": f.get("status"),
            "ready": f.get("ready"),
            "restarts": f.get("restarts"),
            "node": f.get("node_name"),
        }
        reasons = [
            c.get("last_state_reason") for c in f.get("containers") or [] if c.get("last_state_reason")
        ]
        if reasons:
            row["last_state"] = reasons[0]
    elif r.kind in ("deployment", "statefulset", "replicaset"):
        row |= {"replicas": f.get("replicas"), "ready": f.get("ready_replicas") or 0}
    elif r.kind == "daemonset":
        row |= {"desired": f.get("desired"), "ready": f.get("ready")}
    elif r.kind == "service":
        ports = ",".join(str(p.get("port")) for p in f.get("ports") or [])
        row |= {"type": f.get("type"), "cluster_ip": f.get("cluster_ip"), "ports": ports}
    elif r.kind == "node":
        row |= {
            "status": f.get("status"),
            "roles": ",".join(f.get("roles") or []) or "<none>",
            "version": f.get("kubelet_version"),
        }
    elif r.kind == "namespace":
        row["status"] = f.get("status")
    elif r.kind in ("configmap", "secret"):
        row["keys"] = ",".join(f.get("keys") or [])
        if r.kind == "secret":
            row["type"] = f.get("type")
    elif r.kind == "event":
        row |= {
            "type": f.get("type"),
            "reason": f.get("reason"),
            "object": f"{f.get('involved_kind')}/{f.get('involved_name')}",
            "message": f.get("message"),
        }
    elif r.kind == "ingress":
        row["hosts"] = ",".join(f.get("hosts") or [])
    elif r.kind == "storageclass":
        row |= {"provisioner": f.get("provisioner"), "default": f.get("is_default")}
    elif r.kind == "persistentvolumeclaim":
        row |= {
            "status": f.get("status"),
            "capacity": f.get("capacity"),
            "storage_class": f.get("storage_class"),
        }
    elif r.kind == "job":
        row |= {"succeeded": f.get("succeeded"), "failed": f.get("failed")}
    elif r.kind == "cronjob":
        row |= {"schedule": f.get("schedule"), "suspend": f.get("suspend")}
    elif r.kind == "resourcequota":
        # As kubectl get quota shows it: each resource's use against its hard limit.
        hard, used = f.get("hard") or {}, f.get("used") or {}
        row["used/hard"] = ", ".join(f"{k}: {used.get(k, '0')}/{v}" for k, v in sorted(hard.items())) or None
    return {k: v for k, v in row.items() if v is not None}


def kept_by_grep(
    items: Sequence[T], line: Callable[[T], str], wanted: str | None, unwanted: str | None
) -> list[T]:
    """What ``| grep wanted | grep -v unwanted`` keeps of the items' lines, ignoring case."""
    kept = list(items)
    if wanted:
        kept = [i for i in kept if wanted.lower() in line(i).lower()]
    if unwanted:
        kept = [i for i in kept if unwanted.lower() not in line(i).lower()]
    return kept


def grepped(items: Sequence[Resource], wanted: str | None, unwanted: str | None) -> list[Resource]:
    """The objects a grep after their listing keeps: the line is what the listing shows (:func:`compact`)."""
    return kept_by_grep(items, lambda r: " ".join(str(v) for v in compact(r).values()), wanted, unwanted)


def _state_of(r: Resource) -> str:
    """An object's compact row without its identity: ``status Running, ready 1/1, …``."""
    return ", ".join(f"{k} {v}" for k, v in compact(r).items() if k not in ("name", "namespace"))


def _looked_at(objects: Sequence[Resource]) -> list[str]:
    """What a healthy diagnosis looked at, one row each with its state: the evidence of "healthy"."""
    return [f"- {object_ref(o.kind, o.namespace, o.name)}: {_state_of(o)}" for o in objects[:MAX_ROWS]]


def table(rows: Sequence[dict[str, Any]], limit: int = MAX_ROWS) -> str:
    """An aligned text table of compact rows (at most ``limit``, with a count of the rest)."""
    if not rows:
        return ""
    cols = list(dict.fromkeys(k for row in rows[:limit] for k in row))
    data = [[str(row.get(c, "")) for c in cols] for row in rows[:limit]]
    widths = [max(len(c), *(len(d[i]) for d in data)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(d, widths, strict=True)).rstrip() for d in data]
    if len(rows) > limit:
        lines.append(f"… {len(rows) - limit} more")
    return "\n".join(lines)


def t(lang: str, zh: str, en: str) -> str:
    """Pick the sentence in the user's language."""
    return zh if lang == "zh" else en


def age_note(lang: str, age_s: float | None) -> str:
    """How old cached data is, as a sentence."""
    if age_s is None:
        return ""
    age = f"{age_s:.0f}s" if age_s < 120 else f"{age_s / 60:.0f}min"
    return t(lang, f"（数据来自缓存，{age} 前更新）", f"(from the cache, updated {age} ago)")


def scope_words(lang: str, namespace: str | None, kind: str | None = None) -> str:
    """'in namespace X' / 'across all namespaces' ('in the cluster' for a cluster-scoped kind)."""
    if kind is not None and _cluster_scoped(kind):
        return t(lang, "集群中", "in the cluster")
    if namespace:
        return t(lang, f"命名空间 {namespace} 中", f"in namespace {namespace}")
    return t(lang, "所有命名空间中", "across all namespaces")


_RELATED_WORDS = {
    "on_node": ("运行在 {kind} {name} 上", "runs on {kind} {name}"),
    "owned_by": ("属于 {kind} {name}", "belongs to {kind} {name}"),
    "selected_by": ("被 {kind} {name} 选中", "is selected by {kind} {name}"),
    "uses": ("使用 {kind} {name}", "uses {kind} {name}"),
    "involves": ("与 {kind} {name} 有关", "is about {kind} {name}"),
}


def none_related(lang: str, kind: str, relations: Sequence[Mapping[str, Any]]) -> str | None:
    """An empty listing narrowed by a named object says so: "No pod is selected by service X"."""
    for rel in relations:
        words = _RELATED_WORDS.get(str(rel.get("relation")))
        if words is not None:
            zh, en = (w.format(kind=rel.get("kind"), name=rel.get("name")) for w in words)
            return t(lang, f"没有 {kind} {zh}。", f"No {kind} {en}.")
    return None


def listing(
    lang: str, kind: str, items: Sequence[Resource], namespace: str | None, *, count_only: bool
) -> str:
    """A list answer: the count, and the table unless only the count was asked (then :func:`how_many`)."""
    if count_only:
        return how_many(lang, kind, items, namespace)
    label = kind if len(items) == 1 else f"{kind}s"
    if _cluster_scoped(kind):
        head = t(
            lang,
            f"集群中共有 {len(items)} 个 {kind}",
            f"There {'is' if len(items) == 1 else 'are'} {len(items)} {label}",
        )
    else:
        head = t(
            lang,
            f"{scope_words(lang, namespace)}共有 {len(items)} 个 {kind}",
            f"There {'is' if len(items) == 1 else 'are'} {len(items)} {label} {scope_words(lang, namespace)}",
        )
    if not items:
        return head + t(lang, "。", ".")
    if kind == "pod":
        states = Counter(str(i.fields.get("status")) for i in items)
        head += (
            t(lang, "（", " (") + ", ".join(f"{s}: {n}" for s, n in states.most_common()) + t(lang, "）", ")")
        )
    body = head + t(lang, "：\n", ":\n") + table([compact(i) for i in items])
    counts = Counter(image for i in items for image in dict.fromkeys(img for _, img, _ in _images_of(i)))
    if counts:
        shown = [f"{image} ×{n}" if n > 1 else image for image, n in counts.most_common(_MAX_IMAGES)]
        more = len(counts) - len(shown)
        body += (
            "\n" + t(lang, "镜像：", "images: ") + ", ".join(shown) + (f" … (+{more})" if more > 0 else "")
        )
    return body


def _cluster_scoped(kind: str) -> bool:
    return kind in BY_NAME and not BY_NAME[kind].namespaced


def object_detail(lang: str, r: Resource) -> str:
    """One object, described: its compact row, then every kept field worth reading (see :func:`describe`)."""
    return describe(lang, r)


def endpoints_line(lang: str, endpoints: Resource | None) -> str:
    """A Service's endpoints in a line: how many addresses are ready, and which."""
    if endpoints is None:
        return t(lang, "  端点：无（没有 Endpoints 对象）", "  endpoints: none (no Endpoints object)")
    ready, waiting = (
        endpoints.fields.get("addresses") or [],
        endpoints.fields.get("not_ready_addresses") or [],
    )

    def shown(ips: list[str]) -> str:
        return f" ({', '.join(ips[:5])}{' …' if len(ips) > 5 else ''})" if ips else ""

    return t(
        lang,
        f"  端点：{len(ready)} 个就绪{shown(ready)}，{len(waiting)} 个未就绪{shown(waiting)}",
        f"  endpoints: {len(ready)} ready{shown(ready)}, {len(waiting)} not ready{shown(waiting)}",
    )


def last_run(lang: str, job: Resource) -> str:
    """How a CronJob's last run ended: its Job, status, the reason it failed, its pod counts."""
    f = job.fields
    failed = next(
        (c for c in f.get("conditions") or [] if c.get("type") == "Failed" and c.get("status") == "True"),
        None,
    )
    why = f" ({failed['reason']})" if failed and failed.get("reason") else ""
    counts = (
        f"succeeded {f.get('succeeded') or 0}, failed {f.get('failed') or 0}, active {f.get('active') or 0}"
    )
    return t(
        lang,
        f"最近一次运行：job {job.name} {f.get('status')}{why}，{counts}",
        f"last run: job {job.name} {f.get('status')}{why}, {counts}",
    )


def quoted(text: str, limit_lines: int = 40) -> str:
    """Cluster text (logs, messages) as a quoted block that reads as data."""
    lines = text.rstrip("\n").splitlines()
    shown = lines[-limit_lines:]
    extra = len(lines) - len(shown)
    body = "\n".join("> " + line for line in shown)
    return (f"> … {extra} earlier lines\n" if extra else "") + body


# --- diagnoses -----------------------------------------------------------------------------


def diagnosis(
    lang: str,
    pods: Sequence[Resource],
    events: Sequence[Resource],
    logs: Mapping[str, str],
    *,
    view: View | None = None,
    findings: Sequence[Finding] | None = None,
) -> str:
    """The diagnosis of the objects asked about: their findings first, then evidence and hints.

    Args:
        lang: ``zh`` or English.
        pods: The objects the request named (pods, or any kind with an analyzer).
        events: Events about them.
        logs: Previous container logs by pod name, as the tool returned them.
        view: The cached objects around them (owners, pods, services, nodes); without it
            the diagnosis sees only ``pods`` and ``events``.
        findings: Findings already computed (by a node, over the cached scope): shown as
            given instead of analysing ``pods`` again.
    """
    if not pods:
        return t(lang, "没有找到相关的 pod。", "No matching pods were found.")
    if findings is None:
        findings = diagnose_each(view if view is not None else View.of([*pods, *events]), pods)
    else:
        findings = rank(findings)
    if any(is_problem(f) for f in findings):
        scope: str | None
        if len(pods) == 1:
            scope = object_ref(pods[0].kind, pods[0].namespace, pods[0].name)
        else:
            spaces = {r.namespace for r in pods}
            scope = next(iter(spaces)) if len(spaces) == 1 else None
        return problems(lang, findings, scope, logs=logs)
    kinds = {r.kind for r in pods}
    if len(pods) > 1:
        label = f"{next(iter(kinds))}s" if len(kinds) == 1 else "objects"
        return (
            t(lang, f"{len(pods)} 个对象都运行正常：", f"All {len(pods)} {label} are healthy:")
            + "\n"
            + "\n".join(_looked_at(pods))
            + ("" if not findings else "\n" + _notes(lang, findings))
        )
    r = pods[0]
    row = _state_of(r)
    ref = object_ref(r.kind, r.namespace, r.name)
    body = t(lang, f"{ref} 没有发现问题", f"No problem found with {ref}") + (
        f"（{row}）" if lang == "zh" and row else f" ({row})" if row else ""
    )
    body += t(lang, "。", ".")
    if findings:
        body += "\n" + _notes(lang, findings)
    if r.name in logs:
        body += (
            "\n"
            + t(lang, "上一个容器的日志：", "Previous container's logs:")
            + "\n"
            + _logs_block(logs[r.name])
        )
    return body


def problems(
    lang: str,
    findings: Sequence[Finding],
    scope: str | None,
    *,
    logs: Mapping[str, str] | None = None,
    limit: int = MAX_PROBLEMS,
    seen: Sequence[Resource] = (),
) -> str:
    """A diagnosis of a scope: a count of problems, the findings, then the evidence, then the hints.

    Args:
        lang: ``zh`` or English.
        findings: Ranked findings (:func:`kcache.analyzers.rank`); info findings are notes.
        scope: What was diagnosed: a namespace, an object (``deployment team-a/web``), or
            None for the whole cluster.
        logs: Previous container logs by pod name, shown under the evidence.
        limit: At most this many problems are listed (the count says how many there are).
        seen: The objects looked at; a scope with no problem lists them with their state.
    """
    where_en = f"in {scope}" if scope else "in the cluster"
    where_zh = scope or "集群中"
    problem_findings = [f for f in findings if is_problem(f)]
    tops = top_level(problem_findings)
    if not tops:
        head = t(
            lang,
            f"{scope} 中没有发现问题。" if scope else "集群中没有发现问题。",
            f"No problems found {where_en}.",
        )
        rows = "".join("\n" + row for row in _looked_at(seen))
        return head + rows + ("\n" + _notes(lang, findings) if findings else "")
    n = len(tops)
    head = t(
        lang,
        f"{where_zh} 有 {n} 个问题：" if scope else f"集群中有 {n} 个问题：",
        f"{n} problem{'s' if n != 1 else ''} {where_en}:",
    )
    lines = [head]
    top_ids = {id(f) for f in tops}
    children: dict[str, list[Finding]] = {}
    for f in problem_findings:
        if id(f) not in top_ids and f["parent"]:
            children.setdefault(f["parent"], []).append(f)
    shown: list[Finding] = []
    expanded: set[str] = set()
    for i, top in enumerate(tops[:limit], 1):
        lines.append(f"{i}. [{_severity(lang, top)}] {ref_of(top)}: {text(top, lang)}")
        shown.append(top)
        # An object with several findings lists what lies under it once, after the first.
        below = [] if ref_of(top) in expanded else _descendants(ref_of(top), children)
        expanded.add(ref_of(top))
        for child in below[:MAX_CHILDREN]:
            lines.append(f"   - {ref_of(child)}: {text(child, lang)}")
            shown.append(child)
        if len(below) > MAX_CHILDREN:
            more = len(below) - MAX_CHILDREN
            lines.append(t(lang, f"   - ……另有 {more} 项", f"   - … {more} more"))
    if n > limit:
        lines.append(t(lang, f"……另有 {n - limit} 个问题", f"… {n - limit} more problems"))
    notes = [f for f in findings if not is_problem(f)]
    if notes:
        lines.append(_notes(lang, notes))
    evidence = _evidence(lang, shown, logs or {})
    if evidence:
        lines.append(t(lang, "证据：", "Evidence:"))
        lines += evidence
    hints = _hints(lang, shown)
    if hints:
        lines.append(t(lang, "建议：", "What to do:"))
        lines += hints
    return "\n".join(lines)


def health(lang: str, view: View, namespace: str | None = None) -> str:
    """The answer to "what's wrong in X" (a namespace) or "is my cluster healthy?" (None)."""
    found = diagnose_namespace(view, namespace) if namespace else diagnose_cluster(view)
    return problems(lang, found, namespace)


def _severity(lang: str, f: Finding) -> str:
    return (
        {"critical": "严重", "warning": "警告", "info": "提示"}[f["severity"]]
        if lang == "zh"
        else f["severity"]
    )


def _descendants(ref: str, children: Mapping[str, list[Finding]]) -> list[Finding]:
    out: list[Finding] = []
    stack = list(children.get(ref, ()))
    seen = {ref}
    while stack:
        f = stack.pop(0)
        out.append(f)
        child_ref = ref_of(f)
        if child_ref not in seen:
            seen.add(child_ref)
            stack += children.get(child_ref, ())
    return out


def _notes(lang: str, findings: Sequence[Finding]) -> str:
    notes = [f for f in findings if not is_problem(f)]
    return t(lang, "备注：", "Notes:") + "".join(
        f"\n  - {ref_of(f)}: {text(f, lang)}" for f in notes[:MAX_PROBLEMS]
    )


def _evidence(lang: str, shown: Sequence[Finding], logs: Mapping[str, str]) -> list[str]:
    lines: list[str] = []
    for f in shown:
        for item in f["evidence"][:MAX_EVIDENCE]:
            lines.append(f"  {ref_of(f)}: {item}")
    lines = list(dict.fromkeys(lines))
    if len(lines) > MAX_EVIDENCE_LINES:
        extra = len(lines) - MAX_EVIDENCE_LINES
        lines = [*lines[:MAX_EVIDENCE_LINES], t(lang, f"  ……另有 {extra} 条", f"  … {extra} more")]
    pods = dict.fromkeys(f["name"] for f in shown if f["kind"] == "pod")
    for name in pods:
        if name in logs:
            ref = next(ref_of(f) for f in shown if f["kind"] == "pod" and f["name"] == name)
            lines.append(t(lang, f"  {ref} 上一个容器的日志：", f"  Previous container's logs of {ref}:"))
            lines.append(_logs_block(logs[name]))
    return lines


def _logs_block(text_: str) -> str:
    # Tool output reaches here already quoted by the output digest.
    return "\n".join(text_.splitlines()[-10:]) if text_.startswith(">") else quoted(text_, 10)


def _hints(lang: str, shown: Sequence[Finding]) -> list[str]:
    by_hint: dict[str, list[str]] = {}
    for f in shown:
        h = hint(f, lang)
        if h:
            by_hint.setdefault(h, []).append(ref_of(f))
    out = []
    for h, refs in by_hint.items():
        who = ", ".join(refs[:2]) + (
            t(lang, f" 等 {len(refs)} 个", f" and {len(refs) - 2} more") if len(refs) > 2 else ""
        )
        out.append(f"  - {who}: {h}")
    return out


# --- describe and facts ---------------------------------------------------------------------

_ZH = {
    "containers": "容器",
    "init containers": "初始化容器",
    "volumes": "卷",
    "references": "引用",
    "conditions": "状况",
    "labels": "标签",
    "selector": "选择器",
    "owner": "所有者",
    "ports": "端口",
    "taints": "污点",
    "tolerations": "容忍",
    "node selector": "节点选择器",
    "rules": "规则",
    "default backend": "默认后端",
    "endpoints": "端点",
    "schedule": "调度计划",
    "counts": "计数",
}


def _label(lang: str, en: str) -> str:
    return _ZH.get(en, en) if lang == "zh" else en


def describe(lang: str, r: Resource) -> str:
    """A describe-like view of what the cache keeps of one object (never a secret value)."""
    f = r.fields
    lines = [f"{r.kind} {r.namespace + '/' if r.namespace else ''}{r.name}:"]
    if r.kind in ("deployment", "statefulset", "replicaset"):
        replicas = f.get("replicas")
        ready = f.get("ready_replicas") or 0
        lines.append(
            t(
                lang,
                f"  期望副本数 {replicas}，就绪 {ready}，可用 {f.get('available_replicas') or 0}，已更新 {f.get('updated_replicas')}",
                f"  {replicas} replica{'s' if replicas != 1 else ''} desired, {ready} ready, "
                f"{f.get('available_replicas') or 0} available, "
                f"{f.get('updated_replicas')} updated",
            )
        )
    summarised = {"name", "namespace"}
    if r.kind in ("deployment", "statefulset", "replicaset"):
        summarised |= {"replicas", "ready"}
    elif r.kind == "service":
        summarised.add("ports")
    row = compact(r)
    lines += [f"  {k}: {v}" for k, v in row.items() if k not in summarised]
    lines += _other_fields(r, row)
    if r.kind == "job":
        lines.append(
            f"  {_label(lang, 'counts')}: succeeded {f.get('succeeded')}, failed {f.get('failed')}, "
            f"active {f.get('active')}, backoffLimit {f.get('backoff_limit')}"
        )
    if r.kind == "cronjob":
        lines.append(
            f"  last schedule: {f.get('last_schedule_time')}, last success: {f.get('last_successful_time')}"
        )
    if r.kind == "service":
        lines += [
            f"  {_label(lang, 'ports')}: {', '.join(_service_port(p) for p in f.get('ports') or []) or '-'}"
        ]
    if r.kind == "endpoints":
        lines.append(
            f"  {_label(lang, 'endpoints')}: ready {len(f.get('addresses') or [])}, not ready {len(f.get('not_ready_addresses') or [])}"
        )
    if r.kind == "ingress":
        for rule in f.get("rules") or []:
            for path in rule.get("paths") or []:
                lines.append(
                    f"  {_label(lang, 'rules')}: {rule.get('host') or '*'}{path.get('path') or '/'} → {path.get('service')}:{path.get('port')}"
                )
        if f.get("default_backend"):
            b = f["default_backend"]
            lines.append(f"  {_label(lang, 'default backend')}: {b.get('service')}:{b.get('port')}")
    if r.kind == "node":
        if f.get("taints"):
            lines.append(f"  {_label(lang, 'taints')}: " + ", ".join(_taint(x) for x in f["taints"]))
    for key, label in (("init_containers", "init containers"), ("containers", "containers")):
        containers = f.get(key) or []
        if containers and any("image" in c for c in containers):
            lines.append(f"  {_label(lang, label)}:")
            lines += [f"    {_container_line(c)}" for c in containers]
    if f.get("volumes"):
        lines.append(
            f"  {_label(lang, 'volumes')}: "
            + ", ".join(
                f"{v.get('name')} ({v.get('type')}{' ' + v['ref'] if v.get('ref') else ''})"
                for v in f["volumes"]
            )
        )
    if f.get("node_selector"):
        lines.append(
            f"  {_label(lang, 'node selector')}: "
            + ",".join(f"{k}={v}" for k, v in sorted(f["node_selector"].items()))
        )
    if f.get("tolerations"):
        lines.append(f"  {_label(lang, 'tolerations')}: " + ", ".join(_taint(x) for x in f["tolerations"]))
    if f.get("selector") and r.kind != "service":
        lines.append(
            f"  {_label(lang, 'selector')}: " + ",".join(f"{k}={v}" for k, v in sorted(f["selector"].items()))
        )
    if r.kind == "service" and f.get("selector"):
        lines.append(
            f"  {_label(lang, 'selector')}: " + ",".join(f"{k}={v}" for k, v in sorted(f["selector"].items()))
        )
    if f.get("conditions"):
        lines.append(f"  {_label(lang, 'conditions')}:")
        good = [str(c.get("type")) for c in f["conditions"] if not _bad_condition(c)]
        if good:
            lines.append("    ok: " + ", ".join(good))
        for c in f["conditions"]:
            if _bad_condition(c):
                line = f"    {c.get('type')}={c.get('status')}" + (
                    f" ({c['reason']})" if c.get("reason") else ""
                )
                lines.append(line + (f': "{c["message"]}"' if c.get("message") else ""))
    if r.owner_kind:
        lines.append(f"  {_label(lang, 'owner')}: {r.owner_kind} {r.owner_name}")
    for owner in f.get("owners") or []:
        if not owner.get("controller"):
            lines.append(f"  {_label(lang, 'owner')}: {owner.get('kind')} {owner.get('name')}")
    if r.labels:
        lines.append(
            f"  {_label(lang, 'labels')}: " + ",".join(f"{k}={v}" for k, v in sorted(r.labels.items()))
        )
    return "\n".join(lines)


# Conditions that are good when False; every other condition is good when True.
_GOOD_WHEN_FALSE = frozenset(
    {"MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable", "ReplicaFailure"}
)


def _bad_condition(c: Mapping[str, Any]) -> bool:
    if c.get("type") in _GOOD_WHEN_FALSE:
        return c.get("status") != "False"
    return c.get("status") != "True"


# Fields describe() shows in sections of their own (or through compact() under another name).
_SHOWN_APART = frozenset(
    {
        "containers", "init_containers", "volumes", "refs", "conditions", "tolerations", "taints",
        "ports", "rules", "default_backend", "selector", "node_selector", "owners", "addresses",
        "not_ready_addresses", "target_pods", "hosts", "node_name", "kubelet_version", "is_default",
        "ready_replicas", "succeeded", "failed", "active", "backoff_limit", "last_schedule_time",
        "last_successful_time", "keys", "involved_kind", "involved_name",
    }
)  # fmt: skip
_MAX_LISTED = 10


def _other_fields(r: Resource, row: Mapping[str, Any]) -> list[str]:
    """Every other kept field with a value, as ``key: value`` (what kubectl describe would list)."""
    out = []
    for key, value in r.fields.items():
        if key in _SHOWN_APART or key in row or value in (None, "", [], {}):
            continue
        if isinstance(value, dict):
            if not all(isinstance(v, str | int | float | bool) for v in value.values()):
                continue
            shown = ",".join(f"{k}={v}" for k, v in sorted(value.items())[:_MAX_LISTED])
        elif isinstance(value, list):
            if not all(isinstance(v, str | int | float) for v in value):
                continue
            shown = ", ".join(str(v) for v in value[:_MAX_LISTED]) + (
                " …" if len(value) > _MAX_LISTED else ""
            )
        else:
            shown = str(value)
        out.append(f"  {key}: {shown}")
    return out


def _container_line(c: Mapping[str, Any]) -> str:
    parts = [f"{c.get('name')}: {c.get('image')}"]
    if c.get("ports"):
        parts.append("ports " + ", ".join(_container_port(p) for p in c["ports"]))
    for key in ("requests", "limits"):
        if c.get(key):
            parts.append(f"{key} " + ",".join(f"{k}={v}" for k, v in sorted(c[key].items())))
    for key, word in (
        ("readiness_probe", "readiness"),
        ("liveness_probe", "liveness"),
        ("startup_probe", "startup"),
    ):
        probe = c.get(key)
        if probe:
            parts.append(
                f"{word} {probe.get('type')}" + (f" {probe['target']}" if probe.get("target") else "")
            )
    if c.get("state"):
        state = f"state {c['state']}" + (f" {c['reason']}" if c.get("reason") else "")
        if c.get("exit_code") is not None:
            state += f" (exit code {c['exit_code']})"
        parts.append(state)
    if c.get("restart_count"):
        parts.append(f"restarts {c['restart_count']}")
    if c.get("last_state_reason"):
        parts.append(f"last state {c['last_state_reason']} (exit code {c.get('last_exit_code')})")
    return "; ".join(parts)


def _container_port(p: Mapping[str, Any]) -> str:
    return f"{p.get('container_port')}/{p.get('protocol') or 'TCP'}" + (
        f" ({p['name']})" if p.get("name") else ""
    )


def _service_port(p: Mapping[str, Any]) -> str:
    shown = f"{p.get('port')}/{p.get('protocol') or 'TCP'}"
    if p.get("target_port") is not None and p.get("target_port") != p.get("port"):
        shown += f" → {p['target_port']}"
    if p.get("node_port"):
        shown += f" (nodePort {p['node_port']})"
    return shown + (f" [{p['name']}]" if p.get("name") else "")


def _taint(x: Mapping[str, Any]) -> str:
    key = x.get("key") or "*"
    value = f"={x['value']}" if x.get("value") else ""
    return f"{key}{value}:{x.get('effect') or '*'}"


def _images_of(r: Resource) -> list[tuple[str, str, bool]]:
    """(container, image, is init) of an object's containers."""
    return [
        (str(c.get("name")), str(c.get("image")), init)
        for key, init in (("init_containers", True), ("containers", False))
        for c in r.fields.get(key) or []
        if c.get("image")
    ]


def images(lang: str, items: Sequence[Resource], scope: str | None = None) -> str:
    """Which images an object uses, or which images the pods of a scope run (with counts).

    Args:
        lang: ``zh`` or English.
        items: One object (any kind with containers), or the pods of the scope.
        scope: The namespace the items come from; None for all namespaces.
    """
    if len(items) == 1:
        r = items[0]
        ref = object_ref(r.kind, r.namespace, r.name)
        found = _images_of(r)
        if not found:
            return t(lang, f"缓存中没有 {ref} 的镜像信息。", f"The cache holds no image for {ref}.")
        listed = ", ".join(
            f"{image}{t(lang, '（初始化容器 ' if init else '（容器 ', ' (init container ' if init else ' (container ')}{name}{t(lang, '）', ')')}"
            for name, image, init in found
        )
        distinct = len({image for _, image, _ in found})
        if distinct == 1:
            return t(lang, f"{ref} 使用镜像 {listed}。", f"{ref} uses image {listed}.")
        return t(
            lang, f"{ref} 使用 {distinct} 个镜像：{listed}。", f"{ref} uses {distinct} images: {listed}."
        )
    where = scope_words(lang, scope)
    by_image: dict[str, list[str]] = {}
    for r in items:
        for image in dict.fromkeys(image for _, image, _ in _images_of(r)):
            by_image.setdefault(image, []).append(r.name if scope else f"{r.namespace}/{r.name}")
    label = f"{items[0].kind}s" if items else "pods"
    if not by_image:
        return t(lang, f"{where}没有镜像信息。", f"No image is known for the {label} {where}.")
    head = t(
        lang,
        f"{where}的 {len(items)} 个 {items[0].kind} 使用 {len(by_image)} 个镜像：",
        f"The {len(items)} {label} {where} run {len(by_image)} image{'s' if len(by_image) != 1 else ''}:",
    )
    rows = [
        {
            "image": image,
            "count": len(names),
            "examples": ", ".join(names[:3]) + (" …" if len(names) > 3 else ""),
        }
        for image, names in sorted(by_image.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    return head + "\n" + table(rows)


def ports(lang: str, r: Resource) -> str:
    """The ports of a Service (port → targetPort, nodePort) or of an object's containers."""
    ref = object_ref(r.kind, r.namespace, r.name)
    if r.kind == "service":
        listed = [_service_port(p) for p in r.fields.get("ports") or []]
        if not listed:
            return t(lang, f"{ref} 没有端口。", f"{ref} has no ports.")
        return t(lang, f"{ref} 的端口：{', '.join(listed)}。", f"{ref} exposes {', '.join(listed)}.")
    listed = [
        f"{c.get('name')} {_container_port(p)}"
        for key in ("init_containers", "containers")
        for c in r.fields.get(key) or []
        for p in c.get("ports") or []
    ]
    if not listed:
        return t(lang, f"{ref} 的容器没有声明端口。", f"The containers of {ref} declare no ports.")
    return t(
        lang,
        f"{ref} 的容器端口：{', '.join(listed)}。",
        f"{ref} declares container ports {', '.join(listed)}.",
    )


def how_many(lang: str, kind: str, items: Sequence[Resource], namespace: str | None) -> str:
    """A count answer that starts with the number, then the breakdown by status when there is one."""
    n = len(items)
    label = kind if n == 1 else f"{kind}s"
    cluster_scoped = _cluster_scoped(kind)
    where_en = "" if cluster_scoped else f" {scope_words('en', namespace)}"
    states = Counter(str(i.fields["status"]) for i in items if i.fields.get("status") is not None)
    breakdown_en = " (" + ", ".join(f"{s}: {c}" for s, c in states.most_common()) + ")" if states else ""
    breakdown_zh = "（" + "，".join(f"{s}: {c}" for s, c in states.most_common()) + "）" if states else ""
    where_zh = f"命名空间 {namespace}" if namespace else ("集群" if cluster_scoped else "所有命名空间")
    text_ = t(lang, f"{n} 个 {kind}，位于{where_zh}{breakdown_zh}", f"{n} {label}{where_en}{breakdown_en}")
    # Running is not the same as ready: name the pods whose containers are not all ready.
    unready = [
        i.name for i in items if kind == "pod" and i.fields.get("status") == "Running" and _not_ready(i)
    ]
    if unready:
        names = ", ".join(unready[:5]) + (" …" if len(unready) > 5 else "")
        text_ += t(
            lang,
            f"；其中 {len(unready)} 个在运行但未就绪：{names}",
            f"; {len(unready)} running but not ready: {names}",
        )
    return text_ + t(lang, "。", ".")


def _not_ready(r: Resource) -> bool:
    have, _, want = str(r.fields.get("ready") or "").partition("/")
    return bool(want) and have != want


def _request_total(resource: str, key: str) -> Callable[[Resource], float]:
    def total(r: Resource) -> float:
        return sum(quantity((c.get(key) or {}).get(resource)) for c in r.fields.get("containers") or [])

    return total


#: Metrics :func:`most` ranks by: name → (English words, Chinese words, value of a record).
METRICS: dict[str, tuple[str, str, Callable[[Resource], float]]] = {
    "restarts": ("restarts", "重启次数", lambda r: float(r.fields.get("restarts") or 0)),
    "cpu_request": ("CPU requests", "CPU 请求", _request_total("cpu", "requests")),
    "memory_request": ("memory requests", "内存请求", _request_total("memory", "requests")),
    "cpu_limit": ("CPU limits", "CPU 限制", _request_total("cpu", "limits")),
    "memory_limit": ("memory limits", "内存限制", _request_total("memory", "limits")),
    "containers": ("containers", "容器数", lambda r: float(len(r.fields.get("containers") or []))),
    "replicas": (
        "replicas",
        "副本数",
        lambda r: float(r.fields.get("replicas") or r.fields.get("desired") or 0),
    ),
}


def most(
    lang: str, kind: str, items: Sequence[Resource], metric: str, namespace: str | None, *, limit: int = 10
) -> str:
    """The top ``limit`` objects by a metric of :data:`METRICS`, largest first (zeros left out).

    Raises:
        ValueError: ``metric`` is not a key of :data:`METRICS`.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {sorted(METRICS)}")
    words_en, words_zh, value = METRICS[metric]
    scored = sorted(
        ((value(r), r) for r in items), key=lambda vr: (-vr[0], vr[1].namespace or "", vr[1].name)
    )
    scored = [(v, r) for v, r in scored if v > 0]
    where = scope_words(lang, namespace)
    if not scored:
        return t(lang, f"{where}没有 {kind} 的{words_zh}大于 0。", f"No {kind} {where} has any {words_en}.")
    shown = scored[:limit]
    head = t(
        lang,
        f"{where}{words_zh}最多的 {len(shown)} 个 {kind}：",
        f"Top {len(shown)} {kind}{'s' if len(shown) != 1 else ''} by {words_en} {where}:",
    )
    rows = [
        f"{i}. {r.name if namespace else f'{r.namespace}/{r.name}' if r.namespace else r.name} — {_metric_text(metric, v)}"
        for i, (v, r) in enumerate(shown, 1)
    ]
    return "\n".join([head, *rows])


def _metric_text(metric: str, v: float) -> str:
    if metric.startswith("cpu"):
        return f"{v * 1000:.0f}m"
    if metric.startswith("memory"):
        return f"{v / 2**20:.0f}Mi"
    return f"{v:.0f}"
