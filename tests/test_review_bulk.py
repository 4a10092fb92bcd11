"""Review workflow, part two (issue 11): bulk actions, assignment, second review, API redirects, CLI.

Bulk verify / discount / assign / approve run in one transaction (all or none) with one reason and an
audit entry per incident; assignment shows in the queue with a "mine" filter; with
HARMWATCH_SECOND_REVIEW on, a ruling needs a second, different analyst; a merged-away id answers
301 / 308 in the API too; `incident verify --override` from the command line. The same on PostgreSQL.
"""
from __future__ import annotations

import os
import uuid
import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from harmwatch.audit.chain import entries, verify  # noqa: E402
from harmwatch.auth import add_user  # noqa: E402
from harmwatch.resolve import review  # noqa: E402
from harmwatch.resolve.service import ResolutionError, incidents, merge, resolve, show, split  # noqa: E402
from harmwatch.web.app import create_app  # noqa: E402

from web_helpers import PASSWORD, build_sample, copy_db, csrf_of, open_db  # noqa: E402


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("bulktpl"))


@pytest.fixture
def rw(template, tmp_path, monkeypatch):
    monkeypatch.delenv("HARMWATCH_SECOND_REVIEW", raising=False)
    path, tokens = template
    db = open_db(copy_db(path, tmp_path))
    yield db, tokens
    db.close()


def client(db) -> TestClient:
    return TestClient(create_app(db, secret="test-secret"), follow_redirects=False)


def signed_in(db, name: str) -> TestClient:
    c = client(db)
    r = c.post("/login", data={"name": name, "password": PASSWORD, "csrf": csrf_of(c.get("/login").text), "next": "/"})
    assert r.status_code == 303, r.text
    return c


def by_place(db, place: str) -> dict:
    return next(i for i in incidents(db) if i["place"] == place)


def audit_of(db, action: str) -> list:
    return [e for e in entries(db, newest_first=False) if e.action == action]


def queue_ids(db, **kw) -> list[str]:
    return [r["id"] for r in review.review_queue(db, **kw)[1]]


# --- 1. bulk actions: one reason, one audit entry each, all or none -----------------------------------------

def test_bulk_verify_audits_each_incident_with_the_one_reason(rw):
    db, _ = rw
    ids = queue_ids(db)[:3]
    assert len(ids) == 3
    done = review.bulk(db, ids, "verify", "ana", "all three in the OHCHR update of 4 March")
    assert [d["incident"] for d in done] == ids and all(d["changed"] for d in done)
    assert {show(db, i)["status"] for i in ids} == {"verified"}
    got = audit_of(db, "verify")
    assert sorted(e.target_id for e in got) == sorted(ids)
    assert {e.reason for e in got} == {"all three in the OHCHR update of 4 March"} and {e.actor for e in got} == {"ana"}
    assert not set(ids) & set(queue_ids(db)) and verify(db).ok


def test_bulk_with_an_unknown_id_or_no_reason_changes_nothing(rw):
    db, _ = rw
    ids = queue_ids(db)[:2]
    before = len(entries(db))
    with pytest.raises(ResolutionError, match="inc-000000000000.*nothing was changed"):
        review.bulk(db, [*ids, "inc-000000000000"], "discount", "ana", "duplicates")
    with pytest.raises(ResolutionError, match="nothing was changed"):  # no id holds a NUL (PostgreSQL: no 5xx)
        review.bulk(db, [*ids, "inc-\x00"], "discount", "ana", "duplicates")
    with pytest.raises(ResolutionError, match="no such user"):
        review.bulk(db, ids, "assign", "ana", "x", assignee="an\x00a")
    with pytest.raises(ResolutionError, match="reason"):
        review.bulk(db, ids, "verify", "ana", "   ")
    with pytest.raises(ResolutionError, match="unknown bulk action"):
        review.bulk(db, ids, "merge", "ana", "x")
    with pytest.raises(ResolutionError, match="at least one"):
        review.bulk(db, [], "verify", "ana", "x")
    with pytest.raises(ResolutionError, match="at most"):
        review.bulk(db, [f"inc-{i:012x}" for i in range(review.MAX_BULK + 1)], "verify", "ana", "x")
    assert {show(db, i)["status"] for i in ids} == {"unreviewed"} and len(entries(db)) == before


