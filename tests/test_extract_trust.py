"""Extraction you can trust (issue 7): the rule fixes behind the tally gates, dates the text does not
give, the figure-scope model's features, and a withheld value reaching the review queue with its reason.

Every text here is written for these tests. Rule tests run the steps up to `assemble` (the scope step
may withhold values); the review-queue test runs the whole pipeline through the database.
"""
from datetime import date

from harmwatch.extract.casualties import find_figures
from harmwatch.extract.dates import find_dates
from harmwatch.extract.features import without_comparison
from harmwatch.extract.pipeline import STEPS, Extractor
from harmwatch.extract.text import split_sentences

PUB = date(2024, 5, 8)  # a Wednesday
_EX = Extractor(steps=tuple(s for s in STEPS if s.name in ("segment", "annotate", "assemble")))


def _extract(text, published=PUB):
    return _EX.extract_text(text, "doc", published)


def _figs(s):
    return [(f.role, f.group, f.value) for f in find_figures(split_sentences(s)[0])]


# --- tallies: the causes of the extra tallies -----------------------------------------------------

def test_superlative_comparison_is_no_aggregate_period():
    # the period after "deadliest" measures the comparison, not the figure
    ex = _extract("At least 40 people were killed on Monday when a missile hit a cafe in Izium, in one of the "
                  "deadliest attacks on civilians since the full-scale invasion began.")
    assert ex.tallies == []
    assert [(c.place, c.killed, c.date) for c in ex.incidents] == [("Izium", 40, "2024-05-06")]
    # without the superlative the same period is a tally's
    ex = _extract("At least 40 civilians have been killed in the city since the full-scale invasion began.")
    assert [t.killed for t in ex.tallies] == [40] and ex.incidents == []


def test_comparison_blanking_keeps_offsets_and_leaves_dated_since_alone():
    s = "It was the deadliest attack so far this year, a missile killed 12."
    assert len(without_comparison(s)) == len(s) and "so far" not in without_comparison(s)
    # "since 31 July, when a missile ..." names another attack: not blanked
    s2 = "It was the deadliest attack on the capital since 31 July, when a missile killed 31."
    assert without_comparison(s2) == s2


def test_background_attack_after_a_comparison_is_an_incident_with_its_day():
    text = ("A missile struck the centre of Sumy on Sunday morning, killing 30 people.\n\n"
            "It was the deadliest attack on civilians so far this year, surpassing the strike on Kryvyi Rih "
            "nine days earlier, when a ballistic missile killed 20 people, nine of them children.")
    ex = _extract(text, date(2025, 4, 14))
    assert ex.tallies == []
    got = {(c.place, c.date, c.killed, c.children_killed) for c in ex.incidents}
    assert got == {("Sumy", "2025-04-13", 30, None), ("Kryvyi Rih", "2025-04-04", 20, 9)}


def test_one_dated_attack_with_a_large_toll_is_no_total():
    text = ("A missile hit the centre of Chernihiv on Wednesday, killing 17.\n\n"
            "On 19 August last year a Russian missile hit the city's drama theatre, killing seven people "
            "and injuring 144 others.")
    ex = _extract(text, date(2024, 4, 18))
    assert ex.tallies == []
    assert {(c.date, c.killed, c.injured) for c in ex.incidents} == {("2024-04-17", 17, None), ("2023-08-19", 7, 144)}
    # several attacks with a large toll and no place stay a total
    ex = _extract("Missile strikes hit apartment blocks on 3 May, killing 150 people in several cities.")
    assert ex.incidents == [] and [t.killed for t in ex.tallies] == [150]


def test_averages_and_rates_are_no_counts():
    assert _figs("In 2023 an average of 163 civilians were killed and 547 injured every month.") == []
    assert _figs("On average 12 people per day were wounded.") == []
    # "a day off" is no rate
    assert ("killed", "total", 10) in _figs("Rockets hit the centre on a day off, killing at least 10 people.")


def test_children_figures_after_a_colon_take_the_children_group():
    assert _figs("Children were hit particularly hard: at least 19 were killed and 78 injured.") == [
        ("killed", "children", 19), ("injured", "children", 78)]
    assert _figs("Adults were hit hardest: at least 19 were killed.") == [("killed", "total", 19)]


def test_children_of_a_total_join_that_tally():
    text = ("The UN mission said it had verified 30,457 civilian casualties since the full-scale invasion: "
            "10,582 people killed and 19,875 injured. Among the dead were 587 children.")
    ex = _extract(text)
    assert [(t.killed, t.injured, t.children_killed) for t in ex.tallies] == [(10582, 19875, 587)]
    assert ex.tallies[0].evidence["children_killed"].quote == "587 children"


# --- dates the text does not give ---------------------------------------------------------------------

def test_both_ends_of_a_period_are_spans():
    got = [(d.value, d.span) for d in find_dates("strikes during the period from 10th October 2022 to at least "
                                                  "9th March 2023", 0, PUB)]
    assert got == [(date(2022, 10, 10), True), (date(2023, 3, 9), True)]
    assert [(d.value, d.span) for d in find_dates("between 1 March and 15 March 2024", 0, PUB)] == [
        (date(2024, 3, 1), True), (date(2024, 3, 15), True)]
    # a single day stays a day
    assert [(d.value, d.span) for d in find_dates("A missile hit the school on 3 May 2024.", 0, PUB)] == [
        (date(2024, 5, 3), False)]


