"""Server-side printing: ``as=Table`` answers with kube-apiserver's columns for each kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from devcluster import quantity

Obj = dict[str, Any]
Column = tuple[str, str, int, str]  # name, type, priority, description

_NAME_DESC = (
    "Name must be unique within a namespace. Is required when creating resources, although "
    "some resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
_AGE_DESC = (
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)


def _parse_ts(ts: str | None) -> float | None:
    if not ts:
        return None
    return dt.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC).timestamp()


def human_duration(seconds: float) -> str:
    """Format an age as kubectl does (``45s``, ``5m``, ``3h``, ``2d``, ``2d3h``)."""
    s = int(seconds)
    if s < 0:
        return "<invalid>"
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if m < 180:
        return f"{m}m"
    h = s // 3600
    if h < 8:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if h < 48:
        return f"{h}h"
    if h < 192:
        return f"{h // 24}d{h % 24}h" if h % 24 else f"{h // 24}d"
    if h < 24 * 365 * 2:
        return f"{h // 24}d"
    if h < 24 * 365 * 8:
        return f"{h // 24 // 365}y{(h // 24) % 365}d"
    return f"{h // 24 // 365}y"


def _age(obj: Obj, now: float) -> str:
    ts = _parse_ts(obj["metadata"].get("creationTimestamp"))
    return "<unknown>" if ts is None else human_duration(now - ts)


def _since(ts: str | None, now: float) -> str:
    t = _parse_ts(ts)
    return "<unknown>" if t is None else human_duration(now - t)


def _sel(sel: dict[str, Any] | None) -> str:
    if not sel:
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
    for e in sel.get("matchExpressions") or []:
        op = e["operator"]
        if op in ("In", "NotIn"):
            parts.append(f"{e['key']} {op.lower()} ({','.join(sorted(e.get('values') or []))})")
        elif op == "Exists":
            parts.append(e["key"])
        else:
            parts.append(f"!{e['key']}")
    return ",".join(parts) or "<none>"


def _containers(obj: Obj) -> tuple[str, str]:
    spec = obj["spec"]
    tmpl = spec.get("template") or (spec.get("jobTemplate") or {}).get("spec", {}).get("template") or {}
    cs = (tmpl.get("spec") or {}).get("containers") or []
    return ",".join(c["name"] for c in cs), ",".join(c.get("image", "") for c in cs)


def _init_reason(pod: Obj) -> str | None:
    """The ``Init:...`` STATUS kubectl shows while an init container is not done, else None."""
    st = pod.get("status") or {}
    total = len(pod["spec"].get("initContainers") or [])
    for i, c in enumerate(st.get("initContainerStatuses") or []):
        state = c.get("state") or {}
        term = state.get("terminated")
        if term is not None and term.get("exitCode", 0) == 0:
            continue
        if term is not None:
            if term.get("reason"):
                return f"Init:{term['reason']}"
            if term.get("signal"):
                return f"Init:Signal:{term['signal']}"
            return f"Init:ExitCode:{term.get('exitCode', 0)}"
        waiting = (state.get("waiting") or {}).get("reason")
        if waiting and waiting != "PodInitializing":
            return f"Init:{waiting}"
        return f"Init:{i}/{total}"
    return None


def _initialized(pod: Obj) -> bool:
    return any(
        c.get("type") == "Initialized" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def pod_status_reason(pod: Obj) -> str:
    """The STATUS column kubectl derives from a pod's phase and container states."""
    st = pod.get("status") or {}
    reason = st.get("reason") or st.get("phase") or "Unknown"
    init = _init_reason(pod)
    if init is not None:
        reason = init
    running = False
    if init is None or _initialized(pod):
        for c in reversed(st.get("containerStatuses") or []):
            state = c.get("state") or {}
            if state.get("waiting", {}).get("reason"):
                reason = state["waiting"]["reason"]
            elif state.get("terminated", {}).get("reason"):
                reason = state["terminated"]["reason"]
            elif "terminated" in state:
                code = state["terminated"].get("exitCode", 0)
                reason = f"ExitCode:{code}"
            elif "running" in state and c.get("ready"):
                running = True
    if reason == "Completed" and running:
        reason = "Running"
    if pod["metadata"].get("deletionTimestamp"):
        reason = "Terminating"
    return reason


