"""Agent node ``cache_invalidate``: after a write, invalidate and refresh exactly what it changed.

Then the turn ends here: the answer message, the structured record and the turn's
statistics (lookups, hits, timings, prompt tokens) for the KPIs.
"""

from __future__ import annotations

import time
from typing import Any

from langchain_core.messages import AIMessage

from graph.state import AgentState
from kcache import runtime as kcache_runtime
from kcache.model import KINDS
from kcache.parsing import canonical_kind
from kcache.runtime import Kcache
from kcache.scan import refresh_scopes
from kcache.store import TurnRow
from kcache.turn import final_answer, record

# What a write to a kind changes, besides the kind itself.
_KNOCK_ON = {
    "deployment": ("replicaset", "pod"),
    "statefulset": ("pod",),
    "replicaset": ("pod",),
    "daemonset": ("pod",),
    "pod": ("event",),
    "namespace": ("pod", "deployment", "service", "configmap", "secret"),
}


def changed_scopes(
    kc: Kcache, tool: str, args: dict[str, Any], fallback_kind: str
) -> list[tuple[str, str | None]]:
    """(kind, namespace) scopes a write touched, from the tool's capabilities and arguments."""
    cap = kc.registry.get(tool)
    kinds = [k for k in cap.resource_types if k in KINDS]
    kind_param = cap.tool_param("kind") or cap.tool_param("resource_type")
    if kind_param and args.get(kind_param):
        try:
            kinds = [canonical_kind(str(args[kind_param]))]
        except ValueError:
            kinds = [fallback_kind]
    kinds = kinds or [fallback_kind]
    ns_param = cap.tool_param("namespace")
    ns = str(args[ns_param]) if ns_param and args.get(ns_param) else None
    scopes: list[tuple[str, str | None]] = []
    for kind in kinds:
        for k in (kind, *_KNOCK_ON.get(kind, ())):
            scopes.append((k, ns if KINDS.get(k) else None))
    return list(dict.fromkeys(scopes))


async def cache_invalidate(state: AgentState) -> dict[str, Any]:
    """Invalidate and refresh what executed writes changed; then answer and record the turn."""
    start = time.perf_counter()
    kc = kcache_runtime.current()
    u = state["understanding"]
    refreshed: list[str] = []
    for call in state.get("calls", []):
        if not (call.get("writes") and call.get("executed") and call.get("status") == "ok"):
            continue
        scopes = changed_scopes(kc, call["tool"], call["args"], u["resource"])
        cap = kc.registry.get(call["tool"])
        name_param = cap.tool_param("name")
        if "delete" in cap.operation_types and name_param and call["args"].get(name_param):
            kind, ns = scopes[0]
            await kc.store.delete_object(kc.cluster, kind, ns, str(call["args"][name_param]))
        for kind, ns in scopes:
            await kc.store.invalidate(kc.cluster, kind, ns)
        await refresh_scopes(kc, scopes, timeout=kc.settings.read_through_timeout)
        refreshed += [f"{k}/{n}" if n else k for k, n in scopes]
    view = dict(state)
    answer = final_answer(view)
    rec = record(view, answer)
    if refreshed:
        rec["invalidated"] = refreshed
    timings = dict(state.get("timings", {}))
    timings["cache_invalidate"] = (time.perf_counter() - start) * 1000
    node_ms = sum(v for k, v in timings.items() if k not in ("turn_start", "llm"))
    rec["non_llm_ms"] = round(node_ms - timings.get("gemini", 0.0) * (rec["provider"] != "offline"), 2)
    turn = TurnRow(
        thread_id=None,
        cluster_name=kc.cluster,
        intent=rec["intent"],
        resource=rec["resource"],
        operation=rec["operation"],
        tool=rec["tool"],
        outcome=rec["outcome"],
        answered_from_cache=int(rec["answered_from_cache"]),
        executed=int(rec["executed"]),
        cache_lookups=rec["cache_lookups"],
        cache_hits=rec["cache_hits"],
        prompt_tokens=rec["prompt_tokens"],
        duration_ms=round((time.time() - timings.get("turn_start", time.time())) * 1000, 2),
        non_llm_ms=rec["non_llm_ms"],
        read_ms=node_ms if u["intent"] != "action" else None,
        params_suggested=len(rec["params"]),
        params_accepted=len(rec["params"]) if rec["outcome"] in ("answer", "executed") else 0,
        provider=rec["provider"],
    )
    await kc.store.record_turn(turn)
    return {"messages": [AIMessage(content=answer)], "answer": answer, "record": rec, "timings": timings}
