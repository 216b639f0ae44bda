"""Ranking of mentions against cached names: each rule, and the write-safety choice."""

from __future__ import annotations

import pytest

from kcache.resolve import (
    FUZZY_CUTOFF,
    Match,
    best_or_ambiguous,
    is_misspelling,
    nearest,
    rank,
    workload_of,
)

PODS = [
    ("pod", "boutique", "frontend-7d4b9c8f6d-x2x7k"),
    ("pod", "boutique-staging", "frontend-5f6c7d8b9c-q4w8z"),
    ("pod", "boutique", "cartservice-6b8f9d7c5d-abcde"),
    ("pod", "boutique", "frontend-config-loader-xyz12"),
    ("pod", "data", "kafka-0"),
    ("pod", "data", "kafka-1"),
    ("pod", "kube-system", "kube-proxy-k9x2m"),
]
DEPLOYMENTS = [
    ("deployment", "boutique", "frontend"),
    ("deployment", "boutique-staging", "frontend"),
    ("deployment", "boutique", "cartservice"),
]
NAMESPACES = ["kube-system", "default", "boutique", "boutique-staging", "ingress-nginx"]


def names(matches: list[Match]) -> list[tuple[str | None, str, str]]:
    return [(m.namespace, m.name, m.how) for m in matches]


def test_exact_name_ranks_first_with_full_score() -> None:
    matches = rank("frontend", DEPLOYMENTS + PODS)
    assert [m.how for m in matches[:2]] == ["exact", "exact"]
    assert all(m.score == 1.0 for m in matches[:2])
    assert {m.namespace for m in matches[:2]} == {"boutique", "boutique-staging"}


def test_workload_name_matches_its_pods_by_suffix_shape() -> None:
    matches = rank("frontend", PODS)
    assert names(matches) == [
        ("boutique", "frontend-7d4b9c8f6d-x2x7k", "workload"),
        ("boutique-staging", "frontend-5f6c7d8b9c-q4w8z", "workload"),
        ("boutique", "frontend-config-loader-xyz12", "prefix"),
    ]


def test_statefulset_and_daemonset_pods_are_workload_matches() -> None:
    assert [m.name for m in rank("kafka", PODS) if m.how == "workload"] == ["kafka-0", "kafka-1"]
    assert rank("kube-proxy", PODS)[0].how == "workload"


def test_workload_shape_applies_to_pods_only() -> None:
    # A node called demo-worker-1 is not a "pod of demo-worker".
    matches = rank("demo-worker", [("node", None, "demo-worker-1")])
    assert matches[0].how == "prefix"


def test_plain_prefix_scores_between_workload_and_fuzzy() -> None:
    matches = rank("boutique", [("namespace", None, n) for n in NAMESPACES])
    assert names(matches) == [(None, "boutique", "exact"), (None, "boutique-staging", "prefix")]
    assert 0.6 < matches[1].score < 0.95


def test_fuzzy_finds_a_typo() -> None:
    matches = rank("boutgue", [("namespace", None, n) for n in NAMESPACES])
    assert names(matches) == [(None, "boutique", "fuzzy")]
    assert matches[0].score <= 0.75


def test_fuzzy_finds_a_workloads_pods_from_a_made_up_pod_name() -> None:
    matches = rank("frontend-abc123", PODS)
    assert [(m.namespace, m.how) for m in matches[:2]] == [
        ("boutique", "fuzzy"),
        ("boutique-staging", "fuzzy"),
    ]
    assert all(m.name.startswith("frontend-") for m in matches[:2])


def test_single_edit_counts_as_fuzzy_for_short_names() -> None:
    matches = rank("api", [("deployment", "x", "apl"), ("deployment", "x", "xyz")])
    assert names(matches) == [("x", "apl", "fuzzy")]


def test_unrelated_names_do_not_match() -> None:
    assert rank("payments", [("namespace", None, n) for n in NAMESPACES]) == []


def test_mention_is_case_insensitive() -> None:
    assert rank("FrontEnd", DEPLOYMENTS)[0].how == "exact"


def test_ties_break_by_namespace_then_name_and_order_is_deterministic() -> None:
    shuffled = list(reversed(DEPLOYMENTS + PODS))
    assert rank("frontend", shuffled, limit=10) == rank("frontend", DEPLOYMENTS + PODS, limit=10)
    exact = [m for m in rank("frontend", shuffled) if m.how == "exact"]
    assert [m.namespace for m in exact] == ["boutique", "boutique-staging"]


def test_limit_caps_the_result() -> None:
    assert len(rank("frontend", DEPLOYMENTS + PODS, limit=2)) == 2


def test_bad_arguments_raise_naming_the_value() -> None:
    with pytest.raises(ValueError, match="blank mention"):
        rank("  ", PODS)
    with pytest.raises(ValueError, match="got 0"):
        rank("x", PODS, limit=0)


