"""Refresh node ``plan_refresh``: decide which tiers this run scans."""

from __future__ import annotations

from typing import Any

from kcache.errors import KcacheError
from kcache.kinds import TIERS
from kcache.runtime import Holder
from kcache.state import RefreshState


async def plan_refresh(state: RefreshState, *, kc: Holder) -> dict[str, Any]:
    """``static``/``dynamic``/``all`` scan those tiers; ``due`` only tiers past their next scan."""
    tier = state.get("tier", "all")
    if tier in TIERS:
        return {"planned": [tier]}
    if tier == "all":
        return {"planned": list(TIERS)}
    if tier != "due":
        raise KcacheError(f"unknown tier {tier!r}: expected static, dynamic, all or due")
    now = kc.store.now()
    scopes = await kc.store.scopes(kc.cluster)
    due = []
    for name in TIERS:
        mine = [s for s in scopes if s.tier == name]
        fresh = mine and all(s.scan_status == "completed" and (s.next_scan_at or 0) > now for s in mine)
        if state.get("force") or not fresh:
            due.append(name)
    return {"planned": due}
