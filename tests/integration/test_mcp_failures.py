"""A dead, hung or broken MCP server gives a clear McpUnavailableError within SCANNER_TIMEOUT."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from devcluster import DevCluster
from kcache import runtime
from kcache.errors import McpUnavailableError
from kcache.mcp import McpConnection
from kcache.settings import Settings
from tests.conftest import kcache_env
from tests.support.procs import mcp_server_pids

pytestmark = pytest.mark.integration
SCRIPT = Path(__file__).resolve().parents[1] / "support" / "misbehaving_mcp.py"


def settings_for(mode: str, tmp_path: Path, timeout: str = "3") -> Settings:
    wrapper = tmp_path / f"mcp-{mode}"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {SCRIPT} {mode}\n")
    wrapper.chmod(0o755)
    return Settings.from_env(
        {"MCP_SERVER_URL": f"stdio://{wrapper}", "MCP_SERVER_ARGS": "", "SCANNER_TIMEOUT": timeout},
        dotenv_path=tmp_path / "none",
    )


@pytest.mark.parametrize("mode", ["exit", "hang", "garbage", "empty"])
async def test_broken_server_fails_fast_and_clearly(mode: str, tmp_path: Path) -> None:
    # A real (empty) Python server needs a few seconds to import mcp on a busy machine; the one
    # that exits must get its message out before the timeout; the hung and garbled ones wait it out.
    timeout = {"empty": "15", "exit": "3"}.get(mode, "1")
    settings = settings_for(mode, tmp_path, timeout=timeout)
    start = time.monotonic()
    with pytest.raises(McpUnavailableError) as err:
        async with McpConnection(settings):
            pass
    elapsed = time.monotonic() - start
    assert elapsed < settings.scanner_timeout + 5
    message = str(err.value)
    assert f"mcp-{mode}" in message  # names the command
    if mode == "exit":
        assert "cannot load kubeconfig" in message  # quotes the server's stderr
    if mode == "hang":
        assert "did not answer" in message
    if mode == "empty":
        assert "empty tool list" in message


async def test_missing_binary_is_named(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"MCP_SERVER_URL": f"stdio://{tmp_path}/nope"}, dotenv_path=tmp_path / "none"
    )
    with pytest.raises(McpUnavailableError, match="not found"):
        async with McpConnection(settings):
            pass


async def test_dead_session_reconnects_once_on_next_use(devcluster: DevCluster, tmp_path: Path) -> None:
    settings = Settings.from_env(kcache_env(devcluster, tmp_path))
    async with runtime.open(settings) as kc:
        assert (await kc.call("namespaces_list", {})).text.strip()
        (pid,) = mcp_server_pids()
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(McpUnavailableError):
            # The call in flight when the server died fails with a clear error...
            for _ in range(50):
                await kc.call("namespaces_list", {})
                time.sleep(0.05)
        # ...and the next use reconnects once, to a new server process.
        result = await kc.call("namespaces_list", {})
        assert "boutique" in result.text and kc.mcp.reconnects == 1
        assert mcp_server_pids() not in ([], [pid])


async def test_registry_reloads_when_the_mapping_ttl_expires(devcluster: DevCluster, tmp_path: Path) -> None:
    settings = Settings.from_env(kcache_env(devcluster, tmp_path, CACHE_TOOL_MAPPING_TTL="1"))
    async with runtime.open(settings) as kc:
        first = kc.registry
        assert (await kc.tools()) is first
        first.loaded_at -= 5
        again = await kc.tools()
        assert again is not first and set(again.caps) == set(first.caps)
        rows = await kc.store.load_tools()
        assert len(rows) == 20 and {r["server"] for r in rows} == {"kubernetes-mcp-server 0.0.67"}


async def test_tools_list_changed_reloads_the_registry(tmp_path: Path) -> None:
    settings = settings_for("changing", tmp_path, timeout="15")
    async with McpConnection(settings) as conn:
        from kcache.registry.loaded import Registry

        registry = Registry.from_tools(conn.server_label, await conn.raw_tools())
        assert set(registry.caps) == {"namespaces_list", "nodes_list"}
        await conn.call("nodes_list", {})
        for _ in range(50):
            if conn.tools_changed:
                break
            await asyncio.sleep(0.05)
        assert conn.tools_changed
        raw = await conn.reload_tools()
        assert {t["name"] for t in raw} == {"namespaces_list", "nodes_list", "events_list"}
        assert not conn.tools_changed and "events_list" in await conn.tools()
