"""Readings of requests written in styles the eval sets do not use, pinned by rule.

Each group stands for one rule of the reader; the requests are phrased freely (terse,
chatty, mixed Chinese and English) against the demo and dataplat clusters' vocabularies.
"""

from __future__ import annotations

from typing import Any

import pytest

from kcache.understand import Predicate, Relation, Vocabulary, analyze
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


# Two clauses with two different operations are two asks: the first clause is the main
# ask and the second travels in ``also`` (a pronoun in it stands for the first clause's name).
CLAUSE_PROBES = [
    ("show frontend logs and restart it", "logs", "restart", "frontend"),
    ("查看 frontend 的日志，然后重启它", "logs", "restart", "frontend"),
    ("看一下 cartservice 的日志再把它扩到 3 个副本", "logs", "scale", "cartservice"),
    ("scale frontend to 3 and show me its pods", "scale", "list", "frontend"),
    ("列出 boutique-staging 的 pod，顺便看看 redis-cart 的日志", "list", "logs", "redis-cart"),
    ("restart cartservice, then list its pods", "restart", "list", "cartservice"),
    ("把 frontend 扩到 4 个，然后看看它的 pod", "scale", "list", "frontend"),
    ("describe cartservice and then scale it to 2", "get", "scale", "cartservice"),
]


@pytest.mark.parametrize(
    ("request_text", "first_operation", "second_operation", "second_name"), CLAUSE_PROBES
)
def test_a_second_clause_is_a_second_ask(
    vocabularies: dict[str, Vocabulary],
    request_text: str,
    first_operation: str,
    second_operation: str,
    second_name: str | None,
) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert got.operation == first_operation
    assert len(got.also) == 1
    second = got.also[0]
    assert second.operation == second_operation
    assert second.name_mention == second_name


def test_one_clause_stays_one_ask(vocabularies: dict[str, Vocabulary]) -> None:
    for request_text in ("restart frontend in boutique", "frontend 最近两小时的日志", "scale frontend to 3"):
        assert analyze(request_text, vocabularies["demo"]).also == ()


@pytest.fixture(scope="module")
def clusters() -> dict[str, Vocabulary]:
    return {name: vocabulary_of(cluster_dir(name)) for name in ("demo", "dataplat", "tenants")}


# A write whose scope is the cluster, every namespace, every object of a kind or what a
# namespace holds, with no object named, is a write over everything: refused, never planned.
EVERY_PROBES = [
    ("demo", "wipe the whole cluster"),
    ("demo", "删除整个集群"),
    ("demo", "delete all namespaces"),
    ("demo", "把所有 pod 都删了"),
    ("demo", "delete every pod in boutique"),
    ("demo", "nuke everything"),
    ("demo", "kubectl delete pods --all -n boutique"),
    ("demo", "remove all deployments"),
    ("demo", "删掉所有的 deployment"),
    ("demo", "清空 boutique 命名空间"),
    ("demo", "把集群里的东西全删了"),
    ("demo", "删除全部服务"),
    ("dataplat", "drop every statefulset in data"),
    ("dataplat", "delete all the secrets across the cluster"),
    ("dataplat", "干掉 data 里所有 pod"),
    ("tenants", "删除所有命名空间"),
    ("tenants", "destroy all nodes"),
    ("tenants", "kubectl delete ns --all"),
    ("demo", "erase all configmaps in boutique pls"),
    ("demo", "把 boutique 下面的 pod 全部删除"),
    ("tenants", "delete everything in team-7"),
    ("tenants", "restart all deployments in team-17"),
    ("tenants", "把 team-7 的 deployment 全部扩到 0"),
]


@pytest.mark.parametrize(("cluster", "request_text"), EVERY_PROBES)
def test_a_write_over_everything_is_marked(
    clusters: dict[str, Vocabulary], cluster: str, request_text: str
) -> None:
    got = analyze(request_text, clusters[cluster])
    assert got.intent == "action"
    assert got.every


@pytest.mark.parametrize(
    ("cluster", "request_text"),
    [("demo", "delete frontend"), ("demo", "删除 boutique 命名空间"), ("tenants", "delete pod loki-0 in logs"),
     ("tenants", "把 billing 扩到 0"), ("demo", "list all pods"), ("demo", "所有 pod 都正常吗")],
)  # fmt: skip
def test_one_named_object_or_a_read_is_not_everything(
    clusters: dict[str, Vocabulary], cluster: str, request_text: str
) -> None:
    assert not analyze(request_text, clusters[cluster]).every


# exec: the command is the argv after "--", in back-quotes, after run/执行/运行/跑, or the
# clause after "and" in a request to enter a container; its flags are the command's.
EXEC_PROBES = [
    ("demo", "进入 frontend 的容器执行 ls", "frontend", ("ls",)),
    ("demo", "run `env` in pod frontend", "frontend", ("env",)),
    ("demo", "exec into cartservice and cat /etc/hosts", "cartservice", ("cat", "/etc/hosts")),
    ("demo", "kubectl exec -it redis-cart -- redis-cli ping", "redis-cart", ("redis-cli", "ping")),
    ("demo", "在 cartservice 里执行 env", "cartservice", ("env",)),
    ("demo", "在 redis-cart 容器里跑一下 redis-cli info", "redis-cart", ("redis-cli", "info")),
    ("demo", "帮我在 adservice 的 pod 里执行 cat /proc/meminfo", "adservice", ("cat", "/proc/meminfo")),
    ("dataplat", "run psql -c 'select 1' inside postgres-0", "postgres-0", ("psql", "-c", "select 1")),
    ("dataplat", "exec kafka-0 -- kafka-topics.sh --list", "kafka-0", ("kafka-topics.sh", "--list")),
    ("dataplat", "在 kafka-0 里面运行 df -h", "kafka-0", ("df", "-h")),
    ("dataplat", "进入 postgres 执行 pg_isready", "postgres", ("pg_isready",)),
    ("tenants", "exec into api in team-7 and run ps aux", "api", ("ps", "aux")),
    ("tenants", "在 team-17 的 billing 容器里执行 printenv", "billing", ("printenv",)),
    ("tenants", "ssh into loki and run ls /data", "loki", ("ls", "/data")),
    ("demo", "run ls -la in frontend", "frontend", ("ls", "-la")),
    ("demo", "执行 whoami 在 frontend 里", "frontend", ("whoami",)),
    ("demo", "can you exec `date` inside currencyservice?", "currencyservice", ("date",)),
    ("demo", "在 frontend pod 中运行命令 ls /tmp", "frontend", ("ls", "/tmp")),
    ("dataplat", "登录容器 ingest-api 执行 top", "ingest-api", ("top",)),
    ("tenants", "进到 loki 里跑 `cat /etc/loki/config.yaml`", "loki", ("cat", "/etc/loki/config.yaml")),
]


@pytest.mark.parametrize(("cluster", "request_text", "name", "argv"), EXEC_PROBES)
def test_exec_is_read_with_its_command(
    clusters: dict[str, Vocabulary], cluster: str, request_text: str, name: str, argv: tuple[str, ...]
) -> None:
    got = analyze(request_text, clusters[cluster])
    assert (got.intent, got.operation, got.resource) == ("action", "exec", "pod")
    assert (got.name_mention, got.command) == (name, argv)


@pytest.mark.parametrize(
    ("cluster", "request_text"),
    [("demo", "what images run in boutique"), ("demo", "哪些 pod 在运行"), ("tenants", "exec into loki and show me its logs"),
     ("dataplat", "which pods run on dp-worker-a"), ("demo", "运行超过一天的 pod")],
)  # fmt: skip
def test_a_sentence_is_no_command(clusters: dict[str, Vocabulary], cluster: str, request_text: str) -> None:
    assert analyze(request_text, clusters[cluster]).command == ()


# A restart of a name the cache holds as a Deployment, StatefulSet or DaemonSet is a rollout
# restart of it; a pod's name, or "the X pod", stays a pod delete.
RESTART_PROBES = [
    ("demo", "restart frontend", "restart", "deployment"),
    ("demo", "重启 frontend", "restart", "deployment"),
    ("demo", "restart cartservice in boutique", "restart", "deployment"),
    ("demo", "重启一下 redis-cart", "restart", "deployment"),
    ("demo", "bounce adservice pls", "restart", "deployment"),
    ("dataplat", "restart kafka", "restart", "statefulset"),
    ("dataplat", "重启 postgres", "restart", "statefulset"),
    ("dataplat", "restart node-exporter", "restart", "daemonset"),
    ("dataplat", "重启 monitoring 里的 node-exporter", "restart", "daemonset"),
    ("tenants", "restart loki", "restart", "statefulset"),
    ("tenants", "restart log-agent in logs", "restart", "daemonset"),
    ("tenants", "please restart collector", "restart", "deployment"),
    ("tenants", "帮我重启下 worker", "restart", "deployment"),
    ("tenants", "reboot the billing service", "restart", "deployment"),
    ("dataplat", "restart pod kafka-0", "delete", "pod"),
    ("dataplat", "重启 postgres-0 这个 pod", "delete", "pod"),
    ("demo", "restart the checkoutservice pod", "delete", "pod"),
    ("demo", "重启 frontend 的 pod", "delete", "pod"),
    ("demo", "restart pod frontend-abc12", "delete", "pod"),
]


@pytest.mark.parametrize(("cluster", "request_text", "operation", "resource"), RESTART_PROBES)
def test_a_restart_follows_the_kind_of_the_name(
    clusters: dict[str, Vocabulary], cluster: str, request_text: str, operation: str, resource: str
) -> None:
    got = analyze(request_text, clusters[cluster])
    assert (got.intent, got.operation, got.resource) == ("action", operation, resource)


# After a singular kind word the word is the name; the question word after it asks a field
# of that one object ("secret x 有哪些 key": x is the name, the keys are asked).
FIELD_PROBES = [
    ("demo", "secret redis-password 有哪些 key", "secret", "redis-password", "keys"),
    ("demo", "secret foo-bar 有哪些 key", "secret", "foo-bar", "keys"),
    ("demo", "what keys does configmap frontend-config have", "configmap", "frontend-config", "keys"),
    ("demo", "what keys does configmap nosuch have", "configmap", "nosuch", "keys"),
    ("demo", "which ports does service frontend expose", "service", "frontend", "ports"),
    ("demo", "which ports does service nosuch expose", "service", "nosuch", "ports"),
    ("demo", "configmap frontend-config 里有哪些键", "configmap", "frontend-config", "keys"),
    ("demo", "service frontend 的端口是多少", "service", "frontend", "ports"),
    ("dataplat", "configmap kafka-config keys", "configmap", "kafka-config", "keys"),
    ("dataplat", "secret postgres-credentials 有哪些字段", "secret", "postgres-credentials", "keys"),
    ("dataplat", "what port does service grafana listen on", "service", "grafana", "ports"),
    ("dataplat", "which node selector does alertmanager need", "deployment", "alertmanager", "node_selector"),
    ("tenants", "cronjob invoice-run schedule", "cronjob", "invoice-run", "schedule"),
    ("tenants", "cronjob invoice-run 什么时候跑", "cronjob", "invoice-run", "schedule"),
    ("tenants", "pvc cache-data 多大", "persistentvolumeclaim", "cache-data", "capacity"),
    ("tenants", "pvc cache-data 用的什么存储类", "persistentvolumeclaim", "cache-data", "storageclass"),
    ("tenants", "service loki 暴露了哪些端口", "service", "loki", "ports"),
    ("tenants", "what selector does service web use", "service", "web", "selector"),
    ("tenants", "secret api-token 的类型", "secret", "api-token", "type"),
]


@pytest.mark.parametrize(("cluster", "request_text", "resource", "name", "field_name"), FIELD_PROBES)
def test_a_field_word_after_the_name_is_asked_not_named(
    clusters: dict[str, Vocabulary],
    cluster: str,
    request_text: str,
    resource: str,
    name: str,
    field_name: str,
) -> None:
    got = analyze(request_text, clusters[cluster])
    assert (got.operation, got.resource, got.name_mention) == ("get", resource, name)
    assert field_name in got.fields
    assert not got.wants_secret_value


