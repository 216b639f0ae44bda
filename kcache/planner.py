"""The deciding step: the offline planner, and Gemini through langchain-google-genai.

Both produce the same thing: an ``AIMessage`` that either calls one of the selected tools
or calls none (the cache, or the tool results so far, answer the request). The provider is
chosen by ``LLM_PROVIDER`` and never switched silently.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import yaml
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import BaseTool

from kcache.analyzers import object_ref, rank
from kcache.answer import compact
from kcache.errors import ConfigError, KcacheError, LlmError
from kcache.kinds import KINDS
from kcache.model import Resource
from kcache.prompt import SYSTEM, build_context, estimate_tokens
from kcache.registry.loaded import Registry
from kcache.registry.select import Selection, build_args
from kcache.settings import Settings
from kcache.state import TERMINAL, AgentState, ToolChoice
from kcache.writes import BUILT, built_manifest

CACHE_OPERATIONS = ("list", "get", "diagnose")
MAX_FINDINGS = 20
LOG_LINES_TO_FILTER = 1000


def canonical_args(state: AgentState) -> dict[str, Any]:
    """The plan's canonical parameter values, plus all_namespaces for unscoped lists."""
    params = {k: v["value"] for k, v in state["plan"].get("params", {}).items()}
    u = state["understanding"]
    if "namespace" not in params and u["operation"] in ("list", "top") and KINDS.get(u["resource"], False):
        params["all_namespaces"] = True
    if u.get("grep") or u.get("grep_out"):
        # Not a tool argument: a filter of the returned lines decides how many lines to fetch.
        params["grep"] = u.get("grep") or u.get("grep_out")
    return params


def selection(registry: Registry, chosen: ToolChoice) -> Selection:
    """A Selection rebuilt from the state's compact form."""
    return Selection(
        tool=registry.get(chosen["tool"]),
        score=chosen["score"],
        fixed_args=chosen["fixed_args"],
        reason=chosen["reason"],
    )


def tool_args(registry: Registry, chosen: ToolChoice, params: dict[str, Any]) -> dict[str, Any]:
    """Canonical parameters → the tool's own arguments (only those the tool takes)."""
    sel = selection(registry, chosen)
    usable = {k: v for k, v in params.items() if sel.tool.tool_param(k) is not None or k == "all_namespaces"}
    if chosen.get("operation") == "logs" and sel.tool.tool_param("tail"):
        if params.get("grep"):
            # The filter applies to the returned lines: fetch enough of them to filter.
            usable["tail"] = max(LOG_LINES_TO_FILTER, int(usable.get("tail") or 0))
        elif "tail" not in usable:
            usable["tail"] = 100  # a bounded default: logs can be long
    return build_args(sel, usable)


def _call(*calls: tuple[str, dict[str, Any]]) -> AIMessage:
    """One message calling each (tool, arguments) in order."""
    return AIMessage(
        content="",
        tool_calls=[{"name": n, "args": a, "id": f"call_{uuid.uuid4().hex[:12]}"} for n, a in calls],
    )


def _beside_calls(state: AgentState, registry: Registry) -> list[tuple[str, dict[str, Any]]]:
    """The calls that read what the sentence's further asks need and the cache does not hold.

    Logs asked beside a read ("the pods in X and the logs of Y"), and the values of a ConfigMap
    asked beside it: one call each.
    """
    u, selected = state["understanding"], state.get("selected", [])
    calls = []
    logs = next((s for s in selected if s["operation"] == "logs"), None)
    for ask in state["resolved"].get("also", []):
        if (of := ask.get("logs_of")) is not None and logs is not None and u["operation"] != "logs":
            asked = ask["reading"]
            params = {"namespace": of["namespace"], "name": of["name"], "tail": asked.get("tail") or 20}
            if asked.get("container"):
                params["container"] = asked["container"]
            calls.append((logs["tool"], tool_args(registry, logs, params)))
        elif (read := ask.get("read_of")) is not None:
            get = next(
                (s for s in selected if s["operation"] == "get" and s["resource"] == read["kind"]), None
            )
            if get is not None:
                params = {"namespace": read["namespace"], "name": read["name"]}
                calls.append((get["tool"], tool_args(registry, get, params)))
    return calls


def _restarting_init_container(pod: Mapping[str, Any]) -> str | None:
    """The init container that restarts (Init:CrashLoopBackOff), whose previous logs say why."""
    for c in pod["fields"].get("init_containers") or []:
        if (c.get("restart_count") or 0) > 0 and c.get("name"):
            return str(c["name"])
    return None


def cache_can_answer(state: AgentState) -> bool:
    """A read whose rows the cache holds fresh (read-through already ran in cache_lookup)."""
    u, resolved = state["understanding"], state["resolved"]
    if u["operation"] not in CACHE_OPERATIONS or resolved.get("stale") or u.get("wants_content"):
        return False  # a ConfigMap's values are not cached: a live read shows them
    if u["resource"] == "cluster":
        return bool(resolved.get("cluster"))
    return u["resource"] in KINDS