def _pod_row(pod: Obj, now: float) -> list[Any]:
    st = pod.get("status") or {}
    cs = st.get("containerStatuses") or []
    total = len(pod["spec"].get("containers") or [])
    ready = sum(1 for c in cs if c.get("ready"))
    if _init_reason(pod) is not None and not _initialized(pod):
        # kubectl counts init container restarts while the pod is initializing.
        cs = st.get("initContainerStatuses") or []
    restarts: Any = sum(int(c.get("restartCount", 0)) for c in cs)
    last = [c.get("lastState", {}).get("terminated", {}).get("finishedAt") for c in cs]
    last = [t for t in last if t]
    if restarts and last:
        restarts = f"{restarts} ({_since(max(last), now)} ago)"
    gates = pod["spec"].get("readinessGates") or []
    return [
        pod["metadata"]["name"],
        f"{ready}/{total}",
        pod_status_reason(pod),
        restarts,
        _age(pod, now),
        st.get("podIP") or "<none>",
        pod["spec"].get("nodeName") or "<none>",
        st.get("nominatedNodeName") or "<none>",
        f"{len(gates)}/{len(gates)}" if gates else "<none>",
    ]


def _node_row(node: Obj, now: float) -> list[Any]:
    st = node.get("status") or {}
    ready = next((c for c in st.get("conditions") or [] if c["type"] == "Ready"), None)
    status = "Ready" if ready and ready["status"] == "True" else "NotReady"
    if node.get("spec", {}).get("unschedulable"):
        status += ",SchedulingDisabled"
    roles = sorted(
        k.split("/", 1)[1]
        for k in (node["metadata"].get("labels") or {})
        if k.startswith("node-role.kubernetes.io/")
    )
    addrs = {a["type"]: a["address"] for a in st.get("addresses") or []}
    info = st.get("nodeInfo") or {}
    return [
        node["metadata"]["name"],
        status,
        ",".join(roles) or "<none>",
        _age(node, now),
        info.get("kubeletVersion", ""),
        addrs.get("InternalIP", "<none>"),
        addrs.get("ExternalIP", "<none>"),
        info.get("osImage", "<unknown>"),
        info.get("kernelVersion", "<unknown>"),
        info.get("containerRuntimeVersion", "<unknown>"),
    ]


def _svc_row(svc: Obj, now: float) -> list[Any]:
    spec = svc["spec"]
    ports = []
    for p in spec.get("ports") or []:
        text = f"{p['port']}"
        if p.get("nodePort"):
            text += f":{p['nodePort']}"
        ports.append(f"{text}/{p.get('protocol', 'TCP')}")
    ext = "<none>"
    if spec.get("type") == "LoadBalancer":
        ing = (svc.get("status", {}).get("loadBalancer") or {}).get("ingress") or []
        ext = ",".join(i.get("ip") or i.get("hostname", "") for i in ing) or "<pending>"
    elif spec.get("externalIPs"):
        ext = ",".join(spec["externalIPs"])
    sel = spec.get("selector")
    return [
        svc["metadata"]["name"],
        spec.get("type", "ClusterIP"),
        spec.get("clusterIP", "<none>"),
        ext,
        ",".join(ports) or "<none>",
        _age(svc, now),
        ",".join(f"{k}={v}" for k, v in sorted(sel.items())) if sel else "<none>",
    ]


def _deploy_row(d: Obj, now: float) -> list[Any]:
    st = d.get("status") or {}
    c, i = _containers(d)
    return [
        d["metadata"]["name"],
        f"{st.get('readyReplicas', 0)}/{d['spec'].get('replicas', 1)}",
        st.get("updatedReplicas", 0),
        st.get("availableReplicas", 0),
        _age(d, now),
        c,
        i,
        _sel(d["spec"].get("selector")),
    ]


def _rs_row(r: Obj, now: float) -> list[Any]:
    st = r.get("status") or {}
    c, i = _containers(r)
    return [
        r["metadata"]["name"],
        r["spec"].get("replicas", 1),
        st.get("replicas", 0),
        st.get("readyReplicas", 0),
        _age(r, now),
        c,
        i,
        _sel(r["spec"].get("selector")),
    ]


def _sts_row(s: Obj, now: float) -> list[Any]:
    st = s.get("status") or {}
    c, i = _containers(s)
    return [
        s["metadata"]["name"],
        f"{st.get('readyReplicas', 0)}/{s['spec'].get('replicas', 1)}",
        _age(s, now),
        c,
        i,
    ]


