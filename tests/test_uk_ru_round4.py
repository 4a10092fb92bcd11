"""Ukrainian and Russian reports, fourth round (issue 8): the general bugs found in round 3. Every
sentence here is invented for this test; the expected values follow ../shared/eval/GUIDELINES.md, not
the code's output."""
from __future__ import annotations

from datetime import date

import pytest

from harmwatch.extract.pipeline import default_extractor

PUB = date(2025, 5, 6)  # a Tuesday


def _run(text: str, lang: str, published: date | None = PUB):
    return default_extractor().extract_text(text, "d", published=published, language=lang)


def _incidents(ex) -> set[tuple]:
    return {(c.place, c.admin1, c.date, c.killed, c.injured) for c in ex.incidents}


# --- 1. one region's genitive after a place is not a multi-region wave ----------------------------

@pytest.mark.parametrize("text,lang,want", [
    ("Вчора у Ізюмі Харківської області внаслідок ракетного удару загинули двоє людей.", "uk",
     ("Izium", "Kharkiv", "2025-05-05", 2, None)),
    ("Вчера в Изюме Харьковской области в результате ракетного удара погибли два человека.", "ru",
     ("Izium", "Kharkiv", "2025-05-05", 2, None)),
    ("Вчера в Белгороде Белгородской области в результате обстрела погибли два человека.", "ru",
     ("Belgorod", "Belgorod", "2025-05-05", 2, None)),
    ("Вчора у Сумах Сумської області внаслідок удару дрона поранено п'ятьох людей.", "uk",
     ("Sumy", "Sumy", "2025-05-05", None, 5)),
])
def test_a_place_with_its_own_regions_genitive_is_that_places_incident(text, lang, want):
    ex = _run(text, lang)
    assert _incidents(ex) == {want}
    assert ex.tallies == []


@pytest.mark.parametrize("text,lang", [
    ("Вчора росіяни атакували Харківську, Сумську та Одеську області. Загинули троє людей.", "uk"),
    ("Вчера армия РФ атаковала Харьковскую, Сумскую и Одесскую области. Погибли три человека.", "ru"),
])
def test_a_list_of_regions_before_the_plural_noun_is_still_a_wave(text, lang):
    ex = _run(text, lang)
    assert ex.incidents == []
    assert [(t.scope, t.killed) for t in ex.tallies] == [("Ukraine", 3)]
