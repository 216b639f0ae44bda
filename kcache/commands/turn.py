"""One agent turn for the interactive commands: run, answer interrupts, resume, report.

``ask``, ``chat`` and ``demo`` compile the agent graph with an in-memory checkpointer
(interrupts need one) and drive a turn through :func:`run_turn`, which hands approval and
clarification interrupts to the caller's policy and resumes with its decision.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.pregel import Pregel
from langgraph.types import Command

from kcache.commands.common import age_text, echo

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


def compile_agent() -> Pregel[Any, Any, Any, Any]:
    """The agent graph compiled with an in-memory checkpointer (needed for interrupts)."""
    from graph.agent import build_agent

    compiled: Pregel[Any, Any, Any, Any] = build_agent().compile(checkpointer=InMemorySaver(), name="agent")
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
        {"messages": [HumanMessage(content=query)], "query": query}, config, context=context
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
        out = await agent.ainvoke(Command(resume=resume), config, context=context)
    result.record = dict(out.get("record") or {}) if isinstance(out, dict) else {}
    result.answer = (
        str(out.get("answer") or result.record.get("answer") or "") if isinstance(out, dict) else ""
    )
    return result


def approver() -> str:
    """Who approves from this terminal, for the audit log."""
    try:
        return f"{getpass.getuser()} (cli)"
    except (KeyError, OSError):
        return "cli"


def describe_call(payload: dict[str, Any]) -> str:
    """What an approval interrupt would run: its summary and the exact call."""
    args = json.dumps(payload.get("args") or {}, ensure_ascii=False, sort_keys=True)
    kind = "destructive write" if payload.get("destructive") else "write"
    summary = payload.get("summary") or ""
    return f"{summary}\n  {kind}: {payload.get('tool')} {args}".strip()


def stdin_is_tty() -> bool:
    """Whether a person can answer prompts."""
    return sys.stdin.isatty()


async def read_line(prompt: str) -> str | None:
    """Read one line from stdin without blocking the event loop; None at end of input."""
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


async def ask_approval(payload: dict[str, Any]) -> dict[str, Any]:
    """Show the call and ask ``Run this? [y/N]`` on the terminal."""
    echo("Approval needed:")
    echo("  " + describe_call(payload).replace("\n", "\n  "))
    reply = await read_line("Run this? [y/N] ")
    approved = (reply or "").strip().lower() in ("y", "yes")
    return {"approved": approved, "by": approver()}


async def ask_choice(payload: dict[str, Any]) -> dict[str, Any] | None:
    """Show the numbered candidates and read a choice; None when the user gives none."""
    candidates = [str(c) for c in payload.get("candidates") or []]
    echo(str(payload.get("question") or "Which one do you mean?"))
    for number, candidate in enumerate(candidates, start=1):
        echo(f"  {number}. {candidate}")
    while True:
        reply = await read_line(f"Choose 1-{len(candidates)} (empty to cancel): ")
        if reply is None or not reply.strip():
            return None
        text = reply.strip()
        if text.isdigit() and 1 <= int(text) <= len(candidates):
            return {"choice": candidates[int(text) - 1]}
        if text in candidates:
            return {"choice": text}
        echo(f"not a choice: {text!r}")


def footer(record: dict[str, Any]) -> str:
    """Where the answer came from: the cache (with its data age) or an MCP tool."""
    parts = []
    if record.get("answered_from_cache"):
        parts.append(f"answered from cache, data age {age_text(record.get('data_age_s'))}")
    elif record.get("tool"):
        verb = "ran" if record.get("executed") else "planned"
        parts.append(f"{verb} {record['tool']}")
    lookups = record.get("cache_lookups")
    if lookups:
        parts.append(f"cache lookups {lookups}, hits {record.get('cache_hits', 0)}")
    return f"({'; '.join(parts)})" if parts else ""
