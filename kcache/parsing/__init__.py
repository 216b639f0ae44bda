"""Turn Kubernetes MCP tool output into cache records (:class:`kcache.model.Resource`).

Tool output is text: YAML (kubernetes-mcp-server with ``--list-output yaml``), JSON (kubectl
``-o json``, k8s-mcp, mcp-server-kubernetes summaries), or a kubectl-style table. A server's
``structuredContent`` is used first when given. Output that cannot be parsed raises
:class:`kcache.errors.ParseError` naming what was expected and quoting the bad text; an
empty string is such an error, while YAML ``[]`` is an empty list.

``Resource.fields`` keys per kind (tables and summaries fill the subset they carry):

- a container (pods, and workloads' pod templates): name, image, ports [{name,
  container_port, protocol}], and when set requests, limits, readiness_probe /
  liveness_probe / startup_probe {type, target} (an exec probe keeps no command); a pod's
  containers add ready, restart_count, state, reason, last_state_reason, last_exit_code,
  and when set message (waiting only), exit_code (terminated), last_finished_at
- a pod spec (pods and templates), each only when not empty: volumes [{name, type, ref}],
  refs [{kind, name, via, optional, key?}] (the ConfigMaps, Secrets and claims it names),
  node_selector, tolerations [{key, operator, value, effect}]
- conditions (pod, node, workloads, job, pvc): [{type, status, reason?, message?}]
- owners [{kind, name, controller}]: every owner reference, when there is more than the
  controller (which is ``owner_kind``/``owner_name``)
- pod: status (kubectl STATUS), phase, node_name, pod_ip, ready ("1/1"), restarts,
  containers, conditions, start_time, qos_class, the pod spec's keys, and when set
  init_containers, reason, message (an eviction's)
- node: status, roles, capacity, allocatable, taints [{key, value, effect}],
  kubelet_version, os_image, internal_ip, unschedulable, conditions
- service: type, cluster_ip, external_ip, ports [{name, port, target_port, protocol,
  node_port}], selector
- namespace: status
- deployment, statefulset, replicaset: replicas, ready_replicas, available_replicas,
  updated_replicas, current_replicas, unavailable_replicas, selector, conditions,
  containers, and the template's init_containers and pod spec keys when set
- daemonset: desired, current, ready, updated, available, misscheduled, unavailable,
  selector, conditions, containers, and the template's keys as above
- job: status, completions, parallelism, succeeded, failed, active, start_time,
  completion_time, backoff_limit, active_deadline_seconds, suspend, conditions, template
  keys; cronjob: schedule, suspend, active, last_schedule_time, last_successful_time,
  active_jobs, template keys
- configmap: keys; secret: type, keys (names only, never values)
- event: type, reason, message, count, involved_kind, involved_name, involved_namespace,
  first_timestamp, last_timestamp, source
- ingress: class_name, hosts, rules [{host, paths [{path, path_type, service, port,
  resource}]}], default_backend, tls_hosts, tls_secrets, addresses
- persistentvolumeclaim: status, volume, storage_class, capacity, requested, access_modes,
  volume_mode, conditions
- persistentvolume: status, capacity, storage_class, claim, reclaim_policy, access_modes
- storageclass: provisioner, reclaim_policy, volume_binding_mode, is_default
- resourcequota: hard, used; endpoints: addresses, not_ready_addresses, ready_count,
  not_ready_count, target_pods, ports
- serviceaccount: none
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from kcache.errors import ParseError
from kcache.model import API_KINDS, KINDS, Resource
from kcache.parsing.decode import Table, decode, excerpt
from kcache.parsing.objects import canonical_kind, node_status, pod_status, to_resource
from kcache.parsing.shapes import from_summary, from_table_row

__all__ = [
    "canonical_kind",
    "detect_tool_error",
    "node_status",
    "parse_list",
    "parse_object",
    "pod_status",
    "to_resource",
]

# First lines of the errors servers return in-band: kubernetes-mcp-server ("failed to get
# pod ..."), kubectl through mcp-server-kubernetes ("Error from server (NotFound): ...").
_ERROR_LINE = re.compile(
    r"^(?:failed to |error from server|error: |unable to |forbidden: |"
    r"the server (?:could not find|doesn't have)|no matches for kind )",
    re.IGNORECASE,
)


def parse_list(
    text: str, *, kind: str, structured: dict[str, Any] | None = None, skipped: list[str] | None = None
) -> list[Resource]:
    """Parse a list tool's output into records of one canonical kind.

    Items that say they are another kind (a mixed list) are skipped; items that do not say
    are taken as ``kind``.

    Args:
        text: The tool's text output.
        kind: Canonical kind, a key of :data:`kcache.model.KINDS`.
        structured: The server's ``structuredContent``, used first when given.
        skipped: When given, an item that cannot be parsed is left out and its error
            appended here, instead of failing the whole list.

    Raises:
        ParseError: Neither ``structured`` nor ``text`` holds a list of that kind.
        ValueError: ``kind`` is not a canonical kind.
    """
    _check_kind(kind)
    expected = (
        f"a list of {API_KINDS[kind][1]} objects (a YAML or JSON list, a List with items, "
        "or a table with a header row)"
    )
    if structured is not None:
        try:
            return _records(structured, kind, expected, text, skipped)
        except ParseError:
            if not text.strip():
                raise
    if len(text) > _CHUNKED_ABOVE and text.startswith("- "):
        chunked = _chunked_records(text, kind, expected, skipped)
        if chunked is not None:
            return chunked
    return _records(decode(text, expected=expected), kind, expected, text, skipped)


# A YAML list at the root larger than this is read a few hundred items at a time, so the
# parsed dicts of a 10,000-pod listing (ten times the text's size) never exist all at once.
_CHUNKED_ABOVE = 2_000_000
_CHUNK_ITEMS = 500
_ROOT_ITEM = re.compile(r"^- ", re.MULTILINE)


def _chunked_records(
    text: str, kind: str, expected: str, skipped: list[str] | None = None
) -> list[Resource] | None:
    """Records of a root-level YAML list read in chunks; None when a chunk is not plain YAML."""
    starts = [m.start() for m in _ROOT_ITEM.finditer(text)]
    records: list[Resource] = []
    for first in range(0, len(starts), _CHUNK_ITEMS):
        end = starts[first + _CHUNK_ITEMS] if first + _CHUNK_ITEMS < len(starts) else len(text)
        try:
            data = decode(text[starts[first] : end], expected=expected)
        except ParseError:
            return None  # the whole text gets the ordinary path and its error message
        if not isinstance(data, list):
            return None
        records.extend(_each(data, lambda item: _item_record(item, kind, expected), skipped))
    return records


def parse_object(text: str, *, kind: str, structured: dict[str, Any] | None = None) -> Resource:
    """Parse a get tool's output (one object) into a record.

    Args:
        text: The tool's text output.
        kind: Canonical kind, a key of :data:`kcache.model.KINDS`.
        structured: The server's ``structuredContent``, used first when given.

    Raises:
        ParseError: The output does not hold exactly one object of that kind.
        ValueError: ``kind`` is not a canonical kind.
    """
    _check_kind(kind)
    expected = f"one {API_KINDS[kind][1]} object (YAML, JSON or a one-row table)"
    if structured is not None:
        try:
            return _single(structured, kind, expected, text)
        except ParseError:
            if not text.strip():
                raise
    return _single(decode(text, expected=expected), kind, expected, text)


def detect_tool_error(text: str) -> str | None:
    """The server's error message when a tool's output is an in-band error, else None.

    Recognises kubernetes-mcp-server's ``failed to ...`` texts, kubectl's ``Error from
    server ...`` as relayed by mcp-server-kubernetes, its ``{"error": ..., "status":
    "not_found"}`` objects, and k8s-mcp's ``{"success": false, "error": ...}``.
    """
    stripped = text.strip()
    if not stripped:
        return None
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            return None
        return _error_in(data) if isinstance(data, dict) else None
    return stripped if _ERROR_LINE.match(stripped) else None


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(KINDS)}")


def _error_in(data: dict[str, Any]) -> str | None:
    if data.get("success") is False:
        return str(data.get("error") or data.get("message") or "success: false")
    if "error" in data and "items" not in data and "metadata" not in data:
        return str(data["error"])
    return None


def _records(
    data: Any, kind: str, expected: str, text: str, skipped: list[str] | None = None
) -> list[Resource]:
    if isinstance(data, Table):
        return _each(data.rows, lambda row: from_table_row(row, kind), skipped)
    return _each(_items(data, kind, expected, text), lambda item: _item_record(item, kind, expected), skipped)


def _each(
    items: Iterable[Any], record: Callable[[Any], Resource | None], skipped: list[str] | None
) -> list[Resource]:
    """The records of items; a bad item raises, or is counted in ``skipped`` when given."""
    records = []
    for item in items:
        try:
            made = record(item)
        except ParseError as exc:
            if skipped is None:
                raise
            skipped.append(str(exc))
            continue
        if made is not None:
            records.append(made)
    return records


def _items(data: Any, kind: str, expected: str, text: str) -> list[Any]:
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise ParseError(f"expected {expected}, got {excerpt(text or str(data))}")
    failure = _error_in(data)
    if failure is not None:
        raise ParseError(f"expected {expected}, got an error report: {excerpt(failure)}")
    if "items" in data:
        items = data["items"]
        if items is None:
            return []
        if isinstance(items, list):
            return items
        raise ParseError(f"expected {expected}, got items of type {type(items).__name__}")
    if isinstance(data.get("metadata"), dict):
        return [data]
    # k8s-mcp and mcp-server-kubernetes name the list after the kind: "pods", "events".
    for key, value in data.items():
        if isinstance(value, list) and canonical_kind(str(key)) == kind:
            return value
    if isinstance(data.get("result"), list):
        return list(data["result"])
    # A report with exactly one list ("quotas" for resource quotas): that list is the items.
    lists = [value for value in data.values() if isinstance(value, list)]
    if len(lists) == 1:
        return list(lists[0])
    raise ParseError(
        f"expected {expected}, got an object with keys {sorted(str(k) for k in data)[:10]}: "
        f"{excerpt(text or str(data))}"
    )


def _item_record(item: Any, kind: str, expected: str) -> Resource | None:
    if isinstance(item, str) and item:
        return Resource(kind=kind, name=item)
    if not isinstance(item, dict):
        raise ParseError(f"expected {expected}, got an item {excerpt(str(item))}")
    if isinstance(item.get("metadata"), dict):
        declared = item.get("kind")
        if isinstance(declared, str) and declared and canonical_kind(declared) != kind:
            return None
        return to_resource(item, kind)
    return from_summary(item, kind)


def _single(data: Any, kind: str, expected: str, text: str) -> Resource:
    if isinstance(data, dict):
        failure = _error_in(data)
        if failure is not None:
            raise ParseError(f"expected {expected}, got an error report: {excerpt(failure)}")
        if isinstance(data.get("metadata"), dict) and "items" not in data:
            return to_resource(data, kind)
        for key, value in data.items():
            if isinstance(value, dict) and canonical_kind(str(key)) == kind:
                return _single(value, kind, expected, text)
        if "name" in data:
            record = from_summary(data, kind)
            if record is None:
                raise ParseError(f"expected {expected}, got kind {data.get('kind')!r}")
            return record
    records = _records(data, kind, expected, text)
    if len(records) != 1:
        raise ParseError(f"expected {expected}, got {len(records)} records: {excerpt(text or str(data))}")
    return records[0]
