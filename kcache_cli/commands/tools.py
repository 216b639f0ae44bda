"""``kcache tools``: connect to the MCP server and print the capability map of its tools."""

from __future__ import annotations

import json
from typing import Any

from kcache import runtime
from kcache.registry.capability import ToolCapability
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


async def run(json_out: bool, settings: Settings) -> int:
    """Open the holder, load the registry and print it."""
    async with runtime.open(settings) as kc:
        registry = await kc.tools()
        caps = sorted(registry.caps.values(), key=lambda c: c.name)
        if json_out:
            echo(json.dumps({"server": registry.server, "tools": [describe(c) for c in caps]}, indent=2))
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
    return 0
