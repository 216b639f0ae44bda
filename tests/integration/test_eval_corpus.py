"""`python -m evals corpus` on the tenants cluster: both halves run, tabulated per category."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from evals.report import load_dataset
from tests.support.cli import CANARY, kcache_env

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
OWN = ROOT / "evals" / "datasets" / "own"


def test_corpus_runs_both_halves_and_tabulates_each_category(tmp_path: Path) -> None:
    out = tmp_path / "corpus.json"
    done = subprocess.run(
        [sys.executable, "-m", "evals", "corpus", "--cluster", "tenants", "--json-out", str(out)],
        env=kcache_env(tmp_path, tmp_path / "unused-kubeconfig"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    # 2 means that some case raised inside the agent: reported, and still scored as failed.
    assert done.returncode in (0, 2), done.stdout + done.stderr
    halves = {half: load_dataset(OWN / f"tenants-{half}.jsonl") for half in ("tune", "test")}
    counts = {half: Counter(c["category"] for c in cases) for half, cases in halves.items()}
    report = json.loads(out.read_text(encoding="utf-8"))
    table = report["table"]
    assert set(table["categories"]) == set(counts["tune"]) | set(counts["test"])
    for category, row in table["categories"].items():
        for half in ("tune", "test"):
            assert row[half]["cases"] == counts[half][category], (category, half)
            assert 0 <= row[half]["passed"] <= row[half]["cases"]
        assert row["cases"] == counts["tune"][category] + counts["test"][category]
    overall = table["overall"]
    assert overall["cases"] == sum(len(cases) for cases in halves.values())
    for half in ("tune", "test"):
        (run,) = report["reports"][half]
        assert run["cluster"] == "tenants" and len(run["cases"]) == len(halves[half])
        assert overall[half]["passed"] == sum(1 for c in run["cases"] if c["pass"])
        assert sum(r["cases"] for r in run["by_category"].values()) == len(halves[half])
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["category", "cases", "tune", "test", "gap"]
    assert next(line for line in lines if line.startswith("overall")).split()[1] == str(overall["cases"])
    assert CANARY not in out.read_bytes()
