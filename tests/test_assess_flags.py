"""Screening flags (assess/flags.py) on the seed reports, and each flag's rule where it must and must
not fire. Expected values come from reading ../shared/corpus/seeds and from the formulas in
docs/assessment.md worked by hand, not from running the code."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from harmwatch.assess.flags import ClaimFacts, IncidentFacts, assess, dismiss, flags, refresh_flags
from harmwatch.assess.objects import load as load_objects
from harmwatch.assess.profile import weapon_profile
from harmwatch.assess.target import StatedTarget, miss_probability
from harmwatch.errors import AssessmentError
from harmwatch.extract.pipeline import default_extractor
from harmwatch.ingest import ingest
from harmwatch.resolve.service import edit_field, incidents, resolve
from harmwatch.store.models import AuditEntry, MilitaryObject

ASSESS = "for an investigator to assess"


@pytest.fixture
def seeds(shared, db):
    folder = shared / "corpus" / "seeds"
    report = ingest(sorted(folder.glob("*.txt")), db, manifest=folder / "manifest.csv", extractor=default_extractor())
    assert not report.failed
    resolve(db)
    return db


def _inc(db, place):
    rows = [r for r in incidents(db) if r["place"] == place]
    assert len(rows) == 1, (place, rows)
    return rows[0]


def _kinds(db, place, active_only=False):
    return {f.kind: f for f in flags(db, _inc(db, place)["id"], include_dismissed=not active_only)}


def _air_base_geojson(shared: Path, tmp_path: Path) -> Path:
    """The Chuhuiv airfield's point as GeoNames has it (feature 11269944, an AIRP named Chuhuiv), read
    from the shared dump at test time, written as the kind of file `harmwatch objects load` takes."""
    with zipfile.ZipFile(shared / "geonames" / "UA.zip") as z, z.open("UA.txt") as f:
        for line in f:
            if line.startswith(b"11269944\t"):
                cols = line.decode("utf-8").split("\t")
                break
        else:
            pytest.fail("GeoNames feature 11269944 (Chuhuiv airfield) not in UA.zip")
    assert cols[1] == "Chuhuiv" and cols[7] == "AIRP"
    path = tmp_path / "bases.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [float(cols[5]), float(cols[4])]},
        "properties": {"name": "Chuhuiv Air Base", "aliases": ["Chuhuiv airfield"], "kind": "air base"}}]}))
    return path


# --- the seed reports ------------------------------------------------------------------------------------

def test_vuhledar_hospital_and_inaccurate_tochka(seeds):
    k = _kinds(seeds, "Vuhledar")
    assert "protected_object" in k and "inaccurate_weapon" in k
    p = k["protected_object"]
    assert p.evidence["objects"] == ["hospital"]
    assert any(q["quote"] == "hospital" and q["claim"].startswith("amnesty-2022-02-25#") for q in p.evidence["quotes"])
    w = k["inaccurate_weapon"]
    assert w.evidence["weapon"] == "9M79 Tochka" and w.evidence["weapon_class"] == "ballistic_missile"
    assert "no published CEP" in w.reason and "inaccurate" in w.reason
    assert "4 killed" in w.evidence["civilian_harm"] and "hospital" in w.evidence["civilian_harm"]
    for f in k.values():
        assert ASSESS in f.reason


def test_chuhuiv_residential_with_stated_target_unlocated_then_located(seeds, shared, tmp_path):
    inc = _inc(seeds, "Chuhuiv")
    w = _kinds(seeds, "Chuhuiv")["inaccurate_weapon"]
    assert "residential" in w.evidence["civilian_harm"]
    targets = w.evidence["targets"]
    assert {t["name"] for t in targets} == {"Chuhuiv Air Base"}  # both reports state it; one target
    t = targets[0]
    assert t["quote"] == "likely target was the nearby Chuhuiv Air Base"
    # the span indexes the stored source text
    from harmwatch.store.models import Source
    with seeds.session() as s:
        text = s.query(Source).filter_by(doc_id="amnesty-2022-02-25").one().text
    assert text[t["start"]:t["end"]] == t["quote"]
    assert t["located"] is None and "objects load" in w.reason  # the gazetteer alone gives only Chuhuiv itself

    assert load_objects(seeds, _air_base_geojson(shared, tmp_path)) == 1
    # Chuhuiv's gazetteer point (GeoNames 710374): 49.83538 N, 36.6865 E; the airfield 49.83806 N, 36.64111 E.
    assert (inc["lat"], inc["lon"]) == (49.83538, 36.6865)
    w2 = _kinds(seeds, "Chuhuiv")["inaccurate_weapon"]
    assert w2.id != w.id  # its basis changed
    t2 = w2.evidence["targets"][0]
    assert t2["located"]["name"] == "Chuhuiv Air Base"
    # by hand: dlat 0.00268 deg = 0.298 km; dlon 0.04539 deg x 111.195 km x cos(49.837) 0.645 = 3.255 km; d = 3.269 km
    assert t2["distance_m"] == pytest.approx(3269, abs=5)
    assert "3.27 km" in w2.reason
    # the weapon is not identified: no CEP of its own, but the catalogue's published CEPs for comparison:
    # Iskander-M 10-30 m -> log10 P = -(3269/30)^2 x log10(2) = -3574 at 30 m
    assert "No CEP for the weapon" in w2.reason
    alt = {a["weapon"]: a for a in t2["if_catalogue_cep"]}
    assert alt["9K720 Iskander-M"]["cep_m"] == [10, 30]
    assert alt["9K720 Iskander-M"]["log10_p_at_cep_high"] == pytest.approx(-3574, abs=4)


def test_chuhuiv_weapon_edit_recomputes_flag_with_published_cep(seeds, shared, tmp_path):
    load_objects(seeds, _air_base_geojson(shared, tmp_path))
    inc = _inc(seeds, "Chuhuiv")
    edit_field(seeds, inc["id"], "weapon", "9K720 Iskander-M", "analyst1", "identified from debris photos")
    w = _kinds(seeds, "Chuhuiv")["inaccurate_weapon"]
    t = w.evidence["targets"][0]
    assert w.evidence["weapon"] == "9K720 Iskander-M"
    assert t["cep_m"] == [10, 30]
    assert t["log10_p_at_cep_low"] == pytest.approx(-(3269 / 10) ** 2 * 0.30103, rel=0.005)
    assert "published CEP 10-30 m" in w.reason


def test_kharkiv_cluster_and_mlrs_in_populated_place(seeds):
    k = _kinds(seeds, "Kharkiv")
    assert {"cluster_populated", "wide_area_populated"} <= set(k)
    wide = k["wide_area_populated"]
    assert wide.evidence["weapon"] == "BM-21 Grad" and wide.evidence["weapon_class"] == "rocket_artillery"
    assert wide.evidence["population"] > 1_000_000  # Kharkiv, about 1.4 million in GeoNames
    assert any(q["field"] == "cluster" and "cluster" in q["quote"].lower()
               for q in k["cluster_populated"].evidence["quotes"])
    assert "protected_object" not in k  # a shopping centre and flats: not specially protected objects


def test_okhtyrka_school_with_cluster_munitions(seeds):
    k = _kinds(seeds, "Okhtyrka")
    assert k["protected_object"].evidence["objects"] == ["school"]
    assert "cluster_populated" in k
    assert "wide_area_populated" not in k  # no weapon named, class unknown


def test_uman_restaurant_gets_no_flag(seeds):
    assert _kinds(seeds, "Uman") == {}


def test_filter_by_flag_and_populated_min(seeds, monkeypatch):
    from harmwatch.web import query
    total, rows = query.search(seeds, query.Filters.parse({"flag": "cluster_populated"}))
    assert sorted(r["place"] for r in rows) == ["Kharkiv", "Okhtyrka"]
    with pytest.raises(query.FilterError):
        query.Filters.parse({"flag": "war_crime"})
    # Okhtyrka (~47,000 in GeoNames) is below a 100,000 threshold, Kharkiv is above it
    monkeypatch.setenv("HARMWATCH_POPULATED_MIN", "100000")
    with seeds.session(write=True) as s:
        refresh_flags(s, None)
    assert "cluster_populated" not in _kinds(seeds, "Okhtyrka")
    assert "cluster_populated" in _kinds(seeds, "Kharkiv")


# --- dismissal -------------------------------------------------------------------------------------------

def test_dismissal_is_audited_and_survives_recomputation_of_the_same_basis(seeds):
    f = _kinds(seeds, "Vuhledar")["protected_object"]
    with pytest.raises(AssessmentError):
        dismiss(seeds, f.id, "   ", "analyst1")
    with pytest.raises(AssessmentError):
        dismiss(seeds, "flg-nonexistent", "why", "analyst1")
    d = dismiss(seeds, f.id, "the building was a field command post", "analyst1")
    assert d.dismissed["reason"] == "the building was a field command post"
    with seeds.session() as s:
        e = s.query(AuditEntry).order_by(AuditEntry.id.desc()).first()
        assert (e.action, e.target_id, e.field, e.actor) == ("flag.dismiss", f.incident_id, "protected_object", "analyst1")
        assert e.new["flag"] == f.id
    resolve(seeds, full=True)  # everything recomputed: same facts, same flag id, dismissal stands
    again = _kinds(seeds, "Vuhledar")["protected_object"]
    assert again.id == f.id and again.dismissed and again.dismissed["actor"] == "analyst1"
    assert "protected_object" not in _kinds(seeds, "Vuhledar", active_only=True)
    from harmwatch.web import query
    _, rows = query.search(seeds, query.Filters.parse({"flag": "protected_object"}))
    assert "Vuhledar" not in {r["place"] for r in rows}


def test_dismissal_lapses_when_the_basis_changes(seeds):
    inc = _inc(seeds, "Okhtyrka")
    f = _kinds(seeds, "Okhtyrka")["protected_object"]
    dismiss(seeds, f.id, "not a school any more", "analyst1")
    edit_field(seeds, inc["id"], "objects", ["school", "kindergarten"], "analyst1", "a kindergarten shared the building")
    g = _kinds(seeds, "Okhtyrka")["protected_object"]
    assert g.id != f.id and g.dismissed is None and g.evidence["objects"] == ["school", "kindergarten"]


# --- each rule where it must and must not fire (facts given directly) -------------------------------------

def _facts(**kw):
    base = dict(id="inc-x", place="Town", lat=50.0, lon=30.0, weapon=None, weapon_class="unknown", cluster=None,
                objects=[], killed=None, injured=None, population=20000, settlement=True,
                claims=[ClaimFacts("doc#0", {}, "", 0)])
    base.update(kw)
    return IncidentFacts(**base)


def _run(inc, targets=()):
    return {f.kind for f in assess(inc, weapon_profile(inc.weapon, inc.weapon_class, inc.cluster), list(targets))}


def test_protected_object_rule():
    for o in ("hospital", "school", "kindergarten", "ambulance", "shelter", "religious", "cultural", "humanitarian"):
        assert "protected_object" in _run(_facts(objects=[o]))
    assert "protected_object" not in _run(_facts(objects=["residential", "restaurant", "commercial", "energy"]))


def test_wide_area_rule():
    assert "wide_area_populated" in _run(_facts(weapon="BM-27 Uragan", weapon_class="rocket_artillery"))
    assert "wide_area_populated" in _run(_facts(weapon_class="air_bomb"))  # class only
    assert "wide_area_populated" not in _run(_facts(weapon_class="mortar"))
    assert "wide_area_populated" not in _run(_facts(weapon_class="small_arms"))
    # a populated place is needed: no gazetteer settlement, no flag
    assert "wide_area_populated" not in _run(_facts(weapon="BM-27 Uragan", weapon_class="rocket_artillery",
                                                    settlement=False, population=None))


def test_cluster_rule():
    assert "cluster_populated" in _run(_facts(cluster=True))
    assert "cluster_populated" not in _run(_facts(cluster=None))
    assert "cluster_populated" not in _run(_facts(cluster=True, settlement=False, population=None))
    assert "cluster_populated" not in assess(_facts(cluster=True, population=500), weapon_profile(None, "unknown"),
                                             [], populated_min=1000)


def test_inaccurate_weapon_rule():
    grad = dict(weapon="BM-21 Grad", weapon_class="rocket_artillery")
    assert "inaccurate_weapon" in _run(_facts(objects=["residential"], **grad))  # catalogue statement
    assert "inaccurate_weapon" not in _run(_facts(objects=["military"], **grad))  # no civilian harm stated
    assert "inaccurate_weapon" not in _run(_facts(objects=["residential"], weapon="9K720 Iskander-M",
                                                  weapon_class="ballistic_missile"))  # a small published CEP
    said = _facts(objects=["residential"], weapon_class="tube_artillery",
                  claims=[ClaimFacts("doc#0", {}, "The shells are highly inaccurate.", 100)])
    fl = assess(said, weapon_profile(None, "tube_artillery"), [])
    (f,) = [f for f in fl if f.kind == "inaccurate_weapon"]
    assert f.evidence["quotes"][0] == {"claim": "doc#0", "field": "inaccuracy", "quote": "highly inaccurate",
                                       "start": 115, "end": 132}
    t = StatedTarget("Some Base", "likely target was Some Base", 0, 27, "doc#0")
    assert "inaccurate_weapon" in _run(_facts(objects=["residential"]), [(t, None)])
    assert "inaccurate_weapon" not in _run(_facts(objects=[]), [(t, None)])  # no civilian harm stated


def test_miss_probability_formula():
    assert miss_probability(0, 50) == 1.0
    assert miss_probability(50, 50) == 0.5  # half the shots fall within the CEP
    assert miss_probability(100, 50) == pytest.approx(1 / 16)  # 2^-(2^2)
    assert miss_probability(150, 50) == pytest.approx(1 / 512)  # 2^-9
    with pytest.raises(ValueError):
        miss_probability(10, 0)


def test_flag_ids_depend_on_basis_only():
    a = assess(_facts(objects=["hospital"]), weapon_profile(None, "unknown"), [])
    b = assess(_facts(objects=["hospital"]), weapon_profile(None, "unknown"), [])
    c = assess(_facts(objects=["school"]), weapon_profile(None, "unknown"), [])
    assert a[0].id == b[0].id != c[0].id


# --- military objects file --------------------------------------------------------------------------------

@pytest.mark.parametrize("content, message", [
    ("not json", "not JSON"),
    ('{"type": "Feature"}', "FeatureCollection"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
     '"geometry": {"type": "Point", "coordinates": [36.6, 49.8]}}]}', "properties.name"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "X"}, '
     '"geometry": {"type": "Point", "coordinates": [36.6, 149.8]}}]}', "out of range"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "X"}, '
     '"geometry": {"type": "Polygon", "coordinates": []}}]}', "only Point"),
])
def test_objects_load_rejects_bad_files_and_stores_nothing(db, tmp_path, content, message):
    good = {"type": "Feature", "properties": {"name": "Good Base"}, "geometry": {"type": "Point", "coordinates": [30, 50]}}
    p = tmp_path / "o.geojson"
    p.write_text(content)
    with pytest.raises(AssessmentError, match=message):
        load_objects(db, p)
    if content.startswith('{"type": "FeatureCollection"'):  # a good feature before the bad one: still nothing
        data = json.loads(content)
        data["features"].insert(0, good)
        p.write_text(json.dumps(data))
        with pytest.raises(AssessmentError):
            load_objects(db, p)
    with db.session() as s:
        assert s.query(MilitaryObject).count() == 0
