"""Reduce full Kubernetes objects to cache records, keeping only each kind's whitelisted fields.

Everything not named here is dropped on purpose: a field reaches the cache only when a
function below copies it. That is what keeps secret values, container environment values
and last-applied-configuration annotations out of the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kcache.errors import ParseError
from kcache.kinds import kind_of_word
from kcache.model import API_KINDS, KINDS, Resource

#: Annotations never stored: kubectl's copy of the applied manifest (it holds whole objects,
#: secret data included), the emulator's instructions, and OpenShift's token copy.
_DROPPED_ANNOTATIONS = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        "openshift.io/token-secret.value",
    }
)
_DROPPED_ANNOTATION_PREFIXES = ("kcache.dev/",)


def canonical_kind(kind: str) -> str:
    """The canonical lowercase kind for an API kind, plural or short name (from :mod:`kcache.kinds`).

    Kinds the cache does not know (``HorizontalPodAutoscaler``) come back lowercased, so an
    event about them still names what it is about.
    """
    lowered = kind.strip().lower()
    return kind_of_word(lowered) or lowered


def filter_annotations(annotations: Mapping[str, Any]) -> dict[str, str]:
    """Annotations minus those the cache must never hold."""
    return {
        str(key): _text(value) or ""
        for key, value in annotations.items()
        if key not in _DROPPED_ANNOTATIONS and not str(key).startswith(_DROPPED_ANNOTATION_PREFIXES)
    }


def to_resource(obj: dict[str, Any], kind: str) -> Resource:
    """Turn one full Kubernetes object, as the API serves it, into a whitelisted record.

    Args:
        obj: The object (``apiVersion``, ``kind``, ``metadata``, ``spec``, ``status``).
        kind: Canonical kind the caller expects, a key of :data:`kcache.model.KINDS`.

    Raises:
        ParseError: The object has no ``metadata.name``, or says it is another kind.
        ValueError: ``kind`` is not a canonical kind.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(KINDS)}")
    declared = obj.get("kind")
    if isinstance(declared, str) and declared and canonical_kind(declared) != kind:
        raise ParseError(f"expected a {API_KINDS[kind][1]} object, got kind {declared!r}")
    meta = _map(obj, "metadata")
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        raise ParseError(
            f"expected a {API_KINDS[kind][1]} object with metadata.name, got metadata "
            f"keys {sorted(str(key) for key in meta)}"
        )
    owner_kind, owner_name = _controller(meta)
    fields = _FIELDS[kind](obj)
    owners = _owners(meta)
    # The controller alone is already owner_kind/owner_name; other owners are kept here.
    if owners and not (len(owners) == 1 and owners[0]["controller"]):
        fields["owners"] = owners
    annotations = filter_annotations(_as_map(meta.get("annotations")))
    if kind == "secret":
        # A Secret's annotations may carry what its data does (tokens, copies): keys only.
        annotations = dict.fromkeys(annotations, "")
    return Resource(
        kind=kind,
        name=name,
        namespace=(_text(meta.get("namespace")) or None) if KINDS[kind] else None,
        labels=string_map(meta.get("labels")),
        annotations=annotations,
        owner_kind=owner_kind,
        owner_name=owner_name,
        created_at=_text(meta.get("creationTimestamp")),
        fields=fields,
    )


def pod_status(obj: dict[str, Any]) -> str:
    """What ``kubectl get pods`` prints in STATUS for a pod object."""
    return _pod_row(obj)[0]


def node_status(obj: dict[str, Any]) -> str:
    """What ``kubectl get nodes`` prints in STATUS: readiness, then SchedulingDisabled."""
    ready = "Unknown"
    for condition in _list(_map(obj, "status"), "conditions"):
        if isinstance(condition, dict) and condition.get("type") == "Ready":
            ready = "Ready" if condition.get("status") == "True" else "NotReady"
    if _map(obj, "spec").get("unschedulable") is True:
        return f"{ready},SchedulingDisabled"
    return ready


