"""Casualty figures in one sentence: who (group), what happened (killed/injured), how many.

Rules, not a model: a number (digits, words, or "a"/"one" before a singular
person noun) followed by a person noun, tied to the nearest casualty word —
looking back for active verbs ("killing four civilians") and forward for
passive ones ("four civilians were killed", "10 wounded"). Vague quantities
("dozens") are kept as text with no number. Soldiers are not civilians and
are not counted.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from operator import itemgetter

from .gate import has_digit
from .lang import english as _english
from .numbers import SCALES, TENS, UNITS, VAGUE, parse_number
from .text import Sentence, Token

TOTAL = "total"
CHILDREN = "children"
WOMEN = "women"
MEN = "men"
HEALTH = "healthcare"
ADULTS = "adults"

NOUNS: dict[str, str] = {}
for _w in ("people", "persons", "person", "civilians", "civilian", "residents", "resident", "individuals",
           "locals", "inhabitants", "others", "victims", "passengers", "pedestrians", "adults", "bystanders",
           "ukrainians", "villagers", "people's", "employees", "workers", "worker", "rescuers", "rescuer",
           "firefighters", "journalists", "journalist", "volunteers", "volunteer", "residents", "customers",
           "shoppers", "patients", "patient", "staff", "members", "more", "pensioners", "elderly", "teachers",
           "teacher", "students", "student",
           "policemen", "police", "officers", "officer", "policeman", "policewoman", "responder", "responders", "guests", "visitors", "farmers", "farmer", "drivers", "driver",
           "neighbours", "neighbour", "neighbors", "neighbor", "owner", "owners", "employee", "passenger",
           "pedestrian", "cyclist", "guard", "guards", "shopkeeper", "motorcyclist", "motorist", "motorists"):
    NOUNS[_w] = TOTAL
NOUNS["adults"] = NOUNS["adult"] = ADULTS
for _w in ("children", "child", "kids", "kid", "boys", "boy", "girls", "girl", "teenagers", "teenager",
           "teens", "teen", "infants", "infant", "baby", "babies", "toddler", "toddlers", "minors", "minor",
           "schoolchildren", "pupils", "newborn", "schoolboy", "schoolgirl", "son", "daughter", "sons", "daughters"):
    NOUNS[_w] = CHILDREN
for _w in ("women", "woman", "mother", "mothers", "grandmother", "wife", "sister", "daughter-in-law"):
    NOUNS[_w] = WOMEN
for _w in ("men", "man", "father", "fathers", "grandfather", "husband", "brother"):
    NOUNS[_w] = MEN
for _w in ("medics", "medic", "doctors", "doctor", "nurses", "nurse", "paramedics", "paramedic"):
    NOUNS[_w] = HEALTH
# "healthcare workers", "health workers", "medical workers/staff": two-word health nouns
HEALTH_FIRST = {"healthcare", "health", "medical", "health-care"}
# words that may stand between a number and a military noun ("60 Russian soldiers", "12 enemy troops")
MILITARY_MODIFIERS = {"russian", "ukrainian", "enemy", "occupying", "occupation", "invading", "hostile", "north",
                      "korean", "chechen", "wagner", "belarusian", "foreign", "regular", "elite", "more", "of", "the"}
MILITARY = {"soldiers", "soldier", "servicemen", "serviceman", "troops", "fighters", "militants", "personnel",
            "military", "servicemembers", "marines", "paratroopers", "mercenaries", "conscripts"}
# "her husband", "their neighbour": one person (a singular noun after a possessive)
POSSESSIVE = {"her", "his", "their", "its"}
SINGULAR_ONE = {"neighbour", "neighbor", "owner", "husband", "wife", "man", "woman", "child", "boy", "girl", "teenager", "civilian", "person", "resident", "baby",
                "infant", "toddler", "doctor", "nurse", "medic", "paramedic", "volunteer", "rescuer",
                "firefighter", "journalist", "worker", "driver", "pensioner", "mother", "father", "elderly",
                "schoolboy", "schoolgirl", "newborn", "son", "daughter", "minor", "patient", "farmer", "teen", "kid",
                "teacher", "student", "officer", "policeman", "policewoman", "responder", "employee", "passenger",
                "pedestrian", "cyclist", "guard", "shopkeeper", "motorcyclist", "motorist", "brother", "sister",
                "grandmother", "grandfather"}
ADJ = {"civilian", "ukrainian", "local", "young", "elderly", "male", "female", "more", "other", "innocent",
       "unarmed", "additional", "further", "adult", "small", "little", "older", "injured", "wounded", "badly",
       "seriously", "critically", "severely", "slightly", "lightly", "peaceful", "old", "teenage", "emergency",
       "municipal", "utility", "railway", "energy", "power", "rail", "construction", "road", "aid", "humanitarian", "security", "farm", "factory", "pregnant", "of", "them", "whom", "were", "and",
       "including", "among", "people", "residents", "police"}
QUALIFIERS = {("at", "least"), ("more", "than"), ("over",), ("nearly",), ("almost",), ("about",), ("around",),
              ("some",), ("up", "to"), ("approximately",), ("roughly",), ("another",), ("an", "additional"),
              ("a", "further"), ("a", "total", "of"), ("the", "bodies", "of"), ("the", "body", "of"), ("the",), ("as", "many", "as"), ("only",), ("just",),
              ("no", "fewer", "than"), ("no", "less", "than"), ("not", "fewer", "than"), ("not", "less", "than")}

# the casualty words come from data/lang/en.yaml (lang/__init__.py: english())
KILL = set(_english()["casualty_words"]["killed"])
INJURE = set(_english()["casualty_words"]["injured"])
ACTIVE = set(_english()["casualty_words"]["active"])
TOLL = {"toll", "tolls", "count"}  # "the final count reached 26"
STOP = {";", "but", "while", "whereas", "although", "though", "after", "before", "since", "because", "when", "until"}
NOT_PEOPLE_AFTER = {"am", "a.m", "pm", "p.m", "km", "kilometres", "kilometers", "miles", "metres", "meters", "mm",
                    "per", "percent", "%", "years", "year", "days", "day", "hours", "hour", "minutes", "times",
                    "missiles", "drones", "rockets", "shells", "bombs", "houses", "homes", "buildings", "cars",
                    "vehicles", "regions", "cities", "towns", "villages", "settlements", "strikes", "attacks"}
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}


@dataclass(frozen=True)
class Figure:
    role: str  # "killed" | "injured"
    group: str  # total | children | women | men | healthcare
    value: int | None  # None for vague quantities
    vague: str | None
    start: int
    end: int
    sub: bool = False  # a subgroup of a figure just before it ("including 7 children")


# what may stand between a figure and its subgroup ("10 people were killed, including two children")
_BETWEEN_SUBGROUP = frozenset({",", "including", "includes", "were", "was", "have", "has", "been", "had", "reportedly"})


_SUFFERED = frozenset({"suffered", "sustained"})
_INJURY_NOUNS = frozenset({"injury", "injuries", "wounds", "wound", "burns", "concussion", "trauma"})


def _role(word: str) -> str | None:
    w = word.lower()
    if w in KILL:
        return "killed"
    if w in INJURE:
        return "injured"
    return None


_QUALIFIERS_LONGEST_FIRST = sorted(QUALIFIERS, key=len, reverse=True)
_QUALIFIER_FIRST_WORDS = {q[0] for q in QUALIFIERS}


def _skip_qualifier(words: list[str], i: int) -> int:
    if i >= len(words) or words[i] not in _QUALIFIER_FIRST_WORDS:
        return i
    for q in _QUALIFIERS_LONGEST_FIRST:
        if tuple(words[i:i + len(q)]) == q:
            return i + len(q)
    return i


def _noun_group(words: list[str], j: int) -> tuple[str | None, int, bool]:
    """Person noun starting at j (after adjectives). Returns (group, next index, military)."""
    k = j
    while k < len(words) and k < j + 4 and (words[k] in MILITARY_MODIFIERS or words[k] in MILITARY
                                            or (words[k] in ADJ and words[k] not in NOUNS and words[k] not in ("and", "were"))):
        if words[k] in MILITARY:
            return None, k + 1, True  # "up to 60 Russian soldiers": military losses, never civilians
        k += 1
    k = j
    while k < len(words) and k < j + 4:
        w = words[k]
        if w in HEALTH_FIRST and k + 1 < len(words) and words[k + 1] in ("workers", "worker", "staff", "personnel", "professionals"):
            return HEALTH, k + 2, False
        if w in MILITARY:
            return None, k + 1, True
        if w in NOUNS:
            nxt = words[k + 1] if k + 1 < len(words) else ""
            # "civilian women", "more people": the last noun of the chain decides the group
            if nxt in NOUNS and nxt not in ("more", "others") and w in ADJ | {"civilian", "more", "local", "newborn", "baby", "infant"}:
                k += 1
                continue
            return NOUNS[w], k + 1, False
        if w in ADJ or w.endswith("-year-old") or w.endswith("-years-old"):
            k += 1
            continue
        if w in ("a", "an") and k > j and words[k - 1] in ("them", "whom"):
            k += 1  # "one of them a child"
            continue
        if k == j and w.isalpha() and k + 1 < len(words) and words[k + 1] in _PLURAL_NOUNS \
                and w not in STOP and not _role(w) and not _is_num(w) and w not in _NOT_MODIFIER:
            k += 1  # "two truck drivers", "three security guards": a modifier the lists do not know
            continue
        break
    return None, j, False


# Lower-cased words that can begin a figure besides digits: number words (parse_number), "a"/"an"/
# "one" before a singular person noun, and vague quantities. A word that is none of these (nor
# starts with a digit or a hyphenated "tens-unit" word) cannot begin one, so the loop below steps
# over it without calling parse_number; a sentence with none at all has no figure.
_NUMBER_START = frozenset({*UNITS, *TENS, *SCALES, *VAGUE, "a", "an", "one"})


_FIGURE_WORDS = (_NUMBER_START - {"a", "an"}) | SINGULAR_ONE


def _may_start_number(w: str) -> bool:
    return w in _NUMBER_START or (w[:1].isdigit()) or ("-" in w and w.partition("-")[0] in TENS)


_token_text = itemgetter(0)  # Token.text
# A word that is none of these (nor starts with a digit or a hyphenated "tens-unit" word) is passed
# over by find_figures' loop: it is no qualifier's first word (so the number would start at it),
# cannot start a number, is no possessive, and "another" counts only when it is a singular noun.
_MAY_BEGIN = frozenset({*_QUALIFIER_FIRST_WORDS, *_NUMBER_START, *POSSESSIVE, *({"another"} & SINGULAR_ONE)})


def find_figures(sent: Sentence) -> list[Figure]:
    toks: list[Token] = sent.tokens
    words = list(map(str.lower, map(_token_text, toks)))  # as t.lower, without a Python-level step per token
    out: list[Figure] = []
    # A figure needs digits (parse_number), a number or vague word, or a singular person noun
    # after "a"/"an" ("a man was killed"); most sentences have none and are done here.
    text = sent.text
    if (_FIGURE_WORDS.isdisjoint(words) and not has_digit(text)
            and not ("-" in text and any(w.partition("-")[0] in TENS for w in words if "-" in w))):
        return _drop_rates(out, sent)
    i = 0
    n_words = len(words)
    last_end = -2  # token index of the last word of the figure before
    military_end = -1  # token index after the last military figure ("three soldiers")
    # the indexes of the words the test below does not pass over (_may_begin_figure), picked in one
    # comprehension; the loop goes from one to the next
    begins = [k for k, w in enumerate(words) if w in _MAY_BEGIN or w[:1].isdigit()
              or ("-" in w and w.partition("-")[0] in TENS)]
    while i < n_words:
        b = bisect_left(begins, i)
        if b == len(begins):
            break  # the test below would pass over every word left
        i = begins[b]
        num_start = i
        j = _skip_qualifier(words, i) if words[i] in _QUALIFIER_FIRST_WORDS else i
        if j < n_words and not _may_start_number(words[j]) and not (words[i] == "another" and words[j] in SINGULAR_ONE) \
                and words[j] not in POSSESSIVE and not (words[j].endswith("-year-old") and words[i] == "the") \
                and not (words[i] == "the" and j == i + 1 and _the_one(words, j)):
            i += 1  # as parse_number would find nothing and the word is no "a"/"one"/vague word
            continue
        if j < n_words and words[j] == "one" and j > 0 and words[j - 1] in ("no", "not"):
            i = j + 1
            continue  # "no one was hurt", "not one person died": nobody, no figure
        if j >= 3 and words[j - 2:j] == ["of", "the"] and (words[j - 3] in _PART_OF or words[j - 3].isdigit()):
            i = j + 1
            continue  # "one of the two had died": the two told of before, no count of its own
        value, used = parse_number([t.text for t in toks[j:j + 4]])
        vague, couple, single_adult = None, False, False
        if used == 0:
            w = words[j] if j < len(words) else ""
            the_age = (w.endswith("-year-old") or _the_one(words, j)) and j == num_start + 1 and words[num_start] == "the"
            if the_age:
                j = num_start  # "the" was skipped as a qualifier's first word
            if (w in ("a", "an", "one") or w in POSSESSIVE or the_age) and j + 1 < len(words):
                # "a man was killed", "a 12-year-old girl"; "her husband was injured", "their 42-year-old
                # neighbour suffered shrapnel wounds": one person named by a possessive; "the 44-year-old man inside
                # suffered a blast injury": one person named by an age
                k = j + 1
                while k < len(words) and (words[k] in ADJ or words[k].endswith("-year-old")) and words[k] not in ("more", "of") \
                        and not (words[k] in SINGULAR_ONE and words[k + 1:k + 2] and words[k + 1] in _AFTER_NOUN_OR_PREP):
                    k += 1  # ("a civilian was killed": the noun itself, though "civilian" may be an adjective)
                if k < len(words) and words[k] in SINGULAR_ONE:
                    value, used = 1, 1
                    # "a police officer and an emergency responder": one adult each, and they add up
                    single_adult = NOUNS.get(words[k]) == TOTAL and w in ("a", "an", "one")
                elif k < len(words) and words[k] == "couple" and w in ("a", "an") and words[k + 1:k + 2] != ["of"]:
                    value, used = 2, 1  # "killed an elderly couple" (not "a couple of people", a rough number)
                    couple = True
            elif w in SINGULAR_ONE and j > num_start and words[num_start] == "another":
                value, used, j = 1, 1, j - 1  # "another woman was injured": one more ("another" counts as "a")
            elif w in VAGUE and w != "some" and words[j + 1:j + 2] not in (["wounds"], ["injuries"], ["fractures"],
                                                                         ["burns"], ["times"]):
                vague, used = toks[j].text, 1  # (not "suffered several wounds": the wounds of one person)
        if used == 0:
            i += 1
            continue
        if value is not None and words[j + 1:j + 2] == ["dozen"] and words[num_start] in _APPROX:
            value, vague = None, toks[j + 1].text  # "around a dozen": a rough number, kept as words
        after = j + used
        nxt = words[after] if after < len(words) else ""
        prev = words[num_start - 1] if num_start > 0 else ""
        if value is not None and 1900 <= value <= 2100 and words[j].isdigit() and prev in ("born", "in", "since", "of"):
            i = after
            continue  # "a woman born in 1963": a year, not a count
        if prev == "." and num_start > 1 and words[num_start - 2] in MONTHS:
            prev = words[num_start - 2]  # "on Oct. 29 has died": the day of an abbreviated month
        if nxt in NOT_PEOPLE_AFTER or nxt in MONTHS or prev in MONTHS or (nxt == "of" and vague is None and value is not None and not (after + 1 < len(words) and words[after + 1] in ("them", "whom", "those", "the"))):
            i = after
            continue
        if words[j] == "one" and prev in ("in", "on", "into", "inside", "from", "at", "near", "by") \
                and words[after:after + 1] == ["of"]:
            i = after
            continue  # "the two women travelling in one of them": one of the cars, not a person
        if vague is None and _is_age(words, num_start, after):
            i = after
            continue  # "a man of 66", "his wife, 65,", "aged 20 to 74": ages, not counts
        group, noun_end, military = _noun_group(words, after)
        if couple:
            group, noun_end = ADULTS, after + 1  # two adults, summed with the children listed after them
        elif single_adult and group == TOTAL:
            group = ADULTS
        if military:
            military_end = noun_end
            i = noun_end
            continue
        if group is None and noun_end == after and military_end >= 0 and num_start - military_end <= 3 \
                and words[military_end:num_start][:1] in (["and"], [","]):
            i = after  # "killing three soldiers and wounding at least 18": the soldiers' wounded too
            continue
        role, hosp = None, False
        sub = prev in ("including", "includes") or (num_start > 1 and words[num_start - 2:num_start] in (["among", "them"], ["of", "them"], ["of", "whom"]))
        among = _among_the(words, num_start)
        if among is not None:
            # "Among the dead are three children", "Of the wounded, 39 were civilians": part of a figure
            role, sub = among, True
            if group is None and noun_end == after:
                group = TOTAL
        if words[after:after + 2] == ["of", "the"] and after + 2 < n_words and _role(words[after + 2]) and vague is None:
            # "Two of the wounded remain in serious condition", "12 of the dead were children"
            role, sub = _role(words[after + 2]), True
            g2, _, _ = _noun_group(words, after + 3 + (words[after + 3:after + 4] in (["are"], ["were"])))
            group = g2 or TOTAL
            noun_end = after + 3
        if role is None and group is not None and vague is None:
            w4 = words[max(0, num_start - 4):num_start]
            if len(w4) >= 3 and w4[-1] in ("are", "were") and w4[-3] in ("the", "those") and _role(w4[-2]) \
                    and not (len(w4) == 4 and w4[0] in ("among", "of")):
                role = _role(w4[-2])  # "The dead are a mother and her daughter": the list of the dead itself
            elif "youngest" in w4 and w4[-1] in ("was", "is") and any(x in ("victim", "dead", "killed") for x in w4):
                role, sub = "killed", True  # "The youngest victim was a six-year-old girl": one child among the dead
            elif ":" in words[:num_start] and _colon_role(words, num_start):
                role = _colon_role(words, num_start)  # "A family of five died: a father, a mother and their three sons"
            elif prev == "and" and out and last_end == num_start - 2 and not _role(words[after] if after < n_words else ""):
                role, sub = out[-1].role, out[-1].sub  # "killing two women and a man": listed with the figure before
            elif prev in POSSESSIVE and num_start >= 2 and words[num_start - 2] == "and" and out \
                    and num_start - 4 <= last_end <= num_start - 3 and not _role(words[after] if after < n_words else ""):
                role, sub = out[-1].role, out[-1].sub  # "killed a couple and their two young children"
        # 1) an active verb just before: "killing four civilians", "killed at least 6"
        back = num_start - 1
        while back >= 0 and words[back] in ("also", "reportedly", "apparently", "had", "have", "has", "so-far", "far", "so"):
            back -= 1
        if role is None and back >= 2 and words[back] in ACTIVE and words[back - 1] in ("and", "or") \
                and _role(words[back - 2]) and _role(words[back - 2]) != _role(words[back]):
            i = max(noun_end, after)
            continue  # "killing and wounding more than 410 civilians": dead and hurt together, neither count
        if role is None and back >= 0 and words[back] in ACTIVE and (group is not None or noun_end == after):
            r = _role(words[back])
            if words[back] in ("claimed",) and "lives" in words[after:after + 4]:
                r = "killed"
            elif words[back] in ("left", "leaving"):
                r = _role(words[noun_end]) if noun_end < len(words) else None
            if r == "injured" and back >= 1 and words[back - 1] in ("fatally", "mortally"):
                r = "killed"  # "fatally injuring a man": he died of it
            role = r
        if role is None and vague is None and group is not None and words[num_start:num_start + 3] in (
                ["the", "body", "of"], ["the", "bodies", "of"]) and not any(_role(w) for w in words[after:after + 4]):
            role = "killed"  # "Rescuers found the body of a 32-year-old man"
        if role is None and vague is None and (group is not None or noun_end == after) and num_start >= 2 \
                and words[num_start - 1] == "of" and words[num_start - 2] in ("lives", "life", "deaths", "death") \
                and _NOT_LOST.isdisjoint(words[max(0, num_start - 4):num_start - 2]):
            role = "killed"  # "took the lives of four", "resulting in the deaths of five", "claiming the lives of two"
        if role is None and vague is None and (group is not None or noun_end == after) and num_start >= 2 \
                and words[num_start - 1] == "to" and words[num_start - 2] in ("injuries", "injury", "wounds"):
            role = "injured"  # "resulting in the deaths of four and injuries to 43 others"
        if role is None and group is not None and vague is None and _buried_dead(words, num_start, noun_end):
            role = "killed"  # "burying two families - six adults and five children - under the rubble"
        if role is None and back >= 0 and words[back] in ("sending", "sent") and group is not None \
                and "hospital" in words[noun_end:noun_end + 3] and words[noun_end:noun_end + 1] == ["to"]:
            role = "injured"  # "sending eight passengers to hospital"
        # "to"/"at" before the figure and the rise verb before it: "has risen to 17"; in "has gone up to 18"
        # the qualifier "up to" was skipped, but the verb before it makes it a rise, not an upper bound
        to_at, rise = back, back - 1
        if back >= 0 and words[back] in RISE and words[num_start:num_start + 2] == ["up", "to"]:
            to_at, rise = num_start + 1, back
        if to_at >= 0 and words[to_at] in ("to", "at") and to_at >= 1 and (
                words[rise] in RISE or any(w in TOLL for w in words[max(0, to_at - 6):to_at])):
            toll_words = words[max(0, to_at - 6):to_at]
            if any(w in TOLL for w in toll_words) and not _bare_count(words, to_at):
                role = "injured" if any(w in ("injured", "wounded") for w in toll_words) and "death" not in toll_words else "killed"
                group = group or TOTAL
            elif words[rise] in RISE and noun_end == after:
                # "the number of people killed in ... has risen to 17": the casualty word of the counted noun
                role = _counted_role(words, rise)
                group = group or (TOTAL if role else None)
        elif (role is None and back >= 2 and words[back] in ("to", "at") and "number" in words[max(0, back - 8):back]
              and (group is not None or noun_end == after) and (words[back] == "to" or nxt in ("", ",", ".", ";", "with", "and", "dead"))):
            # "bringing the number of dead to 11", "put the number of dead at 12"
            role = _counted_role(words, back)
            group = group or (TOTAL if role else None)
        elif back >= 0 and words[back] in ("reached", "reaching") and noun_end == after and any(
                w in TOLL for w in words[max(0, back - 6):back]):
            toll_words = words[max(0, back - 6):back]
            role = "injured" if any(w in ("injured", "wounded") for w in toll_words) and "death" not in toll_words else "killed"
            group = group or TOTAL
        elif role is None and back >= 0 and words[back] in ("reached", "reaching") and noun_end == after \
                and (counted := _counted_role(words, back)) is not None:
            # "The number of people killed when a block was hit on Saturday has reached 34"
            role, group = counted, group or TOTAL
        if role is None and after < noun_end:
            # "18 injured people", "five wounded civilians", "two dead women": the adjective says what happened
            adj = next((w for w in words[after:noun_end] if w in ("injured", "wounded", "dead")), None)
            if adj:
                role = _role(adj)
        if role is None and noun_end == after and nxt in ("deaths", "fatalities") :
            role, group = "killed", TOTAL  # "at least 12 deaths"
        if role is None and (group is not None or noun_end == after and vague is None) \
                and _HOSPITAL.match(" ".join(words[(h := _past_kin(words, noun_end)):h + 6])) \
                and not _stress_only(words, h):
            role, hosp = "injured", True  # "59 people had sought medical help", "39 people are in hospital"
        if not sub and words[after:after + 2] in (["of", "them"], ["of", "whom"]) and out and group not in (None, TOTAL):
            sub = True  # "26 people were killed, three of them children"
            if role is None or words[noun_end:noun_end + 1] in ([","], ["."], []):
                role = out[-1].role
        if role is not None and group is None and noun_end == after:
            group = TOTAL
        if role is None and out and out[-1].role and group not in (None, TOTAL) and 0 < num_start - last_end <= 6 \
                and all(w in _BETWEEN_SUBGROUP or _role(w) == out[-1].role for w in words[last_end + 1:num_start]) \
                and (words[noun_end:noun_end + 2] == ["among", "them"]
                     or (prev in ("including", "includes") and words[noun_end:noun_end + 2] == [",", "and"])
                     or (prev in ("including", "includes") and words[noun_end:noun_end + 1] == ["and"]
                         and words[noun_end + 1:noun_end + 2] and words[noun_end + 1] in ACTIVE)):
            # "killed 10 people, including two children, and wounded 27", "killed 16 people, including a child and
            # injured dozens", "killed 10 people, two children among them": part of the figure just before; the
            # verb after is the next figure's
            role, sub = out[-1].role, True
        # 2) a casualty word after: "four civilians were killed", "10 wounded", "among the injured"
        if role is None and (group is not None or vague is not None or True):
            k = noun_end
            limit = min(len(words), noun_end + 9)
            while k < limit:
                w = words[k]
                if w in STOP or w == "." :
                    break
                if w in _PREP and k == noun_end and group is not None:
                    # "84 residents of the neighbouring buildings, 12 of them children, were injured"
                    e = k + 1
                    while e < min(len(words), k + 6) and words[e] not in STOP and words[e] not in (".", ",") \
                            and not _role(words[e]) and not _is_num(words[e]) and words[e] not in _SUFFERED:
                        e += 1
                    limit = min(len(words), limit + (e - k))
                    k = e
                    continue
                if _is_num(w) and words[k + 1:k + 2] and words[k + 1] in _AGE_UNITS and words[k + 2:k + 3] == ["old"]:
                    k += 3  # "a newborn baby, two days old, was killed": an age, not another figure
                    continue
                if w == "aged" and (k == noun_end or words[k - 1] == ","):
                    # "Two men aged 43 and 66 died", "Two men, aged 39 and 67, were wounded": their ages
                    e = k + 1
                    while e < len(words) and (words[e] in _AGE_LIST_SEP or words[e] == "between" or
                                              (_is_num(words[e]) and words[e] not in ("a", "an"))):
                        e += 1
                    limit = min(len(words), limit + (e - k))
                    k = e
                    continue
                if w == "who":
                    # "A 53-year-old man who was in the yard was killed": past the relative clause to the verb
                    # ("... who was outdoors at the time was also killed": an adverb before the verb)
                    e = next((e for e in range(k + 1, min(len(words) - 1, k + 9)) if words[e] in ("was", "were")
                              and words[e - 1] not in ("who",) and (_role(words[e + 1]) or (
                                  words[e + 1] in _ADVERB_BEFORE_ROLE and e + 2 < len(words) and _role(words[e + 2])))),
                             None)
                    if e is not None and "," not in words[k:e] and not any(x in STOP for x in words[k:e]):
                        k = e + (1 if words[e + 1] in _ADVERB_BEFORE_ROLE else 0)
                        continue
                r = _role(w) if not w.endswith("ing") else None
                if w == "among" and words[k + 1:k + 2] in (["those"], ["the"]):
                    sub = True  # "four children were among those hurt": part of a figure, not a total
                if w in _HOSPITAL_FIRST and k > noun_end and _HOSPITAL.match(" ".join(words[k:k + 6])) \
                        and not _stress_only(words, k):
                    role, hosp = "injured", True  # "40 people, including 11 children, sought medical help"
                    break
                if w in ("lost", "lose", "losing") and words[k + 1:k + 2] in (["their"], ["his"], ["her"]) \
                        and words[k + 2:k + 3] in (["lives"], ["life"]):
                    role = "killed"  # "three people lost their lives"
                    break
                if w in _SUFFERED and any(x in _INJURY_NOUNS for x in words[k + 1:k + 5]) \
                        and not any(x in ("fatal", "mortal", "deadly", "life-threatening") for x in words[k + 1:k + 5]) \
                        and not any(x in ("survive", "survived", "succumbed") or _role(x) == "killed"
                                    for x in words[k + 1:k + 20]):
                    role = "injured"  # "the man inside suffered a blast injury" (not "... and did not survive")
                    break
                if w in ("fatal", "mortal", "fatally", "mortally") and k + 1 < len(words) and words[k + 1] in _FATAL_NEXT:
                    role = "killed"  # "suffered fatal wounds", "was fatally injured": died of them
                    break
                if r:
                    if w in ("death", "deaths") and not (k > 0 and words[k - 1] in ("to",)):
                        r = None
                    else:
                        role = r
                        if r == "injured" and _DIED_OF_WOUNDS.match(" ".join(words[k + 1:k + 5])):
                            role = "killed"  # "another resident was wounded and later died of his injuries": one dead
                        break
                if w in ("who", "were", "was", "have", "has", "had", "been", "are", "is", "reportedly",
                         "later", "also", "among", "the", "and", ",", "including", "them", "of", "in", "being",
                         "people", "civilians", "children", "women", "men", "more", "others", "seriously",
                         "critically", "badly", "slightly", "fatally", "left", "lightly", "both", "all",
                         "reported", "confirmed", "said", "to", "be", "appears", "appear", "seem", "seems",
                         "got", "being", "dead", "wounded", "injured", "killed", "suffered", "sustained",
                         "received", "minor", "serious", "severe", "shrapnel", "various", "multiple", "now",
                         "reportedly", "subsequently", "instantly", "immediately", "on", "spot", "site", "scene", "known",
                         "believed", "thought", "presumed", "understood", "feared", "her", "his", "their",
                         "those", "police", "officer", "officers", "policeman", "policemen", "rescuer", "rescuers",
                         "firefighter", "firefighters", "soldier", "soldiers", "serviceman", "servicemen") or _is_num(w) or w in NOUNS or w in ADJ or w in VAGUE or _kin_word(words, k):
                    k += 1
                    continue
                break
            if role is not None and group is None and noun_end != after:
                role = None
            if role is not None and group is None:
                group = TOTAL
        if role is None and sub and out and _unread_number(words, toks, out[-1].end, num_start):
            # "4 killed, and 40 sought medical help, including 11 children": the figure the subgroup follows
            # is the 40, whose role was not read; the children are not the dead of the figure before
            role = "injured" if _HOSPITAL.match(" ".join(words[_unread_number(words, toks, out[-1].end, num_start):num_start])) \
                else None
            group = group or TOTAL if role else group
        elif role is None and sub and out:
            role = out[-1].role  # "102 civilians, including 7 children, have been killed"
            group = group or TOTAL
        if role is None or group is None and vague is None:
            i = max(after, i + 1)
            continue
        if noun_end == after and group in (None, TOTAL) and vague is None and words[0] in _CHILD_SUBJECT \
                and ":" in words[:num_start]:
            group = CHILDREN  # "Children were hit particularly hard: at least 19 were killed and 78 injured"
        if hosp and not sub and value is not None and any(
                x.role == "injured" and x.group == TOTAL and not x.sub and x.value is not None and x.value > value
                for x in out):
            sub = True  # "14 people were injured; nine are in hospital and five were treated on the spot": parts of the 14
        tok_end = toks[max(noun_end, after) - 1].end
        out.append(Figure(role=role, group=group or TOTAL, value=value, vague=vague,
                          start=toks[num_start].start if vague is None else toks[j].start, end=tok_end, sub=sub))
        i = max(noun_end, after)
        last_end = i - 1
        if value is not None and group not in (None, TOTAL):
            kin = _kin_after(words, noun_end)
            if kin is not None:
                # "a woman and her three-year-old daughter": one more person, listed with the first;
                # "a mother and her three daughters, aged 21, 18 and 7": three more, one of them a child
                k_start, k_end, groups = kin
                for k_group, k_value in groups:
                    out.append(Figure(role=role, group=k_group, value=k_value, vague=None, start=toks[k_start].start,
                                      end=toks[k_end - 1].end, sub=sub))
                i = k_end
                last_end = k_end - 1
    out += _another_one(out, sent)
    return without_sum_of_parts(_drop_rates(_shares_by_place(out, sent), sent), text, sent.start)


# "one person died while another was wounded": "another" alone, after a count of one in the sentence, is one more
_ANOTHER_ALONE = re.compile(r"\b(?:and|while|whereas|but)\s+(another)\s+(?:was|had\s+been)\s+(?:also\s+)?"
                            r"(killed|wounded|injured|hurt)\b", re.IGNORECASE)


def _another_one(figs: list[Figure], sent: Sentence) -> list[Figure]:
    m = _ANOTHER_ALONE.search(sent.text)
    if m is None or not any(x.value == 1 and x.start < sent.start + m.start() for x in figs):
        return []
    if any(sent.start + m.start(1) <= x.start < sent.start + m.end() for x in figs):
        return []  # (already read)
    role = "killed" if m.group(2).lower() == "killed" else "injured"
    return [Figure(role=role, group=TOTAL, value=1, vague=None, start=sent.start + m.start(1), end=sent.start + m.end(1))]


def without_sum_of_parts(figs: list[Figure], text: str, offset: int) -> list[Figure]:
    """"Пострадали пять человек: двое погибли и трое ранены", "Five people were hurt: two were killed and three
    injured": a count of all the victims told first, then split into the dead and the wounded that add up to it, is
    not a count of the wounded (GUIDELINES: "постраждали" is injured when deaths are told separately)."""
    whole = [x for x in figs if x.role == "injured" and x.group == TOTAL and not x.sub and x.value]
    if len(whole) < 2:
        return figs
    first = whole[0]
    dead = [x for x in figs if x.role == "killed" and x.group == TOTAL and not x.sub and x.value and x.start > first.start]
    rest = [x for x in whole[1:] if x.start > first.start]
    if len(dead) == 1 and len(rest) == 1 and dead[0].value + rest[0].value == first.value \
            and re.search(r"[:(\u2013\u2014]|\s-\s", text[first.end - offset:min(dead[0].start, rest[0].start) - offset]):
        return [x for x in figs if x is not first]  # (the split told after a colon or a dash)
    return figs


# "Three of the dead were in the town of Kostiantynivka and two in the village of Novoekonomichne": the share of
# the next place, told with its number only
_NEXT_SHARE = re.compile(r"(?:,|\band|;)\s+(?:another\s+)?([\w-]+)\s+(?:more\s+)?(?:were\s+|was\s+)?(?:in|at)\s+"
                         r"(?:the\s+(?:town|city|village|settlement|district)\s+of\s+)?[A-Z]")


def _shares_by_place(figs: list[Figure], sent: Sentence) -> list[Figure]:
    """A share of the dead or wounded told by place ("Three of the dead were in Kostiantynivka") followed by the
    next places' shares with their numbers only ("and two in the village of Novoekonomichne"): each share is read."""
    shares = [x for x in figs if x.sub and x.group == TOTAL and x.value is not None
              and re.match(r"[\w-]+\s+of\s+the\s+(?:dead|killed|wounded|injured)\s+(?:were|was)\s+(?:in|at)\b",
                           sent.text[x.start - sent.start:], re.IGNORECASE)]
    if len(shares) != 1:
        return figs
    first = shares[0]
    out = list(figs)
    pos = first.end - sent.start
    while (m := _NEXT_SHARE.search(sent.text, pos)) is not None and m.start() - pos < 80:
        value, used = parse_number([m.group(1)])
        if used == 0 or value is None or any(x.start <= sent.start + m.start(1) < x.end for x in out):
            break
        out.append(Figure(first.role, TOTAL, value, None, sent.start + m.start(1), sent.start + m.end(1), True))
        pos = m.end()
    return out


