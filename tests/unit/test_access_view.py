"""The filtering view over a real SQLite store: rows of other namespaces are never returned,
and nothing of the store that reads rows passes through it unfiltered."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

from kcache.access import (
    EVERYTHING,
    PASS_THROUGH,
    AccessError,
    FilteredStore,
    complete_kinds,
    grant_from_rules,
    parse_rules,
)
from kcache.mcp import ToolResult
from kcache.model import Resource
from kcache.outputs import NOT_SHOWN, digest
from kcache.registry import classify
from kcache.store.store import Store

VIEW = {"resourceRules": [{"verbs": ["get", "list"], "apiGroups": ["", "apps"], "resources": ["*"]}]}
PODS_ONLY = {"resourceRules": [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]}]}
DATA = Path(__file__).parent / "data"


def team_a_grant() -> object:
    return grant_from_rules(
        {"team-a": parse_rules(VIEW), "team-b": (), "team-c": parse_rules(PODS_ONLY)},
        {},
        ["pod", "secret", "namespace", "node"],
    )


async def test_view_drops_rows_of_namespaces_not_granted(tmp_path: Path) -> None:
    async with Store(tmp_path / "cache.db") as store:
        await store.replace(
            "c1",
            "pod",
            [
                Resource(kind="pod", name="web-1", namespace="team-a"),
                Resource(kind="pod", name="db-1", namespace="team-b"),
            ],
            ttl_s=600,
        )
        await store.replace(
            "c1", "namespace", [Resource(kind="namespace", name=n) for n in ("team-a", "team-b")], ttl_s=600
        )
        await store.replace("c1", "node", [Resource(kind="node", name="worker-1")], ttl_s=600)
        await store.upsert_cluster("c1", version="v1.31.0", api_server="https://k", node_count=1, ttl_s=600)
        grant = grant_from_rules(
            {"team-a": parse_rules(VIEW), "team-b": ()}, {}, ["pod", "namespace", "node"]
        )
        view = FilteredStore(store, grant, cluster="c1")
        assert [r.name for r in (await view.query("c1", "pod")).items] == ["web-1"]
        assert (await view.query("c1", "pod", name="db-1")).items == []
        assert (await view.query("c1", "pod", namespace="team-b")).items == []
        assert (await view.pods_of("c1", "db", "team-b")).items == []
        assert (await view.query("c1", "node")).items == []
        assert await view.names("c1", ["pod"]) == {"pod": [("team-a", "web-1")]}
        # The namespace the asker works in exists for them, though they may not list namespaces.
        assert await view.names("c1", ["namespace"]) == {"namespace": [(None, "team-a")]}
        assert [r.name for r in (await view.query("c1", "namespace")).items] == ["team-a"]
        info = await view.cluster("c1")
        assert info is not None and info["version"] == "v1.31.0"
        assert info["node_count"] is None and info["user_name"] is None  # nodes are not theirs to count
        with pytest.raises(AccessError, match="'c2'"):
            await view.names("c2", ["pod"])  # a grant is one cluster's
        full = FilteredStore(store, EVERYTHING, cluster="c1")
        assert len((await full.query("c1", "pod")).items) == 2
        assert (await full.cluster("c1") or {})["node_count"] == 1


async def test_only_writes_and_the_clock_pass_through(tmp_path: Path) -> None:
    async with Store(tmp_path / "cache.db") as store:
        view = FilteredStore(store, EVERYTHING, cluster="c1")
        await view.record_tool_usage("pods_list", ok=True, duration_ms=1.0)
        assert [r["tool_name"] for r in await store.tool_usage()] == ["pods_list"]
        assert view.generation == store.generation and view.now() > 0
        own = {n for n, _ in inspect.getmembers(FilteredStore) if not n.startswith("__")}
        public = {n for n, _ in inspect.getmembers(Store) if not n.startswith("__")} | set(vars(store))
        # Every other member of the store, reader or raw connection, is refused by name.
        for name in sorted(public - own - PASS_THROUGH):
            with pytest.raises(AttributeError, match=repr(name)):
                getattr(view, name)
        for reader in ("scopes", "scope", "audit_log", "scan_history", "kpi_inputs", "transaction"):
            assert reader in public and reader not in PASS_THROUGH
        # What passes through only writes or tells the time: none of it returns rows.
        assert PASS_THROUGH <= public
        assert not {n for n in PASS_THROUGH if n.startswith(("select", "load", "list", "read", "_"))}


def test_analyzers_see_only_kinds_the_asker_reads_wholly() -> None:
    grant = team_a_grant()
    kinds = ("pod", "secret", "node", "namespace")
    assert complete_kinds(grant, kinds, "team-a") == ("pod", "secret")  # type: ignore[arg-type]
    assert complete_kinds(grant, kinds, "team-b") == ()  # type: ignore[arg-type]
    # Over the cluster: pods are readable wherever the asker reads anything, secrets are not.
    assert complete_kinds(grant, kinds, None) == ("pod",)  # type: ignore[arg-type]
    assert complete_kinds(EVERYTHING, kinds, None) == kinds


def test_a_live_read_shows_only_what_the_asker_may_read() -> None:
    tools = {t["name"]: classify(t) for t in json.loads((DATA / "mcp-tools" / "kubernetes-mcp-server-0.0.67.json").read_text())["tools"]}  # fmt: skip
    outputs = DATA / "mcp-outputs"
    listed = ToolResult(
        tool="pods_list", text=(outputs / "kubernetes-mcp-server-0.0.67__table__pods_list.txt").read_text()
    )
    en = {"resource": "pod", "language": "en"}
    grant = grant_from_rules({"default": parse_rules(PODS_ONLY), "kube-system": ()}, {}, ["pod"])
    scanner = digest(listed, tools["pods_list"], en)
    assert "web-7d4b9c-abcde" in scanner and "coredns" in scanner
    asker = digest(listed, tools["pods_list"], en, grant=grant, args={})
    assert asker.startswith("1 pod(s)") and "web-7d4b9c-abcde" in asker and "coredns" not in asker
    logs = ToolResult(
        tool="pods_log", text=(outputs / "kubernetes-mcp-server-0.0.67__pods_log.txt").read_text()
    )
    args = {"namespace": "kube-system", "name": "coredns-5d78c9869d-xyz12"}
    assert digest(logs, tools["pods_log"], en, grant=grant, args=args) == NOT_SHOWN
    shown = digest(logs, tools["pods_log"], en, grant=grant, args={**args, "namespace": "default"})
    assert "fake log line 2" in shown


async def test_a_namespace_the_grant_was_not_reviewed_for_is_reviewed_at_once() -> None:
    from kcache.access import AccessCache, named_asker
    from tests.unit.test_access_rules import VIEW_PODS, FakeReviewer

    cache = AccessCache(ttl=120, clock=lambda: 1000.0)
    reviewer = FakeReviewer({"alice": {"team-a": VIEW_PODS, "team-new": VIEW_PODS}})
    alice = named_asker("alice")
    first = await cache.grant("c1", alice, reviewer, namespaces=["team-a"], kinds=["pod"])  # type: ignore[arg-type]
    assert not first.may_read("pod", "team-new")
    calls = reviewer.calls
    assert await cache.grant("c1", alice, reviewer, namespaces=["team-a"], kinds=["pod"]) is first  # type: ignore[arg-type]
    assert reviewer.calls == calls
    # Within the TTL, but the cache now knows a namespace this grant never asked about.
    again = await cache.grant("c1", alice, reviewer, namespaces=["team-a", "team-new"], kinds=["pod"])  # type: ignore[arg-type]
    assert reviewer.calls > calls and again.may_read("pod", "team-new")


async def test_a_failed_review_denies_for_a_few_seconds_without_asking_again() -> None:
    from kcache.access import RETRY_FAILED_S, AccessCache, named_asker
    from tests.unit.test_access_rules import VIEW_PODS, FakeReviewer

    now = [1000.0]
    cache = AccessCache(ttl=120, clock=lambda: now[0])
    reviewer = FakeReviewer({"alice": {"team-a": VIEW_PODS}})
    reviewer.down = True
    args = {"namespaces": ["team-a"], "kinds": ["pod"]}
    for _ in range(3):  # every node of a turn asks: one review is sent
        with pytest.raises(AccessError):
            await cache.grant("c1", named_asker("alice"), reviewer, **args)  # type: ignore[arg-type]
    assert reviewer.calls == 1
    reviewer.down = False
    now[0] += RETRY_FAILED_S + 0.1
    grant = await cache.grant("c1", named_asker("alice"), reviewer, **args)  # type: ignore[arg-type]
    assert grant.may_read("pod", "team-a") and reviewer.calls == 2
