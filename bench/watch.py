"""Watch mode beside poll mode on generated clusters: initial sync, RSS, API requests, staleness.

Run: ``python bench/watch.py`` from the project root (defaults ``--sizes 10000 --steady 60``;
the full run: ``python bench/watch.py --sizes 10000,50000 --steady 300``, which takes long:
the 50k poll scan alone takes about five minutes).

For each size a generated devcluster (``pods=N,namespaces=50,nodes=20``) runs in this
process, and for each mode a fresh child process (``--child``) keeps the dynamic tier:

- poll: kcache opened through kubernetes-mcp-server, the dynamic tier scanned once (the
  initial sync), then rescanned on its schedule (``--poll-interval``, SCANNER_DYNAMIC_INTERVAL's
  default 300 s);
- watch: the store and :class:`kcache.watch.Watchers` alone (SCANNER_MODE=watch keeps the
  MCP session too, for the static tier and the agent, but idle).

Once the child is synced, this process changes 10 pods a second for ``--steady`` seconds
(a label ``bench-<mode>`` on a different pod each time, written straight into the emulator's
object store: through its API every write would run its controllers over the whole
cluster) and counts every API request the emulator serves meanwhile, the MCP server's
included. It polls the child's database every 50 ms for the labels, so a change's
staleness is the time from the write to its row (to 50 ms). A change not in the cache when
the window closes counts as unseen: its staleness is more than the window.
RSS is the child's peak (VmHWM: Linux keeps ``ru_maxrss`` across exec, so the child's would
include this process's, cluster and all); the MCP server's is shown apart.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHANGES_PER_S = 10
GRACE_S = 3.0


async def child(mode: str, kubeconfig: Path, db: Path, steady: float, poll_interval: int) -> None:
    """Sync the dynamic tier, print ``SYNCED {...}``, keep it for ``steady`` seconds, print figures."""
    from kcache import runtime, scan
    from kcache.kubeconfig import read_identity
    from kcache.settings import Settings
    from kcache.store import Store
    from kcache.watch import Watchers

    settings = Settings.from_env(
        {
            "CACHE_DB_PATH": str(db),
            "KUBECONFIG": str(kubeconfig),
            "LLM_PROVIDER": "offline",
            "SCANNER_TIMEOUT": "600",
            "SCANNER_DYNAMIC_INTERVAL": str(poll_interval),
            "SCANNER_MODE": mode,
            "LOG_LEVEL": "ERROR",
        }
    )
    figures: dict[str, Any] = {"mode": mode}
    start = time.perf_counter()
    if mode == "poll":
        async with runtime.open(settings) as kc:
            result = await scan.run_tier(kc, "dynamic")
            figures["sync_s"] = time.perf_counter() - start
            figures["status"] = result.status
            print("SYNCED " + json.dumps(figures), flush=True)  # noqa: T201

            async def rescans() -> None:
                while True:
                    await asyncio.sleep(poll_interval)
                    await scan.run_tier(kc, "dynamic")

            task = asyncio.create_task(rescans())
            await asyncio.sleep(steady + GRACE_S)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    else:
        cluster = read_identity(kubeconfig).context
        async with Store(db) as store:
            async with Watchers(
                store, cluster=cluster, kubeconfig=kubeconfig, context=None, ttl_s=settings.cache_dynamic_ttl
            ) as watchers:
                await watchers.wait_synced(1800)
                figures["sync_s"] = time.perf_counter() - start
                figures["status"] = "completed"
                print("SYNCED " + json.dumps(figures), flush=True)  # noqa: T201
                await asyncio.sleep(steady + GRACE_S)
                figures["healthy"] = sum(w.healthy for w in watchers.watchers.values())
    figures["rss_self_mb"] = peak_rss_mb()
    figures["rss_children_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(figures), flush=True)  # noqa: T201


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM): ru_maxrss would count the parent's, kept across exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Requests:
    """A devcluster request hook counting every request it sees while counting is on."""

    def __init__(self) -> None:
        self.on = False
        self.counts: Counter[str] = Counter()

    async def hook(self, request: Any) -> None:
        """Count ``request`` as a watch, or by its method."""
        if self.on:
            watch = request.query_params.get("watch") in ("1", "true", "True")
            self.counts["watch" if watch else request.method.lower()] += 1


def change_pods(dc: Any, key: str, pods: list[tuple[str, str]], steady: float, done: list[float]) -> None:
    """Label a different pod every 1/CHANGES_PER_S seconds; ``done[i]`` is when change i was written."""
    store = dc.state.store
    start = time.time()
    for i, (ns, name) in enumerate(pods):
        due = start + i / CHANGES_PER_S
        if due >= start + steady:
            break
        time.sleep(max(0.0, due - time.time()))
        with store.locked():
            obj = copy.deepcopy(store.get("pod", ns, name))
            obj["metadata"].setdefault("labels", {})[key] = str(i)
            store.put("pod", obj)
        done.append(time.time())


def seen_labels(db: Path, cluster: str, key: str) -> set[int]:
    """The values of label ``key`` the child's cache holds now (one probe of the label index)."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return set()
    try:
        rows = con.execute(
            "SELECT value FROM resource_labels WHERE cluster_name = ? AND kind = 'pod' AND key = ?",
            (cluster, key),
        ).fetchall()
        return {int(r[0]) for r in rows}
    except sqlite3.Error:
        return set()
    finally:
        con.close()


