"""Sentences and tokens with character offsets into the stored text.

Every later step works on these offsets so that each extracted value can point
back at the exact characters it was read from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# Abbreviations after which a full stop does not end a sentence.
_ABBREV = {
    "mr", "mrs", "ms", "dr", "st", "gen", "col", "lt", "maj", "capt", "sgt", "no", "vs", "approx",
    "e.g", "i.e", "etc", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "u.n", "u.s", "u.k", "a.m", "p.m", "inc", "corp", "gov", "sen", "rep", "prof",
}
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*\s+|\n\s*")
TOKEN_RE = re.compile(r"\d+(?:[.,:]\d+)*(?:-\w+)*|\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    text: str
    paragraph: int
    tokens: list[Token] = field(default_factory=list)

    def quote(self, start: int, end: int) -> str:
        return self.text[start - self.start:end - self.start]


def _ends_with_abbrev(chunk: str) -> bool:
    m = re.search(r"([A-Za-z](?:\.[A-Za-z])*|[A-Za-z]+)\.+[\"'”’)\]]*\s*$", chunk)
    if not m:
        return False
    word = m.group(1).lower()
    return word in _ABBREV or len(word) == 1


def split_sentences(text: str) -> list[Sentence]:
    """Split on sentence punctuation and line breaks; blank lines start a new paragraph."""
    out: list[Sentence] = []
    para = 0
    start = 0
    pos = 0
    n = len(text)
    while pos < n:
        m = _BOUNDARY.search(text, pos)
        if not m:
            end, nxt = n, n
        else:
            end, nxt = m.end(), m.end()
            chunk = text[start:m.end()]
            is_newline = "\n" in m.group(0)
            following = text[m.end():m.end() + 1]
            if not is_newline and (_ends_with_abbrev(chunk) or (following and following.islower())):
                pos = m.end()
                continue
        _emit(text, start, end, para, out)
        if m and text.count("\n", m.start(), m.end()) >= 2:
            para += 1
        elif m and "\n" in m.group(0):
            para += 1  # one line per paragraph is the common plain-text layout
        start = pos = nxt
    return out


def _emit(text: str, start: int, end: int, para: int, out: list[Sentence]) -> None:
    s, e = start, end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e <= s:
        return
    sent = Sentence(index=len(out), start=s, end=e, text=text[s:e], paragraph=para)
    sent.tokens = [Token(m.group(0), s + m.start(), s + m.end()) for m in TOKEN_RE.finditer(sent.text)]
    out.append(sent)
