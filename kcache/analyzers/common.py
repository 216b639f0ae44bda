"""Small readers of cached fields that several analyzers share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kcache.model import Resource

MAX_EVENTS = 3


def condition(r: Resource, kind: str) -> dict[str, Any] | None:
    """The condition of that type from ``fields["conditions"]``, or None."""
    for c in r.fields.get("conditions") or ():
        if isinstance(c, dict) and c.get("type") == kind:
            return c
    return None


def condition_line(c: Mapping[str, Any]) -> str:
    """``condition PodScheduled=False (Unschedulable): "0/3 nodes are available ..."``."""
    line = f"condition {c.get('type')}={c.get('status')}"
    if c.get("reason"):
        line += f" ({c['reason']})"
    if c.get("message"):
        line += f': "{c["message"]}"'
    return line


def event_line(e: Resource) -> str:
    """``event BackOff ×12: "Back-off restarting failed container"``."""
    f = e.fields
    count = f.get("count") or 1
    times = f" ×{count}" if count > 1 else ""
    return f'event {f.get("reason")}{times}: "{f.get("message")}"'


def event_lines(
    events: Iterable[Resource], reasons: Iterable[str] | None = None, limit: int = MAX_EVENTS
) -> list[str]:
    """Evidence lines of (at most ``limit``) events, only those of ``reasons`` when given."""
    wanted = set(reasons) if reasons is not None else None
    chosen = [e for e in events if wanted is None or e.fields.get("reason") in wanted]
    return [event_line(e) for e in chosen[:limit]]


def count(n: int, word: str) -> str:
    """``1 pod``, ``3 pods``: an English count with its noun."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def selector_text(selector: Mapping[str, str]) -> str:
    """``app=web,tier=front``."""
    return ",".join(f"{k}={v}" for k, v in sorted(selector.items()))


def tolerates(tolerations: Iterable[Mapping[str, Any]], taint: Mapping[str, Any]) -> bool:
    """Whether any toleration tolerates the taint (Kubernetes' matching rules)."""
    for tol in tolerations:
        effect = tol.get("effect")
        if effect and effect != taint.get("effect"):
            continue
        key = tol.get("key")
        if tol.get("operator") == "Exists":
            if not key or key == taint.get("key"):
                return True
        elif key == taint.get("key") and (tol.get("value") or None) == (taint.get("value") or None):
            return True
    return False


def quantity(text: Any) -> float:
    """A Kubernetes quantity (``250m``, ``64Mi``, ``1.5G``) as a number; 0 when unreadable."""
    s = str(text or "").strip()
    if not s:
        return 0.0
    suffixes = {
        "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
        "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
    }  # fmt: skip
    for suffix in sorted(suffixes, key=len, reverse=True):
        if s.endswith(suffix):
            try:
                return float(s[: -len(suffix)]) * suffixes[suffix]
            except ValueError:
                return 0.0
    try:
        return float(s)
    except ValueError:
        return 0.0
