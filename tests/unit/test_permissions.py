"""Permission before a tool call, without a cluster: what an action needs, the refusal's words,
the tool_call node's refusal before any approval, the audit and turn rows, and stats per
cluster and asker."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.runtime import Runtime

from kcache.access import (
    CHECK_FAILED,
    AccessCache,
    Asker,
    named_asker,
    need_of,
    refusal,
    refused,
    scanner_asker,
)
from kcache.context import Context
from kcache.scan import refresh_scopes
from kcache.settings import Settings
from kcache.state import AgentState
from kcache.store import Store
from kcache_cli.commands import audit as audit_command
from kcache_cli.commands import stats
from nodes.param_suggest import param_suggest
from tests.support.fake_holder import FakeHolder
from tests.unit.test_decisions import SCALE_ARGS, SCALE_U, _tool_call_graph, _write_state, understanding

BOB = named_asker("bob", ["team-b"])


class Permitting(FakeHolder):
    """The fake holder with a permission check answered from a set of allowed (verb, kind, sub, ns)."""

    def __init__(
        self, store: Store, tmp: Path, allowed: set[tuple[str, str, str, str]] | None = None
    ) -> None:
        super().__init__(store, tmp)
        self.allowed = set(allowed or ())
        self.asked: list[tuple[str, str, str, str]] = []
        self.failing = False

    async def permit(
        self, asker: Asker, verb: str, kind: str, namespace: str | None, subresource: str = ""
    ) -> str | None:
        key = (verb, kind, subresource, namespace or "")
        self.asked.append(key)
        if self.failing:
            return f"{refusal(verb, kind, namespace, subresource)}: {CHECK_FAILED} (connection refused)"
        return None if key in self.allowed else refusal(verb, kind, namespace, subresource)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with Store(tmp_path / "cache.db", timeout=5, max_connections=2) as opened:
        yield opened


def test_each_action_needs_its_verb_and_subresource() -> None:
    assert need_of("delete", "pod").verbs == ("delete",)
    scale = need_of("scale", "deployment")
    assert (scale.verbs, scale.subresource) == (("patch", "update"), "scale")
    assert (need_of("logs", "pod").verbs, need_of("logs", "pod").subresource) == (("get",), "log")
    assert (need_of("exec", "pod").verbs, need_of("exec", "pod").subresource) == (("create",), "exec")
    assert need_of("logs", "node").subresource == "proxy"
    assert need_of("restart", "deployment").verbs == ("patch",) == need_of("cordon", "node").verbs
    assert need_of("list", "pod").verbs == ("list",) == need_of("diagnose", "pod").verbs


def test_the_refusal_says_what_and_where_in_the_users_language() -> None:
    assert refusal("delete", "pod", "payments") == "you may not delete pods in payments"
    assert refusal("get", "pod", "payments", "log") == "you may not read the logs of pods in payments"
    assert refusal("create", "pod", "payments", "exec") == "you may not exec into pods in payments"
    assert refusal("patch", "deployment", "web", "scale") == "you may not scale deployments in web"
    assert refusal("patch", "node", "ignored") == "you may not patch nodes"  # cluster-scoped
    assert refusal("delete", "pod", "payments", language="zh") == "你无权删除 payments 中的 pods"
    assert refusal("get", "pod", "payments", "log", language="zh") == "你无权查看 payments 中的 pods 的日志"
    assert refusal("patch", "deployment", None, "scale", language="zh") == "你无权扩缩 deployments"


async def test_refused_asks_only_for_someone_other_than_the_scanner(store: Store, tmp_path: Path) -> None:
    kc = Permitting(store, tmp_path, {("update", "deployment", "scale", "web")})
    assert await refused(kc, scanner_asker(), "delete", "pod", "web") is None
    assert await refused(kc, None, "delete", "pod", "web") is None
    assert kc.asked == []
    # A scale may be a PATCH or a PUT of the scale subresource: either verb allows it.
    assert await refused(kc, BOB, "scale", "deployment", "web") is None
    assert kc.asked == [("patch", "deployment", "scale", "web"), ("update", "deployment", "scale", "web")]
    assert await refused(kc, BOB, "delete", "pod", "web") == "you may not delete pods in web"
    assert await refused(kc, BOB, "delete", "pod", "web", language="zh") == "你无权删除 web 中的 pods"
    # Whatever cannot be checked refuses: a failed review, a holder without reviews, an unknown kind.
    kc.failing = True
    failed = await refused(kc, BOB, "scale", "deployment", "web")
    assert failed == f"you may not scale deployments in web: {CHECK_FAILED} (connection refused)"
    zh = await refused(kc, BOB, "delete", "pod", "web", language="zh")
    assert zh is not None and zh.startswith("你无权删除 web 中的 pods：权限检查失败")
    blind = await refused(FakeHolder(store, tmp_path), BOB, "get", "pod", "web")
    assert blind is not None and blind.startswith("you may not get pods in web: ")
    unknown = await refused(kc, BOB, "config", "cluster", None)
    assert unknown is not None and "only for the kinds it knows" in unknown


async def test_a_check_is_kept_per_subresource() -> None:
    answers = {("get", "log"): True, ("get", ""): False}
    seen: list[tuple[str, str]] = []

    class Reviewer:
        async def allowed(self, asker: Asker, verb: str, kind: str, ns: str | None, sub: str = "") -> bool:
            seen.append((verb, sub))
            return answers[(verb, sub)]

    cache = AccessCache(ttl=60)
    reviewer: Any = Reviewer()
    assert await cache.check("c", BOB, reviewer, "get", "pod", "web", "log")
    assert not await cache.check("c", BOB, reviewer, "get", "pod", "web")
    assert await cache.check("c", BOB, reviewer, "get", "pod", "web", "log")
    assert seen == [("get", "log"), ("get", "")]  # the third answer came from the cache


async def test_tool_call_refuses_a_write_the_asker_may_not_make_before_any_approval(
    store: Store, tmp_path: Path
) -> None:
    kc = Permitting(store, tmp_path)
    state: AgentState = {**_write_state(SCALE_ARGS), "asker": BOB}
    out = await _tool_call_graph(kc).ainvoke(
        state, {"configurable": {"thread_id": "f"}}, context=Context(approval="ask")
    )
    assert "__interrupt__" not in out and kc.calls == []
    (call,) = out["calls"]
    assert call["status"] == "refused" and call["error"] == "you may not scale deployments in boutique"
    assert out["plan"]["outcome"] == "refuse" and out["plan"]["reason"] == call["error"]
    (row,) = await store.audit_log()
    assert (row["status"], row["asker"], row["asker_user"], row["asker_groups"]) == (
        "refused",
        "bob",
        "bob",
        ["team-b"],
    )
    assert (row["verb"], row["kind"], row["namespace"], row["name"]) == (
        "scale",
        "deployment",
        "boutique",
        "currencyservice",
    )

    # Allowed, the same call goes to approval as before.
    kc.allowed.add(("patch", "deployment", "scale", "boutique"))
    asked = await _tool_call_graph(kc).ainvoke(
        state, {"configurable": {"thread_id": "g"}}, context=Context(approval="ask")
    )
    assert len(asked["__interrupt__"]) == 1 and kc.calls == []


async def test_param_suggest_refuses_before_planning(store: Store, tmp_path: Path) -> None:
    kc = Permitting(store, tmp_path)
    target = {"kind": "deployment", "namespace": "boutique", "name": "currencyservice", "how": "exact"}
    state: Any = {
        "messages": [],
        "asker": BOB,
        "understanding": SCALE_U,
        "resolved": {"target": target, "namespace": "boutique", "items": []},
        "selected": [{"tool": "resources_scale"}],
    }
    out = await param_suggest(state, Runtime(context=Context()), kc=kc)
    assert out["plan"]["outcome"] == "refuse"
    assert out["plan"]["reason"] == "you may not scale deployments in boutique"
    # A namespace the asker cannot see is still the one named: refused, not "does not exist".
    hidden: Any = {
        **state,
        "understanding": understanding(
            intent="action", operation="delete", name_mention="x", namespace_mention="payments", language="zh"
        ),
        "resolved": {"missing": {"what": "namespace", "mention": "payments", "suggestions": []}},
        "selected": [],
    }
    out = await param_suggest(hidden, Runtime(context=Context()), kc=kc)
    assert (out["plan"]["outcome"], out["plan"]["reason"]) == ("refuse", "你无权删除 payments 中的 pods")
    # A typo of a namespace the asker can see: the refusal offers the asker's own near names.
    typo: Any = {
        **hidden,
        "understanding": understanding(
            intent="action", operation="delete", name_mention="x", namespace_mention="boutiqe"
        ),
        "resolved": {"missing": {"what": "namespace", "mention": "boutiqe", "suggestions": ["boutique"]}},
    }
    out = await param_suggest(typo, Runtime(context=Context()), kc=kc)
    assert out["plan"]["reason"] == "you may not delete pods in boutiqe; did you mean boutique?"
    assert out["plan"]["candidates"] == ["boutique"]
    rows = await store.audit_log()
    assert [(r["status"], r["tool"], r["namespace"]) for r in rows] == [
        ("refused", "delete", "boutiqe"),
        ("refused", "delete", "payments"),
        ("refused", "resources_scale", "boutique"),
    ]
    # Reads the cache answers are not checked here; nor is the scanner.
    kc.asked.clear()
    await param_suggest(
        {**state, "understanding": understanding(namespace="boutique")}, Runtime(context=Context()), kc=kc
    )
    await param_suggest({**state, "asker": scanner_asker()}, Runtime(context=Context()), kc=kc)
    assert kc.asked == []


def _turn(cluster: str, asker: str, lookups: int, hits: int) -> Any:
    return {
        "cluster_name": cluster,
        "asker": asker,
        "cache_lookups": lookups,
        "cache_hits": hits,
        "outcome": "answer",
    }


async def test_kpis_per_cluster_and_asker_and_the_stats_sections(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await store.record_turn(_turn("prod", "alice", 4, 4))
    await store.record_turn(_turn("prod", "bob", 4, 0))
    await store.record_turn(_turn("staging", "alice", 2, 1))
    await store.audit(tool="pods_delete", arguments={}, status="refused", cluster="prod", identity="x/y", writes=True, asker=BOB)  # fmt: skip
    await store.audit(
        tool="pods_log", arguments={}, status="ok", cluster="staging", identity="x/y", writes=False
    )
    assert await store.turn_clusters() == ["prod", "staging"]
    assert (await store.kpi_inputs())["turns"] == 3
    alice = await store.kpi_inputs(asker="alice")
    assert (alice["turns"], alice["cache_lookups"], alice["cache_hits"]) == (2, 6, 5)
    prod_bob = await store.kpi_inputs(cluster="prod", asker="bob")
    assert (prod_bob["turns"], prod_bob["cache_hits"]) == (1, 0)
    assert [r["tool"] for r in await store.audit_log(asker="bob")] == ["pods_delete"]
    assert [r["tool"] for r in await store.audit_log(cluster="staging")] == ["pods_log"]

    settings = Settings.from_env(
        {"CACHE_DB_PATH": str(tmp_path / "cache.db"), "LLM_PROVIDER": "offline"},
        dotenv_path=tmp_path / "none",
    )
    assert await stats.run(True, settings) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["turns"] == 3 and report["asker"] is None
    assert {c: s["turns"] for c, s in report["clusters"].items()} == {"prod": 2, "staging": 1}
    assert report["clusters"]["prod"]["kpis"]["cache_hit_rate"]["value"] == 0.5
    assert report["clusters"]["staging"]["kpis"]["cache_hit_rate"]["value"] == 0.5
    assert await stats.run(False, settings) == 0
    text = capsys.readouterr().out
    assert "cluster prod: 2 agent turns" in text and "cluster staging: 1 agent turns" in text
    assert await audit_command.run(False, settings, as_user="bob", cluster=None, limit=10) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["at", "cluster", "asker"] and len(lines) == 2
    assert "team-b" in lines[1] and "refused" in lines[1] and "pods_delete" in lines[1]


async def test_a_read_through_refresh_needs_list_on_the_scope(store: Store, tmp_path: Path) -> None:
    kc: Any = Permitting(store, tmp_path)
    kc.asker = BOB
    results = await refresh_scopes(kc, [("pod", "payments")], timeout=5)
    assert [(r.scope, r.status, r.error) for r in results] == [
        ("pods/payments", "skipped", "you may not list pods in payments")
    ]
    assert kc.calls == []  # nothing went to the MCP server
    (row,) = await store.audit_log(asker="bob")
    assert (row["tool"], row["status"], row["verb"], row["kind"], row["namespace"]) == (
        "read-through refresh",
        "refused",
        "list",
        "pod",
        "payments",
    )
