"""Answer texts: diagnoses with their findings, evidence and hints; describe views; facts."""

from __future__ import annotations

from kcache.analyzers import View, diagnose_namespace
from kcache.answer import (
    describe,
    diagnosis,
    grepped,
    health,
    how_many,
    images,
    listing,
    most,
    object_detail,
    ports,
    problems,
)
from kcache.model import Resource
from tests.support.manifests import (
    NS,
    broken_namespace,
    container,
    event,
    obj,
    pod,
    running,
    service,
    waiting,
)


def crashing() -> Resource:
    return pod(
        "cart-5d9c8b7f6d-x2x7k",
        containers=[container("server", resources={"limits": {"memory": "256Mi"}})],
        statuses=[waiting("server", "CrashLoopBackOff", restarts=7, last_reason="Error", last_code=1)],
    )


def backoff(about: Resource) -> Resource:
    return event(about, "BackOff", "Back-off restarting failed container", count=9)


def test_diagnosis_names_the_cause_in_the_users_language_with_evidence_and_hint() -> None:
    p = crashing()
    logs = {p.name: "panic: connection refused"}
    en = diagnosis("en", [p], [backoff(p)], logs)
    zh = diagnosis("zh", [p], [backoff(p)], logs)
    assert en.splitlines()[0] == f"1 problem in pod {NS}/{p.name}:"
    assert zh.splitlines()[0] == f"pod {NS}/{p.name} 有 1 个问题："
    assert "container server is in CrashLoopBackOff, last exit Error (exit code 1), 7 restarts" in en
    assert "容器 server 处于 CrashLoopBackOff，上次退出 Error（退出码 1），已重启 7 次" in zh
    # Findings, then the evidence (events, previous logs), then the hint.
    lines = en.splitlines()
    evidence, hints = lines.index("Evidence:"), lines.index("What to do:")
    assert 0 < evidence < hints
    assert any(
        'event BackOff ×9: "Back-off restarting failed container"' in line for line in lines[evidence:hints]
    )
    assert "> panic: connection refused" in lines[evidence:hints]
    assert "previous logs" in "\n".join(lines[hints:])
    assert "证据：" in zh and "建议：" in zh and "上一个容器的日志" in zh


def test_pending_pod_shows_the_scheduling_message_from_its_condition_or_event() -> None:
    message = "0/3 nodes are available: 2 Insufficient cpu"
    pending = pod(
        "load-1",
        phase="Pending",
        node=None,
        conditions=[
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}
        ],
    )
    assert f'is Pending and cannot be scheduled: "{message}"' in diagnosis("en", [pending], [], {})
    bare = pod("load-2", phase="Pending", node=None)
    failed = event(bare, "FailedScheduling", message)
    text = diagnosis("en", [bare], [failed], {})
    assert message in text and "event FailedScheduling" in text


def test_diagnosis_of_a_workload_follows_the_view_to_its_pods() -> None:
    records = broken_namespace()
    view = View.of(records, loaded=("pod", "service", "endpoints"))
    deployment = next(r for r in records if r.kind == "deployment" and r.name == "cart")
    text = diagnosis("en", [deployment], [], {}, view=view)
    assert text.startswith(f"1 problem in deployment {NS}/cart:")
    assert f"   - pod {NS}/cart-abc-1: container app is in CrashLoopBackOff" in text


def test_diagnosis_shows_findings_computed_elsewhere() -> None:
    records = broken_namespace()
    view = View.of(records, loaded=("pod", "service", "endpoints"))
    service = next(r for r in records if r.name == "orders")
    computed = diagnose_namespace(view, NS)
    text = diagnosis("en", [service], [], {}, findings=[f for f in computed if f["name"] == "orders"])
    assert text.startswith(f"1 problem in service {NS}/orders:")
    assert "selector app=orders matches no pod" in text


