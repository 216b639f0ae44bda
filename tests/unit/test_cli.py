"""The kcache command line: parsing, --help of every sub-command, and the pieces the commands share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from typing_extensions import TypedDict

from graph import run
from kcache.registry import classify_all
from kcache.store import ScanScope, Store
from kcache_cli import main as cli
from kcache_cli.commands import health, prompts, stats, tools
from kcache_cli.commands.common import age_text, table

DATA = Path(__file__).parent / "data" / "mcp-tools"

HELP_WORDS = {
    "tools": ["capability", "kinds", "operations", "destructive", "MCP_SERVER_URL", "--json"],
    "refresh": ["--once", "--loop", "--tier", "SIGTERM", "jitter", "SCANNER_DYNAMIC_INTERVAL", "stderr"],
    "health": ["integrity_check", "failed", "Exit status", "--json"],
    "stats": ["cache hit rate", "response time improvement", "scan completion rate", "context accuracy"],
    "audit": ["asker", "outcome", "refused", "--as", "--context", "--json"],
    "ask": ["--yes", "--fresh", "Run this? [y/N]", "LLM_PROVIDER", "data age", "--json"],
    "chat": ["kcache> ", "exit", "quit", "Run this? [y/N]"],
    "demo": ["devcluster", "LLM_PROVIDER=offline", "approval", "MCP calls avoided"],
    "eval": ["--dataset", "--cluster", "--json-out", "--min-pass-rate", "never executed"],
}


@pytest.mark.parametrize("name", sorted(HELP_WORDS))
def test_help_of_every_command(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.build_parser().parse_args([name, "--help"])
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for word in HELP_WORDS[name]:
        assert word in text, f"{word!r} missing from `kcache {name} --help`"


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["--help"])
    out = capsys.readouterr().out
    for name in HELP_WORDS:
        assert name in out


def test_every_command_has_a_handler() -> None:
    parser = cli.build_parser()
    argv = {
        "tools": ["tools"],
        "refresh": ["refresh", "--once"],
        "health": ["health"],
        "stats": ["stats"],
        "audit": ["audit", "--as", "bob"],
        "ask": ["ask", "list pods"],
        "chat": ["chat"],
        "demo": ["demo"],
        "eval": ["eval", "--dataset", "d.jsonl", "--cluster", "demo"],
    }
    for name, args in argv.items():
        assert cli._command_key(parser.parse_args(args)) in cli._HANDLERS, name


def test_parse_refresh() -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["refresh", "--once", "--tier", "static"])
    assert (args.once, args.loop, args.tier) == (True, False, "static")
    assert parser.parse_args(["refresh", "--loop"]).tier == "all"
    with pytest.raises(SystemExit):
        parser.parse_args(["refresh"])  # --once or --loop is required
    with pytest.raises(SystemExit):
        parser.parse_args(["refresh", "--once", "--loop"])
    with pytest.raises(SystemExit):
        parser.parse_args(["refresh", "--once", "--tier", "hot"])


def test_parse_ask() -> None:
    args = cli.build_parser().parse_args(["ask", "scale currencyservice to 2", "--yes", "--json", "--fresh"])
    assert (args.question, args.yes, args.json, args.fresh) == (
        "scale currencyservice to 2",
        True,
        True,
        True,
    )
    assert cli.build_parser().parse_args(["ask", "-y", "q"]).yes is True


def test_parse_eval(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    args = cli.build_parser().parse_args(
        ["eval", "--dataset", "d.jsonl", "--cluster", "c", "--json-out", str(out), "--min-pass-rate", "0.95"]
    )
    assert (args.dataset, args.cluster, args.json_out, args.min_pass_rate) == ("d.jsonl", "c", out, 0.95)
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["eval", "--dataset", "d", "--cluster", "c", "--min-pass-rate", "95"])
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["eval", "--cluster", "c"])


def test_table_aligns_columns() -> None:
    text = table(("A", "LONGER"), [("xyz", 1), ("q", None)])
    lines = text.splitlines()
    assert lines[0] == "A    LONGER"
    assert lines[1] == "xyz  1"
    assert lines[2] == "q"


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, "unknown"), (4.2, "4s"), (192, "3m 12s"), (7500, "2h 5m"), (-1, "0s")]
)
def test_age_text(seconds: float | None, text: str) -> None:
    assert age_text(seconds) == text


def test_tools_describe_flags_from_the_registry() -> None:
    raw = json.loads((DATA / "kubernetes-mcp-server-0.0.67.json").read_text())["tools"]
    caps = {c.name: c for c in classify_all(raw)}
    assert tools.safety(caps["pods_list"]) == "read-only"
    assert tools.safety(caps["pods_delete"]) == "destructive"
    # pods_run is not annotated destructive, but it writes: it still needs approval.
    assert tools.safety(caps["pods_run"]) in ("write", "destructive")
    described = tools.describe(caps["resources_list"])
    assert described["kinds"] == ["*"]
    assert "list" in described["operations"]
    assert described["param_map"]["apiVersion"] == "api_version"
    json.dumps(described)  # JSON-able


def test_progress_and_tier_lines() -> None:
    line = run.progress_line("dynamic", "pods", 12, "completed", 35.2)
    assert "pods" in line and "12 rows" in line and "completed" in line and "35 ms" in line
    final = {
        "results": {
            "static": {"status": "completed", "duration_ms": 80, "counts": {"nodes": 3, "namespaces": 5}},
            "dynamic": {
                "status": "failed",
                "duration_ms": 900,
                "counts": {"pods": 12},
                "failed": {"secrets": "partial: narrowed"},
            },
        }
    }
    lines = run.tier_lines(final)
    assert lines[0].startswith("static: completed") and "8 rows in 2 scopes" in lines[0]
    assert "1 failed: secrets: partial: narrowed" in lines[1]
    assert run.failed_tiers(final) == ["dynamic"]


async def test_run_refresh_reports_scopes_from_summaries_and_streamed_events() -> None:
    """The CLI consumes the refresh graph's stream: custom scope events, then the final values."""
    reported: list[str] = []
    summary = {"static": {"status": "completed", "counts": {"nodes": 3, "namespaces": 5}, "failed": {}}}

    class FakeGraph:
        async def astream(self, inp: Any, stream_mode: Any) -> Any:
            assert inp == {"tier": "static", "force": True}
            yield "custom", {"tier": "static", "scope": "nodes", "rows": 3, "status": "completed", "ms": 5.0}
            yield "values", {"planned": ["static"], "results": summary, "status": "completed"}

    final = await run.stream_refresh(FakeGraph(), "static", reported.append)
    assert final["status"] == "completed"
    assert len(reported) == 2  # nodes once (streamed), namespaces from the summary
    assert "nodes" in reported[0] and "5 ms" in reported[0]
    assert "namespaces" in reported[1] and "5 rows" in reported[1]


