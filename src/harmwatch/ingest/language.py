"""Which language a document is in: English, Ukrainian, Russian or undetermined, offline.

    detect_language("Удар по Харкову: загинули троє людей")   # -> "uk"
    detect_language("Удар по Харькову: погибли три человека")  # -> "ru"
    detect_language("A missile hit Kharkiv")                  # -> "en"

A script-and-letter test, not a statistical model: it only has to tell apart the languages
reports about the war are written in.

* Count the letters. Fewer than `MIN_LETTERS`: "und" (a number, a date, a heading).
* At least half of them Cyrillic: Ukrainian or Russian by the letters only one of them has:
  і ї є ґ are Ukrainian, ы э ъ ё Russian. More Ukrainian ones: "uk"; more Russian ones: "ru";
  as many (usually none: a short text such as "Обстріл міста" has і, but "Обстрел" has
  neither): "und".
* Otherwise, at least half of them Latin: "en". Other Latin-script languages are not told apart
  (a French text is "en" too); the corpora HarmWatch reads are English, Ukrainian and Russian.
* Otherwise (Arabic, Georgian, mixed scripts): "und".

Measured on the open corpus and on short strings: docs/extraction.md ("Language").
"""
from __future__ import annotations

import re

EN, UK, RU, UNDETERMINED = "en", "uk", "ru", "und"
MIN_LETTERS = 3

# What an extractor without a `languages` attribute is taken to read (the bundled extractor
# declares its own: harmwatch.extract.lang.languages()); a document in any other language is
# stored without claims and reported.
EXTRACTION_LANGUAGES = frozenset({EN})

_LETTER = re.compile(r"[^\W\d_]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_UK_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RU_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")
SAMPLE_CHARS = 50_000  # enough to decide; a 2-million-character document is not read whole


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def detect_language(text: str) -> str:
    """"en", "uk", "ru" or "und" (undetermined) for `text`; see the module docstring."""
    sample = text[:SAMPLE_CHARS]
    # The ASCII letters are counted apart (bytes.translate, in C): they are letters and Latin, never
    # Cyrillic, and none of the other patterns matches them. The patterns then run over the rest of
    # the sample only, usually a few characters of an English report; the counts are the same as
    # the patterns' over the whole sample.
    raw = sample.encode("utf-8", "surrogatepass")
    ascii_letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
    rest = "".join(_NON_ASCII.findall(sample)) if not sample.isascii() else ""
    letters = ascii_letters + (len(_LETTER.findall(rest)) if rest else 0)
    if letters < MIN_LETTERS:
        return UNDETERMINED
    cyrillic = len(_CYRILLIC.findall(rest)) if rest else 0
    if 2 * cyrillic >= letters:
        uk, ru = len(_UK_ONLY.findall(rest)), len(_RU_ONLY.findall(rest))
        return UK if uk > ru else RU if ru > uk else UNDETERMINED
    if 2 * (ascii_letters + (len(_LATIN.findall(rest)) if rest else 0)) >= letters:
        return EN
    return UNDETERMINED


def _detect_language_reference(text: str) -> str:
    """The plain definition `detect_language` computes faster (tests compare the two)."""
    sample = text[:SAMPLE_CHARS]
    letters = len(_LETTER.findall(sample))
    if letters < MIN_LETTERS:
        return UNDETERMINED
    cyrillic = len(_CYRILLIC.findall(sample))
    if 2 * cyrillic >= letters:
        uk, ru = len(_UK_ONLY.findall(sample)), len(_RU_ONLY.findall(sample))
        return UK if uk > ru else RU if ru > uk else UNDETERMINED
    if 2 * len(_LATIN.findall(sample)) >= letters:
        return EN
    return UNDETERMINED


def normalise_code(value: str) -> str | None:
    """A language code as stored ("en", "uk", "pt-br"): lower case, "_" read as "-"; None when
    `value` is not of that shape (two or three letters, then optional subtags)."""
    code = value.strip().lower().replace("_", "-")
    return code if _CODE.fullmatch(code) else None
