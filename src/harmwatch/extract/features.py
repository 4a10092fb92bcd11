"""Per-sentence annotation: every mention a later step may use, with offsets."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..geo import Gazetteer
from .attribution import find_perpetrator, find_source, is_pronoun_attribution
from .casualties import Figure, find_figures
from .dates import DateMention, TimeMention, find_dates, find_times
from .gate import Gate, words as word_set
from .lang import cue_pattern as _cue_pattern, english as _english
from .objects import ObjectMention, find_objects
from .places import PlaceMention, find_places
from .text import Sentence
from .weapons import Catalogue, WeaponMention

# the cue patterns and their gate words come from data/lang/en.yaml (lang/__init__.py: english())
_CUES = _english()["cues"]
ATTACK = _cue_pattern(_CUES["attack"])
TALLY = _cue_pattern(_CUES["tally"])
PLURAL_EVENTS = _cue_pattern(_CUES["plural_events"])
NEW_EVENT = _cue_pattern(_CUES["new_event"])
HYPOTHETICAL = _cue_pattern(_CUES["hypothetical"])
DENIAL = _cue_pattern(_CUES["denial"])
OTHER_PLACE = _cue_pattern(_CUES["other_place"])
MONTH_NAMES = tuple(_english()["months"])
# Each cue regex behind a Gate: for every alternative of the pattern, one word that any match of
# that alternative contains whole (see gate.py). Most sentences then skip most cue regexes.
_ATTACK = Gate(ATTACK, _CUES["attack"]["gate"])
_TALLY = Gate(TALLY, _CUES["tally"]["gate"])
_PLURAL_EVENTS = Gate(PLURAL_EVENTS, _CUES["plural_events"]["gate"])
_NEW_EVENT = Gate(NEW_EVENT, _CUES["new_event"]["gate"])
_HYPOTHETICAL = Gate(HYPOTHETICAL, _CUES["hypothetical"]["gate"])
_DENIAL = Gate(DENIAL, _CUES["denial"]["gate"])
_OTHER_PLACE = Gate(OTHER_PLACE, _CUES["other_place"]["gate"])
# a superlative and the period it is measured over ("the deadliest attack on civilians in Ukraine so far
# this year", "one of the worst strikes since the invasion began"): a comparison, not an aggregate figure;
# "since 31 July, when a missile ... killed 31" names another attack and is left alone
_COMPARISON = re.compile(
    r"\b(?:deadliest|bloodiest|worst|largest|biggest|heaviest|highest|most\s+(?:deadly|lethal|devastating|massive))\b"
    r"[^.;:,]{0,80}?\b(?:since\b(?!\s+(?:\d{1,2}\s+[A-Z][a-z]+|[A-Z][a-z]+\s+\d{1,2}\b))[^,.;:]*|so[- ]far(?:\s+this\s+(?:year|month))?|this (?:year|month)|"
    r"(?:in|of) the (?:full-scale )?(?:war|invasion)\b)", re.IGNORECASE)


def without_comparison(text: str) -> str:
    """The sentence with its superlative comparisons blanked (same length, offsets kept)."""
    return _COMPARISON.sub(lambda m: " " * len(m.group(0)), text)


_PAST_DAY = re.compile(r"\b(?:over|in|during)\s+the\s+(?:past|last|previous)\s+(?:day|24\s+hours)\b", re.IGNORECASE)
_REPORTING = re.compile(r"\b(said|says|told|reported|announced|added|wrote|stated|confirmed|posted)\s+(?:on\s+)?$", re.IGNORECASE)


_SHOT_DOWN = r"(?:shot down|intercepted|downed|neutrali[sz]ed|destroyed)"
_AERIAL = r"(?:drones?|missiles?|UAVs?|Shaheds?|rockets?|targets)"
_INTERCEPTED = re.compile(rf"\b{_SHOT_DOWN}\b(?:\W+[\w-]+){{0,6}}?\W+{_AERIAL}\b|"
                          rf"\b{_AERIAL}\b(?:\W+[\w-]+){{0,6}}?\W+(?:were|was|had been|have been|being)\s+{_SHOT_DOWN}\b",
                          re.IGNORECASE)
_HARM_AFTER = re.compile(r"\b(?:debris|fragments|wreckage|falling|fell|hit|struck|killed|injured|wounded|damaged|fire)\b",
                         re.IGNORECASE)
_UNSURE_WEAPON = re.compile(r"\b(?:not|un)\w*\s+(?:yet\s+)?(?:said|known|clear|confirmed|identified|specified|disclosed)\s+"
                            r"(?:\w+\s+){0,2}(?:what|which)\s+(?:kind|type|sort)\b", re.IGNORECASE)


@dataclass
class SentenceFeatures:
    sent: Sentence
    places: list[PlaceMention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    dateline: DateMention | None = None  # the filing date of a wire story's dateline
    times: list[TimeMention] = field(default_factory=list)
    weapons: list[WeaponMention] = field(default_factory=list)
    objects: list[ObjectMention] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    attack: bool = False
    tally_cue: bool = False
    total_only: bool = False  # a sum word and no other aggregate wording ("загалом", "всего"): tally_cue too
    plural_events: bool = False
    new_event: bool = False
    hypothetical: bool = False
    denial: bool = False
    source: tuple[str, int, int] | None = None
    pronoun_source: bool = False
    perpetrator: str | None = None
    # a live report's cue ("Працюють профільні служби", "На данный момент известно"): the publication day
    # implied for an attack the text tells as it happens, used only when the text gives no date at all
    live: DateMention | None = None
    # "over the past day", "за минулу добу", "за сутки": a morning summary's day, the one before publication,
    # used only for an attack with no date word of its own (GUIDELINES: relative dates resolve against publication)
    past_day: DateMention | None = None
    # one part of a sentence that gives one toll for several places ("загинули троє людей - у A, B та C"): the
    # place was hit, its own figure is not given (the toll is a tally)
    shared_toll: bool = False
    recalled: bool = False  # the sentence recalls an earlier attack ("Нагадаємо, ...", "Ранее ...")
    later_report: bool = False  # tells an earlier attack's later news (a toll that rose, bodies found later)
    recall_start: bool = False  # opens by recalling an earlier attack ("Нагадаємо, ...")
    other_place: bool = False  # "In another village ...": another attack, in a village the text does not name
    vague_day: bool = False  # the attack was "a few days ago": the sentence's own day is not its day
    # bodies recovered, in a sentence that names no day ("рятувальники дістали з-під завалів тіла трьох людей"): the
    # finding's day; the attack's only when the paragraph told it (assemble.py)
    bodies_found: bool = False
    # districts and communities named as the scene ("У Межівській громаді", "на Нікопольщині", "в Пологовском
    # районе"): an incident there has no settlement (place null) and the area's oblast
    areas: list[PlaceMention] = field(default_factory=list)
    strike: bool = False  # a verb of striking a named place ("росіяни обстріляли Херсон"): may start an incident
    intercepted: bool = False  # only weapons shot down, no harm told ("силы ПВО сбили 44 беспилотника")
    # the sentence names a day, even one it gives no incident ("Ночью ... сбросили авиабомбу – обошлось без
    # пострадавших"): a text that names any day is not dated by its publication alone (newsday.py)
    day_named: bool = False
    told: list[DateMention] = field(default_factory=list)  # days a statement was made ("said on Saturday")

    @property
    def settlements(self) -> list[PlaceMention]:
        return [p for p in self.places if p.kind == "settlement"]

    @property
    def oblasts(self) -> list[PlaceMention]:
        return [p for p in self.places if p.kind == "oblast"]


_STRUCK_CUES = frozenset({"struck", "shelled", "attacked", "hit", "bombed", "targeted", "pounded"})


def annotate(sent: Sentence, published: date | None, gaz: Gazetteer, catalogue: Catalogue) -> SentenceFeatures:
    text = sent.text
    ws = word_set(text)  # computed once, shared by every gated regex below
    f = SentenceFeatures(sent=sent)
    f.places = find_places(sent, gaz)
    if any(p.kind == "area" for p in f.places):  # "a village of the Snovsk community"
        f.areas = [p for p in f.places if p.kind == "area"]
        f.places = [p for p in f.places if p.kind != "area"]
    if ws is None or not ws.isdisjoint(_VILLAGE_WORDS):
        f.places += _unknown_villages(text, sent.start, f.places)
    dates = find_dates(text, sent.start, published, ws, f.told)
    if dates:
        dates = [d for d in dates
                 if not _REPORTING.search(text[max(0, d.start - sent.start - 14):d.start - sent.start])]
    if dates and (late := _AFTER_ATTACK.search(text)) is not None:
        # "It was only 16 days ago that the Council met after a Russian missile killed 20": the date is
        # the later event's; the attack in the "after" clause has none of its own here
        dates = [d for d in dates if d.start - sent.start > late.start()]
    f.dateline = next((d for d in dates if _is_dateline(text, d.start - sent.start, d.end - sent.start)), None)
    f.dates = [d for d in dates if d is not f.dateline]
    f.times = find_times(text, sent.start)
    if published is not None and (past := _PAST_DAY.search(text)) is not None:
        f.past_day = DateMention(published - timedelta(days=1), sent.start + past.start(), sent.start + past.end(), True)
    f.weapons = [_shift(w, sent.start) for w in catalogue.find(text, ws)]
    if f.weapons and _UNSURE_WEAPON.search(text):
        f.weapons = []  # "officials have not said what kind of missile was used; reports suggest a ballistic one"
    if len(f.weapons) > 1 and "other" in text:
        # "Kinzhal missiles at the city, along with Shahed drones aimed at other regions": the systems
        # sent elsewhere are not this attack's
        own = [w for w in f.weapons if not _ELSEWHERE_AIM.match(text, w.end - sent.start)]
        if own and len(own) < len(f.weapons):
            f.weapons = own
    f.objects = find_objects(text, sent.start, ws)
    f.figures = find_figures(sent)
    f.attack = _ATTACK.found(text, ws)
    if f.attack and not f.figures and not f.objects and _INTERCEPTED.search(text) and not _HARM_AFTER.search(text) \
            and not ATTACK.search(_INTERCEPTED.sub(" ", text)):
        # "Air defence shot down 20 drones over the region": no harm, no incident; its weapons are no attack's
        # (a sentence that also says what was fired, "fired 23 missiles ...; 21 were shot down", stays)
        f.attack, f.weapons = False, []
    f.tally_cue = _TALLY.found(text, ws)
    f.plural_events = _PLURAL_EVENTS.found(text, ws)
    if (f.tally_cue or f.plural_events) and _COMPARISON.search(text):
        # "one of the deadliest attacks since the full-scale invasion began": the period (and the plural)
        # belong to the comparison, not to the sentence's figures
        plain = without_comparison(text)
        f.tally_cue = f.tally_cue and bool(TALLY.search(plain))
        f.plural_events = f.plural_events and bool(PLURAL_EVENTS.search(plain))
    f.new_event = _NEW_EVENT.found(text, ws)
    f.hypothetical = _HYPOTHETICAL.found(text, ws)
    f.denial = _DENIAL.found(text, ws)
    f.other_place = _OTHER_PLACE.found(text, ws)
    # "Russian forces struck Pryozerne": a place named as what was struck may start an incident (the Slavic
    # annotator's `strike`); its harm may come in the next sentences
    f.strike = f.attack and not f.hypothetical and not f.denial \
        and any(p.cue in _STRUCK_CUES for p in f.places if p.kind == "settlement")
    src = find_source(text, ws)
    f.source = (src[0], src[1] + sent.start, src[2] + sent.start) if src else None
    f.pronoun_source = is_pronoun_attribution(text, ws)
    f.perpetrator = find_perpetrator(text, ws)
    if f.dates and _FOLLOWED.search(text):
        f.recalled = True  # "The night attack followed a strike on the centre of Odesa on 14 November"
    return f


# an attack told as the one that came before the story's own, with its own date
_FOLLOWED = re.compile(r"\b(?:followed|follows|came|comes)\s+(?:(?:a|one|two|three|several)\s+(?:days?|hours?|weeks?)\s+)?"
                       r"(?:after\s+)?(?:an?|the|another)\s+(?:[\w-]+\s+){0,3}?(?:strike|attack|shelling|bombardment|raid)s?\b",
                       re.IGNORECASE)


_DATELINE_HEAD = re.compile(r"^[A-Z][A-Za-z\u2019'. -]{1,40},\s*(?:[A-Z][a-z]+,\s*)?$")
_DATELINE_TAIL = re.compile(r"^\s*(?:\(|[-\u2013\u2014]\s)")


_ELSEWHERE_AIM = re.compile(
    r"[^.;,]{0,30}?\b(?:aimed|launched|fired|directed|sent|heading|headed|flying)\s+(?:at|towards?|against|into)\s+"
    r"(?:the\s+)?other\s+(?:regions|cities|towns|areas|parts|oblasts|targets)\b|"
    r"[^.;,]{0,30}?\btargeting\s+(?:the\s+)?other\s+(?:regions|cities|towns|areas|parts|oblasts)\b", re.IGNORECASE)


_AFTER_ATTACK = re.compile(r"\b(?:after|following)\s+(?:a|an|the|another)\s+(?:[\w-]+\s+){0,3}?"
                           r"(?:missile|rocket|drone|bomb|strike|airstrike|attack|shelling)s?\s+"
                           r"(?:strike\s+|attack\s+)?(?:had\s+)?(?:killed|hit|struck|wounded|injured|destroyed)\b", re.IGNORECASE)


def _is_dateline(text: str, start: int, end: int) -> bool:
    """'KYIV, July 8 (news agency) -': the date the story was filed, not the attack date."""
    return bool(_DATELINE_HEAD.match(text[:start]) and _DATELINE_TAIL.match(text[end:end + 3]))


# "the village of Makeevo": a settlement the gazetteer does not know, named as one
_VILLAGE_WORDS = frozenset({"village", "town", "settlement", "hamlet"})
_VILLAGE_OF = re.compile(r"\b(?:village|town|settlement|hamlet)\s+of\s+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")


def _unknown_villages(text: str, offset: int, places: list[PlaceMention]) -> list[PlaceMention]:
    """Settlements introduced as such and not in the gazetteer: no candidates and no region. assemble.py places them
    only in a text about one region across the border (their name and that region, never a point)."""
    out = []
    for m in _VILLAGE_OF.finditer(text):
        a, b = offset + m.start(1), offset + m.end(1)
        if not any(p.start < b and a < p.end for p in places):
            out.append(PlaceMention(a, b, m.group(1), "settlement", None, (), "village"))
    return out


# "The wounded man, a resident of the western Ivano-Frankivsk region, ...", "водій, житель Івано-Франківщини": where one
# victim is from, told in apposition, not where the attack was ("мешканців Донецької області загинули" is the scene)
_HOME_BEFORE = re.compile(r",\s+(?:a|an)\s+(?:[\w-]+\s+)?(?:resident|native)\s+of\s+(?:the\s+)?(?:[\w-]+\s+)?$"
                          r"|,\s+(?:[\w'’-]+\s+)?(?:житель|жителька|мешканець|мешканка|уродженець|уродженка|уроженец|"
                          r"уроженка)\s+(?:[\w'’-]+\s+)?$", re.IGNORECASE)


def without_home_regions(f: SentenceFeatures) -> SentenceFeatures:
    """The sentence's oblasts named as a victim's home ("a resident of the Ivano-Frankivsk region") left out (in place)."""
    if not f.places or "," not in f.sent.text:
        return f
    st = f.sent.start
    home = [p for p in f.places if p.kind == "oblast" and _HOME_BEFORE.search(f.sent.text[max(0, p.start - st - 40):p.start - st])]
    if home:
        f.places = [p for p in f.places if p not in home]
    return f


def _shift(w: WeaponMention, offset: int) -> WeaponMention:
    from dataclasses import replace
    return replace(w, start=w.start + offset, end=w.end + offset)
