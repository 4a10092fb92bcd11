"""Ninth trust round (issues 7 and 8): the errors of heldout13 and heldout14 (tuning sets since their first
runs were recorded), each a general phenomenon. Every text here is written for the test."""
from __future__ import annotations

from datetime import date

from extract_helpers import runner

PUB = date(2025, 9, 24)
_run = runner(PUB)


def _placeless(ex) -> list:
    return [i for i in ex.incidents if i.place is None]


# --- a district or community named as the scene --------------------------------------------------------------

def test_a_community_is_an_incident_with_no_settlement_in_its_oblast():
    ex = _run("На Дніпропетровщині ворог атакував дронами.\n\nУ Межівській громаді загинув 61-річний чоловік.", "uk")
    inc = [i for i in ex.incidents if i.killed is not None]
    assert len(inc) == 1
    assert (inc[0].place, inc[0].admin1, inc[0].killed) == (None, "Dnipropetrovsk", 1)
    assert inc[0].evidence["admin1"].quote == "Дніпропетровщині"  # the oblast's span, the text's own words


def test_a_raion_gives_its_own_oblast():
    ex = _run("Через атаку на Пологівський район поранено чотирьох жінок.", "uk")
    assert [(i.place, i.admin1, i.injured) for i in ex.incidents] == [(None, "Zaporizhzhia", 4)]


def test_a_russian_district_with_its_oblast():
    ex = _run("В Пологовском районе Запорожской области ранены двое мирных жителей.", "ru")
    assert [(i.place, i.admin1, i.injured) for i in ex.incidents] == [(None, "Zaporizhzhia", 2)]


def test_each_district_of_a_summary_is_its_own_incident():
    ex = _run("За добу ворог 40 разів атакував Дніпропетровську область. Загинула одна людина, поранено десятеро.\n\n"
              "Удень росіяни випустили ракету по Дніпру. Поранено чотирьох людей.\n\n"
              "У Кам'янському районі противник запускав БпЛА. Постраждав мешканець однієї з громад.", "uk")
    assert [(t.killed, t.injured) for t in ex.tallies] == [(1, 10)]
    by = {i.place: i for i in ex.incidents}
    assert by["Dnipro"].injured == 4 and by["Dnipro"].killed is None
    assert (by[None].admin1, by[None].injured) == ("Dnipropetrovsk", 1)


def test_several_communities_at_once_count_as_a_tally():
    ex = _run("На Нікопольщині під обстрілами були Марганецька, Мирівська та Покровська громади. "
              "До медиків звернулися п'ятеро місцевих жителів.", "uk")
    assert not any(i.injured for i in ex.incidents)
    assert [t.injured for t in ex.tallies] == [5]


def test_a_village_of_a_community_is_the_village():
    ex = _run("У Новотроїцькому Покровської громади загинув 63-річний чоловік.\n\nУ Костянтинівці поранено чотирьох людей.",
              "uk")
    assert sorted((i.place, i.killed, i.injured) for i in ex.incidents) == [
        ("Kostiantynivka", None, 4), ("Novotroitske", 1, None)]


def test_a_later_village_does_not_take_a_community_incident_with_figures():
    ex = _run("На Донеччині ворог обстріляв громади. У Покровській громаді загинув чоловік.\n\n"
              "У Костянтинівці поранено чотирьох людей.", "uk")
    assert sorted(((i.place or ""), i.killed, i.injured) for i in ex.incidents) == [
        ("", 1, None), ("Kostiantynivka", None, 4)]


def test_a_city_district_is_part_of_the_city():
    ex = _run("Вранці росіяни обстріляли Харків. У Шевченківському районі поранено двох людей.", "uk")
    assert [(i.place, i.injured) for i in ex.incidents] == [("Kharkiv", 2)]
    ex = _run("Утром ВСУ обстреляли центр Донецка. Попадания зафиксированы в Ворошиловском и Куйбышевском "
              "районах города. Два человека погибли.", "ru")
    assert [(i.place, i.killed) for i in ex.incidents] == [("Donetsk", 2)]


def test_na_zaporizhzhi_is_the_region():
    ex = _run("Зранку окупанти вдарили FPV-дроном по Степногірській громаді на Запоріжжі. Поранено чоловіка.", "uk")
    assert [(i.place, i.admin1, i.injured) for i in ex.incidents] == [(None, "Zaporizhzhia", 1)]


# --- a roundup's items: "Шахове: шестеро поранених" -------------------------------------------------------------

def test_list_items_name_their_villages():
    ex = _run("Наслідки по районах:\n\nПокровський район.\n\nШахове: шестеро поранених, пошкоджено 24 будинки.\n\n"
              "Удачне: один поранений, пошкоджено три будинки.", "uk")
    assert sorted((i.place, i.injured) for i in ex.incidents) == [("Shakhove", 6), ("Udachne", 1)]


def test_the_place_after_an_attack_noun():
    ex = _run("Унаслідок обстрілу Кучерівки поранено 65-річного чоловіка.", "uk")
    assert [(i.place, i.injured) for i in ex.incidents] == [("Kucherivka", 1)]


def test_a_district_adjective_is_not_a_village():
    ex = _run("Кількість загиблих через обстріл Дніпровського району Херсона зросла до двох.", "uk")
    assert [i.place for i in ex.incidents] == ["Kherson"]


# --- English ------------------------------------------------------------------------------------------------

def test_a_bare_count_is_not_a_death_toll():
    ex = _run("A missile hit homes in Kharkiv on Sunday. Three people were hurt. Later a woman also went to medics "
              "for help, bringing the count to four.", "en")
    assert [(i.killed, i.injured) for i in ex.incidents] == [(None, 3)]


def test_the_death_count_is_still_a_death_toll():
    ex = _run("A missile hit homes in Kharkiv on Sunday, bringing the death count to four.", "en")
    assert [i.killed for i in ex.incidents] == [4]


def test_an_attack_that_came_before_is_its_own_incident():
    ex = _run("A woman was killed in a missile attack on Odesa overnight, the governor said on 15 November.\n\n"
              "The night attack followed a strike on the centre of Odesa on 14 November, when missiles damaged a "
              "church and apartment buildings.", "en", published=date(2024, 11, 15))
    got = sorted((i.date or "", i.killed) for i in ex.incidents)
    assert got[0] == ("2024-11-14", None)
    assert [k for _, k in got].count(1) == 1


def test_bombs_dropped_start_the_attack():
    ex = _run("Six people were hurt when Russian forces dropped five guided aerial bombs on Kharkiv on Friday.", "en",
              published=date(2025, 10, 24))
    assert [(i.place, i.injured, i.weapon_class) for i in ex.incidents] == [("Kharkiv", 6, "air_bomb")]