def test_bulk_step_refused_half_way_rolls_back_the_earlier_ones(rw):
    db, _ = rw
    a, b = queue_ids(db)[:2]
    review.set_status(db, b, "verify", "ana", "checked", second_review=True)  # b awaits ana's second reviewer
    review.set_status(db, a, "verify", "bea", "checked", second_review=True)  # a awaits too, by bea
    with pytest.raises(ResolutionError, match=f"{b}: a second review needs another analyst.*nothing was changed"):
        review.bulk(db, [a, b], "approve", "ana", second_review=True)
    assert review.review_state(db, a, second_review=True)["awaiting_second_review"]  # a's approval rolled back
    assert audit_of(db, "approve") == []


# --- 2. assignment: queue column, "mine", reassign, audited ------------------------------------------------

def test_assign_reassign_unassign_and_the_mine_filter(rw):
    db, _ = rw
    ids = queue_ids(db)
    mine, other = ids[:2], ids[2]
    review.bulk(db, mine, "assign", "admin1", "you know the oblast", assignee="ana")
    assert sorted(queue_ids(db, assignee="ana")) == sorted(mine)
    assert other in queue_ids(db, unassigned=True) and not set(mine) & set(queue_ids(db, unassigned=True))
    rows = {r["id"]: r["assignee"] for r in review.review_queue(db)[1]}
    assert [rows[i] for i in mine] == ["ana", "ana"] and rows[other] is None
    assert review.assign(db, mine[0], "ana", "admin1") is False  # already so: nothing recorded
    assert review.assign(db, mine[0], "admin1", "ana", "leave") is True
    assert review.assign(db, mine[1], None, "ana") is True
    assert queue_ids(db, assignee="ana") == [] and queue_ids(db, assignee="admin1") == [mine[0]]
    got = [(e.action, e.target_id, e.old, e.new) for e in entries(db, newest_first=False)
           if e.action in ("assign", "unassign")]
    assert got == [("assign", mine[0], {"assignee": None}, {"assignee": "ana"}),
                   ("assign", mine[1], {"assignee": None}, {"assignee": "ana"}),
                   ("assign", mine[0], {"assignee": "ana"}, {"assignee": "admin1"}),
                   ("unassign", mine[1], {"assignee": "ana"}, {"assignee": None})]
    with pytest.raises(ResolutionError, match="viewer cannot review"):
        review.assign(db, other, "vic", "ana")
    with pytest.raises(ResolutionError, match="no such user"):
        review.bulk(db, [other], "assign", "ana", assignee="nobody-here")
    assert verify(db).ok


def test_merge_carries_the_assignment_of_the_merged_away_incident(rw):
    db, _ = rw
    keep, gone = sorted(split(db, by_place(db, "Vuhledar")["id"], [], "ana", "apart"),
                        key=lambda i: min(show(db, i)["claims"]))
    review.assign(db, gone, "ana", "admin1")
    merged = merge(db, keep, gone, "ana", "same strike")
    assert merged == keep and review.review_state(db, merged)["assignee"] == "ana"
    assert gone not in queue_ids(db, assignee="ana") and merged in queue_ids(db, assignee="ana")


# --- 3. second review -------------------------------------------------------------------------------------------

def test_second_review_keeps_the_incident_in_the_queue_until_another_analyst_approves(rw, monkeypatch):
    db, _ = rw
    add_user(db, "bea", "analyst", PASSWORD)
    monkeypatch.setenv("HARMWATCH_SECOND_REVIEW", "true")
    iid = queue_ids(db)[0]
    review.set_status(db, iid, "discount", "ana", "a military depot, no civilians")
    assert show(db, iid)["status"] == "discounted"
    row = next(r for r in review.review_queue(db)[1] if r["id"] == iid)
    assert row["awaiting"] == {"decision": "discount", "by": "ana"} and "awaiting second review" in row["why"][0]
    with pytest.raises(ResolutionError, match="needs another analyst"):
        review.approve(db, iid, "ana")
    review.approve(db, iid, "bea", "agree")
    assert iid not in queue_ids(db)
    st = review.review_state(db, iid)
    assert st["second_review"]["approved_by"] == "bea" and not st["awaiting_second_review"]
    (e,) = audit_of(db, "approve")
    assert (e.actor, e.target_id, e.old["by"], e.new["approved_by"], e.reason) == ("bea", iid, "ana", "bea", "agree")
    with pytest.raises(ResolutionError, match="no verify or discount awaits"):
        review.approve(db, iid, "admin1")
    review.set_status(db, iid, "verify", "bea", "the depot story was wrong")  # a new ruling needs a new approval
    assert iid in queue_ids(db)
    review.set_status(db, iid, "reopen", "bea")
    assert review.review_state(db, iid)["second_review"] is None and iid in queue_ids(db)


