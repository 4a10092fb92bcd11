"""The figure-attachment step (extract/attach.py, extract/train_attach.py): the model file and its record,
the decision rule, the step changing a value (with the figure's span as evidence) only above its thresholds,
and reproducible training."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from harmwatch.extract.attach import (CLASSES, MODEL_PATH, AttachModel, AttachModelError, Pair, apply_attach, choose,
                                      pairs)
from harmwatch.extract.casualties import TOTAL, Figure
from harmwatch.extract.train import rules_state
from harmwatch.records import DocumentIn

REPO = Path(__file__).resolve().parents[1]
# two killed figures: the attack's own (three) and an earlier attack's (nine)
TWO = ("A Russian missile struck an apartment block in Izium on Monday, killing three civilians and injuring 12. "
       "In March a strike on the same street killed 9 people.")


def _state(text: str) -> dict:
    return rules_state(DocumentIn("d", text, text.encode(), "text/plain", published=date(2024, 5, 7)), until="attach")


def _model(feature: str, weight: float, fill: float, switch: float) -> AttachModel:
    """A hand-made model that reads one feature: P(value) = sigmoid(weight * x)."""
    return AttachModel({"features": [feature], "classes": list(CLASSES), "coef": [[0.0], [weight]],
                        "intercept": [0.0, 0.0], "scaler": {"mean": [0.0], "scale": [1.0]}, "threshold": 1.0,
                        "fill": fill, "switch": switch})


def _pair(value: int, start: int, rule: bool = False) -> Pair:
    return Pair(0, "killed", Figure("killed", TOTAL, value, None, start, start + 1), 0, rule, {})


def test_model_file_loads_with_its_record():
    model = AttachModel.load()
    assert model.classes == list(CLASSES)
    assert 0.0 < model.fill <= 1.0 and 0.0 < model.switch <= 1.0
    rec = json.loads(MODEL_PATH.read_text(encoding="utf-8"))["trained_on"]
    assert {"annotated", "heldout", "train8", "open-train"} <= set(rec["sets"])
    assert set(rec["calibration"]) == {"train9", "train10"} and not {"train9", "train10"} & set(rec["sets"])
    # the calibration sets train no model
    from harmwatch.extract.scope import MODEL_PATH as SCOPE_PATH
    assert not {"train9", "train10"} & set(json.loads(SCOPE_PATH.read_text(encoding="utf-8"))["trained_on"]["sets"])
    # the blind sets never train or calibrate it
    assert not {"heldout4", "heldout5", "heldout6", "heldout7", "heldout8", "heldout11", "heldout12", "uk-ru2"} & (set(rec["sets"])
                                                                                          | set(rec["calibration"]))
    state = _state(TWO)
    ps = pairs(state["features"], state["incidents"], state["tallies"], TWO)
    assert len(ps) >= 2  # the attack's own three and the earlier attack's nine, at least
    for p in ps:
        q = model.proba(p.features)
        assert q["value"] + q["other"] == pytest.approx(1.0) and 0.0 <= q["value"] <= 1.0


def test_malformed_model_is_a_clear_error(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text(json.dumps({"features": ["a"], "classes": list(CLASSES), "coef": [[0.0], [1.0]],
                               "intercept": [0.0, 0.0], "scaler": {"mean": [0.0], "scale": [1.0]}, "fill": "high"}))
    with pytest.raises(AttachModelError, match="thresholds"):
        AttachModel.load(bad)
    with pytest.raises(AttachModelError, match="cannot read"):
        AttachModel.load(tmp_path / "absent.json")


def test_choose_fills_a_null_field_only_above_fill():
    scored = [(_pair(3, 10), 0.7), (_pair(9, 50), 0.4)]
    assert choose(scored, None, fill=0.8, switch=1.0) is None
    got = choose(scored, None, fill=0.6, switch=1.0)
    assert got is not None and got[0].figure.value == 3


def test_choose_switches_only_to_a_likelier_figure_above_switch():
    scored = [(_pair(3, 10, rule=True), 0.5), (_pair(9, 50), 0.9)]
    assert choose(scored, 3, fill=1.0, switch=0.95) is None  # not sure enough
    got = choose(scored, 3, fill=1.0, switch=0.85)
    assert got is not None and got[0].figure.value == 9
    # the rules' figure at least as likely: kept
    assert choose([(_pair(3, 10, rule=True), 0.9), (_pair(9, 50), 0.9)], 3, 1.0, 0.5) is None


def test_choose_keeps_a_sum_or_a_value_read_from_no_single_figure():
    # two figures in the rules' evidence (a sum): the model scores single figures, so the sum is kept
    summed = [(_pair(3, 10, rule=True), 0.1), (_pair(4, 20, rule=True), 0.1), (_pair(9, 50), 0.99)]
    assert choose(summed, 7, fill=0.5, switch=0.5) is None
    # a value no figure gives (a city's share of a total): kept
    assert choose([(_pair(9, 50), 0.99)], 7, fill=0.5, switch=0.5) is None


def test_step_changes_a_value_only_above_its_thresholds_with_the_figures_span():
    state = _state(TWO)
    [inc] = [c for c in state["incidents"] if c.place == "Izium"]
    assert inc.killed == 3
    # a model that prefers larger figures: the earlier attack's nine scores above the attack's own three
    never = _model("log_value", 3.0, fill=1.0, switch=1.0)
    assert apply_attach(state["features"], state["incidents"], state["tallies"], TWO, never) == 0
    assert inc.killed == 3
    assert apply_attach(state["features"], state["incidents"], state["tallies"], TWO,
                        _model("log_value", 3.0, fill=1.0, switch=0.9)) >= 1
    assert inc.killed == 9
    ev = inc.evidence["killed"]
    assert TWO[ev.start:ev.end] == ev.quote == "9 people"


def test_the_packaged_model_leaves_an_attacks_own_toll():
    from harmwatch.extract.pipeline import extract_text
    ex = extract_text(TWO, published=date(2024, 5, 7))
    [inc] = [c for c in ex.incidents if c.place == "Izium"]
    assert (inc.killed, inc.injured) == (3, 12)


def test_training_reproduces_the_committed_model(tmp_path, shared):
    pytest.importorskip("sklearn")
    from harmwatch.extract.train_attach import train
    data = train(REPO, shared, tmp_path / "model.json", tmp_path / "labels")
    committed = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["features"] == committed["features"]
    assert (data["fill"], data["switch"]) == (committed["fill"], committed["switch"])
    for a, b in zip(data["coef"], committed["coef"]):
        assert a == pytest.approx(b, abs=1e-6), "the rules' features changed: run `harmwatch train` and commit the model"
    for path in (tmp_path / "labels").glob("*.jsonl"):
        assert path.read_text() == (REPO / "tests/data/attach_labels" / path.name).read_text(), path.name


def test_thresholds_need_several_right_changes_to_be_adopted():
    from harmwatch.extract.train_attach import MIN_RIGHT_CHANGES, pick

    def row(fill, switch, right, wrong):
        return {"fill": fill, "switch": switch, "right": right, "wrong": wrong, "cost": 3.0 * wrong - right}
    none = row(1.0, 1.0, 0, 0)
    # one right change and none wrong: negative cost, but no evidence
    assert pick([none, row(1.0, 0.95, 1, 0)]) == (1.0, 1.0)
    assert pick([none, row(1.0, 0.95, MIN_RIGHT_CHANGES, 0), row(0.9, 0.9, MIN_RIGHT_CHANGES + 1, 1)]) == (1.0, 0.95)
    assert pick([none, row(0.9, 0.9, 5, 2)]) == (1.0, 1.0)  # cost 1: worse than changing nothing
