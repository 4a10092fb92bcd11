"""Figure scope: does a casualty figure belong to an incident, a tally, or neither?

The rules (casualties.py, assemble.py) find every casualty figure and place it: in an
incident's field, in a tally's field, or nowhere. This step scores each placed figure
with a small trained model (multinomial logistic regression over features of the figure
and its context, `data/scope_model.json`, trained by `harmwatch train`) and gives every
value of a claim a `confidence`:

- a casualty field of an incident: P(incident) of the figure(s) it was read from (the
  lowest, when several figures add up); a tally field: P(tally);
- the date: 0.9 for a date written with a day or weekday in the incident's own sentences,
  0.8 for a relative word ("yesterday", "overnight"), 0.7 when it is carried over from an
  earlier sentence, 0.3 when no date word gives it (the publication date alone);
- place 0.9 (resolved in the gazetteer), admin1 0.8, time 0.9, weapon 0.9 for a named
  system and 0.6 for a generic word, objects 0.8: rule confidences, documented in
  docs/extraction.md.

A casualty value or a date below the threshold (setting `scope-threshold`) is withheld:
the field becomes null, `uncertain[field]` says why in plain words, and `withheld[field]`
keeps the candidate value, its confidence and its quote for review.

Inference is pure Python (a dot product and a softmax): scikit-learn is needed only to train.
"""
from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import HarmWatchError
from .linear import LinearModel
from ..records import IncidentClaim, Span, TallyClaim
from .casualties import ADULTS, CHILDREN, HEALTH, MEN, TOTAL, WOMEN, Figure
from .features import SentenceFeatures, without_comparison

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "scope_model.json"
CLASSES = ("incident", "tally", "none")
INCIDENT_FIELDS = ("killed", "injured", "children_killed", "children_injured", "women_killed",
                   "healthcare_killed", "healthcare_injured")
TALLY_FIELDS = ("killed", "injured", "children_killed", "children_injured")
_GROUP_FIELDS = {("killed", CHILDREN): "children_killed", ("injured", CHILDREN): "children_injured",
                 ("killed", WOMEN): "women_killed", ("killed", HEALTH): "healthcare_killed",
                 ("injured", HEALTH): "healthcare_injured"}

REASONS = {
    ("incident", "tally"): "figure may be a regional or national total",
    ("incident", "none"): "figure may be about combatants, a threat, a retracted report or another attack",
    ("tally", "incident"): "figure may be one attack's toll rather than a total",
    ("tally", "none"): "figure may be about combatants, a threat, a retracted report or another attack",
}
DATE_REASON = "date not stated in the text"
NO_PLACE_REASON = "no place named: figure not tied to one identified incident"
BODIES_REASON = "bodies found: not stated as killed in this attack"
# "Twenty-four bodies were found, 13 of them children", "знайдено тіла 24 людей": a count of bodies found, which
# the text does not give as the attack's toll unless the sentence says they were killed or gives a toll
_BODIES_FOUND = re.compile(r"\bbod(?:y|ies)\b[^.;]{0,60}?\b(?:found|recovered|discovered|exhumed|uncovered|retrieved|pulled)\b"
                           r"|\b(?:found|recovered|discovered|exhumed|uncovered|retrieved|pulled out)\b[^.;]{0,30}?\bbod(?:y|ies)\b"
                           r"|(?<!\w)(?:знайд\w*|виявле\w*|виявил\w*|дістал\w*|найден\w*|обнаруж\w*|извлек\w*|извлечен\w*)"
                           r"[^.;]{0,30}?(?<!\w)(?:тіл[оа]?|тел[оа]?)(?!\w)"
                           r"|(?<!\w)(?:тіл[оа]?|тел[оа]?)(?!\w)[^.;]{0,60}?(?<!\w)(?:знайд\w*|виявл\w*|найден\w*|найдены|обнаруж\w*)",
                           re.IGNORECASE)
