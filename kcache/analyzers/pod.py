"""Pod analyzer: phase, every container's state, probes, scheduling, references and the node."""

from __future__ import annotations

import re
from typing import Any

from kcache.analyzers.common import condition, condition_line, event_line, event_lines
from kcache.analyzers.findings import Finding, finding, under
from kcache.analyzers.pvc import analyze_pvc
from kcache.analyzers.view import View
from kcache.kinds import BY_NAME
from kcache.model import Resource

IMAGE_PULL = frozenset(
    {"ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable"}
)
CONFIG_ERRORS = frozenset({"CreateContainerConfigError", "CreateContainerError", "RunContainerError"})
_PULL_EVENTS = ("Failed", "BackOff", "ErrImagePull", "InspectFailed")
_RESTART_WARN = 3
_MOUNT_EVENTS = ("FailedMount", "FailedAttachVolume")
#: kubectl STATUS values of a pod that is fine.
HEALTHY = frozenset({"Running", "Completed", "Succeeded"})


def analyze_pod(view: View, pod: Resource, *, parent: str | None = None) -> list[Finding]:
    """Findings about one pod (computed once per view; ``parent`` marks who asked)."""
    memo_key = ("pod", pod.key)
    if memo_key not in view.memo:
        view.memo[memo_key] = _analyze(view, pod)
    found: list[Finding] = view.memo[memo_key]
    return under(found, parent) if parent else [f.copy() for f in found]


def _analyze(view: View, pod: Resource) -> list[Finding]:
    f = pod.fields
    events = view.events(pod)
    out: list[Finding] = []
    phase = f.get("phase")
    node = view.get("node", None, str(f.get("node_name"))) if f.get("node_name") else None
    if node is not None and str(node.fields.get("status") or "").startswith("NotReady"):
        out.append(
            finding(
                pod,
                "critical",
                "NodeNotReady",
                en=f"its node {node.name} is NotReady",
                zh=f"所在节点 {node.name} 处于 NotReady",
                hint_en=f"Look at node {node.name} (kubelet, network); the pod is evicted once the node stays down.",
                hint_zh=f"检查节点 {node.name}（kubelet、网络）；节点持续不可用时 pod 会被驱逐。",
                evidence=[condition_line(c) for c in [condition(node, "Ready")] if c],
            )
        )
    if phase == "Pending":
        out += _pending(view, pod, events)
    if phase == "Failed" and f.get("reason"):
        out.append(
            finding(
                pod,
                "critical",
                str(f["reason"]),
                en=f"failed: {f['reason']}" + (f" — {f['message']}" if f.get("message") else ""),
                zh=f"已失败：{f['reason']}" + (f"——{f['message']}" if f.get("message") else ""),
                hint_en="An evicted pod is replaced by its controller; fix the node pressure or the pod's requests.",
                hint_zh="被驱逐的 pod 会由控制器重建；请处理节点资源压力或调整 pod 的资源请求。",
            )
        )
    for container in f.get("init_containers") or ():
        out += _container(pod, container, events, init=True)
    for container in f.get("containers") or ():
        out += _container(pod, container, events, init=False)
    out += _probes(pod, events, out)
    out += _missing_refs(view, pod, events)
    mounts = [e for e in events if e.fields.get("reason") in _MOUNT_EVENTS]
    if mounts and not any(x["reason"].startswith("Missing") for x in out):
        out.append(
            finding(
                pod,
                "critical" if phase == "Pending" else "warning",
                str(mounts[0].fields.get("reason")),
                en="cannot mount its volumes"
                + (f': "{mounts[0].fields.get("message")}"' if mounts[0].fields.get("message") else ""),
                zh="无法挂载卷"
                + (f"：“{mounts[0].fields.get('message')}”" if mounts[0].fields.get("message") else ""),
                hint_en="Check the volume's source (claim bound and attachable, ConfigMap or Secret keys present).",
                hint_zh="检查卷的来源（PVC 已绑定且可挂载，ConfigMap 或 Secret 的键存在）。",
                evidence=event_lines(mounts),
            )
        )
    if phase == "Unknown":
        out.append(
            finding(
                pod,
                "warning",
                "PodStatusUnknown",
                en="is in phase Unknown: its node stopped reporting",
                zh="处于 Unknown：所在节点已停止上报",
                hint_en="Look at its node; the pod is replaced once the node is declared lost.",
                hint_zh="检查所在节点；节点被判定丢失后 pod 会被替换。",
            )
        )
    if not out and not (f.get("containers") or f.get("phase")):
        out += _from_status(pod, events)
    if not out and phase == "Failed":
        out.append(
            finding(
                pod,
                "critical",
                "PodFailed",
                en="failed",
                zh="已失败",
                hint_en="Read the containers' logs for why they exited.",
                hint_zh="查看容器日志了解退出原因。",
                evidence=event_lines(events),
            )
        )
    unready = any(not c.get("ready") for c in f.get("containers") or ())
    if not out and events and (phase == "Pending" or (phase == "Running" and unready)):
        # Nothing in the pod's own status, but the kubelet or scheduler complains.
        first = events[0]
        out.append(
            finding(
                pod,
                "warning",
                str(first.fields.get("reason") or "WarningEvents"),
                en=f"has Warning events ({first.fields.get('reason')})",
                zh=f"有 Warning 事件（{first.fields.get('reason')}）",
                hint_en="Read the events' messages: they name what the kubelet or scheduler could not do.",
                hint_zh="阅读事件消息：它们说明了 kubelet 或调度器无法完成的操作。",
                evidence=event_lines(events),
            )
        )
    if out:
        # Events a finding already shows (or summarised as repeated) are not shown again.
        used = {e.split(" ", 2)[1] for x in out for e in x["evidence"] if e.startswith("event ")}
        rest = [event_line(e) for e in events[:3] if e.fields.get("reason") not in used]
        if rest:
            out[0]["evidence"].extend(rest)
    return out