def test_second_review_off_a_ruling_counts_at_once(rw):
    db, _ = rw
    iid = queue_ids(db)[0]
    review.set_status(db, iid, "verify", "ana", "checked")
    assert iid not in queue_ids(db) and review.review_state(db, iid)["second_review"] is None
    with pytest.raises(ResolutionError, match="no verify or discount awaits"):
        review.approve(db, iid, "admin1")


# --- API ----------------------------------------------------------------------------------------------------------

def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_api_bulk_assign_mine_approve_and_roles(rw, monkeypatch):
    db, tokens = rw
    c = client(db)
    ids = queue_ids(db)[:2]
    body = {"incidents": ids, "action": "assign", "assignee": "ana"}
    assert c.post("/api/review/bulk", json=body).status_code == 401
    assert c.post("/api/review/bulk", json=body, headers=auth(tokens["viewer"])).status_code == 403
    r = c.post("/api/review/bulk", json=body, headers=auth(tokens["admin"]))
    assert r.status_code == 200 and [x["incident"] for x in r.json()["incidents"]] == ids
    r = c.get("/api/review?assigned=mine", headers=auth(tokens["analyst"]))
    assert sorted(x["id"] for x in r.json()["incidents"]) == sorted(ids) and r.json()["total"] == 2
    assert c.get("/api/review?assigned=mine", headers=auth(tokens["admin"])).json()["total"] == 0
    assert c.get("/api/review?assigned=none", headers=auth(tokens["admin"])).json()["total"] == len(queue_ids(db)) - 2
    r = c.post("/api/review/bulk", json={"incidents": ids, "action": "verify"}, headers=auth(tokens["analyst"]))
    assert r.status_code == 400 and "reason" in r.json()["detail"]
    r = c.post("/api/review/bulk", json={"incidents": [ids[0], "inc-000000000000"], "action": "verify",
                                         "reason": "x"}, headers=auth(tokens["analyst"]))
    assert r.status_code == 404 and show(db, ids[0])["status"] == "unreviewed"
    monkeypatch.setenv("HARMWATCH_SECOND_REVIEW", "1")
    r = c.post("/api/review/bulk", json={"incidents": ids, "action": "verify", "reason": "two NGOs agree"},
               headers=auth(tokens["analyst"]))
    assert r.status_code == 200
    assert c.get(f"/api/incidents/{ids[0]}", headers=auth(tokens["viewer"])).json()["review"] == {
        "assignee": "ana", "assigned_by": "admin1", "awaiting_second_review": True,
        "second_review": review.review_state(db, ids[0])["second_review"]}
    assert c.post(f"/api/incidents/{ids[0]}/approve", headers=auth(tokens["analyst"])).status_code == 400
    r = c.post(f"/api/incidents/{ids[0]}/approve", json={"reason": "seen"}, headers=auth(tokens["admin"]))
    assert r.status_code == 200 and ids[0] not in queue_ids(db) and ids[1] in queue_ids(db)
    r = c.post(f"/api/incidents/{ids[1]}/assign", json={"assignee": "admin1", "reason": "ana is away"},
               headers=auth(tokens["analyst"]))
    assert r.status_code == 200 and r.json()["changed"] is True and queue_ids(db, assignee="admin1") == [ids[1]]
    assert c.post(f"/api/incidents/{ids[1]}/assign", json={"assignee": "vic"},
                  headers=auth(tokens["analyst"])).status_code == 400


