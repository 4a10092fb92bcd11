"""Ukrainian and Russian extraction (extract/lang/): places in every case, region-only mentions,
numbers and collective numerals, casualty words, dates and times, Cyrillic weapon aliases,
objects, attribution, and a Ukrainian and an English report of one strike resolving to one
incident. Every sentence here is written for this test."""
from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from harmwatch.cli.main import app
from harmwatch.extract.lang import annotator_for, languages
from harmwatch.extract.lang.slavic import load_resources
from harmwatch.extract.pipeline import default_extractor, extract_text
from harmwatch.extract.text import split_sentences

PUB = date(2025, 3, 12)  # a Wednesday


def feats(text: str, lang: str = "uk", published: date | None = PUB):
    ex = default_extractor()
    ann = annotator_for(lang, ex.gazetteer, ex.catalogue)
    return [ann(s, published) for s in split_sentences(text)]


def one(text: str, lang: str = "uk", published: date | None = PUB):
    fs = feats(text, lang, published)
    assert len(fs) == 1, [f.sent.text for f in fs]
    return fs[0]


def settlement(f):
    return [(p.candidates[0].name, p.cue) for p in f.settlements]


def figures(f):
    return sorted((x.role, x.group, x.value) for x in f.figures)


def test_languages_declared_by_data_files():
    assert {"en", "uk", "ru"} <= languages()
    assert default_extractor().languages >= {"en", "uk", "ru"}
    assert annotator_for("en", None, None) is None
    assert load_resources("uk").morphology == "uk"


@pytest.mark.parametrize("text", ["Дрон влучив у Харкові в житловий будинок.", "Дрон влучив в Харкові в житловий будинок.",
                                  "Унаслідок удару по околиці Харкова пошкоджено склад.",
                                  "Ворог атакував Харків уночі."])
def test_inflected_city_is_kharkiv(text):
    assert settlement(one(text))[0][0] == "Kharkiv"


def test_cue_from_preposition_and_evidence_in_original_text():
    text = "Ракета влучила у Херсоні, а під Бахмутом тривають бої."
    f = one(text)
    got = {p.candidates[0].name: p for p in f.settlements}
    assert got["Kherson"].cue == "in" and got["Bakhmut"].cue == "near"
    assert text[got["Bakhmut"].start:got["Bakhmut"].end] == "Бахмутом"  # the span is the inflected original


@pytest.mark.parametrize("text", ["Дрон атакував авто на Харківщині.", "Дрон атакував авто в Харківській області."])
def test_region_words_give_the_oblast_only(text):
    f = one(text)
    assert not f.settlements
    assert [o.admin1 for o in f.oblasts] == ["Kharkiv"]


def test_village_word_introduces_a_small_place():
    f = one("Окупанти обстріляли з артилерії в селі Гроза приватний будинок.")
    assert [n for n, _ in settlement(f)] == ["Hroza"]
    assert settlement(f)[0][1] == "village"


def test_russian_city_and_region():
    f = one("В Лисичанске при обстреле погибли трое мирных жителей.", "ru")
    assert settlement(f)[0][0] == "Lysychansk"
    assert figures(f) == [("killed", "total", 3)]
    f = one("Беспилотник атаковал машину в Курской области.", "ru")
    assert [o.admin1 for o in f.oblasts] == ["Kursk"]


@pytest.mark.parametrize("text,expected", [
    ("Внаслідок удару загинули двоє людей.", [("killed", "total", 2)]),
    ("Поранення дістали п'ятеро людей.", [("injured", "total", 5)]),
    ("Лікарі повідомили про п'ятьох поранених людей.", [("injured", "total", 5)]),
    ("Загинули обоє водіїв.", [("killed", "total", 2)]),
    ("Кількість поранених зросла до дев'яти.", [("injured", "total", 9)]),
    ("Загинули 4 людини, ще 11 травмовано.", [("injured", "total", 11), ("killed", "total", 4)]),
    ("Постраждали троє людей.", [("injured", "total", 3)]),
    ("Госпіталізовано сімох людей.", [("injured", "total", 7)]),
    ("Вбито двох цивільних.", [("killed", "total", 2)]),
    ("Загинула двадцять одна людина.", [("killed", "total", 21)]),
])
def test_numbers_and_casualty_words(text, expected):
    assert figures(one(text)) == expected


