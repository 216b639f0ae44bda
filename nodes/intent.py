"""Agent node ``intent``: what the request asks (intent, kind, operation) and the names it mentions."""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from graph.context import Context
from graph.state import AgentState
from kcache import runtime as kcache_runtime
from kcache.errors import KcacheError
from kcache.understand import analyze
from kcache.vocab import ensure_warm, vocabulary


def request_text(state: AgentState) -> str:
    """The request: ``query`` when given, else the last human message."""
    if state.get("query"):
        return str(state["query"])
    for message in reversed(state.get("messages", [])):
        if isinstance(message, HumanMessage):
            content = message.content
            return content if isinstance(content, str) else " ".join(str(c) for c in content)
    raise KcacheError("no request: send `messages` ending with a human message, or `query`")


async def intent(state: AgentState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Warm an empty or expired cache, then analyse the request against its vocabulary."""
    start = time.perf_counter()
    kc = kcache_runtime.current()
    query = request_text(state)
    warmed = await ensure_warm(kc)
    vocab = await vocabulary(kc)
    try:
        understood = await asyncio.wait_for(
            asyncio.to_thread(analyze, query, vocab), timeout=kc.settings.intent_analysis_timeout
        )
    except TimeoutError:
        raise KcacheError(
            f"intent analysis took longer than INTENT_ANALYSIS_TIMEOUT={kc.settings.intent_analysis_timeout:g}s"
        ) from None
    # A new turn: clear what the previous turn of this thread left in the state.
    return {
        "query": query,
        "understanding": {**asdict(understood), "warmed": warmed},
        "resolved": {},
        "selected": [],
        "plan": {},
        "llm": {},
        "calls": [],
        "answer": "",
        "record": {},
        "timings": {"intent": (time.perf_counter() - start) * 1000, "turn_start": time.time()},
    }
