"""devcluster's RBAC without a server: request attributes, rules, messages, tokens, kubeconfigs.

Also the protobuf access and rules reviews that kubectl and client-go send.
"""

from __future__ import annotations

import pytest
import yaml

from devcluster.access import decode_review
from devcluster.kubeconfig import Context, render_contexts
from devcluster.rbac import Attributes, Rbac, default_policy, forbidden, request_attributes, rule_allows
from devcluster.resources import by_key
from devcluster.state import ClusterState
from devcluster.users import ADMIN, Identity, Users, parse_user, user_identity


@pytest.mark.parametrize(
    ("method", "path", "query", "expected"),
    [
        (
            "GET",
            "/api/v1/pods",
            {},
            Attributes("list", path="/api/v1/pods", api_version="v1", resource="pods"),
        ),
        (
            "GET",
            "/api/v1/namespaces/payments/pods",
            {"watch": "True"},
            Attributes("watch", True, "/api/v1/namespaces/payments/pods", "", "v1", "pods", "", "payments"),
        ),
        (
            "GET",
            "/api/v1/namespaces/payments/pods/web-1/log",
            {},
            Attributes(
                "get",
                True,
                "/api/v1/namespaces/payments/pods/web-1/log",
                "",
                "v1",
                "pods",
                "log",
                "payments",
                "web-1",
            ),
        ),
        (
            "DELETE",
            "/apis/apps/v1/namespaces/a/deployments",
            {},
            Attributes(
                "deletecollection",
                True,
                "/apis/apps/v1/namespaces/a/deployments",
                "apps",
                "v1",
                "deployments",
                "",
                "a",
            ),
        ),
        (
            "PUT",
            "/apis/apps/v1/namespaces/a/deployments/web/scale",
            {},
            Attributes(
                "update",
                True,
                "/apis/apps/v1/namespaces/a/deployments/web/scale",
                "apps",
                "v1",
                "deployments",
                "scale",
                "a",
                "web",
            ),
        ),
        # A namespace is its own namespace; its status is a subresource of it.
        (
            "GET",
            "/api/v1/namespaces/a",
            {},
            Attributes("get", True, "/api/v1/namespaces/a", "", "v1", "namespaces", "", "a", "a"),
        ),
        (
            "PUT",
            "/api/v1/namespaces/a/finalize",
            {},
            Attributes(
                "update", True, "/api/v1/namespaces/a/finalize", "", "v1", "namespaces", "finalize", "a", "a"
            ),
        ),
        # A list narrowed to one name by fieldSelector is authorized for that name.
        (
            "GET",
            "/api/v1/namespaces/a/configmaps",
            {"fieldSelector": "metadata.name=cfg"},
            Attributes(
                "list", True, "/api/v1/namespaces/a/configmaps", "", "v1", "configmaps", "", "a", "cfg"
            ),
        ),
        ("GET", "/apis/apps/v1", {}, Attributes("get", False, "/apis/apps/v1")),
        ("GET", "/version", {}, Attributes("get", False, "/version")),
        ("POST", "/api", {}, Attributes("post", False, "/api")),
    ],
)
def test_request_attributes_as_kube_apiserver_parses_them(
    method: str, path: str, query: dict[str, str], expected: Attributes
) -> None:
    assert request_attributes(method, path, query) == expected


