"""Agent node ``cache_invalidate``: after a write, invalidate and refresh exactly what it changed.

Then the turn ends here: the answer message, the structured record and the turn's
statistics (lookups, hits, timings, prompt tokens) for the KPIs.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from langchain_core.messages import AIMessage

from kcache.access import scanner_asker
from kcache.runtime import Holder
from kcache.scan import refresh_scopes
from kcache.state import AgentState, CallRecord
from kcache.store import TurnRow
from kcache.timing import node_timings
from kcache.turn import final_answer, record
from kcache.watch import liveness
from kcache.writes import call_target, changed_scopes

#: In watch mode, how long the answer waits for the watch to deliver a write's change.
WATCH_WAIT_S = 2.0


async def invalidate_write(kc: Holder, call: CallRecord, fallback_kind: str, *, since: float) -> list[str]:
    """Bring what one executed write changed up to date; the scopes, as ``kind/namespace``.

    Polled kinds are invalidated and rescanned. Watched kinds (SCANNER_MODE=watch) need no
    rescan: the watch delivers the change, and the answer waits for it (up to WATCH_WAIT_S).
    """
    cap = kc.registry.get(call["tool"])
    scopes = changed_scopes(cap, call["args"], fallback_kind)
    target = call_target(cap, call["args"])
    if "delete" in cap.operation_types and target.name:
        kind, ns = scopes[0]
        await kc.store.delete_object(kc.cluster, kind, ns, target.name)
    watched = [(k, n) for k, n in scopes if liveness(k) is not None]
    polled = [s for s in scopes if s not in watched]
    for kind, ns in polled:
        await kc.store.invalidate(kc.cluster, kind, ns)
    if polled:
        await refresh_scopes(kc, polled, timeout=kc.settings.read_through_timeout)
    if watched:
        await _watch_delivered(kc, watched[0][0], since)
    return [f"{k}/{n}" if n else k for k, n in polled] + [
        f"{k}/{n} (watched)" if n else f"{k} (watched)" for k, n in watched
    ]


async def _watch_delivered(kc: Holder, kind: str, since: float) -> bool:
    """Wait until the watch of ``kind`` has a change made after ``since``, written to the store.

    Bounded by WATCH_WAIT_S: past it the answer reports what the cache holds.
    """
    deadline = time.monotonic() + WATCH_WAIT_S
    received = False
    generation = kc.store.generation
    while time.monotonic() < deadline:
        live = liveness(kind)
        if live is None:
            return False
        if not received and (live.last_change_at or 0) >= since:
            received, generation = True, kc.store.generation
        elif received and kc.store.generation > generation:
            return True
        await asyncio.sleep(0.05)
    return False


def timings_start(state: AgentState) -> float:
    """When the turn began (epoch seconds): a change the watch delivers after it is the write's."""
    return float(state.get("timings", {}).get("turn_start", time.time()))


async def cache_invalidate(state: AgentState, *, kc: Holder) -> dict[str, Any]:
    """Invalidate and refresh what executed writes changed; then answer and record the turn."""
    start = time.perf_counter()
    u = state["understanding"]
    refreshed: list[str] = []
    for call in state.get("calls", []):
        if call.get("writes") and call.get("executed") and call.get("status") == "ok":
            refreshed += await invalidate_write(kc, call, u["resource"], since=timings_start(state))
    answer = final_answer(state)
    rec = record(state, answer)
    if refreshed:
        rec["invalidated"] = refreshed
    timings = node_timings(state, "cache_invalidate", start)
    node_ms = sum(v for k, v in timings.items() if k not in ("turn_start", "llm"))
    rec["non_llm_ms"] = round(node_ms - timings.get("llm", 0.0), 2)
    asker = state.get("asker") or scanner_asker()
    rec["asker"], rec["cluster"] = asker, kc.cluster
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
        "asker": asker["name"],
        "asker_user": asker["user"] or None,
        "asker_groups": json.dumps(sorted(asker["groups"])),
    }
    await kc.store.record_turn(row)
    return {"messages": [AIMessage(content=answer)], "answer": answer, "record": rec, "timings": timings}