_APPROX = {"around", "about", "some", "roughly", "approximately", "nearly", "almost", "up"}
_HOSPITAL_FIRST = {"sought", "needed", "required", "received", "seeking", "taken", "admitted", "brought",
                   "hospitalised", "hospitalized", "treated", "receiving", "helped"}
_NOT_LOST = {"saved", "save", "saves", "saving", "risked", "risk", "risking", "endangered", "endangering", "threatened"}


_STRESS = {"stress", "shock", "panic", "psychological", "anxiety", "nervous"}
_BODILY = {"injury", "injuries", "injured", "wounds", "wound", "wounded", "hurt", "barotrauma", "barotraumas",
           "concussion", "concussions", "contusion", "contusions", "burns", "fractures", "cuts", "lacerations", "shrapnel"}


def _stress_only(words: list[str], k: int) -> bool:
    """The medical help of the clause from k was for acute stress or shock alone ("received medical help for
    an acute stress reaction"): not an injury (../shared/eval/GUIDELINES.md counts the wounded and hurt)."""
    e = k
    while e < len(words) and e < k + 14 and words[e] not in (".", ";", ",", "but", "while", "whereas"):
        e += 1
    clause = words[k:e]
    return not _STRESS.isdisjoint(clause) and _BODILY.isdisjoint(clause)