def _scope(
    table_name: str, tier: str, status: str, last: float | None, error: str | None = None
) -> ScanScope:
    return ScanScope(
        table_name=table_name,
        scan_status=status,
        last_scan_at=last,
        next_scan_at=None,
        expires_at=None,
        last_success_at=last,
        record_count=3,
        error_message=error,
        tier=tier,
    )


def test_tier_health() -> None:
    scopes = [
        _scope("nodes", "static", "completed", 100.0),
        _scope("pods", "dynamic", "completed", 150.0),
        _scope("secrets", "dynamic", "failed", 160.0, "ToolCallError: 500"),
    ]
    static = health.tier_health(scopes, "static", now=110.0)
    assert static["ok"] and static["status"] == "completed" and static["age_s"] == 10.0
    dynamic = health.tier_health(scopes, "dynamic", now=200.0)
    assert not dynamic["ok"]
    assert dynamic["failed"] == {"secrets": "ToolCallError: 500"}
    never = health.tier_health([], "static", now=0.0)
    assert never["status"] == "never scanned" and not never["ok"]


async def test_stats_command_on_recorded_turns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "cache.db"
    async with Store(db) as store:
        common = {"intent": "query", "resource": "pod", "operation": "list", "outcome": "answer"}
        await store.record_turn(
            {
                **common,
                "answered_from_cache": 1,
                "cache_lookups": 4,
                "cache_hits": 3,
                "non_llm_ms": 2.0,
                "prompt_tokens": 100,
            }
        )
        await store.record_turn(
            {
                **common,
                "answered_from_cache": 0,
                "cache_lookups": 1,
                "cache_hits": 0,
                "non_llm_ms": 100.0,
                "prompt_tokens": 300,
            }
        )
        await store.record_eval_run("dev.jsonl", "demo", "offline", {"context_accuracy": 0.9})
    from kcache.settings import Settings

    settings = Settings(cache_db_path=db)
    assert await stats.run(True, settings) == 0
    data = json.loads(capsys.readouterr().out)["kpis"]
    assert data["cache_hit_rate"]["value"] == pytest.approx(3 / 5)
    assert data["response_time_improvement"]["value"] == pytest.approx(0.98)
    assert data["context_accuracy"]["value"] == pytest.approx(0.9)
    assert data["prompt_tokens_per_turn"]["value"] == pytest.approx(200)
    assert await stats.run(False, settings) == 0
    text = capsys.readouterr().out
    assert "60.0%" in text and "cache hits / cache lookups" in text