def node_roles(labels: Mapping[str, str]) -> list[str]:
    """Roles as kubectl shows them: ``node-role.kubernetes.io/<role>`` and ``kubernetes.io/role``."""
    roles: set[str] = set()
    for key, value in labels.items():
        if key.startswith("node-role.kubernetes.io/"):
            role = key.removeprefix("node-role.kubernetes.io/")
            if role:
                roles.add(role)
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return sorted(roles)


def string_map(value: Any) -> dict[str, str]:
    """A mapping of strings (labels, selectors, quantities), numbers rendered as text."""
    return {str(key): _text(item) or "" for key, item in _as_map(value).items()}


def _pod_row(obj: dict[str, Any]) -> tuple[str, str, int]:
    """STATUS, READY and RESTARTS as kubectl's pod printer derives them.

    Follows kubectl's order of precedence: the pod's own reason, scheduling gates, the first
    init container that has not succeeded, then app containers from last to first so the
    first container's state wins, and finally deletion.
    """
    spec = _map(obj, "spec")
    status = _map(obj, "status")
    meta = _map(obj, "metadata")
    phase = _text(status.get("phase")) or ""
    reason = _text(status.get("reason")) or phase
    for condition in _list(status, "conditions"):
        if (
            isinstance(condition, dict)
            and condition.get("type") == "PodScheduled"
            and condition.get("reason") == "SchedulingGated"
        ):
            reason = "SchedulingGated"

    init_specs = [c for c in _list(spec, "initContainers") if isinstance(c, dict)]
    sidecars = {c.get("name") for c in init_specs if c.get("restartPolicy") == "Always"}
    total = len(_list(spec, "containers")) + len(sidecars)
    ready = 0
    restarts = 0
    sidecar_restarts = 0
    initializing = False
    for index, container in enumerate(_list(status, "initContainerStatuses")):
        if not isinstance(container, dict):
            continue
        count = _int(container.get("restartCount"))
        restarts += count
        is_sidecar = container.get("name") in sidecars
        if is_sidecar:
            sidecar_restarts += count
        state = _map(container, "state")
        terminated = _map(state, "terminated")
        waiting = _map(state, "waiting")
        if terminated and _int(terminated.get("exitCode")) == 0:
            continue
        if is_sidecar and container.get("started") is True:
            if container.get("ready") is True:
                ready += 1
            continue
        if terminated:
            reason = "Init:" + _terminated_reason(terminated)
        elif waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            reason = f"Init:{waiting['reason']}"
        else:
            reason = f"Init:{index}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _condition_true(status, "Initialized"):
        restarts = sidecar_restarts
        has_running = False
        for container in reversed(_list(status, "containerStatuses")):
            if not isinstance(container, dict):
                continue
            restarts += _int(container.get("restartCount"))
            state = _map(container, "state")
            waiting = _map(state, "waiting")
            terminated = _map(state, "terminated")
            if waiting.get("reason"):
                reason = str(waiting["reason"])
            elif terminated:
                reason = _terminated_reason(terminated)
            elif container.get("ready") is True and "running" in state:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(status, "Ready") else "NotReady"

    if meta.get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            reason = "Terminating"
    return reason, f"{ready}/{total}", restarts


def _terminated_reason(terminated: Mapping[str, Any]) -> str:
    if terminated.get("reason"):
        return str(terminated["reason"])
    if _int(terminated.get("signal")):
        return f"Signal:{_int(terminated.get('signal'))}"
    return f"ExitCode:{_int(terminated.get('exitCode'))}"


def _condition_true(status: Mapping[str, Any], condition_type: str) -> bool:
    return any(
        isinstance(condition, dict)
        and condition.get("type") == condition_type
        and condition.get("status") == "True"
        for condition in _list(status, "conditions")
    )


