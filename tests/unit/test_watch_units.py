"""The pieces of the watch-fed tier that need no cluster: batch writes, staleness, settings, paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from kcache.errors import ConfigError, SecretLeakError
from kcache.kinds import TIERS
from kcache.model import Resource
from kcache.settings import Settings
from kcache.store import Store
from kcache.watch import polled_tiers, stale_scopes
from kcache.watch.api import collection_path


class Clock:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


def pod(name: str, **labels: str) -> Resource:
    return Resource(
        kind="pod",
        namespace="shop",
        name=name,
        labels=labels,
        fields={"status": "Running", "phase": "Running", "node_name": "n1", "containers": [], "restarts": 0},
    )


@pytest.fixture
async def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    clock = Clock()
    async with Store(tmp_path / "cache.db", clock=clock) as s:
        s.test_clock = clock  # type: ignore[attr-defined]
        yield s


async def test_a_batch_upserts_deletes_and_keeps_the_scope_fresh(store: Store) -> None:
    clock: Clock = store.test_clock  # type: ignore[attr-defined]
    await store.replace("c", "pod", [pod("a", app="x"), pod("b", app="x")], ttl_s=10, tier="dynamic")
    clock.t += 8
    await store.apply_changes(
        "c", "pod", [pod("a", app="y"), pod("c", app="x")], [("shop", "b")], ttl_s=10, record_count=2
    )
    found = await store.query("c", "pod")
    assert sorted(p.name for p in found.items) == ["a", "c"]
    assert [p.name for p in (await store.query("c", "pod", labels=[("app", "y")])).items] == ["a"]
    assert [p.name for p in (await store.query("c", "pod", labels=[("app", "x")])).items] == ["c"]
    scope = await store.scope("c", "pods")
    assert scope is not None and scope.record_count == 2 and scope.scan_status == "completed"
    assert scope.expires_at == pytest.approx(clock.t + 10)
    clock.t += 5
    # "a" and "c" were rewritten 5 s ago; an untouched row would have expired with the list.
    assert (await store.query("c", "pod")).fresh


async def test_refresh_rows_moves_every_rows_expiry_forward(store: Store) -> None:
    clock: Clock = store.test_clock  # type: ignore[attr-defined]
    await store.replace("c", "pod", [pod("a"), pod("b")], ttl_s=10, tier="dynamic")
    await store.replace("c", "configmap", [], ttl_s=10, tier="dynamic")
    clock.t += 8
    await store.apply_changes("c", "pod", [], [], ttl_s=10, record_count=2)
    clock.t += 4
    assert (await store.query("c", "pod")).freshness == "stale"
    await store.apply_changes("c", "pod", [], [], ttl_s=10, record_count=2, refresh_rows=True)
    clock.t += 9
    assert (await store.query("c", "pod")).fresh
    assert store.generation == 2  # the two replaces; batches without changes change nothing


async def test_a_batch_refuses_a_secret_value(store: Store) -> None:
    leaked = Resource(kind="secret", namespace="shop", name="db", fields={"data": {"password": "x"}})
    with pytest.raises(SecretLeakError):
        await store.apply_changes("c", "secret", [leaked], [], ttl_s=10, record_count=1)
    assert (await store.query("c", "secret")).items == []


async def test_stale_scopes_names_expired_missing_and_failed_watched_scopes(store: Store) -> None:
    clock: Clock = store.test_clock  # type: ignore[attr-defined]
    for kind in TIERS["dynamic"]:
        await store.replace("c", kind, [], ttl_s=10, tier="dynamic")
    assert stale_scopes(await store.scopes("c"), clock.t) == {}
    await store.apply_changes("c", "pod", [], [], ttl_s=30, record_count=0)
    clock.t += 11
    stale = stale_scopes(await store.scopes("c"), clock.t)
    assert "pods" not in stale and stale["deployments"].startswith("stale for 1s")
    await store.mark_scope("c", "events", "failed", tier="dynamic", error="watch broken: 403")
    stale = stale_scopes(await store.scopes("c"), clock.t)
    assert stale["events"].endswith("watch broken: 403")
    assert stale_scopes([], clock.t)["pods"] == "never listed by a watch"


def test_scanner_mode_is_poll_or_watch(tmp_path: Path) -> None:
    env = {"CACHE_DB_PATH": str(tmp_path / "c.db")}
    assert Settings.from_env(env).scanner_mode == "poll"
    watch = Settings.from_env({**env, "SCANNER_MODE": "watch"})
    assert watch.scanner_mode == "watch"
    assert polled_tiers(watch, TIERS) == ["static"]
    assert polled_tiers(Settings.from_env(env), TIERS) == ["static", "dynamic"]
    with pytest.raises(ConfigError, match="SCANNER_MODE='often'"):
        Settings.from_env({**env, "SCANNER_MODE": "often"})


def test_collection_paths_come_from_the_kinds_table() -> None:
    assert collection_path("pod") == "/api/v1/pods"
    assert collection_path("deployment") == "/apis/apps/v1/deployments"
    assert collection_path("ingress") == "/apis/networking.k8s.io/v1/ingresses"
    assert collection_path("endpoints") == "/api/v1/endpoints"
