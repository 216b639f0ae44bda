"""The demo's five questions through each of the three MCP servers, with ``kcache ask`` as a user runs it.

Every object the questions name exists in the demo cluster, so no answer may say that it
does not; a logs answer must hold the pod's log lines, not the tool's JSON around them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from devcluster import DevCluster
from kcache.settings import PROJECT_ROOT
from kcache_cli.commands.demo import QUESTIONS
from tests.support.cli import kcache_in_process

pytestmark = pytest.mark.integration

SERVERS: dict[str, dict[str, str]] = {
    "kubernetes-mcp-server": {},
    "mcp-server-kubernetes": {
        "MCP_SERVER_URL": f"stdio://{PROJECT_ROOT / 'node_modules' / '.bin' / 'mcp-server-kubernetes'}",
        "MCP_SERVER_ARGS": "",
        "MCP_SERVER_NAME": "mcp-server-kubernetes",
    },
    "k8s-mcp": {
        "MCP_SERVER_URL": f"stdio://{PROJECT_ROOT / '.venv-k8s-mcp' / 'bin' / 'k8s-mcp-server'}",
        "MCP_SERVER_ARGS": "",
        "MCP_SERVER_NAME": "k8s-mcp",
        "MCP_SERVER_ENV": "FASTMCP_CHECK_FOR_UPDATES=off,MCP_ENABLE_TOOLS=core,pod,deployment,cluster",
    },
}


@pytest.fixture
def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``kcache`` as the console script runs it, on one of the three servers (in this process)."""

    def run(folder: Path, kubeconfig: Path, server: str, *args: str) -> subprocess.CompletedProcess[str]:
        return kcache_in_process(
            monkeypatch, capsys, folder, kubeconfig, *args, SCANNER_TIMEOUT="60", **SERVERS[server]
        )

    return run


@pytest.mark.parametrize(
    "server",
    [
        "kubernetes-mcp-server",
        "mcp-server-kubernetes",
        "k8s-mcp",
    ],
)
def test_the_demo_questions_through_each_server(
    server: str,
    devcluster_demo: DevCluster,
    tmp_path: Path,
    run: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    kube = devcluster_demo.kubeconfig
    assert kube is not None
    refreshed = run(tmp_path, kube, server, "refresh", "--once")
    assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
    answers = {}
    for question in QUESTIONS:
        done = run(tmp_path, kube, server, "ask", question)
        # The scale question needs an approval that no terminal can give: exit 1, nothing run.
        assert done.returncode in (0, 1), done.stderr
        assert "Traceback" not in done.stderr
        answers[question] = done.stdout
    for question, answer in answers.items():
        assert "does not exist" not in answer and "不存在" not in answer, (question, answer)
    logs = answers["show me the logs of frontend in boutique"]
    assert "level=info listening on port 8080" in logs, logs
    assert '"logs"' not in logs and "\\n" not in logs, logs
    why = answers["why is cartservice in boutique-staging failing?"]
    if server != "k8s-mcp":
        # k8s-mcp's pod list carries the phase only (Running), no container states; the cached
        # answer then reads "Running": a gap of the agent's diagnosis, not of the scan.
        assert "CrashLoopBackOff" in why, why
    assert "cartservice-" in why, why
    assert "frontend-" in answers[QUESTIONS[0]] and "boutique-staging" in answers["list the namespaces"]
