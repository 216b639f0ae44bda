"""Every command README.md tells a user to type exists and takes the arguments it is shown with.

The README's fenced shell blocks are read line by line: ``make TARGET`` needs the target in
the Makefile; ``python -m MODULE ...`` and ``kcache ...`` must answer ``--help`` with exit 0
and parse their documented arguments (a dry run: the parser runs, the command does not).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
_FENCE = re.compile(r"^```(\w*)\s*$")
_SHELL = {"sh", "bash", "shell", "console"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# Runs the command's own entry point with argparse made to stop right after parsing.
_DRY = """
import argparse, runpy, sys
parse = argparse.ArgumentParser.parse_args
def dry(self, args=None, namespace=None):
    parse(self, args, namespace)  # a bad argument exits 2 here
    raise SystemExit(0)
argparse.ArgumentParser.parse_args = dry
module, *argv = sys.argv[1:]
sys.argv = [module, *argv]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def shell_lines(text: str) -> list[str]:
    """Command lines of the fenced shell blocks: comments cut, continuations joined."""
    lines: list[str] = []
    in_shell = in_block = False
    pending = ""
    for raw in text.splitlines():
        fence = _FENCE.match(raw.strip())
        if fence:
            in_block = not in_block
            in_shell = in_block and fence.group(1) in _SHELL
            continue
        if not in_shell:
            continue
        line = pending + raw.strip().removeprefix("$ ")
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def commands(text: str) -> list[list[str]]:
    """The documented commands, each as argv without its leading variable assignments."""
    out = []
    for line in shell_lines(text):
        argv = shlex.split(line)
        while argv and _ASSIGNMENT.match(argv[0]):
            argv.pop(0)
        if argv:
            out.append(argv)
    return out


def entry_point(argv: list[str]) -> tuple[str, list[str]] | None:
    """(module, args) for ``python -m MODULE`` and for ``kcache`` (its script runs kcache_cli.main)."""
    program = Path(argv[0]).name
    if program.startswith("python") and len(argv) > 2 and argv[1] == "-m":
        return argv[2], argv[3:]
    if program == "kcache":
        return "kcache_cli.main", argv[1:]
    return None


DOCUMENTED = commands(README.read_text())
RUNNABLE = [(argv, point) for argv in DOCUMENTED if (point := entry_point(argv)) is not None]
MAKE = [argv for argv in DOCUMENTED if argv[0] == "make"]


def test_the_readme_documents_commands_this_test_reads() -> None:
    assert any(point[0] == "evals.langsmith_eval" for _, point in RUNNABLE)
    assert {"demo", "test"} <= {target for argv in MAKE for target in argv[1:]}


@pytest.mark.parametrize("argv", MAKE, ids=shlex.join)
def test_each_make_target_exists(argv: list[str]) -> None:
    targets = set(re.findall(r"^([A-Za-z0-9_.-]+):", (ROOT / "Makefile").read_text(), re.MULTILINE))
    for target in (a for a in argv[1:] if not a.startswith("-") and "=" not in a):
        assert target in targets, f"README runs `{shlex.join(argv)}`, and the Makefile has no {target!r}"


@pytest.mark.parametrize(("argv", "point"), RUNNABLE, ids=[shlex.join(a) for a, _ in RUNNABLE])
def test_each_command_answers_help_and_parses_its_documented_arguments(
    argv: list[str], point: tuple[str, list[str]]
) -> None:
    module, args = point
    # kcache's help is per subcommand: `kcache ask --help`.
    subcommand = [a for a in args if not a.startswith("-")][:1] if module == "kcache_cli.main" else []
    help_args = ["-m", module, *subcommand, "--help"]
    shown = subprocess.run([sys.executable, *help_args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "usage:" in shown.stdout
    parsed = subprocess.run(
        [sys.executable, "-c", _DRY, module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert parsed.returncode == 0, f"`{shlex.join(argv)}` as the README shows it: {parsed.stderr}"


def test_a_wrong_argument_would_be_caught() -> None:
    """The dry run does reject what the parser rejects (the check above can fail)."""
    parsed = subprocess.run(
        [
            sys.executable,
            "-c",
            _DRY,
            "evals.langsmith_eval",
            "evals/datasets/dev.jsonl",
            "--no-such-option",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert parsed.returncode == 2 and "unrecognized arguments: --no-such-option" in parsed.stderr
