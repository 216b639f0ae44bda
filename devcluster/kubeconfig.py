"""Writing a kubeconfig that points kubectl and client libraries at a devcluster."""

from __future__ import annotations

from pathlib import Path

import yaml

TOKEN = "devcluster-token"
NAME = "devcluster"


def render(url: str, namespace: str = "default", token: str = TOKEN, name: str = NAME) -> str:
    """A kubeconfig with one cluster, user and context, the context being current."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": url}}],
        "users": [{"name": f"{name}-user", "user": {"token": token}}],
        "contexts": [
            {"name": name, "context": {"cluster": name, "user": f"{name}-user", "namespace": namespace}}
        ],
        "current-context": name,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False)


def write(path: Path, url: str, namespace: str = "default") -> Path:
    """Write the kubeconfig to ``path`` (parents created, mode 0600) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(url, namespace))
    path.chmod(0o600)
    return path
