"""Per-run settings passed as the graph's context (``context_schema``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(kw_only=True)
class Context:
    """What a caller may set for one run; None means "as configured" (environment and .env)."""

    approval: Literal["ask", "auto", "deny"] | None = None
    """How writes are approved: ask (pause with an interrupt), auto (run), deny (never run)."""
    fresh: bool = False
    """Refresh what the request reads before answering (the spec's 强制刷新)."""
    dry_run: bool = False
    """Plan writes but never execute them (what the eval harness uses)."""
    thread_label: str | None = None
    """A label recorded with the turn's statistics."""
    cluster: str | None = None
    """The configured cluster (KCACHE_CONTEXTS) the run reads and writes; None: the first one."""
    as_user: str | None = None
    """The Kubernetes user the run reads and acts as (impersonated); None: the scanner's identity.

    Ignored on the ``langgraph dev`` server when its custom auth names the user."""
    as_groups: list[str] | None = None
    """The Kubernetes groups of ``as_user``."""


DEFAULT_CONTEXT = Context()
