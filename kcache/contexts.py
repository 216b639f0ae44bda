"""Which configured cluster a request names, and the request without that phrase.

Cluster names are vocabulary like namespaces, but they are few and known from the
configuration (``KCACHE_CONTEXTS``), so the rule is short: a configured cluster's name
counts as the cluster when the word cluster/context/集群 stands next to it ("on the staging
cluster", "cluster staging", "在 staging 集群里"), or when it stands where a place stands
("in staging", "from prod") and no namespace of that name exists in the cache. The phrase
is removed before the reader reads the request, so the name is not taken for a namespace.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

_WORD = r"(?:cluster|context)"
_ZH_WORD = r"(?:集群|环境)"
_PLACE = r"(?:in|on|at|from|of|for|against)"
_ZH_PLACE = r"(?:在|从|去|到)?"
_ZH_TAIL = r"(?:里面|里|中|上|内)?(?:的)?"


def _patterns(name: str) -> list[tuple[re.Pattern[str], bool]]:
    """(pattern, needs_no_namespace): a cluster word makes the reading certain; a place alone does not."""
    n = rf"(?<![\w.-]){re.escape(name)}(?![\w.-])"
    return [
        (re.compile(rf"--context[=\s]+{n}", re.I), False),
        (re.compile(rf"(?:\b{_PLACE}\s+)?(?:the\s+)?{n}\s+{_WORD}\b", re.I), False),
        (re.compile(rf"(?:\b{_PLACE}\s+)?(?:the\s+)?\b{_WORD}\s*[:=]?\s*{n}", re.I), False),
        (re.compile(rf"{_ZH_PLACE}\s*{n}\s*{_ZH_WORD}\s*{_ZH_TAIL}", re.I), False),
        (re.compile(rf"\b{_PLACE}\s+{n}", re.I), True),
    ]


def named_cluster(
    request: str, clusters: Iterable[str], namespaces: Collection[str] = ()
) -> tuple[str | None, str]:
    """The configured cluster the request names (or None) and the request without its phrase.

    ``namespaces``: the namespaces cached for the default cluster; a place phrase ("in prod")
    without a cluster word means the namespace when one of that name exists.
    """
    # Longer names first, so "prod-eu" is not read as "prod".
    for name in sorted(set(clusters), key=len, reverse=True):
        for pattern, needs_no_namespace in _patterns(name):
            if needs_no_namespace and name in namespaces:
                continue
            found = pattern.search(request)
            if found:
                rest = (request[: found.start()] + " " + request[found.end() :]).strip(" ,:;，：")
                return name, re.sub(r"\s{2,}", " ", rest)
    return None, request
