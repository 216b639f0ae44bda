"""``kcache tools``: connect to the MCP server and print the capability map of its tools."""

from __future__ import annotations

import json
from typing import Any

from kcache import runtime
from kcache.errors import ToolSelectionError
from kcache.kinds import TIER_OF, plural
from kcache.registry.capability import ToolCapability
from kcache.registry.loaded import Registry
from kcache.settings import Settings
from kcache_cli.commands.common import echo, table


def safety(cap: ToolCapability) -> str:
    """``destructive``, ``write`` or ``read-only``: what approval a call needs."""
    if cap.destructive:
        return "destructive"
    if cap.writes or not cap.read_only:
        return "write"
    return "read-only"


def describe(cap: ToolCapability) -> dict[str, Any]:
    """A tool's capabilities as a JSON-able dict."""
    return {
        "name": cap.name,
        "kinds": list(cap.resource_types),
        "operations": list(cap.operation_types),
        "scope": cap.scope,
        "safety": safety(cap),
        "read_only": cap.read_only,
        "writes": cap.writes,
        "destructive": cap.destructive,
        "cache_friendly": cap.cache_friendly,
        "output_format": cap.output_format,
        "required_params": list(cap.required_params),
        "optional_params": list(cap.optional_params),
        "param_map": dict(cap.param_map),
        "fixed_args": dict(cap.fixed_args),
    }


def _params_text(cap: ToolCapability) -> str:
    parts = []
    for param in cap.params:
        mark = "*" if param in cap.required_params else ""
        canonical = cap.param_map.get(param)
        parts.append(f"{param}{mark}" + (f"→{canonical}" if canonical and canonical != param else ""))
    return " ".join(parts)


#: What the agent does beyond listing, and the kind it does it to.
_OPERATIONS = (
    ("pod", "logs"),
    ("pod", "top"),
    ("pod", "delete"),
    ("deployment", "scale"),
    ("deployment", "get"),
)


def gaps(registry: Registry, scope_notes: dict[str, str]) -> list[str]:
    """What this server cannot give kcache.

    Kinds it cannot list, operations it has no tool for, and what its listings lack (as the
    last scans recorded it).
    """

    def has(kind: str, operation: str) -> bool:
        for scoped in (True, False):
            try:
                if registry.select(resource=kind, operation=operation, namespaced=scoped):
                    return True
            except ToolSelectionError:
                pass
        return False

    out = [
        f"no tool lists {plural(kind)}: that scope is skipped, its reads go unanswered"
        for kind in TIER_OF
        if not has(kind, "list")
    ]
    out += [
        f"no {operation} tool for {plural(kind)}"
        for kind, operation in _OPERATIONS
        if not has(kind, operation)
    ]
    out += [f"{scope}: {note}" for scope, note in sorted(scope_notes.items())]
    return out


async def run(json_out: bool, settings: Settings) -> int:
    """Open the holder, load the registry and print it."""
    async with runtime.open(settings) as kc:
        registry = await kc.tools()
        caps = sorted(registry.caps.values(), key=lambda c: c.name)
        notes = {
            s.table_name: s.error_message
            for s in await kc.store.scopes(kc.cluster)
            if s.scan_status == "completed" and s.error_message and "unavailable" in s.error_message
        }
        missing = gaps(registry, notes)
        if json_out:
            payload = {
                "server": registry.server,
                "tools": [describe(c) for c in caps],
                "cannot_give": missing,
            }
            echo(json.dumps(payload, indent=2))
            return 0
        echo(f"{registry.server}: {len(caps)} tools")
        rows = [
            (
                c.name,
                ",".join(c.resource_types),
                ",".join(c.operation_types),
                c.scope,
                safety(c),
                _params_text(c),
            )
            for c in caps
        ]
        echo(
            table(
                ("TOOL", "KINDS", "OPERATIONS", "SCOPE", "SAFETY", "PARAMETERS (*required, →canonical)"), rows
            )
        )
        if missing:
            echo(f"\nWhat {registry.server} cannot give kcache:")
            for line in missing:
                echo(f"  - {line}")
    return 0
