"""devcluster's object store indexes: namespaced lists, sorted order, owners and paging."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from devcluster.server import Api, build_app
from devcluster.state import ClusterState
from devcluster.store import ObjectStore


def obj(namespace: str, name: str, **meta: Any) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": namespace, **meta}, "data": {}}


def names(objs: list[dict[str, Any]]) -> list[str]:
    return [f"{o['metadata']['namespace']}/{o['metadata']['name']}" for o in objs]


def test_namespaced_list_follows_adds_updates_and_deletes() -> None:
    store = ObjectStore()
    store.load("pod", [obj("b", "p2"), obj("a", "p9")])
    # Build the sorted keys before further writes, so inserts must keep them sorted.
    assert names(store.list("pod")) == ["a/p9", "b/p2"]
    for ns, name in [("b", "p1"), ("a", "p3"), ("c", "p0"), ("a", "p10")]:
        store.put("pod", obj(ns, name))
    store.put("configmap", obj("a", "p5"))
    assert names(store.list("pod", "a")) == ["a/p10", "a/p3", "a/p9"]
    assert names(store.list("pod", "b")) == ["b/p1", "b/p2"]
    assert names(store.list("pod")) == ["a/p10", "a/p3", "a/p9", "b/p1", "b/p2", "c/p0"]

    updated = obj("a", "p3", labels={"v": "2"})
    store.put("pod", updated)
    assert store.list("pod", "a")[1] is updated
    assert store.count("pod") == 6

    assert store.remove("pod", "a", "p9") is not None
    assert store.remove("pod", "c", "p0") is not None
    assert store.remove("pod", "c", "p0") is None
    assert names(store.list("pod", "a")) == ["a/p10", "a/p3"]
    assert store.list("pod", "c") == []
    assert names(store.list("pod")) == ["a/p10", "a/p3", "b/p1", "b/p2"]
    assert names(store.list("configmap")) == ["a/p5"]
    assert store.get("pod", "a", "p9") is None

    store.put("pod", obj("c", "p0"))
    assert names(store.list("pod", "c")) == ["c/p0"]
    assert store.count("pod", "a") == 2


def test_load_stamps_versions_without_change_log() -> None:
    store = ObjectStore()
    store.put("namespace", obj("", "a"))
    first, second = obj("a", "x"), obj("a", "y")
    store.load("pod", [first, second])
    assert (first["metadata"]["resourceVersion"], second["metadata"]["resourceVersion"]) == ("2", "3")
    assert store.resource_version == 3
    assert [c.kind for c in store.changes_since(0)] == ["namespace"]
    store.put("pod", obj("a", "x"))
    assert [(c.type, c.resource_version) for c in store.changes_since(3)] == [("MODIFIED", 4)]


def test_owner_index_follows_replacement_and_removal() -> None:
    store = ObjectStore()
    ref = {"uid": "u1", "kind": "ReplicaSet", "name": "rs"}
    store.put("pod", obj("a", "p2", ownerReferences=[ref]))
    store.put("pod", obj("a", "p1", ownerReferences=[ref]))
    store.put("pod", obj("b", "p1", ownerReferences=[ref]))
    assert names(store.owned("pod", "a", "u1")) == ["a/p1", "a/p2"]
    store.put("pod", obj("a", "p2"))
    assert names(store.owned("pod", "a", "u1")) == ["a/p1"]
    store.remove("pod", "a", "p1")
    assert store.owned("pod", "a", "u1") == []
    assert names(store.owned("pod", "b", "u1")) == ["b/p1"]


def test_paging_tokens_are_stable_and_pages_cover_the_list() -> None:
    state = ClusterState()
    state.store.put("namespace", obj("", "a") | {"kind": "Namespace", "apiVersion": "v1"})
    state.store.put("namespace", obj("", "b") | {"kind": "Namespace", "apiVersion": "v1"})
    for i in range(7):
        for ns in ("b", "a"):
            state.store.put("configmap", obj(ns, f"cm-{i}") | {"kind": "ConfigMap", "apiVersion": "v1"})
    client = TestClient(build_app(Api(state, lambda: "127.0.0.1:0")))

    def page(token: str | None) -> dict[str, Any]:
        params = {"limit": "4"} | ({"continue": token} if token else {})
        response = client.get("/api/v1/configmaps", params=params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    seen: list[str] = []
    tokens: list[str] = []
    token = None
    while True:
        body = page(token)
        seen += names(body["items"])
        assert page(token) == body  # the same token gives the same page
        token = body["metadata"].get("continue")
        if not token:
            break
        tokens.append(token)
    assert seen == [f"{ns}/cm-{i}" for ns in ("a", "b") for i in range(7)]
    assert len(tokens) == 3
    in_a = client.get("/api/v1/namespaces/a/configmaps").json()["items"]
    assert names(in_a) == [f"a/cm-{i}" for i in range(7)]
