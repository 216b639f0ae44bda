"""Permission before a tool call, the audit of who asked, and stats per asker and per cluster.

One RBAC devcluster for the module (test_access's ``teams``: alice views boutique, bob
boutique-staging), where alice may also edit boutique; a cache refreshed once by the
scanner (the kubeconfig's admin).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from devcluster import DevCluster
from graph.agent import build_agent
from graph.run import compile_agent_for_turns, run_turn
from kcache import runtime
from kcache.context import Context
from kcache.settings import Settings
from tests.integration.test_access import _view_binding, teams
from tests.integration.test_cli_commands import kcache, kcache_env
from tests.support.gemini_stub import GeminiStub

pytestmark = pytest.mark.integration

__all__ = ["teams"]  # fixtures used here


@pytest.fixture(scope="module")
def calls(
    teams: tuple[DevCluster, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DevCluster, Path, Path]]:
    """The teams cluster where alice may also edit boutique; its cache refreshed by the scanner."""
    dc, kube = teams
    edit = _view_binding("boutique", "alice")
    edit["metadata"]["name"], edit["roleRef"]["name"] = "alice-edit", "edit"
    dc.apply(edit)
    folder = tmp_path_factory.mktemp("calls")
    done = kcache(folder, kube, "refresh", "--once")
    assert done.returncode == 0, done.stderr
    yield dc, kube, folder


def _pods(dc: DevCluster, namespace: str) -> set[str]:
    return {p["metadata"]["name"] for p in dc.list("pod", namespace)}


def _replicas(dc: DevCluster, namespace: str, name: str) -> int:
    (deployment,) = [d for d in dc.list("deployment", namespace) if d["metadata"]["name"] == name]
    return int(deployment["spec"]["replicas"])


def _audit(folder: Path, *args: str, kube: Path) -> list[dict[str, Any]]:
    done = kcache(folder, kube, "audit", "--json", *args)
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, Any]] = json.loads(done.stdout)["rows"]
    return rows


def test_the_cli_refuses_what_the_asker_may_not_do_and_runs_what_they_may(
    calls: tuple[DevCluster, Path, Path],
) -> None:
    dc, kube, folder = calls
    victim = sorted(p for p in _pods(dc, "boutique") if p.startswith("cartservice-"))[0]
    before = _replicas(dc, "boutique", "currencyservice")

    asked = {
        "delete": f"delete pod {victim} in boutique",
        "scale": "scale currencyservice in boutique to 3",
        "logs": f"show the logs of {victim} in boutique",
    }
    refusals = {
        "delete": "you may not delete pods in boutique",
        "scale": "you may not scale deployments in boutique",
        "logs": "you may not read the logs of pods in boutique",
    }
    for verb, question in asked.items():
        done = kcache(folder, kube, "ask", "--json", "--yes", "--as", "bob", question)
        assert done.returncode == 1, (verb, done.stdout, done.stderr)
        record = json.loads(done.stdout)
        assert record["outcome"] == "refuse" and not record["executed"], record
        assert refusals[verb] in record["answer"], record["answer"]
        assert record["asker"]["name"] == "bob" and record["cluster"] == "devcluster"
        # No approval was asked (--yes would have given it) and nothing reached the cluster.
        assert "approv" not in done.stderr.lower() and "Would have run" not in done.stderr
    assert victim in _pods(dc, "boutique") and _replicas(dc, "boutique", "currencyservice") == before

    chinese = kcache(folder, kube, "ask", "--yes", "--as", "bob", f"删除 boutique 命名空间里的 pod {victim}")
    assert chinese.returncode == 1 and "你无权删除 boutique 中的 pods" in chinese.stdout, chinese.stdout
    assert victim in _pods(dc, "boutique")

    # alice may: the approval is asked (and given by --yes), the scale runs.
    scaled = kcache(
        folder, kube, "ask", "--json", "--yes", "--as", "alice", "scale currencyservice in boutique to 2"
    )
    assert scaled.returncode == 0, scaled.stdout + scaled.stderr
    record = json.loads(scaled.stdout)
    assert record["executed"] and record["outcome"] == "executed" and record["approved"] is True
    assert _replicas(dc, "boutique", "currencyservice") == 2

    bob = _audit(folder, "--as", "bob", kube=kube)
    refused = [r for r in bob if r["status"] == "refused"]
    assert {(r["verb"], r["kind"], r["namespace"]) for r in refused} == {
        ("delete", "pod", "boutique"),
        ("scale", "deployment", "boutique"),
        ("logs", "pod", "boutique"),
    }
    assert len(refused) == 4  # the Chinese delete too
    assert all(
        r["asker"] == "bob" and r["asker_user"] == "bob" and r["cluster_name"] == "devcluster" for r in bob
    )
    assert {r["name"] for r in refused if r["verb"] == "delete"} == {victim}
    assert all(r["error_message"] and r["at"] for r in refused)
    (ran,) = [r for r in _audit(folder, "--as", "alice", kube=kube) if r["tool"] == "resources_scale"]
    assert ran["status"] == "ok" and ran["approved_by"] == "cli --yes" and ran["verb"] == "scale"
    assert (ran["kind"], ran["namespace"], ran["name"]) == ("deployment", "boutique", "currencyservice")
    text = kcache(folder, kube, "audit").stdout
    assert "outcome" in text.splitlines()[0] and "refused" in text and "bob" in text

    # stats --as alice: alice's turns only, and only the objects alice may read.
    with sqlite3.connect(folder / "cache.db") as db:
        (alice_turns,) = db.execute("SELECT COUNT(*) FROM agent_turns WHERE asker = 'alice'").fetchone()
        (all_turns,) = db.execute("SELECT COUNT(*) FROM agent_turns").fetchone()
        (boutique_pods,) = db.execute("SELECT COUNT(*) FROM pods WHERE namespace = 'boutique'").fetchone()
    assert alice_turns == 1 and all_turns == 5
    everyone = json.loads(kcache(folder, kube, "stats", "--json").stdout)
    mine = kcache(folder, kube, "stats", "--json", "--as", "alice")
    assert mine.returncode == 0, mine.stderr
    report = json.loads(mine.stdout)
    assert report["asker"] == "alice" and report["turns"] == 1 and everyone["turns"] == 5
    assert report["clusters"]["devcluster"]["turns"] == 1
    cached = report["clusters"]["devcluster"]["cached_objects"]
    assert cached["pod"] == boutique_pods < everyone["clusters"]["devcluster"]["cached_objects"]["pod"]
    assert "node" not in cached and "namespace" not in cached  # cluster-scoped: alice may not list them
    text = kcache(folder, kube, "stats", "--as", "alice").stdout
    assert "cluster devcluster: 1 agent turns, asked by alice" in text
    assert f"cached objects alice may read: {boutique_pods} pods" in text


def _settings(folder: Path, kube: Path, **extra: str) -> Settings:
    return Settings.from_env(kcache_env(folder, kube, **extra))


async def test_a_forbidden_write_never_reaches_an_approval(calls: tuple[DevCluster, Path, Path]) -> None:
    dc, kube, folder = calls
    staging = sorted(_pods(dc, "boutique-staging"))[0]
    asked: list[dict[str, Any]] = []

    async def approve(payload: dict[str, Any]) -> dict[str, Any]:
        asked.append(payload)
        return {"approved": True, "by": "test"}

    async with runtime.open(_settings(folder, kube, APPROVAL_POLICY="ask")) as kc:
        agent = compile_agent_for_turns(kc)
        # alice edits boutique, not boutique-staging; bob only views boutique-staging.
        for user, question in (
            ("alice", f"delete pod {staging} in boutique-staging"),
            ("bob", f"delete pod {staging} in boutique-staging"),
            ("bob", "restart deployment cartservice in boutique-staging"),
        ):
            result = await run_turn(
                agent,
                question,
                thread_id=f"{user}-{question}",
                context=Context(as_user=user),
                on_approval=approve,
                on_clarify=approve,
            )
            assert result.record["outcome"] == "refuse", (user, result.record)
            assert result.answer.startswith("I can't do that: you may not "), result.answer
        # The scanner's own identity is not reviewed: its write is asked for approval.
        reviews = (await kc.reviewer()).calls
        assert reviews > 0
        result = await run_turn(
            agent,
            f"delete pod {staging} in boutique-staging",
            thread_id="scanner",
            context=Context(),
            on_approval=lambda p: _decline(asked, p),
            on_clarify=approve,
        )
        assert (await kc.reviewer()).calls == reviews
    assert [p["tool"] for p in asked] == ["pods_delete"] and result.record["approved"] is False
    assert staging in _pods(dc, "boutique-staging")


async def _decline(asked: list[dict[str, Any]], payload: dict[str, Any]) -> dict[str, Any]:
    asked.append(payload)
    return {"approved": False, "by": "test"}


async def test_a_write_gemini_chooses_for_an_asker_who_may_not_is_refused(
    calls: tuple[DevCluster, Path, Path], gemini_stub: GeminiStub
) -> None:
    dc, kube, folder = calls
    victim = sorted(_pods(dc, "boutique"))[0]
    settings = _settings(
        folder,
        kube,
        LLM_PROVIDER="gemini",
        GOOGLE_API_KEY="test-key",
        LLM_BASE_URL=gemini_stub.url,
        LLM_REQUEST_TIMEOUT="10",
        LLM_ANSWER_POLICY="always",
        APPROVAL_POLICY="ask",
    )
    # bob asks a read he may make; the model (steered, say, by text in the cluster) deletes.
    gemini_stub.reply_function_call("pods_delete", {"namespace": "boutique", "name": victim})
    async with runtime.open(settings) as kc:
        earlier = len(await kc.store.audit_log(asker="bob"))
        graph = build_agent(kc).compile(checkpointer=InMemorySaver())
        out = await graph.ainvoke(
            {"messages": [HumanMessage("list the pods in boutique-staging")]},
            {"configurable": {"thread_id": "gemini-bob"}},
            context=Context(as_user="bob"),
        )
        audit = await kc.store.audit_log(asker="bob")
        audit = audit[: len(audit) - earlier]  # this turn's rows (newest first)
    assert "__interrupt__" not in out and len(gemini_stub.requests) == 1
    assert out["record"]["outcome"] == "refuse" and not out["record"]["executed"]
    assert "you may not delete pods in boutique" in out["answer"]
    assert victim in _pods(dc, "boutique")
    (row,) = audit
    assert (
        row["tool"] == "pods_delete"
        and row["status"] == "refused"
        and (row["kind"], row["namespace"], row["name"])
        == (
            "pod",
            "boutique",
            victim,
        )
    )
