# canbao: `make run` serves the demo on SQLite, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: setup run test test-py test-js messages bench clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: setup
	$(BIN)/canbao serve --demo --port $(PORT)

test: setup test-js test-py

test-js: setup
	node --test static/js/tests/

test-py: setup
	$(BIN)/python -m pytest

# County-scale benchmarks (not part of `make test`): BENCH_PEOPLE=100000 for a smaller county,
# BENCH_ARGS="--only import,queue" for some sections. Prints one table; see benchmarks/README.md.
BENCH_PEOPLE ?= 1000000
bench: setup
	BENCH_PEOPLE=$(BENCH_PEOPLE) $(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# Re-extract the translatable strings and merge them into the zh_CN catalog.
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output -o app/locale/messages.pot .
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale -l zh_CN --no-fuzzy-matching

clean:
	rm -rf $(VENV) node_modules data
