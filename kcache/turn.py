"""The end of a turn: the answer in the user's language and the structured record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage

from kcache import facts as fact_answers
from kcache.answer import (
    age_note,
    diagnosis,
    endpoints_line,
    last_run,
    listing,
    none_related,
    object_detail,
    problems,
    t,
)
from kcache.model import Resource
from kcache.state import (
    AgentState,
    CallRecord,
    FurtherAsk,
    Resolution,
    Row,
    Target,
    TurnRecord,
    Understanding,
)


def _resources(items: list[Row]) -> list[Resource]:
    return [Resource(**i) for i in items]


def compose(state: AgentState) -> str:
    """The offline answer (and the answer for turns that end before any LLM step)."""
    u, resolved, plan = state["understanding"], state["resolved"], state["plan"]
    lang, kind, op = u["language"], u["resource"], u["operation"]
    outcome = plan.get("outcome")
    if outcome == "refuse":
        return t(lang, f"无法执行：{plan.get('reason')}", f"I can't do that: {plan.get('reason')}")
    if outcome == "clarify":
        options = "\n".join(f"  {i + 1}. {c}" for i, c in enumerate(plan.get("candidates", [])))
        if (missing := plan.get("missing")) and (u.get("unsure") or missing.get("partial")):
            word = missing["mention"]
            head = t(
                lang,
                f"不确定“{word}”指的是什么，是下面之一吗：\n",
                f"Not sure what '{word}' refers to; one of these?\n",
            )
            return head + options
        if len(plan.get("candidates", [])) == 1:
            # One object fits a description, not a name: a write is confirmed on its exact name.
            return t(lang, "是这个吗？请用名称确认：\n", "Is it this one? Confirm by its name:\n") + options
        return (
            t(lang, "有多个同样匹配的对象，请选择：\n", "Several objects match equally; which one?\n")
            + options
        )
    if outcome == "not_found":
        missing = plan.get("missing")
        what = f"{missing['what']} {missing['mention'] or ''}".strip() if missing else kind
        sugg = ", ".join(plan.get("candidates", []))
        text = t(lang, f"没有找到 {what}。", f"{what} does not exist.")
        if missing and (elsewhere := missing.get("other_clusters")):
            here, there = state.get("cluster", ""), ", ".join(elsewhere)
            text = t(
                lang,
                f"{what} 在集群 {there} 中存在，不在 {here} 中。",
                f"{what} exists in cluster {there}, not in {here}.",
            )
        if sugg:
            text += t(lang, f" 你是不是指：{sugg}？", f" Did you mean: {sugg}?")
        return text + t(lang, "（未调用任何工具）", " (no tool was called)")
    calls = state.get("calls", [])
    tool_texts = [str(m.content) for m in state.get("exchange", []) if isinstance(m, ToolMessage)]
    if op != "diagnose":
        # What was read beside the main ask (logs, values) is answered under it, with the other asks.
        tool_texts = [text for c, text in _call_texts(state) if not _beside(state, c)]
    if outcome is None and (why := failed_read(state)):
        return t(
            lang,
            f"无法读取 {kind}：{why}。没有给出可能过期的数据。",
            f"Could not read {kind}: {why}. No possibly outdated data is shown.",
        )
    if outcome == "confirm":
        call = calls[-1] if calls else {}
        shown = f"{call.get('tool')}({', '.join(f'{k}={v!r}' for k, v in call.get('args', {}).items())})"
        if plan.get("approved") is False:
            return t(lang, f"已取消，未执行：{shown}", f"Cancelled; nothing was run: {shown}")
        return t(
            lang, f"需要确认后执行：{shown}", f"This needs your approval before it runs: {shown}"
        ) + _change(lang, state)
    if any(c.get("writes") and c.get("executed") for c in calls):
        call = next(c for c in calls if c.get("writes") and c.get("executed"))
        status = "ok" if call.get("status") == "ok" else f"failed: {tool_texts[-1] if tool_texts else ''}"
        return t(lang, f"已执行 {call['tool']}：{status}", f"Ran {call['tool']}: {status}")
    items = _resources(resolved.get("items", []))
    note = data_note(lang, resolved) if answered_from_cache(state) else ""
    if op == "diagnose":
        logs = {str(c["args"].get("name")): text for c, text in _call_texts(state)}
        findings = resolved.get("findings")
        if "scope" in resolved:  # a namespace or the whole cluster, no object named
            body = problems(lang, findings or [], resolved["scope"], logs=logs, seen=items)
        else:
            body = diagnosis(lang, items, _resources(resolved.get("events", [])), logs, findings=findings)
        return body + ("\n" + note if note else "")
    if tool_texts:
        head = t(lang, f"{kind} {op} 的结果：", f"Result of {kind} {op}:")
        if op == "logs" and (since := u.get("since_seconds")):
            window = (
                f"{since // 3600}h" if since >= 3600 else f"{since // 60}m" if since >= 60 else f"{since}s"
            )
            head = t(
                lang,
                f"日志工具不能按时间过滤（最近 {window}），下面是最后的日志行：",
                f"The log tool cannot filter by time (the last {window} asked); these are the last lines:",
            )
        return head + "\n" + "\n".join(tool_texts)
    if kind == "cluster" and "cluster" in resolved:
        facts = resolved["cluster"]
        body = t(
            lang,
            f"集群 {facts['name']} 的 Kubernetes 版本是 {facts['version']}，共 {facts['node_count']} 个节点，API server {facts['api_server']}。",
            f"Cluster {facts['name']} runs Kubernetes {facts['version']} on {facts['node_count']} nodes (API server {facts['api_server']}).",
        )
        if facts["node_count"] is None:  # an asker who may not list nodes is not told how many
            body = t(
                lang,
                f"集群 {facts['name']} 的 Kubernetes 版本是 {facts['version']}，API server {facts['api_server']}。",
                f"Cluster {facts['name']} runs Kubernetes {facts['version']} (API server {facts['api_server']}).",
            )
        return body + " " + note
    pods = _resources(resolved.get("pods", []))
    if runs := _resources(resolved.get("last_run", [])):
        note = last_run(lang, runs[0]) + ("\n" + note if note else "")
    if op in ("list", "get") and (
        fact := fact_answers.answer(lang, kind, items, u, resolved.get("namespace"), pods)
    ):
        return fact + ("\n" + note if note else "")
    if op == "get" and items:
        detail = object_detail(lang, items[0])
        if kind == "service" and "endpoints" in resolved:
            endpoints = _resources(resolved["endpoints"])
            detail += "\n" + endpoints_line(lang, endpoints[0] if endpoints else None)
        return detail + ("\n" + note if note else "")
    if op == "list" and not items and (none := none_related(lang, kind, u.get("relations") or [])):
        return none + ("\n" + note if note else "")
    if op in ("list", "get"):
        return (
            listing(lang, kind, items, resolved.get("namespace"), count_only=u.get("count_only", False))
            + (_grep_words(lang, u) if op == "list" else "")
            + ("\n" + note if note else "")
        )
    return t(lang, "没有可用的工具完成这个请求。", "No available tool can do this.")


def _grep_words(lang: str, u: Understanding) -> str:
    """What a grep after the listing kept: "(the rows containing 'payments')"."""
    wanted, unwanted = u.get("grep"), u.get("grep_out")
    said = [t(lang, f"含有 {wanted!r}", f"containing {wanted!r}")] if wanted else []
    said += [t(lang, f"不含 {unwanted!r}", f"not containing {unwanted!r}")] if unwanted else []
    if not said:
        return ""
    return t(lang, f"\n（只列出{'、'.join(said)}的行）", f"\n(only the rows {' and '.join(said)})")


def _change(lang: str, state: AgentState) -> str:
    """What a planned scale changes, from the cached count: "replicas from 6 to 9"."""
    u, resolved, plan = state["understanding"], state["resolved"], state["plan"]
    wanted = plan.get("params", {}).get("replicas")
    target = resolved.get("target")
    if u["operation"] != "scale" or wanted is None or not target:
        return ""
    current = next(
        (i["fields"].get("replicas") for i in resolved.get("items", []) if i["name"] == target["name"]), None
    )
    if current is None:
        return ""
    return t(
        lang,
        f"\n{target['name']} 的副本数从 {current} 变为 {wanted['value']}。",
        f"\n{target['name']}: replicas from {current} to {wanted['value']}.",
    )


def data_note(lang: str, resolved: Resolution) -> str:
    """Where the answer's rows come from: a live watch (with its last event) or a scan's age."""
    live = resolved.get("live_event_age_s")
    if live is not None:
        return t(lang, f"（实时数据，最后事件 {live:.1f}s 前）", f"(live, last event {live:.1f} s ago)")
    return age_note(lang, resolved.get("data_age_s"))


def further_answers(state: AgentState) -> str:
    """The answers to the sentence's other asks, each under the first answer (never dropped)."""
    parts = []
    for ask in state["resolved"].get("also", []):
        u = ask["reading"]
        lang, kind, ns = u["language"], u["resource"], u.get("namespace")
        if (pod := ask.get("logs_of")) is not None and (
            text := _beside_logs(state).get(pod["name"])
        ) is not None:
            ref = f"{pod['namespace']}/{pod['name']}"
            parts.append(t(lang, f"{ref} 的日志：", f"Logs of {ref}:") + "\n" + text)
            continue
        if (read := ask.get("read_of")) is not None and (text := _beside_read(state, read)) is not None:
            parts.append(text)  # the object as read live, its values with it
            continue
        if not ask["answered"]:
            what = f"{kind} {u['name_mention']}" if u.get("name_mention") else kind
            parts.append(
                t(
                    lang,
                    f"另外你还问了 {what} 的 {u['operation']}：未执行，请单独再问一次。",
                    f"You also asked for a {u['operation']} of {what}: it was not done; ask it on its own.",
                )
            )
            continue
        items = _resources(ask["items"])
        if u["operation"] == "diagnose" and (found := ask.get("diagnosis")) is not None:
            events = _resources(found.get("events", []))
            parts.append(diagnosis(lang, items, events, {}, findings=found.get("findings")))
            continue
        text = fact_answers.answer(lang, kind, items, u, ns)
        if text is None and not items:
            text = none_related(lang, kind, u.get("relations") or [])
        if text is None:
            text = (
                object_detail(lang, items[0])
                if u["operation"] == "get" and items
                else listing(lang, kind, items, ns, count_only=bool(u.get("count_only")))
            )
        if runs := _resources(ask.get("last_run", [])):
            text += "\n" + last_run(lang, runs[0])
        parts.append(text)
    return "\n\n".join(parts)


