"""Who and where: the kubeconfig's current context, server URL and user name (never credentials)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kcache.errors import ConfigError


@dataclass(frozen=True, kw_only=True)
class Identity:
    """The cluster and user a kubeconfig points at."""

    path: Path
    context: str
    cluster: str
    server: str
    user: str
    namespace: str


def read_identity(path: Path) -> Identity:
    """Read the current context of a kubeconfig; ConfigError naming the file when it is unusable."""
    try:
        doc: Any = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read kubeconfig {path}: {exc}") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"kubeconfig {path} is not a YAML mapping")
    current = doc.get("current-context")
    if not current:
        raise ConfigError(f"kubeconfig {path} has no current-context")
    context = _named(doc, "contexts", current, path).get("context") or {}
    cluster_name = context.get("cluster", "")
    cluster = _named(doc, "clusters", cluster_name, path).get("cluster") or {}
    server = cluster.get("server")
    if not server:
        raise ConfigError(f"kubeconfig {path}: cluster {cluster_name!r} has no server URL")
    return Identity(
        path=path,
        context=str(current),
        cluster=str(cluster_name),
        server=str(server),
        user=str(context.get("user", "")),
        namespace=str(context.get("namespace") or "default"),
    )


def _named(doc: dict[str, Any], section: str, name: str, path: Path) -> dict[str, Any]:
    for entry in doc.get(section) or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            return entry
    raise ConfigError(f"kubeconfig {path}: no entry named {name!r} in {section}")
