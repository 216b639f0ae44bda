"""Ingress analyzer: backend Services missing or without ready endpoints, the IngressClass, TLS."""

from __future__ import annotations

from typing import Any

from kcache.analyzers.findings import Finding, finding, object_ref
from kcache.analyzers.service import analyze_service
from kcache.analyzers.view import View
from kcache.model import Resource


def analyze_ingress(view: View, ing: Resource, *, parent: str | None = None) -> list[Finding]:
    """Every backend the Ingress routes to, its class and its TLS secrets."""
    f = ing.fields
    me = object_ref("ingress", ing.namespace, ing.name)
    out: list[Finding] = []
    classes = view.ingress_classes
    class_name = f.get("class_name")
    if classes is not None and class_name and class_name not in classes:
        out.append(
            finding(
                ing,
                "critical",
                "IngressClassNotFound",
                en=f"names IngressClass {class_name}, which does not exist",
                zh=f"指定的 IngressClass {class_name} 不存在",
                hint_en="Install that ingress controller or set ingressClassName to an existing class.",
                hint_zh="安装对应的 ingress 控制器，或把 ingressClassName 设为已有的类。",
                evidence=["IngressClasses: " + (", ".join(sorted(classes)) or "none")],
                parent=parent,
            )
        )
    backends: list[dict[str, Any]] = [p for rule in f.get("rules") or () for p in rule.get("paths") or ()]
    if f.get("default_backend"):
        backends.append(f["default_backend"])
    checked: set[str] = set()
    for backend in backends:
        name = backend.get("service")
        if not name or name in checked:
            continue
        checked.add(str(name))
        svc = view.get("service", ing.namespace, str(name))
        where = f"{backend.get('path') or '(default backend)'} → {name}:{backend.get('port')}"
        if svc is None:
            if view.loaded("service"):
                out.append(
                    finding(
                        ing,
                        "critical",
                        "BackendServiceNotFound",
                        en=f"routes to Service {name}, which does not exist",
                        zh=f"路由到的 Service {name} 不存在",
                        hint_en=f"Create Service {name} or point the rule at an existing one.",
                        hint_zh=f"创建 Service {name}，或让规则指向已有的 Service。",
                        evidence=[where],
                        parent=parent,
                    )
                )
            continue
        port = backend.get("port")
        ports = svc.fields.get("ports") or []
        if port is not None and ports and not any(port in (p.get("port"), p.get("name")) for p in ports):
            out.append(
                finding(
                    ing,
                    "warning",
                    "BackendPortNotFound",
                    en=f"routes to port {port} of Service {name}, which has no such port",
                    zh=f"路由到 Service {name} 的端口 {port}，但该 Service 没有这个端口",
                    hint_en="Use one of the Service's ports.",
                    hint_zh="使用该 Service 已有的端口。",
                    evidence=[where, "service ports: " + ", ".join(str(p.get("port")) for p in ports)],
                    parent=parent,
                )
            )
        endpoints = view.get("endpoints", ing.namespace, str(name))
        below = analyze_service(view, svc, parent=me)
        no_pods = any(x["reason"] == "SelectorMatchesNoPods" for x in below)
        if (endpoints is not None and int(endpoints.fields.get("ready_count") or 0) == 0) or no_pods:
            out.append(
                finding(
                    ing,
                    "critical",
                    "BackendNoReadyEndpoints",
                    en=f"routes to Service {name}, which has no ready endpoint",
                    zh=f"路由到的 Service {name} 没有就绪的端点",
                    hint_en="The Service's findings, listed under it, say why no pod serves it.",
                    hint_zh="其下列出的 Service 问题说明了为什么没有 pod 提供服务。",
                    evidence=[where],
                    parent=parent,
                )
            )
        out += below
    for secret in f.get("tls_secrets") or ():
        if view.loaded("secret") and view.get("secret", ing.namespace, str(secret)) is None:
            out.append(
                finding(
                    ing,
                    "warning",
                    "TLSSecretNotFound",
                    en=f"uses TLS Secret {secret}, which does not exist",
                    zh=f"使用的 TLS Secret {secret} 不存在",
                    hint_en=f"Create Secret {secret} (type kubernetes.io/tls) or fix the name.",
                    hint_zh=f"创建 Secret {secret}（类型 kubernetes.io/tls），或修正名称。",
                    parent=parent,
                )
            )
    return out
