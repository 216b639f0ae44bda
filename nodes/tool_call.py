"""Agent node ``tool_call``: run the decided calls through the one MCP session.

Three phases, in this order, so that nothing runs twice when LangGraph re-runs the node
from its top after an approval:

1. check every call of the AI message: only tools that tool_select offered; a write only on
   the object resolved from the request, with the resolved value; then, for an asker other
   than the scanner, that Kubernetes RBAC lets them make the call (verb, kind, subresource,
   namespace): a call they may not make is refused and audited, never shown for approval;
2. decide every write: by the run's policy, or by one ``interrupt()`` per write, all asked
   before any call of the message runs;
3. run exactly the calls that passed and were approved, once each, and audit them.

Output reaches the LLM only after the parser's whitelist.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from langchain_core.messages import AIMessage, ToolMessage
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from kcache.access import grant_of, refused, scanner_asker
from kcache.context import DEFAULT_CONTEXT, Context
from kcache.errors import KcacheError
from kcache.outputs import digest
from kcache.redaction import redact_args
from kcache.registry.capability import ToolCapability
from kcache.registry.loaded import Registry
from kcache.runtime import Holder
from kcache.state import AgentState, CallRecord, CallStatus, Plan, Understanding
from kcache.timing import node_timings
from kcache.turn import further_read
from kcache.writes import call_target, check_write, needs_person

Decision = Literal["run", "rejected", "refused", "planned", "denied", "declined"]


@dataclass(kw_only=True)
class Checked:
    """One call of the message after phase 1 (and its decision after phase 2)."""

    call_id: str
    tool: str
    args: dict[str, Any]
    cap: ToolCapability | None
    writes: bool = False
    problem: str | None = None
    decision: Decision = "run"
    approved_by: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    operation: str | None = None
    """What the call does (delete, scale, logs, get, ...), as its permission was checked."""


def summary(kc: Holder, state: AgentState, item: Checked) -> str:
    """What an approval shows: the resolved target and value, then the exact call."""
    assert item.cap is not None
    got = call_target(item.cap, item.args)
    verb = state["understanding"]["operation"]  # the write check made it the call's operation too
    what = f"{got.kind} {got.namespace + '/' if got.namespace else ''}{got.name}"
    text = f"{verb} {what} on cluster {kc.cluster}"
    if "scale" in item.cap.operation_types:
        current = next(
            (
                r["fields"].get("replicas")
                for r in state["resolved"].get("items", [])
                if r["name"] == got.name
            ),
            None,
        )
        text += f" to {got.replicas} replicas" + (f" (from {current})" if current is not None else "")
    workload = state["resolved"].get("workload")
    if workload:
        text += f"; found as the pod of {workload['kind']} {workload['name']}"
    shown = ", ".join(f"{k}={v!r}" for k, v in item.args.items())
    return f"{text[0].upper()}{text[1:]}: {item.tool}({shown})"


def check_calls(kc: Holder, state: AgentState, registry: Registry, last: AIMessage) -> list[Checked]:
    """Phase 1, pure: each call with what is wrong with it, if anything."""
    offered = {s["tool"] for s in state.get("selected", [])}
    out = []
    for call in last.tool_calls:
        name, args = call["name"], dict(call["args"])
        item = Checked(call_id=call["id"] or name, tool=name, args=args, cap=None)
        if name not in offered:
            item.problem, item.decision = f"{name} is not available for this request", "rejected"
        else:
            item.cap = registry.get(name)
            item.writes = item.cap.writes or item.cap.destructive
            if item.writes:
                item.problem = check_write(
                    item.cap,
                    args,
                    understanding=state["understanding"],
                    resolved=state["resolved"],
                    plan=state["plan"],
                    context=kc.identity.context,
                )
                if item.problem:
                    item.decision = "rejected"
        out.append(item)
    return out


def reading_of_call(state: AgentState, item: Checked) -> Understanding:
    """The ask a call answers: a further ask's when it reads that ask's object, else the turn's."""
    further = None if item.writes else further_read(state, item.tool, item.args)
    return further["reading"] if further is not None else state["understanding"]


def call_operation(state: AgentState, item: Checked, cap: ToolCapability) -> str:
    """The operation a call performs: logs, get, list, top, delete, ...

    An accepted write's is the request's (the write check made sure the call does it).
    """
    if item.writes and item.decision == "run":
        return state["understanding"]["operation"]
    return cap.operation_types[0] if cap.operation_types else "get"


async def check_access(kc: Holder, state: AgentState, registry: Registry, items: list[Checked]) -> None:
    """Phase 1, second half: refuse every call the turn's asker may not make.

    Every call of a known tool is checked, the ones phase 1 rejected too: a call the asker
    may not make is refused as such (and audited so), whoever chose it. The scanner's
    identity makes no review.
    """
    asker = state.get("asker")
    language = state["understanding"].get("language", "en")
    for item in items:
        cap = item.cap or registry.caps.get(item.tool)
        if cap is None:
            continue
        got = call_target(cap, item.args)
        item.operation = call_operation(state, item, cap)
        reason = await refused(kc, asker, item.operation, got.kind, got.namespace, language=language)
        if reason is not None:
            item.cap, item.problem, item.decision = cap, reason, "refused"
            item.writes = item.writes or cap.writes or cap.destructive


