"""Custom auth for ``langgraph dev``: bearer tokens name a caller, threads belong to their owner.

``langgraph.json`` points ``auth.path`` here. With ``KCACHE_AUTH_FILE`` set, a request needs
``Authorization: Bearer <token>`` whose SHA-256 the file lists (else 401); the user it
returns carries ``kubernetes_user`` and ``kubernetes_groups``, which the server puts in every
run's ``configurable["langgraph_auth_user"]`` and :func:`kcache.access.turn_asker` reads, so a
turn reads and acts as that Kubernetes user whatever the run context says. Threads and runs
are stamped with their owner and filtered by it: one caller cannot list, read or run on
another's thread (it reads as missing). The graphs (assistants) are shared; crons are refused.

Without ``KCACHE_AUTH_FILE`` every request passes as ``anonymous`` and nothing is filtered:
the server runs as it does without auth (turns read as the scanner, or the run context's
``as_user``), and Studio works. ``disable_studio_auth`` is set in ``langgraph.json``: the
server's own Studio shortcut would otherwise let any request sending ``x-auth-scheme:
langsmith`` in without a token.
"""

from __future__ import annotations

from typing import Any

from langgraph_sdk import Auth

from kcache.auth_file import bearer, configured_tokens

OWNER = "owner"
"""The metadata key holding a thread's (run's, cron's) owner identity."""

ANONYMOUS: Auth.types.MinimalUserDict = {"identity": "anonymous", "display_name": "anonymous"}

auth = Auth()


def _unauthorized(detail: str) -> Auth.exceptions.HTTPException:
    return Auth.exceptions.HTTPException(
        status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


@auth.authenticate
async def authenticate(authorization: str | None) -> Auth.types.MinimalUserDict:
    """The caller of a request, from its bearer token; 401 when the token is missing or unknown."""
    table = await configured_tokens()
    if table is None:
        return ANONYMOUS
    token = bearer(authorization)
    if token is None:
        raise _unauthorized("missing bearer token: send Authorization: Bearer <token>")
    user = table.find(token)
    if user is None:
        raise _unauthorized("invalid token")
    found: Auth.types.MinimalUserDict = user.user_dict()  # type: ignore[assignment]
    return found


async def _enforced() -> bool:
    return await configured_tokens() is not None


@auth.on
async def owned(ctx: Auth.types.AuthContext, value: Any) -> Auth.types.FilterType | None:
    """Stamp what the caller creates with their identity; show them only what carries it."""
    if not await _enforced():
        return None
    if isinstance(value, dict):
        metadata = value.get("metadata")
        if not isinstance(metadata, dict):
            metadata = value["metadata"] = {}
        metadata[OWNER] = ctx.user.identity
    return {OWNER: ctx.user.identity}


@auth.on.assistants.read
async def read_assistant(ctx: Auth.types.AuthContext, value: Any) -> None:
    """The graphs are the server's, shared by every caller."""
    return None


@auth.on.assistants.search
async def search_assistants(ctx: Auth.types.AuthContext, value: Any) -> None:
    """The graphs are the server's, shared by every caller."""
    return None


@auth.on.crons
async def no_crons(ctx: Auth.types.AuthContext, value: Any) -> None:
    """Crons are refused under auth: their runs need not carry the caller's Kubernetes user.

    The dev server rebuilds a cron run's user from what it stored, and a user without
    ``kubernetes_user`` would run as the scanner. kcache's own schedule keeps the cache warm.
    """
    if await _enforced():
        raise Auth.exceptions.HTTPException(
            status_code=403, detail="crons are off while KCACHE_AUTH_FILE is set: run the graph on demand"
        )
    return None


@auth.on.store
async def own_store(ctx: Auth.types.AuthContext, value: Any) -> None:
    """Each caller's store items live under their identity."""
    if not await _enforced() or not isinstance(value, dict):
        return None
    namespace = tuple(value.get("namespace") or ())
    if namespace[:1] != (ctx.user.identity,):
        value["namespace"] = (ctx.user.identity, *namespace)
    return None
