"""Ingestion: readers, manifest, batch behaviour, bad input and crash safety (real files, real SQLite)."""
from __future__ import annotations

import codecs
import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from harmwatch.errors import InputError, ManifestError
from harmwatch.ingest import discover, ingest, load_manifest, read_file
from harmwatch.ingest import readers
from harmwatch.store.db import Database
from harmwatch.store.models import Claim, Source
from harmwatch.store.writer import load_extraction

ROOT = Path(__file__).resolve().parents[1]

ARTICLE = ("On 28 February 2022 rockets hit a residential district of Kharkiv, killing nine civilians "
           "according to the regional governor. Witnesses said cluster munitions were used.")
HTML = f"""<!doctype html><html lang="en"><head><title>Rockets hit Kharkiv | Example News</title>
<meta property="og:site_name" content="Example News"><meta name="date" content="2022-03-01">
<link rel="canonical" href="https://example.org/kharkiv"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li>Subscribe now</li></ul></nav>
<article><h1>Rockets hit Kharkiv</h1><p>{ARTICLE}</p>
<p>The attack on the neighbourhood, which had no military targets nearby, destroyed several houses.</p></article>
<footer>Copyright 2022 Example News. All rights reserved.</footer></body></html>"""

# One claim per document: "N civilians were killed" with spans into the stored text.
EXTRACTOR_SRC = '''
import re
from harmwatch.records import Extraction, IncidentClaim, Span

def simple_extractor(doc, text):
    m = re.search(r"(\\d+) civilians were killed", text)
    if not m:
        return Extraction(doc.doc_id)
    line_end = text.find("\\n")
    line_end = len(text) if line_end < 0 else line_end
    return Extraction(doc.doc_id, incidents=[IncidentClaim(
        killed=int(m.group(1)), evidence={"killed": Span(m.start(), m.end(), m.group(0))},
        span=Span(0, line_end, text[:line_end]))])
'''
_ns: dict = {}
exec(EXTRACTOR_SRC, _ns)
simple_extractor = _ns["simple_extractor"]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def counts(db) -> tuple[int, int]:
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(Source)), s.scalar(select(func.count()).select_from(Claim)))