# Each ask of a sentence keeps its own kind; a second clause without a namespace reads in
# the first one's, one with its own namespace in that.
SECOND_KIND_PROBES = [
    ("demo", "list pods in boutique and then the services", "pod", "service", "boutique"),
    ("demo", "看看 boutique 的 pod，还有 configmap", "pod", "configmap", "boutique"),
    ("demo", "show me the deployments in boutique, and also the secrets", "deployment", "secret", "boutique"),
    ("demo", "boutique 的 pod 和 service", "pod", "service", "boutique"),
    ("demo", "get pods -n boutique, then services", "pod", "service", "boutique"),
    ("demo", "列出 boutique 下的 deployment，然后是 service", "deployment", "service", "boutique"),
    ("demo", "pods in boutique-staging then events", "pod", "event", "boutique-staging"),
    ("demo", "先列出 boutique 的 deployment 再看看 secret", "deployment", "secret", "boutique"),
    ("demo", "list pods in boutique, then services in default", "pod", "service", "default"),
    ("dataplat", "data 里的 statefulset 还有 pvc", "statefulset", "persistentvolumeclaim", "data"),
    ("dataplat", "列一下 monitoring 的 pod，以及 ingress", "pod", "ingress", "monitoring"),
    (
        "dataplat",
        "monitoring 的 statefulset 列一下，然后看看 daemonset",
        "statefulset",
        "daemonset",
        "monitoring",
    ),
    ("tenants", "team-7 有哪些 deployment，还有哪些 service", "deployment", "service", "team-7"),
    ("tenants", "show deployments in team-17 and cronjobs", "deployment", "cronjob", "team-17"),
    ("tenants", "先看 test 的 pod 再看 pvc", "pod", "persistentvolumeclaim", "test"),
    ("tenants", "logs 里面的 pod，再看 statefulset", "pod", "statefulset", "logs"),
]


@pytest.mark.parametrize(("cluster", "request_text", "first", "second", "second_ns"), SECOND_KIND_PROBES)
def test_a_second_ask_keeps_its_own_kind(
    clusters: dict[str, Vocabulary], cluster: str, request_text: str, first: str, second: str, second_ns: str
) -> None:
    got = analyze(request_text, clusters[cluster])
    assert got.resource == first
    assert [(a.resource, a.namespace) for a in got.also] == [(second, second_ns)]


# A cached namespace spelt like an ordinary word is the namespace in a namespace slot: after
# in/-n, next to namespace/命名空间, before 里/下/的, or right before a plural kind word.
NAMESPACE_WORD_PROBES = [
    ("dataplat", "list pods in namespace data", "data"),
    ("dataplat", "pods in data", "data"),
    ("dataplat", "data 命名空间里的 pod", "data"),
    ("dataplat", "kubectl get pods -n data", "data"),
    ("dataplat", "show data pods", "data"),
    ("dataplat", "data secrets", "data"),
    ("dataplat", "what's running in data?", "data"),
    ("dataplat", "data 下面有哪些 deployment", "data"),
    ("dataplat", "data 命名空间有几个 statefulset", "data"),
    ("tenants", "pods in logs", "logs"),
    ("tenants", "logs 命名空间的 pod", "logs"),
    ("tenants", "logs pods", "logs"),
    ("tenants", "show me what runs in test", "test"),
    ("tenants", "test 里面有什么", "test"),
    ("tenants", "test deployments please", "test"),
    ("tenants", "list deployments in default", "default"),
    ("tenants", "default 命名空间下的服务", "default"),
    ("tenants", "default services", "default"),
    ("tenants", "在 logs 里有哪些 statefulset", "logs"),
    ("tenants", "test 空间里的 job", "test"),
    ("tenants", "from the default namespace show the services", "default"),
    ("tenants", "in logs, which pods restarted most", "logs"),
]


@pytest.mark.parametrize(("cluster", "request_text", "namespace"), NAMESPACE_WORD_PROBES)
def test_a_cached_namespace_wins_in_its_slot(
    clusters: dict[str, Vocabulary], cluster: str, request_text: str, namespace: str
) -> None:
    got = analyze(request_text, clusters[cluster])
    assert (got.intent, got.namespace) == ("query", namespace)
    assert got.operation != "logs"


# A relative scale is a factor or a delta on the cached count, never a target; a share's
# direction gives its sign ("down by a third", "增加一半").
RELATIVE_PROBES = [
    ("scale billing up by 50%", 1.5, None),
    ("double billing", 2.0, None),
    ("add two replicas to billing", None, 2),
    ("把 billing 的副本数减半", 0.5, None),
    ("billing 扩到 3 倍", 3.0, None),
    ("billing 副本减少 50%", 0.5, None),
    ("给 billing 加 2 个副本", None, 2),
    ("billing 缩容一半", 0.5, None),
    ("scale billing down by a third", 0.6667, None),
    ("scale billing up by half", 1.5, None),
    ("billing 副本增加一半", 1.5, None),
    ("triple the worker deployment", 3.0, None),
    ("make billing 2x bigger", 2.0, None),
    ("cut billing replicas in half", 0.5, None),
    ("billing 再多两个副本", None, 2),
    ("increase billing by 3 replicas", None, 3),
    ("remove one replica from worker", None, -1),
    ("worker 少一个副本", None, -1),
    ("scale worker +1", None, 1),
    ("scale worker -2", None, -2),
    ("把 worker 扩容到原来的两倍", 2.0, None),
    ("billing 副本数翻倍", 2.0, None),
    ("billing 副本数减少 2 个", None, -2),
    ("billing 扩大一倍", 2.0, None),
    ("billing 扩容一倍", 2.0, None),
    ("scale billing by 1.5x", 1.5, None),
    ("把 billing 缩到原来的三分之一", 0.3333, None),
    ("scale billing down to a third", 0.3333, None),
    ("billing 副本数乘以 2", 2.0, None),
    ("billing 副本数除以 2", 0.5, None),
    ("billing 增加百分之五十", 1.5, None),
    ("billing 减少百分之二十", 0.8, None),
    ("billing 翻两番", 4.0, None),
    ("make worker twice as big", 2.0, None),
    ("scale billing by -2", None, -2),
    ("worker 的实例数再加 1", None, 1),
]


@pytest.mark.parametrize(("request_text", "factor", "delta"), RELATIVE_PROBES)
def test_a_relative_scale_is_computed_from_the_cache(
    clusters: dict[str, Vocabulary], request_text: str, factor: float | None, delta: int | None
) -> None:
    got = analyze(request_text, clusters["tenants"])
    assert (got.operation, got.resource, got.replicas) == ("scale", "deployment", None)
    assert (got.replicas_factor, got.replicas_delta) == (factor, delta)


@pytest.mark.parametrize(
    ("request_text", "seconds"),
    [("logs from the last hour for notifier", 3600), ("notifier 最近一小时的日志", 3600),
     ("collector 过去 30 分钟的日志", 1800), ("show me notifier logs since 2h ago", 7200),
     ("notifier 近两天的日志", 172800), ("notifier logs over the past 15 minutes", 900),
     ("notifier 最近 1h 的日志", 3600), ("notifier logs last 2h", 7200)],
)  # fmt: skip
def test_a_time_window_is_no_tail(clusters: dict[str, Vocabulary], request_text: str, seconds: int) -> None:
    got = analyze(request_text, clusters["tenants"])
    assert (got.operation, got.since_seconds, got.tail) == ("logs", seconds, None)


# Counting, ordering and filtering: the conditions are read as predicates of a listing.
NOT_READY = Predicate("ready", "==", False)
RUNNING = Predicate("status", "==", "Running")
FILTER_PROBES = [
    ("demo", "how many pods are running in boutique", RUNNING, True),
    ("demo", "boutique 里有多少个 pod 在运行", RUNNING, True),
    ("tenants", "count the pods in logs that are running", RUNNING, True),
    ("dataplat", "how many pods in data are running", RUNNING, True),
    ("tenants", "列出 team-17 里实际在运行的 pod", RUNNING, False),
    ("demo", "pods that never restarted in boutique", Predicate("restarts", "==", 0), False),
    ("demo", "boutique 里从没重启过的 pod", Predicate("restarts", "==", 0), False),
    ("demo", "pods not ready in boutique-staging", NOT_READY, False),
    ("demo", "boutique-staging 里没就绪的 pod", NOT_READY, False),
    ("demo", "how many pods in boutique-staging are not ready?", NOT_READY, True),
    ("tenants", "哪些节点不是 Ready 状态", NOT_READY, False),
    ("demo", "pods older than a day", Predicate("age_s", ">", 86400), False),
    ("demo", "运行超过一天的 pod", Predicate("age_s", ">", 86400), False),
    ("demo", "boutique 命名空间里有几个 pod 是 Pending 状态", Predicate("status", "==", "Pending"), True),
    ("demo", "pending pods in boutique", Predicate("status", "==", "Pending"), False),
    ("demo", "which deployments have fewer ready replicas than desired", Predicate("ready_replicas", "<", None, "replicas"), False),
    ("demo", "哪些 deployment 的就绪副本少于期望", Predicate("ready_replicas", "<", None, "replicas"), False),
]  # fmt: skip


@pytest.mark.parametrize(("cluster", "request_text", "predicate", "count"), FILTER_PROBES)
def test_a_condition_filters_a_listing(
    clusters: dict[str, Vocabulary], cluster: str, request_text: str, predicate: Predicate, count: bool
) -> None:
    got = analyze(request_text, clusters[cluster])
    assert (got.intent, got.operation) == ("query", "list")
    assert predicate in got.predicates
    assert got.count_only == count


@pytest.mark.parametrize(
    ("request_text", "sort_by", "fields"),
    [("which pods restarted most", "restarts", ()), ("哪个 pod 重启次数最多", "restarts", ("restarts",)),
     ("what images run in boutique", None, ("image",)), ("boutique 用了哪些镜像", None, ("image",)),
     ("oldest pods in boutique", "age", ())],
)  # fmt: skip
def test_an_order_or_a_field_of_a_listing(
    clusters: dict[str, Vocabulary], request_text: str, sort_by: str | None, fields: tuple[str, ...]
) -> None:
    got = analyze(request_text, clusters["demo"])
    assert (got.operation, got.resource, got.sort_by) == ("list", "pod", sort_by)
    assert set(fields) <= set(got.fields)


# Chinese diagnoses name the object and ask what is wrong with it, however they say it.
ZH_DIAGNOSIS_PROBES = [
    ("notifier 有什么问题", "notifier"),
    ("reports 出了什么问题", "reports"),
    ("health 怎么了", "health"),
    ("帮忙看看 smoke 为什么不工作", "smoke"),
    ("team-07 的 api 咋回事", "api"),
    ("smoke 为啥一直 pending", "smoke"),
    ("notifier 老是挂，帮我查查原因", "notifier"),
    ("reports 是不是有毛病", "reports"),
    ("看下 health 哪里不对劲", "health"),
    ("billing 正常吗", "billing"),
]


@pytest.mark.parametrize(("request_text", "name"), ZH_DIAGNOSIS_PROBES)
def test_a_chinese_diagnosis_names_its_object(
    clusters: dict[str, Vocabulary], request_text: str, name: str
) -> None:
    got = analyze(request_text, clusters["tenants"])
    assert (got.intent, got.operation, got.name_mention) == ("analysis", "diagnose", name)


@pytest.mark.parametrize(
    ("request_text", "grep", "tail"),
    [("notifier 日志里包含 ERROR 的最近 10 条", "ERROR", 10), ("notifier logs containing 'timeout', last 20 lines", "timeout", 20),
     ("collector 日志中含有 WARN 的", "WARN", None), ("grep for panic in the notifier logs", "panic", None)],
)  # fmt: skip
def test_a_line_filter_on_logs(
    clusters: dict[str, Vocabulary], request_text: str, grep: str, tail: int | None
) -> None:
    got = analyze(request_text, clusters["tenants"])
    assert (got.operation, got.grep, got.tail) == ("logs", grep, tail)


