"""Per-node stopwatch of an agent turn: milliseconds per node, kept in the state's ``timings``."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any


def node_timings(
    state: Mapping[str, Any], node: str, start: float, *, less_ms: float = 0.0
) -> dict[str, float]:
    """The turn's timings with ``node``'s time since ``start`` (perf_counter) added to it.

    A node that runs more than once in a turn (gemini, tool_call) accumulates; ``less_ms``
    is time the node spent waiting that is not its own (an approval prompt).
    """
    timings = dict(state.get("timings") or {})
    timings[node] = timings.get(node, 0.0) + (time.perf_counter() - start) * 1000 - less_ms
    return timings
