"""Discovery documents: ``/version``, ``/api``, ``/apis`` and each group version's resources."""

from __future__ import annotations

from typing import Any

from devcluster.resources import GROUPS, RESOURCES, ResourceType

Obj = dict[str, Any]

_SUB: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    # subresource: (group, version, kind, verbs); "" kind means the parent's kind
    "status": ("", "", "", ("get", "patch", "update")),
    "scale": ("autoscaling", "v1", "Scale", ("get", "patch", "update")),
    "log": ("", "", "Pod", ("get",)),
    "exec": ("", "", "PodExecOptions", ("create", "get")),
    "attach": ("", "", "PodAttachOptions", ("create", "get")),
    "portforward": ("", "", "PodPortForwardOptions", ("create", "get")),
    "binding": ("", "", "Binding", ("create",)),
    "eviction": ("policy", "v1", "Eviction", ("create",)),
    "ephemeralcontainers": ("", "", "Pod", ("get", "patch", "update")),
    "finalize": ("", "", "Namespace", ("update",)),
    "token": ("authentication.k8s.io", "v1", "TokenRequest", ("create",)),
}


def version(kubelet_version: str) -> Obj:
    """The ``/version`` document for a cluster of this version (e.g. ``v1.31.4``)."""
    parts = kubelet_version.lstrip("v").split(".")
    return {
        "major": parts[0],
        "minor": parts[1] if len(parts) > 1 else "0",
        "gitVersion": kubelet_version,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2024-12-10T00:00:00Z",
        "goVersion": "go1.22.9",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def api_versions(server_address: str) -> Obj:
    """The ``/api`` document."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group(name: str, ver: str) -> Obj:
    gv = {"groupVersion": f"{name}/{ver}", "version": ver}
    return {"name": name, "versions": [gv], "preferredVersion": gv}


def api_group_list() -> Obj:
    """The ``/apis`` document."""
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [_group(g, v) for g, v in GROUPS]}


def api_group(name: str) -> Obj | None:
    """The ``/apis/{group}`` document, or None for an unknown group."""
    for g, v in GROUPS:
        if g == name:
            return dict(_group(g, v), kind="APIGroup", apiVersion="v1")
    return None


def _entry(r: ResourceType) -> Obj:
    entry: Obj = {
        "name": r.plural,
        "singularName": r.singular_name,
        "namespaced": r.namespaced,
        "kind": r.kind,
        "verbs": list(r.verbs),
    }
    if r.short_names:
        entry["shortNames"] = list(r.short_names)
    if r.categories:
        entry["categories"] = list(r.categories)
    return entry


def resource_list(group: str, ver: str) -> Obj | None:
    """The ``APIResourceList`` of one group version, or None if it is not served."""
    served = [r for r in RESOURCES if r.group == group and r.version == ver]
    if not served:
        return None
    resources: list[Obj] = []
    for r in sorted(served, key=lambda x: x.plural):
        resources.append(_entry(r))
        for sub in r.subresources:
            sgroup, sver, skind, verbs = _SUB.get(sub, ("", "", r.kind, ("create", "get")))
            if sub == "proxy":
                skind = f"{r.kind}ProxyOptions"
                verbs = ("create", "delete", "get", "patch", "update")
            sentry: Obj = {
                "name": f"{r.plural}/{sub}",
                "singularName": "",
                "namespaced": r.namespaced,
                "kind": skind or r.kind,
                "verbs": list(verbs),
            }
            if sgroup:
                sentry["group"] = sgroup
                sentry["version"] = sver
            resources.append(sentry)
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{ver}" if group else ver,
        "resources": resources,
    }