def test_api_answers_301_and_308_for_a_merged_away_incident(rw):
    db, tokens = rw
    keep, gone = sorted(split(db, by_place(db, "Vuhledar")["id"], [], "ana", "apart"),
                        key=lambda i: min(show(db, i)["claims"]))
    merged = merge(db, keep, gone, "ana", "same strike")
    old = gone if merged == keep else keep
    c = client(db)
    h = auth(tokens["analyst"])
    r = c.get(f"/api/incidents/{old}", headers=h)
    assert r.status_code == 301 and r.headers["location"] == f"/api/incidents/{merged}"
    r = c.get(f"/api/incidents/{old}/claims?x=1", headers=h)
    assert r.status_code == 301 and r.headers["location"] == f"/api/incidents/{merged}/claims?x=1"
    assert c.get(f"/api/incidents/{old}/suggestions", headers=h).status_code == 301
    r = c.post(f"/api/incidents/{old}/comments", json={"text": "late note"}, headers=h)
    assert r.status_code == 308 and r.headers["location"] == f"/api/incidents/{merged}/comments"
    r = c.post(f"/api/incidents/{old}/verify", json={"reason": "checked"}, headers=h)
    assert r.status_code == 308 and show(db, merged)["status"] == "unreviewed"  # nothing done at the old id
    followed = TestClient(create_app(db, secret="test-secret")).get(f"/api/incidents/{old}", headers=h)
    assert followed.status_code == 200 and followed.json()["id"] == merged
    assert c.get("/api/incidents/inc-000000000000", headers=h).status_code == 404


# --- web pages ----------------------------------------------------------------------------------------------------

def test_review_page_bulk_form_and_mine_filter(rw):
    db, _ = rw
    c = signed_in(db, "ana")
    page = c.get("/review").text
    ids = queue_ids(db)[:3]
    assert all(f'name="ids" value="{i}" form="bulk"' in page for i in ids)
    r = c.post("/review/bulk", data={"csrf": csrf_of(page), "ids": ids[:2], "action": "assign", "assignee": "ana",
                                     "next": "/review?assigned=mine"})
    assert r.status_code == 303 and r.headers["location"] == "/review?assigned=mine"
    mine = c.get("/review?assigned=mine").text
    assert "2 of 2 incidents assigned to ana" in mine
    assert all(f'data-id="{i}"' in mine for i in ids[:2]) and f'data-id="{ids[2]}"' not in mine
    r = c.post("/review/bulk", data={"csrf": csrf_of(page), "ids": ids[:2], "action": "verify", "reason": " "})
    assert r.status_code in (303, 400) and {show(db, i)["status"] for i in ids[:2]} == {"unreviewed"}
    r = c.post("/review/bulk", data={"csrf": csrf_of(page), "ids": ids[:2], "action": "verify", "reason": "both seen"})
    assert r.status_code == 303 and {show(db, i)["status"] for i in ids[:2]} == {"verified"}
    assert c.post("/review/bulk", data={"ids": ids[2:], "action": "discount", "reason": "x"}).status_code == 403
    v = signed_in(db, "vic")
    assert v.post("/review/bulk", data={"csrf": csrf_of(v.get("/review").text), "ids": ids[2:], "action": "discount",
                                        "reason": "x"}).status_code == 403
    assert 'name="ids"' not in v.get("/review").text and show(db, ids[2])["status"] == "unreviewed"


def test_incident_page_assign_and_approve(rw, monkeypatch):
    db, _ = rw
    monkeypatch.setenv("HARMWATCH_SECOND_REVIEW", "on")
    iid = queue_ids(db)[0]
    c = signed_in(db, "ana")
    page = c.get(f"/incidents/{iid}").text
    assert '<span id="assignee">nobody</span>' in page
    assert c.post(f"/incidents/{iid}/assign", data={"csrf": csrf_of(page), "assignee": "ana"}).status_code == 303
    assert c.post(f"/incidents/{iid}/verify", data={"csrf": csrf_of(page), "reason": "seen"}).status_code == 303
    page = c.get(f"/incidents/{iid}").text
    assert '<span id="assignee">ana</span>' in page and "awaiting second review (verify by ana)" in page
    c.post(f"/incidents/{iid}/approve", data={"csrf": csrf_of(page)})  # refused: the same analyst
    assert review.review_state(db, iid)["awaiting_second_review"]
    a = signed_in(db, "admin1")
    page = a.get(f"/incidents/{iid}").text
    assert a.post(f"/incidents/{iid}/approve", data={"csrf": csrf_of(page)}).status_code == 303
    assert "approved by admin1" in a.get(f"/incidents/{iid}").text and iid not in queue_ids(db)


