"""Figure attachment: which of the document's casualty figures is an incident's killed, injured or children
killed? A learned decision over every figure the rules found, not only the one they placed.

The rules (assemble.py) place figures by hand-ordered decisions, and the scope model (scope.py) can only
withhold what they placed. This step looks at every (incident, field, figure) pair: each figure whose
natural field is the field (`scope.natural_field`), wherever it stands in the text and wherever the rules
put it (in this incident, in another, in a tally, or nowhere). A binary logistic regression
(`data/attach_model.json`, trained by `harmwatch train`, extract/train_attach.py) gives P(the figure is the
incident's value for the field) from features of the pair: where the figure stands relative to the
incident's passage, whether its sentence or clause names the incident's place or another, whether it is
the passage's last or largest figure, and the figure's own context words.

The model does not see where the rules put the figure. It is a second, independent reader: on the sets the
rules were written on they are right for 97 % of the fields, so a model shown their choice learns only to
repeat it. Its thresholds are chosen on a calibration set the rules were never tuned on
(train_attach.CALIBRATION_SETS), where the rules make the mistakes they make on new reports.

The step changes a value only when the model is sure, two thresholds chosen with the model on held-out rows:
- `fill`: a field the rules left null takes the best figure when P >= fill;
- `switch`: a field the rules filled takes another figure's value when P(other) >= switch and P(other) is
  above P(the rules' figure).
A value the rules read as a sum of figures, or from no single figure, is kept (the model scores single
figures). Thresholds of 1.0
mean the model never changes a value (the rules alone). The changed value's evidence is the figure's span;
the scope step then judges it like any other (it may still be withheld).

Inference is pure Python (extract/linear.py); scikit-learn is needed only to train.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import HarmWatchError
from ..records import IncidentClaim, Span, TallyClaim
from .casualties import CHILDREN, Figure
from .features import SentenceFeatures
from .linear import LinearModel
from .scope import (_AGG, _FAMILY, _MEDICAL, _MILITARY, _MODAL, _OTHER, _PERIOD_WORD, _REGION, _RETRACT, _RISE,
                    _clause, _inside, natural_field)

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "attach_model.json"
FIELDS = ("killed", "injured", "children_killed")
CLASSES = ("other", "value")


class AttachModelError(HarmWatchError):
    """The figure-attachment model file is missing or malformed."""


class AttachModel(LinearModel):
    """Binary logistic regression read from JSON; `fill` and `switch` thresholds beside it."""

    label = "figure-attachment model"
    error = AttachModelError
    expected_classes = CLASSES
    default_threshold = 1.0
    default_path = MODEL_PATH

    def __init__(self, data: dict):
        super().__init__(data)
        try:
            self.fill = float(data.get("fill", 1.0))
            self.switch = float(data.get("switch", 1.0))
        except (TypeError, ValueError) as e:
            raise self.error(f"{self.label}: malformed thresholds ({e!r})") from e


@lru_cache(maxsize=1)
def default_model() -> AttachModel:
    return AttachModel.load(MODEL_PATH)


@dataclass
class Pair:
    """One figure considered as one incident's value for one field."""

    incident: int
    field: str
    figure: Figure
    sentence: int
    rule: bool  # the rules read this incident's field from this figure
    features: dict[str, float]


def _place_quote(c: IncidentClaim) -> str:
    ev = c.evidence.get("place")
    return ((ev.quote if ev is not None else c.place) or "").lower()


def _sentence_of(starts: list[int], offset: int) -> int:
    return max(0, bisect.bisect_right(starts, offset) - 1)