_KILLING = re.compile(r"\b(?:kill\w*|died|dead|deaths?|toll|lives)\b|(?<!\w)(?:загин\w*|вбит\w*|убит\w*|погиб\w*|жертв\w*|"
                      r"загибл\w*)", re.IGNORECASE)
RETRACTED_REASON = "a later report withdraws the deaths: not confirmed"
# "The report of a death has not been confirmed: rescuers freed the person alive", "інформація про загиблого не
# підтвердилася", "информация о погибшем не подтвердилась": a correction downwards that withdraws the dead
RETRACTED = re.compile(r"\b(?:reports?|information|news|claims?)\s+(?:of|about|that)\s+(?:a\s+|the\s+|any\s+)?"
                        r"(?:deaths?|dead|fatalit(?:y|ies)|(?:someone|somebody|a person|people)\s+(?:was|were|had been)\s+killed)"
                        r"[^.;:]{0,40}?\b(?:(?:has|have|had|was|were|is|are)\s+not\s+(?:been\s+)?confirmed|"
                        r"(?:was|were|proved|turned out to be)\s+(?:false|wrong|mistaken|incorrect|untrue)|"
                        r"(?:did|does|do)\s+not\s+(?:prove|turn out)\s+(?:true|to be true)|unconfirmed)\b"
                        r"|\bno\s+(?:one|body)\s+(?:was|were|had been)\s+killed\s+after\s+all\b"
                        # "Officials corrected an earlier report that a civilian had been killed in the city"
                        r"|\b(?:corrected|retracted|withdrew|denied)\s+(?:an\s+|the\s+|their\s+|its\s+)?(?:earlier\s+|initial\s+)?"
                        r"(?:reports?|claims?|information)\s+that\s+[^.;:]{0,60}?\b(?:killed|dead|died)\b"
                        r"|(?<!\w)інформаці\w*\s+про\s+(?:загибл\w*|смерт\w*)[^.;:]{0,30}?не\s+підтверди\w*"
                        r"|(?<!\w)информаци\w*\s+о\s+(?:погибш\w*|гибел\w*|смерт\w*)[^.;:]{0,30}?не\s+подтверди\w*",
                        re.IGNORECASE)
COMBATANTS_REASON = "the figure includes combatants: the civilians' number is not given"
# "killed three people on Tuesday evening, among them a member of Russia's National Guard", "five people,
# including two soldiers": the toll counts combatants too (GUIDELINES: military losses are never civilian figures)
_COMBATANTS_AMONG = re.compile(
    r"[^.;:]{0,60}?\b(?:among them|among whom|including|of them|of whom)\s+(?:a|an|one|two|three|four|five|\d+)\s+"
    r"(?:(?:russian|ukrainian|national|serving)\s+)?(?:soldiers?|servicem[ae]n|servicewom[ae]n|troops|combatants|"
    r"(?:members?|officers?|sergeants?) of (?:the |russia's |ukraine's )?(?:national guard|armed forces|army|military)|"
    r"military personnel|national guard(?:sm[ae]n)?)\b", re.IGNORECASE)
DATE_CONFIDENCE = {"stated": 0.9, "relative": 0.8, "carried": 0.7, "publication": 0.3}
RULE_CONFIDENCE = {"place": 0.9, "admin1": 0.8, "time": 0.9, "weapon_named": 0.9, "weapon_generic": 0.6,
                   "objects": 0.8}


class ScopeModelError(HarmWatchError):
    """The figure-scope model file is missing or malformed."""


_AGG = re.compile(r"\b(?:since|so far|in total|total of|overall|altogether|across|nationwide|countrywide|this year|"
                  r"this month|last month|over the past|in the past|past (?:day|24 hours|week|month)|"
                  r"over the (?:day|night|weekend|week)|during the (?:day|week|month)|cumulative|as a whole|throughout|"
                  r"in all|combined|a total)\b", re.IGNORECASE)
_REGION = re.compile(r"\b(?:regions?|oblasts?|regional|province|country|nationwide|ukraine|districts?|"
                     r"communit(?:y|ies)|hromadas?)\b", re.IGNORECASE)
