"""Review workflow (issue 11) and the contested grade (issue 7, item 6).

Review decisions touch only their incidents and run concurrently on SQLite; verify / discount /
merge need a reason; "confirmed" follows the rule unless an admin overrides; merge suggestions,
301 from a merged-away id, history and comments carrying over; denials tied to THIS incident;
grade and link reasons on the page; every victim group and the perpetrator (page, API, ACLED);
comments; the review queue's order.
"""
from __future__ import annotations

import importlib.util
import random
import threading
import time
import warnings
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from harmwatch.audit.chain import entries, verify  # noqa: E402
from harmwatch.auth import add_user  # noqa: E402
from harmwatch.export import acled_rows  # noqa: E402
from harmwatch.extract.pipeline import default_extractor  # noqa: E402
from harmwatch.ingest import ingest  # noqa: E402
from harmwatch.resolve import denials  # noqa: E402
from harmwatch.resolve.model import ClaimRef  # noqa: E402
from harmwatch.resolve.service import (ResolutionError, comment, comments, history, incidents, merge,  # noqa: E402
                                       merge_suggestions, redirect_target, resolve, review_queue, set_status, show,
                                       split)
from harmwatch.resolve.summary import summarise  # noqa: E402
from harmwatch.store.models import Claim, Incident as IncidentRow  # noqa: E402
from harmwatch.web.app import create_app  # noqa: E402

from web_helpers import PASSWORD, build_sample, copy_db, csrf_of, open_db  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("reviewtpl"))


@pytest.fixture
def rw(template, tmp_path):
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


# --- 1. decisions touch only their incidents; concurrent decisions all succeed ---------------------------

