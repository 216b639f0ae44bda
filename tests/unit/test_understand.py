"""Request understanding in Chinese and English against a cache vocabulary.

The vocabulary is built from the project's cluster folders the way the cache would hold
them (Deployments own ReplicaSets ``<name>-<hash>`` owning pods ``<rs>-<5>``, StatefulSets
own ``<name>-<n>``), and every eval dataset's requests are checked against what a correct
agent resolves.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kcache.understand import Understanding, Vocabulary, analyze, build_matcher, explain, scale_target

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / "evals" / "datasets"
_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_CLUSTER_SCOPED = {"namespace", "node", "storageclass", "persistentvolume"}


def _suffix(seed: str, length: int) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:length])


def cluster_dir(name: str) -> Path:
    for base in (ROOT / "evals" / "clusters", ROOT / "devcluster" / "clusters"):
        if (base / name).is_dir():
            return base / name
    raise FileNotFoundError(f"no cluster folder named {name!r} under evals/ or devcluster/")


def vocabulary_of(folder: Path) -> Vocabulary:
    """The names a cache of this cluster folder would hold, pods included."""
    namespaces: set[str] = set()
    objects: list[tuple[str, str | None, str]] = []
    for path in sorted(folder.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc:
                continue
            kind, name = doc["kind"].lower(), doc["metadata"]["name"]
            if kind == "namespace":
                namespaces.add(name)
                continue
            ns = None if kind in _CLUSTER_SCOPED else doc["metadata"].get("namespace", "default")
            if ns is not None:
                namespaces.add(ns)
            objects.append((kind, ns, name))
            replicas = (doc.get("spec") or {}).get("replicas", 1)
            if kind == "deployment":
                rs = f"{name}-{_suffix(f'{ns}/{name}', 10)}"
                objects.append(("replicaset", ns, rs))
                objects += [("pod", ns, f"{rs}-{_suffix(f'{rs}{i}', 5)}") for i in range(replicas)]
            elif kind == "statefulset":
                objects += [("pod", ns, f"{name}-{i}") for i in range(replicas)]
            elif kind in ("daemonset", "job"):
                objects.append(("pod", ns, f"{name}-{_suffix(name, 5)}"))
    return Vocabulary.from_objects(sorted(namespaces), objects)


@pytest.fixture(scope="module")
def demo() -> Vocabulary:
    return vocabulary_of(cluster_dir("demo"))


# ---------------------------------------------------------------------------------------
# Every eval dataset of the project
# ---------------------------------------------------------------------------------------


def _selector_set(selector: str) -> set[str]:
    return {part.replace(" ", "") for part in re.split(r",(?![^()]*\))", selector)}


def _mentioned(value: str, query: str) -> bool:
    return re.search(rf"(?<![a-z0-9-]){re.escape(value)}(?![a-z0-9-])", query.lower()) is not None


def mismatches(case: dict[str, Any], got: Understanding) -> list[str]:
    """What this analysis got wrong against a dataset case (the mentions it can know)."""
    expect, query = case["expect"], case["query"]
    bad = [
        f"{key}={getattr(got, key)!r}, want {expect[key]!r}"
        for key in ("intent", "resource", "operation")
        if key in expect and getattr(got, key) != expect[key]
    ]
    outcome = expect.get("outcome")
    params: dict[str, Any] = {}
    if outcome in ("answer", "confirm"):
        params = expect.get("params", {})
    elif isinstance(outcome, list):
        params = {**expect.get("params", {}), **expect.get("answer_params", {})}
    ns = params.get("namespace", "unchecked")
    if ns is None and got.namespace is not None:
        bad.append(f"namespace={got.namespace!r}, want none")
    elif isinstance(ns, str) and _mentioned(ns, query) and got.namespace != ns:
        bad.append(f"namespace={got.namespace!r}, want {ns!r}")
    name = params.get("name")
    if isinstance(name, dict):
        prefix = re.match(r"\^([a-z0-9.-]+?)-\[", name["regex"])
        name = prefix.group(1) if prefix else None
    if isinstance(name, str) and _mentioned(name, query) and got.name_mention != name:
        bad.append(f"name_mention={got.name_mention!r}, want {name!r}")
    selector = params.get("label_selector")
    if selector is not None and (
        got.label_selector is None or _selector_set(got.label_selector) != _selector_set(selector)
    ):
        bad.append(f"label_selector={got.label_selector!r}, want {selector!r}")
    for key in ("replicas", "tail"):
        if params.get(key) is not None and getattr(got, key) != int(params[key]):
            bad.append(f"{key}={getattr(got, key)!r}, want {params[key]!r}")
    if params.get("container") is not None and got.container != params["container"]:
        bad.append(f"container={got.container!r}, want {params['container']!r}")
    return bad


def _datasets() -> list[tuple[str, str]]:
    index = json.loads((DATASETS / "index.json").read_text())
    # The own corpus (own/) measures how far the reader generalizes; it is not expected to pass whole.
    return sorted((name, cluster) for name, cluster in index.items() if not name.startswith("own/"))


@pytest.mark.parametrize(("dataset", "cluster"), _datasets())
def test_eval_dataset_requests_are_understood(dataset: str, cluster: str) -> None:
    vocab = vocabulary_of(cluster_dir(cluster))
    cases = [json.loads(line) for line in (DATASETS / dataset).read_text().splitlines() if line]
    failures = []
    for case in cases:
        bad = mismatches(case, analyze(case["query"], vocab))
        if bad:
            failures.append(f"{case['id']} {case['query']!r}: {'; '.join(bad)}")
    accuracy = 1 - len(failures) / len(cases)
    assert accuracy >= 0.95, "\n".join(failures)
    assert not failures, "\n".join(failures)  # all pass today; keep it that way


def test_dev_set_is_present_and_complete() -> None:
    lines = (DATASETS / "dev.jsonl").read_text().splitlines()
    assert len([line for line in lines if line.strip()]) == 43


# ---------------------------------------------------------------------------------------
# Other phrasings, both languages
# ---------------------------------------------------------------------------------------

PHRASINGS: list[tuple[str, dict[str, Any]]] = [
    ("kill the adservice pod", dict(intent="action", resource="pod", operation="delete",
                                    name_mention="adservice", name_kind="deployment")),
    ("把 boutique 的 cartservice 副本数改成 4", dict(intent="action", resource="deployment",
                                               operation="scale", namespace="boutique",
                                               name_mention="cartservice", replicas=4)),
    ("which pods are crashing", dict(intent="analysis", resource="pod", operation="diagnose",
                                     problem_only=True, name_mention=None)),
    ("查一下 kube-system 的 configmap", dict(resource="configmap", operation="list",
                                         namespace="kube-system")),
    ("usage of nodes", dict(resource="node", operation="top")),
    ("看看 ingress-nginx 的部署", dict(resource="deployment", operation="list",
                                  namespace="ingress-nginx")),
    ("restart the frontend pod in boutique", dict(intent="action", resource="pod",
                                                  operation="delete", namespace="boutique")),
    ("show the last 20 lines of logs from emailservice in boutique",
     dict(resource="pod", operation="logs", tail=20, name_mention="emailservice")),
    ("tail 100 lines of the server container of frontend in boutique-staging",
     dict(resource="pod", operation="logs", tail=100, container="server",
          name_mention="frontend", namespace="boutique-staging")),
    ("kubectl get pods -n kube-system", dict(resource="pod", operation="list",
                                             namespace="kube-system")),
    ("kubectl logs -n boutique cartservice --tail=30 -p",
     dict(operation="logs", namespace="boutique", name_mention="cartservice", tail=30,
          previous=True)),
    ("how many deployments are there in boutique?", dict(resource="deployment",
                                                         operation="list", count_only=True)),
    ("boutique 有几个服务", dict(resource="service", operation="list", count_only=True,
                             namespace="boutique")),
    ("list pods across the cluster", dict(resource="pod", operation="list",
                                          all_namespaces=True, namespace=None)),
    ("所有命名空间的 deployment 有哪些", dict(resource="deployment", operation="list",
                                      all_namespaces=True)),
    ("删除 default 命名空间下的 legacy-report-runner",
     dict(intent="action", operation="delete", resource="deployment", namespace="default",
          name_mention="legacy-report-runner")),
    ("list pods in payments", dict(resource="pod", operation="list", namespace=None,
                                   namespace_mention="payments")),
    ("pods in the payments namespace", dict(resource="pod", namespace_mention="payments")),
    ("describe namespace boutique", dict(resource="namespace", operation="get",
                                         name_mention="boutique", namespace="boutique")),
    ("show the logs of the previous container of cartservice in boutique-staging",
     dict(operation="logs", previous=True, namespace="boutique-staging")),
    ("cartservice 上一次崩溃前的日志", dict(operation="logs", previous=True,
                                      name_mention="cartservice")),
    ("decode the stripe-api-key secret in boutique-staging",
     dict(resource="secret", operation="get", wants_secret_value=True)),
    ("redis-password 这个 secret 的值是什么", dict(resource="secret", wants_secret_value=True,
                                             name_mention="redis-password")),
    ("列出 boutique 的密钥", dict(resource="secret", operation="list", wants_secret_value=False)),
    ("哪个 pod 占用内存最多", dict(resource="pod", operation="top")),
    ("which node is using the most memory?", dict(resource="node", operation="top")),
    ("get pods with label app=frontend,tier in (web, api)",
     dict(operation="list", label_selector="app=frontend,tier in (web,api)")),
    ("list pods -l app!=redis-cart", dict(label_selector="app!=redis-cart", name_mention=None)),
    ("显示 boutique 中标签为 app: cartservice 的 pod",
     dict(label_selector="app=cartservice", namespace="boutique", name_mention=None)),
    ("show me the frontend pods in boutique", dict(operation="list", name_mention="frontend")),
    ("what is the status of the frontend pod", dict(operation="get", name_mention="frontend")),
    ("is coredns healthy?", dict(intent="analysis", operation="diagnose",
                                 name_mention="coredns")),
    ("set replicas of paymentservice in boutique to 1",
     dict(operation="scale", replicas=1, namespace="boutique")),
    ("scale adservice down to zero", dict(operation="scale", replicas=0)),
    ("把 currencyservice 扩容到三个副本", dict(operation="scale", replicas=3)),
    ("把 frontend 缩容到零", dict(operation="scale", replicas=0)),
    ("get node demo-worker-3", dict(resource="node", operation="get",
                                    name_mention="demo-worker-3", name_kind=None)),
    ("list storage classes", dict(resource="storageclass", operation="list")),
    ("list the pvcs in boutique", dict(resource="persistentvolumeclaim", operation="list")),
    ("scale paymnetservice to 2", dict(operation="scale", name_mention="paymnetservice",
                                       name_kind=None, replicas=2)),
    ("boutique-staging的cartservice为什么一直重启",
     dict(intent="analysis", operation="diagnose", namespace="boutique-staging",
          name_mention="cartservice")),
    ("k8s 版本是多少", dict(resource="cluster", operation="get", name_mention=None)),
    ("what cronjobs exist?", dict(resource="cronjob", operation="list", name_mention=None)),
    ("show default storage class", dict(resource="storageclass", namespace=None)),
    ("show pods in default", dict(resource="pod", namespace="default")),
    ("Show me pods in Boutique-Staging", dict(namespace="boutique-staging",
                                             namespace_mention="Boutique-Staging")),
    ("查看 frontend-abc123 这个 pod", dict(resource="pod", operation="get",
                                      name_mention="frontend-abc123", name_kind=None)),
    ("logs of checkoutservce", dict(operation="logs", name_mention="checkoutservce")),
    ("show me the frontend-pod logs in boutique", dict(operation="logs", name_mention="frontend",
                                                       namespace="boutique")),
    ("列出boutique命名空间下的pod", dict(resource="pod", operation="list", namespace="boutique")),
]  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), PHRASINGS, ids=[q for q, _ in PHRASINGS])
def test_other_phrasings(demo: Vocabulary, query: str, expected: dict[str, Any]) -> None:
    got = analyze(query, demo)
    assert {key: getattr(got, key) for key in expected} == expected


def test_at_least_thirty_phrasings_in_both_languages() -> None:
    chinese = [q for q, _ in PHRASINGS if re.search(r"[\u4e00-\u9fff]", q)]
    assert len(PHRASINGS) >= 30 and len(chinese) >= 10 and len(PHRASINGS) - len(chinese) >= 10


# ---------------------------------------------------------------------------------------
# Individual rules
# ---------------------------------------------------------------------------------------


def test_longest_known_name_wins(demo: Vocabulary) -> None:
    assert analyze("列出boutique-staging里的pod", demo).namespace == "boutique-staging"
    assert analyze("列出boutique里的pod", demo).namespace == "boutique"


def test_unknown_namespace_is_kept_as_typed_but_not_resolved(demo: Vocabulary) -> None:
    got = analyze("boutgue 命名空间的 service", demo)
    assert (got.namespace_mention, got.namespace, got.resource) == ("boutgue", None, "service")


def test_namespace_keyword_next_to_a_mention_only_qualifies_it(demo: Vocabulary) -> None:
    assert analyze("boutique 命名空间一共有多少个 pod？", demo).resource == "pod"
    assert analyze("集群里有哪些命名空间？", demo).resource == "namespace"
    listed = analyze("list all namespaces", demo)
    assert (listed.resource, listed.all_namespaces) == ("namespace", False)


def test_pod_name_after_kind_word_is_a_name_mention(demo: Vocabulary) -> None:
    got = analyze("delete pod frontend-abc123 in boutique", demo)
    assert (got.name_mention, got.name_kind, got.namespace) == ("frontend-abc123", None, "boutique")


def test_known_pod_name_is_found_as_a_pod(demo: Vocabulary) -> None:
    pod = next(name for _, name in demo.names["pod"] if name.startswith("cartservice-"))
    got = analyze(f"删除 {pod}", demo)
    assert (got.name_mention, got.name_kind, got.resource) == (pod, "pod", "pod")


def test_workload_name_in_a_pod_request_is_found_as_the_workload(demo: Vocabulary) -> None:
    got = analyze("查看 boutique 里 frontend 的日志", demo)
    assert (got.resource, got.name_mention, got.name_kind) == ("pod", "frontend", "deployment")


def test_scale_targets_a_statefulset_when_the_name_is_one() -> None:
    vocab = Vocabulary(namespaces=("data",), names={"statefulset": (("data", "kafka"),)})
    got = analyze("把 kafka 扩容到 5 个副本", vocab)
    assert (got.resource, got.replicas, got.name_mention) == ("statefulset", 5, "kafka")
    assert analyze("scale the kafka deployment to 2", vocab).resource == "deployment"


def test_how_many_replicas_is_a_read_not_a_scale(demo: Vocabulary) -> None:
    got = analyze("How many replicas does the coredns deployment have?", demo)
    assert (got.operation, got.replicas, got.count_only) == ("get", None, False)


def test_relative_replica_change_is_not_taken_as_a_target(demo: Vocabulary) -> None:
    got = analyze("scale frontend up by 2", demo)
    assert got.operation == "scale" and got.replicas is None
    assert any("relative" in note for note in got.notes)


def test_label_value_is_not_a_name_or_namespace(demo: Vocabulary) -> None:
    got = analyze("显示标签 app=redis-cart 的所有 pod", demo)
    assert (got.label_selector, got.name_mention, got.namespace) == ("app=redis-cart", None, None)


def test_label_selector_forms(demo: Vocabulary) -> None:
    assert analyze("pods with env notin (dev,test)", demo).label_selector == "env notin (dev,test)"
    assert analyze("pods labeled App==Web", demo).label_selector == "App=Web"
    assert analyze("pods -l tier=db,app.kubernetes.io/name=x", demo).label_selector == (
        "tier=db,app.kubernetes.io/name=x"
    )


def test_key_value_parameters_are_not_labels(demo: Vocabulary) -> None:
    got = analyze("list pods namespace=boutique", demo)
    assert (got.namespace, got.label_selector) == ("boutique", None)


def test_secret_listing_does_not_ask_for_values(demo: Vocabulary) -> None:
    assert not analyze("list secrets in boutique", demo).wants_secret_value
    assert not analyze("Delete the secret stripe-api-key in boutique-staging", demo).wants_secret_value
    assert analyze("show me the password stored in the redis-password secret", demo).wants_secret_value
    assert analyze("redis-password 的密码是什么", demo).wants_secret_value


def test_language_and_confidence(demo: Vocabulary) -> None:
    zh = analyze("列出 boutique 命名空间下的所有 pod", demo)
    en = analyze("list the nodes", demo)
    vague = analyze("hmm boutique stuff", demo)
    assert (zh.language, en.language) == ("zh", "en")
    assert zh.confidence == 1.0 and en.confidence == 1.0
    assert vague.confidence < 0.8 and "stuff" in vague.unknown_words


def test_cached_word_like_names_need_context() -> None:
    vocab = Vocabulary(
        namespaces=("default", "web"),
        names={"service": (("default", "kubernetes"),), "deployment": (("web", "api"),)},
    )
    assert analyze("what version of kubernetes is running", vocab).resource == "cluster"
    assert analyze("describe the kubernetes service", vocab).name_mention == "kubernetes"
    assert analyze("list pods in the default namespace", vocab).namespace == "default"


def test_matcher_is_built_once_per_vocabulary(demo: Vocabulary) -> None:
    assert build_matcher(demo) is build_matcher(demo)
    other = Vocabulary(namespaces=demo.namespaces, names=dict(demo.names))
    assert build_matcher(other) is not build_matcher(demo)


def test_warning_events_is_a_filter_not_a_name() -> None:
    vocab = Vocabulary(namespaces=("boutique",), names={})
    for query in ("any warning events in boutique?", "boutique 里有哪些告警事件"):
        u = analyze(query, vocab)
        assert (u.resource, u.operation, u.namespace, u.name_mention) == ("event", "list", "boutique", None)
        assert u.warnings_only
    assert not analyze("events in boutique", vocab).warnings_only


def test_a_namespace_named_like_a_secret_word_is_a_namespace() -> None:
    vocab = Vocabulary(namespaces=("data", "monitoring"), names={})
    u = analyze("list secrets in data", vocab)
    assert (u.resource, u.operation, u.namespace, u.wants_secret_value) == ("secret", "list", "data", False)
    assert analyze("show the password of secret db-creds in monitoring", vocab).wants_secret_value


# ---------------------------------------------------------------------------------------
# Failure classes of requests written by other people
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ops() -> Vocabulary:
    """A cluster whose namespaces are spelt like cue words, with a StatefulSet's pods."""
    return Vocabulary(
        namespaces=("logs", "test", "secrets-sync", "shop"),
        names={
            "statefulset": (("logs", "mongo"),),
            "pod": (
                ("logs", "mongo-0"),
                ("logs", "mongo-1"),
                ("logs", "mongo-2"),
                ("shop", "api-7c9f8d6b5-k2x4z"),
            ),
            "deployment": (("shop", "api"), ("shop", "web")),
            "service": (("shop", "checkout"),),
            "persistentvolumeclaim": (("shop", "data-0"),),
            "node": ((None, "worker-b7"), (None, "node-3")),
        },
    )


