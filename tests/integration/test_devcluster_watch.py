"""Watch conformance for list+watch clients: kubectl, the kubernetes client, kubernetes_asyncio.

Covers ``watch=True`` (Go's ParseBool), BOOKMARK events, ``timeoutSeconds``, WatchList's
``sendInitialEvents``, ``410 Expired`` and the ``drop_watches`` fault that cuts every stream.
"""

from __future__ import annotations

import json
import subprocess
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import urllib3
from kubernetes import client, config, watch

from devcluster import DevCluster

pytestmark = pytest.mark.integration
KUBECTL = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kubectl"


def _raw_watch(dc: DevCluster, query: str) -> list[dict[str, Any]]:
    """Every event of one watch request, read until the server ends the stream."""
    with urllib.request.urlopen(f"{dc.url}/api/v1/namespaces/boutique/pods?{query}", timeout=20) as resp:
        return [json.loads(line) for line in resp.read().decode().splitlines() if line.strip()]


def _frontend_pods(dc: DevCluster) -> set[str]:
    return {
        p["metadata"]["name"]
        for p in dc.list("pod", "boutique")
        if p["metadata"]["labels"]["app"] == "frontend"
    }


@pytest.mark.parametrize("value", ["1", "t", "T", "TRUE", "true", "True"])
def test_watch_parameter_is_a_go_bool(devcluster_demo: DevCluster, value: str) -> None:
    events = _raw_watch(devcluster_demo, f"watch={value}&timeoutSeconds=1&labelSelector=app%3Dfrontend")
    assert [e["type"] for e in events] == ["ADDED"]
    assert events[0]["object"]["metadata"]["name"] in _frontend_pods(devcluster_demo)


def test_false_and_bad_watch_values(devcluster_demo: DevCluster) -> None:
    with urllib.request.urlopen(f"{devcluster_demo.url}/api/v1/namespaces/boutique/pods?watch=False") as resp:
        assert json.loads(resp.read())["kind"] == "PodList"
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{devcluster_demo.url}/api/v1/namespaces/boutique/pods?watch=yes")
    assert err.value.code == 400
    assert json.loads(err.value.read())["message"] == 'strconv.ParseBool: parsing "yes": invalid syntax'


def test_timeout_ends_the_stream_with_a_bookmark(devcluster_demo: DevCluster) -> None:
    rv = devcluster_demo.state.store.resource_version
    events = _raw_watch(
        devcluster_demo, f"watch=true&resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds=1"
    )
    assert [e["type"] for e in events] == ["BOOKMARK"]
    assert events[0]["object"] == {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {
            "resourceVersion": str(devcluster_demo.state.store.resource_version),
            "creationTimestamp": None,
        },
    }
    plain = _raw_watch(devcluster_demo, f"watch=true&resourceVersion={rv}&timeoutSeconds=1")
    assert plain == []  # no bookmarks unless asked for


