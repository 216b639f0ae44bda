"""Agent node ``cache_invalidate``: after a write, invalidate and refresh exactly what it changed.

Then the turn ends here: the answer message, the structured record and the turn's
statistics (lookups, hits, timings, prompt tokens) for the KPIs.
"""

from __future__ import annotations

import time
from typing import Any

from langchain_core.messages import AIMessage

from kcache.runtime import Holder
from kcache.scan import refresh_scopes
from kcache.state import AgentState, CallRecord
from kcache.store import TurnRow
from kcache.timing import node_timings
from kcache.turn import final_answer, record
from kcache.writes import call_target, changed_scopes


async def invalidate_write(kc: Holder, call: CallRecord, fallback_kind: str) -> list[str]:
    """Drop and rescan what one executed write changed; the scopes, as ``kind/namespace``."""
    cap = kc.registry.get(call["tool"])
    scopes = changed_scopes(cap, call["args"], fallback_kind)
    target = call_target(cap, call["args"])
    if "delete" in cap.operation_types and target.name:
        kind, ns = scopes[0]
        await kc.store.delete_object(kc.cluster, kind, ns, target.name)
    for kind, ns in scopes:
        await kc.store.invalidate(kc.cluster, kind, ns)
    await refresh_scopes(kc, scopes, timeout=kc.settings.read_through_timeout)
    return [f"{k}/{n}" if n else k for k, n in scopes]


async def cache_invalidate(state: AgentState, *, kc: Holder) -> dict[str, Any]:
    """Invalidate and refresh what executed writes changed; then answer and record the turn."""
    start = time.perf_counter()
    u = state["understanding"]
    refreshed: list[str] = []
    for call in state.get("calls", []):
        if call.get("writes") and call.get("executed") and call.get("status") == "ok":
            refreshed += await invalidate_write(kc, call, u["resource"])
    answer = final_answer(state)
    rec = record(state, answer)
    if refreshed:
        rec["invalidated"] = refreshed
    timings = node_timings(state, "cache_invalidate", start)
    node_ms = sum(v for k, v in timings.items() if k not in ("turn_start", "llm"))
    rec["non_llm_ms"] = round(node_ms - timings.get("llm", 0.0), 2)
    row: TurnRow = {
        "thread_id": None,
        "cluster_name": kc.cluster,
        "intent": rec["intent"],
        "resource": rec["resource"],
        "operation": rec["operation"],
        "tool": rec["tool"],
        "outcome": rec["outcome"],
        "answered_from_cache": int(rec["answered_from_cache"]),
        "executed": int(rec["executed"]),
        "cache_lookups": rec["cache_lookups"],
        "cache_hits": rec["cache_hits"],
        "prompt_tokens": rec["prompt_tokens"],
        "duration_ms": round((time.time() - timings.get("turn_start", time.time())) * 1000, 2),
        "non_llm_ms": rec["non_llm_ms"],
        "read_ms": node_ms if u["intent"] != "action" else None,
        "params_suggested": len(rec["params"]),
        "params_accepted": len(rec["params"]) if rec["outcome"] in ("answer", "executed") else 0,
        "provider": rec["provider"],
    }
    await kc.store.record_turn(row)
    return {"messages": [AIMessage(content=answer)], "answer": answer, "record": rec, "timings": timings}
