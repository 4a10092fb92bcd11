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
