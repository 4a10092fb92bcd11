"""The load test's last cuts (issue 11) keep answers right, on both backends (HARMWATCH_TEST_BACKEND):

* a review write drops the screening flags of the incidents it deletes (a merge), recomputes those of
  the incidents it writes, and touches no other flag (no sweep of the whole flags table); a full
  resolution leaves no flag of an incident that no longer exists;
* deep offset pages read from cached sort keys (web/query.py, SQLite) equal plain OFFSET pages, undated
  incidents included, and follow a write at once (library and API);
* the drop-down choices, cached on the change counters, follow a review at once;
* an incident's claims carry their passages as cut from the stored document.
"""
from __future__ import annotations

import warnings
from datetime import datetime, timezone

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from harmwatch.assess.flags import refresh_flags  # noqa: E402
from harmwatch.resolve import service  # noqa: E402
from harmwatch.resolve.service import incidents, resolve  # noqa: E402
from harmwatch.store.models import AssessmentFlag, Claim, Incident, Source  # noqa: E402
from harmwatch.web import cache, query  # noqa: E402
from harmwatch.web.app import create_app  # noqa: E402

from web_helpers import build_sample, copy_db, open_db  # noqa: E402


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("perf2tpl"))


@pytest.fixture
def rw(template, tmp_path):
    path, tokens = template
    db = open_db(copy_db(path, tmp_path))
    cache.clear()
    yield db, tokens
    cache.clear()
    db.close()


def client(db) -> TestClient:  # noqa: ANN001
    return TestClient(create_app(db, anonymous_read=False, secret="test-secret"), follow_redirects=False)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def stored_flags(db) -> dict[str, set[tuple[str, str]]]:  # noqa: ANN001
    """incident id -> {(flag id, kind)} as stored."""
    out: dict[str, set[tuple[str, str]]] = {}
    with db.session() as s:
        for f in s.scalars(select(AssessmentFlag)):
            out.setdefault(f.incident_id, set()).add((f.id, f.kind))
    return out


def incident_ids(db) -> set[str]:  # noqa: ANN001
    with db.session() as s:
        return set(s.scalars(select(Incident.id)))


# --- flags after review writes ---------------------------------------------------------------------------

def test_a_merge_drops_the_flags_of_the_incident_merged_away_and_touches_no_other(rw):
    db, _ = rw
    before = stored_flags(db)
    assert len(before) >= 3, "the sample should flag several incidents"
    a, b = sorted(before)[:2]
    # a flag left over from a crash or an older version, of an incident that does not exist: a review
    # write reads and deletes only the flags of the incidents it touches, so it stays until a full run
    with db.session(write=True) as s:
        s.add(AssessmentFlag(id="flg-leftover", incident_id="inc-000000000000", kind="protected_object",
                             reason="left over", evidence={}, basis="0" * 16, computed_at=datetime.now(timezone.utc)))
    merged = service.merge(db, a, b, "ana", "the same strike")
    gone = {a, b} - {merged}
    assert gone and merged in incident_ids(db) and not gone & incident_ids(db)
    after = stored_flags(db)
    assert not gone & after.keys(), "a flag of the incident merged away outlived it"
    for other in set(before) - {a, b}:
        assert after.get(other) == before[other], other
    assert after["inc-000000000000"] == {("flg-leftover", "protected_object")}
    # the merged incident's flags are what a recomputation gives
    with db.session(write=True) as s:
        refresh_flags(s, [merged])
    assert stored_flags(db).get(merged) == after.get(merged)
    # a verify rewrites its incident: its flags are recomputed, not lost
    service.set_status(db, merged, "verify", "ana", "checked against a second source")
    assert stored_flags(db).get(merged) == after.get(merged)
    # a full resolution clears every flag and flags every incident again: none is left of a deleted incident
    resolve(db, full=True)
    final = stored_flags(db)
    assert set(final) <= incident_ids(db)
    assert "inc-000000000000" not in final


