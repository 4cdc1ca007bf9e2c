# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
WEB := service/web

.PHONY: run test install clean

$(BIN)/coproduce: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# NHS.UK frontend's stylesheets and scripts (and axe-core for the accessibility tests), from npm.
$(WEB)/node_modules/.package-lock.json: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error

install: $(BIN)/coproduce $(WEB)/node_modules/.package-lock.json

## Load the demo into the embedded store (var/coproduce.db) and serve the site and the API on PORT.
run: install
	$(BIN)/coproduce demo
	$(BIN)/coproduce serve --port $(PORT)

## Run the whole test suite (PostgreSQL tests need the server at 127.0.0.1:5432), one worker a core:
## each worker has its own PostgreSQL database, browser and free ports.
test: install
	$(BIN)/pytest -n auto

clean:
	rm -rf $(VENV) var $(WEB)/node_modules
