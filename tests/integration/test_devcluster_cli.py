"""``python -m devcluster serve`` prints its address, writes a kubeconfig, stops on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_serve_prints_url_writes_kubeconfig_and_stops(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kc.yaml"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devcluster",
            "serve",
            "--cluster",
            str(ROOT / "devcluster/clusters/demo"),
            "--kubeconfig-out",
            str(kubeconfig),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("devcluster serving http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1]
        assert proc.stdout.readline().strip() == f"kubeconfig written to {kubeconfig}"
        config = yaml.safe_load(kubeconfig.read_text())
        assert config["current-context"] == "devcluster"
        assert config["clusters"][0]["cluster"]["server"] == url
        assert httpx.get(f"{url}/api/v1/namespaces/boutique").json()["metadata"]["name"] == "boutique"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0


def test_missing_cluster_directory_fails_with_its_name(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "devcluster", "serve", "--cluster", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "cluster directory not found" in proc.stderr and "nope" in proc.stderr