def _pod_fields(obj: dict[str, Any]) -> dict[str, Any]:
    spec = _map(obj, "spec")
    status = _map(obj, "status")
    kubectl_status, ready, restarts = _pod_row(obj)
    pod_ips = [_as_map(ip).get("ip") for ip in _list(status, "podIPs")]
    fields: dict[str, Any] = {
        "status": kubectl_status,
        "phase": _text(status.get("phase")),
        "node_name": _text(spec.get("nodeName")),
        "pod_ip": _text(status.get("podIP")) or _text(next(iter(pod_ips), None)),
        "ready": ready,
        "restarts": restarts,
        "containers": _containers(_list(spec, "containers"), _list(status, "containerStatuses")),
        "conditions": _conditions(status),
        "start_time": _text(status.get("startTime")),
        "qos_class": _text(status.get("qosClass")),
        **_pod_spec_fields(spec),
    }
    init = _containers(_list(spec, "initContainers"), _list(status, "initContainerStatuses"))
    if init:
        fields["init_containers"] = init
    # An evicted pod's reason and message ("The node was low on resource: memory").
    if status.get("reason"):
        fields["reason"] = _text(status.get("reason"))
    if status.get("message"):
        fields["message"] = _short(status.get("message"))
    return fields


def _containers(specs: list[Any], statuses: list[Any]) -> list[dict[str, Any]]:
    """Each container's spec (what :func:`_container_spec` keeps) merged with its status."""
    by_name = {c.get("name"): c for c in statuses if isinstance(c, dict)}
    out = []
    for container in specs:
        if not isinstance(container, dict):
            continue
        current = _as_map(by_name.get(container.get("name")))
        state = _as_map(current.get("state"))
        state_name = next((s for s in ("running", "waiting", "terminated") if s in state), None)
        detail = _as_map(state.get(state_name)) if state_name else {}
        last_terminated = _map(_map(current, "lastState"), "terminated")
        entry = {
            **_container_spec(container),
            "ready": current.get("ready") is True,
            "restart_count": _int(current.get("restartCount")),
            "state": state_name,
            "reason": _text(detail.get("reason")),
            "last_state_reason": _text(last_terminated.get("reason")),
            "last_exit_code": _int_or_none(last_terminated.get("exitCode")),
        }
        # Waiting messages are the kubelet's ("secret \"db\" not found"); a terminated
        # container's message is whatever the program wrote, so it is never kept.
        if state_name == "waiting" and detail.get("message"):
            entry["message"] = _short(detail.get("message"))
        if state_name == "terminated" and detail.get("exitCode") is not None:
            entry["exit_code"] = _int_or_none(detail.get("exitCode"))
        if last_terminated.get("finishedAt"):
            entry["last_finished_at"] = _text(last_terminated.get("finishedAt"))
        out.append(entry)
    return out


def _container_spec(container: Mapping[str, Any]) -> dict[str, Any]:
    """What a container's spec may tell the cache.

    Name, image, ports, resources and probe targets only: env values, command, args and exec
    probes' commands may carry secrets and are never read.
    """
    resources = _map(container, "resources")
    spec: dict[str, Any] = {
        "name": _text(container.get("name")),
        "image": _text(container.get("image")),
        "ports": [
            {
                "name": _text(port.get("name")),
                "container_port": _int_or_none(port.get("containerPort")),
                "protocol": _text(port.get("protocol")) or "TCP",
            }
            for port in _list(container, "ports")
            if isinstance(port, dict)
        ],
    }
    # Absent rather than empty: 10,000 pods' rows stay small.
    for key, value in (("requests", resources.get("requests")), ("limits", resources.get("limits"))):
        if _as_map(value):
            spec[key] = string_map(value)
    for key, probe in (
        ("readiness_probe", "readinessProbe"),
        ("liveness_probe", "livenessProbe"),
        ("startup_probe", "startupProbe"),
    ):
        found = _probe(container.get(probe))
        if found is not None:
            spec[key] = found
    return spec


def _probe(value: Any) -> dict[str, Any] | None:
    """A probe as its type and target (``httpGet :8080/healthz``); an exec probe's command is dropped."""
    probe = _as_map(value)
    if not probe:
        return None
    if "httpGet" in probe:
        http = _map(probe, "httpGet")
        return {
            "type": "httpGet",
            "target": f":{_port_text(http.get('port'))}{_text(http.get('path')) or '/'}",
        }
    if "tcpSocket" in probe:
        return {"type": "tcpSocket", "target": f":{_port_text(_map(probe, 'tcpSocket').get('port'))}"}
    if "grpc" in probe:
        return {"type": "grpc", "target": f":{_port_text(_map(probe, 'grpc').get('port'))}"}
    if "exec" in probe:
        return {"type": "exec", "target": None}
    return None


