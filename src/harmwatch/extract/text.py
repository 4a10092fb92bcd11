"""Sentences and tokens with character offsets into the stored text.

Every later step works on these offsets so that each extracted value can point
back at the exact characters it was read from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import accumulate, chain, repeat
from operator import itemgetter
from typing import NamedTuple

# Abbreviations after which a full stop does not end a sentence.
_ABBREV = {
    "mr", "mrs", "ms", "dr", "st", "gen", "col", "lt", "maj", "capt", "sgt", "no", "vs", "approx",
    "e.g", "i.e", "etc", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "u.n", "u.s", "u.k", "a.m", "p.m", "inc", "corp", "gov", "sen", "rep", "prof",
}
# a footnote marker after the full stop ("were injured.[3] The ...") still ends the sentence
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?:\[\d{1,3}\])*\s+|\n\s*")
# a word glued to a number by a lost space ("injuries to43 others", "at least17") is two tokens
TOKEN_RE = re.compile(r"\d+(?:[.,:]\d+)*(?:-\w+)*|[^\W\d]+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)


class Token(NamedTuple):
    # A named tuple rather than a frozen dataclass: a report has thousands of tokens and a
    # tuple is built several times faster; it is just as immutable, hashable and comparable.
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


_new_token = tuple.__new__  # Token(text, start, end) without the generated __new__'s call overhead


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


_ABBREV_END = re.compile(r"([A-Za-z](?:\.[A-Za-z])*|[A-Za-z]+)\.+[\"'”’)\]]*\s*$")
_CLOSERS = "\"'”’)]"
_LETTERS_DOTS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.")


def _ends_with_abbrev(chunk: str) -> bool:
    # _ABBREV_END can only match within the chunk's tail: letters and dots, then closing quotes
    # and whitespace. Searching just that tail gives the same match as searching the whole
    # chunk (no match can start before it), without trying the pattern at every position.
    e = len(chunk)
    while e > 0 and (chunk[e - 1].isspace() or chunk[e - 1] in _CLOSERS):
        e -= 1
    r = e
    while r > 0 and chunk[r - 1] in _LETTERS_DOTS:
        r -= 1
    m = _ABBREV_END.search(chunk, r)
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
    sent.tokens = tokens(text, s, e)
    out.append(sent)


def tokens(text: str, start: int, end: int) -> list[Token]:
    """The tokens of text[start:end], as `TOKEN_RE.finditer(text, start, end)` gives them, offsets
    absolute (the pattern has no anchors or look-arounds, so matching within the bounds equals
    matching the slice).

    Built from `findall` (no match objects, several times cheaper): every character that is not
    whitespace begins a match of one of TOKEN_RE's alternatives (a digit the first, another word
    character the second, anything else the third), so only whitespace lies between two tokens.
    _SPACED_TOKEN finds each token with the whitespace before it, and the offsets are the running
    sums of their lengths, all without a Python-level step per token."""
    pairs = _SPACED_TOKEN.findall(text, start, end)
    ends = list(accumulate(map(len, chain.from_iterable(pairs)), initial=start))
    return list(map(_new_token, repeat(Token), zip(map(_second, pairs), ends[1::2], ends[2::2])))


# whitespace (possibly none), then a token: findall gives (whitespace, token) for every token
_SPACED_TOKEN = re.compile(r"(\s*)(" + TOKEN_RE.pattern + ")", re.UNICODE)
_second = itemgetter(1)


def _tokens_reference(text: str, start: int, end: int) -> list[Token]:
    """The definition `tokens` computes faster (tests compare the two)."""
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text, start, end)]