# --- deep offset pages from cached sort keys --------------------------------------------------------------

def reference_page(db, f: query.Filters, limit: int, offset: int) -> tuple[int, list[str]]:  # noqa: ANN001
    """The page by plain OFFSET in the database's own list order (date DESC, id), and the exact count."""
    cond = query.conditions(f)
    with db.session() as s:
        q = select(Incident.id).where(*cond).order_by(Incident.date.desc(), Incident.id).limit(limit).offset(offset)
        n = s.scalar(select(func.count()).select_from(Incident).where(*cond))
        return n, list(s.scalars(q))


def check_pages(db, filters: list[dict]) -> int:  # noqa: ANN001
    checked = 0
    for params in filters:
        f = query.Filters.parse(params)
        for offset in range(0, 9):
            for limit in (1, 2, 3, 100):
                total, exact, rows = query.search_page(db, f, limit, offset)
                n, ids = reference_page(db, f, limit, offset)
                assert [r["id"] for r in rows] == ids, (params, offset, limit)
                assert (total, exact) == (n, True), (params, offset, limit)
                checked += 1
    return checked


def test_deep_offset_pages_equal_plain_offset_pages_and_follow_writes(rw, monkeypatch):
    db, _ = rw
    monkeypatch.setattr(query, "ANCHOR_STEP", 1)  # every page of the small sample starts from a cached key
    dated = sorted(i["id"] for i in incidents(db) if i["date"])
    # two undated incidents: a cached key with no date, and the range after it, are used
    service.edit_field(db, dated[0], "date", None, "ana", "the date was a guess")
    grades = sorted({i["grade"] for i in incidents(db)})
    filters = [{}, {"grade": grades[0]}, {"from": "2022-01-01"}]  # (a grade filter keeps OFFSET: compared too)
    assert check_pages(db, filters)
    # the keys are cached now; each write below changes the order or the rows, and the next pages follow
    service.edit_field(db, dated[1], "date", "2021-01-01", "ana", "the archive's date")
    check_pages(db, filters)
    service.edit_field(db, dated[0], "date", "2030-12-31", "ana", "dated after all")
    check_pages(db, filters)
    a, b = dated[2], dated[3]
    service.merge(db, a, b, "ana", "the same strike")
    check_pages(db, filters)
    service.set_status(db, sorted(incident_ids(db))[0], "discount", "ana", "a duplicate of another report")
    check_pages(db, filters)


def test_a_deep_page_of_the_api_changes_right_after_a_write(rw, monkeypatch):
    db, tokens = rw
    monkeypatch.setattr(query, "ANCHOR_STEP", 2)
    c = client(db)
    viewer = bearer(tokens["viewer"])

    def page() -> list[str]:
        r = c.get("/api/incidents?limit=2&offset=2", headers=viewer)
        assert r.status_code == 200, r.text
        return [i["id"] for i in r.json()["incidents"]]

    first = page()
    assert page() == first == reference_page(db, query.Filters(), 2, 2)[1]
    newest = reference_page(db, query.Filters(), 1, 0)[1][0]
    r = c.post(f"/api/incidents/{newest}/edit", json={"field": "date", "value": "2000-01-01", "reason": "typo"},
               headers=bearer(tokens["analyst"]))
    assert r.status_code == 200, r.text
    assert page() == reference_page(db, query.Filters(), 2, 2)[1] != first


# --- cached drop-down choices ------------------------------------------------------------------------------

