"""The ``kcache`` command line: the face of the project for people and scripts."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from kcache.errors import KcacheError
from kcache.settings import Settings

Handler = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]
_HANDLERS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    """Register an async handler for a sub-command path like ``db info``."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[name] = fn
        return fn

    return register


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command and its help."""
    parser = argparse.ArgumentParser(
        prog="kcache",
        description=(
            "A Kubernetes agent with a SQLite cache of cluster state in the loop. "
            "Configuration comes from environment variables and ./.env (see .env.example)."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    db = sub.add_parser("db", help="inspect the cache database", description="Inspect the cache database.")
    db_sub = db.add_subparsers(dest="db_command", metavar="SUBCOMMAND", required=True)
    db_sub.add_parser(
        "info",
        help="create/migrate the database if needed, then print path, schema version, row counts, size",
        description="Create and migrate the database at CACHE_DB_PATH if missing, then print its path, "
        "schema version, row counts per table and file size.",
    ).add_argument("--json", action="store_true", help="print JSON instead of text")

    dc = sub.add_parser(
        "devcluster",
        help="run the Kubernetes API emulator (see `kcache devcluster serve --help`)",
        description="The Kubernetes API emulator used by the demo and the tests.",
        add_help=False,
    )
    dc.add_argument("devcluster_args", nargs=argparse.REMAINDER, help="arguments for devcluster")

    config = sub.add_parser(
        "config", help="print the effective configuration (secrets masked)", description="Print settings."
    )
    config.add_argument("--json", action="store_true", help="print JSON")

    return parser


@command("db info")
async def _db_info(args: argparse.Namespace, settings: Settings) -> int:
    from kcache.store import Store

    async with Store(
        settings.cache_db_path,
        timeout=settings.cache_db_timeout,
        max_connections=settings.cache_db_max_connections,
    ) as store:
        info = await store.info()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"path:           {info['path']}")
    print(f"schema version: {info['schema_version']}")
    print(f"size:           {info['size_bytes']:,} bytes")
    print("rows:")
    for table, count in info["tables"].items():
        print(f"  {table:<20} {count:>10,}")
    return 0


@command("config")
async def _config(args: argparse.Namespace, settings: Settings) -> int:
    public = settings.public()
    if args.json:
        print(json.dumps(public, indent=2, default=str))
    else:
        for key, value in public.items():
            print(f"{key.upper():<28} {value}")
    return 0


def _command_key(args: argparse.Namespace) -> str:
    parts = [args.command]
    for attr in ("db_command",):
        if getattr(args, attr, None):
            parts.append(getattr(args, attr))
    return " ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kcache`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["devcluster"]:
        # devcluster has its own parser; it is a stand-in for a cluster and knows nothing of kcache.
        from devcluster.cli import main as devcluster_main

        return int(devcluster_main(argv[1:]))
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        from kcache.logs import configure

        configure(settings)
        handler = _HANDLERS[_command_key(args)]
        return int(asyncio.run(handler(args, settings)))
    except KcacheError as exc:
        print(f"kcache: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kcache: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
