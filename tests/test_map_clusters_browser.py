"""The map over 50,000 generated incidents in a real browser (Debian's Chromium, Playwright): server-side
clusters on load, zooming in splits them, a click on a cluster zooms in, single incidents show as
points with popups, and the console stays clean. Offline, as in tests/test_web_browser.py."""
from __future__ import annotations

import threading
import time

import pytest
from web_helpers import served
from sqlalchemy import select

from harmwatch.store.db import Database
from harmwatch.store.models import Incident
from test_api_keyset import bench
from test_web_browser import ARGS, CHROMIUM, TILE_HOST, _browser_or_skip, _free_port

N = 50_000


@pytest.fixture(scope="module")
def big_server(tmp_path_factory):
    _browser_or_skip()

    from harmwatch.web.app import create_app
    folder = tmp_path_factory.mktemp("bigmap")
    db = Database.open(f"sqlite:///{folder / 'big.db'}", archive_dir=folder / "archive")
    bench().generate(db, N, seed=5)
    with served(create_app(db, anonymous_read=True, secret="bigmap-test")) as base:
        yield base, db
    db.close()


@pytest.fixture(scope="module")
def pg(big_server):
    from playwright.sync_api import sync_playwright
    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    ctx = b.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.hw_errors = []
    page.on("pageerror", lambda e: page.hw_errors.append(str(e)))
    # console errors, but for the tile requests refused on purpose (offline)
    page.on("console", lambda m: page.hw_errors.append(m.text) if m.type == "error" and not
            (m.location.get("url") or "").startswith(TILE_HOST) else None)
    page.route(TILE_HOST + "/**", lambda route: route.abort())
    yield page
    ctx.close()
    b.close()
    pw.stop()


def _settled(page) -> dict:
    """Wait until the map has drawn the answer for its current view; its state."""
    page.wait_for_function("() => { const n = document.getElementById('map'); return n.dataset.state === 'ready' "
                           "&& +n.dataset.zoom === n.hwMap.getZoom(); }", polling=100, timeout=15000)
    return page.evaluate("""(() => { const n = document.getElementById('map');
      const counts = [...document.querySelectorAll('.marker-cluster')].map(e => e.title.split(' ')[0]);
      return {zoom: n.hwMap.getZoom(), total: +n.dataset.count, clusters: +n.dataset.clusterCount,
              points: +n.dataset.pointCount, labels: counts,
              drawn: document.querySelectorAll('.marker-cluster').length}; })()""")


def _click_central_cluster(page) -> None:
    """Click the cluster nearest the map's centre (never one under a map control at the edges)."""
    page.wait_for_function("() => !document.getElementById('map').hwMap._animatingZoom", polling=100, timeout=10000)
    i = page.evaluate("""() => { const r = document.getElementById('map').getBoundingClientRect();
      const cx = r.left + r.width / 2, cy = r.top + r.height / 2; let best = -1, d = Infinity;
      document.querySelectorAll('.marker-cluster').forEach((e, k) => { const b = e.getBoundingClientRect();
        const dd = Math.hypot(b.left + b.width / 2 - cx, b.top + b.height / 2 - cy); if (dd < d) { d = dd; best = k; } });
      return best; }""")
    assert i >= 0, "no cluster on the map"
    page.locator(".marker-cluster").nth(i).click()


def _count(label: str) -> int:  # a cluster's title: "N incidents, K killed"
    return int(label)


def test_clusters_split_on_zoom_and_a_click_zooms_in(pg, big_server):
    base, db = big_server
    t = time.time()
    pg.goto(base + "/")
    first = _settled(pg)
    assert time.time() - t < 15
    # the whole country in view: every incident counted in a few dozen clusters, not 50,000 markers
    assert first["total"] == N
    assert 0 < first["clusters"] == first["drawn"] < 2000
    assert sum(_count(x) for x in first["labels"]) + first["points"] <= N
    assert pg.locator("path.incident-marker").count() == first["points"]
    biggest = max(_count(x) for x in first["labels"])

    # zooming in (same centre) splits the clusters: more of them, each smaller
    for _ in range(2):  # the map's own zoom control
        # Leaflet ignores a zoom click while a zoom animation runs: wait until the last one has ended
        _settled(pg)
        pg.wait_for_function("() => !document.getElementById('map').hwMap._animatingZoom", polling=100, timeout=10000)
        z = pg.evaluate("document.getElementById('map').hwMap.getZoom()")
        pg.click(".leaflet-control-zoom-in")
        pg.wait_for_function(f"() => document.getElementById('map').hwMap.getZoom() > {z}", polling=100, timeout=10000)
    closer = _settled(pg)
    assert closer["zoom"] == first["zoom"] + 2
    assert max(_count(x) for x in closer["labels"]) < biggest
    assert closer["total"] < N  # the view no longer holds the whole country

    # a click on a cluster zooms to its incidents
    _click_central_cluster(pg)
    pg.wait_for_function(f"() => document.getElementById('map').hwMap.getZoom() > {closer['zoom']}", polling=100, timeout=10000)
    after_click = _settled(pg)
    assert after_click["zoom"] > closer["zoom"]

    # clicking clusters down to single incidents: drawn as points, with their popups
    state = after_click
    for _ in range(10):
        if state["points"]:
            break
        _click_central_cluster(pg)
        pg.wait_for_function(f"() => document.getElementById('map').hwMap.getZoom() > {state['zoom']}", polling=100,
                             timeout=10000)
        state = _settled(pg)
    assert state["points"] >= 1 and pg.locator("path.incident-marker").count() == state["points"]
    iid = pg.evaluate("""() => { let id = null; document.getElementById('map').hwMap.eachLayer(l => {
      if (!id && l.feature && l.feature.properties.id) { id = l.feature.properties.id; l.openPopup(); } }); return id; }""")
    pg.wait_for_selector(".leaflet-popup-content .pop a", timeout=5000)
    assert pg.get_attribute(".leaflet-popup-content .pop a", "href") == f"/incidents/{iid}"
    with db.session() as s:
        assert s.get(Incident, iid) is not None
    assert pg.hw_errors == []


def test_filters_reach_the_clusters(pg, big_server):
    base, db = big_server
    pg.goto(base + "/?weapon_class=drone&from=2023-01-01&to=2023-03-31")
    state = _settled(pg)
    with db.session() as s:
        want = len(s.execute(select(Incident.id).where(Incident.weapon_class == "drone",
                                                       Incident.date.between("2023-01-01", "2023-03-31"))).all())
    assert 0 < want < N
    # fitted to the matching incidents: all of them in view
    assert state["total"] == want
    assert pg.hw_errors == []