def test_rule_matching() -> None:
    pods = Attributes("get", resource="pods", namespace="a", name="web")
    log = Attributes("get", resource="pods", subresource="log", namespace="a", name="web")
    rule = {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}
    assert rule_allows(rule, pods)
    assert not rule_allows(rule, log)  # a subresource needs its own entry
    assert rule_allows({**rule, "resources": ["pods/log"]}, log)
    assert rule_allows({**rule, "resources": ["*/log"]}, log)
    assert not rule_allows({**rule, "apiGroups": ["apps"]}, pods)
    assert not rule_allows({**rule, "verbs": ["list"]}, pods)
    assert rule_allows({**rule, "resourceNames": ["web"]}, pods)
    assert not rule_allows({**rule, "resourceNames": ["db"]}, pods)
    assert not rule_allows(
        {**rule, "verbs": ["list"], "resourceNames": ["web"]}, Attributes("list", resource="pods")
    )
    everything = {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}
    assert rule_allows(everything, log)
    assert not rule_allows(everything, Attributes("get", resource_request=False, path="/healthz"))
    urls = {"nonResourceURLs": ["/healthz", "/apis/*"], "verbs": ["get"]}
    assert rule_allows(urls, Attributes("get", resource_request=False, path="/apis/apps/v1"))
    assert not rule_allows(urls, Attributes("get", resource_request=False, path="/version"))


def test_forbidden_messages_match_kube_apiserver() -> None:
    alice = Identity("alice")
    listed = forbidden(Attributes("list", resource="pods", namespace="payments"), alice)
    assert listed.code == 403 and listed.reason == "Forbidden"
    assert listed.message == (
        'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "payments"'
    )
    assert listed.details == {"kind": "pods"}
    scaled = forbidden(
        Attributes("update", api_group="apps", resource="deployments", subresource="scale", name="web"), alice
    )
    assert scaled.message == (
        'deployments.apps "web" is forbidden: User "alice" cannot update resource "deployments/scale" '
        'in API group "apps" at the cluster scope'
    )
    assert scaled.details == {"name": "web", "group": "apps", "kind": "deployments"}
    path = forbidden(Attributes("get", resource_request=False, path="/logs"), alice, "RBAC: x")
    assert path.message == 'forbidden: User "alice" cannot get path "/logs": RBAC: x'


def _rbac_state(*objects: dict) -> Rbac:  # type: ignore[type-arg]
    state = ClusterState()
    for obj in [*default_policy(), *objects]:
        kind = by_key(obj["kind"])
        state.create(kind, obj["metadata"].get("namespace") if kind.namespaced else None, obj)
    return Rbac(state.store, enabled=True)


def test_bindings_grant_in_their_scope_only() -> None:
    rbac = _rbac_state(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "view-a", "namespace": "a"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "ServiceAccount", "name": "bot"}],
            # no namespace: the binding's own
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "dangling", "namespace": "a"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "gone"},
            "subjects": [{"kind": "User", "name": "eve"}],
        },
    )
    bot = user_identity("system:serviceaccount:a:bot")
    assert bot.groups == ("system:serviceaccounts", "system:serviceaccounts:a", "system:authenticated")
    allowed = rbac.authorize(bot, Attributes("list", resource="pods", namespace="a"))
    assert allowed.allowed
    assert allowed.reason == (
        'RBAC: allowed by RoleBinding "view-a/a" of ClusterRole "view" to ServiceAccount "bot/a"'
    )
    assert not rbac.authorize(bot, Attributes("list", resource="pods", namespace="b")).allowed
    assert not rbac.authorize(bot, Attributes("list", resource="pods")).allowed
    assert not rbac.authorize(bot, Attributes("get", resource="secrets", namespace="a")).allowed  # view
    assert rbac.authorize(bot, Attributes("get", resource_request=False, path="/apis")).allowed  # discovery
    eve = rbac.authorize(user_identity("eve"), Attributes("get", resource="pods", namespace="a"))
    assert eve == type(eve)(False, 'RBAC: role.rbac.authorization.k8s.io "gone" not found')
    assert rbac.authorize(ADMIN, Attributes("delete", resource="nodes", name="n")).allowed
    rules, nonresource, errors = rbac.rules(bot, "a")
    assert {"verbs": ["get", "list", "watch"], "apiGroups": ["apps"]}.items() <= next(
        r for r in rules if "deployments" in r["resources"]
    ).items()
    assert {
        "verbs": ["get"],
        "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"],
    } in nonresource
    assert errors == []