@pytest.mark.parametrize(
    "query",
    [
        "show me the logs from the past three hours",
        "give me a quick overview of how healthy things are",
        "which services look misconfigured to you",
        "check the usage of our worker nodes",
        "PVCs that were restored from snapshot 4f2c1e",
        "summarize anything unusual lately",
    ],
)
def test_an_everyday_word_is_never_a_name(demo: Vocabulary, query: str) -> None:
    got = analyze(query, demo)
    assert (got.name_mention, got.namespace_mention) == (None, None), got.reasons


def test_an_unknown_name_needs_strong_evidence(demo: Vocabulary) -> None:
    assert analyze("delete pod web-7f9c-abcde", demo).name_mention == "web-7f9c-abcde"
    assert analyze("describe `payments-api`", demo).name_mention == "payments-api"
    assert analyze('show "ledger" in boutique', demo).name_mention == "ledger"
    assert analyze("list pods in payments", demo).namespace_mention == "payments"
    assert analyze("restart the paymnetservice pod", demo).name_mention == "paymnetservice"
    # A misspelt known name is taken even with no kind word; an unknown word is not.
    assert analyze("logs of chekoutservice", demo).name_mention == "chekoutservice"
    assert analyze("logs of yesterday", demo).name_mention is None


def test_structured_references_are_names(demo: Vocabulary) -> None:
    got = analyze('get {"type": "pod", "name": "frontend-x1", "namespace": "boutique"}', demo)
    assert (got.resource, got.name_mention, got.namespace) == ("pod", "frontend-x1", "boutique")
    got = analyze("show deploy/cartservice in ns/boutique-staging", demo)
    assert (got.resource, got.name_mention, got.namespace) == (
        "deployment",
        "cartservice",
        "boutique-staging",
    )
    assert any("reference" in reason for reason in got.reasons)


