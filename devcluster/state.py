"""The cluster as the API sees it: loading a cluster directory, admission, CRUD and scale.

:class:`ClusterState` owns the :class:`ObjectStore` and the hidden per-workload simulate
instructions (``kcache.dev/*`` annotations are stripped at admission and kept only here, so
no stored object, change-log entry or response can carry them).
"""

from __future__ import annotations

import base64
import builtins
import copy
import datetime as dt
import ipaddress
import pickle
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from devcluster import controllers, names, patching, status
from devcluster.resources import ResourceType, by_key, for_object
from devcluster.selectors import (
    fields_match,
    labels_match,
    parse_field_selector,
    parse_label_selector,
    selector_from_label_selector,
)
from devcluster.status import ApiError
from devcluster.store import Key, ObjectStore

Obj = dict[str, Any]
HIDDEN_PREFIX = "kcache.dev/"
SIMULATE = "kcache.dev/simulate"
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_WORKLOADS = ("deployment", "replicaset", "statefulset", "daemonset", "job")
_GENERATION_KINDS = (
    "deployment",
    "replicaset",
    "statefulset",
    "daemonset",
    "job",
    "cronjob",
    "ingress",
    "networkpolicy",
)
#: Kinds whose names must be DNS-1123 labels rather than subdomains.
_LABEL_NAMED = ("namespace", "service")
#: Kinds whose names need only be valid path segments (RBAC names such as ``system:basic-user``).
_PATH_SEGMENT_NAMED = ("role", "clusterrole", "rolebinding", "clusterrolebinding")


class ClusterDirError(ValueError):
    """A cluster directory that cannot be loaded (names the file and the problem)."""


