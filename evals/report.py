"""Load eval datasets, compute the eval metrics and build the report the harness writes.

The report's shape and the metrics' definitions are those of the eval datasets' README;
pass/fail comes from :mod:`evals.scorer`, the one implementation of the scoring rules.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.scorer import (
    check_results,
    expected_outcomes,
    params_correct,
    score_case,
)
from kcache.errors import KcacheError
from kcache.model import KINDS


class DatasetError(KcacheError):
    """A dataset line is not a valid case; the message names the file, the line and the key."""


INTENTS: frozenset[str] = frozenset({"query", "action", "analysis"})
OPERATIONS: frozenset[str] = frozenset({"list", "get", "logs", "top", "delete", "scale", "diagnose"})
OUTCOMES: frozenset[str] = frozenset({"answer", "confirm", "clarify", "not_found", "refuse"})
#: The dataset's resource names: the cache's kinds plus ``cluster`` for cluster-wide facts.
RESOURCES: frozenset[str] = frozenset(KINDS) | {"cluster"}
EXPECT_KEYS: frozenset[str] = frozenset(
    {
        "intent",
        "resource",
        "operation",
        "params",
        "outcome",
        "tools",
        "candidates",
        "answer_params",
        "answer_contains",
        "answer_excludes",
    }
)
REQUIRED_EXPECT_KEYS: tuple[str, ...] = ("intent", "resource", "operation", "outcome")

#: The categories a case may name in its top-level ``category`` key: what ability it measures.
#: The first ten are the operations and outcomes of the dev set; the others are the own corpus's
#: (evals/datasets/own/README.md says what each holds).
CATEGORIES: tuple[str, ...] = (
    "list",
    "get",
    "logs",
    "top",
    "scale",
    "delete",
    "diagnose",
    "clarify",
    "not_found",
    "refuse",
    "word-not-name",
    "exact-name",
    "related-filter",
    "computed-number",
    "count-sort-filter",
    "describe",
    "two-asks",
    "zh-beyond",
    "neighbour",
    "other-ops",
    "diagnosis",
    "fact",
)
#: The two halves of the own corpus: ``tune`` may be looked at while improving the agent,
#: ``test`` measures whether what was learnt generalizes.
HALVES: tuple[str, str] = ("tune", "test")
SPLIT_SEED = "kcache-own-corpus-2026-12"
"""The fixed seed of the tune/test split; changing it would move every case."""

#: Metric names in the order the summary prints them.
METRIC_NAMES: tuple[str, ...] = (
    "pass_rate",
    "intent_accuracy",
    "resource_accuracy",
    "operation_accuracy",
    "outcome_accuracy",
    "tool_accuracy",
    "param_accuracy",
    "context_accuracy",
    "answer_accuracy",
    "cache_hit_rate",
    "latency_ms_p50",
    "latency_ms_p95",
)


def _check_param_value(where: str, key: str, value: Any) -> None:
    if value is None or isinstance(value, str):
        return
    if isinstance(value, int | float) and not isinstance(value, bool):
        return
    if isinstance(value, dict) and set(value) == {"regex"} and isinstance(value["regex"], str):
        try:
            re.compile(value["regex"])
        except re.error as exc:
            raise DatasetError(f"{where}: bad regex in {key!r}: {value['regex']!r} ({exc})") from exc
        return
    raise DatasetError(
        f"{where}: {key!r} must be a string, a number, null or {{'regex': ...}}, got {value!r}"
    )


def _check_string_list(where: str, key: str, value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise DatasetError(f"{where}: {key!r} must be a list of non-empty strings, got {value!r}")


def _check_params(where: str, key: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise DatasetError(f"{where}: {key!r} must be an object, got {value!r}")
    for name, param in value.items():
        _check_param_value(where, f"{key}.{name}", param)


def validate_case(case: Any, where: str) -> dict[str, Any]:
    """Check one dataset case against the format and return it.

    Args:
        case: The parsed JSON value of one line.
        where: ``file:line`` for the error message.

    Raises:
        DatasetError: naming ``where`` and the bad key.
    """
    if not isinstance(case, dict):
        raise DatasetError(f"{where}: a case must be a JSON object, got {type(case).__name__}")
    for key in ("id", "query"):
        if not isinstance(case.get(key), str) or not case[key].strip():
            raise DatasetError(f"{where}: {key!r} must be a non-empty string, got {case.get(key)!r}")
    expect = case.get("expect")
    if not isinstance(expect, dict):
        raise DatasetError(f"{where}: 'expect' must be an object, got {expect!r}")
    if "category" in case and case["category"] not in CATEGORIES:
        raise DatasetError(f"{where}: 'category' has unknown value {case['category']!r}")
    unknown = sorted(set(expect) - EXPECT_KEYS)
    if unknown:
        raise DatasetError(f"{where}: unknown key 'expect.{unknown[0]}'")
    for key in REQUIRED_EXPECT_KEYS:
        # An operation outside the format's seven (restart, rollback, cordon, exec) has no
        # ``operation`` value: such a case says so with its category (``other-ops``, or
        # ``two-asks`` whose first ask is one) and leaves it unchecked.
        if key not in expect and not (
            key == "operation" and case.get("category") in ("other-ops", "two-asks")
        ):
            raise DatasetError(f"{where}: missing key 'expect.{key}'")
    for key, allowed in (("intent", INTENTS), ("resource", RESOURCES), ("operation", OPERATIONS)):
        if key in expect and expect[key] not in allowed:
            raise DatasetError(f"{where}: 'expect.{key}' has unknown value {expect[key]!r}")
    outcome = expect["outcome"]
    outcomes = outcome if isinstance(outcome, list) else [outcome]
    if not outcomes or any(o not in OUTCOMES for o in outcomes):
        raise DatasetError(f"{where}: 'expect.outcome' has unknown value {outcome!r}")
    for key in ("params", "answer_params"):
        if key in expect:
            _check_params(where, f"expect.{key}", expect[key])
    if "answer_params" in expect and not isinstance(outcome, list):
        raise DatasetError(f"{where}: 'expect.answer_params' needs a list 'expect.outcome'")
    for key in ("tools", "candidates", "answer_contains", "answer_excludes"):
        if key in expect:
            _check_string_list(where, f"expect.{key}", expect[key])
    return case


def load_dataset(path: str | Path) -> list[dict[str, Any]]:
    """Read and validate a JSONL dataset; blank lines are skipped.

    Raises:
        DatasetError: for unreadable files, bad JSON, invalid cases or duplicate ids, naming the
            file, the line number and the bad key.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DatasetError(f"{file}: cannot read dataset ({exc})") from exc
    cases: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{file}:{number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from exc
        case = validate_case(value, where)
        if case["id"] in seen:
            raise DatasetError(f"{where}: 'id' {case['id']!r} already used on line {seen[case['id']]}")
        seen[case["id"]] = number
        cases.append(case)
    if not cases:
        raise DatasetError(f"{file}: the dataset has no cases")
    return cases


def split_half(case_id: str, seed: str = SPLIT_SEED) -> str:
    """The half (``tune`` or ``test``) a case belongs to, from a hash of the seed and its id alone.

    Adding, removing or editing other cases never moves a case to the other half.
    """
    digest = hashlib.sha256(f"{seed}/{case_id}".encode()).digest()
    return HALVES[digest[0] & 1]


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation between closest ranks; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _int_field(record: Mapping[str, Any], key: str) -> int:
    value = record.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def compute_metrics(cases: Sequence[Mapping[str, Any]]) -> dict[str, float | None]:
    """The report's metrics over scored cases.

    Each case holds ``expect``, ``record``, ``pass`` (scored here when absent) and
    ``latency_ms``. A metric whose denominator is empty is None. ``intent_accuracy``,
    ``resource_accuracy`` and ``operation_accuracy`` are over the cases that state the key
    (all cases but ``other-ops`` ones without an operation).

    ``context_accuracy`` counts a case when its expected parameters are non-empty and it
    expects ``answer`` or ``confirm``: with one expected outcome always (an agent that fails
    to resolve and asks instead resolved nothing), with a list of outcomes only when the agent
    chose ``answer`` or ``confirm`` (another accepted choice needs no parameters).
    """
    total = len(cases)
    passed = 0
    equal = {"intent": 0, "resource": 0, "operation": 0}
    stated = {"intent": 0, "resource": 0, "operation": 0}
    outcome_ok = 0
    tool_ok = tool_n = 0
    param_ok = param_n = 0
    context_ok = context_n = 0
    answer_ok = answer_n = 0
    lookups = hits = 0
    latencies: list[float] = []
    for case in cases:
        expect = case["expect"]
        record = case["record"]
        results = check_results(expect, record)
        passed_case = case.get("pass")
        if passed_case is None:
            passed_case = score_case(expect, record)[0]
        passed += bool(passed_case)
        for key in equal:
            if key in expect:
                stated[key] += 1
                equal[key] += record.get(key) == expect[key]
        outcome_matched = record.get("outcome") in expected_outcomes(expect)
        outcome_ok += outcome_matched

        tools = expect.get("tools")
        if tools and record.get("tool") is not None:
            tool_n += 1
            tool_ok += record.get("tool") in tools

        correct, expected = params_correct(expect, record)
        if outcome_matched:
            param_ok += correct
            param_n += expected
        if expected:
            context_n += 1
            context_ok += correct == expected

        answer_checks = [results["answer_contains"], results["answer_excludes"]]
        if any(r is not None for r in answer_checks):
            answer_n += 1
            answer_ok += all(r is not False for r in answer_checks)

        lookups += _int_field(record, "cache_lookups")
        hits += _int_field(record, "cache_hits")
        latency = case.get("latency_ms")
        if isinstance(latency, int | float) and not isinstance(latency, bool):
            latencies.append(float(latency))

    return {
        "pass_rate": _ratio(passed, total),
        "intent_accuracy": _ratio(equal["intent"], stated["intent"]),
        "resource_accuracy": _ratio(equal["resource"], stated["resource"]),
        "operation_accuracy": _ratio(equal["operation"], stated["operation"]),
        "outcome_accuracy": _ratio(outcome_ok, total),
        "tool_accuracy": _ratio(tool_ok, tool_n),
        "param_accuracy": _ratio(param_ok, param_n),
        "context_accuracy": _ratio(context_ok, context_n),
        "answer_accuracy": _ratio(answer_ok, answer_n),
        "cache_hit_rate": _ratio(hits, lookups),
        "latency_ms_p50": percentile(latencies, 50),
        "latency_ms_p95": percentile(latencies, 95),
    }


def _category_order(category: str) -> tuple[int, str]:
    return (CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES), category)