def _unread_number(words: list[str], toks: list[Token], last_fig_end: int, num_start: int) -> int:
    """Index just after a bare number between the last figure and num_start (0 when there is none)."""
    for k in range(num_start - 1, -1, -1):
        if toks[k].start < last_fig_end:
            return 0
        if any(ch.isdigit() for ch in words[k]) or (k > 0 and parse_number([words[k]])[1] and words[k] not in ("a", "an", "one")):
            return k + 1
    return 0


def _kin_word(words: list[str], k: int) -> bool:
    """words[k] belongs to "her/his/their (3-year-old) child": "a woman and her 3-year-old child were killed"."""
    w = words[k]
    if not (w in _KIN or w in _KIN_PLURAL or w.endswith("-year-old")):
        return False
    back = k - 1 if k >= 1 and not words[k - 1].endswith("-year-old") else k - 2
    return back >= 0 and words[back] in ("her", "his", "their")


_BURIED = {"burying", "buried", "buries"}
_ALIVE = {"alive", "rescued", "survived", "survivors", "freed", "trapped", "saved", "missing", "injured", "wounded",
          "hurt", "pulled", "recovered"}


def _buried_dead(words: list[str], num_start: int, noun_end: int) -> bool:
    """People buried under the rubble by the strike ("burying ... six adults and five children ... under the
    rubble", "six adults were buried under the rubble"), in a sentence that speaks of nobody alive or hurt."""
    if not _BURIED.intersection(words[max(0, num_start - 6):noun_end + 6]):
        return False
    if not any(w in ("rubble", "debris", "ruins") for w in words[noun_end:noun_end + 12]):
        return False
    return _ALIVE.isdisjoint(words)


