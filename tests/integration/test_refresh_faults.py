"""The dynamic tier's scan under faults: devcluster → kubernetes-mcp-server → kcache's real pipeline.

Each test scans once cleanly, injects one fault, and checks that the scan fails with a clear
message, the rows of the previous scan stay, the database is intact, and the next scan
after the fault is cleared completes.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest
from starlette.requests import Request
from starlette.responses import Response

from devcluster import DevCluster
from kcache import runtime, scan
from kcache.runtime import Kcache
from kcache.settings import Settings
from tests.support.cli import kcache_in_process
from tests.support.procs import mcp_server_pids

pytestmark = pytest.mark.integration


@dataclass
class Rig:
    dc: DevCluster
    kc: Kcache
    before: set[tuple[str | None, str]]
    """(namespace, name) of every cached pod after the clean scan."""


async def cached_pods(kc: Kcache) -> set[tuple[str | None, str]]:
    return {(r.namespace, r.name) for r in (await kc.store.query(kc.cluster, "pod")).items}


async def open_rig(dc: DevCluster, tmp_path: Path, timeout: float = 3) -> AsyncIterator[Rig]:
    assert dc.kubeconfig is not None
    settings = Settings.from_env(
        {
            "CACHE_DB_PATH": str(tmp_path / "cache.db"),
            "KUBECONFIG": str(dc.kubeconfig),
            "SCANNER_TIMEOUT": str(timeout),
            "SCANNER_RETRIES": "1",
        },
        dotenv_path=tmp_path / "absent.env",
    )
    async with runtime.open(settings) as kc:
        clean = await scan.run_tier(kc, "dynamic")
        assert clean.status == "completed", clean.summary()
        before = await cached_pods(kc)
        assert len(before) == len(dc.list("pod")) == 25
        yield Rig(dc, kc, before)


@pytest.fixture
async def rig(devcluster: DevCluster, tmp_path: Path) -> AsyncIterator[Rig]:
    async for r in open_rig(devcluster, tmp_path):
        yield r


@pytest.fixture
async def rig_slow(devcluster: DevCluster, tmp_path: Path) -> AsyncIterator[Rig]:
    """A longer SCANNER_TIMEOUT: the MCP server's client retries 429s itself for a few seconds."""
    async for r in open_rig(devcluster, tmp_path, timeout=10):
        yield r


async def fails_then_recovers(rig: Rig, message: str, clear: Callable[[], None]) -> str:
    """Scan under the fault, check the damage is contained, clear the fault, scan again."""
    kc = rig.kc
    result = await scan.run_tier(kc, "dynamic")
    assert result.status == "failed"
    pods = next(s for s in result.scopes if s.scope == "pods")
    assert pods.status == "failed"
    assert pods.error is not None and re.search(message, pods.error), pods.error
    row = await kc.store.scope(kc.cluster, "pods")
    assert row is not None and row.scan_status == "failed"
    assert row.error_message is not None and re.search(message, row.error_message)
    assert row.record_count == len(rig.before)
    assert await cached_pods(kc) == rig.before
    assert await kc.store.integrity_check() == "ok"
    history = await kc.store.scan_history(kc.cluster)
    assert any(h.get("table_name") == "pods" and h["status"] == "failed" for h in history)
    clear()
    again = await scan.run_tier(kc, "dynamic")
    assert again.status == "completed", again.summary()
    recovered = await kc.store.scope(kc.cluster, "pods")
    assert recovered is not None and recovered.scan_status == "completed"
    assert await cached_pods(kc) == {
        (p["metadata"]["namespace"], p["metadata"]["name"]) for p in rig.dc.list("pod")
    }
    return pods.error


async def test_server_errors_500(rig: Rig) -> None:
    rig.dc.faults.set(error_rate=1.0, error_codes="500", only_paths=r"/pods$")
    await fails_then_recovers(
        rig, r"an error on the server .* has prevented the request", rig.dc.faults.clear
    )


async def test_throttled_429(rig_slow: Rig) -> None:
    rig_slow.dc.faults.set(error_rate=1.0, error_codes="429", retry_after=0, only_paths=r"/pods$")
    await fails_then_recovers(rig_slow, r"too many requests", rig_slow.dc.faults.clear)
    assert rig_slow.dc.faults.counters.errors[429] >= 2


async def test_latency_beyond_the_timeout(rig: Rig) -> None:
    rig.dc.faults.set(latency=6, only_paths=r"/pods$")
    await fails_then_recovers(rig, r"pods_list did not answer within 3s", rig.dc.faults.clear)


