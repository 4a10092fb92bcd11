"""The evidence panel on the incident page (web/evidence.py, _evidence.html): analysts upload, everyone
who may read sees thumbnails, hashes, the EXIF comparison and recycled-media warnings; thumbnails and
originals need a signed-in reader; downloads are custody entries. Also in Chromium: upload, then see the
thumbnail and the hash. And the store on a real PostgreSQL (HARMWATCH_TEST_PG_URL)."""
from __future__ import annotations

import hashlib
import os
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from evidence_scenes import jpeg, photo, recycled
from harmwatch.audit.chain import entries
from harmwatch.evidence import store
from harmwatch.resolve.service import incidents
from harmwatch.store.models import EvidenceItem
from test_web_browser import ARGS, CHROMIUM, Page, _browser_or_skip, _free_port
from web_helpers import PASSWORD, build_sample, copy_db, csrf_of, open_db, served

PG_URL = os.environ.get("HARMWATCH_TEST_PG_URL")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    path, _ = build_sample(tmp_path_factory.mktemp("evidence-web"))
    return path


@pytest.fixture
def client(sample, tmp_path):
    from fastapi.testclient import TestClient

    from harmwatch.web.app import create_app
    db = open_db(copy_db(sample, tmp_path))
    with TestClient(create_app(db, anonymous_read=False, secret="e" * 32)) as c:
        c.db = db
        yield c
    db.close()


def _incidents(db):
    rows = [r for r in incidents(db) if r["date"] and r["lat"] is not None]
    return rows[0], next(r for r in rows if r["date"] != rows[0]["date"])


def _login(c, name="ana") -> None:
    tok = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"name": name, "password": PASSWORD, "csrf": tok, "next": "/"})
    assert r.status_code in (200, 303)


def _upload(c, incident_id, filename, data, csrf=None, **meta):
    csrf = csrf or csrf_of(c.get(f"/incidents/{incident_id}").text)
    return c.post(f"/incidents/{incident_id}/evidence", data={"csrf": csrf, **meta},
                  files={"file": (filename, data, "application/octet-stream")}, follow_redirects=True)


def _count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(EvidenceItem)) or 0


def test_analyst_uploads_and_the_panel_shows_hash_thumbnail_and_warning(client):
    a, b = _incidents(client.db)
    _login(client)
    raw = jpeg(photo(31))
    r = _upload(client, a["id"], "street.jpg", raw, source_url="https://example.org/post/1", collector="<b>team</b>")
    assert r.status_code == 200
    sha = hashlib.sha256(raw).hexdigest()
    assert f"stored, sha256 {sha}" in r.text and f'<code class="evidence-sha256">{sha}</code>' in r.text
    assert "&lt;b&gt;team&lt;/b&gt;" in r.text and "<b>team</b>" not in r.text  # escaped
    item = store.items_for_incident(client.db, a["id"])[0]
    assert f'src="/evidence/{item.id}/thumbnail"' in r.text
    t = client.get(f"/evidence/{item.id}/thumbnail")
    assert t.status_code == 200 and t.headers["content-type"] == "image/jpeg"
    assert t.content == item.thumbnail.read_bytes()
    # the same picture, cropped and shrunk, under another incident: a warning on that incident's page
    r = _upload(client, b["id"], "repost.jpg", recycled(photo(31), crop=0.1, side="bottom", scale=0.5))
    assert "Recycled media? 1 earlier match" in r.text
    assert 'class="flash flash-error evidence-warning"' in r.text and f"filed earlier under incident {a['id']}" in r.text


def test_original_download_is_an_attachment_and_a_custody_entry(client):
    a, _ = _incidents(client.db)
    _login(client, "vic")  # a viewer may read and download, not upload
    rec = store.add(client.db, jpeg(photo(32)), a["id"], actor="ana", filename="x.jpg")
    r = client.get(f"/evidence/{rec.id}/original")
    assert r.status_code == 200 and r.content == rec.path.read_bytes()
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith("attachment;")
    views = [e for e in entries(client.db) if e.action == "evidence.view"]
    assert len(views) == 1 and views[0].actor == "vic" and views[0].target_id == str(rec.id)
    page = client.get(f"/incidents/{a['id']}").text
    assert 'id="evidence-upload"' not in page  # no form for viewers
    csrf = csrf_of(page)
    r = client.post(f"/incidents/{a['id']}/evidence", data={"csrf": csrf},
                    files={"file": ("y.jpg", jpeg(photo(33)), "image/jpeg")}, follow_redirects=False)
    assert r.status_code == 403 and _count(client.db) == 1


