"""Authentication, impersonation and authorization: the filters kube-apiserver runs first.

:class:`Gate` is a request hook (the first one). It finds the caller from the bearer token,
switches to the identity of ``Impersonate-User`` / ``Impersonate-Group`` when the caller may
``impersonate`` them, puts the result in ``request.state.user`` and, with RBAC on, answers a
403 ``Forbidden`` Status for a request the bindings do not allow.

Over https every request but those to the health and version endpoints needs a token
devcluster issued, as before. Over plain http a request without a token is the cluster admin,
as kube-apiserver's old insecure port was: client-go (kubectl, kubernetes-mcp-server) never
sends a token over plain http, so a kubeconfig for a user over http names the user in
``as``/``as-groups`` too, and client-go tools reach the user's identity by impersonation. A
token that is sent (the Python client, curl) authenticates; an unknown one is a 401 once RBAC
is on (with RBAC off any token is the admin, as devcluster has always behaved).
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from devcluster.rbac import Attributes, Rbac, forbidden, request_attributes
from devcluster.status import ApiError
from devcluster.users import ADMIN, ANONYMOUS, Identity, Users, user_identity

ADMIN_PREFIX = "/_devcluster/"
PUBLIC_PATHS = ("/healthz", "/livez", "/readyz", "/version")


def _response(err: ApiError) -> Response:
    return Response(json.dumps(err.to_status()), err.code, media_type="application/json")


def identity_of(request: Request) -> Identity:
    """The identity :class:`Gate` settled on for ``request`` (the admin if it did not run)."""
    who = getattr(request.state, "user", None)
    return who if isinstance(who, Identity) else ADMIN


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class Gate:
    """Authentication, impersonation and authorization of every request."""

    def __init__(self, users: Users, rbac: Rbac, tls: bool = False) -> None:
        self.users = users
        self.rbac = rbac
        self.tls = tls

    def authenticate(self, request: Request) -> Identity | None:
        """The caller, or None for a request that must get a 401."""
        token = _bearer(request)
        if token is None:
            if not self.tls:
                return ADMIN
            return ANONYMOUS if request.url.path.rstrip("/") in PUBLIC_PATHS else None
        identity = self.users.authenticate(token)
        if identity is None and not (self.tls or self.rbac.enabled):
            return ADMIN
        return identity

    def impersonate(self, request: Request, caller: Identity) -> Identity:
        """The identity the request acts as after its ``Impersonate-*`` headers.

        Raises:
            ApiError: 403 when ``caller`` may not impersonate what it asks for.
        """
        user = request.headers.get("impersonate-user")
        groups = [g.strip() for g in request.headers.getlist("impersonate-group") if g.strip()]
        if user is None:
            if groups:
                raise ApiError(
                    500,
                    "InternalError",
                    f"Internal error occurred: requested groups {groups} without impersonating a user",
                )
            return caller
        wanted = user_identity(user, groups) if user != ANONYMOUS.name else ANONYMOUS
        if wanted.name == caller.name and set(wanted.groups) <= set(caller.groups):
            # A kubeconfig devcluster writes for plain http carries both the user's token and
            # its as/as-groups; a client sending both asks for no more than it is.
            return wanted
        sa = wanted.service_account
        checks = [
            Attributes("impersonate", namespace=sa[0], resource="serviceaccounts", name=sa[1])
            if sa is not None
            else Attributes("impersonate", resource="users", name=user)
        ]
        checks += [Attributes("impersonate", resource="groups", name=g) for g in groups]
        for attrs in checks:
            decision = self.rbac.authorize(caller, attrs)
            if not decision.allowed:
                raise forbidden(attrs, caller, decision.reason)
        return wanted

    async def hook(self, request: Request) -> Response | None:
        """Let the request through (with ``request.state.user`` set) or answer 401/403."""
        caller = self.authenticate(request)
        if caller is None:
            return _response(ApiError(401, "Unauthorized", "Unauthorized"))
        if request.url.path.startswith(ADMIN_PREFIX):
            request.state.user = caller
            return None
        try:
            who = self.impersonate(request, caller)
        except ApiError as err:
            return _response(err)
        request.state.user = who
        if not self.rbac.enabled:
            return None
        attrs = request_attributes(request.method, request.url.path, request.query_params)
        decision = self.rbac.authorize(who, attrs)
        if decision.allowed:
            return None
        return _response(forbidden(attrs, who, decision.reason))
