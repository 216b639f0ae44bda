"""``kcache stats``: the spec's KPIs from what the cache database recorded, per cluster and asker."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from kcache import kpi
from kcache.access import AccessCache, Grant, Reviewer, credentials_from_kubeconfig, named_asker, store_grant
from kcache.kinds import BY_NAME, TABLE
from kcache.kubeconfig import Identity, read_identities
from kcache.settings import Settings
from kcache.state import Asker
from kcache.store import Store
from kcache_cli.commands.common import echo

TIER_SCOPE_PREFIX = "tier:"
"""scan_history rows of whole tier scans are named ``tier:static`` / ``tier:dynamic``."""


async def tier_scan_counts(store: Store, clusters: list[str] | None = None) -> dict[str, int]:
    """Whole-tier scans by outcome, over ``clusters`` (default: every cluster in the database)."""
    counts: dict[str, int] = {}
    for cluster in clusters if clusters is not None else await store.clusters():
        for row in await store.scan_history(cluster, limit=1_000_000):
            if str(row["table_name"]).startswith(TIER_SCOPE_PREFIX):
                counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts


def configured_clusters(settings: Settings) -> dict[str, Identity]:
    """The configured clusters by partition name, as ``kcache.runtime.open`` names them."""
    identities = read_identities(settings.resolve_kubeconfig(), settings.kcache_contexts)
    if len(identities) == 1:
        return {settings.cluster_name or identities[0].context: identities[0]}
    return {i.context: i for i in identities}


async def asker_grants(
    store: Store, settings: Settings, asker: Asker, clusters: list[str]
) -> dict[str, Grant | str]:
    """Per cluster, what ``asker`` may read (the agent's grant), or why it could not be known."""
    configured = await asyncio.to_thread(configured_clusters, settings)
    cache = AccessCache(ttl=settings.kcache_access_ttl)
    out: dict[str, Grant | str] = {}
    for cluster in clusters:
        identity = configured.get(cluster)
        if identity is None:
            out[cluster] = "not a configured cluster: its access cannot be reviewed"
            continue
        reviewer = Reviewer(
            await credentials_from_kubeconfig(identity.path, identity.context),
            timeout=settings.read_through_timeout,
        )
        try:
            out[cluster] = await store_grant(store, cache, cluster, asker, reviewer)
        finally:
            await reviewer.aclose()
    return out


async def cached_objects(store: Store, cluster: str, grant: Grant | None) -> dict[str, int]:
    """Cached rows per kind in ``cluster``; with a grant, only the rows it lets the asker read."""
    kinds = [k.name for k in TABLE if k.tier is not None]
    counts = await store.counts_by_namespace(cluster, kinds)
    out = {}
    for kind, by_ns in counts.items():
        n = sum(c for ns, c in by_ns.items() if grant is None or grant.may_read(kind, ns))
        if n:
            out[kind] = n
    return out


async def cluster_section(
    store: Store, cluster: str, asker: str | None, grant: Grant | None
) -> dict[str, Any]:
    """One cluster's turns, KPIs and cached objects (of one asker's turns and grant, when given)."""
    inputs = await store.kpi_inputs(cluster=cluster, asker=asker)
    inputs["tier_scans"] = await tier_scan_counts(store, [cluster])
    return {
        "turns": inputs["turns"],
        "kpis": kpi.compute(inputs),
        "cached_objects": await cached_objects(store, cluster, grant),
    }


async def run(
    json_out: bool, settings: Settings, *, as_user: str | None = None, as_groups: list[str] | None = None
) -> int:
    """Print every KPI with its value, the figures behind it and its definition; then per cluster.

    With ``as_user``, only that asker's turns count, and the cached objects are those the
    user (with ``as_groups``) may read, reviewed as the agent reviews them.
    """
    asker = named_asker(as_user, as_groups or ()) if as_user else None
    name = asker["name"] if asker else None
    async with Store(
        settings.cache_db_path, timeout=settings.cache_db_timeout, key=settings.cache_db_key
    ) as store:
        inputs = await store.kpi_inputs(asker=name)
        if "tier_scans" not in inputs:
            inputs["tier_scans"] = await tier_scan_counts(store)
        clusters = sorted(set(await store.turn_clusters()) | set(await store.clusters()))
        grants: dict[str, Grant | str] = (
            await asker_grants(store, settings, asker, clusters) if asker is not None else {}
        )
        sections = {}
        for cluster in clusters:
            grant = grants.get(cluster)
            section = await cluster_section(store, cluster, name, grant if isinstance(grant, Grant) else None)
            if isinstance(grant, str):
                section["cached_objects"], section["access"] = {}, grant
            sections[cluster] = section
    kpis = kpi.compute(inputs)
    if json_out:
        report = {
            "db_path": str(settings.cache_db_path),
            "asker": name,
            "turns": inputs.get("turns", 0),
            "kpis": kpi.as_json(kpis),
            "clusters": {c: {**s, "kpis": kpi.as_json(s["kpis"])} for c, s in sections.items()},
        }
        echo(json.dumps(report, indent=2))
        return 0
    who = f", asked by {name}" if name else ""
    echo(f"KPIs from {settings.cache_db_path} ({inputs.get('turns', 0)} agent turns recorded{who})")
    _print_kpis(kpis)
    for cluster, section in sections.items():
        echo()
        echo(f"cluster {cluster}: {section['turns']} agent turns{who}")
        _print_kpis(section["kpis"], indent="  ", definitions=False)
        if "access" in section:
            echo(f"  cached objects: unknown ({section['access']})")
            continue
        cached = section["cached_objects"]
        readable = f" {name} may read" if name else ""
        listed = ", ".join(f"{n} {BY_NAME[k].plural}" for k, n in cached.items()) or "none"
        echo(f"  cached objects{readable}: {listed}")
    return 0


def _print_kpis(kpis: list[kpi.Kpi], *, indent: str = "", definitions: bool = True) -> None:
    width = 27 - len(indent)
    for k in kpis:
        basis = ", ".join(f"{key}={value}" for key, value in k.basis.items() if key != "per_kind")
        echo(f"{indent}{k.name:<{width}} {k.display():>8}" + (f"   ({basis})" if basis else ""))
        if definitions:
            echo(f"{'':<27} {'':>8}   {k.definition}")
        for kind, figures in (k.basis.get("per_kind") or {}).items():
            echo(
                f"{indent}{'':<{width}} {'':>8}   {kind}: cache {figures['cache_ms']} ms vs MCP "
                f"{figures['mcp_ms']} ms ({figures['improvement'] * 100:.1f}%)"
            )
