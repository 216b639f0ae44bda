"""Scanning the cluster through the MCP server's tools into the cache.

The refresh graph runs whole tiers; the agent's read-through refreshes one (kind,
namespace). Tools come from the registry by capability, never by name. A scan that fails
(a tool error, a timeout, unparsable output, a narrowed list) marks its scope ``failed``
with the reason and leaves the rows already cached untouched.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from kcache.errors import KcacheError, ParseError, ToolCallError, ToolSelectionError
from kcache.kinds import TABLE, TIER_OF, TIERS
from kcache.logs import event
from kcache.model import Resource, is_namespaced, plural, scope_name
from kcache.parsing import detect_tool_error, parse_list
from kcache.registry.select import Selection, build_args
from kcache.runtime import Holder, Kcache

logger = logging.getLogger(__name__)

# Error texts of throttling and server-side failures worth a retry with backoff.
_TRANSIENT = re.compile(
    r"\b(429|500|502|503|504)\b|too many requests|service unavailable|internal server error|"
    r"timeout|timed out|connection reset|unexpected eof|EOF\b",
    re.IGNORECASE,
)
Progress = Callable[[str, "ScopeResult"], None]


@dataclass(kw_only=True)
class ScopeResult:
    """The outcome of scanning one scope (``pods``, ``pods/boutique``)."""

    kind: str
    scope: str
    status: Literal["completed", "failed", "skipped"]
    count: int = 0
    error: str | None = None
    tool: str | None = None
    duration_ms: float = 0.0
    skipped_rows: list[str] = field(default_factory=list)
    """Rows left out of a completed scan, each with its reason (unparsable, listed twice...)."""
    unavailable: list[str] = field(default_factory=list)
    """What the server's listing lacks that resolution by workload needs: ``labels``,
    ``owner references`` (k8s-mcp's pod list has neither); resolve by name prefix instead."""
    server: str = ""

    @property
    def note(self) -> str | None:
        """What a completed scan left out, for the scope's error_message; None when nothing."""
        notes = []
        if self.unavailable:
            notes.append(
                f"{' and '.join(self.unavailable)} unavailable from {self.server or 'the server'}'s "
                f"listing of {plural(self.kind)}: resolve workloads by name prefix"
            )
        if self.skipped_rows:
            shown = "; ".join(self.skipped_rows[:3]) + ("; …" if len(self.skipped_rows) > 3 else "")
            notes.append(f"skipped {len(self.skipped_rows)} bad row(s): {shown}")
        return "; ".join(notes)[:1000] or None


@dataclass(kw_only=True)
class TierResult:
    """The outcome of one tier scan: counts and statuses only (it is traced and checkpointed)."""

    tier: str
    status: Literal["completed", "failed"]
    scopes: list[ScopeResult] = field(default_factory=list)
    duration_ms: float = 0.0

    def summary(self) -> dict[str, Any]:
        """A JSON-able summary for graph state."""
        return {
            "tier": self.tier,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 1),
            "counts": {s.scope: s.count for s in self.scopes if s.status == "completed"},
            "failed": {s.scope: s.error for s in self.scopes if s.status == "failed"},
            "skipped": [s.scope for s in self.scopes if s.status == "skipped"],
            "skipped_rows": {s.scope: len(s.skipped_rows) for s in self.scopes if s.skipped_rows},
            "unavailable": {s.scope: s.unavailable for s in self.scopes if s.unavailable},
        }


def progress_to_stream() -> Progress | None:
    """A progress callback that emits each scope's result as a LangGraph custom stream event."""
    from langgraph.config import get_stream_writer

    try:
        write = get_stream_writer()
    except RuntimeError:
        return None

    def report(tier: str, r: ScopeResult) -> None:
        write(
            {
                "tier": tier,
                "scope": r.scope,
                "rows": r.count,
                "status": r.status,
                "ms": round(r.duration_ms, 1),
                "error": r.error,
            }
        )

    return report


def as_scanner(kc: Holder) -> Holder:
    """The holder a scan runs on: the scanner's whole store, even when an asker's turn starts it.

    A scan decides from what the cache holds (the namespaces to probe, the nodes it counts)
    and writes what the scanner's identity sees; an asker's filtered view would make it
    decide wrong and write less.
    """
    return kc.scanning() if isinstance(kc, Kcache) else kc


