"""Driving the graphs from a program: one agent turn with its interrupts answered, one refresh.

The CLI, the eval harness and the benchmarks run turns and refreshes through these, on graphs
built for the holder they opened.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.pregel import Pregel
from langgraph.types import Command, Durability

from graph.agent import compile_agent
from graph.refresh import compile_refresh
from kcache.runtime import Holder

DURABILITY: Durability = "exit"
"""Turns driven here use an in-memory checkpointer: saving after every step would buy nothing a
crash does not lose anyway, so the state is saved when the run stops (at an interrupt or the end)."""

Decide = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]
"""Given an interrupt's payload, the resume value, or None to stop the turn there."""


@dataclass(kw_only=True)
class TurnResult:
    """What a turn produced."""

    record: dict[str, Any] = field(default_factory=dict)
    answer: str = ""
    stopped_at: dict[str, Any] | None = None
    """The interrupt payload the turn stopped at (not resumed), if any."""
    refused: dict[str, Any] | None = None
    """The approval payload that was declined, if any."""
    approved: dict[str, Any] | None = None
    """The approval payload that was approved, if any."""


def compile_agent_for_turns(kc: Holder) -> Pregel[Any, Any, Any, Any]:
    """The agent graph for ``kc`` with an in-memory checkpointer (interrupts need one)."""
    compiled: Pregel[Any, Any, Any, Any] = compile_agent(kc, checkpointer=InMemorySaver())
    return compiled


def _pending(out: Any) -> list[dict[str, Any]]:
    if not isinstance(out, dict):
        return []
    payloads = []
    for item in out.get("__interrupt__") or []:
        value = getattr(item, "value", item)
        if isinstance(value, dict):
            payloads.append(value)
    return payloads


async def run_turn(
    agent: Pregel[Any, Any, Any, Any],
    query: str,
    *,
    thread_id: str,
    context: Any,
    on_approval: Decide,
    on_clarify: Decide,
) -> TurnResult:
    """Run one request to its end, resuming each interrupt with the caller's decision."""
    config: Any = {"configurable": {"thread_id": thread_id}}
    result = TurnResult()
    out: Any = await agent.ainvoke(
        {"messages": [HumanMessage(content=query)], "query": query},
        config,
        context=context,
        durability=DURABILITY,
    )
    while pending := _pending(out):
        payload = pending[0]
        if payload.get("type") == "approval":
            resume = await on_approval(payload)
            if resume is not None:
                if resume.get("approved"):
                    result.approved = payload
                else:
                    result.refused = payload
        else:
            resume = await on_clarify(payload)
        if resume is None:
            result.stopped_at = payload
            state = await agent.aget_state(config)
            values = dict(state.values) if isinstance(state.values, dict) else {}
            result.record = dict(values.get("record") or {})
            return result
        out = await agent.ainvoke(Command(resume=resume), config, context=context, durability=DURABILITY)
    result.record = dict(out.get("record") or {}) if isinstance(out, dict) else {}
    result.answer = (
        str(out.get("answer") or result.record.get("answer") or "") if isinstance(out, dict) else ""
    )
    return result


def progress_line(tier: str, scope: str, rows: int | None, status: str, ms: float | None) -> str:
    """One progress line: tier, scope, rows, status and duration."""
    rows_text = f"{rows:>6} rows" if rows is not None else " " * 11
    ms_text = f"{ms:>8.0f} ms" if ms is not None else ""
    return f"[{tier:<7}] {scope:<32} {rows_text}  {status:<9}{ms_text}"


async def run_refresh(kc: Holder, tier: str, report: Callable[[str], None]) -> dict[str, Any]:
    """Run the refresh graph for ``tier`` (forced) for ``kc``; returns its final state."""
    return await stream_refresh(compile_refresh(kc), tier, report)


async def stream_refresh(refresh_graph: Any, tier: str, report: Callable[[str], None]) -> dict[str, Any]:
    """Run a compiled refresh graph for ``tier`` (forced), reporting each scope; its final state.

    Scope results streamed by the graph as custom events (``{"tier", "scope", "rows",
    "status", "ms", "error"}``) are reported as they come; scopes not streamed are reported from the
    tier summaries at the end.
    """
    final: dict[str, Any] = {}
    seen: set[tuple[str, str]] = set()
    async for mode, chunk in refresh_graph.astream(
        {"tier": tier, "force": True}, stream_mode=["custom", "values"]
    ):
        if mode == "custom" and isinstance(chunk, dict) and "scope" in chunk:
            key = (str(chunk.get("tier", "")), str(chunk["scope"]))
            seen.add(key)
            line = progress_line(key[0], key[1], chunk.get("rows"), str(chunk.get("status")), chunk.get("ms"))
            report(line + (f"  {chunk['error']}" if chunk.get("error") else ""))
        elif mode == "values" and isinstance(chunk, dict):
            final = chunk
    for tier_name, summary in (final.get("results") or {}).items():
        for scope, count in (summary.get("counts") or {}).items():
            if (tier_name, scope) not in seen:
                report(progress_line(tier_name, scope, int(count), "completed", None))
        for scope, error in (summary.get("failed") or {}).items():
            if (tier_name, scope) not in seen:
                report(progress_line(tier_name, scope, None, "failed", None) + f"  {error}")
        for scope in summary.get("skipped") or []:
            if (tier_name, scope) not in seen:
                report(progress_line(tier_name, scope, None, "skipped", None))
    return final


def tier_lines(final: dict[str, Any]) -> list[str]:
    """One summary line per tier scanned."""
    lines = []
    for tier_name, summary in (final.get("results") or {}).items():
        counts = summary.get("counts") or {}
        failed = summary.get("failed") or {}
        lines.append(
            f"{tier_name}: {summary.get('status')} in {summary.get('duration_ms', 0):.0f} ms, "
            f"{sum(int(n) for n in counts.values())} rows in {len(counts)} scopes"
            + (
                f", {len(failed)} failed: " + "; ".join(f"{s}: {e}" for s, e in failed.items())
                if failed
                else ""
            )
        )
    return lines


def failed_tiers(final: dict[str, Any]) -> list[str]:
    """The tiers whose scan did not complete."""
    return [t for t, s in (final.get("results") or {}).items() if s.get("status") != "completed"]
