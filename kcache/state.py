"""The typed state of the agent and refresh graphs, and of every payload that crosses nodes.

``typing_extensions.TypedDict`` (not ``typing``'s) so that ``langgraph dev`` publishes real
schemas on Python 3.11. Raw tool output never lives here: the state is traced and
checkpointed, so it carries canonical values, short summaries and counts. The nodes (and
the library functions they call) read these types; the graphs are built from them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict

from kcache.analyzers.findings import Finding

Outcome = Literal["answer", "confirm", "executed", "clarify", "not_found", "refuse", "error"]
"""How a turn ended: read answered, write paused for approval, write run, clarification asked,
object missing, request declined, or a read that could not be answered."""

TERMINAL: tuple[Outcome, ...] = ("not_found", "refuse", "clarify", "error")
"""Outcomes decided before any tool: the turn goes straight to its answer."""


class Asker(TypedDict):
    """The identity a request runs for."""

    name: str
    """Who asked, as shown in turn records and audit rows (an auth identity or a user)."""
    user: str
    """The Kubernetes user the asker reads as; "" for the scanner's own identity."""
    groups: list[str]
    """The Kubernetes groups the asker reads as."""


class RelationRow(TypedDict):
    """A named object of another kind that narrows what is asked ("pods on node worker-b7")."""

    kind: str
    name: str
    relation: str
    """on_node, owned_by, selected_by, uses, used_by, involves, selects or related."""


class PredicateRow(TypedDict):
    """A condition on each listed object: ``restarts == 0``, ``ready_replicas < replicas``."""

    field: str
    op: str
    value: str | int | bool | None
    other: str | None


class Understanding(TypedDict):
    """intent: what the request asks and the names it mentions (before any lookup)."""

    intent: str
    """``query``, ``action`` (a write) or ``analysis``."""
    resource: str
    """Canonical kind, lowercase singular, or ``cluster``."""
    operation: str
    """list, get, logs, top, delete, scale, diagnose (and the reader's other operations)."""
    language: Literal["zh", "en"]
    confidence: float
    namespace: str | None
    namespace_mention: str | None
    all_namespaces: bool
    name_mention: str | None
    name_kind: str | None
    name_mentions: tuple[str, ...]
    kind_stated: bool
    label_selector: str | None
    replicas: int | None
    container: str | None
    tail: int | None
    previous: bool
    wants_secret_value: bool
    count_only: bool
    problem_only: bool
    warnings_only: bool
    unknown_words: tuple[str, ...]
    notes: tuple[str, ...]
    reasons: tuple[str, ...]
    """The evidence that decided the reading."""
    relations: list[RelationRow]
    replicas_factor: float | None
    """A relative scale: multiply the cached replicas (2.0 for "double", 0.5 for "减半")."""
    replicas_delta: int | None
    """A relative scale: add to the cached replicas (+2, -1)."""
    since_seconds: int | None
    """A time window asked for ("the last hour"); never a tail count."""
    grep: str | None
    """Keep only log lines containing this text."""
    grep_out: NotRequired[str | None]
    """Keep only log lines not containing this text."""
    predicates: list[PredicateRow]
    sort_by: str | None
    """restarts, age, cpu, memory or name."""
    descending: bool
    limit: int | None
    """How many are asked for (1 for "which pod ... most")."""
    group_by: NotRequired[str | None]
    """Count the objects per namespace or per node ("which namespace has the most pods")."""
    node_state: NotRequired[str | None]
    """Pods on the nodes in this state (NotReady, SchedulingDisabled, DiskPressure, ...)."""
    fields: tuple[str, ...]
    """What is asked of each object: image, ports, ip, node, labels, restarts, age, replicas, ..."""
    command: tuple[str, ...]
    """argv for exec."""
    every: bool
    """A write over every object of a kind, a namespace's content or the cluster, no name given."""
    wants_content: bool
    """A ConfigMap's data is asked (not cached: read live)."""
    data: tuple[tuple[str, str], ...]
    """create of a ConfigMap: its keys and values."""
    image: str | None
    """create of a Deployment: its container's image."""
    also: list[Understanding]
    """Further asks in the same sentence, each a reading of its own."""
    warmed: NotRequired[list[str]]
    """Tiers scanned before the turn because they were empty or expired."""
    unsure: NotRequired[bool]
    """The reading is below INTENT_CONFIDENCE_THRESHOLD and no LLM read it: ask, do not guess."""


