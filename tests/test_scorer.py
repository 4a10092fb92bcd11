"""The project's scorer: matching, field accuracy, invented values, objects and tally F1, links, splits."""
import json

import pytest
from typer.testing import CliRunner

from harmwatch.cli.main import app
from harmwatch.errors import InputError
from harmwatch.evaluate import evaluate, load_split, loosened, violations
from harmwatch.evaluate.scorer import score_docs

KYIV = {"place": "Kyiv", "lat": 50.45, "lon": 30.52, "date": "2024-07-08"}
LVIV = {"place": "Lviv", "lat": 49.84, "lon": 24.03, "date": "2024-07-08"}


def _doc(*incs):
    return {"incidents": [dict(i) for i in incs]}


def test_links_counted_over_documents():
    gold = {"a": _doc({**KYIV, "event_key": "k"}, {**LVIV, "event_key": "l"}),
            "b": _doc({**KYIV, "event_key": "k"}), "c": _doc({**LVIV, "event_key": "l"})}
    good = {"a": _doc({**KYIV, "incident_id": "1"}, {**LVIV, "incident_id": "2"}),
            "b": _doc({**KYIV, "incident_id": "1"}), "c": _doc({**LVIV, "incident_id": "2"})}
    d = score_docs(gold, good).to_dict()
    assert (d["link_precision"], d["link_recall"], d["link_gold_pairs"]) == (1.0, 1.0, 2)
    # Lviv in c left apart, and Kyiv in b wrongly joined to Lviv in a
    bad = {"a": _doc({**KYIV, "incident_id": "1"}, {**LVIV, "incident_id": "2"}),
           "b": _doc({**KYIV, "incident_id": "2"}), "c": _doc({**LVIV, "incident_id": "3"})}
    d = score_docs(gold, bad).to_dict()
    assert (d["link_precision"], d["link_recall"]) == (0.0, 0.0)


def test_no_link_measures_without_ids():
    gold = {"a": _doc({**KYIV, "event_key": "k"})}
    assert "link_f1" not in score_docs(gold, {"a": _doc(KYIV)}).to_dict()


# --- hand-worked cases: every expected number below was counted by hand from the inputs ---------

KHARKIV = {"place": "Kharkiv", "lat": 49.99, "lon": 36.23, "date": "2024-05-25"}
ODESA = {"place": "Odesa", "lat": 46.48, "lon": 30.73}


def test_invented_casualty_fields_and_dates():
    gold = {"a": _doc({**KYIV, "killed": 3},                      # injured, children_killed not in the text
                      {**LVIV, "date": None},                      # no date, no figure in the text
                      {**ODESA, "optional": True})}
    pred = {"a": _doc({**KYIV, "killed": 3, "injured": 5, "children_killed": 0},  # injured invented; 0 is no figure
                      {**LVIV, "date": "2024-07-09", "killed": 2},                # date and killed invented
                      {**ODESA, "date": "2024-07-08", "killed": 4},                # optional gold: counts neither way
                      {**KHARKIV, "killed": 7})}                                   # unmatched: an extra, not invented
    d = score_docs(gold, pred).to_dict()
    assert (d["invented_casualty_fields"], d["invented_dates"]) == (2, 1)
    assert (d["incident_tp"], d["incident_fp"], d["incident_fn"]) == (2, 1, 0)
    assert d["incident_f1"] == 0.8  # P 2/3, R 1
    assert (d["killed_acc"], d["killed_n"], d["date_acc"], d["date_n"]) == (1.0, 1, 1.0, 1)


