"""Casualty figures read from single sentences (phrasings seen in real reports)."""
import pytest

from harmwatch.extract.casualties import find_figures
from harmwatch.extract.text import split_sentences


def figs(text):
    (sent,) = split_sentences(text)
    return [(f.role, f.group, f.value) for f in find_figures(sent)]


@pytest.mark.parametrize("text,expected", [
    ("A missile hit the clinic, killing four civilians and wounding ten more.",
     [("killed", "total", 4), ("injured", "total", 10)]),
    ("Four civilians were killed and 10 wounded in the strike.",
     [("killed", "total", 4), ("injured", "total", 10)]),
    ("Twenty-one people were killed and more than 100 injured.",
     [("killed", "total", 21), ("injured", "total", 100)]),
    ("The attack left 5 dead and 12 wounded.", [("killed", "total", 5), ("injured", "total", 12)]),
    ("A man was reportedly killed and two women injured.", [("killed", "men", 1), ("injured", "women", 2)]),
    ("Three people including a child were killed.", [("killed", "total", 3), ("killed", "children", 1)]),
    ("The death toll has risen to 23, including three children, officials said.",
     [("killed", "total", 23), ("killed", "children", 3)]),
    ("Two people died and 14 were injured, among them a 12-year-old girl.",
     [("killed", "total", 2), ("injured", "total", 14), ("injured", "children", 1)]),
    ("Six healthcare workers were among the injured.", [("injured", "healthcare", 6)]),
])
def test_phrasings(text, expected):
    assert figs(text) == expected


def test_soldiers_are_not_counted():
    assert figs("The strike killed 3 soldiers and wounded 2 civilians.") == [("injured", "total", 2)]


def test_munition_counts_are_not_casualties():
    assert figs("Russian forces fired 40 missiles and 25 drones overnight, killing nine people.") == [("killed", "total", 9)]


def test_times_dates_distances_are_not_casualties():
    assert figs("At 7 am on 24 February a shell landed 20 miles away.") == []


def test_vague_count_has_no_number():
    (sent,) = split_sentences("Dozens killed as the city is blasted with rockets.")
    (f,) = find_figures(sent)
    assert f.value is None and f.vague == "Dozens" and f.role == "killed"


def test_evidence_offsets_point_at_the_figure():
    text = "Officials said that at least 57 civilians have been killed."
    (sent,) = split_sentences(text)
    (f,) = find_figures(sent)
    assert text[f.start:f.end] == "at least 57 civilians"
