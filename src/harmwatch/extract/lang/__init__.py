"""Per-language annotation: which annotator reads a document, by its language.

Every language the extractor reads has a resources file `data/lang/<code>.yaml` naming its
annotator: `annotator: english` (en.yaml: the cue words and patterns the English rules in
`extract.features`, `casualties` and `dates` read, via `english()`), `annotator: slavic` (uk.yaml,
ru.yaml: read by `lang/slavic.py`). Every annotator turns a sentence into the same
`SentenceFeatures`, so segmenting, assembling and the scope step are shared. A further language of
a kind an annotator already reads is a new data file, not new code.

    annotator_for("uk", gazetteer, catalogue)   # -> an annotate(sent, published) callable, or None for "en"
    languages()                                  # -> frozenset({"en", "uk", "ru"})
    english()["cues"]["attack"]["gate"]         # the English resources, read once
    cue_pattern(english()["cues"]["attack"])    # -> the compiled pattern (case-insensitive)
    text_pattern("died_later")                  # -> one pattern: every language's `text_patterns: died_later`

`text_patterns` in each file hold the cues the shared steps (assemble.py) read in a text of any language
("later died", "помер у лікарні", "скончался в больнице"); each language lists its own, and a new language adds
its own list, not code.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Callable

import yaml

from ...errors import CatalogueError

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "lang"
ENGLISH = "en"


@lru_cache(maxsize=None)
def resource_languages() -> frozenset[str]:
    """The languages with a resources file (English included)."""
    return frozenset(p.stem for p in DATA_DIR.glob("*.yaml"))


def languages() -> frozenset[str]:
    """Every language the bundled extraction reads."""
    return frozenset({ENGLISH}) | resource_languages()


def annotator_for(language: str | None, gazetteer, catalogue) -> Callable | None:
    """The annotate(sent, published) function for `language`; None means the English rules."""
    if not language or language == ENGLISH or language not in resource_languages():
        return None
    if _raw(language).get("annotator") == "english":
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


@lru_cache(maxsize=None)
def _raw(language: str) -> dict:
    path = DATA_DIR / f"{language}.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise CatalogueError(f"{path}: cannot read the language resources: {e}") from e
    if not isinstance(raw, dict) or raw.get("language") != language:
        raise CatalogueError(f"{path}: a language resources file needs 'language: {language}'")
    return raw


def english() -> dict:
    """The English resources (data/lang/en.yaml): cue patterns with their gate words, casualty
    words, month and weekday names."""
    raw = _raw(ENGLISH)
    for key in ("cues", "casualty_words", "months", "month_numbers", "weekdays"):
        if not raw.get(key):
            raise CatalogueError(f"{DATA_DIR / 'en.yaml'}: '{key}' is missing")
    return raw


def cue_pattern(spec: dict) -> re.Pattern:
    """A cue's `pattern` (a string, or a list of pieces joined) compiled case-insensitively."""
    p = spec.get("pattern") if isinstance(spec, dict) else None
    text = "".join(p) if isinstance(p, list) else p
    if not isinstance(text, str) or not text:
        raise CatalogueError(f"{DATA_DIR / 'en.yaml'}: a cue needs a 'pattern': {spec!r}")
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as e:
        raise CatalogueError(f"{DATA_DIR / 'en.yaml'}: a pattern does not compile: {e}") from e


@lru_cache(maxsize=None)
def text_pattern(key: str, lowered: bool = False) -> re.Pattern:
    """The union of every language's `text_patterns: <key>` list, compiled case-insensitively; with `lowered`, for
    text already lower-cased, compiled case-sensitively (several times faster over a whole document)."""
    parts: list[str] = []
    for lang in sorted(resource_languages()):
        parts += [str(x) for x in (_raw(lang).get("text_patterns") or {}).get(key) or ()]
    if not parts:
        raise CatalogueError(f"{DATA_DIR}: no language file gives text_patterns '{key}'")
    try:
        return re.compile("|".join(f"(?:{x})" for x in parts), 0 if lowered else re.IGNORECASE)
    except re.error as e:
        raise CatalogueError(f"{DATA_DIR}: text_patterns '{key}' does not compile: {e}") from e


@lru_cache(maxsize=None)
def text_words(key: str) -> tuple[str, ...]:
    """Every language's `text_patterns: <key>` list as plain lower-case strings (substring tests)."""
    return tuple(str(x).lower() for lang in sorted(resource_languages())
                 for x in (_raw(lang).get("text_patterns") or {}).get(key) or ())
