"""Per-language annotation: which annotator reads a document, by its language.

English is read by `extract.features.annotate`. Every other language the extractor reads has a
resources file `data/lang/<code>.yaml` naming its annotator (`annotator: slavic` for Ukrainian
and Russian); the annotator turns a sentence into the same `SentenceFeatures` the English one
does, so segmenting, assembling and the scope step are shared. A further language of a kind an
annotator already reads is a new data file, not new code.

    annotator_for("uk", gazetteer, catalogue)   # -> an annotate(sent, published) callable, or None for "en"
    languages()                                  # -> frozenset({"en", "uk", "ru"})
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable

from ...errors import CatalogueError

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "lang"
ENGLISH = "en"


@lru_cache(maxsize=None)
def resource_languages() -> frozenset[str]:
    """The languages with a resources file (not English, whose rules are code)."""
    return frozenset(p.stem for p in DATA_DIR.glob("*.yaml"))


def languages() -> frozenset[str]:
    """Every language the bundled extraction reads."""
    return frozenset({ENGLISH}) | resource_languages()


def annotator_for(language: str | None, gazetteer, catalogue) -> Callable | None:
    """The annotate(sent, published) function for `language`; None means the English rules."""
    if not language or language == ENGLISH or language not in resource_languages():
        return None
    key = (language, id(gazetteer), id(catalogue))
    ann = _ANNOTATORS.get(key)
    if ann is None or ann.gaz is not gazetteer or ann.catalogue is not catalogue:
        from .slavic import SlavicAnnotator, load_resources
        res = load_resources(language)
        if res.annotator != "slavic":
            raise CatalogueError(f"{DATA_DIR / (language + '.yaml')}: unknown annotator {res.annotator!r}")
        ann = _ANNOTATORS[key] = SlavicAnnotator(res, gazetteer, catalogue)
    return ann.annotate


_ANNOTATORS: dict[tuple, object] = {}
