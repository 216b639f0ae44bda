"""Records from the reduced shapes servers print instead of full objects: tables and summaries.

kubectl-style tables (kubernetes-mcp-server's table mode), the flat JSON objects of k8s-mcp
(``{"success": true, "pods": [...]}``) and mcp-server-kubernetes (``{"items": [{name, kind,
status, createdAt}]}``, ``{"events": [...]}``), and kubernetes-mcp-server's event list (keys
in Go's field case: ``InvolvedObject``, ``Reason``...) all carry fewer fields than an object;
each is mapped to the same field keys as :func:`kcache.parsing.objects.to_resource` uses, and
only the keys named here are copied.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any

from kcache.errors import ParseError
from kcache.model import KINDS, Resource
from kcache.parsing.decode import excerpt
from kcache.parsing.objects import canonical_kind, filter_annotations, node_roles, string_map

_NONE_CELLS = frozenset({"", "<none>", "<unknown>", "<nil>"})
# Go's default time format, as kubernetes-mcp-server prints event times.
_GO_UTC_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.\d+)? \+0000 UTC$")


def parse_labels(cell: str) -> dict[str, str]:
    """Labels or a selector as kubectl prints them: ``a=b,c=d`` or ``<none>``."""
    if cell.strip() in _NONE_CELLS:
        return {}
    labels: dict[str, str] = {}
    for pair in cell.split(","):
        key, sep, value = pair.strip().partition("=")
        if not key or not sep:
            raise ParseError(f"expected labels as key=value pairs, got {excerpt(cell)}")
        labels[key] = value
    return labels


def from_table_row(row: Mapping[str, str], kind: str) -> Resource | None:
    """A record from one table row, or None when its KIND column names another kind.

    Raises:
        ParseError: The row has no name.
    """
    row_kind = row.get("KIND", "")
    if row_kind and canonical_kind(row_kind) != kind:
        return None
    name = row.get("NAME", "").strip()
    # kubectl marks the default storage class in the NAME cell itself.
    is_default = name.endswith(" (default)")
    name = name.removesuffix(" (default)")
    if not name:
        raise ParseError(f"expected a NAME cell in every table row, got {excerpt(str(dict(row)))}")
    cells = {column: _cell(value) for column, value in row.items()}
    labels = parse_labels(row.get("LABELS", ""))
    fields = _TABLE_FIELDS.get(kind, _no_table_fields)(cells)
    if kind == "node" and "roles" not in fields:
        fields["roles"] = node_roles(labels)
    if kind == "storageclass":
        fields["is_default"] = is_default
    return Resource(
        kind=kind,
        name=name,
        namespace=cells.get("NAMESPACE") if KINDS[kind] else None,
        labels=labels,
        fields={key: value for key, value in fields.items() if value is not None},
    )


def from_summary(item: Mapping[str, Any], kind: str) -> Resource | None:
    """A record from a flat summary object, or None when it names another kind explicitly.

    Raises:
        ParseError: The summary has no name (events excepted, which get a stable one).
    """
    item_kind = item.get("kind")
    if isinstance(item_kind, str) and item_kind and canonical_kind(item_kind) != kind:
        return None
    if kind == "event":
        return _event_summary(item)
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise ParseError(f"expected a {kind} summary with a name, got {excerpt(str(item))}")
    fields: dict[str, Any] = {}
    for field, keys in _SUMMARY_KEYS.get(kind, {}).items():
        value = _first(item, keys)
        if value is not None:
            fields[field] = value
    if kind == "node" and "internal_ip" not in fields:
        addresses = item.get("addresses")
        if isinstance(addresses, list) and addresses and isinstance(addresses[0], str):
            fields["internal_ip"] = addresses[0]
    if "status" not in fields and isinstance(item.get("status"), str):
        fields["status"] = item["status"]
    namespace = item.get("namespace")
    labels = item.get("labels")
    annotations = item.get("annotations")
    created = _first(item, ("createdAt", "creationTimestamp", "created_at", "created"))
    kept = filter_annotations(annotations) if isinstance(annotations, dict) else {}
    if kind == "secret":
        kept = dict.fromkeys(kept, "")  # as for its data: key names only
    return Resource(
        kind=kind,
        name=name,
        namespace=str(namespace) if KINDS[kind] and namespace else None,
        labels=string_map(labels) if isinstance(labels, dict) else {},
        annotations=kept,
        created_at=str(created) if created is not None else None,
        fields=fields,
    )


def event_name(fields: Mapping[str, Any]) -> str:
    """A stable name for an event served without one: its object's name and a digest.

    The digest covers what identifies one event (object, reason, first time, message), not
    its count or last time, so the same event keeps its name across scans.
    """
    identity = "\x1f".join(
        str(fields.get(key) or "")
        for key in (
            "involved_kind",
            "involved_namespace",
            "involved_name",
            "reason",
            "first_timestamp",
            "message",
        )
    )
    digest = hashlib.sha256(identity.encode()).hexdigest()[:12]
    return f"{fields.get('involved_name') or 'event'}.{digest}"


def _event_summary(item: Mapping[str, Any]) -> Resource:
    # kubernetes-mcp-server prints Go field names (InvolvedObject, Reason); others camelCase.
    lowered = {str(key).lower(): value for key, value in item.items()}
    involved_raw = lowered.get("involvedobject") or lowered.get("regarding") or {}
    involved = (
        {str(key).lower(): value for key, value in involved_raw.items()}
        if isinstance(involved_raw, dict)
        else {}
    )
    single_time = _first(lowered, ("timestamp", "eventtime", "time"))
    count = lowered.get("count")
    fields: dict[str, Any] = {
        "type": _str(lowered.get("type")),
        "reason": _str(lowered.get("reason")),
        "message": _str(lowered.get("message")),
        "count": count if isinstance(count, int) and count > 0 else 1,
        "involved_kind": canonical_kind(str(involved["kind"])) if involved.get("kind") else None,
        "involved_name": _str(involved.get("name")),
        "involved_namespace": _str(involved.get("namespace") or lowered.get("namespace")),
        "first_timestamp": _time(lowered.get("firsttimestamp") or single_time),
        "last_timestamp": _time(lowered.get("lasttimestamp") or single_time),
        "source": _str(lowered.get("source"))
        if not isinstance(lowered.get("source"), dict)
        else _str(lowered["source"].get("component")),
    }
    name = lowered.get("name")
    namespace = lowered.get("namespace") or fields["involved_namespace"]
    return Resource(
        kind="event",
        name=name if isinstance(name, str) and name else event_name(fields),
        namespace=str(namespace) if namespace else None,
        fields=fields,
    )


_SUMMARY_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "pod": {
        "status": ("status",),
        "phase": ("phase",),
        "pod_ip": ("ip", "podIP", "pod_ip"),
        "node_name": ("node", "nodeName", "node_name"),
        "ready": ("ready",),
        "restarts": ("restarts", "restartCount"),
    },
    "node": {
        "status": ("status",),
        "internal_ip": ("internalIP", "internal_ip"),
        "kubelet_version": ("version", "kubeletVersion", "kubelet_version"),
        "roles": ("roles",),
    },
    "namespace": {"status": ("status", "phase")},
    "service": {
        "type": ("type",),
        "cluster_ip": ("clusterIP", "cluster_ip"),
        "external_ip": ("externalIP", "external_ip"),
    },
    "secret": {"type": ("type",)},
    **{
        workload: {
            "replicas": ("replicas", "desired"),
            "ready_replicas": ("ready", "readyReplicas", "ready_replicas"),
            "available_replicas": ("available", "availableReplicas", "available_replicas"),
            "updated_replicas": ("updated", "updatedReplicas", "upToDate", "updated_replicas"),
        }
        for workload in ("deployment", "statefulset", "replicaset")
    },
}


def _table_pod(cells: Mapping[str, str | None]) -> dict[str, Any]:
    restarts = cells.get("RESTARTS")
    return {
        "status": cells.get("STATUS"),
        "ready": cells.get("READY"),
        # kubectl appends the time of the last restart: "3 (5m ago)".
        "restarts": _int(restarts.split()[0]) if restarts else None,
        "pod_ip": cells.get("IP"),
        "node_name": cells.get("NODE"),
    }


def _table_node(cells: Mapping[str, str | None]) -> dict[str, Any]:
    roles = cells.get("ROLES")
    fields: dict[str, Any] = {
        "status": cells.get("STATUS"),
        "kubelet_version": cells.get("VERSION"),
        "internal_ip": cells.get("INTERNAL-IP"),
        "os_image": cells.get("OS-IMAGE"),
    }
    if "ROLES" in cells:
        fields["roles"] = sorted(roles.split(",")) if roles else []
    return fields


def _table_workload(cells: Mapping[str, str | None]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "updated_replicas": _int(cells.get("UP-TO-DATE")),
        "available_replicas": _int(cells.get("AVAILABLE")),
    }
    ready = cells.get("READY")
    if ready and "/" in ready:
        have, _, want = ready.partition("/")
        fields["ready_replicas"] = _int(have)
        fields["replicas"] = _int(want)
    else:
        fields["ready_replicas"] = _int(ready)
        fields["replicas"] = _int(cells.get("DESIRED"))
        fields["current_replicas"] = _int(cells.get("CURRENT"))
    if cells.get("SELECTOR"):
        fields["selector"] = parse_labels(cells["SELECTOR"] or "")
    names, images = cells.get("CONTAINERS"), cells.get("IMAGES")
    if names and images:
        fields["containers"] = [
            {"name": name, "image": image}
            for name, image in zip(names.split(","), images.split(","), strict=False)
        ]
    return fields


def _table_daemonset(cells: Mapping[str, str | None]) -> dict[str, Any]:
    return {
        "desired": _int(cells.get("DESIRED")),
        "current": _int(cells.get("CURRENT")),
        "ready": _int(cells.get("READY")),
        "updated": _int(cells.get("UP-TO-DATE")),
        "available": _int(cells.get("AVAILABLE")),
    }


def _table_service(cells: Mapping[str, str | None]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "type": cells.get("TYPE"),
        "cluster_ip": cells.get("CLUSTER-IP"),
        "external_ip": cells.get("EXTERNAL-IP"),
    }
    if cells.get("PORT(S)"):
        ports = []
        for spec in (cells["PORT(S)"] or "").split(","):
            numbers, _, protocol = spec.partition("/")
            port, _, node_port = numbers.partition(":")
            ports.append(
                {
                    "name": None,
                    "port": _int(port),
                    "target_port": None,
                    "protocol": protocol or "TCP",
                    "node_port": _int(node_port),
                }
            )
        fields["ports"] = ports
    if cells.get("SELECTOR"):
        fields["selector"] = parse_labels(cells["SELECTOR"] or "")
    return fields


def _table_status_only(cells: Mapping[str, str | None]) -> dict[str, Any]:
    return {"status": cells.get("STATUS")}


def _table_pvc(cells: Mapping[str, str | None]) -> dict[str, Any]:
    return {
        "status": cells.get("STATUS"),
        "volume": cells.get("VOLUME"),
        "capacity": cells.get("CAPACITY"),
        "storage_class": cells.get("STORAGECLASS"),
        "access_modes": (cells.get("ACCESS MODES") or "").split(",") if cells.get("ACCESS MODES") else None,
    }


def _table_pv(cells: Mapping[str, str | None]) -> dict[str, Any]:
    return {
        "status": cells.get("STATUS"),
        "capacity": cells.get("CAPACITY"),
        "storage_class": cells.get("STORAGECLASS"),
        "claim": cells.get("CLAIM"),
        "reclaim_policy": cells.get("RECLAIM POLICY"),
    }


def _table_storageclass(cells: Mapping[str, str | None]) -> dict[str, Any]:
    return {
        "provisioner": cells.get("PROVISIONER"),
        "reclaim_policy": cells.get("RECLAIMPOLICY"),
        "volume_binding_mode": cells.get("VOLUMEBINDINGMODE"),
    }


def _table_secret(cells: Mapping[str, str | None]) -> dict[str, Any]:
    return {"type": cells.get("TYPE")}


def _table_ingress(cells: Mapping[str, str | None]) -> dict[str, Any]:
    hosts = cells.get("HOSTS")
    return {
        "class_name": cells.get("CLASS"),
        "hosts": [h for h in hosts.split(",") if h != "*"] if hosts else None,
    }


def _table_job(cells: Mapping[str, str | None]) -> dict[str, Any]:
    return {"status": cells.get("STATUS")}


def _table_cronjob(cells: Mapping[str, str | None]) -> dict[str, Any]:
    suspend = cells.get("SUSPEND")
    return {
        "schedule": cells.get("SCHEDULE"),
        "suspend": suspend.lower() == "true" if suspend else None,
        "active": _int(cells.get("ACTIVE")),
    }


def _no_table_fields(cells: Mapping[str, str | None]) -> dict[str, Any]:
    return {}


_TABLE_FIELDS: dict[str, Callable[[Mapping[str, str | None]], dict[str, Any]]] = {
    "pod": _table_pod,
    "node": _table_node,
    "namespace": _table_status_only,
    "deployment": _table_workload,
    "statefulset": _table_workload,
    "replicaset": _table_workload,
    "daemonset": _table_daemonset,
    "service": _table_service,
    "persistentvolumeclaim": _table_pvc,
    "persistentvolume": _table_pv,
    "storageclass": _table_storageclass,
    "secret": _table_secret,
    "ingress": _table_ingress,
    "job": _table_job,
    "cronjob": _table_cronjob,
}


def _cell(value: str) -> str | None:
    stripped = value.strip()
    return None if stripped in _NONE_CELLS else stripped


def _first(item: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    """The first of ``keys`` holding a scalar or list of scalars; nested objects are skipped."""
    for key in keys:
        value = item.get(key)
        if isinstance(value, str | int | float | bool):
            return value
        if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
            return value
    return None


def _str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _time(value: Any) -> str | None:
    """A timestamp as RFC 3339, the way the API serves them, when it is in Go's UTC format."""
    text = _str(value)
    match = _GO_UTC_TIME.match(text) if text else None
    return f"{match.group(1)}T{match.group(2)}Z" if match else text


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None
