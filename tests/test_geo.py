"""The gazetteer on the real bundled data (no mocks), and `gazetteer load` on small hand-made dumps."""
from __future__ import annotations

import gzip
import zipfile

import pytest

from harmwatch.errors import GazetteerError
from harmwatch.geo import Gazetteer, GeocodeMatch, bundled_path, import_dump, load_dump, normalize
from harmwatch.geo.gazetteer import iter_dump, merge_dump
from harmwatch.geo.names import OBLASTS, translit_bgn, translit_kmu
from harmwatch.geo.rows import read_rows

ADMIN1 = {"Cherkasy", "Chernihiv", "Chernivtsi", "Crimea", "Dnipropetrovsk", "Donetsk", "Ivano-Frankivsk",
          "Kharkiv", "Kherson", "Khmelnytskyi", "Kirovohrad", "Kyiv", "Kyiv City", "Luhansk", "Lviv", "Mykolaiv",
          "Odesa", "Poltava", "Rivne", "Sevastopol", "Sumy", "Ternopil", "Vinnytsia", "Volyn", "Zakarpattia",
          "Zaporizhzhia", "Zhytomyr"}


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.default()


@pytest.fixture(autouse=True)
def _no_user_gazetteer(tmp_path_factory, monkeypatch):
    # a user's own imported gazetteer must not change what these tests see
    monkeypatch.setenv("HARMWATCH_HOME", str(tmp_path_factory.getbasetemp() / "home"))


# --- the bundled data ------------------------------------------------------------------------------

def test_bundled_data_covers_every_oblast_and_thousands_of_places(gaz):
    assert len(gaz) > 25000
    assert {p.admin1 for p in gaz.places} == ADMIN1
    assert sum(p.lat is not None for p in gaz.places) > 5000
    assert all(p.lat is None or (44 < p.lat < 53 and 22 < p.lon < 41) for p in gaz.places)


def test_default_is_loaded_once_and_cached():
    # load time is measured in bench/, not asserted here: a wall-clock bound fails on a busy machine
    Gazetteer._cache.clear()
    a = Gazetteer.default()
    assert Gazetteer.default() is a
    assert a.resolve("Kharkiv") is not None


@pytest.mark.parametrize("name", ["Chuhuiv", "Chuhuyiv", "Чугуїв", "Чугуев", "chuhuiv", "Chuguev"])
def test_chuhuiv_spellings_are_one_place_in_kharkiv(gaz, name):
    p = gaz.resolve(name)
    assert p is not None and p.name == "Chuhuiv" and p.admin1 == "Kharkiv"
    assert p.geonameid == gaz.resolve("Chuhuiv").geonameid
    assert abs(p.lat - 49.84) < 0.05 and abs(p.lon - 36.69) < 0.05


@pytest.mark.parametrize("name", ["Zaporizhzhia", "Zaporizhzhya", "Zaporozhye", "Zaporizhia", "Запоріжжя"])
def test_zaporizhzhia_is_the_city_not_a_village(gaz, name):
    assert len(gaz.candidates("Zaporizhzhia")) > 1  # villages of the same name exist
    p = gaz.resolve(name)
    assert p.admin1 == "Zaporizhzhia" and p.population > 500_000 and p.name == "Zaporizhzhia"


@pytest.mark.parametrize("old,new,admin1", [
    ("Kharkov", "Kharkiv", "Kharkiv"), ("Kiev", "Kyiv", "Kyiv City"), ("Artemivsk", "Bakhmut", "Donetsk"),
    ("Odessa", "Odesa", "Odesa"), ("Izyum", "Izium", "Kharkiv"), ("Kupyansk", "Kupiansk", "Kharkiv"),
    ("Dnepropetrovsk", "Dnipro", "Dnipropetrovsk"), ("Nikolaev", "Mykolaiv", "Mykolaiv"),
])
def test_historical_and_russian_spellings(gaz, old, new, admin1):
    p = gaz.resolve(old)
    assert (p.name, p.admin1) == (new, admin1)