def _ds_row(d: Obj, now: float) -> list[Any]:
    st = d.get("status") or {}
    c, i = _containers(d)
    ns = (d["spec"].get("template", {}).get("spec") or {}).get("nodeSelector") or {}
    return [
        d["metadata"]["name"],
        st.get("desiredNumberScheduled", 0),
        st.get("currentNumberScheduled", 0),
        st.get("numberReady", 0),
        st.get("updatedNumberScheduled", 0),
        st.get("numberAvailable", 0),
        ",".join(f"{k}={v}" for k, v in sorted(ns.items())) or "<none>",
        _age(d, now),
        c,
        i,
        _sel(d["spec"].get("selector")),
    ]


def _job_row(j: Obj, now: float) -> list[Any]:
    st = j.get("status") or {}
    c, i = _containers(j)
    conds = {x["type"]: x["status"] for x in st.get("conditions") or []}
    status = (
        "Complete"
        if conds.get("Complete") == "True"
        else ("Failed" if conds.get("Failed") == "True" else "Running")
    )
    start, end = _parse_ts(st.get("startTime")), _parse_ts(st.get("completionTime"))
    duration = human_duration((end or now) - start) if start else ""
    return [
        j["metadata"]["name"],
        status,
        f"{st.get('succeeded', 0)}/{j['spec'].get('completions', 1)}",
        duration,
        _age(j, now),
        c,
        i,
        _sel(j["spec"].get("selector")),
    ]


def _cj_row(j: Obj, now: float) -> list[Any]:
    st = j.get("status") or {}
    c, i = _containers(j)
    last = st.get("lastScheduleTime")
    return [
        j["metadata"]["name"],
        j["spec"].get("schedule", ""),
        j["spec"].get("timeZone") or "<none>",
        str(bool(j["spec"].get("suspend"))),
        len(st.get("active") or []),
        _since(last, now) if last else "<none>",
        _age(j, now),
        c,
        i,
        "<none>",
    ]


def _event_row(e: Obj, now: float) -> list[Any]:
    io = e.get("involvedObject") or {}
    src = e.get("source") or {}
    source = src.get("component", "")
    if src.get("host"):
        source += f", {src['host']}"
    return [
        _since(e.get("lastTimestamp"), now),
        e.get("type", ""),
        e.get("reason", ""),
        f"{io.get('kind', '').lower()}/{io.get('name', '')}",
        io.get("fieldPath", ""),
        source,
        e.get("message", ""),
        _since(e.get("firstTimestamp"), now),
        e.get("count", 1),
        e["metadata"]["name"],
    ]


def _ep_row(e: Obj, now: float) -> list[Any]:
    addrs = []
    for s in e.get("subsets") or []:
        for a in s.get("addresses") or []:
            for p in s.get("ports") or []:
                addrs.append(f"{a['ip']}:{p['port']}")
    text = ",".join(addrs[:3]) + (f" + {len(addrs) - 3} more..." if len(addrs) > 3 else "")
    return [e["metadata"]["name"], text or "<none>", _age(e, now)]


def _endpointslice_row(e: Obj, now: float) -> list[Any]:
    ports = [str(p["port"]) for p in e.get("ports") or [] if p.get("port") is not None]
    addrs = [a for ep in e.get("endpoints") or [] for a in ep.get("addresses") or []]
    text = ",".join(addrs[:3]) + (f" + {len(addrs) - 3} more..." if len(addrs) > 3 else "")
    return [
        e["metadata"]["name"],
        e.get("addressType", ""),
        ",".join(ports) or "<unset>",
        text or "<unset>",
        _age(e, now),
    ]


def _quota_row(q: Obj, now: float) -> list[Any]:
    st = q.get("status") or {}
    used = st.get("used") or {}
    req: list[str] = []
    lim: list[str] = []
    for k, v in sorted((st.get("hard") or {}).items()):
        entry = f"{k}: {used.get(k, '0')}/{v}"
        (lim if k.startswith("limits.") else req).append(entry)
    return [q["metadata"]["name"], _age(q, now), ", ".join(req), ", ".join(lim)]


def _pv_row(p: Obj, now: float) -> list[Any]:
    spec = p["spec"]
    claim = spec.get("claimRef") or {}
    return [
        p["metadata"]["name"],
        (spec.get("capacity") or {}).get("storage", ""),
        _modes(spec.get("accessModes")),
        spec.get("persistentVolumeReclaimPolicy", "Retain"),
        p.get("status", {}).get("phase", "Available"),
        f"{claim['namespace']}/{claim['name']}" if claim else "",
        spec.get("storageClassName", ""),
        spec.get("volumeAttributesClassName") or "<unset>",
        p.get("status", {}).get("reason", ""),
        _age(p, now),
        spec.get("volumeMode", "Filesystem"),
    ]


