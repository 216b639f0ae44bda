import asyncio
import os
import sqlite3
from pathlib import Path

import pytest
import yaml

from kcache.errors import SecretLeakError, StoreError
from kcache.model import Resource
from kcache.store import Store, cipher, sql
from tests.support.sqlite_files import corrupt_a_middle_page

DEMO = Path(__file__).resolve().parents[2] / "devcluster" / "clusters" / "demo"
if not DEMO.is_dir():
    DEMO = Path("/work/shared/fixtures/clusters/demo")


class Clock:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


def pod(name: str, ns: str = "boutique", **labels: str) -> Resource:
    return Resource(
        kind="pod",
        namespace=ns,
        name=name,
        labels=labels or {"app": name.split("-")[0]},
        owner_kind="replicaset",
        owner_name=name.rsplit("-", 1)[0],
        fields={"status": "Running", "phase": "Running", "node_name": "n1", "containers": [], "restarts": 0},
    )


KEY = "a 'quoted' passphrase"


@pytest.fixture(params=[None, KEY], ids=["plain", "encrypted"])
async def store(tmp_path: Path, request: pytest.FixtureRequest):
    """Every test of a store runs on a plain file and on one encrypted with CACHE_DB_KEY."""
    clock = Clock()
    async with Store(tmp_path / "sub" / "cache.db", clock=clock, key=request.param) as s:
        s.test_clock = clock  # type: ignore[attr-defined]
        s.test_key = request.param  # type: ignore[attr-defined]
        yield s


def raw(store: Store, **kwargs: object) -> sqlite3.Connection:
    """Another connection to the store's file, as another process would open it."""
    return cipher.connect(store.path, store.test_key, **kwargs)  # type: ignore[attr-defined,arg-type]


async def test_file_created_0600_in_new_folder_with_spec_schema(store: Store) -> None:
    assert store.path.parent.is_dir()
    assert (os.stat(store.path).st_mode & 0o777) == 0o600
    con = raw(store)
    cols = {r[1] for r in con.execute("PRAGMA table_info(pods)")}
    assert {
        "cluster_name",
        "namespace",
        "name",
        "status",
        "phase",
        "node_name",
        "labels",
        "containers",
        "created_at",
        "updated_at",
        "ttl_expires_at",
    } <= cols
    idx = [r for r in con.execute("PRAGMA index_list(tool_usage_stats)") if r[2] == 1]
    assert any("tool_name" in [c[2] for c in con.execute(f"PRAGMA index_info({r[1]})")] for r in idx)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    assert await store.schema_version() == len(sql.MIGRATIONS)


async def test_new_folders_are_created_0700(tmp_path: Path) -> None:
    async with Store(tmp_path / "a" / "b" / "cache.db"):
        pass
    assert (os.stat(tmp_path / "a").st_mode & 0o777) == 0o700
    assert (os.stat(tmp_path / "a" / "b").st_mode & 0o777) == 0o700


async def test_a_folder_as_the_database_path_is_refused_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    with pytest.raises(StoreError, match="is a directory, not a regular file"):
        await Store(folder).open()
    assert (os.stat(folder).st_mode & 0o777) == 0o755
    assert list(folder.iterdir()) == []


async def test_a_symlink_as_the_database_path_is_refused_and_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("not the cache")
    target.chmod(0o644)
    link = tmp_path / "cache.db"
    link.symlink_to(target)
    with pytest.raises(StoreError, match="is a symlink, not a regular file"):
        await Store(link).open()
    assert (os.stat(target).st_mode & 0o777) == 0o644
    assert target.read_text() == "not the cache"
    # A dangling symlink is not created through either.
    dangling = tmp_path / "dangling.db"
    dangling.symlink_to(tmp_path / "missing.db")
    with pytest.raises(StoreError, match="symlink"):
        await Store(dangling).open()
    assert not (tmp_path / "missing.db").exists()


