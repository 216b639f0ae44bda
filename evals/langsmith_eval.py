"""The eval datasets through LangSmith's ``aevaluate``, scored by the same rules as ``kcache eval``.

Each case runs through the agent with ``Context(dry_run=True)`` (writes are planned, never
executed) under an opened kcache holder; five evaluators built on :mod:`evals.scorer` score
intent, tool, parameters (context accuracy), outcome and answer.

Offline (the default) nothing leaves the machine: examples are ``langsmith.schemas.Example``
objects and ``upload_runs=False``. With ``LANGSMITH_API_KEY`` set the dataset is created in
LangSmith (once, named ``kcache-<dataset stem>``) and the experiment and its scores are
uploaded there::

    python -m evals.langsmith_eval evals/datasets/dev.jsonl --cluster demo            # offline
    LANGSMITH_API_KEY=lsv2_... python -m evals.langsmith_eval evals/datasets/dev.jsonl  # uploads
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import uuid
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from langsmith import Client
from langsmith.evaluation import aevaluate
from langsmith.evaluation._arunner import AsyncExperimentResults
from langsmith.schemas import Example, LangSmithInfo, Run

from evals.harness import _run_case, pinned_settings, resolve_cluster
from evals.report import load_dataset
from evals.scorer import check_results, params_correct

OFFLINE_DATASET_ID = uuid.UUID(int=0)
"""The dataset id given to offline examples (they belong to no LangSmith dataset)."""

Target = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def to_examples(cases: Sequence[Mapping[str, Any]]) -> list[Example]:
    """Dataset cases as LangSmith examples: the query as input, the expectations as reference."""
    now = datetime.now(UTC)
    return [
        Example(
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"kcache-eval/{case['id']}"),
            dataset_id=OFFLINE_DATASET_ID,
            inputs={"query": case["query"]},
            outputs={"expect": case["expect"]},
            metadata={"case_id": case["id"]},
            created_at=now,
            modified_at=now,
        )
        for case in cases
    ]


def offline_client() -> Client:
    """A client that sends nothing: ``aevaluate`` traces its target even with ``upload_runs=False``.

    Known server info skips the ``GET /info`` probe, and a sampling rate of 0 drops every run.
    No background sender either (``auto_batch_tracing=False``): langsmith's sender thread
    reads the server's ``instance_flags`` on start and, finding no ``zstd_compression_enabled``
    in the empty info, warns "Run compression is not enabled. Please update to the latest
    version of LangSmith" (``langsmith/_internal/_background_thread.py``) about a server
    that does not exist.
    """
    return Client(
        api_url="http://127.0.0.1:9",
        api_key="offline",
        info=LangSmithInfo(),
        tracing_sampling_rate=0.0,
        auto_batch_tracing=False,
    )


def make_target(agent: Any) -> Target:
    """The function ``aevaluate`` calls: one case through the agent, returning its record."""

    async def kcache_agent(inputs: dict[str, Any]) -> dict[str, Any]:
        record, _ = await _run_case(agent, str(inputs["query"]))
        return {"record": record}

    return kcache_agent


def _record_and_expect(run: Run, example: Example | None) -> tuple[dict[str, Any], dict[str, Any]]:
    record = (run.outputs or {}).get("record") or {}
    expect = ((example.outputs if example is not None else None) or {}).get("expect") or {}
    return dict(record), dict(expect)


def _score(key: str, checks: dict[str, bool | None], names: Sequence[str]) -> dict[str, Any]:
    """All applicable checks of ``names`` held (1) or not (0); None when none applies."""
    applicable = [checks[n] for n in names if checks[n] is not None]
    return {"key": key, "score": None if not applicable else int(all(applicable))}


def intent_evaluator(run: Run, example: Example | None) -> dict[str, Any]:
    """Intent, resource and operation as expected."""
    record, expect = _record_and_expect(run, example)
    return _score("intent", check_results(expect, record), ("intent", "resource", "operation"))


def tool_evaluator(run: Run, example: Example | None) -> dict[str, Any]:
    """The chosen tool is one of the accepted ones (not applicable when answered from the cache)."""
    record, expect = _record_and_expect(run, example)
    return _score("tool", check_results(expect, record), ("tools",))


def parameters_evaluator(run: Run, example: Example | None) -> dict[str, Any]:
    """Context accuracy: the share of expected parameters resolved correctly."""
    record, expect = _record_and_expect(run, example)
    correct, total = params_correct(expect, record)
    return {"key": "parameters", "score": correct / total if total else None}


def outcome_evaluator(run: Run, example: Example | None) -> dict[str, Any]:
    """The turn ended as expected (answer, confirm, clarify, not_found, refuse)."""
    record, expect = _record_and_expect(run, example)
    return _score("outcome", check_results(expect, record), ("outcome",))


def answer_evaluator(run: Run, example: Example | None) -> dict[str, Any]:
    """The answer holds what it must, leaks nothing it must not, and offers the right candidates."""
    record, expect = _record_and_expect(run, example)
    checks = check_results(expect, record)
    return _score("answer", checks, ("answer_contains", "answer_excludes", "candidates"))


EVALUATORS = (intent_evaluator, tool_evaluator, parameters_evaluator, outcome_evaluator, answer_evaluator)


async def evaluate_cases(
    cases: Sequence[Mapping[str, Any]],
    agent: Any,
    *,
    client: Client | None = None,
    dataset_name: str | None = None,
    experiment_prefix: str = "kcache",
) -> AsyncExperimentResults:
    """Run ``cases`` through ``agent`` (kcache's holder must be open) and score them.

    Args:
        cases: Dataset cases (``id``, ``query``, ``expect``).
        agent: The compiled agent graph, with a checkpointer.
        client: A LangSmith client; given with ``dataset_name``, results are uploaded.
        dataset_name: The LangSmith dataset to evaluate against (created from ``cases`` if missing).
        experiment_prefix: The experiment's name prefix in LangSmith.
    """
    target = make_target(agent)
    if client is None or dataset_name is None:
        with warnings.catch_warnings():
            # upload_runs=False is what keeps an offline run offline; its beta notice says nothing here.
            warnings.filterwarnings(
                "ignore", message="'upload_runs' parameter is in beta", category=UserWarning
            )
            return await aevaluate(
                target,
                data=to_examples(cases),
                evaluators=list(EVALUATORS),
                experiment_prefix=experiment_prefix,
                max_concurrency=1,
                client=client or offline_client(),
                upload_runs=False,
            )
    if not client.has_dataset(dataset_name=dataset_name):
        dataset = client.create_dataset(dataset_name, description="kcache eval cases")
        client.create_examples(
            dataset_id=dataset.id,
            examples=[
                {"inputs": e.inputs, "outputs": e.outputs, "metadata": e.metadata} for e in to_examples(cases)
            ],
        )
    return await aevaluate(
        target,
        data=dataset_name,
        evaluators=list(EVALUATORS),
        experiment_prefix=experiment_prefix,
        max_concurrency=1,
        client=client,
    )


async def run(dataset: str, cluster: str, *, limit: int | None = None) -> dict[str, float | None]:
    """Start devcluster on ``cluster``, open kcache on it, evaluate ``dataset``; mean score per key."""
    from devcluster import DevCluster
    from graph.run import compile_agent_for_turns, run_refresh
    from kcache import runtime
    from kcache.settings import Settings

    cases = load_dataset(dataset)[:limit]
    settings = Settings.from_env()
    settings.require_llm()
    upload = bool(os.environ.get("LANGSMITH_API_KEY"))
    client = Client() if upload else None
    with tempfile.TemporaryDirectory(prefix="kcache-langsmith-") as tmp:
        folder = Path(tmp)
        with DevCluster(resolve_cluster(cluster)) as dc:
            dc.write_kubeconfig(folder / "kubeconfig")
            async with runtime.open(
                pinned_settings(settings, folder), kubeconfig=folder / "kubeconfig"
            ) as kc:
                await run_refresh(kc, "all", lambda line: None)
                results = await evaluate_cases(
                    cases,
                    compile_agent_for_turns(kc),
                    client=client,
                    dataset_name=f"kcache-{Path(dataset).stem}" if upload else None,
                )
    return mean_scores([r async for r in results])


def mean_scores(rows: Sequence[Mapping[str, Any]]) -> dict[str, float | None]:
    """The mean score of each evaluator over the rows of an experiment (None: never applicable)."""
    scores: dict[str, list[float]] = {e.__name__.removesuffix("_evaluator"): [] for e in EVALUATORS}
    for row in rows:
        for result in row["evaluation_results"]["results"]:
            if result.score is not None:
                scores.setdefault(result.key, []).append(float(result.score))
    return {k: (sum(v) / len(v) if v else None) for k, v in scores.items()}


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m evals.langsmith_eval [--dataset] DATASET [--cluster NAME] [--limit N]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dataset", nargs="?", help="a JSONL dataset, e.g. evals/datasets/dev.jsonl")
    parser.add_argument("--dataset", dest="dataset_option", metavar="DATASET", help="the same, as an option")
    parser.add_argument("--cluster", default="demo", help="a cluster name or directory (default demo)")
    parser.add_argument("--limit", type=int, default=None, help="evaluate the first N cases only")
    args = parser.parse_args(argv)
    if args.dataset and args.dataset_option and args.dataset != args.dataset_option:
        parser.error(f"two datasets given: {args.dataset} and --dataset {args.dataset_option}")
    dataset = args.dataset or args.dataset_option
    if not dataset:
        parser.error("a dataset is required: DATASET or --dataset DATASET")
    for key, score in asyncio.run(run(dataset, args.cluster, limit=args.limit)).items():
        print(f"{key:<12} {'n/a' if score is None else f'{score:.3f}'}")  # noqa: T201


if __name__ == "__main__":
    main()