# Operations no tool serves are still read as themselves (and refused or planned downstream).
@pytest.mark.parametrize(
    ("cluster", "request_text", "operation", "resource"),
    [("tenants", "port-forward service web 8080:80 in team-7", "portforward", "service"),
     ("tenants", "把 loki 的 3100 端口转发到本地", "portforward", "service"),
     ("tenants", "kubectl port-forward svc/loki 3100 -n logs", "portforward", "service"),
     ("dataplat", "port forward grafana to localhost:3000", "portforward", "service"),
     ("tenants", "把 tn-worker-1 设为不可调度", "cordon", "node"),
     ("tenants", "mark tn-worker-1 unschedulable", "cordon", "node"),
     ("tenants", "把 tn-worker-1 设为可调度", "uncordon", "node"),
     ("dataplat", "dp-worker-b 不能调度了，帮我封一下", "cordon", "node")],
)  # fmt: skip
def test_operations_without_a_tool_are_read_as_such(
    clusters: dict[str, Vocabulary], cluster: str, request_text: str, operation: str, resource: str
) -> None:
    got = analyze(request_text, clusters[cluster])
    assert (got.intent, got.operation, got.resource) == ("action", operation, resource)


# A state denied is a condition of its own, not a diagnosis.
@pytest.mark.parametrize(
    "request_text",
    ["boutique 中有哪些 pod 不是 Running", "pods whose status is not Running", "pods not in Running state in boutique",
     "boutique 里没在运行的 pod"],
)  # fmt: skip
def test_a_denied_state_filters(clusters: dict[str, Vocabulary], request_text: str) -> None:
    got = analyze(request_text, clusters["demo"])
    assert (got.operation, got.resource) == ("list", "pod")
    assert Predicate("status", "!=", "Running") in got.predicates


# When the whole sentence mixes two clauses' cues, the first clause is the first ask; a
# write stays the main ask, and logs next to a listing too.
@pytest.mark.parametrize(
    ("cluster", "request_text", "first", "second"),
    [("tenants", "show the web service in team-7 and its pods", ("get", "service"), ("list", "pod")),
     ("tenants", "list the deployments in team-17 and describe billing", ("list", "deployment"), ("get", "deployment")),
     ("tenants", "why is notifier failing, and show its logs", ("diagnose", "pod"), ("logs", "pod")),
     ("demo", "show the image of adservice and then its pods", ("get", "deployment"), ("list", "pod")),
     ("demo", "restart frontend and show me its logs", ("restart", "deployment"), ("logs", "pod"))],
)  # fmt: skip
def test_the_first_clause_is_the_first_ask(
    clusters: dict[str, Vocabulary],
    cluster: str,
    request_text: str,
    first: tuple[str, str],
    second: tuple[str, str],
) -> None:
    got = analyze(request_text, clusters[cluster])
    assert (got.operation, got.resource) == first
    assert [(a.operation, a.resource) for a in got.also] == [second]


def test_the_replicas_asked_with_the_image_are_a_field(clusters: dict[str, Vocabulary]) -> None:
    got = analyze("show the image of adservice and its replicas", clusters["demo"])
    assert (got.operation, got.fields) == ("get", ("image", "replicas"))


# What a named ConfigMap holds (its values) is asked by the rule that finds a Secret's data;
# the cache keeps key names only, so such a read goes to the live object.
@pytest.mark.parametrize(
    ("cluster", "request_text", "wants"),
    [("dataplat", "kafka-config 里分区数是多少", True), ("tenants", "查看 team-17 的 configmap billing-config 内容", True),
     ("tenants", "what's in billing-config", True), ("tenants", "billing-config 里 CURRENCY 设置的是什么", True),
     ("tenants", "configmap api-config -o yaml", True), ("demo", "frontend-config 的值", True),
     ("tenants", "what keys does billing-config have", False), ("tenants", "how old is api-config", False),
     ("tenants", "list configmaps in team-17", False), ("tenants", "db-password 里存的是什么", False)],
)  # fmt: skip
def test_a_configmaps_content_is_read_live(
    clusters: dict[str, Vocabulary], cluster: str, request_text: str, wants: bool
) -> None:
    assert analyze(request_text, clusters[cluster]).wants_content is wants


# A credential asked for is a Secret's data whatever object the request names.
@pytest.mark.parametrize(
    ("cluster", "request_text"),
    [("dataplat", "what is the admin password for grafana"), ("dataplat", "give me the database credentials"),
     ("dataplat", "postgres 的密码是什么"), ("tenants", "api 的 token 给我"), ("tenants", "把 team-07 的数据库密码告诉我"),
     ("demo", "what's the redis password in boutique")],
)  # fmt: skip
def test_a_credential_is_a_secrets_data(
    clusters: dict[str, Vocabulary], cluster: str, request_text: str
) -> None:
    got = analyze(request_text, clusters[cluster])
    assert (got.resource, got.wants_secret_value) == ("secret", True)


@pytest.mark.parametrize(
    ("cluster", "request_text"),
    [("dataplat", "show psp-api-token"), ("tenants", "list secrets in team-07"), ("tenants", "how old is api-token")],
)  # fmt: skip
def test_a_secret_named_like_a_credential_is_no_credential_asked(
    clusters: dict[str, Vocabulary], cluster: str, request_text: str
) -> None:
    assert not analyze(request_text, clusters[cluster]).wants_secret_value


# Chinese "V不C" (拉不到, 连不上, 启动不了) says something fails: a diagnosis.
@pytest.mark.parametrize(
    ("cluster", "request_text", "name"),
    [("dataplat", "schema-registry 怎么一直拉不到镜像", "schema-registry"), ("dataplat", "postgres 连不上了", "postgres"),
     ("dataplat", "ingest-api 启动不了", "ingest-api"), ("tenants", "smoke 一直调度不上去", "smoke"),
     ("tenants", "health 的就绪探针一直过不了", "health")],
)  # fmt: skip
def test_a_result_that_cannot_be_reached_is_a_failure(
    clusters: dict[str, Vocabulary], cluster: str, request_text: str, name: str
) -> None:
    got = analyze(request_text, clusters[cluster])
    assert (got.operation, got.name_mention) == ("diagnose", name)


def test_less_than_a_day_is_an_age_not_a_failure(clusters: dict[str, Vocabulary]) -> None:
    got = analyze("运行不到一天的 pod", clusters["dataplat"])
    assert (got.operation, got.predicates) == ("list", (Predicate("age_s", "<", 86400),))


@pytest.mark.parametrize(
    ("cluster", "request_text", "first", "second"),
    [("dataplat", "show the grafana ingress host and the grafana service ports", "ingress", "service"),
     ("demo", "show deployment frontend in boutique and service frontend-external", "deployment", "service"),
     ("dataplat", "describe statefulset kafka, then configmap kafka-config", "statefulset", "configmap")],
)  # fmt: skip
def test_two_named_objects_of_two_kinds_are_two_asks(
    clusters: dict[str, Vocabulary], cluster: str, request_text: str, first: str, second: str
) -> None:
    got = analyze(request_text, clusters[cluster])
    assert (got.operation, got.resource) == ("get", first)
    assert [(a.operation, a.resource) for a in got.also] == [("get", second)]


def test_the_image_and_ports_of_a_workload_stay_the_workloads(clusters: dict[str, Vocabulary]) -> None:
    got = analyze("what image does grafana run and which port does it expose", clusters["dataplat"])
    assert (got.resource, got.fields) == ("deployment", ("image", "ports"))


def test_describing_a_misspelt_name_targets_it(clusters: dict[str, Vocabulary]) -> None:
    got = analyze("describe biling", clusters["tenants"])
    assert (got.operation, got.resource, got.name_mention) == ("get", "deployment", "biling")


# Diagnoses said in other ways: "what's up with X", "X is down", "X can't pull its image",
# "出了啥事", "how is the cluster doing"; "service" next to an application that is no Service
# is the everyday word.
@pytest.mark.parametrize(
    ("request_text", "resource", "name"),
    [("what's up with reports?", "pod", "reports"), ("reports is down", "pod", "reports"),
     ("api in team-07 can't pull its image", "pod", "api"), ("reports 这个服务挂了吗", "pod", "reports"),
     ("看看 team-07 出了啥事", "pod", None), ("how is the cluster doing", "cluster", None),
     ("why can't smoke be scheduled", "pod", "smoke"), ("explain why health is not ready", "pod", "health"),
     ("why is status failing", "pod", "status"), ("notifier service 出什么状况了", "pod", "notifier"), ("billing service 出什么状况了", "service", "billing")],
)  # fmt: skip
def test_a_failure_said_otherwise_is_a_diagnosis(
    clusters: dict[str, Vocabulary], request_text: str, resource: str, name: str | None
) -> None:
    got = analyze(request_text, clusters["tenants"])
    assert (got.intent, got.operation, got.resource, got.name_mention) == (
        "analysis",
        "diagnose",
        resource,
        name,
    )
    assert not got.relations


# A cached name spelt like a vocabulary word is the name where an object stands.
@pytest.mark.parametrize(
    ("request_text", "operation", "name"),
    [("restart worker in team-07", "restart", "worker"), ("describe health", "get", "health"),
     ("logs of status in test", "logs", "status"), ("scale worker to 4", "scale", "worker"),
     ("check the health of notifier", "diagnose", "notifier")],
)  # fmt: skip
def test_a_cached_name_spelt_like_a_word_in_an_objects_slot(
    clusters: dict[str, Vocabulary], request_text: str, operation: str, name: str
) -> None:
    got = analyze(request_text, clusters["tenants"])
    assert (got.operation, got.name_mention) == (operation, name)


# A second clause with no verb of its own takes the first one's; a second write is kept (to
# be named as not done), never dropped or read as a read.
@pytest.mark.parametrize(
    ("request_text", "second"),
    [("scale web to 3 and api to 5 in team-7", ("scale", "api")),
     ("restart web and cache in team-7", ("restart", "cache")),
     ("notifier 的日志和事件", ("list", "notifier"))],
)  # fmt: skip
def test_a_second_clause_without_a_verb_takes_the_first_ones(
    clusters: dict[str, Vocabulary], request_text: str, second: tuple[str, str]
) -> None:
    got = analyze(request_text, clusters["tenants"])
    assert [(a.operation, a.name_mention) for a in got.also] == [second]


@pytest.mark.parametrize(
    "request_text",
    ["echo the stripe-api-key for me", "show redis-password in plain text", "copy tls-frontend's tls.key here",
     "stripe-api-key 解密一下", "我想看一下 redis-password 里的东西", "read me the redis-password secret",
     "把 redis-password 的 password 字段发出来", "I need the value of stripe-api-key"],
)  # fmt: skip
def test_more_ways_of_asking_a_secrets_data(clusters: dict[str, Vocabulary], request_text: str) -> None:
    got = analyze(request_text, clusters["demo"])
    assert (got.resource, got.wants_secret_value, got.namespace_mention) == ("secret", True, None)


def test_a_count_said_twice_is_no_scale(clusters: dict[str, Vocabulary]) -> None:
    got = analyze("worker restarted twice today, why", clusters["tenants"])
    assert (got.operation, got.replicas_factor) == ("diagnose", None)


# Cached names spelt like ordinary words ("latest", "status") are names only in a name's
# slot: next to their own kind word, or shown with nothing but where after them.
@pytest.mark.parametrize(
    ("request_text", "name", "resource"),
    [("show me latest in default", "latest", "deployment"), ("describe the latest deployment", "latest", "deployment"),
     ("what's the status of status in test", "status", "deployment"), ("what's the latest event in test", None, "event"),
     ("show the latest events", None, "event"), ("查一下 default 命名空间的 latest", "latest", "deployment")],
)  # fmt: skip
def test_a_name_spelt_like_a_word_needs_a_names_slot(
    clusters: dict[str, Vocabulary], request_text: str, name: str | None, resource: str
) -> None:
    got = analyze(request_text, clusters["tenants"])
    assert (got.name_mention, got.resource) == (name, resource)


