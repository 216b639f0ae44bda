"""Decode tool output text into data: JSON, YAML, or a kubectl-style table with a header row."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml
import yaml_rs

from kcache.errors import ParseError

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # PyYAML built without libyaml: same behaviour, slower.
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    """Safe YAML loader that leaves timestamps as the strings the API served."""


# Without this, unquoted timestamps would come back as datetime objects, and records would
# hold a different text than the server sent.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

_EXCERPT_CHARS = 120
# A header cell is upper case, may hold single spaces ("NOMINATED NODE"); cells are apart
# by two or more spaces, as kubectl's tab writer pads them.
_HEADER_LINE = re.compile(r"^[A-Z][A-Z0-9()%_./-]*(?: +[A-Z][A-Z0-9()%_./-]*)*\s*$")
_HEADER_CELL = re.compile(r"\S+(?: \S+)*")


@dataclass(frozen=True)
class Table:
    """Rows of a kubectl-style table, each a mapping from header cell to row cell."""

    columns: tuple[str, ...]
    rows: list[dict[str, str]]


def excerpt(text: str) -> str:
    """A short quoted excerpt of bad text for error messages."""
    flat = text.strip()
    if len(flat) > _EXCERPT_CHARS:
        flat = flat[:_EXCERPT_CHARS] + "..."
    return repr(flat)


# Fields servers wrap a text result in: mcp-server-kubernetes' kubectl_logs answers
# {"name": ..., "namespace": ..., "logs": "line\nline"}.
_PAYLOAD_KEYS = ("logs", "log", "output", "stdout", "text", "content", "result")


def unwrap_text(text: str, *, named_only: bool = False) -> str:
    """The text a JSON-wrapped result carries, or ``text`` itself when it is not one.

    A wrapped result is a JSON object of scalars whose one text payload is named by a
    payload key (``logs``, ``output``...) or, unless ``named_only``, is its one multi-line
    string.
    """
    stripped = text.strip()
    if not stripped.startswith("{"):
        return text
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError:
        return text
    if not isinstance(data, dict) or any(isinstance(v, dict | list) for v in data.values()):
        return text
    strings = {str(k): v for k, v in data.items() if isinstance(v, str)}
    named = [strings[key] for key in _PAYLOAD_KEYS if key in strings]
    if named or named_only:
        return named[0] if named else text
    lines = [v for v in strings.values() if "\n" in v.strip()]
    return lines[0] if len(lines) == 1 else text


def decode(text: str, *, expected: str) -> Any:
    """Decode tool output into JSON/YAML data or a :class:`Table`.

    Args:
        text: The tool's text output.
        expected: What the caller expects, named in error messages.

    Raises:
        ParseError: The text is empty, or neither JSON, YAML nor a table.
    """
    stripped = text.strip()
    if not stripped:
        raise ParseError(f"expected {expected}, got an empty string")
    if stripped[0] in "[{":
        payload = unwrap_text(stripped, named_only=True)
        if payload is not stripped and payload.strip():
            return decode(payload, expected=expected)
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            pass  # YAML flow style also starts this way; YAML gets its turn below.
    table = parse_table(stripped)
    if table is not None:
        return table
    try:
        # yaml-rs (Rust) reads a 10,000-pod listing several times faster than PyYAML's C loader;
        # timestamps stay the strings the API served.
        return yaml_rs.loads(stripped, parse_datetime=False)
    except (yaml_rs.YAMLDecodeError, ValueError):
        pass  # PyYAML (YAML 1.1, duplicate keys allowed) gets its turn, and explains failures.
    try:
        return yaml.load(stripped, Loader=_Loader)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ParseError(
            f"expected {expected}, got text that is neither JSON, YAML nor a table "
            f"({problem}): {excerpt(stripped)}"
        ) from exc


def parse_table(text: str) -> Table | None:
    """Parse a kubectl-style table whose first line is an upper-case header with NAME.

    Returns None when the text does not start with such a header, so that other formats get
    their turn.

    Raises:
        ParseError: A row does not line up with the header's columns.
    """
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    if not lines or not _HEADER_LINE.match(lines[0]):
        return None
    header = lines[0]
    cells = list(_HEADER_CELL.finditer(header))
    columns = tuple(cell.group() for cell in cells)
    if "NAME" not in columns:
        return None
    starts = [cell.start() for cell in cells]
    rows: list[dict[str, str]] = []
    for line in lines[1:]:
        if not line.strip():
            continue
        for start in starts[1:]:
            if start < len(line) and line[start - 1] != " ":
                raise ParseError(
                    f"expected table rows aligned with the header {header.strip()!r}, got {excerpt(line)}"
                )
        bounds = [*starts[1:], None]
        rows.append(
            {
                column: line[start:end].strip()
                for column, start, end in zip(columns, starts, bounds, strict=True)
            }
        )
    return Table(columns=columns, rows=rows)
