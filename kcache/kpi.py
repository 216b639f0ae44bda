"""The spec's KPIs, computed from what the store recorded (``Store.kpi_inputs()``).

Each KPI carries its definition and the figures it was computed from, so that ``kcache
stats`` can show how a number came about. A KPI with nothing to compute it from has the
value None (shown as ``n/a``), never 0: "no data" and "0%" mean different things.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from kcache.errors import KcacheError

DEFINITIONS: dict[str, str] = {
    "cache_hit_rate": "cache hits / cache lookups, over every agent turn recorded",
    "response_time_improvement": (
        "1 - cache_ms / mcp_ms, like with like: whole read turns (every node, the MCP call "
        "included, the LLM's own time excluded) that answered from the cache against those that "
        "went through the MCP server, for the same kind and operation, weighted by the number of "
        "cache-answered turns of each (kind, operation) read both ways only"
    ),
    "scan_completion_rate": "completed scans / scheduled scans (each tier scan started counts as scheduled)",
    "context_accuracy": (
        "from the last eval run: cases whose expected parameters were all resolved correctly / "
        "cases with expected parameters (see evals/README)"
    ),
    "params_accepted_rate": (
        "at run time: suggested parameters the user accepted without change / parameters suggested"
    ),
    "prompt_tokens_per_turn": "average LLM prompt tokens per agent turn (estimated locally)",
}
"""What each KPI means, as printed by ``kcache stats``."""

ORDER: tuple[str, ...] = tuple(DEFINITIONS)


@dataclass(frozen=True, kw_only=True)
class Kpi:
    """One KPI: its value (None when there is no data), definition and the inputs behind it."""

    name: str
    value: float | None
    definition: str
    unit: str = "ratio"
    """``ratio`` (shown as a percentage) or ``tokens``."""
    basis: dict[str, Any] = field(default_factory=dict)
    """The figures the value was computed from."""

    def display(self) -> str:
        """The value as text: a percentage, a token count, or n/a."""
        if self.value is None:
            return "n/a"
        if self.unit == "ratio":
            return f"{self.value * 100:.1f}%"
        return f"{self.value:,.0f}"


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _int(inputs: Mapping[str, Any], key: str) -> int:
    value = inputs.get(key, 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise KcacheError(f"KPI input {key!r} must be a number, got {value!r}")
    return int(value)


def _share(inputs: Mapping[str, Any], name: str, part: tuple[str, str], whole: tuple[str, str]) -> Kpi:
    """A KPI that is a part over a whole of recorded counts (the part never exceeds the whole)."""
    got, of = _int(inputs, part[0]), _int(inputs, whole[0])
    if got > of:
        raise KcacheError(f"recorded {part[1]} ({got}) exceed {whole[1]} ({of})")
    return Kpi(
        name=name, value=_ratio(got, of), definition=DEFINITIONS[name], basis={part[1]: got, whole[1]: of}
    )


def cache_hit_rate(inputs: Mapping[str, Any]) -> Kpi:
    """Hits / lookups over all recorded turns."""
    return _share(inputs, "cache_hit_rate", ("cache_hits", "hits"), ("cache_lookups", "lookups"))


def response_time_improvement(inputs: Mapping[str, Any]) -> Kpi:
    """1 - cache_ms/mcp_ms over (kind, operation) pairs answered both from the cache and through MCP.

    ``read_times`` rows are ``{"resource", "operation", "from_cache", "avg_ms", "count"}``,
    where ``avg_ms`` is the average non-LLM time of whole answered read turns (see
    ``agent_turns.non_llm_ms``): both sides are whole turns, never a turn against a lone
    tool call, and a cached ``pod list`` is only set against an MCP ``pod list``. Each pair
    read both ways contributes its cache-turn count times its two averages, so the figure
    answers "how much of the MCP path's time did the cache save on the turns it answered".
    Pairs read one way only (logs are never cached) are left out: no such pair, no value.
    """
    by_pair: dict[str, dict[bool, tuple[float, int]]] = {}
    for row in inputs.get("read_times") or []:
        avg, count = row.get("avg_ms"), row.get("count")
        if avg is None or not count:
            continue
        pair = " ".join(str(part) for part in (row.get("resource"), row.get("operation")) if part)
        by_pair.setdefault(pair, {})[bool(row.get("from_cache"))] = (float(avg), int(count))
    cache_total = mcp_total = 0.0
    per_pair: dict[str, dict[str, float]] = {}
    for pair, ways in sorted(by_pair.items()):
        if True not in ways or False not in ways:
            continue
        (cache_ms, cache_n), (mcp_ms, mcp_n) = ways[True], ways[False]
        cache_total += cache_ms * cache_n
        mcp_total += mcp_ms * cache_n
        per_pair[pair] = {
            "cache_ms": round(cache_ms, 2),
            "mcp_ms": round(mcp_ms, 2),
            "cache_turns": cache_n,
            "mcp_turns": mcp_n,
            "improvement": round(1 - cache_ms / mcp_ms, 4) if mcp_ms else 0.0,
        }
    value = 1 - cache_total / mcp_total if mcp_total else None
    return Kpi(
        name="response_time_improvement",
        value=value,
        definition=DEFINITIONS["response_time_improvement"],
        # Keyed "kind operation"; the key keeps its name for ``kcache stats``.
        basis={"per_kind": per_pair},
    )


def scan_completion_rate(inputs: Mapping[str, Any]) -> Kpi:
    """Completed / scheduled scans, from the tier scans when recorded, else the scope scans."""
    counts = inputs.get("tier_scans")
    level = "tier"
    if not counts:
        counts = inputs.get("scans") or {}
        level = "scope"
    completed = int(counts.get("completed", 0))
    scheduled = sum(int(n) for n in counts.values())
    return Kpi(
        name="scan_completion_rate",
        value=_ratio(completed, scheduled),
        definition=DEFINITIONS["scan_completion_rate"],
        basis={"completed": completed, "scheduled": scheduled, "counted": f"{level} scans", **counts},
    )


def context_accuracy(inputs: Mapping[str, Any]) -> Kpi:
    """The last eval run's context_accuracy."""
    last = inputs.get("last_eval")
    value = None
    basis: dict[str, Any] = {}
    if last:
        metrics = last.get("metrics") or {}
        raw = metrics.get("context_accuracy")
        value = float(raw) if isinstance(raw, int | float) else None
        basis = {"eval_at": last.get("at"), "dataset": last.get("dataset")}
    return Kpi(name="context_accuracy", value=value, definition=DEFINITIONS["context_accuracy"], basis=basis)


