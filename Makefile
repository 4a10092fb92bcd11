# Two entry points on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-test bench score clean

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

test: install-test
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/extract.py

# Score the shared development set (needs ../shared beside the checkout).
score: install
	rm -f /tmp/harmwatch-score.db
	HARMWATCH_DB=sqlite:////tmp/harmwatch-score.db $(BIN)/harmwatch extract ../shared/corpus/seeds --manifest ../shared/corpus/seeds/manifest.csv --link --format jsonl > /tmp/harmwatch-pred.jsonl
	$(PY) ../shared/eval/score.py ../shared/eval/dev/seeds.gold.jsonl /tmp/harmwatch-pred.jsonl

clean:
	rm -rf $(VENV) *.egg-info src/*.egg-info harmwatch.db harmwatch-archive