def _colon_role(words: list[str], num_start: int) -> str | None:
    """Role of the clause before a colon whose list the figure at num_start belongs to."""
    c = max(i for i in range(num_start) if words[i] == ":")
    if any(_role(w) or w in (";", ".") for w in words[c + 1:num_start]):
        return None
    roles = [_role(w) for w in words[max(0, c - 8):c] if _role(w)]
    return roles[-1] if roles else None


_PLURAL_NOUNS = {w for w in NOUNS if w.endswith("s") and w not in ("more", "others", "people", "people's", "persons", "members")}
_NOT_MODIFIER = {"were", "was", "are", "is", "had", "have", "has", "been", "being", "and", "or", "the", "of", "them",
                 "whom", "those", "these", "their", "his", "her", "its", "our", "more", "other", "such", "young"}
_AGE_UNITS = {"days", "day", "weeks", "week", "months", "month", "years", "year"}
def _the_one(words: list[str], j: int) -> bool:
    """"the (injured) driver was ...": one person named by a definite occupational noun followed at once by the
    verb that tells the harm ("was", "suffered", "died", ...), not by a phrase of its own ("the driver of the bus")."""
    k = j
    while k < len(words) and words[k] in _THE_ADJ:
        k += 1
    if k + 1 < len(words) and words[k] in _THE_NOUNS and words[k + 1] in _THE_VERBS:
        return True
    # "killing the woman who lived in it": one person, told first by the verb that harms and a clause on them
    return j >= 2 and words[j - 2] in ACTIVE and k + 1 < len(words) and words[k] in SINGULAR_ONE \
        and words[k + 1] in ("who", "whose")