def params_accepted_rate(inputs: Mapping[str, Any]) -> Kpi:
    """Suggested parameters accepted without change / suggested."""
    return _share(
        inputs, "params_accepted_rate", ("params_accepted", "accepted"), ("params_suggested", "suggested")
    )


def prompt_tokens_per_turn(inputs: Mapping[str, Any]) -> Kpi:
    """Average prompt tokens per turn (None when no turn recorded a prompt)."""
    raw = inputs.get("avg_prompt_tokens")
    return Kpi(
        name="prompt_tokens_per_turn",
        value=float(raw) if isinstance(raw, int | float) else None,
        definition=DEFINITIONS["prompt_tokens_per_turn"],
        unit="tokens",
        basis={"turns": _int(inputs, "turns")},
    )


def compute(inputs: Mapping[str, Any]) -> list[Kpi]:
    """Every KPI, in :data:`ORDER`, from ``Store.kpi_inputs()``."""
    return [
        cache_hit_rate(inputs),
        response_time_improvement(inputs),
        scan_completion_rate(inputs),
        context_accuracy(inputs),
        params_accepted_rate(inputs),
        prompt_tokens_per_turn(inputs),
    ]


def as_json(kpis: list[Kpi]) -> dict[str, dict[str, Any]]:
    """KPIs keyed by name, each with value, definition, unit and basis."""
    return {k.name: {key: v for key, v in asdict(k).items() if key != "name"} for k in kpis}
