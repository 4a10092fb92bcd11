"""Sentence-to-attack segmentation as a learned decision (`data/segment_model.json`).

For each sentence with attack or casualty content, walking the document in order with a set of
attack drafts (the current one and earlier ones), the model gives the probabilities of four
decisions:

- `continue`: the sentence belongs to the current draft;
- `new`: it starts an attack not seen before;
- `rejoin`: it belongs to an earlier draft, not the current one;
- `other`: it is about no single attack (an aggregate, a tally, combatants, background).

Features are read from the spans the rules found (places, dates, weapons, objects, figures, cue
words) and from the context: is the place, the date, the weapon class the current draft's or an
earlier draft's, how far back the current draft's last sentence is, a paragraph break, tally and
plural wording, "another/later/meanwhile", a back reference ("the attack", "the strike", "It ...").

The model is a multinomial logistic regression (trained by `harmwatch train`, extract/train_segment.py,
scikit-learn there only); inference here is a dot product and a softmax in pure Python.
`assemble` consults it at one decision only, and only when the model file's threshold is above 0:
a placeless sentence with figures that the rules would add to the current draft is left out when the
model's P(continue) is below the threshold (its figures then reach no incident). The threshold is 0
(the model unused) unless it beat the rules on the dev splits (docs/extraction.md, "Segmentation model").
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..errors import HarmWatchError
from .linear import LinearModel
from .features import SentenceFeatures

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "segment_model.json"
CLASSES = ("continue", "new", "rejoin", "other")


class SegmentModelError(HarmWatchError):
    """The segmentation model file is missing or malformed."""


def _norm(name: str) -> str:
    return re.sub(r"[^a-zа-яіїєґ]", "", name.lower())


@dataclass
class DraftView:
    """What the features read of one attack draft: the sentences given to it so far."""

    places: set[str] = field(default_factory=set)  # normalised settlement names
    admin1: set[str] = field(default_factory=set)
    dates: set[date] = field(default_factory=set)
    weapon_classes: set[str] = field(default_factory=set)
    objects: set[str] = field(default_factory=set)
    values: set[int] = field(default_factory=set)
    figures: bool = False
    times: bool = False
    first_index: int = -1
    last_index: int = -1
    last_para: int = -1

    def add(self, f: SentenceFeatures) -> None:
        for p in f.settlements:
            self.places.add(_norm(p.text))
            if p.candidates and p.candidates[0].admin1:
                self.admin1.add(p.candidates[0].admin1)
        for p in f.oblasts:
            if p.admin1:
                self.admin1.add(p.admin1)
        self.dates.update(d.value for d in f.dates)
        self.weapon_classes.update(_wclass(w) for w in f.weapons)
        self.objects.update(o.type for o in f.objects)
        vals = [x.value for x in f.figures if x.value is not None]
        self.values.update(vals)
        self.figures = self.figures or bool(vals)
        self.times = self.times or bool(f.times)
        if self.first_index < 0:
            self.first_index = f.sent.index
        self.last_index = f.sent.index
        self.last_para = f.sent.paragraph


def _wclass(w) -> str:
    return w.weapon_class or "unknown"


def view_of(feats: list[SentenceFeatures]) -> DraftView:
    v = DraftView()
    for f in feats:
        v.add(f)
    return v


def is_content(f: SentenceFeatures) -> bool:
    """A sentence the segmentation decides about: attack wording or a casualty figure."""
    return bool(f.attack or any(x.value is not None for x in f.figures))


_ANOTHER = re.compile(r"\b(?:another|a second|a further|one more|separate(?:ly)?)\b", re.IGNORECASE)
_LATER = re.compile(r"\b(?:later|meanwhile|elsewhere|earlier|also|in addition)\b", re.IGNORECASE)
_BACK = re.compile(r"\b(?:the|this|that)\s+(?:[\w-]+\s+)?(?:attack|strike|shelling|explosion|blast|bombing|missile|"
                   r"drone|rocket|bomb)\b(?!s)", re.IGNORECASE)
_PRONOUN_START = re.compile(r"^\W*(?:it|they|he|she|this|these|there|the (?:missile|drone|strike|attack|blast|"
                            r"explosion|bomb|rocket|shell)s?)\b", re.IGNORECASE)
_TOLL = re.compile(r"\b(?:toll|rose|risen|climbed|increased|reached|now|updated|latest)\b", re.IGNORECASE)
_REGION = re.compile(r"\b(?:regions?|oblasts?|regional|country|nationwide|ukraine|districts?|communit(?:y|ies))\b",
                     re.IGNORECASE)
_MILITARY = re.compile(r"\b(?:soldiers?|troops|servicem[ae]n|combatants|military|army|fighters|occupiers)\b",
                       re.IGNORECASE)
_PERIOD = re.compile(r"\b(?:since|so far|in total|overall|this (?:year|month)|last (?:month|year)|every|per day|"
                     r"over the past|during the)\b", re.IGNORECASE)


def features(f: SentenceFeatures, current: DraftView | None, earlier: list[DraftView]) -> dict[str, float]:
    """The features of one decision: sentence `f` against the current draft and the earlier ones."""
    text = f.sent.text
    places = {_norm(p.text) for p in f.settlements}
    admin = {p.admin1 for p in f.oblasts if p.admin1}
    dates = {d.value for d in f.dates}
    wcls = {_wclass(w) for w in f.weapons} - {"unknown"}
    objs = {o.type for o in f.objects}
    vals = [x.value for x in f.figures if x.value is not None]
    x: dict[str, float] = {
        "has_place": float(bool(places)),
        "n_places": float(min(len(places), 3)),
        "has_oblast": float(bool(admin)),
        "has_date": float(bool(dates)),
        "has_weapon": float(bool(f.weapons)),
        "has_object": float(bool(objs)),
        "has_figure": float(bool(vals)),
        "has_sub_figure_only": float(bool(vals) and all(x_.sub for x_ in f.figures if x_.value is not None)),
        "log_max_figure": math.log1p(max(vals)) if vals else 0.0,
        "has_time": float(bool(f.times)),
        "attack": float(f.attack),
        "tally_cue": float(f.tally_cue),
        "plural_events": float(f.plural_events),
        "new_event": float(f.new_event),
        "hypothetical": float(f.hypothetical),
        "denial": float(f.denial),
        "another": float(bool(_ANOTHER.search(text))),
        "later_word": float(bool(_LATER.search(text))),
        "back_reference": float(bool(_BACK.search(text))),
        "pronoun_start": float(bool(_PRONOUN_START.match(text))),
        "toll_word": float(bool(_TOLL.search(text))),
        "region_word": float(bool(_REGION.search(text))),
        "military_word": float(bool(_MILITARY.search(text))),
        "period_word": float(bool(_PERIOD.search(text))),
        "has_current": float(current is not None),
        "n_drafts": float(min(len(earlier) + (current is not None), 5)),
    }
    if current is not None:
        gap = f.sent.index - current.last_index
        x.update({
            "gap_log": math.log1p(max(gap, 0)),
            "gap_gt3": float(gap > 3),
            "para_break": float(f.sent.paragraph != current.last_para),
            "para_gap": float(min(max(f.sent.paragraph - current.last_para, 0), 5)),
            "cur_has_place": float(bool(current.places)),
            "cur_has_figures": float(current.figures),
            "cur_has_time": float(current.times),
            "place_same_cur": float(bool(places & current.places)),
            "place_new_vs_cur": float(bool(places) and not (places & current.places)),
            "oblast_other_than_cur": float(bool(admin) and bool(current.admin1) and not (admin & current.admin1)),
            "date_same_cur": float(bool(dates & current.dates)),
            "date_other_than_cur": float(bool(dates) and bool(current.dates)
                                         and all(min(abs((d - e).days) for e in current.dates) > 1 for d in dates)),
            "weapon_same_cur": float(bool(wcls & current.weapon_classes)),
            "weapon_other_than_cur": float(bool(wcls) and bool(current.weapon_classes - {"unknown"})
                                           and not (wcls & current.weapon_classes)),
            "object_same_cur": float(bool(objs & current.objects)),
            "figure_repeats_cur": float(bool(set(vals) & current.values)),
            "figure_and_cur_figures": float(bool(vals) and current.figures),
            "time_and_cur_time": float(bool(f.times) and current.times),
        })
    if earlier:
        x.update({
            "place_in_earlier": float(any(places & d.places for d in earlier)),
            "date_in_earlier": float(any(dates & d.dates for d in earlier)),
            "object_in_earlier": float(any(objs & d.objects for d in earlier)),
            "figure_in_earlier": float(any(set(vals) & d.values for d in earlier)),
        })
    return x


class SegmentModel(LinearModel):
    """Multinomial logistic regression read from JSON (extract/linear.py)."""

    label = "segmentation model"
    error = SegmentModelError
    expected_classes = CLASSES
    default_threshold = 0.0
    default_path = MODEL_PATH


@lru_cache(maxsize=1)
def default_model() -> SegmentModel | None:
    """The packaged model, or None when no model file has been trained yet."""
    if not MODEL_PATH.is_file():
        return None
    return SegmentModel.load(MODEL_PATH)


def leave_out_rule(model: SegmentModel | None = None, threshold: float | None = None):
    """The veto `assemble` takes (`leave_out`), or None when the model is unused (threshold 0 or no model).

    The threshold is the setting `segment-threshold` when set, else the model file's own."""
    if threshold is None:
        from .. import settings
        threshold = settings.SEGMENT_THRESHOLD.number()
    if model is None:
        model = default_model()
        if model is None:
            return None
    t = model.threshold if threshold is None else threshold
    if t <= 0:
        return None

    def leave_out(f: SentenceFeatures, current: list[SentenceFeatures], earlier: list[list[SentenceFeatures]]) -> bool:
        p = model.proba(features(f, view_of(current), [view_of(e) for e in earlier]))
        return p["continue"] < t

    return leave_out


def start_new_rule(model: SegmentModel | None = None, threshold: float | None = None):
    """The decision `assemble` takes as `start_new`, or None when unused (the model file's `new_threshold` 0,
    or no model): True when P(new) of a sentence, against the earlier draft about the same place, is at least
    the threshold."""
    if threshold is None:
        from .. import settings
        if settings.SEGMENT_THRESHOLD.number() == 0:
            return None  # segment-threshold 0: rules only
    if model is None:
        model = default_model()
        if model is None:
            return None
    t = float(model.data.get("new_threshold", 0.0)) if threshold is None else threshold
    if t <= 0:
        return None

    def start_new(f: SentenceFeatures, same: list[SentenceFeatures], earlier: list[list[SentenceFeatures]]) -> bool:
        return model.proba(features(f, view_of(same), [view_of(e) for e in earlier]))["new"] >= t

    return start_new
