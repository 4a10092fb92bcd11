"""Ingest and store hardening: files that used to stop a batch, leaving the given folder, unsupported
types, REPLACE/UPSERT on the audit log, file modes, dependencies and make targets, language detection.

Real files, real SQLite (and the real PostgreSQL server when HARMWATCH_TEST_PG_URL is set).
"""
from __future__ import annotations

import csv
import importlib.metadata
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from harmwatch.audit.chain import append, entries, verify
from harmwatch.ingest import detect_language, ingest, load_manifest
from harmwatch.ingest import readers
from harmwatch.records import Extraction, IncidentClaim, Span
from harmwatch.store.db import Database, upgrade
from harmwatch.store.models import Claim, Source

ROOT = Path(__file__).resolve().parents[1]
OPEN = ROOT.parent / "shared" / "corpus" / "open"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if isinstance(content, bytes) else lambda c: path.write_text(c, encoding="utf-8"))(content)
    return path


def killed_extractor(doc, text):  # noqa: ANN001 - one claim per "N civilians were killed"
    calls.append(doc.doc_id)
    i = text.find("civilians were killed")
    if i < 0:
        return Extraction(doc.doc_id)
    start = text.rfind(" ", 0, i - 1) + 1
    n = int(text[start:i - 1])
    return Extraction(doc.doc_id, incidents=[IncidentClaim(
        killed=n, evidence={"killed": Span(start, i + 21, text[start:i + 21])}, span=Span(0, len(text), text))])


calls: list[str] = []


@pytest.fixture(autouse=True)
def _reset_calls():
    calls.clear()


def stored(db) -> dict[str, Source]:  # noqa: ANN001
    with db.session() as s:
        return {r.doc_id: r for r in s.scalars(select(Source))}


def claims_of(db, doc_id: str) -> int:  # noqa: ANN001
    with db.session() as s:
        return len(list(s.scalars(select(Claim).join(Source).where(Source.doc_id == doc_id))))


# --- 1. one file's exception never ends the batch ----------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


def test_deeply_nested_json_fails_alone(db, tmp_path):
    folder = tmp_path / "batch"
    write(folder / "a-good.txt", "In Kharkiv 3 civilians were killed.")
    write(folder / "deep.json", DEEP)
    write(folder / "deep-record.json", '{"text": "x", "extra": ' + DEEP + "}")
    write(folder / "lines.jsonl", json.dumps({"text": "In Izium 4 civilians were killed."}) + "\n" + DEEP + "\n")
    write(folder / "z-good.txt", "In Bucha 5 civilians were killed.")
    rep = ingest([folder], db, extractor=killed_extractor)
    failed = {Path(f.path).name: f.message for f in rep.failed}
    assert set(failed) == {"deep.json", "deep-record.json", "lines.jsonl"}
    assert "nested too deeply" in failed["deep.json"] and "deep.json" in failed["deep.json"]
    assert "nested too deeply" in failed["deep-record.json"]
    assert "lines.jsonl:2: JSON nested too deeply" in failed["lines.jsonl"]
    assert set(stored(db)) == {"a-good", "z-good", "lines-1"}  # the good line of the .jsonl too
    assert rep.new == 3


@pytest.mark.skipif(sys.platform != "linux", reason="bytes file names: Linux")
def test_file_name_that_is_not_utf8_fails_alone(db, tmp_path, new_db_url):
    folder = tmp_path / "batch"
    write(folder / "a.txt", "In Kharkiv 3 civilians were killed.")
    bad = os.path.join(os.fsencode(folder), b"caf\xe9-report.txt")
    with open(bad, "wb") as f:
        f.write(b"In Sumy 6 civilians were killed.")
    write(folder / "z.txt", "In Bucha 5 civilians were killed.")
    rep = ingest([folder], db, extractor=killed_extractor)
    assert len(rep.failed) == 1
    f = rep.failed[0]
    assert f.path.endswith("caf\\xe9-report.txt")  # printable: the bad byte as an escape
    assert "not valid UTF-8" in f.message and "rename" in f.message
    f.message.encode("utf-8")  # no surrogates: it can be printed and stored
    assert set(stored(db)) == {"a", "z"} and rep.new == 2
    # the CLI prints it and goes on (exit 1: one file failed)
    res = CliRunner().invoke(_app(), ["--db", new_db_url("cli.db"), "ingest", "--no-extract",
                                      str(folder)])
    assert res.exit_code == 1 and "caf\\xe9-report.txt" in flat(res.output) and "new 2" in res.output


