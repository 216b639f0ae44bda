"""``kcache ask`` and ``kcache chat``: one request, or an interactive session, through the agent."""

from __future__ import annotations

import json
import uuid
from typing import Any

from graph.run import compile_agent_for_turns, run_turn
from kcache import runtime
from kcache.context import Context
from kcache.errors import KcacheError
from kcache.settings import Settings
from kcache_cli.commands.common import echo
from kcache_cli.commands.prompts import (
    ask_approval,
    ask_choice,
    describe_call,
    footer,
    read_line,
    stdin_is_tty,
)

EXIT_NOT_DONE = 1
"""A write not approved, a request refused (the asker may not, ...), or a clarification left unanswered."""


def _context(fresh: bool, as_user: str | None = None, as_groups: list[str] | None = None) -> Context:
    return Context(fresh=fresh, as_user=as_user, as_groups=as_groups or None)


async def ask(
    question: str,
    *,
    json_out: bool,
    yes: bool,
    fresh: bool,
    settings: Settings,
    context: str | None = None,
    as_user: str | None = None,
    as_groups: list[str] | None = None,
) -> int:
    """Answer one question; exit 1 when a write was not approved.

    It runs on cluster ``context`` (default the first), as the Kubernetes user ``as_user``
    (default: the kubeconfig's identity).
    """
    settings.require_llm()
    tty = stdin_is_tty()

    async def on_approval(payload: dict[str, Any]) -> dict[str, Any]:
        if yes and not payload.get("needs_person"):
            return {"approved": True, "by": "cli --yes", "automatic": True}
        if yes:
            echo(
                "--yes approves only objects named exactly; this target was found through its "
                "workload, so a person must approve it" + (":" if tty else " (ask again naming it)."),
                err=True,
            )
        if tty:
            return await ask_approval(payload)
        echo("Not run: this needs approval and stdin is not a terminal (use --yes to approve).", err=True)
        echo("Would have run: " + describe_call(payload), err=True)
        return {"approved": False, "by": "cli (no terminal)"}

    async def on_clarify(payload: dict[str, Any]) -> dict[str, Any] | None:
        if tty:
            return await ask_choice(payload)
        return None

    async with runtime.open(settings) as kc:
        agent = compile_agent_for_turns(kc.for_cluster(context) if context else kc)
        result = await run_turn(
            agent,
            question,
            thread_id=str(uuid.uuid4()),
            context=_context(fresh, as_user, as_groups),
            on_approval=on_approval,
            on_clarify=on_clarify,
        )
    if result.stopped_at is not None:
        payload = result.stopped_at
        candidates = [str(c) for c in payload.get("candidates") or []]
        if json_out:
            record = {**result.record, "outcome": "clarify", "candidates": candidates}
            echo(json.dumps(record, ensure_ascii=False, indent=2, default=str))
        echo(str(payload.get("question") or "Which one do you mean?"), err=True)
        for number, candidate in enumerate(candidates, start=1):
            echo(f"  {number}. {candidate}", err=True)
        echo("kcache ask: no choice made (stdin is not a terminal); ask again naming one", err=True)
        return EXIT_NOT_DONE
    if json_out:
        echo(json.dumps(result.record, ensure_ascii=False, indent=2, default=str))
    else:
        echo(result.answer)
        tail = footer(result.record)
        if tail:
            echo(tail)
    not_done = result.refused is not None or result.record.get("outcome") == "refuse"
    return EXIT_NOT_DONE if not_done else 0


async def chat(*, fresh: bool, settings: Settings) -> int:
    """An interactive session on one thread until ``exit``, ``quit`` or end of input."""
    settings.require_llm()
    thread_id = str(uuid.uuid4())

    async def on_approval(payload: dict[str, Any]) -> dict[str, Any]:
        return await ask_approval(payload)

    async with runtime.open(settings) as kc:
        agent = compile_agent_for_turns(kc)
        echo(
            f"kcache chat on {kc.cluster} via {kc.registry.server} "
            f"(LLM provider: {settings.llm_provider}); type exit or quit to leave"
        )
        while True:
            line = await read_line("kcache> ")
            if line is None:
                echo()
                break
            question = line.strip()
            if not question:
                continue
            if question.lower() in ("exit", "quit"):
                break
            try:
                result = await run_turn(
                    agent,
                    question,
                    thread_id=thread_id,
                    context=_context(fresh),
                    on_approval=on_approval,
                    on_clarify=ask_choice,
                )
            except KcacheError as exc:
                echo(f"error: {type(exc).__name__}: {exc}")
                continue
            if result.stopped_at is not None:
                echo("(no choice made; ask again naming one)")
                # The old thread still holds the unanswered question: start a clean one.
                thread_id = str(uuid.uuid4())
                continue
            if result.refused is not None:
                echo("Not run.")
            echo(result.answer)
            tail = footer(result.record)
            if tail:
                echo(tail)
    return 0
