"""The word gates in front of the extraction regexes (extract/gate.py) only skip work.

A gate may close (skip its regex) only when the regex cannot match: checked here on every
sentence of the annotated and held-out sets plus sentences written to hit each alternative.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from harmwatch.extract import attribution, casualties, dates, features, objects
from harmwatch.extract.gate import Gate, words
from harmwatch.extract.text import split_sentences

DATA = Path(__file__).parent / "data"

CRAFTED = [
    "Russian forces shelled the town; an air strike and airstrikes hit, opened fire, bombardment, munition.",
    "So-far 12 were killed; the death toll across Ukraine, in total, overall, this year, last month, in March 2023.",
    "Since the invasion, since 24 February 24, the war began, verified, recorded, documented at least 5.",
    "In a separate attack, a second strike, in addition, elsewhere, meanwhile, another one.",
    "It could, would, might, will, may; threat, threatened, threatens, warn, warns, feared, fears, risk, if.",
    "Moscow denied, denies, deny, rejected and dismissed the reports.",
    "According to the governor, police said, he told reporters, they added, it was claimed; the mayor has stated.",
    "By Russia; Russia struck; the Russians; occupiers; Ukraine fired; by Ukraine; Ukrainian drones.",
    "A children's hospital, the prosecutor's office, a high-rise, a five-storey block, a café and a multi-storey house.",
    "Yesterday, today, tonight, this morning, this afternoon, this evening, last night, overnight, two days ago.",
    "The day before yesterday, on Monday, 2022-02-24, 24/02/2022, the 3rd of May, May 3, 2022.",
    "at 10:30 a.m., around 8am, at 14:00 local time",
    "one more was killed, a man died, twenty-one people, a hundred residents, dozens wounded, 1,200 civilians.",
    "ſtruck, KILLED in Kyiv (Kelvin sign: \u212a), İf ıt could",
]


def _sentences() -> list[str]:
    out = list(CRAFTED)
    for folder in (DATA / "annotated" / "docs", DATA / "heldout" / "docs"):
        for p in sorted(folder.iterdir()):
            if p.suffix in (".txt", ".md"):
                out += [s.text for s in split_sentences(p.read_text(encoding="utf-8"))]
    return out


SENTENCES = _sentences()
GATES = {name: g for name, g in vars(features).items() if isinstance(g, Gate)}
GATES.update({name: g for name, g in vars(attribution).items() if isinstance(g, Gate)})


def test_there_are_sentences():
    assert len(SENTENCES) > 500


@pytest.mark.parametrize("name", sorted(GATES))
def test_cue_gates_close_only_when_the_regex_cannot_match(name):
    gate = GATES[name]
    for s in SENTENCES:
        if gate.regex.search(s):
            assert gate.open(words(s)), (name, s)


def test_object_source_date_and_figure_shortcuts_change_nothing():
    no_words = None  # gates always open: the full regexes and loops run
    for s in SENTENCES:
        ws = words(s)
        assert objects.find_objects(s, 0, ws) == objects.find_objects(s, 0, no_words), s
        assert attribution.find_source(s, ws) == attribution.find_source(s, no_words), s
        assert dates.find_dates(s, 0, None, ws) == dates.find_dates(s, 0, None, no_words), s
        if not re.search(r"\d", s):
            assert dates.find_times(s, 0) == [] and not dates.TIME_RE.search(s)
        if objects._RE.search(s):
            assert ws is None or not objects._FIRST_WORDS.isdisjoint(ws), s


def test_words_refuses_text_with_odd_case_letters():
    assert words("\u017ftruck") is None and words("Kyiv") == {"kyiv"}
    assert words("so-far, 12") == {"so", "far", "12"}


def test_figures_gate_keeps_number_words():
    from datetime import date
    for s in ("One more was killed.", "A man died.", "Dozens were wounded.", "Twenty-one people were killed.",
              "It killed 3 people."):
        (sent,) = split_sentences(s)
        assert casualties.find_figures(sent), s
    assert casualties.find_figures(split_sentences("The city was hit hard by the strike.")[0]) == []
    assert dates.find_dates("Two days ago", 0, date(2022, 3, 3))
