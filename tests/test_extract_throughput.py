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


# --- the writer's search-index rows: one DELETE for a new document covers its claim rows too ---------

from harmwatch.store import search as S  # noqa: E402
from harmwatch.store.writer import ingest_document  # noqa: E402
from test_search import _claims_of, _doc, db  # noqa: E402,F401  (the SQLite + PostgreSQL fixture)


def test_leftover_index_rows_in_a_new_sources_range_are_removed(db):  # noqa: F811
    # rows left in the id range the first source will get (as a reused id would leave them),
    # in the document slots and in the claim slots
    stale = S.document_rows(1, "Old title", "A zeppelin over the harbour.") + \
        S.claim_rows(1, "A zeppelin over the harbour.", [{"ordinal": 0, "span_start": 0, "span_end": 28}])
    assert len(stale) == 2
    with db.session(write=True) as s:
        if S._dialect(s) == "sqlite":  # PostgreSQL's index rows reference their source: none are left over
            S._insert(s, "sqlite", stale)
    stored = ingest_document(db, _doc("a", "A drone hit a bakery in Mariupol. Two people were hurt.", title="Bakery"),
                             extractor=_claims_of("bakery"))
    assert stored.source_id == 1
    assert S.search(db, "zeppelin").total == 0
    assert {(h.kind, h.claim or h.doc_id) for h in S.search(db, "bakery").hits} == {("document", "a"), ("claim", "a#0")}
    # a second extraction of the same source still replaces its claim rows
    ingest_document(db, _doc("a", "A drone hit a bakery in Mariupol. Two people were hurt.", title="Bakery"),
                    extractor=_claims_of("Two people"), reextract=True)
    assert [(h.kind, h.claim) for h in S.search(db, "bakery", kind="claim").hits] == []
    assert [(h.kind, h.claim) for h in S.search(db, "hurt", kind="claim").hits] == [("claim", "a#0")]
