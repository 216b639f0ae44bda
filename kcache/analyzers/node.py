"""Node analyzer: NotReady, pressure conditions, cordoned, taints that keep Pending pods away."""

from __future__ import annotations

from kcache.analyzers.common import condition, condition_line, tolerates
from kcache.analyzers.findings import Finding, finding
from kcache.analyzers.view import View
from kcache.model import Resource

_PRESSURE = {
    "MemoryPressure": ("内存压力", "memory"),
    "DiskPressure": ("磁盘压力", "disk"),
    "PIDPressure": ("PID 压力", "process IDs"),
}


def analyze_node(view: View, node: Resource, *, parent: str | None = None) -> list[Finding]:
    """Conditions, cordoning and taints of one node."""
    f = node.fields
    out: list[Finding] = []
    ready = condition(node, "Ready")
    if ready is not None and ready.get("status") != "True":
        unknown = ready.get("status") == "Unknown"
        out.append(
            finding(
                node,
                "critical",
                "NodeStatusUnknown" if unknown else "NodeNotReady",
                en="has stopped reporting (Ready Unknown)" if unknown else "is NotReady",
                zh="已停止上报状态（Ready 为 Unknown）" if unknown else "处于 NotReady",
                hint_en="Check the node's kubelet, container runtime and network; its pods are evicted if it stays down.",
                hint_zh="检查节点的 kubelet、容器运行时和网络；节点持续不可用时其上的 pod 会被驱逐。",
                evidence=[condition_line(ready), f"pods on it: {len(view.pods_on(node.name))}"],
                parent=parent,
            )
        )
    elif ready is None and str(f.get("status") or "").startswith("NotReady"):
        out.append(
            finding(
                node,
                "critical",
                "NodeNotReady",
                en="is NotReady",
                zh="处于 NotReady",
                hint_en="Check the node's kubelet, container runtime and network.",
                hint_zh="检查节点的 kubelet、容器运行时和网络。",
                evidence=[f"status {f.get('status')}"],
                parent=parent,
            )
        )
    for kind, (zh_word, what) in _PRESSURE.items():
        c = condition(node, kind)
        if c is not None and c.get("status") == "True":
            out.append(
                finding(
                    node,
                    "warning",
                    kind,
                    en=f"is under {kind} (low on {what})",
                    zh=f"存在{zh_word}（{kind}）",
                    hint_en=f"Free {what} on the node or move pods away; the kubelet evicts pods under pressure.",
                    hint_zh="释放节点资源或迁移 pod；kubelet 在资源压力下会驱逐 pod。",
                    evidence=[condition_line(c)],
                    parent=parent,
                )
            )
    network = condition(node, "NetworkUnavailable")
    if network is not None and network.get("status") == "True":
        out.append(
            finding(
                node,
                "critical",
                "NetworkUnavailable",
                en="has its network unavailable",
                zh="网络不可用",
                hint_en="Check the node's CNI plugin.",
                hint_zh="检查节点的 CNI 插件。",
                evidence=[condition_line(network)],
                parent=parent,
            )
        )
    if f.get("unschedulable") or "SchedulingDisabled" in str(f.get("status") or ""):
        out.append(
            finding(
                node,
                "warning",
                "Cordoned",
                en="is cordoned (SchedulingDisabled): no new pods are placed on it",
                zh="已被封锁（SchedulingDisabled）：不会再调度新 pod",
                hint_en="Uncordon it when maintenance is over.",
                hint_zh="维护结束后解除封锁（uncordon）。",
                parent=parent,
            )
        )
    out += _blocking_taints(view, node, parent)
    return out


def _blocking_taints(view: View, node: Resource, parent: str | None) -> list[Finding]:
    """Taints that Pending, unscheduled pods do not tolerate (and that their scheduling message names).

    A warning when the pod tolerates no schedulable node's taints at all (the taints are
    what keeps it Pending); a note when some untainted node exists and something else (a
    lack of CPU) keeps it off that one.
    """
    taints = [t for t in node.fields.get("taints") or () if t.get("effect") in ("NoSchedule", "NoExecute")]
    if not taints:
        return []
    out: list[Finding] = []
    for taint in taints:
        blocked = []
        for pod in view.unscheduled():
            if tolerates(pod.fields.get("tolerations") or (), taint):
                continue
            scheduled = condition(pod, "PodScheduled")
            message = str((scheduled or {}).get("message") or "")
            if message and str(taint.get("key")) not in message:
                continue  # the scheduler blames something else for this pod
            blocked.append(pod)
        if not blocked:
            continue
        only_cause = all(not _has_room_for(view, pod) for pod in blocked)
        shown = f"{taint.get('key')}{'=' + str(taint['value']) if taint.get('value') else ''}:{taint.get('effect')}"
        names = ", ".join(f"{p.namespace}/{p.name}" for p in blocked[:5]) + (" …" if len(blocked) > 5 else "")
        count = len(blocked)
        out.append(
            finding(
                node,
                "warning" if only_cause else "info",
                "TaintBlocksPods",
                en=f"taint {shown} keeps {count} Pending pod{'s' if count != 1 else ''} away",
                zh=f"污点 {shown} 使 {count} 个 Pending 的 pod 无法调度到该节点",
                hint_en="Add a matching toleration to those pods, or remove the taint if it is no longer needed.",
                hint_zh="为这些 pod 增加相应的容忍，或在不再需要时移除该污点。",
                evidence=[f"taint {shown}", f"pods: {names}"],
                parent=parent,
            )
        )
    return out


def _has_room_for(view: View, pod: Resource) -> bool:
    """Whether some schedulable node has no taint the pod fails to tolerate."""
    tolerations = pod.fields.get("tolerations") or ()
    for other in view.all("node"):
        if other.fields.get("unschedulable"):
            continue
        hard = [t for t in other.fields.get("taints") or () if t.get("effect") in ("NoSchedule", "NoExecute")]
        if all(tolerates(tolerations, t) for t in hard):
            return True
    return False
