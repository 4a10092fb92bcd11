"""Uploading reports in the browser (web/upload.py): roles, CSRF, the ingest path, limits and bad input,
on SQLite and on a real PostgreSQL (HARMWATCH_TEST_PG_URL), and in Chromium: upload, then find it in search."""
from __future__ import annotations

import json
import os
import threading
import time
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from harmwatch.auth import add_user
from harmwatch.store.db import Database
from harmwatch.store.models import Claim, Source
from harmwatch.store.search import search

from web_helpers import PASSWORD, build_sample, copy_db, csrf_of, open_db, served

PG_URL = os.environ.get("HARMWATCH_TEST_PG_URL")

REPORT = ("Missile strike on Zhytomyr school\n\nOn 3 March 2022 a Russian cruise missile struck a school in Zhytomyr, "
          "killing 4 civilians and injuring 9, the regional governor said.\n")
ARABIC = "سقط صاروخ على مدرسة في المدينة وقتل أربعة مدنيين وأصيب تسعة آخرون، بحسب المحافظ.\n"


def _count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("upload"))


@pytest.fixture(params=["sqlite", "postgresql"])
def client(request, sample, tmp_path):
    from fastapi.testclient import TestClient

    from harmwatch.web.app import create_app
    if request.param == "sqlite":
        db = open_db(copy_db(sample[0], tmp_path))
        cleanup = None
    else:
        if not PG_URL:
            if os.environ.get("HARMWATCH_REQUIRE_PG"):
                raise RuntimeError("HARMWATCH_REQUIRE_PG is set but HARMWATCH_TEST_PG_URL is not")
            pytest.skip("no PostgreSQL test server (set HARMWATCH_TEST_PG_URL)")
        name = "hw_" + uuid.uuid4().hex[:12]
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        db = Database.open(make_url(PG_URL).set(database=name).render_as_string(hide_password=False),
                           archive_dir=tmp_path / "archive")
        for user, role in (("ana", "analyst"), ("vic", "viewer"), ("admin1", "admin")):
            add_user(db, user, role, PASSWORD)

        def cleanup():
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()
    with TestClient(create_app(db, anonymous_read=False, secret="u" * 32)) as c:
        c.db = db
        yield c
    db.close()
    if cleanup:
        cleanup()


def _login(c, name="ana") -> str:
    tok = csrf_of(c.get("/login").text)
    c.post("/login", data={"name": name, "password": PASSWORD, "csrf": tok, "next": "/"})
    return csrf_of(c.get("/upload").text) if name != "vic" else tok


def _upload(c, csrf, filename, data, **meta):
    return c.post("/upload", data={"csrf": csrf, **meta}, files={"file": (filename, data, "application/octet-stream")})


def test_analyst_uploads_a_report_it_is_extracted_resolved_and_searchable(client):
    csrf = _login(client)
    before = _count(client.db, Source)
    r = _upload(client, csrf, "zhytomyr report.txt", REPORT.encode(), title="Zhytomyr school strike",
                publisher="Regional administration", published="2022-03-03", url="https://example.org/zh")
    assert r.status_code == 200, r.text
    assert "1 claim, 0 tallies extracted" in r.text and "— stored, language en" in r.text
    assert _count(client.db, Source) == before + 1
    with client.db.session() as s:
        src = s.scalar(select(Source).where(Source.title == "Zhytomyr school strike"))
        assert src.doc_id.startswith("upload/zhytomyr_report-") and src.publisher == "Regional administration"
        assert src.published.isoformat() == "2022-03-03" and src.url == "https://example.org/zh"
        assert src.text == REPORT  # the stored text is the file's, offsets index it
        claim = s.scalar(select(Claim).where(Claim.source_id == src.id))
        assert claim.killed == 4 and claim.injured == 9 and claim.incident_id  # resolved
        assert f'/incidents/{claim.incident_id}"' in r.text
    hits = search(client.db, "zhytomyr school").hits
    assert {(h.kind, h.claim) for h in hits if h.doc_id == src.doc_id} == {("document", None),
                                                                          ("claim", f"{src.doc_id}#0")}
    # the same bytes again: found, not copied
    r = _upload(client, csrf, "zhytomyr report.txt", REPORT.encode())
    assert r.status_code == 200 and "already stored (unchanged)" in r.text
    assert _count(client.db, Source) == before + 1


def test_language_without_rules_is_stored_with_a_notice(client):
    csrf = _login(client)
    r = _upload(client, csrf, "ar.txt", ARABIC.encode())
    assert r.status_code == 200
    assert ("und: language not determined (no clear English, Ukrainian or Russian text); stored, 0 claims"
            in r.text)
    assert "0 claims, 0 tallies extracted (not extracted)" in r.text
    assert search(client.db, "مدرسة").total == 1  # stored and findable all the same


def test_jsonl_keeps_good_records_and_names_the_bad_line(client):
    csrf = _login(client)
    data = (json.dumps({"doc_id": "rec-1", "text": REPORT, "title": "Record one"}) + "\n{not json\n").encode()
    r = _upload(client, csrf, "batch.jsonl", data)
    assert r.status_code == 200
    assert "batch.jsonl:2: invalid JSON" in r.text and "harmwatch-upload-" not in r.text  # no temp path shown
    assert "Record one" in r.text and _count(client.db, Claim) > 0


