"""Scan time, rows/s and peak memory of a full refresh on generated clusters.

Run: ``python bench/scan.py`` from the project root (defaults ``--sizes 1000,10000``; the 50k
case: ``python bench/scan.py --sizes 50000``, which takes several minutes).

For each size a generated devcluster (``pods=N,namespaces=50,nodes=20``) runs in this
process, and a fresh child process (``--child``) opens kcache against it through
kubernetes-mcp-server and runs the static then the dynamic tier. The child is kcache alone,
so its peak RSS (``ru_maxrss`` of RUSAGE_SELF) is the kcache process's and excludes the
emulated cluster; RUSAGE_CHILDREN of the child is the MCP server's peak, shown apart.
Aim: 10k pods in under 30 s with the kcache process under 512 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AIM_10K_S = 30.0
AIM_RSS_MB = 512.0


async def child(kubeconfig: Path, db: Path) -> None:
    """Refresh both tiers once and print one JSON line of figures."""
    from kcache import runtime, scan
    from kcache.settings import Settings

    settings = Settings.from_env(
        {
            "CACHE_DB_PATH": str(db),
            "KUBECONFIG": str(kubeconfig),
            "LLM_PROVIDER": "offline",
            "SCANNER_TIMEOUT": "300",
            "LOG_LEVEL": "WARNING",
        }
    )
    figures: dict[str, object] = {}
    async with runtime.open(settings) as kc:
        for tier in ("static", "dynamic"):
            result = await scan.run_tier(kc, tier)
            figures[tier] = {
                "status": result.status,
                "seconds": result.duration_ms / 1000,
                "rows": sum(s.count for s in result.scopes),
                "pods": sum(s.count for s in result.scopes if s.kind == "pod"),
                "failed": result.summary()["failed"],
            }
        # Children's usage is counted once they are reaped: after the MCP server exits.
    figures["rss_self_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["rss_children_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(figures))  # noqa: T201


def bench_size(pods: int) -> dict[str, object]:
    """Start a generated cluster of ``pods`` pods and scan it from a child process."""
    from devcluster.cluster import DevCluster

    spec = f"pods={pods},namespaces=50,nodes=20"
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        start = time.perf_counter()
        with DevCluster(generate=spec) as dc:
            generated_s = time.perf_counter() - start
            dc.write_kubeconfig(tmp / "kubeconfig.yaml")
            run = subprocess.run(
                [sys.executable, __file__, "--child", str(tmp / "kubeconfig.yaml"), str(tmp / "cache.db")],
                capture_output=True,
                text=True,
                check=False,
            )
            if run.returncode != 0:
                raise RuntimeError(f"scan of {spec} failed (exit {run.returncode}):\n{run.stderr[-3000:]}")
            line = next(ln for ln in reversed(run.stdout.splitlines()) if ln.startswith("{"))
            figures: dict[str, object] = json.loads(line)
            figures["generate_s"] = generated_s
            return figures


def main() -> None:
    """Parse arguments; run each size (or the child's scan)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1000,10000", help="comma-separated pod counts (e.g. 1000,10000,50000)"
    )
    parser.add_argument("--child", nargs=2, metavar=("KUBECONFIG", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(Path(args.child[0]), Path(args.child[1])))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    header = (
        f"{'pods':>7} {'static s':>9} {'dynamic s':>10} {'total s':>8} {'rows':>7} {'rows/s':>8} "
        f"{'kcache RSS MB':>14} {'MCP server RSS MB':>18} {'status':>10}"
    )
    print("full refresh (static + dynamic tiers) through kubernetes-mcp-server, generated clusters")  # noqa: T201
    print(header)  # noqa: T201
    print("-" * len(header))  # noqa: T201
    for pods in sizes:
        f = bench_size(pods)
        st, dy = f["static"], f["dynamic"]
        assert isinstance(st, dict) and isinstance(dy, dict)
        total = st["seconds"] + dy["seconds"]
        rows = st["rows"] + dy["rows"]
        status = "ok" if st["status"] == dy["status"] == "completed" else "FAILED"
        print(  # noqa: T201
            f"{pods:7d} {st['seconds']:9.2f} {dy['seconds']:10.2f} {total:8.2f} {rows:7d} {rows / total:8.0f} "
            f"{f['rss_self_mb']:14.0f} {f['rss_children_mb']:18.0f} {status:>10}"
        )
        if status != "ok":
            print("  failed scopes:", st["failed"], dy["failed"])  # noqa: T201
        if dy["pods"] != pods:
            print(f"  note: {dy['pods']} pods cached of {pods} generated")  # noqa: T201
    print(  # noqa: T201
        f"aims: 10k pods under {AIM_10K_S:g} s, kcache process under {AIM_RSS_MB:g} MB. "
        "For 50k pods: python bench/scan.py --sizes 50000 (several minutes)."
    )


if __name__ == "__main__":
    main()
