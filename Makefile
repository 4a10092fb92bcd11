# Two entry points on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-sqlite test-postgresql install install-test bench score clean

# The demo needs the package alone; the tests also need the test and PostgreSQL extras.
$(BIN)/harmwatch: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/harmwatch
	$(BIN)/pip install --quiet -e '.[test,postgres]'
	touch $@

install: $(BIN)/harmwatch
install-test: $(VENV)/.test-deps

PORT ?= 8000

# Ingest the sample corpus, then serve it. Anonymous read is switched on for this one process only
# (HARMWATCH_ANONYMOUS_READ=1 on the serve command line), so the demo needs no account.
demo: install
	$(BIN)/harmwatch demo
	@echo
	@echo "Serving the sample incidents on http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)."
	@echo "Anonymous read is ON for this demo process only (HARMWATCH_ANONYMOUS_READ=1); it stays off by default."
	HARMWATCH_ANONYMOUS_READ=1 $(BIN)/harmwatch serve --host 127.0.0.1 --port $(PORT)

# The whole suite twice: on SQLite, then on PostgreSQL (HARMWATCH_TEST_BACKEND=postgresql; needs
# HARMWATCH_TEST_PG_URL, e.g. eval "$$(scripts/pg-test-server.sh)"). Without a server the second run
# is skipped with a notice, unless HARMWATCH_REQUIRE_PG is set (CI): then it is a failure.
test: test-sqlite test-postgresql

test-sqlite: install-test
	HARMWATCH_TEST_BACKEND=sqlite $(BIN)/python -m pytest

test-postgresql: install-test
	@if [ -n "$$HARMWATCH_TEST_PG_URL" ]; then \
	  echo "== the test suite on PostgreSQL"; \
	  HARMWATCH_TEST_BACKEND=postgresql $(BIN)/python -m pytest; \
	elif [ -n "$$HARMWATCH_REQUIRE_PG" ]; then \
	  echo "HARMWATCH_REQUIRE_PG is set but HARMWATCH_TEST_PG_URL is not" >&2; exit 1; \
	else \
	  echo "PostgreSQL run skipped: no HARMWATCH_TEST_PG_URL (eval \"\$$(scripts/pg-test-server.sh)\")"; \
	fi

bench: install
	$(BIN)/python bench/extract.py

# Score the shared development set (needs ../shared beside the checkout).
score: install
	rm -f /tmp/harmwatch-score.db
	HARMWATCH_DB=sqlite:////tmp/harmwatch-score.db $(BIN)/harmwatch extract ../shared/corpus/seeds --manifest ../shared/corpus/seeds/manifest.csv --link --format jsonl > /tmp/harmwatch-pred.jsonl
	$(PY) ../shared/eval/score.py ../shared/eval/dev/seeds.gold.jsonl /tmp/harmwatch-pred.jsonl

clean:
	rm -rf $(VENV) *.egg-info src/*.egg-info harmwatch.db harmwatch-archive
