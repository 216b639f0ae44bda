"""Agent node ``intent``: what the request asks (intent, kind, operation) and the names it mentions."""

from __future__ import annotations

import dataclasses
import time
from typing import Any, cast

from langchain_core.messages import HumanMessage
from langgraph.config import get_config
from langgraph.runtime import Runtime

from kcache.access import turn_asker
from kcache.context import Context
from kcache.contexts import named_cluster
from kcache.errors import KcacheError
from kcache.llm_reader import read_unsure
from kcache.runtime import Holder, Kcache
from kcache.state import AgentState, Understanding
from kcache.understand import Understanding as Reading
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


def understanding_of(reading: Reading) -> Understanding:
    """The reader's frozen record as the state's typed dict: plain values, nested records as dicts."""
    out = {f.name: getattr(reading, f.name) for f in dataclasses.fields(reading)}
    out["relations"] = [dataclasses.asdict(r) for r in reading.relations]
    out["predicates"] = [dataclasses.asdict(p) for p in reading.predicates]
    out["also"] = [understanding_of(a) for a in reading.also]
    return cast(Understanding, out)


def _configurable() -> dict[str, Any]:
    """The run's ``configurable`` (empty when the node is called outside a graph run)."""
    try:
        return dict(get_config().get("configurable") or {})
    except RuntimeError:
        return {}


async def intent(state: AgentState, runtime: Runtime[Context], *, kc: Holder) -> dict[str, Any]:
    """Warm an empty or expired cache, then analyse the request against its vocabulary."""
    start = time.perf_counter()
    query = request_text(state)
    read = query
    context = runtime.context
    asker = turn_asker(
        context.as_user if context is not None else None,
        context.as_groups if context is not None else None,
        _configurable(),
    )
    if isinstance(kc, Kcache) and len(kc.clusters) > 1:
        # "in staging", "在 staging 集群里": the turn goes to that cluster, and the reader reads
        # the request without the phrase (a namespace of the same name wins without a cluster word,
        # only when the asker may see that namespace: a hidden one reads as none).
        seen = await vocabulary(await kc.for_asker(asker))
        named, read = named_cluster(query, kc.clusters, seen.namespaces)
        if named is not None:
            kc = kc.for_cluster(named)
    # Warm first: the asker's grant is reviewed for the namespaces the scan finds.
    warmed = await ensure_warm(kc)
    if isinstance(kc, Kcache):
        kc = await kc.for_asker(asker)  # the asker's view: the vocabulary holds only what they may read
    vocab = await vocabulary(kc)
    # The reader is pure and takes well under a millisecond, so it runs on the loop (a thread
    # hop costs more than it does); INTENT_ANALYSIS_TIMEOUT still bounds it, checked after.
    began = time.perf_counter()
    understood = analyze(read, vocab)
    elapsed = time.perf_counter() - began
    if elapsed > kc.settings.intent_analysis_timeout:
        raise KcacheError(
            f"intent analysis took {elapsed:.3f}s, longer than "
            f"INTENT_ANALYSIS_TIMEOUT={kc.settings.intent_analysis_timeout:g}s"
        )
    reading: Understanding = {**understanding_of(understood), "warmed": warmed}
    calls = 0
    if reading["confidence"] < kc.settings.intent_confidence_threshold:
        if kc.settings.llm_provider == "gemini":
            reading = await read_unsure(read, reading, vocab, kc.settings)
            calls = 1
        else:
            reading["unsure"] = True  # offline, doubt becomes a question, never a false "not found"
    # A new turn: clear what the previous turn of this thread left in the state.
    return {
        "query": query,
        "cluster": kc.cluster,
        "asker": asker,
        "understanding": reading,
        "resolved": {},
        "selected": [],
        "plan": {},
        "llm": {"calls": calls},
        "exchange": [],
        "calls": [],
        "answer": "",
        "record": {},
        "timings": {"intent": (time.perf_counter() - start) * 1000, "turn_start": time.time()},
    }
