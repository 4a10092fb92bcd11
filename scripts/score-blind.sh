#!/usr/bin/env bash
# Score every blind test set once: the open set's test split (English and Ukrainian parts),
# heldout4-8, heldout29-32 (and the sets in $EXTRA), the uk-ru test split and uk-ru2 (test only). Aggregates only: a blind set is scored,
# never read for tuning. Prints one line per set: incident_f1 casualty_acc tally_f1 invented
# figures, invented dates, objects_f1, date_acc, geo@10km.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
SHARED=${SHARED:-../shared}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {  # name folder manifest
  "$BIN/harmwatch" --db "sqlite:///$out/$1.db" extract "$2" --manifest "$3" --link --format jsonl > "$out/$1.jsonl"
}
line() {  # label gold pred [split]
  local args=("$2" "$3" --json); [ -n "${4:-}" ] && args+=(--split "$4")
  "$BIN/harmwatch" eval "${args[@]}" | python3 -c '
import json, sys
s = json.load(sys.stdin); label = sys.argv[1]
keys = ["docs", "incident_f1", "casualty_acc", "tally_f1", "invented_casualty_fields", "invented_dates", "objects_f1", "date_acc", "geo@10km_acc"]
print(f"{label:<18}" + "  ".join(f"{k}={s.get(k)}" for k in keys))' "$1"
}
run open "$SHARED/corpus/open" "$SHARED/corpus/open/manifest.csv"
python3 - "$out" tests/data/splits/open.json <<'PY'
import json, sys
out, split = sys.argv[1], json.load(open(sys.argv[2]))
json.dump({"test-en": [d for d in split["test"] if not d.startswith("ua-")],
           "test-uk": [d for d in split["test"] if d.startswith("ua-")]}, open(f"{out}/open-lang.json", "w"))
PY
line "open test" "$SHARED/eval/open/gold.jsonl" "$out/open.jsonl" tests/data/splits/open.json:test
line "open test en" "$SHARED/eval/open/gold.jsonl" "$out/open.jsonl" "$out/open-lang.json:test-en"
line "open test uk" "$SHARED/eval/open/gold.jsonl" "$out/open.jsonl" "$out/open-lang.json:test-uk"
for s in heldout4 heldout5 heldout6 heldout7 heldout8 heldout29 heldout30 heldout31 heldout32 ${EXTRA:-}; do
  run "$s" "tests/data/$s/docs" "tests/data/$s/manifest.csv"
  line "$s" "tests/data/$s/gold.jsonl" "$out/$s.jsonl"
done
run ukru tests/data/uk-ru/docs tests/data/uk-ru/manifest.csv
line "uk-ru test" tests/data/uk-ru/gold.jsonl "$out/ukru.jsonl" tests/data/splits/uk-ru.json:test
run ukru2 tests/data/uk-ru2/docs tests/data/uk-ru2/manifest.csv
line "uk-ru2" tests/data/uk-ru2/gold.jsonl "$out/ukru2.jsonl"
