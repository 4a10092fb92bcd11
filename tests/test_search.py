"""Full-text search (store/search.py, web/search.py) on SQLite and on a real PostgreSQL, and the exports
of the current view (web/lists.py). PostgreSQL cases run when HARMWATCH_TEST_PG_URL is set (as in
tests/test_postgres.py) and skip otherwise."""
from __future__ import annotations

import csv
import io
import os
import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, delete, func, text
from sqlalchemy.engine import make_url

from harmwatch import export
from harmwatch.records import DocumentIn, Extraction, IncidentClaim, Span
from harmwatch.store import search as S
from harmwatch.store.db import Database, alembic_config
from harmwatch.store.models import Source
from harmwatch.store.writer import ingest_document

from web_helpers import PASSWORD, build_sample, copy_db, csrf_of, open_db

PG_URL = os.environ.get("HARMWATCH_TEST_PG_URL")

TEXT_A = ("On 2 March 2022 a missile struck the maternity hospital in Mariupol. Seventeen people were injured, "
          "the regional governor said. Reporters saw the ruins of the children's ward.")
TEXT_B = "Shelling damaged a school in Okhtyrka on 26 February 2022; three people were killed, officials said."
TEXT_XSS = 'A drone hit Kherson market <script>alert("x")</script> and <img src=x onerror=alert(2)> too.'


# --- the query language (no database) ---------------------------------------------------------------

@pytest.mark.parametrize("q, why", [
    ('"maternity hospital', "unbalanced quote"),
    ("(hospital OR school)", "parentheses"),
    ("hospital OR", "OR needs a word on each side"),
    ("OR hospital", "OR needs a word on each side"),
    ("hospital OR OR school", "OR needs a word on each side"),
    ("-hospital", "nothing to search for"),
    ("NOT hospital", "nothing to search for"),
    ("hospital NOT", "NOT (or -) needs a word after it"),
    ("*", "a * must follow letters or digits"),
    ("hos*pital", "* may only end a word"),
    ("hospital OR -school", "cannot be part of an OR"),
    ("", "empty search"),
    ("   ", "empty search"),
    ("!!! ???", "nothing to search for"),
    ("x" * 201, "at most 200"),
    (" ".join(f"w{i}" for i in range(17)), "too many words"),
])
def test_bad_queries_are_query_errors_with_a_reason(q, why):
    with pytest.raises(S.QueryError, match=why.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")):
        S.parse(q)


def test_query_structure():
    q = S.parse('Hospital "Maternity  ward" OR school mariu* -drill NOT exercise')
    assert q.must == ((S.Term(("hospital",)),), (S.Term(("maternity", "ward")), S.Term(("school",))),
                      (S.Term(("mariu",), prefix=True),))
    assert q.exclude == (S.Term(("drill",)), S.Term(("exercise",)))
    # FTS5 operators typed by a user are words, quoted: nothing of the query reaches FTS5 unquoted
    assert S._fts5(S.parse('NEAR title:x AND y')) == '("near") AND ("title x") AND ("y")'


def test_snippet_is_escaped_before_it_is_marked():
    q = S.parse("alert")
    a, b, marks = S.snippet_window(TEXT_XSS, q)
    html = str(S.mark(TEXT_XSS[a:b], [(x - a, y - a) for x, y in marks]))
    assert "<script>" not in html and "<img" not in html
    assert '&lt;script&gt;<mark>alert</mark>(&#34;x&#34;)&lt;/script&gt;' in html
    assert "onerror=<mark>alert</mark>(2)&gt;" in html
    # a word that is itself markup-looking stays escaped inside the mark
    assert str(S.mark("a<b>c", [(1, 4)])) == "a<mark>&lt;b&gt;</mark>c"


def test_chunks_cover_the_text_and_cut_at_whitespace():
    body = ("word " * 9000).strip()
    parts = S.chunks(body, size=10_000)
    assert "".join(p for _, p in parts) == body
    assert [s for s, _ in parts] == [sum(len(p) for _, p in parts[:i]) for i in range(len(parts))]
    assert all(p.endswith(" ") for _, p in parts[:-1]) and len(parts) == 5


# --- two backends -------------------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        d = Database.open(f"sqlite:///{tmp_path / 's.db'}", archive_dir=tmp_path / "archive")
        yield d
        d.close()
        return
    if not PG_URL:
        if os.environ.get("HARMWATCH_REQUIRE_PG"):
            raise RuntimeError("HARMWATCH_REQUIRE_PG is set but HARMWATCH_TEST_PG_URL is not")
        pytest.skip("no PostgreSQL test server (set HARMWATCH_TEST_PG_URL)")
    name = "hw_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    d = Database.open(make_url(PG_URL).set(database=name).render_as_string(hide_password=False),
                      archive_dir=tmp_path / "archive")
    yield d
    d.close()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _doc(doc_id: str, body: str, title: str | None = None, url: str | None = None) -> DocumentIn:
    return DocumentIn(doc_id=doc_id, text=body, raw=body.encode(), media_type="text/plain", title=title, url=url)


