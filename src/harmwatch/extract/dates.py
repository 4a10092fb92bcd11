"""Dates and clock times of attacks, resolved against the publication date.

"24 February", "February 24, 2022", "2022-02-24", "yesterday", "on Monday",
"overnight", "last night", "two days ago"; times "at approximately 10.30 am",
"around 8am", "at 14:00". A weekday or a date without a year is the latest
such day on or before publication. Without a publication date, relative
expressions cannot be resolved and stay null.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .gate import Words, has_digit, words as word_set
from .lang import english as _english

# month and weekday names come from data/lang/en.yaml (lang/__init__.py: english())
MONTHS = dict(_english()["month_numbers"])
WEEKDAYS = dict(_english()["weekdays"])
_NUMWORD = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1}
_M = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
DATE_RE = re.compile(
    r"\b(?P<iso>(?P<iy>20\d\d)-(?P<im>\d\d)-(?P<id>\d\d))\b"
    rf"|\b(?:the\s+)?{_DAY}(?:\s+of)?\s+{_M}(?:,?\s+(20\d\d))?\b"
    rf"|\b{_M}\s+{_DAY}(?:,?\s+(20\d\d))?\b"
    r"|\b(?P<dmy>(\d{1,2})[./](\d{1,2})[./](20\d\d))\b"
    r"|\b(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?P<rel>yesterday|today|tonight|this morning|this afternoon|this evening|earlier today|last night|overnight|the day before yesterday)\b"
    r"|\b(?P<ago>(\d+|one|two|three|four|five|six|seven|a) days? ago)\b",
    re.IGNORECASE,
)
TIME_RE = re.compile(
    r"\b(?:at|around|about|approximately|shortly after|shortly before|just after|just before|before|after|~)\s+"
    r"(?:(?:approximately|around|about|roughly)\s+)?"
    r"(?P<h>\d{1,2})(?:[.:](?P<m>\d\d))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)?(?:\s+local time)?",
    re.IGNORECASE,
)
# a date that names when a war or period began is background, not the attack
_BACKGROUND = re.compile(r"\b(since|began|begun|started|start of|beginning of|launched (?:its|the|a) (?:full-scale )?invasion)\W+(?:\w+\W+){0,5}$", re.IGNORECASE)


# "said on Friday", "in a report published on Wednesday": the day of the statement, not of the attack
# (GUIDELINES, "Date and time")
_STATEMENT_BEFORE = re.compile(r"\b(?:said|says|told (?:\w+ ){0,2}?\w+|announced|stated|published|released|issued|"
                               r"wrote|posted|concluded|declared|tweeted)\s+"
                               # "said in his summary of the past day on Thursday", "wrote in a Telegram post on Monday"
                               r"(?:(?:in|via|through)\s+(?:(?!(?:attack|strike|shelling)s?\b)[\w'-]+\s+){1,7}?)?"
                               r"(?:(?:late|early|earlier|later) )?on\s+$",
                               re.IGNORECASE)

# "By Saturday morning he said five had died", "as of Monday": the day a count was reached, not the attack's
# ("by Saturday's shelling" is the attack's: a possessive date is kept)
_AS_OF_BEFORE = re.compile(r"\b(?:by|as of|as at)\s+$", re.IGNORECASE)


# a day range ("15-16 January", "from 3 to 5 May"): the date found is one end of it
_RANGE_BEFORE = re.compile(r"(?:\b\d{1,2}(?:st|nd|rd|th)?[-\u2013\u2014]|\bfrom\s+\d{1,2}(?:st|nd|rd|th)?\s+to\s+|"
                           r"\bbetween\s+\d{1,2}(?:st|nd|rd|th)?\s+and\s+)$", re.IGNORECASE)
# ("May 3-4", "May 3 to 5,"): the second day closes the phrase; "May 3 - 12 people were killed" is no range
_RANGE_AFTER = re.compile(r"(?:[-\u2013\u2014]|\s+to\s+)\d{1,2}(?:st|nd|rd|th)?\b(?=\s*(?:[,.;:)]|$|20\d\d\b))",
                          re.IGNORECASE)


_NIGHT = re.compile(r"\b(?:night|overnight)\b", re.IGNORECASE)


def _consecutive(before: re.Match | None, after: re.Match | None, d: date) -> bool:
    """The range's other end is the day before (`before`) or after (`after`) d."""
    m = before or after
    n = re.search(r"\d{1,2}", m.group(0)) if m else None
    if n is None:
        return False
    return int(n.group()) == (d - timedelta(days=1)).day if before else int(n.group()) == (d + timedelta(days=1)).day


@dataclass(frozen=True)
class DateMention:
    value: date
    start: int
    end: int
    relative: bool
    span: bool = False  # one end of a range of days ("15-16 January"): dates no single attack


@dataclass(frozen=True)
class TimeMention:
    value: str  # HH:MM
    start: int
    end: int


def _latest_on_or_before(pub: date, month: int, day: int) -> date | None:
    for year in (pub.year, pub.year - 1):
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if d <= pub + timedelta(days=1):
            return d
    return None


# Every alternative of DATE_RE without a digit needs one of these words whole (see gate.py)...
_DATE_WORDS = frozenset({*WEEKDAYS, "yesterday", "today", "tonight", "overnight", "ago"})
# ... or one of these pairs: "this morning/afternoon/evening", "last night" ("night" alone is common).
_DATE_PAIRS = (("this", frozenset({"morning", "afternoon", "evening"})), ("last", frozenset({"night"})))


def _may_have_date(text: str, ws) -> bool:
    if ws is None or has_digit(text) or not _DATE_WORDS.isdisjoint(ws):
        return True
    return any(first in ws and not second.isdisjoint(ws) for first, second in _DATE_PAIRS)