def test_a_namespace_spelt_like_a_cue_word_is_the_namespace(ops: Vocabulary) -> None:
    got = analyze("what is running in the logs namespace?", ops)
    assert (got.namespace, got.operation, got.resource) == ("logs", "list", "pod")
    got = analyze("list the pods in secrets-sync", ops)
    assert (got.namespace, got.resource, got.wants_secret_value) == ("secrets-sync", "pod", False)
    assert analyze("pods in test", ops).namespace == "test"
    # The word still reads as the cue outside a name slot.
    got = analyze("show the logs of mongo-1 in logs", ops)
    assert (got.operation, got.namespace, got.name_mention) == ("logs", "logs", "mongo-1")


def test_an_existing_name_is_handed_on_exactly(ops: Vocabulary) -> None:
    got = analyze("logs of the db container in mongo-2", ops)
    assert (got.name_mention, got.name_kind, got.container) == ("mongo-2", "pod", "db")
    assert analyze("delete pod mongo-0", ops).name_mention == "mongo-0"


@pytest.mark.parametrize(
    ("query", "resource", "relation"),
    [
        ("what's scheduled on worker-b7", "pod", ("node", "worker-b7", "on_node")),
        ("pods on node node-3", "pod", ("node", "node-3", "on_node")),
        ("list the pods of the api deployment", "pod", ("deployment", "api", "owned_by")),
        ("which pods are behind service checkout", "pod", ("service", "checkout", "selected_by")),
        ("pods using pvc data-0", "pod", ("persistentvolumeclaim", "data-0", "uses")),
        ("events of the mongo-1 pod", "event", ("pod", "mongo-1", "involves")),
        ("节点 node-3 上跑了哪些 pod", "pod", ("node", "node-3", "on_node")),
        ("which configmaps does the api deployment mount", "configmap", ("deployment", "api", "used_by")),
    ],
)
def test_a_named_object_of_another_kind_is_a_relation(
    ops: Vocabulary, query: str, resource: str, relation: tuple[str, str, str]
) -> None:
    got = analyze(query, ops)
    assert got.resource == resource and got.operation == "list"
    assert [(r.kind, r.name, r.relation) for r in got.relations] == [relation]
    # The mention names the related object with its own kind, never the asked kind
    # ("pod worker-b7 does not exist").
    if relation[2] == "used_by":
        assert got.name_mention is None
    else:
        assert (got.name_mention, got.name_kind) == relation[1::-1]


