"""PersistentVolumeClaim analyzer: why a claim is Pending, and which pods wait for it."""

from __future__ import annotations

from kcache.analyzers.common import event_lines
from kcache.analyzers.findings import Finding, finding
from kcache.analyzers.view import View
from kcache.model import Resource

_EVENTS = ("ProvisioningFailed", "FailedBinding", "ExternalProvisioning")


def analyze_pvc(view: View, pvc: Resource, *, parent: str | None = None) -> list[Finding]:
    """A Pending or Lost claim with its cause: no StorageClass, an unknown one, no matching PV."""
    f = pvc.fields
    status = f.get("status")
    if status not in ("Pending", "Lost"):
        return []
    pods = view.claimants(pvc.namespace, pvc.name)
    waiting = [f"pods waiting for it: {', '.join(p.name for p in pods[:5])}"] if pods else []
    events = event_lines(view.events(pvc), _EVENTS)
    if status == "Lost":
        return [
            finding(
                pvc,
                "critical",
                "ClaimLost",
                en=f"is Lost: its PersistentVolume {f.get('volume')} is gone",
                zh=f"处于 Lost：它的 PersistentVolume {f.get('volume')} 已不存在",
                hint_en="The data is gone with the volume; recreate the claim (and restore from a backup).",
                hint_zh="数据随卷一起丢失；重新创建 PVC（并从备份恢复）。",
                evidence=[*waiting, *events],
                parent=parent,
            )
        ]
    wanted = f.get("storage_class")
    classes = view.all("storageclass")
    reason, en, zh = "ClaimPending", "is Pending", "处于 Pending"
    hint_en, hint_zh = "Look at the provisioner's events for the claim.", "查看供给程序关于该 PVC 的事件。"
    evidence: list[str] = [f"storageClassName {wanted or '<none>'}, requested {f.get('requested')}"]
    sc = next((c for c in classes if c.name == wanted), None) if wanted else None
    default = next((c for c in classes if c.fields.get("is_default")), None)
    if not wanted and view.loaded("storageclass") and default is None and not _matching_pvs(view, pvc):
        reason, en, zh = (
            "NoStorageClass",
            "is Pending: it names no StorageClass and the cluster has no default one",
            "处于 Pending：未指定 StorageClass，且集群没有默认的 StorageClass",
        )
        hint_en = "Set storageClassName to an existing class, or mark one class as the default."
        hint_zh = "把 storageClassName 设为已有的类，或将某个类设为默认。"
        evidence.append("StorageClasses: " + (", ".join(c.name for c in classes) or "none"))
    elif wanted and view.loaded("storageclass") and sc is None:
        reason, en, zh = (
            "StorageClassNotFound",
            f"is Pending: StorageClass {wanted} does not exist",
            f"处于 Pending：StorageClass {wanted} 不存在",
        )
        hint_en = "Use one of the cluster's StorageClasses, or create this one."
        hint_zh = "使用集群已有的 StorageClass，或创建这个类。"
        evidence.append("StorageClasses: " + (", ".join(c.name for c in classes) or "none"))
    elif (
        sc is not None
        and sc.fields.get("volume_binding_mode") == "WaitForFirstConsumer"
        and not any(p.fields.get("node_name") for p in pods)
    ):
        # It binds once a pod using it is scheduled: if such a pod is stuck, the pod is the problem.
        return [
            finding(
                pvc,
                "info",
                "WaitingForFirstConsumer",
                en=f"is Pending until a pod using it is scheduled (StorageClass {wanted} binds on first consumer)",
                zh=f"在使用它的 pod 被调度前保持 Pending（StorageClass {wanted} 在首个使用者出现时绑定）",
                hint_en="If a pod waits for it, diagnose that pod's scheduling." if pods else "",
                hint_zh="如果有 pod 在等待它，请诊断该 pod 的调度问题。" if pods else "",
                evidence=waiting,
                parent=parent,
            )
        ]
    elif (
        view.loaded("persistentvolume")
        and not _matching_pvs(view, pvc)
        and (sc is None or sc.fields.get("provisioner") in (None, "", "kubernetes.io/no-provisioner"))
    ):
        reason, en, zh = (
            "NoMatchingPersistentVolume",
            "is Pending: no available PersistentVolume matches it and nothing provisions one",
            "处于 Pending：没有可用的 PersistentVolume 与之匹配，也没有供给程序创建",
        )
        hint_en = "Create a PersistentVolume of that class and size, or use a class with a provisioner."
        hint_zh = "创建该类和容量的 PersistentVolume，或使用带供给程序的 StorageClass。"
    return [
        finding(
            pvc,
            "critical",
            reason,
            en=en,
            zh=zh,
            hint_en=hint_en,
            hint_zh=hint_zh,
            evidence=[*evidence, *waiting, *events],
            parent=parent,
        )
    ]


def _matching_pvs(view: View, pvc: Resource) -> list[Resource]:
    """Available volumes of the claim's class (or pre-bound to it)."""
    wanted = pvc.fields.get("storage_class") or None
    ref = f"{pvc.namespace}/{pvc.name}"
    return [
        pv
        for pv in view.all("persistentvolume")
        if pv.fields.get("claim") == ref
        or (pv.fields.get("status") == "Available" and (pv.fields.get("storage_class") or None) == wanted)
    ]
