"""Finding the MCP server processes a test started (to kill one mid-session)."""

from __future__ import annotations

import os
from pathlib import Path

SERVER_BINARY = "kubernetes-mcp-server-linux-amd64"


def _ppid(pid: str) -> int:
    return int((Path("/proc") / pid / "stat").read_text().rsplit(")", 1)[1].split()[1])


def mcp_server_pids(binary: str = SERVER_BINARY) -> list[int]:
    """Processes running ``binary`` that this process started (its stdio children)."""
    me, pids = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if _ppid(entry.name) == me and binary.encode() in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids
