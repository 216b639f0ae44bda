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

from kcache.understand import Understanding, Vocabulary, analyze, build_matcher

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