@pytest.mark.parametrize("filename, data, status, message", [
    ("tool.exe", b"MZ\x90\x00", 400, "unsupported file type &#39;.exe&#39;"),
    ("noext", b"hello", 400, "unsupported file type &#39;(no extension)&#39;"),
    ("latin1.txt", "Caf\xe9 strike in Kharkiv".encode("latin-1"), 400, "not UTF-8 text (undecodable bytes at offset 3)"),
    ("nul.txt", b"abc\x00def", 400, "binary file (contains NUL bytes), not text"),
    ("empty.txt", b"", 400, "the file is empty"),
    ("broken.pdf", b"%PDF-1.4 not really", 400, "broken.pdf"),
    ("bad.json", b"[1, 2", 400, "invalid JSON"),
])
def test_bad_files_are_refused_clearly_and_nothing_is_stored(client, filename, data, status, message):
    csrf = _login(client)
    before = _count(client.db, Source)
    r = _upload(client, csrf, filename, data)
    assert r.status_code == status
    assert message in r.text
    assert 'id="upload-error"' in r.text or 'class="flash flash-error failure"' in r.text
    assert _count(client.db, Source) == before


def test_bad_metadata_is_refused(client):
    csrf = _login(client)
    before = _count(client.db, Source)
    r = _upload(client, csrf, "r.txt", REPORT.encode(), published="3 March")
    assert r.status_code == 400 and "3 March" in r.text
    assert 'value="3 March"' in r.text  # the form keeps what was typed
    r = _upload(client, csrf, "r.txt", REPORT.encode(), title="t" * 501)
    assert r.status_code == 400 and "title: at most 500 characters" in r.text
    assert _count(client.db, Source) == before


def test_size_limit_from_settings(client, monkeypatch):
    csrf = _login(client)
    monkeypatch.setenv("HARMWATCH_UPLOAD_MAX_BYTES", "100")
    before = _count(client.db, Source)
    r = _upload(client, csrf, "big.txt", REPORT.encode())  # 150 bytes: read, then refused
    assert r.status_code == 413 and "over the upload limit of 100 bytes" in r.text
    r = _upload(client, csrf, "huge.txt", b"a " * 100_000)  # Content-Length over limit + form slack: not read
    assert r.status_code == 413 and "the limit is 100 bytes" in r.text
    assert _count(client.db, Source) == before
    assert "at most 100 bytes)" in client.get("/upload").text
    monkeypatch.setenv("HARMWATCH_UPLOAD_MAX_BYTES", str(50 * 1024 * 1024))  # capped at the ingest limit
    assert "at most 20.0 MB)" in client.get("/upload").text


def test_roles_and_csrf(client):
    r = client.get("/upload", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.post("/upload", files={"file": ("r.txt", b"x")}, follow_redirects=False).status_code == 303
    tok = _login(client, "vic")
    assert client.get("/upload").status_code == 403
    assert _upload(client, tok, "r.txt", REPORT.encode()).status_code == 403
    assert 'href="/upload"' not in client.get("/").text  # viewers see no upload link
    csrf = _login(client, "ana")
    assert 'href="/upload"' in client.get("/").text
    before = _count(client.db, Source)
    assert _upload(client, "wrong", "r.txt", REPORT.encode()).status_code == 403
    assert client.post("/upload", files={"file": ("r.txt", REPORT.encode())}).status_code == 403
    assert _count(client.db, Source) == before
    r = client.post("/upload", data={"csrf": csrf})
    assert r.status_code == 400 and "Choose a file" in r.text


# --- in Chromium ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(sample, tmp_path_factory):
    from test_web_browser import _browser_or_skip, _free_port
    _browser_or_skip()

    from harmwatch.web.app import create_app
    db = open_db(copy_db(sample[0], tmp_path_factory.mktemp("upload-browser")))
    with served(create_app(db, anonymous_read=False, secret="upload-browser")) as base:
        yield base, db
    db.close()


def test_browser_upload_then_find_it_in_search(server, tmp_path):
    from playwright.sync_api import sync_playwright

    from test_web_browser import ARGS, CHROMIUM
    base, db = server
    report = tmp_path / "kremenchuk.md"
    report.write_text("# Strike on a Kremenchuk shopping centre <script>window.__xss = 1</script>\n\n"
                      "On 27 June 2022 a Russian missile struck a shopping centre in Kremenchuk, killing 18 civilians "
                      "and injuring 59, the regional governor said.\n", encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_context().new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(base + "/upload")
        page.fill("input[name=name]", "ana")
        page.fill("input[name=password]", PASSWORD)
        page.click("form.login button[type=submit]")
        page.wait_for_url(base + "/upload")
        page.set_input_files("input[name=file]", str(report))
        page.fill("input[name=publisher]", "Test wire")
        page.click("#upload-form button[type=submit]")
        page.wait_for_selector("#upload-result")
        assert "1 claim" in page.inner_text("#upload-result .claims-count")
        page.click("nav a[href='/search']")
        page.fill("#search-form input[name=q]", "kremenchuk shopping")
        page.click("#search-form button[type=submit]")
        page.wait_for_selector("#hits")
        hits = page.locator("#hits li.hit")
        assert hits.count() == 2  # the document and its claim
        assert page.locator("#hits mark").first.inner_text().lower() in ("kremenchuk", "shopping")
        page.locator("#hits li.hit-claim a").first.click()  # to the claim in its source
        page.wait_for_url("**/sources/upload%2Fkremenchuk-*")
        assert "Kremenchuk" in page.inner_text("main")
        assert page.evaluate("window.__xss") is None and not dialogs  # markup in the report never ran
        browser.close()
    with db.session() as s:
        assert s.scalar(select(Source.publisher).where(Source.doc_id.like("upload/kremenchuk-%"))) == "Test wire"