def test_date_of_a_later_event_does_not_date_the_attack_before_it():
    ex = _extract("It was only 16 days ago that the Council last met, after a Russian missile killed 20 people "
                  "in Kryvyi Rih.")
    assert [(c.place, c.killed, c.date) for c in ex.incidents] == [("Kryvyi Rih", 20, None)]


def test_a_paragraph_about_attacks_in_general_adds_nothing_to_the_incident():
    text = ("In Kherson, Russian shelling damaged the Holy Spirit Cathedral.\n\n"
            "We note the 5th March decision of the court on the campaign of missile strikes against "
            "energy infrastructure.")
    ex = _extract(text, date(2024, 3, 14))
    assert [(c.place, c.date) for c in ex.incidents] == [("Kherson", None)]


def test_highest_number_since_is_a_comparison():
    ex = _extract("A missile hit an apartment block in Kyiv on Monday night. The attack wounded 59 people, 16 of "
                  "them children, the highest number of children hurt in the capital in one night since the start "
                  "of the full-scale war, the mayor said.")
    assert ex.tallies == []
    assert [(c.place, c.injured) for c in ex.incidents] == [("Kyiv", 59)]


def test_killed_and_wounded_together_is_neither_count():
    assert _figs("Strikes all over the country, killing and wounding more than 410 civilians over two weeks.") == []
    assert _figs("The strike, killing two and wounding 13 civilians, hit a school.") == [
        ("killed", "total", 2), ("injured", "total", 13)]


def test_large_toll_of_this_attack_is_no_total():
    text = ("A drone hit a house in Sumy on Thursday, injuring two people.\n\n"
            "Two missiles hit the railway station in Kramatorsk on Friday, where thousands waited to leave.\n\n"
            "Women and men and children queued for trains.\n\n"
            "At least 50 people were killed and over 100 injured in this barbaric attack.")
    ex = _extract(text, date(2022, 4, 9))
    assert ex.tallies == []
    assert {(c.place, c.killed, c.injured) for c in ex.incidents} == {("Sumy", None, 2), ("Kramatorsk", 50, 100)}


def test_placeless_toll_takes_no_place_from_another_days_attack():
    text = ("Yesterday troops bombarded a wake in a small village. Fifty-two people died in the attack. "
            "And in Kharkiv, an air attack the next day killed a 10-year-old boy.")
    ex = _extract(text, date(2023, 10, 6))
    got = {(c.place, c.date, c.killed) for c in ex.incidents}
    assert ("Kharkiv", "2023-10-06", 1) in got
    assert all(k != 52 for p, _, k in got if p == "Kharkiv")


def test_paragraph_referring_back_to_the_attacks_still_dates_them():
    text = ("Russian missiles hit an apartment block in Kharkiv, killing two people.\n\n"
            "The attacks on Tuesday morning were just the latest of a series of strikes on Ukrainian cities.")
    ex = _extract(text, date(2024, 1, 25))
    assert [(c.place, c.date) for c in ex.incidents] == [("Kharkiv", "2024-01-23")]


# --- a withheld value reaches the review queue with its reason -------------------------------------

def test_withheld_figure_reaches_the_review_queue_with_its_reason(db):
    """Through the store and resolution: the incident whose toll extraction withholds is in the review
    queue ahead of the others, says why, and its claim keeps the withheld value, reason and quote."""
    from harmwatch.api import withheld_for_review
    from harmwatch.extract.pipeline import default_extractor
    from harmwatch.extract.scope import NO_PLACE_REASON
    from harmwatch.records import DocumentIn
    from harmwatch.resolve.review import review_queue
    from harmwatch.resolve.service import resolve
    from harmwatch.store.writer import ingest_document
    # no place the gazetteer knows and no region: the toll is tied to no identified incident (scope.py)
    placeless = "A rocket hit a cafe during a wake on Thursday, killing 40 people, officials said."
    plain = "A Russian missile struck an apartment block in Izium on Monday, killing three civilians and injuring 12."
    for doc_id, text in (("placeless", placeless), ("plain", plain)):
        ingest_document(db, DocumentIn(doc_id, text, text.encode(), "text/plain", published=date(2024, 5, 7)),
                        default_extractor())
    resolve(db)
    total, rows = review_queue(db)
    assert total == 2
    first = rows[0]
    assert first["place"] is None and first["withheld"] == 1
    assert "1 value withheld by extraction" in first["why"]
    assert not any("withheld" in w for w in rows[1]["why"])
    [item] = withheld_for_review(db)
    assert item["incident_id"] == first["id"]
    [claim] = item["claims"]
    assert claim["uncertain"] == {"killed": NO_PLACE_REASON}
    assert claim["withheld"]["killed"]["value"] == 40
    assert claim["withheld"]["killed"]["evidence"]["quote"] == "40 people"
