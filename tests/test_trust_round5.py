"""Extraction you can trust, fifth round (issues 7 and 8): rivers, riverbanks and statement days.

Each test is one general phenomenon, in sentences written for this file (no text of any annotated or
third-party set):
- a river that shares its name with a city ("the left bank of the Dnipro", "з лівого берега Дніпра",
  "вдоль реки Днепр") is not the city: no incident there, and the figures stay with the place attacked;
- a riverbank is not a bank (commercial object);
- "said on Friday", "a report published on Wednesday" date the statement, not the attack (GUIDELINES,
  "Date and time"): such a day never becomes an incident's date.
"""
from datetime import date

import pytest

from harmwatch.extract.pipeline import Extractor

PUB = date(2024, 5, 8)  # a Wednesday
_ALL = Extractor()


def _run(text, language=None, published=PUB):
    return _ALL.extract_text(text, "doc", published, language=language)


def _places(ex):
    return {(c.place, c.killed) for c in ex.incidents}


@pytest.mark.parametrize("text,language", [
    ("Russian troops on the left bank of the Dnipro shelled Kherson on Tuesday, killing two people.", None),
    ("Russian artillery fired across the Dnipro River at Kherson on Tuesday, killing two people.", None),
    ("У вівторок російські війська з лівого берега Дніпра обстріляли Херсон, загинули двоє людей.", "uk"),
    ("Во вторник российские войска с левого берега Днепра обстреляли Херсон, погибли два человека.", "ru"),
])
def test_river_is_not_the_city(text, language):
    ex = _run(text, language)
    assert _places(ex) == {("Kherson", 2)}


def test_the_city_of_dnipro_is_still_read():
    ex = _run("A missile hit Dnipro on Tuesday, killing two people, the Dnipro City Council said.")
    assert _places(ex) == {("Dnipro", 2)}


def test_riverbank_is_not_a_commercial_object():
    ex = _run("On Tuesday a drone from the occupied left bank struck a car in Kherson, injuring a man.")
    assert [c.objects for c in ex.incidents] == [["vehicle"]]
    ex = _run("On Tuesday a missile destroyed a bank and two shops in Kherson, injuring a man.")
    assert "commercial" in ex.incidents[0].objects


@pytest.mark.parametrize("text", [
    "An inquiry concluded in a report published on Monday that drones had struck people in Kherson, killing three.",
    "A drone struck a bus in Kherson, killing three people, the governor said on Monday.",
    "Three people were killed when a drone struck a bus in Kherson, officials told reporters on Monday.",
])
def test_a_statement_day_is_not_the_attack_date(text):
    ex = _run(text)
    assert [(c.place, c.date) for c in ex.incidents] == [("Kherson", None)]


def test_the_attack_day_is_kept_beside_the_statement_day():
    ex = _run("A drone struck a bus in Kherson on Sunday, killing three people, the governor said on Monday.")
    assert [(c.place, c.date) for c in ex.incidents] == [("Kherson", "2024-05-05")]


@pytest.mark.parametrize("text,language", [
    ("On Tuesday a drone killed a man in Kherson. Russian forces keep shelling the city, targeting homes and shops.",
     None),
    ("У вівторок дрон убив чоловіка в Херсоні. Окупанти щодня обстрілюють місто, руйнуючи житлові будинки.", "uk"),
])
def test_what_an_army_does_every_day_adds_no_object(text, language):
    """A habitual sentence ("keep shelling", "щодня обстрілюють") tells of no one attack: its objects are not
    the attack's before it."""
    ex = _run(text, language)
    assert [(c.place, c.killed, c.objects) for c in ex.incidents] == [("Kherson", 1, [])]


@pytest.mark.parametrize("text,language", [
    ("On Thursday a Russian attack on Kyiv killed 25 people. It was the deadliest attack on Kyiv since 31 July, "
     "when a missile brought down part of an apartment block and 31 people were killed.", None),
    ("On Thursday a Russian attack on Kyiv killed 25 people. It was the deadliest attack on the capital since "
     "July 31, when a missile brought down part of an apartment block and 31 people were killed.", None),
    ("У четвер росіяни вдарили по Києву, загинули 25 людей. Це найсмертоносніша атака на столицю з 31 липня, "
     "коли ракета зруйнувала під'їзд будинку і загинула 31 людина.", "uk"),
])
def test_an_earlier_attack_named_by_its_day_lends_no_figure(text, language):
    """"since 31 July, when ... 31 people were killed": the earlier attack's toll is neither the current
    attack's nor a count of the country."""
    ex = _run(text, language, published=date(2025, 8, 29))
    assert [(c.place, c.killed) for c in ex.incidents] == [("Kyiv", 25)]
    assert [t.killed for t in ex.tallies] == []


