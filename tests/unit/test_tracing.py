"""Trace metadata of a turn: the cluster label is the turn's, not the graph's default."""

from __future__ import annotations

from typing import Any

from langsmith import tracing_context
from langsmith.run_trees import RunTree

from kcache.tracing import annotated


async def _ends_turn(state: dict[str, Any], runtime: object = None) -> dict[str, Any]:
    return {"record": {"intent": "query", "resource": "pod", "outcome": "answer"}}


async def _traced(state: dict[str, Any]) -> RunTree:
    run = RunTree(name="cache_invalidate", run_type="chain")
    # A parent run and no tracing: the wrapper labels the run, nothing is sent anywhere.
    with tracing_context(parent=run, enabled=False):
        await annotated(_ends_turn, cluster="default")(state, None)
    return run


async def test_trace_is_labelled_with_the_turns_cluster() -> None:
    run = await _traced({"cluster": "staging"})
    assert run.metadata["cluster"] == "staging"
    assert run.metadata["resource"] == "pod" and "tier:dynamic" in (run.tags or [])


async def test_a_state_without_a_cluster_keeps_the_graphs_default() -> None:
    run = await _traced({})
    assert run.metadata["cluster"] == "default"
