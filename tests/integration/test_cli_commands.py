"""`kcache tools`, `refresh`, `health` and `stats` run as subprocesses against devcluster."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.responses import Response

from devcluster import DevCluster
from kcache.kubeconfig import read_identity
from kcache.store import Store
from kcache.store.sql import MIGRATIONS
from tests.support.cli import CANARY, CANARY_B64, kcache, kcache_env

pytestmark = pytest.mark.integration


def test_tools_json_lists_the_capability_map(devcluster_demo: DevCluster, tmp_path: Path) -> None:
    assert devcluster_demo.kubeconfig is not None
    done = kcache(tmp_path, devcluster_demo.kubeconfig, "tools", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["server"].startswith("kubernetes-mcp-server")
    tools = {t["name"]: t for t in data["tools"]}
    assert len(tools) == 20
    assert tools["pods_list_in_namespace"]["kinds"] == ["pod"]
    assert tools["pods_list_in_namespace"]["operations"] == ["list"]
    assert tools["pods_list_in_namespace"]["scope"] == "namespace"
    assert tools["pods_list_in_namespace"]["safety"] == "read-only"
    assert tools["pods_delete"]["safety"] == "destructive"
    assert tools["resources_scale"]["kinds"] == ["*"] and "scale" in tools["resources_scale"]["operations"]
    assert tools["resources_scale"]["safety"] in ("write", "destructive")
    assert tools["pods_run"]["writes"] is True
    assert tools["pods_log"]["operations"] == ["logs"]
    assert tools["namespaces_list"]["kinds"] == ["namespace"]
    read_only = {n for n, t in tools.items() if t["safety"] == "read-only"}
    assert {"pods_delete", "pods_exec", "pods_run", "resources_delete", "resources_scale"}.isdisjoint(
        read_only
    )
    # The text form prints the same map as an aligned table.
    text = kcache(tmp_path, devcluster_demo.kubeconfig, "tools")
    assert text.returncode == 0, text.stderr
    assert "pods_list_in_namespace" in text.stdout and "destructive" in text.stdout


def test_tools_json_for_mcp_server_kubernetes(devcluster_demo: DevCluster, tmp_path: Path) -> None:
    assert devcluster_demo.kubeconfig is not None
    binary = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "mcp-server-kubernetes"
    done = kcache(
        tmp_path,
        devcluster_demo.kubeconfig,
        "tools",
        "--json",
        MCP_SERVER_URL=f"stdio://{binary}",
        MCP_SERVER_ARGS="",
        MCP_SERVER_NAME="mcp-server-kubernetes",
    )
    assert done.returncode == 0, done.stderr
    tools = {t["name"]: t for t in json.loads(done.stdout)["tools"]}
    assert len(tools) == 23
    assert tools["kubectl_get"]["kinds"] == ["*"] and "list" in tools["kubectl_get"]["operations"]
    assert tools["kubectl_get"]["safety"] == "read-only"
    assert tools["kubectl_logs"]["operations"] == ["logs"]
    for name in ("kubectl_delete", "kubectl_scale", "kubectl_apply", "exec_in_pod", "uninstall_helm_chart"):
        assert tools[name]["safety"] == "destructive", name
    assert tools["kubectl_create"]["writes"] is True


def test_db_info_creates_and_describes_the_database(tmp_path: Path) -> None:
    db = tmp_path / "new" / "cache.db"
    done = subprocess.run(
        [sys.executable, "-m", "kcache_cli.main", "db", "info", "--json"],
        env={**os.environ, "CACHE_DB_PATH": str(db)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["path"] == str(db) and info["schema_version"] == len(MIGRATIONS) and info["size_bytes"] > 0
    assert info["tables"]["pods"] == 0 and "mcp_tools" in info["tables"]
    assert (db.stat().st_mode & 0o777) == 0o600
    text = subprocess.run(
        [sys.executable, "-m", "kcache_cli.main", "db", "info"],
        env={**os.environ, "CACHE_DB_PATH": str(db)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert f"schema version: {len(MIGRATIONS)}" in text.stdout and "pods" in text.stdout


def test_a_bad_variable_stops_with_one_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kcache_cli.main", "db", "info"],
        env={**os.environ, "CACHE_STATIC_TTL": "-5", "CONTEXT_COMPRESSION_RATIO": "3"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "ConfigError" in done.stderr and "CACHE_STATIC_TTL='-5'" in done.stderr
    assert "CONTEXT_COMPRESSION_RATIO='3'" in done.stderr and "Traceback" not in done.stderr


async def test_refresh_once_fills_the_cache_without_secret_values(
    devcluster_demo: DevCluster, tmp_path: Path
) -> None:
    kube = devcluster_demo.kubeconfig
    assert kube is not None
    done = kcache(tmp_path, kube, "refresh", "--once")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "static: completed" in done.stdout and "dynamic: completed" in done.stdout
    # Progress: one line per scope on stderr.
    assert "pods" in done.stderr and "completed" in done.stderr and "rows" in done.stderr
    cluster = read_identity(kube).context
    async with Store(tmp_path / "cache.db") as store:
        assert len((await store.query(cluster, "pod", namespace="boutique")).items) == 12
        assert len((await store.query(cluster, "node")).items) == 3
        assert len((await store.query(cluster, "namespace")).items) == 5
        secrets = (await store.query(cluster, "secret")).items
        assert len(secrets) == 4
        assert all(s.name for s in secrets)
        assert {s.fields.get("type") for s in secrets} - {None}
        scopes = {s.table_name: s for s in await store.scopes(cluster)}
        assert all(s.scan_status == "completed" for s in scopes.values()), scopes
    for path in tmp_path.glob("cache.db*"):
        data = path.read_bytes()
        assert CANARY not in data, path
        assert CANARY_B64 not in data, path

    healthy = kcache(tmp_path, kube, "health", "--json")
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    report = json.loads(healthy.stdout)
    assert report["healthy"] is True
    assert report["mcp"]["tools"] == 20
    assert report["database"]["integrity_check"] == "ok"
    assert report["tiers"]["static"]["status"] == "completed"
    assert report["tiers"]["dynamic"]["status"] == "completed"

    stats = kcache(tmp_path, kube, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    kpis = json.loads(stats.stdout)["kpis"]
    assert kpis["scan_completion_rate"]["value"] == 1.0


def test_health_is_unhealthy_before_any_scan_and_when_the_server_fails(
    devcluster_demo: DevCluster, tmp_path: Path
) -> None:
    kube = devcluster_demo.kubeconfig
    assert kube is not None
    fresh = kcache(tmp_path, kube, "health")
    assert fresh.returncode == 1
    assert "never scanned" in fresh.stdout and "unhealthy" in fresh.stdout
    broken = kcache(tmp_path, kube, "health", "--json", MCP_SERVER_URL="stdio:///bin/false", timeout=60)
    assert broken.returncode == 1
    report = json.loads(broken.stdout)
    assert report["mcp"]["ok"] is False and "McpUnavailableError" in report["mcp"]["error"]
    assert report["database"]["integrity_check"] == "ok"


def test_refresh_once_fails_with_status_1_when_a_tier_fails(devcluster: DevCluster, tmp_path: Path) -> None:
    async def forbidden(request: Request) -> Response | None:
        # Forbidden is not retried: the scan fails at once with the API's message.
        if request.url.path.endswith("/configmaps"):
            body = {"kind": "Status", "code": 403, "message": "configmaps is forbidden"}
            return Response(json.dumps(body), 403, media_type="application/json")
        return None

    devcluster.add_hook(forbidden)
    assert devcluster.kubeconfig is not None
    done = kcache(
        tmp_path, devcluster.kubeconfig, "refresh", "--once", "--tier", "dynamic", SCANNER_TIMEOUT="20"
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "dynamic: failed" in done.stdout and "configmaps" in done.stdout
    assert "tier scan failed: dynamic" in done.stderr
    unhealthy = kcache(tmp_path, devcluster.kubeconfig, "health")
    assert unhealthy.returncode == 1
    assert "configmaps" in unhealthy.stdout and "unhealthy" in unhealthy.stdout


def test_refresh_loop_stops_gracefully_on_sigterm(devcluster_demo: DevCluster, tmp_path: Path) -> None:
    kube = devcluster_demo.kubeconfig
    assert kube is not None
    proc = subprocess.Popen(
        [sys.executable, "-m", "kcache_cli.main", "refresh", "--loop", "--tier", "dynamic"],
        env=kcache_env(tmp_path, kube, SCANNER_DYNAMIC_INTERVAL="1"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        scans = 0
        assert proc.stdout is not None
        while scans < 2 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            scans += line.startswith("dynamic: completed")
        assert scans == 2
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in err
