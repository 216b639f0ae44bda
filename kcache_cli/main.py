"""The ``kcache`` command line: the face of the project for people and scripts."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
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


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text!r}")
    return value


def _add(
    sub: Any, name: str, summary: str, description: str, *, json_flag: bool = False
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=summary, description=description)
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    return parser


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

    _add(
        sub,
        "tools",
        "print the MCP server's tools and what each one does",
        "Connect to the configured MCP server (MCP_SERVER_URL, MCP_SERVER_TYPE, MCP_SERVER_ARGS; "
        "KUBECONFIG for a stdio server), load its tools and print the capability map kcache built: "
        "name, kinds, operations, scope, read-only/write/destructive, parameters (required ones "
        "marked *, with the canonical parameter each maps to). The map is also stored in the "
        "mcp_tools table of CACHE_DB_PATH.",
        json_flag=True,
    )

    refresh = _add(
        sub,
        "refresh",
        "scan the cluster into the cache, once or on a schedule",
        "Run the refresh graph: scan the static tier (namespaces, nodes, quotas, storage) and the "
        "dynamic tier (pods, workloads, services, config maps and secrets without values, events, "
        "...) through the MCP server's tools into CACHE_DB_PATH. --once scans and exits (status 1 "
        "when a tier failed); --loop scans each tier every SCANNER_STATIC_INTERVAL / "
        "SCANNER_DYNAMIC_INTERVAL seconds (±10% jitter) until SIGINT/SIGTERM, which lets the scan "
        "in progress finish (a second signal aborts it and its write is rolled back). Progress, one "
        "line per scope (scope, rows, status, ms), goes to stderr. Also reads SCANNER_MAX_CONCURRENT, "
        "SCANNER_TIMEOUT, SCANNER_RETRIES, CACHE_STATIC_TTL, CACHE_DYNAMIC_TTL, KUBECONFIG and the "
        "MCP_SERVER_* variables.",
    )
    mode = refresh.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true", help="scan once and exit")
    mode.add_argument("--loop", action="store_true", help="scan each tier on its interval until stopped")
    refresh.add_argument(
        "--tier",
        choices=("static", "dynamic", "all"),
        default="all",
        help="which tier to scan (default: all)",
    )
    refresh.add_argument(
        "--context", metavar="NAME", help="scan only this configured cluster (default: all of them)"
    )

    _add(
        sub,
        "health",
        "check the MCP server, the last scans and the database",
        "Check that the MCP server starts and lists its tools, the outcome and age of the last "
        "scan of each tier (failed scopes listed with their messages), and PRAGMA integrity_check "
        "of CACHE_DB_PATH. Exit status 0 when healthy, 1 when not. Reads KUBECONFIG, "
        "CLUSTER_NAME and the MCP_SERVER_* variables.",
        json_flag=True,
    )

    stats = _add(
        sub,
        "stats",
        "print the KPIs (cache hit rate, response time improvement, ...) with their definitions",
        "Compute the spec's KPIs from what CACHE_DB_PATH recorded: cache hit rate (hits / "
        "lookups), response time improvement (1 - cache_ms / mcp_ms for reads of the same kind), "
        "scan completion rate (completed / scheduled scans), context accuracy (from the last eval "
        "run; and at run time the share of suggested parameters accepted without change), and "
        "prompt tokens per turn. Each KPI is printed with its definition; n/a means no data yet. "
        "Then a section per cluster: its turns, its KPIs and the objects its cache holds. With "
        "--as USER only USER's turns count, and the cached objects are those USER may read "
        "(reviewed on the cluster as the agent reviews them; reads KUBECONFIG, KCACHE_CONTEXTS).",
        json_flag=True,
    )
    stats.add_argument(
        "--as", dest="as_user", metavar="USER", help="only the turns USER asked, and what USER may read"
    )
    stats.add_argument(
        "--as-group", dest="as_groups", metavar="GROUP", action="append", help="a group of the --as user"
    )
    audit = _add(
        sub,
        "audit",
        "print the audit log: who asked which write or read, and its outcome",
        "Print the latest rows of the audit log of CACHE_DB_PATH, newest first: when, cluster, "
        "who asked (asker and groups), verb, object, tool, outcome (ok, error, refused when the "
        "asker may not, declined, denied by APPROVAL_POLICY=deny, planned, rejected) and who "
        "approved. Every tool call and every refused action is there.",
        json_flag=True,
    )
    audit.add_argument("--as", dest="as_user", metavar="USER", help="only the rows USER asked")
    audit.add_argument("--context", metavar="NAME", help="only the rows of this configured cluster")
    audit.add_argument("--limit", type=int, default=50, help="how many rows (default: 50)")

    ask = _add(
        sub,
        "ask",
        "answer one question about the cluster (Chinese or English)",
        "Run one request through the agent: answered from the cache when it is fresh, through "
        "the MCP server otherwise; the data age is shown when the cache answered. A write "
        "(scale, delete, ...) asks 'Run this? [y/N]' on a terminal; --yes approves it; without a "
        "terminal it is not run and what would have run is printed (exit status 1). When the "
        "request is ambiguous the candidates are listed: on a terminal you choose one, otherwise "
        "the command exits with status 1. Reads LLM_PROVIDER (gemini needs GOOGLE_API_KEY; "
        "offline is the deterministic planner), LLM_MODEL_NAME, APPROVAL_POLICY, CACHE_DB_PATH, "
        "KUBECONFIG and the MCP_SERVER_* variables.",
        json_flag=True,
    )
    ask.add_argument("question", help='the request, e.g. "list pods in boutique"')
    ask.add_argument("--yes", "-y", action="store_true", help="approve a write without asking")
    ask.add_argument("--fresh", action="store_true", help="refresh what the request reads before answering")
    ask.add_argument("--context", metavar="NAME", help="the configured cluster to ask (default: the first)")
    ask.add_argument(
        "--as",
        dest="as_user",
        metavar="USER",
        help="ask as this Kubernetes user (impersonated, like kubectl --as): the answer holds only "
        "what USER may read, and a write USER may not make is refused (default: the kubeconfig's identity)",
    )
    ask.add_argument(
        "--as-group",
        dest="as_groups",
        metavar="GROUP",
        action="append",
        help="a group of the --as user (repeat for several, like kubectl --as-group)",
    )

    chat = _add(
        sub,
        "chat",
        "an interactive session with the agent",
        "Ask questions at the 'kcache> ' prompt; the session keeps one conversation thread. "
        "Writes ask 'Run this? [y/N]'; ambiguous requests list numbered candidates to choose from. "
        "Leave with exit, quit or end of input (Ctrl-D). Reads the same variables as `kcache ask`.",
    )
    chat.add_argument("--fresh", action="store_true", help="refresh what each request reads before answering")

    _add(
        sub,
        "demo",
        "run the demo: emulated cluster, MCP server, refresh, sample questions, offline",
        "Start devcluster on the demo cluster (devcluster/clusters/demo) with a kubeconfig and "
        "cache database in a temporary folder, start kubernetes-mcp-server against it, refresh "
        "the cache, then answer sample questions in Chinese and English with LLM_PROVIDER=offline "
        "(the deterministic planner), showing each answer and what the cache saved (answered "
        "from cache, MCP calls avoided, lookups and hits, data age). A scale request shows the "
        "approval it needs and is never run. Everything is stopped and removed at the end. "
        "Reads the MCP_SERVER_* variables (default: the project's kubernetes-mcp-server).",
    )

    ev = _add(
        sub,
        "eval",
        "run an eval dataset against a cluster folder and score it",
        "Start devcluster on --cluster (a folder of manifests, or a name under devcluster/clusters "
        "or evals/clusters), open kcache on a temporary kubeconfig and cache database with "
        "CACHE_STATIC_TTL/CACHE_DYNAMIC_TTL pinned to a day, refresh both tiers, and run every "
        "case of --dataset through the agent with writes planned, never executed. Prints the "
        "metrics and each failure, writes the report (evals/README format) to --json-out, and "
        "records the metrics in CACHE_DB_PATH for `kcache stats`. Exit status 0 unless the run "
        "had errors, or the pass rate is under --min-pass-rate. Reads LLM_PROVIDER and the "
        "MCP_SERVER_* variables.",
    )
    ev.add_argument("--dataset", required=True, help="JSONL dataset file (see evals/README)")
    ev.add_argument("--cluster", required=True, help="cluster folder of manifests, or its name")
    ev.add_argument("--json-out", type=Path, help="write the report as JSON to this file")
    ev.add_argument(
        "--min-pass-rate", type=_fraction, help="exit 1 when the pass rate is below this (0 to 1)"
    )
    ev.add_argument("--quiet", "-q", action="store_true", help="no per-case progress lines on stderr")

    return parser


@command("db info")
async def _db_info(args: argparse.Namespace, settings: Settings) -> int:
    from kcache.store import Store

    async with Store(
        settings.cache_db_path,
        timeout=settings.cache_db_timeout,
        max_connections=settings.cache_db_max_connections,
        key=settings.cache_db_key,
    ) as store:
        info = await store.info()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"path:           {info['path']}")
    print(f"schema version: {info['schema_version']}")
    print(f"encrypted:      {'yes' if info['encrypted'] else 'no'}")
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


@command("tools")
async def _tools(args: argparse.Namespace, settings: Settings) -> int:
    from kcache_cli.commands import tools

    return await tools.run(args.json, settings)


@command("refresh")
async def _refresh(args: argparse.Namespace, settings: Settings) -> int:
    from kcache_cli.commands import refresh

    return await refresh.run(loop=args.loop, tier=args.tier, settings=settings, context=args.context)


@command("health")
async def _health(args: argparse.Namespace, settings: Settings) -> int:
    from kcache_cli.commands import health

    return await health.run(args.json, settings)


@command("stats")
async def _stats(args: argparse.Namespace, settings: Settings) -> int:
    from kcache_cli.commands import stats

    return await stats.run(args.json, settings, as_user=args.as_user, as_groups=args.as_groups)


@command("audit")
async def _audit(args: argparse.Namespace, settings: Settings) -> int:
    from kcache_cli.commands import audit

    return await audit.run(args.json, settings, as_user=args.as_user, cluster=args.context, limit=args.limit)


@command("ask")
async def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from kcache_cli.commands import ask

    return await ask.ask(
        args.question,
        json_out=args.json,
        yes=args.yes,
        fresh=args.fresh,
        settings=settings,
        context=args.context,
        as_user=args.as_user,
        as_groups=args.as_groups,
    )


@command("chat")
async def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from kcache_cli.commands import ask

    return await ask.chat(fresh=args.fresh, settings=settings)


@command("demo")
async def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from kcache_cli.commands import demo

    return await demo.run(settings)


@command("eval")
async def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from evals.harness import run_eval, write_report
    from evals.report import format_summary

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    run = await run_eval(
        args.dataset, args.cluster, settings=settings, progress=None if args.quiet else progress
    )
    if args.json_out:
        write_report(run.report, args.json_out)
    print(format_summary(run.report))
    if args.json_out:
        print(f"report written to {args.json_out}")
    if run.errors:
        print(
            f"kcache eval: {len(run.errors)} error(s) during the run (see the notes above)", file=sys.stderr
        )
        return 2
    pass_rate = run.report["metrics"].get("pass_rate") or 0.0
    if args.min_pass_rate is not None and pass_rate < args.min_pass_rate:
        print(
            f"kcache eval: pass rate {pass_rate:.3f} is below --min-pass-rate {args.min_pass_rate:g}",
            file=sys.stderr,
        )
        return 1
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

        key = _command_key(args)
        # The demo sends its log lines to a file of its own so that they do not interleave with it.
        if key != "demo":
            configure(settings)
        handler = _HANDLERS[key]
        return int(asyncio.run(handler(args, settings)))
    except KcacheError as exc:
        print(f"kcache: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kcache: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