@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """About 1,600 claims from generated reports (bench/extract.py's generator), resolved."""
    spec = importlib.util.spec_from_file_location("bench_extract", ROOT / "bench" / "extract.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from harmwatch.geo import Gazetteer
    from harmwatch.ingest import load_manifest
    rng = random.Random(11)
    places = [p for p in Gazetteer.default().places if p.population >= 500]
    rng.shuffle(places)
    places = places[:800]
    folder = tmp_path_factory.mktemp("big")
    corpus = folder / "corpus"
    corpus.mkdir()
    lines = ["file,doc_id,title,publisher,published,url"]
    for n in range(900):
        pub = date(2022, 3, 1) + timedelta(days=rng.randint(0, 120))
        (corpus / f"r{n:04d}.txt").write_text(bench.make_doc(rng, places, 150, pub), encoding="utf-8")
        lines.append(f"r{n:04d}.txt,big-{n},Report {n},Bench wire,{pub.isoformat()},")
    (corpus / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = open_db(folder / "big.db")
    report = ingest([corpus], db, manifest=load_manifest(corpus / "manifest.csv"), extractor=default_extractor())
    assert not report.failed
    resolve(db)
    yield db
    db.close()


def test_concurrent_verifies_all_succeed_and_touch_only_their_incident(big):
    db = big
    with db.session() as s:
        n_claims = s.query(Claim).count()
    assert n_claims >= 1500, n_claims
    rows = sorted(incidents(db), key=lambda i: i["id"])
    targets, bystander = [r["id"] for r in rows[:8]], rows[-1]["id"]
    # a mark on an incident no decision touches: a global re-resolve would rewrite its row and lose it
    with db.session(write=True) as s:
        s.get(IncidentRow, bystander).place = "untouched-mark"
    t0 = time.perf_counter()
    set_status(db, rows[10]["id"], "verify", "ana", "timed verify")
    one = time.perf_counter() - t0
    print(f"\none verify on {n_claims} claims: {one * 1000:.0f} ms")
    assert one < 2.0
    barrier, errors = threading.Barrier(len(targets)), []

    def work(iid: str) -> None:
        barrier.wait()
        try:
            set_status(db, iid, "verify", f"analyst-{iid[-4:]}", "checked against the governor's statement")
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(f"{iid}: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=work, args=(iid,)) for iid in targets]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{len(targets)} concurrent verifies: {time.perf_counter() - t0:.2f} s")
    assert errors == []
    after = {i["id"]: i for i in incidents(db)}
    assert all(after[iid]["status"] == "verified" for iid in targets)
    assert after[bystander]["place"] == "untouched-mark"
    actions = [(e.action, e.target_id) for e in entries(db, limit=len(targets))]
    assert sorted(t for a, t in actions if a == "verify") == sorted(targets)
    assert verify(db).ok


# --- 2. reasons, the confirmed rule and the admin override, audited ---------------------------------------

def test_verify_discount_merge_need_a_reason(rw):
    db, _ = rw
    iid = by_place(db, "Kharkiv")["id"]
    other = by_place(db, "Okhtyrka")["id"]
    for call in (lambda r: set_status(db, iid, "verify", "ana", r), lambda r: set_status(db, iid, "discount", "ana", r),
                 lambda r: merge(db, iid, other, "ana", r)):
        for bad in (None, "", " \u200b\u00a0 "):
            with pytest.raises(ResolutionError):
                call(bad)
    assert show(db, iid)["status"] == "unreviewed"
    set_status(db, iid, "reopen", "ana", None)  # withdrawing a ruling needs none
    assert [e.action for e in entries(db, limit=1)] == ["reopen"]


def test_confirmed_needs_the_rule_or_an_admin_override(rw):
    db, _ = rw
    kharkiv = by_place(db, "Kharkiv")  # one media source: weak
    assert kharkiv["grade"] == "weak"
    set_status(db, kharkiv["id"], "verify", "ana", "read the report")
    got = show(db, kharkiv["id"])
    assert (got["status"], got["grade"]) == ("verified", "weak")
    with pytest.raises(ResolutionError, match="only an admin"):
        set_status(db, kharkiv["id"], "verify", "ana", "I am sure", override=True)
    set_status(db, kharkiv["id"], "verify", "admin1", "geolocated footage of the strike", override=True)
    got = show(db, kharkiv["id"])
    assert got["grade"] == "confirmed"
    assert any("override" in r and "geolocated footage" in r for r in got["grade_reasons"])
    last = entries(db, limit=1)[0]
    assert (last.action, last.actor, last.reason) == ("verify-override", "admin1", "geolocated footage of the strike")
    assert last.old["grade"] == "weak" and last.new["grade"] == "confirmed"
    # the override survives a full re-run
    resolve(db, full=True)
    assert show(db, kharkiv["id"])["grade"] == "confirmed"
    assert verify(db).ok


# --- 3. merge picker, 301 from the old id, history and comments carry over ----------------------------------

def test_merge_from_the_picker_redirects_and_carries_history(rw):
    db, _ = rw
    vuhledar = by_place(db, "Vuhledar")
    assert len(vuhledar["claims"]) == 2
    parts = split(db, vuhledar["id"], [], "ana", "checking the two reports apart")
    assert len(parts) == 2
    keep, gone = sorted(parts, key=lambda i: min(show(db, i)["claims"]))
    comment(db, gone, "ana", "ask the NGO which hospital")
    c = signed_in(db, "ana")
    page = c.get(f"/incidents/{keep}").text
    picks = merge_suggestions(db, keep)
    assert picks and picks[0]["id"] == gone and picks[0]["score"] >= 4.0  # the stored link's score
    assert f'name="b" value="{gone}"' in page and 'name="b" placeholder' not in page
    r = c.post("/incidents/merge", data={"csrf": csrf_of(page), "a": keep, "b": gone, "reason": "same strike"})
    assert r.status_code == 303
    merged = r.headers["location"].rsplit("/", 1)[1]
    assert merged in (keep, gone)
    old = gone if merged == keep else keep
    r = c.get(f"/incidents/{old}")
    assert r.status_code == 301 and r.headers["location"] == f"/incidents/{merged}"
    assert redirect_target(db, old) == merged and redirect_target(db, "inc-000000000000") is None
    assert c.get("/incidents/inc-000000000000").status_code == 404
    actions = [h["action"] for h in history(db, merged)]
    assert actions.count("split") == 1 and "comment" in actions and "merge" in actions
    assert [x["text"] for x in comments(db, merged)] == ["ask the NGO which hospital"]
    kinds = {d["kind"] for d in show(db, merged)["decisions"]}
    assert "same" in kinds
    page = c.get(f"/incidents/{merged}").text
    assert "ask the NGO which hospital" in page and "checking the two reports apart" in page
    assert verify(db).ok


# --- 4. contested only by a denial about this incident; why the grade; why linked --------------------------

TEXT = ("A missile struck a hospital in Izium on 3 March, killing four civilians. "
        "Russia's defence ministry denied responsibility for the strike. "
        "In Balakliia, shelling hit a school and killed two people. "
        "The town's market was also damaged.\n\nMoscow denies targeting civilians.")


def _spans(text):
    a = text.index("A missile")
    b = text.index("In Balakliia")
    c = text.index("The town's")
    return [denials.Span("d#0", "Izium", frozenset({"hospital"}), a, text.index("Russia's")),
            denials.Span("d#1", "Balakliia", frozenset({"school"}), b, c)]


def test_boilerplate_denial_contests_no_incident_a_specific_one_only_its_own():
    found = denials.find(TEXT)
    assert [d.generic for d in found] == [False, True]
    izium, balakliia = _spans(TEXT)
    tied = denials.tie(izium, [izium, balakliia], found, TEXT)
    assert tied and "denied responsibility" in tied[0] and tied[1] == "the denial follows the claim's passage"
    assert denials.tie(balakliia, [izium, balakliia], found, TEXT) is None
    # a denial naming a place concerns only the claims at that place, generic wording or not
    named = "Shelling hit Izium. Shelling hit Balakliia. Russia denied attacking civilians in Balakliia."
    spans = [denials.Span("d#0", "Izium", frozenset(), 0, 19), denials.Span("d#1", "Balakliia", frozenset(), 20, 44)]
    f = denials.find(named)
    assert denials.tie(spans[0], spans, f, named) is None
    assert denials.tie(spans[1], spans, f, named)[1] == "the denial names Balakliia"
    # naming the object hit ties a specific denial anywhere in the text
    far = "A drone hit a school in Sumy. " + "Rescuers worked all night. " * 30 + "The ministry denied striking the school."
    s = [denials.Span("d#0", "Sumy", frozenset({"school"}), 0, 29)]
    assert denials.tie(s[0], s, denials.find(far), far)[1] == "the denial names the school hit"


def test_sample_boilerplate_no_longer_contests_and_the_page_says_why(rw):
    db, _ = rw
    assert {i["grade"] for i in incidents(db)} <= {"weak", "fair", "confirmed"}
    assert all(not i["denials"] for i in incidents(db))
    vuhledar = by_place(db, "Vuhledar")
    c = signed_in(db, "vic")
    page = c.get(f"/incidents/{vuhledar['id']}").text
    assert 'id="why-grade"' in page and "one source, but an investigator" in page
    assert "2 documents, 1 of them re-reporting another" in page
    link = show(db, vuhledar["id"])["links"][0]
    assert 'id="why-linked"' in page and f"{link['a']} ~ {link['b']}" in page and str(link["score"]) in page


def test_a_specific_denial_contests_its_incident_in_the_database(rw, tmp_path):
    db, _ = rw
    (tmp_path / "d.txt").write_text(
        "Two strikes in Kharkiv region\n\n"
        "On 3 March 2022 a Russian missile struck the central hospital in Izium, killing four civilians and "
        "injuring nine, the regional governor said. Russia's defence ministry denied responsibility for the strike.\n\n"
        "On 3 March 2022 Russian shelling hit a school in Balakliia, killing two civilians, police said.\n\n"
        "Moscow denies targeting civilians.\n")
    (tmp_path / "m.csv").write_text("file,doc_id,title,publisher,published,url\n"
                                    "d.txt,denial-doc,Two strikes,Test Wire,2022-03-04,\n")
    assert not ingest([tmp_path / "d.txt"], db, manifest=tmp_path / "m.csv", extractor=default_extractor()).failed
    resolve(db)
    mine = {i["place"]: i for i in incidents(db) if "denial-doc" in i["source_docs"]}
    assert {"Izium", "Balakliia"} <= set(mine)
    assert mine["Izium"]["grade"] == "contested" and mine["Balakliia"]["grade"] != "contested"
    assert "denied responsibility" in mine["Izium"]["grade_reasons"][0]


# --- 5. victim groups and perpetrator: page, API, ACLED ---------------------------------------------------

def test_victim_groups_and_perpetrator_on_page_api_and_export(rw):
    db, tokens = rw
    vuhledar = by_place(db, "Vuhledar")
    assert vuhledar["women_killed"]["best"] == 2 and vuhledar["healthcare_injured"]["best"] == 6
    c = signed_in(db, "vic")
    page = c.get(f"/incidents/{vuhledar['id']}").text
    for label in ("children killed", "children injured", "women killed", "healthcare killed", "healthcare injured"):
        assert f"<th>{label}</th>" in page, label
    kharkiv = by_place(db, "Kharkiv")
    assert kharkiv["perpetrator"] == "Russia"
    page = c.get(f"/incidents/{kharkiv['id']}").text
    assert '<td id="perpetrator">Russia</td>' in page
    api = client(db).get(f"/api/incidents/{kharkiv['id']}", headers={"Authorization": f"Bearer {tokens['viewer']}"})
    assert api.json()["perpetrator"] == "Russia"
    rows = {r["event_id_cnty"]: r for r in acled_rows(incidents(db))}
    assert rows[kharkiv["id"]]["actor1"] == "Russia"
    assert rows[vuhledar["id"]]["actor1"] == ""  # no claim names one: empty, never guessed


# --- 6. comments and the review queue -----------------------------------------------------------------------

def test_comments_from_the_page_are_audited(rw):
    db, _ = rw
    iid = by_place(db, "Uman")["id"]
    c = signed_in(db, "ana")
    page = c.get(f"/incidents/{iid}").text
    r = c.post(f"/incidents/{iid}/comment", data={"csrf": csrf_of(page), "text": "restaurant owner interviewed"})
    assert r.status_code == 303
    assert "restaurant owner interviewed" in c.get(f"/incidents/{iid}").text
    last = entries(db, limit=1)[0]
    assert (last.action, last.actor, last.target_id, last.reason) == ("comment", "ana", iid, "restaurant owner interviewed")
    with pytest.raises(ResolutionError):
        comment(db, iid, "ana", "\u200b \u2060")
    assert len(comments(db, iid)) == 1
    v = signed_in(db, "vic")
    assert v.post(f"/incidents/{iid}/comment", data={"csrf": csrf_of(page), "text": "x"}).status_code == 403


def _row(iid, grade="weak", withheld=0, killed=None, injured=None, seen=None, status="unreviewed"):
    return IncidentRow(id=iid, date="2022-03-01", place=iid, grade=grade, status=status, withheld=withheld,
                       killed_best=killed, injured_best=injured, first_seen=seen, detail={"claims": []})


def test_review_queue_order(tmp_path):
    db = open_db(tmp_path / "q.db")
    t = datetime(2024, 1, 1, tzinfo=timezone.utc)
    with db.session(write=True) as s:
        s.add_all([
            _row("old-low", seen=t), _row("new-low", seen=t + timedelta(days=5)),
            _row("toll", killed=12, seen=t), _row("injured", injured=30, seen=t - timedelta(days=1)),
            _row("withheld", withheld=2, seen=t - timedelta(days=9)),
            _row("contested", grade="contested", seen=t - timedelta(days=30)),
            _row("done", grade="contested", status="verified", seen=t + timedelta(days=9)),
            _row("unseen"),
        ])
    total, rows = review_queue(db)
    assert total == 7
    assert [r["id"] for r in rows] == ["contested", "withheld", "toll", "injured", "new-low", "old-low", "unseen"]
    assert rows[0]["why"][0].startswith("contested") and rows[1]["why"] == ["2 values withheld by extraction"]
    assert rows[2]["why"] == ["high toll"] and rows[4]["why"] == []
    db.close()


def test_withheld_values_reach_the_incident():
    base = dict(doc_id="a", place="Izium", published=date(2022, 3, 4))
    inc = summarise("i", [ClaimRef(key="a#0", uncertain=(("killed", "figure may be a regional total"),), **base),
                          ClaimRef(key="a#1", **{**base, "doc_id": "b"})], {})
    assert inc.withheld == [{"claim": "a#0", "field": "killed", "reason": "figure may be a regional total"}]


@pytest.mark.skipif(not hasattr(Claim, "uncertain"), reason="claims.uncertain is not stored yet (migration 0008)")
def test_withheld_claims_go_first_in_the_queue(rw):
    db, _ = rw
    uman = by_place(db, "Uman")
    with db.session(write=True) as s:
        for c in s.query(Claim).filter(Claim.incident_id == uman["id"]):
            c.uncertain = {"killed": "figure may be a regional total"}
    resolve(db, full=True)  # claims changed in place, not re-extracted: an incremental run would not look
    total, rows = review_queue(db)
    assert rows[0]["id"] == uman["id"] and rows[0]["withheld"] >= 1


def test_review_page_lists_the_queue_with_reasons_required(rw):
    db, _ = rw
    add_user(db, "ana2", "analyst", PASSWORD)
    c = signed_in(db, "ana2")
    page = c.get("/review").text
    n = len(incidents(db))
    assert f"{n} unreviewed" in page and 'name="reason" placeholder="reason" required' in page
    iid = by_place(db, "Kharkiv")["id"]
    r = c.post(f"/incidents/{iid}/verify", data={"csrf": csrf_of(page), "next": "/review"})
    assert r.status_code == 303 and show(db, iid)["status"] == "unreviewed"  # refused: no reason
    r = c.post(f"/incidents/{iid}/verify", data={"csrf": csrf_of(page), "next": "/review", "reason": "checked"})
    assert r.status_code == 303 and show(db, iid)["status"] == "verified"
    assert f"{n - 1} unreviewed" in c.get("/review").text


# --- the same on PostgreSQL ---------------------------------------------------------------------------------

def test_review_workflow_on_postgres(tmp_path):
    import os
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from harmwatch.api import sample_corpus
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
        vuhledar = by_place(db, "Vuhledar")
        keep, gone = sorted(split(db, vuhledar["id"], [], "ana", "apart"), key=lambda i: min(show(db, i)["claims"]))
        comment(db, gone, "ana", "note on the second report")
        assert merge_suggestions(db, keep)[0]["id"] == gone
        merged = merge(db, keep, gone, "ana", "same strike")
        old = gone if merged == keep else keep
        assert redirect_target(db, old) == merged
        assert [x["text"] for x in comments(db, merged)] == ["note on the second report"]
        ids = [i["id"] for i in incidents(db)]
        errors = []

        def work(iid):
            try:
                set_status(db, iid, "discount", "ana", "duplicate")
            except Exception as e:  # noqa: BLE001
                errors.append(e)
        threads = [threading.Thread(target=work, args=(i,)) for i in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and {i["status"] for i in incidents(db)} == {"discounted"}
        assert review_queue(db) == (0, [])
        assert verify(db).ok
    finally:
        db.close()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
