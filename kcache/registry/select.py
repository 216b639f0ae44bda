"""Pick the few tools that fit a request and turn canonical parameters into their arguments.

Selection only reads the :class:`~kcache.registry.capability.ToolCapability` records, so
it treats every server alike. A read is only ever answered by a tool that does not write,
and a write only by one that does; a tool whose required parameters the request cannot
fill is left out. Among the rest, a tool made for the kind beats a generic one, a plain
name beats a qualified one (``get_pods`` over ``get_evicted_pods``), and a tool whose
scope matches the request beats one that merely accepts it.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kcache.errors import ToolSelectionError
from kcache.model import API_KINDS, KINDS
from kcache.registry.capability import (
    CANONICAL_PARAMS,
    CLUSTER,
    OPERATIONS,
    READ_OPERATIONS,
    ToolCapability,
    canonical_kind,
    name_qualifiers,
    plural,
)

#: Operations aimed at one named object: the tool must take a name.
_NAMED_OPERATIONS: frozenset[str] = frozenset(
    {"get", "logs", "describe", "delete", "scale", "exec", "patch", "update", "rollout", "events"}
)

#: Canonical parameters a request of each operation brings along.
_OPERATION_PARAMS: dict[str, frozenset[str]] = {
    "scale": frozenset({"replicas"}),
    "apply": frozenset({"manifest"}),
    "create": frozenset({"manifest", "image"}),
    "run": frozenset({"image"}),
    "exec": frozenset({"command"}),
}

#: Parameters that tune output only; a tool lacking them is still right.
_SOFT_PARAMS: frozenset[str] = frozenset({"tail", "previous", "container", "output"})


@dataclass(frozen=True)
class Selection:
    """One tool chosen for a request, with the arguments the request fixes for it."""

    tool: ToolCapability
    score: float
    fixed_args: dict[str, Any] = field(default_factory=dict)
    """Arguments that make the tool do this request (``kind: Deployment``)."""
    reason: str = ""


def _kind_args(cap: ToolCapability, kind: str) -> dict[str, Any] | None:
    """Arguments telling a generic tool which kind to act on, or None if it cannot."""
    api_param, kind_param = cap.tool_param("api_version"), cap.tool_param("kind")
    if kind_param is not None and kind in API_KINDS:
        api_version, api_kind = API_KINDS[kind]
        args: dict[str, Any] = {kind_param: api_kind}
        if api_param is not None:
            args[api_param] = api_version
        return args
    type_param = cap.tool_param("resource_type")
    if type_param is not None:
        enum = cap.input_schema.get("properties", {}).get(type_param, {}).get("enum")
        if enum:
            value = next((v for v in enum if canonical_kind(str(v)) == kind), None)
            return None if value is None else {type_param: value}
        return {type_param: plural(kind)}
    if "manifest" in cap.param_map.values():
        return {}
    return None


def select_tools(
    caps: list[ToolCapability],
    *,
    resource: str,
    operation: str,
    namespaced: bool | None = None,
    all_namespaces: bool = False,
    has_label_selector: bool = False,
    limit: int = 3,
) -> list[Selection]:
    """Rank the tools that can do ``operation`` on ``resource``, best first.

    Args:
        caps: The registry's tools.
        resource: A canonical kind (plural and short forms accepted) or ``cluster``.
        operation: A member of :data:`~kcache.registry.capability.OPERATIONS`.
        namespaced: True when the request names a namespace.
        all_namespaces: The request spans every namespace.
        has_label_selector: The request filters by labels, so the tool must take them.
        limit: How many tools to return at most.

    Returns:
        Up to ``limit`` selections; empty when no tool fits.

    Raises:
        ToolSelectionError: ``resource`` or ``operation`` is not one kcache knows.
    """
    kind = resource if resource == CLUSTER else canonical_kind(resource)
    if kind is None:
        raise ToolSelectionError(f"unknown resource type {resource!r}")
    if operation not in OPERATIONS:
        raise ToolSelectionError(f"unknown operation {operation!r}; expected one of {OPERATIONS}")
    is_read = operation in READ_OPERATIONS
    kind_namespaced = KINDS.get(kind, False)
    wants_namespace = bool(namespaced) and kind_namespaced and not all_namespaces

    available = {"resource_type", "kind", "api_version"} | _OPERATION_PARAMS.get(operation, frozenset())
    if wants_namespace:
        available.add("namespace")
    if operation in _NAMED_OPERATIONS:
        available.add("name")
    if has_label_selector:
        available.add("label_selector")
    if all_namespaces:
        available.add("all_namespaces")

    ranked: list[Selection] = []
    for cap in caps:
        if cap.writes == is_read or operation not in cap.operation_types:
            continue
        specific = kind in cap.resource_types
        if not specific and not (cap.is_generic and kind != CLUSTER):
            continue
        fixed: dict[str, Any] = {}
        kind_args = _kind_args(cap, kind) if kind != CLUSTER else None
        if not specific and kind_args is None:
            continue
        # kubectl_logs serves pods among other kinds: it too must be told which.
        fixed.update(kind_args or {})
        canonical = set(cap.param_map.values())
        unmet = [p for p in cap.required_params if p not in fixed and cap.param_map.get(p) not in available]
        if unmet:
            continue
        if operation in _NAMED_OPERATIONS and "name" not in canonical:
            continue
        if has_label_selector and "label_selector" not in canonical:
            continue
        if wants_namespace and "namespace" not in canonical:
            continue
        if all_namespaces and kind_namespaced:
            if cap.all_namespaces_param is None and cap.scope == "namespace":
                continue
        fixed = {**cap.fixed_args, **fixed}
        score, reasons = _score(cap, specific, wants_namespace, all_namespaces, kind_namespaced)
        ranked.append(Selection(tool=cap, score=score, fixed_args=fixed, reason="; ".join(reasons)))
    # More mapped parameters break ties: the tool can honour more of a request.
    ranked.sort(key=lambda s: (-s.score, -len(s.tool.param_map), s.tool.name))
    return ranked[: max(limit, 0)]


def _score(
    cap: ToolCapability,
    specific: bool,
    wants_namespace: bool,
    all_namespaces: bool,
    kind_namespaced: bool,
) -> tuple[float, list[str]]:
    score = 1.0
    reasons: list[str] = []
    if specific:
        # A tool for one kind beats one for several (pods_log over kubectl_logs).
        score += 2.0 + 1.0 / len(cap.resource_types)
        reasons.append(f"made for {', '.join(cap.resource_types)}")
    else:
        reasons.append("generic, kind passed as an argument")
    score += 1.0 / len(cap.operation_types)
    qualifiers = name_qualifiers(cap.name)
    if qualifiers:
        score -= 1.5 * len(qualifiers)
        reasons.append(f"narrowed by {', '.join(qualifiers)}")
    if cap.cache_friendly:
        score += 0.5
        reasons.append("cacheable output")
    if kind_namespaced and wants_namespace and cap.scope == "namespace":
        score += 0.5
        reasons.append("scoped to one namespace")
    if kind_namespaced and all_namespaces and cap.scope == "cluster":
        score += 0.5
        reasons.append("spans all namespaces")
    return round(score, 4), reasons


def _coerce(value: object, prop: Mapping[str, Any], param: str) -> object:
    """Convert a canonical value to the JSON type the tool's schema declares."""
    types = [prop.get("type")] if isinstance(prop.get("type"), str) else []
    for alt in prop.get("anyOf", []):
        if isinstance(alt, Mapping) and isinstance(alt.get("type"), str):
            types.append(alt["type"])
    target = next((t for t in types if t != "null"), None)
    try:
        if target == "integer":
            if isinstance(value, bool):
                raise ValueError("a boolean is not an integer")
            return int(str(value)) if not isinstance(value, int) else value
        if target == "number":
            if isinstance(value, bool):
                raise ValueError("a boolean is not a number")
            number = float(str(value))
            return int(number) if number.is_integer() else number
        if target == "boolean":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("true", "1", "yes"):
                return True
            if text in ("false", "0", "no"):
                return False
            raise ValueError("not a boolean")
        if target == "string":
            return value if isinstance(value, str) else str(value)
        if target == "array" and isinstance(value, str):
            return shlex.split(value)
    except ValueError as exc:
        raise ToolSelectionError(f"argument {param!r}={value!r} does not fit type {target!r}: {exc}") from exc
    return value


