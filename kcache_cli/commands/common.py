"""What the sub-commands share: writing to the terminal, tables, opening the holder."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, TextIO


def echo(text: str = "", *, err: bool = False) -> None:
    """Write one line of the command's own output (stdout, or stderr with ``err``)."""
    stream: TextIO = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """An aligned plain-text table (no borders; columns separated by two spaces)."""
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in cells]
    return "\n".join(lines)


def age_text(seconds: float | None) -> str:
    """A data age for people: ``4s``, ``3m 12s``, ``2h 5m``; ``unknown`` when None."""
    if seconds is None:
        return "unknown"
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60}s"
    return f"{s // 3600}h {(s % 3600) // 60}m"