def _claims_of(*quotes: str):
    """An extractor whose one claim's passage is the sentence holding quotes[0] (evidence: each quote)."""
    def extract(d: DocumentIn, body: str) -> Extraction:
        ev = {f"q{i}": Span(body.index(q), body.index(q) + len(q), q) for i, q in enumerate(quotes) if q in body}
        if not ev:
            return Extraction(doc_id=d.doc_id)
        first = ev["q0"]
        a = body.rfind(". ", 0, first.start) + 2 if body.rfind(". ", 0, first.start) >= 0 else 0
        b = body.find(".", first.end) + 1 or len(body)
        return Extraction(doc_id=d.doc_id, incidents=[IncidentClaim(place="X", evidence=ev, span=Span(a, b, body[a:b]))])
    return extract


def _found(db, q, **kw) -> list[tuple[str, str | None]]:
    return [(h.kind, h.claim or h.doc_id) for h in S.search(db, q, **kw).hits]


def test_documents_and_claims_are_found_with_offsets_into_the_stored_text(db):
    ingest_document(db, _doc("a", TEXT_A, title="Strike on Mariupol maternity hospital"),
                    extractor=_claims_of("maternity hospital in Mariupol", "Seventeen people were injured"))
    ingest_document(db, _doc("b", TEXT_B, title="Okhtyrka school"), extractor=_claims_of("school in Okhtyrka"))
    res = S.search(db, "hospital")
    assert res.total == 2
    assert {(h.kind, h.claim or h.doc_id) for h in res.hits} == {("document", "a"), ("claim", "a#0")}
    for h in res.hits:
        assert h.matches and all(TEXT_A[x:y].lower() == "hospital" for x, y in h.matches)  # offsets index the text
        assert TEXT_A[h.start:h.end] == h.snippet
        assert "<mark>hospital</mark>" in str(h.snippet_html)
    # all words must match; a phrase; OR; prefix; exclusion; case and diacritics (SQLite) alike
    assert _found(db, "hospital okhtyrka") == []
    assert set(_found(db, '"maternity hospital"')) == {("document", "a"), ("claim", "a#0")}
    assert _found(db, '"hospital maternity"') == []
    assert {k for k in _found(db, "school OR ward", kind="document")} == {("document", "a"), ("document", "b")}
    assert set(_found(db, "OKHT*")) == {("document", "b"), ("claim", "b#0")}
    assert _found(db, "people -seventeen", kind="document") == [("document", "b")]
    # title words count, only documents carry the title
    assert _found(db, "strike") == [("document", "a")]
    # the evidence quote outside the passage is a claim quote too
    assert ("claim", "a#0") in _found(db, "seventeen")
    assert _found(db, "hospital", kind="claim") == [("claim", "a#0")]
    assert S.search(db, "hospital", limit=1).total == 2 and len(S.search(db, "hospital", limit=1).hits) == 1
    first, second = (S.search(db, "hospital", limit=1, offset=o).hits for o in (0, 1))
    assert len(first) == len(second) == 1 and (first[0].kind, first[0].claim) != (second[0].kind, second[0].claim)


def test_the_writer_keeps_the_index_in_step(db):
    ingest_document(db, _doc("a", TEXT_A, url="https://example.org/a"), extractor=_claims_of("maternity hospital"))
    assert ("claim", "a#0") in _found(db, "maternity")
    # re-extraction with other claims: the old claim quote is gone from the index
    ingest_document(db, _doc("a", TEXT_A, url="https://example.org/a"), extractor=_claims_of("children's ward"),
                    reextract=True)
    assert ("claim", "a#0") not in _found(db, "maternity")
    assert ("claim", "a#0") in _found(db, "ward")
    # a new version: the old text is no longer found, the new one is
    ingest_document(db, _doc("a", "Corrected: a drone hit a bakery in Mariupol.", url="https://example.org/a"),
                    extractor=_claims_of("bakery"))
    assert _found(db, "maternity") == [] and set(_found(db, "bakery")) == {("document", "a"), ("claim", "a#0")}
    # a deleted source leaves nothing findable
    with db.session(write=True) as s:
        s.execute(delete(Source))
    assert S.search(db, "bakery").total == 0