def build_args(selection: Selection, params: Mapping[str, object]) -> dict[str, object]:
    """Turn canonical parameters into the selected tool's own arguments.

    ``None`` values are left out. Output-only parameters the tool lacks (tail, container)
    are dropped; any other parameter it cannot take is an error, since leaving it out would
    answer a different question (a namespace ignored lists every namespace).

    Raises:
        ToolSelectionError: a parameter name is not canonical, the tool cannot take it, a
            value does not fit the schema, or a required argument is still missing.
    """
    cap = selection.tool
    props: Mapping[str, Any] = cap.input_schema.get("properties", {})
    args: dict[str, object] = dict(selection.fixed_args)
    all_ns = bool(params.get("all_namespaces"))
    for canonical, value in params.items():
        if canonical not in CANONICAL_PARAMS:
            raise ToolSelectionError(f"unknown canonical parameter {canonical!r}")
        if value is None or (canonical == "namespace" and all_ns):
            continue
        tool_param = cap.tool_param(canonical)
        if tool_param is None:
            if canonical in _SOFT_PARAMS or (canonical == "all_namespaces" and not value):
                continue
            if canonical == "all_namespaces" and cap.scope != "namespace":
                continue  # omitting the namespace already spans every namespace
            raise ToolSelectionError(f"tool {cap.name!r} takes no {canonical!r} argument")
        if tool_param in selection.fixed_args:
            continue
        args[tool_param] = _coerce(value, props.get(tool_param, {}), tool_param)
    # pods_top defaults all_namespaces to true: a namespace alone would be ignored.
    flag = cap.all_namespaces_param
    if flag is not None and flag not in args and params.get("namespace") and not all_ns:
        args[flag] = False
    missing = [p for p in cap.required_params if p not in args]
    if missing:
        raise ToolSelectionError(f"tool {cap.name!r} needs {missing}; got {sorted(params)}")
    return args
