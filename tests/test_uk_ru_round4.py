"""Ukrainian and Russian reports, fourth round (issue 8): the general bugs found in round 3. Every
sentence here is invented for this test; the expected values follow ../shared/eval/GUIDELINES.md, not
the code's output."""
from __future__ import annotations

from datetime import date

import pytest

from harmwatch.extract.pipeline import default_extractor

PUB = date(2025, 5, 6)  # a Tuesday


def _run(text: str, lang: str, published: date | None = PUB):
    return default_extractor().extract_text(text, "d", published=published, language=lang)


def _incidents(ex) -> set[tuple]:
    return {(c.place, c.admin1, c.date, c.killed, c.injured) for c in ex.incidents}


# --- 1. one region's genitive after a place is not a multi-region wave ----------------------------

@pytest.mark.parametrize("text,lang,want", [
    ("Вчора у Ізюмі Харківської області внаслідок ракетного удару загинули двоє людей.", "uk",
     ("Izium", "Kharkiv", "2025-05-05", 2, None)),
    ("Вчера в Изюме Харьковской области в результате ракетного удара погибли два человека.", "ru",
     ("Izium", "Kharkiv", "2025-05-05", 2, None)),
    ("Вчера в Белгороде Белгородской области в результате обстрела погибли два человека.", "ru",
     ("Belgorod", "Belgorod", "2025-05-05", 2, None)),
    ("Вчора у Сумах Сумської області внаслідок удару дрона поранено п'ятьох людей.", "uk",
     ("Sumy", "Sumy", "2025-05-05", None, 5)),
])
def test_a_place_with_its_own_regions_genitive_is_that_places_incident(text, lang, want):
    ex = _run(text, lang)
    assert _incidents(ex) == {want}
    assert ex.tallies == []


@pytest.mark.parametrize("text,lang", [
    ("Вчора росіяни атакували Харківську, Сумську та Одеську області. Загинули троє людей.", "uk"),
    ("Вчера армия РФ атаковала Харьковскую, Сумскую и Одесскую области. Погибли три человека.", "ru"),
])
def test_a_list_of_regions_before_the_plural_noun_is_still_a_wave(text, lang):
    ex = _run(text, lang)
    assert ex.incidents == []
    assert [(t.scope, t.killed) for t in ex.tallies] == [("Ukraine", 3)]


# --- 2. a live report with no date of its own: the publication day, marked as such ------------------

@pytest.mark.parametrize("text,lang,place", [
    ("Росіяни вдарили по двох районах Харкова, загинула одна людина. Кількість поранених встановлюється. "
     "Працюють профільні служби.", "uk", "Kharkiv"),
    ("Дрон атакував Запоріжжя, поранено жінку. Медики надають їй усю необхідну допомогу.", "uk", "Zaporizhzhia"),
    ("ВСУ обстреляли рынок в Лисичанске. На данный момент известно о трех погибших.", "ru", "Lysychansk"),
    ("Беспилотник атаковал Белгород, есть пострадавшие: ранены два человека. На месте работают экстренные службы.",
     "ru", "Belgorod"),
])
def test_a_live_report_without_a_date_takes_the_publication_day(text, lang, place):
    ex = _run(text, lang)
    assert [(c.place, c.date, c.date_precision) for c in ex.incidents] == [(place, "2025-05-06", "publication")]
    span = ex.incidents[0].evidence["date.publication"]
    assert text[span.start:span.end] == span.quote and span.quote  # the live cue, a span of the text


@pytest.mark.parametrize("text,lang", [
    # no live cue: only the news day (eleventh trust round: a short post naming no day is dated by its
    # publication, marked as such), and nothing without a publication date
    ("Росіяни вдарили по двох районах Харкова, загинула одна людина.", "uk"),
    ("ВСУ обстреляли рынок в Лисичанске, погибли три человека.", "ru"),
])
def test_an_undated_report_without_a_live_cue_stays_undated(text, lang):
    ex = _run(text, lang)
    assert [(c.date, c.date_precision) for c in ex.incidents] == [(PUB.isoformat(), "publication")]
    assert "date" not in ex.incidents[0].evidence  # not read from the text
    assert [c.date for c in _run(text, lang, published=None).incidents] == [None]