def make_pdf(pages: list[str]) -> bytes:
    """A minimal valid PDF (Helvetica text, one content stream per page), byte offsets computed."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{' '.join(f'{4 + 2 * i} 0 R' for i in range(len(pages)))}] "
            f"/Count {len(pages)} >>".encode(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i, text in enumerate(pages):
        esc = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 12 Tf 72 720 Td ({esc}) Tj ET".encode()
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                    f"/Contents {5 + 2 * i} 0 R >>".encode())
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def corpus(folder: Path) -> Path:
    """A small mixed corpus: txt, md, html, pdf, json, jsonl."""
    write(folder / "a.txt", "Kharkiv: 9 civilians were killed.\r\nSecond line.\r\n")
    write(folder / "b.md", "# Odesa\n\n3 civilians were killed in Odesa.\n")
    write(folder / "c.html", HTML)
    write(folder / "d.pdf", make_pdf(["Mariupol report.", "12 civilians were killed."]))
    write(folder / "e.json", json.dumps({"text": "4 civilians were killed in Sumy.", "title": "Sumy",
                                         "doc_id": "sumy-1", "published": "2022-03-02"}))
    write(folder / "f.jsonl", "\n".join(json.dumps({"text": f"{n} civilians were killed in Irpin.", "url": f"https://x/{n}"})
                                        for n in (1, 2)) + "\n")
    return folder


# --- readers ---------------------------------------------------------------------------------

def test_html_gets_title_metadata_and_main_text_without_navigation(tmp_path):
    [d] = read_file(write(tmp_path / "k.html", HTML), None)
    assert ARTICLE in d.text
    assert "Subscribe" not in d.text and "Home" not in d.text and "Copyright" not in d.text
    assert d.title and "Rockets hit Kharkiv" in d.title
    assert (d.publisher, d.url, d.published) == ("Example News", "https://example.org/kharkiv", date(2022, 3, 1))
    assert d.media_type == "text/html" and d.raw == HTML.encode() and d.doc_id == "k"


def test_html_without_main_text_is_refused(tmp_path):
    with pytest.raises(InputError, match="no main text"):
        read_file(write(tmp_path / "empty.html", "<html><head><title>x</title></head><body></body></html>"), None)


def test_pdf_text_page_by_page(tmp_path):
    [d] = read_file(write(tmp_path / "r.pdf", make_pdf(["Rockets hit Kharkiv on 28 February.",
                                                         "Nine civilians were killed (officials said)."])), None)
    assert d.text == "Rockets hit Kharkiv on 28 February.\n\nNine civilians were killed (officials said)."
    assert d.media_type == "application/pdf"


def test_encrypted_pdf_is_refused(tmp_path):
    from pypdf import PdfReader, PdfWriter
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Secret text here."]))))
    w.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    w.write(buf)
    with pytest.raises(InputError, match="encrypted"):
        read_file(write(tmp_path / "locked.pdf", buf.getvalue()), None)


def test_text_encodings_and_line_endings(tmp_path):
    body = "Kyiv — 5 civilians were killed.\r\nOld Mac line\rend"
    want = "Kyiv — 5 civilians were killed.\nOld Mac line\nend"
    for name, raw in [("u8.txt", body.encode()), ("bom.txt", codecs.BOM_UTF8 + body.encode()),
                      ("u16.txt", body.encode("utf-16")), ("u16be.md", codecs.BOM_UTF16_BE + body.encode("utf-16-be"))]:
        [d] = read_file(write(tmp_path / name, raw), None)
        assert d.text == want, name
        assert d.raw == raw  # the archive keeps the bytes as they were
    assert read_file(tmp_path / "u16be.md", None)[0].media_type == "text/markdown"


def test_json_record_and_list(tmp_path):
    [d] = read_file(write(tmp_path / "one.json", json.dumps({
        "text": "Text one.", "title": "One", "url": "https://x/1", "published": "2022-02-25T10:30:00+02:00",
        "doc_id": "rec-1", "publisher": "Pub", "extra": "ignored"})), None)
    assert (d.doc_id, d.title, d.url, d.published, d.publisher) == ("rec-1", "One", "https://x/1", date(2022, 2, 25), "Pub")
    assert d.media_type == "application/json"
    [d] = read_file(write(tmp_path / "noid.json", json.dumps({"text": "Text."})), None)
    assert d.doc_id == "noid"
    docs = read_file(write(tmp_path / "many.json", json.dumps([{"text": "A."}, {"text": "B.", "doc_id": "b"}])), None)
    assert [x.doc_id for x in docs] == ["many-1", "b"]


def test_jsonl_records(tmp_path):
    lines = [json.dumps({"text": "First.", "doc_id": "x1", "published": "2022-03-01"}), "",
             json.dumps({"text": "Second.\r\nMore.", "title": "Two"})]
    docs = read_file(write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n"), None)
    assert [d.doc_id for d in docs] == ["x1", "feed-3"]
    assert docs[0].published == date(2022, 3, 1) and docs[1].text == "Second.\nMore." and docs[1].title == "Two"
    assert docs[1].raw == lines[2].encode()


def test_jsonl_line_without_text_is_named(tmp_path):
    p = write(tmp_path / "feed.jsonl", json.dumps({"text": "ok"}) + "\n" + json.dumps({"title": "no text"}) + "\n")
    with pytest.raises(InputError, match=r"feed\.jsonl:2: record has no \"text\""):
        read_file(p, None)


def test_manifest_metadata_overrides_the_file(tmp_path):
    p = write(tmp_path / "k.html", HTML)
    write(tmp_path / "manifest.csv", "file,doc_id,title,publisher,published,url,notes\n"
                                     "k.html,kh-1,Manifest title,Manifest pub,2022-02-28,https://m.org/k,ignored\n")
    man = load_manifest(tmp_path / "manifest.csv")
    [d] = read_file(p, man.get(p))
    assert (d.doc_id, d.title, d.publisher, d.published, d.url) == (
        "kh-1", "Manifest title", "Manifest pub", date(2022, 2, 28), "https://m.org/k")


def test_published_accepts_dates_and_datetimes():
    assert readers.parse_published("2022-02-25", "x") == date(2022, 2, 25)
    assert readers.parse_published("2022-02-25T23:10:00Z", "x") == date(2022, 2, 25)
    assert readers.parse_published("", "x") is None
    with pytest.raises(InputError, match="'25/02/2022'"):
        readers.parse_published("25/02/2022", "x")


# --- discovery and manifest ------------------------------------------------------------------

def test_discover_is_sorted_recursive_and_skips_hidden_manifest_and_unsupported(tmp_path):
    for name in ("b.txt", "a.md", "sub/c.json", "sub/deeper/d.jsonl", ".hidden.txt", ".git/x.txt",
                 "manifest.csv", "image.png", "notes.docx"):
        write(tmp_path / name, "x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == ["a.md", "b.txt", "sub/c.json", "sub/deeper/d.jsonl"]
    # named explicitly: kept (and reported by ingest if unreadable)
    assert list(discover([tmp_path / "image.png"])) == [tmp_path / "image.png"]
    assert len(list(discover([tmp_path, tmp_path / "b.txt"]))) == 4  # each file once


def test_manifest_errors_name_the_line(tmp_path):
    m = write(tmp_path / "m1.csv", "file,title\na.txt,A\n")
    with pytest.raises(ManifestError, match=r"m1\.csv:1: missing required column\(s\) doc_id"):
        load_manifest(m)
    m = write(tmp_path / "m2.csv", "file,doc_id\na.txt,x\nb.txt,y\nc.txt,x\n")
    with pytest.raises(ManifestError, match=r"m2\.csv:4: duplicate doc_id x \(first on line 2\)"):
        load_manifest(m)
    m = write(tmp_path / "m3.csv", "file,doc_id\na.txt,\n")
    with pytest.raises(ManifestError, match=r"m3\.csv:2: empty \"doc_id\""):
        load_manifest(m)
    m = write(tmp_path / "m4.csv", b"file,doc_id\n\xff\xfe\xfa,x\n")
    with pytest.raises(ManifestError, match="not UTF-8"):
        load_manifest(m)
    with pytest.raises(ManifestError, match="not found"):
        load_manifest(tmp_path / "nope.csv")


def test_manifest_paths_resolve_against_its_folder(tmp_path):
    write(tmp_path / "docs" / "a.txt", "x")
    man = load_manifest(write(tmp_path / "docs" / "manifest.csv", "doc_id,file\nA,a.txt\n"))
    assert man.files() == [tmp_path / "docs" / "a.txt"]
    assert man.get(tmp_path / "docs" / ".." / "docs" / "a.txt").doc_id == "A"


# --- batches ---------------------------------------------------------------------------------

def test_reingesting_the_same_files_changes_nothing(db, tmp_path):
    folder = corpus(tmp_path / "in")
    first = ingest([folder], db, extractor=simple_extractor)
    assert first.failed == [] and (first.new, first.unchanged, first.new_version) == (7, 0, 0)
    before, archived = counts(db), len(db.archive.files())
    second = ingest([folder], db, extractor=simple_extractor)
    assert (second.new, second.unchanged, second.new_version, second.failed) == (0, 7, 0, [])
    assert counts(db) == before == (7, 6) and len(db.archive.files()) == archived == 7
    assert [s.source_id for s in second.sources] == [s.source_id for s in first.sources]


def test_evidence_offsets_index_the_stored_text(db, tmp_path):
    ingest([corpus(tmp_path / "in")], db, extractor=simple_extractor)
    with db.session() as s:
        for src in s.scalars(select(Source)):
            for c in load_extraction(s, src.id).incidents:
                ev = c.evidence["killed"]
                assert src.text[ev.start:ev.end] == ev.quote and ev.quote.endswith("civilians were killed")


def test_changed_file_becomes_version_two(db, tmp_path):
    p = write(tmp_path / "r.txt", "5 civilians were killed.")
    ingest([p], db, extractor=simple_extractor)
    write(p, "6 civilians were killed, officials now say.")
    rep = ingest([p], db, extractor=simple_extractor)
    assert rep.new_version == 1
    with db.session() as s:
        rows = s.scalars(select(Source).where(Source.doc_id == "r").order_by(Source.version)).all()
        assert [(r.version, r.is_current) for r in rows] == [(1, False), (2, True)]
        assert rows[1].previous_id == rows[0].id
        assert load_extraction(s, rows[0].id).incidents[0].killed == 5  # history keeps its claims
        assert load_extraction(s, rows[1].id).incidents[0].killed == 6


def test_manifest_only_ingest_and_missing_file(db, tmp_path):
    write(tmp_path / "a.txt", "1 civilians were killed.")
    write(tmp_path / "manifest.csv", "file,doc_id,title\na.txt,doc-a,Title A\ngone.txt,doc-gone,Gone\n")
    rep = ingest([], db, manifest=tmp_path / "manifest.csv", extractor=simple_extractor)
    assert rep.new == 1 and len(rep.failed) == 1
    f = rep.failed[0]
    assert f.path.endswith("gone.txt") and "gone.txt" in f.message and "line 3" in f.message
    with db.session() as s:
        assert s.scalar(select(Source.title).where(Source.doc_id == "doc-a")) == "Title A"


def test_paths_and_manifest_together(db, tmp_path):
    corpus(tmp_path)
    write(tmp_path / "manifest.csv", "file,doc_id,publisher\na.txt,kharkiv-a,Governor\nmissing.txt,m,x\n")
    rep = ingest([tmp_path], db, manifest=load_manifest(tmp_path / "manifest.csv"))
    assert rep.new == 7 and [Path(f.path).name for f in rep.failed] == ["missing.txt"]
    with db.session() as s:
        assert s.scalar(select(Source.publisher).where(Source.doc_id == "kharkiv-a")) == "Governor"


def test_progress_is_reported_per_file(db, tmp_path):
    folder = corpus(tmp_path)
    calls = []
    ingest([folder], db, on_progress=lambda total, done, path: calls.append((total, done, Path(path).name)))
    assert [c[:2] for c in calls] == [(6, i) for i in range(1, 7)]
    assert calls[-1][2] == "f.jsonl"


def test_same_doc_id_twice_in_one_batch_is_refused(db, tmp_path):
    write(tmp_path / "x" / "report.txt", "one")
    write(tmp_path / "y" / "report.txt", "two")
    rep = ingest([tmp_path], db)
    assert rep.new == 1 and "already used" in rep.failed[0].message
    assert counts(db) == (1, 0)


BAD_INPUTS = {
    "binary.txt": (b"GIF89a\x00\x01\x00\x00" * 10, "binary"),
    "image.bin": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 4, "unsupported file type '.bin'"),
    "empty.txt": (b"", "empty"),
    "blank.md": (b"  \n\t\r\n   ", "only whitespace"),
    "latin1.txt": ("Kyiv: 5 civilians were killed near the caf\xe9.".encode("latin-1"), "not UTF-8"),
    "corrupt.pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage", "not a readable PDF"),
    "baddate.json": (json.dumps({"text": "7 civilians were killed.", "published": "last Tuesday"}).encode(),
                     "'last Tuesday'"),
    "broken.json": (b'{"text": "x",', "invalid JSON"),
    "notext.jsonl": (b'{"text": "2 civilians were killed."}\n{"title": "no text"}\n', 'notext.jsonl:2: record has no "text"'),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_fails_alone(db, tmp_path, name):
    ingest([write(tmp_path / "old" / "kept.txt", "8 civilians were killed.")], db, extractor=simple_extractor)
    raw, expected = BAD_INPUTS[name]
    folder = tmp_path / "batch"
    bad = write(folder / name, raw)
    write(folder / "good1.txt", "1 civilians were killed.")
    write(folder / "zgood2.txt", "2 civilians were killed.")
    paths = [folder, bad] if bad.suffix == ".bin" else [folder]  # unsupported types only when named
    rep = ingest(paths, db, extractor=simple_extractor)
    assert [Path(f.path).name for f in rep.failed] == [name]
    assert name in rep.failed[0].message and expected in rep.failed[0].message
    with db.session() as s:
        ids = set(s.scalars(select(Source.doc_id)))
    assert {"kept", "good1", "zgood2"} <= ids  # the rest of the batch and earlier rows are there
    good_in_bad = 1 if name == "notext.jsonl" else 0  # the good line of the .jsonl is stored
    assert rep.new == 2 + good_in_bad


def test_file_over_the_size_limit(db, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_DOCUMENT_BYTES", 1000)
    big = write(tmp_path / "big.txt", "9 civilians were killed. " * 100)
    write(tmp_path / "small.txt", "1 civilians were killed.")
    rep = ingest([tmp_path], db)
    assert [Path(f.path).name for f in rep.failed] == ["big.txt"]
    assert "big.txt" in rep.failed[0].message and "limit" in rep.failed[0].message and rep.new == 1
    monkeypatch.setattr(readers, "MAX_DOCUMENT_BYTES", 20 * 1024 * 1024)
    monkeypatch.setattr(readers, "MAX_TEXT_CHARS", 100)
    with pytest.raises(InputError, match="characters, over the 100 limit"):
        read_file(big, None)


def test_malformed_manifest_stops_before_storing_anything(db, tmp_path):
    ingest([write(tmp_path / "old.txt", "3 civilians were killed.")], db)
    write(tmp_path / "new.txt", "4 civilians were killed.")
    write(tmp_path / "manifest.csv", "path,doc_id\nnew.txt,n\n")
    with pytest.raises(ManifestError, match=r"manifest\.csv:1: missing required column\(s\) file"):
        ingest([tmp_path], db, manifest=tmp_path / "manifest.csv")
    assert counts(db) == (1, 0)


def test_malformed_published_in_manifest_fails_that_file_only(db, tmp_path):
    write(tmp_path / "a.txt", "1 civilians were killed.")
    write(tmp_path / "b.txt", "2 civilians were killed.")
    write(tmp_path / "manifest.csv", "file,doc_id,published\na.txt,a,2022-13-45\nb.txt,b,2022-02-25\n")
    rep = ingest([], db, manifest=tmp_path / "manifest.csv")
    assert rep.new == 1 and len(rep.failed) == 1
    assert "a.txt" in rep.failed[0].message and "'2022-13-45'" in rep.failed[0].message


# --- the shared sample corpus ----------------------------------------------------------------

def test_shared_seed_corpus(db, shared):
    """Reads ../shared/corpus/seeds (skips without ../shared; fails when HARMWATCH_REQUIRE_SHARED is set)."""
    seeds = shared / "corpus" / "seeds"
    rep = ingest([seeds], db, manifest=seeds / "manifest.csv")
    assert rep.failed == [] and rep.new == 3
    with db.session() as s:
        rows = {r.doc_id: r for r in s.scalars(select(Source))}
    assert set(rows) == {"amnesty-2022-02-25", "news-2022-02-25", "dailymail-2022-02-28"}
    a = rows["amnesty-2022-02-25"]
    assert a.publisher == "Amnesty International" and a.published == date(2022, 2, 25)
    assert a.url.startswith("https://www.amnesty.org/") and a.title.startswith("Russian military commits")
    assert rows["news-2022-02-25"].url is None and rows["dailymail-2022-02-28"].published == date(2022, 2, 28)
    assert ingest([], db, manifest=seeds / "manifest.csv").unchanged == 3


# --- crash safety ----------------------------------------------------------------------------

N_DOCS = 300
RUNNER = EXTRACTOR_SRC + '''
import os, signal, sys, time
from harmwatch.ingest import ingest
from harmwatch.store.db import Database

db_url, folder, kill_in_tx, archive = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
if kill_in_tx:
    # Kill this process inside a write transaction, when the Nth document's source row is
    # flushed, before COMMIT (documents are committed HARMWATCH_INGEST_BATCH at a time).
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    from harmwatch.store.models import Source
    flushed = []
    @event.listens_for(Session, "after_flush")
    def _die(session, ctx):
        flushed.extend(o for o in session.new if isinstance(o, Source))
        if len(flushed) >= kill_in_tx:
            os.kill(os.getpid(), signal.SIGKILL)

def slow(doc, text):
    time.sleep(0.004)  # make the batch long enough to be killed part-way from outside
    return simple_extractor(doc, text)

report = ingest([folder], Database.open(db_url, archive_dir=archive), extractor=slow)
print(report.new, report.unchanged, len(report.failed))
'''


def _count(db_url: str, sql: str) -> int:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError
    engine = create_engine(db_url)
    try:
        with engine.connect() as con:
            return con.execute(text(sql)).scalar_one()
    except DBAPIError:  # tables not created yet
        return 0
    finally:
        engine.dispose()


def _stored(db_url: str) -> int:
    return _count(db_url, "SELECT count(*) FROM sources")


def _half_stored(db_url: str) -> int:
    """Sources without their claim: what a non-atomic writer would leave behind after a kill."""
    return _count(db_url, "SELECT count(*) FROM sources s WHERE NOT EXISTS "
                          "(SELECT 1 FROM claims c WHERE c.source_id = s.id)")


def _run(tmp_path: Path, db_url: str, folder: Path, kill_in_tx: int = 0) -> subprocess.Popen:
    script = write(tmp_path / "runner.py", RUNNER)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMWATCH_")}
    # the package under test, whether or not it is installed in this interpreter
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    from harmwatch.store.db import resolve_archive  # where this process's Database.open(db_url) looks
    return subprocess.Popen([sys.executable, str(script), db_url, str(folder), str(kill_in_tx),
                             str(resolve_archive(db_url))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


# in-transaction:150: 100 documents per transaction (HARMWATCH_INGEST_BATCH), so the kill falls in the
# second batch, after the first committed
@pytest.mark.parametrize("kill", ["after:40", "after:200", "in-transaction:150"])
def test_killed_ingest_resumes_without_duplicates_or_gaps(tmp_path, new_db_url, kill):
    folder = tmp_path / "docs"
    for i in range(N_DOCS):
        write(folder / f"doc-{i:03}.txt", f"Report {i}.\n{i % 17 + 1} civilians were killed in village {i}.\n")
    db_url = new_db_url("crash.db")
    how, n = kill.split(":")
    if how == "after":
        proc = _run(tmp_path, db_url, folder)
        deadline = time.monotonic() + 120
        while _stored(db_url) < int(n) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert proc.poll() is None, "the ingest finished before it could be killed: " + proc.communicate()[1]
        proc.send_signal(signal.SIGKILL)
    else:
        proc = _run(tmp_path, db_url, folder, kill_in_tx=int(n))
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    before = _stored(db_url)
    assert 0 < before < N_DOCS
    assert _half_stored(db_url) == 0

    rerun = _run(tmp_path, db_url, folder)
    out, errs = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, errs
    new, unchanged, failed = map(int, out.split())
    assert (new, unchanged, failed) == (N_DOCS - before, before, 0)

    db = Database.open(db_url)
    with db.session() as s:
        sources = s.scalars(select(Source).order_by(Source.doc_id)).all()
        assert [r.doc_id for r in sources] == [f"doc-{i:03}" for i in range(N_DOCS)]  # no gap, no duplicate
        assert all(r.version == 1 and r.is_current and r.extracted_at is not None for r in sources)
        per_source = dict(s.execute(select(Claim.source_id, func.count()).group_by(Claim.source_id)).all())
        assert all(per_source.get(r.id) == 1 for r in sources)
        for r in sources[::37]:
            [c] = load_extraction(s, r.id).incidents
            assert c.killed == int(r.doc_id[4:]) % 17 + 1
    assert len(db.archive.files()) == N_DOCS
    if db.engine.dialect.name == "sqlite":  # the file survived the kill intact
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    db.close()


def test_nul_in_json_text_is_refused(tmp_path):
    with pytest.raises(InputError, match="NUL"):
        read_file(write(tmp_path / "nul.json", json.dumps({"text": "a\u0000b"})), None)
