"""Language resources as data (issue 8): the English cue words and patterns come from
data/lang/en.yaml, and a further language is a new data file, not new code."""
from __future__ import annotations

import shutil
from datetime import date

import pytest
import yaml

from harmwatch.errors import CatalogueError
from harmwatch.extract import casualties, dates, features
from harmwatch.extract import lang
from harmwatch.extract.lang import slavic
from harmwatch.extract.pipeline import Extractor, default_extractor


def test_english_rules_read_the_data_file():
    raw = yaml.safe_load((lang.DATA_DIR / "en.yaml").read_text(encoding="utf-8"))
    assert raw["annotator"] == "english"
    attack = raw["cues"]["attack"]
    assert features.ATTACK.pattern == "".join(attack["pattern"])
    assert features._ATTACK.keys == frozenset(attack["gate"])
    assert casualties.KILL == set(raw["casualty_words"]["killed"])
    assert dates.WEEKDAYS["sunday"] == 6
    assert lang.annotator_for("en", None, None) is None
    assert "en" in lang.resource_languages()


def test_english_cues_behave_as_before():
    # sentences written for this test; the cue flags the English rules are known to give them
    from harmwatch.extract.text import split_sentences
    ex = default_extractor()
    s = split_sentences("A missile struck a school in Kharkiv.")[0]
    f = features.annotate(s, date(2025, 3, 12), ex.gazetteer, ex.catalogue)
    assert f.attack and not f.tally_cue and not f.hypothetical
    s = split_sentences("Since the start of the invasion, 40 people were killed in the region.")[0]
    assert features.annotate(s, None, ex.gazetteer, ex.catalogue).tally_cue


@pytest.mark.parametrize("spec", [{"pattern": "(unclosed"}, {"gate": ["x"]}, "not a mapping"])
def test_a_bad_cue_is_a_catalogue_error(spec):
    with pytest.raises(CatalogueError):
        lang.cue_pattern(spec)


def test_a_further_language_is_a_data_file(tmp_path, monkeypatch):
    """A copy of the Ukrainian file under another code is read with no code change."""
    for f in lang.DATA_DIR.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    raw = (tmp_path / "uk.yaml").read_text(encoding="utf-8")
    (tmp_path / "xx.yaml").write_text(raw.replace("language: uk", "language: xx", 1), encoding="utf-8")
    monkeypatch.setattr(lang, "DATA_DIR", tmp_path)
    monkeypatch.setattr(slavic, "DATA_DIR", tmp_path)
    for fn in (lang.resource_languages, lang._raw, slavic.load_resources):
        fn.cache_clear()
    try:
        assert "xx" in lang.languages()
        ex = Extractor()
        assert "xx" in ex.languages
        x = ex.extract_text("Уночі дрон влучив у житловий будинок у Харкові. Поранено двох людей.", "d",
                            date(2025, 3, 12), None, "xx")
        assert [(i.place, i.injured) for i in x.incidents] == [("Kharkiv", 2)]
    finally:
        for fn in (lang.resource_languages, lang._raw, slavic.load_resources):
            fn.cache_clear()


def test_a_language_file_must_name_itself(tmp_path, monkeypatch):
    (tmp_path / "en.yaml").write_text("language: fr\n", encoding="utf-8")
    monkeypatch.setattr(lang, "DATA_DIR", tmp_path)
    lang._raw.cache_clear()
    try:
        with pytest.raises(CatalogueError):
            lang.english()
    finally:
        lang._raw.cache_clear()


def test_the_shared_assemble_step_holds_no_ukrainian_or_russian_words():
    """Issue 8: the cues assemble.py reads in any language live in data/lang/*.yaml (text_patterns). A string
    literal of its code (docstrings and comments aside) may hold Cyrillic letters only inside a character class
    ("[іїєґІЇЄҐ]": which script a name is written in), never a word."""
    import ast
    import io
    import re
    import tokenize
    from pathlib import Path

    import harmwatch.extract.assemble as assemble

    src = Path(assemble.__file__).read_text(encoding="utf-8")
    docs = {node.body[0].value.lineno for node in ast.walk(ast.parse(src))
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
            and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    words = []
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type == tokenize.STRING and tok.start[0] not in docs:
            outside_classes = re.sub(r"\[[^\]]*\]", "", tok.string)
            if re.search(r"[а-яёіїєґ]", outside_classes, re.IGNORECASE):
                words.append((tok.start[0], tok.string[:60]))
    assert words == []
