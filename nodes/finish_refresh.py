"""Refresh node ``finish_refresh``: the run's overall status."""

from __future__ import annotations

from typing import Any

from kcache.state import RefreshState


async def finish_refresh(state: RefreshState) -> dict[str, Any]:
    """Overall status: completed, failed (a tier failed) or skipped (nothing was planned)."""
    results = state.get("results", {})
    if not state.get("planned"):
        return {"status": "skipped"}
    failed = any(r.get("status") != "completed" for r in results.values())
    return {"status": "failed" if failed else "completed"}
