"""`kcache` commands against cache files that are not usable: each finishes with a clear error."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from kcache.model import Resource
from kcache.store import Store
from tests.support.cli import kcache
from tests.support.sqlite_files import corrupt_a_middle_page

pytestmark = pytest.mark.integration

KUBECONFIG = """\
apiVersion: v1
kind: Config
current-context: devcluster
clusters:
- name: devcluster
  cluster: {server: "https://127.0.0.1:1"}
contexts:
- name: devcluster
  context: {cluster: devcluster, user: dev}
users:
- name: dev
  user: {token: x}
"""

COMMANDS = [
    ("db", "info"),
    ("stats",),
    ("health",),
    ("refresh", "--once"),
    ("ask", "list pods"),
]


def run(tmp_path: Path, db: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    kubeconfig = tmp_path / "kubeconfig.yaml"
    kubeconfig.write_text(KUBECONFIG)
    # A generous timeout: the point is that the process ends at all.
    return kcache(
        tmp_path, kubeconfig, *args, timeout=120, module="kcache_cli", CACHE_DB_PATH=str(db), **extra
    )


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_a_file_that_is_not_sqlite_ends_every_command_with_the_store_error(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    db = tmp_path / "cache.db"
    db.write_bytes(b"not a database, not at all " * 300)
    done = run(tmp_path, db, *args)
    assert done.returncode != 0
    assert "StoreError" in done.stderr and "file is not a database" in done.stderr, done.stderr


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_a_header_corrupted_file_ends_every_command_with_the_store_error(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    db = tmp_path / "cache.db"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    data = bytearray(db.read_bytes())
    data[:16] = b"GARBAGE-HEADER!!"
    db.write_bytes(bytes(data))
    done = run(tmp_path, db, *args)
    assert done.returncode != 0
    assert "StoreError" in done.stderr, done.stderr


@pytest.mark.parametrize("value", ["inf", "nan"])
def test_an_infinite_timeout_is_a_config_error(tmp_path: Path, value: str) -> None:
    done = run(tmp_path, tmp_path / "cache.db", "db", "info", CACHE_DB_TIMEOUT=value)
    assert done.returncode != 0
    assert "ConfigError" in done.stderr and f"CACHE_DB_TIMEOUT={value!r}" in done.stderr, done.stderr


def test_a_folder_as_the_cache_path_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    done = run(tmp_path, folder, "db", "info")
    assert done.returncode != 0
    assert "is a directory, not a regular file" in done.stderr, done.stderr
    assert (os.stat(folder).st_mode & 0o777) == 0o755


async def test_health_on_a_corrupt_page_says_fail_integrity_check(tmp_path: Path) -> None:
    db = tmp_path / "cache.db"
    async with Store(db) as store:
        pods = [
            Resource(
                kind="pod", namespace="ns", name=f"p{i}", fields={"status": "Running", "phase": "Running"}
            )
            for i in range(2000)
        ]
        await store.replace("devcluster", "pod", pods, ttl_s=60)
    corrupt_a_middle_page(db)
    done = run(tmp_path, db, "health")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr
    line = next(x for x in done.stdout.splitlines() if "database" in x)
    assert line.startswith("FAIL") and "integrity_check" in line and "malformed" in line
