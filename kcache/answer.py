"""Answers in the user's language, and compact rows of objects for answers and prompts.

Everything that came from the cluster (names, messages, log lines) is shown as data:
quoted or in a table, never as an instruction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from kcache.model import Resource

HEALTHY_POD = {"Running", "Completed", "Succeeded"}
MAX_ROWS = 30


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
    return {k: v for k, v in row.items() if v is not None}


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


def scope_words(lang: str, namespace: str | None) -> str:
    """'in namespace X' / 'across all namespaces'."""
    if namespace:
        return t(lang, f"命名空间 {namespace} 中", f"in namespace {namespace}")
    return t(lang, "所有命名空间中", "across all namespaces")


def listing(
    lang: str, kind: str, items: Sequence[Resource], namespace: str | None, *, count_only: bool
) -> str:
    """A list answer: the count, and the table unless only the count was asked."""
    label = kind if len(items) == 1 else f"{kind}s"
    head = t(lang, f"{scope_words(lang, namespace)}共有 {len(items)} 个 {kind}", "")
    if lang != "zh":
        where = (
            f" {scope_words(lang, namespace)}" if kind not in ("node", "namespace", "storageclass") else ""
        )
        head = f"There {'is' if len(items) == 1 else 'are'} {len(items)} {label}{where}"
    if kind in ("node", "namespace", "storageclass", "persistentvolume") and lang == "zh":
        head = f"集群中共有 {len(items)} 个 {kind}"
    if not items:
        return head + "."
    if kind == "pod":
        states = Counter(str(i.fields.get("status")) for i in items)
        head += (
            t(lang, "（", " (") + ", ".join(f"{s}: {n}" for s, n in states.most_common()) + t(lang, "）", ")")
        )
    if count_only:
        return head + t(lang, "。", ".")
    return head + t(lang, "：\n", ":\n") + table([compact(i) for i in items])


def object_detail(lang: str, r: Resource) -> str:
    """One object, described."""
    row = compact(r)
    lines = [f"{r.kind} {r.namespace + '/' if r.namespace else ''}{r.name}:"]
    lines += [f"  {k}: {v}" for k, v in row.items() if k not in ("name", "namespace")]
    if r.labels:
        lines.append("  labels: " + ",".join(f"{k}={v}" for k, v in sorted(r.labels.items())))
    if r.kind in ("deployment", "statefulset", "replicaset"):
        replicas = r.fields.get("replicas")
        lines.insert(
            1,
            t(
                lang,
                f"  期望副本数 {replicas}，就绪 {r.fields.get('ready_replicas') or 0}",
                f"  {replicas} replicas desired, {r.fields.get('ready_replicas') or 0} ready",
            ),
        )
    return "\n".join(lines)


def quoted(text: str, limit_lines: int = 40) -> str:
    """Cluster text (logs, messages) as a quoted block that reads as data."""
    lines = text.rstrip("\n").splitlines()
    shown = lines[-limit_lines:]
    extra = len(lines) - len(shown)
    body = "\n".join("> " + line for line in shown)
    return (f"> … {extra} earlier lines\n" if extra else "") + body


def diagnosis(lang: str, pods: Sequence[Resource], events: Sequence[Resource], logs: dict[str, str]) -> str:
    """The cause the evidence shows: status, restarts, last state, Warning events, previous logs."""
    if not pods:
        return t(lang, "没有找到相关的 pod。", "No matching pods were found.")
    out = []
    unhealthy = [p for p in pods if p.fields.get("status") not in HEALTHY_POD or _not_ready(p)]
    if len(pods) > 1:
        if not unhealthy:
            return t(lang, f"{len(pods)} 个 pod 都运行正常。", f"All {len(pods)} pods are healthy.")
        out.append(
            t(
                lang,
                f"{len(unhealthy)} 个 pod 不健康（共 {len(pods)} 个）：",
                f"{len(unhealthy)} of {len(pods)} pods are unhealthy:",
            )
        )
    for p in unhealthy or pods[:1]:
        f = p.fields
        status = f.get("status")
        line = f"- {p.namespace}/{p.name}: {status}, ready {f.get('ready')}, restarts {f.get('restarts', 0)}"
        reasons = [
            f"{c.get('name')}: {c.get('reason') or c.get('state')}"
            + (
                f", last state {c.get('last_state_reason')} (exit {c.get('last_exit_code')})"
                if c.get("last_state_reason")
                else ""
            )
            for c in f.get("containers") or []
            if c.get("reason") or c.get("last_state_reason")
        ]
        if reasons:
            line += "; " + "; ".join(reasons)
        out.append(line)
        warnings = [
            e for e in events if e.fields.get("involved_name") == p.name and e.fields.get("type") == "Warning"
        ]
        for e in warnings[:4]:
            out.append(f'  {e.fields.get("reason")}: "{e.fields.get("message")}"')
        if p.name in logs:
            out.append(t(lang, "  上一个容器的日志：", "  Previous container's logs:"))
            # Tool output reaches here already quoted by the output digest.
            text = logs[p.name]
            out.append("\n".join(text.splitlines()[-10:]) if text.startswith(">") else quoted(text, 10))
        cause = _cause(lang, p, warnings)
        if cause:
            out.append(t(lang, f"  原因：{cause}", f"  Cause: {cause}"))
    return "\n".join(out)


def _not_ready(p: Resource) -> bool:
    ready = str(p.fields.get("ready") or "")
    if "/" not in ready:
        return False
    a, b = ready.split("/", 1)
    return a != b


def _cause(lang: str, p: Resource, warnings: Sequence[Resource]) -> str:
    status = str(p.fields.get("status"))
    reasons = [str(e.fields.get("reason")) for e in warnings]
    if "FailedScheduling" in reasons:
        msg = next(e.fields.get("message") for e in warnings if e.fields.get("reason") == "FailedScheduling")
        return t(lang, f'FailedScheduling：无法调度 —— "{msg}"', f'FailedScheduling — "{msg}"')
    if status in ("ImagePullBackOff", "ErrImagePull"):
        seen = ", ".join(dict.fromkeys(reasons)) or t(lang, "见事件", "see events")
        return t(lang, f"{status}：镜像无法拉取（{seen}）", f"{status}: the image cannot be pulled ({seen})")
    if status == "CrashLoopBackOff":
        last = [
            c.get("last_state_reason") for c in p.fields.get("containers") or [] if c.get("last_state_reason")
        ]
        extra = f" ({last[0]})" if last else ""
        return t(
            lang,
            f"CrashLoopBackOff：容器反复退出{extra}",
            f"CrashLoopBackOff: the container keeps exiting{extra}",
        )
    if status == "OOMKilled" or any(
        c.get("last_state_reason") == "OOMKilled" for c in p.fields.get("containers") or []
    ):
        return t(lang, "OOMKilled：容器内存不足被终止", "OOMKilled: the container ran out of memory")
    if reasons:
        return ", ".join(dict.fromkeys(reasons))
    return ""
