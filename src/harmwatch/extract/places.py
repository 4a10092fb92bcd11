"""Place mentions in a sentence: settlements (via the gazetteer) and oblasts.

A capitalised run of words is looked up in the gazetteer, longest first
("Kryvyi Rih" before "Kryvyi"). Because a full settlement list holds names that
are also ordinary English words or surnames, a hit counts only when it is not
a common word and it is either a sizeable place or introduced like a place
("in X", "village of X", "X, Donetsk region").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..geo import Gazetteer, Place
from .text import Sentence

# what follows "<Name> regional" when the region's office or official is meant
REGIONAL_TITLES = {"governor", "administration", "military", "state", "council", "prosecutor", "prosecutor's",
                   "police", "head", "chief", "authorities", "officials", "emergency", "department", "office"}
REGION_WORDS = {"region", "regions", "oblast", "oblasts", "province", "provinces", "oblast's", "region's", "область"}
LOCATIVE = {"in", "near", "at", "on", "into", "of", "outside", "from", "to", "towards", "toward", "around",
            "village", "town", "city", "settlement", "hamlet", "suburb", "outskirts", "district", "across", "over",
            "hit", "struck", "shelled", "attacked", "bombed", "targeted", "pounded", "and", "uk", "в", "у"}
STRONG_LOCATIVE = {"village", "town", "city", "settlement", "hamlet", "suburb", "outskirts", "villages", "towns"}
REFERENCE_CUES = {"near", "outside", "towards", "toward", "from", "of"}  # "near X": X locates, not the scene
_CAP = re.compile(r"^[A-ZА-ЯІЇЄҐ][\w'’\-]*$")
# The characters _CAP accepts first: most tokens fail on this set lookup without running _CAP.
_CAP_FIRST = frozenset([*map(chr, range(ord("A"), ord("Z") + 1)), *map(chr, range(ord("А"), ord("Я") + 1)), *"ІЇЄҐ"])


def _is_cap(word: str) -> bool:
    return word[:1] in _CAP_FIRST and _CAP.match(word) is not None

# Capitalised words that are never place names in these reports even if a village carries them.
STOP = {
    "the", "a", "an", "in", "on", "at", "and", "but", "or", "of", "for", "with", "to", "by", "from", "as", "it",
    "he", "she", "they", "we", "i", "this", "that", "these", "those", "there", "their", "his", "her", "its",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "russia", "russian", "russians", "ukraine", "ukrainian", "ukrainians", "amnesty", "international",
    "president", "minister", "ministry", "governor", "mayor", "army", "forces", "general", "colonel",
    "council", "security", "united", "nations", "un", "nato", "eu", "european", "union", "state", "emergency",
    "service", "police", "human", "rights", "watch", "office", "mission", "according", "another", "separately",
    "also", "meanwhile", "however", "earlier", "later", "photo", "video", "reuters", "ap", "afp", "bbc", "cnn",
    "kremlin", "moscow", "belarus", "crimea", "black", "sea", "north", "south", "east", "west", "central",
    "western", "eastern", "northern", "southern", "defence", "defense", "red", "cross", "world", "health",
    "organization", "organisation", "lab", "evidence", "crisis", "secretary", "chief", "head", "deputy",
    "prosecutor", "airport", "air", "base", "railway", "station", "street", "avenue", "square", "district",
    "city", "village", "town", "region", "oblast", "hospital", "school", "university", "national", "guard",
    "news", "agency", "telegram", "facebook", "twitter", "x", "graphic", "pictures", "images", "satellite",
    "victory", "peace", "freedom", "hope", "mir", "zoria", "mayak", "nova", "novyi", "stara", "lenina",
    "komunar", "pershe", "travnia", "chervonyi", "zelenyi", "sonyachne", "pryvilne", "druzhba", "progress",
    "prohres", "dobre", "mala", "velyka", "nove", "staryi", "lyman", "ray", "bor", "dolyna", "kut", "gai",
    "interfax", "ukrinform", "suspilne", "kyiv independent", "ohchr", "hrmmu", "who", "unicef", "msf",
    "putin", "zelensky", "zelenskyy", "shoigu", "callamard", "bachelet", "lyashko", "syrsky", "tochka",
    "grad", "shahed", "kalibr", "iskander", "kinzhal", "smerch", "uragan", "tornado", "oniks", "geran",
    "storm", "shadow", "himars", "atacms", "lancet", "kab", "fab", "serpnia", "comentarios", "editorial",
    "vladimir", "volodymyr", "viktor", "victor", "oleksandr", "alexander", "mykola", "ivan", "olena", "maria",
    "anna", "sergei", "serhiy", "andriy", "petro", "yuriy", "yuri", "vitali", "vitaliy", "oleh", "dmytro", "ihor",
    "natalia", "oksana", "olga", "tetiana", "iryna", "denys", "pavlo", "ruslan", "roman", "bohdan", "taras",
    "staff", "mail", "mailonline", "daily", "times", "post", "guardian", "independent", "telegraph", "sky",
}
# Capitalised words that may follow a place name inside one capitalised run ("Chuhuiv Air Base").
FOLLOWERS = {
    "Air", "Base", "Airport", "Airfield", "Railway", "Station", "Hospital", "Oblast", "Region", "District", "Raion",
    "Street", "Avenue", "Square", "Mayor", "Governor", "Regional", "City", "Council", "Military", "Administration",
    "Police", "Thermal", "Power", "Plant", "Nuclear", "Hydroelectric", "Dam", "Port", "Bridge", "Metro", "Children",
    "Central", "Maternity", "Drama", "Theatre", "Theater", "University", "School", "Lyceum", "Cathedral", "Church",
    "State", "Emergency", "Service", "Prosecutor", "Prosecutor's", "Court", "Mall", "Shopping", "Centre", "Center",
    "Hotel", "Market", "Park", "Stadium", "Mine", "Refinery", "Oil", "Depot", "On", "In", "At", "And", "Of", "Was",
    "Were", "Is", "Has", "Had", "The", "A", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
}
# Settlement names kept even though they appear in STOP-like positions: real targets whose names are words.
KEEP = {"lyman"}
# Rivers that share a name with a settlement ("the Dnipro", "the Desna"). Named with "the" and no
# capitalised word after it ("Dnipro City Council"), or followed by "river", they are the river.
RIVERS = {"dnipro", "dnieper", "dnister", "dniester", "desna", "inhulets", "oskil", "donets", "siverskyi donets",
          "southern bug", "bug", "danube", "psel", "vorskla", "sula"}
RIVER_AFTER = {"river", "riverbank", "riverbanks", "reservoir", "delta", "estuary", "floodplain", "floodplains"}


@dataclass(frozen=True)
class PlaceMention:
    start: int
    end: int
    text: str
    kind: str  # "settlement" | "oblast"
    admin1: str | None
    candidates: tuple[Place, ...] = ()
    cue: str | None = None  # the word before ("in", "near", ...)
    admin_hint: str | None = None  # an oblast named right after ("X, Donetsk region")
    raion: str | None = None  # the raion named right after ("Гроза Куп'янського району"): its KATOTTG prefix


def find_places(sent: Sentence, gaz: Gazetteer) -> list[PlaceMention]:
    toks = sent.tokens
    out: list[PlaceMention] = []
    i = 0
    n = len(toks)
    while i < n:
        # most tokens are not capitalised: step over them without the rest of the loop's work
        while i < n and toks[i][0][:1] not in _CAP_FIRST:
            i += 1
        if i >= n:
            break
        t = toks[i]
        if not _is_cap(t.text) or t.text.isdigit():
            i += 1
            continue
        j = i
        while j < len(toks) and j - i < 4 and _is_cap(toks[j].text):
            j += 1
        found = None
        for k in range(j, i, -1):
            words = [x.text for x in toks[i:k]]
            name = _strip_possessive(" ".join(words))
            nxt = toks[k].lower if k < len(toks) else ""
            nxt2 = toks[k + 1].lower if k + 1 < len(toks) else ""
            if nxt == "regional" and nxt2 in REGIONAL_TITLES and k == i + 1:
                break  # "Kherson regional governor": the region's official, not a place of the report
            if nxt in REGION_WORDS or (nxt == "and" and nxt2 and k + 2 < len(toks) and toks[k + 2].lower in REGION_WORDS):
                ob = gaz.oblast(name)
                if not ob and nxt in REGION_WORDS and _in_before(toks, i) \
                        and (fr := gaz.foreign_region(f"{name} region")) is not None:
                    # "in Russia's Kursk region": a region across the border as the scene, named as the oblasts are
                    # (not "fired from the Belgorod region")
                    ob = fr[1]
                if ob:
                    end = toks[k].end if nxt in REGION_WORDS else toks[k - 1].end
                    found = (k, PlaceMention(t.start, end, sent.quote(t.start, end), "oblast", ob))
                    break
            if name.lower() in STOP and name.lower() not in KEEP:
                continue
            if name.lower() in _CAPITALS and SPEAKER_AFTER.match(sent.text[toks[k - 1].end - sent.start:]) \
                    and (i == 0 or toks[i - 1].lower not in LOCATIVE
                         or (toks[i - 1].lower == "and" and i > 1 and toks[i - 2].lower in _CAPITALS)):
                # "as Kyiv said hundreds of drones had been launched": the government speaking, no scene ("the
                # attack on Kyiv claimed the lives of 27" is the city)
                continue
            if name.lower() in RIVERS and _river(toks, i, k):
                continue
            if k < j and toks[k].text not in FOLLOWERS and not toks[k].text.isupper() \
                    and not words[-1].endswith(("'s", "’s")):
                continue  # "Vladimir Putin": part of a longer proper name, not a place ("Kherson's Dniprovskyi" is)
            # city districts (PPLX) carry surnames ("Shevchenko"); they are not the scene of an attack by name
            cands = [c for c in gaz.candidates(name) if c.feature_code != "PPLX"]
            abroad = _foreign_hint(toks, k, gaz)
            there = gaz.foreign_candidates(name, abroad) if abroad else []
            if there:  # "Shebekino, Belgorod region", "Sudzha in the Kursk region": across the border
                end = toks[k - 1].end
                found = (k, PlaceMention(t.start, end, name, "settlement", abroad, tuple(there), _cue(toks, i), abroad))
                break
            if abroad and (cands or _cue(toks, i) in STRONG_LOCATIVE):
                # "the village of Verkhny Lyubazh in Russia's Kursk region", "Zhuravlyovka, Belgorod region": a
                # settlement across the border that no table holds (never a Ukrainian namesake: the region is
                # named); its name and region, no point (lat/lon are never guessed)
                found = (k, PlaceMention(t.start, toks[k - 1].end, name, "settlement", abroad, (), _cue(toks, i), abroad))
                break
            if cands:
                cue = _cue(toks, i)
                hint = _admin_hint(toks, k, gaz)
                if _plausible(name, cands, cue, hint, sent, i):
                    end = toks[k - 1].end
                    found = (k, PlaceMention(t.start, end, name, "settlement", None, tuple(cands), cue, hint))
                    break
            elif len(words) == 1:
                ob = gaz.oblast(name) if name.endswith(("ska", "ska oblast")) else None
                if ob:
                    found = (k, PlaceMention(t.start, toks[k - 1].end, name, "oblast", ob))
                    break
            if not cands and (far := gaz.foreign_candidates(name)):
                # "a city beach in Kursk", "the town of Rylsk": a place across the border with no Ukrainian namesake,
                # taken when introduced as a place or big enough not to be a surname (as the Slavic annotator does)
                cue, top = _cue(toks, i), far[0].population
                # "the Kursk and Voronezh regions", "the Volokonovka district": regions and districts, not the town
                # ("Belgorod and the surrounding Belgorod district" names the city: "and" before a lower-case word)
                regional = nxt in REGION_WORDS or nxt in ("district", "districts", "raion") \
                    or (nxt == "and" and k + 1 < len(toks) and _is_cap(toks[k + 1].text))
                if not regional and cue not in ("from", "towards", "toward", "to") \
                        and foreign_place_plausible(cue in LOCATIVE, top, i == 0):
                    found = (k, PlaceMention(t.start, toks[k - 1].end, name, "settlement", far[0].admin1, tuple(far),
                                             cue, far[0].admin1))
                    break
        if found and found[1].kind == "settlement" and _unnamed_village_of(toks, i, found[0]):
            # "in a village of the Snovsk community": a village the text does not name, in X's area (an area:
            # the incident has no settlement, and X's oblast when X's namesakes share one)
            k, pm = found
            regions = {c.admin1 for c in pm.candidates}
            end = toks[k].end
            found = (k + 1, PlaceMention(pm.start, end, sent.quote(pm.start, end), "area",
                                         regions.pop() if len(regions) == 1 else pm.admin_hint, cue="in"))
        if found:
            k, pm = found
            out.append(pm)
            i = k + (1 if k < len(toks) and toks[k].lower in REGION_WORDS else 0)
        elif t.text.lower() in STOP or t.text.endswith(("'s", "’s")):
            # "In Kryvyi Rih": the run starts with a function word; "Ukraine's Zaporizhzhia region": with a
            # possessive the place may follow it
            i += 1
        else:
            i = j if j > i else i + 1
    return _directions_shared(out, sent)


# a capital named as its government ("Kyiv said", "Moscow has denied"): the speaker, not a place of the report
_CAPITALS = frozenset({"kyiv", "kiev", "moscow", "minsk"})
# "Kyiv said", "Moscow has denied", "Kyiv did not immediately comment", "Moscow and Kyiv both say": the government
# speaking (a capital's, or any place's in assemble's scene choice)
SPEAKER_AFTER = re.compile(
    r"\s+(?:and\s+(?:Kyiv|Kiev|Moscow|Minsk)\s+)?(?:both\s+|also\s+)?"
    r"(?:(?:has|had|have|did|does|do|would|could)\s+(?:not\s+|n't\s+)?(?:yet\s+|immediately\s+)?)?"
    r"(?:said|says|say|claimed|claims|claim|accused|accuses|accuse|blamed|blames|blame|denied|denies|deny|"
    r"reported|announced|insisted|insists|insist|responded|respond|warned|urged|demanded|alleged|argued|called|"
    r"comment|commented|comments)\b", re.IGNORECASE)
_WHITHER = frozenset({"towards", "toward", "to", "from"})
_LIST_NEXT = re.compile(r"^\s*(?:,|,?\s*and|,?\s*or)\s+(?:the\s+)?(?:(?:town|city|village|settlement)\s+of\s+)?$")


def _directions_shared(out: list[PlaceMention], sent: Sentence) -> list[PlaceMention]:
    """"missiles heading towards Dnipro and the town of Kamianske": the second place of the list is a
    direction as the first is, not a scene."""
    for n in range(1, len(out)):
        a, b = out[n - 1], out[n]
        if a.cue in _WHITHER and b.cue != a.cue and a.kind == b.kind == "settlement" \
                and _LIST_NEXT.match(sent.text[a.end - sent.start:b.start - sent.start]):
            out[n] = replace(b, cue=a.cue)
    return out


def _in_before(toks, i: int) -> bool:
    """"in Russia's Kursk region", "in the Belgorod region": the words before the name say where, not whence."""
    k = i - 1
    while k >= 0 and (toks[k].lower == "the" or toks[k].lower in ("russia's", "russia’s")):
        k -= 1
    if k >= 1 and toks[k].lower in ("of", "on") and toks[k - 1].lower in _ATTACK_OF:
        return True  # "Ukrainian shelling of (a drone attack on) Russia's Belgorod region killed one man": the region attacked
    if k >= 1 and toks[k].lower == "of" and toks[k - 1].lower in _PART_OF:
        return True  # "in the Khlevensky district of the Lipetsk region", "a village of the Kursk region"
    return k >= 0 and toks[k].lower in ("in", "across", "throughout")


_ATTACK_OF = frozenset({"shelling", "shellings", "attack", "attacks", "strike", "strikes", "bombardment", "bombing",
                        "bombings", "shelled"})


_AREA_NOUNS = frozenset({"community", "hromada", "district", "raion", "municipality"})
_PART_OF = _AREA_NOUNS | {"districts", "village", "villages", "town", "towns", "city", "settlement", "settlements",
                          "part", "south", "north", "east", "west", "outskirts"}
_UNNAMED = frozenset({"a", "one", "another"})


def _unnamed_village_of(toks, i: int, k: int) -> bool:
    """"a village of the Snovsk community", "another village in the Bilhorod-Dnistrovskyi district": the place
    named is the area's, not the village's."""
    if k >= len(toks) or toks[k].lower not in _AREA_NOUNS:
        return False
    w = [x.lower for x in toks[max(0, i - 4):i]]
    if w and w[-1] == "the":
        w = w[:-1]
    return len(w) >= 3 and w[-1] in ("of", "in") and w[-2] in ("village", "settlement", "town") and w[-3] in _UNNAMED


def _river(toks, i: int, k: int) -> bool:
    """"the left bank of the Dnipro", "the Desna River", "across the Dnipro": the river toks[i:k] names."""
    nxt = toks[k] if k < len(toks) else None
    if nxt is not None and nxt.lower in RIVER_AFTER:
        return True
    return i > 0 and toks[i - 1].lower == "the" and (nxt is None or not _is_cap(nxt.text))


def _strip_possessive(name: str) -> str:
    # as re.sub(r"['’]s$", "", name); names are joined tokens, which hold no line break
    return name[:-2] if name.endswith(("'s", "’s")) else name


def _cue(toks, i: int) -> str | None:
    k = i - 1
    while k >= 0 and toks[k].lower in ("the", "of", "a", "nearby", "small", "frontline", "front-line", "eastern", "southern", "northern", "western", "central", "industrial", "port", "occupied", "liberated", "embattled", "besieged"):
        if toks[k].lower == "of" and k > 0 and toks[k - 1].lower in STRONG_LOCATIVE:
            return toks[k - 1].lower
        if toks[k].lower == "of":
            return "of"
        k -= 1
    return toks[k].lower if k >= 0 else None


def _admin_hint(toks, k: int, gaz: Gazetteer) -> str | None:
    # "Vuhledar, in Donetsk region", "Horlivka, Donetsk Oblast", "Izyum (Kharkiv Region)"
    j = k
    while j < len(toks) and j < k + 3 and toks[j].text in (",", "(", "in", "the"):
        j += 1
    if j < len(toks) and _CAP.match(toks[j].text):
        w = toks[j].text
        nxt = toks[j + 1].lower if j + 1 < len(toks) else ""
        if nxt in REGION_WORDS:
            return gaz.oblast(w)
        if w.lower().endswith(("ska", "skyi")):
            return gaz.oblast(w)
    return None


def foreign_place_plausible(introduced: bool, population: int, first_word: bool) -> bool:
    """A name only the border table holds is a place when introduced as one ("in", "the town of"), or large
    enough not to be a surname: 100,000 people, or 20,000 when it does not open the sentence. Shared by the
    English and the Ukrainian/Russian annotators."""
    return introduced or population >= 100000 or (population >= 20000 and not first_word)


# "in Russia's Kursk region", "in the Russian border region of ..." : words that may stand before the region's name
_COUNTRY_OF = frozenset({"russia's", "russia’s", "russian", "belarus's", "belarusian", "border", "neighbouring",
                         "neighboring", "southern", "western"})


def _foreign_hint(toks, k: int, gaz: Gazetteer) -> str | None:
    """The region across the border named right after a place: "Shebekino, Belgorod region",
    "Sudzha in the Kursk region" -> 'Belgorod', 'Kursk'; so too a district named after a region's centre there,
    "Dubovoye in Belgorod district" (a Ukrainian raion's name has no region across the border); None otherwise."""
    j = k
    while j < len(toks) and j < k + 4 and (toks[j].text in (",", "(", "in", "the") or toks[j].lower in _COUNTRY_OF):
        j += 1
    if j + 1 < len(toks) and toks[j + 1].lower in _REGION_OR_DISTRICT and _CAP.match(toks[j].text):
        fr = gaz.foreign_region(f"{toks[j].text} region")
        return fr[1] if fr else None
    return None


_REGION_OR_DISTRICT = frozenset(REGION_WORDS) | {"district", "raion"}


def _plausible(name: str, cands, cue, hint, sent: Sentence, i: int) -> bool:
    top = max(c.population for c in cands)
    if hint and any(c.admin1 == hint for c in cands):
        return True
    if cue in STRONG_LOCATIVE:
        return True
    if top >= 20000:
        return True
    if cue in LOCATIVE and (top >= 1000 or len(name) >= 6):
        return True
    return False