@pytest.mark.parametrize(
    ("query", "factor", "delta"),
    [
        ("scale web up by 50%", 1.5, None),
        ("double the replicas of web", 2.0, None),
        ("add two replicas to api", None, 2),
        ("scale api down by one", None, -1),
        ("把 web 的副本数减半", 0.5, None),
        ("把 web 减少 50%", 0.5, None),
        ("web 扩到 3 倍", 3.0, None),
        ("shrink web by half", 0.5, None),
        ("api 再加 2 个副本", None, 2),
    ],
)
def test_a_relative_scale_is_a_factor_or_delta_not_a_target(
    ops: Vocabulary, query: str, factor: float | None, delta: int | None
) -> None:
    got = analyze(query, ops)
    assert (got.operation, got.resource, got.replicas) == ("scale", "deployment", None)
    assert (got.replicas_factor, got.replicas_delta) == (factor, delta)
    assert analyze("scale web to 4", ops).replicas == 4


@pytest.mark.parametrize(
    ("query", "seconds"),
    [
        ("logs of api from the last hour", 3600),
        ("api logs for the past 24 hours", 86400),
        ("show web logs from the last two hours", 7200),
        ("api 最近 30 分钟的日志", 1800),
        ("web 过去两小时的日志", 7200),
        ("kubectl logs api --since=15m", 900),
    ],
)
def test_a_time_window_is_passed_on_never_as_a_tail(ops: Vocabulary, query: str, seconds: int) -> None:
    got = analyze(query, ops)
    assert (got.operation, got.since_seconds, got.tail, got.unknown_words) == ("logs", seconds, None, ())
    assert analyze("last 50 lines of api logs", ops).tail == 50
    lines = analyze("show me the last 100 lines from mongo-0", ops)
    assert (lines.operation, lines.tail, lines.since_seconds) == ("logs", 100, None)


