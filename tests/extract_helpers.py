"""Helpers the trust-round tests share: extract one text at a fixed publication day, and its incidents as rows."""
from __future__ import annotations

from datetime import date

from harmwatch.extract.pipeline import extract_text


def runner(published: date):
    """An extract function with the test module's publication day as default: run(text, language[, published])."""
    def run(text: str, language: str, published: date | None = published):
        return extract_text(text, published=published, language=language)
    return run


def rows(ex) -> list:
    """The incidents of an extraction as (place, admin1, killed, injured)."""
    return [(i.place, i.admin1, i.killed, i.injured) for i in ex.incidents]