async def test_an_existing_file_is_reset_to_0600(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    async with Store(path):
        pass
    path.chmod(0o644)
    async with Store(path):
        pass
    assert (os.stat(path).st_mode & 0o777) == 0o600


async def test_a_file_that_is_not_sqlite_fails_with_store_error(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    path.write_bytes(b"this is not a database" * 400)
    store = Store(path)
    with pytest.raises(StoreError, match="file is not a database"):
        await store.open()
    assert store._writer is None and store._all_readers == []


async def test_integrity_check_reports_a_corrupt_page_instead_of_raising(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    async with Store(path) as s:
        await s.replace("c", "pod", [pod(f"web-1-{i:04d}") for i in range(2000)], ttl_s=60)
    corrupt_a_middle_page(path)
    async with Store(path) as s:
        result = await s.integrity_check()
        assert result != "ok" and "malformed" in result
        with pytest.raises(StoreError, match="malformed"):
            await s.query("c", "pod")


async def test_migrations_apply_once_and_upgrade_keeps_data(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "c.db"
    shipped = sql.MIGRATIONS
    # A database made by the first release (schema version 1)...
    monkeypatch.setattr(sql, "MIGRATIONS", shipped[:1])
    async with Store(path) as s:
        await s.replace("c", "pod", [pod("a-1-x", app="web"), pod("b-1-x", app="db")], ttl_s=60)
        assert await s.schema_version() == 1
    # ...upgraded by this one: labels move to the clustered table, lookups keep working.
    monkeypatch.setattr(sql, "MIGRATIONS", shipped)
    async with Store(path) as s:
        assert await s.schema_version() == len(shipped)
        assert [p.name for p in (await s.query("c", "pod", labels=[("app", "db")])).items] == ["b-1-x"]
    extra = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('v')"
    monkeypatch.setattr(sql, "MIGRATIONS", (*shipped, extra))
    async with Store(path) as s:
        assert await s.schema_version() == len(shipped) + 1
        assert len((await s.query("c", "pod")).items) == 2
    async with Store(path) as s:  # reopening applies nothing twice
        info = await s.info()
        assert info["tables"]["notes"] == 1


async def test_failed_migration_rolls_back_with_its_version(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "c.db"
    async with Store(path):
        pass
    monkeypatch.setattr(
        sql, "MIGRATIONS", (*sql.MIGRATIONS, "CREATE TABLE half (x INTEGER); SELECT nope FROM nowhere")
    )
    with pytest.raises(StoreError):
        async with Store(path):
            pass
    con = sqlite3.connect(path)
    assert con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == len(sql.MIGRATIONS) - 1
    assert con.execute("SELECT COUNT(*) FROM sqlite_master WHERE name='half'").fetchone()[0] == 0


async def test_ttl_freshness_is_reported_and_never_stale_as_fresh(store: Store) -> None:
    clock = store.test_clock  # type: ignore[attr-defined]
    assert (await store.query("c", "pod")).freshness == "missing"
    await store.replace("c", "pod", [pod("web-1-aaaaa")], ttl_s=300)
    got = await store.query("c", "pod", name="web-1-aaaaa")
    assert got.freshness == "fresh" and got.items[0].name == "web-1-aaaaa"
    clock.t += 299.9
    assert (await store.query("c", "pod")).freshness == "fresh"
    clock.t += 0.2
    stale = await store.query("c", "pod")
    assert stale.freshness == "stale" and stale.items and stale.age_s == pytest.approx(300.1, abs=0.01)
    # An empty scope is fresh only while its completed scan is.
    await store.replace("c", "deployment", [], ttl_s=10)
    assert (await store.query("c", "deployment")).freshness == "fresh"
    clock.t += 11
    assert (await store.query("c", "deployment")).freshness == "stale"


async def test_invalidate_makes_scope_stale(store: Store) -> None:
    await store.replace("c", "pod", [pod("a-1-x", "ns1"), pod("b-1-x", "ns2")], ttl_s=300)
    await store.invalidate("c", "pod", "ns1")
    assert (await store.query("c", "pod", namespace="ns1")).freshness == "stale"
    assert (await store.query("c", "pod", namespace="ns2")).freshness == "fresh"
    await store.replace("c", "configmap", [Resource(kind="configmap", namespace="ns1", name="x")], ttl_s=300)
    await store.invalidate("c", "configmap")
    assert (await store.query("c", "configmap")).freshness == "stale"


async def test_lookups_by_name_prefix_label_owner(store: Store) -> None:
    pods = [pod(f"web-{i}-abcde", "ns1" if i % 2 else "ns2", app="web", tier=str(i % 3)) for i in range(30)]
    pods.append(pod("api-1-zzzzz", "ns1", app="api"))
    await store.replace("c", "pod", pods, ttl_s=300)
    assert {p.name for p in (await store.query("c", "pod", prefix="web-1")).items} == {
        "web-1-abcde",
        *(f"web-{i}-abcde" for i in range(10, 20)),
    }
    got = await store.query("c", "pod", labels=[("app", "web"), ("tier", "1")], namespace="ns1")
    assert {p.name for p in got.items} == {f"web-{i}-abcde" for i in range(30) if i % 2 and i % 3 == 1}
    assert [p.name for p in (await store.query("c", "pod", owners=["api-1"])).items] == ["api-1-zzzzz"]
    # Workload → ReplicaSet → pods
    rs = Resource(kind="replicaset", namespace="ns1", name="api-1", owner_kind="deployment", owner_name="api")
    await store.replace("c", "replicaset", [rs], ttl_s=300)
    assert [p.name for p in (await store.pods_of("c", "api")).items] == ["api-1-zzzzz"]


async def test_failed_write_rolls_back_whole(store: Store) -> None:
    await store.replace("c", "pod", [pod("keep-1-aaaaa")], ttl_s=300)
    bad = [pod("new-1-aaaaa"), pod("new-1-aaaaa")]  # duplicate key violates UNIQUE mid-insert
    with pytest.raises(StoreError):
        await store.replace("c", "pod", bad, ttl_s=300)
    assert [p.name for p in (await store.query("c", "pod")).items] == ["keep-1-aaaaa"]
    with pytest.raises(RuntimeError):
        async with store.transaction() as conn:
            await conn.execute("DELETE FROM pods")
            raise RuntimeError("boom")
    assert len((await store.query("c", "pod")).items) == 1


async def test_partial_replace_keeps_other_namespaces_and_marks_failed(store: Store) -> None:
    await store.replace("c", "pod", [pod("a-1-x", "ns1"), pod("b-1-x", "ns2")], ttl_s=300)
    await store.replace(
        "c",
        "pod",
        [pod("c-1-x", "ns1")],
        ttl_s=300,
        namespaces=["ns1"],
        partial_error="partial: saw 1 of 2 namespaces",
    )
    assert sorted(p.name for p in (await store.query("c", "pod")).items) == ["b-1-x", "c-1-x"]
    scope = await store.scope("c", "pods")
    assert scope is not None and scope.scan_status == "failed" and "partial" in (scope.error_message or "")


# Plain only: SQLCipher changes how pages are written, not how a transaction is seen, and every
# connection the store opens here is opened keyed by the encrypted runs of the other tests.
@pytest.mark.parametrize("store", [None], ids=["plain"], indirect=True)
async def test_atomic_replace_under_concurrent_readers(store: Store) -> None:
    # 2,000 rows: a replace under twenty readers still takes long enough for many reads to
    # overlap it (more than with 10,000, whose reads each hold the GIL longer).
    rows = 2_000
    old = [pod(f"old-{i}-aaaaa", f"ns{i % 4}") for i in range(rows)]
    new = [pod(f"new-{i}-bbbbb", f"ns{i % 4}") for i in range(rows)]
    await store.replace("c", "pod", old, ttl_s=300)
    seen: list[set[str]] = []
    stop = asyncio.Event()

    async def reader() -> None:
        while not stop.is_set():
            got = await store.query("c", "pod")
            seen.append({p.name.split("-")[0] for p in got.items} | {f"n={len(got.items)}"})
            await asyncio.sleep(0)

    readers = [asyncio.create_task(reader()) for _ in range(20)]
    await asyncio.sleep(0.05)
    await store.replace("c", "pod", new, ttl_s=300)
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(*readers)
    assert seen
    for s in seen:
        assert s in ({"old", f"n={rows}"}, {"new", f"n={rows}"}), s
    assert {"new", f"n={rows}"} in seen


def demo_secrets() -> list[dict]:
    out = []
    for f in sorted(DEMO.glob("*.yaml")):
        out += [d for d in yaml.safe_load_all(f.read_text()) if d and d.get("kind") == "Secret"]
    return out


async def test_secret_values_never_reach_the_file(store: Store) -> None:
    secrets = demo_secrets()
    assert len(secrets) >= 4
    for s in secrets:
        leaky = Resource(
            kind="secret",
            namespace=s["metadata"].get("namespace", "default"),
            name=s["metadata"]["name"],
            fields={"type": s.get("type"), "data": s["stringData"]},
        )
        with pytest.raises(SecretLeakError):
            await store.replace("c", "secret", [leaky], ttl_s=60)
    safe = [
        Resource(
            kind="secret",
            namespace=s["metadata"].get("namespace", "default"),
            name=s["metadata"]["name"],
            fields={"type": s.get("type", "Opaque"), "keys": sorted(s["stringData"])},
        )
        for s in secrets
    ]
    await store.replace("c", "secret", safe, ttl_s=60)
    got = await store.query("c", "secret")
    assert sorted(r.name for r in got.items) == sorted(s["metadata"]["name"] for s in secrets)
    for suffix in ("", "-wal", "-shm"):
        f = Path(f"{store.path}{suffix}")
        if f.exists():
            assert b"CANARY-SECRET" not in f.read_bytes()


async def test_tools_usage_audit_and_turns(store: Store) -> None:
    await store.replace_tools("srv", [{"name": "pods_list", "description": "d", "read_only": 1}])
    await store.replace_tools("srv2", [{"name": "get_pods"}])
    rows = await store.load_tools()
    assert [(r["name"], r["server"]) for r in rows] == [("get_pods", "srv2")]
    await store.record_tool_usage("get_pods", ok=True, duration_ms=10)
    await store.record_tool_usage("get_pods", ok=False, duration_ms=30)
    (u,) = await store.tool_usage()
    assert (u["usage_count"], u["success_count"], u["error_count"]) == (2, 1, 1)
    assert u["avg_response_time"] == pytest.approx(20)
    await store.audit(
        tool="pods_delete",
        arguments={"name": "x"},
        status="ok",
        cluster="c",
        identity="ctx/user",
        writes=True,
        approved_by="cli",
        approved_at=store.now(),
    )
    (a,) = await store.audit_log()
    assert a["tool"] == "pods_delete" and a["approved_by"] == "cli" and a["writes"] == 1
    with pytest.raises(StoreError):
        await store.record_turn({"bogus": 1})  # type: ignore[typeddict-unknown-key]


async def test_db_info_counts(store: Store) -> None:
    await store.replace("c", "pod", [pod("a-1-x")], ttl_s=60)
    info = await store.info()
    assert info["tables"]["pods"] == 1 and info["schema_version"] == len(sql.MIGRATIONS)
    assert info["size_bytes"] > 0
    assert await store.integrity_check() == "ok"


def namespace(name: str, uid: str) -> Resource:
    return Resource(kind="namespace", name=name, fields={"status": "Active", "uid": uid})


async def test_a_partition_is_bound_to_its_api_server(store: Store, tmp_path: Path) -> None:
    await store.claim_cluster("dev", api_server="https://127.0.0.1:1111")
    await store.replace("dev", "pod", [pod("web-1-x")], ttl_s=60)
    # The same cluster claims again freely, in this process or another.
    await store.claim_cluster("dev", api_server="https://127.0.0.1:1111")
    async with Store(store.path, key=store.test_key) as other:
        with pytest.raises(StoreError) as err:
            await other.claim_cluster("dev", api_server="https://127.0.0.1:2222")
        assert "https://127.0.0.1:1111" in str(err.value) and "https://127.0.0.1:2222" in str(err.value)
        # Refused means unchanged: the recorded identity is still the first one.
        assert (await other.cluster_identity("dev")) == {
            "api_server": "https://127.0.0.1:1111",
            "kube_system_uid": None,
        }


async def test_kube_system_uid_is_learnt_from_the_namespace_scan_and_then_enforced(store: Store) -> None:
    await store.claim_cluster("dev", api_server="https://k:6443")
    await store.replace(
        "dev", "namespace", [namespace("default", "u-1"), namespace("kube-system", "u-ks")], ttl_s=60
    )
    assert (await store.cluster_identity("dev")) == {
        "api_server": "https://k:6443",
        "kube_system_uid": "u-ks",
    }
    await store.claim_cluster("dev", api_server="https://k:6443", kube_system_uid="u-ks")
    with pytest.raises(StoreError, match="u-ks"):
        await store.claim_cluster("dev", api_server="https://k:6443", kube_system_uid="u-other")
    await store.replace("dev", "pod", [pod("web-1-x")], ttl_s=60)
    # Same URL, another cluster (recreated behind the address): its scan is refused, and from
    # then on this process serves none of the old rows.
    with pytest.raises(StoreError, match="u-other"):
        await store.replace("dev", "namespace", [namespace("kube-system", "u-other")], ttl_s=60)
    with pytest.raises(StoreError, match="another cluster under the same name"):
        await store.query("dev", "pod")
    with pytest.raises(StoreError):
        await store.names("dev", ["pod"])
    # The refused scan changed nothing.
    con = raw(store)
    assert con.execute("SELECT COUNT(*) FROM namespaces WHERE cluster_name='dev'").fetchone()[0] == 2
    con.close()


async def test_an_unclaimed_partition_keeps_working_without_identity(store: Store) -> None:
    await store.replace("c", "namespace", [namespace("kube-system", "u-ks")], ttl_s=60)
    assert await store.cluster_identity("c") is None
    assert [r.name for r in (await store.query("c", "namespace")).items] == ["kube-system"]


async def test_scope_reads_see_this_stores_writes_and_another_process(store: Store) -> None:
    await store.replace("c", "pod", [pod("web-1-x")], ttl_s=60, tier="dynamic")
    first = await store.scope("c", "pods")
    assert first is not None and first.scan_status == "completed" and first.record_count == 1
    assert [s.table_name for s in await store.scopes("c")] == ["pods"]
    await store.mark_scope("c", "pods", "running", tier="dynamic")
    assert (await store.scope("c", "pods")).scan_status == "running"  # type: ignore[union-attr]
    # Another process writing the same file is seen on the next read.
    other = raw(store, isolation_level=None)
    other.execute("UPDATE cache_metadata SET scan_status = 'failed', error_message = 'boom'")
    other.execute(
        "INSERT INTO cache_metadata (table_name, cluster_name, scan_status) VALUES ('nodes', 'c', 'pending')"
    )
    other.close()
    seen = await store.scope("c", "pods")
    assert seen is not None and (seen.scan_status, seen.error_message) == ("failed", "boom")
    assert [s.table_name for s in await store.scopes("c")] == ["nodes", "pods"]


async def test_an_empty_answer_turns_stale_when_another_process_invalidates(store: Store) -> None:
    await store.replace("c", "deployment", [], ttl_s=60)
    assert (await store.query("c", "deployment")).freshness == "fresh"
    async with Store(store.path, clock=store.clock, key=store.test_key) as other:
        await other.invalidate("c", "deployment")
    assert (await store.query("c", "deployment")).freshness == "stale"


async def test_small_reads_make_no_thread_hop_and_large_ones_one(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = [pod(f"web-1-{i:04d}", f"ns{i % 3}") for i in range(600)]
    await store.replace("c", "pod", many, ttl_s=60)
    await store.replace("c", "node", [Resource(kind="node", name="n1", fields={"status": "Ready"})], ttl_s=60)
    await store.upsert_cluster("c", version="v1", api_server="https://k", node_count=1, ttl_s=60)
    hops: list[object] = []
    real = asyncio.to_thread

    async def counted(fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        hops.append(fn)
        return await real(fn, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counted)
    assert (await store.scope("c", "pods")).record_count == 600  # type: ignore[union-attr]
    assert len(await store.scopes("c")) == 2
    assert (await store.cluster("c"))["api_server"] == "https://k"  # type: ignore[index]
    assert [p.name for p in (await store.query("c", "pod", namespace="ns0", name="web-1-0000")).items] == [
        "web-1-0000"
    ]
    assert len((await store.query("c", "pod", namespace="ns1")).items) == 200
    assert len((await store.query("c", "pod", prefix="web-1-00", limit=50)).items) == 50
    assert [n.name for n in (await store.query("c", "node")).items] == ["n1"]
    assert hops == []
    # Every pod of the cluster (more than INLINE_READ_ROWS rows): off the loop, in one hop
    # (after the first read opened its pooled connection).
    assert len((await store.query("c", "pod")).items) == 600
    hops.clear()
    assert len((await store.query("c", "pod")).items) == 600
    assert len(hops) == 1


async def test_reads_work_where_the_loop_forbids_blocking_calls(store: Store) -> None:
    from blockbuster import BlockingError, blockbuster_ctx

    await store.replace("c", "pod", [pod("web-1-x")], ttl_s=60)
    await store.upsert_cluster("c", version="v1", api_server="https://k", node_count=1, ttl_s=60)
    with blockbuster_ctx():
        # What langgraph dev enforces: no sqlite3 call on the event loop's thread...
        with pytest.raises(BlockingError):
            sqlite3.connect(":memory:").execute("SELECT 1")
        # ...so the store's short reads go to a worker thread and answer the same.
        assert (await store.scope("c", "pods")).record_count == 1  # type: ignore[union-attr]
        assert [p.name for p in (await store.query("c", "pod", namespace="boutique")).items] == ["web-1-x"]
        assert (await store.cluster("c"))["version"] == "v1"  # type: ignore[index]
        await store.mark_scope("c", "pods", "running")
        assert (await store.scope("c", "pods")).scan_status == "running"  # type: ignore[union-attr]