async def test_dropped_connection(rig: Rig) -> None:
    rig.dc.faults.set(drop_rate=1.0, only_paths=r"/pods$")
    await fails_then_recovers(rig, r"unexpected EOF", rig.dc.faults.clear)


async def test_malformed_api_output(rig: Rig) -> None:
    async def garbage(request: Request) -> Response | None:
        if request.method == "GET" and request.url.path.endswith("/pods"):
            return Response(
                b'{"kind":"PodList","apiVersion":"v1","items":[{"metadata":{', media_type="application/json"
            )
        return None

    rig.dc.add_hook(garbage)
    await fails_then_recovers(rig, r"json parse error", lambda: rig.dc.remove_hook(garbage))


async def test_access_review_denied_narrows_and_is_caught(rig: Rig) -> None:
    rig.dc.access.deny("list", "pods", "")
    error = await fails_then_recovers(rig, r"^partial: .*boutique", rig.dc.access.clear)
    assert "access review" in error


# --- the MCP server dies -------------------------------------------------------------------


async def kill_mid_scan(rig: Rig) -> scan.TierResult:
    pids = mcp_server_pids()
    assert len(pids) == 1, pids
    # Slow the pod list down so that the kill lands while the scan is in flight.
    rig.dc.faults.set(latency=2, only_paths=r"/pods$")

    async def killer() -> None:
        await asyncio.sleep(0.7)
        os.kill(pids[0], signal.SIGKILL)

    killing: Awaitable[None] = asyncio.create_task(killer())
    result = await scan.run_tier(rig.kc, "dynamic")
    await killing
    rig.dc.faults.clear()
    return result


async def test_mcp_server_killed_mid_scan_fails_cleanly(rig: Rig) -> None:
    kc = rig.kc
    result = await kill_mid_scan(rig)
    assert result.status == "failed"
    pods = next(s for s in result.scopes if s.scope == "pods")
    assert pods.status == "failed"
    assert pods.error is not None and "MCP server" in pods.error and "pods_list" in pods.error
    assert "Connection closed" in pods.error or "died" in pods.error
    row = await kc.store.scope(kc.cluster, "pods")
    assert row is not None and row.scan_status == "failed" and row.record_count == len(rig.before)
    assert await cached_pods(kc) == rig.before
    assert await kc.store.integrity_check() == "ok"


async def test_scan_after_mcp_server_killed_recovers(rig: Rig) -> None:
    await kill_mid_scan(rig)
    again = await scan.run_tier(rig.kc, "dynamic")
    assert again.status == "completed", again.summary()
    assert rig.kc.mcp.reconnects >= 1
    assert len(mcp_server_pids()) == 1
    assert await cached_pods(rig.kc) == {
        (p["metadata"]["namespace"], p["metadata"]["name"]) for p in rig.dc.list("pod")
    }


# --- one bad row never fails a scope --------------------------------------------------------


def twin_events(dc: DevCluster) -> tuple[str, str]:
    """Two events alike in reason, object, message and time: only their names differ."""
    pod = dc.list("pod", "boutique")[0]["metadata"]["name"]
    names = (f"{pod}.twin-a", f"{pod}.twin-b")
    for name in names:
        dc.apply(
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": name, "namespace": "boutique"},
                "involvedObject": {"kind": "Pod", "name": pod, "namespace": "boutique"},
                "reason": "Unhealthy",
                "message": "Readiness probe failed: connection refused",
                "type": "Warning",
                "firstTimestamp": "2026-11-28T19:01:43Z",
                "lastTimestamp": "2026-11-28T19:01:43Z",
                "count": 1,
            }
        )
    return names


async def test_events_alike_but_for_their_names_are_both_cached(
    devcluster: DevCluster, tmp_path: Path
) -> None:
    twins = twin_events(devcluster)
    async for rig in open_rig(devcluster, tmp_path):
        kc = rig.kc
        events = await kc.store.query(kc.cluster, "event", namespace="boutique")
        assert set(twins) <= {e.name for e in events.items}
        served = {(e["metadata"]["namespace"], e["metadata"]["name"]) for e in devcluster.list("event")}
        cached = {(e.namespace, e.name) for e in (await kc.store.query(kc.cluster, "event")).items}
        assert cached == served
        row = await kc.store.scope(kc.cluster, "events")
        assert row is not None and row.scan_status == "completed" and row.error_message is None