def _from_status(pod: Resource, events: list[Resource]) -> list[Finding]:
    """What kubectl's STATUS, READY and RESTARTS say, for a pod known only from a table row."""
    f = pod.fields
    status = str(f.get("status") or "")
    ready = str(f.get("ready") or "")
    have, _, want = ready.partition("/")
    restarts = f.get("restarts") or 0
    if status and status not in HEALTHY:
        severe = (
            status in IMAGE_PULL
            or status in CONFIG_ERRORS
            or status in ("CrashLoopBackOff", "Error", "OOMKilled")
        )
        return [
            finding(
                pod,
                "critical" if severe else "warning",
                status,
                en=f"is {status} (ready {ready or '?'}, {restarts} restarts)",
                zh=f"处于 {status}（就绪 {ready or '?'}，已重启 {restarts} 次）",
                hint_en="Diagnose it again once its full object is cached, or read its events and logs.",
                hint_zh="缓存到完整对象后再诊断，或查看它的事件和日志。",
                evidence=event_lines(events),
            )
        ]
    if status == "Running" and want and have != want:
        return [
            finding(
                pod,
                "warning",
                "ContainerNotReady",
                en=f"is Running but only {ready} containers are ready",
                zh=f"在运行，但只有 {ready} 个容器就绪",
                evidence=event_lines(events),
            )
        ]
    return []


def _pending(view: View, pod: Resource, events: list[Resource]) -> list[Finding]:
    f = pod.fields
    scheduled = condition(pod, "PodScheduled")
    evidence: list[str] = []
    blocked_claims = []
    for ref in f.get("refs") or ():
        if ref.get("kind") != "persistentvolumeclaim":
            continue
        claim = view.get("persistentvolumeclaim", pod.namespace, str(ref.get("name")))
        if claim is not None and claim.fields.get("status") != "Bound":
            blocked_claims.append(claim.name)
            # The claim's own cause travels with the pod's: why it is not bound.
            why = next((c["text_en"] for c in analyze_pvc(view, claim)), None)
            evidence.append(
                f"PersistentVolumeClaim {claim.name} (StorageClass {claim.fields.get('storage_class') or '<none>'}) "
                + (why or f"is {claim.fields.get('status') or 'not bound'}")
            )
    selector: dict[str, str] = f.get("node_selector") or {}
    nodes = view.all("node")
    if selector and nodes and not any(all(n.labels.get(k) == v for k, v in selector.items()) for n in nodes):
        evidence.append(
            "nodeSelector " + ",".join(f"{k}={v}" for k, v in sorted(selector.items())) + " matches no node"
        )
    if scheduled is not None and scheduled.get("status") == "False":
        if scheduled.get("reason") == "SchedulingGated":
            return [
                finding(
                    pod,
                    "info",
                    "SchedulingGated",
                    en="is held back by scheduling gates",
                    zh="被调度门控（scheduling gates）挂起",
                    hint_en="Its scheduling gates must be removed before it can be scheduled.",
                    hint_zh="需要移除调度门控后才会被调度。",
                    evidence=[condition_line(scheduled)],
                )
            ]
        message = scheduled.get("message") or next(
            (e.fields.get("message") for e in events if e.fields.get("reason") == "FailedScheduling"), None
        )
        return [_unschedulable(pod, message, [condition_line(scheduled), *evidence], events, blocked_claims)]
    failed = [e for e in events if e.fields.get("reason") == "FailedScheduling"]
    if failed and not f.get("node_name"):
        return [_unschedulable(pod, failed[0].fields.get("message"), evidence, events, blocked_claims)]
    if blocked_claims:
        return [
            finding(
                pod,
                "critical",
                "WaitingForVolume",
                en=f"is Pending, waiting for PersistentVolumeClaim {', '.join(blocked_claims)}",
                zh=f"处于 Pending，等待 PersistentVolumeClaim {', '.join(blocked_claims)}",
                hint_en="Diagnose the claim: it needs a StorageClass that can provision it or a matching PersistentVolume.",
                hint_zh="请诊断该 PVC：需要能供给它的 StorageClass 或匹配的 PersistentVolume。",
                evidence=evidence,
            )
        ]
    return []


