"""Extraction you can trust, third round (issue 7, and the tally part of issue 8): no invented figure or date.

Each test is one general phenomenon, told in short sentences written for this file (no text of any
annotated or third-party set): (a) a regional, national or multi-city total is never one city's toll,
(b) figures of another attack in the same article are not carried into the current one, (c) children among
people who sought medical help are not children killed, (d) bodies found are not a toll the text gives,
dates are not carried across attacks in other regions, and nationwide or multi-region waves in English,
Ukrainian and Russian are tallies, never placeless incidents. Rule tests run the steps up to `assemble`;
the abstention tests run the whole pipeline (the scope step withholds and says why).
"""
from datetime import date

import pytest

from harmwatch.extract.pipeline import STEPS, Extractor
from harmwatch.extract.scope import BODIES_REASON

PUB = date(2024, 5, 8)  # a Wednesday
_RULES = Extractor(steps=tuple(s for s in STEPS if s.name in ("segment", "annotate", "assemble")))
_ALL = Extractor()


def _rules(text, language=None, published=PUB):
    return _RULES.extract_text(text, "doc", published, language=language)


def _full(text, language=None, published=PUB):
    return _ALL.extract_text(text, "doc", published, language=language)


def _incidents(ex):
    return {(c.place, c.admin1, c.date, c.killed, c.injured, c.children_killed) for c in ex.incidents}


def _tallies(ex):
    return {(t.killed, t.injured) for t in ex.tallies}


# --- (a) totals over several places are tallies ----------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Missiles hit Kyiv and Lviv on Tuesday morning. In Kyiv, a residential building was damaged. "
    "In total 7 people were killed and 30 injured in the two cities.",
    "Russian forces struck Kyiv and Kharkiv with missiles on Tuesday.\n\nIn Kyiv, a missile hit a school.\n\n"
    "Seven people were killed and 30 injured in both cities, officials said.",
])
def test_total_in_the_two_cities_is_a_tally(text):
    ex = _rules(text)
    assert _tallies(ex) == {(7, 30)}
    assert all(c.killed is None and c.injured is None for c in ex.incidents)


def test_two_cities_total_in_ukrainian_is_a_tally():
    ex = _rules("Вранці ракети влучили в Київ і Львів. Загалом у двох містах загинули 7 людей, 30 поранені.", "uk")
    assert _tallies(ex) == {(7, 30)}
    assert all(c.killed is None for c in ex.incidents)


def test_region_total_with_a_citys_share_is_not_the_citys_toll():
    ex = _rules("Governor Ivan Petrenko said 12 civilians were killed in the Donetsk region on Tuesday, "
                "including four in Kramatorsk.")
    assert _tallies(ex) == {(12, None)}
    assert all(c.killed != 12 for c in ex.incidents)


def test_across_the_region_after_a_city_attack_is_the_regions_tally():
    ex = _rules("A Russian drone attack on Kyiv killed two people on Tuesday. Officials said that across the "
                "Kyiv region, three more people were injured.")
    assert _incidents(ex) == {("Kyiv", "Kyiv City", "2024-05-07", 2, None, None)}
    assert _tallies(ex) == {(None, 3)}


# --- (b) figures of another attack ------------------------------------------------------------------------

def test_since_month_when_figures_are_not_the_current_attacks():
    ex = _rules("A Russian missile hit the port of Odesa on Monday, injuring six workers. It was the worst attack "
                "on the city since March, when a drone strike on an apartment block killed 12 people, including "
                "five children.")
    assert _incidents(ex) == {("Odesa", "Odesa", "2024-05-06", None, 6, None)}


def test_since_month_when_in_ukrainian():
    ex = _rules("Вчора ввечері ракета влучила в склад у порту Одеси, поранені шестеро працівників. Це найстрашніший "
                "удар по місту з березня, коли дрон влучив у багатоповерхівку і загинули 12 людей, серед них п'ятеро "
                "дітей.", "uk")
    assert _incidents(ex) == {("Odesa", "Odesa", "2024-05-07", None, 6, None)}


def test_a_day_after_another_attack_its_figures_join_nothing():
    ex = _rules("A drone hit a school in Odesa on Tuesday, injuring 2. The strike came a day after a drone attack "
                "on the city killed three people.")
    assert _incidents(ex) == {("Odesa", "Odesa", "2024-05-07", None, 2, None)}


