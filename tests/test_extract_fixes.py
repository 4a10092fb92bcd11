"""Extraction fixes for phenomena seen on real reports (issue 7, item 4).

Every text here is written for these tests. The rules under test are those of the steps up to
`assemble`; the later scope step may withhold values, so these tests run the steps before it.
"""
from datetime import date

from harmwatch.extract.casualties import find_figures
from harmwatch.extract.pipeline import STEPS, Extractor
from harmwatch.extract.text import split_sentences

PUB = date(2024, 5, 8)  # a Wednesday
_EX = Extractor(steps=tuple(s for s in STEPS if s.name in ("segment", "annotate", "assemble")))


def _extract(text, published=PUB):
    return _EX.extract_text(text, "doc", published)


def _figs(s):
    return [(f.role, f.group, f.value) for f in find_figures(split_sentences(s)[0])]


def _one(text, published=PUB):
    ex = _extract(text, published)
    assert len(ex.incidents) == 1, [(c.place, c.killed, c.injured) for c in ex.incidents]
    return ex.incidents[0]


# --- 4. casualty wording families ------------------------------------------------------------

def test_lives_and_deaths_of_n_are_killed():
    assert ("killed", "total", 4) in _figs("The strike took the lives of four people.")
    assert ("killed", "total", 5) in _figs("A missile hit the port, resulting in the deaths of five civilians.")
    assert ("killed", "total", 2) in _figs("Shelling hit the school, claiming the lives of two teachers.")
    assert _figs("Rescuers saved the lives of 12 people.") == []


def test_lost_their_lives():
    c = _one("A drone hit a market in Kherson on Monday. Three people lost their lives and 12 were injured.")
    assert (c.killed, c.injured) == (3, 12)
    assert c.evidence["killed"].quote == "Three people"


def test_toll_increased_to():
    c = _one("A missile hit a hotel in Kharkiv on Monday. Five people were killed. "
             "By the evening the death toll increased to nine.")
    assert c.killed == 9


def test_a_dozen_is_twelve_and_dozens_stay_vague():
    assert ("killed", "total", 12) in _figs("The missile killed a dozen people.")
    assert _figs("Dozens of people were injured.") == [("injured", "total", None)]


def test_another_n_injured():
    c = _one("A glide bomb hit a shop in Kupiansk on Monday, killing two people, and another 5 injured.")
    assert (c.killed, c.injured) == (2, 5)


def test_including_children_takes_the_role_of_the_figure_it_follows():
    c = _one("A missile hit Kharkiv on Monday. Two people were killed, 15 injured, including 3 children.")
    assert (c.killed, c.injured, c.children_injured, c.children_killed) == (2, 15, 3, None)


def test_children_among_those_who_sought_medical_help_are_not_killed():
    c = _one("A missile hit Kharkiv on Monday, killing 4 people, and 40 sought medical help, including 11 children.")
    assert (c.killed, c.injured, c.children_killed, c.children_injured) == (4, 40, None, 11)
    c = _one("A missile hit Kharkiv on Monday, killing 4 people. 40 people, including 11 children, sought medical help.")
    assert (c.killed, c.injured, c.children_killed, c.children_injured) == (4, 40, None, 11)


def test_number_glued_to_a_word_by_a_lost_space():
    c = _one("A missile hit a house in Kryvyi Rih on Monday, resulting in the deaths of at least four "
             "civilians and injuries to43 others, including 12 children.")
    assert (c.killed, c.injured, c.children_injured, c.children_killed) == (4, 43, 12, None)


# --- 5. scope wording --------------------------------------------------------------------------

def test_nationwide_count_before_the_city_is_a_tally():
    ex = _extract("An attack across Ukraine on Monday killed 31 people, and a hotel in Kyiv was hit.")
    assert [(t.scope, t.killed) for t in ex.tallies] == [("Ukraine", 31)]
    assert [(c.place, c.killed, c.objects) for c in ex.incidents] == [("Kyiv", None, ["commercial"])]


def test_nationwide_count_after_the_figure_is_a_tally():
    ex = _extract("On Monday 31 people were killed across Ukraine. In Kyiv a missile hit a hotel.")
    assert [(t.scope, t.killed) for t in ex.tallies] == [("Ukraine", 31)]
    assert all(c.killed is None for c in ex.incidents)


def test_city_figure_after_a_nationwide_clause_stays_the_citys():
    ex = _extract("Across Ukraine, Russia launched 40 missiles on Monday; two people were killed in Kyiv.")
    assert [(c.place, c.killed) for c in ex.incidents] == [("Kyiv", 2)]
    assert not ex.tallies


def test_total_over_several_regions_is_never_one_citys():
    ex = _extract("A missile hit a church in Kherson on Monday. At least 17 more civilians were reported dead, "
                  "and 90 injured due to shelling of the Kharkiv, Kherson, Sumy and Donetsk regions.")
    assert [(t.killed, t.injured) for t in ex.tallies] == [(17, 90)]
    assert [(c.place, c.killed, c.injured) for c in ex.incidents] == [("Kherson", None, None)]


# --- 7. military casualties --------------------------------------------------------------------

def test_military_losses_are_never_civilian_figures():
    assert _figs("Ukraine's forces killed up to 60 Russian soldiers near Bakhmut.") == []
    assert _figs("Up to 60 of the Russian soldiers were killed.") == []
    assert _figs("60 soldiers were killed in the strike.") == []
    assert _figs("The strike killed 12 enemy troops.") == []
    assert ("killed", "total", 5) in _figs("The strike killed 5 civilians and 3 soldiers.")
