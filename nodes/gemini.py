"""Agent node ``gemini``: the LLM step (Gemini 2.5 Flash, or the offline planner by configuration).

Gemini is bound only to the selected tools and sees a compact context built from the cache,
with cluster text quoted as data. ``LLM_PROVIDER=offline`` fills the same role
deterministically from the suggestions; nothing switches between them silently.
"""

from __future__ import annotations

import time
from typing import Any

from graph.state import AgentState
from kcache import runtime as kcache_runtime
from kcache.planner import TERMINAL, plan_gemini, plan_offline


async def gemini(state: AgentState) -> dict[str, Any]:
    """Decide the next step: call one of the selected tools, or answer."""
    start = time.perf_counter()
    kc = kcache_runtime.current()
    settings = kc.settings
    llm = dict(state.get("llm", {}))
    llm["provider"] = settings.llm_provider
    llm["rounds"] = llm.get("rounds", 0) + 1
    plan = state["plan"]
    if plan.get("outcome") in TERMINAL:
        return {"llm": llm}
    if settings.llm_provider == "offline":
        reply = plan_offline(dict(state), kc.registry)
        llm.setdefault("prompt_tokens", 0)
    else:
        available = await kc.mcp.tools()
        names = list(dict.fromkeys(s["tool"] for s in state.get("selected", [])))
        tools = [available[n] for n in names if n in available]
        reply, tokens, summarised = await plan_gemini(dict(state), settings, tools)
        llm["prompt_tokens"] = llm.get("prompt_tokens", 0) + tokens
        llm["summarised"] = summarised or llm.get("summarised", False)
        llm["tools_offered"] = names
    elapsed = (time.perf_counter() - start) * 1000
    timings = dict(state.get("timings", {}))
    timings["gemini"] = timings.get("gemini", 0.0) + elapsed
    if settings.llm_provider != "offline":
        timings["llm"] = timings.get("llm", 0.0) + elapsed
    return {"messages": [reply], "llm": llm, "timings": timings}
