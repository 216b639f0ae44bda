"""Score one turn record against a dataset case's expectations, by the rules of the eval format.

The rules are those of the eval datasets' README: every check that applies must hold, and
``failed_check`` names the first failing one in :data:`CHECKS` order. Records are the agent's
own output, so a malformed record fails a check rather than raising.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

#: The checks, in the order that decides which one a failing case reports.
CHECKS: tuple[str, ...] = (
    "intent",
    "resource",
    "operation",
    "outcome",
    "params",
    "tools",
    "candidates",
    "answer_contains",
    "answer_excludes",
)

#: Outcomes under which the resolved parameters are checked.
PARAM_OUTCOMES: frozenset[str] = frozenset({"answer", "confirm"})

#: Outcomes under which the offered candidates are checked.
CANDIDATE_OUTCOMES: frozenset[str] = frozenset({"clarify", "not_found"})


def expected_outcomes(expect: Mapping[str, Any]) -> list[str]:
    """The acceptable outcomes of a case, as a list whether one or several were given."""
    outcome = expect.get("outcome")
    if isinstance(outcome, list):
        return [str(o) for o in outcome]
    return [] if outcome is None else [str(outcome)]


def expected_params(expect: Mapping[str, Any], record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The parameters the record must hold, or None when parameters are not checked.

    With one expected outcome, parameters are checked when it is ``answer`` or ``confirm``.
    With a list of outcomes, they are checked when the agent chose ``answer`` or ``confirm``,
    and ``answer_params`` then adds to (and overrides) ``params``.
    """
    outcome = expect.get("outcome")
    params: dict[str, Any] = dict(expect.get("params") or {})
    if isinstance(outcome, list):
        if record.get("outcome") not in PARAM_OUTCOMES:
            return None
        params.update(expect.get("answer_params") or {})
        return params
    if outcome not in PARAM_OUTCOMES:
        return None
    return params


def split_label_selector(selector: str) -> frozenset[str]:
    """The requirements of a label selector, split on commas outside parentheses, spaces removed.

    ``"app=a, tier in (web,api)"`` gives ``{"app=a", "tierin(web,api)"}``.
    """
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    cleaned = ("".join(part.split()) for part in parts)
    return frozenset(part for part in cleaned if part)


def _as_int(value: Any) -> int | None:
    """An integer from an int, an integral float or a decimal string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _scalar_text(value: Any) -> str | None:
    """The text of a string or integer record value; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def param_matches(name: str, expected: Any, params: Mapping[str, Any]) -> bool:
    """Whether the record's parameters satisfy one expected parameter.

    Args:
        name: The canonical parameter name, e.g. ``namespace``.
        expected: ``None`` (must be absent or null), a number (equal as an integer),
            ``{"regex": ...}`` (full match), or a string (equal; label selectors as sets of
            requirements).
        params: The record's ``params``.
    """
    actual = params.get(name)
    if expected is None:
        return actual is None
    if actual is None:
        return False
    if isinstance(expected, Mapping) and "regex" in expected:
        text = _scalar_text(actual)
        return text is not None and re.fullmatch(str(expected["regex"]), text) is not None
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        want = _as_int(expected)
        return want is not None and _as_int(actual) == want
    if name == "label_selector" and isinstance(expected, str):
        return isinstance(actual, str) and split_label_selector(actual) == split_label_selector(expected)
    return bool(_scalar_text(actual) == expected)


def params_correct(expect: Mapping[str, Any], record: Mapping[str, Any]) -> tuple[int, int]:
    """How many expected parameters the record got right, and how many were expected.

    ``(0, 0)`` when parameters are not checked for this case and record (see
    :func:`expected_params`).
    """
    wanted = expected_params(expect, record)
    if not wanted:
        return (0, 0)
    params = record.get("params")
    if not isinstance(params, Mapping):
        params = {}
    correct = sum(1 for name, value in wanted.items() if param_matches(name, value, params))
    return (correct, len(wanted))


def _offered_matches(candidate: str, offered: list[Any]) -> bool:
    """Whether a candidate equals an offered option, its namespace part or its name part."""
    for option in offered:
        if not isinstance(option, str):
            continue
        if candidate == option:
            return True
        if "/" in option:
            namespace, _, name = option.partition("/")
            if candidate in (namespace, name):
                return True
    return False


def _answer_text(record: Mapping[str, Any]) -> str:
    answer = record.get("answer")
    return answer if isinstance(answer, str) else ""


def check_results(expect: Mapping[str, Any], record: Mapping[str, Any]) -> dict[str, bool | None]:
    """Each check of :data:`CHECKS` mapped to True (held), False (failed) or None (not applicable)."""
    results: dict[str, bool | None] = {}
    for key in ("intent", "resource", "operation"):
        results[key] = record.get(key) == expect[key] if key in expect else None

    outcomes = expected_outcomes(expect)
    results["outcome"] = record.get("outcome") in outcomes if outcomes else None

    correct, total = params_correct(expect, record)
    results["params"] = correct == total if total else None

    tools = expect.get("tools")
    tool = record.get("tool")
    if tools is None or (record.get("answered_from_cache") is True and tool is None):
        results["tools"] = None
    else:
        results["tools"] = tool in tools

    candidates = expect.get("candidates")
    if candidates and record.get("outcome") in CANDIDATE_OUTCOMES:
        offered = record.get("candidates")
        offered_list = offered if isinstance(offered, list) else []
        results["candidates"] = all(_offered_matches(c, offered_list) for c in candidates)
    else:
        results["candidates"] = None

    answer = _answer_text(record).lower()
    contains = expect.get("answer_contains")
    results["answer_contains"] = all(str(s).lower() in answer for s in contains) if contains else None

    excludes = expect.get("answer_excludes")
    if excludes:
        whole = json.dumps(record, ensure_ascii=False, default=str).lower()
        results["answer_excludes"] = not any(
            str(s).lower() in answer or str(s).lower() in whole for s in excludes
        )
    else:
        results["answer_excludes"] = None
    return results


def score_case(expect: Mapping[str, Any], record: Mapping[str, Any]) -> tuple[bool, str | None]:
    """Whether a record passes its case, and the first failed check's name (None on a pass)."""
    results = check_results(expect, record)
    for check in CHECKS:
        if results[check] is False:
            return (False, check)
    return (True, None)