def test_tally_f1():
    gold = {"a": {"incidents": [], "tallies": [
                {"scope": "Ukraine", "killed": 10, "injured": 20},
                {"scope": "Kharkiv region", "children_killed": 4},
                {"scope": "Sumy", "killed": None, "injured": None},        # no figure: not required
                {"scope": "Donetsk", "killed": 50, "optional": True},      # optional: neither way
                {"scope": "Kherson", "injured": 7}]},                      # missed
            "b": {"incidents": [], "tallies": [{"scope": "Zaporizhzhia", "killed": 1}]}}  # doc not predicted
    pred = {"a": {"incidents": [], "tallies": [
                {"scope": "Ukraine", "killed": 10, "injured": 21},         # injured disagrees: no match -> extra
                {"scope": "Ukraine", "killed": 10},                        # the figure both state agrees
                {"scope": "x", "children_killed": 4, "killed": 99},        # only children_killed is stated by both
                {"scope": "Donetsk", "killed": 50},                        # matches the optional one
                {"scope": "y", "killed": None}]}}                          # no figure: ignored
    d = score_docs(gold, pred).to_dict()
    assert (d["tally_tp"], d["tally_fp"], d["tally_fn"]) == (2, 1, 2)
    assert (d["tally_precision"], d["tally_recall"], d["tally_f1"]) == (0.667, 0.5, 0.571)  # F1 = 4/7
    errors = score_docs(gold, pred).errors
    assert {"a: missed tally Kherson: injured 7", "b: missed tally Zaporizhzhia: killed 1",
            "a: extra tally Ukraine: killed 10 injured 21"} == {e for e in errors if "tally" in e}


def test_objects_f1_over_matched_pairs():
    gold = {"a": _doc({**KYIV, "objects": ["residential", "school"]}, {**LVIV, "objects": []},
                      {**ODESA, "objects": ["port"], "optional": True})}
    pred = {"a": _doc({**KYIV, "objects": ["residential", "hospital"]}, {**LVIV, "objects": ["energy"]},
                      {**ODESA, "objects": ["energy"]}, {**KHARKIV, "objects": ["shop"]})}
    d = score_docs(gold, pred).to_dict()
    assert d["objects_f1"] == 0.4  # tp 1 (residential), fp 2 (hospital, energy), fn 1 (school): P 1/3, R 1/2
    assert score_docs({"a": _doc(KYIV)}, {"a": _doc(KYIV)}).to_dict()["objects_f1"] is None


def test_nothing_predicted_is_not_perfect_precision():
    d = score_docs({"a": _doc(KYIV)}, {}).to_dict()
    assert (d["incident_precision"], d["incident_recall"], d["incident_f1"]) == (0.0, 0.0, 0.0)
    d = score_docs({"a": _doc()}, {"a": _doc()}).to_dict()
    assert (d["incident_precision"], d["incident_recall"], d["incident_f1"]) == (1.0, 1.0, 1.0)


def test_objects_and_weapon_class_decide_between_two_strikes_on_one_place():
    """Two strikes in Kharkiv the same day: objects and weapon class pair them up (closeness 2.25 against 1.5)."""
    gold = {"a": _doc({**KHARKIV, "objects": ["shop"], "weapon_class": "air_bomb"},
                      {**KHARKIV, "objects": ["residential"], "weapon_class": "ballistic_missile"})}
    pred = {"a": _doc({**KHARKIV, "objects": ["residential"], "weapon_class": "ballistic_missile"},
                      {**KHARKIV, "objects": ["shop"], "weapon_class": "air_bomb"})}
    d = score_docs(gold, pred).to_dict()
    assert (d["weapon_class_acc"], d["objects_f1"]) == (1.0, 1.0)


def test_region_only_gold_matches_an_alias_of_its_admin1():
    gold = {"a": _doc({"place": None, "admin1": "Zaporizhzhia", "date": "2022-10-09"})}
    pred = {"a": _doc({"place": "Zaporozhye", "admin1": "Zaporozhye Oblast", "date": "2022-10-09"})}
    d = score_docs(gold, pred).to_dict()
    assert (d["incident_tp"], d["admin1_acc"]) == (1, 1.0)


def test_short_weapon_names_match_whole():
    gold = {"a": _doc({**KHARKIV, "weapon": "KAB"}, {**KYIV, "weapon": "Kh-101"})}
    pred = {"a": _doc({**KHARKIV, "weapon": "KAB"}, {**KYIV, "weapon": "Kh 22"})}
    d = score_docs(gold, pred).to_dict()
    assert (d["weapon_acc"], d["weapon_n"]) == (0.5, 2)


# --- splits and the command -------------------------------------------------------------------

def _jsonl(path, docs: dict) -> str:
    path.write_text("".join(json.dumps({"doc_id": k, **v}) + "\n" for k, v in docs.items()), encoding="utf-8")
    return str(path)