_THE_VERBS = frozenset({"was", "suffered", "died", "sustained", "received"})


# the occupational and kinship nouns one person is told by ("the driver was injured"); not "man", "woman",
# "child" (back-references to people counted before: "A woman was hurt ... The woman was taken to hospital")
_THE_NOUNS = frozenset({"driver", "owner", "pensioner", "farmer", "worker", "employee", "passenger", "pedestrian",
                        "cyclist", "motorcyclist", "motorist", "shopkeeper", "guard"})
_THE_ADJ = frozenset({"injured", "wounded", "elderly", "young", "local"})  # (words ADJ also passes over)


_ADVERB_BEFORE_ROLE = frozenset({"also", "later", "reportedly", "subsequently", "then", "fatally", "seriously",
                                 "critically", "badly"})
_AFTER_NOUN = frozenset({"was", "has", "had", "is", "died", "who", ",", ".", ";", "and", "were"})
# ... or a preposition or time word: "killed a civilian on Thursday", "a civilian in the village" (not "a civilian car")
_AFTER_NOUN_OR_PREP = _AFTER_NOUN | {"on", "in", "at", "near", "with", "from", "during", "overnight", "yesterday",
                                     "today", "late", "early", "when", "while", "as", "after", "inside"}
_PART_OF = frozenset({"one", "two", "three", "each", "either", "neither", "none", "both", "all"})
_FATAL_NEXT = {"wounds", "wound", "injuries", "injury", "wounded", "injured"}
_KIN = {"son": CHILDREN, "daughter": CHILDREN, "child": CHILDREN, "baby": CHILDREN, "grandson": CHILDREN,
        "granddaughter": CHILDREN, "mother": WOMEN, "wife": WOMEN, "sister": WOMEN, "grandmother": WOMEN,
        "father": MEN, "husband": MEN, "brother": MEN, "grandfather": MEN}