_INSUFFICIENT = re.compile(r"Insufficient ([\w./-]+)")


def _unschedulable(
    pod: Resource, message: Any, evidence: list[str], events: list[Resource], claims: list[str]
) -> Finding:
    msg = str(message) if message else ""
    hints: list[tuple[str, str]] = []
    if claims or "PersistentVolumeClaim" in msg:
        hints.append(
            (
                "Bind its PersistentVolumeClaim first (diagnose the claim: StorageClass, matching PersistentVolume).",
                "先让它的 PVC 绑定（诊断该 PVC：StorageClass、匹配的 PersistentVolume）。",
            )
        )
    short = sorted(set(_INSUFFICIENT.findall(msg)))
    if short:
        what = ", ".join(short)
        hints.append(
            (
                f"No node has enough free {what}: lower the pod's requests, free capacity or add nodes.",
                f"没有节点有足够的空闲 {what}：降低 pod 的资源请求、释放资源或增加节点。",
            )
        )
    if "affinity" in msg or "selector" in msg or any(e.startswith("nodeSelector ") for e in evidence):
        hints.append(
            (
                "No node matches its node selector or affinity: fix them or label a node.",
                "没有节点匹配它的节点选择器或亲和性：修正它们或给节点加标签。",
            )
        )
    if "taint" in msg and not hints:
        # Only when taints are the whole story: a control-plane taint is normal next to others.
        hints.append(
            (
                "Add a toleration for the nodes' taints, or schedule onto untainted nodes.",
                "为 pod 增加对节点污点的容忍，或调度到没有污点的节点。",
            )
        )
    if not hints:
        hints.append(
            (
                "Free capacity, relax the pod's requests, node selector or affinity, or add nodes.",
                "释放资源、放宽 pod 的资源请求、节点选择器或亲和性，或增加节点。",
            )
        )
    scheduling = [e for e in events if e.fields.get("reason") == "FailedScheduling"]
    repeated = [
        "event FailedScheduling"
        + (f" ×{e.fields['count']}" if (e.fields.get("count") or 1) > 1 else "")
        + " (the same message)"
        for e in scheduling[:1]
        if msg and e.fields.get("message") == msg
    ]
    return finding(
        pod,
        "critical",
        "Unschedulable",
        en="is Pending and cannot be scheduled" + (f': "{msg}"' if msg else ""),
        zh="处于 Pending，无法调度" + (f"：“{msg}”" if msg else ""),
        hint_en=" ".join(h[0] for h in hints),
        hint_zh="".join(h[1] for h in hints),
        evidence=[*evidence, *(repeated or event_lines(scheduling))],
    )