def ttl_of(kc: Holder, kind: str) -> int:
    """The TTL of a kind's tier."""
    tier = TIER_OF.get(kind, "dynamic")
    return kc.settings.cache_static_ttl if tier == "static" else kc.settings.cache_dynamic_ttl


def interval_of(kc: Holder, tier: str) -> int:
    """The scan interval of a tier."""
    return kc.settings.scanner_static_interval if tier == "static" else kc.settings.scanner_dynamic_interval


def _list_tool(kc: Holder, kind: str, *, namespace: str | None) -> Selection | None:
    registry = kc.registry
    wants_all = namespace is None and is_namespaced(kind)
    try:
        picks = registry.select(
            resource=kind, operation="list", namespaced=namespace is not None, all_namespaces=wants_all
        )
    except ToolSelectionError:
        return None
    usable = [pick for pick in picks if pick.tool.cache_friendly and pick.tool.read_only]
    if kind == "event":
        # An event's identity is its own namespace/name, which dedicated event tools leave out
        # (kubernetes-mcp-server's events_list prints summaries): whole Event objects come first.
        usable.sort(key=lambda pick: not pick.tool.is_generic)
    return usable[0] if usable else None


class RetryBudget:
    """The time one scan may lose to failing calls and their retries: SCANNER_TIMEOUT in all.

    Shared by every scope of a tier scan (or of one read-through refresh), so retries cannot
    multiply across scopes: a failed attempt's whole duration counts (the MCP server's own
    client retries 429s inside it, client-go up to ten times), and so does each wait. Once
    the budget is spent nothing is retried; once the API server has throttled a call past
    its retries, the scan's later calls are not made at all, since each would be throttled
    again.
    """

    def __init__(self, seconds: float) -> None:
        """A budget of ``seconds``."""
        self.seconds = seconds
        self.spent = 0.0
        self.throttled: str | None = None
        """The throttling error that closed the scan to further calls, once one did."""

    def allows(self, delay: float) -> bool:
        """Whether a retry after ``delay`` seconds still fits."""
        return self.spent + delay <= self.seconds

    def refusal(self) -> str | None:
        """Why a new call must not be made, or None."""
        if self.throttled is None:
            return None
        return (
            f"not scanned: the API server kept throttling this scan ({self.throttled[:200]}); "
            f"its retries were bounded by SCANNER_TIMEOUT={self.seconds:g}s"
        )


_THROTTLED = re.compile(r"\b429\b|too many requests", re.IGNORECASE)
# How servers relay a 429's Retry-After: the Python client's header dump ('Retry-After': '3'),
# a Status's details (retryAfterSeconds: 3), or prose.
_RETRY_AFTER = re.compile(
    r"retry-?after(?:seconds)?['\"]?\s*[:=]\s*['\"]?(\d+(?:\.\d+)?)|try again in (\d+(?:\.\d+)?) ?s",
    re.IGNORECASE,
)


def retry_after(text: str) -> float | None:
    """The seconds an error's Retry-After asks for, when the text carries one."""
    match = _RETRY_AFTER.search(text)
    return float(match.group(1) or match.group(2)) if match else None


async def _call_with_retries(
    kc: Holder, selection: Selection, args: dict[str, Any], budget: RetryBudget
) -> tuple[str, dict[str, Any] | None]:
    """Call a list tool; retry transient failures with backoff; raise ToolCallError otherwise.

    A retry waits at least what the server's Retry-After asks, and only while the scan's
    budget lasts. Returns the text and the structured content, if the server sent any.
    """
    refused = budget.refusal()
    if refused is not None:
        raise ToolCallError(f"{selection.tool.name}: {refused}")
    attempts = kc.settings.scanner_retries + 1
    backoff = 0.5
    last = ""
    for attempt in range(1, attempts + 1):
        started = time.monotonic()
        result = await kc.call(selection.tool.name, args, timeout=kc.settings.scanner_timeout)
        in_band = detect_tool_error(result.text) if not result.is_error else None
        if not result.is_error and in_band is None:
            return result.text, result.structured
        budget.spent += time.monotonic() - started
        last = (result.text if result.is_error else in_band) or "error with no message"
        throttled = bool(_THROTTLED.search(last))
        delay = max(backoff, retry_after(last) or 0.0)
        if attempt < attempts and _TRANSIENT.search(last) and budget.allows(delay):
            event(
                logger,
                "scanner",
                "retry",
                f"{selection.tool.name} failed (attempt {attempt}/{attempts}), retrying in {delay:g}s",
                level=logging.WARNING,
                error_details=last[:300],
                tool=selection.tool.name,
            )
            budget.spent += delay
            await asyncio.sleep(delay)
            backoff *= 2
            continue
        if throttled:
            budget.throttled = last
        break
    raise ToolCallError(f"{selection.tool.name} failed: {last[:500]}")