@pytest.mark.parametrize("name,admin1", [
    ("Vuhledar", "Donetsk"), ("Uman", "Cherkasy"), ("Okhtyrka", "Sumy"), ("Bucha", "Kyiv"),
    ("Kramatorsk", "Donetsk"), ("Mala Tokmachka", "Zaporizhzhia"), ("Chasiv Yar", "Donetsk"),
    ("Huliaipole", "Zaporizhzhia"), ("Bilozerka", "Kherson"),
])
def test_towns_land_in_their_oblast(gaz, name, admin1):
    p = gaz.resolve(name)
    assert p is not None and p.admin1 == admin1 and p.lat is not None


def test_small_village_known_from_the_codifier(gaz):
    # Hroza (Kupiansk raion, Kharkiv), hit on 5 October 2023: the registries' GeoNames extracts stop at
    # population 500, the KATOTTG codifier has it, without coordinates
    hroza = [p for p in gaz.candidates("Hroza") if p.admin1 == "Kharkiv"]
    assert len(hroza) == 1
    p = gaz.resolve("Hroza", admin1_hint="Kharkiv")
    assert p == hroza[0] and p.name == "Hroza"
    assert (p.lat is None) == (p.geonameid < 0)
    assert gaz.resolve("Гроза", admin1_hint="Харківська область") == p


def test_admin1_hint_picks_the_namesake_in_that_oblast(gaz):
    cands = gaz.candidates("Novoselivka")
    assert len({c.admin1 for c in cands}) > 5
    for ob in ("Donetsk", "Kharkiv", "Zaporizhzhia"):
        p = gaz.resolve("Novoselivka", admin1_hint=ob)
        assert p.admin1 == ob
    assert gaz.resolve("Ivanivka", admin1_hint="Kherson Oblast").admin1 == "Kherson"


def test_near_points_pick_the_namesake_close_to_the_rest_of_the_document(gaz):
    lozova = gaz.resolve("Lozova")
    assert lozova.admin1 == "Kharkiv"
    cands = [c for c in gaz.candidates("Ivanivka") if gaz.point(c) is not None]
    p = gaz.resolve("Ivanivka", near=[(lozova.lat, lozova.lon)])
    best = min(_km(gaz.point(c), (lozova.lat, lozova.lon)) for c in cands)
    assert p.admin1 == "Kharkiv"
    assert abs(_km(gaz.point(p), (lozova.lat, lozova.lon)) - best) < 0.1
    assert p != gaz.resolve("Ivanivka")  # without the document's other places: another one
    # a big city within range beats a closer village of the same name
    dnipro = gaz.resolve("Dnipro")
    assert gaz.resolve("Zaporizhzhia", near=[(dnipro.lat, dnipro.lon)]).population > 500_000


def test_candidates_are_sorted_by_population(gaz):
    c = gaz.candidates("Lyman")
    assert len(c) > 3
    assert [x.population for x in c] == sorted((x.population for x in c), reverse=True)
    assert c[0].admin1 == "Donetsk"
    assert gaz.is_name("lyman") and not gaz.is_name("Xyzzyville")
    assert gaz.candidates("Xyzzyville") == [] and gaz.resolve("Xyzzyville") is None


# --- oblasts -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,admin1", [
    ("Kharkiv", "Kharkiv"), ("Kharkiv Oblast", "Kharkiv"), ("Kharkivska", "Kharkiv"),
    ("Харківська область", "Kharkiv"), ("Kharkov region", "Kharkiv"), ("Kharkivs'ka oblast'", "Kharkiv"),
    ("Kyiv City", "Kyiv City"), ("Kyiv", "Kyiv"), ("Kyivska", "Kyiv"), ("Kyiv region", "Kyiv"),
    ("Zaporizhzhya", "Zaporizhzhia"), ("Zaporozhye region", "Zaporizhzhia"), ("Запорізька область", "Zaporizhzhia"),
    ("Dnipropetrovsk", "Dnipropetrovsk"), ("Dnipro region", "Dnipropetrovsk"), ("Dnipropetrovska oblast", "Dnipropetrovsk"),
    ("Lugansk", "Luhansk"), ("Odessa Oblast", "Odesa"), ("Transcarpathia", "Zakarpattia"), ("Crimea", "Crimea"),
    ("Autonomous Republic of Crimea", "Crimea"), ("Sevastopol", "Sevastopol"), ("Donechchyna", "Donetsk"),
    ("Khmelnytskyi region", "Khmelnytskyi"), ("Kirovohrad Oblast", "Kirovohrad"), ("Mykolaivska", "Mykolaiv"),
])
def test_oblast_aliases(gaz, text, admin1):
    assert gaz.oblast(text) == admin1