def _container(pod: Resource, c: dict[str, Any], events: list[Resource], *, init: bool) -> list[Finding]:
    name = c.get("name")
    who_en = f"init container {name}" if init else f"container {name}"
    who_zh = f"初始化容器 {name}" if init else f"容器 {name}"
    state, reason = c.get("state"), c.get("reason")
    restarts = int(c.get("restart_count") or 0)
    last, last_zh = _last_exit(c), _last_exit(c, "zh")
    if state == "waiting" and reason in IMAGE_PULL:
        image = c.get("image") or "?"
        return [
            finding(
                pod,
                "critical",
                str(reason),
                en=f"{who_en} cannot pull image {image} ({reason})",
                zh=f"{who_zh} 无法拉取镜像 {image}（{reason}）",
                hint_en="Check the image name and tag, that it exists in the registry, and the pull credentials.",
                hint_zh="检查镜像名称和标签是否存在于镜像仓库，以及拉取凭据。",
                evidence=[
                    f"image {image}",
                    *([f'waiting: "{c["message"]}"'] if c.get("message") else []),
                    *event_lines(events, _PULL_EVENTS),
                ],
            )
        ]
    if state == "waiting" and reason == "CrashLoopBackOff":
        oom = c.get("last_state_reason") == "OOMKilled"
        limit = (c.get("limits") or {}).get("memory")
        return [
            finding(
                pod,
                "critical",
                "CrashLoopBackOff",
                en=f"{who_en} is in CrashLoopBackOff"
                + (f", last exit {last}" if last else "")
                + f", {restarts} restarts",
                zh=f"{who_zh} 处于 CrashLoopBackOff"
                + (f"，上次退出 {last_zh}" if last else "")
                + f"，已重启 {restarts} 次",
                hint_en=(
                    f"It is killed for exceeding its memory limit{f' ({limit})' if limit else ''}: raise the limit or reduce its memory use."
                    if oom
                    else "It keeps exiting: read its previous logs (logs --previous) for the error."
                ),
                hint_zh=(
                    f"容器超出内存限制{f'（{limit}）' if limit else ''}被终止：提高限制或降低内存占用。"
                    if oom
                    else "容器反复退出：查看上一个容器的日志（logs --previous）找出错误。"
                ),
                evidence=[
                    f"{who_en}: waiting CrashLoopBackOff, restarts {restarts}"
                    + (f", last state {last}" if last else ""),
                    *event_lines(events, ("BackOff",)),
                ],
            )
        ]
    if state == "waiting" and reason in CONFIG_ERRORS:
        message = c.get("message")
        return [
            finding(
                pod,
                "critical",
                str(reason),
                en=f"{who_en} cannot start ({reason})" + (f': "{message}"' if message else ""),
                zh=f"{who_zh} 无法启动（{reason}）" + (f"：“{message}”" if message else ""),
                hint_en="Create the ConfigMap or Secret (or key) it names, or fix the reference.",
                hint_zh="创建它引用的 ConfigMap 或 Secret（或键），或修正引用。",
                evidence=[*([f'waiting: "{message}"'] if message else []), *event_lines(events, ("Failed",))],
            )
        ]
    if state == "waiting" and reason and reason not in ("ContainerCreating", "PodInitializing"):
        return [
            finding(
                pod,
                "warning",
                str(reason),
                en=f"{who_en} is waiting: {reason}",
                zh=f"{who_zh} 等待中：{reason}",
                evidence=[f'waiting: "{c["message"]}"'] if c.get("message") else [],
            )
        ]
    failed_exit = reason != "Completed" and (c.get("exit_code") or 0) != 0
    # An out-of-memory kill names the limit it crossed.
    memory_limit = (c.get("limits") or {}).get("memory")
    over_en = f", memory limit {memory_limit}" if memory_limit else ""
    over_zh = f"，内存限制 {memory_limit}" if memory_limit else ""
    if state == "terminated" and (reason == "OOMKilled" or failed_exit):
        code = c.get("exit_code")
        what = f"{reason or 'Error'} (exit code {code})"
        oom = reason == "OOMKilled"
        return [
            finding(
                pod,
                "critical",
                "OOMKilled" if oom else "Error",
                en=f"{who_en} terminated: {what}"
                + (over_en if oom else "")
                + (f", {restarts} restarts" if restarts else ""),
                zh=f"{who_zh} 已终止：{reason or 'Error'}（退出码 {code}）"
                + (over_zh if oom else "")
                + (f"，已重启 {restarts} 次" if restarts else ""),
                hint_en=(
                    "It ran out of memory: raise its memory limit or reduce its use."
                    if reason == "OOMKilled"
                    else "Read its logs for why it exited with that code."
                ),
                hint_zh=(
                    "容器内存不足：提高内存限制或降低占用。"
                    if reason == "OOMKilled"
                    else "查看容器日志了解非零退出码的原因。"
                ),
                evidence=[f"{who_en}: terminated {what}"],
            )
        ]
    if state == "running" and c.get("last_state_reason") == "OOMKilled":
        return [
            finding(
                pod,
                "warning",
                "OOMKilled",
                en=f"{who_en} was OOMKilled (exit code {c.get('last_exit_code')}{over_en}) and restarted, {restarts} restarts",
                zh=f"{who_zh} 曾因 OOMKilled（退出码 {c.get('last_exit_code')}{over_zh}）被重启，已重启 {restarts} 次",
                hint_en="Raise its memory limit or reduce its memory use.",
                hint_zh="提高内存限制或降低内存占用。",
                evidence=[f"{who_en}: last state {last}"],
            )
        ]
    if state == "running" and restarts >= _RESTART_WARN and c.get("last_state_reason"):
        return [
            finding(
                pod,
                "warning",
                "Restarting",
                en=f"{who_en} has restarted {restarts} times (last exit {last})",
                zh=f"{who_zh} 已重启 {restarts} 次（上次退出 {last_zh}）",
                hint_en="Read its previous logs (logs --previous) for why it exits.",
                hint_zh="查看上一个容器的日志（logs --previous）了解退出原因。",
                evidence=[f"{who_en}: last state {last}"],
            )
        ]
    return []


