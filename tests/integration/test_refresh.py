"""The refresh graph against devcluster through each real MCP server."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from devcluster import DevCluster
from graph.refresh import compile_refresh
from kcache import runtime
from kcache.settings import PROJECT_ROOT, Settings
from tests.conftest import kcache_env

pytestmark = pytest.mark.integration

MCP_SERVER_KUBERNETES = PROJECT_ROOT / "node_modules" / ".bin" / "mcp-server-kubernetes"


def no_canary(path: Path) -> None:
    for suffix in ("", "-wal"):
        f = Path(f"{path}{suffix}")
        if f.exists():
            assert b"CANARY-SECRET" not in f.read_bytes()


def counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return {
            "boutique_pods": con.execute("SELECT COUNT(*) FROM pods WHERE namespace='boutique'").fetchone()[
                0
            ],
            "nodes": con.execute("SELECT COUNT(*) FROM nodes").fetchone()[0],
            "namespaces": con.execute("SELECT COUNT(*) FROM namespaces").fetchone()[0],
            "secrets": con.execute("SELECT COUNT(*) FROM resources WHERE kind='secret'").fetchone()[0],
        }
    finally:
        con.close()


@pytest.mark.parametrize("server", ["kubernetes-mcp-server", "mcp-server-kubernetes"])
async def test_refresh_fills_every_tier(server: str, devcluster: DevCluster, tmp_path: Path) -> None:
    extra = {}
    if server == "mcp-server-kubernetes":
        extra = {
            "MCP_SERVER_URL": f"stdio://{MCP_SERVER_KUBERNETES}",
            "MCP_SERVER_ARGS": "",
            "MCP_SERVER_NAME": server,
        }
    settings = Settings.from_env(kcache_env(devcluster, tmp_path, SCANNER_TIMEOUT="60", **extra))
    async with runtime.open(settings) as kc:
        out = await compile_refresh(kc).ainvoke({"tier": "all"})
        assert out["status"] == "completed", out["results"]
        assert set(out["planned"]) == {"static", "dynamic"}
        assert out["results"]["dynamic"]["unavailable"] == {}  # this server's listings carry both
        secrets = await kc.store.query(kc.cluster, "secret")
        assert sorted(s.name for s in secrets.items) == sorted(
            ["bootstrap-token-a1b2c3", "redis-password", "stripe-api-key", "tls-frontend"]
        )
        assert all("data" not in s.fields and s.fields.get("keys") for s in secrets.items)
        cluster = await kc.store.cluster(kc.cluster)
        assert cluster is not None and cluster["version"] == "v1.31.4" and cluster["node_count"] == 3
        assert cluster["api_server"] == devcluster.url and "token" not in str(cluster)
    assert counts(settings.cache_db_path) == {"boutique_pods": 12, "nodes": 3, "namespaces": 5, "secrets": 4}
    no_canary(settings.cache_db_path)


async def test_cluster_changes_show_after_the_next_dynamic_scan(
    devcluster: DevCluster, tmp_path: Path
) -> None:
    clock = {"now": 0.0}
    settings = Settings.from_env(kcache_env(devcluster, tmp_path))
    async with runtime.open(settings) as kc:
        real_clock = kc.store.clock
        kc.store.clock = lambda: real_clock() + clock["now"]
        await compile_refresh(kc).ainvoke({"tier": "all"})
        devcluster.scale("deployment", "boutique", "frontend", 3)
        victim = (
            (await kc.store.query(kc.cluster, "pod", namespace="boutique", prefix="adservice-")).items[0].name
        )
        devcluster.delete("pod", "boutique", victim)
        stale = await kc.store.query(kc.cluster, "pod", namespace="boutique")
        assert stale.fresh and victim in {p.name for p in stale.items}  # the cache has not seen it yet
        clock["now"] = settings.cache_dynamic_ttl + 1
        expired = await kc.store.query(kc.cluster, "pod", namespace="boutique")
        assert expired.freshness == "stale"  # never served as fresh past its TTL
        out = await compile_refresh(kc).ainvoke({"tier": "dynamic"})
        assert out["status"] == "completed"
        fresh = await kc.store.query(kc.cluster, "pod", namespace="boutique")
        names = {p.name for p in fresh.items}
        assert fresh.fresh and victim not in names
        assert len([n for n in names if n.startswith("frontend-")]) == 3
        assert len([n for n in names if n.startswith("adservice-")]) == 1
        history = await kc.store.scan_history(kc.cluster)
        assert {h["table_name"] for h in history} >= {"tier:static", "tier:dynamic", "pods"}


async def test_due_tier_skips_fresh_tiers(devcluster: DevCluster, tmp_path: Path) -> None:
    settings = Settings.from_env(kcache_env(devcluster, tmp_path))
    async with runtime.open(settings) as kc:
        assert (await compile_refresh(kc).ainvoke({"tier": "due"}))["planned"] == ["static", "dynamic"]
        again = await compile_refresh(kc).ainvoke({"tier": "due"})
        assert again["planned"] == [] and again["status"] == "skipped"


K8S_MCP = PROJECT_ROOT / ".venv-k8s-mcp" / "bin" / "k8s-mcp-server"


async def test_refresh_through_k8s_mcp(devcluster: DevCluster, tmp_path: Path) -> None:
    env = kcache_env(
        devcluster,
        tmp_path,
        SCANNER_TIMEOUT="60",
        MCP_SERVER_URL=f"stdio://{K8S_MCP}",
        MCP_SERVER_ARGS="",
        MCP_SERVER_NAME="k8s-mcp",
        MCP_SERVER_ENV="FASTMCP_CHECK_FOR_UPDATES=off,MCP_ENABLE_TOOLS=core,pod,deployment,cluster",
    )
    settings = Settings.from_env(env)
    async with runtime.open(settings) as kc:
        assert "get_pods" in kc.registry.caps and "get_nodes" in kc.registry.caps
        out = await compile_refresh(kc).ainvoke({"tier": "all"})
        assert out["status"] == "completed", out["results"]
        # Kinds the server has no tool for are skipped, not failed, and said so.
        assert "ingresses" in out["results"]["dynamic"]["skipped"]
        # Its pod list has no labels and no owners: the scan says so, for name-prefix resolution.
        assert out["results"]["dynamic"]["unavailable"]["pods"] == ["labels", "owner references"]
        pods = await kc.store.scope(kc.cluster, "pods")
        assert pods is not None and pods.scan_status == "completed"
        assert pods.error_message == (
            f"labels and owner references unavailable from {kc.registry.server}'s listing of pods: "
            "resolve workloads by name prefix"
        )
    assert counts(settings.cache_db_path) == {"boutique_pods": 12, "nodes": 3, "namespaces": 5, "secrets": 4}
    no_canary(settings.cache_db_path)


async def test_secret_annotations_reach_the_cache_as_keys_only(
    devcluster: DevCluster, tmp_path: Path
) -> None:
    devcluster.apply(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": "annotated",
                "namespace": "boutique",
                "annotations": {"vault.example.com/token": "CANARY-SECRET-in-an-annotation"},
            },
            "stringData": {"password": "CANARY-SECRET-value"},
        }
    )
    settings = Settings.from_env(kcache_env(devcluster, tmp_path))
    async with runtime.open(settings) as kc:
        out = await compile_refresh(kc).ainvoke({"tier": "dynamic"})
        assert out["status"] == "completed", out["results"]
        secret = (await kc.store.query(kc.cluster, "secret", namespace="boutique", name="annotated")).items[0]
        assert secret.annotations == {"vault.example.com/token": ""}
    no_canary(settings.cache_db_path)