def test_healthy_objects_say_so() -> None:
    ok = pod("ok-1", statuses=[running()])
    assert diagnosis("en", [ok], [], {}).startswith(f"No problem found with pod {NS}/ok-1 (status Running")
    both = diagnosis("en", [ok, pod("ok-2", statuses=[running()])], [], {}).splitlines()
    assert both[0] == "All 2 pods are healthy:"
    assert both[1].startswith(f"- pod {NS}/ok-1: status Running") and both[2].startswith(f"- pod {NS}/ok-2:")
    assert diagnosis("zh", [], [], {}) == "没有找到相关的 pod。"


def test_problems_text_counts_ranks_and_groups_in_both_languages() -> None:
    findings = diagnose_namespace(View.of(broken_namespace(), loaded=("pod", "service", "endpoints")), NS)
    en = problems("en", findings, NS)
    zh = problems("zh", findings, NS)
    assert en.splitlines()[0] == "3 problems in team-a:"
    assert zh.splitlines()[0] == "team-a 有 3 个问题："
    assert (
        en.splitlines()[1]
        == "1. [critical] deployment team-a/cart: 0 of 1 replicas ready (0 available, 1 updated)"
    )
    assert en.splitlines()[2].startswith("   - pod team-a/cart-abc-1: container app is in CrashLoopBackOff")
    assert "3. [critical] service team-a/orders: its selector app=orders matches no pod" in en
    assert "[严重] service team-a/orders: 选择器 app=orders 没有匹配任何 pod" in zh
    cluster = problems("en", findings, None)
    assert cluster.startswith("3 problems in the cluster:")
    assert problems("zh", findings, None).startswith("集群中有 3 个问题：")
    assert problems("en", [], NS) == "No problems found in team-a."
    assert problems("zh", [], NS) == "team-a 中没有发现问题。"


def test_an_object_with_two_findings_lists_its_pods_once() -> None:
    records = broken_namespace()
    stuck = obj(
        "deployment",
        "cart",
        spec={"replicas": 1, "selector": {"matchLabels": {"app": "cart"}}},
        status={
            "replicas": 1,
            "readyReplicas": 0,
            "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}],
        },
    )
    records = [stuck if r.kind == "deployment" and r.name == "cart" else r for r in records]
    text = problems("en", diagnose_namespace(View.of(records, loaded=("pod",)), NS), NS)
    assert "deployment team-a/cart: rollout is stuck" in text and "deployment team-a/cart: 0 of 1" in text
    assert text.split("Evidence:")[0].count("pod team-a/cart-abc-1:") == 1


def test_problems_text_limits_the_list_but_counts_everything() -> None:
    records = [service(f"svc-{i:02d}", {"app": f"gone-{i}"}) for i in range(14)]
    findings = diagnose_namespace(View.of(records, loaded=("pod",)), NS)
    text = problems("en", findings, NS, limit=10)
    assert text.startswith("14 problems in team-a:")
    assert "10. [critical] service team-a/svc-09" in text and "svc-10:" not in text.split("Evidence:")[0]
    assert "… 4 more problems" in text


def deployment_with_everything() -> Resource:
    return obj(
        "deployment",
        "web",
        labels={"app": "web"},
        spec={
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "spec": {
                    "initContainers": [container("migrate", "registry.example/migrate:2")],
                    "containers": [
                        container(
                            "web",
                            "nginx:1.27",
                            ports=[{"name": "http", "containerPort": 8080}],
                            resources={"requests": {"cpu": "100m"}, "limits": {"memory": "128Mi"}},
                            readinessProbe={"httpGet": {"path": "/healthz", "port": "http"}},
                            livenessProbe={"exec": {"command": ["check", "--token=CANARY-SECRET-x"]}},
                            env=[{"name": "TOKEN", "value": "CANARY-SECRET-x"}],
                        )
                    ],
                    "volumes": [{"name": "conf", "configMap": {"name": "web-conf"}}],
                }
            },
        },
        status={
            "readyReplicas": 1,
            "availableReplicas": 1,
            "updatedReplicas": 2,
            "conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                {
                    "type": "Progressing",
                    "status": "False",
                    "reason": "ProgressDeadlineExceeded",
                    "message": 'ReplicaSet "web-2" has timed out progressing.',
                },
            ],
        },
    )