async def test_a_bad_row_is_skipped_counted_and_reported(rig: Rig) -> None:
    kc, dc = rig.kc, rig.dc
    pods = dc.list("pod")
    nameless = {**pods[0], "metadata": {k: v for k, v in pods[0]["metadata"].items() if k != "name"}}

    async def one_bad_row(request: Request) -> Response | None:
        if request.method == "GET" and request.url.path == "/api/v1/pods":
            body = {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": [*pods, nameless]}
            return Response(json.dumps(body), media_type="application/json")
        return None

    dc.add_hook(one_bad_row)
    result = await scan.run_tier(kc, "dynamic")
    dc.remove_hook(one_bad_row)
    scope = next(s for s in result.scopes if s.scope == "pods")
    assert scope.status == "completed" and scope.count == len(pods)
    assert len(scope.skipped_rows) == 1 and "metadata.name" in scope.skipped_rows[0]
    assert result.summary()["skipped_rows"] == {"pods": 1}
    row = await kc.store.scope(kc.cluster, "pods")
    assert row is not None and row.scan_status == "completed"
    assert row.error_message is not None and row.error_message.startswith("skipped 1 bad row(s)")
    assert await cached_pods(kc) == rig.before


# --- the first scan under a denied access review ---------------------------------------------


async def test_a_first_scan_narrowed_by_a_denied_review_is_failed_not_cached_as_the_cluster(
    devcluster: DevCluster, tmp_path: Path
) -> None:
    dc = devcluster
    dc.access.deny("list", "pods", "")
    assert dc.kubeconfig is not None
    settings = Settings.from_env(
        {
            "CACHE_DB_PATH": str(tmp_path / "cache.db"),
            "KUBECONFIG": str(dc.kubeconfig),
            "SCANNER_TIMEOUT": "10",
        },
        dotenv_path=tmp_path / "absent.env",
    )
    async with runtime.open(settings) as kc:
        assert await kc.store.scopes(kc.cluster) == []  # an empty database
        for tier in ("static", "dynamic"):
            result = await scan.run_tier(kc, tier)
        assert result.status == "failed"
        pods = next(s for s in result.scopes if s.scope == "pods")
        assert pods.status == "failed" and pods.error is not None
        assert re.search(
            r"^partial: .*covered 1 namespaces \(default\) but 'kube-system' still holds \d+; "
            r"not shown: .*boutique",
            pods.error,
        )
        assert "access review" in pods.error
        row = await kc.store.scope(kc.cluster, "pods")
        assert row is not None and row.scan_status == "failed" and row.error_message == pods.error
        assert row.last_success_at is None
        # What the narrowed list did show is right, and cached; what it did not is unknown, not empty.
        assert await cached_pods(kc) == {
            (p["metadata"]["namespace"], p["metadata"]["name"]) for p in dc.list("pod", "default")
        }
        boutique = await kc.store.query(kc.cluster, "pod", namespace="boutique")
        assert boutique.items == [] and boutique.freshness == "missing"
        # Nor is default's share ever fresh: a cluster-wide read would take it for the cluster.
        assert (await kc.store.query(kc.cluster, "pod")).freshness == "stale"
        # Once the review is allowed again, the next scan covers the cluster.
        dc.access.clear()
        again = await scan.run_tier(kc, "dynamic")
        assert again.status == "completed", again.summary()
        assert await cached_pods(kc) == {
            (p["metadata"]["namespace"], p["metadata"]["name"]) for p in dc.list("pod")
        }


# --- a constant 429 -------------------------------------------------------------------------


async def test_a_constant_429_costs_a_bounded_number_of_requests(
    devcluster: DevCluster, tmp_path: Path
) -> None:
    """kcache's retries do not stack on the MCP server's: the scan's retry time is SCANNER_TIMEOUT.

    Each pods_list under a constant 429 is about 22 requests over 20 s inside
    kubernetes-mcp-server (client-go retries its access review and its list ten times each,
    a second apart). Three scopes run at once; their failures spend the 30 s budget, and the
    scan makes no further call once a throttled call is out of retries.
    """
    dc = devcluster
    assert dc.kubeconfig is not None
    settings = Settings.from_env(
        {
            "CACHE_DB_PATH": str(tmp_path / "cache.db"),
            "KUBECONFIG": str(dc.kubeconfig),
            "SCANNER_TIMEOUT": "30",
            "SCANNER_RETRIES": "2",
            "SCANNER_MAX_CONCURRENT": "3",
        },
        dotenv_path=tmp_path / "absent.env",
    )
    received: list[str] = []

    async def count(request: Request) -> Response | None:
        received.append(request.url.path)
        return None

    async with runtime.open(settings) as kc:
        dc.api.hooks.insert(0, count)  # before the fault hook, which answers without passing on
        dc.faults.set(error_rate=1.0, error_codes="429", retry_after=1)
        result = await scan.run_tier(kc, "dynamic")
        dc.faults.clear()
        throttled = dc.faults.counters.errors.get(429, 0)
        dc.api.hooks.remove(count)
        assert result.status == "failed"
        assert all(s.status in ("failed", "skipped") for s in result.scopes)
        refused = [
            s for s in result.scopes if s.error and "not scanned: the API server kept throttling" in s.error
        ]
        called = [s for s in result.scopes if s.error and "too many requests" in s.error and s not in refused]
        assert 1 <= len(called) <= 3 and len(called) + len(refused) == len(
            [s for s in result.scopes if s.status == "failed"]
        )
        assert refused and all("SCANNER_TIMEOUT=30s" in s.error for s in refused if s.error)
        # Every failed call spends at least 10 s of the 30 s budget, three at once: at most six
        # calls of up to 22 requests. Retries stacked on client-go's sent over 600.
        calls = sum(int(row["usage_count"]) for row in await kc.store.tool_usage())
        assert len(called) <= calls <= 6, calls
        assert throttled <= 6 * 22 and len(received) <= 6 * 22 + 10, (throttled, len(received))


# --- a read-through refresh and a tier scan -------------------------------------------------


class WatchedLock(asyncio.Lock):
    """The scan lock, saying when someone had to wait for it."""

    def __init__(self) -> None:
        super().__init__()
        self.waited = False

    async def acquire(self) -> Literal[True]:
        if self.locked():
            self.waited = True
        return await super().acquire()


async def test_a_read_through_refresh_waits_for_a_running_tier_scan(rig: Rig) -> None:
    kc, dc = rig.kc, rig.dc
    lock = WatchedLock()
    kc.scan_lock = lock
    finished: list[str] = []
    # The tier's all-namespaces pod list hangs; the read-through's namespaced one would not.
    dc.faults.set(hang=True, only_paths=r"^/api/v1/pods$")
    tier = asyncio.create_task(scan.run_tier(kc, "dynamic"))
    tier.add_done_callback(lambda _: finished.append("tier scan"))
    while dc.faults.counters.hangs == 0:
        await asyncio.sleep(0.05)
    read = asyncio.create_task(scan.refresh_scopes(kc, [("pod", "boutique")], timeout=60))
    read.add_done_callback(lambda _: finished.append("read-through"))
    # Until the read-through either waits on the lock or (if it did not wait) finishes.
    while not lock.waited and not read.done():
        await asyncio.sleep(0.05)
    dc.faults.clear()
    tier_result, read_result = await tier, await read
    assert finished == ["tier scan", "read-through"]
    assert tier_result.status == "completed" and [r.status for r in read_result] == ["completed"]
    history = {h["table_name"]: h for h in await kc.store.scan_history(kc.cluster)}
    assert history["pods/boutique"]["started_at"] >= history["tier:dynamic"]["finished_at"]


def test_the_cli_after_a_narrowed_first_refresh(
    devcluster: DevCluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What a user saw: `refresh` exit 0, `health` healthy, and "0 pods" in boutique from the cache."""
    dc = devcluster
    assert dc.kubeconfig is not None
    dc.access.deny("list", "pods", "")
    kube = dc.kubeconfig

    def kcache(*args: str) -> subprocess.CompletedProcess[str]:
        return kcache_in_process(monkeypatch, capsys, tmp_path, kube, *args, LOG_LEVEL="ERROR")

    refreshed = kcache("refresh", "--once")
    assert refreshed.returncode == 1 and "pods: partial:" in refreshed.stdout, refreshed.stdout
    health = kcache("health")
    assert health.returncode == 1 and "unhealthy" in health.stdout
    answer = kcache("ask", "list pods in boutique").stdout
    assert "There are 12 pods in namespace boutique" in answer, answer
    assert {p["metadata"]["name"] for p in dc.list("pod", "boutique")} <= set(answer.split())
    # Cluster-wide, the cache and a live call are narrowed alike: the answer says it cannot tell.
    everywhere = kcache("ask", "list all pods in all namespaces", "--json")
    record = json.loads(everywhere.stdout)
    assert record["outcome"] == "error" and "incomplete" in record["answer"], record
    assert not record["answered_from_cache"] and not record["executed"]
