"""The incident page says which source re-reports which, how many origins are independent, and
which values were inferred rather than read."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from harmwatch.resolve import explain, service
from harmwatch.web.app import create_app
from web_helpers import build_sample, open_db


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path, _ = build_sample(tmp_path_factory.mktemp("explain"))
    d = open_db(path)
    yield d
    d.close()


def _by_place(db, place):
    return next(i for i in service.incidents(db) if i["place"] == place)


def test_rereport_of_the_ngo_release_counts_once(db):
    # the news wire re-reports the Amnesty release: two documents, one origin
    inc = service.show(db, _by_place(db, "Chuhuiv")["id"])
    graph = explain.rereports(db, inc)
    assert graph["documents"] == 2 and graph["independent"] == 1 == inc["independent_sources"]
    (group,) = graph["groups"]
    (copy, edges), = group["rereports"].items()
    assert copy != group["origin"] and copy in inc["source_docs"]
    assert edges and all(e["origin"] == group["origin"] for e in edges)


def test_single_source_incident_has_no_rereports(db):
    inc = service.show(db, _by_place(db, "Okhtyrka")["id"])
    graph = explain.rereports(db, inc)
    assert graph["independent"] == graph["documents"] == 1 and graph["groups"][0]["rereports"] == {}


def test_inferred_values_are_named_with_their_origin():
    inc = {"geo_precision": 2, "lat": 49.0, "time_precision": 1}
    claims = [{"key": "a#0", "date": "2022-02-24", "place": "X", "evidence": {"date.publication": {}, "place": {}}},
              {"key": "b#1", "date": "2022-02-24", "place": "Y", "evidence": {"date": {}, "place": {}}},
              {"key": "c#2", "date": None, "place": "Z", "evidence": {}}]
    lines = explain.inferred(claims, inc)
    assert lines[0].startswith("a#0: date 2022-02-24 is the publication date")
    assert lines[1] == "c#2: place Z was carried from an earlier sentence of the report."
    assert "approximate" in lines[2] and len(lines) == 3
    assert explain.inferred([], {"geo_precision": 3}) == ["Only the oblast is known: the incident has no point on the map."]


def test_incident_page_shows_the_source_graph(db):
    c = TestClient(create_app(db, anonymous_read=True, secret="test-secret"), follow_redirects=False)
    inc_id = _by_place(db, "Chuhuiv")["id"]
    html = c.get(f"/incidents/{inc_id}").text
    assert 'id="rereports"' in html and "2 documents, 1 independent origin:" in html
    assert "re-reports it" in html