def test_single_named_victims_and_subgroups():
    assert figures(one("Загинув 47-річний чоловік.")) == [("killed", "men", 1)]
    # named victims joined by "та" add up; the child is also the children's figure
    assert figures(one("Загинули жінка та її дитина.")) == [("killed", "children", 1), ("killed", "total", 2),
                                                          ("killed", "women", 1)]
    f = one("Поранено 9 людей, серед них двоє дітей.")
    assert ("injured", "total", 9) in figures(f)
    assert any(x.group == "children" and x.value == 2 and x.sub for x in f.figures)
    # "четверо з них у важкому стані" is part of the figure before, not another one
    assert figures(one("Поранено 8 людей, четверо з них у важкому стані.")) == [("injured", "total", 8)]


def test_ages_counts_of_weapons_and_help_seekers():
    assert figures(one("Поранень зазнали дві жінки віком 61 та 35 років.")) == [("injured", "women", 2)]
    assert figures(one("Ворог запустив 40 дронів, загинули двоє людей.")) == [("killed", "total", 2)]
    assert figures(one("Згодом по допомогу до лікарів звернувся 52-річний чоловік.")) == [("injured", "men", 1)]


def test_russian_casualty_words():
    assert figures(one("Погибли пять человек, ещё 12 ранены.", "ru")) == [("injured", "total", 12), ("killed", "total", 5)]
    assert figures(one("Пострадали двое мирных жителей.", "ru")) == [("injured", "total", 2)]
    assert figures(one("Госпитализированы четверо человек.", "ru")) == [("injured", "total", 4)]


@pytest.mark.parametrize("text,expected", [
    ("Вчора ворог обстріляв місто.", date(2025, 3, 11)),
    ("Сьогодні вночі ворог атакував місто.", date(2025, 3, 12)),
    ("У ніч на 24 лютого ворог атакував місто дронами.", date(2025, 2, 24)),
    ("У неділю ворог атакував місто.", date(2025, 3, 9)),
    ("5 січня 2024 року ворог обстріляв місто.", date(2024, 1, 5)),
])
def test_dates(text, expected):
    assert [d.value for d in one(text).dates] == [expected]


def test_date_ranges_are_spans_and_ru_dates():
    f = one("З 1 березня по 31 травня 2024 року загинули 40 цивільних.")
    assert f.dates and all(d.span for d in f.dates)
    assert [d.value for d in one("В ночь на 3 марта беспилотник атаковал город.", "ru").dates] == [date(2025, 3, 3)]


def test_times():
    assert [t.value for t in one("Удар стався близько 10:30.").times] == ["10:30"]
    assert [t.value for t in one("Вибухи пролунали о 7 ранку.").times] == ["07:00"]
    assert [t.value for t in one("Вибухи пролунали о 9 вечора.").times] == ["21:00"]
    assert [t.value for t in one("Удар был нанесён около 14:20.", "ru").times] == ["14:20"]


@pytest.mark.parametrize("text,name,wclass", [
    ("Ворог скинув КАБи на місто.", "kab-umpk", "air_bomb"),
    ("Ворог скинув ФАБ-500 на село.", "fab", "air_bomb"),
    ("Місто атакували Шахедами.", "shahed-136", "drone"),
    ("Ночью город атаковали Геранями.", "shahed-136", "drone"),
    ("По місту вдарили Іскандером.", "9k720-iskander-m", "ballistic_missile"),
    ("Удар нанесли Искандером.", "9k720-iskander-m", "ballistic_missile"),
    ("Ворог випустив ракети С-300.", "s-300", "ballistic_missile"),
    ("Було запущено ракети Х-101.", "kh-101", "cruise_missile"),
    ("Ворог випустив Калібри.", "3m14-kalibr", "cruise_missile"),
    ("Обстріл з Граду.", "bm-21-grad", "rocket_artillery"),
    ("Обстріл з Урагану.", "bm-27-uragan", "rocket_artillery"),
])
def test_named_weapons(text, name, wclass):
    ws = [w for w in one(text).weapons if w.entry is not None]
    assert [(w.entry.id, w.weapon_class) for w in ws][:1] == [(name, wclass)]


