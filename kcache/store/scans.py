"""Scan bookkeeping: ``cache_metadata`` (one row per scan scope) and ``scan_history``."""

from __future__ import annotations

from typing import Any

from kcache.errors import StoreError
from kcache.store import sql
from kcache.store.pool import Pool
from kcache.store.rows import ScanScope, to_ts


class Scans(Pool):
    """Scope freshness and the history of scans."""

    async def scopes(self, cluster: str) -> list[ScanScope]:
        """Every cache_metadata row of a cluster (from memory until any connection commits)."""
        return sorted((await self._scope_rows(cluster)).values(), key=lambda s: s.table_name)

    async def scope(self, cluster: str, table_name: str) -> ScanScope | None:
        """One cache_metadata row (from memory until any connection commits)."""
        return (await self._scope_rows(cluster)).get(table_name)

    async def mark_scope(
        self,
        cluster: str,
        table_name: str,
        status: str,
        *,
        tier: str | None = None,
        error: str | None = None,
        next_scan_at: float | None = None,
    ) -> None:
        """Set a scope's scan_status (pending, running, completed or failed) and message."""
        if status not in ("pending", "running", "completed", "failed"):
            raise StoreError(f"unknown scan status {status!r}")
        now_ts = to_ts(self.now())
        async with self.transaction() as conn:
            await conn.execute(
                sql.UPSERT_METADATA_STATUS,
                (
                    table_name,
                    cluster,
                    status,
                    error,
                    tier,
                    to_ts(next_scan_at) if next_scan_at else None,
                    now_ts if status in ("completed", "failed") else None,
                    now_ts,
                ),
            )

    async def scan_started(self, cluster: str, table_name: str, tier: str) -> int:
        """Open a scan_history row; returns its id."""
        async with self.transaction() as conn:
            cur = await conn.execute(sql.INSERT_SCAN, (cluster, table_name, tier, to_ts(self.now())))
            return int(cur.lastrowid or 0)

    async def scan_finished(
        self, scan_id: int, status: str, *, error: str | None = None, record_count: int | None = None
    ) -> None:
        """Close a scan_history row with its outcome."""
        async with self.transaction() as conn:
            await conn.execute(sql.FINISH_SCAN, (to_ts(self.now()), status, error, record_count, scan_id))

    async def scan_history(self, cluster: str, limit: int = 50) -> list[dict[str, Any]]:
        """The latest scans, newest first."""
        rows = await self._read_all(sql.SELECT_SCANS, (cluster, limit))
        keys = ("table_name", "tier", "started_at", "finished_at", "status", "error_message", "record_count")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    async def scan_counts(self) -> dict[str, int]:
        """Scans by outcome, over the whole history."""
        return {str(s): int(c) for s, c in await self._read_all(sql.SCAN_COUNTS)}
