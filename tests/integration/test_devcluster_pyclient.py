"""The official kubernetes Python client against devcluster: list, get, paging, watch, 410."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from devcluster import DevCluster

pytestmark = pytest.mark.integration


def _core(dc: DevCluster) -> tuple[client.CoreV1Api, client.AppsV1Api]:
    api = config.new_client_from_config(config_file=str(dc.kubeconfig))
    return client.CoreV1Api(api), client.AppsV1Api(api)


def test_list_and_get(devcluster_demo: DevCluster) -> None:
    core, apps = _core(devcluster_demo)
    pods = core.list_pod_for_all_namespaces()
    assert {p.metadata.name for p in pods.items} == {
        p["metadata"]["name"] for p in devcluster_demo.list("pod")
    }
    assert len(pods.items) == 25
    deploy = apps.read_namespaced_deployment("frontend", "boutique")
    assert deploy.spec.replicas == 1 and deploy.status.ready_replicas == 1
    staging = core.list_namespaced_pod("boutique-staging", label_selector="app=cartservice")
    waiting = staging.items[0].status.container_statuses[0].state.waiting
    assert waiting.reason == "CrashLoopBackOff"
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod("no-such-pod", "boutique")
    assert err.value.status == 404


def test_limit_and_continue_pages(devcluster_demo: DevCluster) -> None:
    core, _ = _core(devcluster_demo)
    pages: list[list[str]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"limit": 10}
        if token:
            kwargs["_continue"] = token
        page = core.list_pod_for_all_namespaces(**kwargs)
        pages.append([p.metadata.name for p in page.items])
        token = page.metadata._continue
        if not token:
            break
    assert [len(p) for p in pages] == [10, 10, 5]
    assert sorted(sum(pages, [])) == sorted(p["metadata"]["name"] for p in devcluster_demo.list("pod"))


def test_list_then_watch_sees_scale_up(devcluster: DevCluster) -> None:
    core, _ = _core(devcluster)
    listed = core.list_namespaced_pod("boutique", label_selector="app=frontend")
    assert len(listed.items) == 1
    events: list[tuple[str, str, str]] = []
    w = watch.Watch()

    def consume() -> None:
        for event in w.stream(
            core.list_namespaced_pod,
            "boutique",
            label_selector="app=frontend",
            resource_version=listed.metadata.resource_version,
            timeout_seconds=10,
        ):
            obj = event["object"]
            events.append(
                (event["type"], obj.metadata.name, (obj.status.phase if obj.status else None) or "")
            )
            if len({n for t, n, _ in events if t == "ADDED"}) >= 2:
                w.stop()

    reader = threading.Thread(target=consume)
    reader.start()
    devcluster.scale("deployment", "boutique", "frontend", 3)
    reader.join(timeout=15)
    added = {name for kind, name, _ in events if kind == "ADDED"}
    now = {
        p["metadata"]["name"]
        for p in devcluster.list("pod", "boutique")
        if p["metadata"]["labels"]["app"] == "frontend"
    }
    assert len(added) == 2 and added <= now
    assert listed.items[0].metadata.name not in added  # only changes after the listed version


def test_watch_from_a_compacted_version_gets_410(devcluster: DevCluster) -> None:
    core, _ = _core(devcluster)
    old = core.list_namespaced_config_map("boutique").metadata.resource_version
    cm = devcluster.list("configmap", "boutique")[0]
    for i in range(10_001):  # more writes than the change log keeps
        cm["data"] = {"n": str(i)}
        devcluster.state.store.put("configmap", cm)
    with pytest.raises(ApiException) as err:
        for _ in watch.Watch().stream(
            core.list_namespaced_config_map, "boutique", resource_version=old, timeout_seconds=5
        ):
            pass
    assert err.value.status == 410
    assert "too old resource version" in str(err.value.reason)
