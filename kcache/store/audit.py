"""The audit log: one row per tool call or refused action, arguments already masked."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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
        asker: Mapping[str, Any] | None = None,
        verb: str | None = None,
        kind: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
    ) -> None:
        """Write one tool call (or a refusal) to the audit log; arguments must be secret-free.

        ``asker`` is who asked (its ``name``, Kubernetes ``user`` and ``groups``); ``identity``
        the kubeconfig identity the call went out as. ``status`` is the outcome: ok, error,
        refused (the asker may not), declined, denied (APPROVAL_POLICY=deny), planned or rejected.
        """
        groups: Sequence[str] = (asker or {}).get("groups") or ()
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
                    (asker or {}).get("name"),
                    (asker or {}).get("user") or None,
                    json.dumps(sorted(groups)) if asker is not None else None,
                    verb,
                    kind,
                    namespace,
                    name,
                ),
            )

    async def audit_log(
        self, limit: int = 100, *, asker: str | None = None, cluster: str | None = None
    ) -> list[dict[str, Any]]:
        """The latest audit rows, newest first; only ``asker``'s or ``cluster``'s when given."""
        query = sql.select_audit_sql(asker=asker is not None, cluster=cluster is not None)
        binds = [v for v in (asker, cluster) if v is not None]
        rows = [
            dict(zip(sql.AUDIT_COLUMNS, r, strict=True)) for r in await self._read_all(query, (*binds, limit))
        ]
        for row in rows:
            row["asker_groups"] = json.loads(row["asker_groups"]) if row["asker_groups"] else []
        return rows
