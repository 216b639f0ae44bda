"""The registry of the connected server: classified once, stored in ``mcp_tools``, reloaded on TTL."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from kcache.errors import ToolSelectionError
from kcache.logs import event
from kcache.registry.capability import ToolCapability, classify_all
from kcache.registry.select import Selection, select_tools

logger = logging.getLogger(__name__)


@dataclass(kw_only=True)
class Registry:
    """The tools of one MCP server with their capabilities, held in memory."""

    server: str
    caps: dict[str, ToolCapability]
    loaded_at: float = field(default_factory=time.time)

    @classmethod
    def from_tools(cls, server: str, raw_tools: list[dict[str, Any]]) -> Registry:
        """Classify a server's ``tools/list`` (raises McpUnavailableError on an empty or bad list)."""
        caps = classify_all(raw_tools)
        event(logger, "registry", "load", f"classified {len(caps)} tools of {server}", count=len(caps))
        return cls(server=server, caps={c.name: c for c in caps})

    def rows(self) -> list[dict[str, Any]]:
        """Rows for the ``mcp_tools`` table."""
        return [c.to_row() for c in self.caps.values()]

    def expired(self, ttl_s: float, now: float | None = None) -> bool:
        """Whether CACHE_TOOL_MAPPING_TTL has passed since the load."""
        return ((now if now is not None else time.time()) - self.loaded_at) >= ttl_s

    def get(self, name: str) -> ToolCapability:
        """One tool's capability; ToolSelectionError naming it when the server has no such tool."""
        try:
            return self.caps[name]
        except KeyError:
            raise ToolSelectionError(f"the MCP server {self.server} has no tool {name!r}") from None

    def select(
        self,
        *,
        resource: str,
        operation: str,
        namespaced: bool | None = None,
        all_namespaces: bool = False,
        has_label_selector: bool = False,
        limit: int = 3,
    ) -> list[Selection]:
        """The few tools that fit, best first (empty when none fits)."""
        return select_tools(
            list(self.caps.values()),
            resource=resource,
            operation=operation,
            namespaced=namespaced,
            all_namespaces=all_namespaces,
            has_label_selector=has_label_selector,
            limit=limit,
        )
