"""Rank the cached objects a mention may mean: exact, a workload's pods, prefix, then fuzzy.

A write may act only on a clear best: an object's exact name, or the pods of a workload
named exactly. Everything looser is offered to the user, never acted on, and equally good
matches are returned together so the caller asks instead of guessing. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Literal

How = Literal["exact", "workload", "prefix", "fuzzy"]

#: A candidate as the store keys objects: (kind, namespace, name).
Candidate = tuple[str, str | None, str]

#: Minimum similarity (difflib ratio) for a fuzzy match.
FUZZY_CUTOFF = 0.75

#: What follows a workload's name in its pods' names: ReplicaSet hash and pod suffix
#: (Deployment), a 5-character suffix (DaemonSet, Job), or an ordinal (StatefulSet).
_POD_SUFFIX_RE = re.compile(r"-(?:[a-z0-9]{5,10}-[a-z0-9]{5}|[a-z0-9]{5}|\d+)")
_POD_SUFFIX_AT_END_RE = re.compile(r"-(?:[a-z0-9]{5,10}-[a-z0-9]{5}|[a-z0-9]{5}|\d+)$")
#: The same shapes in the alphabet Kubernetes generates suffixes from (no vowels, no 0, 1,
#: 3), tried first: it tells ``kube-proxy-k9x2m`` (a DaemonSet's pod) from a Deployment
#: ``kube``'s pod with the hash ``proxy``.
_K8S_CHAR = "[bcdfghjklmnpqrstvwxz245-9]"
_K8S_SUFFIX_AT_END_RE = re.compile(rf"-(?:{_K8S_CHAR}{{5,10}}-{_K8S_CHAR}{{5}}|{_K8S_CHAR}{{5}}|\d+)$")
#: A trailing segment holding a digit looks like a generated suffix in a mention
#: (``frontend-abc123``), so the mention's workload part is compared too.
_HASHLIKE_TAIL_RE = re.compile(r"(?:-[a-z0-9]*\d[a-z0-9]*){1,2}$")

_TIER: dict[str, int] = {"exact": 0, "workload": 1, "prefix": 2, "fuzzy": 3}


@dataclass(frozen=True)
class Match:
    """One cached object a mention may mean, and how well."""

    kind: str
    namespace: str | None
    name: str
    how: How
    score: float
    """0..1: exact 1.0, workload 0.95, prefix 0.6-0.9, fuzzy up to 0.75."""
    sibling: bool = False
    """Another object generated from the workload the mention names, with a suffix of its own
    (``mongo-0`` for ``mongo-2``): a different object, offered but never taken for it."""

    @property
    def label(self) -> str:
        """``namespace/name``, or ``name`` for cluster-scoped objects."""
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


def workload_of(pod_name: str) -> str | None:
    """The workload a pod name was generated from, or None if it has no pod suffix.

    ``frontend-7d4b9c8f6d-x2x7k`` → ``frontend``; ``redis-0`` → ``redis``.
    """
    for pattern in (_K8S_SUFFIX_AT_END_RE, _POD_SUFFIX_AT_END_RE):
        match = pattern.search(pod_name)
        if match is not None and match.start() > 0:
            return pod_name[: match.start()]
    return None


def _is_workload_pod(mention: str, kind: str, name: str) -> bool:
    if kind != "pod" or not name.startswith(mention) or len(name) == len(mention):
        return False
    if _POD_SUFFIX_RE.fullmatch(name, len(mention)) is None:
        return False
    # The suffix fits, but the name may read better as a longer workload's pod.
    return _base(name) == mention


@lru_cache(maxsize=65536)
def _base(name: str) -> str:
    """A name without what looks generated at its end, for comparing workloads."""
    workload = workload_of(name)
    if workload is not None:
        return workload
    stripped = _HASHLIKE_TAIL_RE.sub("", name)
    return stripped or name


def _similarity(mention: str, name: str) -> float:
    """Similarity in 0..1 of two names, also comparing their workload parts."""
    mention_base, name_base = _base(mention), _base(name)
    if 2 * len(mention_base) < len(mention):
        # Most of the mention looked generated (``tn-worker3`` → ``tn``): too little is left
        # to compare as a workload, so the mention is compared whole.
        mention_base = mention
    if name_base != name:
        # A generated name: compare workloads (cached, since thousands of pods share a few
        # hundred workload names); the whole names only to order one workload's pods.
        best = 0.95 * _close(mention_base, name_base)
        if mention_base == name_base and mention != mention_base:
            best = max(best, _ratio(mention, name))
        # A typo in the whole name (``tn-worker3``) may hide the generated part.
        if abs(len(mention) - len(name)) <= 2:
            best = max(best, _close(mention, name))
        return best
    best = _close(mention, name)
    if mention_base != mention:
        best = max(best, 0.95 * _close(mention_base, name_base))
    return best


@lru_cache(maxsize=65536)
def _close(a: str, b: str) -> float:
    """The ratio of two names, at least the cutoff when one edit apart (``api``/``apl``)."""
    best = _ratio(a, b)
    if best < FUZZY_CUTOFF and min(len(a), len(b)) >= 3 and _within_one_edit(a, b):
        best = FUZZY_CUTOFF
    return best


@lru_cache(maxsize=65536)
def _ratio(a: str, b: str) -> float:
    total = len(a) + len(b)
    if total == 0:
        return 1.0
    # The ratio can never exceed this bound; skipping here keeps 10,000 candidates cheap.
    if 2.0 * min(len(a), len(b)) / total < FUZZY_CUTOFF * 0.9:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < FUZZY_CUTOFF * 0.9 or matcher.quick_ratio() < 0.6:
        return 0.0
    return matcher.ratio()


def _within_one_edit(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or adjacent transposition apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def _is_sibling(mention: str, name: str) -> bool:
    """Both names are generated from one workload, each with its own suffix."""
    base = workload_of(mention)
    return base is not None and base == workload_of(name) and mention != name


def similarity(a: str, b: str) -> float:
    """How alike two words are, 0..1 (at least the fuzzy cutoff when one edit apart)."""
    return _close(a.lower(), b.lower())


def is_misspelling(word: str, names: Iterable[str]) -> bool:
    """Whether a word is a known name cut short or mistyped (``paymnetservice``).

    The reader takes an unknown word for a name only on such evidence: an ordinary
    English word ("hours", "overview") is close to no cached name.
    """
    needle = word.strip().lower()
    if len(needle) < 4:
        return False
    return any(
        name.startswith(needle) or _similarity(needle, name) >= FUZZY_CUTOFF
        for name in names
        if abs(len(name) - len(needle)) <= max(3, len(needle) // 3) or name.startswith(needle)
    )


def _sort_key(match: Match) -> tuple[int, float, str, str, str]:
    return (_TIER[match.how], -match.score, match.namespace or "", match.name, match.kind)


def rank(mention: str, candidates: Iterable[Candidate], *, limit: int = 5) -> list[Match]:
    """Rank the candidates a mention may mean, best first.

    Order: exact name; a workload's pods (``frontend`` → ``frontend-<hash>-<5>``); names
    starting with the mention; names at least :data:`FUZZY_CUTOFF` similar. Within a tier,
    higher score first, then namespace, name and kind, so the order is deterministic.

    Args:
        mention: The name as the user wrote it (compared lowercase).
        candidates: (kind, namespace, name) keys of cached objects.
        limit: The most matches to return.

    Returns:
        At most ``limit`` matches; empty when nothing is close.

    Raises:
        ValueError: If ``mention`` is blank or ``limit`` is below 1.
    """
    needle = mention.strip().lower()
    if not needle:
        raise ValueError(f"cannot rank a blank mention: {mention!r}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    close: list[Match] = []
    rest: list[Candidate] = []
    for kind, namespace, name in candidates:
        low = name.lower()
        if low == needle:
            close.append(Match(kind, namespace, name, "exact", 1.0))
        elif _is_workload_pod(needle, kind, low):
            close.append(Match(kind, namespace, name, "workload", 0.95))
        elif low.startswith(needle):
            score = 0.6 + 0.3 * len(needle) / len(low)
            close.append(Match(kind, namespace, name, "prefix", round(score, 4)))
        else:
            rest.append((kind, namespace, name))
    if len(close) < limit:
        for kind, namespace, name in rest:
            similarity = _similarity(needle, name.lower())
            if similarity >= FUZZY_CUTOFF:
                score = round(0.75 * similarity, 4)
                sibling = _is_sibling(needle, name.lower())
                close.append(Match(kind, namespace, name, "fuzzy", score, sibling))
    close.sort(key=_sort_key)
    return close[:limit]


def nearest(mention: str, names: Iterable[str], limit: int = 3) -> list[str]:
    """The known names closest to a mention, for "did you mean" suggestions.

    Names starting with the mention come first, then the most similar; an exact name is
    returned first when present.

    Raises:
        ValueError: If ``mention`` is blank or ``limit`` is below 1.
    """
    unique = dict.fromkeys(names)
    matches = rank(mention, (("", None, name) for name in unique), limit=limit)
    return [match.name for match in matches]


def best_or_ambiguous(
    matches: Iterable[Match], *, exact_only: bool = True
) -> tuple[Match | None, list[Match]]:
    """One clear best, or the options to offer.

    A clear best is a unique exact match, or the pods of one workload named exactly in a
    single namespace (the first pod by name is the best; the list then holds its sibling
    pods). Two exact matches, or one workload in two namespaces, are equals: no best, and
    the list holds one match per option (for a workload, its first pod). Prefix and
    fuzzy matches are suggestions: a sibling (``mongo-0`` for ``mongo-2``) is never a
    best; with ``exact_only`` (the default, and the only safe
    setting for writes) they never make a best; with ``exact_only=False`` (reads) a
    single prefix or fuzzy match does.

    Returns:
        ``(best, siblings)`` when there is a clear best, else ``(None, options)``, where
        options may be empty when nothing matched at all.
    """
    ordered = sorted(matches, key=_sort_key)
    exact = [m for m in ordered if m.how == "exact"]
    if len(exact) == 1:
        return exact[0], []
    if exact:
        return None, exact
    workload = [m for m in ordered if m.how == "workload"]
    if workload:
        groups: dict[tuple[str | None, str], list[Match]] = {}
        for match in workload:
            groups.setdefault((match.namespace, _base(match.name)), []).append(match)
        if len(groups) == 1:
            pods = next(iter(groups.values()))
            return pods[0], pods[1:]
        return None, [pods[0] for pods in groups.values()]
    loose = [m for m in ordered if m.how in ("prefix", "fuzzy")]
    if not exact_only and loose and not loose[0].sibling:
        top_tier = [m for m in loose if m.how == loose[0].how]
        if len(top_tier) == 1:
            return top_tier[0], []
    return None, loose