def test_describe_shows_the_kept_fields_and_no_secret() -> None:
    d = deployment_with_everything()
    en = describe("en", d)
    assert en.splitlines()[0] == "deployment team-a/web:"
    assert "  2 replicas desired, 1 ready, 1 available, 2 updated" in en
    assert (
        "    web: nginx:1.27; ports 8080/TCP (http); requests cpu=100m; limits memory=128Mi; "
        "readiness httpGet :http/healthz; liveness exec"
    ) in en
    assert "    migrate: registry.example/migrate:2" in en
    assert "  volumes: conf (configMap web-conf)" in en
    assert "    ok: Available" in en
    assert (
        '    Progressing=False (ProgressDeadlineExceeded): "ReplicaSet "web-2" has timed out progressing."'
        in en
    )
    assert "CANARY" not in en
    zh = describe("zh", d)
    assert "期望副本数 2，就绪 1" in zh and "  容器：" not in zh and "  容器:" in zh
    assert object_detail("en", d) == en  # a get answer is the describe view


def test_describe_of_a_service_and_a_node_lists_ports_once_and_bad_conditions_in_full() -> None:
    svc = obj(
        "service", "dns", spec={"selector": {"k8s-app": "dns"}, "ports": [{"port": 53, "protocol": "UDP"}]}
    )
    text = describe("en", svc)
    assert text.count("ports:") == 1 and "  ports: 53/UDP" in text and "  selector: k8s-app=dns" in text
    sick = obj(
        "node",
        "n1",
        None,
        spec={"taints": [{"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"}]},
        status={
            "conditions": [
                {"type": "MemoryPressure", "status": "False"},
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "KubeletNotReady",
                    "message": "PLEG is not healthy",
                },
            ]
        },
    )
    text = describe("en", sick)
    assert "    ok: MemoryPressure" in text
    assert '    Ready=False (KubeletNotReady): "PLEG is not healthy"' in text
    assert "  taints: node.kubernetes.io/not-ready:NoExecute" in text


def test_images_of_an_object_and_of_all_pods_in_a_scope() -> None:
    d = deployment_with_everything()
    assert images("en", [d]) == (
        "deployment team-a/web uses 2 images: registry.example/migrate:2 (init container migrate), "
        "nginx:1.27 (container web)."
    )
    assert images("zh", [d]).startswith(
        "deployment team-a/web 使用 2 个镜像：registry.example/migrate:2（初始化容器 migrate）"
    )
    pods = [pod(f"web-{i}", containers=[container(image="nginx:1.27")]) for i in range(3)]
    pods.append(pod("cache-0", containers=[container(image="redis:7")]))
    text = images("en", pods, NS)
    lines = text.splitlines()
    assert lines[0] == "The 4 pods in namespace team-a run 2 images:"
    assert lines[1].split() == ["IMAGE", "COUNT", "EXAMPLES"]
    assert lines[2].split()[:2] == ["nginx:1.27", "3"] and lines[3].split()[:2] == ["redis:7", "1"]
    assert images("zh", pods, NS).startswith("命名空间 team-a 中的 4 个 pod 使用 2 个镜像：")


def test_ports_of_a_service_and_of_containers() -> None:
    svc = obj(
        "service",
        "web",
        spec={
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": "http", "nodePort": 30080}],
        },
    )
    assert ports("en", svc) == "service team-a/web exposes 80/TCP → http (nodePort 30080) [http]."
    assert ports("zh", svc).startswith("service team-a/web 的端口：80/TCP")
    assert (
        ports("en", deployment_with_everything())
        == "deployment team-a/web declares container ports web 8080/TCP (http)."
    )


