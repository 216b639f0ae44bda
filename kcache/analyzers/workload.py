"""Workload analyzer: Deployments, StatefulSets, DaemonSets and ReplicaSets, and their pods."""

from __future__ import annotations

from kcache.analyzers.common import condition, condition_line, count, event_lines
from kcache.analyzers.findings import Finding, finding, object_ref
from kcache.analyzers.pod import analyze_pod
from kcache.analyzers.view import View
from kcache.model import Resource


def analyze_workload(view: View, w: Resource, *, parent: str | None = None) -> list[Finding]:
    """Replicas desired against ready and available, a stuck rollout, then the pods' findings.

    Pods are found through owner references (Deployment → ReplicaSet → Pod), never by name.
    """
    f = w.fields
    me = object_ref(w.kind, w.namespace, w.name)
    if w.kind == "daemonset":
        desired, ready = int(f.get("desired") or 0), int(f.get("ready") or 0)
        available, updated = int(f.get("available") or 0), int(f.get("updated") or 0)
    else:
        desired, ready = int(f.get("replicas") or 0), int(f.get("ready_replicas") or 0)
        available = int(f.get("available_replicas") or 0)
        updated = desired if f.get("updated_replicas") is None else int(f["updated_replicas"])
    events = view.events(w)
    owned = view.children(w, "replicaset") if w.kind == "deployment" else []
    for rs in owned:
        events = events + view.events(rs)
    pods = view.pods_of(w)
    out: list[Finding] = []
    progressing = condition(w, "Progressing")
    if progressing and progressing.get("reason") == "ProgressDeadlineExceeded":
        # What the rollout goes to (the template's images) and what still serves (an older
        # ReplicaSet with ready pods): what a rollback would return to.
        new = _images(w)
        serving = [rs for rs in owned if _images(rs) != new and int(rs.fields.get("ready_replicas") or 0) > 0]
        to_en, to_zh = (f" to {', '.join(new)}", f"（到 {', '.join(new)}）") if new else ("", "")
        still_en = "".join(
            f"; ReplicaSet {rs.name} ({', '.join(_images(rs))}) still serves {rs.fields.get('ready_replicas')} ready"
            for rs in serving
        )
        still_zh = "".join(
            f"；ReplicaSet {rs.name}（{', '.join(_images(rs))}）仍有 {rs.fields.get('ready_replicas')} 个就绪在服务"
            for rs in serving
        )
        out.append(
            finding(
                w,
                "critical",
                "ProgressDeadlineExceeded",
                en=f"rollout{to_en} is stuck: {updated} of {desired} replicas updated, {available} available{still_en}",
                zh=f"滚动更新{to_zh}卡住：{desired} 个副本中 {updated} 个已更新，{available} 个可用{still_zh}",
                hint_en="The new pods never became available; their findings, listed under it, say why. Fix them or roll back.",
                hint_zh="新 pod 始终不可用，其下列出的 pod 问题给出原因；修复后重试，或回滚。",
                evidence=[condition_line(progressing)],
                parent=parent,
            )
        )
    failure = condition(w, "ReplicaFailure")
    if failure and failure.get("status") == "True":
        out.append(
            finding(
                w,
                "critical",
                "ReplicaFailure",
                en="cannot create its pods"
                + (f': "{failure.get("message")}"' if failure.get("message") else ""),
                zh="无法创建 pod" + (f"：“{failure.get('message')}”" if failure.get("message") else ""),
                hint_en="Often a ResourceQuota or LimitRange refuses the pods: check the namespace's quota.",
                hint_zh="通常是 ResourceQuota 或 LimitRange 拒绝了 pod：检查命名空间的配额。",
                evidence=[condition_line(failure), *event_lines(events, ("FailedCreate",))],
                parent=parent,
            )
        )
    if desired > 0 and ready < desired:
        evidence = [f"desired {desired}, ready {ready}, available {available}, updated {updated}"]
        if not pods and (view.loaded("pod")):
            evidence.append("no pods exist")
        evidence += event_lines(events, ("FailedCreate",))
        if pods:
            hint_en, hint_zh = (
                "The pods' findings say why they are not ready.",
                "pod 的问题说明了未就绪的原因。",
            )
        elif view.loaded("pod"):
            hint_en = "No pods exist: look at the controller's events (quota, admission)."
            hint_zh = "没有 pod：查看控制器的事件（配额、准入）。"
        else:
            hint_en = "Diagnose its pods: their state says why they are not ready."
            hint_zh = "请诊断它的 pod：pod 的状态说明了未就绪的原因。"
        out.append(
            finding(
                w,
                "critical" if ready == 0 else "warning",
                "ReplicasNotReady",
                en=f"{ready} of {desired} replicas ready ({available} available, {updated} updated)",
                zh=f"{desired} 个副本中 {ready} 个就绪（{available} 个可用，{updated} 个已更新）",
                hint_en=hint_en,
                hint_zh=hint_zh,
                evidence=evidence,
                parent=parent,
            )
        )
    if w.kind == "daemonset" and int(f.get("misscheduled") or 0) > 0:
        out.append(
            finding(
                w,
                "warning",
                "Misscheduled",
                en=f"{count(int(f.get('misscheduled') or 0), 'pod')} run on nodes they should not",
                zh=f"{f.get('misscheduled')} 个 pod 运行在不应运行的节点上",
                parent=parent,
            )
        )
    for pod in pods:
        out += analyze_pod(view, pod, parent=me)
    return out


def _images(r: Resource) -> list[str]:
    """The images of a workload's (or ReplicaSet's) pod template, in container order."""
    return list(dict.fromkeys(str(c["image"]) for c in r.fields.get("containers") or [] if c.get("image")))
