"""Resolution: claims -> incidents, independence, casualty ranges, grades, analyst decisions."""
import json
import random
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harmwatch.api import sample_corpus
from harmwatch.audit.chain import entries, verify
from harmwatch.cli.main import app
from harmwatch.extract.pipeline import default_extractor
from harmwatch.ingest import ingest
from harmwatch.resolve import ClaimRef, Decision, resolve_claims, score_pair
from harmwatch.resolve.independence import SourceRef, origins_within, source_graph
from harmwatch.resolve.service import ResolutionError, incidents, merge, resolve, show, split, unlink
from harmwatch.resolve.summary import summarise
from harmwatch.store.db import Database

import backend

SAMPLE = sample_corpus()


def _db(tmp_path, name="r.db"):
    return Database.open(backend.url_for(tmp_path / name), archive_dir=tmp_path / f"{name}-archive")


def _load(tmp_path, folder: Path, order=None, name="r.db"):
    db = _db(tmp_path, name)
    files = sorted(p for p in folder.rglob("*.txt"))
    if order is not None:
        files = [files[i] for i in order]
    report = ingest(files, db, manifest=folder / "manifest.csv", extractor=default_extractor())
    assert not report.failed
    resolve(db)
    return db


def _by_place(rows):
    out = {}
    for r in rows:
        out.setdefault(r["place"], []).append(r)
    return out


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return _load(tmp_path_factory.mktemp("sample"), SAMPLE)


def test_sample_first_day_strikes_resolve_across_both_reports(sample_db):
    places = _by_place(incidents(sample_db))
    for name in ("Vuhledar", "Chuhuiv", "Uman"):
        assert len(places[name]) == 1, name
        inc = places[name][0]
        assert inc["date"] == "2022-02-24"
        assert inc["sources"] == 2
        # the wire story re-reports the NGO's release: one independent origin, not two
        assert inc["independent_sources"] == 1, inc


def test_sample_kharkiv_and_okhtyrka_stay_separate(sample_db):
    places = _by_place(incidents(sample_db))
    assert len(places["Kharkiv"]) == 1 and len(places["Okhtyrka"]) == 1
    assert places["Kharkiv"][0]["id"] != places["Okhtyrka"][0]["id"]
    assert places["Kharkiv"][0]["date"] == "2022-02-28"


def test_incident_ids_do_not_depend_on_ingest_order(tmp_path):
    base = incidents(_load(tmp_path, SAMPLE, order=[0, 1, 2], name="a.db"))
    for i, order in enumerate(([2, 1, 0], [1, 2, 0])):
        other = incidents(_load(tmp_path, SAMPLE, order=order, name=f"b{i}.db"))
        assert [(r["id"], r["claims"]) for r in other] == [(r["id"], r["claims"]) for r in base]


def test_rerun_is_incremental_and_stable(sample_db):
    before = incidents(sample_db)
    r = resolve(sample_db)
    assert r.scored == 0 and r.links_added == 0
    assert incidents(sample_db) == before


def test_seed_corpus_resolution(tmp_path, shared):
    """Reads ../shared/corpus/seeds (skips without ../shared; fails when HARMWATCH_REQUIRE_SHARED is set)."""
    db = _load(tmp_path, shared / "corpus" / "seeds")
    places = _by_place(incidents(db))
    for name in ("Vuhledar", "Chuhuiv", "Uman"):
        assert len(places[name]) == 1 and places[name][0]["sources"] == 2
        assert places[name][0]["independent_sources"] == 1
    assert places["Kharkiv"][0]["id"] != places["Okhtyrka"][0]["id"]


# --- analyst decisions persist -----------------------------------------------------------------

def _fresh_sample(tmp_path):
    return _load(tmp_path, SAMPLE, name="decide.db")


def test_unlink_survives_a_full_rerun(tmp_path):
    db = _fresh_sample(tmp_path)
    uman = _by_place(incidents(db))["Uman"][0]
    claim = max(uman["claims"])
    new_id = unlink(db, claim, actor="tester", reason="check")
    resolve(db, full=True)
    rows = {r["id"]: r for r in incidents(db)}
    assert rows[new_id]["claims"] == [claim]
    assert claim not in rows[uman["id"]]["claims"]
    assert any(e.action == "unlink" for e in entries(db))
    assert verify(db).ok


