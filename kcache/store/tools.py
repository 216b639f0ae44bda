"""The tool registry (``mcp_tools``) and its usage counters (``tool_usage_stats``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kcache.store import sql
from kcache.store.pool import Pool
from kcache.store.rows import to_ts


class Tools(Pool):
    """Stored tools and how they were used."""

    async def replace_tools(self, server: str, rows: Sequence[dict[str, Any]]) -> None:
        """Replace the registry with one server's tools (rows keyed by sql.TOOL_COLUMNS)."""
        now_ts = to_ts(self.now())
        values = []
        for row in rows:
            full = {**row, "server": server, "updated_at": now_ts}
            values.append(tuple(full.get(col) for col in sql.TOOL_COLUMNS))
        async with self.transaction() as conn:
            await conn.execute(sql.DELETE_TOOLS)
            await conn.executemany(sql.INSERT_TOOL, values)

    async def load_tools(self) -> list[dict[str, Any]]:
        """The stored registry rows (``server`` and ``updated_at`` included)."""
        rows = await self._read_all(sql.SELECT_TOOLS)
        return [dict(zip(sql.TOOL_COLUMNS, r, strict=True)) for r in rows]

    async def record_tool_usage(self, tool: str, *, ok: bool, duration_ms: float) -> None:
        """Count one call in tool_usage_stats (running average of the response time)."""
        now_ts = to_ts(self.now())
        async with self.transaction() as conn:
            await conn.execute(
                sql.UPSERT_TOOL_USAGE, (tool, int(ok), int(not ok), duration_ms, now_ts, now_ts)
            )

    async def tool_usage(self) -> list[dict[str, Any]]:
        """tool_usage_stats rows."""
        keys = (
            "tool_name",
            "usage_count",
            "success_count",
            "error_count",
            "avg_response_time",
            "last_used_at",
        )
        return [dict(zip(keys, r, strict=True)) for r in await self._read_all(sql.SELECT_TOOL_USAGE)]