def answered_from_cache(state: AgentState) -> bool:
    """True when no tool ran for the main read and the cache's rows answered it."""
    plan = state["plan"]
    if plan.get("outcome") in ("not_found", "refuse", "clarify", "confirm"):
        return False
    if failed_read(state):
        return False
    main_calls = [c for c in state.get("calls", []) if c.get("executed") and not _beside(state, c)]
    return not main_calls and state["understanding"]["operation"] in ("list", "get", "diagnose")


def failed_read(state: AgentState) -> str | None:
    """Why a read could not be answered: its call failed, or the cache was stale and no call ran.

    Stale rows whose read-through refresh failed are not an answer (nor a cache hit).
    """
    if state["understanding"]["intent"] == "action":
        return None
    if partial := state["resolved"].get("partial"):
        # The server narrows a live call the same way: what it returns is not the whole answer.
        return f"the list is incomplete ({partial[0]})"
    main = [c for c in state.get("calls", []) if not _beside(state, c) and c.get("status") != "rejected"]
    if any(c.get("executed") and c.get("status") == "ok" for c in main):
        return None
    errors = [c.get("error") or "the tool reported an error" for c in main if c.get("status") == "error"]
    if errors:
        return errors[0]
    stale = state["resolved"].get("stale")
    if stale and state["understanding"]["operation"] in ("list", "get", "diagnose"):
        return f"the cached {', '.join(stale)} could not be refreshed"
    return None


