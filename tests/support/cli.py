"""The ``kcache`` CLI run as a user runs it: a subprocess with kcache's variables and no others."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kcache.settings import PROJECT_ROOT
from kcache_cli.main import main

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


def kcache_in_process(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    kubeconfig: Path,
    *args: str,
    **extra: str,
) -> subprocess.CompletedProcess[str]:
    """``kcache ARGS`` through the console script's ``main()`` in this process, as :func:`kcache` runs it.

    The same environment (:func:`kcache_env`), working folder, exit status and output, without
    a new interpreter importing the graphs for every command; for tests whose subject is what
    the commands answer rather than the process around them. The loggers ``main()`` configures
    are put back as they were, so later tests do not write to this test's captured stderr.
    ``main()`` runs its own event loop (with signal handlers): call this from a plain test.
    """
    loggers = [logging.getLogger(name) for name in ("", "kcache", "graph", "nodes")]
    saved = [(lg, list(lg.handlers), lg.level, lg.propagate) for lg in loggers]
    wanted = kcache_env(tmp_path, kubeconfig, **extra)
    with monkeypatch.context() as env:
        for name in set(os.environ) - set(wanted):
            env.delenv(name)
        for name, value in wanted.items():
            env.setenv(name, value)
        env.chdir(tmp_path)
        capsys.readouterr()
        try:
            status = main(list(args))
        finally:
            out, err = capsys.readouterr()
            for lg, handlers, level, propagate in saved:
                lg.handlers[:] = handlers
                lg.setLevel(level)
                lg.propagate = propagate
    return subprocess.CompletedProcess(["kcache", *args], status, out, err)
