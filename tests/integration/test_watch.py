"""The watch-fed dynamic tier against devcluster: changes, 410 Gone, drops, staleness, secrets, lifecycle.

Changes are made the way a user outside kcache makes them (kubectl, or devcluster's own
API), and each test waits for the cache with a bounded poll. Watches are asked to end after
one second, so that reopening them (and the faults injected into the reopened ones) happens
within a test's time.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response

from devcluster import DevCluster
from kcache.kubeconfig import read_identity
from kcache.settings import PROJECT_ROOT
from kcache.store import Store
from kcache.watch import Tuning, Watchers
from tests.conftest import DEVCLUSTER_DEMO
from tests.integration.test_langgraph_dev import langgraph_dev
from tests.support.cli import CANARY, CANARY_B64, kcache, kcache_env

pytestmark = pytest.mark.integration

KUBECTL = PROJECT_ROOT / ".venv" / "bin" / "kubectl"
FAST = Tuning(watch_timeout=(1, 1), backoff=(0.1, 0.4))


def cluster_of(dc: DevCluster) -> str:
    assert dc.kubeconfig is not None
    return read_identity(dc.kubeconfig).context


@asynccontextmanager
async def watched(dc: DevCluster, db: Path, *, ttl_s: float = 300) -> AsyncIterator[tuple[Store, Watchers]]:
    """A store at ``db`` kept by watchers of every dynamic kind of ``dc``, synced."""
    assert dc.kubeconfig is not None
    async with Store(db) as store:
        watchers = Watchers(
            store, cluster=cluster_of(dc), kubeconfig=dc.kubeconfig, context=None, ttl_s=ttl_s, tuning=FAST
        )
        async with watchers:
            await watchers.wait_synced(30)
            yield store, watchers


async def until(check: Callable[[], Awaitable[bool]], timeout: float) -> bool:
    """Poll ``check`` until it holds or ``timeout`` seconds pass; whether it held."""
    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.05)


async def kubectl(dc: DevCluster, *args: str, stdin: str | None = None) -> str:
    assert dc.kubeconfig is not None
    proc = await asyncio.create_subprocess_exec(
        str(KUBECTL),
        "--kubeconfig",
        str(dc.kubeconfig),
        *args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await proc.communicate(stdin.encode() if stdin else None)
    assert proc.returncode == 0, f"kubectl {' '.join(args)}: {err.decode()}"
    return out.decode()


def pod_requests(seen: list[str]) -> Callable[[Request], Awaitable[Response | None]]:
    """A request hook that records every all-namespaces pod LIST and WATCH in ``seen``."""

    async def hook(request: Request) -> Response | None:
        if request.method == "GET" and request.url.path == "/api/v1/pods":
            seen.append("watch" if request.query_params.get("watch") in ("1", "true") else "list")
        return None

    return hook


async def stored_pods(store: Store, cluster: str, namespace: str) -> set[str]:
    return {p.name for p in (await store.query(cluster, "pod", namespace=namespace)).items}


def served_pods(dc: DevCluster, namespace: str) -> set[str]:
    return {p["metadata"]["name"] for p in dc.list("pod", namespace)}


async def test_kubectl_changes_reach_the_cache_within_two_seconds(
    devcluster: DevCluster, tmp_path: Path
) -> None:
    cluster = cluster_of(devcluster)
    async with watched(devcluster, tmp_path / "cache.db") as (store, watchers):
        assert await stored_pods(store, cluster, "boutique") == served_pods(devcluster, "boutique")
        assert (await store.query(cluster, "pod", namespace="boutique")).fresh

        await kubectl(devcluster, "scale", "deployment", "frontend", "-n", "boutique", "--replicas=5")

        async def scaled() -> bool:
            # Deployments and pods are two watches with batches of their own: wait for both.
            deployment = (
                await store.query(cluster, "deployment", namespace="boutique", name="frontend")
            ).items
            pods = (await store.pods_of(cluster, "frontend", "boutique")).items
            return bool(deployment) and deployment[0].fields["replicas"] == 5 and len(pods) == 5

        assert await until(scaled, 2.0), (await store.pods_of(cluster, "frontend", "boutique")).items

        victim = sorted(served_pods(devcluster, "boutique"))[0]
        await kubectl(devcluster, "delete", "pod", victim, "-n", "boutique")

        async def deleted() -> bool:
            return victim not in await stored_pods(store, cluster, "boutique")

        assert await until(deleted, 2.0)
        config_map = devcluster.list("configmap", "boutique")[0]["metadata"]["name"]
        await kubectl(devcluster, "label", "configmap", config_map, "-n", "boutique", "watched=yes")

        async def labelled() -> bool:
            found = await store.query(cluster, "configmap", namespace="boutique", labels=[("watched", "yes")])
            return [c.name for c in found.items] == [config_map]

        assert await until(labelled, 2.0)
        live = watchers.liveness("configmap")
        assert live.healthy and live.error is None
        assert live.last_change_at is not None and live.last_event_age_s is not None
        assert live.last_event_age_s < 5
        # Rows and scopes are fresh because the watch keeps them so; there was no scan.
        scope = await store.scope(cluster, "pods")
        assert scope is not None and scope.scan_status == "completed"
        assert scope.record_count == len(devcluster.list("pod"))


async def test_a_410_gone_causes_exactly_one_relist(devcluster: DevCluster, tmp_path: Path) -> None:
    seen: list[str] = []
    devcluster.add_hook(pod_requests(seen))
    gone = {"left": 0}

    async def expire(request: Request) -> Response | None:
        # What kube-apiserver streams when the watch's resourceVersion was compacted away.
        if gone["left"] and request.url.path == "/api/v1/pods" and request.query_params.get("watch"):
            gone["left"] -= 1
            status = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 410}
            status |= {"reason": "Expired", "message": "too old resource version: 1 (20)"}
            return Response(
                json.dumps({"type": "ERROR", "object": status}) + "\n", media_type="application/json"
            )
        return None

    devcluster.add_hook(expire)
    cluster = cluster_of(devcluster)
    async with watched(devcluster, tmp_path / "cache.db") as (store, watchers):
        pods = watchers.watchers["pod"]

        async def rewatched(n: int) -> bool:
            return seen.count("watch") >= n

        # Watches that simply time out are reopened from their resourceVersion: no LIST.
        assert await until(lambda: rewatched(3), 10)
        assert seen.count("list") == 1 and pods.lists == 1

        gone["left"] = 1
        watches = seen.count("watch")
        assert await until(lambda: rewatched(watches + 3), 15)
        assert seen.count("list") == 2, seen
        assert pods.lists == 2
        victim = sorted(served_pods(devcluster, "boutique"))[-1]
        await asyncio.to_thread(devcluster.delete, "pod", "boutique", victim)

        async def caught_up() -> bool:
            return await stored_pods(store, cluster, "boutique") == served_pods(devcluster, "boutique")

        assert await until(caught_up, 5)
        assert pods.liveness().healthy


async def test_a_dropped_connection_reconnects_without_relisting(
    devcluster: DevCluster, tmp_path: Path
) -> None:
    seen: list[str] = []
    devcluster.add_hook(pod_requests(seen))
    cluster = cluster_of(devcluster)
    async with watched(devcluster, tmp_path / "cache.db") as (store, watchers):
        pods = watchers.watchers["pod"]
        devcluster.faults.set(drop_rate=1.0, only_paths=r"^/api/v1/pods$")
        try:

            async def broken() -> bool:
                return pods.reconnects >= 2 and not pods.healthy

            assert await until(broken, 10), pods.liveness()
            assert "dropped" in (pods.liveness().error or "")
            # A change while the connection is down arrives once it is back, from the resourceVersion.
            victim = sorted(served_pods(devcluster, "boutique"))[0]
            await asyncio.to_thread(devcluster.delete, "pod", "boutique", victim)
        finally:
            devcluster.faults.clear()

        async def caught_up() -> bool:
            return pods.healthy and await stored_pods(store, cluster, "boutique") == served_pods(
                devcluster, "boutique"
            )

        assert await until(caught_up, 10), pods.liveness()
        assert devcluster.faults.counters.drops >= 2
        assert pods.lists == 1 and seen.count("list") == 1


async def test_a_watch_failing_past_the_ttl_marks_its_scope_failed_until_it_is_back(
    devcluster: DevCluster, tmp_path: Path
) -> None:
    cluster = cluster_of(devcluster)
    async with watched(devcluster, tmp_path / "cache.db", ttl_s=2) as (store, watchers):
        pods = watchers.watchers["pod"]
        devcluster.faults.set(error_rate=1.0, error_codes="503", only_paths=r"^/api/v1/pods$")
        try:

            async def marked() -> bool:
                scope = await store.scope(cluster, "pods")
                return scope is not None and scope.scan_status == "failed"

            assert await until(marked, 10), pods.liveness()
            scope = await store.scope(cluster, "pods")
            assert scope is not None and (scope.error_message or "").startswith("watch broken: ")
            assert "503" in (scope.error_message or "")
            assert (await store.query(cluster, "pod", namespace="boutique")).freshness == "stale"
            assert (await store.query(cluster, "deployment", namespace="boutique")).fresh
        finally:
            devcluster.faults.clear()

        async def recovered() -> bool:
            scope = await store.scope(cluster, "pods")
            fresh = (await store.query(cluster, "pod", namespace="boutique")).fresh
            return fresh and scope is not None and scope.scan_status == "completed"

        assert await until(recovered, 10), pods.liveness()
        assert pods.liveness().healthy and pods.lists == 1


async def test_a_killed_watch_turns_its_scope_stale_and_health_fails(
    devcluster: DevCluster, tmp_path: Path
) -> None:
    assert devcluster.kubeconfig is not None
    kube = devcluster.kubeconfig
    ttl = 3
    static = kcache(tmp_path, kube, "refresh", "--once", "--tier", "static")
    assert static.returncode == 0, static.stderr
    cluster = cluster_of(devcluster)

    async def health() -> tuple[int, str]:
        env = kcache_env(tmp_path, kube, SCANNER_MODE="watch", CACHE_DYNAMIC_TTL=str(ttl))
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "kcache_cli.main",
            "health",
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
        assert proc.returncode is not None
        return proc.returncode, out.decode()

    async with watched(devcluster, tmp_path / "cache.db", ttl_s=ttl) as (store, watchers):
        code, out = await health()
        assert code == 0, out
        assert "dynamic tier: completed" in out

        watchers.tasks["pod"].cancel()
        await asyncio.gather(watchers.tasks["pod"], return_exceptions=True)
        assert not watchers.liveness("pod").healthy
        assert (await store.query(cluster, "pod", namespace="boutique")).fresh

        async def stale() -> bool:
            return (await store.query(cluster, "pod", namespace="boutique")).freshness == "stale"

        assert await until(stale, ttl + 2)
        # The other kinds are still watched, so still fresh.
        assert (await store.query(cluster, "deployment", namespace="boutique")).fresh
        code, out = await health()
    assert code == 1, out
    assert "dynamic tier: stale" in out and "pods: stale" in out and "unhealthy" in out
    assert "deployments" not in out


async def test_no_secret_value_reaches_the_database_through_the_watch(
    devcluster: DevCluster, tmp_path: Path
) -> None:
    db = tmp_path / "cache.db"
    cluster = cluster_of(devcluster)
    value = f"CANARY-SECRET-{uuid.uuid4().hex}"
    manifest = json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "watched-canary", "namespace": "boutique"},
            "stringData": {"password": value},
        }
    )
    async with watched(devcluster, db) as (store, _watchers):
        listed = (await store.query(cluster, "secret")).items
        assert listed and all("data" not in s.fields for s in listed)
        await kubectl(devcluster, "apply", "-f", "-", stdin=manifest)
        await kubectl(devcluster, "annotate", "secret", "watched-canary", "-n", "boutique", "note=changed")

        async def arrived() -> bool:
            found = (await store.query(cluster, "secret", namespace="boutique", name="watched-canary")).items
            # A Secret keeps its annotations' keys only: the new key shows the change arrived.
            return bool(found) and "note" in found[0].annotations

        assert await until(arrived, 5)
        secret = (await store.query(cluster, "secret", namespace="boutique", name="watched-canary")).items[0]
        assert secret.fields["keys"] == ["password"]
    files = [p for p in tmp_path.glob("cache.db*") if p.is_file()]
    assert db in files
    for path in files:
        data = path.read_bytes()
        assert CANARY not in data, path
        assert CANARY_B64 not in data, path
        assert value.encode() not in data, path


def _db_pods(db: Path, namespace: str) -> set[str]:
    if not db.exists():
        return set()
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT name FROM pods WHERE namespace = ?", (namespace,)).fetchall()
        return {r[0] for r in rows}
    except sqlite3.OperationalError:
        return set()
    finally:
        con.close()


def _dynamic_scans(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return int(con.execute("SELECT COUNT(*) FROM scan_history WHERE tier = 'dynamic'").fetchone()[0])
    finally:
        con.close()


def _wait_for(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DevCluster]:
    with DevCluster(DEVCLUSTER_DEMO) as dc:
        dc.write_kubeconfig(tmp_path / "kubeconfig.yaml")
        yield dc


def test_refresh_loop_in_watch_mode_watches_the_dynamic_tier(demo: DevCluster, tmp_path: Path) -> None:
    assert demo.kubeconfig is not None
    db = tmp_path / "cache.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kcache_cli.main", "refresh", "--loop"],
        env=kcache_env(tmp_path, demo.kubeconfig, SCANNER_MODE="watch"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert _wait_for(lambda: _db_pods(db, "boutique") == served_pods(demo, "boutique"), 60)
        victim = sorted(_db_pods(db, "boutique"))[0]
        demo.delete("pod", "boutique", victim)
        assert _wait_for(lambda: _db_pods(db, "boutique") == served_pods(demo, "boutique"), 5)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    # The static tier was scanned; the dynamic one only watched.
    assert "static: completed" in _out
    assert _dynamic_scans(db) == 0


def test_langgraph_dev_in_watch_mode_keeps_the_dynamic_tier(demo: DevCluster, tmp_path: Path) -> None:
    db = tmp_path / "cache.db"
    with langgraph_dev(kcache_env(tmp_path, demo.kubeconfig or Path(), SCANNER_MODE="watch"), tmp_path) as (
        _url,
        log,
        _,
    ):
        assert _wait_for(lambda: _db_pods(db, "boutique") == served_pods(demo, "boutique"), 60)
        victim = sorted(_db_pods(db, "boutique"))[0]
        demo.delete("pod", "boutique", victim)
        assert _wait_for(lambda: _db_pods(db, "boutique") == served_pods(demo, "boutique"), 5)
    text = log.read_text(errors="replace")
    assert "BlockingError" not in text and "crashed" not in text, text[-4000:]
    assert _dynamic_scans(db) == 0


async def test_in_watch_mode_answers_are_live_and_a_write_is_delivered_by_the_watch(
    devcluster: DevCluster, tmp_path: Path
) -> None:
    from langchain_core.messages import HumanMessage
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.types import Command

    from graph.agent import build_agent
    from kcache import runtime
    from kcache.context import Context
    from kcache.settings import Settings
    from kcache.watch import watching_if_enabled
    from tests.conftest import kcache_env as holder_env

    settings = Settings.from_env(holder_env(devcluster, tmp_path, SCANNER_MODE="watch"))
    async with runtime.open(settings) as kc, watching_if_enabled(kc) as watchers:
        assert watchers is not None
        synced = await until(lambda: _synced(watchers), 10)
        assert synced
        graph = build_agent(kc).compile(checkpointer=InMemorySaver())
        cfg: Any = {"configurable": {"thread_id": "w1"}}
        out = await graph.ainvoke(
            {"messages": [HumanMessage("list pods in boutique")]}, cfg, context=Context()
        )
        assert "live, last event" in out["answer"] and out["record"]["answered_from_cache"]
        cfg = {"configurable": {"thread_id": "w2"}}
        asked = await graph.ainvoke(
            {"messages": [HumanMessage("scale currencyservice in boutique to 3")]}, cfg, context=Context()
        )
        assert asked["__interrupt__"]
        scans_before = len(await kc.store.scan_history(kc.cluster))
        done = await graph.ainvoke(Command(resume={"approved": True, "by": "test"}), cfg, context=Context())
        assert done["record"]["executed"]
        assert "deployment/boutique (watched)" in done["record"]["invalidated"]
        # No rescan of the watched kinds: the watch delivered the change, and the cache has it.
        assert len(await kc.store.scan_history(kc.cluster)) == scans_before

        async def delivered() -> bool:
            found = await kc.store.query(
                kc.cluster, "deployment", namespace="boutique", name="currencyservice"
            )
            return bool(found.items) and found.items[0].fields["replicas"] == 3

        assert await until(delivered, 5)


async def _synced(watchers: Watchers) -> bool:
    return all(watchers.liveness(kind).synced for kind in ("pod", "deployment"))
