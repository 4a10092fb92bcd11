"""Ukrainian and Russian reports, third round (issue 8): places across the border (Belgorod, Kursk,
Bryansk oblasts, Przewodów), a neighbouring country's GeoNames dump, and the cue-list gaps found
with invented sentences. Every sentence and every dump line here is invented for this test; the
expected points are the places' known positions (checked to within 10 km), not the code's output."""
from __future__ import annotations

import csv
import zipfile
from datetime import date

import pytest
from typer.testing import CliRunner

from harmwatch.cli.main import app
from harmwatch.errors import GazetteerError
from harmwatch.extract.lang import annotator_for
from harmwatch.extract.pipeline import default_extractor
from harmwatch.extract.text import split_sentences
from harmwatch.geo import Gazetteer, bundled_path
from harmwatch.geo.gazetteer import _bundled_data, import_country_dump
from harmwatch.geo.rows import km

PUB = date(2025, 5, 6)  # a Tuesday

# approximate known positions (degrees), for "within 10 km" checks
VALUYKI = (50.21, 38.10)
SHEBEKINO = (50.41, 36.90)
GRAYVORON = (50.48, 35.67)
SUDZHA = (51.19, 35.27)
BELGOROD = (50.60, 36.59)
KURSK = (51.73, 36.19)
PRZEWODOW = (50.47, 23.93)


@pytest.fixture(scope="module")
def gaz():
    return default_extractor().gazetteer


def near(m, point, limit=10.0):
    return m is not None and m.lat is not None and km((m.lat, m.lon), point) <= limit


# --- the bundled table --------------------------------------------------------------------------

def test_border_table_rows_have_three_languages_a_source_and_a_point_in_their_region():
    rows = list(csv.DictReader(open(_bundled_data("border_settlements.tsv"), encoding="utf-8"), delimiter="\t"))
    assert len(rows) >= 40
    capitals = {"Belgorod": BELGOROD, "Kursk": KURSK, "Bryansk": (53.25, 34.37), "Lublin": (51.25, 22.57)}
    for r in rows:
        assert r["name"] and r["name_uk"] and r["name_ru"] and r["source"], r
        assert r["country"] in ("RU", "PL") and r["region"] in capitals, r
        # every settlement lies within 250 km of its region's capital: a swapped lat/lon or region fails
        assert km((float(r["lat"]), float(r["lon"])), capitals[r["region"]]) < 250, r
    assert {r["region"] for r in rows} >= {"Belgorod", "Kursk", "Bryansk", "Lublin"}


# --- geocoding strings --------------------------------------------------------------------------

@pytest.mark.parametrize("text,point", [
    ("Валуйки, Белгородская область", VALUYKI),
    ("Валуйки, Бєлгородська область", VALUYKI),
    ("Graivoron, Belgorod region", GRAYVORON),
    ("Грайворон, Бєлгородська область", GRAYVORON),
    ("Sudzha, Kursk region", SUDZHA),
    ("Суджа, Курська область", SUDZHA),
    ("Шебекине", SHEBEKINO),
    ("Przewodów, Poland", PRZEWODOW),
    ("Przewodow", PRZEWODOW),
])
def test_geocode_places_across_the_border_carry_their_country(gaz, text, point):
    m = gaz.geocode(text)
    assert near(m, point), m
    assert m.country in ("RU", "PL") and m.place is not None


def test_region_named_in_the_string_beats_a_ukrainian_namesake(gaz):
    # "Валуйки" alone is also a village of Luhansk oblast (the codifier's Valuiky)
    bare = gaz.geocode("Валуйки")
    assert bare is not None and bare.country == "UA" and bare.admin1 == "Luhansk"
    m = gaz.geocode("Валуйки, Белгородская область")
    assert (m.country, m.admin1) == ("RU", "Belgorod")
    # a name the region does not have: the region itself, never a place in Ukraine
    m = gaz.geocode("Nonexistentovo, Belgorod region")
    assert m.place is None and (m.country, m.admin1, m.precision) == ("RU", "Belgorod", "oblast")


@pytest.mark.parametrize("text,region", [("Kursk region", "Kursk"), ("Бєлгородська область", "Belgorod"),
                                         ("Белгородская область", "Belgorod"), ("Брянщина", "Bryansk")])
def test_a_region_across_the_border_alone_is_the_region_not_its_capital(gaz, text, region):
    m = gaz.geocode(text)
    assert m.place is None and m.precision == "oblast" and (m.country, m.admin1) == ("RU", region)
    assert m.score == 0.5


def test_kursk_alone_is_still_the_city(gaz):
    m = gaz.geocode("Kursk")
    assert m.place is not None and near(m, KURSK) and m.precision == "point"


def test_resolve_with_a_region_across_the_border(gaz):
    p = gaz.resolve("Валуйки", admin1_hint="Belgorod")
    assert p.country == "RU" and km((p.lat, p.lon), VALUYKI) < 10
    assert gaz.resolve("Валуйки").country == "UA"
    # the region has no such place: resolved in Ukraine as before
    assert gaz.resolve("Харків", admin1_hint="Belgorod").admin1 == "Kharkiv"
    assert gaz.foreign_region("Белгородской области") == ("RU", "Belgorod")
    assert gaz.foreign_region("Kursk") is None and gaz.foreign_region("Харківська область") is None


