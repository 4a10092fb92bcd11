"""The whole review flow in a real browser (Debian's Chromium driven by Playwright, issue 11).

An analyst signs in, filters the review queue by oblast, ticks two incidents and assigns them to
herself in one bulk action, sees them under "mine", verifies one with a reason, merges it with the
other through the merge picker, follows the merged-away incident's old URL (a 301 to the merged
incident) and finds every step in the audit log: on the incident's history and in
`harmwatch audit log --json`, whose chain still verifies. The server and the browser are started as
in test_web_browser.py (skipped only when /usr/bin/chromium is missing and HARMWATCH_REQUIRE_BROWSER
is unset).
"""
from __future__ import annotations

import json
import threading
import time

import pytest

from test_web_browser import ARGS, CHROMIUM, Page, _browser_or_skip, _free_port
import backend
from web_helpers import build_sample, open_db, served

REASON_VERIFY = "checked against the oblast police list"
REASON_MERGE = "same strike, two reports of it"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _browser_or_skip()

    from harmwatch.resolve.service import incidents, show, split
    from harmwatch.web.app import create_app
    path, _ = build_sample(tmp_path_factory.mktemp("reviewbrowser"))
    db = open_db(path)
    vuhledar = next(i for i in incidents(db) if i["place"] == "Vuhledar")  # two reports of one strike: part it,
    parts = sorted(split(db, vuhledar["id"], [], "setup", "two parts to merge again"),  # so the flow can merge
                   key=lambda i: min(show(db, i)["claims"]))
    with served(create_app(db, anonymous_read=False, secret="review-browser")) as base:
        yield base, db, path, parts
    db.close()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright
    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    yield b
    b.close()
    pw.stop()


def rows_shown(pg) -> list[str]:
    return [pg.get_attribute(f"tr.queue-row >> nth={i}", "data-id") for i in range(pg.locator("tr.queue-row").count())]


def test_review_flow_from_queue_to_audit_log(browser, server, monkeypatch):
    base, db, path, (keep, gone) = server
    from harmwatch.resolve.service import incidents, show
    oblast = show(db, keep)["admin1"]
    assert oblast and show(db, gone)["admin1"] == oblast
    in_oblast = {i["id"] for i in incidents(db) if i["admin1"] == oblast and i["status"] == "unreviewed"}
    assert len(in_oblast) < len([i for i in incidents(db) if i["status"] == "unreviewed"])  # the filter matters

    page = Page(browser, base)
    try:
        page.login("ana")
        pg = page.page

        # 1. the queue, filtered by oblast (a GET form: the state is in the URL)
        pg.goto(base + "/review")
        pg.select_option("#queue-filters select[name=admin1]", oblast)
        pg.click("#queue-filters button[type=submit]")
        pg.wait_for_url("**/review?**admin1=**")
        assert set(rows_shown(pg)) == in_oblast and {keep, gone} <= in_oblast

        # 2. bulk-assign the two parts to myself
        for iid in (keep, gone):
            pg.check(f"tr.queue-row[data-id='{iid}'] input[name=ids]")
        pg.select_option("#bulk-action", "assign")
        pg.select_option("#bulk-assignee", "ana")
        pg.click("#bulk-submit")
        pg.wait_for_selector(".flash-ok")
        assert "2 of 2 incidents assigned to ana" in pg.text_content(".flash-ok")
        assert "admin1=" in pg.url  # back on the filtered queue
        for iid in (keep, gone):
            assert pg.text_content(f"tr.queue-row[data-id='{iid}'] td.assignee").strip() == "ana"

        # 3. "mine": exactly the two
        pg.select_option("#queue-filters select[name=assigned]", "mine")
        pg.click("#queue-filters button[type=submit]")
        pg.wait_for_url("**assigned=mine**")
        assert sorted(rows_shown(pg)) == sorted([keep, gone])

        # 4. verify one of them with a reason, from its row
        pg.fill(f"tr.queue-row[data-id='{keep}'] form[action$='/verify'] input[name=reason]", REASON_VERIFY)
        pg.click(f"tr.queue-row[data-id='{keep}'] form[action$='/verify'] button")
        pg.wait_for_selector(".flash-ok")
        assert rows_shown(pg) == [gone] and show(db, keep)["status"] == "verified"

        # 5. merge it with the other part through the picker on its page
        pg.goto(f"{base}/incidents/{keep}")
        assert pg.text_content("#assignee").strip() == "ana"
        pg.check(f"#merge input[name=b][value='{gone}']")
        pg.fill("#merge input[name=reason]", REASON_MERGE)
        pg.click("#merge button[type=submit]")
        pg.wait_for_selector(".flash-ok")
        assert pg.url == f"{base}/incidents/{keep}" and "Merged" in pg.text_content(".flash-ok")

        # 6. the merged-away incident's old URL leads here with a 301
        response = pg.goto(f"{base}/incidents/{gone}")
        assert response.status == 200 and pg.url == f"{base}/incidents/{keep}"
        first = response.request.redirected_from
        assert first is not None and first.url == f"{base}/incidents/{gone}" and first.response().status == 301

        # 7. every step on the incident's history (the merged-away incident's entries included)
        history = {a: pg.locator(f"#history tr.audit-{a}").all_text_contents()
                   for a in ("assign", "verify", "merge", "split")}
        assert len(history["assign"]) == 2 and all("ana" in t for t in history["assign"])
        assert len(history["verify"]) == 1 and REASON_VERIFY in history["verify"][0]
        assert len(history["merge"]) == 2 and all(REASON_MERGE in t for t in history["merge"])
        assert page.dialogs == [] and page.errors == [] and page.foreign == []
    finally:
        page.close()

    # 8. and in the audit log itself, from the command line; the hash chain is intact
    from typer.testing import CliRunner

    from harmwatch.cli.main import app
    monkeypatch.setenv("HARMWATCH_DB", backend.url_for(path))
    res = CliRunner().invoke(app, ["audit", "log", "--json", "--limit", "50"])
    assert res.exit_code == 0, res.output
    log = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    steps = sorted((e["action"], e["target_id"], e["actor"], e["reason"]) for e in log
                   if e["action"] in ("assign", "verify", "merge"))
    assert steps == sorted([("assign", keep, "ana", None), ("assign", gone, "ana", None),
                            ("verify", keep, "ana", REASON_VERIFY),
                            ("merge", keep, "ana", REASON_MERGE), ("merge", gone, "ana", REASON_MERGE)])
    assign_new = {e["target_id"]: e["new"] for e in log if e["action"] == "assign"}
    assert assign_new == {keep: {"assignee": "ana"}, gone: {"assignee": "ana"}}
    res = CliRunner().invoke(app, ["audit", "verify"])
    assert res.exit_code == 0, res.output
