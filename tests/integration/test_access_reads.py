"""Each answer holds only what the asker may read: two users bound to two namespaces of the demo
cluster (RBAC on), one refreshed cache, asked in-process, through `kcache ask --as` and through
the Gemini path (the real ChatGoogleGenerativeAI against the local stub)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from devcluster import DevCluster
from graph.agent import build_agent
from kcache import runtime
from kcache.access import named_asker
from kcache.context import Context
from kcache.scan import run_tier
from kcache.settings import Settings
from tests.conftest import kcache_env
from tests.integration.test_access import RBAC, teams
from tests.integration.test_cli_commands import kcache
from tests.support.gemini_stub import GeminiStub, prompt_text

pytestmark = pytest.mark.integration

__all__ = ["teams"]  # the RBAC devcluster of test_access: alice views boutique, bob boutique-staging

ALICE, BOB = "boutique", "boutique-staging"


def _secret_reader(namespace: str, user: str) -> list[dict[str, Any]]:
    """A Role to read Secrets (``view`` leaves them out, as in Kubernetes) and its binding."""
    role = {
        "apiVersion": f"{RBAC}/v1",
        "kind": "Role",
        "metadata": {"name": "secret-reader", "namespace": namespace},
        "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}],
    }
    binding = {
        "apiVersion": f"{RBAC}/v1",
        "kind": "RoleBinding",
        "metadata": {"name": f"{user}-secrets", "namespace": namespace},
        "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": "secret-reader"},
        "subjects": [{"apiGroup": RBAC, "kind": "User", "name": user}],
    }
    return [role, binding]


@pytest.fixture(scope="module")
def cache(
    teams: tuple[DevCluster, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DevCluster, Path]]:
    """The RBAC demo cluster (each user may also read their namespace's Secrets), refreshed once."""
    dc, kubeconfig = teams
    for obj in _secret_reader(ALICE, "alice") + _secret_reader(BOB, "bob"):
        dc.apply(obj)
    folder = tmp_path_factory.mktemp("reads")
    done = kcache(folder, kubeconfig, "refresh", "--once")
    assert done.returncode == 0, done.stdout + done.stderr
    yield dc, folder


def names_in(dc: DevCluster, namespace: str) -> set[str]:
    kinds = ("deployment", "service", "pod", "secret", "configmap", "persistentvolumeclaim")
    return {o["metadata"]["name"] for kind in kinds for o in dc.list(kind, namespace)}


def pods_in(dc: DevCluster, namespace: str) -> set[str]:
    return {p["metadata"]["name"] for p in dc.list("pod", namespace)}


async def ask(graph: Any, text: str, user: str | None) -> dict[str, Any]:
    out: dict[str, Any] = await graph.ainvoke(
        {"messages": [HumanMessage(text)]},
        {"configurable": {"thread_id": f"{user}-{text}"}},
        context=Context(as_user=user, dry_run=True),
    )
    return out


def same_reply(forbidden: dict[str, Any], missing: dict[str, Any], name: str, stand_in: str) -> None:
    """The two turns' answers and records are equal but for the name asked."""
    records = [
        json.dumps({k: v for k, v in out["record"].items() if k != "non_llm_ms"}, sort_keys=True)
        for out in (forbidden, missing)
    ]
    assert forbidden["answer"].replace(name, stand_in) == missing["answer"]
    assert records[0].replace(name, stand_in) == records[1]


async def test_each_asker_reads_only_their_namespace(cache: tuple[DevCluster, Path]) -> None:
    dc, folder = cache
    own = {"alice": ALICE, "bob": BOB}
    other = {"alice": BOB, "bob": ALICE}
    # Objects the asker may not read with no near spelling among their own names.
    hidden_object = {"alice": "legacy-report-runner", "bob": "loadgenerator"}
    hidden_pod = {
        "alice": next(p for p in pods_in(dc, "kube-system") if p.startswith("coredns-")),
        "bob": next(p for p in pods_in(dc, ALICE) if p.startswith("loadgenerator-")),
    }
    hidden_namespace = {"alice": BOB, "bob": "ingress-nginx"}  # bob's "boutique" is near his boutique-staging
    hidden_secret = {"alice": "stripe-api-key", "bob": "redis-password"}
    own_secret = {"alice": ("redis-password", "password"), "bob": ("stripe-api-key", "key")}
    everyone = {p["metadata"]["name"] for p in dc.list("pod")}
    async with runtime.open(Settings.from_env(kcache_env(dc, folder))) as kc:
        graph = build_agent(kc).compile(checkpointer=InMemorySaver())
        for user in ("alice", "bob"):
            mine, theirs = pods_in(dc, own[user]), everyone - pods_in(dc, own[user])
            only_theirs = names_in(dc, other[user]) - names_in(dc, own[user])
            listed = (await ask(graph, "list pods", user))["answer"]
            assert all(p in listed for p in mine) and not any(p in listed for p in theirs), listed
            counted = (await ask(graph, "how many pods are there", user))["answer"]
            assert counted.startswith(f"{len(mine)} pods across all namespaces"), counted
            health = (await ask(graph, "is my cluster healthy?", user))["answer"]
            assert f"deployment {own[user]}/" in health and f" {other[user]}/" not in health, health
            assert "node demo-" not in health  # nodes are not theirs to read
            assert not any(name in health for name in only_theirs), health
            # A misspelled name is offered only among the asker's own names.
            typo = await ask(graph, "describe deployment frontnd", user)
            assert f"{own[user]}/frontend" in typo["answer"], typo["answer"]
            assert f"{other[user]}/frontend" not in typo["answer"]
            secret, keys = own_secret[user]
            shown = await ask(graph, f"what keys does secret {secret} have", user)
            assert f"secret {own[user]}/{secret}: keys {keys}" in shown["answer"], shown["answer"]
            # Another asker's object, Secret or namespace reads exactly like one that does not exist.
            for forbidden, stand_in, question in (
                (hidden_object[user], "nosuchthingzz", "describe deployment {}"),
                (hidden_pod[user], "nosuchthingzz", "why is pod {} failing?"),
                (hidden_secret[user], "nosuchsecret", "what keys does secret {} have"),
                (hidden_namespace[user], "nosuchspace", "what's wrong in namespace {}?"),
                ("kube-system", "nosuchspace", "list pods in namespace {}"),
            ):
                refused = await ask(graph, question.format(forbidden), user)
                missing = await ask(graph, question.format(stand_in), user)
                assert refused["record"]["outcome"] == "not_found", refused["answer"]
                assert "does not exist" in refused["answer"]
                same_reply(refused, missing, forbidden, stand_in)
        # A scan an asker's turn starts reads and writes as the scanner: a forced read-through
        # as bob, and a static tier run on his view, leave the whole cluster in the cache.
        fresh = await graph.ainvoke(
            {"messages": [HumanMessage("list pods")]},
            {"configurable": {"thread_id": "bob-fresh"}},
            context=Context(as_user="bob", fresh=True),
        )
        state = (await graph.aget_state({"configurable": {"thread_id": "bob-fresh"}})).values
        assert state["resolved"]["refreshed"] == ["pod"] and not state["resolved"]["stale"]
        assert all(p in fresh["answer"] for p in pods_in(dc, BOB))
        assert not any(p in fresh["answer"] for p in everyone - pods_in(dc, BOB)), fresh["answer"]
        bob = await kc.for_asker(named_asker("bob"))
        assert (await run_tier(bob, "static")).status == "completed"
        assert (await kc.store.cluster(kc.cluster) or {})["node_count"] == len(dc.list("node"))
        assert (await bob.store.cluster(kc.cluster) or {})["node_count"] is None
        # The scanner (no asker) still reads everything.
        listed = (await ask(graph, "list pods", None))["answer"]
        assert all(p in listed for p in everyone)
        counted = (await ask(graph, "how many pods are there", None))["answer"]
        assert counted.startswith(f"{len(everyone)} pods across all namespaces"), counted
        typo = await ask(graph, "describe deployment frontnd", None)
        assert f"{ALICE}/frontend" in typo["answer"] and f"{BOB}/frontend" in typo["answer"]
        secret = await ask(graph, f"what keys does secret {hidden_secret['bob']} have", None)
        assert "redis-password: keys password" in secret["answer"]


def test_kcache_ask_as_a_user_and_a_failed_review(cache: tuple[DevCluster, Path]) -> None:
    dc, folder = cache
    assert dc.kubeconfig is not None
    count = json.loads(
        kcache(folder, dc.kubeconfig, "ask", "--json", "--as", "bob", "how many pods are there").stdout
    )
    assert count["answer"].startswith(f"{len(pods_in(dc, BOB))} pods across all namespaces"), count
    text = kcache(folder, dc.kubeconfig, "ask", "--as", "bob", "list pods")
    assert text.returncode == 0, text.stderr
    assert all(p in text.stdout for p in pods_in(dc, BOB))
    assert not any(p in text.stdout for p in pods_in(dc, ALICE)), text.stdout
    scanner = json.loads(kcache(folder, dc.kubeconfig, "ask", "--json", "how many pods are there").stdout)
    assert scanner["answer"].startswith(f"{len(dc.list('pod'))} pods across all namespaces"), scanner
    # Reviews that cannot be made deny: alice, in a process that has no grant of hers yet, sees nothing.
    dc.faults.set(
        error_rate=1.0, error_codes=[503], only_paths=r"/(selfsubjectrulesreviews|subjectaccessreviews)$"
    )
    try:
        denied = kcache(folder, dc.kubeconfig, "ask", "--json", "--as", "alice", "list pods")
    finally:
        dc.faults.clear()
    record = json.loads(denied.stdout)
    assert record["answer"].startswith("There are 0 pods across all namespaces."), record["answer"]
    assert not any(p in record["answer"] for p in {p["metadata"]["name"] for p in dc.list("pod")})


async def test_the_gemini_prompts_hold_only_the_askers_names(
    cache: tuple[DevCluster, Path], gemini_stub: GeminiStub
) -> None:
    dc, folder = cache
    env = kcache_env(
        dc,
        folder,
        LLM_PROVIDER="gemini",
        GOOGLE_API_KEY="test-key",
        LLM_BASE_URL=gemini_stub.url,
        LLM_REQUEST_TIMEOUT="10",
        LLM_ANSWER_POLICY="always",
        INTENT_CONFIDENCE_THRESHOLD="1",  # every request is read by Gemini too: its prompt is tested
    )
    gemini_stub.reply_text(json.dumps({"intent": "query", "resource": "pod", "operation": "list"}))
    gemini_stub.reply_text("bob's pods are listed above.")
    async with runtime.open(Settings.from_env(env)) as kc:
        graph = build_agent(kc).compile(checkpointer=InMemorySaver())
        out = await ask(graph, "show me what adservice, loadgenerator, frontend and cartservice run", "bob")
    reading, planning = gemini_stub.requests
    sent = prompt_text(reading)
    offered = json.loads(sent[sent.index("{") : sent.rindex("}") + 1])["candidates"]
    assert "frontend" in offered["names"] and "cartservice" in offered["names"]
    assert ALICE not in offered["namespaces"]
    only_alice = names_in(dc, ALICE) - names_in(dc, BOB)
    for prompt in (sent, prompt_text(planning)):
        leaked = {name for name in only_alice if name in prompt}
        assert leaked <= {"adservice", "loadgenerator"}, leaked  # those two are the request's own words
    assert all(p in prompt_text(planning) for p in pods_in(dc, BOB))
    assert not any(p in prompt_text(planning) for p in pods_in(dc, ALICE))
    assert "adservice" not in str(offered) and "loadgenerator" not in str(offered)
    assert out["answer"].startswith("bob's pods")
