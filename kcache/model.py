"""The record every layer shares: one Kubernetes object as the cache keeps it.

Parsers turn tool output into :class:`Resource` records, the store writes them, the agent
reads them back. ``fields`` holds only the whitelisted, kind-specific details (never a
secret value, an environment value or a last-applied-configuration annotation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kcache.kinds import API_KINDS, KINDS, is_namespaced, plural, scope_name

__all__ = ["API_KINDS", "KINDS", "Resource", "is_namespaced", "plural", "scope_name"]


@dataclass(kw_only=True)
class Resource:
    """One object of the cluster, reduced to what the cache stores."""

    kind: str
    """Canonical kind, a key of :data:`KINDS`."""
    name: str
    namespace: str | None = None
    """None for cluster-scoped kinds."""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    """Already filtered: no last-applied-configuration."""
    owner_kind: str | None = None
    """Canonical kind of the controlling owner (e.g. ``replicaset`` for a pod)."""
    owner_name: str | None = None
    created_at: str | None = None
    """``metadata.creationTimestamp`` as served (ISO 8601), when known."""
    fields: dict[str, Any] = field(default_factory=dict)
    """Whitelisted kind-specific details; see ``kcache.parsing`` for each kind's keys."""

    @property
    def key(self) -> tuple[str, str | None, str]:
        """Identity within one cluster: (kind, namespace, name)."""
        return (self.kind, self.namespace, self.name)
