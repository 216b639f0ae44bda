"""What a write tool call acts on, whether that is what the user asked, and what it changes.

A write runs only when its target (kind, namespace, name) is the object resolved from the
user's request, by exact match, and its value (replicas) is the resolved one. The model's
arguments are checked against that, never trusted: text inside a cluster object can steer a
model, it cannot steer this check.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from kcache.kinds import API_KINDS, KINDS, changed_by_write, kind_of_word
from kcache.registry.capability import ToolCapability
from kcache.state import Plan, Resolution, Target, Understanding

#: Operations that change the cluster.
WRITE_OPERATIONS = ("delete", "scale", "exec", "restart", "cordon", "uncordon", "update", "create")

#: Kinds a create makes from a request, as ``kubectl create namespace|configmap|deployment`` does:
#: kcache builds the whole manifest, and the applied one must equal it.
CREATES = ("namespace", "configmap", "deployment")

#: Writes done as a server-side apply of a small manifest kcache builds (no tool does them as
#: such): operation → (the kinds it applies to, the fields it sets). Nothing else is applied.
PATCHES: dict[str, tuple[tuple[str, ...], str]] = {
    "restart": (
        ("deployment", "statefulset", "daemonset"),
        "spec.template.metadata.annotations[kubectl.kubernetes.io/restartedAt]",
    ),
    "cordon": (("node",), "spec.unschedulable=true"),
    "uncordon": (("node",), "spec.unschedulable=false"),
    # kubectl patch/edit of a ConfigMap's keys: the keys the request sets, no others (server-side
    # apply merges them into the stored data, the other keys stay).
    "update": (("configmap",), "data[<the keys set>]"),
}
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"


def patch_manifest(
    operation: str,
    kind: str,
    namespace: str | None,
    name: str,
    *,
    now: str,
    data: Sequence[Sequence[str]] = (),
) -> dict[str, Any]:
    """The manifest a patch operation applies: identity plus the fields it sets.

    ``now`` is the restart's timestamp (RFC 3339), as ``kubectl rollout restart`` writes it;
    ``data`` the ConfigMap keys and values an update sets.
    """
    api_version, api_kind = API_KINDS[kind]
    meta: dict[str, Any] = {"name": name, **({"namespace": namespace} if namespace else {})}
    manifest: dict[str, Any] = {"apiVersion": api_version, "kind": api_kind, "metadata": meta}
    if operation == "restart":
        manifest["spec"] = {"template": {"metadata": {"annotations": {RESTARTED_AT: now}}}}
    elif operation in ("cordon", "uncordon"):
        manifest["spec"] = {"unschedulable": operation == "cordon"}
    elif operation == "update":
        if kind not in PATCHES["update"][0] or not data:
            raise ValueError("an update sets the keys of a ConfigMap, and needs at least one key=value")
        manifest["data"] = {str(k): str(v) for k, v in data}
    else:
        raise ValueError(f"{operation!r} is not a patch operation; expected one of {sorted(PATCHES)}")
    return manifest


def create_manifest(
    kind: str,
    namespace: str | None,
    name: str,
    *,
    data: Sequence[Sequence[str]] = (),
    image: str | None = None,
    replicas: int | None = None,
) -> dict[str, Any]:
    """The manifest a create applies, as kubectl create builds it.

    A Namespace; a ConfigMap with ``data``; a Deployment of ``replicas`` (default 1) pods of one
    container running ``image``, selected by ``app=<name>``.
    """
    if kind not in CREATES:
        raise ValueError(f"kcache creates {', '.join(CREATES)}, not a {kind}")
    api_version, api_kind = API_KINDS[kind]
    meta: dict[str, Any] = {
        "name": name,
        **({"namespace": namespace} if namespace and kind != "namespace" else {}),
    }
    manifest: dict[str, Any] = {"apiVersion": api_version, "kind": api_kind, "metadata": meta}
    if kind == "configmap":
        manifest["data"] = {str(k): str(v) for k, v in data}
    elif kind == "deployment":
        if not image:
            raise ValueError("a Deployment needs the image its container runs")
        labels = {"app": name}
        manifest["metadata"]["labels"] = dict(labels)
        manifest["spec"] = {
            "replicas": 1 if replicas is None else int(replicas),
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {"containers": [{"name": name, "image": image}]},
            },
        }
    return manifest


#: Operations whose whole manifest kcache builds and applies (never the model's to write).
BUILT = (*PATCHES, "create")


def built_manifest(
    operation: str, target: Target, understanding: Understanding, *, now: str
) -> dict[str, Any]:
    """The manifest kcache applies for a patch or a create of ``target``, as the request says.

    Raises:
        ValueError: the operation builds no manifest, or a create lacks what it needs.
    """
    if operation == "create":
        return create_manifest(
            target["kind"],
            target["namespace"],
            target["name"],
            data=understanding.get("data") or (),
            image=understanding.get("image"),
            replicas=understanding.get("replicas"),
        )
    return patch_manifest(
        operation,
        target["kind"],
        target["namespace"],
        target["name"],
        now=now,
        data=understanding.get("data") or (),
    )


def _same_patch(applied: dict[str, Any], expected: dict[str, Any]) -> bool:
    """The applied manifest is the patch kcache built (the restart's timestamp may differ)."""

    def strip(m: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(json.dumps(m))
        annotations = (((out.get("spec") or {}).get("template") or {}).get("metadata") or {}).get(
            "annotations"
        )
        if isinstance(annotations, dict) and RESTARTED_AT in annotations:
            annotations[RESTARTED_AT] = "*"
        return out

    return strip(applied) == strip(expected)


#: How a target may be found for a write: named exactly, chosen by the user from candidates, or
#: new (the name a create gives the object it makes, which exists nowhere yet).
EXACT = ("exact", "chosen", "new")
#: Found through the workload the user named (its only pod): proposed, approved by a person only.
PROPOSED = ("workload",)


@dataclass(frozen=True, kw_only=True)
class CallTarget:
    """The object a tool call names, read from its arguments."""

    kind: str | None
    namespace: str | None
    name: str | None
    replicas: int | None = None
    context: str | None = None


def _manifest(text: Any) -> dict[str, Any]:
    if isinstance(text, dict):
        return text
    try:
        loaded = yaml.safe_load(str(text))
    except yaml.YAMLError:
        try:
            loaded = json.loads(str(text))
        except ValueError:
            return {}
    return loaded if isinstance(loaded, dict) else {}


def call_target(cap: ToolCapability, args: dict[str, Any]) -> CallTarget:
    """The kind, namespace, name and replicas a call of ``cap`` with ``args`` acts on."""

    def arg(canonical: str) -> Any:
        param = cap.tool_param(canonical)
        return args.get(param) if param else None

    kind: str | None = None
    namespace, name = arg("namespace"), arg("name")
    if (manifest_text := arg("manifest")) is not None:
        manifest = _manifest(manifest_text)
        meta = manifest.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        kind = kind_of_word(str(manifest.get("kind") or ""))
        namespace, name = meta.get("namespace", namespace), meta.get("name", name)
    elif (declared := arg("kind") or arg("resource_type")) is not None:
        kind = kind_of_word(str(declared))
    else:
        known = [k for k in cap.resource_types if k in KINDS]
        kind = known[0] if len(known) == 1 else None
    replicas = arg("replicas")
    try:
        count = int(replicas) if replicas is not None else None
    except (TypeError, ValueError):
        count = -1  # not a number: never equal to a resolved count
    return CallTarget(
        kind=kind,
        namespace=str(namespace) if namespace else None,
        name=str(name) if name else None,
        replicas=count,
        context=str(arg("context")) if arg("context") else None,
    )


def _shown(kind: str | None, namespace: str | None, name: str | None) -> str:
    return f"{kind or '?'} {namespace + '/' if namespace else ''}{name or '?'}"


def check_write(
    cap: ToolCapability,
    args: dict[str, Any],
    *,
    understanding: Understanding,
    resolved: Resolution,
    plan: Plan,
    context: str | None,
) -> str | None:
    """Why this write must not run (a sentence naming what differs), or None when it may.

    ``context`` is the kubeconfig context kcache talks to; a call naming another is rejected.
    """
    target = resolved.get("target")
    if understanding["intent"] != "action" or target is None:
        return "the request asked for no change to any object"
    got = call_target(cap, args)
    want = (target["kind"], target["namespace"] if KINDS.get(target["kind"]) else None, target["name"])
    have = (got.kind, got.namespace if got.kind and KINDS.get(got.kind) else None, got.name)
    if have != want:
        return f"the call acts on {_shown(*have)}, but the request is about {_shown(*want)}"
    operation = understanding["operation"]
    manifest = _manifest(args[param]) if (param := cap.tool_param("manifest")) and param in args else None
    if manifest is not None:
        if operation not in BUILT:
            return f"the call applies a manifest, but the request asks for a {operation}"
        try:
            expected = built_manifest(operation, target, understanding, now="*")
        except ValueError as exc:
            return str(exc)
        if operation == "create" and manifest != expected:
            return "the applied manifest is not the one the request describes"
        if operation != "create" and not _same_patch(manifest, expected):
            return f"the applied manifest sets more than the {operation} does ({PATCHES[operation][1]})"
    elif operation not in cap.operation_types:
        return f"the call does a {'/'.join(cap.operation_types)}, but the request asks for a {operation}"
    if got.context is not None and context is not None and got.context != context:
        return f"the call names cluster context {got.context!r}, but the request is for {context!r}"
    if "scale" in cap.operation_types:
        wanted = plan.get("params", {}).get("replicas")
        if wanted is None or got.replicas != int(wanted["value"]):
            shown = "none" if wanted is None else wanted["value"]
            return f"the call sets replicas to {got.replicas}, but the request asks for {shown}"
    if target["how"] not in (*EXACT, *PROPOSED):
        return f"{target['name']} is only a {target['how']} match; a write acts on an exact name"
    return None


def needs_person(resolved: Resolution) -> bool:
    """A write whose target was not named exactly (a workload's pod) is approved by a person only."""
    target = resolved.get("target")
    return target is None or target["how"] not in EXACT


def changed_scopes(
    cap: ToolCapability, args: dict[str, Any], fallback_kind: str
) -> list[tuple[str, str | None]]:
    """(kind, namespace) scopes a write touched: its kind and what a write to that kind changes."""
    got = call_target(cap, args)
    kinds = [got.kind] if got.kind else [k for k in cap.resource_types if k in KINDS] or [fallback_kind]
    scopes: list[tuple[str, str | None]] = []
    for kind in kinds:
        for k in changed_by_write(kind):
            if k in KINDS:
                scopes.append((k, got.namespace if KINDS[k] else None))
    return list(dict.fromkeys(scopes))
