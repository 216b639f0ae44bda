"""KCACHE_CONTEXTS: one Identity per listed kubeconfig context, and a clear error for an unknown one."""

from __future__ import annotations

from pathlib import Path

import pytest

from devcluster.kubeconfig import Context, write_contexts
from kcache.errors import ConfigError
from kcache.kubeconfig import read_identities
from kcache.settings import Settings


def kubeconfig(tmp_path: Path) -> Path:
    return write_contexts(
        tmp_path / "kubeconfig.yaml",
        [
            Context("prod", "https://10.0.0.1:6443", "t1", "boutique", cluster="c1", user="u1"),
            Context("staging", "https://10.0.0.2:6443", "t2", "default", cluster="c2", user="u2"),
        ],
        current="staging",
    )


def test_no_list_reads_the_current_context(tmp_path: Path) -> None:
    [only] = read_identities(kubeconfig(tmp_path), ())
    assert only.context == "staging" and only.server == "https://10.0.0.2:6443"


def test_listed_contexts_are_read_in_the_listed_order(tmp_path: Path) -> None:
    ids = read_identities(kubeconfig(tmp_path), ("prod", "staging"))
    assert [(i.context, i.server, i.namespace) for i in ids] == [
        ("prod", "https://10.0.0.1:6443", "boutique"),
        ("staging", "https://10.0.0.2:6443", "default"),
    ]


def test_all_reads_every_context(tmp_path: Path) -> None:
    assert [i.context for i in read_identities(kubeconfig(tmp_path), ("all",))] == ["prod", "staging"]


def test_an_unknown_context_is_named_with_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no context 'qa'.*\(it has prod, staging\)"):
        read_identities(kubeconfig(tmp_path), ("prod", "qa"))


def test_settings_read_the_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KCACHE_CONTEXTS", " prod, staging ,")
    assert Settings.from_env().kcache_contexts == ("prod", "staging")