def test_last_month_background_is_another_undated_attack():
    ex = _rules("A drone hit a school in Odesa on Tuesday, injuring 2. Last month, a missile strike on the same "
                "district killed 14.")
    assert _incidents(ex) == {("Odesa", "Odesa", "2024-05-07", None, 2, None), ("Odesa", "Odesa", None, 14, None, None)}


def test_recalled_attack_without_its_day_in_ukrainian():
    ex = _rules("Сьогодні дрон влучив у школу в Одесі, поранені двоє людей. Нагадаємо, минулого тижня внаслідок "
                "удару по місту загинули п'ятеро людей.", "uk")
    assert ("Odesa", "Odesa", "2024-05-08", None, 2, None) in _incidents(ex)
    assert all(c.killed is None for c in ex.incidents if c.date is not None)


@pytest.mark.parametrize("text,lang", [
    ("A missile hit a hotel in Kharkiv on Tuesday, injuring 7. It was the second attack on the city this week; "
     "on Monday a missile killed seven people there.", None),
    ("Сьогодні ракета влучила в готель у Харкові, поранені семеро. Це вже друга атака на місто цього тижня: у "
     "понеділок ракета вбила сімох людей.", "uk"),
])
def test_the_second_attack_this_week_is_another_incident(text, lang):
    ex = _rules(text, lang)
    by_date = {c.date: (c.killed, c.injured) for c in ex.incidents}
    assert by_date["2024-05-06"] == (7, None)
    assert list(by_date.values()).count((None, 7)) == 1


# --- (c) children among those who sought medical help ------------------------------------------------------

@pytest.mark.parametrize("text,lang", [
    ("A missile attack on Chernihiv on Tuesday killed three people. Twenty people sought medical help, "
     "including 11 children.", None),
    ("A Russian strike on Sumy killed two people on Sunday. Among the 30 people who sought medical help were "
     "11 children.", None),
    ("Внаслідок ракетного удару по Чернігову загинули троє людей. По медичну допомогу звернулися 20 людей, "
     "серед них 11 дітей.", "uk"),
])
def test_children_who_sought_help_are_not_children_killed(text, lang):
    ex = _rules(text, lang)
    assert len(ex.incidents) == 1
    c = ex.incidents[0]
    assert c.children_killed is None and c.killed in (2, 3) and c.injured in (20, 30)


# --- (d) bodies found ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,lang", [
    ("Russian shelling hit a convoy of civilian cars near Kupiansk. Twenty-four bodies were found at the scene, "
     "13 of them children.", None),
    ("Російська артилерія обстріляла колону цивільних авто біля Куп'янська. Знайдено тіла 24 людей, серед них 13 "
     "дітей.", "uk"),
])
def test_bodies_found_are_withheld_with_a_reason(text, lang):
    ex = _full(text, lang)
    [c] = ex.incidents
    assert c.place == "Kupiansk"
    assert c.killed is None and c.children_killed is None
    for name in ("killed", "children_killed"):
        if name in c.withheld:
            assert c.uncertain[name] == BODIES_REASON
            assert c.withheld[name]["evidence"]["quote"]


def test_bodies_recovered_from_the_rubble_are_the_toll():
    ex = _full("A Russian missile hit an apartment block in Dnipro on Tuesday. Rescuers have recovered 15 bodies "
               "from the rubble.")
    assert [(c.place, c.killed) for c in ex.incidents] == [("Dnipro", 15)]
    assert ex.incidents[0].uncertain == {}


# --- dates: not carried across attacks -----------------------------------------------------------------

def test_no_date_carried_to_another_regions_paragraph():
    ex = _rules("Yesterday, a drone hit a private house in Kharkiv, killing two people.\n\n"
                "Russian forces also shelled a hospital in Beryslav, injuring two patients.")
    got = {c.place: c.date for c in ex.incidents}
    assert got == {"Kharkiv": "2024-05-07", "Beryslav": None}


def test_date_still_carried_within_a_wave_report():
    ex = _rules("Russia attacked Ukraine with missiles and drones overnight into Tuesday.\n\n"
                "In Kyiv, a missile hit a residential building, killing four people.\n\n"
                "In Lviv, a drone damaged a substation, injuring two workers.")
    got = {c.place: c.date for c in ex.incidents}
    assert got == {"Kyiv": "2024-05-07", "Lviv": "2024-05-07"}


def test_date_still_carried_in_the_same_region_earlier_in_the_day():
    ex = _rules("Yesterday evening, Russian troops fired on a house in Kherson, killing a man.\n\n"
                "Earlier in the day, artillery shelled a shop in Beryslav, injuring a woman.")
    assert {c.place: c.date for c in ex.incidents} == {"Kherson": "2024-05-07", "Beryslav": "2024-05-07"}