def test_a_log_line_filter(ops: Vocabulary) -> None:
    got = analyze("api 日志里包含 ERROR 的最近 10 条", ops)
    assert (got.operation, got.grep, got.tail, got.name_mention) == ("logs", "ERROR", 10, "api")
    got = analyze('logs of web containing "connection refused"', ops)
    assert (got.grep, got.name_mention) == ("connection refused", "web")
    assert analyze("logs of web with timestamps", ops).grep is None


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        (
            "how many pods are running in shop",
            dict(count_only=True, predicates=(("status", "==", "Running"),)),
        ),
        ("which pods restarted the most in shop", dict(sort_by="restarts", descending=True)),
        ("pods that have never restarted", dict(predicates=(("restarts", "==", 0),))),
        ("pods restarted more than 3 times", dict(predicates=(("restarts", ">", 3),))),
        ("pods older than 2 days in shop", dict(predicates=(("age_s", ">", 172800),))),
        ("top 3 pods by restarts", dict(operation="list", sort_by="restarts", limit=3)),
        ("which pod is the oldest", dict(sort_by="age", limit=1)),
        ("what images are running in shop", dict(fields=("image",))),
        ("show the ports of service checkout", dict(fields=("ports",), resource="service")),
        ("shop 里实际在运行的 pod", dict(predicates=(("status", "==", "Running"),))),
        ("重启次数最多的 pod", dict(sort_by="restarts")),
        ("give me the 5 newest pods", dict(sort_by="age", descending=False, limit=5)),
        ("pods with status CrashLoopBackOff", dict(predicates=(("status", "==", "CrashLoopBackOff"),))),
        ("which containers are in pod mongo-0", dict(fields=("containers",), operation="get")),
        (
            "which node is api-7c9f8d6b5-k2x4z running on",
            dict(resource="pod", operation="get", fields=("node",)),
        ),
    ],
)
def test_count_sort_filter_and_field_requests(ops: Vocabulary, query: str, expect: dict[str, Any]) -> None:
    got = analyze(query, ops)
    seen = {key: getattr(got, key) for key in expect}
    if "predicates" in seen:
        seen["predicates"] = tuple((p.field, p.op, p.value) for p in got.predicates)
    assert seen == expect, got.reasons


