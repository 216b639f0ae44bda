"""Controllers: expand workloads into ReplicaSets and Pods, schedule, simulate, emit Events.

Everything here runs under the store lock, called by :meth:`ClusterState.reconcile` after
each write. Controllers write only when an object actually changes, so a quiet cluster keeps
its resourceVersion.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import TYPE_CHECKING, Any

from devcluster import names, quantity
from devcluster.selectors import labels_match, selector_from_label_selector

if TYPE_CHECKING:
    from devcluster.state import ClusterState

Obj = dict[str, Any]

#: Values of the hidden simulate instruction on a pod template (or a Pod); devcluster/README.md
#: says what each one looks like.
SIMULATIONS = (
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "Pending",
    "OOMKilled",
    "NotReady",
    "ReadinessProbeFailed",
    "LivenessProbeFailed",
    "InitError",
    "InitCrashLoopBackOff",
    "UnboundPVC",
    "BackoffLimitExceeded",
    "ProgressDeadlineExceeded",
)
#: Simulations whose containers run but fail their readiness probe.
READINESS_FAILURES = ("NotReady", "ReadinessProbeFailed", "ProgressDeadlineExceeded")


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


def iso_after(ts: str, seconds: int) -> str:
    """The Kubernetes timestamp ``seconds`` after ``ts``."""
    at = dt.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return (at + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pod_ready(pod: Obj) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in pod.get("status", {}).get("conditions") or []
    )


# --- Deployments -------------------------------------------------------------------------


PREVIOUS_IMAGE = "kcache.dev/previous-image"


def rolling_bounds(dep: Obj, replicas: int) -> tuple[int, int]:
    """``(maxSurge, maxUnavailable)`` of a RollingUpdate Deployment, as pod counts.

    Percentages round up for the surge and down for unavailability, as the controller does.
    """
    rolling = (dep["spec"].get("strategy") or {}).get("rollingUpdate") or {}

    def count(value: Any, round_up: bool) -> int:
        if isinstance(value, str) and value.endswith("%"):
            share = replicas * int(value[:-1])
            return -(-share // 100) if round_up else share // 100
        return int(value)

    surge = count(rolling.get("maxSurge", "25%"), True)
    unavailable = count(rolling.get("maxUnavailable", "25%"), False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def _stuck_rollout(state: ClusterState, dep: Obj, want: int) -> tuple[Obj, int, int] | None:
    """The previous template, old and new replica counts of a stuck rollout, if ``dep`` is one.

    That is a Deployment simulating ``ProgressDeadlineExceeded`` with a previous image.
    """
    key = ("deployment", dep["metadata"]["namespace"], dep["metadata"]["name"])
    previous = state.hidden.get(key, {}).get(PREVIOUS_IMAGE)
    if state.simulate.get(key) != "ProgressDeadlineExceeded" or not previous:
        return None
    template = copy.deepcopy(dep["spec"]["template"])
    containers = template.get("spec", {}).get("containers") or []
    if not containers:
        return None
    containers[0]["image"] = previous
    surge, unavailable = rolling_bounds(dep, want)
    old = max(0, want - unavailable)
    return template, old, max(1, min(want, want + surge - old))


def _replicaset(state: ClusterState, dep: Obj, template: Obj, revision: int, simulated: bool) -> Obj:
    """Create the Deployment's ReplicaSet for ``template`` with no replicas yet."""
    meta = dep["metadata"]
    want = int(dep["spec"].get("replicas", 1))
    phash = names.template_hash(template)
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
            "name": f"{meta['name']}-{phash}",
            "namespace": meta["namespace"],
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
    return state.admit_internal("replicaset", rs, simulate_from=("deployment", dep) if simulated else None)


