from pathlib import Path

import pytest

from kcache.errors import ConfigError
from kcache.settings import PROJECT_ROOT, Settings

SPEC_DEFAULTS = {
    "cache_db_timeout": 30.0,
    "cache_db_max_connections": 10,
    "cache_static_ttl": 1800,
    "cache_dynamic_ttl": 300,
    "cache_tool_mapping_ttl": 3600,
    "scanner_static_interval": 1800,
    "scanner_dynamic_interval": 300,
    "scanner_max_concurrent": 3,
    "scanner_timeout": 120.0,
    "context_max_tokens": 100000,
    "context_compression_ratio": 0.7,
    "intent_analysis_timeout": 10.0,
    "llm_model_name": "gemini-2.5-flash",
    "llm_max_input_context": 1048576,
    "llm_max_output_tokens": 32768,
    "llm_request_timeout": 600.0,
    "mcp_server_type": "stdio",
    "llm_provider": "gemini",
}


def load(env: dict[str, str], tmp_path: Path) -> Settings:
    return Settings.from_env(env, dotenv_path=tmp_path / "missing.env")


def test_defaults_are_the_specs(tmp_path: Path) -> None:
    s = load({}, tmp_path)
    for name, value in SPEC_DEFAULTS.items():
        assert getattr(s, name) == value, name
    assert s.cache_db_path == PROJECT_ROOT / "data" / "k8s_cache.db"
    assert s.mcp_server_url.startswith("stdio://") and s.mcp_server_url.endswith(
        "kubernetes-mcp-server-linux-amd64"
    )
    assert s.mcp_server_args == ("--list-output", "yaml", "--kubeconfig", "{kubeconfig}")
    assert s.context_budget_tokens == 70000