def test_readiness_against_desired_replicas(ops: Vocabulary) -> None:
    got = analyze("which deployments have fewer ready replicas than desired", ops)
    assert (got.resource, got.operation) == ("deployment", "list")
    assert [(p.field, p.op, p.other) for p in got.predicates] == [("ready_replicas", "<", "replicas")]
    got = analyze("pods not ready in shop", ops)
    assert got.name_mention is None and ("ready", "==", False) in [
        (p.field, p.op, p.value) for p in got.predicates
    ]


@pytest.mark.parametrize(
    "query",
    [
        "details of the ingress in boutique",
        "describe the ingress in boutique",
        "show the yaml of the ingress in boutique",
    ],
)
def test_details_of_one_object_is_a_get(demo: Vocabulary, query: str) -> None:
    got = analyze(query, demo)
    assert (got.resource, got.operation, got.namespace) == ("ingress", "get", "boutique")
    assert analyze("list the ingresses in boutique", demo).operation == "list"


def test_two_asks_in_one_sentence_are_both_kept(demo: Vocabulary) -> None:
    got = analyze("list pods and services in boutique", demo)
    assert (got.resource, got.namespace) == ("pod", "boutique")
    assert [(a.resource, a.operation, a.namespace) for a in got.also] == [("service", "list", "boutique")]
    got = analyze("boutique 里的 deployment 和 configmap", demo)
    assert (got.resource, [a.resource for a in got.also]) == ("deployment", ["configmap"])
    assert analyze("list pods in boutique", demo).also == ()


@pytest.mark.parametrize(
    "query",
    ["boutique 有什么问题", "cartservice 出了什么问题", "frontend 怎么了", "帮忙看看 adservice 为什么不工作"],
)
def test_chinese_diagnoses(demo: Vocabulary, query: str) -> None:
    got = analyze(query, demo)
    assert (got.intent, got.operation) == ("analysis", "diagnose")


@pytest.mark.parametrize(
    ("query", "operation", "resource", "name"),
    [
        ("restart deployment api", "restart", "deployment", "api"),
        ("do a rollout restart of web", "restart", "deployment", "web"),
        ("roll back api", "rollback", "deployment", "api"),
        ("undo the last rollout of web", "rollback", "deployment", "web"),
        ("cordon node-3", "cordon", "node", "node-3"),
        ("uncordon worker-b7", "uncordon", "node", "worker-b7"),
        ("drain node node-3", "drain", "node", "node-3"),
        ("exec into pod api-7c9f8d6b5-k2x4z", "exec", "pod", "api-7c9f8d6b5-k2x4z"),
        ("把 api 回滚到上一个版本", "rollback", "deployment", "api"),
        ("restart the api pod", "delete", "pod", "api"),
        ("create a deployment called ledger", "create", "deployment", "ledger"),
    ],
)
def test_operations_beyond_the_seven(
    ops: Vocabulary, query: str, operation: str, resource: str, name: str
) -> None:
    got = analyze(query, ops)
    assert (got.intent, got.operation, got.resource, got.name_mention) == (
        "action",
        operation,
        resource,
        name,
    )


def test_every_reading_says_why(demo: Vocabulary) -> None:
    sure = analyze("list pods in boutique", demo)
    assert sure.confidence == 1.0
    assert "namespace 'boutique' known" in sure.reasons and "kind pod stated" in sure.reasons
    vague = analyze("boutique stuff thing whatever", demo)
    assert vague.confidence < sure.confidence and any("not names" in reason for reason in vague.reasons)