def test_any_unexpected_exception_is_that_files_failure(db, tmp_path, monkeypatch):
    # e.g. an HTML reader whose dependency is missing (lxml.html.clean without lxml_html_clean)
    def broken(path, raw, meta):  # noqa: ANN001
        raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean")
    monkeypatch.setattr(readers, "_html", broken)
    folder = tmp_path / "batch"
    write(folder / "a.txt", "In Kharkiv 3 civilians were killed.")
    write(folder / "page.html", "<html><body><p>text</p></body></html>")
    write(folder / "z.txt", "In Bucha 5 civilians were killed.")
    rep = ingest([folder], db, extractor=killed_extractor)
    assert [Path(f.path).name for f in rep.failed] == ["page.html"]
    assert "ImportError" in rep.failed[0].message and "lxml_html_clean" in rep.failed[0].message
    assert rep.new == 2


# --- 2. never leave the given folder unless asked ----------------------------------------------

@pytest.fixture
def linked(tmp_path):
    """folder/ with a real file, links to a file and a folder outside, a link inside; outside/ apart."""
    outside = tmp_path / "outside"
    write(outside / "secret.txt", "In Lviv 7 civilians were killed.")
    write(outside / "sub" / "other.txt", "In Odesa 8 civilians were killed.")
    folder = tmp_path / "folder"
    write(folder / "a.txt", "In Kharkiv 3 civilians were killed.")
    (folder / "link-out.txt").symlink_to(outside / "secret.txt")
    (folder / "dir-out").symlink_to(outside / "sub", target_is_directory=True)
    (folder / "link-in.txt").symlink_to(folder / "a.txt")
    return folder, outside


def test_symlinks_out_of_the_folder_are_skipped_with_a_notice(db, linked):
    folder, outside = linked
    rep = ingest([folder], db, extractor=killed_extractor)
    assert set(stored(db)) == {"a", "link-in"}  # a link inside the folder stays inside it
    assert not rep.failed
    notes = {Path(n.path).name: n.message for n in rep.notices}
    assert set(notes) == {"link-out.txt", "dir-out"}
    assert "outside" in notes["link-out.txt"] and "--follow-links" in notes["link-out.txt"]
    assert str(outside / "secret.txt") in notes["link-out.txt"]
    assert "folder outside" in notes["dir-out"]


def test_follow_links_reads_what_the_links_point_to(db, linked):
    folder, _ = linked
    rep = ingest([folder], db, extractor=killed_extractor, follow_links=True)
    assert set(stored(db)) == {"a", "link-in", "link-out", "other"} and not rep.notices and not rep.failed


def test_follow_links_survives_a_link_loop(db, tmp_path):
    folder = tmp_path / "folder"
    write(folder / "sub" / "a.txt", "In Kharkiv 3 civilians were killed.")
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    rep = ingest([folder], db, follow_links=True)
    assert rep.new == 1 and not rep.failed


def test_manifest_rows_outside_the_manifest_folder_are_refused(db, linked):
    folder, outside = linked
    write(folder / "manifest.csv", "file,doc_id\n"
          "a.txt,doc-a\n"
          f"../outside/secret.txt,doc-dotdot\n"
          f"{outside / 'sub' / 'other.txt'},doc-absolute\n"
          "link-out.txt,doc-link\n")
    rep = ingest([], db, manifest=folder / "manifest.csv", extractor=killed_extractor)
    assert set(stored(db)) == {"doc-a"}
    msgs = {Path(f.path).name: f.message for f in rep.failed}
    assert set(msgs) == {"secret.txt", "other.txt", "link-out.txt"}
    for m in msgs.values():
        assert "outside the manifest's folder" in m and "--follow-links" in m
    assert "line 3" in msgs["secret.txt"] and "line 5" in msgs["link-out.txt"]
    rep = ingest([], db, manifest=folder / "manifest.csv", extractor=killed_extractor, follow_links=True)
    assert set(stored(db)) == {"doc-a", "doc-dotdot", "doc-absolute", "doc-link"} and not rep.failed


