"""``kcache audit``: the audit log, newest first: who asked what of which cluster, and the outcome."""

from __future__ import annotations

import json
from typing import Any

from kcache.settings import Settings
from kcache.store import Store
from kcache_cli.commands.common import echo, table


def _what(row: dict[str, Any]) -> str:
    kind, namespace, name = row.get("kind"), row.get("namespace"), row.get("name")
    if not kind:
        return ""
    return f"{kind} {namespace + '/' if namespace else ''}{name or ''}".rstrip()


async def run(
    json_out: bool, settings: Settings, *, as_user: str | None, cluster: str | None, limit: int
) -> int:
    """Print the latest ``limit`` audit rows (only ``as_user``'s, only ``cluster``'s when given)."""
    async with Store(
        settings.cache_db_path, timeout=settings.cache_db_timeout, key=settings.cache_db_key
    ) as store:
        rows = await store.audit_log(limit, asker=as_user, cluster=cluster)
    if json_out:
        echo(json.dumps({"db_path": str(settings.cache_db_path), "rows": rows}, indent=2, default=str))
        return 0
    if not rows:
        echo(f"no audit rows in {settings.cache_db_path}")
        return 0
    lines = [
        (
            r["at"],
            r["cluster_name"],
            r["asker"] or "",
            ",".join(r["asker_groups"]),
            r["verb"] or "",
            _what(r),
            r["tool"],
            r["status"],
            r["approved_by"] or "",
            str(r["error_message"] or "")[:80],
        )
        for r in rows
    ]
    headers = ("at", "cluster", "asker", "groups", "verb", "object", "tool", "outcome", "approved by", "why")
    echo(table(headers, lines))
    return 0