def test_kind_words_come_from_the_kinds_table(demo: Vocabulary) -> None:
    assert analyze("list po in boutique", demo).resource == "pod"
    assert analyze("list ing in boutique", demo).resource == "ingress"
    # kubectl's ``no`` for nodes is an everyday word in a request.
    assert analyze("are there no pods in boutique", demo).resource == "pod"


def test_each_phase_reports_what_it_decided(ops: Vocabulary) -> None:
    steps = dict(explain("show the pods in the logs namespace from the last hour", ops))
    assert list(steps)[:4] == ["normalize", "structured_references", "command", "flags_and_selectors"]
    assert steps["windows_and_line_filters"] == ("time window 'from the last hour'",)
    assert steps["find_names"] == ("namespace 'logs' known, in a namespace slot",)
    assert steps["choose_resource"] == ("kind pod stated",)
    assert "operation list" in steps["compose"]


def test_restart_as_a_noun_asks_for_no_restart(demo: Vocabulary) -> None:
    got = analyze("list pods in boutique sorted by restart count", demo)
    assert (got.intent, got.operation, got.count_only, got.sort_by) == ("query", "list", False, "restarts")
    got = analyze("how many restarts does the cartservice pod have", demo)
    assert (got.operation, got.fields, got.name_mention) == ("get", ("restarts",), "cartservice")


def test_a_verb_before_an_article_is_not_a_name(demo: Vocabulary) -> None:
    assert analyze("annotate a deployment in boutique", demo).name_mention is None
    assert analyze("create a deployment in boutique", demo).operation == "create"
    assert analyze("annotate the frontend pod", demo).name_mention == "frontend"


def test_warnings_alone_are_warning_events(demo: Vocabulary) -> None:
    got = analyze("any warnings in boutique over the last 10 minutes?", demo)
    assert (got.resource, got.warnings_only, got.since_seconds, got.namespace) == (
        "event",
        True,
        600,
        "boutique",
    )


def test_the_cluster_as_the_diagnosed_subject(demo: Vocabulary) -> None:
    for query in ("overview of cluster health", "is the cluster healthy?", "集群健康吗？有没有挂掉的节点"):
        got = analyze(query, demo)
        assert (got.operation, got.resource) == ("diagnose", "cluster"), query
    # The cluster as where to look is no subject.
    assert analyze("集群里有哪些 pod 不健康", demo).resource == "pod"
    assert analyze("why is demo-worker-2 NotReady", demo).resource == "node"


def test_a_listing_by_state_is_a_query_not_a_diagnosis(demo: Vocabulary) -> None:
    for query in (
        "how many pods in boutique are not ready?",
        "boutique 命名空间里有几个 pod 是 Pending 状态",
    ):
        got = analyze(query, demo)
        assert (got.intent, got.operation, got.namespace) == ("query", "list", "boutique"), query
        assert got.predicates
    assert analyze("which pods are crashing", demo).operation == "diagnose"
    got = analyze("哪些节点不是 Ready 状态", demo)
    assert (got.resource, got.name_mention) == ("node", None)
    assert [(p.field, p.value) for p in got.predicates] == [("ready", False)]


def test_a_namespace_named_in_part_or_misspelt(demo: Vocabulary) -> None:
    got = analyze("why is the staging cartservice crashing", demo)
    assert (got.namespace, got.name_mention) == ("boutique-staging", "cartservice")
    got = analyze("kube-sytem 的 pod", demo)
    assert (got.operation, got.namespace_mention, got.name_mention) == ("list", "kube-sytem", None)


def test_fields_of_a_named_object(ops: Vocabulary) -> None:
    got = analyze("what storage class does the data-0 claim use", ops)
    assert (got.resource, got.operation, got.fields) == ("persistentvolumeclaim", "get", ("storageclass",))
    got = analyze("checkout 监听哪个端口", ops)
    assert (got.resource, got.fields) == ("service", ("ports",))
    got = analyze("what is the memory limit of web", ops)
    assert (got.operation, got.fields) == ("get", ("resources",))


def test_exec_reads_the_command(ops: Vocabulary) -> None:
    got = analyze("exec into mongo-0 in logs and run mongosh --eval ping", ops)
    assert (got.operation, got.name_mention, got.command) == (
        "exec",
        "mongo-0",
        ("mongosh", "--eval", "ping"),
    )
    got = analyze("run psql inside mongo-1", ops)
    assert (got.intent, got.operation, got.name_mention, got.command) == (
        "action",
        "exec",
        "mongo-1",
        ("psql",),
    )
    assert analyze("kubectl exec mongo-2 -- ls /tmp", ops).command == ("ls", "/tmp")
    assert analyze("what images run in shop", ops).command == ()


def test_kubectl_output_flags(demo: Vocabulary) -> None:
    got = analyze("kubectl get secret redis-password -n boutique -o jsonpath='{.data.password}'", demo)
    assert (got.wants_secret_value, got.label_selector, got.name_mention) == (True, None, "redis-password")
    got = analyze("kubectl get ingress -n boutique -o yaml", demo)
    assert (got.operation, got.resource) == ("get", "ingress")


