"""Who is calling: identities, and the bearer tokens devcluster issues for them.

kube-apiserver learns a user's name and groups from its authenticators; devcluster has one,
a table of bearer tokens. Every authenticated identity carries ``system:authenticated``;
a service account's token stands for ``system:serviceaccount:<ns>:<name>`` with the groups
``system:serviceaccounts`` and ``system:serviceaccounts:<ns>``, as kube-apiserver's token
authenticators name them. The default user is a cluster admin (group ``system:masters``).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass

AUTHENTICATED = "system:authenticated"
UNAUTHENTICATED = "system:unauthenticated"
MASTERS = "system:masters"
SA_PREFIX = "system:serviceaccount:"
ADMIN_NAME = "devcluster-admin"
ADMIN_TOKEN = "devcluster-token"


@dataclass(frozen=True)
class Identity:
    """A user as the authorizer sees it: a name and its groups."""

    name: str
    groups: tuple[str, ...] = ()

    @property
    def service_account(self) -> tuple[str, str] | None:
        """``(namespace, name)`` for a service account's user name, else None."""
        if not self.name.startswith(SA_PREFIX):
            return None
        namespace, _, name = self.name[len(SA_PREFIX) :].partition(":")
        return (namespace, name) if namespace and name else None


ADMIN = Identity(ADMIN_NAME, (MASTERS, AUTHENTICATED))
ANONYMOUS = Identity("system:anonymous", (UNAUTHENTICATED,))


def user_identity(name: str, groups: Iterable[str] = ()) -> Identity:
    """The identity an authenticator gives ``name``.

    A service account gets its two groups; everyone but anonymous gets ``system:authenticated``.
    """
    out = list(dict.fromkeys(groups))
    probe = Identity(name)
    sa = probe.service_account
    if sa is not None:
        out += ["system:serviceaccounts", f"system:serviceaccounts:{sa[0]}"]
    if name != ANONYMOUS.name:
        out.append(AUTHENTICATED)
    return Identity(name, tuple(dict.fromkeys(out)))


@dataclass(frozen=True)
class Credential:
    """An identity and the bearer token that authenticates as it."""

    identity: Identity
    token: str

    @property
    def name(self) -> str:
        """The user name."""
        return self.identity.name


class Users:
    """Thread-safe table of bearer tokens; the cluster admin is always present."""

    def __init__(self, admin_token: str = ADMIN_TOKEN) -> None:
        self._lock = threading.Lock()
        self._by_token: dict[str, Identity] = {}
        self._by_name: dict[str, Credential] = {}
        self._put(Credential(ADMIN, admin_token))

    def _put(self, cred: Credential, replace: bool = True) -> Credential:
        with self._lock:
            if cred.token in self._by_token and self._by_token[cred.token].name != cred.name:
                raise ValueError(f"token of user {cred.name!r} is already issued to another user")
            if replace:
                for token in [t for t, who in self._by_token.items() if who.name == cred.name]:
                    del self._by_token[token]
            self._by_name[cred.name] = cred
            self._by_token[cred.token] = cred.identity
        return cred

    def add(self, name: str, groups: Iterable[str] = (), token: str | None = None) -> Credential:
        """Issue a token for user ``name`` in ``groups`` (random unless given).

        The user's older tokens stop working.

        Raises:
            ValueError: an empty name, or ``token`` already belongs to another user.
        """
        if not name:
            raise ValueError("a user needs a name")
        return self._put(Credential(user_identity(name, groups), token or secrets.token_urlsafe(18)))

    def service_account(self, namespace: str, name: str, token: str | None = None) -> Credential:
        """Issue one more token for service account ``name`` in ``namespace``.

        Older tokens stay valid, as TokenRequest tokens do.
        """
        identity = user_identity(f"{SA_PREFIX}{namespace}:{name}")
        return self._put(Credential(identity, token or secrets.token_urlsafe(18)), replace=False)

    def set_admin_token(self, token: str) -> None:
        """Make ``token`` the cluster admin's only token (TLS issues a random one)."""
        self._put(Credential(ADMIN, token))

    def get(self, name: str) -> Credential:
        """The credential of user ``name`` (``devcluster-admin`` is the admin).

        Raises:
            KeyError: no such user.
        """
        with self._lock:
            try:
                return self._by_name[name]
            except KeyError:
                raise KeyError(f"devcluster has issued no token for user {name!r}") from None

    @property
    def admin(self) -> Credential:
        """The cluster admin's credential."""
        return self.get(ADMIN_NAME)

    def authenticate(self, token: str) -> Identity | None:
        """The identity ``token`` was issued to, or None."""
        with self._lock:
            for known, identity in self._by_token.items():
                if secrets.compare_digest(known, token):
                    return identity
        return None

    def names(self) -> list[str]:
        """User names with a token, admin first."""
        with self._lock:
            return list(self._by_name)


def parse_user(text: str) -> tuple[str, tuple[str, ...]]:
    """``NAME[:GROUP,GROUP...]`` from the command line.

    Raises:
        ValueError: an empty name.
    """
    name, _, groups = text.partition(":")
    if not name:
        raise ValueError(f"user {text!r}: expected NAME[:GROUP,GROUP...], e.g. alice:team-a")
    return name, tuple(g for g in groups.split(",") if g)
