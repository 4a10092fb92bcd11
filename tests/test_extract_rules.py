"""Rules added for generalisation: toll wording, subgroup figures, datelines, headlines, roundup dates."""
from datetime import date

from harmwatch.extract.casualties import find_figures
from harmwatch.extract.pipeline import extract_text
from harmwatch.extract.text import split_sentences


def _figs(s):
    return [(f.role, f.group, f.value, f.sub) for f in find_figures(split_sentences(s)[0])]


def test_number_of_people_killed_has_risen_to():
    assert ("killed", "total", 53, False) in _figs("The number of people killed by Tuesday's strike on the institute has risen to 53.")


def test_adjective_role_and_deaths_and_hospital():
    assert ("injured", "total", 18, False) in _figs("Rescuers brought out 18 injured people.")
    assert ("killed", "total", 12, False) in _figs("Researchers confirmed at least 12 deaths.")
    assert ("injured", "total", 59, False) in _figs("The service said 59 people had sought medical help.")


def test_of_them_children_is_a_subgroup():
    figs = _figs("Officials said 26 people had been confirmed dead, three of them children.")
    assert ("killed", "children", 3, True) in figs and ("killed", "total", 26, False) in figs


def test_dateline_date_is_not_the_attack_date():
    text = ("Mall strike toll rises\n\nKREMENCHUK, June 28 (news agency) - Rescuers searched the mall in Kremenchuk "
            "hit by a missile yesterday afternoon, killing 18 people.\n\nMore text follows here.\n\nAnd more.")
    inc = extract_text(text, published=date(2022, 6, 28)).incidents
    assert inc and inc[0].date == "2022-06-27"


def test_headline_does_not_merge_incidents():
    text = ("Poltava toll rises to 53; strike on Lviv kills seven\n\n(Roundup, Wednesday 4 September 2024)\n\n"
            "Lviv: Seven people were killed when Russian missiles struck homes in Lviv overnight.\n\n"
            "Nothing else happened.")
    inc = extract_text(text, published=date(2024, 9, 4)).incidents
    assert [(i.place, i.killed, i.date) for i in inc] == [("Lviv", 7, "2024-09-04")]
