"""Who says so ("Amnesty said", "according to the interior ministry") and who is accused."""
from __future__ import annotations

import re

from .gate import Gate, Words, words as word_set

_NAME = r"(?:[A-Z][\w’'.\-]*|U\.N\.)(?:\s+(?:[A-Z][\w’'.\-]*|of|the|for|and|de|on)){0,7}"
_ROLE = (r"(?:the\s+)?(?:regional |local |city |military |state |village |district |head of the |acting )?"
         r"(?:governor|mayor|organisation|organization|group|ministry|prosecutor'?s? office|prosecutors|police|"
         r"emergency service|officials?|authorities|administration|military administration|health ministry|"
         r"interior ministry|rescuers|agency|mission|monitors|president|spokesperson|spokesman|spokeswoman|"
         r"army|military|commander|head|chief|watchdog|minister|researchers|investigators|witnesses|residents)")
_PATTERNS = [
    re.compile(r"\baccording to\s+(?P<who>[^,.;:()\"“”]{2,80})"),
    re.compile(rf"(?P<who>{_NAME})\s+(?:has |had |have )?(?:said|says|told|reported|confirmed|stated|wrote|announced|added|claimed)\b"),
    re.compile(rf"\b(?:said|says|told reporters|reported|wrote|added)\s+(?P<who>{_NAME})"),
    re.compile(rf"(?P<who>{_ROLE})\s+(?:has |had |have )?(?:said|says|told|reported|confirmed|stated|wrote|announced|added)\b", re.IGNORECASE),
]
_PRONOUNS = {"he", "she", "it", "they", "we", "i", "the", "this", "that", "officials"}
_RUSSIA = re.compile(r"\b(Russian (?:forces|troops|military|army|missiles?|strikes?|attacks?|shelling|drones?|"
                     r"aircraft|jets?|warplanes?|artillery|bombers?|positions|units|soldiers|occupiers|invaders)|"
                     r"by Russia|Russia (?:struck|launched|fired|attacked|shelled|hit)|occupiers|the Russians)\b")
_UKRAINE = re.compile(r"\b(Ukrainian (?:forces|troops|military|army|missiles?|strikes?|shelling|drones?|artillery)|"
                      r"by Ukraine|Ukraine (?:struck|launched|fired|attacked|shelled))\b")


# Every pattern above needs one of these words whole ("according to", or a speech verb);
# a sentence without any is not searched (see gate.py).
_SPEECH = frozenset({"according", "said", "says", "told", "reported", "confirmed", "stated", "wrote", "announced",
                     "added", "claimed"})
_WHO_TAIL = re.compile(r"['’]s?\s+(?:latest |preliminary |official |updated |new )*(?:figures|data|estimates?|count|tally|statement|report|information)\b.*$")
_WHO_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_WHO_POSSESSIVE = re.compile(r"['’]s?$")


def find_source(text: str, ws: Words = ()) -> tuple[str, int, int] | None:
    """The speaker a sentence attributes its claim to, with its offsets in `text`.
    `ws`: the sentence's `gate.words`, when the caller has them."""
    if ws == ():
        ws = word_set(text)
    if ws is not None and _SPEECH.isdisjoint(ws):
        return None
    for pat in _PATTERNS:
        for m in pat.finditer(text):
            raw = m.group("who")
            who = raw.strip(" ,.;:’'")
            who = _WHO_TAIL.sub("", who)
            who = _WHO_ARTICLE.sub("", who)
            who = _WHO_POSSESSIVE.sub("", who).strip()
            s = m.start("who") + raw.find(who) if who else m.start("who")
            if who and s + len(who) < len(text) and (text[s + len(who)].isalnum() or text[s + len(who)] == "-"):
                # the pattern's length limit stopped inside a word: end at the last whole word
                who = who[:max(who.rfind(" "), 0)].rstrip(" ,.;:’'")
            if not who or who.lower() in _PRONOUNS or len(who) < 2:
                continue
            return who, s, s + len(who)
    return None


_RUSSIA_GATE = Gate(_RUSSIA, ("russian", "russia", "occupiers", "russians"))
_UKRAINE_GATE = Gate(_UKRAINE, ("ukrainian", "ukraine"))
_PRONOUN = Gate(re.compile(r"\b(he|she|they|it) (also )?(said|says|added|told)\b", re.IGNORECASE),
                ("said", "says", "added", "told"))


def find_perpetrator(text: str, ws: Words = ()) -> str | None:
    if ws == ():
        ws = word_set(text)
    if _RUSSIA_GATE.search(text, ws):
        return "Russia"
    if _UKRAINE_GATE.search(text, ws):
        return "Ukraine"
    return None


def is_pronoun_attribution(text: str, ws: Words = ()) -> bool:
    if ws == ():
        ws = word_set(text)
    return _PRONOUN.found(text, ws)
