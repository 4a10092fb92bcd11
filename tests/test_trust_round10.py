"""Tenth trust round (issues 7 and 8): the errors of heldout15 and heldout16 (tuning sets since their first
runs were recorded), each a general phenomenon. Every text here is written for the test."""
from __future__ import annotations

from datetime import date

from extract_helpers import runner

PUB = date(2025, 10, 4)
_run = runner(PUB)


def _by_place(ex) -> dict:
    return {i.place: i for i in ex.incidents}


# --- nothing invented ----------------------------------------------------------------------------------------

def test_no_one_hurt_is_no_figure():
    for sentence in ("No one was hurt.", "No one was killed in the attack.", "Not one person was injured."):
        ex = _run(f"A drone hit a house in Kharkiv on Monday. {sentence}", "en")
        assert [(i.place, i.killed, i.injured) for i in ex.incidents] == [("Kharkiv", None, None)], sentence


def test_a_range_of_ages_is_no_count():
    ex = _run("Seven people were killed in Druzhkivka on Monday. The number of wounded rose to 15; the injured "
              "are between 50 and 72 years old, and the dead between 43 and 81.", "en")
    assert [(i.killed, i.injured) for i in ex.incidents] == [(7, 15)]


def test_a_calibre_is_no_count():
    ex = _run("В субботу обстреляли Горловку. Женщина погибла при обстреле из артиллерии калибра 155 мм.", "ru")
    assert [(i.place, i.killed) for i in ex.incidents] == [("Horlivka", 1)]


def test_a_month_of_attacks_on_a_city_is_a_tally():
    en = _run("Russian forces struck Kharkiv early on Wednesday with a guided bomb, damaging houses.\n\n"
              "In September, the mayor said, Russian forces attacked Kharkiv 53 times and 188 people were injured "
              "in the city.", "en", date(2024, 10, 2))
    uk = _run("Вранці 2 жовтня росіяни скинули КАБ на Харків, пошкоджено будинки. У вересні окупанти 53 рази "
              "атакували Харків, поранено 188 людей.", "uk", date(2024, 10, 2))
    for ex in (en, uk):
        assert [(i.place, i.injured) for i in ex.incidents] == [("Kharkiv", None)]
    assert [t.injured for t in uk.tallies] == [188]
    assert [t.injured for t in en.tallies] in ([], [188])  # the English month's figure: a tally or nothing


def test_a_single_attack_recalled_by_its_month_stays_an_incident():
    ex = _run("In September a missile hit a school in Sumy, killing two people.", "en", date(2024, 10, 2))
    assert [(i.place, i.killed) for i in ex.incidents] == [("Sumy", 2)]
    assert ex.tallies == []


def test_a_city_count_since_the_war_began_is_a_tally():
    ru = _run("В ночь на 19 апреля Николаев обстреляли из артиллерии, два человека ранены.\n\nВсего с начала войны в "
              "Николаеве погибли 86 человек, еще 388 ранены.", "ru", date(2022, 4, 19))
    en = _run("Russian rockets hit Mykolaiv on Monday, killing two civilians and wounding 11.\n\nBy the end of July, "
              "after five months of war, 121 people had been killed in the city and 556 injured.", "en",
              date(2022, 8, 29))
    assert [(i.killed, i.injured) for i in ru.incidents] == [(None, 2)]
    assert [(t.killed, t.injured) for t in ru.tallies] == [(86, 388)]
    assert [(i.killed, i.injured) for i in en.incidents] == [(2, 11)]
    assert [(t.killed, t.injured) for t in en.tallies] == [(121, 556)]


def test_both_are_the_victims_told_before():
    ex = _run("В субботу обстреляли Донецк. В Петровском районе Донецка погибла женщина, в Александровке – "
              "женщина. Обе погибли при обстрелах из артиллерии.", "ru", date(2024, 5, 31))
    got = _by_place(ex)
    assert (got["Donetsk"].killed, got["Oleksandrivka"].killed) == (1, 1)


# --- victims added up ---------------------------------------------------------------------------------------

def test_groups_joined_by_a_conjunction_add_up():
    cases = {"Загинули дві жінки і чоловік.": 3, "Загинули дві жінки та троє чоловіків.": 5,
             "Загинули дві жінки 1948 і 1988 років народження та чоловік 1985 року народження.": 3,
             "Загинули двоє людей, серед них чоловік.": 2}
    for sentence, killed in cases.items():
        ex = _run(f"У суботу росіяни обстріляли Костянтинівку. {sentence}", "uk")
        assert [i.killed for i in ex.incidents] == [killed], sentence
    ex = _run("В субботу обстреляли Горловку. Погибли двое мужчин и молодая женщина.", "ru")
    assert [i.killed for i in ex.incidents] == [3]


def test_a_married_couple_is_two():
    uk = _run("У неділю дрон атакував Херсон. Загинуло подружжя.", "uk")
    ru = _run("Беспилотник попал в дом в селе Чернетчина Сумской области – погибли супруги Александр и его жена.", "ru")
    assert [i.killed for i in uk.incidents] == [2]
    assert [i.killed for i in ru.incidents] == [2]