# --- CLI ------------------------------------------------------------------------------------------------------------

def test_cli_verify_needs_a_reason_and_override_confirms(rw, monkeypatch):
    from harmwatch.cli.main import app
    db, _ = rw
    monkeypatch.setenv("HARMWATCH_DB", str(db.engine.url))
    runner = CliRunner()
    help_text = runner.invoke(app, ["incident", "verify", "--help"]).output
    assert "reason is required" in " ".join(help_text.split()) and "--override" in help_text
    inc = next(i for i in incidents(db) if i["grade"] != "confirmed")
    res = runner.invoke(app, ["incident", "verify", inc["id"]])
    assert res.exit_code != 0 and "reason" in res.output and show(db, inc["id"])["status"] == "unreviewed"
    res = runner.invoke(app, ["incident", "discount", inc["id"], "--override", "-r", "x"])
    assert res.exit_code != 0
    res = runner.invoke(app, ["incident", "verify", inc["id"], "--override", "-r", "geolocated footage"])
    assert res.exit_code == 0, res.output
    after = show(db, inc["id"])
    assert after["grade"] == "confirmed" and after["status"] == "verified"
    (e,) = audit_of(db, "verify-override")
    assert e.actor.startswith("cli") and e.reason == "geolocated footage"
    assert review.review_state(db, inc["id"])["second_review"] is None


# --- PostgreSQL -------------------------------------------------------------------------------------------------------

def test_bulk_assignment_and_second_review_on_postgres(tmp_path):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from harmwatch.api import sample_corpus
    from harmwatch.extract.pipeline import default_extractor
    from harmwatch.ingest import ingest
    from harmwatch.store.db import Database
    url = os.environ.get("HARMWATCH_TEST_PG_URL")
    if not url:
        if os.environ.get("HARMWATCH_REQUIRE_PG"):
            raise RuntimeError("HARMWATCH_REQUIRE_PG is set but HARMWATCH_TEST_PG_URL is not")
        pytest.skip("no PostgreSQL test server (set HARMWATCH_TEST_PG_URL)")
    name = "hw_" + uuid.uuid4().hex[:12]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database.open(make_url(url).set(database=name).render_as_string(hide_password=False),
                       archive_dir=tmp_path / "archive")
    try:
        assert not ingest([], db, manifest=sample_corpus() / "manifest.csv", extractor=default_extractor()).failed
        resolve(db)
        for n, role in (("ana", "analyst"), ("bea", "analyst"), ("vic", "viewer")):
            add_user(db, n, role, PASSWORD)
        ids = queue_ids(db)
        review.bulk(db, ids[:3], "assign", "bea", assignee="ana")
        assert sorted(queue_ids(db, assignee="ana")) == sorted(ids[:3])
        assert review.review_queue(db, unassigned=True)[0] == len(ids) - 3
        with pytest.raises(ResolutionError, match="viewer"):
            review.bulk(db, ids, "assign", "bea", assignee="vic")
        review.bulk(db, ids[:3], "verify", "ana", "three reports agree", second_review=True)
        assert sorted(queue_ids(db, assignee="ana", second_review=True)) == sorted(ids[:3])
        assert queue_ids(db, assignee="ana", second_review=False) == []
        with pytest.raises(ResolutionError):
            review.bulk(db, ids[:3], "approve", "ana", second_review=True)
        review.bulk(db, ids[:3], "approve", "bea", "agree", second_review=True)
        assert queue_ids(db, assignee="ana", second_review=True) == []
        keep, gone = sorted(split(db, by_place(db, "Vuhledar")["id"], [], "ana", "apart"),
                            key=lambda i: min(show(db, i)["claims"]))
        review.assign(db, gone, "bea", "ana")
        assert merge(db, keep, gone, "ana", "same strike") == keep
        assert review.review_state(db, keep)["assignee"] == "bea"
        assert len([e for e in entries(db) if e.action == "approve"]) == 3 and verify(db).ok
    finally:
        db.close()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
