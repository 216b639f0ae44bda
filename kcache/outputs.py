"""Tool output made safe to show: parsed through the whitelist, or quoted as cluster text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from kcache.access import EVERYTHING, Grant
from kcache.answer import compact, kept_by_grep, object_detail, quoted, table
from kcache.errors import ParseError
from kcache.mcp import ToolResult
from kcache.model import KINDS
from kcache.parsing import parse_list, parse_object
from kcache.parsing.decode import unwrap_text
from kcache.redaction import redact
from kcache.registry.capability import ToolCapability
from kcache.writes import call_target


def log_lines(text: str, understanding: Mapping[str, Any]) -> str:
    """Log lines as shown: those with ``grep`` and without ``grep_out``, the last ``tail`` of them."""
    lines = [line for line in text.splitlines() if line.strip()]
    wanted, unwanted = understanding.get("grep"), understanding.get("grep_out")
    if wanted:
        lines = kept_by_grep(lines, str, wanted, None)
        if not lines:
            return f"(no log line contains {wanted!r})"
    if unwanted:
        lines = kept_by_grep(lines, str, None, unwanted)
        if not lines:
            return f"(every log line contains {unwanted!r})"
    tail = understanding.get("tail")
    if tail:
        lines = lines[-int(tail) :]
    return quoted("\n".join(lines), 60) if lines else "(no log lines)"


NOT_SHOWN = "error: not found"
"""A read's output the asker may not read: the same words whether it exists or not."""


def digest(
    result: ToolResult,
    cap: ToolCapability,
    understanding: Mapping[str, Any],
    *,
    grant: Grant = EVERYTHING,
    args: Mapping[str, Any] | None = None,
) -> str:
    """What of a tool's output may reach the LLM, the answer and the state.

    ``grant`` is what the turn's asker may read (the scanner: everything) and ``args`` the
    call's: a listed row, a described object, logs or metrics of a scope the asker may not
    read are never shown, whatever the call returned.
    """
    if result.is_error:
        return "error: " + redact(result.text.strip()[:500])
    ops = set(cap.operation_types)
    if cap.writes or cap.destructive:
        # A write's output may echo the object (a deleted Secret with its data): never pass it on.
        return f"{cap.name} completed"
    # Shown text is the payload, not its JSON wrapper ({"logs": "line\nline"} as one line).
    text = unwrap_text(result.text)
    kind = understanding.get("resource", "")
    if ops & {"logs", "top"}:
        # Text about one scope: shown only when the asker may read the kind there.
        target = call_target(cap, dict(args or {}))
        of = target.kind or ("pod" if "logs" in ops else kind)
        if not grant.everything and (of not in KINDS or not grant.may_read(of, target.namespace)):
            return NOT_SHOWN
        if "logs" in ops:
            return log_lines(redact(text), understanding)
        return quoted(redact(text), 60)
    if kind not in KINDS:
        return quoted(redact(text), 40) if grant.everything else NOT_SHOWN
    try:
        if "list" in ops:
            items = parse_list(result.text, kind=kind, structured=result.structured)
            items = [i for i in items if grant.visible(i.kind, i.namespace, i.name)]
            return f"{len(items)} {kind}(s)\n" + table([compact(i) for i in items])
        one = parse_object(result.text, kind=kind, structured=result.structured)
        if not grant.visible(one.kind, one.namespace, one.name):
            return NOT_SHOWN
        shown = object_detail(understanding.get("language", "en"), one)
        if kind == "configmap" and understanding.get("wants_content"):
            # A ConfigMap's values asked for: quoted as cluster text (never a Secret's).
            shown += "\n" + _configmap_data(text)
        return shown
    except ParseError as exc:
        return f"error: the output of {cap.name} could not be parsed ({exc})"


def _configmap_data(text: str) -> str:
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return "(the data could not be read)"
    data = loaded.get("data") if isinstance(loaded, dict) else None
    if not isinstance(data, dict) or not data:
        return "(no data)"
    return quoted(redact("\n".join(f"{k}: {v}" for k, v in data.items())), 60)
