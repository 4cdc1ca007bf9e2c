# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install clean

$(BIN)/coproduce: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/coproduce

## Load the demo into the embedded store (var/coproduce.db) and serve the API on PORT.
run: install
	$(BIN)/coproduce demo
	$(BIN)/coproduce serve --port $(PORT)

## Run the whole test suite (PostgreSQL tests need the server at 127.0.0.1:5432).
test: install
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var
