"""What an analyzer reports: a :class:`Finding`, how findings rank, and their text by language."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from typing_extensions import TypedDict

from kcache.kinds import TABLE
from kcache.model import Resource

Severity = Literal["critical", "warning", "info"]

SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}
_KIND_ORDER: dict[str, int] = {k.name: i for i, k in enumerate(TABLE)}


class Finding(TypedDict):
    """One problem (or notable state) of one object, found without an LLM."""

    kind: str
    """Canonical kind of the object the finding is about."""
    namespace: str | None
    name: str
    severity: Severity
    reason: str
    """A stable code: ``CrashLoopBackOff``, ``SelectorMatchesNoPods``, ``NodeNotReady``."""
    evidence: list[str]
    """Short strings of cluster data behind the finding (conditions, events, states)."""
    text_en: str
    """What is wrong, as a clause about the object (its name is shown before it)."""
    text_zh: str
    hint_en: str
    """What to look at or change next."""
    hint_zh: str
    parent: str | None
    """The object whose diagnosis led here (``deployment team-a/web``), else None."""


def object_ref(kind: str, namespace: str | None, name: str) -> str:
    """``pod team-a/web-1`` or ``node worker-1``: how texts and ``parent`` name an object."""
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


def ref_of(finding: Finding) -> str:
    """The object a finding is about, named as :func:`object_ref` does."""
    return object_ref(finding["kind"], finding["namespace"], finding["name"])


def finding(
    r: Resource,
    severity: Severity,
    reason: str,
    *,
    en: str,
    zh: str,
    hint_en: str = "",
    hint_zh: str = "",
    evidence: Iterable[str] = (),
    parent: str | None = None,
) -> Finding:
    """A finding about ``r``."""
    return Finding(
        kind=r.kind,
        namespace=r.namespace,
        name=r.name,
        severity=severity,
        reason=reason,
        evidence=[e for e in evidence if e],
        text_en=en,
        text_zh=zh,
        hint_en=hint_en,
        hint_zh=hint_zh,
        parent=parent,
    )


def under(findings: Iterable[Finding], parent: str) -> list[Finding]:
    """Copies of ``findings`` attributed to ``parent`` (those that already had one keep it)."""
    out = []
    for f in findings:
        copy = f.copy()
        copy["evidence"] = list(f["evidence"])
        copy["parent"] = f["parent"] or parent
        out.append(copy)
    return out


def text(f: Finding, lang: str) -> str:
    """The finding's statement in the user's language (``zh`` or English)."""
    return f["text_zh"] if lang == "zh" else f["text_en"]


def hint(f: Finding, lang: str) -> str:
    """The finding's hint in the user's language (``zh`` or English)."""
    return f["hint_zh"] if lang == "zh" else f["hint_en"]


def is_problem(f: Finding) -> bool:
    """Critical and warning findings are problems; info findings are notes."""
    return f["severity"] != "info"


def rank(findings: Iterable[Finding]) -> list[Finding]:
    """Findings without duplicates, grouped under the object that explains them, most severe first.

    A finding reached twice (a pod under its Deployment and again under a Service) keeps its
    first occurrence. Findings are grouped by their root (the topmost object whose own
    findings are present, following ``parent``); groups come most severe first, and within a
    group the root's findings come before its children's.
    """
    seen: set[tuple[str, str | None, str, str]] = set()
    unique: list[Finding] = []
    for f in findings:
        key = (f["kind"], f["namespace"], f["name"], f["reason"])
        if key not in seen:
            seen.add(key)
            unique.append(f)
    parent_of: dict[str, str | None] = {}
    for f in unique:
        parent_of.setdefault(ref_of(f), f["parent"])

    def lineage(ref: str) -> list[str]:
        chain = [ref]
        parent = parent_of.get(ref)
        while parent is not None and parent in parent_of and parent not in chain:
            chain.append(parent)
            parent = parent_of.get(parent)
        return chain

    def order(f: Finding) -> tuple[int, bool, int, str, str]:
        # Nodes before what runs on them: a node's trouble explains its pods'.
        return (
            SEVERITY_ORDER[f["severity"]],
            f["namespace"] is not None,
            _KIND_ORDER.get(f["kind"], len(_KIND_ORDER)),
            f["namespace"] or "",
            f["name"],
        )

    groups: dict[str, list[tuple[int, Finding]]] = {}
    for f in unique:
        chain = lineage(ref_of(f))
        groups.setdefault(chain[-1], []).append((len(chain) - 1, f))
    ranked_groups = sorted(
        groups.values(),
        key=lambda members: (
            min(SEVERITY_ORDER[f["severity"]] for _, f in members),
            order(min(members, key=lambda m: m[0])[1])[1:],
        ),
    )
    return [f for members in ranked_groups for _, f in sorted(members, key=lambda m: (m[0], order(m[1])))]


def top_level(findings: Sequence[Finding]) -> list[Finding]:
    """The findings whose parent is not itself among ``findings`` (what a count counts)."""
    present = {ref_of(f) for f in findings}
    return [f for f in findings if not f["parent"] or f["parent"] not in present]