def test_send_initial_events_ends_with_the_annotated_bookmark(devcluster_demo: DevCluster) -> None:
    events = _raw_watch(
        devcluster_demo,
        "watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
        "&timeoutSeconds=1&labelSelector=app%3Dfrontend",
    )
    assert [e["type"] for e in events] == ["ADDED", "BOOKMARK", "BOOKMARK"]
    assert events[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    with pytest.raises(urllib.error.HTTPError) as err:
        _raw_watch(devcluster_demo, "watch=1&sendInitialEvents=true")
    assert err.value.code == 422


def test_kubectl_waits_on_a_watch_list_and_follows_changes(devcluster: DevCluster) -> None:
    # kubectl 1.37's rollout status syncs through WatchList: it needs the initial-events-end bookmark.
    done = subprocess.run(
        [
            str(KUBECTL),
            "--kubeconfig",
            str(devcluster.kubeconfig),
            "rollout",
            "status",
            "-n",
            "boutique",
            "deployment/frontend",
            "--timeout=20s",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert 'deployment "frontend" successfully rolled out' in done.stdout
    watcher = subprocess.Popen(
        [
            str(KUBECTL),
            "--kubeconfig",
            str(devcluster.kubeconfig),
            "get",
            "pods",
            "-n",
            "boutique",
            "-l",
            "app=frontend",
            "-w",
            "--request-timeout=4s",
            "-o",
            "name",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    before = _frontend_pods(devcluster)
    threading.Event().wait(1.5)  # let kubectl list and open its watch
    devcluster.scale("deployment", "boutique", "frontend", 2)
    out, err = watcher.communicate(timeout=30)
    assert watcher.returncode == 0, err
    seen = {line.removeprefix("pod/") for line in out.split()}
    assert seen == _frontend_pods(devcluster) and before < seen


def test_python_client_gets_bookmarks(devcluster: DevCluster) -> None:
    devcluster.watches.bookmark_interval = 0.3
    core = client.CoreV1Api(config.new_client_from_config(config_file=str(devcluster.kubeconfig)))
    listed = core.list_namespaced_pod("boutique", label_selector="app=frontend")
    w = watch.Watch()
    types: list[str] = []
    for event in w.stream(
        core.list_namespaced_pod,
        "boutique",
        label_selector="app=frontend",
        resource_version=listed.metadata.resource_version,
        allow_watch_bookmarks=True,
        timeout_seconds=5,
    ):
        types.append(event["type"])
        if event["type"] == "BOOKMARK":
            w.stop()
    assert types == ["BOOKMARK"]
    assert w.resource_version == str(devcluster.state.store.resource_version)


def test_dropped_watches_make_the_python_client_reconnect(devcluster: DevCluster) -> None:
    core = client.CoreV1Api(config.new_client_from_config(config_file=str(devcluster.kubeconfig)))
    rv = core.list_namespaced_pod("boutique", label_selector="app=frontend").metadata.resource_version
    errors: list[BaseException] = []
    added: list[str] = []

    def consume(since: str) -> None:
        try:
            for event in watch.Watch().stream(
                core.list_namespaced_pod,
                "boutique",
                label_selector="app=frontend",
                resource_version=since,
                timeout_seconds=15,
            ):
                if event["type"] == "ADDED":
                    added.append(event["object"].metadata.name)
                    return
        except urllib3.exceptions.HTTPError as exc:
            errors.append(exc)

    reader = threading.Thread(target=consume, args=(rv,))
    reader.start()
    while devcluster.watches.open == 0:
        threading.Event().wait(0.05)
    assert devcluster.faults.drop_watches() == 1
    reader.join(timeout=10)
    assert not reader.is_alive() and len(errors) == 1 and added == []
    assert devcluster.faults.counters.watch_drops == 1
    # Reconnecting from the last version seen misses nothing written while it was away.
    devcluster.scale("deployment", "boutique", "frontend", 2)
    consume(rv)
    assert added and added[0] in _frontend_pods(devcluster)


def test_drop_watches_through_the_admin_endpoint(devcluster: DevCluster) -> None:
    result: list[list[dict[str, Any]] | BaseException] = []

    def consume() -> None:
        try:
            rv = devcluster.state.store.resource_version
            result.append(_raw_watch(devcluster, f"watch=true&resourceVersion={rv}&timeoutSeconds=15"))
        except Exception as exc:  # the cut connection surfaces as some http.client error
            result.append(exc)

    reader = threading.Thread(target=consume)
    reader.start()
    while devcluster.watches.open == 0:
        threading.Event().wait(0.05)
    req = urllib.request.Request(
        f"{devcluster.url}/_devcluster/faults", data=b'{"drop_watches": true}', method="POST"
    )
    with urllib.request.urlopen(req) as resp:
        assert json.loads(resp.read())["counters"]["watch_drops"] == 1
    reader.join(timeout=10)
    assert isinstance(result[0], BaseException)


def test_kubernetes_asyncio_list_and_watch(devcluster: DevCluster) -> None:
    kasync = pytest.importorskip("kubernetes_asyncio")
    import asyncio

    async def run() -> tuple[list[str], set[str]]:
        api_client = await kasync.config.new_client_from_config(config_file=str(devcluster.kubeconfig))
        async with api_client:
            core = kasync.client.CoreV1Api(api_client)
            listed = await core.list_namespaced_pod("boutique", label_selector="app=frontend")
            seen: list[str] = []
            w = kasync.watch.Watch()
            scaled = False
            async for event in w.stream(
                core.list_namespaced_pod,
                "boutique",
                label_selector="app=frontend",
                resource_version=listed.metadata.resource_version,
                allow_watch_bookmarks=True,
                timeout_seconds=10,
            ):
                seen.append(event["type"])
                if not scaled:
                    scaled = True
                    await asyncio.to_thread(devcluster.scale, "deployment", "boutique", "frontend", 2)
                if event["type"] == "ADDED":
                    w.stop()
            return seen, {p.metadata.name for p in listed.items}

    devcluster.watches.bookmark_interval = 0.3
    seen, listed = asyncio.run(run())
    assert seen[0] == "BOOKMARK" and seen[-1] == "ADDED"
    assert len(listed) == 1 and len(_frontend_pods(devcluster)) == 2


def test_a_compacted_version_answers_410_to_raw_and_asyncio_watches(devcluster: DevCluster) -> None:
    old = devcluster.state.store.resource_version
    devcluster.scale("deployment", "boutique", "frontend", 2)
    req = urllib.request.Request(
        f"{devcluster.url}/_devcluster/changes", data=b'{"op": "compact"}', method="POST"
    )
    with urllib.request.urlopen(req) as resp:
        assert json.loads(resp.read())["ok"] is True
    (event,) = _raw_watch(devcluster, f"watch=true&resourceVersion={old}&timeoutSeconds=5")
    current = devcluster.state.store.resource_version
    assert event == {
        "type": "ERROR",
        "object": {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": f"too old resource version: {old} ({current})",
            "reason": "Expired",
            "code": 410,
        },
    }
    assert _raw_watch(devcluster, f"watch=true&resourceVersion={current}&timeoutSeconds=1") == []

    kasync = pytest.importorskip("kubernetes_asyncio")
    import asyncio

    async def run() -> int:
        api_client = await kasync.config.new_client_from_config(config_file=str(devcluster.kubeconfig))
        async with api_client:
            core = kasync.client.CoreV1Api(api_client)
            try:
                async for _ in kasync.watch.Watch().stream(
                    core.list_namespaced_pod, "boutique", resource_version=str(old), timeout_seconds=5
                ):
                    pass
            except kasync.client.exceptions.ApiException as exc:
                return int(exc.status)
            return 0

    assert asyncio.run(run()) == 410
