"""The load-test changes of the web app keep its answers right: cached reads are never older than the
last write, ETag/304 follow the answer exactly, the driver-cursor reads (web/fastsql.py) give what
SQLAlchemy gives for every parameter value, the map page's Python table equals the template macro,
and only API answers (never pages) are compressed. Both backends (HARMWATCH_TEST_BACKEND)."""
from __future__ import annotations

import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from starlette.datastructures import QueryParams  # noqa: E402

from harmwatch.resolve.service import incidents  # noqa: E402
from harmwatch.store.models import Incident  # noqa: E402
from harmwatch.web import answers, cache, fastsql, fragments, query  # noqa: E402
from harmwatch.web.app import create_app, templates  # noqa: E402

from web_helpers import PASSWORD, build_sample, copy_db, csrf_of, open_db  # noqa: E402


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("perftpl"))


@pytest.fixture
def rw(template, tmp_path):
    path, tokens = template
    db = open_db(copy_db(path, tmp_path))
    cache.clear()
    yield db, tokens
    db.close()


def client(db) -> TestClient:
    return TestClient(create_app(db, anonymous_read=False, secret="test-secret"), follow_redirects=False)


def bearer(token: str, **extra: str) -> dict:
    return {"Authorization": f"Bearer {token}", **extra}


def first_incident(db) -> dict:  # noqa: ANN001
    return sorted(incidents(db), key=lambda i: i["id"])[0]


# --- cached reads after writes -----------------------------------------------------------------------

def test_cached_timeline_count_and_list_follow_every_write(rw):
    db, tokens = rw
    c = client(db)
    viewer, analyst = bearer(tokens["viewer"]), bearer(tokens["analyst"])
    inc = sorted((i for i in incidents(db) if i["date"]), key=lambda i: i["id"])[0]  # on the timeline
    day = inc["date"]

    def timeline_day(url: str = "/api/timeline") -> dict:
        days = {d["date"]: d for d in c.get(url, headers=viewer).json()["days"]}
        return days.get(day, {"incidents": 0, "killed": 0})

    before = timeline_day()
    assert timeline_day() == before  # the second answer came from the cache
    verified = c.get("/api/incidents?status=verified&limit=0", headers=viewer).json()["total"]
    # a review (status, grade): the counts filtered on status move at once
    r = c.post(f"/api/incidents/{inc['id']}/verify", json={"reason": "checked", "override": False},
               headers=bearer(tokens["admin"]))
    if r.status_code == 400:  # the grade rule does not hold for this incident: an admin confirms it anyway
        r = c.post(f"/api/incidents/{inc['id']}/verify", json={"reason": "checked by hand", "override": True},
                   headers=bearer(tokens["admin"]))
    assert r.status_code == 200, r.text
    assert c.get("/api/incidents?status=verified&limit=0", headers=viewer).json()["total"] == verified + 1
    # an edit of a fact (the toll): the cached timeline and the list show the new figure
    killed = (inc["killed"]["best"] or 0) + 100
    r = c.post(f"/api/incidents/{inc['id']}/edit", json={"field": "killed_best", "value": killed, "reason": "recount"},
               headers=analyst)
    assert r.status_code == 200, r.text
    after = timeline_day()
    assert after["killed"] == before["killed"] - (inc["killed"]["best"] or 0) + killed
    listed = c.get(f"/api/incidents?from={day}&to={day}&limit=5000", headers=viewer).json()["incidents"]
    assert [i["killed"]["best"] for i in listed if i["id"] == inc["id"]] == [killed]
    # a change of the date moves the incident to another day of the cached timeline
    r = c.post(f"/api/incidents/{inc['id']}/edit", json={"field": "date", "value": "2021-01-01", "reason": "redated"},
               headers=analyst)
    assert r.status_code == 200, r.text
    days = {d["date"]: d for d in c.get("/api/timeline", headers=viewer).json()["days"]}
    assert days["2021-01-01"]["incidents"] == 1 and days["2021-01-01"]["killed"] == killed
    assert days.get(day, {"incidents": 0})["incidents"] == before["incidents"] - 1
    # the filter choices (oblasts cached until a fact changes) show a new oblast at once
    assert "Atlantis" not in query.choices(db)["admin1"]
    r = c.post(f"/api/incidents/{inc['id']}/edit", json={"field": "admin1", "value": "Atlantis", "reason": "moved"},
               headers=analyst)
    assert r.status_code == 200, r.text
    assert "Atlantis" in query.choices(db)["admin1"]
    with db.session() as s:  # the database agrees with every cached figure
        assert s.scalar(select(func.count()).select_from(Incident).where(Incident.date == "2021-01-01")) == 1


