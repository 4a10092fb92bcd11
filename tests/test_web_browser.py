"""The web app in a real browser: Debian's Chromium driven by Playwright (never a downloaded build).

A uvicorn server runs in a thread on a free localhost port over a temporary database holding the
sample corpus (and a document full of markup). Skipped only when /usr/bin/chromium is missing and
HARMWATCH_REQUIRE_BROWSER is not set (CI sets it). Tile requests to OpenStreetMap are refused, so
the map runs as it does offline (bundled outline). With HARMWATCH_SCREENSHOT_DIR set, the map test
writes map.png there (docs/img/map.png comes from it).
"""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from web_helpers import PASSWORD, build_sample, open_db, served

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
TILE_HOST = "https://tile.openstreetmap.org"


def _browser_or_skip():
    if not Path(CHROMIUM).exists():
        if os.environ.get("HARMWATCH_REQUIRE_BROWSER"):
            pytest.fail(f"HARMWATCH_REQUIRE_BROWSER is set but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed (set HARMWATCH_REQUIRE_BROWSER=1 to make this a failure)")
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        if os.environ.get("HARMWATCH_REQUIRE_BROWSER"):
            raise
        pytest.skip("playwright is not installed (pip install -e '.[test]')")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _browser_or_skip()

    from harmwatch.web.app import create_app
    path, tokens = build_sample(tmp_path_factory.mktemp("browser"), xss=True)
    db = open_db(path)
    with served(create_app(db, anonymous_read=False, secret="browser-test")) as base:
        yield base, db
    db.close()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright
    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    yield b
    b.close()
    pw.stop()


class Page:
    """A page plus what it saw: dialogs (alert) and requests to hosts other than ours."""

    def __init__(self, browser, base: str):
        self.base = base
        self.ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.ctx.new_page()
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: None if r.url.startswith((base, TILE_HOST, "data:"))
                     else self.foreign.append(r.url))
        # offline map: OSM tiles cannot be reached
        self.page.route(TILE_HOST + "/**", lambda route: route.abort())

    def login(self, name: str) -> None:
        self.page.goto(self.base + "/")
        assert "/login" in self.page.url  # anonymous read is off
        self.page.fill("input[name=name]", name)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("form.login button[type=submit]")
        self.page.wait_for_url(self.base + "/")

    def close(self):
        self.ctx.close()


@pytest.fixture
def page(browser, server):
    p = Page(browser, server[0])
    yield p
    p.close()


def test_map_markers_incident_verify_and_history(page, server):
    _, db = server
    from harmwatch.resolve.service import incidents
    located = [i for i in incidents(db) if i["lat"] is not None]
    page.login("ana")
    pg = page.page
    pg.wait_for_selector("#map[data-state=ready]", timeout=15000)
    assert int(pg.get_attribute("#map", "data-count")) == len(located)
    markers = pg.locator("path.incident-marker").count() + pg.locator(".marker-cluster").count()
    assert markers > 0
    # offline: tiles refused, the bundled outline is drawn and the note says so
    pg.wait_for_function("() => document.getElementById('mapnote').textContent.includes('outline')", timeout=10000)
    assert pg.locator(".leaflet-overlay-pane path").count() > pg.locator("path.incident-marker").count()
    pg.wait_for_selector("svg.tl rect.tl-bar")
    if os.environ.get("HARMWATCH_SCREENSHOT_DIR"):  # the sample corpus only (the markup document is dated later)
        out = Path(os.environ["HARMWATCH_SCREENSHOT_DIR"])
        out.mkdir(parents=True, exist_ok=True)
        pg.set_viewport_size({"width": 1280, "height": 1060})
        pg.goto(page.base + "/?to=2022-02-28")
        pg.wait_for_selector("#map[data-state=ready]")
        pg.wait_for_selector("svg.tl rect.tl-bar")
        pg.wait_for_timeout(800)
        pg.screenshot(path=str(out / "map.png"))
        pg.goto(page.base + "/")
        pg.wait_for_selector("#map[data-state=ready]")
    # open an incident from the list, verify it, and find the audit entry on its page
    target = next(i for i in located if i["place"] == "Vuhledar")
    pg.click(f"table.list a[href='/incidents/{target['id']}'] >> nth=0")
    pg.wait_for_url(f"**/incidents/{target['id']}")
    assert pg.text_content("#status").strip() == "unreviewed"
    pg.fill("section.review form[action$='/verify'] input[name=reason]", "checked against the NGO release")
    pg.click("section.review form[action$='/verify'] button")
    pg.wait_for_selector(".flash-ok")
    assert pg.text_content("#status").strip() == "verified"
    row = pg.locator("#history tr.audit-verify")
    assert row.count() == 1
    text = row.text_content()
    assert "ana" in text and "checked against the NGO release" in text
    assert page.dialogs == [] and page.errors == [] and page.foreign == []


def test_marker_popup_and_timeline_filter(page, server):
    page.login("ana")
    pg = page.page
    pg.wait_for_selector("#map[data-state=ready]")
    # zoom in until single markers show, then open one's popup
    for _ in range(6):
        if pg.locator("path.incident-marker").count():
            break
        pg.locator(".marker-cluster").first.click()
        pg.wait_for_timeout(600)
    for _ in range(5):  # click the marker's centre once the zoom animation has settled
        pg.wait_for_timeout(700)
        box = pg.locator("path.incident-marker").first.bounding_box()
        pg.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        if pg.locator(".leaflet-popup-content .pop a").count():
            break
    pg.wait_for_selector(".leaflet-popup-content .pop a", timeout=5000)
    assert pg.get_attribute(".leaflet-popup-content .pop a", "href").startswith("/incidents/inc-")
    # a click on a day of the timeline filters to that day (a shareable URL)
    bar = pg.locator("svg.tl rect.tl-bar").first
    day = bar.get_attribute("data-date")
    bar.click()
    pg.wait_for_url(f"**from={day}**")
    assert f"to={day}" in pg.url
    pg.wait_for_selector("#map[data-state=ready]")
    assert page.dialogs == [] and page.errors == []


def test_markup_in_sources_never_runs(page, server):
    _, db = server
    from harmwatch.resolve.service import incidents
    inc = next(i for i in incidents(db) if "xss-doc" in i["source_docs"])
    page.page.add_init_script("window.__xss = undefined;")
    page.login("ana")
    pg = page.page
    for path in ("/", f"/incidents/{inc['id']}", "/sources/xss-doc", "/tallies", "/review", "/?q=%3Cscript%3E"):
        pg.goto(page.base + path)
        pg.wait_for_load_state("load")
        pg.wait_for_timeout(300)
        assert pg.evaluate("window.__xss") is None, path
        assert pg.locator("main script, main img[src=x]").count() == 0, path
    pg.goto(page.base + "/sources/xss-doc")
    assert "<script>alert(1)</script>" in pg.text_content("#text")  # shown as text
    assert page.dialogs == [], page.dialogs
