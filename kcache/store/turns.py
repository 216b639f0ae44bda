"""Agent turns (``agent_turns``) and the recorded inputs of the KPIs."""

from __future__ import annotations

import json
from typing import Any, TypedDict

from kcache.errors import StoreError
from kcache.store import sql
from kcache.store.pool import Pool
from kcache.store.rows import to_ts


class TurnRow(TypedDict, total=False):
    """One ``agent_turns`` row as the agent records it (``at`` is added by the store)."""

    thread_id: str | None
    cluster_name: str | None
    intent: str | None
    """The reader's intent: query, inspect, logs, action..."""
    resource: str | None
    """The canonical kind the turn was about."""
    operation: str | None
    tool: str | None
    outcome: str | None
    answered_from_cache: int
    """1 when the answer came from the cache without an MCP call."""
    executed: int
    cache_lookups: int
    cache_hits: int
    prompt_tokens: int | None
    duration_ms: float | None
    """The whole turn, wall clock."""
    non_llm_ms: float | None
    """The whole turn but the LLM's time: every node, MCP calls included."""
    read_ms: float | None
    """For reads: the time of the nodes (None for actions)."""
    params_suggested: int
    params_accepted: int
    provider: str | None
    asker: str | None
    """Who asked (an auth identity or a Kubernetes user; ``scanner`` for the kubeconfig's own)."""
    asker_user: str | None
    """The Kubernetes user the turn read as (None for the scanner's identity)."""
    asker_groups: str | None
    """The asker's Kubernetes groups, as a JSON list."""


TURN_COLUMNS: tuple[str, ...] = tuple(TurnRow.__annotations__)
"""The columns of ``agent_turns`` a turn fills, in ``sql.INSERT_TURN`` order."""


class Turns(Pool):
    """Record turns; gather what :mod:`kcache.kpi` computes from."""

    async def record_turn(self, turn: TurnRow) -> None:
        """Record one agent turn for the KPIs; a key absent from ``turn`` is stored as NULL."""
        unknown = set(turn) - set(TURN_COLUMNS)
        if unknown:
            raise StoreError(f"unknown agent turn fields: {sorted(unknown)}")
        values = (to_ts(self.now()), *(turn.get(c) for c in TURN_COLUMNS))
        async with self.transaction() as conn:
            await conn.execute(sql.INSERT_TURN, values)

    async def turn_clusters(self) -> list[str]:
        """The clusters that recorded turns, by name."""
        return [str(r[0]) for r in await self._read_all(sql.TURN_CLUSTERS)]

    async def kpi_inputs(self, *, cluster: str | None = None, asker: str | None = None) -> dict[str, Any]:
        """The recorded data the spec's KPIs are computed from.

        ``cluster`` and ``asker`` keep only the turns of that cluster and of that asker; the
        scans counted are then the cluster's.
        """
        where = {"cluster": cluster is not None, "asker": asker is not None}
        binds = tuple(v for v in (cluster, asker) if v is not None)
        turns = (await self._read_all(sql.turn_totals_sql(**where), binds))[0]
        reads = await self._read_all(sql.read_times_sql(**where), binds)
        if cluster is None:
            scans = await self._read_all(sql.SCAN_COUNTS)
        else:
            scans = await self._read_all(sql.SCAN_COUNTS_OF_CLUSTER, (cluster,))
        last_eval = await self._read_all(sql.LAST_EVAL_RUN)
        return {
            "turns": int(turns[0]),
            "cache_lookups": int(turns[1]),
            "cache_hits": int(turns[2]),
            "avg_prompt_tokens": turns[3],
            "params_suggested": int(turns[4]),
            "params_accepted": int(turns[5]),
            "read_times": [
                {"resource": r, "operation": op, "from_cache": bool(c), "avg_ms": ms, "count": n}
                for r, op, c, ms, n in reads
            ],
            "scans": {str(s): int(c) for s, c in scans},
            "last_eval": (
                {"at": last_eval[0][0], "dataset": last_eval[0][1], "metrics": json.loads(last_eval[0][4])}
                if last_eval
                else None
            ),
        }
