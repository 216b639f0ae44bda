"""Agent node ``tool_call``: run the decided calls through the one MCP session.

Only tools that tool_select offered may run. A write or destructive tool pauses with
``interrupt()`` showing exactly what will run, and runs only when resumed with approval
(or by policy: APPROVAL_POLICY / the run's context). Output reaches the LLM only after
the parser's whitelist. Every call is written to the audit log.
"""

from __future__ import annotations

import time
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from graph.context import DEFAULT_CONTEXT, Context
from graph.state import AgentState
from kcache import runtime as kcache_runtime
from kcache.errors import KcacheError
from kcache.outputs import digest
from kcache.redaction import redact_args
from kcache.runtime import Kcache


def _summary(tool: str, args: dict[str, Any]) -> str:
    shown = ", ".join(f"{k}={v!r}" for k, v in args.items())
    return f"{tool}({shown})"


async def _audit(kc: Kcache, tool: str, args: dict[str, Any], status: str, writes: bool, **kw: Any) -> None:
    await kc.store.audit(
        tool=tool,
        arguments=redact_args(args),
        status=status,
        cluster=kc.cluster,
        identity=f"{kc.identity.context}/{kc.identity.user}",
        writes=writes,
        origin="agent",
        **kw,
    )


async def tool_call(state: AgentState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Execute (or pause for approval of) the tool calls of the last AI message."""
    start = time.perf_counter()
    kc = kcache_runtime.current()
    ctx = runtime.context or DEFAULT_CONTEXT
    last = state["messages"][-1]
    assert isinstance(last, AIMessage)
    offered = {s["tool"] for s in state.get("selected", [])}
    plan = dict(state["plan"])
    calls = list(state.get("calls", []))
    replies: list[ToolMessage] = []
    registry = await kc.tools()
    llm_ms = 0.0
    for call in last.tool_calls:
        name, args = call["name"], dict(call["args"])
        call_id = call["id"] or name
        record: dict[str, Any] = {"tool": name, "args": args, "executed": False}
        if name not in offered:
            record["status"] = "rejected"
            await _audit(kc, name, args, "rejected", False, error="tool was not offered for this request")
            replies.append(
                ToolMessage(
                    content=f"{name} is not available for this request",
                    tool_call_id=call_id,
                    name=name,
                    status="error",
                )
            )
            calls.append(record)
            continue
        cap = registry.get(name)
        writes = cap.writes or cap.destructive
        record["writes"] = writes
        if writes:
            plan["outcome"] = "confirm"
            policy = ctx.approval or kc.settings.approval_policy
            if ctx.dry_run:
                record["status"] = "planned"
                calls.append(record)
                await _audit(kc, name, args, "planned", True)
                break
            if policy == "deny":
                record["status"] = "denied"
                plan.update(outcome="refuse", reason="writes are disabled (APPROVAL_POLICY=deny)")
                await _audit(kc, name, args, "denied", True)
                calls.append(record)
                break
            approved_by = "policy:auto"
            if policy == "ask":
                waited = time.perf_counter()
                decision = interrupt(
                    {
                        "type": "approval",
                        "tool": name,
                        "args": args,
                        "summary": f"Run {_summary(name, args)} on cluster {kc.cluster}",
                        "destructive": cap.destructive,
                    }
                )
                llm_ms += (time.perf_counter() - waited) * 1000
                approved = bool(decision.get("approved")) if isinstance(decision, dict) else bool(decision)
                approved_by = str(decision.get("by", "user")) if isinstance(decision, dict) else "user"
                if not approved:
                    record["status"] = "declined"
                    plan["approved"] = False
                    await _audit(kc, name, args, "declined", True, approved_by=None)
                    calls.append(record)
                    break
            plan["approved"] = True
            record["approved_by"] = approved_by
        try:
            result = await kc.call(name, args)
        except KcacheError as exc:
            record.update(status="error", error=str(exc))
            await _audit(kc, name, args, "error", writes, error=str(exc))
            replies.append(
                ToolMessage(content=f"error: {exc}", tool_call_id=call_id, name=name, status="error")
            )
            calls.append(record)
            continue
        record.update(
            executed=True,
            status="error" if result.is_error else "ok",
            duration_ms=round(result.duration_ms, 1),
        )
        await _audit(
            kc,
            name,
            args,
            record["status"],
            writes,
            duration_ms=result.duration_ms,
            approved_by=record.get("approved_by"),
            approved_at=kc.store.now() if writes else None,
            error=result.text[:500] if result.is_error else None,
        )
        if writes and not result.is_error:
            plan["outcome"] = "executed"
        content = digest(result, cap, state["understanding"])
        replies.append(
            ToolMessage(
                content=content,
                tool_call_id=call_id,
                name=name,
                status="error" if result.is_error else "success",
            )
        )
        calls.append(record)
    timings = dict(state.get("timings", {}))
    timings["tool_call"] = timings.get("tool_call", 0.0) + (time.perf_counter() - start) * 1000 - llm_ms
    return {"messages": replies, "calls": calls, "plan": plan, "timings": timings}
