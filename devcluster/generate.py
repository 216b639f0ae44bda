"""Generated clusters: a deterministic synthetic cluster of any size for benchmarks.

``pods=10000,namespaces=20,nodes=50[,services=N,deployments=N]`` builds namespaces, nodes,
Deployments with their ReplicaSets and Pods, Services with Endpoints, ConfigMaps, Secrets
(values carry ``CANARY-SECRET`` so a test can prove they never leak) and Events, with a
realistic mix of states: most workloads Running, a few in CrashLoopBackOff,
ImagePullBackOff or Pending.

Small objects go through the normal admission path. Pods, whose count is the point, are
built here as the simulated kubelet would report them and bulk-loaded into the store,
bypassing the controllers and the change log.
Pods of one Deployment share their container list, which keeps memory low; nothing in
devcluster mutates a stored container list in place (updates replace the object).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from devcluster import names
from devcluster.controllers import endpoint_slice, node_zones, owner_ref
from devcluster.resources import by_key
from devcluster.state import ClusterState, iso

Obj = dict[str, Any]
CANARY = "CANARY-SECRET"
_APPS = (
    "api",
    "web",
    "worker",
    "cart",
    "checkout",
    "search",
    "billing",
    "auth",
    "notifier",
    "catalog",
    "gateway",
    "ledger",
    "reports",
    "scheduler",
    "ingest",
)
_TEAMS = ("payments", "shop", "data", "platform", "growth", "identity", "media", "ops", "ml", "core")
_IMAGES = {
    "api": "ghcr.io/acme/api:v2.14.1",
    "web": "nginx:1.27.3",
    "worker": "ghcr.io/acme/worker:v1.9.0",
    "cart": "redis:7.4.1",
    "checkout": "ghcr.io/acme/checkout:v3.2.0",
    "search": "docker.elastic.co/elasticsearch/elasticsearch:8.16.1",
    "billing": "ghcr.io/acme/billing:v0.31.2",
    "auth": "quay.io/keycloak/keycloak:26.0.7",
    "notifier": "ghcr.io/acme/notifier:v1.0.4",
    "catalog": "postgres:16.6",
    "gateway": "envoyproxy/envoy:v1.32.2",
    "ledger": "ghcr.io/acme/ledger:v5.0.0",
    "reports": "python:3.12-slim",
    "scheduler": "ghcr.io/acme/scheduler:v0.8.3",
    "ingest": "confluentinc/cp-kafka:7.7.1",
}
#: Share of workloads per simulated state (the rest run normally).
STATE_MIX = (("CrashLoopBackOff", 0.04), ("ImagePullBackOff", 0.03), ("Pending", 0.03))
_KNOWN = ("pods", "namespaces", "nodes", "services", "deployments", "seed")


class GenerateSpecError(ValueError):
    """A ``--generate`` spec that cannot be used (names the bad part)."""


@dataclass(frozen=True)
class GenerateSpec:
    """Sizes of a generated cluster."""

    pods: int
    namespaces: int
    nodes: int
    deployments: int
    services: int
    seed: int = 0

    @classmethod
    def parse(cls, text: str) -> GenerateSpec:
        """Parse ``pods=N,namespaces=N,nodes=N[,services=N,deployments=N,seed=N]``.

        Raises:
            GenerateSpecError: an unknown key, a non-integer or a missing required size.
        """
        values: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, sep, raw = part.partition("=")
            if not sep or key not in _KNOWN:
                raise GenerateSpecError(f"bad generate item {part!r}: expected one of {', '.join(_KNOWN)}=N")
            try:
                values[key] = int(raw)
            except ValueError as exc:
                raise GenerateSpecError(f"bad generate item {part!r}: {raw!r} is not an integer") from exc
            if values[key] < 0 or (key != "seed" and key != "services" and values[key] == 0):
                raise GenerateSpecError(f"bad generate item {part!r}: must be positive")
        missing = [k for k in ("pods", "namespaces", "nodes") if k not in values]
        if missing:
            raise GenerateSpecError(f"generate spec {text!r} lacks {', '.join(missing)}")
        pods = values["pods"]
        deployments = values.get("deployments", max(1, pods // 10))
        if deployments > pods:
            raise GenerateSpecError(f"generate spec {text!r}: more deployments ({deployments}) than pods")
        return cls(
            pods=pods,
            namespaces=min(values["namespaces"], deployments),
            nodes=values["nodes"],
            deployments=deployments,
            services=min(values.get("services", deployments), deployments),
            seed=values.get("seed", 0),
        )


def generate(state: ClusterState, spec: GenerateSpec, age_seconds: float = 3 * 86400) -> None:
    """Fill ``state`` (expected empty) with the cluster ``spec`` describes."""
    rng = random.Random(spec.seed)
    start = state.clock() - age_seconds
    # Admitted objects get creation timestamps from the frozen clock, as when loading a directory.
    state._frozen_now = start
    try:
        with state.store.locked():
            _Builder(state, spec, rng, start).build()
    finally:
        state._frozen_now = None


class _Builder:
    def __init__(self, state: ClusterState, spec: GenerateSpec, rng: random.Random, start: float) -> None:
        self.state = state
        self.spec = spec
        self.rng = rng
        self.start = start
        self.node_names = [f"gen-node-{i:04d}" for i in range(spec.nodes)]
        self.namespaces = [f"{_TEAMS[i % len(_TEAMS)]}-{i:03d}" for i in range(spec.namespaces)]
        self._zones: dict[str, str] | None = None

    def create(self, kind: str, namespace: str | None, body: Obj) -> Obj:
        return self.state.create(by_key(kind), namespace, body, reconcile=False)

    def put(self, kind: str, obj: Obj) -> None:
        # The bulk of a generated cluster predates any watch, so it skips the change log,
        # whose per-write deep copy would dominate generation time at 50,000 pods.
        self.state.store.load(kind, (obj,))

    def build(self) -> None:
        spec = self.spec
        per_node = -(-spec.pods // spec.nodes)
        capacity = str(max(110, int(per_node * 1.2)))
        for node in self.node_names:
            zone = "abc"[names.number(node, 3)]
            self.create(
                "node",
                None,
                {
                    "apiVersion": "v1",
                    "kind": "Node",
                    "metadata": {
                        "name": node,
                        "labels": {
                            "kubernetes.io/hostname": node,
                            "kubernetes.io/os": "linux",
                            "kubernetes.io/arch": "amd64",
                            "topology.kubernetes.io/zone": f"zone-{zone}",
                            "node.kubernetes.io/instance-type": "e2-standard-8",
                        },
                    },
                    "status": {
                        "capacity": {"cpu": "8", "memory": "32Gi", "pods": capacity},
                        "allocatable": {"cpu": "7910m", "memory": "29Gi", "pods": capacity},
                    },
                },
            )
        for ns in self.namespaces:
            self.create(
                "namespace",
                None,
                {
                    "apiVersion": "v1",
                    "kind": "Namespace",
                    "metadata": {"name": ns, "labels": {"team": ns[:-4]}},
                },
            )
            self.create(
                "secret",
                ns,
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "metadata": {"name": "app-credentials", "namespace": ns},
                    "type": "Opaque",
                    "stringData": {
                        "username": f"svc-{ns}",
                        "password": f"{CANARY}-{names.suffix(ns, 12)}",
                    },
                },
            )
            self.create(
                "configmap",
                ns,
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "team-settings", "namespace": ns, "labels": {"team": ns[:-4]}},
                    "data": {"LOG_LEVEL": "info", "REGION": "europe-west1"},
                },
            )
        base, extra = divmod(spec.pods, spec.deployments)
        pod_index = 0
        for d in range(spec.deployments):
            replicas = base + (1 if d < extra else 0)
            self.deployment(d, replicas, pod_index)
            pod_index += replicas

    def deployment(self, d: int, replicas: int, pod_index: int) -> None:
        ns = self.namespaces[d % len(self.namespaces)]
        app = _APPS[d % len(_APPS)]
        name = f"{app}-{d:05d}"
        image = _IMAGES[app]
        roll = self.rng.random()
        sim = None
        for state_name, share in STATE_MIX:
            if roll < share:
                sim = state_name
                break
            roll -= share
        labels = {"app": name, "app.kubernetes.io/part-of": ns[:-4]}
        container: Obj = {
            "name": app,
            "image": image,
            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
            "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
            "env": [
                {
                    "name": "CONFIG",
                    "valueFrom": {"configMapKeyRef": {"name": f"{name}-config", "key": "mode"}},
                }
            ],
        }
        template = {"metadata": {"labels": dict(labels)}, "spec": {"containers": [container]}}
        created = self.state.now()
        dep = self.create(
            "deployment",
            ns,
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": name, "namespace": ns, "labels": dict(labels)},
                "spec": {
                    "replicas": replicas,
                    "selector": {"matchLabels": dict(labels)},
                    "template": template,
                },
            },
        )
        phash = names.template_hash(dep["spec"]["template"])
        rs_labels = dict(labels, **{"pod-template-hash": phash})
        rs_template = {
            "metadata": {"labels": rs_labels, "creationTimestamp": None},
            "spec": dep["spec"]["template"]["spec"],
        }
        rs_name = f"{name}-{phash}"
        rs = self.create(
            "replicaset",
            ns,
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": rs_name,
                    "namespace": ns,
                    "labels": rs_labels,
                    "annotations": {
                        "deployment.kubernetes.io/desired-replicas": str(replicas),
                        "deployment.kubernetes.io/max-replicas": str(replicas + max(1, -(-replicas // 4))),
                        "deployment.kubernetes.io/revision": "1",
                    },
                    "ownerReferences": [owner_ref(dep)],
                },
                "spec": {
                    "replicas": replicas,
                    "selector": {"matchLabels": rs_labels},
                    "template": rs_template,
                },
            },
        )
        self.state.emit(
            dep,
            "Normal",
            "ScalingReplicaSet",
            f"Scaled up replica set {rs_name} from 0 to {replicas}",
            "deployment-controller",
        )
        containers = rs["spec"]["template"]["spec"]["containers"]
        ready = 0
        addresses: list[Obj] = []
        not_ready: list[Obj] = []
        for i in range(replicas):
            pod = self.pod(rs, rs_name, containers, sim, pod_index + i, created)
            if sim is None:
                ready += 1
            if pod["status"].get("podIP"):
                (addresses if sim is None else not_ready).append(
                    {
                        "ip": pod["status"]["podIP"],
                        "nodeName": pod["spec"]["nodeName"],
                        "targetRef": {
                            "kind": "Pod",
                            "namespace": ns,
                            "name": pod["metadata"]["name"],
                            "uid": pod["metadata"]["uid"],
                        },
                    }
                )
        rs["status"] = _prune(
            {
                "replicas": replicas,
                "fullyLabeledReplicas": replicas,
                "readyReplicas": ready,
                "availableReplicas": ready,
                "observedGeneration": 1,
            }
        )
        rs["status"]["replicas"] = replicas
        conditions = [
            {
                "type": "Available",
                "status": "True" if ready == replicas else "False",
                "lastUpdateTime": iso(created),
                "lastTransitionTime": iso(created),
                "reason": "MinimumReplicasAvailable" if ready == replicas else "MinimumReplicasUnavailable",
                "message": "Deployment has minimum availability."
                if ready == replicas
                else "Deployment does not have minimum availability.",
            },
            {
                "type": "Progressing",
                "status": "True",
                "lastUpdateTime": iso(created),
                "lastTransitionTime": iso(created),
                "reason": "NewReplicaSetAvailable" if ready == replicas else "ReplicaSetUpdated",
                "message": f'ReplicaSet "{rs_name}" has successfully progressed.'
                if ready == replicas
                else f'ReplicaSet "{rs_name}" is progressing.',
            },
        ]
        dep["status"] = dict(
            _prune(
                {
                    "observedGeneration": 1,
                    "replicas": replicas,
                    "updatedReplicas": replicas,
                    "readyReplicas": ready,
                    "availableReplicas": ready,
                    "unavailableReplicas": replicas - ready,
                }
            ),
            conditions=conditions,
        )
        if d < self.spec.services:
            self.service(ns, name, labels, addresses, not_ready)
        if d % 5 == 0:
            self.create(
                "configmap",
                ns,
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": f"{name}-config", "namespace": ns, "labels": {"app": name}},
                    "data": {"mode": "production", "workers": str(2 + d % 7)},
                },
            )

    def pod(
        self, rs: Obj, rs_name: str, containers: list[Obj], sim: str | None, index: int, created: float
    ) -> Obj:
        ns = rs["metadata"]["namespace"]
        name = f"{rs_name}-{names.suffix(f'{ns}/{rs_name}/{index}')}"
        uid = names.uid("pod", ns, name)
        ts = iso(created)
        node = None if sim == "Pending" else self.node_names[index % len(self.node_names)]
        meta: Obj = {
            "name": name,
            "generateName": f"{rs_name}-",
            "namespace": ns,
            "uid": uid,
            "creationTimestamp": ts,
            "labels": rs["spec"]["template"]["metadata"]["labels"],
            "ownerReferences": [owner_ref(rs)],
        }
        spec: Obj = {
            "containers": containers,
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler",
            "serviceAccountName": "default",
            "serviceAccount": "default",
            "securityContext": {},
        }
        pod: Obj = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}
        cname = containers[0]["name"]
        image = containers[0]["image"]
        if node is None:
            message = (
                f"0/{len(self.node_names)} nodes are available: {len(self.node_names)} Insufficient cpu. "
                "preemption: 0/{0} nodes are available: {0} No preemption victims found for incoming "
                "pod.".format(len(self.node_names))
            )
            pod["status"] = {
                "phase": "Pending",
                "qosClass": "Burstable",
                "conditions": [
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "lastProbeTime": None,
                        "lastTransitionTime": ts,
                        "reason": "Unschedulable",
                        "message": message,
                    }
                ],
            }
            self.put("pod", pod)
            self.state.emit(pod, "Warning", "FailedScheduling", message, "default-scheduler", count=12)
            return pod
        spec["nodeName"] = node
        cid = f"containerd://{names.event_suffix(uid) * 4}"
        cstatus: Obj = {
            "name": cname,
            "image": image,
            "imageID": f"{image.split(':')[0]}@sha256:{names.event_suffix(image) * 4}",
            "containerID": cid,
            "restartCount": 0,
            "started": True,
            "ready": True,
            "state": {"running": {"startedAt": ts}},
        }
        phase = "Running"
        if sim == "CrashLoopBackOff":
            cstatus.update(
                restartCount=7 + index % 20,
                started=False,
                ready=False,
                lastState={
                    "terminated": {
                        "exitCode": 1,
                        "reason": "Error",
                        "startedAt": ts,
                        "finishedAt": ts,
                        "containerID": cid,
                    }
                },
                state={
                    "waiting": {
                        "reason": "CrashLoopBackOff",
                        "message": f"back-off 5m0s restarting failed container={cname} "
                        f"pod={name}_{ns}({uid})",
                    }
                },
            )
            self.state.emit(
                pod,
                "Warning",
                "BackOff",
                f"Back-off restarting failed container {cname} in pod {name}_{ns}({uid})",
                "kubelet",
                node,
                f"spec.containers{{{cname}}}",
                count=31,
            )
        elif sim == "ImagePullBackOff":
            phase = "Pending"
            del cstatus["containerID"]
            cstatus.update(
                imageID="",
                started=False,
                ready=False,
                state={
                    "waiting": {"reason": "ImagePullBackOff", "message": f'Back-off pulling image "{image}"'}
                },
            )
            self.state.emit(
                pod,
                "Warning",
                "Failed",
                "Error: ImagePullBackOff",
                "kubelet",
                node,
                f"spec.containers{{{cname}}}",
                count=60,
            )
        ready = "True" if cstatus["ready"] else "False"
        reason = {} if cstatus["ready"] else {"reason": "ContainersNotReady"}
        if reason:
            reason["message"] = f"containers with unready status: [{cname}]"

        def cond(ctype: str, value: str, extra: Obj | None = None) -> Obj:
            c: Obj = {"type": ctype, "status": value, "lastProbeTime": None, "lastTransitionTime": ts}
            c.update(extra or {})
            return c

        node_index = index % len(self.node_names)
        pod_ip = f"10.{64 + node_index // 256}.{node_index % 256}.{2 + (index // len(self.node_names)) % 250}"
        host_ip = f"172.18.{node_index // 250}.{2 + node_index % 250}"
        pod["status"] = {
            "phase": phase,
            "conditions": [
                cond("PodReadyToStartContainers", "True"),
                cond("Initialized", "True"),
                cond("Ready", ready, reason),
                cond("ContainersReady", ready, reason),
                cond("PodScheduled", "True"),
            ],
            "hostIP": host_ip,
            "hostIPs": [{"ip": host_ip}],
            "podIP": pod_ip,
            "podIPs": [{"ip": pod_ip}],
            "startTime": ts,
            "containerStatuses": [cstatus],
            "qosClass": "Burstable",
        }
        self.put("pod", pod)
        return pod

    def service(
        self, ns: str, name: str, labels: dict[str, str], ready: list[Obj], not_ready: list[Obj]
    ) -> None:
        n = names.number(f"{ns}/{name}", 65000) + 12
        cluster_ip = f"10.96.{n // 256}.{n % 256}"
        # Built here rather than admitted: admission picks a free cluster IP by scanning every
        # Service, which is quadratic in the number of Services.
        svc: Obj = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": name,
                "namespace": ns,
                "uid": names.uid("service", ns, name),
                "creationTimestamp": self.state.now_iso(),
                "labels": dict(labels),
            },
            "spec": {
                "selector": {"app": name},
                "clusterIP": cluster_ip,
                "clusterIPs": [cluster_ip],
                "type": "ClusterIP",
                "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack",
                "sessionAffinity": "None",
                "internalTrafficPolicy": "Cluster",
                "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}],
            },
            "status": {"loadBalancer": {}},
        }
        self.put("service", svc)
        # Ordered by pod name, as the endpoints controller lists them, so that a later
        # reconcile finds nothing to change.
        subset: Obj = {}
        if ready:
            subset["addresses"] = sorted(ready, key=lambda a: a["targetRef"]["name"])
        if not_ready:
            subset["notReadyAddresses"] = sorted(not_ready, key=lambda a: a["targetRef"]["name"])
        subsets = [dict(subset, ports=[{"name": "http", "port": 8080, "protocol": "TCP"}])] if subset else []
        ep: Obj = {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {"name": name, "namespace": ns, "labels": dict(labels)},
        }
        ep["metadata"].update(uid=names.uid("endpoints", ns, name), creationTimestamp=self.state.now_iso())
        if subsets:
            ep["subsets"] = subsets
        self.put("endpoints", ep)
        if self._zones is None:
            self._zones = node_zones(self.state)
        es = endpoint_slice(
            svc, ready, not_ready, [{"name": "http", "port": 8080, "protocol": "TCP"}], self._zones
        )
        es["metadata"].update(
            uid=names.uid("endpointslice", ns, es["metadata"]["name"]), creationTimestamp=self.state.now_iso()
        )
        self.put("endpointslice", es)


def _prune(d: Obj) -> Obj:
    return {k: v for k, v in d.items() if v not in (0, None, [], {})}