_MILITARY = re.compile(r"\b(?:soldiers?|troops|servicem[ae]n|combatants|military|army|fighters|occupiers|invaders|"
                       r"prisoners|pows?|mercenaries|personnel)\b", re.IGNORECASE)
_RUSSIAN = re.compile(r"\b(?:russian|russians|russia)\b", re.IGNORECASE)
_MODAL = re.compile(r"\b(?:could|may|might|would|if|threat\w*|warn\w*|feared?|risk|plan\w*|intend\w*)\b", re.IGNORECASE)
_RETRACT = re.compile(r"\b(?:revised|retracted|corrected|denied|false|fake|not|no|none|neither|nobody)\b", re.IGNORECASE)
_MEDICAL = re.compile(r"\b(?:medical (?:help|aid|assistance|care)|treated|hospitali[sz]ed|in hospital|sought|"
                      r"shock|concussion)\b", re.IGNORECASE)
_RISE = re.compile(r"\b(?:rose|risen|rises|climbed|increased|reached|now|toll|stands|stood|updated|latest)\b",
                   re.IGNORECASE)
_OTHER = re.compile(r"\b(?:another|separately|separate|earlier|previous|previously|last (?:week|month|year)|elsewhere|"
                    r"also|in addition|meanwhile|anniversary|ago|recalled|remember)\b", re.IGNORECASE)
_FAMILY = re.compile(r"\b(?:family|families|relatives?|his|her|their)\b", re.IGNORECASE)
_PERIOD_WORD = re.compile(r"\b(?:days?|weeks?|months?|years?|night|weekend)\b", re.IGNORECASE)


@dataclass
class Candidate:
    """One casualty figure with where the rules put it and the features the model reads."""

    figure: Figure
    sentence: int  # index into the features list
    field: str | None  # the claim field it was read into, or its natural field when unused
    placement: str  # incident | tally | dropped
    claim: int | None  # index of the incident or tally it sits in
    value: int  # the value of the field (a sum when several figures add up)
    features: dict[str, float]


def natural_field(fig: Figure) -> str | None:
    if fig.group == TOTAL and not fig.sub:
        return fig.role
    return _GROUP_FIELDS.get((fig.role, fig.group))


def _inside(fig: Figure, ev: Span | None) -> bool:
    return ev is not None and ev.start <= fig.start and fig.end <= ev.end


def candidates(feats: list[SentenceFeatures], incidents: list[IncidentClaim], tallies: list[TallyClaim],
               text: str, placed_only: bool = False) -> list[Candidate]:
    """Every figure with a number the rules found, with its placement and features
    (`placed_only`: only those in an incident or tally field, all that inference needs)."""
    figs = [(i, fig) for i, f in enumerate(feats) for fig in f.figures if fig.value is not None]
    if not figs:
        return []
    starts = [f.sent.start for f in feats]
    doc = _DocContext(feats, incidents, tallies, starts, figs)
    out = []
    for i, fig in figs:
        field, placement, claim, value = natural_field(fig), "dropped", None, fig.value
        for n, c in enumerate(incidents):
            name = next((k for k in INCIDENT_FIELDS if getattr(c, k) is not None and _inside(fig, c.evidence.get(k))), None)
            if name is not None:
                field, placement, claim, value = name, "incident", n, getattr(c, name)
                break
        if placement == "dropped":
            for n, t in enumerate(tallies):
                name = next((k for k in TALLY_FIELDS if getattr(t, k) is not None and _inside(fig, t.evidence.get(k))), None)
                if name is not None:
                    field, placement, claim, value = name, "tally", n, getattr(t, name)
                    break
        if placed_only and placement == "dropped":
            continue
        out.append(Candidate(fig, i, field, placement, claim, value,
                             _features(fig, i, field, placement, claim, value, doc, text)))
    return out


