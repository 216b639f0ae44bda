"""The MCP tool registry: what each tool of the server does, and which ones fit a request."""

from kcache.registry.capability import (
    CANONICAL_PARAMS,
    OPERATIONS,
    ToolCapability,
    classify,
    classify_all,
)
from kcache.registry.select import Selection, build_args, select_tools

__all__ = [
    "CANONICAL_PARAMS",
    "OPERATIONS",
    "Selection",
    "ToolCapability",
    "build_args",
    "classify",
    "classify_all",
    "select_tools",
]
