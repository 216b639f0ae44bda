from kcache.answer import diagnosis, listing
from kcache.model import Resource


def crashing() -> Resource:
    return Resource(
        kind="pod",
        namespace="shop",
        name="cart-5d9c8b7f6d-x2x7k",
        fields={
            "status": "CrashLoopBackOff",
            "ready": "0/1",
            "restarts": 7,
            "containers": [
                {
                    "name": "server",
                    "state": "waiting",
                    "reason": "CrashLoopBackOff",
                    "last_state_reason": "Error",
                    "last_exit_code": 1,
                }
            ],
        },
    )


def backoff() -> Resource:
    return Resource(
        kind="event",
        namespace="shop",
        name="e1",
        fields={
            "type": "Warning",
            "reason": "BackOff",
            "message": "Back-off restarting failed container",
            "involved_name": "cart-5d9c8b7f6d-x2x7k",
            "involved_kind": "pod",
        },
    )


def test_diagnosis_names_the_cause_in_the_users_language() -> None:
    en = diagnosis("en", [crashing()], [backoff()], {})
    zh = diagnosis("zh", [crashing()], [backoff()], {})
    assert "Cause: CrashLoopBackOff: the container keeps exiting (Error)" in en
    assert "原因：CrashLoopBackOff：容器反复退出 (Error)" in zh
    assert 'BackOff: "Back-off restarting failed container"' in en and "restarts 7" in en


def test_pending_pod_shows_the_scheduling_message() -> None:
    pending = Resource(
        kind="pod", namespace="shop", name="load-1", fields={"status": "Pending", "ready": "0/1"}
    )
    event = Resource(
        kind="event",
        namespace="shop",
        name="e2",
        fields={
            "type": "Warning",
            "reason": "FailedScheduling",
            "message": "0/3 nodes are available: 2 Insufficient cpu",
            "involved_name": "load-1",
        },
    )
    assert 'FailedScheduling — "0/3 nodes are available: 2 Insufficient cpu"' in diagnosis(
        "en", [pending], [event], {}
    )


def test_listing_counts_and_grammar() -> None:
    one = listing(
        "en", "deployment", [Resource(kind="deployment", namespace="a", name="x")], "a", count_only=False
    )
    assert one.startswith("There is 1 deployment in namespace a")
    pods = [crashing(), Resource(kind="pod", namespace="shop", name="ok-1", fields={"status": "Running"})]
    assert listing("zh", "pod", pods, "shop", count_only=True).startswith("命名空间 shop 中共有 2 个 pod")
