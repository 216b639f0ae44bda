"""DevCluster: run the emulator in a background thread and change the cluster while it runs."""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from devcluster import controllers, kubeconfig
from devcluster.access import AccessPolicy
from devcluster.faults import Admin, Faults
from devcluster.generate import GenerateSpec
from devcluster.generate import generate as generate_cluster
from devcluster.resources import by_key
from devcluster.server import Api, RequestHook, build_app
from devcluster.state import ClusterState, served
from devcluster.tls import Credentials, bearer_auth
from devcluster.tls import issue as issue_credentials


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
        self.api.hooks[:0] = [Admin(self).hook, self.faults.hook]
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
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        ssl: dict[str, Any] = {}
        if self._want_tls and self.tls is None:
            self.tls = issue_credentials(self.host)
            self.api.hooks.insert(0, bearer_auth(self.tls.token))
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

    def write_kubeconfig(self, path: Path, namespace: str = "default") -> Path:
        """Write a kubeconfig (current-context set; with TLS, the CA and the required token)."""
        if self.tls is not None:
            written = kubeconfig.write(Path(path), self.url, namespace, self.tls.token, self.tls.ca_pem)
        else:
            written = kubeconfig.write(Path(path), self.url, namespace)
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