def test_cli_follow_links_flag(new_db_url, linked):
    folder, _ = linked
    runner, url = CliRunner(), new_db_url("cli.db")
    res = runner.invoke(_app(), ["--db", url, "ingest", "--no-extract", str(folder)])
    assert res.exit_code == 0 and "skipped:" in res.output and "link-out.txt" in flat(res.output) and "new 2" in res.output
    res = runner.invoke(_app(), ["--db", url, "ingest", "--no-extract", "--follow-links", str(folder)])
    assert res.exit_code == 0 and "new 2" in res.output and "skipped" not in res.output
    assert "--follow-links" in runner.invoke(_app(), ["ingest", "--help"]).output


# --- 3. unsupported types: one message, named or found ----------------------------------------

def test_unsupported_type_same_message_named_or_in_a_folder(db, tmp_path):
    folder = tmp_path / "batch"
    docx = write(folder / "report.docx", "In Kharkiv 3 civilians were killed.")  # text inside: still refused
    noext = write(folder / "README", "In Kharkiv 3 civilians were killed.")
    write(folder / "a.txt", "In Kharkiv 3 civilians were killed.")
    in_folder = ingest([folder], db)
    named = ingest([docx, noext], db)
    assert set(stored(db)) == {"a"}  # the .docx bytes are no longer stored
    notices = {Path(n.path).name: n.message for n in in_folder.notices}
    failures = {Path(f.path).name: f.message for f in named.failed}
    assert notices == failures  # the very same words
    assert "unsupported file type '.docx'" in failures["report.docx"] and ".pdf" in failures["report.docx"]
    assert "unsupported file type '(no extension)'" in failures["README"]
    assert not in_folder.failed and named.new == 0


# --- 4. the audit log refuses REPLACE and UPSERT ----------------------------------------------

def _fill(db, n=3):  # noqa: ANN001
    for i in range(n):
        with db.session(write=True) as s:
            append(s, "alice", "edit", "claim", i, field="killed", old=i, new=i + 1, reason=f"r{i}")


REPLACES = [
    "INSERT OR REPLACE INTO audit_log SELECT * FROM audit_log WHERE id = 2",
    "REPLACE INTO audit_log (id, at, actor, action, prev_hash, hash) "
    "VALUES (2, '2024-01-01 00:00:00', 'mallory', 'edit', 'x', 'y')",
    "INSERT INTO audit_log (id, at, actor, action, prev_hash, hash) "
    "VALUES (2, '2024-01-01 00:00:00', 'mallory', 'edit', 'x', 'y') ON CONFLICT(id) DO UPDATE SET actor = 'mallory'",
    "INSERT OR REPLACE INTO audit_log (id, at, actor, action, prev_hash, hash) "  # a new id, another's hash
    "SELECT 99, at, 'mallory', action, prev_hash, hash FROM audit_log WHERE id = 3",
]


@pytest.mark.sqlite_only("SQLite's REPLACE deletes without DELETE triggers; migration 0006 is its guard (PostgreSQL: test_postgres.py)")
@pytest.mark.parametrize("sql", REPLACES)
def test_sqlite_audit_log_refuses_replace_and_upsert(db, db_url, sql):
    _fill(db)
    before = [(e.id, e.actor, e.hash) for e in entries(db, newest_first=False)]
    con = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute(sql)
    con.rollback()
    con.close()
    assert [(e.id, e.actor, e.hash) for e in entries(db, newest_first=False)] == before
    assert verify(db).ok
    _fill(db, 1)  # plain appends still work
    assert verify(db).checked == 4