def _port_text(port: Any) -> str:
    return str(port) if isinstance(port, int | str) and not isinstance(port, bool) else "?"


def _pod_spec_fields(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Volumes and the objects a pod spec references (names only), placement constraints."""
    volumes = []
    refs: list[dict[str, Any]] = []

    def ref(kind: str, name: Any, via: str, optional: Any = None, key: Any = None) -> None:
        if isinstance(name, str) and name:
            entry: dict[str, Any] = {"kind": kind, "name": name, "via": via, "optional": optional is True}
            if isinstance(key, str):
                entry["key"] = key
            refs.append(entry)

    for volume in _list(spec, "volumes"):
        if not isinstance(volume, dict):
            continue
        vname = _text(volume.get("name"))
        source = next((k for k in volume if k != "name"), None)
        entry: dict[str, Any] = {"name": vname, "type": source, "ref": None}
        body = _map(volume, source) if source else {}
        if source == "configMap":
            entry["ref"] = _text(body.get("name"))
            ref("configmap", body.get("name"), f"volume {vname}", body.get("optional"))
        elif source == "secret":
            entry["ref"] = _text(body.get("secretName"))
            ref("secret", body.get("secretName"), f"volume {vname}", body.get("optional"))
        elif source == "persistentVolumeClaim":
            entry["ref"] = _text(body.get("claimName"))
            ref("persistentvolumeclaim", body.get("claimName"), f"volume {vname}")
        elif source == "projected":
            for item in _list(body, "sources"):
                item = _as_map(item)
                for kind, key in (("configmap", "configMap"), ("secret", "secret")):
                    if key in item:
                        ref(
                            kind,
                            _map(item, key).get("name"),
                            f"volume {vname}",
                            _map(item, key).get("optional"),
                        )
        volumes.append(entry)
    containers = [
        c for key in ("initContainers", "containers") for c in _list(spec, key) if isinstance(c, dict)
    ]
    for container in containers:
        cname = _text(container.get("name"))
        for env in _list(container, "env"):
            source = _map(_as_map(env), "valueFrom")
            for kind, key in (("configmap", "configMapKeyRef"), ("secret", "secretKeyRef")):
                if key in source:
                    sel = _map(source, key)
                    ref(kind, sel.get("name"), f"env of {cname}", sel.get("optional"), sel.get("key"))
        for env_from in _list(container, "envFrom"):
            env_from = _as_map(env_from)
            for kind, key in (("configmap", "configMapRef"), ("secret", "secretRef")):
                if key in env_from:
                    sel = _map(env_from, key)
                    ref(kind, sel.get("name"), f"envFrom of {cname}", sel.get("optional"))
    for pull in _list(spec, "imagePullSecrets"):
        ref("secret", _as_map(pull).get("name"), "imagePullSecrets", True)
    fields = {
        "volumes": volumes,
        "refs": refs,
        "node_selector": string_map(spec.get("nodeSelector")),
        "tolerations": [
            {
                "key": _text(tol.get("key")),
                "operator": _text(tol.get("operator")) or "Equal",
                "value": _text(tol.get("value")),
                "effect": _text(tol.get("effect")),
            }
            for tol in _list(spec, "tolerations")
            if isinstance(tol, dict)
        ],
    }
    # Absent rather than empty, as for containers' resources: the rows stay small.
    return {key: value for key, value in fields.items() if value}


def _conditions(status: Mapping[str, Any]) -> list[dict[str, str | None]]:
    """Status conditions: type and status, with reason and message (shortened) when set."""
    out: list[dict[str, str | None]] = []
    for c in _list(status, "conditions"):
        if isinstance(c, dict) and c.get("type"):
            entry = {"type": _text(c.get("type")), "status": _text(c.get("status"))}
            if c.get("reason"):
                entry["reason"] = _text(c.get("reason"))
            if c.get("message"):
                entry["message"] = _short(c.get("message"))
            out.append(entry)
    return out


def _short(value: Any, limit: int = 400) -> str | None:
    text = _text(value)
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _node_fields(obj: dict[str, Any]) -> dict[str, Any]:
    status = _map(obj, "status")
    info = _map(status, "nodeInfo")
    addresses = [a for a in _list(status, "addresses") if isinstance(a, dict)]
    internal_ip = next((_text(a.get("address")) for a in addresses if a.get("type") == "InternalIP"), None)
    return {
        "status": node_status(obj),
        "roles": node_roles(string_map(_map(obj, "metadata").get("labels"))),
        "capacity": string_map(status.get("capacity")),
        "allocatable": string_map(status.get("allocatable")),
        "taints": [
            {
                "key": _text(taint.get("key")),
                "value": _text(taint.get("value")),
                "effect": _text(taint.get("effect")),
            }
            for taint in _list(_map(obj, "spec"), "taints")
            if isinstance(taint, dict)
        ],
        "kubelet_version": _text(info.get("kubeletVersion")),
        "os_image": _text(info.get("osImage")),
        "internal_ip": internal_ip,
        "unschedulable": _map(obj, "spec").get("unschedulable") is True,
        "conditions": _conditions(status),
    }


def _service_external_ip(spec: Mapping[str, Any], status: Mapping[str, Any]) -> str | None:
    """EXTERNAL-IP as kubectl derives it, with None where kubectl prints ``<none>``."""
    external_ips = [str(ip) for ip in _list(spec, "externalIPs")]
    service_type = spec.get("type") or "ClusterIP"
    if service_type == "ExternalName":
        return _text(spec.get("externalName"))
    if service_type == "LoadBalancer":
        balancer = sorted(
            {
                str(ingress.get("ip") or ingress.get("hostname"))
                for ingress in _list(_map(status, "loadBalancer"), "ingress")
                if isinstance(ingress, dict) and (ingress.get("ip") or ingress.get("hostname"))
            }
        )
        addresses = balancer + external_ips
        return ",".join(addresses) if addresses else "<pending>"
    return ",".join(external_ips) if external_ips else None


def _service_fields(obj: dict[str, Any]) -> dict[str, Any]:
    spec = _map(obj, "spec")
    return {
        "type": _text(spec.get("type")) or "ClusterIP",
        "cluster_ip": _text(spec.get("clusterIP")),
        "external_ip": _service_external_ip(spec, _map(obj, "status")),
        "ports": [
            {
                "name": _text(port.get("name")),
                "port": _int_or_none(port.get("port")),
                "target_port": port.get("targetPort")
                if isinstance(port.get("targetPort"), int | str)
                else None,
                "protocol": _text(port.get("protocol")) or "TCP",
                "node_port": _int_or_none(port.get("nodePort")),
            }
            for port in _list(spec, "ports")
            if isinstance(port, dict)
        ],
        "selector": string_map(spec.get("selector")),
    }


def _template_fields(template: Mapping[str, Any]) -> dict[str, Any]:
    """A workload's pod template: containers, init containers, volumes and references."""
    spec = _map(template, "spec")
    fields: dict[str, Any] = {
        "containers": [_container_spec(c) for c in _list(spec, "containers") if isinstance(c, dict)],
        **_pod_spec_fields(spec),
    }
    init = [_container_spec(c) for c in _list(spec, "initContainers") if isinstance(c, dict)]
    if init:
        fields["init_containers"] = init
    return fields


def _selector(spec: Mapping[str, Any]) -> dict[str, str]:
    return string_map(_map(spec, "selector").get("matchLabels"))


def _replicated_fields(obj: dict[str, Any]) -> dict[str, Any]:
    spec = _map(obj, "spec")
    status = _map(obj, "status")
    replicas = spec.get("replicas")
    return {
        # The API defaults an absent spec.replicas to 1.
        "replicas": 1 if replicas is None else _int(replicas),
        "ready_replicas": _int(status.get("readyReplicas")),
        "available_replicas": _int(status.get("availableReplicas")),
        "updated_replicas": _int_or_none(status.get("updatedReplicas")),
        "current_replicas": _int(status.get("replicas")),
        "unavailable_replicas": _int(status.get("unavailableReplicas")),
        "selector": _selector(spec),
        "conditions": _conditions(status),
        **_template_fields(_map(spec, "template")),
    }


def _daemonset_fields(obj: dict[str, Any]) -> dict[str, Any]:
    spec = _map(obj, "spec")
    status = _map(obj, "status")
    return {
        "desired": _int(status.get("desiredNumberScheduled")),
        "current": _int(status.get("currentNumberScheduled")),
        "ready": _int(status.get("numberReady")),
        "updated": _int(status.get("updatedNumberScheduled")),
        "available": _int(status.get("numberAvailable")),
        "misscheduled": _int(status.get("numberMisscheduled")),
        "unavailable": _int(status.get("numberUnavailable")),
        "selector": _selector(spec),
        "conditions": _conditions(status),
        **_template_fields(_map(spec, "template")),
    }


def _job_status(obj: Mapping[str, Any]) -> str:
    """STATUS as kubectl prints it for a job."""
    conditions = {
        c.get("type"): c.get("status")
        for c in _list(_map(obj, "status"), "conditions")
        if isinstance(c, dict)
    }
    if conditions.get("Complete") == "True":
        return "Complete"
    if conditions.get("Failed") == "True":
        return "Failed"
    if _map(obj, "metadata").get("deletionTimestamp"):
        return "Terminating"
    if conditions.get("Suspended") == "True":
        return "Suspended"
    if conditions.get("FailureTarget") == "True":
        return "FailureTarget"
    return "Running"


def _job_fields(obj: dict[str, Any]) -> dict[str, Any]:
    spec = _map(obj, "spec")
    status = _map(obj, "status")
    return {
        "status": _job_status(obj),
        "completions": _int_or_none(spec.get("completions")),
        "parallelism": _int_or_none(spec.get("parallelism")),
        "succeeded": _int(status.get("succeeded")),
        "failed": _int(status.get("failed")),
        "active": _int(status.get("active")),
        "start_time": _text(status.get("startTime")),
        "completion_time": _text(status.get("completionTime")),
        # The API defaults an absent backoffLimit to 6.
        "backoff_limit": 6 if spec.get("backoffLimit") is None else _int(spec.get("backoffLimit")),
        "active_deadline_seconds": _int_or_none(spec.get("activeDeadlineSeconds")),
        "suspend": spec.get("suspend") is True,
        "conditions": _conditions(status),
        **_template_fields(_map(spec, "template")),
    }


def _cronjob_fields(obj: dict[str, Any]) -> dict[str, Any]:
    spec = _map(obj, "spec")
    status = _map(obj, "status")
    return {
        "schedule": _text(spec.get("schedule")),
        "suspend": spec.get("suspend") is True,
        "active": len(_list(status, "active")),
        "last_schedule_time": _text(status.get("lastScheduleTime")),
        "last_successful_time": _text(status.get("lastSuccessfulTime")),
        "active_jobs": [
            str(job["name"]) for job in _list(status, "active") if isinstance(job, dict) and job.get("name")
        ],
        **_template_fields(_map(_map(_map(spec, "jobTemplate"), "spec"), "template")),
    }


def _configmap_fields(obj: dict[str, Any]) -> dict[str, Any]:
    return {"keys": sorted({str(k) for k in (*_as_map(obj.get("data")), *_as_map(obj.get("binaryData")))})}


def _secret_fields(obj: dict[str, Any]) -> dict[str, Any]:
    # Key names only: the values, base64 or not, never leave this function.
    names = {str(k) for k in (*_as_map(obj.get("data")), *_as_map(obj.get("stringData")))}
    return {"type": _text(obj.get("type")) or "Opaque", "keys": sorted(names)}


def _event_fields(obj: dict[str, Any]) -> dict[str, Any]:
    involved = _map(obj, "involvedObject") or _map(obj, "regarding")
    series = _map(obj, "series")
    source = _map(obj, "source")
    count = obj.get("count") or series.get("count") or obj.get("deprecatedCount")
    return {
        "type": _text(obj.get("type")),
        "reason": _text(obj.get("reason")),
        "message": _text(obj.get("message") or obj.get("note")),
        "count": _int(count) if count is not None else 1,
        "involved_kind": canonical_kind(str(involved["kind"])) if involved.get("kind") else None,
        "involved_name": _text(involved.get("name")),
        "involved_namespace": _text(involved.get("namespace")),
        "first_timestamp": _text(obj.get("firstTimestamp") or obj.get("eventTime")),
        "last_timestamp": _text(
            obj.get("lastTimestamp") or series.get("lastObservedTime") or obj.get("eventTime")
        ),
        "source": _text(
            source.get("component") or obj.get("reportingComponent") or obj.get("reportingController")
        ),
    }


def _ingress_backend(backend: Mapping[str, Any]) -> dict[str, Any]:
    service = _map(backend, "service")
    port = _map(service, "port")
    resource = _map(backend, "resource")
    return {
        "service": _text(service.get("name")),
        "port": _int_or_none(port.get("number")) or _text(port.get("name")),
        "resource": f"{resource.get('kind')}/{resource.get('name')}" if resource.get("name") else None,
    }


def _ingress_fields(obj: dict[str, Any]) -> dict[str, Any]:
    spec = _map(obj, "spec")
    rules = []
    for rule in _list(spec, "rules"):
        if not isinstance(rule, dict):
            continue
        paths = []
        for path in _list(_map(rule, "http"), "paths"):
            if not isinstance(path, dict):
                continue
            paths.append(
                {
                    "path": _text(path.get("path")),
                    "path_type": _text(path.get("pathType")),
                    **_ingress_backend(_map(path, "backend")),
                }
            )
        rules.append({"host": _text(rule.get("host")), "paths": paths})
    annotations = _as_map(_map(obj, "metadata").get("annotations"))
    default = _map(spec, "defaultBackend")
    balancer = _map(_map(obj, "status"), "loadBalancer")
    return {
        "class_name": _text(spec.get("ingressClassName"))
        or _text(annotations.get("kubernetes.io/ingress.class")),
        "hosts": [rule["host"] for rule in rules if rule["host"]],
        "rules": rules,
        "default_backend": _ingress_backend(default) if default else None,
        "tls_hosts": [
            str(host) for tls in _list(spec, "tls") if isinstance(tls, dict) for host in _list(tls, "hosts")
        ],
        "tls_secrets": [
            str(tls["secretName"])
            for tls in _list(spec, "tls")
            if isinstance(tls, dict) and tls.get("secretName")
        ],
        "addresses": [
            str(item.get("ip") or item.get("hostname"))
            for item in _list(balancer, "ingress")
            if isinstance(item, dict) and (item.get("ip") or item.get("hostname"))
        ],
    }


def _pvc_fields(obj: dict[str, Any]) -> dict[str, Any]:
    spec = _map(obj, "spec")
    status = _map(obj, "status")
    return {
        "status": _text(status.get("phase")),
        "volume": _text(spec.get("volumeName")),
        "storage_class": _text(spec.get("storageClassName")),
        "capacity": _text(_map(status, "capacity").get("storage")),
        "requested": _text(_map(_map(spec, "resources"), "requests").get("storage")),
        "access_modes": [str(m) for m in _list(status, "accessModes") or _list(spec, "accessModes")],
        "volume_mode": _text(spec.get("volumeMode")),
        "conditions": _conditions(status),
    }


def _pv_fields(obj: dict[str, Any]) -> dict[str, Any]:
    spec = _map(obj, "spec")
    claim = _map(spec, "claimRef")
    return {
        "status": _text(_map(obj, "status").get("phase")),
        "capacity": _text(_map(spec, "capacity").get("storage")),
        "storage_class": _text(spec.get("storageClassName")),
        "claim": f"{claim.get('namespace')}/{claim.get('name')}" if claim.get("name") else None,
        "reclaim_policy": _text(spec.get("persistentVolumeReclaimPolicy")),
        "access_modes": [str(m) for m in _list(spec, "accessModes")],
    }


def _storageclass_fields(obj: dict[str, Any]) -> dict[str, Any]:
    annotations = _as_map(_map(obj, "metadata").get("annotations"))
    is_default = any(
        str(annotations.get(key, "")).lower() == "true"
        for key in (
            "storageclass.kubernetes.io/is-default-class",
            "storageclass.beta.kubernetes.io/is-default-class",
        )
    )
    return {
        "provisioner": _text(obj.get("provisioner")),
        "reclaim_policy": _text(obj.get("reclaimPolicy")) or "Delete",
        "volume_binding_mode": _text(obj.get("volumeBindingMode")) or "Immediate",
        "is_default": is_default,
    }


def _resourcequota_fields(obj: dict[str, Any]) -> dict[str, Any]:
    status = _map(obj, "status")
    return {
        "hard": string_map(status.get("hard") or _map(obj, "spec").get("hard")),
        "used": string_map(status.get("used")),
    }


def _endpoints_fields(obj: dict[str, Any]) -> dict[str, Any]:
    addresses: list[str] = []
    not_ready: list[str] = []
    targets: list[str] = []
    ports: list[dict[str, Any]] = []
    for subset in _list(obj, "subsets"):
        if not isinstance(subset, dict):
            continue
        for key, into in (("addresses", addresses), ("notReadyAddresses", not_ready)):
            for address in _list(subset, key):
                address = _as_map(address)
                if address.get("ip"):
                    into.append(str(address["ip"]))
                target = _map(address, "targetRef")
                if target.get("kind") == "Pod" and target.get("name"):
                    targets.append(str(target["name"]))
        ports += [
            {
                "name": _text(p.get("name")),
                "port": _int_or_none(p.get("port")),
                "protocol": _text(p.get("protocol")) or "TCP",
            }
            for p in _list(subset, "ports")
            if isinstance(p, dict)
        ]
    return {
        "addresses": addresses,
        "not_ready_addresses": not_ready,
        "ready_count": len(addresses),
        "not_ready_count": len(not_ready),
        "target_pods": targets,
        "ports": ports,
    }


def _namespace_fields(obj: dict[str, Any]) -> dict[str, Any]:
    # The uid tells two clusters apart (kube-system's is the store's cluster identity).
    uid = _text(_map(obj, "metadata").get("uid"))
    return {"status": _text(_map(obj, "status").get("phase")) or "Active", **({"uid": uid} if uid else {})}


def _no_fields(obj: dict[str, Any]) -> dict[str, Any]:
    return {}


_FIELDS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "namespace": _namespace_fields,
    "node": _node_fields,
    "persistentvolume": _pv_fields,
    "storageclass": _storageclass_fields,
    "pod": _pod_fields,
    "deployment": _replicated_fields,
    "replicaset": _replicated_fields,
    "statefulset": _replicated_fields,
    "daemonset": _daemonset_fields,
    "job": _job_fields,
    "cronjob": _cronjob_fields,
    "service": _service_fields,
    "endpoints": _endpoints_fields,
    "ingress": _ingress_fields,
    "configmap": _configmap_fields,
    "secret": _secret_fields,
    "persistentvolumeclaim": _pvc_fields,
    "resourcequota": _resourcequota_fields,
    "serviceaccount": _no_fields,
    "event": _event_fields,
}


def _controller(meta: Mapping[str, Any]) -> tuple[str | None, str | None]:
    for ref in _list(meta, "ownerReferences"):
        if isinstance(ref, dict) and ref.get("controller") is True and ref.get("kind"):
            return canonical_kind(str(ref["kind"])), _text(ref.get("name"))
    return None, None


def _owners(meta: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every owner reference: canonical kind, name, and whether it is the controller."""
    return [
        {
            "kind": canonical_kind(str(ref["kind"])),
            "name": _text(ref.get("name")),
            "controller": ref.get("controller") is True,
        }
        for ref in _list(meta, "ownerReferences")
        if isinstance(ref, dict) and ref.get("kind")
    ]


def _as_map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _map(obj: Mapping[str, Any], key: str) -> dict[str, Any]:
    return _as_map(obj.get(key))


def _list(obj: Mapping[str, Any], key: str) -> list[Any]:
    value = obj.get(key)
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _int(value: Any) -> int:
    return _int_or_none(value) or 0


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return None
