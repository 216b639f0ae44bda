import json
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


def test_json_wrapped_logs_are_shown_as_their_lines() -> None:
    from kcache.parsing.decode import unwrap_text

    wrapped = json.dumps(
        {"name": "web-1", "namespace": "boutique", "logs": "starting web\nlistening on 8080\n"}
    )
    assert unwrap_text(wrapped) == "starting web\nlistening on 8080\n"
    assert (
        unwrap_text(json.dumps({"pod": "web-1", "text_block": "a\nb"})) == "a\nb"
    )  # its one multi-line text
    untouched = json.dumps({"items": [{"name": "a"}], "logs": "x"})
    assert unwrap_text(untouched) == untouched  # not a wrapper: it holds data
    assert unwrap_text("plain\nlines") == "plain\nlines"


def test_a_logs_answer_through_mcp_server_kubernetes_holds_lines_not_json() -> None:
    tools = json.loads(
        (Path(__file__).parent / "data" / "mcp-tools" / "mcp-server-kubernetes-4.1.7.json").read_text()
    )
    raw = next(
        t for t in (tools["tools"] if isinstance(tools, dict) else tools) if t["name"] == "kubectl_logs"
    )
    text = json.dumps(
        {"name": "web-1", "namespace": "boutique", "logs": "starting web\nGET /_healthz 200 1ms\n"}
    )
    shown = digest(
        ToolResult(tool="kubectl_logs", text=text), classify(raw), {"resource": "pod", "language": "en"}
    )
    assert "starting web" in shown and "GET /_healthz 200 1ms" in shown
    assert '"logs"' not in shown and "\\n" not in shown