def test_counts_start_with_the_number_and_top_ten_is_sorted() -> None:
    pods = [pod(f"p-{i:02d}", statuses=[running(restarts=i)]) for i in range(12)]
    pods.append(pod("pending", phase="Pending", node=None))
    assert how_many("en", "pod", pods, NS) == "13 pods in namespace team-a (Running: 12, Pending: 1)."
    assert how_many("zh", "pod", pods, NS) == "13 个 pod，位于命名空间 team-a（Running: 12，Pending: 1）。"
    pods.append(pod("slow", statuses=[running(ready=False)]))
    assert how_many("en", "pod", pods, NS) == (
        "14 pods in namespace team-a (Running: 13, Pending: 1); 1 running but not ready: slow."
    )
    assert how_many("zh", "pod", pods, NS).endswith("；其中 1 个在运行但未就绪：slow。")
    pods.pop()
    top = most("en", "pod", pods, "restarts", NS).splitlines()
    assert top[0] == "Top 10 pods by restarts in namespace team-a:"
    assert top[1] == "1. p-11 — 11" and top[10] == "10. p-02 — 2" and len(top) == 11
    assert most("zh", "pod", pods, "restarts", NS).startswith("命名空间 team-a 中重启次数最多的 10 个 pod：")
    heavy = [
        pod("big", containers=[container(resources={"requests": {"memory": "1Gi"}})]),
        pod("small", containers=[container(resources={"requests": {"memory": "64Mi"}})]),
    ]
    assert most("en", "pod", heavy, "memory_request", NS).splitlines()[1:] == [
        "1. big — 1024Mi",
        "2. small — 64Mi",
    ]


def test_listing_counts_and_grammar() -> None:
    one = listing(
        "en", "deployment", [Resource(kind="deployment", namespace="a", name="x")], "a", count_only=False
    )
    assert one.startswith("There is 1 deployment in namespace a")
    pods = [crashing(), pod("ok-1", statuses=[running()])]
    assert listing("zh", "pod", pods, NS, count_only=False).startswith("命名空间 team-a 中共有 2 个 pod")
    # Only the count asked: the number comes first.
    assert listing("zh", "pod", pods, NS, count_only=True).startswith("2 个 pod，位于命名空间 team-a")
    nodes = [obj("node", "n1", None), obj("node", "n2", None)]
    assert listing("en", "node", nodes, None, count_only=True).startswith("2 nodes (")
    assert listing("en", "node", nodes, None, count_only=False).startswith("There are 2 nodes:")


def test_health_of_a_namespace_and_of_the_cluster() -> None:
    view = View.of(broken_namespace(), loaded=("pod", "service", "endpoints"))
    assert health("en", view, NS).startswith("3 problems in team-a:")
    assert health("zh", view).startswith("集群中有 3 个问题：")
    quiet = View.of([pod("ok", statuses=[running()])], loaded=("pod",))
    assert health("en", quiet) == "No problems found in the cluster."


def test_describe_lists_every_other_kept_field() -> None:
    pvc = obj(
        "persistentvolumeclaim",
        "data",
        spec={
            "storageClassName": "standard",
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "5Gi"}},
        },
        status={"phase": "Pending"},
    )
    text = describe("en", pvc)
    assert "  requested: 5Gi" in text and "  access_modes: ReadWriteOnce" in text
    sc = obj("storageclass", "fast-ssd", None, provisioner="pd.csi.storage.gke.io", reclaimPolicy="Retain")
    assert "  reclaim_policy: Retain" in describe("zh", sc)


def test_a_listing_of_pods_ends_with_their_images() -> None:
    pods = [pod(f"web-{i}", containers=[container(image="nginx:1.27")]) for i in range(2)]
    pods.append(pod("cache-0", containers=[container(image="redis:7")]))
    assert (
        listing("en", "pod", pods, NS, count_only=False).splitlines()[-1] == "images: nginx:1.27 ×2, redis:7"
    )
    assert listing("zh", "pod", pods, NS, count_only=False).splitlines()[-1] == "镜像：nginx:1.27 ×2, redis:7"


def test_grepped_keeps_the_rows_whose_listed_line_has_the_text() -> None:
    pods = [
        Resource(kind="pod", name="web-1", namespace="shop", fields={"status": "Running", "node_name": "n1"}),
        Resource(
            kind="pod",
            name="db-0",
            namespace="shop",
            fields={"status": "CrashLoopBackOff", "node_name": "n2"},
        ),
    ]
    assert [r.name for r in grepped(pods, "crashloop", None)] == ["db-0"]
    assert [r.name for r in grepped(pods, None, "N2")] == ["web-1"]
    assert grepped(pods, "shop", "web") == [pods[1]] and grepped(pods, None, None) == pods
