"""The terminal side of a turn: approval and choice prompts, the call shown, the footer.

``ask``, ``chat`` and ``demo`` drive turns with :func:`graph.run.run_turn`, handing it these
prompts as the approval and clarification policies.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
from typing import Any

from kcache_cli.commands.common import age_text, echo


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
