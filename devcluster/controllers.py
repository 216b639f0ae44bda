"""Controllers: expand workloads into ReplicaSets and Pods, schedule, simulate, emit Events.

Everything here runs under the store lock, called by :meth:`ClusterState.reconcile` after
each write. Controllers write only when an object actually changes, so a quiet cluster keeps
its resourceVersion.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from devcluster import names, quantity
from devcluster.selectors import labels_match, selector_from_label_selector

if TYPE_CHECKING:
    from devcluster.state import ClusterState

Obj = dict[str, Any]

#: Values of the hidden simulate instruction, with what the Pod looks like.
SIMULATIONS = ("CrashLoopBackOff", "ImagePullBackOff", "Pending", "OOMKilled", "NotReady")


def owner_ref(obj: Obj) -> Obj:
    """The controller ownerReference pointing at ``obj``."""
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def owned_by(state: ClusterState, kind: str, owner: Obj) -> list[Obj]:
    """Objects of ``kind`` in the owner's namespace whose controller is ``owner``."""
    uid = owner["metadata"]["uid"]
    return [
        o
        for o in state.store.owned(kind, owner["metadata"].get("namespace", ""), uid)
        if any(r.get("uid") == uid for r in o["metadata"].get("ownerReferences") or [])
    ]


def _set_status(state: ClusterState, kind: str, obj: Obj, status: Obj) -> None:
    if obj.get("status") != status:
        obj["status"] = status
        state.store.put(kind, obj)


def _prune(d: Obj) -> Obj:
    """Drop zero counts, as Go's ``omitempty`` does in workload status."""
    return {k: v for k, v in d.items() if v not in (0, None, [], {})}


def _pod_ready(pod: Obj) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in pod.get("status", {}).get("conditions") or []
    )


# --- Deployments -------------------------------------------------------------------------