_ADULT_KIN = {"son": MEN, "grandson": MEN, "daughter": WOMEN, "granddaughter": WOMEN}


_KIN_ADJ = {"younger", "elder", "older", "little", "baby", "infant", "young", "teenage", "eldest", "youngest"}
_KIN_PLURAL = {"sons": "son", "daughters": "daughter", "children": "child", "grandsons": "grandson",
               "granddaughters": "granddaughter"}


def _ages_listed(words: list[str], e: int) -> list[int]:
    """The ages of ", aged 21, 18 and 7" starting at e."""
    if words[e:e + 1] == [","]:
        e += 1
    if words[e:e + 1] != ["aged"]:
        return []
    e += 1
    ages: list[int] = []
    while e < len(words):
        v, used = parse_number([words[e]])
        if not used or v is None:
            break
        ages.append(v)
        e += 1
        if words[e:e + 2] == [",", "and"]:
            e += 2
        elif words[e:e + 1] in ([","], ["and"]) and e + 1 < len(words) and parse_number([words[e + 1]])[1]:
            e += 1
        else:
            break
    return ages


def _kin_after(words: list[str], k: int) -> tuple[int, int, list[tuple[str, int]]] | None:
    """"... and her (three-year-old) daughter" at k: (start, end, [(group, count)]) of the relatives;
    "... and her three daughters, aged 21, 18 and 7": a child for each age under 18, adults for the rest."""
    if words[k:k + 1] != ["and"] or k + 1 >= len(words):
        return None
    if words[k + 1] not in ("her", "his", "their"):
        # "his mother and younger brother": a relative listed after a possessive one, the possessive understood
        e = k + 1
        while e < len(words) and e < k + 3 and words[e] in _KIN_ADJ:
            e += 1
        if e < len(words) and words[e] in _KIN and k >= 2 and words[k - 2] in POSSESSIVE | _KIN_ADJ:
            return k + 1, e + 1, [(_KIN[words[e]], 1)]
        return None
    n, used = parse_number([words[k + 2]]) if k + 2 < len(words) else (None, 0)
    if used == 1 and n is not None and 1 < n < 20 and k + 3 < len(words) and words[k + 3] in _KIN_PLURAL:
        one = _KIN_PLURAL[words[k + 3]]
        ages = _ages_listed(words, k + 4)
        if len(ages) != n:
            return k + 1, k + 4, [(_KIN[one], n)]
        young = sum(1 for a in ages if a < 18)
        groups = [(CHILDREN, young)] if young else []
        if n - young:
            groups.append((_ADULT_KIN.get(one, ADULTS), n - young))
        return k + 1, k + 4, groups
    e = k + 2
    age = None
    while e < len(words) and e < k + 5 and (words[e].endswith("-year-old") or words[e] in ("little", "young", "baby", "elderly", "adult")):
        if words[e].endswith("-year-old"):
            age = parse_number([words[e][:-len("-year-old")]])[0]
        e += 1
    if e >= len(words) or words[e] not in _KIN:
        return None
    group = _KIN[words[e]]
    if age is not None and age >= 18 and words[e] in _ADULT_KIN:
        group = _ADULT_KIN[words[e]]
    return k + 1, e + 1, [(group, 1)]


