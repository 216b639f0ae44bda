"""Service analyzer: a selector that matches no pod, no ready endpoint, an unexposed targetPort."""

from __future__ import annotations

from typing import Any

from kcache.analyzers.common import count, selector_text
from kcache.analyzers.findings import Finding, finding, object_ref
from kcache.analyzers.pod import analyze_pod
from kcache.analyzers.view import View
from kcache.model import Resource

_NEAR_MISSES = 2


def analyze_service(view: View, svc: Resource, *, parent: str | None = None) -> list[Finding]:
    """Whether the Service reaches any ready pod, and on a port the pods expose."""
    f = svc.fields
    selector: dict[str, str] = f.get("selector") or {}
    if f.get("type") == "ExternalName" or not selector:
        return []  # endpoints are managed by hand (or by DNS): nothing to follow
    me = object_ref("service", svc.namespace, svc.name)
    pods = view.pods_matching(svc.namespace, selector)
    if not pods:
        if not view.loaded("pod"):
            return []
        return [
            finding(
                svc,
                "critical",
                "SelectorMatchesNoPods",
                en=f"its selector {selector_text(selector)} matches no pod",
                zh=f"选择器 {selector_text(selector)} 没有匹配任何 pod",
                hint_en="Fix the selector or the pods' labels so that they agree.",
                hint_zh="修正选择器或 pod 的标签，使两者一致。",
                evidence=[f"selector {selector_text(selector)}", *_near_misses(view, svc, selector)],
                parent=parent,
            )
        ]
    out: list[Finding] = []
    endpoints = view.get("endpoints", svc.namespace, svc.name)
    if (
        endpoints is not None
        and int(endpoints.fields.get("ready_count", len(endpoints.fields.get("addresses") or ())) or 0) == 0
    ):
        not_ready = int(
            endpoints.fields.get("not_ready_count", len(endpoints.fields.get("not_ready_addresses") or ()))
            or 0
        )
        out.append(
            finding(
                svc,
                "critical",
                "NoReadyEndpoints",
                en=f"has no ready endpoint ({count(len(pods), 'pod')} selected, {not_ready} not ready)",
                zh=f"没有就绪的端点（选中 {len(pods)} 个 pod，{not_ready} 个未就绪）",
                hint_en="The selected pods are not ready; their findings, listed under it, say why.",
                hint_zh="被选中的 pod 未就绪；其下列出的 pod 问题说明了原因。",
                evidence=[
                    f"endpoints {svc.name}: 0 ready, {not_ready} not ready",
                    "pods: " + ", ".join(p.name for p in pods[:5]) + (" …" if len(pods) > 5 else ""),
                ],
                parent=parent,
            )
        )
        for pod in pods:
            out += analyze_pod(view, pod, parent=me)
    elif endpoints is None and not view.loaded("endpoints") and not any(_pod_ready(p) for p in pods):
        # Without the Endpoints object the selected pods' readiness says the same.
        out.append(
            finding(
                svc,
                "critical",
                "NoReadyEndpoints",
                en=f"has no ready endpoint: no selected pod is ready ({count(len(pods), 'pod')} selected)",
                zh=f"没有就绪的端点：选中的 {len(pods)} 个 pod 都未就绪",
                hint_en="The selected pods are not ready; their findings, listed under it, say why.",
                hint_zh="被选中的 pod 未就绪；其下列出的 pod 问题说明了原因。",
                evidence=["pods: " + ", ".join(f"{p.name} ({p.fields.get('ready')})" for p in pods[:5])],
                parent=parent,
            )
        )
        for pod in pods:
            out += analyze_pod(view, pod, parent=me)
    out += _target_ports(svc, pods, parent)
    return out


def _pod_ready(pod: Resource) -> bool:
    """Whether a pod is Running with every container ready (``ready`` ``"2/2"``)."""
    have, _, want = str(pod.fields.get("ready") or "").partition("/")
    return pod.fields.get("status") == "Running" and bool(want) and have == want


def _near_misses(view: View, svc: Resource, selector: dict[str, str]) -> list[str]:
    """Pods that carry part of the selector's labels, with the labels that differ."""
    candidates = {p.key: p for k, v in selector.items() for p in view.pods_labelled(svc.namespace, k, v)}
    scored: list[tuple[int, str, list[str]]] = []
    for pod in candidates.values():
        agree = sum(pod.labels.get(k) == v for k, v in selector.items())
        diff = [
            f"{k}={pod.labels.get(k, '<none>')} (selector wants {v})"
            for k, v in sorted(selector.items())
            if pod.labels.get(k) != v
        ]
        scored.append((agree, pod.name, diff))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [f"pod {name} has {', '.join(diff)}" for _, name, diff in scored[:_NEAR_MISSES]]


def _target_ports(svc: Resource, pods: list[Resource], parent: str | None) -> list[Finding]:
    containers = [c for p in pods for c in p.fields.get("containers") or () if "ports" in c]
    if not containers:
        return []  # the pods' specs are not known (a table row): nothing to compare
    named = {str(port.get("name")) for c in containers for port in c["ports"] if port.get("name")}
    numbers = {port.get("container_port") for c in containers for port in c["ports"]}
    out: list[Finding] = []
    for port in svc.fields.get("ports") or ():
        target: Any = port.get("target_port")
        if target is None:
            target = port.get("port")
        if isinstance(target, str) and not target.isdigit():
            missing, severity = target not in named, "critical"
        else:
            # A numeric targetPort reaches the container whether or not it is declared: only
            # a container that declares ports, none of them this one, is suspicious.
            missing, severity = bool(numbers) and int(target) not in numbers, "warning"
        if missing:
            out.append(
                finding(
                    svc,
                    "critical" if severity == "critical" else "warning",
                    "TargetPortNotExposed",
                    en=f"port {port.get('port')} targets {target}, which no selected container exposes",
                    zh=f"端口 {port.get('port')} 的 targetPort {target} 不是任何被选中容器暴露的端口",
                    hint_en="Set targetPort to a containerPort (number or name) of the pods.",
                    hint_zh="把 targetPort 设为 pod 的某个 containerPort（端口号或名称）。",
                    evidence=[
                        "container ports: "
                        + (
                            ", ".join(
                                sorted(
                                    {
                                        f"{p.get('name') or ''}:{p.get('container_port')}".lstrip(":")
                                        for c in containers
                                        for p in c["ports"]
                                    }
                                )
                            )
                            or "none"
                        )
                    ],
                    parent=parent,
                )
            )
    return out