# _BACKGROUND needs one of these whole words before the date (a word followed by a non-word
# character inside the prefix is a whole word of the sentence too).
_BACKGROUND_WORDS = frozenset({"since", "began", "begun", "started", "start", "beginning", "launched"})


def find_dates(text: str, offset: int, published: date | None, ws: Words = (),
               told: list[DateMention] | None = None) -> list[DateMention]:
    """`ws`: the sentence's `gate.words`, when the caller has them. Days a statement was made ("said on
    Saturday") are left out; `told`, when given, receives them."""
    if ws == ():
        ws = word_set(text)
    if not _may_have_date(text, ws):
        return []
    background = ws is None or not _BACKGROUND_WORDS.isdisjoint(ws)
    out: list[DateMention] = []
    for m in DATE_RE.finditer(text):
        if background and _BACKGROUND.search(text[:m.start()]):
            continue
        if _AS_OF_BEFORE.search(text, max(0, m.start() - 8), m.start()) is not None \
                and not text.startswith(("'s", "’s"), m.end()):
            continue  # the day a count stood: neither the attack's nor a statement's
        statement = bool(_STATEMENT_BEFORE.search(text, max(0, m.start() - 40), m.start()))
        if statement and told is None:
            continue
        # "on 15-16 January", "3 to 5 May": a span of days, no single date (kept, marked `span`)
        before = _RANGE_BEFORE.search(text, 0, m.start())
        after = None if before or m.group("wd") is not None else _RANGE_AFTER.match(text, m.end())
        span = bool(before or after) or _period_end(text, m)
        g = m.groups()
        d: date | None = None
        relative = False
        try:
            if m.group("iso"):
                d = date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
            elif g[4]:  # day month [year]
                d = _resolve(int(g[4]), MONTHS[g[5].lower()], g[6], published)
            elif g[7]:  # month day [year]
                d = _resolve(int(g[8]), MONTHS[g[7].lower()], g[9], published)
            elif m.group("dmy"):
                d = date(int(g[13]), int(g[12]), int(g[11]))
            elif m.group("wd") and published:
                if not m.group("wd")[0].isupper():
                    continue
                delta = (published.weekday() - WEEKDAYS[m.group("wd").lower()]) % 7
                d, relative = published - timedelta(days=delta), True
            elif m.group("rel") and published:
                r = m.group("rel").lower()
                back = {"yesterday": 1, "last night": 1, "the day before yesterday": 2}.get(r, 0)
                d, relative = published - timedelta(days=back), True
            elif m.group("ago") and published:
                n = m.group("ago").split()[0].lower()
                d, relative = published - timedelta(days=int(n) if n.isdigit() else _NUMWORD[n]), True
        except (ValueError, KeyError):
            d = None
        if d is not None and statement:
            told.append(DateMention(d, offset + m.start(), offset + m.end(), relative, span))
        elif d is not None and (published is None or d <= published + timedelta(days=1)):
            if span and _NIGHT.search(text) and _consecutive(before, after, d):
                # "on the night of 15-16 January": a night attack takes the date of the morning it ends
                d, span = (d + timedelta(days=1) if after else d), False
            out.append(DateMention(d, offset + m.start(), offset + m.end(), relative, span))
    return out


# "during the period from 10th October 2022 to at least 9th March 2023", "between 1 and 15 March 2024":
# both ends of a period of dates date no single attack
_PERIOD_FROM = re.compile(r"\b(?:from|between)\s+$", re.IGNORECASE)
_PERIOD_TO = re.compile(r"^\s+(?:to|until|till|through|and)\s+(?:at\s+least\s+)?(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?"
                        r"(?:\s+of)?\s+[A-Za-z]+|^\s+(?:to|until|till|through|and)\s+(?:at\s+least\s+)?[A-Z][a-z]+\s+\d",
                        re.IGNORECASE)
_PERIOD_FROM_DATE = re.compile(r"\b(?:from|between)\s+(?:the\s+)?[^.;]{0,25}?\d[^.;]{0,25}?\s+(?:to|until|till|through|and)\s+"
                               r"(?:at\s+least\s+)?(?:the\s+)?$", re.IGNORECASE)


def _period_end(text: str, m: re.Match) -> bool:
    if m.group("wd") is not None or m.group("rel") is not None or m.group("ago") is not None:
        return False
    head = text[max(0, m.start() - 60):m.start()]
    return bool((_PERIOD_FROM.search(head) and _PERIOD_TO.match(text[m.end():]))
                or _PERIOD_FROM_DATE.search(head))


def _resolve(day: int, month: int, year: str | None, published: date | None) -> date | None:
    if year:
        return date(int(year), month, day)
    if published is None:
        return None
    return _latest_on_or_before(published, month, day)


_UNIT_AFTER = re.compile(r"\s*(km|mm|kilo|per|%)")


def find_times(text: str, offset: int) -> list[TimeMention]:
    out = []
    if not has_digit(text):
        return out  # TIME_RE needs an hour in digits
    for m in TIME_RE.finditer(text):
        h = int(m.group("h"))
        mm = int(m.group("m") or 0)
        ap = (m.group("ap") or "").lower().replace(".", "")
        after = text[m.end():m.end() + 12].lower()
        if not ap and not m.group("m"):
            continue  # "at 8" alone is not a clock time
        if not ap and m.group("m") and _UNIT_AFTER.match(after):
            continue
        if ap == "pm" and h < 12:
            h += 12
        elif ap == "am" and h == 12:
            h = 0
        if h > 23 or mm > 59:
            continue
        out.append(TimeMention(f"{h:02d}:{mm:02d}", offset + m.start(), offset + m.end()))
    return out