def test_a_recalled_attack_in_a_live_report_takes_no_date():
    ex = _run("Дрон влучив у школу в Одесі, поранені двоє людей. На місці працюють рятувальники. Нагадаємо, "
              "минулого тижня внаслідок удару по Миколаєву загинули п'ятеро людей.", "uk")
    assert {(c.place, c.date, c.killed, c.injured) for c in ex.incidents} == {
        ("Odesa", "2025-05-06", None, 2), ("Mykolaiv", None, 5, None)}


def test_a_live_cue_does_not_override_another_day_in_the_text():
    # the text gives its own day (yesterday): the live cue adds nothing, the later attack keeps no date
    ex = _run("Вчора ракета влучила в будинок у Харкові, загинули двоє людей.\n\nУ Бериславі внаслідок обстрілу "
              "поранено чоловіка. Наразі триває ліквідація наслідків.", "uk")
    got = {c.place: c.date for c in ex.incidents}
    assert got["Kharkiv"] == "2025-05-05"
    assert got.get("Beryslav") != "2025-05-06"


def test_no_publication_date_no_live_date():
    ex = _run("Росіяни вдарили по Харкову, загинула одна людина. Працюють профільні служби.", "uk", published=None)
    assert [c.date for c in ex.incidents] == [None]


# --- 3. victims named one per sentence add up when no total is given -----------------------------

@pytest.mark.parametrize("text,lang,killed,injured", [
    ("Вчора росіяни обстріляли село Гроза Куп'янського району, загинула 45-річна жінка. Також загинув її "
     "70-річний батько.", "uk", 2, None),
    ("Вчора росіяни обстріляли Херсон, загинула 45-річна жінка. Також загинув 70-річний чоловік. Ще одну "
     "жінку поранено.", "uk", 2, 1),
    ("Вчера ВСУ обстреляли Горловку, погибла 60-летняя женщина. Также погиб 45-летний мужчина. Еще одна "
     "женщина ранена.", "ru", 2, 1),
])
def test_victims_named_one_per_sentence_add_up(text, lang, killed, injured):
    ex = _run(text, lang)
    assert [(c.killed, c.injured) for c in ex.incidents] == [(killed, injured)]
    assert ex.incidents[0].evidence["killed"].quote  # the span runs from the first victim to the last


@pytest.mark.parametrize("text,lang,killed", [
    # a total given: it stands, the named victim is not added to it
    ("Вчора росіяни обстріляли Херсон, загинули двоє людей. Також загинув 70-річний чоловік.", "uk", 2),
    # no word that adds: the second sentence may tell of the same person
    ("Вчора росіяни обстріляли Херсон, загинула 45-річна жінка. Жінка загинула на місці.", "uk", 1),
])
def test_named_victims_are_not_summed_past_a_total_or_without_an_adding_word(text, lang, killed):
    ex = _run(text, lang)
    assert [c.killed for c in ex.incidents] == [killed]


# --- 4. weapon words in Cyrillic --------------------------------------------------------------------

