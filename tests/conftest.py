"""Shared pytest fixtures."""

from __future__ import annotations

# --- devcluster ------------------------------------------------------------------------------
from collections.abc import Iterator
from pathlib import Path

import pytest

from devcluster import DevCluster

DEVCLUSTER_DEMO = Path(__file__).resolve().parent.parent / "devcluster" / "clusters" / "demo"


def _started_devcluster(tmp: Path) -> Iterator[DevCluster]:
    with DevCluster(DEVCLUSTER_DEMO) as dc:
        dc.write_kubeconfig(tmp / "kubeconfig.yaml")
        yield dc


@pytest.fixture(scope="module")
def devcluster_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevCluster]:
    """A demo-cluster devcluster shared by a module's read-only tests (``dc.kubeconfig`` set)."""
    yield from _started_devcluster(tmp_path_factory.mktemp("devcluster"))


@pytest.fixture
def devcluster(tmp_path: Path) -> Iterator[DevCluster]:
    """A fresh demo-cluster devcluster for a test that changes the cluster."""
    yield from _started_devcluster(tmp_path)


# --- end devcluster --------------------------------------------------------------------------


# --- kcache holder ---------------------------------------------------------------------------
pytest_plugins = ["tests.support.fixtures"]


def kcache_env(dc: DevCluster, tmp: Path, **extra: str) -> dict[str, str]:
    """Settings for a kcache opened against a devcluster, with its cache file in ``tmp``."""
    return {
        "CACHE_DB_PATH": str(tmp / "cache.db"),
        "KUBECONFIG": str(dc.kubeconfig),
        "LLM_PROVIDER": "offline",
        "SCANNER_TIMEOUT": "30",
        **extra,
    }
