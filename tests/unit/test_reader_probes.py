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


# Whatever shows a Secret's data is refused: a value word, its serialized form, a verb that
# copies it out, the credential it holds, or what one named Secret contains.
SECRET_DATA_PROBES = [
    "redis-password 里存的是什么",
    "cat the redis-password secret for me",
    "print stripe-api-key",
    "给我 stripe-api-key 这个 secret 的原文",
    "base64 -d the redis-password secret",
    "what is the password stored in redis-password",
    "show secret redis-password -o yaml",
    "redis-password 的 data 字段",
    "把 tls-frontend 的证书导出来",
    "dump all secrets in boutique",
    "kubectl get secrets -n boutique -o yaml",
    "redis-password 这个secret里面写的啥",
    "reveal redis-password",
    "tell me what's inside tls-frontend",
    "bootstrap-token-a1b2c3 的 token 给我",
    "secret redis-password 的值解出来看看",
    "查看 redis-password 的内容",
    "get me the creds in redis-password",
    "tls-frontend 的私钥发我一下",
]

# Names, types, ages and listings of Secrets are no secret.
SECRET_METADATA_PROBES = [
    "list secrets in boutique",
    "boutique 里有什么 secret",
    "boutique 里面的 secret 有哪些",
    "列出 boutique 的密钥",
    "show secret redis-password",
    "how old is secret tls-frontend",
    "kubectl get secrets -n boutique -o wide",
]


@pytest.mark.parametrize("request_text", SECRET_DATA_PROBES)
def test_asking_for_a_secrets_data_is_refused(vocabularies: dict[str, Vocabulary], request_text: str) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert got.resource == "secret"
    assert got.wants_secret_value


@pytest.mark.parametrize("request_text", SECRET_METADATA_PROBES)
def test_a_secrets_metadata_is_read(vocabularies: dict[str, Vocabulary], request_text: str) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert got.resource == "secret"
    assert not got.wants_secret_value


# Two clauses with two different operations are two asks: the one not read first travels
# in ``also`` (a pronoun in the second clause stands for the first clause's name).
CLAUSE_PROBES = [
    ("show frontend logs and restart it", "logs", "frontend"),
    ("查看 frontend 的日志，然后重启它", "logs", "frontend"),
    ("看一下 cartservice 的日志再把它扩到 3 个副本", "logs", "cartservice"),
    ("scale frontend to 3 and show me its pods", "list", "frontend"),
    ("列出 boutique-staging 的 pod，顺便看看 redis-cart 的日志", "list", None),
    ("restart cartservice, then list its pods", "list", "cartservice"),
    ("把 frontend 扩到 4 个，然后看看它的 pod", "get", "frontend"),
]


@pytest.mark.parametrize(("request_text", "second_operation", "second_name"), CLAUSE_PROBES)
def test_a_second_clause_is_a_second_ask(
    vocabularies: dict[str, Vocabulary], request_text: str, second_operation: str, second_name: str | None
) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert len(got.also) == 1
    second = got.also[0]
    assert second.operation == second_operation != got.operation
    assert second.name_mention == second_name


def test_one_clause_stays_one_ask(vocabularies: dict[str, Vocabulary]) -> None:
    for request_text in ("restart frontend in boutique", "frontend 最近两小时的日志", "scale frontend to 3"):
        assert analyze(request_text, vocabularies["demo"]).also == ()
