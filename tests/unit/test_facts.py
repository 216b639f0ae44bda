"""Answers that start with what was asked: conditions, order and fields over cached records."""

from __future__ import annotations

from typing import Any

from kcache.facts import answer, holds, select
from kcache.model import Resource
from kcache.outputs import log_lines


def pod(name: str, restarts: int = 0, status: str = "Running", ready: str = "1/1", created: str = "2026-11-01T00:00:00Z") -> Resource:  # fmt: skip
    return Resource(
        kind="pod", name=name, namespace="shop", created_at=created,
        fields={"restarts": restarts, "status": status, "ready": ready, "node_name": "n1",
                "containers": [{"name": "app", "image": f"example/{name}:1"}]},
    )  # fmt: skip


def u(**kw: Any) -> Any:
    base = {"language": "en", "fields": (), "sort_by": None, "limit": None, "descending": True, "predicates": [], "count_only": False}  # fmt: skip
    return {**base, **kw}


NOW = 1_796_083_200.0  # 2026-12-01T00:00:00Z


def test_conditions_compare_fields_and_other_fields() -> None:
    pods = [pod("a", restarts=0), pod("b", restarts=3), pod("c", ready="0/1")]
    assert [p.name for p in select(pods, [{"field": "restarts", "op": "==", "value": 0, "other": None}])] == [
        "a",
        "c",
    ]
    assert [
        p.name for p in select(pods, [{"field": "ready", "op": "==", "value": False, "other": None}])
    ] == ["c"]
    old = {"field": "age_s", "op": ">", "value": 86400, "other": None}
    assert holds(pods[0], old, NOW) and not holds(pod("new", created="2026-11-30T23:00:00Z"), old, NOW)
    deploy = Resource(
        kind="deployment", name="d", namespace="shop", fields={"replicas": 3, "ready_replicas": 1}
    )
    fewer = {"field": "ready_replicas", "op": "<", "value": None, "other": "replicas"}
    assert select([deploy], [fewer]) == [deploy]
    unknown = Resource(kind="deployment", name="e", namespace="shop", fields={})
    assert select([unknown], [fewer]) == []  # an unknown value never meets a condition


def test_the_answer_is_the_number_the_top_or_the_field_asked() -> None:
    pods = [pod("a", restarts=1), pod("b", restarts=7), pod("c", restarts=3)]
    top = answer("en", "pod", pods, u(sort_by="restarts", limit=2), "shop")
    assert top is not None and top.splitlines()[1:] == ["1. b — 7", "2. c — 3"]
    count = answer("en", "pod", pods, u(count_only=True), "shop")
    assert count is not None and count.startswith("3 pods in namespace shop")
    image = answer("en", "pod", pods[:1], u(fields=("image",)), "shop")
    assert image is not None and "example/a:1" in image
    nodes = answer("zh", "pod", pods, u(fields=("node",)), "shop")
    assert nodes is not None and "共 3 个" in nodes and "node n1" in nodes
    assert answer("en", "pod", pods, u(), "shop") is None  # a plain listing answers a plain list


def test_log_lines_keep_those_asked_for_then_the_last_ones() -> None:
    text = "\n".join(f"line {i} {'ERROR boom' if i % 3 == 0 else 'ok'}" for i in range(30))
    shown = log_lines(text, {"grep": "error", "tail": 2})
    assert shown.splitlines() == ["> line 24 ERROR boom", "> line 27 ERROR boom"]
    assert log_lines(text, {"grep": "panic"}) == "(no log line contains 'panic')"


def test_a_count_per_namespace_starts_with_the_one_asked() -> None:
    from kcache.facts import per_group
    from kcache.model import Resource

    rows = [
        Resource(kind="pod", namespace=ns, name=f"p{i}")
        for i, ns in enumerate(["a", "b", "b", "c", "c", "c"])
    ]
    text = per_group("en", "pod", rows, "namespace", limit=1, descending=True)
    assert text.splitlines()[0] == "c has the most pods: 3." and "- a: 1" in text
    fewest = per_group("zh", "pod", rows, "namespace", limit=1, descending=False)
    assert fewest.startswith("a 的 pod 最少：1 个。")