def test_users_issue_and_replace_tokens() -> None:
    users = Users()
    assert users.authenticate("devcluster-token") == ADMIN
    alice = users.add("alice", ["team-a"], token="t-alice")
    assert users.authenticate("t-alice") == Identity("alice", ("team-a", "system:authenticated"))
    users.add("alice", ["team-b"])
    assert users.authenticate("t-alice") is None and users.get("alice").identity.groups[0] == "team-b"
    first = users.service_account("ns", "bot")
    second = users.service_account("ns", "bot")
    assert users.authenticate(first.token) == users.authenticate(second.token) == first.identity
    with pytest.raises(ValueError, match="already issued"):
        users.add("mallory", token=second.token)
    users.set_admin_token("random")
    assert users.authenticate("devcluster-token") is None and users.authenticate("random") == ADMIN
    assert alice.name == "alice" and users.names() == [
        "devcluster-admin",
        "alice",
        "system:serviceaccount:ns:bot",
    ]
    assert parse_user("bob:team-a,ops") == ("bob", ("team-a", "ops"))
    with pytest.raises(ValueError):
        parse_user(":x")


def test_kubeconfig_with_several_contexts() -> None:
    text = render_contexts(
        [
            Context("a", "http://h:1", "t1", cluster="one", user="admin@one"),
            Context(
                "b",
                "http://h:1",
                "t2",
                "team-a",
                cluster="one",
                user="bob@one",
                impersonate="bob",
                impersonate_groups=("team-a",),
            ),
            Context("c", "https://h:2", "t3", cluster="two", user="admin@two", ca_pem=b"PEM"),
        ],
        current="b",
    )
    doc = yaml.safe_load(text)
    assert [c["name"] for c in doc["clusters"]] == ["one", "two"]
    assert doc["clusters"][1]["cluster"]["certificate-authority-data"] == "UEVN"
    assert doc["users"][1] == {
        "name": "bob@one",
        "user": {"token": "t2", "as": "bob", "as-groups": ["team-a"]},
    }
    assert doc["contexts"][1] == {
        "name": "b",
        "context": {"cluster": "one", "user": "bob@one", "namespace": "team-a"},
    }
    assert doc["current-context"] == "b"
    with pytest.raises(ValueError, match="cluster entries named 'one'"):
        render_contexts(
            [Context("a", "http://h:1", "t", cluster="one"), Context("b", "http://h:9", "t", cluster="one")]
        )
    with pytest.raises(ValueError, match="current context"):
        render_contexts([Context("a", "http://h:1", "t")], current="z")


def _field(number: int, payload: bytes) -> bytes:
    return bytes([(number << 3) | 2, len(payload)]) + payload


def test_protobuf_reviews_are_decoded() -> None:
    rules = b"k8s\x00" + _field(2, _field(2, _field(1, b"team-a")))
    assert decode_review("SelfSubjectRulesReview", rules) == {"namespace": "team-a"}
    spec = (
        _field(1, _field(1, b"a") + _field(2, b"get") + _field(5, b"pods") + _field(6, b"log"))
        + _field(3, b"bob")
        + _field(4, b"team-a")
        + _field(4, b"ops")
    )
    assert decode_review("SubjectAccessReview", b"k8s\x00" + _field(2, _field(2, spec))) == {
        "resourceAttributes": {"namespace": "a", "verb": "get", "resource": "pods", "subresource": "log"},
        "user": "bob",
        "groups": ["team-a", "ops"],
    }
    non = _field(2, _field(1, b"/logs") + _field(2, b"get"))
    assert decode_review("SelfSubjectAccessReview", b"k8s\x00" + _field(2, _field(2, non))) == {
        "nonResourceAttributes": {"path": "/logs", "verb": "get"}
    }
    with pytest.raises(ValueError):
        decode_review("SubjectAccessReview", b"{}")
