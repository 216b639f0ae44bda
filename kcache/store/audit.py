"""The audit log: one row per tool call, arguments already masked."""

from __future__ import annotations

from typing import Any

from kcache.store import sql
from kcache.store.pool import Pool
from kcache.store.rows import dumps, to_ts


class Audit(Pool):
    """Append and read the audit log."""

    async def audit(
        self,
        *,
        tool: str,
        arguments: dict[str, Any],
        status: str,
        cluster: str | None,
        identity: str | None,
        writes: bool,
        approved_by: str | None = None,
        approved_at: float | None = None,
        error: str | None = None,
        duration_ms: float | None = None,
        origin: str | None = None,
    ) -> None:
        """Write one tool call to the audit log (arguments must already be secret-free)."""
        async with self.transaction() as conn:
            await conn.execute(
                sql.INSERT_AUDIT,
                (
                    to_ts(self.now()),
                    cluster,
                    identity,
                    tool,
                    dumps(arguments),
                    int(writes),
                    approved_by,
                    to_ts(approved_at) if approved_at else None,
                    status,
                    error,
                    duration_ms,
                    origin,
                ),
            )

    async def audit_log(self, limit: int = 100) -> list[dict[str, Any]]:
        """The latest audit rows, newest first."""
        keys = (
            "at",
            "cluster_name",
            "identity",
            "tool",
            "arguments",
            "writes",
            "approved_by",
            "approved_at",
            "status",
            "error_message",
            "duration_ms",
            "origin",
        )
        return [dict(zip(keys, r, strict=True)) for r in await self._read_all(sql.SELECT_AUDIT, (limit,))]
