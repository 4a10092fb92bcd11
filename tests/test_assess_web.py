"""Assessment in the API, on the incident page, in the incident list filter and on the command line,
on the seed reports (../shared/corpus/seeds)."""
from __future__ import annotations

import json
import re
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from typer.testing import CliRunner

from harmwatch.cli.main import app as cli_app
from harmwatch.extract.pipeline import default_extractor
from harmwatch.ingest import ingest
from harmwatch.resolve.service import incidents, resolve
from harmwatch.web.app import create_app

runner = CliRunner()


@pytest.fixture
def seeds(shared, db):
    folder = shared / "corpus" / "seeds"
    assert not ingest(sorted(folder.glob("*.txt")), db, manifest=folder / "manifest.csv",
                      extractor=default_extractor()).failed
    resolve(db)
    return db


def _id(db, place):
    (r,) = [r for r in incidents(db) if r["place"] == place]
    return r["id"]


def test_api_incident_has_profile_flags_and_chronolocation(seeds):
    c = TestClient(create_app(seeds, anonymous_read=True, secret="t"))
    body = c.get(f"/api/incidents/{_id(seeds, 'Vuhledar')}").json()
    assert body["weapon_profile"]["weapon"] == "9M79 Tochka"
    assert body["weapon_profile"]["cep_m"] is None and "no published CEP" in body["weapon_profile"]["cep_note"]
    assert body["weapon_profile"]["sources"]
    assert {f["kind"] for f in body["flags"]} >= {"protected_object", "inaccurate_weapon"}
    sun = body["chronolocation"]["sun"]  # 10:30 local on 24 February: the sun in the south-east, ~25° up
    assert 130 < sun["azimuth_deg"] < 170 and 15 < sun["elevation_deg"] < 35
    okh = c.get(f"/api/incidents/{_id(seeds, 'Okhtyrka')}").json()
    assert okh["chronolocation"]["sun"] is None and "time" in okh["chronolocation"]["reason"]


def test_api_and_page_filter_by_flag(seeds):
    c = TestClient(create_app(seeds, anonymous_read=True, secret="t"))
    r = c.get("/api/incidents", params={"flag": "cluster_populated"}).json()
    assert sorted(i["place"] for i in r["incidents"]) == ["Kharkiv", "Okhtyrka"]
    assert c.get("/api/incidents", params={"flag": "guilty"}).status_code == 400
    page = c.get("/incidents", params={"flag": "protected_object"}).text
    listed = set(re.findall(r'href="/incidents/(inc-[0-9a-f]+)"', page))
    assert _id(seeds, "Okhtyrka") in listed and _id(seeds, "Vuhledar") in listed
    assert _id(seeds, "Kharkiv") not in listed and _id(seeds, "Uman") not in listed
    assert 'name="flag"' in page


def test_incident_page_sections(seeds):
    c = TestClient(create_app(seeds, anonymous_read=True, secret="t"))
    html = c.get(f"/incidents/{_id(seeds, 'Okhtyrka')}").text
    for h in ("Weapon profile", "Screening flags", "Chronolocation"):
        assert f"<h2>{h}</h2>" in html
    assert "for an investigator to assess" in html.lower()
    assert 'data-kind="protected_object"' in html and 'data-kind="cluster_populated"' in html
    assert 'id="no-sun"' in html  # no time of day in the report
    uman = c.get(f"/incidents/{_id(seeds, 'Uman')}").text
    assert 'id="no-flags"' in uman and 'id="sun"' in uman


def test_cli_lists_and_dismisses(seeds, db_url, monkeypatch):
    monkeypatch.setenv("HARMWATCH_DB", db_url)
    iid = _id(seeds, "Okhtyrka")
    res = runner.invoke(cli_app, ["flags", iid, "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    (school,) = [f for f in rows if f["kind"] == "protected_object"]
    res = runner.invoke(cli_app, ["flags", "dismiss", school["id"]])
    assert res.exit_code == 2 and "reason" in res.output
    res = runner.invoke(cli_app, ["flags", "dismiss", school["id"], "--reason", "the school was used as a barracks"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli_app, ["flags", iid, "--active", "--format", "json"])
    assert "protected_object" not in {f["kind"] for f in json.loads(res.stdout)}
    assert runner.invoke(cli_app, ["flags", "--kind", "verdict"]).exit_code == 2


def _signed_in(db, name, role):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent))
    from web_helpers import PASSWORD, csrf_of
    from harmwatch.auth.users import add_user
    add_user(db, name, role, PASSWORD)
    c = TestClient(create_app(db, secret="t"), follow_redirects=False)
    r = c.post("/login", data={"name": name, "password": PASSWORD, "csrf": csrf_of(c.get("/login").text), "next": "/"})
    assert r.status_code == 303
    return c, csrf_of


def test_analyst_dismisses_on_the_page_viewer_cannot(seeds):
    from harmwatch.assess.flags import flags
    iid = _id(seeds, "Vuhledar")
    fid = next(f.id for f in flags(seeds, iid) if f.kind == "protected_object")
    viewer, csrf_of = _signed_in(seeds, "vera", "viewer")
    page = viewer.get(f"/incidents/{iid}").text
    assert "Dismiss flag" not in page
    assert viewer.post(f"/flags/{fid}/dismiss", data={"csrf": csrf_of(page), "reason": "x"}).status_code in (303, 403)
    assert next(f for f in flags(seeds, iid) if f.id == fid).dismissed is None

    analyst, _ = _signed_in(seeds, "ann", "analyst")
    page = analyst.get(f"/incidents/{iid}").text
    assert "Dismiss flag" in page
    r = analyst.post(f"/flags/{fid}/dismiss", data={"csrf": csrf_of(page), "reason": "field hospital moved out in 2021",
                                                     "next": f"/incidents/{iid}"})
    assert r.status_code == 303 and r.headers["location"] == f"/incidents/{iid}"
    page = analyst.get(f"/incidents/{iid}").text
    assert "dismissed by ann: field hospital moved out in 2021" in page
    from harmwatch.auth.tokens import create_token
    api = TestClient(create_app(seeds, secret="t"))
    auth = {"Authorization": f"Bearer {create_token(seeds, 'ann')}"}
    other = next(f.id for f in flags(seeds, iid) if f.kind == "inaccurate_weapon")
    assert api.post(f"/api/flags/{other}/dismiss", json={"reason": " "}, headers=auth).status_code in (400, 422)
    assert api.post("/api/flags/flg-nope/dismiss", json={"reason": "why"}, headers=auth).status_code == 404
    r = api.post(f"/api/flags/{other}/dismiss", json={"reason": "the report retracted the weapon"}, headers=auth)
    assert r.status_code == 200 and r.json()["dismissed"]["actor"] == "ann"
    vauth = {"Authorization": f"Bearer {create_token(seeds, 'vera')}"}
    assert api.post(f"/api/flags/{fid}/dismiss", json={"reason": "x"}, headers=vauth).status_code == 403