async def _fetch(
    kc: Holder,
    kind: str,
    namespace: str | None,
    budget: RetryBudget,
    skipped: list[str] | None = None,
) -> tuple[list[Resource], str]:
    """The records of one list call; bad rows go to ``skipped`` (when given) instead of failing it."""
    selection = _list_tool(kc, kind, namespace=namespace)
    if selection is None:
        raise ToolSelectionError(f"the MCP server {kc.registry.server} has no tool that lists {kind}")
    params: dict[str, Any] = {}
    if namespace is not None:
        params["namespace"] = namespace
    elif is_namespaced(kind) and selection.tool.all_namespaces_param:
        params["all_namespaces"] = True
    args = build_args(selection, params)
    output_param = selection.tool.tool_param("output")
    if output_param:
        choices = selection.tool.input_schema.get("properties", {}).get(output_param, {}).get("enum", [])
        # Scans want whole objects: kubectl-style YAML has them, where a server's "json" may be a summary.
        if "yaml" in choices:
            args[output_param] = "yaml"
    text, structured = await _call_with_retries(kc, selection, args, budget)
    if not text.strip() and structured is None:
        raise ParseError(f"{selection.tool.name} returned empty output for {kind} (an empty list is '[]')")
    bad: list[str] = []
    items = parse_list(text, kind=kind, structured=structured, skipped=bad if skipped is not None else None)
    if namespace is not None:
        items = [r for r in items if r.namespace == namespace]
    items = _storable(kind, items, bad)
    if skipped is not None:
        skipped.extend(bad)
    return items, selection.tool.name


# The kinds workloads own (what a write to a workload changes): resolving a workload's pods
# follows their owner references and labels.
_OWNED = frozenset(owned for k in TABLE if k.workload for owned in k.changes)


def _unavailable(kind: str, items: list[Resource]) -> list[str]:
    """What resolution by workload needs that none of a listing's rows carries."""
    if kind not in _OWNED or not items:
        return []
    missing = [] if any(r.labels for r in items) else ["labels"]
    return missing if any(r.owner_name for r in items) else [*missing, "owner references"]


def _storable(kind: str, items: list[Resource], skipped: list[str]) -> list[Resource]:
    """Records the store can hold; a row without a namespace or listed twice is left out and said.

    One bad row must not fail a whole scope: a duplicate (namespace, name) would fail the
    replacement's UNIQUE constraint for every other row.
    """
    kept: list[Resource] = []
    seen: set[tuple[str, str | None, str]] = set()
    for record in items:
        if is_namespaced(kind) and not record.namespace:
            skipped.append(f"{kind} {record.name!r} has no namespace")
        elif record.key in seen:
            skipped.append(f"{kind} {record.namespace}/{record.name} listed twice")
        else:
            seen.add(record.key)
            kept.append(record)
    return kept