def decide_writes(kc: Holder, state: AgentState, ctx: Context, items: list[Checked]) -> None:
    """Phase 2: a decision for every write that passed the check, before anything runs.

    ``interrupt()`` is called once per write that needs a person, always in the same order, so
    a resume replays the earlier answers instead of asking again.
    """
    policy = ctx.approval or kc.settings.approval_policy
    for item in items:
        if not item.writes or item.decision != "run":
            continue
        assert item.cap is not None
        if ctx.dry_run:
            item.decision = "planned"
            continue
        if policy == "deny":
            item.decision = "denied"
            continue
        person = needs_person(state["resolved"])
        if policy == "auto" and not person:
            item.approved_by = "policy:auto"
            continue
        item.payload = {
            "type": "approval",
            "tool": item.tool,
            "args": item.args,
            "summary": summary(kc, state, item),
            "cluster": kc.cluster,
            "destructive": item.cap.destructive,
            "needs_person": person,
        }
        decision = interrupt(item.payload)
        approved = bool(decision.get("approved")) if isinstance(decision, dict) else bool(decision)
        if approved and person and isinstance(decision, dict) and decision.get("automatic"):
            approved = False  # an automatic approval (--yes) never covers a target found indirectly
        if approved:
            item.approved_by = str(decision.get("by", "user")) if isinstance(decision, dict) else "user"
        else:
            item.decision = "declined"


_NOT_RUN: dict[str, str] = {
    "planned": "planned, awaiting approval: not run",
    "denied": "writes are disabled (APPROVAL_POLICY=deny): not run",
    "declined": "declined by the user: not run",
}


async def _audit(kc: Holder, state: AgentState, item: Checked, status: str, **kw: Any) -> None:
    got = call_target(item.cap, item.args) if item.cap is not None else None
    await kc.store.audit(
        tool=item.tool,
        arguments=redact_args(item.args),
        status=status,
        cluster=kc.cluster,
        identity=f"{kc.identity.context}/{kc.identity.user}",
        writes=item.writes,
        origin="agent",
        asker=state.get("asker") or scanner_asker(),
        verb=item.operation,
        kind=got.kind if got else None,
        namespace=got.namespace if got else None,
        name=got.name if got else None,
        **kw,
    )


async def run_checked(
    kc: Holder, state: AgentState, items: list[Checked]
) -> tuple[list[CallRecord], list[ToolMessage], Plan]:
    """Phase 3: run what passed and was approved, once; audit everything; update the plan."""
    plan: Plan = {**state["plan"]}
    records: list[CallRecord] = []
    replies: list[ToolMessage] = []
    if any(i.writes and i.decision != "rejected" for i in items):
        plan["outcome"] = "confirm"
    for item in items:
        record: CallRecord = {"tool": item.tool, "args": item.args, "executed": False, "writes": item.writes}
        if item.decision != "run":
            status = cast(CallStatus, item.decision)
            record["status"] = status
            text = item.problem or _NOT_RUN[item.decision]
            if item.problem:
                record["error"] = item.problem
            await _audit(kc, state, item, status, error=item.problem)
            replies.append(
                ToolMessage(content=text, tool_call_id=item.call_id, name=item.tool, status="error")
            )
            records.append(record)
            if item.decision == "denied":
                plan.update({"outcome": "refuse", "reason": "writes are disabled (APPROVAL_POLICY=deny)"})
            elif item.decision == "refused":
                plan.update({"outcome": "refuse", "reason": item.problem})
            elif item.decision == "declined":
                plan["approved"] = False
            continue
        assert item.cap is not None
        if item.writes:
            plan["approved"] = True
            record["approved_by"] = item.approved_by
        try:
            result = await kc.call(item.tool, item.args)
        except KcacheError as exc:
            record.update({"status": "error", "error": str(exc)})
            await _audit(kc, state, item, "error", error=str(exc))
            replies.append(
                ToolMessage(
                    content=f"error: {exc}", tool_call_id=item.call_id, name=item.tool, status="error"
                )
            )
            records.append(record)
            continue
        record.update(
            {
                "executed": True,
                "status": "error" if result.is_error else "ok",
                "duration_ms": round(result.duration_ms, 1),
            }
        )
        await _audit(
            kc,
            state,
            item,
            record["status"],
            duration_ms=result.duration_ms,
            approved_by=item.approved_by,
            approved_at=kc.store.now() if item.writes else None,
            error=result.text[:500] if result.is_error else None,
        )
        if item.writes and not result.is_error:
            plan["outcome"] = "executed"
        replies.append(
            ToolMessage(
                content=digest(
                    result, item.cap, reading_of_call(state, item), grant=grant_of(kc.store), args=item.args
                ),
                tool_call_id=item.call_id,
                name=item.tool,
                status="error" if result.is_error else "success",
            )
        )
        records.append(record)
    return records, replies, plan


async def tool_call(state: AgentState, runtime: Runtime[Context], *, kc: Holder) -> dict[str, Any]:
    """Check, decide and run the tool calls of the deciding step's last message."""
    start = time.perf_counter()
    ctx = runtime.context or DEFAULT_CONTEXT
    last = state.get("exchange", [])[-1]
    if not isinstance(last, AIMessage):
        raise KcacheError(f"tool_call expects the deciding step's AIMessage, got {type(last).__name__}")
    registry = await kc.tools()
    items = check_calls(kc, state, registry, last)
    await check_access(kc, state, registry, items)
    waited = time.perf_counter()
    decide_writes(kc, state, ctx, items)
    waited_ms = (time.perf_counter() - waited) * 1000
    records, replies, plan = await run_checked(kc, state, items)
    return {
        "exchange": [*state.get("exchange", []), *replies],
        "calls": [*state.get("calls", []), *records],
        "plan": plan,
        "timings": node_timings(state, "tool_call", start, less_ms=waited_ms),
    }
