"""KPI math on hand-made inputs shaped like ``Store.kpi_inputs()``, and on turns recorded in a store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kcache import kpi
from kcache.errors import KcacheError
from kcache.store import Store, TurnRow


def inputs(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "turns": 0,
        "cache_lookups": 0,
        "cache_hits": 0,
        "avg_prompt_tokens": None,
        "params_suggested": 0,
        "params_accepted": 0,
        "read_times": [],
        "scans": {},
        "last_eval": None,
    }
    base.update(over)
    return base


def by_name(data: dict[str, Any]) -> dict[str, kpi.Kpi]:
    return {k.name: k for k in kpi.compute(data)}


def test_no_data_gives_none_not_zero() -> None:
    kpis = by_name(inputs())
    assert [k.name for k in kpi.compute(inputs())] == list(kpi.ORDER)
    assert all(k.value is None for k in kpis.values())
    assert all(k.display() == "n/a" for k in kpis.values())


def test_cache_hit_rate() -> None:
    k = kpi.cache_hit_rate(inputs(cache_lookups=8, cache_hits=6))
    assert k.value == pytest.approx(0.75)
    assert k.display() == "75.0%"
    assert k.basis == {"hits": 6, "lookups": 8}


def test_cache_hits_above_lookups_is_an_error() -> None:
    with pytest.raises(KcacheError, match=r"hits \(5\) exceed lookups \(2\)"):
        kpi.cache_hit_rate(inputs(cache_lookups=2, cache_hits=5))


def test_response_time_improvement_weighted_by_cache_reads() -> None:
    rows = [
        {"resource": "pod", "from_cache": True, "avg_ms": 2.0, "count": 3},
        {"resource": "pod", "from_cache": False, "avg_ms": 100.0, "count": 1},
        {"resource": "node", "from_cache": True, "avg_ms": 10.0, "count": 1},
        {"resource": "node", "from_cache": False, "avg_ms": 20.0, "count": 5},
        # Read only one way: cannot be compared, left out.
        {"resource": "service", "from_cache": True, "avg_ms": 1.0, "count": 50},
    ]
    k = kpi.response_time_improvement(inputs(read_times=rows))
    # cache: 3*2 + 1*10 = 16; mcp for the same reads: 3*100 + 1*20 = 320
    assert k.value == pytest.approx(1 - 16 / 320)
    assert set(k.basis["per_kind"]) == {"pod", "node"}
    assert k.basis["per_kind"]["pod"]["improvement"] == pytest.approx(0.98)


def test_response_time_improvement_negative_when_cache_slower() -> None:
    rows = [
        {"resource": "pod", "from_cache": True, "avg_ms": 30.0, "count": 1},
        {"resource": "pod", "from_cache": False, "avg_ms": 20.0, "count": 1},
    ]
    assert kpi.response_time_improvement(inputs(read_times=rows)).value == pytest.approx(-0.5)


def test_scan_completion_rate_prefers_tier_scans() -> None:
    scope_only = kpi.scan_completion_rate(inputs(scans={"completed": 9, "failed": 1}))
    assert scope_only.value == pytest.approx(0.9)
    assert scope_only.basis["counted"] == "scope scans"
    tiers = kpi.scan_completion_rate(
        inputs(scans={"completed": 9, "failed": 1}, tier_scans={"completed": 3, "failed": 1})
    )
    assert tiers.value == pytest.approx(0.75)
    assert tiers.basis["scheduled"] == 4


def test_scan_still_running_counts_as_not_completed() -> None:
    k = kpi.scan_completion_rate(inputs(scans={"completed": 1, "running": 1}))
    assert k.value == pytest.approx(0.5)


def test_context_accuracy_from_last_eval() -> None:
    last = {"at": "2026-01-01T00:00:00Z", "dataset": "dev.jsonl", "metrics": {"context_accuracy": 0.9}}
    k = kpi.context_accuracy(inputs(last_eval=last))
    assert k.value == pytest.approx(0.9)
    assert k.basis["dataset"] == "dev.jsonl"


def test_params_accepted_rate() -> None:
    k = kpi.params_accepted_rate(inputs(params_suggested=10, params_accepted=7))
    assert k.value == pytest.approx(0.7)
    with pytest.raises(KcacheError):
        kpi.params_accepted_rate(inputs(params_suggested=1, params_accepted=2))


def test_prompt_tokens_per_turn_display() -> None:
    k = kpi.prompt_tokens_per_turn(inputs(avg_prompt_tokens=1234.4, turns=5))
    assert k.display() == "1,234"
    assert k.unit == "tokens"


def test_bad_input_type_names_the_key() -> None:
    with pytest.raises(KcacheError, match="cache_lookups"):
        kpi.cache_hit_rate(inputs(cache_lookups="many"))


def test_as_json_has_definitions() -> None:
    data = kpi.as_json(kpi.compute(inputs(cache_lookups=4, cache_hits=1)))
    assert data["cache_hit_rate"]["value"] == pytest.approx(0.25)
    assert "hits" in data["cache_hit_rate"]["definition"]
    assert set(data) == set(kpi.ORDER)


def turn(resource: str, operation: str, from_cache: bool, non_llm_ms: float, **over: Any) -> TurnRow:
    row = TurnRow(
        cluster_name="c",
        intent="query",
        resource=resource,
        operation=operation,
        outcome="answer",
        answered_from_cache=int(from_cache),
        executed=0,
        cache_lookups=1,
        cache_hits=int(from_cache),
        non_llm_ms=non_llm_ms,
        # What the tool call alone took on the MCP path: never the figure compared.
        read_ms=non_llm_ms / 10,
        provider="offline",
    )
    row.update(over)  # type: ignore[typeddict-item]
    return row


async def recorded(tmp_path: Path, turns: list[TurnRow]) -> kpi.Kpi:
    async with Store(tmp_path / "cache.db") as store:
        for row in turns:
            await store.record_turn(row)
        return kpi.response_time_improvement(await store.kpi_inputs())


async def test_response_time_never_sets_one_operation_against_another(tmp_path: Path) -> None:
    # Cached lists against MCP logs (never cached): nothing comparable, so no value.
    turns = [turn("pod", "list", True, 5.0)] * 3 + [turn("pod", "logs", False, 60.0)]
    k = await recorded(tmp_path, turns)
    assert k.value is None and k.basis["per_kind"] == {}


async def test_response_time_compares_whole_turns_of_the_same_kind_and_operation(tmp_path: Path) -> None:
    turns = [
        *[turn("pod", "list", True, 5.0)] * 3,
        turn("pod", "list", False, 100.0),
        turn("pod", "logs", False, 1000.0),
        turn("node", "list", True, 10.0),
        turn("node", "list", False, 20.0),
        # Not reads that answered: an action, a clarification; left out.
        turn("pod", "list", False, 1.0, intent="action"),
        turn("pod", "list", True, 500.0, outcome="clarify"),
    ]
    k = await recorded(tmp_path, turns)
    # cache: 3*5 + 1*10 = 25; the MCP path for the same turns: 3*100 + 1*20 = 320.
    assert k.value == pytest.approx(1 - 25 / 320)
    assert set(k.basis["per_kind"]) == {"pod list", "node list"}
    assert k.basis["per_kind"]["pod list"] == {
        "cache_ms": 5.0,
        "mcp_ms": 100.0,
        "cache_turns": 3,
        "mcp_turns": 1,
        "improvement": 0.95,
    }
    assert "same kind and operation" in k.definition and "whole read turns" in k.definition


async def test_response_time_is_negative_only_when_cached_turns_are_slower(tmp_path: Path) -> None:
    k = await recorded(tmp_path, [turn("svc", "list", True, 30.0), turn("svc", "list", False, 20.0)])
    assert k.value == pytest.approx(-0.5)