_KIN_OF = ("family", "families", "household", "households")


def _past_kin(words: list[str], k: int) -> int:
    """k, or past "of the (same) family" at k ("two members of the same family were taken to hospital")."""
    if words[k:k + 1] == ["of"]:
        for j in range(k + 1, min(k + 5, len(words))):
            if words[j] in _KIN_OF:
                return j + 1
            if words[j] not in ("the", "a", "his", "her", "their", "same", "one", "that", "this"):
                break
    return k


RISE = {"rose", "risen", "rises", "rising", "climbed", "climbs", "increased", "increases", "reached", "stands", "stood",
        "grew", "grown", "jumped", "went", "gone", "goes", "going"}
_HOSPITAL = re.compile(r"^(?:(?:had|have|has|were|are|was|is|been|later|also|all|now|still)\s+){0,3}"
                       r"(?:sought|needed|required|received|seeking)\s+(?:medical|hospital)\b"
                       r"|^(?:(?:had|have|has|were|are|was|is|been|later|also|all|now|still)\s+){0,3}"
                       r"(?:in|taken\s+to|admitted\s+to|brought\s+to)\s+(?:the\s+)?hospital\b"
                       r"|^(?:(?:had|have|has|were|are|was|is|been|later|also|all|now|still)\s+){0,3}hospitali[sz]ed\b"
                       r"|^(?:(?:had|have|has|were|are|was|is|been|being|later|also|all|now|still)\s+){0,3}"
                       r"(?:treated\s+for\s+(?:their\s+)?(?:injuries|wounds)|receiving\s+(?:medical\s+)?(?:treatment|care))\b"
                       # "five were treated on the spot": medical help at the scene (stress alone: _stress_only)
                       r"|^(?:(?:had|have|has|were|are|was|is|been|being|later|also|all|now|still)\s+){0,3}"
                       r"(?:treated|helped)\s+(?:on\s+the\s+spot|at\s+the\s+scene|on\s+site)\b")