def plan_offline(state: AgentState, registry: Registry) -> AIMessage:
    """Deterministic planning from the suggestions: what a careful operator would run."""
    plan, u, selected = state["plan"], state["understanding"], state.get("selected", [])
    if plan.get("outcome") in TERMINAL or state.get("exchange"):
        return AIMessage(content="")
    op = u["operation"]
    if op == "diagnose":
        restarts = [i for i in state["resolved"].get("items", []) if (i["fields"].get("restarts") or 0) > 0]
        logs = next((s for s in selected if s["operation"] == "logs"), None)
        beside = _beside_calls(state, registry)  # "…, and what does cms-settings have for X"
        if restarts and logs and state["resolved"].get("target"):
            pod = restarts[0]
            params = {"namespace": pod["namespace"], "name": pod["name"], "previous": True, "tail": 20}
            if crashing := _restarting_init_container(pod):
                params["container"] = crashing  # the app containers never started: its logs say why
            return _call((logs["tool"], tool_args(registry, logs, params)), *beside)
        return _call(*beside) if beside else AIMessage(content="")
    if op in BUILT and (target := state["resolved"].get("target")):
        # A patch or a create applies the manifest kcache builds, through the apply tool.
        apply = next((s for s in selected if s["operation"] == "apply"), None)
        if apply is None:
            return AIMessage(content="")
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        manifest = built_manifest(op, target, u, now=now)
        return _call(
            (
                apply["tool"],
                tool_args(registry, apply, {"manifest": yaml.safe_dump(manifest, sort_keys=False)}),
            )
        )
    if cache_can_answer(state) or state["resolved"].get("partial"):
        # A narrowed scope would be narrowed the same way by a live call: nothing to call,
        # but for what further asks need that the cache holds none of (logs, a ConfigMap's values).
        if beside := _beside_calls(state, registry):
            return _call(*beside)
        return AIMessage(content="")
    main = next((s for s in selected if s["operation"] != "logs" or op == "logs"), None)
    if main is None:
        return AIMessage(content="")
    return _call(
        (main["tool"], tool_args(registry, main, canonical_args(state))), *_beside_calls(state, registry)
    )


def chat_model(settings: Settings) -> Any:
    """ChatGoogleGenerativeAI configured from the settings (raises ConfigError without a key)."""
    settings.require_llm()
    from langchain_google_genai import ChatGoogleGenerativeAI

    kwargs: dict[str, Any] = {
        "model": settings.model,
        "api_key": settings.google_api_key,
        "max_output_tokens": settings.llm_max_output_tokens,
        "timeout": settings.llm_request_timeout,
        "max_retries": 1,
        "temperature": 0,
    }
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    return ChatGoogleGenerativeAI(**kwargs)


def gemini_messages(state: AgentState, settings: Settings) -> tuple[list[AnyMessage], int, bool]:
    """System instruction, the compact context and this turn's tool exchange; tokens; summarised?"""
    resolved, plan, u = state["resolved"], state["plan"], state["understanding"]
    rows = []
    items = [Resource(**item) for item in resolved.get("items", [])]
    for r in items:
        row = compact(r)
        if len(items) <= 5 and (r.annotations or r.labels):
            # A few named objects are described in full: their labels and annotations are data too.
            row |= {"labels": r.labels, "annotations": r.annotations}
        rows.append(row)
    facts: dict[str, Any] = {
        "understood": {k: u.get(k) for k in ("intent", "resource", "operation", "language")},
        "suggested_parameters": plan.get("params", {}),
        "data_age_seconds": resolved.get("data_age_s"),
        "total_objects": resolved.get("total"),
    }
    if resolved.get("cluster"):
        facts["cluster"] = resolved["cluster"]
    if resolved.get("events"):
        facts["warning_events"] = [compact(Resource(**e)) for e in resolved["events"]][:20]
    if findings := resolved.get("findings"):
        # A diagnosis hands the model what the analyzers found, not raw rows to read.
        facts["findings"] = [
            {
                "object": object_ref(f["kind"], f["namespace"], f["name"]),
                "severity": f["severity"],
                "reason": f["reason"],
                "finding": f["text_en"],
                "evidence": list(f["evidence"])[:3],
            }
            for f in rank(findings)[:MAX_FINDINGS]
        ]
    named = {str(p["value"]) for p in plan.get("params", {}).values()}
    text, tokens, summarised = build_context(
        request=state["query"],
        facts=facts,
        rows=rows,
        budget_tokens=settings.context_budget_tokens,
        named=named,
    )
    messages: list[AnyMessage] = [SystemMessage(content=SYSTEM), HumanMessage(content=text)]
    for m in state.get("exchange", []):
        messages.append(m)
        if isinstance(m, ToolMessage | AIMessage):
            tokens += estimate_tokens(str(m.content))
    return messages, tokens, summarised


async def plan_gemini(
    state: AgentState, settings: Settings, tools: list[BaseTool]
) -> tuple[AIMessage, int, bool]:
    """Ask Gemini, bound to the selected tools only; returns (message, prompt tokens, summarised)."""
    if not settings.google_api_key:
        raise ConfigError("LLM_PROVIDER=gemini needs GOOGLE_API_KEY")
    messages, tokens, summarised = gemini_messages(state, settings)
    tokens += sum(estimate_tokens(str(t.args_schema) + (t.description or "")) for t in tools)
    model = chat_model(settings)
    bound = model.bind_tools(tools) if tools else model
    try:
        reply = await bound.ainvoke(messages)
    except Exception as exc:
        # Whatever the client library raised, the caller gets one typed error naming the endpoint.
        where = settings.llm_base_url or "the Gemini API"
        raise LlmError(f"{settings.model} at {where} failed: {type(exc).__name__}: {str(exc)[:300]}") from exc
    if not isinstance(reply, AIMessage):
        raise KcacheError(f"the LLM returned {type(reply).__name__}, not an AIMessage")
    return reply, tokens, summarised
