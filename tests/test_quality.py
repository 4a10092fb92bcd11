"""Quality gates: extraction scored against annotated data, with floors that may only go up.

- the project's own annotated set (tests/data/annotated: reports written in the
  project's own words about real incidents, hand-annotated), scored by
  `harmwatch eval`; floors in tests/data/annotated/floors.json;
- the held-out set (tests/data/heldout: 15 reports written and annotated before
  the rules were last tuned, never used for tuning); floors in its floors.json;
- the shared development set (../shared), scored by the shared scorer, when present.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harmwatch.cli.main import app
from harmwatch.evaluate import evaluate

ROOT = Path(__file__).resolve().parents[1]
ANNOTATED = ROOT / "tests" / "data" / "annotated"
HELDOUT = ROOT / "tests" / "data" / "heldout"
HELDOUT2 = ROOT / "tests" / "data" / "heldout2"
HELDOUT3 = ROOT / "tests" / "data" / "heldout3"
HELDOUT4 = ROOT / "tests" / "data" / "heldout4"
HELDOUT5 = ROOT / "tests" / "data" / "heldout5"
TRAIN2 = ROOT / "tests" / "data" / "train2"
TRAIN3 = ROOT / "tests" / "data" / "train3"
TRAIN4 = ROOT / "tests" / "data" / "train4"
SHARED = ROOT.parent / "shared"


def _extract(tmp_path, folder: Path, manifest: Path) -> Path:
    pred = tmp_path / "pred.jsonl"
    res = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'q.db'}", "extract", str(folder),
                                   "--manifest", str(manifest), "--link", "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    pred.write_text(res.stdout, encoding="utf-8")
    return pred


@pytest.mark.parametrize("folder", [ANNOTATED, HELDOUT, HELDOUT2, HELDOUT3, HELDOUT4, HELDOUT5, TRAIN2, TRAIN3, TRAIN4], ids=lambda p: p.name)
def test_set_meets_floors(tmp_path, folder):
    """annotated: the rules were tuned on it. heldout, heldout2: never used to tune the rules;
    their floors record what the rules reach on them. Floors may only go up."""
    floors = json.loads((folder / "floors.json").read_text())
    pred = _extract(tmp_path, folder / "docs", folder / "manifest.csv")
    score = evaluate(folder / "gold.jsonl", pred).to_dict()
    below = {k: (score.get(k), v) for k, v in floors.items() if score.get(k) is None or score[k] < v}
    assert not below, f"below floor (got, floor): {below}"


@pytest.mark.parametrize("folder", [ANNOTATED, HELDOUT, HELDOUT2, HELDOUT3, HELDOUT4, HELDOUT5, TRAIN2, TRAIN3, TRAIN4], ids=lambda p: p.name)
def test_floors_file_is_sane(folder):
    floors = json.loads((folder / "floors.json").read_text())
    assert floors["incident_f1"] > 0 and all(0 <= v <= 1 for v in floors.values())


@pytest.mark.skipif(not (SHARED / "eval" / "score.py").exists(), reason="../shared is not beside the checkout")
def test_shared_dev_set(tmp_path):
    seeds = SHARED / "corpus" / "seeds"
    pred = _extract(tmp_path, seeds, seeds / "manifest.csv")
    res = subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), str(SHARED / "eval" / "dev" / "seeds.gold.jsonl"),
                          str(pred), "--json"], capture_output=True, text=True, check=True)
    s = json.loads(res.stdout)
    assert s["incident_f1"] >= 0.9
    assert s["casualty_acc"] == 1.0
    assert s["geo@10km_acc"] >= 0.9
    assert s["date_acc"] >= 0.9
    assert s["invented_casualty_fields"] == 0
