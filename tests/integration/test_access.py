"""Access reviews against a real devcluster with RBAC on: two users bound to two namespaces."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devcluster import DevCluster
from kcache.access import (
    AccessCache,
    AccessError,
    Credentials,
    Reviewer,
    credentials_from_kubeconfig,
    named_asker,
    permit,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "devcluster" / "clusters" / "demo"
RBAC = "rbac.authorization.k8s.io"


def _view_binding(namespace: str, user: str) -> dict:  # type: ignore[type-arg]
    return {
        "apiVersion": f"{RBAC}/v1",
        "kind": "RoleBinding",
        "metadata": {"name": f"{user}-view", "namespace": namespace},
        "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "view"},
        "subjects": [{"apiGroup": RBAC, "kind": "User", "name": user}],
    }


@pytest.fixture(scope="module")
def teams(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DevCluster, Path]]:
    """The demo cluster with RBAC: alice may view boutique, bob boutique-staging."""
    tmp = tmp_path_factory.mktemp("access")
    with DevCluster(DEMO, rbac=True) as dc:
        dc.users.add("alice")
        dc.users.add("bob")
        dc.apply(_view_binding("boutique", "alice"))
        dc.apply(_view_binding("boutique-staging", "bob"))
        kubeconfig = dc.write_kubeconfig(tmp / "kubeconfig.yaml")
        yield dc, kubeconfig


async def test_each_user_reads_only_their_namespace(teams: tuple[DevCluster, Path]) -> None:
    _, kubeconfig = teams
    reviewer = Reviewer(await credentials_from_kubeconfig(kubeconfig))
    cache = AccessCache(ttl=120)
    spaces = ["boutique", "boutique-staging", "default"]
    try:
        alice = await cache.grant(
            "demo", named_asker("alice"), reviewer, namespaces=spaces, kinds=["pod", "node"]
        )
        bob = await cache.grant(
            "demo", named_asker("bob"), reviewer, namespaces=spaces, kinds=["pod", "node"]
        )
        assert alice.namespaces("pod") == {"boutique"}
        assert bob.namespaces("pod") == {"boutique-staging"}
        assert not alice.may_read("node", None)
        calls = reviewer.calls
        await cache.grant("demo", named_asker("alice"), reviewer, namespaces=spaces, kinds=["pod", "node"])
        assert reviewer.calls == calls  # within the TTL no review is sent again
        assert not await cache.check("demo", named_asker("alice"), reviewer, "delete", "pod", "boutique")
        assert await cache.check("demo", named_asker("alice"), reviewer, "list", "pod", "boutique")
        assert not await cache.check("demo", named_asker("bob"), reviewer, "list", "pod", "boutique")
    finally:
        await reviewer.aclose()


async def test_api_down_denies() -> None:
    reviewer = Reviewer(Credentials(server="http://127.0.0.1:9"), timeout=2)
    try:
        with pytest.raises(AccessError):
            await AccessCache().grant("x", named_asker("alice"), reviewer, namespaces=["a"], kinds=["pod"])
    finally:
        await reviewer.aclose()


async def test_permit_refuses_a_write_the_asker_may_not_make(teams: tuple[DevCluster, Path]) -> None:
    _, kubeconfig = teams
    reviewer = Reviewer(await credentials_from_kubeconfig(kubeconfig))
    cache = AccessCache()
    try:
        alice = named_asker("alice")
        assert await permit(cache, "demo", alice, reviewer, "delete", "pod", "boutique") == (
            "you may not delete pods in boutique"
        )
        assert await permit(cache, "demo", alice, reviewer, "get", "pod", "boutique") is None
    finally:
        await reviewer.aclose()
    down = Reviewer(Credentials(server="http://127.0.0.1:9"), timeout=2)
    try:
        refused = await permit(AccessCache(), "x", named_asker("alice"), down, "get", "pod", "boutique")
        assert refused is not None and refused.startswith("you may not get pods in boutique")
    finally:
        await down.aclose()