@pytest.mark.sqlite_only("SQLite's REPLACE deletes without DELETE triggers; migration 0006 is its guard (PostgreSQL: test_postgres.py)")
def test_without_the_0006_trigger_replace_went_through(db, db_url):
    """What the trigger stops: REPLACE deletes the old row without firing the DELETE trigger."""
    _fill(db)
    con = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    con.execute("DROP TRIGGER audit_log_no_replace")
    con.execute(REPLACES[1])
    con.commit()
    con.close()
    assert [e.actor for e in entries(db, newest_first=False)] == ["alice", "mallory", "alice"]
    assert not verify(db).ok and verify(db).first_broken_id == 2


@pytest.mark.sqlite_only("SQLite's REPLACE deletes without DELETE triggers; migration 0006 is its guard (PostgreSQL: test_postgres.py)")
def test_migration_0006_downgrades_and_upgrades(db):
    def triggers():
        with db.engine.connect() as c:
            return set(c.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                      "AND tbl_name = 'audit_log'")).scalars())
    assert "audit_log_no_replace" in triggers()
    from alembic import command
    from harmwatch.store.db import alembic_config
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    assert "audit_log_no_replace" not in triggers() and {"audit_log_no_update", "audit_log_no_delete"} <= triggers()
    upgrade(db.engine)
    assert "audit_log_no_replace" in triggers()


PG_URL = os.environ.get("HARMWATCH_TEST_PG_URL")


@pytest.fixture
def pg(tmp_path):
    if not PG_URL:
        pytest.skip("no PostgreSQL test server (set HARMWATCH_TEST_PG_URL)")
    name = "hw_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database.open(make_url(PG_URL).set(database=name).render_as_string(hide_password=False),
                       archive_dir=tmp_path / "archive")
    yield db
    db.close()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


PG_UPSERTS = [
    # a conflict: ON CONFLICT DO UPDATE is an UPDATE
    "INSERT INTO audit_log (id, at, actor, action, prev_hash, hash) VALUES (2, now(), 'mallory', 'edit', 'x', 'y') "
    "ON CONFLICT (id) DO UPDATE SET actor = 'mallory'",
    # the statement-level UPDATE trigger fires even when nothing conflicts
    "INSERT INTO audit_log (id, at, actor, action, prev_hash, hash) VALUES (50, now(), 'mallory', 'edit', 'x', 'y') "
    "ON CONFLICT (id) DO UPDATE SET actor = 'mallory'",
    "MERGE INTO audit_log a USING (SELECT 2 AS id) s ON a.id = s.id "
    "WHEN MATCHED THEN UPDATE SET actor = 'mallory'",
    "MERGE INTO audit_log a USING (SELECT 2 AS id) s ON a.id = s.id WHEN MATCHED THEN DELETE",
]


@pytest.mark.parametrize("sql", PG_UPSERTS)
def test_postgres_audit_log_refuses_upsert_and_merge(pg, sql):
    _fill(pg)
    before = [(e.id, e.actor, e.hash) for e in entries(pg, newest_first=False)]
    with pytest.raises(DBAPIError, match="append-only"):
        with pg.engine.begin() as c:
            c.execute(text(sql))
    assert [(e.id, e.actor, e.hash) for e in entries(pg, newest_first=False)] == before and verify(pg).ok


# --- 5. owner-only files ------------------------------------------------------------------------

def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_new_sqlite_files_and_archive_are_owner_only(tmp_path):
    old = os.umask(0o002)  # a permissive umask: the modes must not depend on it
    try:
        db = Database.open(f"sqlite:///{tmp_path / 'data' / 'hw.db'}")
        rep = ingest([write(tmp_path / "in" / "a.txt", "In Kharkiv 3 civilians were killed.")], db)
        assert rep.new == 1
        files = {p.name: _mode(p) for p in (tmp_path / "data").iterdir() if p.is_file()}
        assert {"hw.db", "hw.db-wal", "hw.db-shm"} <= set(files)  # the connection is still open
        assert all(m == 0o600 for m in files.values()), files
        archive = tmp_path / "data" / "hw-archive"
        content = db.archive.files()
        assert len(content) == 1
        for p in [archive, *archive.iterdir(), *content]:
            assert _mode(p) & 0o077 == 0, (p, oct(_mode(p)))
        db.close()
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_an_existing_database_keeps_its_mode(tmp_path):
    path = tmp_path / "shared.db"
    Database.open(f"sqlite:///{path}").close()
    path.chmod(0o640)  # the owner chose to share it with a group
    Database.open(f"sqlite:///{path}").close()
    assert _mode(path) == 0o640