def test_markup_in_documents_comes_back_escaped(db):
    ingest_document(db, _doc("x", TEXT_XSS, title='<script>alert("t")</script> Kherson'),
                    extractor=_claims_of("Kherson market"))
    hits = S.search(db, "alert").hits
    assert {h.kind for h in hits} == {"document", "claim"}
    for h in hits:
        html = str(h.snippet_html)
        assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
        assert html.count("<mark>") == 2 and html.count("</mark>") == 2


def test_a_large_document_is_found_in_every_part(db):
    body = "Intro. " + ("Filler words about the weather. " * 2000) + "A rocket hit the Zaporizhzhia depot. " + \
        ("More filler text for the page. " * 2000) + "Closing words on Bakhmut."
    ingest_document(db, _doc("big", body, title="Long report"))
    for word, inside in (("zaporizhzhia", "Zaporizhzhia"), ("bakhmut", "Bakhmut"), ("long", None)):
        res = S.search(db, word)
        assert res.total == 1, word  # one hit per document however many chunks it has
        h = res.hits[0]
        if inside:
            assert inside in h.snippet and body[h.matches[0][0]:h.matches[0][1]] == inside


def test_migration_0010_fills_the_index_from_what_is_stored(db):
    ingest_document(db, _doc("a", TEXT_A), extractor=_claims_of("maternity hospital"))
    ingest_document(db, _doc("b", TEXT_B))
    url = db.engine.url.render_as_string(hide_password=False)
    cfg = alembic_config(url)
    command.downgrade(cfg, "0009")
    with db.engine.connect() as c:
        assert "search_index" not in set(c.execute(text(
            "select name from sqlite_master" if db.engine.dialect.name == "sqlite"
            else "select tablename from pg_tables where schemaname = 'public'")).scalars())
    command.upgrade(cfg, "head")
    assert set(_found(db, "hospital")) == {("document", "a"), ("claim", "a#0")}
    assert _found(db, "okhtyrka") == [("document", "b")]


def test_database_refusals_of_a_query_are_query_errors(db, monkeypatch):
    ingest_document(db, _doc("a", TEXT_A))
    # if parse() ever let a query through that the engine refuses, the caller still gets a QueryError
    monkeypatch.setattr(S, "_fts5", lambda q: '"unbalanced')
    monkeypatch.setattr(S, "_tsquery", lambda q: func.to_tsquery(S._SIMPLE, "hospital &"))
    with pytest.raises(S.QueryError, match="cannot search for"):
        S.search(db, "hospital")


# --- the web: /search, /api/search, exports -----------------------------------------------------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("search-web"), xss=True)


@pytest.fixture
def client(sample, tmp_path):
    from fastapi.testclient import TestClient

    from harmwatch.web.app import create_app
    path, tokens = sample
    d = open_db(copy_db(path, tmp_path))
    with TestClient(create_app(d, anonymous_read=False, secret="s" * 32)) as c:
        c.tokens = tokens
        c.db = d
        yield c
    d.close()


def _login(c, name="ana"):
    tok = csrf_of(c.get("/login").text)
    assert c.post("/login", data={"name": name, "password": PASSWORD, "csrf": tok, "next": "/"}).status_code in (200, 303)


def _bearer(c, role="viewer"):
    return {"Authorization": f"Bearer {c.tokens[role]}"}


def test_api_search(client):
    r = client.get("/api/search", params={"q": "cluster munitions", "limit": 2}, headers=_bearer(client))
    assert r.status_code == 200
    body = r.json()
    assert body["total"] >= 3 and len(body["hits"]) == 2 and body["limit"] == 2
    for h in body["hits"]:
        src = client.get(f"/api/sources/{h['doc_id']}", headers=_bearer(client)).json()["text"]
        assert h["matches"] and all(src[x:y].lower() in ("cluster", "munitions") for x, y in h["matches"])
        assert src[h["start"]:h["end"]] == h["snippet"]
        assert "<mark>" in h["snippet_html"]
    claims = client.get("/api/search", params={"q": "cluster", "kind": "claim"}, headers=_bearer(client)).json()
    assert claims["hits"] and all(h["kind"] == "claim" and h["claim"].startswith(h["doc_id"] + "#") and h["incident_id"]
                                  for h in claims["hits"])


@pytest.mark.parametrize("q", ['"cluster', "(cluster)", "cluster OR", "-cluster", "*", "a*b"])
def test_api_search_bad_syntax_is_400(client, q):
    r = client.get("/api/search", params={"q": q}, headers=_bearer(client))
    assert r.status_code == 400 and r.json()["detail"]


