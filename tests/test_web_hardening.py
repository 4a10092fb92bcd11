"""Issue 11: hostile input to the web app and the CLI.

Integers out of range in query parameters are 422s (never 500s); the security headers are on
every answer, 404s and 500s included; doc_ids with '/', '%', spaces, '#', '?' and non-ASCII
letters work in URLs and links; a reason made only of invisible characters is refused by the
API, the review forms, the CLI and the library alike; `harmwatch incident show` prints readable
text (no Python reprs) with quotes cut at a word boundary, and JSON with --format json.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import uuid
import warnings
from html import unescape
from urllib.parse import quote

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from harmwatch.audit.chain import entries  # noqa: E402
from harmwatch.cli.main import app as cli_app  # noqa: E402
from harmwatch.errors import TextError  # noqa: E402
from harmwatch.extract.pipeline import default_extractor  # noqa: E402
from harmwatch.ingest import ingest  # noqa: E402
from harmwatch.resolve import service  # noqa: E402
from harmwatch.resolve.service import incidents, resolve, show  # noqa: E402
from harmwatch.text_checks import clip, visible_reason  # noqa: E402
from harmwatch.web.app import SECURITY_HEADERS, create_app  # noqa: E402

from web_helpers import PASSWORD, build_sample, copy_db, csrf_of, open_db  # noqa: E402

WEIRD = "ngo/2022 03/50% ü#x?y&z=1"  # every character that breaks a naive URL
WEIRD_TEXT = ("Strike on a school in Okhtyrka\n\nOn 3 March 2022 a Russian missile struck a school in Okhtyrka, "
              "killing 2 civilians and injuring 5 others, the regional governor said.\n")
INVISIBLE = [" ", "  \t\n ", "\u200b", "\u200b\u200c\u200d\u2060\ufeff", "\u00a0\u2003\u3000", "\u202e\u202d",
             "\u00ad", "\u3164", "\u2800", "\u0301", "\x00\x07"]
HUGE = [str(2**63), str(2**64), "9" * 30]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hardening")
    path, tokens = build_sample(folder)
    docs = folder / "weird"
    docs.mkdir()
    (docs / "weird.txt").write_text(WEIRD_TEXT, encoding="utf-8")
    (docs / "manifest.csv").write_text("file,doc_id,title,publisher,published,url\n"
                                       f'weird.txt,"{WEIRD}",Okhtyrka school strike,Regional governor,2022-03-03,\n',
                                       encoding="utf-8")
    db = open_db(path)
    report = ingest([docs / "weird.txt"], db, manifest=docs / "manifest.csv", extractor=default_extractor())
    assert not report.failed
    resolve(db)
    db.close()
    return path, tokens


@pytest.fixture(scope="module")
def ro(template, tmp_path_factory):
    path, tokens = template
    db = open_db(copy_db(path, tmp_path_factory.mktemp("ro")))
    yield db, tokens
    db.close()


@pytest.fixture
def rw(template, tmp_path):
    path, tokens = template
    dst = copy_db(path, tmp_path)
    db = open_db(dst)
    yield db, tokens, dst
    db.close()


def client(db, raise_server_exceptions: bool = True) -> TestClient:
    return TestClient(create_app(db, anonymous_read=False, secret="test-secret"), follow_redirects=False,
                      raise_server_exceptions=raise_server_exceptions)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def weird_incident(db) -> str:
    return next(i["id"] for i in incidents(db) if any(d == WEIRD for d in i["source_docs"]))


# --- 1. integers out of range ------------------------------------------------------------------------

@pytest.mark.parametrize("param", ["min_killed", "offset", "limit"])
@pytest.mark.parametrize("value", HUGE + ["-1"])
def test_out_of_range_integer_is_422_naming_the_parameter(ro, param, value):
    db, tokens = ro
    r = client(db).get(f"/api/incidents?{param}={value}", headers=bearer(tokens["viewer"]))
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]
    assert err["loc"] == ["query", param]
    assert re.search(r"(less|greater) than or equal to \d+", err["msg"]), err


@pytest.mark.parametrize("value", HUGE + ["-3"])
def test_timeline_min_killed_out_of_range_is_422(ro, value):
    db, tokens = ro
    r = client(db).get(f"/api/timeline?min_killed={value}", headers=bearer(tokens["viewer"]))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "min_killed"]


def test_largest_accepted_integers_give_empty_answers(ro):
    db, tokens = ro
    c, h = client(db), bearer(tokens["viewer"])
    big = 2**31 - 1
    r = c.get(f"/api/incidents?offset={big}", headers=h)
    assert r.status_code == 200 and r.json()["incidents"] == [] and r.json()["total"] == len(incidents(db))
    r = c.get(f"/api/incidents?min_killed={big}", headers=h)
    assert r.status_code == 200 and r.json()["total"] == 0
    assert c.get(f"/api/incidents?offset={big + 1}", headers=h).status_code == 422


@pytest.mark.parametrize("bbox", ["nan,nan,nan,nan", "-inf,-inf,inf,inf", "1e999,0,1e999,1", "-200,0,10,10",
                                  "0,-95,10,10"])
def test_bbox_outside_the_globe_is_400(ro, bbox):
    db, tokens = ro
    r = client(db).get(f"/api/incidents?bbox={bbox}", headers=bearer(tokens["viewer"]))
    assert r.status_code == 400 and "bbox" in r.json()["detail"]


def test_pages_show_a_message_for_out_of_range_integers(ro):
    db, tokens = ro
    c, h = client(db), bearer(tokens["viewer"])
    for url, name in ((f"/?min_killed={2**63}", "min_killed"), (f"/review?offset={2**63}", "offset"),
                      ("/review?offset=-5", "offset")):
        r = c.get(url, headers=h)
        assert r.status_code == 200, url
        assert re.search(name + r"=.*use a whole number from 0 to 2147483647", unescape(r.text)), url


# --- 2. security headers on every answer ---------------------------------------------------------------

def assert_secured(r, what: str) -> None:
    for k, v in SECURITY_HEADERS.items():
        assert r.headers.get(k) == v, f"{what}: {k}"


def test_security_headers_on_errors_and_redirects(ro):
    db, tokens = ro
    c, h = client(db), bearer(tokens["viewer"])
    cases = {
        "API 404 unknown path": c.get("/api/nope", headers=h),
        "API 404 unknown incident": c.get("/api/incidents/inc-nope", headers=h),
        "page 404": c.get("/nope", headers=h),
        "page 404 unknown source": c.get("/sources/nope", headers=h),
        "405": c.put("/api/incidents", headers=h),
        "401": c.get("/api/incidents"),
        "403": c.post(f"/api/incidents/{weird_incident(db)}/verify", headers=h),
        "422": c.get("/api/incidents?limit=x", headers=h),
        "400": c.get("/api/incidents?from=2022-02-30", headers=h),
        "303": c.get("/"),
        "static": c.get("/static/app.css"),
    }
    expected = {"API 404 unknown path": 404, "API 404 unknown incident": 404, "page 404": 404,
                "page 404 unknown source": 404, "405": 405, "401": 401, "403": 403, "422": 422, "400": 400, "303": 303,
                "static": 200}
    for what, r in cases.items():
        assert r.status_code == expected[what], what
        assert_secured(r, what)
    assert cases["401"].headers["cache-control"] == "no-store"
    assert cases["static"].headers.get("cache-control") != "no-store"


def test_security_headers_on_500s_and_the_error_still_raised(rw):
    db, tokens, path = rw
    if db.engine.dialect.name == "sqlite":
        with sqlite3.connect(path) as con:  # a damaged database: every incident query fails
            con.execute("DROP TABLE incidents")
    else:
        with db.engine.begin() as con:
            con.exec_driver_sql("DROP TABLE incidents CASCADE")
    c, h = client(db, raise_server_exceptions=False), bearer(tokens["viewer"])
    api = c.get("/api/incidents", headers=h)
    assert api.status_code == 500 and api.json() == {"detail": "internal server error"}
    assert_secured(api, "API 500")
    assert api.headers["cache-control"] == "no-store"
    page = c.get("/", headers=h)
    assert page.status_code == 500 and "Internal server error" in page.text
    assert_secured(page, "page 500")
    with pytest.raises(Exception, match="incidents"):  # still raised, so the server logs it
        client(db).get("/api/incidents", headers=h)


# --- 3. doc_ids with any characters ----------------------------------------------------------------------

def test_api_source_with_slashes_percent_spaces_and_unicode(ro):
    db, tokens = ro
    c, h = client(db), bearer(tokens["viewer"])
    for url in ("/api/sources/" + quote(WEIRD, safe=""), "/api/sources/" + quote(WEIRD, safe="/")):
        r = c.get(url, headers=h)
        assert r.status_code == 200, url
        assert r.json()["doc_id"] == WEIRD and r.json()["title"] == "Okhtyrka school strike"
    assert c.get("/api/sources/" + quote(WEIRD[:-1], safe=""), headers=h).status_code == 404


def test_links_to_a_weird_source_lead_to_it(ro):
    db, tokens = ro
    c, h = client(db), bearer(tokens["viewer"])
    iid = weird_incident(db)
    page = c.get(f"/incidents/{iid}", headers=h)
    assert page.status_code == 200
    hrefs = {unescape(m) for m in re.findall(r'href="(/sources/[^"#]*)', page.text)}
    assert "/sources/" + quote(WEIRD, safe="") in hrefs
    for href in hrefs:
        r = c.get(href, headers=h)
        assert r.status_code == 200, href
    src = c.get("/sources/" + quote(WEIRD, safe=""), headers=h)
    assert "Okhtyrka school strike" in src.text and WEIRD in unescape(src.text)
    # and back: the source page links to the incident
    assert f'href="/incidents/{iid}"' in src.text


def test_unlink_a_claim_of_a_weird_source(rw):
    db, tokens, _ = rw
    key = f"{WEIRD}#0"
    r = client(db).post(f"/api/claims/{quote(key, safe='')}/unlink", json={"reason": "checking the path"},
                        headers=bearer(tokens["analyst"]))
    assert r.status_code == 200, r.text
    assert any(e.action == "unlink" and e.reason == "checking the path" for e in entries(db))


# --- 4. reasons need visible text ----------------------------------------------------------------------------

@pytest.mark.parametrize("reason", INVISIBLE)
def test_visible_reason_refuses_invisible_text(reason):
    with pytest.raises(TextError, match="no visible text"):
        visible_reason(reason)
    with pytest.raises(TextError, match="no visible text"):
        visible_reason(reason, required=True)


def test_visible_reason_keeps_real_text():
    assert visible_reason(None) is None and visible_reason("") is None
    with pytest.raises(TextError, match="required"):
        visible_reason(None, required=True)
    assert visible_reason("  checked \u200b against OHCHR\n") == "checked \u200b against OHCHR"
    assert visible_reason("перевірено") == "перевірено"
    assert visible_reason("\u200b👍") == "\u200b👍"
    assert visible_reason("e\u0301") == "e\u0301"
    with pytest.raises(TextError, match="too long"):
        visible_reason("x" * 2001)


def _audit_count(db) -> int:
    return len(list(entries(db)))


@pytest.mark.parametrize("reason", ["\u200b", "   ", "\u00a0\u3000", "\u202e", "\u2800"])
def test_api_refuses_invisible_reasons(rw, reason):
    db, tokens, _ = rw
    c, h = client(db), bearer(tokens["analyst"])
    iid = weird_incident(db)
    other = next(i["id"] for i in incidents(db) if i["id"] != iid)
    before = _audit_count(db)
    writes = [(f"/api/incidents/{iid}/verify", {"reason": reason}),
              (f"/api/incidents/{iid}/discount", {"reason": reason}),
              (f"/api/incidents/{iid}/reopen", {"reason": reason}),
              (f"/api/incidents/{iid}/edit", {"field": "place", "value": "X", "reason": reason}),
              ("/api/incidents/merge", {"a": iid, "b": other, "reason": reason}),
              (f"/api/incidents/{iid}/split", {"claims": [], "reason": reason}),
              (f"/api/claims/{quote(WEIRD + '#0', safe='')}/unlink", {"reason": reason})]
    for url, body in writes:
        r = c.post(url, json=body, headers=h)
        assert r.status_code == 422, (url, r.text)
        assert "no visible text" in json.dumps(r.json()), url
    assert _audit_count(db) == before
    assert show(db, iid)["status"] == "unreviewed"


def test_api_accepts_a_visible_reason_trimmed(rw):
    db, tokens, _ = rw
    iid = weird_incident(db)
    r = client(db).post(f"/api/incidents/{iid}/verify", json={"reason": "  geolocated footage \n"},
                        headers=bearer(tokens["analyst"]))
    assert r.status_code == 200
    last = entries(db, limit=1)[0]
    assert last.action == "verify" and last.reason == "geolocated footage"


def test_review_form_refuses_an_invisible_reason(rw):
    db, _, _ = rw
    c = client(db)
    r = c.post("/login", data={"name": "ana", "password": PASSWORD, "csrf": csrf_of(c.get("/login").text), "next": "/"})
    assert r.status_code == 303
    iid = weird_incident(db)
    page = c.get(f"/incidents/{iid}")
    before = _audit_count(db)
    r = c.post(f"/incidents/{iid}/verify", data={"csrf": csrf_of(page.text), "reason": "\u200b\u00a0"})
    assert r.status_code == 400 and "no visible text" in r.text
    assert_secured(r, "form 400")
    r = c.post(f"/incidents/{iid}/edit", data={"csrf": csrf_of(page.text), "field": "place", "value": "X",
                                               "reason": "\u3164"})
    assert r.status_code == 400 and "no visible text" in r.text
    assert _audit_count(db) == before and show(db, iid)["status"] == "unreviewed"


def test_library_refuses_invisible_reasons(rw):
    db, _, _ = rw
    iid = weird_incident(db)
    with pytest.raises(service.ResolutionError, match="no visible text"):
        service.set_status(db, iid, "verify", "tester", "\u200b")
    with pytest.raises(service.ResolutionError, match="required|no visible text"):
        service.edit_field(db, iid, "place", "X", "tester", " \u2060 ")


def test_cli_refuses_invisible_reasons(rw):
    db, _, path = rw
    iid = weird_incident(db)
    before = _audit_count(db)
    runner = CliRunner()
    for args in (["incident", "verify", iid, "--reason", "\u200b"], ["incident", "discount", iid, "-r", "   "],
                 ["claim", "unlink", f"{WEIRD}#0", "--reason", "\u00a0"]):
        res = runner.invoke(cli_app, ["--db", f"sqlite:///{path}", *args])
        assert res.exit_code == 2, (args, res.output)
        assert "no visible text" in res.output
    assert _audit_count(db) == before


# --- 7. `harmwatch incident show` -----------------------------------------------------------------------------

def test_clip_cuts_at_a_word_boundary():
    text = "four civilians were killed and ten were wounded"
    assert clip(text, 100) == text
    assert clip(text, 20) == "four civilians were…"  # "were" ends right at the cut
    assert clip(text, 18) == "four civilians…"  # the cut would fall inside "were"
    assert clip("one\n\n  two   three", 50) == "one two three"
    assert clip("Donetsk, Kharkiv, Sumy", 16) == "Donetsk…"  # no comma before the ellipsis
    assert clip("Zaporizhzhia", 5) == "Zapo…"  # one long word: cut inside it
    assert len(clip("a " * 500, 300)) <= 300


def test_incident_show_text_is_readable(ro):
    db, _ = ro
    runner = CliRunner()
    for inc in incidents(db):
        d = show(db, inc["id"])
        res = runner.invoke(cli_app, ["--db", _url(db), "incident", "show", inc["id"]])
        assert res.exit_code == 0, res.output
        text = res.stdout
        assert inc["id"] in text
        assert not re.search(r"\bNone\b|\{'|\['|': ", text), text  # no Python reprs
        quotes = re.findall(r"“(.*)”", text)
        for c in d["claim_details"]:
            if not c["passage"]:
                continue
            flat = " ".join(c["passage"].split())
            q = next(x for x in quotes if flat.startswith(x.rstrip("…")))
            if len(flat) > 300:
                body = q[:-1]
                assert q.endswith("…") and len(q) <= 300
                assert flat[len(body)] in " ,;:", (body, flat[len(body):len(body) + 10])  # cut between words
            else:
                assert q == flat
        for f in ("killed", "injured", "children killed"):
            assert re.search(rf"^  {f}\s+\S", text, re.M), f


def test_incident_show_json(ro):
    db, _ = ro
    iid = weird_incident(db)
    res = CliRunner().invoke(cli_app, ["--db", _url(db), "incident", "show", iid, "--format", "json"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    expected = show(db, iid)
    assert data["id"] == iid and data["claims"] == expected["claims"]
    assert [c["passage"] for c in data["claim_details"]] == [c["passage"] for c in expected["claim_details"]]
    bad = CliRunner().invoke(cli_app, ["--db", _url(db), "incident", "show", iid, "--format", "yaml"])
    assert bad.exit_code == 2 and "use text or json" in bad.output


def _url(db) -> str:
    return str(db.engine.url)


@pytest.mark.skipif(not os.environ.get("HARMWATCH_TEST_PG_URL"), reason="no PostgreSQL test server")
def test_largest_accepted_integers_on_postgres(tmp_path):
    """PostgreSQL compares with 32-bit `integer` columns: the largest accepted values must not overflow."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from harmwatch.api import sample_corpus
    from harmwatch.auth import add_user, create_token
    from harmwatch.store.db import Database
    base = os.environ["HARMWATCH_TEST_PG_URL"]
    name = "hw_" + uuid.uuid4().hex[:12]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database.open(make_url(base).set(database=name).render_as_string(hide_password=False),
                       archive_dir=tmp_path / "archive")
    try:
        folder = sample_corpus()
        assert not ingest([], db, manifest=folder / "manifest.csv", extractor=default_extractor()).failed
        resolve(db)
        add_user(db, "vic", "viewer", PASSWORD)
        c, h = client(db), bearer(create_token(db, "vic", label="test"))
        big = 2**31 - 1
        for q in (f"offset={big}", f"min_killed={big}", f"min_killed={big}&offset={big}&limit=5000"):
            r = c.get(f"/api/incidents?{q}", headers=h)
            assert r.status_code == 200 and r.json()["incidents"] == [], q
        assert c.get(f"/api/timeline?min_killed={big}", headers=h).json() == {"days": []}
        assert c.get(f"/api/incidents?offset={big + 1}", headers=h).status_code == 422
    finally:
        db.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
