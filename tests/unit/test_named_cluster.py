"""Which configured cluster a request names (kcache.contexts)."""

from __future__ import annotations

import pytest

from kcache.contexts import named_cluster

CLUSTERS = ("prod", "staging", "prod-eu")


@pytest.mark.parametrize(
    ("request_text", "cluster", "rest"),
    [
        ("list pods in data on the staging cluster", "staging", "list pods in data"),
        ("cluster staging: how many nodes", "staging", "how many nodes"),
        ("scale web to 2 --context staging", "staging", "scale web to 2"),
        ("pods in boutique in staging", "staging", "pods in boutique"),
        ("在 staging 集群里 列出 data 的 pod", "staging", "列出 data 的 pod"),
        ("prod 集群的 pods", "prod", "pods"),
        ("帮我看看 staging 环境里 data 的 pod", "staging", "帮我看看 data 的 pod"),
        ("pods in prod-eu", "prod-eu", "pods"),  # the longer name, not its prefix
    ],
)
def test_a_configured_cluster_named_in_the_request(request_text: str, cluster: str, rest: str) -> None:
    assert named_cluster(request_text, CLUSTERS) == (cluster, rest)


@pytest.mark.parametrize("request_text", ["how many nodes", "show production pods", "logs of prodigy-0"])
def test_no_cluster_named(request_text: str) -> None:
    assert named_cluster(request_text, CLUSTERS) == (None, request_text)


def test_a_namespace_of_the_same_name_wins_without_a_cluster_word() -> None:
    assert named_cluster("list pods in prod", CLUSTERS, namespaces={"prod"}) == (None, "list pods in prod")
    assert named_cluster("list pods in prod cluster", CLUSTERS, namespaces={"prod"}) == ("prod", "list pods")
