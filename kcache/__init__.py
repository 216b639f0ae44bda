"""kcache: a LangGraph agent for Kubernetes with a SQLite cache of cluster state in the loop."""

from __future__ import annotations

__version__ = "0.1.0"