def _logs_tool(state: AgentState) -> str | None:
    """The log tool a turn calls besides its main ask: a diagnosis's, or for logs asked beside it."""
    if state["understanding"]["operation"] == "logs":
        return None
    return next((s["tool"] for s in state.get("selected", []) if s["operation"] == "logs"), None)


def _call_texts(state: AgentState) -> list[tuple[CallRecord, str]]:
    """Each executed call with what it returned (its tool message), in the order they ran."""
    texts = [str(m.content) for m in state.get("exchange", []) if isinstance(m, ToolMessage)]
    executed = [c for c in state.get("calls", []) if c.get("executed")]
    return list(zip(executed, texts, strict=False))


def _beside_logs(state: AgentState) -> dict[str, str]:
    """What the log tool returned for each pod whose logs were read beside the main ask."""
    logs = _logs_tool(state)
    return {
        str(c["args"].get("name") or c["args"].get("pod")): text
        for c, text in _call_texts(state)
        if c["tool"] == logs
    }


def _reads(args: Mapping[str, Any], read: Target) -> bool:
    return args.get("name") == read["name"] and args.get("namespace") in (read["namespace"], None)


def further_read(state: AgentState, tool: str, args: Mapping[str, Any]) -> FurtherAsk | None:
    """The further ask a call reads the object of live (a ConfigMap's values), if any."""
    if tool == _logs_tool(state):
        return None
    return next(
        (
            ask
            for ask in state["resolved"].get("also", [])
            if (read := ask.get("read_of")) is not None and _reads(args, read)
        ),
        None,
    )


