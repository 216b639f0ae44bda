"""Rules evaluation and the TTL cache of kcache.access, without a cluster."""

from __future__ import annotations

from typing import Any

import pytest

from kcache.access import (
    EVERYTHING,
    AccessCache,
    AccessError,
    Asker,
    grant_from_rules,
    named_asker,
    parse_rules,
    rules_allow,
    scanner_asker,
)

VIEW_PODS = {
    "resourceRules": [
        {"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["pods", "services"]},
        {"verbs": ["get"], "apiGroups": ["apps"], "resources": ["deployments"]},
        {"verbs": ["list", "get"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["one"]},
        {
            "verbs": ["create"],
            "apiGroups": ["authorization.k8s.io"],
            "resources": ["selfsubjectrulesreviews"],
        },
    ]
}
ADMIN = {"resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]}


def test_rules_allow_needs_verb_group_and_resource() -> None:
    rules = parse_rules(VIEW_PODS)
    assert rules_allow(rules, "list", "pod")
    assert rules_allow(rules, "get", "deployment")
    assert not rules_allow(rules, "list", "deployment")  # get only
    assert not rules_allow(rules, "delete", "pod")
    assert not rules_allow(rules, "list", "configmap")
    # a rule limited to named objects grants no list of the kind
    assert not rules_allow(rules, "list", "secret")


def test_wildcards_allow_everything() -> None:
    rules = parse_rules(ADMIN)
    assert rules_allow(rules, "delete", "deployment")
    assert rules_allow(rules, "list", "secret")


def test_grant_keeps_kinds_per_namespace() -> None:
    kinds = ["pod", "service", "deployment", "node"]
    grant = grant_from_rules({"team-a": parse_rules(VIEW_PODS), "team-b": ()}, {"node": False}, kinds)
    assert grant.may_read("pod", "team-a")
    assert grant.may_read("service", "team-a")
    assert not grant.may_read("deployment", "team-a")  # list not granted
    assert not grant.may_read("pod", "team-b")
    assert not grant.may_read("pod", "elsewhere")
    assert not grant.may_read("node", None)
    assert grant.namespaces("pod") == {"team-a"}
    assert grant_from_rules({}, {"node": True}, kinds).may_read("node", None)


class FakeReviewer:
    """Answers reviews from a table and counts them; raises when told the API is down."""

    def __init__(self, answers: dict[str, dict[str, Any]]) -> None:
        self.answers = answers
        self.calls = 0
        self.down = False

    async def rules(self, asker: Asker, namespace: str) -> Any:
        self.calls += 1
        if self.down:
            raise AccessError("access review failed: ConnectError")
        return parse_rules(self.answers.get(asker["user"], {}).get(namespace, {}))

    async def allowed(self, asker: Asker, verb: str, kind: str, namespace: str | None) -> bool:
        self.calls += 1
        if self.down:
            raise AccessError("access review failed: ConnectError")
        rules = parse_rules(self.answers.get(asker["user"], {}).get(namespace or "", {}))
        return rules_allow(rules, verb, kind)


async def test_grant_is_cached_per_cluster_and_identity_until_ttl() -> None:
    now = [1000.0]
    cache = AccessCache(ttl=120, clock=lambda: now[0])
    reviewer = FakeReviewer({"alice": {"team-a": VIEW_PODS}})
    alice = named_asker("alice")
    args = {"namespaces": ["team-a", "team-b"], "kinds": ["pod"]}
    grant = await cache.grant("c1", alice, reviewer, **args)  # type: ignore[arg-type]
    assert grant.may_read("pod", "team-a") and not grant.may_read("pod", "team-b")
    first = reviewer.calls
    assert first == 2
    await cache.grant("c1", alice, reviewer, **args)  # type: ignore[arg-type]
    assert reviewer.calls == first  # cached
    await cache.grant("c2", alice, reviewer, **args)  # type: ignore[arg-type]
    assert reviewer.calls == 2 * first  # another cluster is another key
    await cache.grant("c1", named_asker("alice", ["team-x"]), reviewer, **args)  # type: ignore[arg-type]
    assert reviewer.calls == 3 * first  # other groups are another identity
    now[0] += 121
    reviewer.answers["alice"]["team-b"] = VIEW_PODS
    grant = await cache.grant("c1", alice, reviewer, **args)  # type: ignore[arg-type]
    assert reviewer.calls == 4 * first
    assert grant.may_read("pod", "team-b")  # the expired answer was asked again


async def test_scanner_reads_everything_without_reviews() -> None:
    cache = AccessCache()
    reviewer = FakeReviewer({})
    reviewer.down = True
    grant = await cache.grant("c1", scanner_asker(), reviewer, namespaces=["a"], kinds=["pod"])  # type: ignore[arg-type]
    assert grant is EVERYTHING
    assert await cache.check("c1", scanner_asker(), reviewer, "delete", "pod", "a")  # type: ignore[arg-type]
    assert reviewer.calls == 0


async def test_failed_review_denies() -> None:
    cache = AccessCache()
    reviewer = FakeReviewer({"alice": {"team-a": ADMIN}})
    reviewer.down = True
    with pytest.raises(AccessError):
        await cache.grant("c1", named_asker("alice"), reviewer, namespaces=["team-a"], kinds=["pod"])  # type: ignore[arg-type]
    with pytest.raises(AccessError):
        await cache.check("c1", named_asker("alice"), reviewer, "delete", "pod", "team-a")  # type: ignore[arg-type]
    reviewer.down = False
    assert await cache.check("c1", named_asker("alice"), reviewer, "delete", "pod", "team-a")  # type: ignore[arg-type]