def run_mode(dc: Any, mode: str, offset: int, tmp: Path, steady: float, poll_interval: int) -> dict[str, Any]:
    """One child of ``mode`` against ``dc``: its figures, the window's requests and staleness."""
    from kcache.kubeconfig import read_identity

    db = tmp / f"{mode}.db"
    cluster = read_identity(tmp / "kubeconfig.yaml").context
    counter = Requests()
    dc.add_hook(counter.hook)
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", mode, str(tmp / "kubeconfig.yaml"), str(db)]
        + ["--steady", str(steady), "--poll-interval", str(poll_interval)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("SYNCED "):
            proc.wait(timeout=30)
            raise RuntimeError(
                f"{mode} child failed to sync:\n{line}{proc.stderr.read()[-3000:] if proc.stderr else ''}"
            )
        synced = json.loads(line.removeprefix("SYNCED "))
        counter.on = True
        pods = [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in dc.state.store.list("pod")]
        step = max(1, len(pods) // int(steady * CHANGES_PER_S + 1))
        written: list[float] = []
        # Each mode labels its own pods with its own key: a label of an earlier run is in every LIST.
        key = f"bench-{mode}"
        changer = threading.Thread(target=change_pods, args=(dc, key, pods[offset::step], steady, written))
        changer.start()
        first_seen: dict[int, float] = {}
        deadline = time.time() + steady + GRACE_S / 2
        while time.time() < deadline:
            now = time.time()
            for seq in seen_labels(db, cluster, key):
                first_seen.setdefault(seq, now)
            time.sleep(0.05)
        changer.join()
        counter.on = False
        out, err = proc.communicate(timeout=600)
    finally:
        dc.remove_hook(counter.hook)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} child failed (exit {proc.returncode}):\n{err[-3000:]}")
    final = json.loads(next(ln for ln in reversed(out.splitlines()) if ln.startswith("{")))
    lags = sorted(first_seen[i] - t for i, t in enumerate(written) if i in first_seen)
    return {
        **synced,
        **final,
        "requests": dict(counter.counts),
        "changes": len(written),
        "seen": len(lags),
        "p50_s": statistics.median(lags) if lags else None,
        "p95_s": lags[min(len(lags) - 1, int(len(lags) * 0.95))] if lags else None,
    }


def _s(value: float | None, width: int) -> str:
    return f"{value:{width}.2f}" if value is not None else f"{'-':>{width}}"


def main() -> None:
    """Parse arguments; run each size and mode (or a child)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated pod counts (e.g. 10000,50000)")
    parser.add_argument("--modes", default="poll,watch", help="poll, watch or both (default)")
    parser.add_argument("--steady", type=float, default=60.0, help="seconds of steady state (full run: 300)")
    parser.add_argument("--poll-interval", type=int, default=300, help="poll mode's SCANNER_DYNAMIC_INTERVAL")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "KUBECONFIG", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, kube, db = args.child
        asyncio.run(child(mode, Path(kube), Path(db), args.steady, args.poll_interval))
        return
    from devcluster.cluster import DevCluster

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    print(  # noqa: T201
        f"dynamic tier kept by poll (MCP scans every {args.poll_interval} s) and by watch (list+watch), "
        f"generated clusters, {CHANGES_PER_S} pod changes/s for {args.steady:g} s of steady state"
    )
    header = (
        f"{'pods':>7} {'mode':>6} {'sync s':>8} {'kcache RSS MB':>14} {'MCP RSS MB':>11} "
        f"{'API requests':>13} {'(list/watch/other)':>19} {'seen':>10} {'p50 s':>7} {'p95 s':>7}"
    )
    print(header)  # noqa: T201
    print("-" * len(header))  # noqa: T201
    for pods in sizes:
        spec = f"pods={pods},namespaces=50,nodes=20"
        with tempfile.TemporaryDirectory() as tmp_s:
            tmp = Path(tmp_s)
            with DevCluster(generate=spec) as dc:
                dc.write_kubeconfig(tmp / "kubeconfig.yaml")
                for offset, mode in enumerate(modes):
                    f = run_mode(dc, mode, offset, tmp, args.steady, args.poll_interval)
                    req = f["requests"]
                    total = sum(req.values())
                    split = f"{req.get('get', 0)}/{req.get('watch', 0)}/{total - req.get('get', 0) - req.get('watch', 0)}"
                    print(  # noqa: T201
                        f"{pods:7d} {mode:>6} {f['sync_s']:8.2f} {f['rss_self_mb']:14.0f} "
                        f"{f['rss_children_mb']:11.0f} {total:13d} {split:>19} "
                        f"{f['seen']:>4}/{f['changes']:<5} {_s(f['p50_s'], 7)} {_s(f['p95_s'], 7)}"
                    )
    print(  # noqa: T201
        "seen: changes in the cache before the window closed (the others are staler than the window); "
        "API requests: all the emulator served during the window (GETs include the MCP server's discovery)."
    )


if __name__ == "__main__":
    main()
