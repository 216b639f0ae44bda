"""The ``kcache`` CLI run as a user runs it: a subprocess with kcache's variables and no others."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kcache.settings import PROJECT_ROOT

CANARY = b"CANARY-SECRET"
# base64 of "CANARY-SECRET..." starts with these characters whatever follows.
CANARY_B64 = b"Q0FOQVJZLVNFQ1JFV"


def kcache_env(tmp_path: Path, kubeconfig: Path, **extra: str) -> dict[str, str]:
    """This process's environment without kcache's variables, then a cache in ``tmp_path`` and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CACHE_", "MCP_", "LLM_", "SCANNER_"))}
    env.update(
        {
            "CACHE_DB_PATH": str(tmp_path / "cache.db"),
            "KUBECONFIG": str(kubeconfig),
            "LLM_PROVIDER": "offline",
            "LOG_LEVEL": "WARNING",
            # The project's packages as they are here, whichever of them the venv's install maps.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
            **extra,
        }
    )
    return env


def kcache(
    tmp_path: Path,
    kubeconfig: Path,
    *args: str,
    timeout: float = 120,
    module: str = "kcache_cli.main",
    **extra: str,
) -> subprocess.CompletedProcess[str]:
    """``kcache ARGS`` in ``tmp_path`` with :func:`kcache_env`; no terminal, so nothing can be approved.

    ``module`` is what ``python -m`` runs: the console script's module, or ``kcache_cli`` itself.
    """
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env=kcache_env(tmp_path, kubeconfig, **extra),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
