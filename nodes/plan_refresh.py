"""Refresh node ``plan_refresh``: decide which tiers this run scans."""

from __future__ import annotations

from typing import Any

from graph.state import RefreshState
from kcache import runtime
from kcache.errors import KcacheError
from kcache.kinds import TIERS


async def plan_refresh(state: RefreshState) -> dict[str, Any]:
    """``static``/``dynamic``/``all`` scan those tiers; ``due`` only tiers past their next scan."""
    tier = state.get("tier", "all")
    if tier in TIERS:
        return {"planned": [tier]}
    if tier == "all":
        return {"planned": list(TIERS)}
    if tier != "due":
        raise KcacheError(f"unknown tier {tier!r}: expected static, dynamic, all or due")
    kc = runtime.current()
    now = kc.store.now()
    due = []
    for name in TIERS:
        scopes = [s for s in await kc.store.scopes(kc.cluster) if s.tier == name]
        fresh = scopes and all(s.scan_status == "completed" and (s.next_scan_at or 0) > now for s in scopes)
        if state.get("force") or not fresh:
            due.append(name)
    return {"planned": due}
