"""Who and where: the kubeconfig's current (or each configured) context, server URL and user name (never credentials)."""

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
    doc = _load(path)
    current = doc.get("current-context")
    if not current:
        raise ConfigError(f"kubeconfig {path} has no current-context")
    return _identity(doc, str(current), path)


def read_identities(path: Path, contexts: tuple[str, ...]) -> list[Identity]:
    """One Identity per listed context (``("all",)``: every context; empty: the current one).

    A ConfigError names every listed context the kubeconfig does not hold.
    """
    if not contexts:
        return [read_identity(path)]
    doc = _load(path)
    known = [str(e.get("name")) for e in doc.get("contexts") or [] if isinstance(e, dict) and e.get("name")]
    names = known if contexts == ("all",) else list(contexts)
    missing = [n for n in names if n not in known]
    if missing:
        raise ConfigError(
            f"KCACHE_CONTEXTS: kubeconfig {path} has no context {', '.join(map(repr, missing))} "
            f"(it has {', '.join(known) or 'none'})"
        )
    if not names:
        raise ConfigError(f"KCACHE_CONTEXTS=all: kubeconfig {path} has no contexts")
    return [_identity(doc, n, path) for n in names]


def _load(path: Path) -> dict[str, Any]:
    try:
        doc: Any = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read kubeconfig {path}: {exc}") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"kubeconfig {path} is not a YAML mapping")
    return doc


def _identity(doc: dict[str, Any], current: str, path: Path) -> Identity:
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