class Target(TypedDict):
    """One object a request is about, as resolved against the cache."""

    kind: str
    namespace: str | None
    name: str
    how: str
    """exact, workload, prefix, fuzzy or chosen (by the user, after a clarification)."""


class Missing(TypedDict):
    """What was asked for and not found, with the nearest names."""

    what: str
    """The kind (or ``namespace``) that was looked for."""
    mention: str | None
    namespace: NotRequired[str | None]
    suggestions: list[str]
    other_clusters: NotRequired[list[str]]
    """Other configured clusters whose cache holds it (offered, never acted on)."""
    partial: NotRequired[bool]
    """The mention is a part of a suggested name ("staging" of ``boutique-staging``): ask which."""


class Row(TypedDict):
    """One cached object in the state's compact form (a :class:`kcache.model.Resource`'s fields)."""

    kind: str
    name: str
    namespace: str | None
    labels: dict[str, str]
    annotations: dict[str, str]
    owner_kind: str | None
    owner_name: str | None
    created_at: str | None
    fields: dict[str, Any]


class ClusterFacts(TypedDict):
    """The cached cluster row an answer about the cluster uses."""

    name: str
    version: str | None
    api_server: str | None
    node_count: int | None


class FurtherAsk(TypedDict):
    """Another ask of the same sentence ("list pods and services in X"), and its rows."""

    reading: Understanding
    items: list[Row]
    answered: bool
    """False for an ask that is not a read: the answer names it as not done."""
    diagnosis: NotRequired[Resolution]
    """For a diagnosis: its findings and events, as the first ask's are kept."""
    logs_of: NotRequired[Target]
    """For logs: the pod whose logs the turn reads beside the first ask (one call of the log tool)."""
    read_of: NotRequired[Target]
    """For a ConfigMap's values: the object read live beside the first ask (the cache keeps no
    values; one call of the get tool)."""
    last_run: NotRequired[list[Row]]
    """For a CronJob read: the Job of its last run, as the first ask's is told."""


class Resolution(TypedDict, total=False):
    """cache_lookup: mentions resolved against the cache, the rows that answer, lookups and hits."""

    namespace: str | None
    namespace_source: str | None
    """user (named in the request), cache (found through the object) or None."""
    target: Target
    workload: dict[str, str]
    """The workload (kind, name) whose pod the target is, when the user named the workload."""
    related: Target
    """An object of another kind that filters what is asked ("pods on node X", "events of pod Y")."""
    siblings: list[str]
    exists: Target
    """create: an object of the name to make is already there (nothing is made)."""
    candidates: list[str]
    """Equally good matches the user must choose from (``namespace/name``)."""
    choices: dict[str, Target]
    missing: Missing
    clarified: str
    cluster: ClusterFacts
    items: list[Row]
    pods: list[Row]
    """The pods of the workload asked about, when a field only pods carry is asked (restarts)."""
    last_run: list[Row]
    """The newest Job of the CronJob asked about: whether its last run succeeded."""
    endpoints: list[Row]
    """The Endpoints of the Service read (same name): its ready and not-ready addresses."""
    events: list[Row]
    total: int
    lookups: int
    hits: int
    refreshed: list[str]
    stale: list[str]
    """Scopes whose read-through refresh failed: their rows may be out of date."""
    also: list[FurtherAsk]
    """The sentence's other asks, read from the cache when they are reads."""
    findings: list[Finding]
    """diagnose: what the analyzers found over the cached scope, ranked (no LLM involved)."""
    scope: str | None
    """diagnose without a named object: the namespace diagnosed, or None for the cluster."""
    partial: list[str]
    """Scopes known to be incomplete (a list the server narrowed), with the reason: unknown, not empty."""
    data_age_s: float | None
    live_event_age_s: float | None
    """SCANNER_MODE=watch: the kind's watch is live; seconds since its last event."""


