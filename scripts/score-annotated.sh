#!/usr/bin/env bash
# Score the project's annotated set: extract, then `harmwatch eval` (and the shared scorer if present).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
rm -f /tmp/harmwatch-ann.db
$BIN/harmwatch --db sqlite:////tmp/harmwatch-ann.db extract tests/data/annotated/docs \
  --manifest tests/data/annotated/manifest.csv --link --format jsonl > /tmp/harmwatch-ann.jsonl
$BIN/harmwatch eval tests/data/annotated/gold.jsonl /tmp/harmwatch-ann.jsonl --format json 2>/dev/null \
  || $BIN/harmwatch eval tests/data/annotated/gold.jsonl /tmp/harmwatch-ann.jsonl