@pytest.mark.parametrize("text,lang,weapon,wclass,cluster,quote", [
    ("Вчора росіяни атакували Херсон квадрокоптером, поранено чоловіка.", "uk", None, "drone", None, "квадрокоптером"),
    ("Ворожий коптер скинув вибухівку на авто в Бериславі, поранено водія.", "uk", None, "drone", None, "коптер"),
    ("Вчера ВСУ атаковали Горловку квадрокоптером, ранен мужчина.", "ru", None, "drone", None, "квадрокоптером"),
    ("Вчора росіяни обстріляли Херсон касетними боєприпасами, поранено двох людей.", "uk", None, "unknown", True,
     "касетними боєприпасами"),
    ("Вчера ВСУ обстреляли Донецк кассетными боеприпасами, ранены два человека.", "ru", None, "unknown", True,
     "кассетными боеприпасами"),
    ("Вчора російський снайпер поранив чоловіка в Херсоні.", "uk", None, "small_arms", None, "снайпер"),
    ("Вчора росіяни обстріляли Херсон зі стрілецької зброї, поранено чоловіка.", "uk", None, "small_arms", None,
     "стрілецької зброї"),
    ("Вчора в Херсоні з гаубиці Д-30 обстріляли будинок, поранено жінку.", "uk", "122 mm artillery", "tube_artillery",
     None, "Д-30"),
    ("Вчора ракета КН-23 влучила у Харків, поранено двох людей.", "uk", "KN-23", "ballistic_missile", None, "КН-23"),
])
def test_cyrillic_weapon_words(text, lang, weapon, wclass, cluster, quote):
    ex = _run(text, lang)
    assert [(c.weapon, c.weapon_class, c.cluster) for c in ex.incidents] == [(weapon, wclass, cluster)]
    assert quote in ex.incidents[0].evidence["weapon"].quote


def test_a_carnation_is_no_howitzer():
    # "гвоздика" (a flower) in lower case is not the 2S1 Gvozdika
    ex = _run("Вчора у Харкові люди поклали гвоздики до місця удару, де загинули двоє людей.", "uk")
    assert all(c.weapon is None for c in ex.incidents)


# --- named-city strikes: a strike verb on a place starts its incident; the toll may follow -----------

@pytest.mark.parametrize("text,lang,want", [
    ("Вчора росіяни обстріляли Херсон. Загинула жінка.", "uk", {("Kherson", "Kherson", "2025-05-05", 1, None)}),
    ("Вчора росіяни атакували Суми. Загинули двоє людей, ще п'ятеро поранені.", "uk",
     {("Sumy", "Sumy", "2025-05-05", 2, 5)}),
    ("Вчера ВСУ обстреляли Горловку. Погибли два человека.", "ru", {("Horlivka", "Donetsk", "2025-05-05", 2, None)}),
    # a second town struck in its own paragraph is its own incident, not a place in passing of the first
    ("Сегодня утром в Белгороде в результате атаки беспилотника пострадали четыре человека.\n\n"
     "Вчера вечером ВСУ обстреляли Шебекино. Погиб мужчина.", "ru",
     {("Belgorod", "Belgorod", "2025-05-06", None, 4), ("Shebekino", "Belgorod", "2025-05-05", 1, None)}),
])
def test_a_strike_on_a_named_place_takes_the_toll_that_follows(text, lang, want):
    assert _incidents(_run(text, lang)) == want


def test_a_recalled_attack_elsewhere_takes_no_carried_date():
    ex = _run("Вчора росіяни обстріляли Нікополь. Загинули двоє людей.\n\nНагадаємо, минулого тижня внаслідок "
              "удару дрона по Марганцю загинув чоловік.", "uk")
    assert _incidents(ex) == {("Nikopol", "Dnipropetrovsk", "2025-05-05", 2, None),
                              ("Marhanets", "Dnipropetrovsk", None, 1, None)}


@pytest.mark.parametrize("text,lang,children", [
    ("Вчера ВСУ обстреляли Горловку, погибла 70-летняя пенсионерка. Также погиб ее 45-летний сын.", "ru", None),
    ("Вчора росіяни обстріляли Херсон, загинула 70-річна жінка. Також загинув її 45-річний син.", "uk", None),
    ("Вчера ВСУ обстреляли Горловку, погибла женщина. Также погиб ее 7-летний сын.", "ru", 1),
])
def test_a_grown_son_is_no_child(text, lang, children):
    ex = _run(text, lang)
    assert [(c.killed, c.children_killed) for c in ex.incidents] == [(2, children)]