@pytest.mark.parametrize("text,wclass", [
    ("Ворог обстріляв село з РСЗВ.", "rocket_artillery"),
    ("FPV-дрон атакував автомобіль.", "drone"),
    ("Село обстріляла артилерія.", "tube_artillery"),
    ("Ворог вдарив з міномета.", "mortar"),
    ("Удар завдано керованими авіабомбами.", "air_bomb"),
])
def test_generic_weapon_words(text, wclass):
    assert wclass in [w.weapon_class for w in one(text).weapons]


def test_calibre_is_not_kalibr():
    f = one("Удар нанесли из артиллерии калибров 152 мм.", "ru")
    assert all(w.entry is None for w in f.weapons)


def test_objects_and_speakers():
    f = one("Пошкоджено багатоповерхівку, школу та дитячий садок.")
    assert {o.type for o in f.objects} == {"residential", "school", "kindergarten"}
    assert not one("Про це повідомили в обласній військовій адміністрації.").objects
    assert not one("Постраждалих госпіталізували до лікарні.").objects


def test_attribution():
    text = "Росіяни вдарили по місту, повідомив начальник ОВА Іван Петренко."
    f = one(text)
    who, s, e = f.source
    assert who.startswith("начальник ОВА") and text[s:e] == who
    f = one("За даними прокуратури, загинули двоє людей.")
    assert f.source[0] == "прокуратури"
    assert one("По данным губернатора, пострадал один человек.", "ru").source[0] == "губернатора"


UK_REPORT = """Удар по Харкову: загинули троє людей

Вчора ввечері російська ракета Іскандер влучила у житловий будинок у Харкові, повідомив міський голова.
Загинули троє людей, ще 14 поранені.
"""
EN_REPORT = """Missile strike on Kharkiv kills three

A Russian Iskander missile hit an apartment building in Kharkiv on Tuesday evening, killing three people
and injuring 14, the mayor said.
"""


def test_uk_report_extracts_with_quotes_in_the_original():
    ex = extract_text(UK_REPORT, "uk-doc", date(2025, 3, 12), language="uk")
    assert len(ex.incidents) == 1
    c = ex.incidents[0]
    assert (c.place, c.date, c.weapon_class, c.killed, c.injured) == ("Kharkiv", "2025-03-11", "ballistic_missile", 3, 14)
    assert c.objects == ["residential"]
    for span in c.evidence.values():  # every value points into the Ukrainian text, unchanged
        assert UK_REPORT[span.start:span.end] == span.quote
    assert c.evidence["place"].quote in ("Харкову", "Харкові")  # the inflected original
    # read as English (no language given), the same text yields nothing
    assert extract_text(UK_REPORT, "uk-doc", date(2025, 3, 12)).incidents == []


def test_ukrainian_and_english_reports_resolve_to_one_incident(tmp_path, new_db_url):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "uk.txt").write_text(UK_REPORT, encoding="utf-8")
    (docs / "en.txt").write_text(EN_REPORT, encoding="utf-8")
    (docs / "manifest.csv").write_text(
        "file,doc_id,title,publisher,published,url,language\n"
        "uk.txt,uk-doc,,Міська рада,2025-03-12,,uk\n"
        "en.txt,en-doc,,Wire,2025-03-12,,en\n", encoding="utf-8")
    url = new_db_url("x.db")
    res = CliRunner().invoke(app, ["--db", url, "extract", str(docs),
                                   "--manifest", str(docs / "manifest.csv"), "--link", "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
    incs = {r["doc_id"]: r["incidents"] for r in rows}
    assert len(incs["uk-doc"]) == 1 and len(incs["en-doc"]) == 1
    assert incs["uk-doc"][0]["incident_id"] == incs["en-doc"][0]["incident_id"]
    # the incident's claims say which language each is in
    from harmwatch.resolve.service import show
    from harmwatch.store import Database
    db = Database.open(url, archive_dir=tmp_path / "x-archive")
    detail = show(db, incs["uk-doc"][0]["incident_id"])
    assert {c["doc_id"]: c["language"] for c in detail["claim_details"]} == {"uk-doc": "uk", "en-doc": "en"}