def test_footer_and_describe_call() -> None:
    cached = {"answered_from_cache": True, "data_age_s": 4.2, "cache_lookups": 3, "cache_hits": 3}
    assert prompts.footer(cached) == "(answered from cache, data age 4s; cache lookups 3, hits 3)"
    planned = {"answered_from_cache": False, "tool": "resources_scale", "executed": False}
    assert prompts.footer(planned) == "(planned resources_scale)"
    text = prompts.describe_call(
        {"tool": "resources_scale", "args": {"name": "currencyservice", "scale": 2}, "summary": "Scale it"}
    )
    assert "Scale it" in text and '"scale": 2' in text and "resources_scale" in text


class _S(TypedDict, total=False):
    query: str
    messages: list[Any]
    steps: list[str]
    record: dict[str, Any]
    answer: str


def _interrupting_graph() -> Any:
    """A real two-interrupt graph (clarify, then approve) standing in for the agent's protocol."""

    async def choose(state: _S) -> dict[str, Any]:
        picked = interrupt({"type": "clarify", "question": "Which?", "candidates": ["a/x", "b/x"]})
        return {"record": {"params": {"namespace": picked["choice"].split("/")[0]}}}

    async def approve(state: _S) -> dict[str, Any]:
        decision = interrupt({"type": "approval", "tool": "t", "args": {"n": 1}, "summary": "do it"})
        record = {**state["record"], "executed": bool(decision["approved"]), "by": decision["by"]}
        return {"record": record, "answer": "done" if decision["approved"] else "not run"}

    builder = StateGraph(_S)
    builder.add_node(choose)
    builder.add_node(approve)
    builder.add_edge(START, "choose")
    builder.add_edge("choose", "approve")
    builder.add_edge("approve", END)
    return builder.compile(checkpointer=InMemorySaver())


async def test_run_turn_resumes_each_interrupt_with_the_decision() -> None:
    seen: list[str] = []

    async def on_clarify(payload: dict[str, Any]) -> dict[str, Any]:
        seen.append(payload["type"])
        return {"choice": payload["candidates"][1]}

    async def on_approval(payload: dict[str, Any]) -> dict[str, Any]:
        seen.append(payload["type"])
        return {"approved": False, "by": "test"}

    result = await run.run_turn(
        _interrupting_graph(),
        "q",
        thread_id="t1",
        context=None,
        on_approval=on_approval,
        on_clarify=on_clarify,
    )
    assert seen == ["clarify", "approval"]
    assert result.record == {"params": {"namespace": "b"}, "executed": False, "by": "test"}
    assert result.answer == "not run"
    assert result.refused is not None and result.approved is None and result.stopped_at is None


async def test_run_turn_stops_when_no_choice_is_made() -> None:
    async def no_choice(payload: dict[str, Any]) -> None:
        return None

    result = await run.run_turn(
        _interrupting_graph(), "q", thread_id="t2", context=None, on_approval=no_choice, on_clarify=no_choice
    )
    assert result.stopped_at is not None and result.stopped_at["candidates"] == ["a/x", "b/x"]
    assert result.answer == ""


def test_tools_says_what_each_server_cannot_give() -> None:
    from kcache.registry.loaded import Registry
    from kcache_cli.commands.tools import gaps

    data = Path(__file__).parent / "data" / "mcp-tools"

    def registry(name: str) -> Registry:
        return Registry.from_tools(name, json.loads((data / name).read_text())["tools"])

    assert gaps(registry("kubernetes-mcp-server-0.0.67.json"), {}) == []
    assert gaps(registry("mcp-server-kubernetes-4.1.7.json"), {}) == ["no top tool for pods"]
    k8s = gaps(registry("k8s-mcp-2026.5.27.147-all-modules.json"), {"pods": "labels unavailable"})
    assert "pods: labels unavailable" in k8s
    assert any(line.startswith("no tool lists cronjobs") for line in k8s)