def _modes(modes: list[str] | None) -> str:
    short = {
        "ReadWriteOnce": "RWO",
        "ReadOnlyMany": "ROX",
        "ReadWriteMany": "RWX",
        "ReadWriteOncePod": "RWOP",
    }
    return ",".join(short.get(m, m) for m in modes or [])


def _pvc_row(p: Obj, now: float) -> list[Any]:
    spec, st = p["spec"], p.get("status") or {}
    return [
        p["metadata"]["name"],
        st.get("phase", "Pending"),
        spec.get("volumeName", ""),
        (st.get("capacity") or {}).get("storage", ""),
        _modes(st.get("accessModes")),
        spec.get("storageClassName", ""),
        spec.get("volumeAttributesClassName") or "<unset>",
        _age(p, now),
        spec.get("volumeMode", "Filesystem"),
    ]


def _ing_row(i: Obj, now: float) -> list[Any]:
    spec = i["spec"]
    hosts = [r.get("host", "*") for r in spec.get("rules") or []]
    ing = (i.get("status", {}).get("loadBalancer") or {}).get("ingress") or []
    return [
        i["metadata"]["name"],
        spec.get("ingressClassName") or "<none>",
        ",".join(hosts) or "*",
        ",".join(x.get("ip") or x.get("hostname", "") for x in ing),
        "80, 443" if spec.get("tls") else "80",
        _age(i, now),
    ]


def _sc_row(s: Obj, now: float) -> list[Any]:
    name = s["metadata"]["name"]
    if (s["metadata"].get("annotations") or {}).get("storageclass.kubernetes.io/is-default-class") == "true":
        name += " (default)"
    return [
        name,
        s.get("provisioner", ""),
        s.get("reclaimPolicy", "Delete"),
        s.get("volumeBindingMode", "Immediate"),
        str(bool(s.get("allowVolumeExpansion"))).lower(),
        _age(s, now),
    ]


def _binding_row(b: Obj, now: float) -> list[Any]:
    ref = b.get("roleRef") or {}
    subjects = b.get("subjects") or []

    def named(kind: str) -> str:
        out = [
            f"{s.get('namespace', '')}/{s['name']}" if kind == "ServiceAccount" else s["name"]
            for s in subjects
            if s.get("kind") == kind
        ]
        return ", ".join(out)

    return [
        b["metadata"]["name"],
        f"{ref.get('kind')}/{ref.get('name')}",
        _age(b, now),
        named("User"),
        named("Group"),
        named("ServiceAccount"),
    ]


def _c(name: str, type_: str = "string", priority: int = 0, desc: str = "") -> Column:
    return (name, type_, priority, desc)


_NAME = _c("Name", "string", 0, _NAME_DESC)
_AGE = _c("Age", "string", 0, _AGE_DESC)
_CONTAINERS = (
    _c("Containers", priority=1, desc="Names of each container in the template."),
    _c("Images", priority=1, desc="Images referenced by each container in the template."),
)
_SELECTOR = _c(
    "Selector",
    priority=1,
    desc="Label selector for pods. Existing ReplicaSets "
    "whose pods are selected by this will be the ones affected by this deployment.",
)

_CREATED_AT = _c(
    "Created At", "date", 0, "Time is a wrapper around time.Time which supports correct marshaling."
)
_ROLE: tuple[tuple[Column, ...], Callable[[Obj, float], list[Any]]] = (
    (_NAME, _CREATED_AT),
    lambda o, now: [o["metadata"]["name"], o["metadata"]["creationTimestamp"]],
)
_BINDING: tuple[tuple[Column, ...], Callable[[Obj, float], list[Any]]] = (
    (
        _NAME,
        _c("Role"),
        _AGE,
        _c("Users", priority=1),
        _c("Groups", priority=1),
        _c("ServiceAccounts", priority=1),
    ),
    _binding_row,
)

