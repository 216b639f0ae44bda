import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"


def load_bench():
    spec = importlib.util.spec_from_file_location(
        "registry_precision", ROOT / "bench" / "registry_precision.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_labelled_sample_covers_every_default_write_tool() -> None:
    labels = json.loads((DATA / "tool_labels.json").read_text())
    defaults = [
        "kubernetes-mcp-server-0.0.67.json",
        "mcp-server-kubernetes-4.1.7.json",
        "k8s-mcp-2026.5.27.147.json",
    ]
    total = sum(len(v) for k, v in labels.items() if not k.startswith("_"))
    assert total >= 40
    for file in defaults:
        tools = json.loads((DATA / "mcp-tools" / file).read_text())["tools"]
        for tool in tools:
            hints = tool.get("annotations") or {}
            if hints.get("readOnlyHint") is not True:
                assert tool["name"] in labels[file], tool["name"]


def test_precision_thresholds() -> None:
    figures = load_bench().precision(DATA)
    print({k: v for k, v in figures.items() if k != "misses"})
    assert figures["writes"] == 1.0, figures["misses"]
    assert figures["destructive"] >= 0.95, figures["misses"]
    assert figures["kinds_exact"] >= 0.9, figures["misses"]
    assert figures["operations_exact"] >= 0.9, figures["misses"]
    assert figures["kinds_item_precision"] >= 0.9
    assert figures["operations_item_precision"] >= 0.9