def _scale_replicaset(state: ClusterState, dep: Obj, rs: Obj, want: int, annotate: bool = True) -> None:
    have = int(rs["spec"].get("replicas", 0))
    if have == want:
        return
    rs["spec"]["replicas"] = want
    if annotate:
        total = int(dep["spec"].get("replicas", 1))
        ann = rs["metadata"].setdefault("annotations", {})
        ann["deployment.kubernetes.io/desired-replicas"] = str(total)
        ann["deployment.kubernetes.io/max-replicas"] = str(total + max(1, -(-total // 4)))
    state.store.put("replicaset", rs)
    verb = "up" if want > have else "down"
    state.emit(
        dep,
        "Normal",
        "ScalingReplicaSet",
        f"Scaled {verb} replica set {rs['metadata']['name']} from {have} to {want}",
        "deployment-controller",
    )


def _next_revision(owned: list[Obj]) -> int:
    return 1 + max(
        (
            int(r["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision", "0"))
            for r in owned
        ),
        default=0,
    )


def reconcile_deployments(state: ClusterState) -> None:
    """Keep one ReplicaSet per Deployment template at the Deployment's replica count.

    A rollout stuck past its deadline with a ``kcache.dev/previous-image`` keeps its previous
    ReplicaSet serving beside the new one, at the counts the rolling update bounds allow.
    """
    for dep in state.store.list("deployment"):
        meta = dep["metadata"]
        template = dep["spec"]["template"]
        rs_name = f"{meta['name']}-{names.template_hash(template)}"
        want = int(dep["spec"].get("replicas", 1))
        owned = owned_by(state, "replicaset", dep)
        stuck = _stuck_rollout(state, dep, want)
        previous = None
        if stuck is not None and f"{meta['name']}-{names.template_hash(stuck[0])}" == rs_name:
            stuck = None  # rolled back to the previous image: nothing is stuck any more
        if stuck is not None:
            old_template, old_want, want = stuck
            old_name = f"{meta['name']}-{names.template_hash(old_template)}"
            previous = next((r for r in owned if r["metadata"]["name"] == old_name), None)
            if previous is None and not any(r["metadata"]["name"] == rs_name for r in owned):
                previous = _replicaset(state, dep, old_template, _next_revision(owned), simulated=False)
                owned.append(previous)
                _scale_replicaset(state, dep, previous, int(dep["spec"].get("replicas", 1)))
        current = next((r for r in owned if r["metadata"]["name"] == rs_name), None)
        if current is None:
            current = _replicaset(state, dep, template, _next_revision(owned), simulated=True)
        if stuck is not None:
            _scale_replicaset(state, dep, current, want)
        for rs in owned:
            if rs is not current and rs is not previous:
                _scale_replicaset(state, dep, rs, 0, annotate=False)
        if previous is not None and stuck is not None:
            _scale_replicaset(state, dep, previous, stuck[1])
        _scale_replicaset(state, dep, current, want)


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
        meta = dep["metadata"]
        stuck = state.simulate.get(("deployment", meta["namespace"], meta["name"]))
        new_ready = sum(
            int(r.get("status", {}).get("readyReplicas", 0))
            for r in owned
            if r["metadata"]["name"] == rs_name
        )
        if stuck == "ProgressDeadlineExceeded" and new_ready < want:
            deadline = iso_after(ts, int(dep["spec"].get("progressDeadlineSeconds", 600)))
            status["conditions"][1].update(
                status="False",
                lastUpdateTime=deadline,
                lastTransitionTime=deadline,
                reason="ProgressDeadlineExceeded",
                message=f'ReplicaSet "{rs_name}" has timed out progressing.',
            )
            if (
                dep.get("status", {}).get("conditions", [{}, {}])[1].get("reason")
                != "ProgressDeadlineExceeded"
            ):
                state.emit(
                    dep,
                    "Warning",
                    "ProgressDeadlineExceeded",
                    f'Deployment "{meta["name"]}" has timed out progressing.',
                    "deployment-controller",
                )
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


#: Tolerations the DaemonSet controller adds to every daemon pod, so that daemons stay on
#: (and come to) unhealthy and cordoned nodes.
DAEMON_TOLERATIONS = (
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
)


_LOST_NODE_TAINTS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")


def daemon_template(template: Obj) -> Obj:
    """A copy of a DaemonSet's pod template with :data:`DAEMON_TOLERATIONS` added."""
    out = copy.deepcopy(template)
    spec = out.setdefault("spec", {})
    tolerations = spec.setdefault("tolerations", [])
    for t in DAEMON_TOLERATIONS:
        if t not in tolerations:
            tolerations.append(dict(t))
    return out


def reconcile_daemonsets(state: ClusterState) -> None:
    """One Pod per node whose labels and taints the DaemonSet's template accepts."""
    for ds in state.store.list("daemonset"):
        meta = ds["metadata"]
        template = daemon_template(ds["spec"]["template"])
        spec = template["spec"]
        revision = names.template_hash(ds["spec"]["template"])
        pods = owned_by(state, "pod", ds)
        on_node = {p["spec"].get("nodeName"): p for p in pods}
        # Cordoning does not keep daemons away, and a node that stopped being ready keeps the
        # daemon it ran before: only the node selector and the other taints do.
        eligible = [
            n
            for n in state.store.list("node")
            if selects(n, spec) and all(t.get("key") in _LOST_NODE_TAINTS for t in untolerated(n, spec))
        ]
        for node in eligible:
            node_name = node["metadata"]["name"]
            if node_name in on_node:
                continue
            pod_name = state.generate_name(f"{meta['name']}-", "pod", meta["namespace"])
            extra = {"controller-revision-hash": revision, "pod-template-generation": "1"}
            on_node[node_name] = state.spawn_pod(ds, pod_name, template, extra, node_name=node_name)
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


def _job_failed(job: Obj) -> bool:
    return any(
        c.get("type") == "Failed" and c.get("status") == "True"
        for c in job.get("status", {}).get("conditions") or []
    )


def reconcile_jobs(state: ClusterState) -> None:
    """Run each Job's Pods to completion, or retry failing ones until the backoff limit."""
    for job in state.store.list("job"):
        meta = job["metadata"]
        completions = int(job["spec"].get("completions", 1))
        backoff_limit = int(job["spec"].get("backoffLimit", 6))
        pods = owned_by(state, "pod", job)
        extra = {
            "batch.kubernetes.io/controller-uid": meta["uid"],
            "batch.kubernetes.io/job-name": meta["name"],
            "controller-uid": meta["uid"],
            "job-name": meta["name"],
        }

        def phases(phase: str, pods: list[Obj] = pods) -> int:
            return sum(1 for p in pods if p.get("status", {}).get("phase") == phase)

        was_failed = _job_failed(job)
        while (
            phases("Succeeded") < completions
            and len(pods) - phases("Failed") < completions
            and phases("Failed") <= backoff_limit
            and not job.get("status", {}).get("completionTime")
            and not was_failed
        ):
            pod_name = state.generate_name(f"{meta['name']}-", "pod", meta["namespace"])
            pods.append(state.spawn_pod(job, pod_name, job["spec"]["template"], extra))
            state.emit(job, "Normal", "SuccessfulCreate", f"Created pod: {pod_name}", "job-controller")
        succeeded, failed = phases("Succeeded"), phases("Failed")
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
        elif failed > backoff_limit or was_failed:
            old = job.get("status", {}).get("conditions") or []
            at = old[0]["lastTransitionTime"] if was_failed else state.now_iso()
            status["conditions"] = [
                {
                    "type": t,
                    "status": "True",
                    "lastProbeTime": at,
                    "lastTransitionTime": at,
                    "reason": "BackoffLimitExceeded",
                    "message": "Job has reached the specified backoff limit",
                }
                for t in ("FailureTarget", "Failed")
            ]
            if not was_failed:
                state.emit(
                    job,
                    "Warning",
                    "BackoffLimitExceeded",
                    "Job has reached the specified backoff limit",
                    "job-controller",
                )
        _set_status(state, "job", job, status)


_CRON_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


def _cron_field(text: str, low: int, high: int) -> set[int] | None:
    """The values one cron field allows, or None for ``*`` (any)."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_s = part.partition("/")
        step = int(step_s) if step_s else 1
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            start_s, end_s = base.split("-", 1)
            start, end = int(start_s), int(end_s)
        else:
            start = int(base)
            end = high if step_s else start
        values.update(range(start, end + 1, step))
    return values


def last_schedule(schedule: str, now: float, days: int = 400) -> float | None:
    """The latest time at or before ``now`` (UTC) that the cron ``schedule`` fires, if any.

    Raises:
        ValueError: not five fields or a macro.
    """
    fields = _CRON_MACROS.get(schedule.strip(), schedule).split()
    if len(fields) != 5:
        raise ValueError(f"cron schedule {schedule!r}: expected five fields")
    minutes, hours, doms, months, dows = (
        _cron_field(f, lo, hi)
        for f, (lo, hi) in zip(fields, ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7)), strict=True)
    )
    if dows is not None and 7 in dows:
        dows.add(0)
    moment = dt.datetime.fromtimestamp(now, dt.UTC).replace(second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0)
    for back in range(days):
        d = day - dt.timedelta(days=back)
        if months is not None and d.month not in months:
            continue
        dom_ok = doms is None or d.day in doms
        dow_ok = dows is None or (d.isoweekday() % 7) in dows
        # Cron's rule: with both day fields restricted, either one matching is enough.
        if not ((dom_ok or dow_ok) if doms is not None and dows is not None else (dom_ok and dow_ok)):
            continue
        for h in sorted(hours if hours is not None else range(24), reverse=True):
            for m in sorted(minutes if minutes is not None else range(60), reverse=True):
                at = d.replace(hour=h, minute=m)
                if at <= moment:
                    return at.timestamp()
    return None


#: On a CronJob: the scheduled time (RFC 3339) of the run a snapshot shows, so that the run's
#: Job has the same name whenever the cluster is loaded. Without it, the last scheduled time
#: before now is the run's.
LAST_RUN = "kcache.dev/last-run"


def _last_run(state: ClusterState, cj: Obj) -> float | None:
    """When the CronJob's shown run was scheduled; ValueError for a bad schedule or time."""
    key = ("cronjob", cj["metadata"]["namespace"], cj["metadata"]["name"])
    pinned = state.hidden.get(key, {}).get(LAST_RUN)
    if pinned is None:
        return last_schedule(cj["spec"].get("schedule", ""), state.now())
    try:
        return dt.datetime.strptime(pinned, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC).timestamp()
    except ValueError:
        raise ValueError(
            f"{LAST_RUN} {pinned!r} is not an RFC 3339 UTC time like 2026-11-29T03:00:00Z"
        ) from None


def reconcile_cronjobs(state: ClusterState) -> None:
    """Give each CronJob with a simulate instruction the Job of its last scheduled run.

    CronJobs without one never run (a cluster directory is a snapshot, not a timeline).
    """
    for cj in state.store.list("cronjob"):
        meta = cj["metadata"]
        ns = meta["namespace"]
        if ("cronjob", ns, meta["name"]) not in state.simulate or cj["spec"].get("suspend"):
            continue
        if cj.get("status", {}).get("lastScheduleTime"):
            jobs = owned_by(state, "job", cj)
        else:
            try:
                at = _last_run(state, cj)
            except ValueError as e:
                # As the CronJob controller does with an unparseable schedule: a Warning on the
                # CronJob naming the bad value, once, and no run.
                reason = "InvalidLastRun" if LAST_RUN in str(e) else "UnparseableSchedule"
                if not any(
                    ev["reason"] == reason and ev["involvedObject"].get("uid") == meta["uid"]
                    for ev in state.store.list("event", ns)
                ):
                    state.emit(cj, "Warning", reason, str(e), "cronjob-controller")
                continue
            if at is None:
                continue
            template = cj["spec"].get("jobTemplate") or {}
            tmeta = template.get("metadata") or {}
            job_name = f"{meta['name']}-{int(at // 60)}"
            job: Obj = {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {
                    "name": job_name,
                    "namespace": ns,
                    "labels": dict(tmeta.get("labels") or {}),
                    "annotations": dict(tmeta.get("annotations") or {}),
                    "ownerReferences": [owner_ref(cj)],
                },
                "spec": copy.deepcopy(template.get("spec") or {}),
            }
            if not job["metadata"]["annotations"]:
                del job["metadata"]["annotations"]
            job["metadata"].setdefault("annotations", {})[
                "batch.kubernetes.io/cronjob-scheduled-timestamp"
            ] = dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            state.emit(cj, "Normal", "SuccessfulCreate", f"Created job {job_name}", "cronjob-controller")
            jobs = [state.admit_internal("job", job, simulate_from=("cronjob", cj))]
            status: Obj = {
                "lastScheduleTime": job["metadata"]["annotations"][
                    "batch.kubernetes.io/cronjob-scheduled-timestamp"
                ]
            }
            _set_status(state, "cronjob", cj, status)
        status = dict(cj.get("status") or {})
        active = []
        for job in jobs:
            jst = job.get("status") or {}
            if jst.get("completionTime"):
                status["lastSuccessfulTime"] = jst["completionTime"]
            elif not _job_failed(job):
                active.append(
                    {
                        "kind": "Job",
                        "namespace": ns,
                        "name": job["metadata"]["name"],
                        "uid": job["metadata"]["uid"],
                        "apiVersion": "batch/v1",
                        "resourceVersion": job["metadata"]["resourceVersion"],
                    }
                )
        if active:
            status["active"] = active
        else:
            status.pop("active", None)
        if status != cj.get("status"):
            for job in jobs:
                if not active and (job.get("status") or {}).get("conditions"):
                    outcome = "Failed" if _job_failed(job) else "Complete"
                    state.emit(
                        cj,
                        "Normal",
                        "SawCompletedJob",
                        f"Saw completed job: {job['metadata']['name']}, status: {outcome}",
                        "cronjob-controller",
                    )
            _set_status(state, "cronjob", cj, status)


# --- Nodes --------------------------------------------------------------------------------------

#: Node simulate tokens (comma-separated in ``kcache.dev/simulate`` on a Node).
NODE_SIMULATIONS = ("NotReady", "Unknown", "MemoryPressure", "DiskPressure", "PIDPressure")
_PRESSURE = {
    # type: (status-False reason and message, status-True reason and message, taint key)
    "MemoryPressure": (
        ("KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("KubeletHasInsufficientMemory", "kubelet has insufficient memory available"),
        "node.kubernetes.io/memory-pressure",
    ),
    "DiskPressure": (
        ("KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("KubeletHasDiskPressure", "kubelet has disk pressure"),
        "node.kubernetes.io/disk-pressure",
    ),
    "PIDPressure": (
        ("KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("KubeletHasInsufficientPID", "kubelet has insufficient PID available"),
        "node.kubernetes.io/pid-pressure",
    ),
}
_NOT_READY_MESSAGE = (
    "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady "
    "message:Network plugin returns error: cni plugin not initialized"
)


def node_conditions(ts: str, sim: set[str]) -> list[Obj]:
    """A node's conditions: healthy, or as the simulate tokens in ``sim`` say."""

    def cond(ctype: str, status: str, reason: str, message: str) -> Obj:
        return {
            "type": ctype,
            "status": status,
            "lastHeartbeatTime": ts,
            "lastTransitionTime": ts,
            "reason": reason,
            "message": message,
        }

    lost = "Unknown" in sim
    out = []
    for ctype, (ok, bad, _) in _PRESSURE.items():
        if lost:
            out.append(cond(ctype, "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."))
        elif ctype in sim:
            out.append(cond(ctype, "True", *bad))
        else:
            out.append(cond(ctype, "False", *ok))
    if lost:
        out.append(cond("Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."))
    elif "NotReady" in sim:
        out.append(cond("Ready", "False", "KubeletNotReady", _NOT_READY_MESSAGE))
    else:
        out.append(cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"))
    return out


def node_ready(node: Obj) -> bool:
    """Whether the node's Ready condition is True (a node without conditions counts as ready)."""
    for c in node.get("status", {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return bool(c.get("status") == "True")
    return True


def node_taints(node: Obj) -> list[Obj]:
    """The taints the node lifecycle controller puts on ``node`` for its conditions."""
    conds = {c["type"]: c["status"] for c in node.get("status", {}).get("conditions") or []}
    wanted: list[tuple[str, str]] = []
    if node.get("spec", {}).get("unschedulable"):
        wanted.append(("node.kubernetes.io/unschedulable", "NoSchedule"))
    ready = conds.get("Ready", "True")
    if ready != "True":
        key = "node.kubernetes.io/unreachable" if ready == "Unknown" else "node.kubernetes.io/not-ready"
        wanted += [(key, "NoSchedule"), (key, "NoExecute")]
    for ctype, (_, _, key) in _PRESSURE.items():
        if conds.get(ctype) == "True":
            wanted.append((key, "NoSchedule"))
    return [{"key": k, "effect": e} for k, e in wanted]


def taint_node(node: Obj, ts: str) -> None:
    """Add the condition taints of :func:`node_taints` that ``node`` does not carry yet."""
    spec = node.setdefault("spec", {})
    taints = spec.get("taints") or []
    have = {(t.get("key"), t.get("effect")) for t in taints}
    for t in node_taints(node):
        if (t["key"], t["effect"]) not in have:
            if t["effect"] == "NoExecute":
                t["timeAdded"] = ts
            taints.append(t)
    if taints:
        spec["taints"] = taints


def reconcile_nodes(state: ClusterState) -> None:
    """The events of nodes whose simulate instruction made them unhealthy (once per node)."""
    for node in state.store.list("node"):
        name = node["metadata"]["name"]
        sim = state.simulate.get(("node", "", name))
        if not sim or ("node", "", name) in state.reported:
            continue
        state.reported.add(("node", "", name))
        conds = {c["type"]: c["status"] for c in node.get("status", {}).get("conditions") or []}
        kubelet = [
            ("MemoryPressure", "NodeHasInsufficientMemory"),
            ("DiskPressure", "NodeHasDiskPressure"),
            ("PIDPressure", "NodeHasInsufficientPID"),
        ]
        for ctype, reason in kubelet:
            if conds.get(ctype) == "True":
                state.emit(node, "Normal", reason, f"Node {name} status is now: {reason}", "kubelet", name)
        if conds.get("MemoryPressure") == "True":
            state.emit(
                node,
                "Warning",
                "EvictionThresholdMet",
                "Attempting to reclaim memory",
                "kubelet",
                name,
                count=6,
            )
        if conds.get("DiskPressure") == "True":
            state.emit(
                node,
                "Warning",
                "EvictionThresholdMet",
                "Attempting to reclaim ephemeral-storage",
                "kubelet",
                name,
                count=4,
            )
        if conds.get("Ready") != "True":
            state.emit(
                node, "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady", "node-controller"
            )
        if node.get("spec", {}).get("unschedulable"):
            state.emit(
                node,
                "Normal",
                "NodeNotSchedulable",
                f"Node {name} status is now: NodeNotSchedulable",
                "kubelet",
                name,
            )


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


def selects(node: Obj, pod_spec: Obj) -> bool:
    """Whether the pod spec's nodeSelector matches ``node``'s labels."""
    labels = node["metadata"].get("labels") or {}
    return all(labels.get(k) == v for k, v in (pod_spec.get("nodeSelector") or {}).items())


def fits(node: Obj, pod_spec: Obj) -> bool:
    """Whether a pod with ``pod_spec`` may run on ``node`` (nodeSelector, cordon, taints)."""
    if not selects(node, pod_spec):
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


def probe_failure(probe: Obj | None, pod_ip: str, liveness: bool) -> str:
    """What the kubelet's prober reports for a failing probe (the event text after the colon)."""
    probe = probe or {}
    if isinstance(probe.get("tcpSocket"), dict):
        return f"dial tcp {pod_ip}:{probe['tcpSocket'].get('port')}: connect: connection refused"
    if isinstance(probe.get("grpc"), dict):
        timeout = probe.get("timeoutSeconds", 1)
        return f'timeout: failed to connect service "{pod_ip}:{probe["grpc"].get("port")}" within {timeout}s'
    if isinstance(probe.get("exec"), dict):
        command = " ".join(str(a) for a in probe["exec"].get("command") or [])
        return f'command "{command}" timed out'
    return f"HTTP probe failed with statuscode: {500 if liveness else 503}"


def unbound_claims_message(state: ClusterState) -> str:
    """The scheduler's message for a pod whose immediate PersistentVolumeClaims are unbound."""
    total = state.store.count("node")
    return (
        f"0/{total} nodes are available: pod has unbound immediate PersistentVolumeClaims. "
        f"preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling."
    )


def _terminated(reason: str, code: int, at: str, container_id: str) -> Obj:
    return {
        "terminated": {
            "exitCode": code,
            "reason": reason,
            "startedAt": at,
            "finishedAt": at,
            "containerID": container_id,
        }
    }


class _Kubelet:
    """The simulated kubelet's view of one pod being started on ``node_name``."""

    def __init__(self, state: ClusterState, pod: Obj, node_name: str, sim: str | None) -> None:
        self.state = state
        self.pod = pod
        self.node_name = node_name
        self.sim = sim
        self.meta = pod["metadata"]
        self.created = self.meta["creationTimestamp"]

    def emit(self, type_: str, reason: str, message: str, field_path: str, count: int = 1) -> None:
        self.state.emit(self.pod, type_, reason, message, "kubelet", self.node_name, field_path, count=count)

    def base_status(self, c: Obj) -> Obj:
        cname = c["name"]
        return {
            "name": cname,
            "image": c.get("image", ""),
            "imageID": "",
            "restartCount": 0,
            "started": False,
            "ready": False,
            "containerID": self.container_id(cname, 0),
        }

    def container_id(self, cname: str, restart: int) -> str:
        seed = self.meta["uid"] + cname + (str(restart) if restart else "")
        return f"containerd://{names.event_suffix(seed) * 4}"

    def started(self, c: Obj, st: Obj, field_path: str, count: int = 1) -> None:
        """The image is present and the container was created and started ``count`` times."""
        image = c.get("image", "")
        st["imageID"] = f"{image.split(':')[0]}@sha256:{names.event_suffix(image) * 4}"
        self.emit(
            "Normal", "Pulled", f'Container image "{image}" already present on machine', field_path, count
        )
        self.emit("Normal", "Created", f"Created container {c['name']}", field_path, count)
        self.emit("Normal", "Started", f"Started container {c['name']}", field_path, count)

    def crash_loop(self, st: Obj, field_path: str, restarts: int, last: Obj) -> None:
        """A container restarted ``restarts`` times, now waiting in back-off."""
        meta = self.meta
        cname, name, ns = st["name"], meta["name"], meta["namespace"]
        st["restartCount"] = restarts
        st["lastState"] = last
        st["state"] = {
            "waiting": {
                "reason": "CrashLoopBackOff",
                "message": f"back-off 5m0s restarting failed container={cname} pod={name}_{ns}({meta['uid']})",
            }
        }
        self.backoff(cname, field_path, 31)

    def backoff(self, cname: str, field_path: str, count: int) -> None:
        meta = self.meta
        self.emit(
            "Warning",
            "BackOff",
            f"Back-off restarting failed container {cname} in pod {meta['name']}_{meta['namespace']}"
            f"({meta['uid']})",
            field_path,
            count,
        )

    def init_containers(self) -> tuple[list[Obj], str | None]:
        """Statuses of the init containers and the name of the one that failed, if any."""
        specs = self.pod["spec"].get("initContainers") or []
        failing = self.sim in ("InitError", "InitCrashLoopBackOff")
        never = self.pod["spec"].get("restartPolicy") == "Never"
        statuses: list[Obj] = []
        for i, c in enumerate(specs):
            st = self.base_status(c)
            field_path = f"spec.initContainers{{{c['name']}}}"
            if not failing or i < len(specs) - 1:
                self.started(c, st, field_path)
                st["ready"] = True
                st["state"] = _terminated("Completed", 0, self.created, st["containerID"])
                statuses.append(st)
                continue
            error = _terminated("Error", 1, self.created, self.container_id(c["name"], 1))
            if self.sim == "InitError":
                self.started(c, st, field_path, 1 if never else 4)
                if not never:
                    st["restartCount"] = 3
                    st["lastState"] = _terminated("Error", 1, self.created, st["containerID"])
                st["state"] = error
            else:
                self.started(c, st, field_path, 7)
                self.crash_loop(st, field_path, 6, error)
            statuses.append(st)
            return statuses, c["name"]
        return statuses, None

    def container(self, c: Obj, pod_ip: str) -> tuple[Obj, str | None]:
        """One app container's status and, when it ended, the pod phase that follows."""
        sim, created = self.sim, self.created
        cname, image = c["name"], c.get("image", "")
        field_path = f"spec.containers{{{cname}}}"
        st = self.base_status(c)
        running = {"running": {"startedAt": created}}
        if sim == "ImagePullBackOff":
            del st["containerID"]
            st["state"] = {
                "waiting": {"reason": "ImagePullBackOff", "message": f'Back-off pulling image "{image}"'}
            }
            self.emit("Normal", "Pulling", f'Pulling image "{image}"', field_path, 5)
            self.emit("Warning", "Failed", _image_pull_error(image), field_path, 5)
            self.emit("Warning", "Failed", "Error: ErrImagePull", field_path, 5)
            self.emit("Normal", "BackOff", f'Back-off pulling image "{image}"', field_path, 60)
            self.emit("Warning", "Failed", "Error: ImagePullBackOff", field_path, 60)
            return st, "Pending"
        if sim == "LivenessProbeFailed":
            self.started(c, st, field_path, 6)
            failure = probe_failure(c.get("livenessProbe"), pod_ip, liveness=True)
            self.emit("Warning", "Unhealthy", f"Liveness probe failed: {failure}", field_path, 15)
            self.emit(
                "Normal",
                "Killing",
                f"Container {cname} failed liveness probe, will be restarted",
                field_path,
                5,
            )
            st["restartCount"] = 5
            st["lastState"] = _terminated("Error", 137, created, self.container_id(cname, 5))
            st["containerID"] = self.container_id(cname, 6)
            st.update(state=running, started=True, ready=True)
            return st, None
        self.started(c, st, field_path)
        if sim == "CrashLoopBackOff":
            self.crash_loop(st, field_path, 7, _terminated("Error", 1, created, self.container_id(cname, 7)))
        elif sim == "OOMKilled":
            st["restartCount"] = 4
            st["lastState"] = _terminated("OOMKilled", 137, created, self.container_id(cname, 4))
            st["state"] = _terminated("OOMKilled", 137, created, st["containerID"])
            self.backoff(cname, field_path, 9)
        elif sim in READINESS_FAILURES:
            st.update(state=running, started=True)
            failure = probe_failure(c.get("readinessProbe"), pod_ip, liveness=False)
            self.emit("Warning", "Unhealthy", f"Readiness probe failed: {failure}", field_path, 42)
        elif sim == "BackoffLimitExceeded":
            st["state"] = _terminated("Error", 1, created, st["containerID"])
            return st, "Failed"
        elif any(r.get("kind") == "Job" for r in self.meta.get("ownerReferences") or []):
            st["state"] = _terminated("Completed", 0, created, st["containerID"])
            return st, "Succeeded"
        else:
            st.update(state=running, started=True, ready=True)
        return st, None


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
    elif sim not in ("Pending", "UnboundPVC"):
        node = pick_node(state, spec)
    if node is None:
        if sim == "UnboundPVC":
            # The scheduler's event expired long ago (events live an hour): only the condition tells.
            message = unbound_claims_message(state)
        else:
            message = unschedulable_message(state, spec, resources_short=True)
            state.emit(pod, "Warning", "FailedScheduling", message, "default-scheduler", count=12)
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
        return
    node_name = node["metadata"]["name"]
    spec["nodeName"] = node_name
    state.emit(
        pod, "Normal", "Scheduled", f"Successfully assigned {ns}/{name} to {node_name}", "default-scheduler"
    )
    pod_ip = state.allocate_pod_ip(node_name)
    kubelet = _Kubelet(state, pod, node_name, sim)
    init_statuses, init_failed = kubelet.init_containers()
    statuses: list[Obj] = []
    phases: list[str] = []
    for c in containers:
        if init_failed:
            st = kubelet.base_status(c)
            del st["containerID"]
            st["state"] = {"waiting": {"reason": "PodInitializing"}}
        else:
            st, ended = kubelet.container(c, pod_ip)
            if ended:
                phases.append(ended)
        statuses.append(st)
    if init_failed:
        never = spec.get("restartPolicy") == "Never"
        phase = "Failed" if sim == "InitError" and never else "Pending"
    else:
        phase = next((p for p in ("Pending", "Failed") if p in phases), None) or (
            "Succeeded" if phases and len(phases) == len(statuses) else "Running"
        )
    all_ready = all(s["ready"] for s in statuses) and phase == "Running"
    ready_s = "True" if all_ready else "False"
    not_ready_names = [s["name"] for s in statuses if not s["ready"]]
    why = f"containers with unready status: [{' '.join(not_ready_names)}]"

    def cond(ctype: str, status: str, reason: str | None = None, message: str | None = None) -> Obj:
        c: Obj = {"type": ctype, "status": status, "lastProbeTime": None, "lastTransitionTime": created}
        if reason:
            c["reason"] = reason
        if message:
            c["message"] = message
        return c

    reason: str | None = None
    unready: str | None = None
    if all_ready:
        pass
    elif phase in ("Succeeded", "Failed") and not init_failed:
        reason = "PodCompleted" if phase == "Succeeded" else "PodFailed"
    else:
        reason, unready = "ContainersNotReady", why
    conditions = [
        cond("PodReadyToStartContainers", "True" if phase != "Pending" or statuses else "False"),
        cond("Initialized", "True")
        if not init_failed
        else cond(
            "Initialized",
            "False",
            "ContainersNotInitialized",
            f"containers with incomplete status: [{init_failed}]",
        ),
        cond("Ready", ready_s, reason, unready),
        cond("ContainersReady", ready_s, reason, unready),
        cond("PodScheduled", "True"),
    ]
    if not node_ready(node) and phase == "Running":
        # The node lifecycle controller marks the pods of a node that stopped reporting unready.
        conditions[2]["status"] = "False"
        state.emit(pod, "Warning", "NodeNotReady", "Node is not ready", "node-controller")
    host_ip = state.node_ip(node_name)
    pod["status"] = {
        "phase": phase,
        "conditions": conditions,
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "podIP": pod_ip,
        "podIPs": [{"ip": pod_ip}],
        "startTime": created,
    }
    if init_statuses:
        pod["status"]["initContainerStatuses"] = init_statuses
    pod["status"]["containerStatuses"] = statuses
    pod["status"]["qosClass"] = qos_class(spec)
    state.store.put("pod", pod)


#: Simulations whose containers keep restarting; :func:`restart_crashing` advances them.
RESTARTING = ("CrashLoopBackOff", "OOMKilled", "LivenessProbeFailed", "InitCrashLoopBackOff")
_RESTART_EVENTS = ("BackOff", "Unhealthy", "Killing", "Pulled", "Created", "Started")


def restart_crashing(state: ClusterState) -> int:
    """Restart every crash-looping container once more, as time passing would; returns how many.

    Restart counts grow by one, the last termination is stamped now, and the pod's repeating
    events (BackOff, Unhealthy, Killing, ...) count one more occurrence.
    """
    now = state.now_iso()
    restarted = 0
    for pod in state.store.list("pod"):
        meta = pod["metadata"]
        if state.simulate.get(("pod", meta["namespace"], meta["name"])) not in RESTARTING:
            continue
        st = pod.get("status") or {}
        changed = []
        for c in (st.get("initContainerStatuses") or []) + (st.get("containerStatuses") or []):
            last = (c.get("lastState") or {}).get("terminated")
            if not c.get("restartCount") or last is None:
                continue
            c["restartCount"] += 1
            last.update(startedAt=now, finishedAt=now)
            running = (c.get("state") or {}).get("running")
            if running is not None:
                running["startedAt"] = now
            changed.append(c["name"])
        if not changed:
            continue
        restarted += len(changed)
        state.store.put("pod", pod)
        for event in state.store.list("event", meta["namespace"]):
            io = event["involvedObject"]
            if (
                io.get("uid") == meta["uid"]
                and event["reason"] in _RESTART_EVENTS
                and any(io.get("fieldPath", "").endswith(f"{{{name}}}") for name in changed)
                and int(event.get("count", 1)) > 1
            ):
                event["count"] = int(event["count"]) + 1
                event["lastTimestamp"] = now
                state.store.put("event", event)
    return restarted


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


SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def endpoint_slice(
    svc: Obj, ready: list[Obj], not_ready: list[Obj], ports: list[Obj], zones: dict[str, str]
) -> Obj:
    """The EndpointSlice the EndpointSlice controller keeps for ``svc``.

    ``ready`` and ``not_ready`` are Endpoints addresses, ``ports`` Endpoints ports and
    ``zones`` node names to their ``topology.kubernetes.io/zone``.
    """
    meta = svc["metadata"]
    endpoints = []
    pairs = [(a, True) for a in ready] + [(a, False) for a in not_ready]
    for addr, is_ready in sorted(pairs, key=lambda pair: pair[0]["targetRef"]["name"]):
        ep: Obj = {
            "addresses": [addr["ip"]],
            "conditions": {"ready": is_ready, "serving": is_ready, "terminating": False},
            "targetRef": addr["targetRef"],
        }
        node = addr.get("nodeName")
        if node:
            ep["nodeName"] = node
            if node in zones:
                ep["zone"] = zones[node]
        endpoints.append(ep)
    labels = dict(meta.get("labels") or {})
    labels.update(
        {
            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
            SERVICE_NAME_LABEL: meta["name"],
        }
    )
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": f"{meta['name']}-{names.suffix(meta['uid'])}",
            "generateName": f"{meta['name']}-",
            "namespace": meta["namespace"],
            "labels": labels,
            "ownerReferences": [
                {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "name": meta["name"],
                    "uid": meta["uid"],
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "addressType": "IPv4",
        # Both lists are serialized even when empty (null), as the Go type has no omitempty.
        "endpoints": endpoints or None,
        "ports": [{"name": p.get("name", ""), "port": p["port"], "protocol": p["protocol"]} for p in ports]
        or None,
    }


def node_zones(state: ClusterState) -> dict[str, str]:
    """Node names to their ``topology.kubernetes.io/zone`` label, for nodes that have one."""
    zones = {}
    for node in state.store.list("node"):
        zone = (node["metadata"].get("labels") or {}).get("topology.kubernetes.io/zone")
        if zone:
            zones[node["metadata"]["name"]] = zone
    return zones


def _sync_slice(state: ClusterState, want: Obj) -> None:
    meta = want["metadata"]
    have = state.store.get("endpointslice", meta["namespace"], meta["name"])
    if have is None:
        state.admit_internal("endpointslice", want)
        return
    fields = ("endpoints", "ports", "addressType")
    if any(have.get(f) != want[f] for f in fields) or have["metadata"].get("labels") != meta["labels"]:
        for f in fields:
            have[f] = want[f]
        have["metadata"]["labels"] = meta["labels"]
        state.store.put("endpointslice", have)


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
    zones = node_zones(state)
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
        _sync_slice(state, endpoint_slice(svc, ready, not_ready, ports, zones))
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
    for es in state.store.list("endpointslice"):
        meta = es["metadata"]
        service = (meta.get("labels") or {}).get(SERVICE_NAME_LABEL)
        if service and state.store.get("service", meta["namespace"], service) is None:
            state.store.remove("endpointslice", meta["namespace"], meta["name"])


CONTROLLERS = (
    collect_garbage,
    reconcile_nodes,
    reconcile_deployments,
    reconcile_replicasets,
    reconcile_statefulsets,
    reconcile_daemonsets,
    reconcile_cronjobs,
    reconcile_jobs,
    reconcile_unscheduled_pods,
    deployment_status,
    reconcile_endpoints,
    reconcile_quotas,
    reconcile_claims,
)
