"""The news day: a short Ukrainian or Russian post that gives no day at all reports the day it was published.

A regional head's or a governor's post ("Внаслідок обстрілу Нікополя поранено двох людей", "В результате
удара ВСУ по Горловке погибла женщина") tells the day's attack and names no day; GUIDELINES date an attack by
what the text gives *or implies*, and the annotation of every set gives such posts their publication date.
The date stays marked as the publication's (`date_precision` "publication", confidence 0.3 in scope.py),
so a reviewer sees it was not read from the text.

Not applied (the date stays null) when:
- the text names any day, dateline or period ("вчора", "15 серпня", "за минулу добу", "на вихідних") outside a
  sentence that only tells of weapons shot down: assemble.py dates its attacks, and an attack without a day of its
  own in such a text may be another day's;
- the text is long (more than `MAX_WORDS` words): statements and articles recall attacks of other days;
- the text updates an earlier toll ("збільшилася кількість загиблих після удару по Одесі"), tells of bodies
  found after an attack or of rescue works finished: the attack was on an earlier day the text does not give
  (`later_report_patterns` in the language data files);
- a sentence of the incident's passage, or the one just before it in its paragraph, recalls an earlier attack ("Ранее в Ясиноватой ...", "Нагадаємо, ...";
  `recall_start_patterns`);
- the attack's clock time is late (20:00-04:59: "Удар стався близько 23:00"): it may be posted the next day;
- the document is English: in the tuning sets English reports without a date word are as often undated
  feature stories (date null) as dated wires, so the publication day is not implied there.
"""
from __future__ import annotations

from datetime import date

from ..records import IncidentClaim, Span
from .features import SentenceFeatures

LANGUAGES = frozenset({"uk", "ru"})
# the tuning sets' dated posts have 60-123 words; statements and addresses that recall other days run longer
MAX_WORDS = 160


def news_day(incidents: list[IncidentClaim], feats: list[SentenceFeatures], text: str,
             published: date | None, language: str | None) -> None:
    """Give the publication date to the undated incidents of a short uk/ru post that names no day (in place)."""
    if published is None or language not in LANGUAGES or not _names_no_day(feats):
        return
    if len(text.split()) > MAX_WORDS or any(f.later_report for f in feats):
        return
    for c in incidents:
        if c.date is not None or c.span is None:
            continue
        own = [f for f in feats if c.span.start <= f.sent.start < c.span.end]
        if not own or any(f.recall_start for f in own):
            continue
        before = next((f for f in feats if f.sent.index == own[0].sent.index - 1
                       and f.sent.paragraph == own[0].sent.paragraph), None)
        if before is not None and before.recall_start:
            continue  # "Ранее сообщалось, что БПЛА атаковал предприятие в Пензе. ... там погибла женщина": recalled
        if c.time is not None and _late(c.time):
            continue  # "Удар стався близько 23:00": a late attack is often posted the next day; its day is not implied
        first = own[0].sent
        c.date, c.date_precision = published.isoformat(), "publication"
        # the sentence that tells the attack as the post's news: the evidence that the day is the post's
        c.evidence["date.publication"] = Span(first.start, first.end, text[first.start:first.end])


def _late(time: str) -> bool:
    """A clock time of the evening or the night before dawn (20:00-04:59), when a post may be the next day's."""
    try:
        hour = int(time.split(":")[0])
    except ValueError:
        return False
    return hour >= 20 or hour < 5


def _names_no_day(feats: list[SentenceFeatures]) -> bool:
    # ("на выходных": a period, no day of its own; the night drones were shot down over the country, with no harm
    # told, dates no attack: "в ночь на 14 августа силы ПВО сбили 44 беспилотника" after a post's attacks)
    return not any((f.dates or f.day_named or f.dateline is not None or f.live is not None or f.past_day is not None
                    or f.vague_day) and not f.intercepted for f in feats)
