"""Objects hit, in the project's vocabulary (records.OBJECT_TYPES).

Keyword phrases per type. A phrase in a clause that names the object only as
an intended target ("the likely target was the air base") or as military
equipment ("armoured vehicles") does not count.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterator

from .gate import Words, whole_word_starts, words as word_set

PHRASES: dict[str, tuple[str, ...]] = {
    "residential": ("residential", "apartment", "apartments", "apartment block", "block of flats", "flats",
                    "house", "houses", "home", "homes", "housing", "high-rise", "high rise", "dormitory",
                    "private sector", "dwelling", "dwellings", "multi-storey", "multistorey", "five-storey",
                    "nine-storey", "storey building", "story building", "residential building", "courtyard",
                    "cottage", "household", "households", "homestead", "backyard"),
    "hospital": ("hospital", "hospitals", "clinic", "medical facility", "maternity", "health centre",
                 "health center", "polyclinic", "medical centre", "medical center", "emergency room",
                 "psychiatric", "children's hospital", "medical institution", "pharmacy"),
    "school": ("school", "schools", "lyceum", "gymnasium", "boarding school", "educational institution",
               "educational institutions", "educational establishment", "educational establishments",
               "educational facility", "educational facilities"),
    "kindergarten": ("kindergarten", "kindergartens", "nursery school", "preschool", "daycare"),
    "university": ("university", "universities", "college", "campus"),
    "commercial": ("shopping centre", "shopping center", "shopping mall", "mall", "supermarket", "market",
                   "shop", "shops", "store", "stores", "business centre", "business center", "office building",
                   "hotel", "petrol station", "gas station", "filling station", "warehouse", "car wash",
                   "retail", "enterprise", "factory", "plant", "post office", "bank", "hypermarket", "kiosk"),
    "restaurant": ("restaurant", "restaurants", "cafe", "café", "cafes", "pizzeria", "bar", "canteen", "diner",
                   "food court"),
    "cultural": ("theatre", "theater", "museum", "library", "cultural centre", "cultural center",
                 "house of culture", "palace of culture", "cinema", "concert hall", "monument", "art gallery",
                 "stadium", "sports complex", "park"),
    "religious": ("church", "churches", "cathedral", "monastery", "mosque", "synagogue", "chapel", "temple",
                  "lavra"),
    "energy": ("power plant", "power station", "substation", "thermal power", "energy infrastructure",
               "energy facility", "power grid", "power lines", "power line", "boiler house", "hydroelectric",
               "dam", "oil depot", "fuel depot", "heating plant", "combined heat", "electricity",
               "gas infrastructure", "energy facilities", "nuclear power", "critical infrastructure",
               "power facilities", "power facility", "power supply facilities", "energy system", "power engineers"),
    "transport": ("railway station", "train station", "bus station", "train", "railway", "rail line",
                  "bridge", "airport", "seaport", "port", "bus stop", "railway infrastructure",
                  "metro station", "tram stop", "platform", "crossing point", "transport infrastructure"),
    "ambulance": ("ambulance", "ambulances"),
    "humanitarian": ("humanitarian aid", "aid convoy", "aid distribution", "humanitarian corridor",
                     "evacuation convoy", "red cross", "humanitarian hub", "humanitarian centre",
                     "humanitarian center", "humanitarian convoy", "aid workers", "aid point", "invincibility point"),
    "government": ("administration building", "city hall", "town hall", "city council", "council building",
                   "government building", "police station", "regional administration", "administrative building",
                   "court", "prosecutor's office", "village council"),
    "military": ("barracks", "military unit", "military base", "military facility", "military academy",
                 "military institute", "military airfield", "ammunition depot", "command post", "training ground"),
    "agricultural": ("farm", "farms", "field", "fields", "grain", "silo", "silos", "granary", "agricultural",
                     "tractor", "harvester", "crops", "livestock", "poultry", "greenhouse"),
    "vehicle": ("car", "cars", "bus", "minibus", "vehicle", "vehicles", "truck", "trucks", "tram", "trolleybus",
                "van", "marshrutka", "evacuation vehicle", "civilian car", "taxi"),
    "other": ("playground", "playgrounds"),
    "shelter": ("bomb shelter", "shelter", "basement", "cellar", "underground car park", "metro shelter"),
}
_MILITARY_MODIFIERS = ("armoured", "armored", "military", "tank", "troop", "army")
_TARGET_WORDS = re.compile(r"\b(target|targets|targeted|targeting|aimed at|intended)\b", re.IGNORECASE)

_INDEX: dict[str, str] = {}
for _typ, _phrases in PHRASES.items():
    for _p in _phrases:
        _INDEX[_p] = _typ
_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(p) for p in sorted(_INDEX, key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)
# A match starts a whole word (the lookbehind), so the first word of some phrase is in the
# sentence whenever _RE can match: sentences without any skip the regex (see gate.py).
_FIRST_WORDS = frozenset(re.match(r"\w+", p.lower()).group() for p in _INDEX)
_HOME_BEFORE = re.compile(r"\b(at|went|go|going|come|came|return\w*|their way|back)\s+$")
_PATIENT_BEFORE = re.compile(r"(?:\b(?:to|in)|\b(?:doctors|surgeons|medics|treated|treatment)\s+at)\s+"
                             r"(?:(?:the|a|city|local|nearby|regional|district|city's|several|other)\s+){0,2}$"
                             # "was being taken to the Kursk regional hospital": where the wounded went
                             r"|\b(?:taken|brought|rushed|delivered|transported|admitted|sent|evacuated)\s+(?:to|into)\s+"
                             r"(?:[\w'’-]+\s+){0,4}$")
_CARING_AFTER = re.compile(r"^(?:\s+(?:in|of|across)\s+(?:the\s+)?[\w'-]+(?:\s+[\w'-]+)?)?\s+(?:have\s+|has\s+|had\s+|are\s+|were\s+|is\s+|was\s+)?"
                           r"(?:received|admitted|treat\w*|took in|taken in|caring|cared|receiving|admitting)\b", re.IGNORECASE)
# people going to or staying in a shelter, or carried by ambulance: no hit
_SHELTERING_BEFORE = re.compile(r"\b(?:to|in|into|inside|reach\w*|took|take|taking|sought|seek\w*|hid\w*|stay\w*)\s+(?:(?:a|the|an|their|nearby|local)\s+){0,2}$")
# ("the man died before an ambulance crew could get to him": the crew on its way, not a hit)
_CARRYING_AFTER = re.compile(r"^\s+(?:crews?\s+|teams?\s+)?(?:(?:could|could\s+not|couldn't|did\s+not|didn't|was\s+able\s+to)\s+)?"
                             r"(?:took|taken|take|takes|carried|carry|rushed|brought|transported|arrived|evacuated|get|got|"
                             r"reach|reached|came)\b", re.IGNORECASE)
# public transport is a vehicle and transport ("a trolleybus" -> transport, vehicle)
_PUBLIC_TRANSPORT = frozenset({"bus", "minibus", "trolleybus", "tram", "marshrutka"})
# an institution that speaks is not an object hit
_SPEAKS_AFTER = re.compile(r"(?:['’]s?)?(?:\s+(?:press|education|health|information|medical|emergency|social|"
                           r"department|office|service|services|administration|management|spokesperson|spokesman|"
                           r"spokeswoman|head|director|chief|staff|officials?)){0,3}\s+(?:has\s+|have\s+|had\s+)?"
                           r"(?:said|says|reported|reports|announced|stated|told|confirmed|added|wrote|informed|posted)\b",
                           re.IGNORECASE)
_RIVERBANK_BEFORE = re.compile(r"\b(?:left|right|east|west|eastern|western|northern|southern|opposite|other|river|"
                               r"occupied|ukrainian-held|russian-held|russian-occupied)\W*$", re.IGNORECASE)
_ACCORDING_BEFORE = re.compile(r"\baccording to\s+(?:the\s+)?(?:\w+\s+){0,2}$", re.IGNORECASE)
_MILITARY_CLAIM = re.compile(r"\b(target\w*|claim\w*|said it)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ObjectMention:
    type: str
    start: int
    end: int
    text: str


def find_objects(text: str, offset: int = 0, ws: Words = ()) -> list[ObjectMention]:
    """`ws`: the sentence's `gate.words`, when the caller has them."""
    if ws == ():
        ws = word_set(text)
    if ws is not None and _FIRST_WORDS.isdisjoint(ws):
        return []
    out: list[ObjectMention] = []
    for m in _RE.finditer(text) if ws is None else _matches_at_first_words(text, ws):
        phrase = m.group(1).lower()
        typ = _INDEX[phrase]
        before = text[max(0, m.start() - 25):m.start()].lower()
        if typ == "vehicle" and any(w in before for w in _MILITARY_MODIFIERS):
            continue
        if phrase == "bank" and _RIVERBANK_BEFORE.search(before):
            continue  # "the left bank of the Dnipro": a river's bank
        if phrase in ("home", "homes") and _HOME_BEFORE.search(before):
            continue  # "at home", "returned home" describe people, not damage
        if phrase in ("field", "fields", "plant", "court", "bar", "park", "port", "platform", "train", "market",
                      "store", "bank", "temple", "dam", "electricity", "enterprise") and not _damaged_context(text, m.start(), m.end()):
            continue  # common words: count only when the clause says it was hit
        if typ == "hospital" and _PATIENT_BEFORE.search(text[max(0, m.start() - 60):m.start()].lower()) \
                and not _DAMAGE.search(before):
            continue  # "taken to hospital", "died in hospital", "doctors at the regional hospital": patients, not a hit
        if typ == "hospital" and _CARING_AFTER.match(text[m.end():m.end() + 60]):
            continue  # "hospitals in the city have received the wounded": caring for victims, not hit
        if typ == "shelter" and _SHELTERING_BEFORE.search(before) and not _DAMAGE.search(before):
            continue  # "led the passengers to a shelter", "stay in shelters": people sheltering, not a hit
        if typ == "ambulance" and _CARRYING_AFTER.match(text[m.end():m.end() + 30]):
            continue  # "ambulances took the injured to hospital": rescuers, not a hit
        if _SPEAKS_AFTER.match(text, m.end()) or _ACCORDING_BEFORE.search(before):
            continue  # "the city council's education department said", "according to the hospital": a speaker
        clause = _clause(text, m.start())
        if _TARGET_WORDS.search(clause) and typ == "military":
            continue
        if typ == "military" and _MILITARY_CLAIM.search(clause):
            continue
        out.append(ObjectMention(typ, offset + m.start(), offset + m.end(), m.group(1)))
        if phrase in _PUBLIC_TRANSPORT:
            out.append(ObjectMention("transport", offset + m.start(), offset + m.end(), m.group(1)))
    return out


