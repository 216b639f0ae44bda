"""Eval runs: the metrics of each run, the latest feeding the context-accuracy KPI."""

from __future__ import annotations

from typing import Any

from kcache.store import sql
from kcache.store.pool import Pool
from kcache.store.rows import dumps, to_ts


class Evals(Pool):
    """Record eval runs."""

    async def record_eval_run(
        self, dataset: str, cluster: str, provider: str, metrics: dict[str, Any]
    ) -> None:
        """Keep an eval run's metrics (the context-accuracy KPI reads the latest)."""
        async with self.transaction() as conn:
            await conn.execute(
                sql.INSERT_EVAL_RUN, (to_ts(self.now()), dataset, cluster, provider, dumps(metrics))
            )
