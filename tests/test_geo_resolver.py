"""Resolver fixes of issue 8: own name before alternate names, the oblast in the string as a hard
constraint, Russian/old spellings and a bounded fuzzy match, the oblast written first, city
districts, places across the border, ambiguous bare names, and the approximate fallback point
(in geocode, in resolved incidents, on the map and in the /incidents?no_point=1 list)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from harmwatch.geo import Gazetteer
from harmwatch.geo.gazetteer import bundled_path
from harmwatch.geo.names import skeleton
from harmwatch.geo.rows import km

sys.path.insert(0, str(Path(__file__).parent))

UA_ZIP = Path(__file__).resolve().parents[2] / "shared" / "geonames" / "UA.zip"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    """The bundled data only (what `make demo` uses)."""
    return Gazetteer.from_file(bundled_path())


@pytest.fixture(scope="module")
def full() -> Gazetteer:
    """The bundled data merged with GeoNames' full UA dump from ../shared (never copied here)."""
    if not UA_ZIP.exists():
        pytest.skip(f"{UA_ZIP} not present")
    g = Gazetteer.from_file(bundled_path())
    g.load_geonames_dump(UA_ZIP)
    return g


def near(m, lat, lon, within=10.0) -> bool:
    return m is not None and m.lat is not None and km((m.lat, m.lon), (lat, lon)) <= within


# --- own name before alternate name --------------------------------------------------------------

def test_an_alternate_name_of_a_town_does_not_beat_the_town_spelled_by_it(gaz):
    # GeoNames lists "Slovyansk" under Nikopol (a historical name) and under Sloviansk
    assert {p.name for p in gaz.candidates("Slovyansk")} >= {"Nikopol", "Sloviansk"}
    m = gaz.geocode("Slovyansk")
    assert m.place.name == "Sloviansk" and m.admin1 == "Donetsk"
    assert near(m, 48.85, 37.61)


def test_villages_listing_a_spelling_do_not_hide_the_town_of_that_name(full):
    m = full.geocode("Vasilyevka, Zaporozhye region")  # two villages list "Vasilyevka"; the town is Vasylivka
    assert m.place.name == "Vasylivka" and m.place.population > 10000 and near(m, 47.44, 35.28)


# --- the oblast in the string is a hard constraint ----------------------------------------------

@pytest.mark.parametrize("text,lat,lon", [
    ("Lyman, Donetsk", 48.99, 37.81),            # "Donetsk" is the oblast here, not the city's neighbourhood
    ("Kostiantynivka, Donetsk", 48.53, 37.71),
    ("Borovaya, Kharkiv", 49.38, 37.62),
])
def test_oblast_after_the_place_picks_the_namesake_in_it(full, text, lat, lon):
    m = full.geocode(text)
    assert near(m, lat, lon), m


def test_no_place_of_another_oblast_is_returned(gaz):
    m = gaz.geocode("Borodianka, Kharkiv region")  # Borodianka is in Kyiv oblast only
    assert m.admin1 == "Kharkiv" and (m.place is None or m.place.admin1 == "Kharkiv")
    m = gaz.geocode("Bilozerka, Kherson region")  # not the Bilozirka of Ternopil
    assert m.place.admin1 == "Kherson" and near(m, 46.63, 32.44)


# --- Russian and old spellings, -ovka/-ivka, bounded fuzzy match --------------------------------

def test_skeleton_joins_russian_and_ukrainian_spellings():
    pairs = [("blagodatnoye", "blahodatne"), ("kleshcheyevka", "klishchiivka"), ("gulyaypole", "huliaipole"),
             ("marganets", "marhanets"), ("zhuravlevka", "zhuravlivka"), ("vasilyevka", "vasylivka"),
             ("slovyansk", "sloviansk"), ("belozerka", "bilozerka")]
    for ru, uk in pairs:
        assert skeleton(ru) == skeleton(uk), (ru, uk)
    assert skeleton("kharkiv") != skeleton("kherson")