class ToolChoice(TypedDict):
    """tool_select: one tool that fits, with its fixed arguments."""

    tool: str
    score: float
    fixed_args: dict[str, Any]
    reason: str
    operation: str
    resource: str
    writes: bool
    destructive: bool


class Param(TypedDict):
    """A canonical parameter with where it came from and how sure kcache is of it."""

    value: Any
    source: str
    confidence: float


class Plan(TypedDict, total=False):
    """param_suggest (and later nodes): canonical parameters and the outcome so far."""

    outcome: Outcome | None
    candidates: list[str]
    reason: str | None
    """Why the outcome was chosen, in words (refusals, clarifications)."""
    missing: Missing | None
    """For ``not_found``: what was missing."""
    params: dict[str, Param]
    approved: bool | None
    """True/False once a write was approved or declined; None while none was asked."""


class LlmInfo(TypedDict, total=False):
    """gemini: the deciding step's provider, rounds and prompt size."""

    provider: str
    rounds: int
    limit_reached: bool
    """AGENT_MAX_TOOL_ROUNDS rounds ran: no further tool round."""
    calls: int
    """LLM requests made this turn (0 when the cache answered without one)."""
    prompt_tokens: int
    summarised: bool
    tools_offered: list[str]


CallStatus = Literal["ok", "error", "rejected", "refused", "planned", "denied", "declined"]


class CallRecord(TypedDict, total=False):
    """tool_call: one call made, planned, refused or rejected (never its raw output)."""

    tool: str
    args: dict[str, Any]
    executed: bool
    status: CallStatus
    writes: bool
    approved_by: str | None
    duration_ms: float
    error: str


class TurnRecord(TypedDict, total=False):
    """The structured record of a turn (the eval format's ``record``, plus sources)."""

    intent: str
    resource: str
    operation: str
    params: dict[str, Any]
    param_sources: dict[str, dict[str, Any]]
    tool: str | None
    tool_args: dict[str, Any]
    executed: bool
    answered_from_cache: bool
    outcome: Outcome
    candidates: list[str]
    answer: str
    data_age_s: float | None
    cache_lookups: int
    cache_hits: int
    provider: str | None
    prompt_tokens: int
    llm_calls: int
    approved: bool | None
    language: str
    invalidated: list[str]
    non_llm_ms: float
    asker: Asker
    """Who the turn ran for."""
    cluster: str
    """The cluster the turn read and wrote."""


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
    record: TurnRecord
    """The structured record of the turn (intent, params, tool, outcome, data age, ...)."""


class AgentState(TypedDict):
    """Everything the agent's nodes read and write during one turn."""

    messages: Annotated[list[AnyMessage], add_messages]
    """Chat messages the user sees; the agent appends its answer."""
    query: NotRequired[str]
    """The request being handled."""
    cluster: NotRequired[str]
    """intent: the cluster the turn reads and writes (named in the request, the run context's, or the default)."""
    asker: NotRequired[Asker]
    """intent: who the turn runs for (the server's authenticated user, the run context's ``as_user``, or the scanner)."""
    understanding: NotRequired[Understanding]
    """intent: intent, resource, operation and the mentions found in the request."""
    resolved: NotRequired[Resolution]
    """cache_lookup: mentions resolved against the cache, freshness, lookups and hits."""
    selected: NotRequired[list[ToolChoice]]
    """tool_select: the few tools that fit, best first, with their fixed arguments."""
    plan: NotRequired[Plan]
    """param_suggest: canonical parameters (value, source, confidence), outcome so far."""
    llm: NotRequired[LlmInfo]
    """gemini: provider, rounds, prompt tokens of the turn."""
    exchange: NotRequired[list[AnyMessage]]
    """This turn's deciding-step replies and tool results (kept out of the user's history)."""
    calls: NotRequired[list[CallRecord]]
    """tool_call: the calls made or planned (tool, args, status, duration), no raw output."""
    answer: NotRequired[str]
    """The final answer."""
    record: NotRequired[TurnRecord]
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