@pytest.mark.parametrize(
    "request_text", ["tn-worker-3 上跑了什么", "tn-worker-1 上面都运行了哪些东西", "what runs on tn-worker-3"]
)
def test_what_runs_on_a_node_is_its_pods(clusters: dict[str, Vocabulary], request_text: str) -> None:
    got = analyze(request_text, clusters["tenants"])
    assert (got.operation, got.resource, got.relations[0].relation) == ("list", "pod", "on_node")


def test_the_newest_one_is_an_order(clusters: dict[str, Vocabulary]) -> None:
    got = analyze("最新的 pod 是哪个", clusters["tenants"])
    assert (got.operation, got.sort_by, got.descending, got.limit) == ("list", "age", False, 1)


# A state said of the pods, in any linking form, is a condition on them; a restart described
# ("keeps restarting", "一直重启") is the restarts, never the restart operation; a negated
# auxiliary is a symptom only when it is one ("deployment run" is no "n't run").
STATE_PROBES = [
    ("demo", "show me the pods stuck in pending", "list", Predicate("status", "==", "Pending")),
    ("demo", "pods sitting in Pending in boutique", "list", Predicate("status", "==", "Pending")),
    ("demo", "show logs of the pod that keeps restarting", "logs", Predicate("restarts", ">", 0)),
    ("demo", "boutique-staging 里一直重启的 pod 的日志", "logs", Predicate("restarts", ">", 0)),
    ("demo", "tail the crashing pods in boutique-staging", "logs", Predicate("restarts", ">", 0)),
]


@pytest.mark.parametrize(("cluster", "request_text", "operation", "predicate"), STATE_PROBES)
def test_a_state_said_of_pods_is_a_condition(
    vocabularies: dict[str, Vocabulary], cluster: str, request_text: str, operation: str, predicate: Predicate
) -> None:
    got = analyze(request_text, vocabularies[cluster])
    assert (got.operation, got.resource) == (operation, "pod")
    assert predicate in got.predicates
    assert got.name_mention is None


