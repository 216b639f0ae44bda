"""CACHE_DB_KEY end to end: `kcache refresh` then `kcache ask` on an encrypted cache."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from devcluster import DevCluster
from kcache.kubeconfig import read_identity
from kcache.store import Store
from tests.support.cli import CANARY, kcache

pytestmark = pytest.mark.integration

KEY = "s3cret-passphrase-for-the-cache"


def test_refresh_and_ask_through_an_encrypted_cache(devcluster_demo: DevCluster, tmp_path: Path) -> None:
    kube = devcluster_demo.kubeconfig
    assert kube is not None
    done = kcache(tmp_path, kube, "refresh", "--once", CACHE_DB_KEY=KEY)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "dynamic: completed" in done.stdout

    # Another process answers from the cache the first one wrote.
    asked = kcache(tmp_path, kube, "ask", "--json", "list pods in the boutique namespace", CACHE_DB_KEY=KEY)
    assert asked.returncode == 0, asked.stderr
    record = json.loads(asked.stdout)
    assert record["outcome"] == "answer" and record["answered_from_cache"] is True
    assert record["cache_hits"] >= 1 and record["executed"] is False

    # On disk: no SQLite header, no cluster data in clear, and plain sqlite3 cannot read it.
    db = tmp_path / "cache.db"
    for path in tmp_path.glob("cache.db*"):
        data = path.read_bytes()
        assert b"frontend-" not in data and b"boutique" not in data and CANARY not in data, path
    assert not db.read_bytes().startswith(b"SQLite format 3")
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(db).execute("SELECT count(*) FROM pods").fetchall()

    # health and db info say it is encrypted and never show the key.
    health = kcache(tmp_path, kube, "health", "--json", CACHE_DB_KEY=KEY)
    assert health.returncode == 0, health.stdout + health.stderr
    report = json.loads(health.stdout)
    assert report["database"]["integrity_check"] == "ok" and report["database"]["encrypted"] is True
    info = kcache(tmp_path, kube, "db", "info", CACHE_DB_KEY=KEY)
    assert info.returncode == 0, info.stderr
    assert "encrypted:      yes" in info.stdout
    config = kcache(tmp_path, kube, "config", CACHE_DB_KEY=KEY)
    for out in (done, asked, health, info, config):
        assert KEY not in out.stdout + out.stderr


def test_a_wrong_or_missing_key_stops_with_one_clear_error(
    devcluster_demo: DevCluster, tmp_path: Path
) -> None:
    kube = devcluster_demo.kubeconfig
    assert kube is not None
    done = kcache(tmp_path, kube, "refresh", "--once", "--tier", "static", CACHE_DB_KEY=KEY)
    assert done.returncode == 0, done.stdout + done.stderr
    db = tmp_path / "cache.db"

    wrong = kcache(tmp_path, kube, "ask", "list nodes", CACHE_DB_KEY="another-key")
    assert wrong.returncode == 2, wrong.stdout + wrong.stderr
    assert "StoreError" in wrong.stderr and "CACHE_DB_KEY" in wrong.stderr and str(db) in wrong.stderr
    assert "Traceback" not in wrong.stderr and "another-key" not in wrong.stderr and KEY not in wrong.stderr

    missing = kcache(tmp_path, kube, "ask", "list nodes")
    assert missing.returncode == 2, missing.stdout + missing.stderr
    assert "set CACHE_DB_KEY" in missing.stderr and str(db) in missing.stderr
    assert "Traceback" not in missing.stderr

    empty = kcache(tmp_path, kube, "ask", "list nodes", CACHE_DB_KEY="")
    assert empty.returncode == 2
    assert "ConfigError" in empty.stderr and "CACHE_DB_KEY is set but empty" in empty.stderr


async def test_the_store_reads_an_encrypted_refresh_on_every_path(
    devcluster_demo: DevCluster, tmp_path: Path
) -> None:
    kube = devcluster_demo.kubeconfig
    assert kube is not None
    done = kcache(tmp_path, kube, "refresh", "--once", CACHE_DB_KEY=KEY)
    assert done.returncode == 0, done.stdout + done.stderr
    cluster = read_identity(kube).context
    async with Store(tmp_path / "cache.db", key=KEY) as store:
        # The writer (aiosqlite) wrote it in another process; inline reads (one namespace)
        # and pooled off-loop reads (info, integrity) open it with the key here.
        assert len((await store.query(cluster, "pod", namespace="boutique")).items) == 12
        assert len((await store.query(cluster, "node")).items) == 3
        assert (await store.info())["tables"]["pods"] > 0
        assert await store.integrity_check() == "ok"