def test_merge_and_split_survive_a_full_rerun(tmp_path):
    db = _fresh_sample(tmp_path)
    places = _by_place(incidents(db))
    a, b = places["Kharkiv"][0], places["Okhtyrka"][0]
    merged = merge(db, a["id"], b["id"], actor="tester", reason="test merge")
    resolve(db, full=True)
    rows = {r["id"]: r for r in incidents(db)}
    assert sorted(rows[merged]["claims"]) == sorted(a["claims"] + b["claims"])
    parts = split(db, merged, [b["claims"][0]], actor="tester", reason="test split")
    resolve(db, full=True)
    rows = {r["id"]: r for r in incidents(db)}
    assert len(parts) == 2
    assert {tuple(rows[p]["claims"]) for p in parts} == {tuple(a["claims"]), tuple(b["claims"])}
    assert [e.action for e in entries(db, newest_first=False)][-2:] == ["merge", "split"]


def test_decisions_reject_unknown_targets(tmp_path):
    db = _fresh_sample(tmp_path)
    with pytest.raises(ResolutionError):
        merge(db, "inc-nope", "inc-nope2", actor="t")
    with pytest.raises(ResolutionError):
        unlink(db, "no-such-doc#0", actor="t")


def test_show_explains_links_and_quotes(sample_db):
    vuhledar = _by_place(incidents(sample_db))["Vuhledar"][0]
    d = show(sample_db, vuhledar["id"])
    assert len(d["claim_details"]) == 2
    assert all("Vuhledar" in c["passage"] for c in d["claim_details"])
    assert d["links"] and d["links"][0]["features"]["place"] == 1.0


# --- the algorithm on data in memory -----------------------------------------------------------

def _c(key, **kw):
    kw.setdefault("doc_id", key.split("#")[0])
    return ClaimRef(key=key, **kw)


KYIV = dict(lat=50.45, lon=30.52, geonameid=703448, place="Kyiv", admin1="Kyiv City")


def test_pairs_days_apart_or_far_apart_never_link():
    a = _c("a#0", date=date(2023, 1, 1), **KYIV)
    assert score_pair(a, _c("b#0", date=date(2023, 1, 3), **KYIV)) is None
    far = dict(KYIV, lat=49.99, lon=36.23, geonameid=706483, place="Kharkiv")
    assert score_pair(a, _c("b#0", date=date(2023, 1, 1), **far)) is None
    assert score_pair(a, _c("b#0", date=date(2023, 1, 1), **KYIV)).score >= 4


def test_one_document_keeps_its_incidents_apart():
    same = dict(date=date(2023, 1, 1), objects=frozenset({"residential"}), **KYIV)
    res = resolve_claims([_c("a#0", **same), _c("a#1", **same), _c("b#0", **same)])
    assert res.incident_of["a#0"] != res.incident_of["a#1"]
    assert len(set(res.incident_of.values())) == 2


def test_conflicting_details_keep_same_day_strikes_apart():
    a = _c("a#0", date=date(2023, 1, 1), minutes=8 * 60, objects=frozenset({"hospital"}), weapon_class="drone", **KYIV)
    b = _c("b#0", date=date(2023, 1, 1), minutes=20 * 60, objects=frozenset({"energy"}), weapon_class="cruise_missile", **KYIV)
    assert score_pair(a, b).score < 4


def test_result_is_independent_of_claim_order():
    rng = random.Random(3)
    claims = []
    for ev in range(30):
        lat, lon = 48 + rng.random() * 2, 30 + rng.random() * 6
        d = date(2023, 3, 1 + ev % 5)
        for doc in rng.sample(range(8), 3):
            claims.append(_c(f"d{doc}#{ev}", date=d, lat=lat + rng.random() * 0.01, lon=lon, geonameid=ev, place=f"P{ev}",
                             killed=rng.choice([None, 3, 4])))
    base = resolve_claims(claims).incident_of
    for _ in range(5):
        rng.shuffle(claims)
        assert resolve_claims(claims).incident_of == base


def test_analyst_decisions_override_scores():
    same = dict(date=date(2023, 1, 1), **KYIV)
    a, b = _c("a#0", **same), _c("b#0", **same)
    assert resolve_claims([a, b]).incident_of["a#0"] == resolve_claims([a, b]).incident_of["b#0"]
    apart = resolve_claims([a, b], [Decision("different", "a#0", "b#0")])
    assert apart.incident_of["a#0"] != apart.incident_of["b#0"]
    far = _c("c#0", date=date(2023, 5, 1), **KYIV)
    together = resolve_claims([a, far], [Decision("same", "a#0", "c#0")])
    assert together.incident_of["a#0"] == together.incident_of["c#0"]