@pytest.mark.parametrize("text", ["Bakhmut", "Ukraine", "", "region", "Moscow"])
def test_not_an_oblast(gaz, text):
    assert gaz.oblast(text) is None


def test_every_oblast_has_a_centroid(gaz):
    assert {o.name for o in OBLASTS} == ADMIN1
    for o in OBLASTS:
        lat, lon = gaz.oblast_centroid(o.name)
        assert 44 < lat < 53 and 22 < lon < 41
    kharkiv = gaz.resolve("Kharkiv")
    assert gaz.oblast_centroid("Kharkiv") == (kharkiv.lat, kharkiv.lon)
    assert gaz.oblast_centroid("Kharkivska oblast") == gaz.oblast_centroid("Kharkiv")


# --- free text -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,name,admin1", [
    ("Izyum (Kharkiv Region)", "Izium", "Kharkiv"),
    ("Horlivka, Donetsk Oblast", "Horlivka", "Donetsk"),
    ("near Chuhuiv", "Chuhuiv", "Kharkiv"),
    ("Chuhuyiv", "Chuhuiv", "Kharkiv"),
    ("Чугуїв", "Chuhuiv", "Kharkiv"),
    ("Kharkov", "Kharkiv", "Kharkiv"),
    ("Zaporizhzhya", "Zaporizhzhia", "Zaporizhzhia"),
    ("village of Hroza, Kupiansk district", "Hroza", "Kharkiv"),
    ("the outskirts of Kherson", "Kherson", "Kherson"),
    ("Bakhmut city", "Bakhmut", "Donetsk"),
    ("town of Orikhiv (Zaporizhzhia Oblast)", "Orikhiv", "Zaporizhzhia"),
    ("Novoselivka, Kharkiv region", "Novoselivka", "Kharkiv"),
    ("м. Харків", "Kharkiv", "Kharkiv"),
    ("с. Гроза, Куп'янський район", "Hroza", "Kharkiv"),
    ("Kyiv", "Kyiv", "Kyiv City"),
])
def test_geocode_analyst_strings(gaz, text, name, admin1):
    m = gaz.geocode(text)
    assert isinstance(m, GeocodeMatch) and m.place is not None
    assert (m.place.name, m.admin1) == (name, admin1)
    if m.place.lat is None:  # a village without a point: its hromada centre, marked approximate
        assert m.precision == "approximate" and (m.lat, m.lon) == gaz.point(m.place)
    else:
        assert (m.lat, m.lon) == (m.place.lat, m.place.lon) and m.precision == "point"
    assert 0.5 < m.score <= 1.0 or (m.ambiguous and m.candidates > 2)  # "Novoselivka": 10 in the oblast
    assert m.matched and m.matched.lower() in text.lower()
    d = m.to_dict()
    assert set(d) == {"name", "admin1", "lat", "lon", "geonameid", "population", "score", "matched",
                      "candidates", "ambiguous", "precision", "country"}
    assert d["name"] == name and d["geonameid"] == m.place.geonameid


@pytest.mark.parametrize("text,admin1", [
    ("Kharkiv region", "Kharkiv"), ("Харківська область", "Kharkiv"), ("Kyiv Oblast", "Kyiv"),
    ("Dnipro region", "Dnipropetrovsk"), ("the Zaporizhzhia region", "Zaporizhzhia"),
])
def test_geocode_oblast_only(gaz, text, admin1):
    m = gaz.geocode(text)
    assert m.place is None and m.admin1 == admin1
    assert (m.lat, m.lon) == gaz.oblast_centroid(admin1)
    assert m.score <= 0.5
    assert m.to_dict()["name"] is None and m.to_dict()["geonameid"] is None