def pairs(feats: list[SentenceFeatures], incidents: list[IncidentClaim], tallies: list[TallyClaim],
          text: str) -> list[Pair]:
    """Every (incident, field, figure) pair the step decides on."""
    figs = [(i, fig, natural_field(fig)) for i, f in enumerate(feats) for fig in f.figures
            if fig.value is not None]
    figs = [(i, fig, nf) for i, fig, nf in figs if nf in FIELDS]
    if not figs or not incidents:
        return []
    starts = [f.sent.start for f in feats]
    out: list[Pair] = []
    for n, c in enumerate(incidents):
        if c.span is None:
            continue
        a, b = _sentence_of(starts, c.span.start), _sentence_of(starts, max(c.span.start, c.span.end - 1))
        place = _place_quote(c)
        for fld in FIELDS:
            mine = [(k, i, fig) for k, (i, fig, nf) in enumerate(figs) if nf == fld]
            if not mine:
                continue
            in_span = [(k, i, fig) for k, i, fig in mine if c.span.start <= fig.start < c.span.end]
            span_max = max((fig.value for _, _, fig in in_span), default=None)
            last_in_span = in_span[-1][0] if in_span else None
            ev = c.evidence.get(fld)
            current = getattr(c, fld)
            for k, i, fig in mine:
                f = feats[i]
                s = f.sent.text
                rel_s, rel_e = fig.start - f.sent.start, fig.end - f.sent.start
                near = s[max(0, rel_s - 60):rel_e + 60]
                before = s[max(0, rel_s - 40):rel_s]
                ca, cb = _clause(s, rel_s, rel_e)
                dist = 0 if a <= i <= b else min(abs(i - a), abs(i - b))
                rule = _inside(fig, ev) and current is not None
                x = {
                    "inside_span": float(c.span.start <= fig.start < c.span.end),
                    "before_span": float(fig.end <= c.span.start),
                    "sent_distance": min(6.0, float(dist)),
                    "para_distance": min(4.0, float(abs(f.sent.paragraph - feats[a].sent.paragraph))),
                    "names_place": float(bool(place) and place in s.lower()),
                    "clause_names_place": float(bool(place) and place in s[ca:cb].lower()),
                    "clause_other_place": float(any(ca <= p.start - f.sent.start < cb and p.text.lower() != place
                                                    for p in f.settlements)),
                    "sentence_other_place": float(any(p.text.lower() != place for p in f.settlements)),
                    "n_oblasts": min(2.0, float(len(f.oblasts))),
                    "span_max": float(span_max is not None and fig.value == span_max),
                    "span_last": float(k == last_in_span),
                    "n_candidates": min(6.0, float(len(mine))),
                    "n_in_span": min(4.0, float(len(in_span))),
                    "n_incidents": min(4.0, float(len(incidents))),
                    "log_value": math.log1p(fig.value),
                    "value_one": float(fig.value == 1),
                    "value_ge_100": float(fig.value >= 100),
                    "sub": float(fig.sub),
                    "children": float(fig.group == CHILDREN),
                    "field_killed": float(fld == "killed"),
                    "attack_cue": float(f.attack),
                    "tally_cue": float(f.tally_cue),
                    "plural_events": float(f.plural_events),
                    "new_event": float(f.new_event),
                    "recalled": float(f.recalled),
                    "hypothetical": float(f.hypothetical),
                    "denial": float(f.denial),
                    "date_differs": float(bool(f.dates) and c.date is not None
                                          and all(d.value.isoformat() != c.date for d in f.dates)),
                    "agg_near": float(bool(_AGG.search(near))),
                    "region_near": float(bool(_REGION.search(near))),
                    "military_near": float(bool(_MILITARY.search(near))),
                    "modal_before": float(bool(_MODAL.search(before))),
                    "retract_before": float(bool(_RETRACT.search(before))),
                    "medical_near": float(bool(_MEDICAL.search(near))),
                    "rise_before": float(bool(_RISE.search(before))),
                    "other_event": float(bool(_OTHER.search(s))),
                    "family_near": float(bool(_FAMILY.search(near))),
                    "period_near": float(bool(_PERIOD_WORD.search(near))),
                }
                out.append(Pair(n, fld, fig, i, rule, x))
    return out


def choose(scored: list[tuple[Pair, float]], current: int | None, fill: float,
           switch: float) -> tuple[Pair, float] | None:
    """The figure one (incident, field) takes instead of its current value, or None to keep it.
    `scored`: the field's pairs with P(value)."""
    rule = [p for p, _ in scored if p.rule]
    if current is not None and (len(rule) != 1 or rule[0].figure.value != current):
        return None  # a sum of figures, or a value read by a rule the model does not see (a city's share of a total)
    best = max(((p, q) for p, q in scored if p.figure.value != current), key=lambda t: t[1], default=None)
    if best is None:
        return None
    if current is None:
        return best if best[1] >= fill else None
    kept = max((q for p, q in scored if p.figure.value == current), default=0.0)
    return best if best[1] >= switch and best[1] > kept else None


def decide(ps: list[Pair], incidents: list[IncidentClaim], model: AttachModel) -> list[tuple[int, str, Pair, float]]:
    """The changes the model makes: (incident, field, the figure chosen, its probability)."""
    groups: dict[tuple[int, str], list[tuple[Pair, float]]] = {}
    for p in ps:
        groups.setdefault((p.incident, p.field), []).append((p, model.proba(p.features)["value"]))
    changes = []
    for (n, fld), scored in groups.items():
        c = incidents[n]
        if fld in c.withheld:
            continue
        got = choose(scored, getattr(c, fld), model.fill, model.switch)
        if got is not None:
            changes.append((n, fld, got[0], got[1]))
    return changes


def apply_attach(feats: list[SentenceFeatures], incidents: list[IncidentClaim], tallies: list[TallyClaim],
                 text: str, model: AttachModel) -> int:
    """Apply the model's changes to the incidents in place; return how many values changed."""
    if model.fill >= 1.0 and model.switch >= 1.0:
        return 0
    changes = decide(pairs(feats, incidents, tallies, text), incidents, model)
    for n, fld, p, q in changes:
        c = incidents[n]
        setattr(c, fld, p.figure.value)
        c.evidence[fld] = Span(p.figure.start, p.figure.end, text[p.figure.start:p.figure.end])
    return len(changes)
