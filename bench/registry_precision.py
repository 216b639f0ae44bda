"""Precision of the tool classifier against the hand-labelled sample of real tool lists.

Run: ``python bench/registry_precision.py``. Prints, for kinds and operations, the share of
labelled tools whose set matches exactly and the share of predicted items that are right,
and, for the write and destructive flags, the share of tools classified correctly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kcache.registry import classify_all

DATA = Path(__file__).resolve().parent.parent / "tests" / "unit" / "data"


def precision(data: Path = DATA) -> dict[str, Any]:
    """Compare ``classify_all`` with ``tool_labels.json``; return the figures and misses."""
    labels = json.loads((data / "tool_labels.json").read_text())
    exact = {"kinds": 0, "operations": 0}
    items_right = {"kinds": 0, "operations": 0}
    items_predicted = {"kinds": 0, "operations": 0}
    flags_right = {"writes": 0, "destructive": 0}
    misses: list[str] = []
    total = 0
    for file, tools in labels.items():
        if file.startswith("_"):
            continue
        listed = json.loads((data / "mcp-tools" / file).read_text())["tools"]
        caps = {c.name: c for c in classify_all(listed)}
        for name, want in tools.items():
            cap = caps[name]
            total += 1
            got = {"kinds": set(cap.resource_types), "operations": set(cap.operation_types)}
            for field in ("kinds", "operations"):
                expected = set(want[field])
                items_predicted[field] += len(got[field])
                items_right[field] += len(got[field] & expected)
                if got[field] == expected:
                    exact[field] += 1
                else:
                    misses.append(f"{file}:{name} {field} {sorted(got[field])} != {sorted(expected)}")
            for flag in ("writes", "destructive"):
                if getattr(cap, flag) == want[flag]:
                    flags_right[flag] += 1
                else:
                    misses.append(f"{file}:{name} {flag} {getattr(cap, flag)} != {want[flag]}")
    figures: dict[str, Any] = {"tools": total, "misses": misses}
    for field in ("kinds", "operations"):
        figures[f"{field}_exact"] = exact[field] / total
        figures[f"{field}_item_precision"] = items_right[field] / max(items_predicted[field], 1)
    for flag in ("writes", "destructive"):
        figures[flag] = flags_right[flag] / total
    return figures


def main() -> None:
    figures = precision()
    print(f"labelled tools: {figures['tools']}")
    for key in ("kinds", "operations"):
        print(
            f"{key:12} exact match {figures[f'{key}_exact']:.3f}"
            f"   item precision {figures[f'{key}_item_precision']:.3f}"
        )
    for key in ("writes", "destructive"):
        print(f"{key:12} correct     {figures[key]:.3f}")
    for miss in figures["misses"]:
        print(f"  miss: {miss}")


if __name__ == "__main__":
    main()
