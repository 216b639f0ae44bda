"""The eval runner: a dataset of questions against a cluster folder, through the real agent.

For one run it starts devcluster on the cluster folder, opens kcache on a temporary
kubeconfig and cache database with the TTLs pinned (nothing expires during the run),
refreshes both tiers, and runs every case through the agent graph with
``Context(dry_run=True)``: writes are planned, never executed, whatever the approval
setting. A clarification stops the case (outcome ``clarify``). The report has the shape
of the eval datasets' README; :mod:`evals.report` scores it.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.report import HALVES, build_report, corpus_table, load_dataset
from evals.scorer import score_case
from kcache import runtime
from kcache.errors import ConfigError
from kcache.settings import PROJECT_ROOT, Settings
from kcache.store import Store

PINNED_TTL_S = 86_400
"""CACHE_STATIC_TTL and CACHE_DYNAMIC_TTL during a run: a day, so nothing expires mid-run."""
CLUSTER_FOLDERS = (PROJECT_ROOT / "devcluster" / "clusters", PROJECT_ROOT / "evals" / "clusters")
"""Where a cluster given by name (``demo``, ``dataplat``) is looked up."""
DATASETS_DIR = PROJECT_ROOT / "evals" / "datasets"
"""The datasets and their ``index.json`` (dataset file, relative to this folder → cluster name)."""
OWN_CORPUS = "own"
"""The own corpus's folder under :data:`DATASETS_DIR`: ``<cluster>-tune.jsonl`` and ``<cluster>-test.jsonl``."""


@dataclass(kw_only=True)
class EvalRun:
    """A finished run: the report, and what went wrong outside the scoring."""

    report: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    """Cases that raised, and forbidden strings found in the cache: reasons to exit non-zero."""


def resolve_cluster(cluster: str | Path) -> Path:
    """A cluster folder as given, or by name under devcluster/clusters or evals/clusters."""
    path = Path(cluster)
    if path.is_dir():
        return path
    for folder in CLUSTER_FOLDERS:
        if (folder / str(cluster)).is_dir():
            return folder / str(cluster)
    raise ConfigError(
        f"cluster {str(cluster)!r} is not a folder of manifests "
        f"(nor a name under {', '.join(str(f) for f in CLUSTER_FOLDERS)})"
    )


def pinned_settings(settings: Settings, folder: Path) -> Settings:
    """The run's settings: temporary kubeconfig and database, TTLs pinned, cluster from the kubeconfig."""
    return dataclasses.replace(
        settings,
        cache_db_path=folder / "cache.db",
        kubeconfig=folder / "kubeconfig",
        cluster_name=None,
        cache_static_ttl=PINNED_TTL_S,
        cache_dynamic_ttl=PINNED_TTL_S,
    )


def _leaks(folder: Path, strings: set[str]) -> list[str]:
    """Forbidden strings (a case's answer_excludes) found in the run's database files."""
    found = []
    for path in sorted(folder.glob("cache.db*")):
        data = path.read_bytes()
        for text in sorted(strings):
            if text.lower().encode("utf-8") in data.lower():
                found.append(f"{text!r} found in {path.name}")
    return found


async def _run_case(agent: Any, query: str) -> tuple[dict[str, Any], bool]:
    """One case through the agent; returns its record and whether the harness completed it."""
    from graph.run import run_turn
    from kcache.context import Context

    async def never_approve(payload: dict[str, Any]) -> dict[str, Any]:
        return {"approved": False, "by": "eval harness (never executes writes)"}

    async def stop(payload: dict[str, Any]) -> None:
        return None

    result = await run_turn(
        agent,
        query,
        thread_id=str(uuid.uuid4()),
        context=Context(dry_run=True),
        on_approval=never_approve,
        on_clarify=stop,
    )
    record = dict(result.record)
    completed = False
    if result.stopped_at is not None and record.get("outcome") != "clarify":
        # The turn stopped at the clarification before the agent wrote its record's outcome.
        payload = result.stopped_at
        record["outcome"] = "clarify"
        record.setdefault("candidates", [str(c) for c in payload.get("candidates") or []])
        record.setdefault("answer", str(payload.get("question") or ""))
        completed = True
    return record, completed


