"""devcluster's RBAC, users, impersonation, access reviews and multi-context kubeconfigs.

Everything goes through real clients: kubectl 1.37 (which sends no bearer token over plain
http, so its user contexts act by impersonation there, and by token over https), the
``kubernetes`` Python client and httpx (which send the token), kubernetes-mcp-server 0.0.67.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from devcluster import DevCluster, write_kubeconfig
from devcluster.kubeconfig import write_contexts

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
KUBECTL = ROOT / ".venv" / "bin" / "kubectl"
BINARY = ROOT / "node_modules/kubernetes-mcp-server-linux-amd64/bin/kubernetes-mcp-server-linux-amd64"
DEMO = ROOT / "devcluster" / "clusters" / "demo"
RBAC_GROUP = "rbac.authorization.k8s.io"

_NODE = {
    "apiVersion": "v1",
    "kind": "Node",
    "metadata": {"name": "node-1", "labels": {"kubernetes.io/hostname": "node-1"}},
    "status": {
        "capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
        "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
        "nodeInfo": {"kubeletVersion": "v1.31.4"},
    },
}


def _deployment(namespace: str, name: str, replicas: int) -> dict:  # type: ignore[type-arg]
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": name, "image": f"example/{name}:1"}]},
            },
        },
    }


def _binding(
    kind: str, name: str, role: tuple[str, str], subjects: list[dict], ns: str | None = None
) -> dict:  # type: ignore[type-arg]
    meta = {"name": name, **({"namespace": ns} if ns else {})}
    return {
        "apiVersion": f"{RBAC_GROUP}/v1",
        "kind": kind,
        "metadata": meta,
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": role[0], "name": role[1]},
        "subjects": subjects,
    }


def _user(name: str) -> dict[str, str]:
    return {"apiGroup": RBAC_GROUP, "kind": "User", "name": name}


TEAMS: list[dict] = [  # type: ignore[type-arg]
    _NODE,
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "payments"}},
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}},
    _deployment("payments", "ledger", 2),
    _deployment("team-a", "web", 3),
    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "deployer", "namespace": "payments"}},
    {
        "apiVersion": f"{RBAC_GROUP}/v1",
        "kind": "Role",
        "metadata": {"name": "pod-reader", "namespace": "payments"},
        "rules": [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}],
    },
    {
        "apiVersion": f"{RBAC_GROUP}/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "impersonator"},
        "rules": [{"apiGroups": [""], "resources": ["users", "groups"], "verbs": ["impersonate"]}],
    },
    _binding("RoleBinding", "alice-reads-pods", ("Role", "pod-reader"), [_user("alice")], "payments"),
    _binding(
        "RoleBinding",
        "team-a-edit",
        ("ClusterRole", "edit"),
        [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": "team-a"}],
        "team-a",
    ),
    _binding(
        "RoleBinding",
        "deployer-edit",
        ("ClusterRole", "edit"),
        [{"kind": "ServiceAccount", "name": "deployer", "namespace": "payments"}],
        "payments",
    ),
    _binding("ClusterRoleBinding", "ops-impersonates", ("ClusterRole", "impersonator"), [_user("ops")]),
]


def _teams_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "teams.yaml").write_text(yaml.safe_dump_all(TEAMS, sort_keys=False))
    return folder


def _add_users(dc: DevCluster) -> None:
    dc.users.add("alice")
    dc.users.add("bob", ["team-a"])
    dc.users.add("carol")
    dc.users.add("ops")


@pytest.fixture(scope="module")
def teams(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevCluster]:
    """The teams cluster over plain http, with alice, bob, carol and ops issued tokens."""
    tmp = tmp_path_factory.mktemp("rbac")
    with DevCluster(_teams_dir(tmp / "cluster")) as dc:
        _add_users(dc)
        dc.write_kubeconfig(tmp / "kubeconfig.yaml", users=["alice", "bob", "carol", "ops"])
        yield dc


@pytest.fixture(scope="module")
def teams_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevCluster]:
    """The teams cluster over https, where kubectl sends each context's token."""
    tmp = tmp_path_factory.mktemp("rbac-tls")
    with DevCluster(_teams_dir(tmp / "cluster"), tls=True) as dc:
        _add_users(dc)
        dc.write_kubeconfig(tmp / "kubeconfig.yaml", users=["alice", "bob", "carol", "ops"])
        yield dc