def test_an_earlier_attack_dated_by_weekday_and_day_is_its_own_incident():
    """"A Russian attack on the city on Friday, December 6, killed 10": another day's attack on the same city
    (weekday and calendar day together), never the toll of Tuesday's strike."""
    ex = _run("A Russian missile destroyed a clinic in Zaporizhzhia on Tuesday, killing six people and injuring 22.\n\n"
              "A Russian attack on the city on Friday, December 6, killed 10 people and wounded 27.",
              published=date(2024, 12, 11))
    assert sorted((c.date, c.place, c.killed, c.injured) for c in ex.incidents) == [
        ("2024-12-06", "Zaporizhzhia", 10, 27), ("2024-12-10", "Zaporizhzhia", 6, 22)]


@pytest.mark.parametrize("text", [
    "A strike on Kharkiv on Friday killed 10 people, including two children, and wounded 27.",
    "A strike on Kharkiv on Friday killed 10 people, two children among them, and wounded 27.",
    "On Friday 10 people were killed in a strike on Kharkiv. Ten people were killed, including two children, and 27 "
    "were wounded.",
])
def test_a_subgroup_between_commas_belongs_to_the_figure_before(text):
    """"killed 10 people, including two children, and wounded 27": the children are among the dead; the verb
    after the closing comma is the next figure's."""
    ex = _run(text, published=date(2024, 12, 11))
    assert [(c.place, c.killed, c.injured, c.children_killed) for c in ex.incidents] == [("Kharkiv", 10, 27, 2)]


def test_a_regional_day_count_is_a_tally_not_the_city_toll():
    """"Russian shelling of the Kherson region had killed one man and wounded five people that day": the
    region's count for the day, a tally; the city's attack keeps its own victim."""
    ex = _run("At about 17:30 on Monday a Russian drone attacked a car in Kherson's Dniprovskyi district. The "
              "44-year-old man inside suffered a blast injury and shrapnel wounds.\n\nBy the evening, Russian shelling "
              "of the Kherson region had killed one man and wounded five people that day, prosecutors said.",
              published=date(2024, 12, 10))
    assert [(c.place, c.date, c.killed, c.injured, c.weapon_class) for c in ex.incidents] == [
        ("Kherson", "2024-12-09", None, 1, "drone")]
    assert [(t.killed, t.injured) for t in ex.tallies] == [(1, 5)]


def test_the_number_of_people_killed_has_reached():
    ex = _run("The number of people killed when an apartment block in Chasiv Yar was hit late on Saturday has reached "
              "34, the governor said on Tuesday morning. About 70% of the rubble had been cleared by 6.30am on Tuesday.",
              published=date(2022, 7, 12))
    assert [(c.place, c.date, c.killed) for c in ex.incidents] == [("Chasiv Yar", "2022-07-09", 34)]


def test_wounds_he_did_not_survive_are_no_injury():
    ex = _run("On Wednesday evening a drone struck Beryslav: a 27-year-old man suffered life-threatening wounds and "
              "did not survive.", published=date(2025, 1, 9))
    assert [(c.place, c.injured) for c in ex.incidents] == [("Beryslav", None)]


def test_the_month_may_is_not_a_hypothetical():
    """"On the night of 31 May ... killing at least nine people": the month, not the modal "may" — the figures
    are the attack's, not withheld as a possibility."""
    ex = _run("On the night of 31 May Russian missiles hit a residential neighbourhood in Kharkiv, killing at least "
              "nine people and injuring 25.", published=date(2024, 6, 6))
    assert [(c.place, c.date, c.killed, c.injured) for c in ex.incidents] == [("Kharkiv", "2024-05-31", 9, 25)]


@pytest.mark.parametrize("text", [
    "KHERSON, May 4 - Russian shelling of Kherson and nearby settlements on Wednesday killed 23 civilians and "
    "wounded 46, the governor said. A supermarket in Kherson was hit in the late morning.",
])
def test_a_city_and_nearby_settlements_total_is_a_tally(text):
    ex = _run(text, published=date(2023, 5, 4))
    assert [(c.place, c.killed, c.injured) for c in ex.incidents] == [("Kherson", None, None)]
    assert [(t.killed, t.injured) for t in ex.tallies] == [(23, 46)]


def test_a_sum_over_several_attacks_is_a_tally():
    ex = _run("Researchers inspected eight attacks in Kharkiv and Derhachi. Together, the eight attacks killed 12 "
              "civilians and wounded 26. One of them hit a neighbourhood of Kharkiv on 23 May and damaged a hospital.",
              published=date(2022, 8, 16))
    assert [(c.place, c.killed, c.injured) for c in ex.incidents] == [("Kharkiv", None, None)]
    assert [(t.killed, t.injured) for t in ex.tallies] == [(12, 26)]


def test_a_wave_on_a_city_and_several_other_regions_is_a_tally():
    ex = _run("On 27 September Russia launched nearly 600 drones against Kyiv and several other regions of Ukraine. "
              "At least four people were reported killed.", published=date(2025, 10, 2))
    assert [c.place for c in ex.incidents] == []
    assert [t.killed for t in ex.tallies] == [4]


