"""DevCluster: run the emulator in a background thread and change the cluster while it runs."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from devcluster import controllers, kubeconfig
from devcluster.access import AccessPolicy
from devcluster.auth import Gate
from devcluster.faults import Admin, Faults
from devcluster.generate import GenerateSpec
from devcluster.generate import generate as generate_cluster
from devcluster.rbac import default_policy, defines_rbac
from devcluster.resources import by_key
from devcluster.server import Api, RequestHook, build_app
from devcluster.state import ClusterState, served
from devcluster.tls import Credentials
from devcluster.tls import issue as issue_credentials
from devcluster.users import AUTHENTICATED, Credential, Users


class DevClusterError(RuntimeError):
    """The server could not start or was used in the wrong state."""


class DevCluster:
    """A served emulated cluster.

    ``start()`` loads ``cluster_dir``, binds ``host:port`` (0 picks a free port) and serves
    from a thread with its own event loop. Mutators may be called from any thread.
    """

    def __init__(
        self,
        cluster_dir: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        generate: str | None = None,
        tls: bool = False,
        rbac: bool | None = None,
    ) -> None:
        if (cluster_dir is None) == (generate is None):
            raise DevClusterError("give either a cluster directory or a generate spec, not both or neither")
        self.cluster_dir = Path(cluster_dir) if cluster_dir is not None else None
        self.generate = GenerateSpec.parse(generate) if generate is not None else None
        self.host = host
        self.port = port
        self.state = ClusterState()
        self.api = Api(self.state, lambda: f"{self.host}:{self.port}")
        self.faults = Faults(watches=self.api.watches)
        """Fault knobs (``dc.faults.set(latency=0.2)``, ``dc.faults.drop_watches()``); see devcluster/faults.py."""
        self.watches = self.api.watches
        """Open watch streams (``dc.watches.open``) and their ``bookmark_interval``."""
        self.gate = Gate(self.api.users, self.api.rbac, tls=tls)
        """Authentication, impersonation and RBAC of every request; see devcluster/auth.py."""
        self.api.hooks[:0] = [self.gate.hook, Admin(self).hook, self.faults.hook]
        self._want_rbac = rbac
        self.kubeconfig: Path | None = None
        self.tls: Credentials | None = None
        """With ``tls=True``: the certificate files, CA and the bearer token every request needs."""
        self._want_tls = tls
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loaded = False

    # --- lifecycle -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://host:port`` (``https://`` with TLS) of the running server."""
        if self._server is None:
            raise DevClusterError("devcluster is not started")
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> DevCluster:
        """Load the cluster and serve; returns once connections are accepted.

        Raises:
            DevClusterError: already started, or the server did not come up in ``timeout``.
        """
        if self._server is not None:
            raise DevClusterError("devcluster is already started")
        if not self._loaded:
            if self.generate is not None:
                generate_cluster(self.state, self.generate)
            elif self.cluster_dir is not None:
                self.state.load_dir(self.cluster_dir)
            self._loaded = True
            wanted = self._want_rbac if self._want_rbac is not None else defines_rbac(self.state.store)
            if wanted:
                self.enable_rbac()
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        ssl: dict[str, Any] = {}
        if self._want_tls and self.tls is None:
            self.tls = issue_credentials(self.host)
            self.users.set_admin_token(self.tls.token)
        if self.tls is not None:
            ssl = {"ssl_certfile": str(self.tls.cert_file), "ssl_keyfile": str(self.tls.key_file)}
        config = uvicorn.Config(
            build_app(self.api),
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=1,
            **ssl,
        )
        server = uvicorn.Server(config)
        self._server = server
        errors: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as exc:  # reported to start() below
                errors.append(exc)

        self._thread = threading.Thread(target=run, name="devcluster", daemon=True)
        self._thread.start()
        waited = 0.0
        while not server.started:
            if errors or not self._thread.is_alive():
                self._server = None
                raise DevClusterError(f"devcluster failed to start: {errors}")
            if waited >= timeout:
                raise DevClusterError(f"devcluster did not start within {timeout}s")
            threading.Event().wait(0.02)
            waited += 0.02
        return self

    def stop(self) -> None:
        """Stop serving and wait for the server thread."""
        if self._server is None:
            return
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> DevCluster:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def enable_rbac(self) -> None:
        """Authorize every request from the Roles and bindings from now on.

        Adds the default ClusterRoles and ClusterRoleBindings the cluster does not define.
        Before ``start()`` it only asks for RBAC (as ``rbac=True`` does).
        """
        if not self._loaded:
            self._want_rbac = True
            return
        store = self.state.store
        with store.locked():
            for obj in default_policy():
                if store.get(obj["kind"].lower(), "", obj["metadata"]["name"]) is None:
                    self.apply(obj)
        self.api.rbac.enabled = True

    @property
    def rbac_enabled(self) -> bool:
        """Whether requests are authorized from the Roles and bindings (see devcluster/rbac.py)."""
        return self.api.rbac.enabled

    @property
    def users(self) -> Users:
        """Bearer tokens and the users they stand for: ``dc.users.add("alice", ["team-a"])``."""
        return self.api.users

    def context(
        self, name: str, user: str | None = None, namespace: str = "default", cluster: str | None = None
    ) -> kubeconfig.Context:
        """A kubeconfig context ``name`` for ``user`` (the admin if None) on this cluster.

        Over plain http the user entry also names the user in ``as``/``as-groups``: client-go
        sends no token over http, and acts as the user by the admin's impersonation instead.

        ``cluster`` names the kubeconfig's cluster entry (default: the context's name); give
        contexts on one server the same one. Pass contexts of one or more DevClusters to
        :func:`devcluster.kubeconfig.write_contexts`.

        Raises:
            KeyError: no token was issued for ``user``.
        """
        cred: Credential = self.users.get(user) if user is not None else self.users.admin
        cluster = cluster or name
        # client-go sends no token over plain http: name the user for impersonation too.
        acting = user is not None and self.tls is None
        groups = tuple(g for g in cred.identity.groups if g != AUTHENTICATED)
        return kubeconfig.Context(
            name=name,
            server=self.url,
            token=cred.token,
            namespace=namespace,
            cluster=cluster,
            user=f"{cluster}-user" if user is None else f"{user}@{cluster}",
            ca_pem=self.tls.ca_pem if self.tls is not None else None,
            impersonate=cred.name if acting else None,
            impersonate_groups=groups if acting else (),
        )

    def write_kubeconfig(
        self,
        path: Path,
        namespace: str = "default",
        *,
        users: Sequence[str] = (),
        current: str | None = None,
    ) -> Path:
        """Write a kubeconfig (current-context set; with TLS, the CA and the required token).

        The context ``devcluster`` is the admin's; each of ``users`` (issued with
        ``dc.users.add``) gets a context of its own name. ``current`` picks the current
        context (default ``devcluster``).

        Raises:
            KeyError: a user without a token.
        """
        contexts = [self.context(kubeconfig.NAME, None, namespace, kubeconfig.NAME)]
        contexts += [self.context(u, u, namespace, kubeconfig.NAME) for u in users]
        written = kubeconfig.write_contexts(Path(path), contexts, current or kubeconfig.NAME)
        self.kubeconfig = written
        return written

    # --- run-time changes ------------------------------------------------------------------

    @property
    def access(self) -> AccessPolicy:
        """The access-review knob: ``dc.access.deny("list", "pods")``."""
        return self.api.access

    def add_hook(self, hook: RequestHook) -> None:
        """Run ``hook`` before every request; a returned response short-circuits it."""
        self.api.hooks.append(hook)

    def remove_hook(self, hook: RequestHook) -> None:
        """Stop running ``hook``."""
        self.api.hooks.remove(hook)

    def scale(self, kind: str, namespace: str, name: str, replicas: int) -> None:
        """Set the replicas of a Deployment, ReplicaSet or StatefulSet."""
        self.state.set_scale(by_key(kind), namespace, name, replicas)

    def delete(self, kind: str, namespace: str | None, name: str) -> None:
        """Delete an object as the API would (controllers react)."""
        rt = by_key(kind)
        self.state.delete(rt, namespace if rt.namespaced else None, name)

    def restart_crashing(self) -> int:
        """Restart every crash-looping container once more (restart counts grow); returns how many."""
        with self.state.store.locked():
            return controllers.restart_crashing(self.state)

    def compact(self) -> int:
        """Forget the watch change log: watches from an older version get ``410 Expired``."""
        return self.state.store.compact()

    def add_namespace(self, name: str, labels: dict[str, str] | None = None) -> None:
        """Create a namespace."""
        body: dict[str, Any] = {"metadata": {"name": name}}
        if labels:
            body["metadata"]["labels"] = dict(labels)
        self.state.create(by_key("namespace"), None, body)

    def apply(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Create or replace ``obj`` (a manifest dict); returns the served object."""
        from devcluster.resources import for_object

        rt = for_object(obj["apiVersion"], obj["kind"])
        if rt is None:
            raise DevClusterError(f"devcluster does not serve {obj['apiVersion']} {obj['kind']}")
        ns = (obj["metadata"].get("namespace") or "default") if rt.namespaced else None
        stored, _ = self.state.patch(rt, ns, obj["metadata"]["name"], "application/apply-patch+yaml", obj)
        return served(stored)

    def list(self, kind: str, namespace: str | None = None) -> list[dict[str, Any]]:
        """Served objects of ``kind`` (lowercase canonical), optionally in one namespace."""
        return [served(o) for o in self.state.store.list(by_key(kind).key, namespace)]


def write_kubeconfig(
    path: Path,
    clusters: Mapping[str, DevCluster],
    namespace: str = "default",
    current: str | None = None,
) -> Path:
    """Write one kubeconfig with a context per running DevCluster, named by the mapping's keys.

    Each context carries that cluster's admin token; ``current`` defaults to the first.
    ``kubectl --context staging ...`` then talks to ``clusters["staging"]``. For other users
    or namespaces per context, build the contexts with :meth:`DevCluster.context` and pass them
    to :func:`devcluster.kubeconfig.write_contexts`.
    """
    contexts = [dc.context(name, None, namespace, name) for name, dc in clusters.items()]
    return kubeconfig.write_contexts(Path(path), contexts, current)