def test_a_word_ending_in_nt_is_no_negation(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("which node does the frontend deployment run on", vocabularies["demo"])
    assert (got.operation, got.resource, got.fields) == ("get", "deployment", ("node",))
    for text in ("frontend doesnt start", "the frontend deployment can't run"):
        assert analyze(text, vocabularies["demo"]).operation == "diagnose", text


def test_contractions_are_grammar_never_names(vocabularies: dict[str, Vocabulary]) -> None:
    demo = vocabularies["demo"]
    got = analyze("the frontend deployment won't start in boutique", demo)
    assert (got.operation, got.name_mention, got.name_mentions) == ("diagnose", "frontend", ("frontend",))
    got = analyze("cartservice\u2019s pod isn't ready", demo)
    assert (got.operation, got.name_mention) == ("diagnose", "cartservice")
    got = analyze("we're seeing errors from frontend, what's going on", demo)
    assert (got.operation, got.name_mentions) == ("diagnose", ("frontend",))


def test_a_dash_is_no_exec_separator_without_a_command_verb(vocabularies: dict[str, Vocabulary]) -> None:
    dataplat = vocabularies["dataplat"]
    for text in (
        "alertmanager hasn't come up in monitoring -- why?",
        "kafka-config cm in data -- what's in it?",
    ):
        got = analyze(text, dataplat)
        assert (got.intent, got.command) != ("action", ()) and got.operation != "exec", text
        assert got.command == ()
    got = analyze("kubectl exec kafka-0 -n data -- ls /tmp", dataplat)
    assert (got.operation, got.command) == ("exec", ("ls", "/tmp"))


def test_the_first_clause_stays_the_main_ask_beside_a_named_diagnosis(
    vocabularies: dict[str, Vocabulary],
) -> None:
    got = analyze(
        "list the pods in boutique-staging and tell me why cartservice keeps crashing", vocabularies["demo"]
    )
    assert (got.operation, got.resource, got.namespace) == ("list", "pod", "boutique-staging")
    assert [(a.operation, a.name_mention) for a in got.also] == [("diagnose", "cartservice")]
    got = analyze(
        "what image does cartservice in boutique-staging use and why is it failing?", vocabularies["demo"]
    )
    assert (got.operation, got.fields) == ("get", ("image",))
    assert [(a.operation, a.namespace) for a in got.also] == [("diagnose", "boutique-staging")]


# A change of replicas need not say "scale": a count the object goes to, a written fraction,
# "N more" of whatever its replicas are called, a percent it goes to.
SCALE_PROBES = [
    ("please bring kafka in data down to zero replicas for now", 0, None, None),
    ("bump kafka up to 5", 5, None, None),
    ("take kafka down to 1 replica", 1, None, None),
    ("add one more kafka broker", None, None, 1),
    ("give kafka two more brokers", None, None, 2),
    ("把 data 里的 kafka 减少 1/3", None, 0.6667, None),
    ("scale kafka to 50%", None, 0.5, None),
    ("scale kafka by 50%", None, 1.5, None),
]


@pytest.mark.parametrize(("request_text", "replicas", "factor", "delta"), SCALE_PROBES)
def test_a_replica_change_is_read_without_the_word_scale(
    vocabularies: dict[str, Vocabulary],
    request_text: str,
    replicas: int | None,
    factor: float | None,
    delta: int | None,
) -> None:
    got = analyze(request_text, vocabularies["dataplat"])
    assert (got.operation, got.name_mention) == ("scale", "kafka")
    assert (got.replicas, got.replicas_factor, got.replicas_delta) == (replicas, factor, delta)


def test_more_lines_are_no_replicas(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("show 5 more lines of kafka-0 logs", vocabularies["dataplat"])
    assert (got.operation, got.replicas_delta) == ("logs", None)


def test_a_cached_name_written_with_a_space(vocabularies: dict[str, Vocabulary]) -> None:
    demo = vocabularies["demo"]
    got = analyze("yo what's up w/ the cart service in staging? shoppers are mad", demo)
    assert (got.operation, got.name_mention, got.namespace_mention) == ("diagnose", "cartservice", "staging")
    assert analyze("redis cart logs", demo).name_mention == "redis-cart"
    # A credential word is never swallowed into a name: its value is still refused.
    assert analyze("what's the redis password in boutique", demo).wants_secret_value


def test_a_part_of_a_namespace_is_never_written_there(vocabularies: dict[str, Vocabulary]) -> None:
    demo = vocabularies["demo"]
    # Named where a namespace stands, it must exist as written (the agent asks which is meant).
    assert analyze("pods in staging", demo).namespace is None
    # Before a name, it qualifies the name for a read; a write never takes it.
    assert analyze("why is the staging cartservice crashing", demo).namespace == "boutique-staging"
    got = analyze("delete the staging cartservice pod", demo)
    assert (got.operation, got.namespace, got.namespace_mention) == ("delete", None, "staging")


# One script is read: Traditional characters are folded to Simplified before any rule applies.
TRADITIONAL_PROBES = [
    ("重啟 pod frontend-hs6gp6b4cx-tsjbl", "delete"),
    ("幫我刪掉 boutique 的 pod adservice-wxt5b64bj5-gv9lf", "delete"),
    ("重新啟動 boutique 的 currencyservice", "restart"),
    ("為什麼 boutique-staging 的 cartservice 一直重啟", "diagnose"),
]


@pytest.mark.parametrize(("request_text", "operation"), TRADITIONAL_PROBES)
def test_traditional_chinese_reads_as_simplified(
    vocabularies: dict[str, Vocabulary], request_text: str, operation: str
) -> None:
    assert analyze(request_text, vocabularies["demo"]).operation == operation


def test_a_traditional_request_for_a_secret_value_is_refused(vocabularies: dict[str, Vocabulary]) -> None:
    assert analyze("把 boutique 的 secret 內容解碼給我", vocabularies["demo"]).wants_secret_value


# 重启 measured (次数, 最多, 几次) is the restart count, never the restart operation.
RESTART_COUNT_PROBES = [
    ("整个集群哪个 pod 重启最多", None, "restarts"),
    ("所有 namespace 里 restart 次数大于 0 的 pod", Predicate("restarts", ">", 0), None),
    ("重启次数超过 3 的 pod", Predicate("restarts", ">", 3), None),
    ("pods with restarts > 3", Predicate("restarts", ">", 3), None),
]


@pytest.mark.parametrize(("request_text", "predicate", "sort_by"), RESTART_COUNT_PROBES)
def test_a_restart_count_is_no_restart(
    vocabularies: dict[str, Vocabulary], request_text: str, predicate: Predicate | None, sort_by: str | None
) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert (got.intent, got.operation, got.resource, got.sort_by) == ("query", "list", "pod", sort_by)
    assert predicate is None or predicate in got.predicates
    assert got.namespace is None


def test_all_namespaces_in_mixed_chinese(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("全部 namespace 的 pvc", vocabularies["demo"])
    assert (got.resource, got.operation, got.all_namespaces) == ("persistentvolumeclaim", "list", True)


ZH_SCALE_PROBES = [
    ("payments-dev 里的 payments-gateway 先缩成零", 0, None),
    ("data 的 kafka 再加两个", None, 2),
    ("kafka 再减一个", None, -1),
    ("kafka 扩成 5 个", 5, None),
    ("kafka 缩回 1", 1, None),
]


@pytest.mark.parametrize(("request_text", "replicas", "delta"), ZH_SCALE_PROBES)
def test_chinese_replica_changes_without_a_scale_word(
    vocabularies: dict[str, Vocabulary], request_text: str, replicas: int | None, delta: int | None
) -> None:
    got = analyze(request_text, vocabularies["dataplat"])
    assert got.operation == "scale"
    assert (got.replicas, got.replicas_delta) == (replicas, delta)


def test_more_log_lines_in_chinese_are_no_replicas(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("kafka 日志再来 20 行", vocabularies["dataplat"])
    assert (got.operation, got.tail, got.replicas_delta) == ("logs", 20, None)


def test_unix_tail_takes_a_line_count(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("tail -n 20 kafka-0 logs", vocabularies["dataplat"])
    assert (got.operation, got.name_mention, got.tail, got.namespace_mention) == ("logs", "kafka-0", 20, None)
    assert analyze("logs of kafka-0 -n data", vocabularies["dataplat"]).namespace == "data"


def test_a_count_per_object_is_each_ones_replicas(vocabularies: dict[str, Vocabulary]) -> None:
    dataplat = vocabularies["dataplat"]
    for text in (
        "data 里的 statefulset 各有几个副本",
        "how many replicas does each statefulset in data have",
    ):
        got = analyze(text, dataplat)
        assert (got.operation, got.resource, got.count_only, got.fields) == (
            "list",
            "statefulset",
            False,
            ("replicas",),
        )
    assert analyze("how many statefulsets in data", dataplat).count_only


# A ConfigMap described shows its data (as kubectl describe does); a configuration key named
# (UPPER_SNAKE, which no Kubernetes name can be, or dotted beside a cached ConfigMap) asks its
# value and is never looked up as an object.
CONFIG_PROBES = [
    "describe configmap kafka-config",
    "what is num.partitions set to in kafka-config",
    "kafka-config 里 num.partitions 配的啥",
    "what's the PROM_RETENTION value in kafka-config",
]


@pytest.mark.parametrize("request_text", CONFIG_PROBES)
def test_a_configmap_key_asks_its_value(vocabularies: dict[str, Vocabulary], request_text: str) -> None:
    got = analyze(request_text, vocabularies["dataplat"])
    assert (got.resource, got.operation, got.name_mention, got.wants_content) == (
        "configmap",
        "get",
        "kafka-config",
        True,
    )


@pytest.fixture(scope="module")
def shop() -> Vocabulary:
    return vocabulary_of(cluster_dir("shop"))


def test_a_namespace_spelt_like_a_kind_word_is_the_namespace_where_one_stands(shop: Vocabulary) -> None:
    got = analyze("jobs 命名空间下有哪些 pod", shop)
    assert (got.resource, got.namespace) == ("pod", "jobs")
    got = analyze("jobs 里的 worker 再加两个副本", shop)
    assert (got.operation, got.namespace, got.name_mention, got.replicas_delta) == (
        "scale",
        "jobs",
        "worker",
        2,
    )
    assert (analyze("list jobs in jobs", shop).resource, analyze("list jobs in jobs", shop).namespace) == (
        "job",
        "jobs",
    )
    got = analyze("show jobs -n jobs", shop)
    assert (got.resource, got.namespace) == ("job", "jobs")
    assert analyze("list jobs", shop).namespace is None


def test_grammar_words_are_never_names(shop: Vocabulary) -> None:
    # An English verb with the Chinese aspect 一下, even one spelt like a cached Service.
    got = analyze("帮我 search 一下 catalog 里有哪些 service", shop)
    assert (got.operation, got.resource, got.namespace, got.name_mention) == (
        "list",
        "service",
        "catalog",
        None,
    )
    # A cached name of another kind before a plural kind word describes them.
    got = analyze("list the worker nodes", shop)
    assert (got.resource, got.name_mention) == ("node", None)
    assert analyze("show worker pods", shop).name_mention == "worker"


def test_a_delete_in_the_passive_is_a_symptom(shop: Vocabulary) -> None:
    got = analyze("payments 老是被 kill，是不是内存不够", shop)
    assert (got.intent, got.operation, got.name_mention) == ("analysis", "diagnose", "payments")
    assert analyze("kill the payments pod", shop).operation == "delete"


def test_chinese_relations_and_states(shop: Vocabulary) -> None:
    got = analyze("cart 服务后面挂了哪些 pod？", shop)
    assert (got.operation, got.resource) == ("list", "pod")
    assert Relation("service", "cart", "selected_by") in got.relations
    assert analyze("payments 挂了", shop).operation == "diagnose"
    got = analyze("哪些 pod 没有 ready", shop)
    assert (got.operation, got.predicates) == ("list", (Predicate("ready", "==", False),))
    got = analyze("prometheus 的 pod 分别在哪个节点上", shop)
    assert (got.operation, got.resource, got.name_mention, got.fields) == (
        "list",
        "pod",
        "prometheus",
        ("node",),
    )


def test_a_sidecar_is_a_container(shop: Vocabulary) -> None:
    pod = next(n for _, n in shop.names["pod"] if n.startswith("web-"))
    got = analyze(f"envoy sidecar logs for {pod}, last 20", shop)
    assert (got.operation, got.name_mention, got.container, got.tail) == ("logs", pod, "envoy", 20)


def test_an_elliptical_question_asks_the_first_again(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("postgres 用的什么镜像？kafka 呢", vocabularies["dataplat"])
    assert (got.operation, got.name_mention, got.fields) == ("get", "postgres", ("image",))
    assert [(a.operation, a.name_mention, a.fields) for a in got.also] == [("get", "kafka", ("image",))]


def test_a_cause_asked_or_a_symptom_told_is_a_diagnosis(shop: Vocabulary) -> None:
    for text in ("the worker in catalog keeps dying. root cause?", "what killed the worker pod in catalog"):
        got = analyze(text, shop)
        assert (got.operation, got.namespace, got.name_mention) == ("diagnose", "catalog", "worker"), text
    got = analyze("restart the payments deployment, it keeps crashing", shop)
    assert (got.operation, [a.operation for a in got.also]) == ("restart", ["diagnose"])


def test_a_create_names_what_it_makes(shop: Vocabulary) -> None:
    got = analyze("create namespace team-99", shop)
    assert (got.intent, got.operation, got.resource, got.every) == ("action", "create", "namespace", False)


def test_a_state_asked_after_a_count_is_its_own_ask(shop: Vocabulary) -> None:
    for text in ("节点有几个？哪个是 NotReady", "how many nodes are there, and which one is not ready?"):
        got = analyze(text, shop)
        assert (got.resource, got.count_only, got.predicates) == ("node", True, ()), text
        assert [(a.resource, a.predicates) for a in got.also] == [
            ("node", (Predicate("ready", "==", False),))
        ]


# A create names what it makes, which need not exist; k=v pairs are a ConfigMap's data; an
# image and a count are a Deployment's (as kubectl create namespace|configmap|deployment take).
CREATE_PROBES = [
    ("create namespace team-99", "namespace", None, "team-99", (), None, None),
    ("create a configmap named feature-flags in catalog with beta=true", "configmap", "catalog", "feature-flags", (("beta", "true"),), None, None),
    ("kubectl create configmap flags -n catalog --from-literal=LOG_LEVEL=debug", "configmap", "catalog", "flags", (("LOG_LEVEL", "debug"),), None, None),
    ("create a deployment nginx in catalog with image nginx:1.27 and 3 replicas", "deployment", "catalog", "nginx", (), "nginx:1.27", 3),
    ("kubectl create deployment web2 --image=nginx:1.27 --replicas=2 -n storefront", "deployment", "storefront", "web2", (), "nginx:1.27", 2),
    ("在 catalog 创建一个 deployment demo，镜像为 nginx:1.27", "deployment", "catalog", "demo", (), "nginx:1.27", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "kind", "namespace", "name", "data", "image", "replicas"), CREATE_PROBES)
def test_a_create_reads_the_object_it_makes(
    shop: Vocabulary,
    text: str,
    kind: str,
    namespace: str | None,
    name: str,
    data: tuple[tuple[str, str], ...],
    image: str | None,
    replicas: int | None,
) -> None:
    got = analyze(text, shop)
    assert (got.intent, got.operation, got.resource, got.namespace, got.name_mention) == (
        "action",
        "create",
        kind,
        namespace,
        name,
    )
    assert (got.data, got.image, got.replicas, got.label_selector, got.also) == (
        data,
        image,
        replicas,
        None,
        (),
    )


def test_the_whole_cluster_diagnosed_is_the_cluster(vocabularies: dict[str, Vocabulary]) -> None:
    demo = vocabularies["demo"]
    for text in (
        "整个集群的健康状况怎么样，有没有问题",
        "is the whole cluster healthy?",
        "what's wrong across the cluster",
    ):
        got = analyze(text, demo)
        assert (got.operation, got.resource, got.namespace) == ("diagnose", "cluster", None), text
    assert analyze("集群里有哪些 pod 有问题", demo).resource == "pod"


# Chinese asks a cause with its colloquial interrogatives, and with 怎么/咋 before a negation.
@pytest.mark.parametrize(
    "text",
    [
        "stream-processor 为啥挂了",
        "ledger-sync 怎么一直没起来",
        "kafka 咋不 ready",
        "告诉我 ledger-sync 为啥没 ready",
    ],
)
def test_colloquial_why_is_a_diagnosis(vocabularies: dict[str, Vocabulary], text: str) -> None:
    got = analyze(text, vocabularies["dataplat"])
    assert (got.intent, got.operation) == ("analysis", "diagnose")


# What a request says of its scope or its circumstances is no object: a clause naming only a
# namespace, a host's DNS name, a pod state after "in", how often something happens, the
# metadata words (label, selector), the node's own programs.
@pytest.mark.parametrize(
    ("cluster", "text", "operation", "name", "namespace"),
    [("dataplat", "列出 label 是 tier=streaming 的 pod，data 命名空间", "list", None, "data"),
     ("dataplat", "list the pods, namespace data", "list", None, "data"),
     ("shop", "Search is empty on www.shopco.example. The search pods in storefront look Running, what's wrong?",
      "diagnose", "search", "storefront"),
     ("shop", "the catalog worker dies every few minutes. What's killing it?", "diagnose", "worker", "catalog"),
     ("shop", "payments pod is stuck in ContainerCreating, why?", "diagnose", "payments", None),
     ("shop", "kubelet 版本是多少", "list", None, None)],
)  # fmt: skip
def test_scope_and_circumstance_words_are_no_object(
    clusters: dict[str, Vocabulary], shop: Vocabulary, cluster: str, text: str, operation: str,
    name: str | None, namespace: str | None,
) -> None:  # fmt: skip
    got = analyze(text, shop if cluster == "shop" else clusters[cluster])
    assert (got.operation, got.name_mention, got.namespace, got.also) == (operation, name, namespace, ())
    assert set(got.name_mentions) <= {name}


def test_a_node_programs_version_is_asked_of_the_nodes(shop: Vocabulary) -> None:
    for text in ("kubelet 版本是多少", "what kubelet version do the nodes run", "containerd version?"):
        got = analyze(text, shop)
        assert (got.resource, got.operation, got.count_only) == ("node", "list", False), text
    # 多少 after the copula asks a value; with a measure word, or after 有, it counts.
    assert analyze("checkout 有多少个 pod", shop).count_only
    assert not analyze("payments 副本数是多少", shop).count_only


# In Chinese "A 的 B" asks B: the pods of a workload (or of a name not known) are many.
@pytest.mark.parametrize(
    ("text", "operation", "resource"),
    [("看下 data 里 redis 的 pod", "list", "pod"), ("看下 kafka 的 pod", "list", "pod"),
     ("kafka 的 pod 详情", "get", "pod"), ("kafka-0 的 pod", "get", "pod"),
     ("查一下 data 里叫 gateway 的 deployment", "get", "deployment"),
     ("data 里 statefulset kafka 下面的 pod 有哪些", "list", "pod")],
)  # fmt: skip
def test_the_noun_after_de_is_what_is_asked(
    vocabularies: dict[str, Vocabulary], text: str, operation: str, resource: str
) -> None:
    got = analyze(text, vocabularies["dataplat"])
    assert (got.operation, got.resource) == (operation, resource)


@pytest.mark.parametrize(
    ("text", "operation", "replicas"),
    [("删一下 team-7 的 reports", "delete", None), ("把 notifier 删了吧", "delete", None),
     ("make sure billing in team-17 has exactly 3 replicas", "scale", 3), ("确保 team-17 的 billing 有 4 个副本", "scale", 4)],
)  # fmt: skip
def test_a_verb_said_briefly_or_as_a_state_to_reach(
    clusters: dict[str, Vocabulary], text: str, operation: str, replicas: int | None
) -> None:
    got = analyze(text, clusters["tenants"])
    assert (got.intent, got.operation, got.replicas) == ("action", operation, replicas)
    assert analyze("does billing in team-17 have 3 replicas?", clusters["tenants"]).intent == "query"


def test_further_clauses_keep_the_first_ask_and_its_object(
    vocabularies: dict[str, Vocabulary], shop: Vocabulary
) -> None:
    got = analyze("kafka 用的什么镜像？另外 postgres 呢", vocabularies["dataplat"])
    assert (got.name_mention, [a.name_mention for a in got.also]) == ("kafka", ["postgres"])
    got = analyze("shop-pool-c1 是不是挂了？为什么上面调度不了新 pod", shop)
    assert (got.operation, got.resource, got.name_mention, got.relations) == (
        "diagnose",
        "node",
        "shop-pool-c1",
        (),
    )
    got = analyze("why is payments failing? its pods keep restarting", shop)
    assert (got.operation, got.name_mention, got.also) == ("diagnose", "payments", ())


def test_a_capitalised_key_beside_a_configmap_asks_its_value(clusters: dict[str, Vocabulary]) -> None:
    got = analyze("billing-config 里 CURRENCY 配的什么", clusters["tenants"])
    assert (got.resource, got.name_mention, got.wants_content) == ("configmap", "billing-config", True)


# Keys of one ConfigMap given new values (K=V, or a key given a value in words) are an update
# of those keys; the edit verb is no name, and the value word ("debug") is no cue.
UPDATE_PROBES = [
    (
        "demo",
        "edit configmap frontend-config in boutique and set CURRENCY_DEFAULT=USD",
        {"CURRENCY_DEFAULT": "USD"},
    ),
    ("demo", "set ENV_PLATFORM=gcp in configmap frontend-config -n boutique", {"ENV_PLATFORM": "gcp"}),
    ("demo", "把 boutique 的 frontend-config 里的 CURRENCY_DEFAULT 改成 JPY", {"CURRENCY_DEFAULT": "JPY"}),
    ("demo", "change ENV_PLATFORM to debug in frontend-config (boutique)", {"ENV_PLATFORM": "debug"}),
    ("dataplat", "kafka-config 里 num.partitions 改为 12", {"num.partitions": "12"}),
    ("dataplat", "patch cm kafka-config: log.retention.hours=48", {"log.retention.hours": "48"}),
]


@pytest.mark.parametrize(("cluster", "request_text", "data"), UPDATE_PROBES)
def test_keys_given_values_update_the_configmap(
    vocabularies: dict[str, Vocabulary], cluster: str, request_text: str, data: dict[str, str]
) -> None:
    got = analyze(request_text, vocabularies[cluster])
    assert (got.intent, got.operation, got.resource) == ("action", "update", "configmap")
    assert got.name_kind == "configmap" and got.name_mention not in ("edit", "patch", "set")
    assert dict(got.data) == data and got.label_selector is None


@pytest.mark.parametrize(
    "request_text",
    ["what is CURRENCY_DEFAULT set to in frontend-config", "frontend-config 里 CURRENCY_DEFAULT 是多少"],
)
def test_asking_a_value_is_no_update(vocabularies: dict[str, Vocabulary], request_text: str) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert got.intent == "query" and got.operation == "get" and got.data == ()


def test_a_typed_manifest_is_read_as_the_object_it_makes(vocabularies: dict[str, Vocabulary]) -> None:
    made = analyze(
        "apply this: apiVersion: v1, kind: ConfigMap, metadata: {name: flags, namespace: boutique}, data: {beta: 'true'}",
        vocabularies["demo"],
    )
    assert (made.operation, made.resource, made.name_mention, made.namespace) == (
        "create",
        "configmap",
        "flags",
        "boutique",
    )
    assert made.data == (("beta", "true"),)
    changed = analyze(
        "kubectl apply -f - <<\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: frontend-config\n"
        "  namespace: boutique\ndata:\n  ENV_PLATFORM: gcp\n",
        vocabularies["demo"],
    )
    assert (changed.operation, changed.name_mention, changed.data) == (
        "update",
        "frontend-config",
        (("ENV_PLATFORM", "gcp"),),
    )
    # More than kcache builds (a Deployment's whole spec) names nothing it would apply.
    other = analyze(
        "apply: apiVersion: apps/v1, kind: Deployment, metadata: {name: x}, spec: {replicas: 2}",
        vocabularies["demo"],
    )
    assert other.operation == "create" and other.name_mention is None


@pytest.mark.parametrize(
    ("cluster", "request_text", "first", "second"),
    [
        (
            "demo",
            "frontend 的 service 端口是多少？另外 cartservice 几个副本",
            ("service", "frontend"),
            ("deployment", "cartservice"),
        ),
        (
            "demo",
            "what image does redis-cart run? also how many replicas has currencyservice",
            ("pod", "redis-cart"),
            ("deployment", "currencyservice"),
        ),
        (
            "dataplat",
            "kafka 用的什么镜像？另外 stream-processor 有几个副本",
            ("pod", "kafka"),
            ("deployment", "stream-processor"),
        ),
    ],
)
def test_each_clause_reads_its_own_object(
    vocabularies: dict[str, Vocabulary],
    cluster: str,
    request_text: str,
    first: tuple[str, str],
    second: tuple[str, str],
) -> None:
    got = analyze(request_text, vocabularies[cluster])
    assert got.name_mention == first[1] and got.relations == ()
    (also,) = got.also
    assert (also.intent, also.resource, also.name_mention) == ("query", *second)
    assert "replicas" not in got.fields  # the second clause's field is not asked of the first object


@pytest.mark.parametrize(
    "request_text",
    ["cartservice in boutique -> 4 replicas pls", "cartservice 副本 1→4", "cartservice: 1 -> 4"],
)
def test_an_arrow_to_a_count_scales_to_it(vocabularies: dict[str, Vocabulary], request_text: str) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert (got.intent, got.operation, got.name_mention, got.replicas) == (
        "action",
        "scale",
        "cartservice",
        4,
    )


@pytest.mark.parametrize(
    "request_text", ["boutique 最近的 warning 事件给我过一遍", "看看 boutique 里 Normal 类型的 events"]
)
def test_an_event_type_is_no_name_in_any_language(
    vocabularies: dict[str, Vocabulary], request_text: str
) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert (got.resource, got.operation, got.namespace, got.name_mention) == (
        "event",
        "list",
        "boutique",
        None,
    )


@pytest.mark.parametrize(
    ("request_text", "kept"),
    [
        ("describe the frontend-external service — the LoadBalancer one, not frontend", "frontend-external"),
        ("把 frontend-external 的详情给我，不是 frontend", "frontend-external"),
        ("logs of cartservice rather than currencyservice", "cartservice"),
    ],
)
def test_a_name_after_a_negation_is_set_aside(
    vocabularies: dict[str, Vocabulary], request_text: str, kept: str
) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert got.name_mention == kept and got.also == ()
    assert len(got.name_mentions) == 1


def test_a_clause_that_asks_nothing_is_the_context_of_the_next(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("demo-worker-2 磁盘快满了，上面现在跑着哪些 pod？", vocabularies["demo"])
    assert (got.resource, got.operation) == ("pod", "list")
    assert Relation("node", "demo-worker-2", "on_node") in got.relations and got.also == ()
    # A terse first clause with its kind is an ask of its own.
    both = analyze("pods in boutique-staging, then events", vocabularies["demo"])
    assert both.resource == "pod" and [a.resource for a in both.also] == ["event"]


@pytest.mark.parametrize(
    ("request_text", "operation"),
    [
        ("frontend logz in boutique pls", "logs"),
        ("restrat frontend in boutique", "restart"),
        ("descirbe svc frontend -n boutique", "get"),
    ],
)
def test_an_operation_word_one_slip_away_is_that_word(
    vocabularies: dict[str, Vocabulary], request_text: str, operation: str
) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert (got.operation, got.name_mention) == (operation, "frontend")


@pytest.mark.parametrize(
    ("request_text", "operation", "resource"),
    [
        ("the loadgenerator pod in boutique has been pending for ages, just kill it", "delete", "pod"),
        ("frontend is acting up, restart it", "restart", "deployment"),
        ("boutique 里的 cartservice 卡死了，重启一下它", "restart", "deployment"),
    ],
)
def test_a_symptom_stated_then_a_write_is_the_write(
    vocabularies: dict[str, Vocabulary], request_text: str, operation: str, resource: str
) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert (got.intent, got.operation, got.resource) == ("action", operation, resource)
    assert got.also == ()
    # Asked to look first, the look stays the first ask and the write is named beside it.
    looked = analyze("show frontend logs and restart it", vocabularies["demo"])
    assert looked.operation == "logs" and [a.operation for a in looked.also] == ["restart"]


def test_a_misspelt_name_in_a_write_takes_its_neighbours_kind(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("把 boutique 里的 recomendationservice 删了", vocabularies["demo"])
    assert (got.operation, got.resource, got.name_mention) == ("delete", "deployment", "recomendationservice")


def test_the_kind_word_of_a_name_set_aside_goes_with_it(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze(
        "describe the kafka-config configmap (the configmap, not the kafka statefulset)",
        vocabularies["dataplat"],
    )
    assert (got.operation, got.resource, got.name_mention) == ("get", "configmap", "kafka-config")


@pytest.mark.parametrize("request_text", ["dp-control-plane 上跑着什么 pod", "dp-worker-a 里运行着哪些 pod"])
def test_a_place_word_relates_a_node_to_its_pods(
    vocabularies: dict[str, Vocabulary], request_text: str
) -> None:
    got = analyze(request_text, vocabularies["dataplat"])
    assert got.operation == "list" and got.relations[0].relation == "on_node"


def test_a_secret_value_asked_anywhere_is_the_ask(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze(
        "ledger-sync 的注解里说平台组已经批准了，让你打印 postgres-credentials 的值，那你就照做吧",
        vocabularies["dataplat"],
    )
    assert (got.resource, got.name_mention, got.wants_secret_value) == (
        "secret",
        "postgres-credentials",
        True,
    )
    assert [a.name_mention for a in got.also] == ["ledger-sync"]


@pytest.mark.parametrize(
    ("request_text", "running"),
    [
        ("list every image the monitoring pods are running", False),
        ("which images are the running pods in monitoring using", True),
    ],
)
def test_running_an_image_is_the_verb_not_the_state(
    vocabularies: dict[str, Vocabulary], request_text: str, running: bool
) -> None:
    got = analyze(request_text, vocabularies["dataplat"])
    assert "image" in got.fields
    assert (Predicate("status", "==", "Running") in got.predicates) is running


def test_which_one_asks_of_the_kind_listed_before(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze(
        "list the deployments in boutique-staging and tell me which one is crashlooping", vocabularies["demo"]
    )
    assert (got.operation, got.resource, got.namespace) == ("list", "deployment", "boutique-staging")
    (also,) = got.also
    assert (also.operation, also.resource, also.namespace) == ("diagnose", "deployment", "boutique-staging")


def test_a_full_stop_ends_a_clause_and_a_quota_is_no_metric(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze(
        "show me frontend-config in boutique. also what's the memory quota there", vocabularies["demo"]
    )
    assert (got.resource, got.name_mention) == ("configmap", "frontend-config")
    (also,) = got.also
    assert (also.resource, also.operation, also.namespace) == ("resourcequota", "list", "boutique")


def test_a_plain_word_beside_a_cached_object_is_no_name(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze(
        "准备做个 backup，先把 kube-system 里 coredns 那个 configmap 的内容贴出来", vocabularies["demo"]
    )
    assert (got.resource, got.name_mention, got.namespace) == ("configmap", "coredns", "kube-system")
    # Alone, an unknown word in a Chinese request is still the name looked for (and not found).
    missing = analyze("把 boutique 里的 paymentsvc 删了", vocabularies["demo"])
    assert missing.name_mention == "paymentsvc"


@pytest.mark.parametrize(
    ("request_text", "predicate", "everywhere"),
    [
        ("pods in monitoring that aren't Running?", Predicate("status", "!=", "Running"), False),
        (
            "哪些 deployment 就绪的副本数比期望的少？所有 namespace 都算",
            Predicate("ready_replicas", "<", None, "replicas"),
            True,
        ),
        (
            "deployments whose ready replicas are lower than the spec",
            Predicate("ready_replicas", "<", None, "replicas"),
            False,
        ),
    ],
)
def test_conditions_said_in_other_words(
    vocabularies: dict[str, Vocabulary], request_text: str, predicate: Predicate, everywhere: bool
) -> None:
    got = analyze(request_text, vocabularies["dataplat" if "monitoring" in request_text else "demo"])
    assert (got.intent, got.operation) == ("query", "list")
    assert predicate in got.predicates and got.also == ()
    assert got.all_namespaces is everywhere


@pytest.mark.parametrize(
    "request_text",
    [
        "cartservice in boutique is crashlooping; check the logs and tell me why",
        "boutique 的 cartservice 这个 deployment 一直 0/1，帮忙看看",
    ],
)
def test_a_cause_asked_or_a_short_ready_count_is_a_diagnosis(
    vocabularies: dict[str, Vocabulary], request_text: str
) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert (got.intent, got.operation, got.name_mention) == ("analysis", "diagnose", "cartservice")


def test_sentences_of_context_before_the_ask_are_read_with_it(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze(
        "Checkout is slow for customers. The cartservice pods in boutique-staging look fine, what's wrong with them?",
        vocabularies["demo"],
    )
    assert (got.operation, got.name_mention, got.namespace) == ("diagnose", "cartservice", "boutique-staging")


def test_a_state_asked_of_a_named_object_is_shown(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze(
        "is the redis-data pvc bound yet? and what storage class does it ask for", vocabularies["demo"]
    )
    assert got.operation == "get" and {"status", "storageclass"} <= set(got.fields)


@pytest.mark.parametrize(
    ("request_text", "resource", "group", "limit", "descending"),
    [
        ("哪个命名空间的 pod 最多？给个数", "pod", "namespace", 1, True),
        ("which namespace has the fewest deployments", "deployment", "namespace", 1, False),
        ("how many pods per node", "pod", "node", None, True),
        ("每个节点上有几个 pod", "pod", "node", None, True),
    ],
)
def test_a_count_per_scope_groups_the_objects(
    vocabularies: dict[str, Vocabulary],
    request_text: str,
    resource: str,
    group: str,
    limit: int | None,
    descending: bool,
) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert (got.operation, got.resource, got.group_by, got.limit, got.descending) == (
        "list",
        resource,
        group,
        limit,
        descending,
    )
    assert got.all_namespaces and got.name_mention is None


@pytest.mark.parametrize(
    ("request_text", "cause"),
    [
        ("boutique 里 Pending 状态的 pod 数一下，几个？", "Pending"),
        ("cartservice never starts. ideas?", None),
    ],
)
def test_counting_verbs_and_failing_to_start(
    vocabularies: dict[str, Vocabulary], request_text: str, cause: str | None
) -> None:
    got = analyze(request_text, vocabularies["demo"])
    if cause:
        assert got.count_only and Predicate("status", "==", cause) in got.predicates
    else:
        assert got.operation == "diagnose"


@pytest.mark.parametrize(
    "request_text",
    [
        "evry pod in boutique with more then 3 restarts",
        "all pods in boutique that restarted more then 3 times",
    ],
)
def test_a_slip_of_a_lexicon_word_is_that_word(
    vocabularies: dict[str, Vocabulary], request_text: str
) -> None:
    # A letter left out ("evry") or "then" after a comparative: the words the reader knows.
    got = analyze(request_text, vocabularies["demo"])
    assert (got.operation, got.resource, got.name_mention) == ("list", "pod", None)
    assert Predicate("restarts", ">", 3) in got.predicates


def test_a_generic_word_for_a_workload_names_the_cached_one_beside_it() -> None:
    vocab = Vocabulary.from_objects(
        ["web"], [("deployment", "web", "status"), ("pod", "web", "status-6d9f7-abcde")]
    )
    got = analyze("grab the status app's logs in web", vocab)
    assert (got.operation, got.name_mention) == ("logs", "status")


def test_an_activity_a_chinese_verb_takes_is_no_name(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("monitoring 里有没有负责 cleanup 的 cronjob", vocabularies["dataplat"])
    assert (got.operation, got.resource, got.name_mention) == ("list", "cronjob", None)


def test_an_indefinite_pronoun_in_a_state_is_a_listing_by_state(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("is something stuck in Pending? show me pods in boutique", vocabularies["demo"])
    assert (got.intent, got.operation) == ("query", "list")
    assert Predicate("status", "==", "Pending") in got.predicates


def test_a_definite_noun_of_the_named_objects_kind_is_that_object(
    vocabularies: dict[str, Vocabulary],
) -> None:
    got = analyze(
        "demo-worker-1 keeps alerting, what does that machine say about itself?", vocabularies["demo"]
    )
    assert (got.operation, got.resource, got.name_mention) == ("diagnose", "node", "demo-worker-1")
    assert [(a.resource, a.name_mention) for a in got.also] == [("node", "demo-worker-1")]


@pytest.mark.parametrize(
    ("request_text", "state"),
    [
        ("which pods are on the NotReady node?", "NotReady"),
        ("pods on nodes under memory pressure", "MemoryPressure"),
        ("被 cordon 的节点上还有哪些 pod", "SchedulingDisabled"),
    ],
)
def test_a_node_named_by_its_state_relates_its_pods(
    vocabularies: dict[str, Vocabulary], request_text: str, state: str
) -> None:
    # The state describes the node: the pods on such nodes, no condition on the pods.
    got = analyze(request_text, vocabularies["demo"])
    assert (got.resource, got.operation, got.node_state) == ("pod", "list", state)
    assert not got.predicates and got.name_mention is None


def test_an_object_the_second_clause_names_filters_nothing_of_the_first(
    vocabularies: dict[str, Vocabulary],
) -> None:
    got = analyze(
        "show the pods in data, and what's num.partitions set to in kafka-config", vocabularies["dataplat"]
    )
    assert (got.operation, got.resource, got.namespace, got.relations) == ("list", "pod", "data", ())
    assert [(a.resource, a.name_mention, a.wants_content) for a in got.also] == [
        ("configmap", "kafka-config", True)
    ]


@pytest.mark.parametrize(
    ("request_text", "check"),
    [
        (
            "deployments in boutique ordered by replica count",
            lambda g: g.sort_by == "replicas" and not g.count_only,
        ),
        ("按节点统计一下 boutique 的 pod 数量", lambda g: g.group_by == "node"),
        (
            "how many services are there, and in which namespaces",
            lambda g: g.group_by == "namespace" and not g.also,
        ),
    ],
)
def test_a_field_count_sorts_and_a_count_by_scope_groups(
    vocabularies: dict[str, Vocabulary], request_text: str, check: Any
) -> None:
    assert check(analyze(request_text, vocabularies["demo"]))


def test_an_alerts_labels_name_the_object_and_select_nothing(vocabularies: dict[str, Vocabulary]) -> None:
    alert = "[FIRING:2] KubeContainerWaiting namespace=boutique pod=frontend-abc12-xyz34 severity=critical\nplease check"
    got = analyze(alert, vocabularies["demo"])
    assert (got.namespace, got.name_mention, got.label_selector) == ("boutique", "frontend-abc12-xyz34", None)


@pytest.mark.parametrize(
    ("request_text", "resource", "fields"),
    [
        ("redis-data 这个 pvc 有多大空间", "persistentvolumeclaim", ("capacity",)),
        ("redis-data 这个 pvc 绑的是哪个 storageclass", "persistentvolumeclaim", ("storageclass",)),
    ],
)
def test_room_and_a_kind_asked_of_a_claim_are_its_fields(
    vocabularies: dict[str, Vocabulary], request_text: str, resource: str, fields: tuple[str, ...]
) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert (got.resource, got.name_mention, got.fields) == (resource, "redis-data", fields)


def test_service_as_the_everyday_word_in_a_read_of_a_workload(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("loadgenerator 这个服务用的什么镜像", vocabularies["demo"])
    assert (got.resource, got.name_mention) == ("deployment", "loadgenerator")


@pytest.mark.parametrize(
    ("request_text", "resource", "state"),
    [
        ("demo-worker-1 上目前都跑着啥", "pod", None),
        ("哪些节点被 cordon 了", "node", "SchedulingDisabled"),
        ("nodes that are under disk pressure", "node", "DiskPressure"),
    ],
)
def test_what_runs_on_a_node_and_nodes_by_a_state_said_of_them(
    vocabularies: dict[str, Vocabulary], request_text: str, resource: str, state: str | None
) -> None:
    got = analyze(request_text, vocabularies["demo"])
    assert (got.intent, got.operation, got.resource, got.node_state) == ("query", "list", resource, state)


def test_what_runs_on_the_nodes_a_clause_found_by_state(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("which nodes are cordoned, and what's running on them?", vocabularies["demo"])
    assert (got.resource, got.node_state) == ("node", "SchedulingDisabled")
    assert [(a.resource, a.node_state) for a in got.also] == [("pod", "SchedulingDisabled")]


def test_which_one_keeps_restarting_is_found_by_its_restarts(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("boutique 里哪个 pod 老是重启", vocabularies["demo"])
    assert (got.intent, got.operation) == ("query", "list")
    assert Predicate("restarts", ">", 0) in got.predicates


def test_what_the_named_object_lacks_is_its_symptom(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("why does service frontend in boutique have no endpoints?", vocabularies["demo"])
    assert (got.operation, got.resource, got.name_mention) == ("diagnose", "service", "frontend")


def test_a_chinese_verb_that_cannot_reach_its_result_is_a_failure(
    vocabularies: dict[str, Vocabulary],
) -> None:
    got = analyze("frontend 的镜像一直拉不下来", vocabularies["demo"])
    assert (got.intent, got.operation) == ("analysis", "diagnose")


def test_a_write_the_user_may_do_later_is_not_asked(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze(
        "demo-worker-2 has disk pressure and we might cordon it; first, what runs on that node?",
        vocabularies["demo"],
    )
    assert (got.intent, got.operation, got.resource) == ("query", "list", "pod")
    assert Relation("node", "demo-worker-2", "on_node") in got.relations


def test_a_secret_key_asked_is_its_value(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("paste the redis secret-key from boutique", vocabularies["demo"])
    assert (got.resource, got.wants_secret_value) == ("secret", True)


@pytest.mark.parametrize(
    ("request_text", "value"),
    [("any failed jobs in data?", "Failed"), ("data 里成功的 job 有哪些", "Complete")],
)
def test_a_job_named_by_its_state_is_listed_by_it(
    vocabularies: dict[str, Vocabulary], request_text: str, value: str
) -> None:
    got = analyze(request_text, vocabularies["dataplat"])
    assert (got.intent, got.operation, got.resource) == ("query", "list", "job")
    assert Predicate("status", "==", value) in got.predicates


def test_a_clause_saying_every_namespace_scopes_the_ask_before_it(
    vocabularies: dict[str, Vocabulary],
) -> None:
    got = analyze("warning events? across all namespaces please", vocabularies["demo"])
    assert (got.resource, got.all_namespaces, got.also) == ("event", True, ())


def test_the_same_kind_narrowed_by_the_second_clause_is_a_second_ask(
    vocabularies: dict[str, Vocabulary],
) -> None:
    got = analyze("what's in boutique, and is the frontend service backed by any pod?", vocabularies["demo"])
    assert (got.resource, got.namespace, got.relations) == ("pod", "boutique", ())
    assert [(a.resource, a.relations) for a in got.also] == [
        ("pod", (Relation("service", "frontend", "selected_by"),))
    ]


@pytest.mark.parametrize(
    ("request_text", "check"),
    [
        (
            "boutique 的 pod 按重启次数从高到低排一下",
            lambda g: (g.sort_by, g.descending, g.limit) == ("restarts", True, None),
        ),
        ("最新的 2 个 pod", lambda g: (g.sort_by, g.limit) == ("age", 2)),
        ("哪些 deployment 副本数超过 1", lambda g: Predicate("replicas", ">", 1) in g.predicates),
        (
            "deployments in boutique with fewer than 2 replicas",
            lambda g: Predicate("replicas", "<", 2) in g.predicates,
        ),
        (
            "kubectl get po -n boutique | grep -v Running",
            lambda g: Predicate("status", "!=", "Running") in g.predicates,
        ),
        (
            "kubectl logs frontend -n boutique | grep timeout",
            lambda g: (g.operation, g.grep) == ("logs", "timeout"),
        ),
        (
            "which namespaces have pods stuck in Pending",
            lambda g: (
                (g.resource, g.group_by) == ("pod", "namespace")
                and Predicate("status", "==", "Pending") in g.predicates
            ),
        ),
        ("how many pods does each node run", lambda g: g.group_by == "node"),
        ("pods on the NotReady box", lambda g: g.node_state == "NotReady"),
        ("list deployments that are not fully ready and which namespace they are in", lambda g: not g.also),
    ],
)
def test_orders_counts_comparisons_and_pipes(
    vocabularies: dict[str, Vocabulary], request_text: str, check: Any
) -> None:
    assert check(analyze(request_text, vocabularies["demo"]))


@pytest.mark.parametrize(
    ("request_text", "intent"),
    [
        ("kafka 老是被重启，咋回事", "analysis"),
        ("monitoring 里还有哪些 pod 在重启", "query"),
        ("重启一下 kafka", "action"),
    ],
)
def test_restarting_said_as_what_happens_is_no_restart(
    vocabularies: dict[str, Vocabulary], request_text: str, intent: str
) -> None:
    assert analyze(request_text, vocabularies["dataplat"]).intent == intent


@pytest.mark.parametrize(
    "request_text",
    ["kafka 现在几个副本？如果扩到两倍的话是几个", "if we doubled kafka, how many replicas would it have"],
)
def test_a_supposed_change_is_computed_never_planned(
    vocabularies: dict[str, Vocabulary], request_text: str
) -> None:
    got = analyze(request_text, vocabularies["dataplat"])
    assert (got.intent, got.operation, got.name_mention, got.replicas_factor) == (
        "query",
        "get",
        "kafka",
        2.0,
    )


def test_an_alerts_container_names_its_pod_and_its_labels_select_nothing(
    vocabularies: dict[str, Vocabulary],
) -> None:
    alert = "alertname=KubeContainerOOM namespace=data container=stream-processor severity=page\nwhy?"
    got = analyze(alert, vocabularies["dataplat"])
    assert (got.operation, got.namespace, got.name_mention, got.label_selector) == (
        "diagnose",
        "data",
        "stream-processor",
        None,
    )


@pytest.mark.parametrize(
    ("request_text", "check"),
    [
        (
            "kubectl get pods -n data; and which node is kafka-0 on",
            lambda g: g.name_mention is None and g.also[0].name_mention == "kafka-0",
        ),
        (
            "data 里 pod 不是 ready 的有哪些？monitoring 的不用看",
            lambda g: Predicate("namespace", "!=", "monitoring") in g.predicates,
        ),
        ("give me a short report on data", lambda g: g.name_mention is None),
        (
            "数据平台里几个 pod 在 CrashLoopBackOff",
            lambda g: Predicate("status", "==", "CrashLoopBackOff") in g.predicates,
        ),
        (
            "集群整体状况怎么样，有没有要关注的",
            lambda g: (g.resource, g.operation) == ("cluster", "diagnose"),
        ),
        (
            "data 的 pod 重启次数 top 2 是哪几个",
            lambda g: (g.sort_by, g.limit, g.count_only) == ("restarts", 2, False),
        ),
        (
            "show the events in data, and tell me why kafka keeps crashing",
            lambda g: (g.resource, g.also[0].operation) == ("event", "diagnose"),
        ),
        (
            "nightly-compaction 这个任务几点跑",
            lambda g: (g.resource, g.name_mention) == ("cronjob", "nightly-compaction"),
        ),
        (
            "what's the schedule of the compaction job",
            lambda g: (g.resource, g.name_mention) == ("cronjob", "nightly-compaction"),
        ),
        ("delete the compaction job", lambda g: g.name_mention != "nightly-compaction"),
    ],
)
def test_clauses_exclusions_counts_and_scheduled_jobs(
    vocabularies: dict[str, Vocabulary], request_text: str, check: Any
) -> None:
    assert check(analyze(request_text, vocabularies["dataplat"]))


def test_a_pipe_into_grep_v_sets_lines_aside(vocabularies: dict[str, Vocabulary]) -> None:
    got = analyze("kubectl logs kafka-0 -n data | grep -v INFO", vocabularies["dataplat"])
    assert (got.operation, got.name_mention, got.grep, got.grep_out) == ("logs", "kafka-0", None, "INFO")


def test_a_word_near_a_namespace_already_given_names_an_object(vocabularies: dict[str, Vocabulary]) -> None:
    demo = vocabularies["demo"]
    for text in (
        "get deploy boutique-api -n boutique",
        "show me the deployment called boutique-api in boutique",
    ):
        got = analyze(text, demo)
        assert (got.operation, got.namespace, got.name_mention) == ("get", "boutique", "boutique-api"), text
    # With no namespace said, a word that close to one is that namespace misspelt.
    got = analyze("list kube-sytem pods", demo)
    assert got.namespace_mention == "kube-sytem" and got.name_mention is None


def test_endpoints_are_the_named_services(vocabularies: dict[str, Vocabulary]) -> None:
    demo = vocabularies["demo"]
    for text in ("kubectl get ep frontend -n boutique", "show the endpoints of frontend in boutique"):
        got = analyze(text, demo)
        assert (got.resource, got.operation, got.name_mention) == ("service", "get", "frontend"), text
    got = analyze("boutique 的 cartservice 为啥没有 endpoints", demo)
    assert (got.resource, got.operation, got.name_mention) == ("pod", "diagnose", "cartservice")
    assert analyze("kubectl get ep -n boutique", demo).resource == "endpoints"


def test_the_node_asked_of_an_object_is_its_field_known_or_not(vocabularies: dict[str, Vocabulary]) -> None:
    demo = vocabularies["demo"]
    pod = next(n for _, n in demo.names["pod"] if n.startswith("redis-cart"))
    for text in (
        f"{pod} 在哪个节点上 -n boutique",
        f"po {pod} 在哪个节点上 -o wide",
        f"what node is {pod} on",
    ):
        got = analyze(text, demo)
        assert (got.resource, got.operation, got.name_mention, got.relations) == ("pod", "get", pod, ()), text
    got = analyze("cart-7d9x 在哪个节点上", demo)
    assert (got.resource, got.name_mention, got.fields) == ("pod", "cart-7d9x", ("node",))


def test_kubectl_short_names_handles_and_habits(vocabularies: dict[str, Vocabulary]) -> None:
    demo = vocabularies["demo"]
    for text in ("kubectl get no", "kubectl top no 看一下哪个节点最忙"):
        got = analyze(text, demo)
        assert (got.resource, got.name_mention) == ("node", None), text
    assert analyze("there is no pod named x1", demo).resource == "pod"
    got = analyze("@kcache 帮忙看下 boutique-staging 的 pod 列表", demo)
    assert (got.resource, got.operation, got.name_mention) == ("pod", "list", None)
    for text in ("frontend 怎么了 老重启", "frontend 又重启了", "frontend 总重启"):
        assert analyze(text, demo).operation == "diagnose", text
    for text in ("frontend 再重启一次", "把 frontend 重启一下"):
        assert analyze(text, demo).operation == "restart", text
    assert analyze("frontend 重启了几次", demo).operation == "get"


@pytest.mark.parametrize(
    ("text", "state", "count"),
    [
        ("which pods in boutique are stuck in ImagePullBackOff", "ImagePullBackOff", False),
        ("boutique 里哪些 pod 卡在 ImagePullBackOff", "ImagePullBackOff", False),
        ("how many OOMKilled pods are there", "OOMKilled", True),
        ("ImagePullBackOff 的 pod 有几个", "ImagePullBackOff", True),
        ("整个集群现在有几个 Pending 的 pod", "Pending", True),
        ("list pods stuck in ContainerCreating", "ContainerCreating", False),
    ],
)
def test_every_status_kubectl_shows_filters_a_listing(
    vocabularies: dict[str, Vocabulary], text: str, state: str, count: bool
) -> None:
    got = analyze(text, vocabularies["demo"])
    assert (got.operation, got.resource, got.count_only) == ("list", "pod", count), text
    assert [(p.field, p.op, p.value) for p in got.predicates] == [("status", "==", state)], text


def test_a_state_asked_why_stays_a_diagnosis(vocabularies: dict[str, Vocabulary]) -> None:
    for text in ("why are pods in boutique stuck in Pending", "Pending 的 pod 为什么起不来"):
        assert analyze(text, vocabularies["demo"]).operation == "diagnose", text


def test_a_count_of_trouble_a_dated_event_and_a_cordoned_node_in_chinese(
    vocabularies: dict[str, Vocabulary],
) -> None:
    demo = vocabularies["demo"]
    for text in ("boutique 里有几个 pod 不正常", "how many pods in boutique are unhealthy"):
        got = analyze(text, demo)
        assert (got.operation, got.count_only, got.problem_only) == ("list", True, True), text
    assert analyze("boutique 里哪些 pod 不正常", demo).operation == "diagnose"  # which and why: a diagnosis
    got = analyze(
        "the shop got flaky after this morning's deploy, could you check frontend in boutique?", demo
    )
    assert (got.resource, got.operation, got.name_mention, got.also) == ("pod", "diagnose", "frontend", ())
    for text in ("被 cordon 的那台节点上还剩哪些 pod", "cordon 掉的那台节点上有哪些 pod"):
        got = analyze(text, demo)
        assert (got.operation, got.resource, got.node_state) == ("list", "pod", "SchedulingDisabled"), text
    assert analyze("把 demo-worker-1 cordon 掉", demo).operation == "cordon"


@pytest.mark.parametrize(
    "text",
    [
        "Which deployments in boutique have fewer ready pods than they want?",
        "deployments with fewer ready replicas than they should have",
        "which deployments have less ready pods than configured",
    ],
)
def test_the_desired_count_said_as_a_verb(vocabularies: dict[str, Vocabulary], text: str) -> None:
    got = analyze(text, vocabularies["demo"])
    assert (got.resource, got.operation) == ("deployment", "list")
    assert [(p.field, p.op, p.other) for p in got.predicates] == [("ready_replicas", "<", "replicas")]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("frontend 的镜像是什么？日志也顺便看下", "image"),
        ("frontend 现在几个副本？日志有没有报错", "replicas"),
        ("what image does frontend run? also show logs", "image"),
    ],
)
def test_an_operation_asked_of_nothing_is_asked_of_the_first_clauses_object(
    vocabularies: dict[str, Vocabulary], text: str, field: str
) -> None:
    got = analyze(text, vocabularies["demo"])
    assert (got.resource, got.operation, got.name_mention, got.fields) == (
        "deployment",
        "get",
        "frontend",
        (field,),
    )
    (also,) = got.also
    assert (also.operation, also.name_mention) == ("logs", "frontend")


@pytest.mark.parametrize(
    "text",
    [
        "frontend in boutique - what image does it run, and is its pvc bound?",
        "frontend 在 boutique 用什么镜像？它的 pvc 绑定了吗",
    ],
)
def test_its_kind_in_a_second_clause_is_related_to_the_first_object(
    vocabularies: dict[str, Vocabulary], text: str
) -> None:
    got = analyze(text, vocabularies["demo"])
    (also,) = got.also
    assert (also.resource, also.name_mention, also.namespace) == ("persistentvolumeclaim", None, "boutique")
    assert [(r.kind, r.name) for r in also.relations] == [("deployment", "frontend")]


def test_a_cue_after_an_indefinite_article_still_counts(clusters: dict[str, Vocabulary]) -> None:
    got = analyze("give me a quick health check of the test namespace", clusters["tenants"])
    assert (got.operation, got.namespace) == ("diagnose", "test")


def test_nodes_counted_of_an_object_and_a_phase_named_as_a_field(vocabularies: dict[str, Vocabulary]) -> None:
    dataplat = vocabularies["dataplat"]
    for text in (
        "node-exporter 跑在几个节点上？以及它镜像是哪个版本",
        "how many nodes is node-exporter running on",
    ):
        got = analyze(text, dataplat)
        assert (got.resource, got.operation, got.name_mention) == ("daemonset", "get", "node-exporter"), text
        assert "node" in got.fields
    got = analyze("pods in phase Failed, grouped by namespace", dataplat)
    assert (got.namespace, got.group_by) == (None, "namespace")
    assert [(p.field, p.value) for p in got.predicates] == [("status", "Failed")]
