"""``make studio``: the demo cluster and ``langgraph dev`` in one command, for LangGraph Studio.

Starts devcluster on the demo cluster in a temporary folder (kubeconfig and cache there),
then ``langgraph dev`` from the project folder pointed at it, with the offline planner
unless a Gemini key is configured. Prints the Studio URL and the local API URL once the
server answers, and stops both on Ctrl-C::

    python -m kcache_cli.studio [--port 2024]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from kcache.settings import PROJECT_ROOT

API_LINE = re.compile(r"API:\s*(?:\x1b\[[0-9;]*m)?(http://[\w.\-]+:\d+)")
"""The line where ``langgraph dev`` prints its real address (it moves when its port is taken)."""
STUDIO = "https://smith.langchain.com/studio/?baseUrl={url}"


def api_url(line: str) -> str | None:
    """The server address announced on ``line``, if it is the announcing line."""
    match = API_LINE.search(line)
    return match.group(1) if match else None


def server_env(kubeconfig: Path, cache_db: Path, base: dict[str, str]) -> dict[str, str]:
    """The environment of ``langgraph dev``: no analytics, no version check, offline without a key."""
    env = {
        **base,
        "KUBECONFIG": str(kubeconfig),
        "CACHE_DB_PATH": str(cache_db),
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGGRAPH_NO_VERSION_CHECK": "true",
    }
    if not (base.get("GOOGLE_API_KEY") or base.get("GEMINI_API_KEY")):
        env["LLM_PROVIDER"] = "offline"
    if not base.get("LANGSMITH_API_KEY"):
        env["LANGSMITH_TRACING"] = "false"
    return env


def main(argv: Sequence[str] | None = None) -> int:
    """Run devcluster and ``langgraph dev`` until Ctrl-C; the exit status of the server."""
    from devcluster import DevCluster

    parser = argparse.ArgumentParser(description="devcluster + langgraph dev for LangGraph Studio")
    parser.add_argument("--port", type=int, default=2024, help="port for langgraph dev (it moves if taken)")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="kcache-studio-") as tmp,
        DevCluster(PROJECT_ROOT / "devcluster" / "clusters" / "demo") as dc,
    ):
        folder = Path(tmp)
        kubeconfig = dc.write_kubeconfig(folder / "kubeconfig.yaml")
        env = server_env(kubeconfig, folder / "cache.db", dict(os.environ))
        print(f"devcluster (demo cluster) at {dc.url}; provider {env.get('LLM_PROVIDER', 'configured')}")  # noqa: T201
        cmd = [sys.executable, "-m", "langgraph_cli", "dev", "--no-browser", "--no-reload"]
        cmd += ["--host", "127.0.0.1", "--port", str(args.port)]
        proc = subprocess.Popen(
            cmd, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                sys.stdout.write(line)
                if url := api_url(line):
                    print(f"\nStudio:  {STUDIO.format(url=url)}\nAPI:     {url}\nCtrl-C stops both.\n")  # noqa: T201
            return proc.wait()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGINT)
            return proc.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