def iso(ts: float) -> str:
    """RFC 3339 at second precision in UTC, as Kubernetes timestamps are written."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hidden_annotations(obj: Obj) -> dict[str, str]:
    """Every ``kcache.dev/*`` annotation of ``obj`` and its pod templates (not removed)."""
    found: dict[str, str] = {}
    metas = [obj.get("metadata")]
    spec = obj.get("spec")
    if isinstance(spec, dict):
        metas.append((spec.get("template") or {}).get("metadata"))
        job = (spec.get("jobTemplate") or {}).get("spec") or {}
        metas.append((job.get("template") or {}).get("metadata"))
    for meta in metas:
        ann = meta.get("annotations") if isinstance(meta, dict) else None
        if isinstance(ann, dict):
            for key, value in ann.items():
                if key.startswith(HIDDEN_PREFIX):
                    found.setdefault(key, str(value))
    return found


def strip_hidden(obj: Obj) -> str | None:
    """Remove every ``kcache.dev/*`` annotation in place; return the simulate value if any."""
    found: str | None = None

    def clean(meta: Any) -> None:
        nonlocal found
        if not isinstance(meta, dict):
            return
        ann = meta.get("annotations")
        if isinstance(ann, dict):
            for key in [k for k in ann if k.startswith(HIDDEN_PREFIX)]:
                value = ann.pop(key)
                if key == SIMULATE and found is None:
                    found = str(value)
            if not ann:
                del meta["annotations"]

    clean(obj.get("metadata"))
    spec = obj.get("spec")
    if isinstance(spec, dict):
        clean((spec.get("template") or {}).get("metadata"))
        job = (spec.get("jobTemplate") or {}).get("spec") or {}
        clean((job.get("template") or {}).get("metadata"))
    return found


class ClusterState:
    """Every object of the emulated cluster and the operations the API performs on them."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.store = ObjectStore()
        self.clock = clock
        #: Hidden simulate instructions by (kind, namespace, name).
        self.simulate: dict[Key, str] = {}
        #: Every hidden ``kcache.dev/*`` annotation by (kind, namespace, name), e.g.
        #: ``kcache.dev/previous-image`` of a stuck rollout.
        self.hidden: dict[Key, dict[str, str]] = {}
        #: Simulated objects whose one-off events were already emitted.
        self.reported: set[Key] = set()
        self._frozen_now: float | None = None
        self._name_seq: dict[str, int] = {}
        self._ip_seq: dict[str, int] = {}
        self._event_seq = 0
        self._node_index: dict[str, int] = {}

    # --- time, names, addresses -----------------------------------------------------------

    def now(self) -> float:
        """Seconds since the epoch (frozen while a cluster directory loads)."""
        return self._frozen_now if self._frozen_now is not None else self.clock()

    def now_iso(self) -> str:
        """The current time as a Kubernetes timestamp."""
        return iso(self.now())

    def generate_name(self, prefix: str, kind: str, namespace: str) -> str:
        """A free ``prefix + 5 chars`` name, the same sequence for the same directory."""
        while True:
            seq = self._name_seq.get(prefix + namespace, 0)
            self._name_seq[prefix + namespace] = seq + 1
            candidate = prefix + names.suffix(f"{namespace}/{prefix}/{seq}")
            if self.store.get(kind, namespace, candidate) is None:
                return candidate

    def node_ip(self, node: str) -> str:
        """The node's InternalIP."""
        index = self._node_index.setdefault(node, len(self._node_index))
        return f"172.18.0.{index + 2}"

    def allocate_pod_ip(self, node: str) -> str:
        """The next pod IP in the node's pod CIDR."""
        index = self._node_index.setdefault(node, len(self._node_index))
        seq = self._ip_seq.get(node, 1) + 1
        self._ip_seq[node] = seq
        return f"10.244.{index}.{seq}"

    def _cluster_ip(self, namespace: str, name: str) -> str:
        taken = {s["spec"].get("clusterIP") for s in self.store.list("service")}
        attempt = 0
        while True:
            n = names.number(f"{namespace}/{name}/{attempt}", 65000) + 12
            ip = str(ipaddress.IPv4Address("10.96.0.0") + n)
            if ip not in taken:
                return ip
            attempt += 1

    # --- loading ---------------------------------------------------------------------------

    def load_dir(self, directory: Path, age_seconds: float = 3 * 86400) -> None:
        """Load every ``*.yaml`` file in name order, then reconcile.

        Raises:
            ClusterDirError: missing directory, unreadable YAML or an unsupported kind.
        """
        if not directory.is_dir():
            raise ClusterDirError(f"cluster directory not found: {directory}")
        files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
        if not files:
            raise ClusterDirError(f"no *.yaml files in cluster directory {directory}")
        self._frozen_now = self.clock() - age_seconds
        try:
            with self.store.locked():
                for path in files:
                    try:
                        docs = list(yaml.safe_load_all(path.read_text()))
                    except yaml.YAMLError as exc:
                        raise ClusterDirError(f"{path}: invalid YAML: {exc}") from exc
                    for doc in docs:
                        if doc is None:
                            continue
                        items = doc.get("items", []) if doc.get("kind") == "List" else [doc]
                        for item in items:
                            self._load_one(path, item)
                self.reconcile()
        finally:
            self._frozen_now = None

    def _load_one(self, path: Path, obj: Obj) -> None:
        if not isinstance(obj, dict) or "kind" not in obj or "apiVersion" not in obj:
            raise ClusterDirError(f"{path}: a document without apiVersion/kind")
        rt = for_object(obj["apiVersion"], obj["kind"])
        if rt is None:
            raise ClusterDirError(f"{path}: devcluster does not serve {obj['apiVersion']} {obj['kind']}")
        namespace = (obj.get("metadata") or {}).get("namespace") or "default"
        try:
            self.create(rt, namespace if rt.namespaced else None, obj, reconcile=False)
        except ApiError as exc:
            raise ClusterDirError(f"{path}: {exc.message}") from exc

    # --- admission ---------------------------------------------------------------------------

    def ensure_namespace(self, name: str) -> None:
        """Create namespace ``name`` if no object declared it."""
        if self.store.get("namespace", "", name) is None:
            self.admit_internal(
                "namespace", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
            )

    def _default(self, rt: ResourceType, obj: Obj) -> None:
        meta = obj["metadata"]
        spec = obj.get("spec")
        key = rt.key
        if key == "namespace":
            meta.setdefault("labels", {})
            meta["labels"]["kubernetes.io/metadata.name"] = meta["name"]
            obj["spec"] = {"finalizers": ["kubernetes"]}
            obj["status"] = {"phase": "Active"}
        elif key == "node":
            self._default_node(obj)
        elif key == "secret":
            obj.setdefault("type", "Opaque")
            string_data = obj.pop("stringData", None) or {}
            data = dict(obj.get("data") or {})
            for k, v in string_data.items():
                data[k] = base64.b64encode(str(v).encode()).decode()
            if data:
                obj["data"] = data
        elif key == "service" and isinstance(spec, dict):
            spec.setdefault("type", "ClusterIP")
            if spec.get("clusterIP") != "None":
                spec.setdefault("clusterIP", self._cluster_ip(meta["namespace"], meta["name"]))
            spec["clusterIPs"] = [spec["clusterIP"]]
            spec.setdefault("ipFamilies", ["IPv4"])
            spec.setdefault("ipFamilyPolicy", "SingleStack")
            spec.setdefault("sessionAffinity", "None")
            spec.setdefault("internalTrafficPolicy", "Cluster")
            for i, port in enumerate(spec.get("ports") or []):
                port.setdefault("protocol", "TCP")
                port.setdefault("targetPort", port.get("port"))
                if spec["type"] in ("NodePort", "LoadBalancer"):
                    port.setdefault(
                        "nodePort", 30000 + names.number(f"{meta['namespace']}/{meta['name']}/{i}", 2767)
                    )
            if spec["type"] in ("NodePort", "LoadBalancer"):
                spec.setdefault("externalTrafficPolicy", "Cluster")
            if spec["type"] == "LoadBalancer":
                spec.setdefault("allocateLoadBalancerNodePorts", True)
            obj.setdefault("status", {"loadBalancer": {}})
        elif key == "pod" and isinstance(spec, dict):
            _default_pod_spec(spec)
        elif key in _WORKLOADS and isinstance(spec, dict):
            if key in ("deployment", "replicaset", "statefulset"):
                spec.setdefault("replicas", 1)
            if key == "deployment":
                spec.setdefault("revisionHistoryLimit", 10)
                spec.setdefault("progressDeadlineSeconds", 600)
                spec.setdefault(
                    "strategy",
                    {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                )
            if key == "statefulset":
                spec.setdefault("podManagementPolicy", "OrderedReady")
                spec.setdefault(
                    "updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
                )
                spec.setdefault("revisionHistoryLimit", 10)
            if key == "job":
                spec.setdefault("completions", 1)
                spec.setdefault("parallelism", 1)
                spec.setdefault("backoffLimit", 6)
                spec.setdefault("completionMode", "NonIndexed")
                spec.setdefault("suspend", False)
                spec.setdefault(
                    "selector", {"matchLabels": {"batch.kubernetes.io/controller-uid": meta["uid"]}}
                )
                tmeta = spec.setdefault("template", {}).setdefault("metadata", {})
                tmeta.setdefault("labels", {}).update(
                    {
                        "batch.kubernetes.io/controller-uid": meta["uid"],
                        "batch.kubernetes.io/job-name": meta["name"],
                        "controller-uid": meta["uid"],
                        "job-name": meta["name"],
                    }
                )
                spec["template"].setdefault("spec", {}).setdefault("restartPolicy", "Never")
            template = spec.get("template")
            if isinstance(template, dict):
                template.setdefault("metadata", {})
                template["metadata"].setdefault("creationTimestamp", None)
                _default_pod_spec(template.setdefault("spec", {}))
        elif key == "cronjob" and isinstance(spec, dict):
            spec.setdefault("concurrencyPolicy", "Allow")
            spec.setdefault("suspend", False)
            spec.setdefault("successfulJobsHistoryLimit", 3)
            spec.setdefault("failedJobsHistoryLimit", 1)
            obj.setdefault("status", {})
        elif key == "ingress":
            obj.setdefault("status", {"loadBalancer": {}})
        elif key == "persistentvolumeclaim" and isinstance(spec, dict):
            spec.setdefault("volumeMode", "Filesystem")
        elif key == "storageclass":
            obj.setdefault("reclaimPolicy", "Delete")
            obj.setdefault("volumeBindingMode", "Immediate")

    def _default_node(self, obj: Obj) -> None:
        name = obj["metadata"]["name"]
        st = obj.setdefault("status", {})
        ts = obj["metadata"]["creationTimestamp"]
        index = self._node_index.setdefault(name, len(self._node_index))
        obj.setdefault("spec", {}).setdefault("podCIDR", f"10.244.{index}.0/24")
        obj["spec"].setdefault("podCIDRs", [obj["spec"]["podCIDR"]])
        st.setdefault(
            "addresses",
            [{"address": self.node_ip(name), "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
        )
        info = st.setdefault("nodeInfo", {})
        for k, v in (
            ("architecture", "amd64"),
            ("bootID", names.uid("boot", name)),
            ("containerRuntimeVersion", "containerd://1.7.24"),
            ("kernelVersion", "6.1.0-28-cloud-amd64"),
            ("kubeProxyVersion", ""),
            ("kubeletVersion", "v1.31.4"),
            ("machineID", names.uid("machine", name).replace("-", "")),
            ("operatingSystem", "linux"),
            ("osImage", "Debian GNU/Linux 12 (bookworm)"),
            ("systemUUID", names.uid("system", name)),
        ):
            info.setdefault(k, v)
        info["kubeProxyVersion"] = info.get("kubeletVersion", "")
        st.setdefault("daemonEndpoints", {"kubeletEndpoint": {"Port": 10250}})
        if "conditions" not in st:
            sim = self.simulate.get(("node", "", name))
            st["conditions"] = controllers.node_conditions(ts, set((sim or "").split(",")) - {""})
            controllers.taint_node(obj, ts)

    def _validate(self, rt: ResourceType, obj: Obj) -> None:
        name = obj["metadata"].get("name") or ""
        causes: list[tuple[str, str]] = []
        if not name:
            causes.append(("metadata.name", "Required value: name or generateName is required"))
        elif rt.key in _PATH_SEGMENT_NAMED:
            if name in (".", "..") or "/" in name or "%" in name:
                causes.append(("metadata.name", f"Invalid value: \"{name}\": may not contain '/' or '%'"))
        else:
            pattern = _DNS1123_LABEL if rt.key in _LABEL_NAMED else _DNS1123_SUBDOMAIN
            if not pattern.match(name) or len(name) > 253:
                what = "RFC 1123 label" if rt.key in _LABEL_NAMED else "RFC 1123 subdomain"
                regex = pattern.pattern.strip("^$")
                causes.append(
                    (
                        "metadata.name",
                        f'Invalid value: "{name}": a lowercase {what} '
                        "must consist of lower case alphanumeric characters, '-' or '.', "
                        "and must start and end with an alphanumeric character (e.g. "
                        f"'example.com', regex used for validation is '{regex}')",
                    )
                )
        spec = obj.get("spec") or {}
        if rt.key == "pod" and not spec.get("containers"):
            causes.append(("spec.containers", "Required value"))
        if rt.key in ("deployment", "replicaset", "statefulset", "daemonset"):
            replicas = spec.get("replicas", 0)
            if not isinstance(replicas, int) or replicas < 0:
                causes.append(
                    ("spec.replicas", f"Invalid value: {replicas}: must be greater than or equal to 0")
                )
            sel = spec.get("selector")
            tlabels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
            if not sel:
                causes.append(("spec.selector", "Required value"))
            elif not labels_match(selector_from_label_selector(sel), tlabels):
                causes.append(
                    (
                        "spec.template.metadata.labels",
                        f"Invalid value: {_go_map(tlabels)}: `selector` does not match template `labels`",
                    )
                )
            if not ((spec.get("template") or {}).get("spec") or {}).get("containers"):
                causes.append(("spec.template.spec.containers", "Required value"))
        if causes:
            raise status.invalid(rt, name, causes)

    def _admit(self, rt: ResourceType, obj: Obj, namespace: str | None, existing: Obj | None) -> Obj:
        """Normalise ``obj`` for storage (not yet stored)."""
        obj = copy.deepcopy(obj)
        obj["apiVersion"] = rt.api_version
        obj["kind"] = rt.kind
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise status.bad_request("metadata must be an object")
        if rt.namespaced:
            body_ns = meta.get("namespace")
            if namespace and body_ns and body_ns != namespace:
                raise status.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            meta["namespace"] = namespace or body_ns or "default"
        else:
            meta.pop("namespace", None)
        if not meta.get("name") and meta.get("generateName") and existing is None:
            meta["name"] = self.generate_name(meta["generateName"], rt.key, meta.get("namespace", ""))
        hidden = hidden_annotations(obj)
        sim = strip_hidden(obj)
        self._validate(rt, obj)
        ns = meta.get("namespace", "")
        key = (rt.key, ns, meta["name"])
        if sim is not None:
            self.simulate[key] = sim
        if hidden:
            self.hidden[key] = hidden
        for k in ("resourceVersion", "selfLink", "managedFields"):
            meta.pop(k, None)
        if existing is None:
            meta["uid"] = names.uid(rt.key, ns, meta["name"], str(self.store.resource_version))
            meta["creationTimestamp"] = self.now_iso()
            if rt.key in _GENERATION_KINDS:
                meta["generation"] = 1
            for k in ("deletionTimestamp", "deletionGracePeriodSeconds"):
                meta.pop(k, None)
        else:
            old = existing["metadata"]
            for k in ("uid", "creationTimestamp", "ownerReferences", "generateName"):
                if k in old and k not in meta:
                    meta[k] = old[k]
            meta["uid"] = old["uid"]
            meta["creationTimestamp"] = old["creationTimestamp"]
            if rt.key in _GENERATION_KINDS:
                changed = obj.get("spec") != existing.get("spec")
                meta["generation"] = old.get("generation", 1) + (1 if changed else 0)
            if "status" in existing and "status" not in obj:
                obj["status"] = copy.deepcopy(existing["status"])
        self._default(rt, obj)
        if rt.key == "pod" and existing is not None:
            # Pod specs are immutable but for images; keep the kubelet's view of the pod.
            obj["spec"].setdefault("nodeName", existing["spec"].get("nodeName"))
            obj["status"] = existing.get("status", {})
        return obj

    def admit_internal(self, kind: str, obj: Obj, simulate_from: tuple[str, Obj] | None = None) -> Obj:
        """Store an object a controller creates (no API checks but validation)."""
        rt = by_key(kind)
        out = self._admit(rt, obj, obj["metadata"].get("namespace"), None)
        if simulate_from is not None:
            src_kind, src = simulate_from
            sim = self.simulate.get((src_kind, src["metadata"].get("namespace", ""), src["metadata"]["name"]))
            if sim is not None:
                self.simulate[(kind, out["metadata"].get("namespace", ""), out["metadata"]["name"])] = sim
        return self.store.put(kind, out)

    def spawn_pod(
        self,
        owner: Obj,
        name: str,
        template: Obj,
        extra_labels: dict[str, str] | None = None,
        node_name: str | None = None,
        hostname: str | None = None,
    ) -> Obj:
        """Create and start a Pod from ``owner``'s template."""
        tmeta = template.get("metadata") or {}
        labels = dict(tmeta.get("labels") or {})
        labels.update(extra_labels or {})
        meta: Obj = {
            "name": name,
            "namespace": owner["metadata"]["namespace"],
            "labels": labels,
            "ownerReferences": [controllers.owner_ref(owner)],
        }
        if owner["kind"] in ("ReplicaSet", "DaemonSet", "Job"):
            meta["generateName"] = name[:-5]
        if tmeta.get("annotations"):
            meta["annotations"] = dict(tmeta["annotations"])
        spec = copy.deepcopy(template.get("spec") or {})
        if node_name:
            spec["nodeName"] = node_name
        if hostname:
            spec["hostname"] = hostname
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}
        owner_kind = owner["kind"].lower()
        stored = self.admit_internal("pod", pod, simulate_from=(owner_kind, owner))
        controllers.start_pod(self, stored)
        return stored

    def kill_pod(self, pod: Obj) -> None:
        """Remove a pod, with the kubelet's Killing events."""
        meta = pod["metadata"]
        node = pod["spec"].get("nodeName")
        phase = pod.get("status", {}).get("phase")
        if node and phase in ("Running", "Pending"):
            for c in pod["spec"].get("containers") or []:
                self.emit(
                    pod,
                    "Normal",
                    "Killing",
                    f"Stopping container {c['name']}",
                    "kubelet",
                    node,
                    f"spec.containers{{{c['name']}}}",
                )
        self.store.remove("pod", meta["namespace"], meta["name"])
        self.simulate.pop(("pod", meta["namespace"], meta["name"]), None)

    def emit(
        self,
        obj: Obj,
        type_: str,
        reason: str,
        message: str,
        component: str,
        host: str | None = None,
        field_path: str | None = None,
        count: int = 1,
    ) -> Obj:
        """Record a core/v1 Event about ``obj``."""
        meta = obj["metadata"]
        ns = meta.get("namespace") or "default"
        self._event_seq += 1
        seed = f"{meta['uid']}/{self._event_seq}"
        name = f"{meta['name']}.{names.event_suffix(seed)}"
        now = self.now()
        first = iso(now - 60 * (count - 1)) if count > 1 else iso(now)
        involved: Obj = {
            "kind": obj["kind"],
            "namespace": meta.get("namespace", ""),
            "name": meta["name"],
            "uid": meta["uid"],
            "apiVersion": obj["apiVersion"],
            "resourceVersion": meta.get("resourceVersion", ""),
        }
        if not meta.get("namespace"):
            involved.pop("namespace")
        if field_path:
            involved["fieldPath"] = field_path
        source: Obj = {"component": component}
        if host:
            source["host"] = host
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": first,
            "lastTimestamp": iso(now),
            "count": count,
            "type": type_,
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": host or "",
        }
        return self.admit_internal("event", event)

    def reconcile(self) -> None:
        """Run the controllers until nothing changes (bounded)."""
        with self.store.locked():
            for _ in range(6):
                before = self.store.resource_version
                for controller in controllers.CONTROLLERS:
                    controller(self)
                if self.store.resource_version == before:
                    return

    # --- API operations ----------------------------------------------------------------------

    def _require_namespace(self, rt: ResourceType, namespace: str | None) -> None:
        if rt.namespaced and namespace and self.store.get("namespace", "", namespace) is None:
            raise status.not_found(by_key("namespace"), namespace)

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> Obj:
        """The stored object.

        Raises:
            ApiError: 404 NotFound.
        """
        obj = self.store.get(rt.key, namespace or "", name)
        if obj is None:
            raise status.not_found(rt, name)
        return obj

    def list(
        self, rt: ResourceType, namespace: str | None, label_selector: str = "", field_selector: str = ""
    ) -> builtins.list[Obj]:
        """Objects matching the selectors.

        Raises:
            ApiError: 400 BadRequest for an unparsable selector.
        """
        labels = parse_label_selector(label_selector) if label_selector else []
        fields = parse_field_selector(field_selector, rt.key) if field_selector else []
        return [
            o
            for o in self.store.list(rt.key, namespace)
            if labels_match(labels, o["metadata"].get("labels")) and fields_match(fields, o)
        ]

    def create(
        self,
        rt: ResourceType,
        namespace: str | None,
        body: Obj,
        reconcile: bool = True,
        dry_run: bool = False,
    ) -> Obj:
        """Create ``body``.

        Raises:
            ApiError: 409 AlreadyExists, 422 Invalid, 404 for a missing namespace.
        """
        with self.store.locked():
            if rt.key == "namespace":
                pass
            elif rt.namespaced and not reconcile:
                self.ensure_namespace(namespace or "default")
            else:
                self._require_namespace(rt, namespace)
            obj = self._admit(rt, body, namespace, None)
            meta = obj["metadata"]
            if self.store.get(rt.key, meta.get("namespace", ""), meta["name"]) is not None:
                raise status.already_exists(rt, meta["name"])
            if dry_run:
                return obj
            self.store.put(rt.key, obj)
            if reconcile:
                self.reconcile()
            return obj

    def replace(self, rt: ResourceType, namespace: str | None, name: str, body: Obj) -> Obj:
        """Update (PUT) an existing object.

        Raises:
            ApiError: 404, 409 Conflict on a stale resourceVersion, 400 on a name mismatch.
        """
        with self.store.locked():
            existing = self.get(rt, namespace, name)
            body_meta = body.get("metadata") or {}
            if body_meta.get("name") and body_meta["name"] != name:
                raise status.bad_request(
                    "the name of the object "
                    f"({body_meta['name']}) does not match the name on the URL ({name})"
                )
            rv = body_meta.get("resourceVersion")
            if rv and rv != existing["metadata"]["resourceVersion"]:
                raise status.conflict(rt, name)
            body = copy.deepcopy(body)
            body.setdefault("metadata", {})["name"] = name
            obj = self._admit(rt, body, namespace, existing)
            self.store.put(rt.key, obj)
            self.reconcile()
            return obj

    def patch(
        self, rt: ResourceType, namespace: str | None, name: str, content_type: str, patch: Any
    ) -> tuple[Obj, bool]:
        """Apply a patch; server-side apply creates missing objects. Returns (object, created).

        Raises:
            ApiError: 404, 415 for an unknown patch type, 422 for a failed patch.
        """
        ctype = content_type.split(";")[0].strip()
        with self.store.locked():
            existing = self.store.get(rt.key, namespace or "", name)
            if ctype == "application/apply-patch+yaml":
                if not isinstance(patch, dict):
                    raise status.bad_request("apply patch must be an object")
                pmeta = patch.get("metadata") or {}
                if pmeta.get("name") and pmeta["name"] != name:
                    raise status.bad_request(
                        "the name of the object "
                        f"({pmeta['name']}) does not match the name on the URL ({name})"
                    )
                if existing is None:
                    self._require_namespace(rt, namespace)
                    body = copy.deepcopy(patch)
                    body.setdefault("metadata", {})["name"] = name
                    return self.create(rt, namespace, body), True
                merged = patching.strategic_merge(existing, patch)
            elif existing is None:
                raise status.not_found(rt, name)
            elif ctype == "application/merge-patch+json":
                merged = patching.merge_patch(existing, patch)
            elif ctype == "application/strategic-merge-patch+json":
                merged = patching.strategic_merge(existing, patch)
            elif ctype == "application/json-patch+json":
                merged = patching.json_patch(existing, patch)
            else:
                raise status.unsupported_media_type(content_type)
            rv = (merged.get("metadata") or {}).get("resourceVersion")
            if rv and rv != existing["metadata"]["resourceVersion"]:
                raise status.conflict(rt, name)
            merged.setdefault("metadata", {})["name"] = name
            obj = self._admit(rt, merged, namespace, existing)
            self.store.put(rt.key, obj)
            self.reconcile()
            return obj, False

    def delete(
        self, rt: ResourceType, namespace: str | None, name: str, grace_seconds: int | None = None
    ) -> Obj:
        """Delete an object; return what kube-apiserver answers (the object or a Status).

        Raises:
            ApiError: 404 NotFound.
        """
        with self.store.locked():
            existing = self.get(rt, namespace, name)
            answer = copy.deepcopy(existing)
            if rt.key == "pod":
                grace = (
                    grace_seconds
                    if grace_seconds is not None
                    else existing["spec"].get("terminationGracePeriodSeconds", 30)
                )
                self.kill_pod(existing)
                answer["metadata"]["deletionTimestamp"] = iso(self.now() + grace)
                answer["metadata"]["deletionGracePeriodSeconds"] = grace
                answer["metadata"]["resourceVersion"] = str(self.store.resource_version)
            elif rt.key == "namespace":
                self._delete_namespace(name)
                answer["metadata"]["deletionTimestamp"] = self.now_iso()
                answer["status"] = {"phase": "Terminating"}
                answer["metadata"]["resourceVersion"] = str(self.store.resource_version)
            else:
                self.store.remove(rt.key, namespace or "", name)
                answer = status.success(rt, name, existing["metadata"]["uid"])
            self.simulate.pop((rt.key, namespace or "", name), None)
            self.hidden.pop((rt.key, namespace or "", name), None)
            self.reconcile()
            return answer

    def _delete_namespace(self, name: str) -> None:
        for pod in self.store.list("pod", name):
            self.kill_pod(pod)
        kinds = {k for (k, ns, _) in self._all_keys() if ns == name}
        for kind in kinds:
            for obj in self.store.list(kind, name):
                self.store.remove(kind, name, obj["metadata"]["name"])
                self.simulate.pop((kind, name, obj["metadata"]["name"]), None)
                self.hidden.pop((kind, name, obj["metadata"]["name"]), None)
        self.store.remove("namespace", "", name)

    def _all_keys(self) -> builtins.list[Key]:
        from devcluster.resources import BY_KEY

        return [
            (k, o["metadata"].get("namespace", ""), o["metadata"]["name"])
            for k in BY_KEY
            for o in self.store.list(k)
        ]

    def get_scale(self, rt: ResourceType, namespace: str, name: str) -> Obj:
        """The ``autoscaling/v1`` Scale of a Deployment, ReplicaSet or StatefulSet."""
        obj = self.get(rt, namespace, name)
        sel = obj["spec"].get("selector") or {}
        selector = ",".join(f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items()))
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "uid": obj["metadata"]["uid"],
                "resourceVersion": obj["metadata"]["resourceVersion"],
                "creationTimestamp": obj["metadata"]["creationTimestamp"],
            },
            "spec": {"replicas": obj["spec"].get("replicas", 1)},
            "status": {"replicas": obj.get("status", {}).get("replicas", 0), "selector": selector},
        }

    def set_scale(
        self, rt: ResourceType, namespace: str, name: str, replicas: Any, resource_version: str | None = None
    ) -> Obj:
        """Set ``spec.replicas`` and reconcile; returns the new Scale.

        Raises:
            ApiError: 404, 409 Conflict, 422 for a negative or non-integer count.
        """
        with self.store.locked():
            obj = self.get(rt, namespace, name)
            if resource_version and resource_version != obj["metadata"]["resourceVersion"]:
                raise status.conflict(rt, name)
            if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
                raise ApiError(
                    422,
                    "Invalid",
                    f'Scale.autoscaling "{name}" is invalid: '
                    f"spec.replicas: Invalid value: {replicas}: must be greater than or "
                    "equal to 0",
                    {"name": name, "group": "autoscaling", "kind": "Scale"},
                )
            if obj["spec"].get("replicas") != replicas:
                obj["spec"]["replicas"] = replicas
                obj["metadata"]["generation"] = obj["metadata"].get("generation", 1) + 1
                self.store.put(rt.key, obj)
                self.reconcile()
            return self.get_scale(rt, namespace, name)


def served(obj: Obj) -> Obj:
    """A deep copy safe to send: no ``kcache.dev/*`` annotation anywhere."""
    # Stored objects hold only JSON values; a pickle round trip copies them twice as fast as
    # copy.deepcopy, which dominates listing tens of thousands of pods.
    out: Obj = pickle.loads(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))
    strip_hidden(out)
    return out


def _go_map(labels: dict[str, str]) -> str:
    inner = ", ".join(f'"{k}":"{v}"' for k, v in sorted(labels.items()))
    return f"map[string]string{{{inner}}}"


def _default_pod_spec(spec: Obj) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    if "serviceAccountName" in spec:
        spec.setdefault("serviceAccount", spec["serviceAccountName"])
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        image = str(c.get("image", ""))
        tag = image.rsplit("/", 1)[-1]
        latest = ":" not in tag or tag.endswith(":latest")
        c.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
        c.setdefault("resources", {})
        c.setdefault("terminationMessagePath", "/dev/termination-log")
        c.setdefault("terminationMessagePolicy", "File")
        for p in c.get("ports") or []:
            p.setdefault("protocol", "TCP")
        for probe_name in ("livenessProbe", "readinessProbe", "startupProbe"):
            if isinstance(c.get(probe_name), dict):
                _default_probe(c[probe_name])


def _default_probe(probe: Obj) -> None:
    # kube-apiserver's v1 defaulting; kubectl describe dereferences grpc.service unchecked.
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    if isinstance(probe.get("httpGet"), dict):
        probe["httpGet"].setdefault("scheme", "HTTP")
    if isinstance(probe.get("grpc"), dict):
        probe["grpc"].setdefault("service", "")
