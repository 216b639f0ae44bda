# kcache: `make demo` runs the demo, `make test` runs every test (what CI runs).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
K8S_MCP_VENV := .venv-k8s-mcp
export LANGGRAPH_CLI_NO_ANALYTICS := 1
export LANGGRAPH_NO_VERSION_CHECK := true
export LANGSMITH_TEST_TRACKING ?= false

.PHONY: install demo test unit integration lint format bench studio clean

install: $(VENV)/.installed node_modules/.installed $(K8S_MCP_VENV)/.installed

# The project and its pinned Python dependencies (constraints.txt holds the exact versions CI tested).
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $@

# The MCP servers kcache runs, pinned in package.json and package-lock.json, into ./node_modules.
# (npm ci rejects this lock file: it lists only this platform's optional binary package.)
node_modules/.installed: package.json package-lock.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# k8s-mcp needs mcp<2 and fastmcp<4, which conflict with nothing of ours only in a venv of its own.
$(K8S_MCP_VENV)/.installed: requirements-k8s-mcp.txt
	$(PYTHON) -m venv $(K8S_MCP_VENV)
	$(K8S_MCP_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-k8s-mcp.txt
	touch $@

demo: install
	LLM_PROVIDER=offline $(VENV)/bin/kcache demo

# Two workers, a file each at a time (a file's module fixtures start once): most of the suite waits
# on subprocesses, which the other worker overlaps.
test: install lint
	$(PY) -m pytest tests -q -n 2 --dist loadfile

unit: install
	$(PY) -m pytest tests/unit -q

integration: install
	$(PY) -m pytest tests/integration -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

studio: install
	$(PY) -m kcache_cli.studio

clean:
	rm -rf $(VENV) $(K8S_MCP_VENV) node_modules .langgraph_api data .pytest_cache .mypy_cache .ruff_cache