def reconcile_deployments(state: ClusterState) -> None:
    """Keep one ReplicaSet per Deployment template at the Deployment's replica count."""
    for dep in state.store.list("deployment"):
        meta = dep["metadata"]
        ns = meta["namespace"]
        template = dep["spec"]["template"]
        phash = names.template_hash(template)
        rs_name = f"{meta['name']}-{phash}"
        want = int(dep["spec"].get("replicas", 1))
        owned = owned_by(state, "replicaset", dep)
        current = next((r for r in owned if r["metadata"]["name"] == rs_name), None)
        if current is None:
            revision = 1 + max(
                (
                    int(r["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision", "0"))
                    for r in owned
                ),
                default=0,
            )
            labels = dict(template["metadata"].get("labels") or {})
            labels["pod-template-hash"] = phash
            tmpl = copy.deepcopy(template)
            tmpl["metadata"]["labels"] = labels
            selector = copy.deepcopy(dep["spec"]["selector"])
            selector.setdefault("matchLabels", {})["pod-template-hash"] = phash
            rs: Obj = {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": rs_name,
                    "namespace": ns,
                    "labels": labels,
                    "annotations": {
                        "deployment.kubernetes.io/desired-replicas": str(want),
                        "deployment.kubernetes.io/max-replicas": str(want + max(1, -(-want // 4))),
                        "deployment.kubernetes.io/revision": str(revision),
                    },
                    "ownerReferences": [owner_ref(dep)],
                },
                "spec": {"replicas": 0, "selector": selector, "template": tmpl},
            }
            current = state.admit_internal("replicaset", rs, simulate_from=("deployment", dep))
        for rs in owned:
            if rs is not current and int(rs["spec"].get("replicas", 0)) != 0:
                old = int(rs["spec"]["replicas"])
                rs["spec"]["replicas"] = 0
                state.store.put("replicaset", rs)
                state.emit(
                    dep,
                    "Normal",
                    "ScalingReplicaSet",
                    f"Scaled down replica set {rs['metadata']['name']} from {old} to 0",
                    "deployment-controller",
                )
        have = int(current["spec"].get("replicas", 0))
        if have != want:
            current["spec"]["replicas"] = want
            ann = current["metadata"].setdefault("annotations", {})
            ann["deployment.kubernetes.io/desired-replicas"] = str(want)
            ann["deployment.kubernetes.io/max-replicas"] = str(want + max(1, -(-want // 4)))
            state.store.put("replicaset", current)
            verb = "up" if want > have else "down"
            state.emit(
                dep,
                "Normal",
                "ScalingReplicaSet",
                f"Scaled {verb} replica set {rs_name} from {have} to {want}",
                "deployment-controller",
            )


def deployment_status(state: ClusterState) -> None:
    """Roll ReplicaSet counts up into each Deployment's status."""
    for dep in state.store.list("deployment"):
        owned = owned_by(state, "replicaset", dep)
        phash = names.template_hash(dep["spec"]["template"])
        replicas = sum(int(r.get("status", {}).get("replicas", 0)) for r in owned)
        ready = sum(int(r.get("status", {}).get("readyReplicas", 0)) for r in owned)
        updated = sum(
            int(r.get("status", {}).get("replicas", 0))
            for r in owned
            if r["metadata"]["name"].endswith(phash)
        )
        want = int(dep["spec"].get("replicas", 1))
        available = ready >= want
        ts = dep["metadata"]["creationTimestamp"]
        rs_name = f"{dep['metadata']['name']}-{phash}"
        status = _prune(
            {
                "observedGeneration": dep["metadata"].get("generation", 1),
                "replicas": replicas,
                "updatedReplicas": updated,
                "readyReplicas": ready,
                "availableReplicas": ready,
                "unavailableReplicas": max(0, replicas - ready),
            }
        )
        status["observedGeneration"] = dep["metadata"].get("generation", 1)
        status["conditions"] = [
            {
                "type": "Available",
                "status": "True" if available else "False",
                "lastUpdateTime": ts,
                "lastTransitionTime": ts,
                "reason": "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
                "message": "Deployment has minimum availability."
                if available
                else "Deployment does not have minimum availability.",
            },
            {
                "type": "Progressing",
                "status": "True",
                "lastUpdateTime": ts,
                "lastTransitionTime": ts,
                "reason": "NewReplicaSetAvailable" if available else "ReplicaSetUpdated",
                "message": f'ReplicaSet "{rs_name}" has successfully progressed.'
                if available
                else f'ReplicaSet "{rs_name}" is progressing.',
            },
        ]
        _set_status(state, "deployment", dep, status)


# --- ReplicaSets, StatefulSets, DaemonSets, Jobs ----------------------------------------------


def reconcile_replicasets(state: ClusterState) -> None:
    """Create or delete Pods so each ReplicaSet owns ``spec.replicas`` of them."""
    for rs in state.store.list("replicaset"):
        pods = owned_by(state, "pod", rs)
        want = int(rs["spec"].get("replicas", 1))
        name = rs["metadata"]["name"]
        while len(pods) < want:
            pod_name = state.generate_name(f"{name}-", "pod", rs["metadata"]["namespace"])
            pods.append(state.spawn_pod(rs, pod_name, rs["spec"]["template"]))
            state.emit(rs, "Normal", "SuccessfulCreate", f"Created pod: {pod_name}", "replicaset-controller")
        if len(pods) > want:
            # Unready pods go first, then the newest, as the ReplicaSet controller ranks them.
            ranked = sorted(
                pods,
                key=lambda p: (_pod_ready(p), p["metadata"]["creationTimestamp"]),
            )
            for pod in ranked[: len(pods) - want]:
                state.kill_pod(pod)
                state.emit(
                    rs,
                    "Normal",
                    "SuccessfulDelete",
                    f"Deleted pod: {pod['metadata']['name']}",
                    "replicaset-controller",
                )
            pods = ranked[len(pods) - want :]
        ready = sum(1 for p in pods if _pod_ready(p))
        status = _prune(
            {
                "replicas": len(pods),
                "fullyLabeledReplicas": len(pods),
                "readyReplicas": ready,
                "availableReplicas": ready,
            }
        )
        status["replicas"] = len(pods)
        status["observedGeneration"] = rs["metadata"].get("generation", 1)
        _set_status(state, "replicaset", rs, status)


def reconcile_statefulsets(state: ClusterState) -> None:
    """Keep Pods ``<name>-0 … <name>-(n-1)`` for each StatefulSet."""
    for sts in state.store.list("statefulset"):
        meta = sts["metadata"]
        ns = meta["namespace"]
        want = int(sts["spec"].get("replicas", 1))
        revision = f"{meta['name']}-{names.template_hash(sts['spec']['template'])}"
        pods = {p["metadata"]["name"]: p for p in owned_by(state, "pod", sts)}
        for i in range(want):
            pod_name = f"{meta['name']}-{i}"
            if pod_name not in pods and state.store.get("pod", ns, pod_name) is None:
                extra = {
                    "controller-revision-hash": revision,
                    "statefulset.kubernetes.io/pod-name": pod_name,
                    "apps.kubernetes.io/pod-index": str(i),
                }
                pods[pod_name] = state.spawn_pod(
                    sts, pod_name, sts["spec"]["template"], extra, hostname=pod_name
                )
                state.emit(
                    sts,
                    "Normal",
                    "SuccessfulCreate",
                    f"create Pod {pod_name} in StatefulSet {meta['name']} successful",
                    "statefulset-controller",
                )
        for pod_name, pod in sorted(pods.items(), reverse=True):
            index = pod_name.rsplit("-", 1)[-1]
            if not index.isdigit() or int(index) >= want:
                state.kill_pod(pod)
                state.emit(
                    sts,
                    "Normal",
                    "SuccessfulDelete",
                    f"delete Pod {pod_name} in StatefulSet {meta['name']} successful",
                    "statefulset-controller",
                )
                del pods[pod_name]
        ready = sum(1 for p in pods.values() if _pod_ready(p))
        status = _prune(
            {
                "replicas": len(pods),
                "readyReplicas": ready,
                "currentReplicas": len(pods),
                "updatedReplicas": len(pods),
                "availableReplicas": ready,
            }
        )
        status.update(
            {
                "observedGeneration": meta.get("generation", 1),
                "replicas": len(pods),
                "currentRevision": revision,
                "updateRevision": revision,
                "collisionCount": 0,
            }
        )
        _set_status(state, "statefulset", sts, status)


def reconcile_daemonsets(state: ClusterState) -> None:
    """One Pod per node whose labels and taints the DaemonSet's template accepts."""
    for ds in state.store.list("daemonset"):
        meta = ds["metadata"]
        spec = ds["spec"]["template"]["spec"]
        revision = names.template_hash(ds["spec"]["template"])
        pods = owned_by(state, "pod", ds)
        on_node = {p["spec"].get("nodeName"): p for p in pods}
        eligible = [n for n in state.store.list("node") if fits(n, spec)]
        for node in eligible:
            node_name = node["metadata"]["name"]
            if node_name in on_node:
                continue
            pod_name = state.generate_name(f"{meta['name']}-", "pod", meta["namespace"])
            extra = {"controller-revision-hash": revision, "pod-template-generation": "1"}
            on_node[node_name] = state.spawn_pod(
                ds, pod_name, ds["spec"]["template"], extra, node_name=node_name
            )
            state.emit(ds, "Normal", "SuccessfulCreate", f"Created pod: {pod_name}", "daemonset-controller")
        wanted = {n["metadata"]["name"] for n in eligible}
        for node_name, pod in list(on_node.items()):
            if node_name not in wanted:
                state.kill_pod(pod)
                del on_node[node_name]
        ready = sum(1 for p in on_node.values() if _pod_ready(p))
        status = {
            "currentNumberScheduled": len(on_node),
            "desiredNumberScheduled": len(eligible),
            "numberMisscheduled": 0,
            "numberReady": ready,
            "observedGeneration": meta.get("generation", 1),
            "updatedNumberScheduled": len(on_node),
        }
        if ready:
            status["numberAvailable"] = ready
        if len(eligible) - ready:
            status["numberUnavailable"] = len(eligible) - ready
        _set_status(state, "daemonset", ds, status)


def reconcile_jobs(state: ClusterState) -> None:
    """Run each Job's Pods to completion."""
    for job in state.store.list("job"):
        meta = job["metadata"]
        completions = int(job["spec"].get("completions", 1))
        pods = owned_by(state, "pod", job)
        extra = {
            "batch.kubernetes.io/controller-uid": meta["uid"],
            "batch.kubernetes.io/job-name": meta["name"],
            "controller-uid": meta["uid"],
            "job-name": meta["name"],
        }
        while len(pods) < completions and not job.get("status", {}).get("completionTime"):
            pod_name = state.generate_name(f"{meta['name']}-", "pod", meta["namespace"])
            pods.append(state.spawn_pod(job, pod_name, job["spec"]["template"], extra))
            state.emit(job, "Normal", "SuccessfulCreate", f"Created pod: {pod_name}", "job-controller")
        succeeded = sum(1 for p in pods if p.get("status", {}).get("phase") == "Succeeded")
        failed = sum(1 for p in pods if p.get("status", {}).get("phase") == "Failed")
        status: Obj = {
            "startTime": meta["creationTimestamp"],
            "ready": 0,
            "terminating": 0,
            "uncountedTerminatedPods": {},
        }
        if succeeded:
            status["succeeded"] = succeeded
        if failed:
            status["failed"] = failed
        running = len(pods) - succeeded - failed
        if running:
            status["active"] = running
        if succeeded >= completions:
            done = job.get("status", {}).get("completionTime") or state.now_iso()
            status["completionTime"] = done
            status["conditions"] = [
                {
                    "type": t,
                    "status": "True",
                    "lastProbeTime": done,
                    "lastTransitionTime": done,
                    "reason": "CompletionsReached",
                    "message": "Reached expected number of succeeded pods",
                }
                for t in ("SuccessCriteriaMet", "Complete")
            ]
            if not job.get("status", {}).get("completionTime"):
                state.emit(job, "Normal", "Completed", "Job completed", "job-controller")
        _set_status(state, "job", job, status)


# --- Scheduling and the simulated kubelet ----------------------------------------------------


def tolerates(taint: Obj, tolerations: list[Obj]) -> bool:
    """Whether any toleration tolerates ``taint``."""
    for t in tolerations:
        if t.get("effect") and t["effect"] != taint.get("effect"):
            continue
        if t.get("operator") == "Exists":
            if not t.get("key") or t["key"] == taint.get("key"):
                return True
        elif t.get("key") == taint.get("key") and t.get("value", "") == taint.get("value", ""):
            return True
    return False


def untolerated(node: Obj, pod_spec: Obj) -> list[Obj]:
    """The node's scheduling taints the pod spec does not tolerate."""
    return [
        t
        for t in node.get("spec", {}).get("taints") or []
        if t.get("effect") in ("NoSchedule", "NoExecute")
        and not tolerates(t, pod_spec.get("tolerations") or [])
    ]


def fits(node: Obj, pod_spec: Obj) -> bool:
    """Whether a pod with ``pod_spec`` may run on ``node`` (nodeSelector, taints)."""
    labels = node["metadata"].get("labels") or {}
    selector = pod_spec.get("nodeSelector") or {}
    if any(labels.get(k) != v for k, v in selector.items()):
        return False
    if node.get("spec", {}).get("unschedulable"):
        return False
    return not untolerated(node, pod_spec)


def pick_node(state: ClusterState, pod_spec: Obj) -> Obj | None:
    """The least-loaded node the pod fits on, or None."""
    load: dict[str, int] = {}
    for pod in state.store.list("pod"):
        node_name = pod["spec"].get("nodeName")
        if node_name:
            load[node_name] = load.get(node_name, 0) + 1
    candidates = [n for n in state.store.list("node") if fits(n, pod_spec)]
    if not candidates:
        return None
    return min(candidates, key=lambda n: (load.get(n["metadata"]["name"], 0), n["metadata"]["name"]))


def unschedulable_message(state: ClusterState, pod_spec: Obj, resources_short: bool) -> str:
    """The scheduler's FailedScheduling message for the current nodes."""
    nodes = state.store.list("node")
    counts: dict[str, int] = {}
    for node in nodes:
        bad = untolerated(node, pod_spec)
        labels = node["metadata"].get("labels") or {}
        if bad:
            t = bad[0]
            why = f"untolerated taint {{{t['key']}: {t.get('value', '')}}}"
        elif any(labels.get(k) != v for k, v in (pod_spec.get("nodeSelector") or {}).items()):
            why = "didn't match Pod's node affinity/selector"
        elif resources_short:
            why = "Insufficient cpu"
        else:
            continue
        counts[why] = counts.get(why, 0) + 1
    total = len(nodes)
    parts = []
    for why, n in sorted(counts.items()):
        parts.append(
            f"{n} {why}"
            if why.startswith("Insufficient")
            else f"{n} node(s) had {why}"
            if why.startswith("untolerated")
            else f"{n} node(s) {why}"
        )
    preempt = []
    helpless = sum(n for w, n in counts.items() if not w.startswith("Insufficient"))
    victims = sum(n for w, n in counts.items() if w.startswith("Insufficient"))
    if helpless:
        preempt.append(f"{helpless} Preemption is not helpful for scheduling")
    if victims:
        preempt.append(f"{victims} No preemption victims found for incoming pod")
    return (
        f"0/{total} nodes are available: {', '.join(parts)}. preemption: 0/{total} nodes are "
        f"available: {', '.join(preempt)}."
    )


def _image_pull_error(image: str) -> str:
    return (
        f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull '
        f'and unpack image "{image}": failed to resolve reference "{image}": {image}: not found'
    )


def start_pod(state: ClusterState, pod: Obj) -> None:
    """Schedule ``pod`` and give it the status the simulated kubelet reports."""
    meta = pod["metadata"]
    ns, name = meta["namespace"], meta["name"]
    spec = pod["spec"]
    sim = state.simulate.get(("pod", ns, name))
    containers = spec.get("containers") or []
    created = meta["creationTimestamp"]
    node = None
    if spec.get("nodeName"):
        node = state.store.get("node", "", spec["nodeName"])
    elif sim != "Pending":
        node = pick_node(state, spec)
    conditions: list[Obj] = []
    if node is None:
        message = unschedulable_message(state, spec, resources_short=True)
        pod["status"] = {
            "phase": "Pending",
            "qosClass": qos_class(spec),
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "lastProbeTime": None,
                    "lastTransitionTime": created,
                    "reason": "Unschedulable",
                    "message": message,
                }
            ],
        }
        state.store.put("pod", pod)
        state.emit(pod, "Warning", "FailedScheduling", message, "default-scheduler", count=12)
        return
    node_name = node["metadata"]["name"]
    spec["nodeName"] = node_name
    state.emit(
        pod, "Normal", "Scheduled", f"Successfully assigned {ns}/{name} to {node_name}", "default-scheduler"
    )
    statuses = []
    all_ready = True
    phase = "Running"
    job_owned = any(r.get("kind") == "Job" for r in meta.get("ownerReferences") or [])
    for c in containers:
        cname, image = c["name"], c.get("image", "")
        field_path = f"spec.containers{{{cname}}}"
        st: Obj = {
            "name": cname,
            "image": image,
            "imageID": "",
            "restartCount": 0,
            "started": False,
            "ready": False,
            "containerID": f"containerd://{names.event_suffix(meta['uid'] + cname) * 4}",
        }
        running = {"running": {"startedAt": created}}
        terminated_err = {
            "terminated": {
                "exitCode": 1,
                "reason": "Error",
                "startedAt": created,
                "finishedAt": created,
                "containerID": st["containerID"],
            }
        }
        digest = names.event_suffix(image) * 4
        if sim == "ImagePullBackOff":
            del st["containerID"]
            st["state"] = {
                "waiting": {"reason": "ImagePullBackOff", "message": f'Back-off pulling image "{image}"'}
            }
            state.emit(
                pod,
                "Normal",
                "Pulling",
                f'Pulling image "{image}"',
                "kubelet",
                node_name,
                field_path,
                count=5,
            )
            state.emit(
                pod, "Warning", "Failed", _image_pull_error(image), "kubelet", node_name, field_path, count=5
            )
            state.emit(
                pod, "Warning", "Failed", "Error: ErrImagePull", "kubelet", node_name, field_path, count=5
            )
            state.emit(
                pod,
                "Normal",
                "BackOff",
                f'Back-off pulling image "{image}"',
                "kubelet",
                node_name,
                field_path,
                count=60,
            )
            state.emit(
                pod,
                "Warning",
                "Failed",
                "Error: ImagePullBackOff",
                "kubelet",
                node_name,
                field_path,
                count=60,
            )
            phase = "Pending"
            all_ready = False
            statuses.append(st)
            continue
        st["imageID"] = f"{image.split(':')[0]}@sha256:{digest}"
        state.emit(
            pod,
            "Normal",
            "Pulled",
            f'Container image "{image}" already present on machine',
            "kubelet",
            node_name,
            field_path,
        )
        state.emit(pod, "Normal", "Created", f"Created container {cname}", "kubelet", node_name, field_path)
        state.emit(pod, "Normal", "Started", f"Started container {cname}", "kubelet", node_name, field_path)

        def emit_backoff(count: int, cname: str = cname, field_path: str = field_path) -> None:
            state.emit(
                pod,
                "Warning",
                "BackOff",
                f"Back-off restarting failed container {cname} in pod {name}_{ns}({meta['uid']})",
                "kubelet",
                node_name,
                field_path,
                count=count,
            )

        if sim == "CrashLoopBackOff":
            st["restartCount"] = 7
            st["lastState"] = terminated_err
            st["state"] = {
                "waiting": {
                    "reason": "CrashLoopBackOff",
                    "message": f"back-off 5m0s restarting failed container={cname} pod={name}_{ns}"
                    f"({meta['uid']})",
                }
            }
            emit_backoff(31)
            all_ready = False
        elif sim == "OOMKilled":
            oom = {
                "terminated": {
                    "exitCode": 137,
                    "reason": "OOMKilled",
                    "startedAt": created,
                    "finishedAt": created,
                    "containerID": st["containerID"],
                }
            }
            st["restartCount"] = 4
            st["lastState"] = oom
            st["state"] = copy.deepcopy(oom)
            emit_backoff(9)
            all_ready = False
        elif sim == "NotReady":
            st["state"] = running
            st["started"] = True
            state.emit(
                pod,
                "Warning",
                "Unhealthy",
                "Readiness probe failed: HTTP probe failed with statuscode: 503",
                "kubelet",
                node_name,
                field_path,
                count=42,
            )
            all_ready = False
        elif job_owned:
            st["state"] = {
                "terminated": {
                    "exitCode": 0,
                    "reason": "Completed",
                    "startedAt": created,
                    "finishedAt": created,
                    "containerID": st["containerID"],
                }
            }
            phase = "Succeeded"
            all_ready = False
        else:
            st["state"] = running
            st["started"] = True
            st["ready"] = True
        statuses.append(st)
    ready_s = "True" if all_ready else "False"
    not_ready_names = [s["name"] for s in statuses if not s["ready"]]
    why = f"containers with unready status: [{' '.join(not_ready_names)}]"

    def cond(ctype: str, status: str, reason: str | None = None) -> Obj:
        c: Obj = {"type": ctype, "status": status, "lastProbeTime": None, "lastTransitionTime": created}
        if reason:
            c["reason"] = reason
            c["message"] = why
        return c

    reason = None if all_ready else ("PodCompleted" if phase == "Succeeded" else "ContainersNotReady")
    conditions = [
        cond("PodReadyToStartContainers", "True" if phase != "Pending" or statuses else "False"),
        cond("Initialized", "True"),
        cond("Ready", ready_s, reason),
        cond("ContainersReady", ready_s, reason),
        cond("PodScheduled", "True"),
    ]
    if reason == "PodCompleted":
        for c in conditions[2:4]:
            c.pop("message", None)
    pod_ip = state.allocate_pod_ip(node_name)
    host_ip = state.node_ip(node_name)
    pod["status"] = {
        "phase": phase,
        "conditions": conditions,
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "podIP": pod_ip,
        "podIPs": [{"ip": pod_ip}],
        "startTime": created,
        "containerStatuses": statuses,
        "qosClass": qos_class(spec),
    }
    state.store.put("pod", pod)


def qos_class(spec: Obj) -> str:
    """The pod's QoS class from its containers' requests and limits."""
    containers = spec.get("containers") or []
    any_set = False
    guaranteed = True
    for c in containers:
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        if req or lim:
            any_set = True
        for r in ("cpu", "memory"):
            if r not in lim or (r in req and quantity.parse(req[r]) != quantity.parse(lim[r])):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def reconcile_unscheduled_pods(state: ClusterState) -> None:
    """Start pods created without a status (e.g. by ``kubectl run``)."""
    for pod in state.store.list("pod"):
        if not pod.get("status") or pod["status"].get("phase") is None:
            start_pod(state, pod)


# --- Services, quotas, claims, garbage collection --------------------------------------------


def reconcile_endpoints(state: ClusterState) -> None:
    """Keep an Endpoints object per selector Service listing its pods."""
    # Pods by one label pair, so each Service only tests pods carrying its first selector
    # label instead of every pod of its namespace (quadratic at thousands of Services).
    by_label: dict[tuple[str, str, str], list[Obj]] = {}
    for pod in state.store.list("pod"):
        pod_ns = pod["metadata"].get("namespace", "")
        for k, v in (pod["metadata"].get("labels") or {}).items():
            if isinstance(v, str):
                by_label.setdefault((pod_ns, k, v), []).append(pod)
    for svc in state.store.list("service"):
        sel = svc["spec"].get("selector")
        if not sel:
            continue
        meta = svc["metadata"]
        ns = meta["namespace"]
        ready: list[Obj] = []
        not_ready: list[Obj] = []
        reqs = selector_from_label_selector({"matchLabels": sel})
        first = reqs[0]
        for pod in by_label.get((ns, first.key, first.values[0]), []):
            if not labels_match(reqs, pod["metadata"].get("labels")):
                continue
            ip = pod.get("status", {}).get("podIP")
            if not ip:
                continue
            addr = {
                "ip": ip,
                "nodeName": pod["spec"].get("nodeName"),
                "targetRef": {
                    "kind": "Pod",
                    "namespace": ns,
                    "name": pod["metadata"]["name"],
                    "uid": pod["metadata"]["uid"],
                },
            }
            (ready if _pod_ready(pod) else not_ready).append(addr)
        ports = []
        for p in svc["spec"].get("ports") or []:
            port: Obj = {"port": p.get("targetPort", p["port"]), "protocol": p.get("protocol", "TCP")}
            if not isinstance(port["port"], int):
                port["port"] = p["port"]
            if p.get("name"):
                port["name"] = p["name"]
            ports.append(port)
        subset: Obj = {}
        if ready:
            subset["addresses"] = ready
        if not_ready:
            subset["notReadyAddresses"] = not_ready
        subsets = [dict(subset, ports=ports)] if subset else []
        existing = state.store.get("endpoints", ns, meta["name"])
        if existing is None:
            ep: Obj = {
                "apiVersion": "v1",
                "kind": "Endpoints",
                "metadata": {"name": meta["name"], "namespace": ns, "labels": dict(meta.get("labels") or {})},
            }
            if subsets:
                ep["subsets"] = subsets
            state.admit_internal("endpoints", ep)
        elif existing.get("subsets", []) != subsets:
            if subsets:
                existing["subsets"] = subsets
            else:
                existing.pop("subsets", None)
            state.store.put("endpoints", existing)


def reconcile_quotas(state: ClusterState) -> None:
    """Fill ResourceQuota ``status.used`` from the pods in its namespace."""
    for quota in state.store.list("resourcequota"):
        ns = quota["metadata"]["namespace"]
        hard = dict(quota["spec"].get("hard") or {})
        pods = [
            p
            for p in state.store.list("pod", ns)
            if p.get("status", {}).get("phase") not in ("Succeeded", "Failed")
        ]
        totals: dict[str, float] = {}
        for pod in pods:
            for c in pod["spec"].get("containers") or []:
                res = c.get("resources") or {}
                for section in ("requests", "limits"):
                    for r, v in (res.get(section) or {}).items():
                        key = f"{section}.{r}"
                        totals[key] = totals.get(key, 0.0) + quantity.parse(v)
        used: Obj = {}
        for key in hard:
            base = key if "." in key else f"requests.{key}"
            if key == "pods":
                used[key] = str(len(pods))
            elif base.endswith("cpu"):
                used[key] = quantity.cpu(totals.get(base, 0.0))
            elif base.endswith("memory"):
                used[key] = quantity.memory(totals.get(base, 0.0)) if totals.get(base) else "0"
            else:
                used[key] = "0"
        _set_status(state, "resourcequota", quota, {"hard": hard, "used": used})


def reconcile_claims(state: ClusterState) -> None:
    """Leave claims Pending until a pod uses them, as WaitForFirstConsumer classes do."""
    for pvc in state.store.list("persistentvolumeclaim"):
        if pvc.get("status", {}).get("phase"):
            continue
        _set_status(state, "persistentvolumeclaim", pvc, {"phase": "Pending"})
        sc = state.store.get("storageclass", "", pvc["spec"].get("storageClassName") or "")
        if sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer":
            state.emit(
                pvc,
                "Normal",
                "WaitForFirstConsumer",
                "waiting for first consumer to be created before binding",
                "persistentvolume-controller",
                count=14,
            )


def collect_garbage(state: ClusterState) -> None:
    """Delete objects whose controller owner is gone, as background propagation does."""
    uids = {
        o["metadata"]["uid"]
        for kind in ("deployment", "replicaset", "statefulset", "daemonset", "job", "cronjob")
        for o in state.store.list(kind)
    }
    for kind in ("replicaset", "pod", "job"):
        for obj in state.store.list(kind):
            refs = [r for r in obj["metadata"].get("ownerReferences") or [] if r.get("controller")]
            if refs and refs[0].get("uid") not in uids:
                if kind == "pod":
                    state.kill_pod(obj)
                else:
                    state.store.remove(kind, obj["metadata"]["namespace"], obj["metadata"]["name"])
    for ep in state.store.list("endpoints"):
        meta = ep["metadata"]
        if state.store.get("service", meta["namespace"], meta["name"]) is None:
            state.store.remove("endpoints", meta["namespace"], meta["name"])


CONTROLLERS = (
    collect_garbage,
    reconcile_deployments,
    reconcile_replicasets,
    reconcile_statefulsets,
    reconcile_daemonsets,
    reconcile_jobs,
    reconcile_unscheduled_pods,
    deployment_status,
    reconcile_endpoints,
    reconcile_quotas,
    reconcile_claims,
)
