"""Command line: ``python -m devcluster serve --cluster DIR`` (also ``kcache devcluster``)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

DEMO = Path(__file__).parent / "clusters" / "demo"


def build_parser(prog: str = "devcluster") -> argparse.ArgumentParser:
    """The argument parser (exposed so a parent CLI can reuse its help)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="A Kubernetes REST API emulator serving a cluster described by a folder of manifests.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve",
        help="serve a cluster directory until interrupted",
        description="Serve a cluster directory over HTTP until SIGINT or SIGTERM.",
    )
    serve.add_argument(
        "--cluster", type=Path, default=DEMO, help=f"cluster directory of *.yaml manifests (default: {DEMO})"
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)"
    )
    serve.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default: 0)")
    serve.add_argument(
        "--kubeconfig-out",
        type=Path,
        default=None,
        help="write a kubeconfig pointing at the server to this path",
    )
    serve.add_argument(
        "--namespace", default="default", help="namespace of the kubeconfig context (default: default)"
    )
    serve.add_argument(
        "--generate",
        metavar="SPEC",
        help="serve a generated cluster instead of --cluster: "
        "pods=N,namespaces=N,nodes=N[,services=N,deployments=N]",
    )
    serve.add_argument(
        "--tls",
        action="store_true",
        help="serve https with a fresh self-signed CA and require the kubeconfig's bearer token",
    )
    serve.add_argument(
        "--rbac",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="authorize requests from Roles and bindings (default: on when the cluster defines any)",
    )
    serve.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="NAME[:GROUP,...]",
        help="issue a bearer token for a user in these groups; --kubeconfig-out gets a context "
        "named after each user (repeatable)",
    )
    from devcluster import faults

    faults.add_arguments(serve)
    return parser


def main(argv: list[str] | None = None, prog: str = "devcluster") -> int:
    """Run the CLI; returns the exit code."""
    args = build_parser(prog).parse_args(argv)
    from devcluster.cluster import DevCluster
    from devcluster.faults import FaultError, apply_arguments
    from devcluster.generate import GenerateSpecError
    from devcluster.state import ClusterDirError
    from devcluster.users import parse_user

    try:
        users = [parse_user(text) for text in args.user]
        if args.generate:
            dc = DevCluster(
                host=args.host, port=args.port, generate=args.generate, tls=args.tls, rbac=args.rbac
            )
        else:
            dc = DevCluster(args.cluster, host=args.host, port=args.port, tls=args.tls, rbac=args.rbac)
        apply_arguments(dc, args)
        for name, groups in users:
            dc.users.add(name, groups)
        dc.start()
    except (ClusterDirError, GenerateSpecError, FaultError, OSError, ValueError) as exc:
        sys.stderr.write(f"devcluster: {exc}\n")
        return 2
    sys.stdout.write(f"devcluster serving {dc.url}\n")
    if args.kubeconfig_out is not None:
        path = dc.write_kubeconfig(args.kubeconfig_out, args.namespace, users=[n for n, _ in users])
        sys.stdout.write(f"kubeconfig written to {path}\n")
    sys.stdout.flush()
    done = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    done.wait()
    dc.stop()
    return 0
