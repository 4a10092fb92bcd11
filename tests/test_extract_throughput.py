"""The throughput round's caches and shortcuts change no result."""
from __future__ import annotations

from pathlib import Path

from harmwatch.extract.text import split_sentences
from harmwatch.geo import user_path


def test_user_path_follows_a_changed_home_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("HARMWATCH_HOME", str(tmp_path / "a"))
    first = user_path()
    monkeypatch.setenv("HARMWATCH_HOME", str(tmp_path / "b"))
    assert first == tmp_path / "a" / "gazetteer" / first.name
    assert user_path() == tmp_path / "b" / "gazetteer" / first.name


def test_user_path_follows_the_home_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("HARMWATCH_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert user_path().parent == tmp_path / ".local" / "share" / "harmwatch" / "gazetteer"


def test_token_offsets_point_at_their_text():
    text = "  KYIV, Feb. 3 -\n\nA missile hit 2 homes in Odesa;  at least17 died.\nMr. Ivanov said “no”. "
    sents = split_sentences(text)
    assert len(sents) >= 3
    for s in sents:
        assert s.tokens, s
        for t in s.tokens:
            assert text[t.start:t.end] == t.text
            assert s.start <= t.start < t.end <= s.end
    assert [t.text for t in sents[-1].tokens][:3] == ["Mr", ".", "Ivanov"]
    assert any(t.text == "least" for s in sents for t in s.tokens) and any(t.text == "17" for s in sents for t in s.tokens)