def kubectl(dc: DevCluster, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(dc.kubeconfig), *args], capture_output=True, text=True, timeout=60
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def _pods(dc: DevCluster, ns: str) -> set[str]:
    return {p["metadata"]["name"] for p in dc.list("pod", ns)}


def _http(dc: DevCluster, user: str) -> httpx.Client:
    token = dc.users.get(user).token
    return httpx.Client(base_url=dc.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _core(dc: DevCluster, context: str) -> client.CoreV1Api:
    return client.CoreV1Api(config.new_client_from_config(config_file=str(dc.kubeconfig), context=context))


# --- the kinds -------------------------------------------------------------------------------


def test_rbac_kinds_are_served_loaded_and_printed(teams: DevCluster) -> None:
    assert teams.rbac_enabled
    found = kubectl(teams, "api-resources", f"--api-group={RBAC_GROUP}", "-o", "name").stdout.split()
    assert sorted(found) == sorted(
        f"{p}.{RBAC_GROUP}" for p in ("clusterrolebindings", "clusterroles", "rolebindings", "roles")
    )
    wide = kubectl(teams, "get", "rolebindings", "-A", "-o", "wide").stdout.splitlines()
    assert wide[0].split() == ["NAMESPACE", "NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    rows = {line.split()[1]: line.split() for line in wide[1:]}
    assert rows["alice-reads-pods"][2:3] == ["Role/pod-reader"] and rows["alice-reads-pods"][4] == "alice"
    assert rows["deployer-edit"][2] == "ClusterRole/edit" and rows["deployer-edit"][4] == "payments/deployer"
    # The default policy every kube-apiserver creates, next to the folder's own ClusterRole.
    roles = kubectl(teams, "get", "clusterroles", "-o", "name").stdout.split()
    for name in ("cluster-admin", "admin", "edit", "view", "system:basic-user", "impersonator"):
        assert f"clusterrole.{RBAC_GROUP}/{name}" in roles
    binding = json.loads(kubectl(teams, "get", "clusterrolebinding", "cluster-admin", "-o", "json").stdout)
    assert binding["subjects"] == [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": "system:masters"}]


def test_roles_are_written_like_other_kinds(teams: DevCluster, tmp_path: Path) -> None:
    role = {
        "apiVersion": f"{RBAC_GROUP}/v1",
        "kind": "Role",
        "metadata": {"name": "cm-reader", "namespace": "team-a"},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
    }
    (tmp_path / "role.yaml").write_text(yaml.safe_dump(role))
    try:
        kubectl(teams, "apply", "-f", str(tmp_path / "role.yaml"))
        kubectl(
            teams,
            "patch",
            "role",
            "cm-reader",
            "-n",
            "team-a",
            "--type=json",
            "-p",
            '[{"op": "add", "path": "/rules/0/verbs/-", "value": "list"}]',
        )
        got = json.loads(kubectl(teams, "get", "role", "cm-reader", "-n", "team-a", "-o", "json").stdout)
        assert got["rules"][0]["verbs"] == ["get", "list"]
    finally:
        kubectl(teams, "delete", "role", "cm-reader", "-n", "team-a")
    assert "NotFound" in kubectl(teams, "get", "role", "cm-reader", "-n", "team-a", check=False).stderr


def test_rbac_is_off_for_a_cluster_without_roles(devcluster_demo: DevCluster) -> None:
    assert not devcluster_demo.rbac_enabled
    assert kubectl(devcluster_demo, "get", "clusterroles", "-o", "name").stdout == ""
    listed = kubectl(devcluster_demo, "auth", "can-i", "--list", "-n", "boutique").stdout
    assert "*.*" in listed and "[*]" in listed


def test_the_constructor_argument_overrides_the_folder(tmp_path: Path) -> None:
    with DevCluster(_teams_dir(tmp_path / "cluster"), rbac=False) as off:
        off.users.add("alice")
        with _http(off, "alice") as http:
            assert len(http.get("/api/v1/namespaces/team-a/pods").json()["items"]) == 3
    with DevCluster(DEMO, rbac=True) as on:
        on.users.add("alice")
        with _http(on, "alice") as http:
            assert http.get("/api/v1/namespaces/boutique/pods").status_code == 403
        with _http(on, "devcluster-admin") as http:
            assert len(http.get("/api/v1/namespaces/boutique/pods").json()["items"]) == 12
            names = [
                r["metadata"]["name"] for r in http.get(f"/apis/{RBAC_GROUP}/v1/clusterroles").json()["items"]
            ]
        assert {"admin", "cluster-admin", "edit", "view"} <= set(names)
    with DevCluster(DEMO) as later:
        later.users.add("alice")
        with _http(later, "alice") as http:
            assert http.get("/api/v1/namespaces/boutique/pods").status_code == 200
            later.enable_rbac()
            assert http.get("/api/v1/namespaces/boutique/pods").status_code == 403


# --- users and namespaces --------------------------------------------------------------------


def test_two_users_each_see_only_their_namespace_with_kubectl(teams: DevCluster) -> None:
    alice = kubectl(teams, "--context", "alice", "get", "pods", "-n", "payments", "-o", "name").stdout.split()
    assert {n.removeprefix("pod/") for n in alice} == _pods(teams, "payments") and len(alice) == 2
    bob = kubectl(teams, "--context", "bob", "get", "pods", "-n", "team-a", "-o", "name").stdout.split()
    assert {n.removeprefix("pod/") for n in bob} == _pods(teams, "team-a") and len(bob) == 3
    denied = kubectl(teams, "--context", "alice", "get", "pods", "-n", "team-a", check=False)
    assert denied.returncode == 1
    assert (
        'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" '
        'in API group "" in the namespace "team-a"'
    ) in denied.stderr
    everywhere = kubectl(teams, "--context", "bob", "get", "pods", "-A", check=False)
    assert 'User "bob" cannot list resource "pods" in API group "" at the cluster scope' in everywhere.stderr


def test_two_users_each_see_only_their_namespace_with_the_python_client(teams: DevCluster) -> None:
    alice, bob = _core(teams, "alice"), _core(teams, "bob")
    assert {p.metadata.name for p in alice.list_namespaced_pod("payments").items} == _pods(teams, "payments")
    assert {p.metadata.name for p in bob.list_namespaced_pod("team-a").items} == _pods(teams, "team-a")
    with pytest.raises(ApiException) as err:
        alice.list_namespaced_pod("team-a")
    assert err.value.status == 403
    with pytest.raises(ApiException):
        bob.list_namespaced_pod("payments")
    # bob's ClusterRole edit lets him write in team-a, alice's pod-reader does not.
    cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="notes"), data={"a": "1"})
    bob.create_namespaced_config_map("team-a", cm)
    bob.delete_namespaced_config_map("notes", "team-a")
    with pytest.raises(ApiException) as err:
        alice.create_namespaced_config_map("payments", cm)
    assert 'cannot create resource "configmaps"' in json.loads(err.value.body)["message"]


def test_forbidden_is_kube_apiservers_status(teams: DevCluster) -> None:
    with _http(teams, "alice") as http:
        listed = http.get("/api/v1/namespaces/team-a/pods")
        pod = sorted(_pods(teams, "payments"))[0]
        log = http.get(f"/api/v1/namespaces/payments/pods/{pod}/log")
        secret = http.get("/api/v1/namespaces/payments/secrets/db")
        discovery = http.get("/apis")
        deploys = http.get("/apis/apps/v1/namespaces/payments/deployments")
    assert listed.status_code == 403
    assert listed.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" '
        'in the namespace "team-a"',
        "reason": "Forbidden",
        "details": {"kind": "pods"},
        "code": 403,
    }
    assert log.status_code == 200  # pods/log is in alice's Role
    assert secret.status_code == 403
    assert secret.json()["message"] == (
        'secrets "db" is forbidden: User "alice" cannot get resource "secrets" in API group "" '
        'in the namespace "payments"'
    )
    assert secret.json()["details"] == {"name": "db", "kind": "secrets"}
    assert discovery.status_code == 200  # system:discovery, bound to every authenticated user
    assert deploys.json()["message"] == (
        'deployments.apps is forbidden: User "alice" cannot list resource "deployments" in API group '
        '"apps" in the namespace "payments"'
    )