# --- places -------------------------------------------------------------------------------------------------

def test_a_place_named_by_the_verb_of_striking():
    ex = _run("Російські війська 13 вересня обстріляли Оріхів із реактивних систем залпового вогню. "
              "Загинула жінка.", "uk", date(2022, 9, 13))
    assert [(i.place, i.killed, i.weapon_class) for i in ex.incidents] == [("Orikhiv", 1, "rocket_artillery")]


def test_a_city_district_makes_the_city_the_scene():
    ex = _run("В Петровском районе Донецка ранена женщина, в Александровке – мужчина.", "ru", date(2024, 5, 31))
    assert sorted((i.place, i.injured) for i in ex.incidents) == [("Donetsk", 1), ("Oleksandrivka", 1)]


def test_attacks_told_as_a_habit_are_no_incident():
    ex = _run("Російські війська 13 вересня обстріляли Оріхів, загинула жінка.\n\nОбласний центр росіяни регулярно "
              "обстрілюють ракетами.", "uk", date(2022, 9, 13))
    assert [i.place for i in ex.incidents] == ["Orikhiv"]


def test_each_village_of_a_damage_list_is_an_incident():
    ex = _run("Минулої доби у Куп'янському районі пошкоджено багатоквартирний будинок у Куп'янську, приватний "
              "будинок у селі Осинове та приватні будинки в селі Ківшарівка.", "uk", date(2025, 9, 24))
    assert {i.place for i in ex.incidents} >= {"Kupiansk", "Kivsharivka"}
    assert all(i.objects == ["residential"] for i in ex.incidents)
    assert len(ex.incidents) == 3


# --- weapons ------------------------------------------------------------------------------------------------

def test_a_community_named_like_a_shell_is_no_weapon():
    ex = _run("Беспилотник попал в дом в селе Чернетчина Краснопольской громады, погиб мужчина.", "ru")
    assert [i.weapon_class for i in ex.incidents] == ["drone"]


def test_an_explosive_dropped_is_a_drone():
    ru = _run("Утром в субботу взрывчатка, сброшенная оккупантами, попала в автомобиль в Херсоне. Ранен мужчина.", "ru")
    uk = _run("Уранці в суботу окупанти скинули вибухівку на автомобіль у Херсоні. Поранено чоловіка.", "uk")
    assert [i.weapon_class for i in ru.incidents] == ["drone"]
    assert [i.weapon_class for i in uk.incidents] == ["drone"]


def test_a_sentence_ending_in_a_qualifier_reads():
    # the number's qualifier is the last word ("at least"): nothing after it to read, and no error
    ex = _run("A drone hit a house in Kharkiv on Monday. The number of wounded was at least", "en")
    assert [(i.place, i.injured) for i in ex.incidents] == [("Kharkiv", None)]


def test_neighbours_are_people_and_a_hit_is_an_attack():
    ex = _run("О 13:00 окупанти поцілили по приватному сектору міста Авдіївка. Від влучання снарядів уламкові "
              "поранення дістали двоє сусідів.", "uk", date(2023, 10, 9))
    assert [(i.place, i.injured) for i in ex.incidents] == [("Avdiivka", 2)]


def test_a_village_across_the_border_beats_a_ukrainian_namesake():
    ex = _run("Четыре человека погибли в селе Никольское Белгородской области, когда снаряд попал в дом.", "ru",
              date(2024, 3, 18))
    assert [(i.place, i.admin1, i.lat, i.killed) for i in ex.incidents] == [("Nikolskoye", "Belgorod", None, 4)]


def test_a_year_of_birth_is_no_count():
    ex = _run("Two residents of Horlivka were killed by shelling on Saturday, the mayor said. A woman born in 1963 "
              "died when the Kalininskyi district came under fire.", "en", date(2023, 3, 4))
    assert [(i.place, i.killed) for i in ex.incidents] == [("Horlivka", 2)]
    assert all(t.killed != 1963 for t in ex.tallies)


def test_wounded_and_later_died_is_one_dead():
    ex = _run("Shelling hit Horlivka on Saturday. Another resident was wounded and later died of his injuries.", "en",
              date(2023, 3, 4))
    assert [(i.place, i.killed, i.injured) for i in ex.incidents] == [("Horlivka", 1, None)]


def test_a_village_of_the_raion_named_beats_a_city_of_its_name():
    # Kostiantynivka of Pokrovsk raion (a village the codifier knows without a point), not the city of Kramatorsk raion
    ex = _run("Вранці російські військові обстріляли село Костянтинівка Покровського району. Загинув 52-річний "
              "місцевий житель.", "uk", date(2023, 10, 9))
    assert [(i.place, i.admin1, i.killed) for i in ex.incidents] == [("Kostiantynivka", "Donetsk", 1)]
    assert ex.incidents[0].geonameid != 705104 and ex.incidents[0].lat is None
