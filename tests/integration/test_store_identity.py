"""Two devclusters whose kubeconfigs both name the context ``devcluster``, one cache file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devcluster import DevCluster
from kcache import runtime, scan
from kcache.errors import StoreError
from kcache.kubeconfig import read_identity
from kcache.settings import Settings
from kcache.store import Store

pytestmark = pytest.mark.integration

DEMO = Path(__file__).resolve().parents[2] / "devcluster" / "clusters" / "demo"


@pytest.fixture
def two_clusters(tmp_path: Path) -> Iterator[tuple[DevCluster, DevCluster]]:
    with DevCluster(DEMO) as first, DevCluster(DEMO) as second:
        first.write_kubeconfig(tmp_path / "first.yaml")
        second.write_kubeconfig(tmp_path / "second.yaml")
        yield first, second


def settings_for(dc: DevCluster, db: Path, **extra: str) -> Settings:
    assert dc.kubeconfig is not None
    env = {"CACHE_DB_PATH": str(db), "KUBECONFIG": str(dc.kubeconfig), "LLM_PROVIDER": "offline", **extra}
    return Settings.from_env(env, dotenv_path=db.parent / "absent.env")


async def test_another_cluster_under_the_same_context_name_is_refused(
    two_clusters: tuple[DevCluster, DevCluster], tmp_path: Path
) -> None:
    first, second = two_clusters
    assert first.kubeconfig is not None and second.kubeconfig is not None
    one, two = read_identity(first.kubeconfig), read_identity(second.kubeconfig)
    assert one.context == two.context == "devcluster" and one.server != two.server
    db = tmp_path / "cache.db"

    async with runtime.open(settings_for(first, db)) as kc:
        assert kc.cluster == "devcluster"
        result = await scan.run_tier(kc, "static")
        assert result.status == "completed", result.summary()
        namespaces = await kc.store.query(kc.cluster, "namespace")
        assert namespaces.fresh and namespaces.items
        kube_system = next(r for r in namespaces.items if r.name == "kube-system")
        identity = await kc.store.cluster_identity(kc.cluster)
    assert identity == {"api_server": one.server, "kube_system_uid": kube_system.fields["uid"]}

    # The second cluster is refused with both identities named, before anything is read.
    with pytest.raises(StoreError) as refused:
        async with runtime.open(settings_for(second, db)):
            pytest.fail("the second cluster was opened on the first one's rows")
    message = str(refused.value)
    assert one.server in message and two.server in message and "CLUSTER_NAME" in message

    # Under another name it gets its own partition: nothing of the first cluster is served.
    async with runtime.open(settings_for(second, db, CLUSTER_NAME="second")) as kc:
        assert (await kc.store.query("second", "namespace")).freshness == "missing"
        assert await kc.store.cluster_identity("second") == {
            "api_server": two.server,
            "kube_system_uid": None,
        }

    # The first cluster still opens on its own rows.
    async with Store(db) as store:
        await store.claim_cluster("devcluster", api_server=one.server)
        assert (await store.query("devcluster", "namespace")).items