def test_every_spec_variable_is_read(tmp_path: Path) -> None:
    env = {
        "CACHE_DB_PATH": str(tmp_path / "c.db"),
        "CACHE_DB_TIMEOUT": "5",
        "CACHE_DB_MAX_CONNECTIONS": "4",
        "CACHE_STATIC_TTL": "60",
        "CACHE_DYNAMIC_TTL": "10",
        "CACHE_TOOL_MAPPING_TTL": "99",
        "SCANNER_STATIC_INTERVAL": "61",
        "SCANNER_DYNAMIC_INTERVAL": "11",
        "SCANNER_MAX_CONCURRENT": "2",
        "SCANNER_TIMEOUT": "7.5",
        "CONTEXT_MAX_TOKENS": "1000",
        "CONTEXT_COMPRESSION_RATIO": "1",
        "INTENT_ANALYSIS_TIMEOUT": "3",
        "LLM_MODEL_NAME": "google/gemini-2.0-flash-exp",
        "LLM_MAX_INPUT_CONTEXT": "2000",
        "LLM_MAX_OUTPUT_TOKENS": "100",
        "LLM_REQUEST_TIMEOUT": "9",
        "MCP_SERVER_URL": "http://127.0.0.1:9/mcp",
        "MCP_SERVER_TYPE": "streamable_http",
        "MCP_SERVER_NAME": "k8s",
        "LLM_PROVIDER": "offline",
        "MCP_SERVER_ENV": "A=1,B=two,three",
        "MCP_SERVER_ARGS": "--read-only --list-output 'yaml'",
        "LOG_LEVEL": "debug",
        "CLUSTER_NAME": "prod",
        "APPROVAL_POLICY": "deny",
    }
    s = load(env, tmp_path)
    assert s.cache_db_path == tmp_path / "c.db"
    assert (s.cache_db_timeout, s.cache_db_max_connections) == (5.0, 4)
    assert (s.cache_static_ttl, s.cache_dynamic_ttl, s.cache_tool_mapping_ttl) == (60, 10, 99)
    assert (s.scanner_static_interval, s.scanner_dynamic_interval) == (61, 11)
    assert (s.scanner_max_concurrent, s.scanner_timeout) == (2, 7.5)
    assert (s.context_max_tokens, s.context_compression_ratio, s.intent_analysis_timeout) == (1000, 1.0, 3.0)
    assert s.model == "gemini-2.0-flash-exp"
    assert (s.llm_max_input_context, s.llm_max_output_tokens, s.llm_request_timeout) == (2000, 100, 9.0)
    assert (s.mcp_server_url, s.mcp_server_type, s.mcp_server_name) == (
        "http://127.0.0.1:9/mcp",
        "streamable_http",
        "k8s",
    )
    assert s.mcp_server_env == {"A": "1", "B": "two,three"}
    assert s.mcp_server_args == ("--read-only", "--list-output", "yaml")
    assert (s.log_level, s.cluster_name, s.approval_policy, s.llm_provider) == (
        "DEBUG",
        "prod",
        "deny",
        "offline",
    )


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("CACHE_STATIC_TTL", "-5"),
        ("CACHE_DYNAMIC_TTL", "soon"),
        ("CONTEXT_COMPRESSION_RATIO", "1.5"),
        ("CONTEXT_COMPRESSION_RATIO", "0"),
        ("LLM_PROVIDER", "openai"),
        ("MCP_SERVER_URL", "ftp://x"),
        ("MCP_SERVER_URL", "stdio://"),
        ("MCP_SERVER_TYPE", "websocket"),
        ("SCANNER_MAX_CONCURRENT", "0"),
        ("SCANNER_TIMEOUT", "-1"),
        ("LOG_LEVEL", "LOUD"),
        ("MCP_SERVER_ENV", "novalue"),
    ],
)
def test_bad_value_names_variable_and_value(var: str, value: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load({var: value}, tmp_path)
    assert var in str(err.value) and repr(value) in str(err.value)


@pytest.mark.parametrize(
    "var",
    [
        "CACHE_DB_TIMEOUT",
        "SCANNER_TIMEOUT",
        "CONTEXT_COMPRESSION_RATIO",
        "INTENT_ANALYSIS_TIMEOUT",
        "LLM_REQUEST_TIMEOUT",
        "READ_THROUGH_TIMEOUT",
    ],
)
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "Infinity"])
def test_a_float_variable_refuses_infinity_and_nan(var: str, value: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load({var: value}, tmp_path)
    assert f"{var}={value!r}" in str(err.value) and "finite" in str(err.value)


def test_every_bad_variable_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load({"CACHE_STATIC_TTL": "-1", "LLM_PROVIDER": "x", "CONTEXT_COMPRESSION_RATIO": "2"}, tmp_path)
    text = str(err.value)
    assert "CACHE_STATIC_TTL" in text and "LLM_PROVIDER" in text and "CONTEXT_COMPRESSION_RATIO" in text


def test_http_url_with_stdio_type_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MCP_SERVER_TYPE"):
        load({"MCP_SERVER_URL": "http://127.0.0.1:1/mcp"}, tmp_path)


def test_gemini_without_key_stops_only_what_needs_the_llm(tmp_path: Path) -> None:
    s = load({"LLM_PROVIDER": "gemini"}, tmp_path)  # loading works: db, refresh, tools don't need it
    with pytest.raises(ConfigError, match="GOOGLE_API_KEY"):
        s.require_llm()
    load({"LLM_PROVIDER": "gemini", "GOOGLE_API_KEY": "k"}, tmp_path).require_llm()
    load({"LLM_PROVIDER": "offline"}, tmp_path).require_llm()
    assert load({"GEMINI_API_KEY": "g"}, tmp_path).google_api_key == "g"


def test_dotenv_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("CACHE_DYNAMIC_TTL=42\nCACHE_STATIC_TTL=43\n")
    s = Settings.from_env({"CACHE_STATIC_TTL": "44"}, dotenv_path=env_file)
    assert (s.cache_dynamic_ttl, s.cache_static_ttl) == (42, 44)


def test_relative_paths_resolve_against_project_root(tmp_path: Path) -> None:
    s = load({"CACHE_DB_PATH": "./data/x.db", "MCP_SERVER_URL": "stdio://node_modules/.bin/k"}, tmp_path)
    assert s.cache_db_path == PROJECT_ROOT / "data" / "x.db"
    assert s.mcp_server_url == f"stdio://{PROJECT_ROOT}/node_modules/.bin/k"


def test_missing_kubeconfig_suggests_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    s = load({"KUBECONFIG": str(tmp_path / "nope")}, tmp_path)
    with pytest.raises(ConfigError, match="kcache demo"):
        s.resolve_kubeconfig()
    (tmp_path / "kc").write_text("apiVersion: v1\n")
    assert load({"KUBECONFIG": str(tmp_path / "kc")}, tmp_path).resolve_kubeconfig() == tmp_path / "kc"


def test_public_view_masks_secrets(tmp_path: Path) -> None:
    s = load({"GOOGLE_API_KEY": "sekrit-key", "MCP_SERVER_ENV": "TOKEN=abc"}, tmp_path)
    text = repr(s.public()) + repr(s)
    assert "sekrit-key" not in text and "abc" not in text