@pytest.mark.parametrize("text,killed,children", [
    ("On Tuesday a Russian drone killed a couple and their two young children in Sumy.", 4, 2),
    ("On Tuesday a Russian drone killed an elderly couple in Sumy.", 2, None),
])
def test_a_couple_is_two_people(text, killed, children):
    ex = _run(text)
    assert [(c.place, c.killed, c.children_killed) for c in ex.incidents] == [("Sumy", killed, children)]


def test_a_couple_of_people_is_no_count():
    ex = _run("On Tuesday a Russian drone hit a house in Sumy and a couple of people were injured.")
    assert [(c.place, c.injured) for c in ex.incidents] == [("Sumy", None)]


def test_a_figure_over_the_day_is_a_tally():
    ex = _run("Over the past day Russian forces shelled Kherson and 39 other settlements of the region. The head of the "
              "region wrote that Russian aggression had killed three people over the day and left ten more injured.",
              published=date(2025, 1, 9))
    assert [(c.place, c.killed, c.injured) for c in ex.incidents if c.killed or c.injured] == []
    assert [(t.killed, t.injured) for t in ex.tallies] == [(3, 10)]


def test_civilians_and_a_police_officer_were_injured():
    ex = _run("On Tuesday Russian missiles hit a residential quarter of Kurakhove. Fifteen civilians and a police officer "
              "were injured there.")
    assert [(c.place, c.injured) for c in ex.incidents] == [("Kurakhove", 15)]


def test_what_missiles_may_have_been_aimed_at_was_not_hit():
    ex = _run("On Tuesday debris of a downed missile fell in Cherkasy. The missiles may have been aimed at energy "
              "facilities, the governor said.")
    assert all(c.objects == [] for c in ex.incidents)


def test_two_single_victims_add_up():
    ex = _run("On Tuesday a repeat missile strike on Kupiansk killed a police officer and an emergency responder.")
    assert [(c.place, c.killed) for c in ex.incidents] == [("Kupiansk", 2)]


def test_an_earlier_figure_of_a_regional_tally_is_not_an_incident_toll():
    ex = _run("Russian shelling of Kherson and nearby settlements on Wednesday killed 23 civilians and wounded 46, the "
              "governor said. On Wednesday evening the toll had stood at 21.\n\nAt the railway station in Kherson, a "
              "shell struck a train, killing one person and wounding six.", published=date(2023, 5, 4))
    assert [(c.place, c.killed, c.injured) for c in ex.incidents] == [("Kherson", 1, 6)]
    assert [(t.killed, t.injured) for t in ex.tallies] == [(23, 46)]


def test_in_total_the_strike_on_the_city_is_its_toll():
    ex = _run("An overnight air strike on Kramatorsk destroyed part of an apartment block; one person is dead. Rescuers "
              "recovered more bodies. In total the strike on Kramatorsk has killed four people and wounded four.")
    assert [(c.place, c.killed, c.injured) for c in ex.incidents] == [("Kramatorsk", 4, 4)]
    assert ex.tallies == []


def test_a_relative_clause_before_the_verb():
    ex = _run("On Tuesday a drone dropped explosives on a farm in Kherson. A 53-year-old man who was in the yard was "
              "killed by the blast.")
    assert [(c.place, c.killed) for c in ex.incidents] == [("Kherson", 1)]


def test_a_regional_governor_names_no_city():
    """"Kherson regional governor ... five people in the region": the region's count (a tally), neither the
    city's toll nor the toll of the attack told before."""
    ex = _run("A missile hit Pokrovsk on Saturday, killing 11.\n\nIn the south, Kherson regional governor Oleksandr "
              "Prokudin said on Sunday that Russian attacks over the past day had injured five people in the region.",
              published=date(2024, 1, 7))
    assert [(c.place, c.killed, c.injured) for c in ex.incidents] == [("Pokrovsk", 11, None)]
    assert [t.injured for t in ex.tallies] == [5]


def test_one_of_the_cars_is_no_victim():
    """"travelling in one of them": one of the cars; the women's count is 2 or, unread, none, never 1."""
    ex = _run("On Friday shell fragments struck two cars in Kherson. The two women travelling in one of them died.")
    assert [c.place for c in ex.incidents] == ["Kherson"] and ex.incidents[0].killed in (None, 2)


def test_an_unnamed_settlement_of_the_region_is_another_incident_of_its_day():
    ex = _run("On the night of 31 May Russian missiles hit Kharkiv, killing nine people and injuring 25. On 1 June Russia "
              "attacked the power grid again. On the same day Russia struck a small settlement in Kharkiv region and "
              "injured at least thirteen people.", published=date(2024, 6, 6))
    got = sorted((c.place or "", c.admin1, c.date, c.killed, c.injured) for c in ex.incidents)
    assert got == [("", "Kharkiv", "2024-06-01", None, 13), ("Kharkiv", "Kharkiv", "2024-05-31", 9, 25)]
