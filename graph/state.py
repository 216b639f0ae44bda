"""The state of the agent and refresh graphs.

``typing_extensions.TypedDict`` (not ``typing``'s) so that ``langgraph dev`` publishes
real schemas on Python 3.11. Raw tool output never lives here: the state is traced and
checkpointed, so it carries canonical values, short summaries and counts.
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict


class AgentInput(TypedDict):
    """What a caller sends: a chat history (the last human message is the request) or a query."""

    messages: NotRequired[Annotated[list[AnyMessage], add_messages]]
    """Chat messages; the last human message is the request."""
    query: NotRequired[str]
    """The request as plain text (used when given, instead of the last human message)."""


class AgentOutput(TypedDict):
    """What the agent returns: the answer as a message and text, and the turn's record."""

    messages: Annotated[list[AnyMessage], add_messages]
    """The conversation, ending with the agent's answer."""
    answer: str
    """The final answer in the user's language."""
    record: dict[str, Any]
    """The structured record of the turn (intent, params, tool, outcome, data age, ...)."""


class AgentState(TypedDict):
    """Everything the agent's nodes read and write during one turn."""

    messages: Annotated[list[AnyMessage], add_messages]
    """Chat messages; the agent appends its answer."""
    query: NotRequired[str]
    """The request being handled."""
    understanding: NotRequired[dict[str, Any]]
    """intent: intent, resource, operation and the mentions found in the request."""
    resolved: NotRequired[dict[str, Any]]
    """cache_lookup: mentions resolved against the cache, freshness, lookups and hits."""
    selected: NotRequired[list[dict[str, Any]]]
    """tool_select: the few tools that fit, best first, with their fixed arguments."""
    plan: NotRequired[dict[str, Any]]
    """param_suggest: canonical parameters (value, source, confidence), outcome so far."""
    llm: NotRequired[dict[str, Any]]
    """gemini: provider, rounds, prompt tokens of the turn."""
    calls: NotRequired[list[dict[str, Any]]]
    """tool_call: the calls made or planned (tool, args, status, duration), no raw output."""
    answer: NotRequired[str]
    """The final answer."""
    record: NotRequired[dict[str, Any]]
    """The structured record of the turn."""
    timings: NotRequired[dict[str, float]]
    """Milliseconds spent per node (non-LLM time is derived from it)."""


class RefreshInput(TypedDict):
    """What starts a refresh."""

    tier: NotRequired[str]
    """static, dynamic, all (default) or due (only tiers whose interval has passed)."""
    force: NotRequired[bool]
    """Scan even when the tier is still fresh."""


class RefreshState(TypedDict):
    """Counts and statuses of a refresh run (never raw tool output)."""

    tier: NotRequired[str]
    """The tier asked for."""
    force: NotRequired[bool]
    """Whether fresh tiers are scanned anyway."""
    planned: NotRequired[list[str]]
    """plan_refresh: the tiers this run scans, in order."""
    results: NotRequired[dict[str, dict[str, Any]]]
    """Per tier: status, counts per scope, failures with their messages."""
    status: NotRequired[str]
    """completed, failed, or skipped (nothing was due)."""
