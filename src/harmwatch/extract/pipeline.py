"""The extraction pipeline: small steps, each declaring what it reads and writes.

    segment   text                      -> sentences
    annotate  sentences, published      -> features (places, dates, times, weapons, objects, figures, cues)
    assemble  features                  -> incidents, tallies
    news_day  incidents, features       -> the same, a short uk/ru post's undated attacks on its publication day
    attach    incidents, features       -> the same, with casualty values the attachment model moved
    scope     incidents, tallies        -> the same, with confidence, uncertain and withheld values

`extract_text` runs them; `extract_document` is the extractor the ingest layer
calls with a stored document.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from ..geo import Gazetteer
from ..records import DocumentIn, Extraction
from .assemble import assemble
from .features import annotate, without_home_regions
from .lang import annotator_for, languages as _languages
from .newsday import news_day
from .noise import drop_noise
from .text import split_sentences
from .weapons import Catalogue


@dataclass(frozen=True)
class Step:
    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    run: Callable[[dict[str, Any]], dict[str, Any]]


def _segment(s: dict) -> dict:
    # page furniture (captions, "Read more" headlines, bylines, credits, timestamps) is no body text
    return {"sentences": drop_noise(s["text"], split_sentences(s["text"]))}


def _annotate(s: dict) -> dict:
    gaz, cat, pub = s["gazetteer"], s["catalogue"], s["published"]
    # the document's language chooses the annotator (lang/); all give the same SentenceFeatures
    other = annotator_for(s["language"], gaz, cat)
    one = (lambda sent: other(sent, pub)) if other is not None else (lambda sent: annotate(sent, pub, gaz, cat))
    # a victim's home region is no scene in any language
    return {"features": [without_home_regions(one(sent)) for sent in s["sentences"]]}


def _assemble(s: dict) -> dict:
    # the segmentation model's decisions where it beat the rules on the dev splits (segment_model.py)
    from .segment_model import leave_out_rule, start_new_rule
    incidents, tallies = assemble(s["features"], s["gazetteer"], s["text"], s["publisher"],
                                  leave_out=leave_out_rule(), start_new=start_new_rule())
    return {"incidents": incidents, "tallies": tallies}


def _news_day(s: dict) -> dict:
    # a short Ukrainian or Russian post that names no day reports the day it was published (newsday.py)
    news_day(s["incidents"], s["features"], s["text"], s["published"], s["language"])
    return {"incidents": s["incidents"]}


def _attach(s: dict) -> dict:
    # the trained figure-attachment model: a casualty field takes another figure the rules found when the
    # model is sure (attach.py); thresholds of 1.0 leave the rules' values
    from .attach import apply_attach, default_model
    apply_attach(s["features"], s["incidents"], s["tallies"], s["text"], default_model())
    return {"incidents": s["incidents"]}


def _scope(s: dict) -> dict:
    # the trained figure-scope model: confidence on every value, casualty values and dates below
    # the threshold withheld with a reason (scope.py)
    from .. import settings
    from .scope import apply_scope, default_model
    model = default_model()
    threshold = settings.SCOPE_THRESHOLD.number()
    apply_scope(s["features"], s["incidents"], s["tallies"], s["text"], model,
                model.threshold if threshold is None else threshold)
    return {"incidents": s["incidents"], "tallies": s["tallies"]}


STEPS: tuple[Step, ...] = (
    Step("segment", ("text",), ("sentences",), _segment),
    Step("annotate", ("sentences", "published", "gazetteer", "catalogue", "language"), ("features",), _annotate),
    Step("assemble", ("features", "gazetteer", "text", "publisher"), ("incidents", "tallies"), _assemble),
    Step("news_day", ("incidents", "features", "text", "published", "language"), ("incidents",), _news_day),
    Step("attach", ("incidents", "tallies", "features", "text"), ("incidents",), _attach),
    Step("scope", ("incidents", "tallies", "features", "text"), ("incidents", "tallies"), _scope),
)


@dataclass
class Extractor:
    gazetteer: Gazetteer = field(default_factory=Gazetteer.default)
    catalogue: Catalogue = field(default_factory=Catalogue.default)
    steps: tuple[Step, ...] = STEPS
    # the languages this extractor reads (ingest stores documents in others without claims)
    languages: frozenset[str] = field(default_factory=_languages)

    def extract_text(self, text: str, doc_id: str, published: date | None = None,
                     publisher: str | None = None, language: str | None = None) -> Extraction:
        """`language`: the document's ("en", "uk", "ru"); None reads it as English."""
        state: dict[str, Any] = {"text": text, "published": published, "publisher": publisher,
                                 "gazetteer": self.gazetteer, "catalogue": self.catalogue, "language": language}
        for step in self.steps:
            missing = [r for r in step.requires if r not in state]
            if missing:
                raise RuntimeError(f"step {step.name!r} needs {missing}, which no earlier step assigns")
            state.update(step.run(state))
        return Extraction(doc_id=doc_id, incidents=state["incidents"], tallies=state["tallies"])

    def __call__(self, doc: DocumentIn, text: str) -> Extraction:
        return self.extract_text(text, doc.doc_id, doc.published, doc.publisher, doc.language)


_DEFAULT: Extractor | None = None


def default_extractor() -> Extractor:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Extractor()
    return _DEFAULT


def extract_text(text: str, doc_id: str = "doc", published: date | None = None, publisher: str | None = None,
                 language: str | None = None) -> Extraction:
    return default_extractor().extract_text(text, doc_id, published, publisher, language)