PRINTERS: dict[str, tuple[tuple[Column, ...], Callable[[Obj, float], list[Any]]]] = {
    "pod": (
        (
            _NAME,
            _c("Ready", desc="The aggregate readiness state of this pod for accepting traffic."),
            _c("Status", desc="The aggregate status of the containers in this pod."),
            _c(
                "Restarts",
                desc="The number of times the containers in this pod have been "
                "restarted and when the last container in this pod has restarted.",
            ),
            _AGE,
            _c(
                "IP",
                priority=1,
                desc="IP address allocated to the pod. Routable at least "
                "within the cluster. Empty if not yet allocated.",
            ),
            _c("Node", priority=1, desc="NodeName indicates in which node this pod is scheduled."),
            _c(
                "Nominated Node",
                priority=1,
                desc="nominatedNodeName is set only when this pod preempts other pods on the node.",
            ),
            _c(
                "Readiness Gates",
                priority=1,
                desc="If specified, all readiness gates will be evaluated for pod readiness.",
            ),
        ),
        _pod_row,
    ),
    "namespace": (
        (_NAME, _c("Status", desc="The status of the namespace"), _AGE),
        lambda o, now: [o["metadata"]["name"], o.get("status", {}).get("phase", "Active"), _age(o, now)],
    ),
    "node": (
        (
            _NAME,
            _c("Status", desc="The status of the node"),
            _c("Roles", desc="The roles of the node"),
            _AGE,
            _c("Version", desc="Kubelet Version reported by the node."),
            _c(
                "Internal-IP",
                priority=1,
                desc="List of addresses reachable to the node. Queried from cloud provider, if available.",
            ),
            _c(
                "External-IP",
                priority=1,
                desc="List of addresses reachable to the node. Queried from cloud provider, if available.",
            ),
            _c(
                "OS-Image",
                priority=1,
                desc="OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
            ),
            _c(
                "Kernel-Version",
                priority=1,
                desc="Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
            ),
            _c(
                "Container-Runtime",
                priority=1,
                desc="ContainerRuntime Version reported by the "
                "node through runtime remote API (e.g. containerd://1.4.2).",
            ),
        ),
        _node_row,
    ),
    "service": (
        (
            _NAME,
            _c("Type", desc="type determines how the Service is exposed."),
            _c("Cluster-IP", desc="clusterIP is the IP address of the service."),
            _c(
                "External-IP",
                desc="externalIPs is a list of IP addresses for which nodes "
                "in the cluster will also accept traffic for this service.",
            ),
            _c("Port(s)", desc="The list of ports that are exposed by this service."),
            _AGE,
            _c(
                "Selector",
                priority=1,
                desc="Route service traffic to pods with label keys and values matching this selector.",
            ),
        ),
        _svc_row,
    ),
    "deployment": (
        (
            _NAME,
            _c("Ready", desc="Number of the pod with ready state"),
            _c(
                "Up-to-date",
                "integer",
                0,
                "Total number of non-terminated pods "
                "targeted by this deployment that have the desired template spec.",
            ),
            _c(
                "Available",
                "integer",
                0,
                "Total number of available pods (ready for at "
                "least minReadySeconds) targeted by this deployment.",
            ),
            _AGE,
            *_CONTAINERS,
            _SELECTOR,
        ),
        _deploy_row,
    ),
    "replicaset": (
        (
            _NAME,
            _c("Desired", "integer", 0, "Replicas is the number of desired replicas."),
            _c("Current", "integer", 0, "Replicas is the most recently observed number of replicas."),
            _c("Ready", "integer", 0, "The number of ready replicas for this replica set."),
            _AGE,
            *_CONTAINERS,
            _SELECTOR,
        ),
        _rs_row,
    ),
    "statefulset": (
        (_NAME, _c("Ready", desc="Number of the pod with ready state"), _AGE, *_CONTAINERS),
        _sts_row,
    ),
    "daemonset": (
        (
            _NAME,
            _c("Desired", "integer"),
            _c("Current", "integer"),
            _c("Ready", "integer"),
            _c("Up-to-date", "integer"),
            _c("Available", "integer"),
            _c("Node Selector"),
            _AGE,
            *_CONTAINERS,
            _SELECTOR,
        ),
        _ds_row,
    ),
    "job": (
        (
            _NAME,
            _c("Status", desc="Status of the job."),
            _c("Completions", desc="The completion status of the job."),
            _c("Duration", desc="Time required to complete the job."),
            _AGE,
            *_CONTAINERS,
            _SELECTOR,
        ),
        _job_row,
    ),
    "cronjob": (
        (
            _NAME,
            _c("Schedule"),
            _c("Timezone"),
            _c("Suspend", "boolean"),
            _c("Active", "integer"),
            _c("Last Schedule"),
            _AGE,
            *_CONTAINERS,
            _SELECTOR,
        ),
        _cj_row,
    ),
    "configmap": (
        (_NAME, _c("Data", "string", 0, "Data contains the configuration data."), _AGE),
        lambda o, now: [
            o["metadata"]["name"],
            len(o.get("data") or {}) + len(o.get("binaryData") or {}),
            _age(o, now),
        ],
    ),
    "secret": (
        (
            _NAME,
            _c("Type", desc="Used to facilitate programmatic handling of secret data."),
            _c("Data", "string", 0, "Data contains the secret data."),
            _AGE,
        ),
        lambda o, now: [
            o["metadata"]["name"],
            o.get("type", "Opaque"),
            len(o.get("data") or {}),
            _age(o, now),
        ],
    ),
    "event": (
        (
            _c("Last Seen"),
            _c("Type"),
            _c("Reason"),
            _c("Object"),
            _c("Subobject", priority=1),
            _c("Source", priority=1),
            _c("Message"),
            _c("First Seen", priority=1),
            _c("Count", priority=1),
            _c("Name", priority=1),
        ),
        _event_row,
    ),
    "endpoints": ((_NAME, _c("Endpoints", desc="Endpoints of the service"), _AGE), _ep_row),
    "endpointslice": (
        (
            _NAME,
            _c("AddressType", desc="Type of address carried by this EndpointSlice."),
            _c("Ports", desc="Ports of the EndpointSlice."),
            _c("Endpoints", desc="Endpoints of the EndpointSlice."),
            _AGE,
        ),
        _endpointslice_row,
    ),
    "serviceaccount": (
        (
            _NAME,
            _c(
                "Secrets",
                "string",
                0,
                "Secrets is a list of the secrets in "
                "the same namespace that pods running using this "
                "ServiceAccount are allowed to use.",
            ),
            _AGE,
        ),
        lambda o, now: [o["metadata"]["name"], len(o.get("secrets") or []), _age(o, now)],
    ),
    "resourcequota": (
        (
            _NAME,
            _AGE,
            _c(
                "Request",
                desc="Request represents a minimum amount of cpu/memory that a container may consume.",
            ),
            _c(
                "Limit",
                desc="Limits control the maximum amount of cpu/memory that a "
                "container may use independent of contention on the node.",
            ),
        ),
        _quota_row,
    ),
    "persistentvolume": (
        (
            _NAME,
            _c("Capacity"),
            _c("Access Modes"),
            _c("Reclaim Policy"),
            _c("Status"),
            _c("Claim"),
            _c("StorageClass"),
            _c("VolumeAttributesClass"),
            _c("Reason"),
            _AGE,
            _c("VolumeMode", priority=1),
        ),
        _pv_row,
    ),
    "persistentvolumeclaim": (
        (
            _NAME,
            _c("Status"),
            _c("Volume"),
            _c("Capacity"),
            _c("Access Modes"),
            _c("StorageClass"),
            _c("VolumeAttributesClass"),
            _AGE,
            _c("VolumeMode", priority=1),
        ),
        _pvc_row,
    ),
    "ingress": ((_NAME, _c("Class"), _c("Hosts"), _c("Address"), _c("Ports"), _AGE), _ing_row),
    "role": _ROLE,
    "clusterrole": _ROLE,
    "rolebinding": _BINDING,
    "clusterrolebinding": _BINDING,
    "storageclass": (
        (
            _NAME,
            _c("Provisioner"),
            _c("ReclaimPolicy"),
            _c("VolumeBindingMode"),
            _c("AllowVolumeExpansion"),
            _AGE,
        ),
        _sc_row,
    ),
}


def partial_metadata(obj: Obj) -> Obj:
    """``row.object`` as kube-apiserver sends it for ``includeObject=Metadata``."""
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}


def to_table(
    kind: str, items: list[Obj], resource_version: str, now: float, include_object: str = "Metadata"
) -> Obj:
    """A ``meta.k8s.io/v1`` Table for ``items`` of ``kind``."""
    columns, row = PRINTERS.get(kind, ((_NAME, _AGE), lambda o, n: [o["metadata"]["name"], _age(o, n)]))
    rows = []
    for item in items:
        r: Obj = {"cells": row(item, now)}
        if include_object == "Object":
            r["object"] = item
        elif include_object != "None":
            r["object"] = partial_metadata(item)
        rows.append(r)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": [
            {"name": n, "type": t, "format": "name" if c is _NAME else "", "description": d, "priority": p}
            for c in columns
            for (n, t, p, d) in [c]
        ],
        "rows": rows,
    }


__all__ = ["PRINTERS", "human_duration", "pod_status_reason", "quantity", "to_table"]
