"""Writing a kubeconfig that points kubectl and client libraries at a devcluster."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import yaml

TOKEN = "devcluster-token"
NAME = "devcluster"


def render(
    url: str, namespace: str = "default", token: str = TOKEN, name: str = NAME, ca_pem: bytes | None = None
) -> str:
    """A kubeconfig with one cluster, user and context, the context being current.

    ``ca_pem``, for an https server, becomes the cluster's ``certificate-authority-data``.
    """
    cluster: dict[str, Any] = {"server": url}
    if ca_pem is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": cluster}],
        "users": [{"name": f"{name}-user", "user": {"token": token}}],
        "contexts": [
            {"name": name, "context": {"cluster": name, "user": f"{name}-user", "namespace": namespace}}
        ],
        "current-context": name,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False)


def write(
    path: Path, url: str, namespace: str = "default", token: str = TOKEN, ca_pem: bytes | None = None
) -> Path:
    """Write the kubeconfig to ``path`` (parents created, mode 0600) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(url, namespace, token, ca_pem=ca_pem))
    path.chmod(0o600)
    return path