def test_api_search_statuses(client):
    assert client.get("/api/search", params={"q": "x"}).status_code == 401
    assert client.get("/api/search", headers=_bearer(client)).status_code == 422  # q missing
    assert client.get("/api/search", params={"q": "x" * 201}, headers=_bearer(client)).status_code == 422
    assert client.get("/api/search", params={"q": "x", "kind": "tally"}, headers=_bearer(client)).status_code == 422
    assert client.get("/api/search", params={"q": "x", "limit": 101}, headers=_bearer(client)).status_code == 422
    ops = client.get("/api/openapi.json").json()["paths"]["/api/search"]["get"]["responses"]
    assert {"200", "400", "401", "422"} <= set(ops)


def test_search_page(client):
    assert client.get("/search?q=kharkiv", follow_redirects=False).status_code == 303  # sign in first
    _login(client, "vic")
    r = client.get("/search", params={"q": "alert"})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "&lt;script&gt;<mark>alert</mark>" in r.text
    assert 'href="/sources/xss-doc"' in r.text
    r = client.get("/search", params={"q": "cluster", "kind": "claim"})
    assert r.status_code == 200 and "/incidents/inc-" in r.text and "#claim-" in r.text
    r = client.get("/search", params={"q": '"unbalanced'})
    assert r.status_code == 400 and "unbalanced quote" in r.text
    r = client.get("/search", params={"q": "kharkiv", "offset": "-1"})
    assert r.status_code == 400 and "offset" in r.text
    assert 'href="/search"' in r.text  # in the navigation of every page


def _ids_from_api(c, params) -> set[str]:
    r = c.get("/api/incidents", params={**params, "limit": 5000}, headers=_bearer(c))
    assert r.status_code == 200
    return {i["id"] for i in r.json()["incidents"]}


@pytest.mark.parametrize("params", [{}, {"admin1": "Kharkiv"}, {"from": "2022-02-25", "to": "2022-02-26"},
                                    {"q": "hospital"}, {"weapon_class": "no_such_class"}])
def test_exports_follow_the_filters_of_the_view(client, params):
    _login(client, "vic")
    want = _ids_from_api(client, params)  # the API's list: query.search, another code path
    r = client.get("/export/csv", params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert tuple(csv.reader(io.StringIO(r.text)).__next__()) == export.CSV_COLUMNS
    assert {row["id"] for row in rows} == want
    acled = list(csv.DictReader(io.StringIO(client.get("/export/acled", params=params).text)))
    assert {row["event_id_cnty"] for row in acled} == want
    ucdp = list(csv.DictReader(io.StringIO(client.get("/export/ucdp", params=params).text)))
    assert {row["id"] for row in ucdp} == want
    g = client.get("/export/geojson", params=params)
    assert g.headers["content-type"].startswith("application/geo+json")
    gj = g.json()
    assert gj["type"] == "FeatureCollection" and {f["id"] for f in gj["features"]} | set() <= want
    assert len(gj["features"]) + gj["skipped"] == len(want)


def test_export_values_match_the_incident(client):
    _login(client, "vic")
    api = client.get("/api/incidents", params={"admin1": "Kharkiv"}, headers=_bearer(client)).json()["incidents"]
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(client.get("/export/csv?admin1=Kharkiv").text))}
    acled = {r["event_id_cnty"]: r for r in csv.DictReader(io.StringIO(client.get("/export/acled?admin1=Kharkiv").text))}
    assert api
    for i in api:
        assert rows[i["id"]]["place"] == (i["place"] or "") and rows[i["id"]]["admin1"] == "Kharkiv"
        best = i["killed"]["best"]
        assert rows[i["id"]]["killed_best"] == ("" if best is None else str(best))
        assert acled[i["id"]]["fatalities"] == ("" if best is None else str(best))
        assert acled[i["id"]]["country"] == "Ukraine" and acled[i["id"]]["location"] == (i["place"] or "")


def test_export_links_on_the_pages_and_refusals(client):
    assert client.get("/export/csv", follow_redirects=False).status_code == 303  # anonymous: sign in
    _login(client, "vic")
    for page in ("/incidents", "/"):
        html = client.get(page, params={"admin1": "Kharkiv", "grade": "fair"}).text
        for fmt in ("csv", "geojson", "acled", "ucdp"):
            assert f'href="/export/{fmt}?admin1=Kharkiv&amp;grade=fair"' in html, (page, fmt)
    html = client.get("/incidents").text
    assert 'href="/export/csv"' in html
    assert client.get("/export/csv?from=2022-13-01").status_code == 400
    assert client.get("/export/xlsx").status_code == 404
