"""devcluster at scale: generated clusters of 1,000, 10,000 and 50,000 pods.

Run: ``python bench/devcluster.py`` (``--sizes 1000,10000`` for a quicker pass). For each size
it starts ``python -m devcluster serve --generate pods=N,...`` as a subprocess and prints:

- ``start s``: from launch to the server accepting connections (generation included);
- ``kubectl s``: ``kubectl get pods -A`` (Table output in chunks of 500), with the rows counted;
- ``pods_list s`` / ``output MB``: kubernetes-mcp-server 0.0.67's ``pods_list`` in
  ``--list-output yaml`` mode over stdio (session start excluded), and the size of its text;
- ``peak RSS MB``: devcluster's VmHWM from ``/proc/<pid>/status`` after those calls.

Every step has a timeout, so the 50,000-pod run stays within a few minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import McpError

ROOT = Path(__file__).resolve().parent.parent
KUBECTL = ROOT / ".venv/bin/kubectl"
BINARY = ROOT / "node_modules/kubernetes-mcp-server-linux-amd64/bin/kubernetes-mcp-server-linux-amd64"
STEP_TIMEOUT = 240.0
#: kubernetes-mcp-server's YAML encoding grows faster than linearly: at 50,000 pods pods_list
#: outlasts any reasonable wait, so it is cut off and reported as a timeout.
MCP_TIMEOUT = 150.0


@dataclass
class Row:
    """One size's figures."""

    pods: int
    spec: str
    start_s: float
    kubectl_s: float
    kubectl_rows: int
    pods_list_s: float | None
    output_mb: float | None
    peak_rss_mb: float


def spec_for(pods: int) -> str:
    return f"pods={pods},namespaces={max(5, pods // 500)},nodes={max(3, pods // 100)}"


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM in /proc/{pid}/status")


async def pods_list(kubeconfig: Path) -> tuple[float | None, int | None]:
    params = StdioServerParameters(
        command=str(BINARY), args=["--kubeconfig", str(kubeconfig), "--list-output", "yaml"]
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        start = time.perf_counter()
        try:
            result = await session.call_tool(
                "pods_list", {}, read_timeout_seconds=timedelta(seconds=MCP_TIMEOUT)
            )
        except McpError as exc:
            if "Timed out" not in str(exc):
                raise
            return None, None
        elapsed = time.perf_counter() - start
        text = "".join(getattr(c, "text", "") for c in result.content)
        if result.isError:
            raise RuntimeError(f"pods_list failed: {text[:300]}")
        return elapsed, len(text.encode())


def run(pods: int, tmp: Path) -> Row:
    spec = spec_for(pods)
    kubeconfig = tmp / f"kc-{pods}.yaml"
    start = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devcluster",
            "serve",
            "--generate",
            spec,
            "--kubeconfig-out",
            str(kubeconfig),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        if not first.startswith("devcluster serving"):
            raise RuntimeError(f"devcluster did not start for {spec}: {first!r}")
        proc.stdout.readline()
        started = time.perf_counter() - start
        t0 = time.perf_counter()
        listed = subprocess.run(
            [str(KUBECTL), "--kubeconfig", str(kubeconfig), "get", "pods", "-A", "--no-headers"],
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
            check=True,
        )
        kubectl_s = time.perf_counter() - t0
        mcp_s, size = asyncio.run(pods_list(kubeconfig))
        rss = peak_rss_mb(proc.pid)
        return Row(
            pods,
            spec,
            started,
            kubectl_s,
            len(listed.stdout.splitlines()),
            mcp_s,
            size / 1e6 if size is not None else None,
            rss,
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated pod counts")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    header = (
        f"{'pods':>7} {'start s':>8} {'kubectl s':>10} {'rows':>7} {'pods_list s':>12} "
        f"{'output MB':>10} {'peak RSS MB':>12}  spec"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="bench-devcluster-") as tmp:
        for pods in sizes:
            row = run(pods, Path(tmp))
            mcp_s = f"{row.pods_list_s:.2f}" if row.pods_list_s is not None else f">{MCP_TIMEOUT:g}"
            size = f"{row.output_mb:.1f}" if row.output_mb is not None else "-"
            print(
                f"{row.pods:>7} {row.start_s:>8.2f} {row.kubectl_s:>10.2f} {row.kubectl_rows:>7} "
                f"{mcp_s:>12} {size:>10} {row.peak_rss_mb:>12.0f}  {row.spec}",
                flush=True,
            )


if __name__ == "__main__":
    main()
