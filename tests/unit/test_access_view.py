"""The filtering view over a real SQLite store: rows of other namespaces are never returned."""

from __future__ import annotations

from pathlib import Path

from kcache.access import EVERYTHING, FilteredStore, grant_from_rules, parse_rules
from kcache.model import Resource
from kcache.store.store import Store

VIEW = {"resourceRules": [{"verbs": ["get", "list"], "apiGroups": ["", "apps"], "resources": ["*"]}]}


async def test_view_drops_rows_of_namespaces_not_granted(tmp_path: Path) -> None:
    async with Store(tmp_path / "cache.db") as store:
        await store.replace(
            "c1",
            "pod",
            [
                Resource(kind="pod", name="web-1", namespace="team-a"),
                Resource(kind="pod", name="db-1", namespace="team-b"),
            ],
            ttl_s=600,
        )
        grant = grant_from_rules({"team-a": parse_rules(VIEW), "team-b": ()}, {}, ["pod"])
        view = FilteredStore(store, grant)
        assert [r.name for r in (await view.query("c1", "pod")).items] == ["web-1"]
        assert (await view.query("c1", "pod", name="db-1")).items == []
        assert (await view.query("c1", "pod", namespace="team-b")).items == []
        assert await view.names("c1", ["pod"]) == {"pod": [("team-a", "web-1")]}
        full = FilteredStore(store, EVERYTHING)
        assert len((await full.query("c1", "pod")).items) == 2