def _matches_at_first_words(text: str, ws) -> Iterator[re.Match]:
    """What `_RE.finditer(text)` yields, trying the regex only where a phrase's first word starts.

    Every match begins at the start of a whole word that is some phrase's first word, so trying
    those positions left to right, and none inside a match already found, gives the same matches
    as scanning every character. Only for text `gate.words` accepts (lower() is faithful)."""
    # the whole words of the text (maximal runs of \w) that are a phrase's first word: found
    # with str.find in the lower-cased text, for each such word the sentence holds
    resume = 0
    for start in whole_word_starts(text.lower(), _FIRST_WORDS.intersection(ws)):
        if start < resume:
            continue
        m = _RE.match(text, start)  # the lookbehind still sees the character before `start`
        if m is not None:
            resume = m.end()
            yield m


@functools.lru_cache(maxsize=4096)
def _first_word_finder(first_words: frozenset) -> re.Pattern:
    """Whole words (any case) among `first_words`: the sentence's possible match starts."""
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(first_words))) + r")(?!\w)", re.IGNORECASE)


_DAMAGE = re.compile(r"\b(hit|struck|strike|damag\w*|destroy\w*|shell\w*|bomb\w*|fire|ablaze|burn\w*|explo\w*|attack\w*|collaps\w*|debris|rubble)\b", re.IGNORECASE)


def _damaged_context(text: str, start: int, end: int) -> bool:
    window = text[max(0, start - 60):end + 60]
    return bool(_DAMAGE.search(window))


def _clause(text: str, pos: int) -> str:
    s = max(text.rfind(",", 0, pos), text.rfind(";", 0, pos), 0)
    e = min([x for x in (text.find(",", pos), text.find(";", pos)) if x >= 0] or [len(text)])
    return text[s:e]