# --- a neighbouring country's GeoNames dump -----------------------------------------------------

def _line(gid, name, alts, lat, lon, fclass, fcode, cc, admin1, pop=0):
    cols = [str(gid), name, name, alts, str(lat), str(lon), fclass, fcode, cc, "", admin1, "", "", "", str(pop),
            "", "150", "Europe/Moscow", "2024-01-01"]
    assert len(cols) == 19
    return "\t".join(cols)


@pytest.fixture()
def ru_dump(tmp_path):
    lines = [
        _line(900001, "Belgorod Oblast", "Belgorodskaya Oblast',Белгородская область", 50.75, 37.25, "A", "ADM1", "RU", "09"),
        _line(900002, "Belgorod", "Белгород", 50.60, 36.59, "P", "PPLA", "RU", "09", 340000),
        _line(900003, "Zhuravlevka", "Zhuravlyovka,Журавлёвка", 50.47, 36.33, "P", "PPL", "RU", "09", 300),
        _line(900004, "Kursk Oblast", "Курская область", 51.75, 36.0, "A", "ADM1", "RU", "41"),
        _line(900005, "Kursk", "Курск", 51.73, 36.19, "P", "PPLA", "RU", "41", 440000),
        _line(900006, "Tetkino", "Тёткино", 51.28, 34.29, "P", "PPL", "RU", "41", 3800),
        _line(900007, "Moscow", "Москва", 55.75, 37.62, "P", "PPLC", "RU", "48", 10000000),
        _line(900008, "Mozhaysk", "Можайск", 55.50, 36.03, "P", "PPL", "RU", "47", 30000),
    ]
    path = tmp_path / "RU.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("RU.txt", "\n".join(lines) + "\n")
        z.writestr("readme.txt", "not data")
    return path


def test_country_dump_imports_only_the_regions_named(tmp_path, monkeypatch, ru_dump):
    home = tmp_path / "home"
    monkeypatch.setenv("HARMWATCH_HOME", str(home))
    n, chosen = import_country_dump(ru_dump, ["Белгородская область", "41"])
    assert n == 4 and chosen == {"09": "Belgorod", "41": "Kursk"}
    text = (home / "gazetteer" / "border_RU.tsv").read_text(encoding="utf-8")
    assert "Zhuravlevka" in text and "Moscow" not in text and "Mozhaysk" not in text
    gaz = Gazetteer.from_file(bundled_path())
    m = gaz.geocode("Журавлёвка, Белгородская область")
    assert m is not None and m.country == "RU" and km((m.lat, m.lon), (50.47, 36.33)) < 1
    assert gaz.foreign_candidates("Moscow") == [] and gaz.foreign_candidates("Mozhaysk") == []