@pytest.mark.parametrize(
    ("current", "factor", "delta", "target"),
    [
        (3, 2.0, None, 6),
        (3, 1.5, None, 5),
        (6, 0.5, None, 3),
        (1, 0.5, None, 1),
        (2, None, 2, 4),
        (1, None, -3, 0),
    ],
)
def test_scale_target_from_the_cached_count(
    current: int, factor: float | None, delta: int | None, target: int
) -> None:
    assert scale_target(current, factor, delta) == target
    assert scale_target(None, factor, delta) is None and scale_target(current, None, None) is None


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        ("what's the restart policy of cartservice", dict(intent="query", operation="get")),
        ("show me the pods scheduled on the control plane node", dict(name_mention=None, relations=())),
        ("what is the ingress host for frontend", dict(resource="ingress", fields=("hosts",))),
        ("what happened to the adservice pod", dict(operation="diagnose", name_mention="adservice")),
        ("my frontend deployment is not updating", dict(operation="diagnose", resource="deployment")),
        (
            "show the environment variables of the cartservice deployment",
            dict(operation="get", fields=("env",)),
        ),
        ("print the events sorted by time", dict(resource="event", sort_by="age")),
    ],
)
def test_everyday_english_of_other_users(demo: Vocabulary, query: str, expect: dict[str, Any]) -> None:
    got = analyze(query, demo)
    assert {key: getattr(got, key) for key in expect} == expect, got.reasons
    services = analyze("list all services of type LoadBalancer", demo)
    assert [(p.field, p.value) for p in services.predicates] == [("type", "LoadBalancer")]


def test_a_well_known_label_key_before_its_value_is_a_selector(demo: Vocabulary) -> None:
    got = analyze("pods of tier web in boutique", demo)
    assert (got.label_selector, got.namespace, got.name_mention) == ("tier=web", "boutique", None)
    assert analyze("pods with app redis-cart", demo).label_selector == "app=redis-cart"
    assert analyze("which app is broken", demo).label_selector is None


def test_a_second_namespace_or_name_is_a_second_ask(demo: Vocabulary) -> None:
    got = analyze("list pods in boutique and in kube-system", demo)
    assert (got.namespace, [(a.resource, a.namespace) for a in got.also]) == (
        "boutique",
        [("pod", "kube-system")],
    )
    got = analyze("why is cartservice failing and why is adservice failing?", demo)
    assert (got.operation, got.name_mention) == ("diagnose", "cartservice")
    assert [(a.operation, a.name_mention) for a in got.also] == [("diagnose", "adservice")]
    got = analyze("cartservice 和 redis-cart 分别是什么问题", demo)
    assert [a.name_mention for a in got.also] == ["redis-cart"]


def test_kubectl_flags_name_nothing(demo: Vocabulary) -> None:
    got = analyze("kubectl get pods --field-selector=status.phase=Running -n boutique", demo)
    assert (got.namespace, got.name_mention, got.unknown_words) == ("boutique", None, ())
    assert [(p.field, p.value) for p in got.predicates] == [("status", "Running")]
    got = analyze("kubectl get pods --field-selector spec.nodeName=demo-worker-1", demo)
    assert [(r.kind, r.name, r.relation) for r in got.relations] == [("node", "demo-worker-1", "on_node")]
    got = analyze("kubectl get events -n boutique --sort-by=.metadata.creationTimestamp", demo)
    assert (got.resource, got.sort_by, got.unknown_words) == ("event", "age", ())
    got = analyze("kubectl delete pod frontend-abc --grace-period=0 --force", demo)
    assert (got.name_mention, got.unknown_words) == ("frontend-abc", ())
    assert analyze("kubectl get po -A", demo).all_namespaces
    assert analyze("k logs -f cartservice -n boutique", demo).unknown_words == ()


def test_a_mistyped_kind_word_is_the_kind(demo: Vocabulary) -> None:
    assert analyze("list deploymnets in boutique", demo).resource == "deployment"
    assert analyze("show servcies in boutique", demo).resource == "service"
    assert analyze("what's deployed in boutique", demo).resource == "deployment"
    # A cached name is never taken for a kind word.
    vocab = Vocabulary(namespaces=("shop",), names={"deployment": (("shop", "servces"),)})
    assert analyze("scale servces to 2", vocab).name_mention == "servces"


def test_a_private_key_is_a_secret_value(demo: Vocabulary) -> None:
    assert analyze("tls-frontend 的私钥发我一下", demo).wants_secret_value
    assert analyze("show me the private key in secret tls-frontend", demo).wants_secret_value


def test_an_unknown_word_before_里_is_a_namespace_even_before_a_kind_word(demo: Vocabulary) -> None:
    got = analyze("payments 里面的 deployment 为什么起不来", demo)
    assert (got.resource, got.namespace_mention, got.name_mention) == ("deployment", "payments", None)


def test_a_comparison_of_numbers_is_no_label_selector() -> None:
    vocab = Vocabulary.from_objects(["boutique"], [("deployment", "boutique", "frontend")])
    injected = analyze("list pods in boutique' OR 1=1 --", vocab)
    assert (injected.resource, injected.operation, injected.namespace, injected.label_selector) == (
        "pod",
        "list",
        "boutique",
        None,
    )
    assert (
        analyze("show pods -l app=frontend,tier!=db in boutique", vocab).label_selector
        == "app=frontend,tier!=db"
    )
