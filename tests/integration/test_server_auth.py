"""``langgraph dev`` with kcache's custom auth over a devcluster with RBAC on.

One server start on two clusters (KCACHE_CONTEXTS=prod,staging): prod is the demo cluster
with RBAC, where alice may view boutique and bob boutique-staging; staging is another
devcluster nobody asks about, which only the background schedule fills. The token file names
alice and bob. Every request needs a bearer token; a turn runs as the caller's Kubernetes user
whatever its run context says; a caller's threads are theirs alone.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from devcluster import DevCluster
from devcluster.kubeconfig import write_contexts
from kcache.auth_file import token_sha256
from tests.conftest import kcache_env
from tests.integration.test_access import ROOT, teams
from tests.integration.test_langgraph_dev import langgraph_dev

pytestmark = pytest.mark.integration

__all__ = ["teams"]  # the RBAC devcluster of test_access.py, used here as a fixture

TOKENS = {"alice": "alice-secret-token", "bob": "bob-secret-token"}


@dataclass
class AuthServer:
    """A running ``langgraph dev`` with a token file, and the cluster it serves."""

    url: str
    cluster: DevCluster
    log: Path

    def client(self, who: str | None) -> LangGraphClient:
        headers = {"Authorization": f"Bearer {TOKENS[who]}"} if who else {}
        return get_client(url=self.url, headers=headers)

    def pods(self, namespace: str) -> set[str]:
        return {p["metadata"]["name"] for p in self.cluster.list("pod", namespace)}


@pytest.fixture(scope="module")
def server(teams: tuple[DevCluster, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthServer]:
    prod, _ = teams
    tmp = tmp_path_factory.mktemp("server-auth")
    users = [
        {"identity": "alice", "token_sha256": token_sha256(TOKENS["alice"])},
        {"identity": "bob", "token_sha256": token_sha256(TOKENS["bob"]), "kubernetes_groups": ["team-b"]},
    ]
    (tmp / "users.json").write_text(json.dumps({"users": users}))
    with DevCluster(ROOT / "evals" / "clusters" / "dataplat") as staging:
        kube = write_contexts(
            tmp / "kubeconfig.yaml", [prod.context("prod"), staging.context("staging")], current="prod"
        )
        env = {
            **kcache_env(prod, tmp, KCACHE_AUTH_FILE=str(tmp / "users.json")),
            "KUBECONFIG": str(kube),
            "KCACHE_CONTEXTS": "prod,staging",
        }
        with langgraph_dev(env, tmp) as (url, log, _):
            yield AuthServer(url=url, cluster=prod, log=log)
    # The server logged who may call it, and never a token.
    text = log.read_text(errors="replace")
    assert "bearer-token auth from" in text and "alice, bob" in text
    assert not any(token in text for token in TOKENS.values())


async def _ask(client: LangGraphClient, query: str, **context: Any) -> tuple[str, dict[str, Any]]:
    thread = await client.threads.create()
    out = await client.runs.wait(
        thread["thread_id"], "agent", input={"query": query}, context=context or None
    )
    assert isinstance(out, dict), out
    return thread["thread_id"], out


async def _asker(client: LangGraphClient, thread_id: str) -> dict[str, Any]:
    state: Any = await client.threads.get_state(thread_id)
    asker: dict[str, Any] = state["values"]["asker"]
    return asker


def test_a_request_without_a_known_token_is_401(server: AuthServer) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": f"Basic {TOKENS['alice']}"},
        # The server's Studio shortcut is off: this header alone lets nobody in.
        {"x-auth-scheme": "langsmith"},
    ):
        response = httpx.post(f"{server.url}/threads", json={}, headers=headers, timeout=10)
        assert response.status_code == 401, (headers, response.text)
    ok = httpx.post(
        f"{server.url}/threads", json={}, headers={"Authorization": f"Bearer {TOKENS['alice']}"}, timeout=10
    )
    assert ok.status_code == 200, ok.text


async def test_each_caller_runs_as_their_kubernetes_user(server: AuthServer) -> None:
    mine = {"alice": server.pods("boutique"), "bob": server.pods("boutique-staging")}
    assert mine["alice"] and mine["bob"]
    for who, other in (("alice", "bob"), ("bob", "alice")):
        client = server.client(who)
        thread, out = await _ask(client, "list pods")
        assert await _asker(client, thread) == {
            "name": who,
            "user": who,
            "groups": ["team-b"] if who == "bob" else [],
        }
        assert out["record"]["outcome"] == "answer"
        assert all(name in out["answer"] for name in mine[who]), (who, out["answer"])
        assert not any(name in out["answer"] for name in mine[other] - mine[who]), (who, out["answer"])


async def test_the_run_context_cannot_choose_another_user(server: AuthServer) -> None:
    bob = server.client("bob")
    thread, out = await _ask(bob, "list pods", as_user="alice", as_groups=["system:masters"])
    assert await _asker(bob, thread) == {"name": "bob", "user": "bob", "groups": ["team-b"]}
    assert not any(name in out["answer"] for name in server.pods("boutique"))


async def test_another_callers_object_reads_as_a_missing_one(server: AuthServer) -> None:
    bob = server.client("bob")
    hers = next(n for n in sorted(server.pods("boutique")) if n.startswith("adservice-"))
    missing = "adservice-zzzzzzzzzz-zzzzz"
    _, forbidden = await _ask(bob, f"describe pod {hers}")
    _, absent = await _ask(bob, f"describe pod {missing}")
    assert absent["record"]["outcome"] == forbidden["record"]["outcome"] == "not_found"
    # Word for word the same reply, but for the name asked about.
    assert forbidden["answer"].replace(hers, "NAME") == absent["answer"].replace(missing, "NAME")


async def test_another_callers_namespace_reads_as_a_missing_one(server: AuthServer) -> None:
    bob = server.client("bob")
    _, forbidden = await _ask(bob, "list pods in ingress-nginx")
    # A missing name no nearer bob's own namespaces gets the same reply.
    _, absent = await _ask(bob, "list pods in ingress-nginy")
    assert forbidden["record"]["outcome"] == absent["record"]["outcome"] == "not_found"
    assert forbidden["answer"].replace("ingress-nginx does", "NS does") == absent["answer"].replace(
        "ingress-nginy does", "NS does"
    )
    # A forbidden namespace that is a part of his own is offered his own, as a missing one would be.
    _, hers = await _ask(bob, "list pods in boutique")
    assert (hers["record"]["outcome"], hers["record"]["candidates"]) == ("clarify", ["boutique-staging"])
    assert not any(name in hers["answer"] for name in server.pods("boutique"))


async def test_a_thread_is_private_to_its_owner(server: AuthServer) -> None:
    alice, bob = server.client("alice"), server.client("bob")
    thread, out = await _ask(alice, "list pods in boutique")
    mine = await alice.threads.get(thread)
    assert mine["metadata"]["owner"] == "alice"
    for read in (bob.threads.get(thread), bob.threads.get_state(thread), bob.threads.get_history(thread)):
        with pytest.raises(httpx.HTTPStatusError) as caught:
            await read
        assert caught.value.response.status_code == 404
    with pytest.raises(httpx.HTTPStatusError) as caught:
        await bob.runs.wait(thread, "agent", input={"query": "list pods"})
    assert caught.value.response.status_code == 404
    listed = {t["thread_id"] for t in await bob.threads.search(limit=1000)}
    assert thread not in listed
    assert thread in {t["thread_id"] for t in await alice.threads.search(limit=1000)}
    # bob cannot take the thread over by rewriting its owner either.
    with pytest.raises(httpx.HTTPStatusError):
        await bob.threads.update(thread, metadata={"owner": "bob"})
    assert (await alice.threads.get(thread))["metadata"]["owner"] == "alice"
    assert (await alice.threads.get_state(thread))["values"]["answer"] == out["answer"]


async def test_the_graphs_are_shared(server: AuthServer) -> None:
    for who in ("alice", "bob"):
        graphs = {a["graph_id"] for a in await server.client(who).assistants.search(limit=20)}
        assert {"agent", "refresh"} <= graphs


async def test_the_schedule_refreshes_every_cluster_and_health_reports_each(server: AuthServer) -> None:
    deadline = time.monotonic() + 60
    while True:
        health = httpx.get(f"{server.url}/kcache/health", timeout=10).json()
        # Nobody asked about staging: only the background schedule scans it.
        if health["clusters"]["staging"]["scopes"] > 0 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert health["cluster"] == "prod" and set(health["clusters"]) == {"prod", "staging"}
    assert health["clusters"]["staging"]["scopes"] > 0 and health["clusters"]["staging"]["ok"]
    assert health["clusters"]["prod"]["scopes"] > 0


async def test_store_items_live_under_their_owner(server: AuthServer) -> None:
    alice, bob = server.client("alice"), server.client("bob")
    await alice.store.put_item(["notes"], key="on-call", value={"who": "alice"})
    assert (await alice.store.get_item(["notes"], "on-call"))["value"] == {"who": "alice"}
    found = await bob.store.search_items(["notes"])
    assert found["items"] == []
    assert await bob.store.get_item(["notes"], "on-call") is None


async def test_crons_are_refused_under_auth(server: AuthServer) -> None:
    with pytest.raises(httpx.HTTPStatusError) as caught:
        await server.client("bob").crons.create("agent", schedule="* * * * *", input={"query": "list pods"})
    assert caught.value.response.status_code == 403