# --- nationwide and multi-region waves are tallies ----------------------------------------------------

@pytest.mark.parametrize("text,lang,want", [
    ("Цієї ночі росія атакувала Україну ракетами та дронами. По всій Україні загинули 18 людей, ще 60 поранені.",
     "uk", (18, 60)),
    ("Этой ночью Россия нанесла массированный удар по всей Украине. Погибли 15 человек, более 50 ранены.", "ru",
     (15, 50)),
    ("Вночі ворог атакував дронами Харківську, Сумську та Одеську області.\n\nЗа даними МВС, загинули п'ятеро "
     "людей, ще 18 поранені.", "uk", (5, 18)),
    ("Сьогодні була масована атака: ракети і дрони по Київщині, Харківщині, Дніпропетровщині та Одещині. "
     "На жаль, загинули 7 людей.", "uk", (7, None)),
    ("Overnight, Russian drones and missiles hit targets in the Kharkiv, Sumy, Odesa and Dnipropetrovsk regions. "
     "Nine civilians were killed and 31 injured, the interior ministry said.", None, (9, 31)),
])
def test_wave_over_the_country_or_several_regions_is_a_tally(text, lang, want):
    ex = _full(text, lang)
    assert _tallies(ex) == {want}
    assert ex.incidents == []


def test_regions_weapons_were_launched_from_are_no_wave():
    ex = _rules("Two ballistic missiles hit the centre of Sumy on Sunday, killing 21 people. The missiles were "
                "launched from the Kursk and Voronezh regions of Russia.\n\n34 people were killed and 117 injured.")
    assert [(c.place, c.killed, c.injured) for c in ex.incidents] == [("Sumy", 34, 117)]
    assert ex.tallies == []


def test_city_incident_inside_a_ukrainian_address_keeps_its_own_toll():
    ex = _rules("Сьогодні вночі росіяни випустили по Україні понад сорок ракет. Удари були по Києву, Харкову, "
                "Дніпру та Львову.\n\nУ Києві ракета зруйнувала під'їзд житлового будинку, там загинули троє людей."
                "\n\nЗагалом по всій Україні загинули дев'ять людей, ще 42 поранені.", "uk")
    assert ("Kyiv", "Kyiv City", "2024-05-08", 3, None, None) in _incidents(ex)
    assert (9, 42) in _tallies(ex)
    assert all(c.place is not None for c in ex.incidents)


# --- (a) more totals: a share of a region's count, a sweep over part of the country, "in the region" -------

def test_n_of_them_in_a_city_is_a_share_not_the_citys_toll():
    ex = _rules("Twelve people were killed in Russian attacks on the Donetsk region on Tuesday, four of them in "
                "Kramatorsk.")
    assert _tallies(ex) == {(12, None)}
    assert all(c.killed != 12 for c in ex.incidents)


@pytest.mark.parametrize("text", [
    "Kharkiv was hit by a drone on Tuesday, injuring 3. The attack on Kharkiv came as Russia pounded cities across "
    "the east, killing at least nine people.",
    "A drone hit a house in Kharkiv on Tuesday, injuring 3. In all, nine people died in the east.",
])
def test_a_count_over_part_of_the_country_is_a_tally(text):
    ex = _rules(text)
    assert _incidents(ex) == {("Kharkiv", "Kharkiv", "2024-05-07", None, 3, None)}
    assert _tallies(ex) == {(9, None)}


def test_a_count_in_the_region_after_a_city_attack_is_the_regions_tally():
    ex = _rules("A missile struck Zaporizhzhia on Tuesday, injuring 5. Russian shelling of 12 towns and villages in "
                "the region killed two people.")
    assert _incidents(ex) == {("Zaporizhzhia", "Zaporizhzhia", "2024-05-07", None, 5, None)}
    assert _tallies(ex) == {(2, None)}


# --- placeless figures with nothing else are no incident ------------------------------------------------

def test_figures_with_no_place_weapon_or_object_make_no_incident():
    ex = _rules("Thank you to the rescuers who worked all night. 25 people were injured, including 11 children.")
    assert ex.incidents == []


def test_placeless_attack_with_a_weapon_and_object_stays_for_review():
    ex = _full("A rocket hit a cafe during a wake on Thursday, killing 40 people, officials said.")
    assert len(ex.incidents) == 1 and ex.incidents[0].withheld["killed"]["value"] == 40
