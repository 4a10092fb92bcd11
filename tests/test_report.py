"""Dossiers (`harmwatch report`, report/): on the seed reports and on small documents written here.

Expected sentences are cut from the seed files at test time with the test's own splitter, and
expected hashes are computed here from the bytes filed; nothing expected comes from report/."""
from __future__ import annotations

import base64
import hashlib
import io
import re
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from evidence_scenes import jpeg, photo
from harmwatch.assess.flags import dismiss, flags
from harmwatch.audit.chain import entries, verify as verify_chain
from harmwatch.cli.main import app
from harmwatch.evidence import store
from harmwatch.extract.pipeline import default_extractor
from harmwatch.ingest import ingest
from harmwatch.report import ReportError, write_report
from harmwatch.report.dossier import offline_fetcher, render_pdf
from harmwatch.resolve.service import incidents, resolve

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def seeds(shared, db):
    folder = shared / "corpus" / "seeds"
    report = ingest(sorted(folder.glob("*.txt")), db, manifest=folder / "manifest.csv", extractor=default_extractor())
    assert not report.failed
    resolve(db)
    return db


def _inc(db, place):
    rows = [r for r in incidents(db) if r["place"] == place]
    assert len(rows) == 1, (place, rows)
    return rows[0]


class _Text(HTMLParser):
    """The visible text of the dossier, without the field labels (<sup>), styles and the map."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("sup", "style", "svg", "title"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("sup", "style", "svg", "title"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def _visible(page: str) -> str:
    p = _Text()
    p.feed(page)
    return re.sub(r"\s+", " ", "".join(p.parts))


def _sentence(text: str, key: str) -> str:
    """The sentence of `text` that contains `key`: between sentence ends (. ! ? then space) or line breaks."""
    i = text.index(key)
    starts = [m.end() for m in re.finditer(r"[.!?]\s+|\n", text[:i])]
    start = starts[-1] if starts else 0
    m = re.search(r"[.!?](?=\s)|\n", text[i + len(key):])
    end = i + len(key) + (m.end() if m else len(text))
    return re.sub(r"\s+", " ", text[start:end].strip())


def _html(db, inc_id, tmp_path, name="d.html") -> str:
    out = tmp_path / name
    write_report(db, inc_id, "html", out, actor="alice")
    return out.read_text(encoding="utf-8")


# --- the seed reports ------------------------------------------------------------------------------------

def test_vuhledar_dossier_has_quote_sentences_figures_flags_profile_and_sun(seeds, shared, tmp_path):
    inc = _inc(seeds, "Vuhledar")
    page = _html(seeds, inc["id"], tmp_path)
    text = _visible(page)
    amnesty = (shared / "corpus" / "seeds" / "amnesty-indiscriminate-attacks-2022-02-25.txt").read_text(encoding="utf-8")
    news = (shared / "corpus" / "seeds" / "news-amnesty-war-crimes-2022-02-25.txt").read_text(encoding="utf-8")
    for src, key in ((amnesty, "a ballistic missile struck near a hospital building in Vuhledar"),
                     (amnesty, "9M79 Tochka ballistic missile was used"),
                     (amnesty, "six healthcare workers"),
                     (news, "wounded in a ballistic missile strike near a hospital in Vuhledar"),
                     (news, "Amnesty inspected images")):
        sentence = _sentence(src, key)
        assert len(sentence) > len(key) + 20, sentence
        assert sentence in text, sentence
    # the quote itself is marked inside its sentence, with the field it is evidence for
    assert re.search(r"<mark>9M79 Tochka ballistic missile<sup>weapon</sup></mark>", page)
    assert re.search(r"<mark>four civilians<sup>killed</sup></mark>", page)
    # source metadata from the manifest
    assert "Amnesty International" in text and "https://www.amnesty.org/" in text and "2022-02-25" in text
    # figures with their ranges (the seeds agree: 4 killed, 10 injured by both documents)
    assert re.search(r"<td>killed</td><td>4</td><td>4</td><td>4</td>", page)
    assert re.search(r"<td>injured</td><td>10</td><td>10</td><td>10</td>", page)
    # the hospital flag with its reason, and the Tochka profile from the catalogue
    fl = {f.kind: f for f in flags(seeds, inc["id"])}
    assert "hospital" in fl["protected_object"].reason
    assert re.sub(r"\s+", " ", fl["protected_object"].reason) in text
    assert "Protected object hit" in text and "for an investigator to assess" in text
    cat = yaml.safe_load((ROOT / "src" / "harmwatch" / "data" / "weapons.yaml").read_text(encoding="utf-8"))
    tochka = next(e for e in cat["entries"] if e.get("name") == "9M79 Tochka")
    assert tochka["accuracy"]["text"] in text and "no published CEP" in text
    assert f"<th>guidance</th><td>{tochka['guidance']}</td>" in page and "ballistic missile" in text
    # chronolocation at the claimed 10:30 local time
    assert "2022-02-24T10:30+02:00" in text
    # the map: an inline SVG with the point in the south-east of the frame (Vuhledar, Donetsk oblast)
    svg = re.search(r'<svg[^>]*viewBox="0 0 (\d+) (\d+)".*?<circle class="point" cx="([\d.]+)" cy="([\d.]+)"', page, re.S)
    w, h, cx, cy = (float(x) for x in svg.groups())
    assert cx > 0.75 * w and 0.45 * h < cy < 0.75 * h
    assert "<script" not in page.lower() and "http://" not in page.split("<body>")[0]


def test_dismissed_flag_is_marked_with_its_reason(seeds, tmp_path):
    inc = _inc(seeds, "Vuhledar")
    fl = {f.kind: f for f in flags(seeds, inc["id"])}["wide_area_populated"]
    dismiss(seeds, fl.id, "strike was on the outskirts per field team", actor="bob")
    page = _html(seeds, inc["id"], tmp_path)
    block = re.search(rf'<div class="flag [^"]*dismissed"[^>]*id="{fl.id}">(.*?)</div>', page, re.S)
    assert block, "dismissed flag not marked"
    assert "DISMISSED" in block.group(1) and "strike was on the outskirts per field team" in block.group(1)
    assert "bob" in block.group(1)
    still = {f.kind for f in flags(seeds, inc["id"], include_dismissed=False)}
    for f in flags(seeds, inc["id"]):
        if f.kind in still:
            assert re.search(rf'<div class="flag flag-{f.kind}" id="{f.id}">', page)


def test_evidence_image_with_sha256_embedded_thumbnail_and_export_custody(seeds, tmp_path):
    inc = _inc(seeds, "Vuhledar")
    raw = jpeg(photo(31))
    rec = store.add(seeds, raw, inc["id"], actor="alice", filename="crater <1>.jpg")
    out = tmp_path / "dossier.html"
    r = write_report(seeds, inc["id"], "html", out, actor="carol")
    page = out.read_text(encoding="utf-8")
    assert hashlib.sha256(raw).hexdigest() in page
    assert "crater &lt;1&gt;.jpg" in page and "(checked: intact)" in page
    m = re.search(r'<img src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', page)
    assert m, "no embedded thumbnail"
    thumb = base64.b64decode(m.group(1))
    stored = next(d for d in rec.derivatives if d.role == "thumbnail")
    assert hashlib.sha256(thumb).hexdigest() == stored.sha256 and stored.sha256 in page
    img = Image.open(io.BytesIO(thumb))
    full = Image.open(io.BytesIO(raw))
    assert img.format == "JPEG" and max(img.size) < max(full.size)
    assert not re.search(r'(src|href)="(?!data:|#)', page)  # stands alone: nothing to fetch
    # custody: one evidence.export entry for the item, naming the report and its hash; the chain holds
    exports = [e for e in entries(seeds) if e.action == "evidence.export" and e.target_id == str(rec.id)]
    assert len(exports) == 1 and exports[0].actor == "carol"
    assert exports[0].new["report"] == "dossier.html" and exports[0].new["sha256"] == hashlib.sha256(page.encode()).hexdigest()
    assert r.sha256 == hashlib.sha256(out.read_bytes()).hexdigest() and r.evidence_items == 1
    assert verify_chain(seeds).ok


def test_pdf_is_a_real_pdf_with_the_place_name(seeds, tmp_path, monkeypatch, db_url):
    inc = _inc(seeds, "Vuhledar")
    store.add(seeds, jpeg(photo(32)), inc["id"], actor="alice", filename="scene.jpg")
    monkeypatch.setenv("HARMWATCH_DB", db_url)
    out = tmp_path / "v.pdf"
    r = CliRunner().invoke(app, ["report", inc["id"], "--format", "pdf", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "1 evidence items" in r.output
    body = out.read_bytes()
    assert body.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(body))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Vuhledar" in text and inc["id"] in text and "Protected object hit" in text
    images = [x.get_object().get("/Subtype") for p in reader.pages
              for x in p["/Resources"].get_object().get("/XObject", {}).values()]
    assert "/Image" in images  # the thumbnail is drawn


def test_pdf_rendering_fetches_nothing(tmp_path):
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body{color:red}")

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        local = tmp_path / "secret.css"
        local.write_text("body{color:blue}")
        page = (f'<html><head><link rel="stylesheet" href="{url}/a.css"><link rel="stylesheet" href="file://{local}">'
                f'<style>@import url("{url}/b.css");</style></head><body><p>Okhtyrka</p>'
                f'<img src="{url}/c.png"><img src="https://127.0.0.1:1/d.png"></body></html>')
        fetcher = offline_fetcher()
        pdf = render_pdf(page, fetcher=fetcher)
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF-")
    assert hits == []
    assert {f"{url}/a.css", f"{url}/b.css", f"{url}/c.png", "https://127.0.0.1:1/d.png"} <= set(fetcher.refused)
    assert any(u.startswith("file://") for u in fetcher.refused)


# --- documents written here ----------------------------------------------------------------------------

def _ingest(db, tmp_path, docs):
    folder = tmp_path / "docs"
    folder.mkdir()
    rows = ["file,doc_id,title,publisher,published,url,language"]
    for name, title, publisher, text in docs:
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        rows.append(f'{name}.txt,{name},"{title}",{publisher},2022-03-05,https://example.org/{name},en')
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = ingest(sorted(folder.glob("*.txt")), db, manifest=folder / "manifest.csv", extractor=default_extractor())
    assert not report.failed
    resolve(db)


def test_source_text_with_script_is_escaped_and_disagreement_shown(db, tmp_path):
    _ingest(db, tmp_path, [
        ("a", "Strike <script>alert('title')</script>", "Agency A",
         "On 4 March 2022 a Grad rocket hit a school in Okhtyrka, killing three civilians "
         "<script>alert('body')</script> and wounding two.\n"),
        ("b", "Okhtyrka school strike", "Agency B",
         "A Grad rocket hit a school in Okhtyrka on 4 March 2022, killing five civilians, "
         "the regional governor said <img src=x onerror=alert(1)>.\n"),
    ])
    rows = [r for r in incidents(db) if r["place"] == "Okhtyrka"]
    assert len(rows) == 1, incidents(db)
    page = _html(db, rows[0]["id"], tmp_path)
    assert "<script" not in page.lower() and "<img src=x" not in page.lower()
    assert "&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;" in page
    assert "Strike &lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # the two documents disagree on the killed: the range spans both and the disagreement names each claim
    assert re.search(r"<td>killed</td><td>3</td><td>\d</td><td>5</td>", page), page[page.find('id="figures"'):][:1500]
    dis = page[page.find('id="disagreements"'):page.find('id="sources"')]
    assert "killed" in dis and "a#0" in dis and "b#0" in dis


def test_unknown_incident_and_format_are_clear_errors(db, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HARMWATCH_DB", db_url)
    out = tmp_path / "x.html"
    r = CliRunner().invoke(app, ["report", "inc-000000000000", "-o", str(out)])
    assert r.exit_code != 0
    assert "no incident 'inc-000000000000'" in r.output
    assert not out.exists()
    with pytest.raises(ReportError, match="unknown format 'docx'"):
        write_report(db, "inc-000000000000", "docx", out, actor="alice")
    r = CliRunner().invoke(app, ["report", "--help"])
    assert r.exit_code == 0 and "Example" in r.output and "--format pdf" in r.output
