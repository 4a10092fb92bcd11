"""The stated likely target of a strike, from the stored source text ("The likely target was the
nearby Chuhuiv Air Base", "troops had likely been targeting the nearby Chuhuiv Air Base").

Rule-based over a claim's passage (English wording; Ukrainian and Russian reports are not read for
this yet). Every target keeps its span: offsets into the source text and the quote.
"""
from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

# "the likely target was ...", "the intended target may have been ..."
_STATED = (r"\b(?:likely|probable|possible|presumed|apparent|intended|suspected|actual|real)\s+targets?\s+"
           r"(?:was|were|is|are|may\s+have\s+been|might\s+have\s+been|appears\s+to\s+have\s+been|"
           r"seems\s+to\s+have\s+been|could\s+have\s+been|would\s+have\s+been)\s+")
# "had likely been targeting ...", "were probably aiming at ..."
_TARGETING = (r"\b(?:likely|probably|apparently|presumably|possibly|reportedly)\s+(?:been\s+|were\s+|was\s+)?"
              r"(?:targeting|targetting|aiming\s+at|trying\s+to\s+hit)\s+")
# the target: "the nearby Chuhuiv Air Base" up to a comma, full stop, semicolon, "but", "and instead"
_PHRASE = (r"(?P<t>(?:the\s+|a\s+|an\s+)?(?:nearby\s+|near-by\s+|local\s+)?"
           r"[\w'’-]+(?:\s+(?!but\b|and\s+instead\b|when\b|which\b|where\b|while\b)[\w'’-]+){0,7})")
_RE = re.compile(f"(?:{_STATED}|{_TARGETING}){_PHRASE}", re.IGNORECASE)
_LEAD = re.compile(r"^(?:the|a|an)\s+(?:nearby\s+|near-by\s+|local\s+)?|^(?:nearby|near-by|local)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class StatedTarget:
    name: str  # "Chuhuiv Air Base" (articles and "nearby" dropped)
    quote: str  # the whole phrase as written: "likely target was the nearby Chuhuiv Air Base"
    start: int  # offsets of `quote` into the source text
    end: int
    claim: str | None = None  # the claim key ("doc#ordinal") whose passage gave it

    def to_dict(self) -> dict:
        return asdict(self)


def find_targets(text: str, offset: int = 0, claim: str | None = None) -> list[StatedTarget]:
    """Stated likely targets in `text` (a claim's passage); `offset` is where `text` starts in the
    source text, so the spans index the stored source."""
    out = []
    low = text.lower()
    if "target" not in low and "aim" not in low and "trying to hit" not in low:
        return out  # the common case, without running the pattern
    for m in _RE.finditer(text):
        phrase = m.group("t").rstrip(" '’-")
        name = _LEAD.sub("", phrase).strip()
        if not name or name.lower() in ("civilians", "civilian", "them", "it", "people"):
            continue
        end = m.start("t") + len(phrase)
        out.append(StatedTarget(name=name, quote=text[m.start():end], start=offset + m.start(), end=offset + end,
                                claim=claim))
    return out


def normalise(name: str) -> str:
    """A key for matching a target's name with a military object's: case, articles, punctuation and
    the spelling of "air base"/"airbase" ignored."""
    s = re.sub(r"[^\w\s]", " ", name.casefold())
    s = re.sub(r"\bairbase\b", "air base", s)
    s = re.sub(r"\b(?:the|a|an|nearby)\b", " ", s)
    return " ".join(s.split())


EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * 1000 * math.asin(min(1.0, math.sqrt(a)))


def miss_probability(distance: float, cep: float) -> float:
    """P(miss >= d) for a circular normal miss distance with this CEP: 2^-(d/CEP)^2."""
    if cep <= 0:
        raise ValueError("CEP must be positive")
    return 2.0 ** (-((distance / cep) ** 2))
