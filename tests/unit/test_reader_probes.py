"""Readings of requests written in styles the eval sets do not use, pinned by rule.

Each group stands for one rule of the reader; the requests are phrased freely (terse,
chatty, mixed Chinese and English) against the demo and dataplat clusters' vocabularies.
"""

from __future__ import annotations

import pytest

from kcache.understand import Relation, Vocabulary, analyze
from tests.unit.test_understand import cluster_dir, vocabulary_of


@pytest.fixture(scope="module")
def vocabularies() -> dict[str, Vocabulary]:
    return {name: vocabulary_of(cluster_dir(name)) for name in ("demo", "dataplat")}


# A cached object of another kind, tied to the asked kind by 的 or by a relating verb,
# filters the objects asked for; it is never looked up as the asked kind.
RELATION_PROBES = [
    ("demo", "demo-worker-2 上的 pod", "pod", Relation("node", "demo-worker-2", "on_node")),
    ("demo", "demo-worker-1 上的 pod 有哪些", "pod", Relation("node", "demo-worker-1", "on_node")),
    ("demo", "哪些pod运行在demo-worker-2", "pod", Relation("node", "demo-worker-2", "on_node")),
    ("demo", "redis-cart 的事件", "event", Relation("deployment", "redis-cart", "involves")),
    ("demo", "看下 frontend-config 的事件", "event", Relation("configmap", "frontend-config", "involves")),
    ("demo", "哪些 pod 在用 redis-data", "pod", Relation("persistentvolumeclaim", "redis-data", "uses")),
    ("demo", "挂载了 redis-data 的 pod", "pod", Relation("persistentvolumeclaim", "redis-data", "uses")),
    ("demo", "frontend-config 被哪些 pod 引用", "pod", Relation("configmap", "frontend-config", "uses")),
    ("demo", "pods on demo-worker-1", "pod", Relation("node", "demo-worker-1", "on_node")),
    ("demo", "pods using pvc redis-data", "pod", Relation("persistentvolumeclaim", "redis-data", "uses")),
    ("dataplat", "dp-worker-a 上的 pod", "pod", Relation("node", "dp-worker-a", "on_node")),
    ("dataplat", "dp-worker-b上面跑的pod有哪些", "pod", Relation("node", "dp-worker-b", "on_node")),
    ("dataplat", "kafka-config 的事件", "event", Relation("configmap", "kafka-config", "involves")),
    ("dataplat", "哪些 pod 用了 kafka-config", "pod", Relation("configmap", "kafka-config", "uses")),
    (
        "dataplat",
        "prometheus-config 被哪些 pod 挂载",
        "pod",
        Relation("configmap", "prometheus-config", "uses"),
    ),
    ("dataplat", "dp-worker-a 上的 pod 有几个", "pod", Relation("node", "dp-worker-a", "on_node")),
]


@pytest.mark.parametrize(("cluster", "request_text", "resource", "relation"), RELATION_PROBES)
def test_an_object_of_another_kind_is_a_filter(
    vocabularies: dict[str, Vocabulary], cluster: str, request_text: str, resource: str, relation: Relation
) -> None:
    got = analyze(request_text, vocabularies[cluster])
    assert (got.intent, got.operation, got.resource) == ("query", "list", resource)
    assert relation in got.relations
    assert got.name_kind != resource


def test_the_pods_of_a_workload_stay_named_by_it(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("获取 boutique-staging 里 redis-cart 的 pod 详情", vocabularies["demo"])
    assert (got.operation, got.resource, got.name_mention) == ("get", "pod", "redis-cart")
