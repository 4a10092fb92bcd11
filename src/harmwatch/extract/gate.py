"""Cheap pre-checks that let a sentence skip a regular expression that cannot match it.

Most sentences of a report (background, quotes, filler) carry none of the words a feature
looks for, yet running the feature's regex over them costs more than the rest of the
sentence's work together. A `Gate` holds, for one regex, a set of words such that EVERY
match of the regex contains at least one of them as a whole word (a maximal run of ``\\w``
characters, compared in lower case). When a sentence has none of them the regex cannot
match and is not run; otherwise the regex runs exactly as before. So a gate never changes
a result, it only skips work; `tests/test_extract_gate.py` checks the word lists against
the patterns.

The per-sentence word set is `words(text)`: the lower-cased ``\\w+`` runs, the same runs a
pattern's ``\\b`` sees. It is None for the rare text where a case-insensitive regex could
match a letter that ``str.lower()`` would not turn into that letter (Kelvin sign, long s,
dotted/dotless i); gates then always let the regex run.
"""
from __future__ import annotations

import re
from typing import AbstractSet, Iterable

_WORD = re.compile(r"\w+")
# The only non-ASCII characters that (?i)[a-z] matches, or whose lower() differs from the
# character in an ASCII letter or in being a word character (computed over all of Unicode).
_CASE_ODD = re.compile("[\u0130\u0131\u017f\u212a]")
_DIGIT = re.compile(r"\d")

Words = AbstractSet[str] | None


def words(text: str) -> Words:
    """Lower-cased whole words of `text`, or None when gates must not be trusted for it."""
    if not text.isascii() and _CASE_ODD.search(text):
        return None
    return set(_WORD.findall(text.lower()))


def whole_word_starts(low: str, found: Iterable[str]) -> list[int]:
    """The offsets, in increasing order, where a word of `found` (lower-case runs of \\w) stands
    whole in `low`: not preceded or followed by a word character. `low` is the lower-cased text
    of a sentence `words` accepted, so its offsets, and which characters are word characters,
    are the original text's. A character is \\w exactly when it is alphanumeric or "_" (sre's
    definition for str patterns). Each occurrence is found with str.find, not a regex scan."""
    n = len(low)
    out: list[int] = []
    for word in found:
        size = len(word)
        p = low.find(word)
        while p >= 0:
            e = p + size
            if (p == 0 or not _is_word_char(low[p - 1])) and (e == n or not _is_word_char(low[e])):
                out.append(p)
            p = low.find(word, p + 1)
    out.sort()
    return out


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


class Gate:
    """`regex` behind a word pre-check: `search`/`finditer` as the regex's, when it can match."""

    __slots__ = ("regex", "keys")

    def __init__(self, regex: re.Pattern, keys: Iterable[str]):
        self.regex = regex
        self.keys = frozenset(keys)

    def open(self, ws: Words) -> bool:
        return ws is None or not self.keys.isdisjoint(ws)

    def search(self, text: str, ws: Words):
        # as `self.regex.search(text) if self.open(ws) else None`, without the call to open()
        if ws is not None and self.keys.isdisjoint(ws):
            return None
        return self.regex.search(text)