@pytest.fixture
def files(tmp_path):
    gold = {"a": _doc(KYIV), "b": _doc(LVIV), "c": _doc({**KHARKIV, "killed": 2})}
    pred = {"a": _doc(KYIV), "b": _doc(ODESA), "c": _doc({**KHARKIV, "date": "2024-05-26", "killed": 2}),
            "z": _doc(KYIV)}
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"train": ["b"], "test": ["a", "c", "z"]}), encoding="utf-8")
    return _jsonl(tmp_path / "g.jsonl", gold), _jsonl(tmp_path / "p.jsonl", pred), str(split)


def test_split_scores_only_its_documents(files):
    gold, pred, split = files
    whole = evaluate(gold, pred).to_dict()
    # a: tp; b: Odesa is 400 km off -> fp + fn; c: tp, date wrong; z: not in gold -> fp
    assert (whole["docs"], whole["incident_tp"], whole["incident_fp"], whole["incident_fn"]) == (3, 2, 2, 1)
    # test lists a, c and z: z has no gold, so its prediction is an extra there too; b is left out
    test = evaluate(gold, pred, split=f"{split}:test").to_dict()
    assert (test["docs"], test["incident_tp"], test["incident_fp"], test["incident_fn"]) == (2, 2, 1, 0)
    assert (test["date_acc"], test["killed_acc"]) == (0.5, 1.0)
    train = evaluate(gold, pred, split=f"{split}:train").to_dict()
    assert (train["docs"], train["incident_f1"]) == (1, 0.0)


def test_bad_split_is_a_clear_error(files, tmp_path):
    gold, pred, split = files
    with pytest.raises(InputError, match="no split named 'dev'.*test, train"):
        load_split(f"{split}:dev")
    with pytest.raises(InputError, match="FILE:NAME"):
        load_split(split)
    (tmp_path / "other.json").write_text(json.dumps({"x": ["nope"]}))
    with pytest.raises(InputError, match="no document of the split"):
        evaluate(gold, pred, split=f"{tmp_path / 'other.json'}:x")


def test_eval_command_json_and_split(files):
    gold, pred, split = files
    res = CliRunner().invoke(app, ["eval", gold, pred, "--split", f"{split}:test", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert (d["docs"], d["incident_f1"], d["tally_f1"], d["invented_casualty_fields"], d["invented_dates"]) == (2, 0.8, 1.0, 0, 0)
    res = CliRunner().invoke(app, ["eval", gold, pred, "--split", f"{split}:nope"])
    assert res.exit_code == 2 and "no split named 'nope'" in " ".join(res.output.split())  # Rich wraps lines
    res = CliRunner().invoke(app, ["eval", gold, pred])
    assert res.exit_code == 0 and "invented_dates" in res.stdout and "tally_f1" in res.stdout


# --- gates ------------------------------------------------------------------------------------

def test_violations_floors_and_ceilings():
    limits = {"incident_f1": 0.8, "link_f1": 0.5, "invented_casualty_fields": 1, "invented_dates": 0}
    ok = {"incident_f1": 0.8, "link_f1": 0.9, "invented_casualty_fields": 1, "invented_dates": 0}
    assert violations(ok, limits) == {}
    bad = {"incident_f1": 0.79, "invented_casualty_fields": 2, "invented_dates": 0}  # link_f1 not measured
    assert violations(bad, limits) == {"incident_f1": (0.79, 0.8), "link_f1": (None, 0.5),
                                       "invented_casualty_fields": (2, 1)}


def test_loosened_limits():
    before = {"incident_f1": 0.8, "geo@10km_acc": 0.97, "invented_dates": 2, "invented_casualty_fields": 1}
    tighter = {"incident_f1": 0.85, "geo@10km_acc": 0.97, "invented_dates": 1, "invented_casualty_fields": 1,
               "tally_f1": 0.5}
    assert loosened(before, tighter) == {}
    looser = {"incident_f1": 0.85, "geo@10km_acc": 0.95, "invented_dates": 3}
    assert loosened(before, looser) == {"geo@10km_acc": (0.97, 0.95), "invented_dates": (2, 3),
                                        "invented_casualty_fields": (1, None)}