def _bare_count(words: list[str], end: int) -> bool:
    """"bringing the count to four" with no casualty word before it: what is counted is unknown (the
    sentence may be about people who sought help), so the figure is not a death toll."""
    window = words[max(0, end - 6):end]
    if "count" not in window or any(w in ("toll", "tolls", "death", "deaths", "dead") for w in window):
        return False
    return not any(_role(w) for w in words[max(0, end - 24):end])


def _counted_role(words: list[str], end: int) -> str | None:
    """Role of a counted noun phrase before a rise verb: "the number of people killed ... has risen"."""
    window = words[max(0, end - 24):end]
    if "toll" in window and "number" not in window:
        i = window.index("toll")
        return "injured" if i > 0 and window[i - 1] in ("injury", "injured", "wounded") else "killed"
    if "number" not in window and "count" not in window:
        return None
    for w in window[window.index("number") if "number" in window else 0:]:
        r = _role(w)
        if r:
            return r
    return None


_PREP = {"of", "from", "inside", "near", "in", "at", "on"}
_AGE_QUAL = {"about", "around", "some", "approximately", "roughly", "nearly", "almost", "over", "under"}
_AGE_AFTER = {",", ")", ".", ";", "and", "were", "was", "who", "had", "have", "died", "is", "suffered", "sustained",
              "succumbed", "later", "remains"}  # "a man of 25 died"
_AGE_LIST_SEP = {",", "and", "to", "-", "or"}


def _is_age(words: list[str], num_start: int, after: int) -> bool:
    """The number is someone's age: "aged 20 to 74", "a man of (around) 66", "his wife, 65,"."""
    if _years_old_after(words, after):
        return True  # "between 50 and 72 years old", "43 to 81 years of age": an age range
    k = num_start - 1
    while k >= 0 and words[k] in _AGE_QUAL:
        k -= 1
    if k < 0:
        return False
    w = words[k]
    if w in ("aged", "age", "ages"):
        return True
    nxt = words[after] if after < len(words) else ""
    if w in ("to", "and", "-") and k >= 2 and words[k - 2] in ("aged", "ages", "between") and _is_num(words[k - 1]):
        return True  # the second number of "aged 20 to 74"
    if w == "between" and k >= 1 and words[k - 1] in ("aged", "ages"):
        return True  # "aged between 18 and 60"
    if w in _AGE_LIST_SEP and words[num_start] not in ("a", "an", "one") and nxt not in NOUNS:
        b = k
        while b >= 0 and (words[b] in _AGE_LIST_SEP or (_is_num(words[b]) and words[b] not in ("a", "an", "one"))):
            b -= 1
        if b >= 0 and (words[b] in ("aged", "ages") or (words[b] == "between" and b >= 1 and words[b - 1] in ("aged", "ages"))):
            return True  # a later number of "aged 21, 18 and 7", "aged between 18 and 60"
    if w == "of" and k >= 1 and words[k - 1] in SINGULAR_ONE and nxt in _AGE_AFTER | {""}:
        return True  # "a man of 66", "a civilian man of around 40"
    if w == "," and k >= 1 and words[k - 1] in SINGULAR_ONE | {"wife", "husband", "brother", "sister"} \
            and nxt in (",", ")") and k >= 2 and words[k - 2] not in ("of", "including"):
        return True  # "his wife, 65, were killed"
    return False


_DIED_OF_WOUNDS = re.compile(r"^and (?:later |subsequently |then )?(?:died|succumbed)\b")


def _years_old_after(words: list[str], after: int) -> bool:
    """An age unit and "old"/"of age" follow the number, perhaps after the range's second number."""
    e = after
    if words[e:e + 1] and words[e] in ("and", "to", "-") and e + 1 < len(words) and _is_num(words[e + 1]):
        e += 2
    return words[e:e + 1] == ["years"] and (words[e + 1:e + 2] == ["old"] or words[e + 1:e + 3] == ["of", "age"])


def _among_the(words: list[str], num_start: int) -> str | None:
    """Role of "among the dead are N ...", "of the wounded, N ..." before the number."""
    w = words[max(0, num_start - 4):num_start]
    if len(w) >= 1 and w[-1] in ("are", "were", "was", "is", ","):
        w = w[:-1]
    if len(w) >= 3 and w[-3] in ("among", "of") and w[-2] == "the" and _role(w[-1]):
        return _role(w[-1])
    if len(w) >= 3 and w[-3] == "among" and w[-2] == "those" and _role(w[-1]):
        return _role(w[-1])  # "among those killed was a six-year-old boy"
    if len(w) >= 3 and w[-3] == "the" and _role(w[-2]) and w[-1] in ("include", "includes", "included", "including"):
        return _role(w[-2])  # "the dead included four minors"
    return None


def _is_num(w: str) -> bool:
    return parse_number([w])[1] > 0 or w in ("a", "an", "one")


_CHILD_SUBJECT = {"children", "kids", "minors"}
# "an average of 163 civilians were killed ... every month", "12 people per day": a rate, not a count
_RATE = re.compile(r"\b(?:an|on|the) average\b|\b(?:every|per|each) (?:day|week|month|year)\b", re.IGNORECASE)
_CLAUSE_EDGE = re.compile(r";|:|\s[-\u2013\u2014]\s|\.\s")


def _drop_rates(figs: list[Figure], sent: Sentence) -> list[Figure]:
    if not figs or not _RATE.search(sent.text):
        return figs
    text, st = sent.text, sent.start
    edges = [0] + [m.end() for m in _CLAUSE_EDGE.finditer(text)] + [len(text)]
    out = []
    for fig in figs:
        a = max(e for e in edges if e <= fig.start - st)
        b = min((e for e in edges if e >= fig.end - st), default=len(text))
        if not _RATE.search(text, a, b):
            out.append(fig)
    return out
