"""Speed of the SQLite cache: bulk pod replacement and the three lookups the agent makes.

Run: ``python bench/store.py`` (``--sizes 1000,10000`` for a quicker pass). For each size it
loads synthetic pods shaped like a real cluster's (about 50 namespaces, Deployments of 1-5
replicas named ``<deploy>-<hash>-<5 chars>``, 3-4 labels, containers and statuses) into a fresh
database in a temporary folder, replaces them once more with a same-sized set, then times
about 300 lookups of each kind through ``Store.query``:

- ``name``: exact name within its namespace;
- ``prefix``: a workload's name as prefix, across namespaces, limit 50;
- ``label``: ``app=<workload>`` equality, limit 50;

and the reads a cached agent turn makes:

- ``scope``: ``Store.scope`` of the pods scope (read twice on every turn);
- ``ns``: every pod of one namespace (``list pods in <namespace>``);
- ``turn``: two scope reads and that namespace lookup, one after the other.

Aims: a 100k-pod replacement under 5 s, every lookup under 1 ms at p50.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from kcache.model import Resource
from kcache.store.store import Lookup, Store

CLUSTER = "bench"
LOOKUPS = 300
#: Wall-clock cap per lookup kind and size, so a linear-time lookup cannot stall the run.
LOOKUP_BUDGET_S = 4.0
AIM_REPLACE_100K_S = 5.0
AIM_LOOKUP_P50_MS = 1.0
_HASH_CHARS = "bcdfghjklmnpqrstvwxz2456789"
_WORDS = (
    "api auth billing cart catalog checkout config cron db edge email events feed gateway "
    "geo image index ingest inventory ledger login media metrics notify orders payments "
    "pricing profile queue rank recs report search session shipping stock store sync "
    "tax tracker user vault web worker"
).split()
_TIERS = ("frontend", "backend", "cache", "batch", "data")
_IMAGES = ("nginx:1.27", "python:3.11-slim", "redis:7.4", "envoyproxy/envoy:v1.31", "busybox:1.36")


@dataclass(frozen=True, kw_only=True)
class Workload:
    """A Deployment of the synthetic cluster: where it lives and its pods' shared parts."""

    namespace: str
    name: str
    replicas: int
    tier: str


def _token(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_HASH_CHARS) for _ in range(n))


def workloads(rng: random.Random, pods: int, namespaces: int = 50) -> list[Workload]:
    """Deployments adding up to ``pods`` replicas, spread over ``namespaces`` namespaces."""
    spaces = [f"team-{_WORDS[i % len(_WORDS)]}-{i // len(_WORDS)}" for i in range(namespaces)]
    out: list[Workload] = []
    total = 0
    while total < pods:
        replicas = min(rng.randint(1, 5), pods - total)
        # Several namespaces run a workload of the same name, as prod/staging copies do.
        name = f"{rng.choice(_WORDS)}-{rng.choice(_WORDS)}-{len(out) // 7}"
        out.append(
            Workload(namespace=rng.choice(spaces), name=name, replicas=replicas, tier=rng.choice(_TIERS))
        )
        total += replicas
    return out