def test_casualty_range_and_supersession():
    base = dict(date=date(2023, 1, 14), **KYIV)
    claims = [
        _c("wire#0", killed=52, published=date(2023, 1, 15), said_by="police", **base),
        _c("wire2#0", killed=58, published=date(2023, 1, 16), said_by="the regional governor", **base),
        _c("blog#0", killed=20, published=date(2023, 1, 14), said_by=None, **base),
        _c("blog2#0", killed=45, published=date(2023, 1, 17), said_by=None, **base),
    ]
    # blog2 re-reports blog (same origin): its newer figure supersedes the older one
    inc = summarise("inc-x", claims, {"wire#0": "wire", "wire2": "wire2", "blog": "blog", "blog2": "blog", "wire": "wire"})
    assert inc.killed.to_dict() == {"low": 45, "best": 58, "high": 58}
    assert inc.independent_sources == 3
    assert {v["value"] for v in next(d for d in inc.disagreements if d["field"] == "killed")["values"]} == {52, 58, 20, 45}


def test_grades():
    base = dict(date=date(2023, 1, 14), **KYIV)
    one = summarise("i", [_c("a#0", said_by="a resident", **base)], {})
    assert one.grade == "weak"
    two = summarise("i", [_c("a#0", said_by="the governor", **base), _c("b#0", **base)], {})
    assert two.grade == "confirmed"
    denied = summarise("i", [_c("a#0", denied="Russia's defence ministry denied attacking civilians.", **base)], {})
    assert denied.grade == "contested"
    assert summarise("i", [_c("a#0", **base)], {}, discounted=True).grade == "discounted"
    assert summarise("i", [_c("a#0", **base)], {}).killed.to_dict() == {"low": None, "best": None, "high": None}


def test_source_graph_near_duplicates_and_attribution():
    text = ("Rescue teams worked through the night after a missile hit a nine storey apartment block in the city centre, "
            "the regional governor said, adding that the search for survivors under the rubble would continue all day. ") * 3
    a = SourceRef("orig", text, "Regional Gazette", date(2023, 1, 1))
    b = SourceRef("copy", text + " Updated with new figures.", "Aggregator", date(2023, 1, 2))
    c = SourceRef("cite", "A missile hit flats, Regional Gazette reported on Monday, citing the governor.", "Other News",
                  date(2023, 1, 2))
    d = SourceRef("other", "An unrelated story about the weather in Lviv, where it rained all week long again.", "Lviv Daily",
                  date(2023, 1, 2))
    edges = {(e.doc_id, e.origin, e.kind) for e in source_graph([a, b, c, d])}
    assert ("copy", "orig", "near_duplicate") in edges
    assert ("cite", "orig", "attribution") in edges
    assert not any(e[0] == "other" or e[1] == "other" for e in edges)
    origins = origins_within({"orig", "copy", "cite", "other"}, [x for x in source_graph([a, b, c, d])])
    assert origins == {"orig": "orig", "copy": "orig", "cite": "orig", "other": "other"}


# --- CLI -----------------------------------------------------------------------------------------

