"""``kcache stats``: the spec's KPIs from what the cache database recorded."""

from __future__ import annotations

import json

from kcache import kpi
from kcache.settings import Settings
from kcache.store import Store
from kcache_cli.commands.common import echo

TIER_SCOPE_PREFIX = "tier:"
"""scan_history rows of whole tier scans are named ``tier:static`` / ``tier:dynamic``."""


async def tier_scan_counts(store: Store) -> dict[str, int]:
    """Whole-tier scans by outcome, over every cluster in the database."""
    counts: dict[str, int] = {}
    for cluster in await store.clusters():
        for row in await store.scan_history(cluster, limit=1_000_000):
            if str(row["table_name"]).startswith(TIER_SCOPE_PREFIX):
                counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts


async def run(json_out: bool, settings: Settings) -> int:
    """Print every KPI with its value, the figures behind it and its definition."""
    async with Store(
        settings.cache_db_path, timeout=settings.cache_db_timeout, key=settings.cache_db_key
    ) as store:
        inputs = await store.kpi_inputs()
        if "tier_scans" not in inputs:
            inputs["tier_scans"] = await tier_scan_counts(store)
    kpis = kpi.compute(inputs)
    if json_out:
        echo(json.dumps({"db_path": str(settings.cache_db_path), "kpis": kpi.as_json(kpis)}, indent=2))
        return 0
    echo(f"KPIs from {settings.cache_db_path} ({inputs.get('turns', 0)} agent turns recorded)")
    for k in kpis:
        basis = ", ".join(f"{key}={value}" for key, value in k.basis.items() if key != "per_kind")
        echo(f"{k.name:<27} {k.display():>8}" + (f"   ({basis})" if basis else ""))
        echo(f"{'':<27} {'':>8}   {k.definition}")
        for kind, figures in (k.basis.get("per_kind") or {}).items():
            echo(
                f"{'':<27} {'':>8}   {kind}: cache {figures['cache_ms']} ms vs MCP {figures['mcp_ms']} ms "
                f"({figures['improvement'] * 100:.1f}%)"
            )
    return 0