def test_cache_is_keyed_by_the_counter_read_before_computing(rw):
    db, _ = rw
    calls = []
    with db.session() as s:
        conn = s.connection()
        assert cache.cached(db, conn, ("k",), lambda: calls.append(1) or len(calls), cache.INCIDENTS) == 1
        assert cache.cached(db, conn, ("k",), lambda: calls.append(1) or len(calls), cache.INCIDENTS) == 1
    with db.session(write=True) as s:  # any write to incidents moves the counter (migration 0017)
        s.execute(Incident.__table__.update().where(Incident.id == first_incident(db)["id"]).values(status="verified"))
    with db.session() as s:
        assert cache.cached(db, s.connection(), ("k",), lambda: calls.append(1) or len(calls), cache.INCIDENTS) == 2


# --- ETag and 304 ------------------------------------------------------------------------------------

def test_etag_304_only_for_the_current_answer(rw):
    db, tokens = rw
    c = client(db)
    viewer = bearer(tokens["viewer"])
    inc = first_incident(db)
    for url in ("/api/incidents?limit=5", "/api/timeline", f"/api/incidents/{inc['id']}", "/api/tallies"):
        r = c.get(url, headers=viewer)
        assert r.status_code == 200 and r.headers["etag"].startswith('W/"'), url
        tag = r.headers["etag"]
        assert tag == answers.etag(r.content)  # the digest of the body that was sent
        again = c.get(url, headers=bearer(tokens["viewer"], **{"If-None-Match": tag}))
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag, url
        assert again.headers["cache-control"] == "no-store"  # security headers on a 304 too
        listed = c.get(url, headers=bearer(tokens["viewer"], **{"If-None-Match": f'W/"other", {tag.removeprefix("W/")}'}))
        assert listed.status_code == 304, url
        other = c.get(url, headers=bearer(tokens["viewer"], **{"If-None-Match": 'W/"0123"'}))
        assert other.status_code == 200 and other.json() == r.json(), url
        # who asks is checked before any 304: a matching tag without credentials is still a 401
        assert c.get(url, headers={"If-None-Match": tag}).status_code == 401, url
    # a write changes the answer: the old tag no longer matches, the new answer carries a new tag
    url = f"/api/incidents/{inc['id']}"
    tag = c.get(url, headers=viewer).headers["etag"]
    r = c.post(f"{url}/comments", json={"text": "seen on a second video"}, headers=bearer(tokens["analyst"]))
    assert r.status_code == 200, r.text
    fresh = c.get(url, headers=bearer(tokens["viewer"], **{"If-None-Match": tag}))
    assert fresh.status_code == 200 and fresh.headers["etag"] != tag
    assert any(h.get("action") == "incident.comment" or "comment" in str(h.get("action")) for h in fresh.json()["history"])


def test_if_none_match_parsing():
    tag = 'W/"abc"'
    assert answers.matches('W/"abc"', tag) and answers.matches('"abc"', tag) and answers.matches("*", tag)
    assert answers.matches('"x", W/"abc"', tag)
    assert not answers.matches('"abcd"', tag) and not answers.matches("", tag) and not answers.matches(None, tag)


def test_encoding_of_what_orjson_does_not_know():
    from datetime import date, datetime, timezone
    from decimal import Decimal
    out = answers.encode({"a": Decimal("3"), "b": Decimal("2.5"), "c": {7},
                          "d": date(2022, 3, 1), "e": datetime(2022, 3, 1, 12, 0, tzinfo=timezone.utc), 7: "x"})
    assert out == b'{"a":3,"b":2.5,"c":[7],"d":"2022-03-01","e":"2022-03-01T12:00:00+00:00","7":"x"}'
    with pytest.raises(TypeError):
        answers.encode({"x": object()})


# --- reads on the driver's cursor --------------------------------------------------------------------

VIEWS = ["", "from=2022-02-24&to=2022-03-31", "bbox=30,45,40,52", "bbox=36.0,49.8,36.5,50.2&from=2022-01-01",
         "admin1=Kharkiv", "min_killed=1", "object=hospital", "bbox=0,0,1,1", "weapon_class=cruise_missile&to=2022-12-31"]