# --- 6 and 7. dependencies, make targets, ignored files ----------------------------------------

def _pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"]
    return {d.split("==")[0].lower().replace("-", "_"): d.split("==")[1] for d in deps}


def test_lxml_html_clean_is_pinned_and_installed():
    pins = _pins()
    assert pins["lxml_html_clean"] == importlib.metadata.version("lxml_html_clean")
    import lxml.html.clean  # what justext (under trafilatura) imports; fails without the package  # noqa: F401


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_make_demo_installs_the_package_alone_and_make_test_the_extras(tmp_path):
    venv = tmp_path / "venv"  # absent: make must plan the installs
    def plan(target):
        return subprocess.run(["make", "-n", "-C", str(ROOT), target, f"VENV={venv}"], capture_output=True,
                              text=True, check=True).stdout
    demo, test = plan("demo"), plan("test")
    assert "pip install --quiet -e .\n" in demo and "[test" not in demo and "postgres" not in demo
    assert "pip install --quiet -e '.[test,postgres]'" in test and "pytest" in test


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="no git checkout")
def test_archive_and_sqlite_side_files_are_ignored():
    names = ["harmwatch-archive/ab/abcdef", "harmwatch.db-wal", "harmwatch.db-shm", "sub/x.db-wal"]
    res = subprocess.run(["git", "-C", str(ROOT), "check-ignore", *names], capture_output=True, text=True)
    assert res.stdout.split() == names


# --- 8. language ----------------------------------------------------------------------------------

SHORT = [  # written for this test: headlines and sentences as reports state them
    ("Russian missile strike on Kharkiv kills three civilians", "en"),
    ("Two people were injured when a drone hit a house in Sumy.", "en"),
    ("Unknown weapon", "en"),
    ("Ракетний удар по Харкову: загинули троє цивільних", "uk"),
    ("Унаслідок атаки дрона в Сумах поранено двох людей.", "uk"),
    ("Обстріл Херсона", "uk"),
    ("Ракетный удар по Харькову: погибли трое мирных жителей", "ru"),
    ("В результате атаки дрона в Сумах ранены два человека.", "ru"),
    ("Обстрел Херсона: объявлена эвакуация", "ru"),
    ("Обстрел города", "und"),  # neither language's own letters
    ("24.02.2022 05:00", "und"),
    ("", "und"),
    ("قصف مدينة خاركيف", "und"),
    ("Kharkiv — Харків: 3 killed in a strike on the city centre, the regional governor said", "en"),
    ("Голова ОВА повідомив: «Обстрел продолжается», — цитують росЗМІ; у місті є загиблі", "uk"),
]


@pytest.mark.parametrize("text_, lang", SHORT)
def test_detect_language_on_short_strings(text_, lang):
    assert detect_language(text_) == lang


@pytest.mark.skipif(not (OPEN / "manifest.csv").exists(), reason="shared/corpus/open not present")
def test_detect_language_on_the_open_corpus():
    rows = list(csv.DictReader((OPEN / "manifest.csv").open(encoding="utf-8")))
    right = sum(detect_language((OPEN / r["file"]).read_text(encoding="utf-8")) == r["language"] for r in rows)
    assert len(rows) == 60 and {r["language"] for r in rows} == {"en", "uk"}
    assert right == 60  # docs/extraction.md states this figure


UK_TEXT = "Унаслідок ракетного удару по Харкову 3 civilians were killed, повідомив голова обласної адміністрації."