def test_unknown_token_is_401_once_rbac_is_on(teams: DevCluster) -> None:
    answer = httpx.get(f"{teams.url}/api/v1/pods", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401 and answer.json()["reason"] == "Unauthorized"


def test_service_account_token_from_kubectl_create_token(teams: DevCluster) -> None:
    token = kubectl(teams, "create", "token", "deployer", "-n", "payments").stdout.strip()
    with httpx.Client(base_url=teams.url, headers={"Authorization": f"Bearer {token}"}) as http:
        mine = http.get("/apis/apps/v1/namespaces/payments/deployments")
        other = http.get("/apis/apps/v1/namespaces/team-a/deployments")
    assert [d["metadata"]["name"] for d in mine.json()["items"]] == ["ledger"]
    assert other.status_code == 403
    assert other.json()["message"] == (
        'deployments.apps is forbidden: User "system:serviceaccount:payments:deployer" cannot list '
        'resource "deployments" in API group "apps" in the namespace "team-a"'
    )


def test_deny_knob_still_denies_on_top_of_rbac(teams: DevCluster) -> None:
    alice = _core(teams, "alice")
    teams.access.deny("list", "pods", "payments")
    try:
        with pytest.raises(ApiException) as err:
            alice.list_namespaced_pod("payments")
        assert err.value.status == 403
        assert 'User "alice" cannot list resource "pods"' in json.loads(err.value.body)["message"]
        can_i = kubectl(
            teams, "auth", "can-i", "list", "pods", "-n", "payments", "--as", "alice", check=False
        )
        assert can_i.stdout.strip() == "no - denied by devcluster access policy"
    finally:
        teams.access.clear()
    assert len(alice.list_namespaced_pod("payments").items) == 2


# --- impersonation ---------------------------------------------------------------------------


def test_kubectl_as_and_as_group(teams: DevCluster) -> None:
    carol = kubectl(teams, "get", "pods", "-n", "team-a", "--as", "carol", check=False)
    assert 'User "carol" cannot list resource "pods"' in carol.stderr
    as_team = kubectl(
        teams, "get", "pods", "-n", "team-a", "--as", "carol", "--as-group", "team-a", "-o", "name"
    )
    assert len(as_team.stdout.split()) == 3
    sa = kubectl(
        teams,
        "get",
        "deploy",
        "-n",
        "payments",
        "-o",
        "name",
        "--as",
        "system:serviceaccount:payments:deployer",
    )
    assert sa.stdout.split() == ["deployment.apps/ledger"]


def test_impersonation_needs_the_impersonate_verb(teams: DevCluster) -> None:
    headers = {"Impersonate-User": "alice"}
    with _http(teams, "ops") as ops, _http(teams, "carol") as carol:
        allowed = ops.get("/api/v1/namespaces/payments/pods", headers=headers)
        as_alice_elsewhere = ops.get("/api/v1/namespaces/team-a/pods", headers=headers)
        refused = carol.get("/api/v1/namespaces/payments/pods", headers=headers)
        group = ops.get(
            "/api/v1/namespaces/team-a/pods",
            headers=[("Impersonate-User", "x"), ("Impersonate-Group", "team-a")],
        )
    assert allowed.status_code == 200 and len(allowed.json()["items"]) == 2
    assert as_alice_elsewhere.json()["message"].startswith('pods is forbidden: User "alice" cannot list')
    assert refused.status_code == 403
    assert refused.json()["message"] == (
        'users "alice" is forbidden: User "carol" cannot impersonate resource "users" in API group "" '
        "at the cluster scope"
    )
    assert group.status_code == 200 and len(group.json()["items"]) == 3
    # Acting as oneself with no more groups needs no permission (a token and as/as-groups
    # from the same kubeconfig entry); one more group does.
    with _http(teams, "bob") as bob:
        same = [("Impersonate-User", "bob"), ("Impersonate-Group", "team-a")]
        assert bob.get("/api/v1/namespaces/team-a/pods", headers=same).status_code == 200
        more = [*same, ("Impersonate-Group", "system:masters")]
        assert bob.get("/api/v1/namespaces/team-a/pods", headers=more).json()["message"] == (
            'users "bob" is forbidden: User "bob" cannot impersonate resource "users" in API group "" '
            "at the cluster scope"
        )


def test_kubectl_impersonation_is_refused_without_the_permission(teams_tls: DevCluster) -> None:
    # `get pods` fails in discovery first, where kubectl prints a 403 as "Forbidden: unknown"
    # (as against kube-apiserver); a raw request shows the Status message.
    path = "/api/v1/namespaces/payments/pods"
    refused = kubectl(teams_tls, "--context", "carol", "get", "--raw", path, "--as", "alice", check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        'Error from server (Forbidden): users "alice" is forbidden: User "carol" cannot impersonate '
        'resource "users" in API group "" at the cluster scope'
    )
    assert (
        "Forbidden"
        in kubectl(teams_tls, "--context", "carol", "get", "pods", "--as", "alice", check=False).stderr
    )
    allowed = kubectl(
        teams_tls, "--context", "ops", "get", "pods", "-n", "payments", "--as", "alice", "-o", "name"
    )
    assert len(allowed.stdout.split()) == 2
    assert "Unauthorized" in kubectl(teams_tls, "--token", "nope", "get", "ns", check=False).stderr


# --- reviews ---------------------------------------------------------------------------------


def test_kubectl_auth_can_i_answers_from_the_bindings(teams: DevCluster) -> None:
    def can_i(*args: str) -> str:
        return kubectl(teams, "auth", "can-i", *args, check=False).stdout.strip()

    assert can_i("list", "pods", "-n", "payments", "--as", "alice") == "yes"
    assert can_i("list", "pods", "-n", "team-a", "--as", "alice") == "no"
    assert can_i("get", "pods/log", "-n", "payments", "--as", "alice") == "yes"
    assert can_i("delete", "pods", "-n", "payments", "--as", "alice") == "no"
    assert can_i("create", "deployments.apps", "-n", "team-a", "--as", "bob", "--as-group", "team-a") == "yes"
    assert can_i("list", "pods", "-n", "payments", "--context", "bob") == "no"
    assert can_i("impersonate", "users", "--context", "ops") == "yes"
    assert can_i("*", "*", "-A") == "yes"  # the admin


def test_kubectl_auth_can_i_list_is_the_rules_review(teams: DevCluster, teams_tls: DevCluster) -> None:
    for dc in (teams, teams_tls):
        listed = kubectl(
            dc, "auth", "can-i", "--list", "-n", "team-a", "--context", "bob"
        ).stdout.splitlines()
        rows = {line.split()[0]: line.split() for line in listed[1:] if not line.startswith(" ")}
        assert rows["pods"][-1] == "watch]" and "create" in " ".join(rows["pods"])
        assert "deployments.apps" in rows and "secrets" in rows
        assert "selfsubjectaccessreviews.authorization.k8s.io" in rows
        alice = kubectl(dc, "auth", "can-i", "--list", "-n", "payments", "--context", "alice").stdout
        assert "pods/log" in alice and "deployments.apps" not in alice
        nothing = kubectl(dc, "auth", "can-i", "--list", "-n", "team-a", "--context", "alice").stdout
        assert "pods " not in nothing and "selfsubjectrulesreviews" in nothing


def test_subject_access_reviews_from_the_python_client(teams: DevCluster) -> None:
    authz = client.AuthorizationV1Api(config.new_client_from_config(config_file=str(teams.kubeconfig)))

    def review(
        user: str, groups: list[str], ns: str, verb: str = "list"
    ) -> client.V1SubjectAccessReviewStatus:
        body = client.V1SubjectAccessReview(
            spec=client.V1SubjectAccessReviewSpec(
                user=user,
                groups=groups,
                resource_attributes=client.V1ResourceAttributes(namespace=ns, verb=verb, resource="pods"),
            )
        )
        return authz.create_subject_access_review(body).status

    yes = review("alice", ["system:authenticated"], "payments")
    assert yes.allowed
    assert yes.reason == (
        'RBAC: allowed by RoleBinding "alice-reads-pods/payments" of Role "pod-reader" to User "alice"'
    )
    assert not review("alice", ["system:authenticated"], "team-a").allowed
    assert review("anyone", ["team-a"], "team-a", "delete").allowed
    local = client.V1LocalSubjectAccessReview(
        spec=client.V1SubjectAccessReviewSpec(
            user="bob",
            groups=["team-a"],
            resource_attributes=client.V1ResourceAttributes(verb="create", resource="configmaps"),
        )
    )
    answer = authz.create_namespaced_local_subject_access_review("team-a", local)
    assert answer.status.allowed and answer.spec.resource_attributes.namespace == "team-a"
    as_alice = client.AuthorizationV1Api(
        config.new_client_from_config(config_file=str(teams.kubeconfig), context="alice")
    )
    mine = as_alice.create_self_subject_access_review(
        client.V1SelfSubjectAccessReview(
            spec=client.V1SelfSubjectAccessReviewSpec(
                resource_attributes=client.V1ResourceAttributes(
                    namespace="payments", verb="watch", resource="pods"
                )
            )
        )
    )
    assert mine.status.allowed
    with pytest.raises(ApiException) as err:  # creating a SubjectAccessReview needs its own permission
        as_alice.create_subject_access_review(
            client.V1SubjectAccessReview(spec=client.V1SubjectAccessReviewSpec(user="bob"))
        )
    assert err.value.status == 403


def test_whoami_names_users_groups_and_service_accounts(teams_tls: DevCluster) -> None:
    def whoami(*args: str) -> dict:  # type: ignore[type-arg]
        out = json.loads(kubectl(teams_tls, "auth", "whoami", "-o", "json", *args).stdout)
        return out["status"]["userInfo"]  # type: ignore[no-any-return]

    assert whoami() == {"username": "devcluster-admin", "groups": ["system:masters", "system:authenticated"]}
    assert whoami("--context", "bob") == {"username": "bob", "groups": ["team-a", "system:authenticated"]}
    token = kubectl(teams_tls, "create", "token", "deployer", "-n", "payments").stdout.strip()
    assert whoami("--token", token) == {
        "username": "system:serviceaccount:payments:deployer",
        "groups": ["system:serviceaccounts", "system:serviceaccounts:payments", "system:authenticated"],
    }
    assert whoami("--context", "ops", "--as", "alice", "--as-group", "team-a")["groups"] == [
        "team-a",
        "system:authenticated",
    ]


def test_cli_serves_users_and_rbac(tmp_path: Path) -> None:
    kc = tmp_path / "kc.yaml"
    cluster = _teams_dir(tmp_path / "cluster")
    args = [
        "serve",
        "--cluster",
        str(cluster),
        "--user",
        "alice",
        "--user",
        "bob:team-a",
        "--kubeconfig-out",
        str(kc),
    ]
    proc = subprocess.Popen([sys.executable, "-m", "devcluster", *args], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("devcluster serving http://127.0.0.1:")
        proc.stdout.readline()
        run = [str(KUBECTL), "--kubeconfig", str(kc)]
        bob = subprocess.run(
            [*run, "--context", "bob", "get", "pods", "-n", "team-a", "-o", "name"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert len(bob.stdout.split()) == 3, bob.stderr
        alice = subprocess.run(
            [*run, "--context", "alice", "get", "pods", "-n", "team-a"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert 'User "alice" cannot list resource "pods"' in alice.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- several clusters, one kubeconfig --------------------------------------------------------


def test_one_kubeconfig_two_clusters(teams: DevCluster, devcluster_demo: DevCluster, tmp_path: Path) -> None:
    path = write_kubeconfig(
        tmp_path / "both.yaml", {"prod": devcluster_demo, "staging": teams}, current="staging"
    )
    doc = yaml.safe_load(path.read_text())
    assert [c["name"] for c in doc["contexts"]] == ["prod", "staging"] and doc["current-context"] == "staging"

    def names(*args: str) -> list[str]:
        done = subprocess.run(
            [str(KUBECTL), "--kubeconfig", str(path), *args], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert names("--context", "prod", "get", "nodes", "-o", "name") == [
        "node/demo-control-plane",
        "node/demo-worker-1",
        "node/demo-worker-2",
    ]
    assert names("--context", "staging", "get", "nodes", "-o", "name") == ["node/node-1"]
    assert names("get", "ns", "payments", "-o", "name") == ["namespace/payments"]  # current: staging


def test_contexts_with_users_across_clusters(
    teams_tls: DevCluster, devcluster_demo: DevCluster, tmp_path: Path
) -> None:
    path = write_contexts(
        tmp_path / "mixed.yaml",
        [
            teams_tls.context("staging-alice", user="alice", namespace="payments", cluster="staging"),
            teams_tls.context("staging-bob", user="bob", namespace="team-a", cluster="staging"),
            devcluster_demo.context("prod"),
        ],
    )
    doc = yaml.safe_load(path.read_text())
    assert [c["name"] for c in doc["clusters"]] == ["staging", "prod"]
    run = [str(KUBECTL), "--kubeconfig", str(path)]
    alice = subprocess.run(
        [*run, "--context", "staging-alice", "get", "pods", "-o", "name"], capture_output=True, text=True
    )
    assert len(alice.stdout.split()) == 2, alice.stderr
    bob = subprocess.run(
        [*run, "--context", "staging-bob", "get", "pods", "-n", "payments"], capture_output=True, text=True
    )
    assert 'User "bob" cannot list resource "pods"' in bob.stderr
    prod = subprocess.run(
        [*run, "--context", "prod", "get", "pods", "-n", "boutique", "-o", "name"],
        capture_output=True,
        text=True,
    )
    assert len(prod.stdout.split()) == 12


# --- kubernetes-mcp-server -------------------------------------------------------------------


async def _mcp_pods_list(kubeconfig: Path) -> str:
    params = StdioServerParameters(command=str(BINARY), args=["--kubeconfig", str(kubeconfig)])
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        result = await session.call_tool("pods_list", {})
    text = "".join(getattr(block, "text", "") for block in result.content)
    assert not result.isError, text
    return text


@pytest.mark.skipif(not BINARY.exists(), reason="kubernetes-mcp-server npm package not installed")
@pytest.mark.parametrize("cluster", ["teams", "teams_tls"])
async def test_kubernetes_mcp_server_narrows_to_the_users_namespace(
    cluster: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    dc: DevCluster = request.getfixturevalue(cluster)
    path = write_contexts(tmp_path / "alice.yaml", [dc.context("alice", user="alice", namespace="payments")])
    text = await _mcp_pods_list(path)
    # The all-namespaces review is denied, so the server lists the kubeconfig's namespace only.
    assert _pods(dc, "payments") <= set(text.split())
    assert not _pods(dc, "team-a") & set(text.split())