async def run_eval(
    dataset: str,
    cluster: str,
    *,
    settings: Settings,
    progress: Callable[[str], None] | None = None,
) -> EvalRun:
    """Run every case of ``dataset`` against the cluster folder ``cluster``; score and report.

    Args:
        dataset: The JSONL dataset file (reported as given).
        cluster: The cluster folder or its name (reported as given).
        settings: The configuration; its provider is the one used, the database path is where
            the run's metrics are recorded for ``kcache stats``.
        progress: Called with one line per case as it finishes.
    """
    from devcluster import DevCluster
    from graph.run import compile_agent_for_turns, run_refresh

    cases = load_dataset(dataset)
    cluster_dir = resolve_cluster(cluster)
    settings.require_llm()
    errors: list[str] = []
    notes = [
        f"CACHE_STATIC_TTL and CACHE_DYNAMIC_TTL pinned to {PINNED_TTL_S} s for the run, so nothing "
        "expired during it",
        "every case ran with Context(dry_run=True): writes were planned and never executed",
    ]
    scored: list[dict[str, Any]] = []
    completed_by_harness = 0
    with tempfile.TemporaryDirectory(prefix="kcache-eval-") as tmp:
        folder = Path(tmp)
        run_settings = pinned_settings(settings, folder)
        with DevCluster(cluster_dir) as dc:
            dc.write_kubeconfig(folder / "kubeconfig")
            async with runtime.open(run_settings, kubeconfig=folder / "kubeconfig") as kc:
                server = kc.mcp.server_label
                final = await run_refresh(kc, "all", lambda line: None)
                for tier, summary in (final.get("results") or {}).items():
                    for scope, error in (summary.get("failed") or {}).items():
                        notes.append(f"initial refresh: {tier} scope {scope} failed: {error}")
                agent = compile_agent_for_turns(kc)
                for case in cases:
                    start = time.perf_counter()
                    try:
                        record, completed = await _run_case(agent, case["query"])
                    except Exception as exc:  # noqa: BLE001 - reported as an error of the run, not hidden
                        record, completed = (
                            {"outcome": "error", "error": f"{type(exc).__name__}: {exc}"},
                            False,
                        )
                        errors.append(f"{case['id']}: {type(exc).__name__}: {exc}")
                    latency = round((time.perf_counter() - start) * 1000, 1)
                    completed_by_harness += completed
                    entry: dict[str, Any] = {
                        "id": case["id"],
                        "query": case["query"],
                        "expect": case["expect"],
                        "record": record,
                        "latency_ms": latency,
                    }
                    if "category" in case:
                        entry["category"] = case["category"]
                    scored.append(entry)
                    if progress is not None:
                        passed, failed = score_case(case["expect"], record)
                        progress(
                            f"{case['id']:<16} {'pass' if passed else 'FAIL'}  {latency:>8.1f} ms"
                            + (f"  [{failed}]" if failed else "")
                        )
        forbidden = {s for c in cases for s in c["expect"].get("answer_excludes") or []}
        leaks = _leaks(folder, forbidden)
        errors.extend(f"forbidden string in the cache: {leak}" for leak in leaks)
    if completed_by_harness:
        notes.append(
            f"{completed_by_harness} case(s) stopped at a clarification before the agent's record had "
            "its outcome: the harness set outcome 'clarify' and the candidates from the interrupt"
        )
    notes.extend(f"error: {e}" for e in errors)
    report = build_report(dataset, cluster, settings.llm_provider, server, scored, notes)
    async with Store(
        settings.cache_db_path, timeout=settings.cache_db_timeout, key=settings.cache_db_key
    ) as store:
        await store.record_eval_run(dataset, cluster, settings.llm_provider, report["metrics"])
    return EvalRun(report=report, errors=errors)


def write_report(report: dict[str, Any], path: Path) -> None:
    """Write the report as UTF-8 JSON (non-ASCII queries kept readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def own_datasets(datasets_dir: Path = DATASETS_DIR) -> dict[str, dict[str, Path]]:
    """The own corpus as registered in ``index.json``: cluster → half (``tune``/``test``) → file.

    Raises:
        ConfigError: an own dataset whose name does not end in ``-tune`` or ``-test``, or whose
            file name does not start with its cluster's name.
    """
    index: dict[str, str] = json.loads((datasets_dir / "index.json").read_text(encoding="utf-8"))
    found: dict[str, dict[str, Path]] = {}
    for name, cluster in index.items():
        path = Path(name)
        if path.parts[:1] != (OWN_CORPUS,):
            continue
        stem, _, half = path.stem.rpartition("-")
        if half not in HALVES or stem != cluster:
            raise ConfigError(
                f"own dataset {name!r} (cluster {cluster!r}) must be named "
                f"{OWN_CORPUS}/{cluster}-tune.jsonl or {OWN_CORPUS}/{cluster}-test.jsonl"
            )
        found.setdefault(cluster, {})[half] = datasets_dir / path
    return found


@dataclass(kw_only=True)
class CorpusRun:
    """Every own dataset of both halves run on its cluster: the reports and the category table."""

    reports: dict[str, list[dict[str, Any]]]
    """Per half, the report of each cluster's dataset."""
    table: dict[str, Any]
    """:func:`evals.report.corpus_table` of the reports."""
    errors: list[str] = field(default_factory=list)


async def run_corpus(
    *,
    settings: Settings,
    clusters: list[str] | None = None,
    datasets_dir: Path = DATASETS_DIR,
    progress: Callable[[str], None] | None = None,
    case_progress: Callable[[str], None] | None = None,
) -> CorpusRun:
    """Run both halves of the own corpus, cluster by cluster, and tabulate pass rates per category.

    Args:
        settings: As for :func:`run_eval`.
        clusters: Only these clusters' datasets (all when None).
        datasets_dir: The folder holding ``index.json`` and the own corpus.
        progress: Called with one line per finished dataset.
        case_progress: Called with one line per finished case, as by :func:`run_eval`.

    Raises:
        ConfigError: a requested cluster has no own dataset.
    """
    own = own_datasets(datasets_dir)
    wanted = sorted(own) if clusters is None else clusters
    missing = [c for c in wanted if c not in own]
    if missing:
        raise ConfigError(f"no own dataset for cluster(s) {missing}; registered: {sorted(own)}")
    reports: dict[str, list[dict[str, Any]]] = {half: [] for half in HALVES}
    errors: list[str] = []
    for cluster in wanted:
        for half in HALVES:
            path = own[cluster].get(half)
            if path is None:
                continue
            run = await run_eval(str(path), cluster, settings=settings, progress=case_progress)
            reports[half].append(run.report)
            errors.extend(f"{path.name}: {e}" for e in run.errors)
            if progress is not None:
                cases = run.report["cases"]
                passed = sum(1 for c in cases if c["pass"])
                progress(f"{path.relative_to(datasets_dir)} on {cluster}: passed {passed}/{len(cases)}")
    return CorpusRun(reports=reports, table=corpus_table(reports), errors=errors)