def _last_exit(c: dict[str, Any], lang: str = "en") -> str:
    if not c.get("last_state_reason") and c.get("last_exit_code") is None:
        return ""
    reason = c.get("last_state_reason") or "Error"
    if lang == "zh":
        return f"{reason}（退出码 {c.get('last_exit_code')}）"
    return f"{reason} (exit code {c.get('last_exit_code')})"


def _probes(pod: Resource, events: list[Resource], found: list[Finding]) -> list[Finding]:
    unhealthy = [e for e in events if e.fields.get("reason") == "Unhealthy"]
    out: list[Finding] = []
    for kind, reason, word_zh in (
        ("Liveness", "LivenessProbeFailed", "存活"),
        ("Readiness", "ReadinessProbeFailed", "就绪"),
        ("Startup", "StartupProbeFailed", "启动"),
    ):
        failing = [e for e in unhealthy if str(e.fields.get("message") or "").startswith(kind)]
        if not failing:
            continue
        crashing = next((f for f in found if f["reason"] == "CrashLoopBackOff"), None)
        if kind == "Liveness" and crashing is not None:
            crashing["evidence"] += event_lines(failing, limit=1)
            continue
        restarting = next((f for f in found if f["reason"] == "Restarting"), None)
        restarts = max(
            (int(c.get("restart_count") or 0) for c in pod.fields.get("containers") or ()), default=0
        )
        if kind == "Liveness" and restarting is not None:
            # The kubelet kills the container when the probe fails: the restarts are its doing.
            found.remove(restarting)
        out.append(
            finding(
                pod,
                "warning",
                reason,
                en=f"its {kind.lower()} probe fails"
                + (
                    f": the kubelet restarts it ({restarts} restarts)"
                    if kind == "Liveness" and restarts
                    else ""
                ),
                zh=f"{word_zh}探针失败"
                + (
                    f"：kubelet 会重启容器（已重启 {restarts} 次）" if kind == "Liveness" and restarts else ""
                ),
                hint_en=("Check the probe's target (path, port) and that the app answers it in time."),
                hint_zh="检查探针的目标（路径、端口），以及应用能否及时响应。",
                evidence=event_lines(failing, limit=2),
            )
        )
    if pod.fields.get("phase") == "Running" and not any(x["reason"] == "ReadinessProbeFailed" for x in out):
        not_ready = [
            c
            for c in pod.fields.get("containers") or ()
            if c.get("state") == "running" and c.get("ready") is False
        ]
        if not_ready and not found:
            names = ", ".join(str(c.get("name")) for c in not_ready)
            out.append(
                finding(
                    pod,
                    "warning",
                    "ContainerNotReady",
                    en=f"container {names} is running but not ready",
                    zh=f"容器 {names} 在运行但未就绪",
                    hint_en="Its readiness probe does not pass yet; check the probe's target and the app's startup.",
                    hint_zh="就绪探针尚未通过；检查探针目标和应用启动情况。",
                    evidence=[
                        f"{c.get('name')}: readiness probe {c['readiness_probe']['type']} {c['readiness_probe'].get('target') or ''}".rstrip()
                        for c in not_ready
                        if c.get("readiness_probe")
                    ],
                )
            )
    return out


def _missing_refs(view: View, pod: Resource, events: list[Resource]) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for ref in pod.fields.get("refs") or ():
        kind, name = str(ref.get("kind")), str(ref.get("name"))
        if ref.get("optional") or (kind, name) in seen or kind not in BY_NAME or not view.loaded(kind):
            continue
        seen.add((kind, name))
        if view.get(kind, pod.namespace, name) is not None:
            continue
        api_kind = BY_NAME[kind].api_kind
        reason = f"Missing{api_kind}"
        out.append(
            finding(
                pod,
                "critical",
                reason,
                en=f"references {api_kind} {name} ({ref.get('via')}), which does not exist",
                zh=f"引用的 {api_kind} {name}（{ref.get('via')}）不存在",
                hint_en=f"Create {api_kind} {name} in namespace {pod.namespace}, or fix the reference.",
                hint_zh=f"在命名空间 {pod.namespace} 中创建 {api_kind} {name}，或修正引用。",
                evidence=event_lines(events, ("FailedMount", "Failed"), limit=1),
            )
        )
    return out
