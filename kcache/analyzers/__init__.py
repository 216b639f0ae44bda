"""Deterministic diagnoses over cached objects: findings without an LLM.

Each analyzer is a pure function of a :class:`View` (the cached objects of a scope,
indexed by owner, label and reference) and one object, returning :class:`Finding` records.
The scope functions run every analyzer over a namespace or the cluster, ranked by severity.

Usage::

    view = View.of(records, loaded=("pod", "configmap", "secret"))
    findings = diagnose_namespace(view, "team-a")

or, from the cache, ``(await kcache.analyzers.load.load_view(store, cluster, "team-a")).view``.

Reason codes, by analyzer:

- pod: the kubelet's own reasons (``CrashLoopBackOff``, ``ImagePullBackOff``,
  ``ErrImagePull``, ``CreateContainerConfigError``, ``OOMKilled``, ``Error``, ``Evicted``,
  ``FailedMount``, ...), ``Unschedulable``, ``SchedulingGated``, ``WaitingForVolume``,
  ``Restarting``, ``ReadinessProbeFailed``, ``LivenessProbeFailed``,
  ``StartupProbeFailed``, ``ContainerNotReady``, ``MissingConfigMap``, ``MissingSecret``,
  ``MissingPersistentVolumeClaim``, ``NodeNotReady``, ``PodStatusUnknown``, ``PodFailed``
- workload: ``ReplicasNotReady``, ``ProgressDeadlineExceeded``, ``ReplicaFailure``,
  ``Misscheduled``
- job: ``BackoffLimitExceeded``, ``DeadlineExceeded``, ``JobFailed``, ``JobRetrying``,
  ``PodsFailing``, ``Suspended``; cronjob: ``LastRunFailed``, ``Suspended``
- service: ``SelectorMatchesNoPods``, ``NoReadyEndpoints``, ``TargetPortNotExposed``
- ingress: ``IngressClassNotFound``, ``BackendServiceNotFound``, ``BackendPortNotFound``,
  ``BackendNoReadyEndpoints``, ``TLSSecretNotFound``
- persistentvolumeclaim: ``NoStorageClass``, ``StorageClassNotFound``,
  ``NoMatchingPersistentVolume``, ``ClaimPending``, ``WaitingForFirstConsumer``, ``ClaimLost``
- node: ``NodeNotReady``, ``NodeStatusUnknown``, ``MemoryPressure``, ``DiskPressure``,
  ``PIDPressure``, ``NetworkUnavailable``, ``Cordoned``, ``TaintBlocksPods``
"""

from __future__ import annotations

from kcache.analyzers.findings import (
    Finding,
    Severity,
    hint,
    is_problem,
    object_ref,
    rank,
    ref_of,
    text,
    top_level,
)
from kcache.analyzers.ingress import analyze_ingress
from kcache.analyzers.job import analyze_cronjob, analyze_job
from kcache.analyzers.node import analyze_node
from kcache.analyzers.pod import analyze_pod
from kcache.analyzers.pvc import analyze_pvc
from kcache.analyzers.scope import (
    ANALYZERS,
    diagnose,
    diagnose_cluster,
    diagnose_each,
    diagnose_namespace,
    diagnose_object,
)
from kcache.analyzers.service import analyze_service
from kcache.analyzers.view import View
from kcache.analyzers.workload import analyze_workload

__all__ = [
    "ANALYZERS",
    "Finding",
    "Severity",
    "View",
    "analyze_cronjob",
    "analyze_ingress",
    "analyze_job",
    "analyze_node",
    "analyze_pod",
    "analyze_pvc",
    "analyze_service",
    "analyze_workload",
    "diagnose",
    "diagnose_cluster",
    "diagnose_each",
    "diagnose_namespace",
    "diagnose_object",
    "hint",
    "is_problem",
    "object_ref",
    "rank",
    "ref_of",
    "text",
    "top_level",
]
