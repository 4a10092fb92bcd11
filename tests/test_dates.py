"""Dates and times resolved against the publication date."""
from datetime import date

import pytest

from harmwatch.extract.dates import find_dates, find_times

PUB = date(2022, 2, 28)  # a Monday


@pytest.mark.parametrize("text,expected", [
    ("attacks carried out on 24 February", "2022-02-24"),
    ("at 7 am on the 24 February in Uman", "2022-02-24"),
    ("hit by rockets on Monday", "2022-02-28"),
    ("the strike on Saturday", "2022-02-26"),
    ("the invasion yesterday", "2022-02-27"),
    ("On February 24, 2021 the shelling", "2021-02-24"),
    ("bombed overnight", "2022-02-28"),
    ("two days ago", "2022-02-26"),
    ("The Dec. 31 attack", "2021-12-31"),  # a day after publication in this year is read as last year
])
def test_dates(text, expected):
    assert [d.value.isoformat() for d in find_dates(text, 0, PUB)] == [expected]


def test_background_dates_are_ignored():
    assert find_dates("since the war began five days ago", 0, PUB) == []
    assert find_dates("since the start of the full-scale invasion on 24 February", 0, PUB) == []


def test_relative_dates_need_a_publication_date():
    assert find_dates("on Monday", 0, None) == []
    assert [d.value.isoformat() for d in find_dates("on 3 March 2022", 0, None)] == ["2022-03-03"]


@pytest.mark.parametrize("text,expected", [
    ("at approximately 10.30 am local time", "10:30"),
    ("around 8am", "08:00"),
    ("at 14:05", "14:05"),
    ("at about 3.15pm", "15:15"),
])
def test_times(text, expected):
    assert [t.value for t in find_times(text, 0)] == [expected]


def test_distances_are_not_times():
    assert find_times("about 2.5 km away", 0) == []