async def scan_scope(
    kc: Holder,
    kind: str,
    *,
    namespace: str | None = None,
    tier: str | None = None,
    budget: RetryBudget | None = None,
) -> ScopeResult:
    """Scan one (kind[, namespace]) into the cache; never raises for a scan failure.

    ``budget`` is the retry budget of the scan this scope is part of (its own by default).
    """
    kc = as_scanner(kc)
    tier = tier or TIER_OF.get(kind, "dynamic")
    budget = budget or RetryBudget(kc.settings.scanner_timeout)
    scope = scope_name(kind, namespace)
    store, cluster = kc.store, kc.cluster
    start = time.perf_counter()
    scan_id = await store.scan_started(cluster, scope, tier)
    await store.mark_scope(cluster, scope, "running", tier=tier)
    tool: str | None = None
    skipped: list[str] = []
    try:
        items, tool = await _fetch(kc, kind, namespace, budget, skipped)
        partial = None
        seen_ns: set[str] | None = None
        if namespace is None and is_namespaced(kind):
            partial, seen_ns = await _narrowing(kc, kind, items, budget)
        next_at = store.now() + interval_of(kc, tier)
        if partial:
            # What a narrowed list showed is cached but never fresh: served as fresh, a
            # cluster-wide read would take the namespaces it did show for the whole cluster.
            count = await store.replace(
                cluster,
                kind,
                items,
                ttl_s=0,
                namespaces=seen_ns,
                tier=tier,
                partial_error=partial,
            )
            raise _Partial(partial)
        count = await store.replace(
            cluster, kind, items, ttl_s=ttl_of(kc, kind), namespace=namespace, tier=tier, next_scan_at=next_at
        )
    except (KcacheError, _Partial) as exc:
        message = str(exc)
        if not isinstance(exc, _Partial):
            await store.mark_scope(cluster, scope, "failed", tier=tier, error=message)
        await store.scan_finished(scan_id, "failed", error=message)
        result = ScopeResult(
            kind=kind,
            scope=scope,
            status="failed",
            error=message,
            tool=tool,
            duration_ms=(time.perf_counter() - start) * 1000,
        )
        event(
            logger,
            "scanner",
            "scan_scope",
            f"{scope} failed",
            level=logging.WARNING,
            error_details=message,
            table=scope,
        )
        return result
    except BaseException:
        # Cancelled (shutdown) or a bug: the transaction rolled back; leave an honest record.
        await asyncio.shield(store.scan_finished(scan_id, "failed", error="interrupted"))
        await asyncio.shield(store.mark_scope(cluster, scope, "failed", tier=tier, error="interrupted"))
        raise
    result = ScopeResult(
        kind=kind,
        scope=scope,
        status="completed",
        count=count,
        tool=tool,
        duration_ms=(time.perf_counter() - start) * 1000,
        skipped_rows=skipped,
        unavailable=_unavailable(kind, items),
        server=kc.registry.server,
    )
    if result.note is not None:
        # The scope stays completed; its message says what the rows left out.
        await store.mark_scope(cluster, scope, "completed", tier=tier, error=result.note)
    await store.scan_finished(scan_id, "completed", error=result.note, record_count=count)
    event(
        logger,
        "scanner",
        "scan_scope",
        f"{scope}: {count} rows" + (f", {len(skipped)} skipped" if skipped else ""),
        level=logging.WARNING if result.note else logging.INFO,
        duration_ms=result.duration_ms,
        error_details=result.note,
        table=scope,
        count=count,
    )
    return result


class _Partial(Exception):
    """An all-namespaces list came back narrowed."""


async def _narrowing(
    kc: Holder, kind: str, items: list[Resource], budget: RetryBudget
) -> tuple[str | None, set[str]]:
    """Detect an all-namespaces list that silently covered fewer namespaces than it should.

    kubernetes-mcp-server narrows such a list to the kubeconfig's namespace when its access
    review is denied, and says nothing. Namespaces the cache holds objects of this kind in,
    but the list did not show, are checked with a namespace-scoped list: if one still has
    objects, the big list was narrowed. A scope never scanned before has no such rows: when
    its list shows nothing outside the kubeconfig's namespace, which is just what a narrowed
    list looks like, other namespaces of the cluster are checked the same way.
    """
    seen = {r.namespace for r in items if r.namespace}
    known = {ns for ns, _ in (await kc.store.names(kc.cluster, [kind]))[kind] if ns}
    missing = sorted(known - seen)
    if not missing and seen <= {kc.identity.namespace} and await _never_scanned(kc, kind):
        missing = await _other_namespaces(kc, seen, budget)
    if not missing:
        return None, seen
    for ns in missing[:_PROBES]:
        try:
            probe, _ = await _fetch(kc, kind, ns, budget)
        except KcacheError as exc:
            return (
                f"partial: the all-namespaces list of {kind} omitted {ns!r} and a check failed: {exc}",
                seen,
            )
        if probe:
            shown = ", ".join(missing[:5]) + ("…" if len(missing) > 5 else "")
            return (
                f"partial: the all-namespaces list of {kind} covered {len(seen)} namespaces "
                f"({', '.join(sorted(seen)) or 'none'}) but {ns!r} still holds {len(probe)}; "
                f"not shown: {shown} (was the access review for listing {plural(kind)} in all "
                "namespaces denied?)",
                seen,
            )
    return None, seen


# Namespace-scoped lists one narrowing check may make.
_PROBES = 3


async def _never_scanned(kc: Holder, kind: str) -> bool:
    row = await kc.store.scope(kc.cluster, scope_name(kind))
    return row is None or row.last_success_at is None


