"""Trace metadata and tags for LangSmith: what a user filters an agent run by."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from langsmith import get_current_run_tree

from kcache.kinds import TIER_OF

Node = Callable[..., Awaitable[dict[str, Any]]]


def record_metadata(record: Mapping[str, Any], cluster: str) -> dict[str, Any]:
    """The filterable fields of a turn's record (never its answer or tool output)."""
    return {
        "cluster": cluster,
        "intent": record.get("intent"),
        "resource": record.get("resource"),
        "operation": record.get("operation"),
        "tool": record.get("tool"),
        "cache_hit": bool(record.get("answered_from_cache")),
        "data_age_s": record.get("data_age_s"),
        "provider": record.get("provider"),
        "outcome": record.get("outcome"),
    }


def annotated(node: Node, *, cluster: str) -> Node:
    """Wrap the node that ends a turn so its run carries the turn's metadata and tier tag.

    The run is labelled with the turn's cluster (the state's ``cluster``, which the request or
    the run context chose); ``cluster`` is the graph's default, for a state that names none.
    """

    @functools.wraps(node)
    async def wrapper(*args: Any, **kwargs: Any) -> dict[str, Any]:
        update = await node(*args, **kwargs)
        run = get_current_run_tree()
        record = update.get("record")
        if run is not None and isinstance(record, dict):
            state = args[0] if args else kwargs.get("state")
            turn_cluster = state.get("cluster") if isinstance(state, Mapping) else None
            run.metadata.update(record_metadata(record, str(turn_cluster or cluster)))
            if record.get("resource"):
                run.tags = [*(run.tags or []), f"tier:{TIER_OF.get(str(record['resource']), 'dynamic')}"]
        return update

    return wrapper