def test_cli_incidents_formats(new_db_url):
    runner = CliRunner()
    dbu = new_db_url("cli.db")
    res = runner.invoke(app, ["--db", dbu, "ingest", str(SAMPLE / "docs"), "--manifest", str(SAMPLE / "manifest.csv")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["--db", dbu, "incidents", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)["incidents"]
    assert data and {"id", "date", "time", "place", "admin1", "lat", "lon", "geo_precision", "weapon", "weapon_class",
                     "cluster", "objects", "killed", "injured", "sources", "independent_sources", "grade"} <= set(data[0])
    assert set(data[0]["killed"]) == {"low", "best", "high"}
    res = runner.invoke(app, ["--db", dbu, "incidents", "--format", "csv"])
    assert res.stdout.splitlines()[0].startswith("id,date,time,place")
    assert len(res.stdout.splitlines()) == len(data) + 1
    res = runner.invoke(app, ["--db", dbu, "incident", "show", data[0]["id"]])
    assert res.exit_code == 0 and data[0]["id"] in res.stdout
    res = runner.invoke(app, ["--db", dbu, "incident", "show", "inc-missing"])
    assert res.exit_code == 2


def test_one_publisher_is_one_origin():
    origins = origins_within({"gov-1", "gov-2", "wire"}, [], {"gov-1": "Kharkiv governor", "gov-2": "Kharkiv Governor ",
                                                            "wire": "Wire"},
                             {"gov-1": date(2024, 5, 1), "gov-2": date(2024, 5, 2), "wire": date(2024, 5, 2)})
    assert origins == {"gov-1": "gov-1", "gov-2": "gov-1", "wire": "wire"}


def test_cli_export_formats(tmp_path, new_db_url):
    import csv
    import io
    runner = CliRunner()
    dbu = new_db_url("exp.db")
    assert runner.invoke(app, ["--db", dbu, "ingest", str(SAMPLE / "docs"), "--manifest", str(SAMPLE / "manifest.csv")]).exit_code == 0
    n = len(json.loads(runner.invoke(app, ["--db", dbu, "incidents", "--format", "json"]).stdout)["incidents"])
    gj = json.loads(runner.invoke(app, ["--db", dbu, "export", "--format", "geojson"]).stdout)
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) + gj["skipped"] == n
    lon, lat = gj["features"][0]["geometry"]["coordinates"]
    assert 22 < lon < 41 and 44 < lat < 53  # GeoJSON order: lon, lat
    acled = list(csv.DictReader(io.StringIO(runner.invoke(app, ["--db", dbu, "export", "--format", "acled"]).stdout)))
    assert len(acled) == n
    vuhledar = next(r for r in acled if r["location"] == "Vuhledar")
    assert (vuhledar["event_date"], vuhledar["fatalities"], vuhledar["sub_event_type"]) == \
        ("2022-02-24", "4", "Shelling/artillery/missile attack")
    # unknown casualties stay empty, never 0
    best = {i["id"]: i["killed"]["best"] for i in json.loads(runner.invoke(app, ["--db", dbu, "incidents", "--format", "json"]).stdout)["incidents"]}
    assert any(v is None for v in best.values())
    for r in acled:
        assert r["fatalities"] == ("" if best[r["event_id_cnty"]] is None else str(best[r["event_id_cnty"]]))
    out = tmp_path / "ucdp.csv"
    assert runner.invoke(app, ["--db", dbu, "export", "--format", "ucdp", "-o", str(out)]).exit_code == 0
    ucdp = list(csv.DictReader(out.open()))
    assert len(ucdp) == n and {r["date_prec"] for r in ucdp} <= {"1", "2", "5", ""}
    for r in ucdp:
        assert r["best"] == ("" if best[r["id"]] is None else str(best[r["id"]]))


def test_perpetrator_is_the_majority_and_disagreement_is_listed():
    base = dict(date=date(2022, 4, 8), **KYIV)
    inc = summarise("i", [_c("a#0", perpetrator="Russia", **base), _c("b#0", perpetrator="Russia", **base),
                          _c("c#0", perpetrator="Ukraine", **base)], {})
    assert inc.perpetrator == "Russia"
    assert {v["value"] for v in next(d for d in inc.disagreements if d["field"] == "perpetrator")["values"]} == \
        {"Russia", "Ukraine"}
    assert summarise("i", [_c("a#0", **base)], {}).perpetrator is None


def test_geo_precision_codes():
    base = dict(date=date(2023, 1, 1))
    assert summarise("i", [_c("a#0", **KYIV, **base)], {}).geo_precision == 1
    village = summarise("i", [_c("a#0", place="Hroza", admin1="Kharkiv", geonameid=-1, **base)], {})
    assert (village.geo_precision, village.lat, village.place) == (2, None, "Hroza")
    assert summarise("i", [_c("a#0", admin1="Kharkiv", **base)], {}).geo_precision == 3


def test_claim_refs_in_chunks_give_the_same_claims(sample_db, monkeypatch):
    # keyed look-ups go out in chunks (PostgreSQL refuses more than 65,535 parameters in one statement)
    from harmwatch.resolve import service
    with sample_db.session() as s:
        every, _, _ = service.claim_refs(s)
        keys = {r.key for r in every}
        assert len(keys) > 3
        monkeypatch.setattr(service, "_chunks", lambda items, size=1: [items[i:i + 1] for i in range(len(items))])
        chunked, _, sources = service.claim_refs(s, keys)
    assert [r.key for r in chunked] == [r.key for r in every]
    assert len(sources) == len({k.rsplit("#", 1)[0] for k in keys})
