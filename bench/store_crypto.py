"""Cost of CACHE_DB_KEY: the same store workload on a plain and on an encrypted file.

Run: ``python bench/store_crypto.py`` (``--pods 10000 --lookups 1000 --rounds 5``). For each
mode it opens a fresh database in a temporary folder and times, ``--rounds`` times each:

- ``first open``: creating and opening the store (connections, migrations) the first time in
  the process: with a key, the one passphrase derivation (PBKDF2) per file and process;
- ``reopen``: opening it again later (what a long-running process pays per open);
- ``replace``: a replacement of every pod (``--pods``, shaped as in ``bench/store.py``);
- ``by name``: ``--lookups`` lookups of one pod by namespace and name (p50 per lookup);
- ``namespace``: every pod of one namespace (p50 per read);

then prints the p50 of each, the file size after the last round, and the encrypted/plain ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.store import pods_of, workloads  # noqa: E402
from kcache.model import Resource  # noqa: E402
from kcache.store import Store  # noqa: E402

CLUSTER = "bench"
KEY = "bench passphrase: not a secret"


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


async def measure(path: Path, key: str | None, sets: list[list[Resource]], lookups: int) -> dict[str, float]:
    """p50 milliseconds of each operation, and the file size, for one mode."""
    opens: list[float] = []
    replaces: list[float] = []
    names: list[float] = []
    spaces: list[float] = []
    rng = random.Random(11)
    for pods in sets:
        start = time.perf_counter()
        async with Store(path, key=key) as store:
            opens.append(_ms(start))
            start = time.perf_counter()
            await store.replace(CLUSTER, "pod", pods, ttl_s=3600, tier="dynamic")
            replaces.append(_ms(start))
            for p in rng.sample(pods, min(lookups, len(pods))):
                start = time.perf_counter()
                found = await store.query(CLUSTER, "pod", namespace=p.namespace, name=p.name)
                names.append(_ms(start))
                assert found.items, p.name
            for ns in sorted({p.namespace for p in pods})[:10]:
                start = time.perf_counter()
                await store.query(CLUSTER, "pod", namespace=ns)
                spaces.append(_ms(start))
    size = sum(p.stat().st_size for p in path.parent.glob(f"{path.name}*"))
    return {
        "first open": opens[0],
        "reopen": statistics.median(opens[1:] or opens),
        "replace": statistics.median(replaces),
        "by name": statistics.median(names),
        "namespace": statistics.median(spaces),
        "size_mb": size / 1e6,
    }


def render(plain: dict[str, float], keyed: dict[str, float]) -> str:
    lines = [f"{'p50':<16}{'plain':>12}{'encrypted':>12}{'ratio':>8}"]
    for op in ("first open", "reopen", "replace", "by name", "namespace"):
        lines.append(f"{op + ' ms':<16}{plain[op]:>12.3f}{keyed[op]:>12.3f}{keyed[op] / plain[op]:>8.2f}")
    lines.append(
        f"{'file MB':<16}{plain['size_mb']:>12.2f}{keyed['size_mb']:>12.2f}"
        f"{keyed['size_mb'] / plain['size_mb']:>8.2f}"
    )
    return "\n".join(lines)


async def run(pods: int, lookups: int, rounds: int) -> str:
    rng = random.Random(7)
    loads = workloads(rng, pods)
    sets = [pods_of(rng, loads, max(3, pods // 30)) for _ in range(rounds)]
    with tempfile.TemporaryDirectory() as tmp:
        plain = await measure(Path(tmp) / "plain.db", None, sets, lookups)
        keyed = await measure(Path(tmp) / "keyed.db", KEY, sets, lookups)
    return render(plain, keyed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.pods} pods, {args.lookups} lookups by name, 10 namespaces, {args.rounds} rounds per mode")
    print(asyncio.run(run(args.pods, args.lookups, args.rounds)))


if __name__ == "__main__":
    main()