@pytest.mark.parametrize("text,name,admin1", [
    ("Artemovsk", "Bakhmut", "Donetsk"),
    ("Kharkov", "Kharkiv", "Kharkiv"),
    ("Nikolaev", "Mykolaiv", "Mykolaiv"),
    ("Marganets", "Marhanets", "Dnipropetrovsk"),
    ("Gulyaypole", "Huliaipole", "Zaporizhzhia"),
    ("Kleshcheyevka", "Klishchiivka", "Donetsk"),
    ("Blagodatnoye, Donetsk region", "Blahodatne", "Donetsk"),
    ("Zhuravlevka, Vinnytsia region", "Zhuravlivka", "Vinnytsia"),
    ("Kamenka-Dneprovskaya", "Kamianka-Dniprovska", "Zaporizhzhia"),  # fuzzy: one edit
])
def test_russian_and_old_spellings(gaz, text, name, admin1):
    m = gaz.geocode(text)
    assert m is not None and m.place is not None, text
    assert (m.place.name, m.admin1) == (name, admin1)


def test_a_variant_match_is_less_sure_than_the_name_as_written(gaz):
    assert gaz.geocode("Marganets").score < gaz.geocode("Marhanets").score


@pytest.mark.parametrize("text", ["Qwxzvbnmk", "Zzzzzzzzzz", "Xylophonovka"])
def test_fuzzy_match_is_bounded(gaz, text):
    assert gaz.geocode(text) is None


def test_variants_do_not_change_what_extraction_looks_up(gaz):
    # extraction calls candidates()/resolve(): exact names only, no border places
    assert gaz.candidates("Marganets") == [] and gaz.resolve("Marganets") is None
    assert gaz.candidates("Belgorod") == [] and gaz.candidates("Kursk") == []


# --- the oblast written first -----------------------------------------------------------------

@pytest.mark.parametrize("text,name,lat,lon", [
    ("Kyiv, Borodyanka", "Borodianka", 50.65, 29.92),
    ("Donetsk Oblast, Kramatorsk", "Kramatorsk", 48.72, 37.56),
    ("Kharkiv region, Zolochiv", "Zolochiv", 50.28, 35.98),
    ("Dnipropetrovsk Oblast: Nikopol", "Nikopol", 47.57, 34.39),
    ("Sumy oblast - Bilopillia", "Bilopillia", 51.15, 34.31),
])
def test_place_after_its_oblast(gaz, text, name, lat, lon):
    m = gaz.geocode(text)
    assert m.place is not None and m.place.name == name and near(m, lat, lon)


def test_an_oblast_alone_still_gives_the_oblast(gaz):
    m = gaz.geocode("Kharkiv region")
    assert m.place is None and m.admin1 == "Kharkiv" and m.precision == "oblast"


# --- city districts ------------------------------------------------------------------------------

@pytest.mark.parametrize("text,lat,lon", [
    ("Kalmiuskyi district, Mariupol", 47.10, 37.55),
    ("Obolonskyi district of Kyiv", 50.45, 30.52),
    ("Industrialnyi district, Dnipro", 48.45, 35.05),
    ("Dniprovskyi district, Kherson", 46.64, 32.61),
    ("Харків, Салтівський район", 49.99, 36.23),
])
def test_city_district_is_the_city(gaz, text, lat, lon):
    m = gaz.geocode(text)
    assert near(m, lat, lon, within=12), m


def test_a_raion_after_a_village_is_still_a_raion_hint(gaz):
    m = gaz.geocode("village of Hroza, Kupiansk district")
    assert m.place.name == "Hroza" and m.admin1 == "Kharkiv"


# --- places across the border ------------------------------------------------------------------

@pytest.mark.parametrize("text,country,lat,lon", [
    ("Belgorod", "RU", 50.60, 36.58),
    ("Kursk", "RU", 51.73, 36.19),
    ("Bryansk", "RU", 53.25, 34.37),
    ("Shebekino, Belgorod region", "RU", 50.41, 36.90),
    ("Przewodów", "PL", 50.47, 23.93),
    ("Galati, Romania", "RO", 45.44, 28.05),
])
def test_border_places(gaz, text, country, lat, lon):
    m = gaz.geocode(text)
    assert m is not None and m.country == country and near(m, lat, lon, within=5)
    assert m.to_dict()["country"] == country


