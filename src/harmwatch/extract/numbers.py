"""Numbers written as digits or words ("57", "1,200", "four", "twenty-one", "a hundred")."""
from __future__ import annotations

import re

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000}
# Words that say "many" without a number: kept as text, the number stays null.
VAGUE = {
    "dozens", "dozen", "scores", "hundreds", "thousands", "several", "many", "numerous", "some",
    "multiple", "countless", "tens",
}
_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")


def word_value(word: str) -> int | None:
    w = word.lower()
    if w in UNITS:
        return UNITS[w]
    if w in TENS:
        return TENS[w]
    if "-" in w:
        a, _, b = w.partition("-")
        if a in TENS and b in UNITS and 0 < UNITS[b] < 10:
            return TENS[a] + UNITS[b]
    return None


def parse_number(words: list[str]) -> tuple[int | None, int]:
    """Parse a number at the start of `words`; return (value, tokens used)."""
    if not words:
        return None, 0
    first = words[0]
    if _DIGITS.match(first):
        value, used = int(first.replace(",", "")), 1
        if len(words) > 1 and words[1].lower() in SCALES and value < 1000:
            return value * SCALES[words[1].lower()], 2
        return value, used
    if first.lower() in ("a", "one") and len(words) > 1 and words[1].lower() == "dozen":
        return 12, 2  # "a dozen": twelve ("dozens" stays vague)
    total, current, used = 0, None, 0
    i = 0
    while i < len(words):
        w = words[i].lower()
        v = word_value(w)
        if v is not None and (current is None or (current % 100 == 0 and v < 100) or current % 10 == 0 and current >= 20 and v < 10):
            current = (current or 0) + v
            used = i + 1
        elif w in SCALES and (current is not None or (i > 0 and words[i - 1].lower() in ("a", "one"))):
            current = (current or 1) * SCALES[w]
            if SCALES[w] == 1000:
                total, current = total + current, 0
            used = i + 1
        elif w == "and" and current is not None and current % 100 == 0 and i + 1 < len(words) and word_value(words[i + 1]) is not None:
            pass
        else:
            break
        i += 1
    if used == 0:
        return None, 0
    return total + (current or 0), used