def pods_of(rng: random.Random, loads: list[Workload], nodes: int) -> list[Resource]:
    """One pod record per replica, as the parsers produce them."""
    out: list[Resource] = []
    for w in loads:
        rs_hash = _token(rng, 10)
        for _ in range(w.replicas):
            restarts = rng.choice((0, 0, 0, 0, 1, 3))
            phase = rng.choices(("Running", "Pending", "Failed"), weights=(95, 4, 1))[0]
            containers = [
                {"name": w.name.split("-")[0], "image": rng.choice(_IMAGES), "ready": phase == "Running"}
            ]
            if rng.random() < 0.3:
                containers.append({"name": "istio-proxy", "image": "istio/proxyv2:1.23", "ready": True})
            labels = {"app": w.name, "pod-template-hash": rs_hash, "tier": w.tier}
            if rng.random() < 0.5:
                labels["version"] = f"v{rng.randint(1, 9)}"
            out.append(
                Resource(
                    kind="pod",
                    name=f"{w.name}-{rs_hash}-{_token(rng, 5)}",
                    namespace=w.namespace,
                    labels=labels,
                    owner_kind="replicaset",
                    owner_name=f"{w.name}-{rs_hash}",
                    created_at=f"2026-11-20T08:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z",
                    fields={
                        "status": phase if restarts < 3 else "CrashLoopBackOff",
                        "phase": phase,
                        "node_name": f"node-{rng.randrange(nodes):03d}",
                        "containers": containers,
                        "restarts": restarts,
                        "pod_ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                    },
                )
            )
    return out


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _timed(calls: list[Callable[[], Awaitable[Lookup]]]) -> tuple[list[float], int]:
    """Milliseconds per call (until the budget runs out), and how many calls found nothing."""
    times: list[float] = []
    empty = 0
    deadline = time.perf_counter() + LOOKUP_BUDGET_S
    for call in calls:
        start = time.perf_counter()
        got = await call()
        times.append((time.perf_counter() - start) * 1000)
        empty += not got.items
        if start > deadline:
            break
    return times, empty


async def bench_size(size: int, folder: Path, seed: int = 7) -> dict[str, float]:
    """Load, reload and query ``size`` pods; return the figures of one table row."""
    rng = random.Random(seed + size)
    loads = workloads(rng, size)
    nodes = max(3, size // 30)
    first, second = pods_of(rng, loads, nodes), pods_of(rng, loads, nodes)
    path = folder / f"cache-{size}.db"
    row: dict[str, float] = {"pods": size}
    async with Store(path, timeout=30, max_connections=4) as store:
        start = time.perf_counter()
        await store.replace(CLUSTER, "pod", first, ttl_s=300)
        row["load_rows_s"] = size / (time.perf_counter() - start)
        start = time.perf_counter()
        await store.replace(CLUSTER, "pod", second, ttl_s=300)
        row["replace_s"] = time.perf_counter() - start
        row["replace_rows_s"] = size / row["replace_s"]

        picks = [rng.choice(second) for _ in range(LOOKUPS)]
        picked_loads = [rng.choice(loads) for _ in range(LOOKUPS)]
        kinds: dict[str, list[Callable[[], Awaitable[Lookup]]]] = {
            "name": [
                lambda p=p: store.query(CLUSTER, "pod", namespace=p.namespace, name=p.name)  # type: ignore[misc]
                for p in picks
            ],
            "prefix": [
                lambda w=w: store.query(CLUSTER, "pod", prefix=f"{w.name}-", limit=50)  # type: ignore[misc]
                for w in picked_loads
            ],
            "label": [
                lambda w=w: store.query(CLUSTER, "pod", labels=[("app", w.name)], limit=50)  # type: ignore[misc]
                for w in picked_loads
            ],
        }
        spaces = sorted({w.namespace for w in loads})
        picked_ns = [rng.choice(spaces) for _ in range(LOOKUPS)]

        async def turn(ns: str) -> Lookup:
            await store.scope(CLUSTER, "pods")
            await store.scope(CLUSTER, "pods")
            return await store.query(CLUSTER, "pod", namespace=ns)

        async def scope() -> Lookup:
            found = await store.scope(CLUSTER, "pods")
            if found is None:
                raise RuntimeError("the pods scope was not recorded")
            return Lookup(items=picks[:1], freshness="fresh")

        kinds["scope"] = [scope for _ in range(LOOKUPS)]
        kinds["ns"] = [
            lambda ns=ns: store.query(CLUSTER, "pod", namespace=ns)  # type: ignore[misc]
            for ns in picked_ns
        ]
        kinds["turn"] = [lambda ns=ns: turn(ns) for ns in picked_ns]  # type: ignore[misc]
        await kinds["name"][0]()  # opens the reader connection outside the timings
        for kind, calls in kinds.items():
            times, empty = await _timed(calls)
            if empty:
                raise RuntimeError(f"{empty} of {len(calls)} {kind} lookups found nothing at {size} pods")
            row[f"{kind}_p50"] = statistics.median(times)
            row[f"{kind}_p95"] = _pct(times, 0.95)
            row[f"{kind}_n"] = len(times)
        row["wal_mb"] = Path(f"{path}-wal").stat().st_size / 1e6
    # Closing the last connection checkpoints the WAL into the main file.
    row["db_mb"] = path.stat().st_size / 1e6
    return row


COLUMNS = (
    ("pods", "pods", "{:>7.0f}"),
    ("load_rows_s", "load rows/s", "{:>11,.0f}"),
    ("replace_rows_s", "replace rows/s", "{:>14,.0f}"),
    ("replace_s", "replace s", "{:>9.2f}"),
    ("name_p50", "name p50", "{:>8.3f}"),
    ("name_p95", "name p95", "{:>8.3f}"),
    ("prefix_p50", "prefix p50", "{:>10.3f}"),
    ("prefix_p95", "prefix p95", "{:>10.3f}"),
    ("label_p50", "label p50", "{:>9.3f}"),
    ("label_p95", "label p95", "{:>9.3f}"),
    ("label_n", "label n", "{:>7.0f}"),
    ("scope_p50", "scope p50", "{:>9.3f}"),
    ("ns_p50", "ns p50", "{:>8.3f}"),
    ("ns_p95", "ns p95", "{:>8.3f}"),
    ("turn_p50", "turn p50", "{:>8.3f}"),
    ("db_mb", "db MB", "{:>6.1f}"),
    ("wal_mb", "wal MB", "{:>6.1f}"),
)


def render(rows: list[dict[str, float]]) -> str:
    """The aligned table (lookup times in milliseconds)."""
    widths = [len(fmt.format(0)) for _, _, fmt in COLUMNS]
    lines = [
        "  ".join(title.rjust(max(w, len(title))) for (_, title, _), w in zip(COLUMNS, widths, strict=True))
    ]
    for row in rows:
        lines.append(
            "  ".join(
                fmt.format(row[key]).rjust(max(w, len(title)))
                for (key, title, fmt), w in zip(COLUMNS, widths, strict=True)
            )
        )
    return "\n".join(lines)


def verdict(rows: list[dict[str, float]]) -> list[str]:
    """One line per aim, met or missed, with the figure that decides it."""
    out = []
    for row in rows:
        if row["pods"] >= 100_000:
            mark = "met   " if row["replace_s"] < AIM_REPLACE_100K_S else "MISSED"
            out.append(
                f"{mark} {row['pods']:,.0f}-pod replace under {AIM_REPLACE_100K_S:g} s:"
                f" {row['replace_s']:.2f} s"
            )
        for kind in ("name", "prefix", "label"):
            p50 = row[f"{kind}_p50"]
            if p50 >= AIM_LOOKUP_P50_MS:
                out.append(
                    f"MISSED {kind} lookup p50 under {AIM_LOOKUP_P50_MS:g} ms at {row['pods']:,.0f} pods:"
                    f" {p50:.3f} ms"
                )
    if all(not line.startswith("MISSED") for line in out):
        out.append(f"met    every lookup p50 under {AIM_LOOKUP_P50_MS:g} ms")
    return out


async def run(sizes: list[int]) -> list[dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix="kcache-bench-") as tmp:
        return [await bench_size(size, Path(tmp)) for size in sizes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated pod counts")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"kcache store: pods replaced in one transaction, then {LOOKUPS} lookups of each kind (times in ms)"
    )
    print(f"label n: lookups timed within the {LOOKUP_BUDGET_S:g} s budget of each kind")
    print(
        f"aims: 100k-pod replace under {AIM_REPLACE_100K_S:g} s, lookups under {AIM_LOOKUP_P50_MS:g} ms p50"
    )
    started = time.perf_counter()
    rows = asyncio.run(run(sizes))
    print(render(rows))
    for line in verdict(rows):
        print(line)
    print(f"total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
