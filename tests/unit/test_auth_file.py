"""The server's token file and the auth handler that reads it (graph/auth.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from langgraph_sdk import Auth

from graph import app as server_app
from graph.auth import ANONYMOUS, authenticate, owned
from kcache.access import AUTH_USER_KEY, turn_asker
from kcache.auth_file import bearer, forget_tokens, parse_tokens, read_tokens, token_sha256
from kcache.errors import ConfigError
from kcache.logs import configure
from kcache.settings import Settings

ALICE, BOB = "alice-token-1", "bob-token-2"


def _file(tmp: Path, users: list[dict[str, object]], name: str = "users.yaml") -> Path:
    path = tmp / name
    path.write_text(json.dumps({"users": users}))
    return path


@pytest.fixture
def tokens_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """KCACHE_AUTH_FILE naming alice (her own Kubernetes user) and bob (another user, a group)."""
    path = _file(
        tmp_path,
        [
            {"identity": "alice", "token_sha256": token_sha256(ALICE)},
            {
                "identity": "bob@example.com",
                "token_sha256": token_sha256(BOB).upper(),
                "kubernetes_user": "bob",
                "kubernetes_groups": ["team-b", "team-b"],
            },
        ],
    )
    monkeypatch.setenv("KCACHE_AUTH_FILE", str(path))
    forget_tokens()
    yield path
    forget_tokens()


def test_a_yaml_file_maps_each_token_to_its_identity_and_kubernetes_user(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    path.write_text(
        "users:\n"
        "  - identity: alice\n"
        f"    token_sha256: {token_sha256(ALICE)}\n"
        "  - identity: bob@example.com\n"
        f"    token_sha256: {token_sha256(BOB)}\n"
        "    kubernetes_user: bob\n"
        "    kubernetes_groups: [team-b]\n"
    )
    table = read_tokens(path)
    alice, bob = table.find(ALICE), table.find(BOB)
    assert alice is not None and (alice.identity, alice.kubernetes_user, alice.kubernetes_groups) == (
        "alice",
        "alice",  # the identity, by default
        (),
    )
    assert bob is not None and (bob.identity, bob.kubernetes_user, bob.kubernetes_groups) == (
        "bob@example.com",
        "bob",
        ("team-b",),
    )
    assert table.find("alice-token-") is None and table.find(token_sha256(ALICE)) is None
    assert ALICE not in path.read_text()  # the file holds hashes only


def test_every_bad_entry_is_named_with_the_variable(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        [
            {"identity": "alice", "token": ALICE},
            {"identity": "bob", "token_sha256": "not-a-hash"},
            {"identity": "carol", "token_sha256": token_sha256("c"), "kubernetes_user": ""},
            {"identity": "dave", "token_sha256": token_sha256("d"), "groups": ["x"]},
            "erin",
        ],
    )
    with pytest.raises(ConfigError) as caught:
        read_tokens(path)
    message = str(caught.value)
    assert message.count(f"KCACHE_AUTH_FILE={path}") == 6
    assert "entry 1 (alice) has `token`" in message and ALICE not in message
    assert "entry 1 (alice): token_sha256 must be the 64 hex digits" in message
    assert "entry 2 (bob): token_sha256 must be the 64 hex digits" in message
    assert "entry 3 (carol): kubernetes_user must be a non-empty string" in message
    assert "entry 4 (dave): unknown field(s) groups" in message
    assert "entry 5 must be a mapping" in message


def test_duplicates_and_empty_or_unreadable_files_are_refused(tmp_path: Path) -> None:
    same = token_sha256("same")
    with pytest.raises(
        ConfigError, match="'alice' appears twice.*'alice' and 'alice' share one token_sha256"
    ):
        parse_tokens(json.dumps({"users": [{"identity": "alice", "token_sha256": same}] * 2}), "users.json")
    with pytest.raises(
        ConfigError, match=r"KCACHE_AUTH_FILE=users.yaml: expected a mapping with a non-empty"
    ):
        parse_tokens("users: []\n", "users.yaml")
    with pytest.raises(ConfigError, match="KCACHE_AUTH_FILE=users.yaml: not YAML or JSON"):
        parse_tokens("users: [\n", "users.yaml")
    with pytest.raises(ConfigError, match="KCACHE_AUTH_FILE=.*missing.yaml: cannot read it"):
        read_tokens(tmp_path / "missing.yaml")


def test_bearer_reads_only_a_bearer_header() -> None:
    assert bearer("Bearer abc") == "abc" and bearer("bearer  abc ") == "abc"
    assert bearer(None) is None and bearer("Basic abc") is None and bearer("Bearer ") is None


async def test_the_handler_answers_401_without_a_known_token(tokens_file: Path) -> None:
    for header in (None, "", "Bearer wrong", f"Basic {ALICE}"):
        with pytest.raises(Auth.exceptions.HTTPException) as caught:
            await authenticate(header)
        assert caught.value.status_code == 401, header


async def test_the_authenticated_user_is_the_asker_of_a_turn(tokens_file: Path) -> None:
    user = await authenticate(f"Bearer {BOB}")
    assert user["identity"] == "bob@example.com"
    # The server puts its wrapper of this dict there (tests/integration/test_server_auth.py).
    configurable = {AUTH_USER_KEY: user}
    asker = turn_asker("alice", ["team-a"], configurable)  # the run context cannot choose someone else
    assert asker == {"name": "bob@example.com", "user": "bob", "groups": ["team-b"]}


async def test_without_the_variable_every_request_passes_as_anonymous(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("KCACHE_AUTH_FILE", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here either
    forget_tokens()
    try:
        assert await authenticate(None) == ANONYMOUS
        # No Kubernetes user: the turn runs as the run context says, else as the scanner.
        assert turn_asker(None, None, {AUTH_USER_KEY: ANONYMOUS})["user"] == ""
    finally:
        forget_tokens()


class _Caller:
    """The part of the server's user object the handlers read."""

    identity = "alice"


