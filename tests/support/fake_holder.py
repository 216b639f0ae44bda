"""A small in-memory stand-in for the process holder, for unit tests of the nodes.

It has the :class:`kcache.runtime.Holder` interface: real settings, a real store on a
temporary file, the real registry built from kubernetes-mcp-server 0.0.67's recorded tool
list, and a ``call`` that records what it was asked and returns a canned text (no MCP server).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from kcache.kubeconfig import Identity
from kcache.mcp import ToolResult
from kcache.registry.loaded import Registry
from kcache.settings import Settings
from kcache.store import Store

TOOLS = (
    Path(__file__).resolve().parents[1] / "unit" / "data" / "mcp-tools" / "kubernetes-mcp-server-0.0.67.json"
)


def recorded_tools() -> list[dict[str, Any]]:
    return list(json.loads(TOOLS.read_text())["tools"])


class FakeHolder:
    """The holder's interface over a real store and registry; tool calls are recorded, not sent."""

    def __init__(self, store: Store, tmp: Path, **env: str) -> None:
        self.settings = Settings.from_env(
            {"CACHE_DB_PATH": str(tmp / "cache.db"), "LLM_PROVIDER": "offline", **env},
            dotenv_path=tmp / "missing.env",
        )
        self.store = store
        self.identity = Identity(
            path=tmp / "kubeconfig",
            context="test",
            cluster="test",
            server="https://127.0.0.1:1",
            user="u",
            namespace="default",
        )
        self.registry = Registry.from_tools("kubernetes-mcp-server", recorded_tools())
        self.cluster = "test"
        self.scan_lock = asyncio.Lock()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answers: dict[str, str] = {}

    async def tools(self) -> Registry:
        return self.registry

    async def langchain_tools(self) -> dict[str, Any]:
        return {}

    async def call(self, tool: str, args: dict[str, Any], *, timeout: float | None = None) -> ToolResult:
        self.calls.append((tool, dict(args)))
        return ToolResult(tool=tool, text=self.answers.get(tool, "ok"))
