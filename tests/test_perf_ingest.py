"""The faster ingest path gives what the plain definitions give (issue 10, one core).

Each shortcut is compared with the definition it replaces, on the bundled corpora and on random
text; the batched writer is compared with one transaction per document, on a real database."""
from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text as sql

from harmwatch.extract import noise, objects
from harmwatch.extract.gate import words
from harmwatch.extract.pipeline import default_extractor
from harmwatch.extract.text import _tokens_reference, split_sentences, tokens
from harmwatch.ingest import ingest, load_manifest
from harmwatch.ingest.language import _detect_language_reference, detect_language
from harmwatch.store.db import Database

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
# letters of several scripts, the odd-case letters, digits, marks, spaces of several kinds
ALPHABET = ("aZe \u00e9\u0456\u0457\u044b\u0451\u0410\u0490\u212a\u0131\u0130\u017f_1\u00b2\u217b-.,:;'\u2019[]()/"
            "\u00a9\u5b57\u0301\n\t\u00a0\u2009\u200b\x1c\x85\U0001F600")


def _corpus_texts() -> list[str]:
    return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(DATA.glob("*/docs/*")) if p.is_file()]


def _random_texts(n: int, seed: int = 3, longest: int = 40) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest))) for _ in range(n)]


def test_language_detection_matches_its_definition():
    texts = _corpus_texts() + _random_texts(4000, longest=12) + [
        "", "ab", "abc", "Обстріл міста", "Обстрел", "Удар по Харкову: загинули троє людей",
        "Удар по Харькову: погибли три человека", "A missile hit Kharkiv", "\u0131" * 5, "a\ud800bc"]
    assert len(_corpus_texts()) > 100
    for t in texts:
        assert detect_language(t) == _detect_language_reference(t), repr(t[:80])
    assert detect_language("A missile hit Kharkiv") == "en"
    assert detect_language("Удар по Харкову: загинули троє людей") == "uk"


def test_tokens_match_finditer():
    texts = _corpus_texts() + _random_texts(5000)
    for t in texts:
        for start, end in ((0, len(t)), (len(t) // 3, len(t) // 2)):
            assert tokens(t, start, end) == _tokens_reference(t, start, end), repr(t[start:end][:80])


def test_object_phrase_starts_match_the_plain_scan():
    sentences = [s.text for t in _corpus_texts() for s in split_sentences(t)]
    sentences += ["The cafe and the Café were hit.", "a-home homes home_ homestead", "Kindergarten, school."]
    checked = 0
    for s in sentences:
        ws = words(s)
        if ws is None:
            continue
        fast = [m.span() for m in objects._matches_at_first_words(s, ws)]
        assert fast == [m.span() for m in objects._RE.finditer(s)], s
        checked += bool(fast)
    assert checked > 200


def test_caption_precheck_never_hides_a_caption():
    lines = [ln for t in _corpus_texts() for ln in t.splitlines()] + _random_texts(3000, longest=60) + [
        "Rescuers at the site. REUTERS/Gleb Garanich", "A damaged house (AP Photo/Evgeniy Maloletka)",
        "Photo: State Emergency Service", "\u00a9 Ukrinform", "Residents look on. Getty Images"]
    found = 0
    for ln in lines:
        if noise._CAPTION_END.search(ln):
            assert noise._may_be_caption(ln), ln
            found += 1
    assert found >= 5


def _rows(db: Database) -> dict[str, list[tuple]]:
    """Every row of the tables the writer fills, without the times of the run."""
    out = {}
    with db.engine.connect() as c:
        for table, order in (("sources", "id"), ("claims", "source_id, ordinal"), ("tallies", "source_id, ordinal"),
                             ("places", "geonameid"), ("weapons", "id")):
            res = c.execute(sql(f"SELECT * FROM {table} ORDER BY {order}"))
            keep = [i for i, k in enumerate(res.keys()) if k not in ("retrieved_at", "extracted_at", "path")]
            out[table] = [tuple(r[i] for i in keep) for r in res]
    return out


def _search_rows(db: Database) -> list[tuple]:
    from harmwatch.store import search
    with db.engine.connect() as c:
        if db.engine.dialect.name == "sqlite":
            return list(c.execute(sql(f"SELECT rowid, title, body FROM {search.SQLITE_TABLE.name} ORDER BY rowid")))
        return list(c.execute(sql(f"SELECT id, title, body FROM {search.PG_TABLE.name} ORDER BY id")))


def test_batched_writer_stores_what_one_transaction_per_document_stores(tmp_path, new_db_url):
    """New documents, the same again, re-extraction, new versions by doc_id and by url (a url the
    manifest gives another doc_id), and a revert: the rows equal those of batch size 1."""
    src = DATA / "annotated"
    corpus = tmp_path / "corpus"
    shutil.copytree(src, corpus)
    man = corpus / "manifest.csv"
    lines = man.read_text(encoding="utf-8").splitlines()
    # give every document a url, so the version lookup by url runs too
    header, rows = lines[0], lines[1:]
    assert header.endswith(",url")
    rows = [re.sub(r",[^,]*$", f",https://example.org/{i}", r) if not r.endswith('"') else r for i, r in enumerate(rows)]
    man.write_text("\n".join([header] + rows) + "\n", encoding="utf-8")
    changed = tmp_path / "changed"
    shutil.copytree(corpus, changed)
    for i, p in enumerate(sorted((changed / "docs").iterdir())):
        if i % 2 == 0:
            p.write_bytes(p.read_bytes() + b"\nThe toll was later confirmed by the police.\n")
    renamed = tmp_path / "renamed"
    shutil.copytree(corpus, renamed)
    # the same urls under new doc_ids, with other bytes: new versions found by url
    rmlines = (renamed / "manifest.csv").read_text(encoding="utf-8").splitlines()
    (renamed / "manifest.csv").write_text("\n".join([rmlines[0]] + [re.sub(r"^(docs/[^,]+),([^,]+),", r"\1,\2-b,", r)
                                                                      for r in rmlines[1:]]) + "\n", encoding="utf-8")
    for p in sorted((renamed / "docs").iterdir())[::3]:
        p.write_bytes(p.read_bytes() + b"\nUpdated.\n")
    extractor = default_extractor()
    results = []
    for batch in (1, 7):
        db = Database.open(new_db_url(f"b{batch}.db"))
        reports = []
        for folder, kw in ((corpus, {}), (corpus, {}), (corpus, {"reextract": True}), (changed, {}),
                           (renamed, {}), (corpus, {})):
            r = ingest([folder / "docs"], db, manifest=load_manifest(folder / "manifest.csv"), extractor=extractor,
                       batch_size=batch, **kw)
            assert not r.failed
            reports.append([(s.source_id, s.status, s.doc_id) for s in r.sources])
        results.append((reports, _rows(db), _search_rows(db)))
        db.close()
    (rep1, rows1, search1), (rep7, rows7, search7) = results
    assert rep1 == rep7
    assert {s for r in rep1 for _, s, _ in r} == {"new", "unchanged", "new_version"}
    for table in rows1:
        assert rows1[table] == rows7[table], table
    assert search1 == search7
    assert len(rows1["sources"]) > 45 and len(rows1["claims"]) > 30 and rows1["weapons"]