def test_thumbnails_and_originals_need_a_signed_in_reader(client):
    a, _ = _incidents(client.db)
    rec = store.add(client.db, jpeg(photo(34)), a["id"], actor="ana", filename="x.jpg")
    for path in (f"/evidence/{rec.id}/thumbnail", f"/evidence/{rec.id}/original"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert not [e for e in entries(client.db) if e.action == "evidence.view"]


def test_upload_without_csrf_is_refused(client):
    a, _ = _incidents(client.db)
    _login(client)
    r = client.post(f"/incidents/{a['id']}/evidence", data={"csrf": "wrong"},
                    files={"file": ("y.jpg", jpeg(photo(35)), "image/jpeg")}, follow_redirects=False)
    assert r.status_code == 403 and _count(client.db) == 0


def test_bad_uploads_are_refused_with_a_clear_message_and_nothing_stored(client, monkeypatch):
    a, _ = _incidents(client.db)
    _login(client)
    raw = jpeg(photo(36))
    r = _upload(client, a["id"], "cut.jpg", raw[: len(raw) // 3])
    assert "Not stored: cut.jpg: the image cannot be read in full (truncated or corrupt?)" in r.text
    r = _upload(client, a["id"], "notes.jpg", b"<?php echo 1; ?>")
    assert "Not stored: notes.jpg: unknown file type" in r.text
    r = _upload(client, a["id"], "a.jpg", raw, source_url="javascript:alert(1)")
    assert "the source URL must start with http" in r.text
    monkeypatch.setenv("HARMWATCH_EVIDENCE_MAX_BYTES", "5000")
    csrf = csrf_of(client.get(f"/incidents/{a['id']}").text)
    r = client.post(f"/incidents/{a['id']}/evidence", data={"csrf": csrf},
                    files={"file": ("big.jpg", raw + b"\0" * 80_000, "image/jpeg")}, follow_redirects=False)
    assert r.status_code == 413 and "evidence limit is 5,000 bytes" in r.text
    assert _count(client.db) == 0 and not [e for e in entries(client.db) if e.action.startswith("evidence.")]


# --- a real PostgreSQL -----------------------------------------------------------------------------------

def test_store_add_verify_and_bundle_on_postgresql(tmp_path):
    if not PG_URL:
        if os.environ.get("HARMWATCH_REQUIRE_PG"):
            raise RuntimeError("HARMWATCH_REQUIRE_PG is set but HARMWATCH_TEST_PG_URL is not")
        pytest.skip("no PostgreSQL test server (set HARMWATCH_TEST_PG_URL)")
    from harmwatch.api import sample_corpus
    from harmwatch.evidence.bundle import verify_bundle, write_bundle
    from harmwatch.extract.pipeline import default_extractor
    from harmwatch.ingest import ingest
    from harmwatch.resolve.service import resolve
    from harmwatch.store.db import Database
    name = "hw_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        db = Database.open(make_url(PG_URL).set(database=name).render_as_string(hide_password=False),
                           archive_dir=tmp_path / "archive")
        sample = sample_corpus()
        ingest(sorted(sample.rglob("*.txt")), db, manifest=sample / "manifest.csv", extractor=default_extractor())
        resolve(db)
        a, b = _incidents(db)
        first = store.add(db, jpeg(photo(37)), a["id"], actor="ana", filename="a.jpg")
        second = store.add(db, recycled(photo(37), crop=0.1, side="corner", scale=0.5), b["id"], actor="ana",
                           filename="b.jpg")
        assert [w["item_id"] for w in second.warnings] == [first.id]
        assert store.verify(db, actor="test").ok
        out = write_bundle(db, [a["id"], b["id"]], tmp_path / "case.zip", actor="ana")
        assert out.items == 2 and verify_bundle(out.path).ok
        db.close()
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


# --- Chromium ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory, sample):
    _browser_or_skip()

    from harmwatch.web.app import create_app
    db = open_db(copy_db(sample, tmp_path_factory.mktemp("evidence-browser")))
    with served(create_app(db, anonymous_read=False, secret="evidence-browser")) as base:
        yield base, db
    db.close()


def test_browser_analyst_uploads_evidence_and_sees_thumbnail_and_hash(server, tmp_path):
    from playwright.sync_api import sync_playwright
    base, db = server
    a, _ = _incidents(db)
    raw = jpeg(photo(38))
    f = tmp_path / "street photo.jpg"
    f.write_bytes(raw)
    sha = hashlib.sha256(raw).hexdigest()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = Page(browser, base)
        try:
            page.login("ana")
            pg = page.page
            pg.goto(f"{base}/incidents/{a['id']}")
            assert pg.locator("#evidence .evidence-item").count() == 0
            pg.set_input_files("#evidence-upload input[type=file]", str(f))
            pg.fill("#evidence-upload input[name=collector]", "field team")
            pg.click("#evidence-upload button[type=submit]")
            pg.wait_for_selector("#evidence .evidence-item img.evidence-thumb")
            # polled from here: a string predicate for wait_for_function is evaluated with eval(), which the
            # page's Content-Security-Policy (script-src 'self') forbids once the image is not loaded at once
            deadline = time.monotonic() + 15
            while not pg.eval_on_selector("#evidence img.evidence-thumb", "i => i.complete && i.naturalWidth > 0"):
                assert time.monotonic() < deadline, "the thumbnail did not load"
                pg.wait_for_timeout(50)
            assert pg.eval_on_selector("#evidence img.evidence-thumb", "i => i.naturalWidth") == 320
            assert pg.inner_text("#evidence code.evidence-sha256") == sha
            assert sha in pg.inner_text(".flash-ok")
            assert "field team" in pg.inner_text("#evidence .evidence-item")
            assert not page.errors and not page.foreign and not page.dialogs
        finally:
            page.close()
            browser.close()