def test_a_field_the_object_carries_as_a_label_answers_and_one_it_lacks_defers() -> None:
    node = Resource(
        kind="node", name="n1", namespace=None,
        labels={"node.kubernetes.io/instance-type": "m6i.large", "kubernetes.io/os": "linux"},
        fields={"status": "Ready"},
    )  # fmt: skip
    asked = u(operation="get", name_mention="n1", fields=("type",))
    got = answer("en", "node", [node], asked, None)
    assert got == "node n1: type node.kubernetes.io/instance-type=m6i.large"
    # A field neither carried nor labelled: the object's whole detail answers (None here).
    assert (
        answer("en", "node", [node], u(operation="get", name_mention="n1", fields=("storageclass",)), None)
        is None
    )


def test_a_pod_not_started_is_pending_whatever_reason_it_shows() -> None:
    waiting = pod("w", status="ImagePullBackOff")
    waiting.fields["phase"] = "Pending"
    running = pod("r")
    running.fields["phase"] = "Running"
    pending = {"field": "status", "op": "==", "value": "Pending", "other": None}
    assert [p.name for p in select([waiting, running, pod("p", status="Pending")], [pending])] == ["w", "p"]
    assert [p.name for p in select([waiting, running], [{**pending, "op": "!="}])] == ["r"]


def test_a_count_of_a_few_names_them_and_events_say_what_happened() -> None:
    few = [pod("a"), pod("b")]
    got = answer("en", "pod", few, u(count_only=True), "shop")
    assert got is not None and got.startswith("2 pods") and "They are: a, b" in got
    ev = Resource(
        kind="event", name="a.17f", namespace="shop", created_at="2026-11-30T00:00:00Z",
        fields={"type": "Warning", "reason": "BackOff", "message": "Back-off restarting", "involved_name": "a"},
    )  # fmt: skip
    listed = answer("en", "event", [ev], u(sort_by="age", descending=False), "shop")
    assert (
        listed is not None
        and "reason BackOff" in listed
        and "about a" in listed
        and "Back-off restarting" in listed
    )


def test_log_lines_set_aside_by_grep_v_are_left_out() -> None:
    text = "GET /healthz 200\nERROR db down\nGET /healthz 200\nWARN slow\n"
    assert log_lines(text, {"grep_out": "healthz"}) == log_lines("ERROR db down\nWARN slow", {})
    assert log_lines(text, {"grep": "error", "grep_out": "db"}) == "(every log line contains 'db')"
    assert "every log line contains" in log_lines("GET /healthz 200\n", {"grep_out": "HEALTHZ"})


def test_an_init_containers_state_is_that_state_for_a_filter() -> None:
    init, app = pod("a", status="Init:CrashLoopBackOff"), pod("b", status="CrashLoopBackOff")
    crash = {"field": "status", "op": "==", "value": "CrashLoopBackOff", "other": None}
    assert select([init, app, pod("c")], [crash]) == [init, app]
    assert not holds(init, {**crash, "value": "Init"}, 0.0)


def test_the_nodes_asked_of_a_workload_are_counted_with_its_pods_and_its_image() -> None:
    ds = Resource(
        kind="daemonset", name="agent", namespace="shop",
        fields={"containers": [{"name": "agent", "image": "example/agent:2"}]},
    )  # fmt: skip
    pods = [pod("agent-a"), pod("agent-b"), pod("agent-c")]
    pods[2].fields["node_name"] = "n2"
    text = answer(
        "en",
        "daemonset",
        [ds],
        u(fields=("node", "image"), operation="get", name_mention="agent"),
        "shop",
        pods,
    )
    assert text is not None and "example/agent:2" in text
    assert "2 nodes (agent-a n1, agent-b n1, agent-c n2)" in text
