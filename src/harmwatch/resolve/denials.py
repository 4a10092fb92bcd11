"""Denials reported in a document, tied to the incident claims they are about.

A denial contests an incident only when it is about THAT incident. Boilerplate such as "Moscow
denies targeting civilians" or "Russia's defence ministry has denied attacking Ukrainian cities or
civilians" at the end of an article states a general position: it does not make every incident the
article reports contested. A denial sentence is tied to a claim when

1. it names the claim's place (then only claims at a place it names), or
2. it is specific (not the general "denies targeting civilians" form) and either lies inside the
   claim's passage or within two sentences after it, before the next claim's passage starts, or
   names an object the claim says was hit ("denied striking the hospital").

Each tie carries its reason in plain words (shown on the incident page as why it is contested).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_DENIAL = re.compile(r"\b(?:denied|denies|deny|dismissed as|rejected (?:the )?(?:claims?|accusations?|reports?))\b",
                     re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?\n]")
# the general position, not a reply about one attack: "denies (deliberately) targeting civilians",
# "denied attacking Ukrainian cities or civilians", "denies striking civilian targets"
_GENERIC = re.compile(r"\b(?:denied|denies|deny)\s+(?:\w+ly\s+)?(?:ever\s+)?(?:targeting|attacking|striking|hitting|"
                      r"shelling|bombing)\s+(?:\w+\s+){0,3}?(?:civilians?|civilian (?:targets|areas|infrastructure|"
                      r"objects|sites)|residential areas)\b", re.IGNORECASE)
ADJACENT_CHARS = 400  # "within two sentences after the passage": at most this far after its end


@dataclass(frozen=True)
class Denial:
    start: int
    end: int
    sentence: str
    generic: bool


@dataclass(frozen=True)
class Span:
    """What tying needs of one claim: its key, place, objects hit and passage offsets."""

    key: str
    place: str | None
    objects: frozenset[str]
    start: int | None
    end: int | None


def find(text: str) -> list[Denial]:
    """Sentences reporting a denial: found by the denial word, then widened to the sentence
    (a leading `[^.]*` in the pattern itself would rescan the text from every position)."""
    out, last_end = [], -1
    for m in _DENIAL.finditer(text):
        if m.start() < last_end:
            continue
        lo = max(0, m.start() - 400)
        start = max((e.end() for e in _SENTENCE_END.finditer(text, lo, m.start())), default=lo)
        while start < m.start() and text[start].isspace():
            start += 1
        end_m = _SENTENCE_END.search(text, m.end())
        end = end_m.end() if end_m else len(text)
        sentence = text[start:end].strip()
        out.append(Denial(start, end, sentence, bool(_GENERIC.search(sentence))))
        last_end = end
    return out


def _names(sentence: str, word: str) -> bool:
    return re.search(r"\b" + re.escape(word.lower()) + r"\b", sentence.lower()) is not None


def tie(claim: Span, claims: list[Span], denials: list[Denial], text: str) -> tuple[str, str] | None:
    """(denial sentence, why it concerns this claim) for the first denial about `claim`, else None."""
    places = {c.place for c in claims if c.place}
    for d in denials:
        named = {p for p in places if _names(d.sentence, p)}
        if named:
            if claim.place in named:
                return d.sentence, f"the denial names {claim.place}"
            continue
        if d.generic:
            continue  # a general position ("denies targeting civilians"), about no incident in particular
        for obj in sorted(claim.objects):
            word = obj.replace("_", " ")
            if _names(d.sentence, word) or _names(d.sentence, word.split()[0]):
                return d.sentence, f"the denial names the {word} hit"
        if claim.start is None or claim.end is None:
            continue
        if claim.start <= d.start < claim.end:
            return d.sentence, "the denial is in the claim's own passage"
        if claim.end <= d.start <= claim.end + ADJACENT_CHARS:
            between = [c for c in claims if c.key != claim.key and c.start is not None and claim.end <= c.start < d.start]
            if not between and text.count(".", claim.end, d.start) <= 2:
                return d.sentence, "the denial follows the claim's passage"
    return None
