"""The project's scorer: link precision/recall over matched mentions of different documents."""
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
