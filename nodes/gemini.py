"""Agent node ``gemini``: the LLM step (Gemini 2.5 Flash, or the offline planner by configuration).

Gemini is bound only to the selected tools and sees a compact context built from the cache,
with cluster text quoted as data. ``LLM_PROVIDER=offline`` fills the same role
deterministically from the suggestions; nothing switches between them silently. The step's
replies go to the turn's ``exchange``, not to the user's ``messages``: only the answer does.
"""

from __future__ import annotations

import time
from typing import Any

from kcache.planner import cache_can_answer, plan_gemini, plan_offline
from kcache.runtime import Holder
from kcache.settings import Settings
from kcache.state import TERMINAL, AgentState, LlmInfo
from kcache.timing import node_timings
from kcache.writes import BUILT


def needs_llm(state: AgentState, settings: Settings) -> bool:
    """Whether this step asks Gemini.

    Never offline; with LLM_ANSWER_POLICY=when_needed, not for a confident list or get whose
    rows the cache holds fresh (the deterministic composer answers it).
    """
    if settings.llm_provider == "offline":
        return False
    if settings.llm_answer_policy == "always" or state.get("exchange"):
        return True
    u = state["understanding"]
    if u["operation"] in BUILT:
        return False  # the manifest is kcache's to build, not the model's
    confident = u["confidence"] >= settings.intent_confidence_threshold
    return not (confident and u["operation"] in ("list", "get") and cache_can_answer(state))


async def gemini(state: AgentState, *, kc: Holder) -> dict[str, Any]:
    """Decide the next step: call one of the selected tools, or answer."""
    start = time.perf_counter()
    settings = kc.settings
    llm: LlmInfo = {**state.get("llm", {})}
    llm["provider"] = settings.llm_provider
    llm["rounds"] = llm.get("rounds", 0) + 1
    llm["limit_reached"] = llm["rounds"] >= settings.agent_max_tool_rounds
    if state["plan"].get("outcome") in TERMINAL:
        return {"llm": llm}
    llm.setdefault("calls", 0)
    llm.setdefault("prompt_tokens", 0)
    asks = needs_llm(state, settings)
    if not asks:
        reply = plan_offline(state, kc.registry)
    else:
        available = await kc.langchain_tools()
        names = list(dict.fromkeys(s["tool"] for s in state.get("selected", [])))
        tools = [available[n] for n in names if n in available]
        reply, tokens, summarised = await plan_gemini(state, settings, tools)
        llm["calls"] += 1
        llm["prompt_tokens"] += tokens
        llm["summarised"] = summarised or llm.get("summarised", False)
        llm["tools_offered"] = names
    timings = node_timings(state, "gemini", start)
    if asks:
        timings["llm"] = timings.get("llm", 0.0) + (time.perf_counter() - start) * 1000
    return {"exchange": [*state.get("exchange", []), reply], "llm": llm, "timings": timings}
