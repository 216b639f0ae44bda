from pathlib import Path

from kcache.mcp import ToolResult
from kcache.outputs import digest
from kcache.redaction import redact, redact_args
from kcache.registry import classify

FIXTURES = Path(__file__).parent / "data" / "mcp-outputs"


def test_redact_masks_credentials_in_free_text() -> None:
    text = "token: abc.def\npassword=hunter2 user=bob\nclient-key-data: LS0t\napi_key: 'k-1'"
    out = redact(text)
    for secret in ("abc.def", "hunter2", "LS0t", "k-1"):
        assert secret not in out
    assert "user=bob" in out and "token: ***" in out


def test_configuration_view_output_never_passes_its_token() -> None:
    raw = (FIXTURES / "kubernetes-mcp-server-0.0.67__configuration_view.txt").read_text()
    cap = classify(
        {
            "name": "configuration_view",
            "description": "Get the current Kubernetes configuration content as a kubeconfig YAML",
            "inputSchema": {"type": "object", "properties": {"minified": {"type": "boolean"}}},
            "annotations": {"readOnlyHint": True},
        }
    )
    shown = digest(
        ToolResult(tool="configuration_view", text=raw), cap, {"resource": "cluster", "language": "en"}
    )
    assert "token: ***" in shown or "token" not in raw
    for line in raw.splitlines():
        if "token:" in line and line.split("token:", 1)[1].strip():
            assert line.split("token:", 1)[1].strip() not in shown


def test_audited_arguments_hide_credentials() -> None:
    args = {
        "name": "db",
        "namespace": "shop",
        "fromLiteral": ["password=CANARY-SECRET-1"],
        "token": "t0k",
        "manifest": "kind: Secret\nstringData:\n  password: CANARY-SECRET-2\n",
        "replicas": 2,
    }
    out = redact_args(args)
    assert "CANARY-SECRET" not in repr(out) and "t0k" not in repr(out)
    assert out["name"] == "db" and out["replicas"] == 2 and out["namespace"] == "shop"