def test_drop_down_choices_follow_a_review_at_once(rw):
    db, tokens = rw
    c = client(db)
    first = query.choices(db)
    assert query.choices(db) == first  # from the cache
    assert "verified" not in first["status"]
    target = sorted(incident_ids(db))[0]
    r = c.post(f"/api/incidents/{target}/verify", json={"reason": "checked"}, headers=bearer(tokens["admin"]))
    if r.status_code == 400:  # the grade rule does not hold: an admin confirms it anyway
        r = c.post(f"/api/incidents/{target}/verify", json={"reason": "checked by hand", "override": True},
                   headers=bearer(tokens["admin"]))
    assert r.status_code == 200, r.text
    now = query.choices(db)
    assert "verified" in now["status"]
    assert now["admin1"] == first["admin1"] and now["object"] == first["object"]
    # an edit of a fact: the oblast choices follow, on the map page too
    assert "Testska oblast" not in c.get("/", headers=bearer(tokens["viewer"])).text
    service.edit_field(db, target, "admin1", "Testska oblast", "ana", "the report named another oblast")
    assert "Testska oblast" in query.choices(db)["admin1"]
    page = c.get("/", headers=bearer(tokens["viewer"]))
    assert page.status_code == 200 and '<option value="Testska oblast"' in page.text


# --- the incident's passages --------------------------------------------------------------------------

def test_the_claims_of_an_incident_carry_their_passages_from_the_stored_text(rw):
    db, _ = rw
    with db.session() as s:  # each claim's span, cut here from its document's stored text
        want = {f"{d}#{o}": (text[a:b] if a is not None else None)
                for d, o, text, a, b in s.execute(select(Source.doc_id, Claim.ordinal, Source.text, Claim.span_start,
                                                         Claim.span_end).join(Source, Claim.source_id == Source.id)
                                                  .where(Claim.incident_id.is_not(None)))}
    got = {c["key"]: c["passage"] for inc in incidents(db) for c in service.show(db, inc["id"])["claim_details"]}
    assert got == want and any(got.values())


# --- map views from the R*Tree, statements compiled once per shape -------------------------------------------

def test_bbox_and_date_pages_equal_the_plain_query_and_follow_an_edit(rw, monkeypatch):
    db, _ = rw
    calls = []
    real = query._rtree_page

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        got = real(*args, **kwargs)
        calls.append(got is not None)
        return got
    monkeypatch.setattr(query, "_rtree_page", spy)
    placed = sorted((i for i in incidents(db) if i["lat"] is not None and i["date"]), key=lambda i: i["id"])
    lons = [i["lon"] for i in placed]
    lats = [i["lat"] for i in placed]
    days = sorted(i["date"] for i in placed)
    box = f"{min(lons) - 0.5},{min(lats) - 0.5},{max(lons) + 0.5},{max(lats) + 0.5}"
    views = [{"bbox": box, "from": days[0], "to": days[-1]}, {"bbox": box, "from": days[-1]},
             {"bbox": box, "to": days[0]}, {"bbox": f"{lons[0]},{lats[0]},{lons[0]},{lats[0]}", "from": days[0]}]

    def check() -> None:
        for params in views:
            f = query.Filters.parse(params)
            for offset in (0, 1, 3):
                for limit in (1, 2, 100):
                    total, exact, rows = query.search_page(db, f, limit, offset)
                    n, ids = reference_page(db, f, limit, offset)
                    assert [r["id"] for r in rows] == ids and (total, exact) == (n, True), (params, offset, limit)
    check()
    assert any(i["id"] for i in query.search_page(db, query.Filters.parse(views[0]), 100, 0)[2])
    service.edit_field(db, placed[0]["id"], "lat", min(lats) - 5, "ana", "the report placed it further south")
    check()
    if db.engine.dialect.name == "sqlite":
        assert calls and all(calls), "the R*Tree page was not used"


def test_the_table_escape_equals_markupsafe():
    from markupsafe import escape as markupsafe_escape

    from harmwatch.web import fragments
    values = ["Kharkiv", "Велика Писарівка", "<script>alert(1)</script>", "a & b", "it's \"quoted\"", "&amp;", "",
              0, 5, 3.5, None, True, "\u200b<\u00a0>"]
    for v in values:
        assert fragments.escape(v) == str(markupsafe_escape(v)), v
