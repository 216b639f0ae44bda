"""``python -m evals``: the own eval corpus, run by category on both halves, and its split.

``corpus`` runs every own dataset (evals/datasets/own, both halves) on its cluster and prints,
per category, the cases, the tune and test pass rates and their gap, then the overall line.
``split`` puts every own case into the half its id hashes to (run it after adding cases);
``split --check`` only says whether every case already is there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.harness import DATASETS_DIR, own_datasets, run_corpus, write_report
from evals.report import HALVES, format_corpus_table, load_dataset, split_half
from kcache.errors import KcacheError
from kcache.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m evals`` and its two commands."""
    parser = argparse.ArgumentParser(
        prog="python -m evals",
        description="The own eval corpus (evals/datasets/own): run it by category, or re-split it.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    corpus = sub.add_parser(
        "corpus",
        help="run both halves of the own corpus and print pass rates per category",
        description=(
            "Run every own dataset of both halves (evals/datasets/own/<cluster>-tune.jsonl and "
            "-test.jsonl, as registered in evals/datasets/index.json) on its cluster, as `kcache "
            "eval` does (devcluster, TTLs pinned, writes never executed), and print one line per "
            "category: cases, tune pass rate, test pass rate, the gap (tune - test), then the "
            "overall line. Reads LLM_PROVIDER and the MCP_SERVER_* variables. Exit status 2 "
            "when a case raised or a forbidden string reached the cache."
        ),
    )
    corpus.add_argument(
        "--cluster", action="append", help="only this cluster's datasets (repeatable; default all)"
    )
    corpus.add_argument(
        "--json-out",
        type=Path,
        help="write the table and every dataset's report (with by_category) as JSON to this file",
    )
    corpus.add_argument("--verbose", "-v", action="store_true", help="per-case progress lines on stderr")
    split = sub.add_parser(
        "split",
        help="move every own case to the half its id hashes to",
        description=(
            "Read both halves of every cluster's own corpus and write each case to the half "
            "evals.report.split_half gives its id (a hash of a fixed seed and the id), so "
            "adding a case never moves another. Cases are written sorted by id."
        ),
    )
    split.add_argument("--check", action="store_true", help="write nothing; exit 1 if a case is misplaced")
    return parser


def _split(check: bool) -> int:
    misplaced = 0
    for cluster, halves in sorted(own_datasets().items()):
        cases: list[dict[str, Any]] = []
        for half, path in halves.items():
            if not path.exists() or not path.read_text(encoding="utf-8").strip():
                continue
            for case in load_dataset(path):
                if split_half(case["id"]) != half:
                    misplaced += 1
                    if check:
                        print(f"{path.name}: {case['id']} belongs to the {split_half(case['id'])} half")
                cases.append(case)
        if check:
            continue
        cases.sort(key=lambda c: str(c["id"]))
        for half in HALVES:
            path = DATASETS_DIR / "own" / f"{cluster}-{half}.jsonl"
            lines = [json.dumps(c, ensure_ascii=False) for c in cases if split_half(c["id"]) == half]
            path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
            print(f"{path.relative_to(DATASETS_DIR)}: {len(lines)} cases")
    return 1 if check and misplaced else 0


async def _corpus(args: argparse.Namespace, settings: Settings) -> int:
    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    run = await run_corpus(
        settings=settings,
        clusters=args.cluster,
        progress=progress,
        case_progress=progress if args.verbose else None,
    )
    print(format_corpus_table(run.table))
    if args.json_out:
        write_report({"table": run.table, "reports": run.reports, "errors": run.errors}, args.json_out)
        print(f"report written to {args.json_out}")
    if run.errors:
        for error in run.errors:
            print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m evals``."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "split":
            return _split(args.check)
        settings = Settings.from_env()
        from kcache.logs import configure

        configure(settings)
        return asyncio.run(_corpus(args, settings))
    except KcacheError as exc:
        print(f"python -m evals: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