def _beside(state: AgentState, call: CallRecord) -> bool:
    """Whether a call reads for a further ask, not the main one.

    The log tool beside a read that is not of logs, or a live read of the object a further
    ask wants the values of.
    """
    return call["tool"] == _logs_tool(state) or further_read(state, call["tool"], call["args"]) is not None


def _beside_read(state: AgentState, read: Target) -> str | None:
    """What the get tool returned for an object read live beside the main ask, if it ran."""
    logs = _logs_tool(state)
    for call, text in _call_texts(state):
        if call["tool"] != logs and _reads(call["args"], read):
            return None if text.startswith("error:") else text
    return None


def final_answer(state: AgentState) -> str:
    """Gemini's final text when it gave one, else the composed answer."""
    plan = state["plan"]
    exchange = state.get("exchange") or []
    last = exchange[-1] if exchange else None
    if (
        state.get("llm", {}).get("provider") == "gemini"
        and plan.get("outcome") not in ("not_found", "refuse", "clarify", "confirm")
        and isinstance(last, AIMessage)
        and not last.tool_calls
        and str(last.content).strip()
    ):
        main = str(last.text if hasattr(last, "text") else last.content)
    else:
        main = compose(state)
    further = further_answers(state) if plan.get("outcome") not in ("clarify", "refuse") else ""
    return main + ("\n\n" + further if further else "")


def record(state: AgentState, answer: str) -> TurnRecord:
    """The structured record of the turn (the eval format, plus sources and provider)."""
    u, resolved, plan = state["understanding"], state["resolved"], state["plan"]
    calls = state.get("calls", [])
    main = next((c for c in calls if c.get("status") != "rejected" and not _beside(state, c)), None)
    from_cache = answered_from_cache(state)
    tool = main["tool"] if main else None
    if tool is None and from_cache:
        primary = next((s for s in state.get("selected", []) if s["operation"] != "logs"), None)
        tool = primary["tool"] if primary else None
    outcome = plan.get("outcome") or (
        "executed"
        if any(c.get("writes") and c.get("executed") for c in calls)
        else ("error" if failed_read(state) else "answer")
    )
    params = plan.get("params", {})
    return {
        "intent": u["intent"],
        "resource": u["resource"],
        "operation": u["operation"],
        "params": {k: v["value"] for k, v in params.items()},
        "param_sources": {
            k: {"source": v["source"], "confidence": v["confidence"]} for k, v in params.items()
        },
        "tool": tool,
        "tool_args": main["args"] if main else {},
        "executed": bool(main and main.get("executed")),
        "answered_from_cache": from_cache,
        "outcome": outcome,
        "candidates": list(plan.get("candidates", [])) if outcome in ("clarify", "not_found") else [],
        "answer": answer,
        "data_age_s": resolved.get("data_age_s") if from_cache else None,
        "cache_lookups": resolved.get("lookups", 0),
        "cache_hits": resolved.get("hits", 0),
        "provider": state.get("llm", {}).get("provider"),
        "prompt_tokens": state.get("llm", {}).get("prompt_tokens", 0),
        "llm_calls": state.get("llm", {}).get("calls", 0),
        "approved": plan.get("approved"),
        "language": u["language"],
    }
