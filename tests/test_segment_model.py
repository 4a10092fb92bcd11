"""The segmentation model (extract/segment_model.py, extract/train_segment.py): the model file, its
probabilities, the features and gold-derived labels of a hand-written example, deterministic training, and
the one place assemble consults it (only when its threshold is above 0)."""
from __future__ import annotations

import math
import time
from datetime import date
from pathlib import Path

import pytest

from harmwatch.extract.assemble import assemble
from harmwatch.extract.segment_model import (CLASSES, MODEL_PATH, SegmentModel, SegmentModelError, features,
                                             leave_out_rule, start_new_rule, view_of)
from harmwatch.extract.train import rules_state
from harmwatch.records import DocumentIn

REPO = Path(__file__).resolve().parents[1]

# written for this test: two attacks, a regional total, and a later toll update of the first attack
TEXT = ("A Russian missile struck a school in Kharkiv on Monday, killing three civilians.\n\n"
        "On Tuesday a drone hit a house in Sumy, injuring two people.\n\n"
        "Since February 2022, 500 civilians have been killed in the Kharkiv region, the governor said.\n\n"
        "In Kharkiv, rescuers said the toll from Monday's strike had risen to five.")
# its gold, written by hand as the guidelines would annotate it
GOLD = {"incidents": [{"place": "Kharkiv", "lat": 49.9808, "lon": 36.2527, "date": "2024-05-06", "killed": 5,
                       "objects": ["school"]},
                      {"place": "Sumy", "lat": 50.9216, "lon": 34.8003, "date": "2024-05-07", "injured": 2,
                       "objects": ["residential"]}],
        "tallies": [{"scope": "Kharkiv", "killed": 500}]}


def _state(text: str, published: date = date(2024, 5, 8)) -> dict:
    return rules_state(DocumentIn("ex", text, text.encode(), "text/plain", published=published))


def test_model_file_loads_with_its_record():
    model = SegmentModel.load()
    assert sorted(model.classes) == sorted(CLASSES)
    rec = model.data["trained_on"]
    assert rec["rows"] == sum(rec["label_counts"].values()) and rec["rows"] > 100
    assert {"annotated", "open-train", "uk-ru-train"} <= set(rec["sets"])
    assert rec["dev_sets"] == ["open-dev", "uk-ru-dev"]
    assert 0 <= rec["dev_metrics"]["brier"] <= 2 and rec["dev_metrics"]["reliability_continue"]
    # the thresholds assemble uses were read off the dev table; each one not 0 must have beaten the rules there
    for key, decision in (("threshold", "leave_out"), ("new_threshold", "start_new")):
        t = model.data[key]
        assert t == 0 or any(r["decision"] == decision and r["threshold"] == t and r["beats_rules"]
                             for r in rec["dev_end_to_end"])


def test_malformed_model_is_a_clear_error(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text('{"features": ["a"], "classes": ["continue"], "coef": [[1]], "intercept": [0], '
                   '"scaler": {"mean": [0], "scale": [1]}}')
    with pytest.raises(SegmentModelError, match="classes"):
        SegmentModel.load(bad)
    with pytest.raises(SegmentModelError, match="cannot read"):
        SegmentModel.load(tmp_path / "missing.json")


def test_features_of_a_hand_written_example():
    feats = _state(TEXT)["features"]
    kharkiv, sumy, region, update = feats
    first = features(kharkiv, None, [])
    assert first["has_current"] == 0 and first["has_place"] == 1 and first["has_figure"] == 1
    assert first["log_max_figure"] == pytest.approx(math.log1p(3))
    second = features(sumy, view_of([kharkiv]), [])
    assert second["place_new_vs_cur"] == 1 and second["place_same_cur"] == 0
    assert second["para_break"] == 1 and second["gap_log"] == pytest.approx(math.log1p(1))
    total = features(region, view_of([sumy]), [view_of([kharkiv])])
    assert total["tally_cue"] == 1 and total["period_word"] == 1 and total["has_place"] == 0
    back = features(update, view_of([sumy]), [view_of([kharkiv])])
    assert back["place_in_earlier"] == 1 and back["date_in_earlier"] == 1 and back["toll_word"] == 1
    assert back["place_same_cur"] == 0


def test_labels_from_the_gold_of_a_hand_written_example():
    from harmwatch.extract.train_segment import document_rows
    rows = document_rows("hand", "ex", _state(TEXT)["features"], GOLD)
    assert [(r.sentence, r.label, r.gold) for r in rows] == [
        (0, "new", 0), (1, "new", 1), (2, "other", None), (3, "rejoin", 0)]


def test_probabilities_are_in_range_and_sum_to_one():
    model = SegmentModel.load()
    feats = _state(TEXT)["features"]
    for i, f in enumerate(feats):
        p = model.proba(features(f, view_of(feats[i - 1:i]) if i else None, [view_of(feats[:1])] if i > 1 else []))
        assert set(p) == set(CLASSES)
        assert all(0.0 <= v <= 1.0 for v in p.values())
        assert sum(p.values()) == pytest.approx(1.0)


def test_inference_takes_a_few_milliseconds_per_document():
    model = SegmentModel.load()
    feats = _state(TEXT)["features"]
    t0 = time.perf_counter()
    for _ in range(50):
        for i, f in enumerate(feats):
            model.proba(features(f, view_of(feats[:i]) if i else None, []))
    per_doc_ms = (time.perf_counter() - t0) * 1000 / 50
    assert per_doc_ms < 5, per_doc_ms


def test_training_is_deterministic():
    pytest.importorskip("sklearn")
    from harmwatch.extract.train import LabelledSet
    from harmwatch.extract.train_segment import build_rows, fit
    sets = [LabelledSet(n, REPO / "tests" / "data" / n, REPO / "tests" / "data" / n / "manifest.csv",
                        REPO / "tests" / "data" / n / "gold.jsonl") for n in ("train3", "heldout2")]
    rows = build_rows(sets)
    assert {r.label for r in rows} == set(CLASSES)
    one, two = fit(rows, 0.3), fit(build_rows(sets), 0.3)
    assert one == two
    assert SegmentModel(one).proba(rows[0].features) == SegmentModel(two).proba(rows[0].features)


def test_assemble_consults_the_model_only_through_its_decisions():
    # the placeless toll sentence continues the Izium draft under the rules
    text = "A missile hit a house in Izium on Monday.\nFour people were killed, officials said."
    st = _state(text)
    args = (st["features"], st["gazetteer"], st["text"], st["publisher"])
    rules, _ = assemble(*args)
    assert [c.killed for c in rules] == [4]
    left, _ = assemble(*args, leave_out=lambda f, cur, earlier: True)
    assert [c.killed for c in left] == [None]  # the vetoed figures reach no incident
    trace: list = []
    assemble(*args, trace=trace)
    assert len(trace) == 1 and trace[0][1] is not None and len(trace[0][0].feats) == 2


def test_threshold_zero_means_rules_only(monkeypatch):
    model = SegmentModel.load()
    assert leave_out_rule(model, 0.0) is None and start_new_rule(model, 0.0) is None
    veto = leave_out_rule(model, 1.01)  # P(continue) is always below 1.01: every consulted sentence left out
    feats = _state(TEXT)["features"]
    assert veto(feats[3], feats[:1], []) is True
    monkeypatch.setenv("HARMWATCH_SEGMENT_THRESHOLD", "0")
    assert leave_out_rule() is None and start_new_rule() is None


def test_packaged_path_is_the_data_folder():
    assert MODEL_PATH.parent.name == "data" and MODEL_PATH.name == "segment_model.json"
