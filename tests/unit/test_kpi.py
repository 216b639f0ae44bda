"""KPI math on hand-made inputs shaped like ``Store.kpi_inputs()``."""

from __future__ import annotations

from typing import Any

import pytest

from kcache import kpi
from kcache.errors import KcacheError


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