def test_geocode_is_less_sure_of_a_region_than_of_a_town(gaz):
    assert gaz.geocode("Kharkiv region").score < gaz.geocode("Chuhuiv").score


@pytest.mark.parametrize("text", ["", "   ", "no place is named here", "42", "(  )"])
def test_geocode_none_without_a_place(gaz, text):
    assert gaz.geocode(text) is None


# --- names ------------------------------------------------------------------------------------------

def test_normalize_and_transliteration():
    assert normalize("Kup’yans’k") == normalize("Kupyansk") == "kupyansk"
    assert normalize("Khárkiv") == "kharkiv"
    assert normalize("Chasiv-Yar") == normalize("Chasiv  Yar") == "chasiv yar"
    assert normalize("Чугуїв") == "чугуїв" and normalize("ЙОСИПІВКА") == "йосипівка"
    assert translit_kmu("Запоріжжя") == "Zaporizhzhia" and translit_bgn("Запоріжжя") == "Zaporizhzhya"
    assert translit_kmu("Кліщіївка") == "Klishchiivka" and translit_kmu("Згурівка") == "Zghurivka"
    assert translit_kmu("Яготин") == "Yahotyn" and translit_kmu("Куп’янськ") == "Kupiansk"


def test_bundled_rows_are_clean():
    rows = list(read_rows(bundled_path()))
    ids = [r.geonameid for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert r.name and r.admin1 in ADMIN1
        for a in r.alternatenames:
            assert "|" not in a and "\t" not in a and not a.startswith("http")
            assert not any(ch.isdigit() for ch in a)


# --- importing a GeoNames dump ----------------------------------------------------------------------

def _line(gid, name, alts, lat, lon, fclass, fcode, cc, admin1, pop, admin2=""):
    return "\t".join([str(gid), name, name, alts, str(lat), str(lon), fclass, fcode, cc, "", admin1, admin2, "", "",
                      str(pop), "", "150", "Europe/Kyiv", "2024-01-01"]) + "\n"


DUMP = "".join([
    # a village the bundled data knows only from the codifier: gets a point, keeps its codifier name
    _line(9990001, "Hroza", "Groza,Гроза", 49.6281, 37.4893, "P", "PPL", "UA", "07", 330, "6308"),
    # a place the bundled data already has (same GeoNames id): point and population updated
    _line(710374, "Chuhuiv", "Chuguev,Чугуїв", 49.8354, 36.6865, "P", "PPLA2", "UA", "07", 31000, "6314"),
    # a place the bundled data does not know at all
    _line(9990002, "Testove", "Тестове", 48.1, 37.1, "P", "PPLL", "UA", "05", 12),
    # skipped: not in Ukraine
    _line(9990003, "Testograd", "", 55.0, 37.0, "P", "PPL", "RU", "48", 5000),
    # skipped: not a populated place (a stream)
    _line(9990004, "Testova Richka", "", 49.0, 36.0, "H", "STM", "UA", "07", 0),
])


def test_iter_dump_keeps_ukrainian_populated_places(tmp_path):
    f = tmp_path / "UA.txt"
    f.write_text(DUMP, encoding="utf-8")
    rows = list(iter_dump(f))
    assert [r.geonameid for r in rows] == [9990001, 710374, 9990002]
    assert rows[0].admin1 == "Kharkiv" and rows[2].admin1 == "Donetsk" and rows[2].feature_code == "PPLL"
    assert rows[0].raion == "6308" and "Гроза" in rows[0].alternatenames


def test_import_dump_writes_a_user_gazetteer_that_default_prefers(tmp_path, monkeypatch):
    f = tmp_path / "UA.txt"
    f.write_text(DUMP, encoding="utf-8")
    dest = tmp_path / "gaz"
    assert import_dump(f, dest) == 3
    out = dest / "ua_places.tsv.gz"
    g = Gazetteer.from_file(out)
    bundled = Gazetteer.default()
    assert len(g) == len(bundled) + 1  # Testove is new; Hroza replaced its codifier-only row

    hroza = [p for p in g.candidates("Hroza") if p.admin1 == "Kharkiv"]
    assert len(hroza) == 1 and hroza[0].geonameid == 9990001
    assert (hroza[0].lat, hroza[0].lon) == (49.6281, 37.4893) and hroza[0].population == 330
    assert g.resolve("Гроза", admin1_hint="Kharkiv") == hroza[0]

    ch = g.resolve("Chuhuyiv")
    assert ch.geonameid == 710374 and ch.population == 31000 and ch.name == "Chuhuiv"
    assert g.resolve("Testove").admin1 == "Donetsk"
    assert g.resolve("Testograd") is None and g.resolve("Testova Richka") is None

    # harmwatch gazetteer load with no --dest: $HARMWATCH_HOME/gazetteer, then preferred by default()
    home = tmp_path / "home"
    monkeypatch.setenv("HARMWATCH_HOME", str(home))
    assert load_dump(f) == 3
    assert (home / "gazetteer" / "ua_places.tsv.gz").exists()
    assert Gazetteer.default().resolve("Testove") is not None
    monkeypatch.setenv("HARMWATCH_HOME", str(tmp_path / "elsewhere"))
    assert Gazetteer.default().resolve("Testove") is None


def test_load_geonames_dump_in_memory(tmp_path):
    f = tmp_path / "UA.txt"
    f.write_text(DUMP, encoding="utf-8")
    g = Gazetteer.from_file(bundled_path())
    assert g.resolve("Testove") is None
    assert g.load_geonames_dump(f) == 3
    assert g.resolve("Testove") is not None
    assert g.resolve("Hroza", admin1_hint="Kharkiv").lat == 49.6281


@pytest.mark.parametrize("kind", ["zip", "gz"])
def test_import_dump_reads_zip_and_gzip(tmp_path, kind):
    if kind == "zip":
        f = tmp_path / "UA.zip"
        with zipfile.ZipFile(f, "w") as z:
            z.writestr("readme.txt", "GeoNames readme\n")
            z.writestr("UA.txt", DUMP)
    else:
        f = tmp_path / "UA.txt.gz"
        f.write_bytes(gzip.compress(DUMP.encode("utf-8")))
    assert [r.geonameid for r in iter_dump(f)] == [9990001, 710374, 9990002]


def test_malformed_dump_raises_with_the_line_number(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text(DUMP + "123\tBroken line\twith too few columns\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"line 6: expected 19 tab-separated columns"):
        import_dump(bad, tmp_path / "out")
    assert not (tmp_path / "out" / "ua_places.tsv.gz").exists()

    badnum = tmp_path / "badnum.txt"
    badnum.write_text(_line(1, "X", "", "north", 36.0, "P", "PPL", "UA", "07", 1), encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"line 1: malformed value"):
        list(iter_dump(badnum))

    csv = tmp_path / "places.csv"
    csv.write_text("id,name,lat,lon\n1,Kharkiv,50,36\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"line 1"):
        import_dump(csv, tmp_path / "out")


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe binary", b""])
def test_unreadable_or_empty_dump(tmp_path, content):
    f = tmp_path / "UA.txt"
    f.write_bytes(content)
    with pytest.raises(GazetteerError):
        import_dump(f, tmp_path / "out")


def test_missing_dump_and_zip_without_data(tmp_path):
    with pytest.raises(GazetteerError, match="not found"):
        import_dump(tmp_path / "nope.txt", tmp_path / "out")
    z = tmp_path / "x.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "nothing")
    with pytest.raises(GazetteerError, match="no GeoNames .txt"):
        import_dump(z, tmp_path / "out")


def test_only_foreign_rows_is_an_error(tmp_path):
    f = tmp_path / "RU.txt"
    f.write_text(_line(1, "Testograd", "", 55.0, 37.0, "P", "PPL", "RU", "48", 5000), encoding="utf-8")
    with pytest.raises(GazetteerError, match="no Ukrainian populated places"):
        import_dump(f, tmp_path / "out")


def test_merge_keeps_places_the_dump_does_not_mention():
    base = list(read_rows(bundled_path()))[:50]
    assert len(merge_dump(base, [])) == 50


def _km(a, b):
    from harmwatch.geo.rows import km
    return km(a, b)
