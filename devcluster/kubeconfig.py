"""Writing kubeconfigs that point kubectl and client libraries at one or more devclusters.

A kubeconfig names clusters (server and CA), users (a bearer token each) and contexts (a
cluster, a user and a namespace). :class:`Context` is one context with what its cluster and
user entries need; :func:`write_contexts` writes any number of them, from one DevCluster
(one context per user) or from several (one context per cluster), into one file.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TOKEN = "devcluster-token"
NAME = "devcluster"


@dataclass(frozen=True)
class Context:
    """One kubeconfig context with its cluster and user entries."""

    name: str
    server: str
    token: str
    namespace: str = "default"
    #: Name of the cluster entry (contexts on one server may share it).
    cluster: str = NAME
    #: Name of the user entry.
    user: str = f"{NAME}-user"
    #: For an https server: the CA certificate, written as ``certificate-authority-data``.
    ca_pem: bytes | None = None
    #: User and groups the context acts as by impersonation (kubeconfig ``as``/``as-groups``).
    impersonate: str | None = None
    impersonate_groups: tuple[str, ...] = ()


def _add(entries: dict[str, Any], name: str, value: Any, what: str) -> None:
    if name in entries and entries[name] != value:
        raise ValueError(f"two different kubeconfig {what} entries named {name!r}")
    entries[name] = value


def render_contexts(contexts: Sequence[Context], current: str | None = None) -> str:
    """A kubeconfig holding ``contexts``; ``current`` (default: the first) is current.

    Raises:
        ValueError: no contexts, a duplicate context name, one cluster or user entry name for
            two different servers or tokens, or ``current`` naming no context.
    """
    if not contexts:
        raise ValueError("a kubeconfig needs at least one context")
    clusters: dict[str, Any] = {}
    users: dict[str, Any] = {}
    named: dict[str, Any] = {}
    for ctx in contexts:
        cluster: dict[str, Any] = {"server": ctx.server}
        if ctx.ca_pem is not None:
            cluster["certificate-authority-data"] = base64.b64encode(ctx.ca_pem).decode()
        _add(clusters, ctx.cluster, cluster, "cluster")
        user: dict[str, Any] = {"token": ctx.token}
        if ctx.impersonate is not None:
            user["as"] = ctx.impersonate
            if ctx.impersonate_groups:
                user["as-groups"] = list(ctx.impersonate_groups)
        _add(users, ctx.user, user, "user")
        if ctx.name in named:
            raise ValueError(f"two kubeconfig contexts named {ctx.name!r}")
        named[ctx.name] = {"cluster": ctx.cluster, "user": ctx.user, "namespace": ctx.namespace}
    current = current if current is not None else contexts[0].name
    if current not in named:
        raise ValueError(f"current context {current!r} is not one of {', '.join(named)}")
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": n, "cluster": c} for n, c in clusters.items()],
        "users": [{"name": n, "user": u} for n, u in users.items()],
        "contexts": [{"name": n, "context": c} for n, c in named.items()],
        "current-context": current,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False)


def write_contexts(path: Path, contexts: Sequence[Context], current: str | None = None) -> Path:
    """Write :func:`render_contexts` to ``path`` (parents created, mode 0600) and return it."""
    text = render_contexts(contexts, current)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)
    return path


def render(
    url: str, namespace: str = "default", token: str = TOKEN, name: str = NAME, ca_pem: bytes | None = None
) -> str:
    """A kubeconfig with one cluster, user and context, the context being current."""
    return render_contexts([Context(name, url, token, namespace, name, f"{name}-user", ca_pem)])


def write(
    path: Path, url: str, namespace: str = "default", token: str = TOKEN, ca_pem: bytes | None = None
) -> Path:
    """Write the one-context kubeconfig to ``path`` (parents created, mode 0600) and return it."""
    return write_contexts(path, [Context(NAME, url, token, namespace, ca_pem=ca_pem)])