def _ctx(action: str) -> Auth.types.AuthContext:
    return Auth.types.AuthContext(permissions=[], user=_Caller(), resource="threads", action=action)  # type: ignore[arg-type]


async def test_threads_are_stamped_and_filtered_by_owner_only_under_auth(
    tokens_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    created: dict[str, object] = {"metadata": {"owner": "bob", "topic": "pods"}}
    assert await owned(_ctx("create"), created) == {"owner": "alice"}
    assert created["metadata"] == {"owner": "alice", "topic": "pods"}  # a caller cannot name another owner
    read: dict[str, object] = {"thread_id": "t"}
    assert await owned(_ctx("read"), read) == {"owner": "alice"}

    monkeypatch.delenv("KCACHE_AUTH_FILE")
    monkeypatch.chdir(tmp_path)
    forget_tokens()
    untouched: dict[str, object] = {"metadata": {"topic": "pods"}}
    assert await owned(_ctx("create"), untouched) is None  # no auth: threads as without it
    assert untouched == {"metadata": {"topic": "pods"}}


@pytest.fixture
def server_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The server's variables with no cluster to reach; its log lines go to stderr."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLM_PROVIDER", "offline")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    monkeypatch.delenv("LOG_FILE", raising=False)
    forget_tokens()
    yield tmp_path
    forget_tokens()
    configure(Settings.from_env({}, dotenv_path=tmp_path / "none"))


async def test_an_invalid_file_stops_the_server_start(
    server_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KCACHE_AUTH_FILE", str(_file(tmp_path, [{"identity": "alice", "token_sha256": "x"}])))
    # The lifespan reads the file before it opens anything: the error is the file's, not the cluster's.
    with pytest.raises(ConfigError, match=r"KCACHE_AUTH_FILE=.*users.yaml: entry 1 \(alice\): token_sha256"):
        async with server_app.lifespan(server_app.app):
            pass


async def test_a_server_without_auth_says_so_at_start(
    server_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("KCACHE_AUTH_FILE", raising=False)
    with pytest.raises(ConfigError, match="no kubeconfig found"):
        async with server_app.lifespan(server_app.app):
            pass
    err = capsys.readouterr().err
    (line,) = [json.loads(x) for x in err.splitlines() if x.startswith("{") and "KCACHE_AUTH_FILE" in x]
    assert line["level"] == "WARNING" and "the server has no auth" in line["message"]