def test_workload_of_strips_generated_suffixes() -> None:
    assert workload_of("frontend-7d4b9c8f6d-x2x7k") == "frontend"
    assert workload_of("kafka-0") == "kafka"
    assert workload_of("kube-proxy-k9x2m") == "kube-proxy"
    assert workload_of("frontend") is None


def test_nearest_suggests_typo_corrections() -> None:
    assert nearest("boutgue", NAMESPACES) == ["boutique"]
    assert nearest("kube-sytem", NAMESPACES) == ["kube-system"]
    assert nearest("payments", NAMESPACES) == []
    assert nearest("frontend-abc123", ["frontend", "cartservice", "frontend"]) == ["frontend"]


def test_nearest_puts_an_exact_name_and_prefixes_first() -> None:
    assert nearest("boutique", NAMESPACES, limit=3) == ["boutique", "boutique-staging"]


def test_unique_exact_is_the_clear_best() -> None:
    best, rest = best_or_ambiguous(rank("cartservice", DEPLOYMENTS))
    assert best is not None and best.name == "cartservice" and rest == []


def test_equal_exact_matches_are_ambiguous_never_guessed() -> None:
    best, options = best_or_ambiguous(rank("frontend", DEPLOYMENTS))
    assert best is None
    assert [m.namespace for m in options] == ["boutique", "boutique-staging"]


def test_workload_in_one_namespace_is_the_clear_best_with_its_sibling_pods() -> None:
    best, siblings = best_or_ambiguous(rank("kafka", PODS))
    assert best is not None and best.name == "kafka-0" and best.how == "workload"
    assert [m.name for m in siblings] == ["kafka-1"]


def test_workload_in_two_namespaces_offers_one_option_per_namespace() -> None:
    best, options = best_or_ambiguous(rank("frontend", PODS))
    assert best is None
    assert [m.namespace for m in options] == ["boutique", "boutique-staging"]
    assert [m.label for m in options] == [
        "boutique/frontend-7d4b9c8f6d-x2x7k",
        "boutique-staging/frontend-5f6c7d8b9c-q4w8z",
    ]


def test_prefix_and_fuzzy_are_never_a_best_for_writes() -> None:
    fuzzy = rank("boutgue", [("namespace", None, n) for n in NAMESPACES])
    best, suggestions = best_or_ambiguous(fuzzy)
    assert best is None and [m.name for m in suggestions] == ["boutique"]
    prefix = rank("cartserv", DEPLOYMENTS)
    best, suggestions = best_or_ambiguous(prefix, exact_only=True)
    assert best is None and [m.name for m in suggestions] == ["cartservice"]


def test_a_single_loose_match_may_answer_a_read() -> None:
    best, _ = best_or_ambiguous(rank("cartserv", DEPLOYMENTS), exact_only=False)
    assert best is not None and best.how == "prefix"
    best, options = best_or_ambiguous(rank("front", DEPLOYMENTS), exact_only=False)
    assert best is None and len(options) == 2


def test_no_match_gives_nothing_to_offer() -> None:
    assert best_or_ambiguous([]) == (None, [])


def test_fuzzy_threshold_is_documented_value() -> None:
    assert FUZZY_CUTOFF == 0.75


def test_a_sibling_pod_is_offered_but_never_taken_for_the_named_one() -> None:
    pods = [("pod", "logs", "mongo-0"), ("pod", "logs", "mongo-1")]
    matches = rank("mongo-2", pods)
    assert [m.name for m in matches] == ["mongo-0", "mongo-1"] and all(m.sibling for m in matches)
    best, options = best_or_ambiguous(rank("mongo-2", pods[:1]), exact_only=False)
    assert best is None and [m.name for m in options] == ["mongo-0"]
    best, _ = best_or_ambiguous(rank("mongo-0", pods), exact_only=False)
    assert best is not None and best.name == "mongo-0"


def test_a_misspelt_or_cut_short_name_is_told_from_an_ordinary_word() -> None:
    names = ["paymentservice", "checkoutservice", "frontend"]
    assert is_misspelling("paymnetservice", names)
    assert is_misspelling("checkout", names)
    assert not is_misspelling("hours", names)
    assert not is_misspelling("overview", names)


def test_a_typo_in_a_generated_looking_name_offers_the_right_neighbour_first() -> None:
    nodes = [("node", None, n) for n in ("tn-control-plane", "tn-worker-1", "tn-worker-2", "tn-worker-3")]
    assert [m.name for m in rank("tn-worker3", nodes)][0] == "tn-worker-3"
    assert "tn-control-plane" not in [m.name for m in rank("tn-worker3", nodes)]