def test_border_list_states_its_licence():
    sources = (bundled_path().parent / "SOURCES.md").read_text(encoding="utf-8")
    assert "border_places.tsv" in sources and "CC BY 4.0" in sources


# --- ambiguous bare names -------------------------------------------------------------------------

def test_ambiguous_bare_name_reports_its_candidates_and_a_low_score(gaz):
    m = gaz.geocode("Novoselivka")
    d = m.to_dict()
    assert d["ambiguous"] is True and d["candidates"] >= 20 and d["score"] < 0.5
    city = gaz.geocode("Kharkiv")
    assert city.ambiguous is False and city.score >= 0.9


def test_the_oblast_settles_an_ambiguous_name_when_it_has_one_namesake_there(gaz):
    m = gaz.geocode("Bilozerka, Kherson region")
    assert m.ambiguous is False and m.score >= 0.9


# --- the fallback point ---------------------------------------------------------------------------

def test_village_without_a_point_falls_back_to_its_hromada_centre(gaz):
    m = gaz.geocode("Hroza, Kharkiv oblast")
    assert m.place.name == "Hroza" and m.place.lat is None  # the bundled data has no point for it
    assert m.precision == "approximate" and m.lat is not None
    assert km((m.lat, m.lon), (49.66, 37.25)) < 40  # its hromada's centre, not the oblast's
    assert m.to_dict()["precision"] == "approximate"


def test_full_dump_gives_the_village_its_own_point(full):
    m = full.geocode("Hroza, Kharkiv oblast")
    assert m.precision == "point" and near(m, 49.66, 37.25, within=5)


def test_incident_in_a_village_without_a_point_is_placed_approximately(gaz, monkeypatch):
    from harmwatch.resolve import ClaimRef
    from harmwatch.resolve.summary import summarise
    monkeypatch.setattr(Gazetteer, "default", classmethod(lambda cls: gaz))
    hroza = next(p for p in gaz.candidates("Hroza") if p.admin1 == "Kharkiv" and p.lat is None)
    c = ClaimRef(key="d#1", doc_id="d", place="Hroza", admin1="Kharkiv", geonameid=hroza.geonameid)
    inc = summarise("inc-1", [c], {"d": "d"})
    assert inc.geo_precision == 2 and (inc.lat, inc.lon) == gaz.point(hroza)
    pointed = ClaimRef(key="d#2", doc_id="d", place="Kharkiv", admin1="Kharkiv", lat=49.98, lon=36.25, geonameid=706483)
    assert summarise("inc-2", [pointed], {"d": "d"}).geo_precision == 1


# --- the map counts incidents without a point -----------------------------------------------------

def test_map_counts_incidents_without_a_point_and_lists_them(tmp_path):
    from fastapi.testclient import TestClient
    from sqlalchemy import select, update

    from harmwatch.store.models import Incident
    from harmwatch.web.app import create_app
    from web_helpers import build_sample, open_db

    path, _tokens = build_sample(tmp_path)
    db = open_db(path)
    with db.session() as s:
        ids = list(s.scalars(select(Incident.id).where(Incident.lat.is_not(None)).order_by(Incident.id)))
        assert len(ids) >= 3
        s.execute(update(Incident).where(Incident.id.in_(ids[:2])).values(lat=None, lon=None))
        s.commit()
        no_point = set(s.scalars(select(Incident.id).where(Incident.lat.is_(None))))
    c = TestClient(create_app(db, anonymous_read=True, secret="test-secret"), follow_redirects=False)
    html = c.get("/").text
    n = len(no_point)
    assert f"{n} incidents not on the map" in html and "no_point=1" in html
    listed = c.get("/incidents?no_point=1").text
    assert set(re.findall(r'href="/incidents/(inc-[^"]+)"', listed)) == no_point
    assert "not on the map" in listed
    bad = c.get("/incidents?no_point=maybe").text
    assert "no_point=&#39;maybe&#39;: use no_point=1" in bad or "no_point='maybe': use no_point=1" in bad
    db.close()
