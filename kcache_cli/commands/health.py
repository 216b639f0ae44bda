"""``kcache health``: is the MCP server reachable, did the last scans succeed, is the database sound."""

from __future__ import annotations

import json
from typing import Any

from kcache import runtime
from kcache.errors import ConfigError, KcacheError
from kcache.kinds import TIERS
from kcache.kubeconfig import read_identity
from kcache.settings import Settings
from kcache.store import ScanScope, Store
from kcache.watch import stale_scopes
from kcache_cli.commands.common import age_text, echo


def tier_health(scopes: list[ScanScope], tier: str, now: float) -> dict[str, Any]:
    """The state of one tier from its scopes' ``cache_metadata`` rows.

    A tier is healthy when it was scanned and none of its scopes is ``failed``.
    """
    rows = [s for s in scopes if s.tier == tier]
    last = max((s.last_scan_at for s in rows if s.last_scan_at), default=None)
    failed = {s.table_name: s.error_message or "no message" for s in rows if s.scan_status == "failed"}
    running = [s.table_name for s in rows if s.scan_status == "running"]
    if not rows or last is None:
        status = "never scanned"
    elif failed:
        status = "failed"
    elif running:
        status = "running"
    else:
        status = "completed"
    return {
        "status": status,
        "ok": status in ("completed", "running"),
        "last_scan_at": last,
        "age_s": round(now - last, 1) if last else None,
        "scopes": len(rows),
        "rows": sum(s.record_count for s in rows),
        "failed": failed,
    }


async def check(settings: Settings) -> dict[str, Any]:
    """Every check, as a dict with ``healthy`` and one entry per check."""
    report: dict[str, Any] = {"db_path": str(settings.cache_db_path)}
    cluster: str | None = None
    clusters: list[str] = []
    try:
        async with runtime.open(settings) as kc:
            registry = await kc.tools()
            cluster = kc.cluster
            clusters = list(kc.clusters)
            report["mcp"] = {"ok": True, "server": registry.server, "tools": len(registry.caps)}
    except KcacheError as exc:
        report["mcp"] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    if cluster is None:
        try:
            cluster = settings.cluster_name or read_identity(settings.resolve_kubeconfig()).context
        except ConfigError as exc:
            report["kubeconfig"] = {"ok": False, "error": str(exc)}
    report["cluster"] = cluster
    async with Store(
        settings.cache_db_path, timeout=settings.cache_db_timeout, key=settings.cache_db_key
    ) as store:
        integrity = await store.integrity_check()
        report["database"] = {
            "ok": integrity == "ok",
            "integrity_check": integrity,
            "encrypted": store.encrypted,
        }
        report["tiers"] = await _tiers(store, cluster, settings)
        if len(clusters) > 1:
            report["clusters"] = {name: {"tiers": await _tiers(store, name, settings)} for name in clusters}
    tiers = [t for c in report.get("clusters", {"": report}).values() for t in c["tiers"].values()]
    report["healthy"] = (
        report["mcp"]["ok"]
        and report["database"]["ok"]
        and all(t["ok"] for t in tiers)
        and report.get("kubeconfig", {}).get("ok", True)
    )
    return report


async def _tiers(store: Store, cluster: str | None, settings: Settings) -> dict[str, Any]:
    """Each tier's health in one cluster's partition."""
    scopes = await store.scopes(cluster) if cluster else []
    now = store.now()
    tiers = {tier: tier_health(scopes, tier, now) for tier in TIERS}
    if settings.scanner_mode == "watch":
        # Watched scopes are never rescanned: one past its expiry has no live watch.
        stale = stale_scopes(scopes, now)
        if stale:
            tiers["dynamic"].update(ok=False, status="stale")
            tiers["dynamic"]["failed"].update(stale)
    return tiers


def _mark(ok: bool) -> str:
    return "ok  " if ok else "FAIL"


async def run(json_out: bool, settings: Settings) -> int:
    """Print the checks; exit 0 when healthy, 1 otherwise."""
    report = await check(settings)
    if json_out:
        echo(json.dumps(report, indent=2, default=str))
        return 0 if report["healthy"] else 1
    mcp = report["mcp"]
    if mcp["ok"]:
        echo(f"{_mark(True)} MCP server {mcp['server']}: reachable, {mcp['tools']} tools")
    else:
        echo(f"{_mark(False)} MCP server: {mcp['error']}")
    if "kubeconfig" in report:
        echo(f"{_mark(False)} kubeconfig: {report['kubeconfig']['error']}")
    several = report.get("clusters") or {"": {"tiers": report["tiers"]}}
    for cluster, part in several.items():
        for tier, t in part["tiers"].items():
            line = f"{_mark(t['ok'])} {f'cluster {cluster}, ' if cluster else ''}{tier} tier: {t['status']}"
            if t["last_scan_at"]:
                line += f", last scan {age_text(t['age_s'])} ago, {t['rows']} rows in {t['scopes']} scopes"
            echo(line)
            for scope, message in t["failed"].items():
                echo(f"       {scope}: {message}")
    db = report["database"]
    encrypted = ", encrypted: yes" if db.get("encrypted") else ""
    echo(
        f"{_mark(db['ok'])} database {report['db_path']}: integrity_check {db['integrity_check']}{encrypted}"
    )
    echo("healthy" if report["healthy"] else "unhealthy")
    return 0 if report["healthy"] else 1
