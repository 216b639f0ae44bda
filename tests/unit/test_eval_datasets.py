"""Every eval dataset loads, and every object its expectations name exists in its cluster's manifests."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from evals.report import load_dataset
from evals.scorer import split_label_selector
from kcache.model import API_KINDS, is_namespaced

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / "evals" / "datasets"
INDEX: dict[str, str] = json.loads((DATASETS / "index.json").read_text(encoding="utf-8"))
SHARED_DEMO = Path("/work/shared/fixtures/clusters/demo")

#: The tools of kubernetes-mcp-server 0.0.67 (default toolsets), the server the datasets target.
SERVER_TOOLS = frozenset(
    {
        "configuration_view",
        "events_list",
        "namespaces_list",
        "nodes_log",
        "nodes_stats_summary",
        "nodes_top",
        "pods_delete",
        "pods_exec",
        "pods_get",
        "pods_list",
        "pods_list_in_namespace",
        "pods_log",
        "pods_run",
        "pods_top",
        "projects_list",
        "resources_create_or_update",
        "resources_delete",
        "resources_get",
        "resources_list",
        "resources_scale",
    }
)
KIND_NAMES = {kind_name: canonical for canonical, (_, kind_name) in API_KINDS.items()}
#: Stand-in generated suffixes: a ReplicaSet hash and a pod suffix, as the emulator makes them.
RS_HASH, POD_SUFFIX = "7c9d8f6b5", "x2k4q"


def cluster_dir(name: str) -> Path:
    for candidate in (ROOT / "evals" / "clusters" / name, ROOT / "devcluster" / "clusters" / name):
        if candidate.is_dir():
            return candidate
    if name == "demo" and SHARED_DEMO.is_dir():
        return SHARED_DEMO
    raise AssertionError(f"cluster directory {name!r} not found")


class Cluster:
    """What the manifests declare: objects by (kind, namespace, name), and the pods workloads make."""

    def __init__(self, path: Path) -> None:
        self.objects: set[tuple[str, str | None, str]] = set()
        self.namespaces: set[str] = set()
        self.pods: list[tuple[str, str, dict[str, str]]] = []
        nodes: list[dict[str, Any]] = []
        workloads: list[tuple[str, dict[str, Any]]] = []
        for file in sorted(path.glob("*.yaml")):
            for doc in yaml.safe_load_all(file.read_text(encoding="utf-8")):
                if not doc:
                    continue
                kind = KIND_NAMES.get(doc["kind"], doc["kind"].lower())
                meta = doc["metadata"]
                namespaced = kind not in KIND_NAMES.values() or is_namespaced(kind)
                namespace = meta.get("namespace", "default") if namespaced else None
                if kind == "namespace":
                    self.namespaces.add(meta["name"])
                if namespace is not None:
                    self.namespaces.add(namespace)
                self.objects.add((kind, namespace, meta["name"]))
                if kind == "node":
                    nodes.append(doc)
                if kind in ("deployment", "statefulset", "daemonset"):
                    workloads.append((kind, doc))
        for kind, doc in workloads:
            self.pods.extend(self._pods_of(kind, doc, nodes))

    @staticmethod
    def _pods_of(
        kind: str, doc: dict[str, Any], nodes: list[dict[str, Any]]
    ) -> Iterator[tuple[str, str, dict[str, str]]]:
        name = doc["metadata"]["name"]
        namespace = doc["metadata"].get("namespace", "default")
        labels = doc["spec"]["template"]["metadata"].get("labels", {})
        if kind == "deployment":
            for i in range(doc["spec"].get("replicas", 1)):
                yield namespace, f"{name}-{RS_HASH}-{POD_SUFFIX[:4]}{i}", labels
        elif kind == "statefulset":
            for i in range(doc["spec"].get("replicas", 1)):
                yield namespace, f"{name}-{i}", labels
        else:
            tolerates_all = any(
                t.get("operator") == "Exists" and "key" not in t
                for t in doc["spec"]["template"]["spec"].get("tolerations", [])
            )
            for node in nodes:
                if tolerates_all or not node.get("spec", {}).get("taints"):
                    yield namespace, f"{name}-{POD_SUFFIX}", labels

    def names(self) -> set[str]:
        return {name for _, _, name in self.objects} | {name for _, name, _ in self.pods}


def selector_matches(selector: str, labels: dict[str, str]) -> bool:
    for requirement in split_label_selector(selector):
        if match := re.fullmatch(r"([^=!]+)(?:=|==)(.*)", requirement):
            if labels.get(match[1]) != match[2]:
                return False
        elif match := re.fullmatch(r"(.+?)in\((.*)\)", requirement):
            if labels.get(match[1]) not in match[2].split(","):
                return False
        else:
            raise AssertionError(f"selector requirement {requirement!r} not understood by this test")
    return True


def value_matches(expected: Any, actual: str) -> bool:
    if isinstance(expected, dict):
        return re.fullmatch(expected["regex"], actual) is not None
    return bool(expected == actual)


def problems_of(case: dict[str, Any], cluster: Cluster) -> list[str]:
    expect = case["expect"]
    problems: list[str] = []
    bad_tools = set(expect.get("tools", [])) - SERVER_TOOLS
    if bad_tools:
        problems.append(f"unknown tools {sorted(bad_tools)}")
    names = cluster.names()
    for candidate in expect.get("candidates", []):
        if candidate not in cluster.namespaces | names and candidate.partition("/")[2] not in names:
            problems.append(f"candidate {candidate!r} is no namespace or object")
    outcomes = expect["outcome"] if isinstance(expect["outcome"], list) else [expect["outcome"]]
    if outcomes == ["not_found"]:
        return problems
    params = {**expect.get("params", {}), **expect.get("answer_params", {})}
    namespace = params.get("namespace")
    if isinstance(namespace, str) and namespace not in cluster.namespaces:
        problems.append(f"namespace {namespace!r} not in the cluster")
    resource = expect["resource"]
    name = params.get("name")
    if resource == "pod":
        scope = [p for p in cluster.pods if not isinstance(namespace, str) or p[0] == namespace]
        if name is not None and not any(value_matches(name, pod) for _, pod, _ in scope):
            problems.append(f"no pod matching {name!r} in {namespace!r}")
        selector = params.get("label_selector")
        if isinstance(selector, str) and not any(selector_matches(selector, lbl) for _, _, lbl in scope):
            problems.append(f"no pod with labels {selector!r} in {namespace!r}")
    elif name is not None:
        wanted_ns = namespace if is_namespaced(resource) else None
        if not any(
            k == resource and n == wanted_ns and value_matches(name, o) for k, n, o in cluster.objects
        ):
            problems.append(f"no {resource} {name!r} in {wanted_ns!r}")
    return problems


def test_index_names_every_dataset_file() -> None:
    assert set(INDEX) == {p.name for p in DATASETS.glob("*.jsonl")}
    assert {"dev.jsonl", "boutique-extra.jsonl"} <= set(INDEX)


@pytest.mark.parametrize("dataset", sorted(INDEX))
def test_dataset_loads_and_matches_its_cluster(dataset: str) -> None:
    cases = load_dataset(DATASETS / dataset)
    cluster = Cluster(cluster_dir(INDEX[dataset]))
    problems = [f"{c['id']}: {p}" for c in cases for p in problems_of(c, cluster)]
    assert problems == []


@pytest.mark.parametrize(("dataset", "minimum"), [("boutique-extra.jsonl", 30), ("dataplat.jsonl", 20)])
def test_own_datasets_cover_both_languages_and_outcomes(dataset: str, minimum: int) -> None:
    cases = load_dataset(DATASETS / dataset)
    assert len(cases) >= minimum
    chinese = [c for c in cases if re.search(r"[\u4e00-\u9fff]", c["query"])]
    assert 0 < len(chinese) < len(cases)
    outcomes = {
        o
        for c in cases
        for o in (
            c["expect"]["outcome"] if isinstance(c["expect"]["outcome"], list) else [c["expect"]["outcome"]]
        )
    }
    assert {"answer", "confirm", "clarify", "not_found", "refuse"} <= outcomes


def test_checker_catches_a_missing_object() -> None:
    cluster = Cluster(cluster_dir("dataplat"))
    bad = {
        "id": "x",
        "query": "q",
        "expect": {
            "intent": "query",
            "resource": "pod",
            "operation": "logs",
            "params": {"namespace": "monitoring", "name": "kafka-0", "label_selector": "app=kafka"},
            "outcome": "answer",
            "tools": ["pods_logs"],
            "candidates": ["nowhere"],
        },
    }
    problems = problems_of(bad, cluster)
    assert len(problems) == 4, problems


def test_second_cluster_has_the_promised_shape() -> None:
    path = cluster_dir("dataplat")
    cluster = Cluster(path)
    assert {"data", "monitoring", "payments-dev"} <= cluster.namespaces
    ingest = {n for k, n, o in cluster.objects if k == "deployment" and o == "ingest-api"}
    assert ingest == {"data", "payments-dev"}
    docs = [d for f in sorted(path.glob("*.yaml")) for d in yaml.safe_load_all(f.read_text()) if d]
    nodes = [d for d in docs if d["kind"] == "Node"]
    assert 2 <= len(nodes) <= 4 and sum(bool(n["spec"].get("taints")) for n in nodes) == 1
    for secret in (d for d in docs if d["kind"] == "Secret"):
        assert all("CANARY-SECRET" in v for v in secret["stringData"].values()), secret["metadata"]["name"]
    simulated = {
        d["spec"]["template"]["metadata"].get("annotations", {}).get("kcache.dev/simulate")
        for d in docs
        if d["kind"] in ("Deployment", "StatefulSet", "DaemonSet")
    }
    assert {"CrashLoopBackOff", "ImagePullBackOff", "Pending", "OOMKilled", "NotReady"} <= simulated
    assert any(d["kind"] == "Ingress" for d in docs) and any(d["kind"] == "CronJob" for d in docs)
    assert any("disregard your instructions" in json.dumps(d) for d in docs)