def test_country_dump_unknown_region_names_the_regions_it_has(tmp_path, ru_dump):
    with pytest.raises(GazetteerError, match=r"no region 'Rostov'.*09 Belgorod.*41 Kursk"):
        import_country_dump(ru_dump, ["Rostov"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_country_dump_that_is_not_a_dump_is_refused(tmp_path):
    bad = tmp_path / "RU.txt"
    bad.write_text("geonameid,name\n1,Belgorod\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="line 1: expected 19"):
        import_country_dump(bad, ["Belgorod"], tmp_path / "out")
    with pytest.raises(GazetteerError, match="at least one region"):
        import_country_dump(bad, [], tmp_path / "out")


def test_cli_gazetteer_load_with_regions(tmp_path, ru_dump):
    res = CliRunner().invoke(app, ["gazetteer", "load", str(ru_dump), "--region", "Kursk", "--dest", str(tmp_path / "g")])
    assert res.exit_code == 0, res.output
    assert "imported 2 populated places across the border" in res.output and "Kursk = admin1 41" in res.output
    assert (tmp_path / "g" / "border_RU.tsv").exists()
    res = CliRunner().invoke(app, ["gazetteer", "load", "--help"])
    assert "--region Belgorod" in res.output


# --- extraction: places across the border -------------------------------------------------------

def incidents(text, lang):
    return default_extractor().extract_text(text, "d", published=PUB, language=lang).incidents


@pytest.mark.parametrize("text,lang,point,region", [
    ("В Шебекино Белгородской области в результате обстрела погибли двое мирных жителей, сообщил губернатор.",
     "ru", SHEBEKINO, "Belgorod"),
    ("Вчера около 10:30 ВСУ обстреляли Валуйки Белгородской области, погиб мужчина.", "ru", VALUYKI, "Belgorod"),
    ("У Валуйках на Бєлгородщині внаслідок обстрілу загинули двоє людей.", "uk", VALUYKI, "Belgorod"),
    ("В ночь на 5 мая в Судже Курской области беспилотник атаковал жилой дом, пострадали четыре человека.",
     "ru", SUDZHA, "Kursk"),
    ("Two civilians were killed in Shebekino, Belgorod region, the governor said.", "en", SHEBEKINO, "Belgorod"),
])
def test_extraction_places_an_attack_across_the_border(text, lang, point, region):
    cs = incidents(text, lang)
    assert len(cs) == 1, cs
    c = cs[0]
    assert c.admin1 == region and c.lat is not None and km((c.lat, c.lon), point) < 10, (c.place, c.lat, c.lon)


def test_extraction_valuyki_without_its_region_is_the_ukrainian_village():
    cs = incidents("У Валуйках внаслідок обстрілу загинули двоє людей.", "uk")
    assert [c.admin1 for c in cs] == ["Luhansk"]


def test_region_noun_across_the_border_is_the_region_only():
    ex = default_extractor()
    ann = annotator_for("uk", ex.gazetteer, ex.catalogue)
    f = ann(split_sentences("На Бєлгородщині внаслідок обстрілу поранено трьох людей.")[0], PUB)
    assert [(p.kind, p.admin1) for p in f.places] == [("oblast", "Belgorod")]


# --- cue lists: Russian and Ukrainian gaps -------------------------------------------------------

def feats(text, lang):
    ex = default_extractor()
    ann = annotator_for(lang, ex.gazetteer, ex.catalogue)
    fs = [ann(s, PUB) for s in split_sentences(text)]
    assert len(fs) == 1
    return fs[0]


@pytest.mark.parametrize("text,lang,want", [
    ("Погибли восьмеро мирных жителей, в том числе трое детей.", "ru", [("killed", "children", 3), ("killed", "total", 8)]),
    ("По данным оперштаба, пострадали десятеро, из них четверо детей.", "ru",
     [("injured", "children", 4), ("injured", "total", 10)]),
    ("Ранены шестеро взрослых и двое подростков.", "ru", [("injured", "children", 2), ("injured", "total", 6)]),
    ("Число погибших выросло до шестидесяти.", "ru", [("killed", "total", 60)]),
    ("Кількість загиблих зросла до шістдесяти.", "uk", [("killed", "total", 60)]),
    ("Загинули восьмеро людей, ще 14 отримали поранення.", "uk", [("injured", "total", 14), ("killed", "total", 8)]),
])
def test_figures(text, lang, want):
    assert sorted((x.role, x.group, x.value) for x in feats(text, lang).figures) == want


@pytest.mark.parametrize("text,lang", [
    ("Накануне вечером беспилотник атаковал автомобиль, водитель погиб.", "ru"),
    ("Напередодні ввечері дрон атакував автомобіль, водій загинув.", "uk"),
])
def test_the_day_before(text, lang):
    assert [d.value for d in feats(text, lang).dates] == [date(2025, 5, 5)]


def test_the_eve_of_a_date_keeps_the_date():
    assert [d.value for d in feats("Напередодні 1 травня росіяни обстріляли Харків.", "uk").dates] == [date(2025, 5, 1)]


def test_russian_case_ending_ke():
    f = feats("В ночь на 12 марта ВСУ нанесли удар по Горловке из РСЗО.", "ru")
    assert [(p.candidates[0].admin1, p.text) for p in f.places] == [("Donetsk", "Горловка")]


def test_second_place_after_a_conjunction_is_introduced_like_the_first():
    f = feats("У Херсоні та Бериславі поранено трьох людей.", "uk")
    assert [(p.candidates[0].admin1, p.cue) for p in f.places] == [("Kherson", "in"), ("Kherson", "in")]


def test_raion_after_a_village_names_its_oblast():
    f = feats("У селі Гроза Куп'янського району загинули 52 людини.", "uk")
    assert [(p.text, p.candidates[0].admin1, p.admin_hint) for p in f.places] == [("Гроза", "Kharkiv", "Kharkiv")]


@pytest.mark.parametrize("text,want", [
    ("На Харківщині внаслідок обстрілів поранено чотирьох людей.", [("oblast", "Kharkiv", "in")]),
    ("Під Бахмутом загинули двоє цивільних.", [("settlement", "Donetsk", "near")]),
])
def test_region_only_and_near(text, want):
    f = feats(text, "uk")
    assert [(p.kind, p.admin1 or p.candidates[0].admin1, p.cue) for p in f.places] == want


@pytest.mark.parametrize("text,lang,region", [
    ("Днём в Грайвороне дрон атаковал автомобиль. Водителя с ранениями доставили в больницу Белгорода.", "ru", "Belgorod"),
    ("Уранці в Ізюмі дрон атакував автомобіль. Пораненого водія доправили до лікарні Харкова.", "uk", "Kharkiv"),
])
def test_the_city_a_victim_was_taken_to_is_not_a_second_incident(text, lang, region):
    cs = incidents(text, lang)
    assert len(cs) == 1 and cs[0].admin1 == region and cs[0].injured == 1, [(c.place, c.injured) for c in cs]
    assert cs[0].place in ("Grayvoron", "Izium")
