"""What a document's own text says about itself, and PDF line repair.

- `published_in_text`: the publication date a page prints near its top when no manifest or
  metadata gives one: a "Published 3 May 2024" / "Updated ..." line, or a wire dateline
  ("KYIV, May 3 (Reuters) -", its year from another full date near the top).
- `join_pdf_lines`: PDF text extraction breaks every printed line; sentences are joined again
  and end-of-line hyphenation undone, before the text is stored (so every offset indexes the
  joined text).
"""
from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_M = r"(?P<m>january|february|march|april|may|june|july|august|september|october|november|december|" \
     r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_DATE = (rf"(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+{_M.replace('?P<m>', '?P<m1>')},?\s+(?P<y1>20\d\d)"
         rf"|{_M.replace('?P<m>', '?P<m2>')}\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>20\d\d)"
         r"|(?P<iso>(?P<y3>20\d\d)-(?P<m3>\d\d)-(?P<d3>\d\d))"
         r"|(?P<d4>\d{1,2})[./](?P<m4>\d{1,2})[./](?P<y4>20\d\d))")
_LINE = re.compile(rf"^\W{{0,3}}(?P<kind>first published|published|posted|updated|last updated|date)\b(?:\s+on)?\s*:?\s*"
                   rf"(?:\w+day,?\s+)?{_DATE}", re.IGNORECASE | re.MULTILINE)
_DATELINE = re.compile(rf"^[A-Z][A-Z'’. -]{{1,40}}(?:,\s*[A-Z][A-Za-z]+)?,\s*(?i:{_M})\s+(?P<d>\d{{1,2}})(?:,?\s+(?P<y>20\d\d))?"
                       r"\s*\((?:[A-Z][\w.&' ]{0,30})\)\s*[-\u2013\u2014]", re.MULTILINE)
_FULL_DATE = re.compile(_DATE, re.IGNORECASE)
HEAD_CHARS = 3000  # the publication line or dateline stands near the top


def published_in_text(text: str) -> date | None:
    """The publication date the text prints near its top, or None.

    A "Published ..." line wins over an "Updated ..." one (the first publication dates the report);
    then a wire dateline, whose year comes from the dateline or another full date near the top."""
    head = text[:HEAD_CHARS]
    found = [(m.group("kind").lower(), _value(m)) for m in _LINE.finditer(head)]
    found = [(k, v) for k, v in found if v is not None]
    for kind, value in found:
        if "updated" not in kind:
            return value
    if found:
        return found[0][1]
    m = _DATELINE.search(head)
    if m is None:
        return None
    year = m.group("y")
    if year is None:
        other = next((v for v in map(_value, _FULL_DATE.finditer(head)) if v is not None), None)
        if other is None:
            return None
        year = other.year
    try:
        return date(int(year), _MONTHS[m.group("m").lower()], int(m.group("d")))
    except ValueError:
        return None


def _value(m: re.Match) -> date | None:
    g = m.groupdict()
    try:
        if g.get("d1"):
            return date(int(g["y1"]), _MONTHS[g["m1"].lower()], int(g["d1"]))
        if g.get("d2"):
            return date(int(g["y2"]), _MONTHS[g["m2"].lower()], int(g["d2"]))
        if g.get("iso"):
            return date(int(g["y3"]), int(g["m3"]), int(g["d3"]))
        if g.get("d4"):
            return date(int(g["y4"]), int(g["m4"]), int(g["d4"]))
    except (ValueError, KeyError):
        return None
    return None


_HYPHEN_BREAK = re.compile(r"(?<=[a-zа-яіїєґ])-\n(?=[a-zа-яіїєґ])")
_SENTENCE_END = ("." , "!", "?", ":", "\u201d", '"')
MIN_FULL_LINE = 40  # a printed line this long that stops mid-sentence runs on into the next


def join_pdf_lines(page: str) -> str:
    """One PDF page's text with its printed lines joined back into paragraphs.

    "civil-\\nians" -> "civilians" (a lower-case word broken at the line end); a line that stops
    mid-sentence joins the next one with a space when the next starts in lower case or a digit,
    or when the line is a full printed line (headings and list items are short and stay apart).
    Blank lines (paragraph breaks) stay."""
    page = _HYPHEN_BREAK.sub("", page)
    lines = page.split("\n")
    out: list[str] = []
    for line in lines:
        if out and out[-1].strip() and line.strip():
            prev = out[-1].rstrip()
            nxt = line.lstrip()
            mid_sentence = not prev.endswith(_SENTENCE_END)
            if mid_sentence and (nxt[:1].islower() or nxt[:1].isdigit() or len(prev) >= MIN_FULL_LINE):
                out[-1] = prev + " " + nxt
                continue
        out.append(line)
    return "\n".join(out)