class _DocContext:
    def __init__(self, feats, incidents, tallies, starts, figs):
        self.feats, self.incidents, self.tallies, self.starts = feats, incidents, tallies, starts
        self.n = len(feats)
        self.para_places: dict[int, set[str]] = {}
        for f in feats:
            if f.places:  # (a paragraph without settlements reads as an empty set: `.get(..., ())`)
                self.para_places.setdefault(f.sent.paragraph, set()).update(p.text.lower() for p in f.settlements)
        self.max_value: dict[str, int] = {}
        for _, fig in figs:
            self.max_value[fig.role] = max(self.max_value.get(fig.role, 0), fig.value)
        self.incident_first = [self.sentence_of(c.span.start) if c.span else 0 for c in incidents]
        self._comparison: dict[int, bool] = {}
        self._sentence_x: dict[int, tuple[float, float, float, float]] = {}

    def comparison(self, i: int) -> bool:
        """Whether sentence i holds a superlative comparison ("the deadliest attack since ...")."""
        if i not in self._comparison:
            s = self.feats[i].sent.text
            self._comparison[i] = without_comparison(s) != s
        return self._comparison[i]

    def sentence_features(self, i: int) -> tuple[float, float, float, float]:
        """agg_sentence, region_sentence, military_sentence, other_event of sentence i: the same for
        every figure of the sentence, so worked out once."""
        got = self._sentence_x.get(i)
        if got is None:
            s = self.feats[i].sent.text
            got = self._sentence_x[i] = (float(bool(_AGG.search(s))), float(bool(_REGION.search(s))),
                                         float(bool(_MILITARY.search(s))), float(bool(_OTHER.search(s))))
        return got

    def sentence_of(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def nearest_incident(self, i: int) -> int | None:
        best, dist = None, 10 ** 9
        for n, c in enumerate(self.incidents):
            if c.span is None:
                continue
            a, b = self.sentence_of(c.span.start), self.sentence_of(max(c.span.start, c.span.end - 1))
            d = 0 if a <= i <= b else min(abs(i - a), abs(i - b))
            if d < dist:
                best, dist = n, d
        return best


def _features(fig: Figure, i: int, field: str | None, placement: str, claim: int | None, value: int,
              doc: _DocContext, text: str) -> dict[str, float]:
    f = doc.feats[i]
    s = f.sent.text
    rel_s, rel_e = fig.start - f.sent.start, fig.end - f.sent.start
    near = s[max(0, rel_s - 60):rel_e + 60]
    before = s[max(0, rel_s - 40):rel_s]
    sent_x = doc.sentence_features(i)
    x: dict[str, float] = {
        "role_killed": float(fig.role == "killed"),
        "group_total": float(fig.group == TOTAL),
        "group_children": float(fig.group == CHILDREN),
        "group_adult_kin": float(fig.group in (MEN, WOMEN, ADULTS)),
        "group_health": float(fig.group == HEALTH),
        "sub": float(fig.sub),
        "log_value": math.log1p(fig.value),
        "value_one": float(fig.value == 1),
        "value_ge_100": float(fig.value >= 100),
        "sum_field": float(value != fig.value),
        "doc_max_for_role": float(fig.value >= doc.max_value.get(fig.role, 0)),
        "place_incident": float(placement == "incident"),
        "place_tally": float(placement == "tally"),
        "place_dropped": float(placement == "dropped"),
        "field_is_main": float(field in ("killed", "injured")),
        "attack_cue": float(f.attack),
        "tally_cue": float(f.tally_cue),
        "plural_events": float(f.plural_events),
        "new_event": float(f.new_event),
        "hypothetical": float(f.hypothetical),
        "denial": float(f.denial),
        "agg_sentence": sent_x[0],
        "agg_near": float(bool(_AGG.search(near))),
        "region_sentence": sent_x[1],
        "region_near": float(bool(_REGION.search(near))),
        "military_sentence": sent_x[2],
        "military_near": float(bool(_MILITARY.search(near))),
        "russian_near": float(bool(_RUSSIAN.search(near))),
        "modal_before": float(bool(_MODAL.search(before))),
        "retract_before": float(bool(_RETRACT.search(before))),
        "medical_near": float(bool(_MEDICAL.search(near))),
        "rise_before": float(bool(_RISE.search(before))),
        "other_event": sent_x[3],
        "family_near": float(bool(_FAMILY.search(near))),
        "period_near": float(bool(_PERIOD_WORD.search(near))),
        "n_settlements": min(3.0, float(len({p.text.lower() for p in f.settlements}))),
        "n_oblasts": min(2.0, float(len(f.oblasts))),
        "n_para_settlements": min(4.0, float(len(doc.para_places.get(f.sent.paragraph, ())))),
        "n_figures_sentence": min(4.0, float(len(f.figures))),
        "has_weapon": float(bool(f.weapons)),
        "has_object": float(bool(f.objects)),
        "has_date": float(bool(f.dates)),
        "doc_position": i / max(1, doc.n - 1),
        "first_sentence": float(i == 0),
        "n_incidents": min(4.0, float(len(doc.incidents))),
        "n_tallies": min(3.0, float(len(doc.tallies))),
    }
    # the incident the figure sits in or is nearest to
    inc = claim if placement == "incident" else doc.nearest_incident(i)
    c = doc.incidents[inc] if inc is not None else None
    if c is not None:
        first = doc.incident_first[inc]
        x["sent_distance"] = min(6.0, float(abs(i - first)))
        x["para_change"] = float(f.sent.paragraph != doc.feats[first].sent.paragraph)
        place = (c.evidence.get("place").quote if c.evidence.get("place") else c.place) or ""
        x["names_claim_place"] = float(bool(place) and place.lower() in s.lower())
        x["other_place"] = float(any(p.text.lower() != place.lower() for p in f.settlements))
        x["date_differs"] = float(bool(f.dates) and c.date is not None
                                  and all(d.value.isoformat() != c.date for d in f.dates))
        x["claim_has_value"] = float(field is not None and getattr(c, field, None) == fig.value)
    else:
        x.update(sent_distance=6.0, para_change=1.0, names_claim_place=0.0, other_place=float(bool(f.settlements)),
                 date_differs=0.0, claim_has_value=0.0)
    x["no_incident"] = float(c is None)
    # the figure's own clause: another settlement than the claim's, aggregate or comparison wording there
    a, b = _clause(s, rel_s, rel_e)
    place = ""
    if c is not None:
        place = ((c.evidence.get("place").quote if c.evidence.get("place") else c.place) or "").lower()
    x["clause_other_place"] = float(any(a <= p.start - f.sent.start < b and p.text.lower() != place for p in f.settlements))
    x["clause_agg"] = float(bool(x["agg_sentence"] and _AGG.search(s, a, b)))
    x["comparison"] = float(doc.comparison(i))
    x["para_distance"] = min(4.0, float(abs(f.sent.paragraph - doc.feats[doc.incident_first[inc]].sent.paragraph))) \
        if c is not None else 4.0
    # the value read elsewhere too: in a tally field, or in another incident's field
    # (the same field, read in the figure's own sentence: an incident's two dead are no tally's two injured, and
    # a region's count of one dead in its lead is no reason to doubt the one death told with its village)
    x["value_in_tally"] = float(any(getattr(t, k) == fig.value and t.evidence.get(k) is not None
                                    and doc.sentence_of(t.evidence[k].start) == i
                                    for t in doc.tallies for k in TALLY_FIELDS
                                    if (field not in TALLY_FIELDS or k == field)
                                    and not (placement == "tally" and claim is not None and doc.tallies[claim] is t)))
    x["value_in_other_incident"] = float(any(getattr(o, k) == fig.value for n, o in enumerate(doc.incidents)
                                             for k in INCIDENT_FIELDS if n != inc))
    return x


_CLAUSE_END = re.compile(r"[;:.]\s|,\s+(?:while|whereas|but|and\s+(?:in|on|at))\b|\s[-\u2013\u2014]\s")


def _clause(s: str, rel_s: int, rel_e: int) -> tuple[int, int]:
    """The bounds of the clause around [rel_s, rel_e) in the sentence s."""
    a, b = 0, len(s)
    for m in _CLAUSE_END.finditer(s):
        if m.end() <= rel_s:
            a = m.end()
        elif m.start() >= rel_e:
            b = m.start()
            break
    return a, b


class ScopeModel(LinearModel):
    """Multinomial logistic regression read from JSON (extract/linear.py)."""

    label = "figure-scope model"
    error = ScopeModelError
    expected_classes = CLASSES
    default_threshold = None
    default_path = MODEL_PATH


@lru_cache(maxsize=1)
def default_model() -> ScopeModel:
    return ScopeModel.load(MODEL_PATH)


def apply_scope(feats: list[SentenceFeatures], incidents: list[IncidentClaim], tallies: list[TallyClaim],
                text: str, model: ScopeModel, threshold: float) -> None:
    """Set confidence on every value; withhold casualty values and dates below `threshold`."""
    probs: dict[tuple[str, int, str], list[dict[str, float]]] = {}
    for cand in candidates(feats, incidents, tallies, text, placed_only=True):
        if cand.placement != "dropped":
            probs.setdefault((cand.placement, cand.claim, cand.field), []).append(model.proba(cand.features))
    for n, c in enumerate(incidents):
        _rule_confidences(c, feats, text, threshold)
        for name in INCIDENT_FIELDS:
            if getattr(c, name) is not None:
                _judge(c, name, "incident", probs.get(("incident", n, name)), threshold)
        if threshold > 0 and c.place is None and c.admin1 is None:
            # an incident with neither place nor region: whose toll its figures are is a guess (a village the
            # gazetteer does not know, a total over several places), so they go to review, not onto a record
            for name in INCIDENT_FIELDS:
                if getattr(c, name) is not None:
                    _withhold(c, name, c.confidence.get(name, 0.0), NO_PLACE_REASON)
        if threshold > 0:
            for name in ("killed", "children_killed"):
                if getattr(c, name) is not None and _bodies_only(c, name, feats):
                    _withhold(c, name, c.confidence.get(name, 0.0), BODIES_REASON)
            for name in ("killed", "children_killed", "women_killed", "healthcare_killed"):
                if getattr(c, name) is not None and _retracted_later(c, name, feats):
                    _withhold(c, name, c.confidence.get(name, 0.0), RETRACTED_REASON)
            for name in ("killed", "injured"):
                ev = c.evidence.get(name)
                if getattr(c, name) is not None and ev is not None and _COMBATANTS_AMONG.match(text, ev.end):
                    _withhold(c, name, c.confidence.get(name, 0.0), COMBATANTS_REASON)
    for n, t in enumerate(tallies):
        for name in TALLY_FIELDS:
            if getattr(t, name) is not None:
                _judge(t, name, "tally", probs.get(("tally", n, name)), threshold)


def _bodies_only(c: IncidentClaim, name: str, feats: list[SentenceFeatures]) -> bool:
    """The figure was read in a sentence counting bodies found, with no word saying they were killed."""
    ev = c.evidence.get(name)
    if ev is None:
        return False
    sent = next((f.sent for f in feats if f.sent.start <= ev.start < f.sent.end), None)
    return sent is not None and _BODIES_FOUND.search(sent.text) is not None and _KILLING.search(sent.text) is None \
        and _RUBBLE.search(sent.text) is None


def _retracted_later(c: IncidentClaim, name: str, feats: list[SentenceFeatures]) -> bool:
    """A sentence after the figure's, within the incident's text, says the report of deaths was not confirmed
    (and no later sentence of the incident gives a killed figure again)."""
    ev = c.evidence.get(name)
    if ev is None:
        return False
    end = c.span.end if c.span is not None else None
    after = [f for f in feats if f.sent.start > ev.start and (end is None or f.sent.start < end)]
    hits = [n for n, f in enumerate(after) if RETRACTED.search(f.sent.text)]
    if not hits:
        return False
    return not any(fig.role == "killed" for f in after[hits[-1]:] for fig in f.figures)


# "rescuers had recovered 15 bodies from the ruins": the toll of the attack on the building, counted as it rises
_RUBBLE = re.compile(r"\b(?:rubble|ruins|debris|rescuers?|rescue|from under|collapsed|search(?:ing)? teams?)\b|(?<!\w)(?:завал\w*|"
                     r"руїн\w*|руин\w*|з-під|из-под|рятувальн\w*|спасател\w*|уламк\w*|обломк\w*)", re.IGNORECASE)


def keep_score(p: dict[str, float], own: str) -> float:
    """What the threshold is compared with: P(incident) for an incident's figure; for a tally's,
    P(tally) + P(incident), since a tally figure is withheld only when it may be no civilian toll at all
    (a tally figure that is one attack's toll is still a count the text gives)."""
    return p["incident"] if own == "incident" else p["tally"] + p["incident"]


def _judge(claim, name: str, own: str, ps: list[dict[str, float]] | None, threshold: float) -> None:
    if not ps:
        claim.confidence[name] = 0.8  # read by a rule the model does not see (a city's share of a total)
        return
    worst = min(ps, key=lambda p: keep_score(p, own))
    claim.confidence[name] = round(worst[own], 3)
    score = round(keep_score(worst, own), 3)
    if score < threshold:
        other = max((k for k in worst if k != own), key=lambda k: worst[k])
        _withhold(claim, name, round(worst[own], 3), REASONS[(own, other)])


def _withhold(claim, name: str, conf: float, reason: str) -> None:
    ev = claim.evidence.pop(name, None)
    claim.withheld[name] = {"value": getattr(claim, name), "confidence": conf,
                            "evidence": ev.to_dict() if ev is not None else None}
    claim.uncertain[name] = reason
    setattr(claim, name, None)


def _rule_confidences(c: IncidentClaim, feats: list[SentenceFeatures], text: str, threshold: float) -> None:
    if c.place is not None:
        c.confidence["place"] = RULE_CONFIDENCE["place"]
    if c.admin1 is not None:
        c.confidence["admin1"] = RULE_CONFIDENCE["admin1"]
    if c.time is not None:
        c.confidence["time"] = RULE_CONFIDENCE["time"]
    if c.weapon is not None or c.weapon_class != "unknown":
        named = c.weapon is not None and c.weapon_class != "unknown"
        c.confidence["weapon"] = RULE_CONFIDENCE["weapon_named" if named else "weapon_generic"]
    if c.objects:
        c.confidence["objects"] = RULE_CONFIDENCE["objects"]
    if c.date is not None:
        kind = date_kind(c, feats, text)
        conf = DATE_CONFIDENCE[kind]
        c.confidence["date"] = conf
        if conf < threshold:
            # with the trained threshold (0.2) no rule confidence is this low: a date given only by the
            # publication date or a wire dateline (0.3) is kept, as the annotation keeps it
            _withhold(c, "date", conf, DATE_REASON)


_RELATIVE = re.compile(r"^(?:yesterday|today|tonight|this |earlier today|last night|overnight|the day before|"
                       r"\w+ days? ago)", re.IGNORECASE)


def date_kind(c: IncidentClaim, feats: list[SentenceFeatures], text: str) -> str:
    """stated | relative | carried | publication: how the text gives the incident's date."""
    precision = getattr(c, "date_precision", None)
    ev = c.evidence.get("date")
    if ev is None or (isinstance(precision, str) and precision.startswith("publ")):
        return "publication"
    if c.span is not None and not (c.span.start <= ev.start < c.span.end):
        return "carried"
    return "relative" if _RELATIVE.match(ev.quote) else "stated"