def category_metrics(cases: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Cases, passes and pass rate per ``category``, over the cases that name one.

    Each case holds ``pass`` (or ``expect`` and ``record``, scored here) and, optionally,
    ``category``; categories come in :data:`CATEGORIES` order, unknown ones after.
    """
    counts: dict[str, list[int]] = {}
    for case in cases:
        category = case.get("category")
        if not isinstance(category, str):
            continue
        passed = case.get("pass")
        if passed is None:
            passed = score_case(case["expect"], case["record"])[0]
        count = counts.setdefault(category, [0, 0])
        count[0] += 1
        count[1] += bool(passed)
    return {
        category: {"cases": n, "passed": k, "pass_rate": _ratio(k, n)}
        for category, (n, k) in sorted(counts.items(), key=lambda item: _category_order(item[0]))
    }


def build_report(
    dataset: str,
    cluster: str,
    provider: str,
    server: str,
    cases: Sequence[Mapping[str, Any]],
    notes: str | Sequence[str] = (),
) -> dict[str, Any]:
    """The report the harness writes with ``--json-out``.

    Args:
        dataset: The dataset file as given.
        cluster: The cluster directory as given.
        provider: The LLM provider, e.g. ``offline``.
        server: The MCP server and version, e.g. ``kubernetes-mcp-server 0.0.67``.
        cases: Each with ``id``, ``query``, ``expect``, ``record`` and ``latency_ms``; pass and
            failed check are scored here.
        notes: What the reader must know about the run, e.g. that TTLs were pinned.
    """
    scored: list[dict[str, Any]] = []
    out_cases: list[dict[str, Any]] = []
    for case in cases:
        passed, failed = score_case(case["expect"], case["record"])
        scored.append({**case, "pass": passed})
        out_case: dict[str, Any] = {"id": case["id"], "query": case["query"]}
        if "category" in case:
            out_case["category"] = case["category"]
        out_case.update(
            {
                "pass": passed,
                "failed_check": failed,
                "latency_ms": case.get("latency_ms"),
                "record": case["record"],
            }
        )
        out_cases.append(out_case)
    return {
        "dataset": dataset,
        "cluster": cluster,
        "provider": provider,
        "server": server,
        "metrics": compute_metrics(scored),
        "by_category": category_metrics(scored),
        "cases": out_cases,
        "notes": [notes] if isinstance(notes, str) else list(notes),
    }


def _format_metric(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    if name.startswith("latency"):
        return f"{value:.1f} ms"
    return f"{value * 100:.1f}%"


def format_summary(report: Mapping[str, Any]) -> str:
    """Plain text for the CLI: the run, every metric, then each failure with its check."""
    cases = report.get("cases", [])
    passed = sum(1 for c in cases if c.get("pass"))
    lines = [
        f"dataset {report.get('dataset')}  cluster {report.get('cluster')}",
        f"provider {report.get('provider')}  server {report.get('server')}",
        f"passed {passed}/{len(cases)}",
    ]
    metrics = report.get("metrics", {})
    for name in METRIC_NAMES:
        if name in metrics:
            lines.append(f"  {name:<20} {_format_metric(name, metrics[name])}")
    by_category = report.get("by_category") or {}
    if by_category:
        lines.append("pass rate by category:")
    for category, row in by_category.items():
        lines.append(
            f"  {category:<20} {row['passed']:>4}/{row['cases']:<4} {_format_metric('pass_rate', row['pass_rate'])}"
        )
    for note in report.get("notes", []):
        lines.append(f"note: {note}")
    failures = [c for c in cases if not c.get("pass")]
    if failures:
        lines.append("failures:")
    for case in failures:
        record = case.get("record") or {}
        got = ", ".join(
            f"{key}={record.get(key)!r}" for key in ("intent", "resource", "operation", "outcome", "tool")
        )
        category = f" ({case['category']})" if case.get("category") else ""
        lines.append(f"  {case.get('id')}{category} [{case.get('failed_check')}] {case.get('query')}")
        lines.append(f"      got {got} params={record.get('params')!r}")
    return "\n".join(lines)


def corpus_table(reports: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """Pass rates per category of the tune and test halves, their gap, and the overall row.

    Args:
        reports: For each half (``tune``, ``test``), the reports of its datasets (one per
            cluster), each with ``by_category``.

    Returns:
        ``{"categories": {category: row}, "overall": row}`` where a row is ``{"cases": n,
        "tune": {"cases", "passed", "pass_rate"}, "test": {...}, "gap": tune - test}``;
        a half without cases of a category has pass rate None, and then the gap is None.
    """
    counts: dict[str, dict[str, list[int]]] = {}
    for half in HALVES:
        for report in reports.get(half, ()):
            for category, row in (report.get("by_category") or {}).items():
                for key in (category, ""):
                    count = counts.setdefault(key, {h: [0, 0] for h in HALVES})[half]
                    count[0] += int(row["cases"])
                    count[1] += int(row["passed"])

    def row_of(halves: dict[str, list[int]]) -> dict[str, Any]:
        row: dict[str, Any] = {"cases": sum(n for n, _ in halves.values())}
        for half, (n, k) in halves.items():
            row[half] = {"cases": n, "passed": k, "pass_rate": _ratio(k, n)}
        tune, test = row["tune"]["pass_rate"], row["test"]["pass_rate"]
        row["gap"] = None if tune is None or test is None else tune - test
        return row

    overall = counts.pop("", {h: [0, 0] for h in HALVES})
    return {
        "categories": {
            category: row_of(halves)
            for category, halves in sorted(counts.items(), key=lambda item: _category_order(item[0]))
        },
        "overall": row_of(overall),
    }


def _format_points(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:+.1f} pt"


def format_corpus_table(table: Mapping[str, Any]) -> str:
    """The corpus table as text: one line per category, then the overall line."""
    header = f"{'category':<20} {'cases':>5}  {'tune':>16}  {'test':>16}  {'gap':>9}"
    lines = [header, "-" * len(header)]

    def line(name: str, row: Mapping[str, Any]) -> str:
        cells = []
        for half in HALVES:
            h = row[half]
            cells.append(f"{h['passed']:>3}/{h['cases']:<3} {_format_metric('pass_rate', h['pass_rate']):>7}")
        return (
            f"{name:<20} {row['cases']:>5}  {cells[0]:>16}  {cells[1]:>16}  {_format_points(row['gap']):>9}"
        )

    for category, row in table["categories"].items():
        lines.append(line(category, row))
    lines.append("-" * len(header))
    lines.append(line("overall", table["overall"]))
    return "\n".join(lines)
