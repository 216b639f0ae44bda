"""devcluster: a Kubernetes REST API emulator serving a cluster described by a folder of manifests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["DevCluster", "write_kubeconfig"]

if TYPE_CHECKING:
    from devcluster.cluster import DevCluster, write_kubeconfig


def __getattr__(name: str) -> Any:
    # Lazy so that ``python -m devcluster --help`` does not import the server stack.
    if name == "DevCluster":
        from devcluster.cluster import DevCluster

        return DevCluster
    if name == "write_kubeconfig":
        from devcluster.cluster import write_kubeconfig

        return write_kubeconfig
    raise AttributeError(name)
