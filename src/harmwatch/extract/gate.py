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
    if text.isascii():
        # \w among ASCII characters is [A-Za-z0-9_]: the others become spaces, the letters lower
        # case, and the words are what split() leaves (the same set as _words_reference's)
        return set(text.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split())
    if _CASE_ODD.search(text):
        return None
    return set(_WORD.findall(text.lower()))


def _words_reference(text: str) -> Words:
    """The definition `words` computes faster (tests compare the two)."""
    if not text.isascii() and _CASE_ODD.search(text):
        return None
    return set(_WORD.findall(text.lower()))


# bytes.translate's table: an ASCII word character to itself in lower case, any other to a space
_ASCII_WORDS = bytes(ord(chr(c).lower()) if _WORD.match(chr(c)) else ord(" ") for c in range(128)) + bytes(range(128, 256))


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


def lowered_twin(regex: re.Pattern) -> re.Pattern | None:
    """For a case-insensitive `regex` written in lower case: the same pattern, case-sensitive, to be
    searched in lower-cased ASCII text, where it matches exactly where `regex` matches the text (sre
    skips the alternatives of a case-sensitive pattern faster). None when that does not hold for
    sure: a pattern with other flags, a non-ASCII character (written or escaped), an upper-case
    letter or a class range reaching one, or inline flags (as "(?-i:May)")."""
    if not isinstance(regex.pattern, str) or regex.flags != re.IGNORECASE | re.UNICODE or not regex.pattern.isascii():
        return None
    try:
        from re import _parser as parser  # the parsed pattern (Python 3.11+); without it, no twin
        from re import _constants as c
    except ImportError:  # pragma: no cover
        return None

    def upper(code: int) -> bool:
        return ord("A") <= code <= ord("Z")

    def safe(items) -> bool:
        for op, av in items:
            if op in (c.LITERAL, c.NOT_LITERAL):
                if upper(av) or av > 127:  # a non-ASCII letter may match an ASCII one ("\u212a", Kelvin: k)
                    return False
            elif op is c.RANGE:
                if (av[0] <= ord("Z") and av[1] >= ord("A")) or av[1] > 127:
                    return False
            elif op is c.IN:
                if not safe(av):
                    return False
            elif op is c.SUBPATTERN:
                if av[1] or av[2] or not safe(av[3]):  # inline flags
                    return False
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
                if not safe(av[2]):
                    return False
            elif op is c.BRANCH:
                if not all(safe(b) for b in av[1]):
                    return False
            elif op in (c.ASSERT, c.ASSERT_NOT):
                if not safe(av[1]):
                    return False
            elif op is c.ATOMIC_GROUP:
                if not safe(av):
                    return False
            elif op is c.GROUPREF_EXISTS:
                if not safe(av[1]) or (av[2] is not None and not safe(av[2])):
                    return False
            elif op not in (c.ANY, c.AT, c.CATEGORY, c.GROUPREF, c.NEGATE):
                return False
        return True

    try:
        tree = parser.parse(regex.pattern, regex.flags)
    except Exception:  # pragma: no cover - the pattern compiled already
        return None
    if tree.state.flags != regex.flags or not safe(tree):
        return None
    return re.compile(regex.pattern)


class Gate:
    """`regex` behind a word pre-check: `search`/`finditer` as the regex's, when it can match."""

    __slots__ = ("regex", "keys", "twin")

    def __init__(self, regex: re.Pattern, keys: Iterable[str]):
        self.regex = regex
        self.keys = frozenset(keys)
        self.twin = lowered_twin(regex)

    def found(self, text: str, ws: Words) -> bool:
        """bool(self.search(text, ws)); for ASCII text, by the lowered twin when there is one."""
        if ws is not None and self.keys.isdisjoint(ws):
            return False
        if self.twin is not None and text.isascii():
            return self.twin.search(text.lower()) is not None
        return self.regex.search(text) is not None

    def open(self, ws: Words) -> bool:
        return ws is None or not self.keys.isdisjoint(ws)

    def search(self, text: str, ws: Words):
        # as `self.regex.search(text) if self.open(ws) else None`, without the call to open()
        if ws is not None and self.keys.isdisjoint(ws):
            return None
        return self.regex.search(text)