def test_fastsql_rows_equal_sqlalchemy_for_each_parameter_value(rw):
    db, _ = rw
    fastsql.clear()
    order = (Incident.date.desc(), Incident.id)
    seen = set()
    with db.session() as s:
        conn = s.connection()
        for limit, offset in ((100, 0), (2, 1), (1, 3)):
            for v in VIEWS:  # the same shapes again and again with other values: no value sticks
                f = query.Filters.parse(QueryParams(v))
                c = query.conditions(f)
                page = select(Incident.id).where(*c).order_by(*order).limit(limit).offset(offset).subquery()
                stmt = select(*query.SUMMARY_COLUMNS).join(page, Incident.id == page.c.id).order_by(*order)
                want = [query.summary(r) for r in conn.execute(stmt)]
                got = [query.summary(r) for r in fastsql.rows(conn, stmt)]
                assert got == want, (v, limit, offset)
                n = select(func.count()).select_from(Incident).where(*c)
                assert fastsql.scalar(conn, n) == conn.scalar(n), v
                seen.add(len(want))
    assert len(seen) > 2  # the views differ: the comparison is not between empty answers


def test_search_and_timeline_agree_with_a_plain_count(rw):
    db, _ = rw
    with db.session() as s:
        everything = s.scalar(select(func.count()).select_from(Incident))
        dated = s.scalar(select(func.count()).select_from(Incident).where(Incident.date.is_not(None)))
    total, rows = query.search(db, query.Filters(), limit=5000)
    assert total == everything == len(rows) > 0
    assert sum(d["incidents"] for d in query.timeline(db, query.Filters())) == dated


# --- the map page's table ----------------------------------------------------------------------------

def test_python_incident_rows_equal_the_template_macro(rw):
    db, _ = rw
    _, rows = query.search(db, query.Filters(), limit=200)
    odd = {**rows[0], "id": 'inc-"<x>/&?', "place": "<script>alert(1)</script>", "admin1": None, "weapon": "a & b",
           "weapon_class": None, "objects": ["<b>", "school"], "date": None, "grade": '"q"', "status": "<s>",
           "killed": {"low": 1, "best": 2, "high": 5}, "injured": {"low": None, "best": None, "high": None},
           "sources": 3, "independent_sources": 0}
    macro = templates().from_string('{% from "_macros.html" import incident_rows %}{{ incident_rows(rows) }}')
    for case in (rows, [odd], []):
        assert str(fragments.incident_rows(case)) == macro.render(rows=case)
    html = str(fragments.incident_rows([odd]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="/incidents/inc-%22%3Cx%3E%2F%26%3F"' in html


# --- compression ---------------------------------------------------------------------------------------

def test_gzip_for_large_api_answers_never_for_pages(rw):
    db, tokens = rw
    c = client(db)
    viewer = bearer(tokens["viewer"], **{"Accept-Encoding": "gzip"})
    r = c.get("/api/incidents?limit=5000&format=geojson", headers=viewer)
    assert r.status_code == 200 and r.headers.get("content-encoding") == "gzip"
    assert r.json()["features"]  # the client decoded the gzip body
    raw = c.get("/api/incidents?limit=5000&format=geojson", headers=viewer)
    assert raw.headers["etag"] == r.headers["etag"]  # the tag names the content, not the encoding
    small = c.get("/api/incidents?limit=0", headers=viewer)
    assert small.status_code == 200 and "content-encoding" not in small.headers
    plain = c.get("/api/incidents?limit=5000", headers=bearer(tokens["viewer"], **{"Accept-Encoding": "identity"}))
    assert "content-encoding" not in plain.headers and plain.json()["incidents"]
    # pages hold the CSRF token beside text from the URL: never compressed (BREACH)
    login = c.get("/login")
    r = c.post("/login", data={"name": "vic", "password": PASSWORD, "csrf": csrf_of(login.text), "next": "/"})
    assert r.status_code == 303
    page = c.get("/?q=kharkiv", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and len(page.content) > 1400 and "content-encoding" not in page.headers
    static = c.get("/static/app.js", headers={"Accept-Encoding": "gzip"})
    assert static.status_code == 200 and static.headers.get("content-encoding") == "gzip"
