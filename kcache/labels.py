"""Kubernetes label selectors: parse them and match labels against them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kcache.errors import KcacheError

_REQ = re.compile(
    r"^\s*(?P<neg>!)?(?P<key>[A-Za-z0-9_./-]+)\s*"
    r"(?:(?P<op>==|=|!=)\s*(?P<value>[A-Za-z0-9_.-]*)|\s+(?P<setop>in|notin)\s*\((?P<values>[^)]*)\))?\s*$"
)


@dataclass(frozen=True)
class Requirement:
    """One requirement of a selector."""

    key: str
    op: str
    """=, !=, in, notin, exists, !exists."""
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a label set satisfies this requirement."""
        present = self.key in labels
        if self.op == "exists":
            return present
        if self.op == "!exists":
            return not present
        if self.op == "=":
            return present and labels[self.key] == self.values[0]
        if self.op == "!=":
            return not present or labels[self.key] != self.values[0]
        if self.op == "in":
            return present and labels[self.key] in self.values
        return not present or labels[self.key] not in self.values


def split(selector: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in selector:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def parse(selector: str) -> list[Requirement]:
    """Parse ``a=b,c!=d,e in (f,g),!h``; KcacheError naming the bad requirement."""
    reqs = []
    for part in split(selector):
        m = _REQ.match(part)
        if not m:
            raise KcacheError(f"invalid label selector requirement {part!r} in {selector!r}")
        key = m["key"]
        if m["op"]:
            reqs.append(Requirement(key, "!=" if m["op"] == "!=" else "=", (m["value"],)))
        elif m["setop"]:
            values = tuple(v.strip() for v in m["values"].split(",") if v.strip())
            reqs.append(Requirement(key, m["setop"], values))
        else:
            reqs.append(Requirement(key, "!exists" if m["neg"] else "exists"))
    return reqs


def equalities(reqs: list[Requirement]) -> list[tuple[str, str]]:
    """The (key, value) equality requirements, which the store's label index answers."""
    return [(r.key, r.values[0]) for r in reqs if r.op == "="]


def matches(reqs: list[Requirement], labels: Mapping[str, str]) -> bool:
    """Whether labels satisfy every requirement."""
    return all(r.matches(labels) for r in reqs)
