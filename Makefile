# Two entry points on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install bench score clean

$(BIN)/harmwatch: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,postgres]'
	touch $@

install: $(BIN)/harmwatch

demo: install
	$(BIN)/harmwatch demo

test: install
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