def test_language_stored_and_unsupported_language_noted_not_extracted(db, tmp_path):
    folder = tmp_path / "batch"
    write(folder / "en.txt", "In Kharkiv 3 civilians were killed.")
    write(folder / "uk.txt", UK_TEXT)
    write(folder / "ru.json", json.dumps({"text": "В Харькове погибли 3 мирных жителя, сообщил губернатор."},
                                         ensure_ascii=False))
    rep = ingest([folder], db, extractor=killed_extractor)
    rows = stored(db)
    assert {d: r.language for d, r in rows.items()} == {"en": "en", "uk": "uk", "ru": "ru"}
    assert calls == ["en"]  # the English rules never saw the other two
    assert claims_of(db, "en") == 1 and claims_of(db, "uk") == 0  # ("3 civilians were killed" is in it)
    notes = {Path(n.path).name: n.message for n in rep.notices if n.kind == "language"}
    assert set(notes) == {"uk.txt", "ru.json"}
    assert notes["uk.txt"].endswith("uk: no extraction rules for this language yet; stored, 0 claims")
    assert "ru: no extraction rules" in notes["ru.json"]
    assert rows["uk"].extracted_at is None  # stored as not extracted: an extractor that reads uk will
    killed_extractor.languages = {"en", "uk"}
    try:
        rep = ingest([folder], db, extractor=killed_extractor)
    finally:
        del killed_extractor.languages
    assert claims_of(db, "uk") == 1 and [Path(n.path).name for n in rep.notices] == ["ru.json"]


def test_manifest_and_record_language_win_over_detection(db, tmp_path):
    folder = tmp_path / "batch"
    write(folder / "uk.txt", UK_TEXT)
    write(folder / "other.txt", "In Kharkiv 3 civilians were killed.")
    write(folder / "recs.jsonl", json.dumps({"text": UK_TEXT, "language": "EN"}, ensure_ascii=False) + "\n"
          + json.dumps({"text": UK_TEXT, "language": "English"}, ensure_ascii=False) + "\n"
          + json.dumps({"text": UK_TEXT}, ensure_ascii=False) + "\n")
    write(folder / "manifest.csv", "file,doc_id,language\nuk.txt,doc-uk,en\nother.txt,doc-other,\n")
    rep = ingest([folder], db, manifest=load_manifest(folder / "manifest.csv"), extractor=killed_extractor)
    rows = stored(db)
    assert rows["doc-uk"].language == "en" and claims_of(db, "doc-uk") == 1  # the manifest said en
    assert rows["doc-other"].language == "en"  # empty column: detected
    assert rows["recs-1"].language == "en" and rows["recs-3"].language == "uk"
    assert [f.message for f in rep.failed] == [
        f"{folder / 'recs.jsonl'}:2: language 'English' is not a language code such as en, uk or ru"]


def test_bad_manifest_language_fails_only_its_file(db, tmp_path):
    write(tmp_path / "a.txt", "In Kharkiv 3 civilians were killed.")
    write(tmp_path / "b.txt", "In Bucha 5 civilians were killed.")
    write(tmp_path / "manifest.csv", "file,doc_id,language\na.txt,a,en\nb.txt,b,ukrainian language\n")
    rep = ingest([], db, manifest=tmp_path / "manifest.csv")
    assert set(stored(db)) == {"a"}
    assert len(rep.failed) == 1 and "manifest line 3" in rep.failed[0].message and "language" in rep.failed[0].message


def test_cli_prints_the_language_notice(tmp_path, new_db_url):
    # the bundled extractor reads en, uk and ru; a German report (language from the manifest) has no rules
    write(tmp_path / "de.txt", "In Charkiw wurden 3 Zivilisten getötet, teilte der Gouverneur mit.")
    manifest = write(tmp_path / "manifest.csv", "file,doc_id,language\nde.txt,de-report,de\n")
    res = CliRunner().invoke(_app(), ["--db", new_db_url("cli.db"), "ingest", str(tmp_path / "de.txt"),
                                      "--manifest", str(manifest)])
    assert res.exit_code == 0, res.output
    assert "de: no extraction rules for this language yet; stored, 0 claims" in " ".join(res.output.split())
    assert "note:" in res.output


def test_bundled_extractor_reads_ukrainian_and_russian():
    from harmwatch.extract.pipeline import default_extractor
    assert {"en", "uk", "ru"} <= default_extractor().languages


def flat(output: str) -> str:
    """CLI output without the line breaks the console inserts at its width."""
    return output.replace("\n", "")


def _app():
    from harmwatch.cli.main import app
    return app