async def _other_namespaces(kc: Holder, seen: set[str], budget: RetryBudget) -> list[str]:
    """The cluster's namespaces outside ``seen``, those likeliest to hold objects first."""
    names = {name for _, name in (await kc.store.names(kc.cluster, ["namespace"]))["namespace"]}
    if not names:
        try:
            listed, _ = await _fetch(kc, "namespace", None, budget)
        except KcacheError:
            return []
        names = {r.name for r in listed}
    # kube-system holds pods, config maps, secrets and events in nearly every cluster.
    return sorted(names - seen, key=lambda ns: (ns != "kube-system", ns))


async def scan_cluster_row(kc: Holder) -> None:
    """Write the clusters row from what the static scan saw (version from the kubelets)."""
    nodes = await kc.store.query(kc.cluster, "node")
    versions = Counter(
        str(n.fields.get("kubelet_version")) for n in nodes.items if n.fields.get("kubelet_version")
    )
    version = versions.most_common(1)[0][0] if versions else "unknown"
    await kc.store.upsert_cluster(
        kc.cluster,
        version=version,
        api_server=kc.identity.server,
        node_count=len(nodes.items),
        ttl_s=kc.settings.cache_static_ttl,
        context=kc.identity.context,
        user_name=kc.identity.user,
    )


async def run_tier(kc: Holder, tier: str, *, progress: Progress | None = None) -> TierResult:
    """Scan every kind of a tier, at most SCANNER_MAX_CONCURRENT tool calls at once."""
    if tier not in TIERS:
        raise KcacheError(f"unknown tier {tier!r}: expected static or dynamic")
    kc = as_scanner(kc)
    start = time.perf_counter()
    tier_scan = await kc.store.scan_started(kc.cluster, f"tier:{tier}", tier)
    gate = asyncio.Semaphore(kc.settings.scanner_max_concurrent)
    budget = RetryBudget(kc.settings.scanner_timeout)

    async def one(kind: str) -> ScopeResult:
        async with gate:
            if _list_tool(kc, kind, namespace=None) is None:
                result = ScopeResult(
                    kind=kind, scope=scope_name(kind), status="skipped", error="no list tool"
                )
            else:
                result = await scan_scope(kc, kind, tier=tier, budget=budget)
        if progress is not None:
            progress(tier, result)
        return result

    async with kc.scan_lock:
        try:
            results = list(await asyncio.gather(*(one(k) for k in TIERS[tier])))
            if tier == "static":
                await scan_cluster_row(kc)
        except BaseException:
            await asyncio.shield(kc.store.scan_finished(tier_scan, "failed", error="interrupted"))
            raise
    failed = [r for r in results if r.status == "failed"]
    status: Literal["completed", "failed"] = "failed" if failed else "completed"
    error = "; ".join(f"{r.scope}: {r.error}" for r in failed)[:2000] or None
    total = sum(r.count for r in results)
    await kc.store.scan_finished(tier_scan, status, error=error, record_count=total)
    return TierResult(
        tier=tier, status=status, scopes=results, duration_ms=(time.perf_counter() - start) * 1000
    )


async def refresh_scopes(
    kc: Holder, scopes: Iterable[tuple[str, str | None]], *, timeout: float
) -> list[ScopeResult]:
    """Read-through: refresh the given (kind, namespace) scopes now, within ``timeout`` seconds.

    It waits for a tier scan that is running (``Kcache.scan_lock``); the wait counts in ``timeout``.
    """
    kc = as_scanner(kc)
    wanted = list(dict.fromkeys(scopes))
    budget = RetryBudget(kc.settings.scanner_timeout)

    async def all_of() -> list[ScopeResult]:
        # A running tier scan holds the lock: wait for it (within the timeout), so that two scans
        # of one scope never interleave and the older answer cannot overwrite the newer.
        async with kc.scan_lock:
            return [await scan_scope(kc, kind, namespace=ns, budget=budget) for kind, ns in wanted]

    try:
        return await asyncio.wait_for(all_of(), timeout=timeout)
    except TimeoutError:
        event(
            logger,
            "scanner",
            "read_through",
            f"read-through refresh of {wanted} exceeded {timeout:g}s",
            level=logging.WARNING,
        )
        return [
            ScopeResult(
                kind=k, scope=scope_name(k, n), status="failed", error=f"timed out after {timeout:g}s"
            )
            for k, n in wanted
        ]
