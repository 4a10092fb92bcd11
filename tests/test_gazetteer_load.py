"""`harmwatch gazetteer load`, `gazetteer download` and `gazetteer info` with GeoNames' real UA dump
(../shared/geonames/UA.zip, read from there, never copied into the repository), served over HTTP
from a local server for the download."""
from __future__ import annotations

import functools
import hashlib
import http.server
import json
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harmwatch.cli.main import app
from harmwatch.errors import GazetteerError
from harmwatch.geo import Gazetteer
from harmwatch.geo.gazetteer import download_dump

UA_ZIP = Path(__file__).resolve().parents[2] / "shared" / "geonames" / "UA.zip"
pytestmark = pytest.mark.skipif(not UA_ZIP.exists(), reason=f"{UA_ZIP} not present")
UA_SHA256 = "499fe805ff1d09d700d3dc0078d0f468e060cb275bedb134af22ae27aa5d0ee4"  # ../shared/geonames/README.md


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("HARMWATCH_HOME", str(tmp_path / "home"))
    Gazetteer._cache.clear()
    yield tmp_path / "home"
    Gazetteer._cache.clear()


@pytest.fixture(scope="module")
def server():
    """A local HTTP server over the folder holding UA.zip, plus a file that is not a zip."""
    folder = UA_ZIP.parent
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass
    handler = functools.partial(Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_load_gives_nine_places_in_ten_a_point_and_info_reports_it(home):
    bundled = Gazetteer.default().info()
    assert bundled["places"] == 30134 and bundled["with_point"] == 5583  # the figures of docs/gazetteer.md
    r = CliRunner().invoke(app, ["gazetteer", "load", str(UA_ZIP)])
    assert r.exit_code == 0, r.output
    assert "imported 33681 populated places" in " ".join(r.output.split())  # the count of ../shared/geonames/README.md
    assert (home / "gazetteer" / "ua_places.tsv.gz").exists()
    r = CliRunner().invoke(app, ["gazetteer", "info", "--json"])
    info = json.loads(r.stdout)
    assert info["file"] == str(home / "gazetteer" / "ua_places.tsv.gz")
    assert info["with_point"] > 33000 and info["coverage"] > 0.9 and info["border_places"] > 500
    assert info["with_point"] + info["approximate_only"] + info["without_point"] == info["places"]
    text = CliRunner().invoke(app, ["gazetteer", "info"]).stdout
    assert "with a point:" in text and "%" in text
    # and geocoding uses it: Hroza has its own point now
    g = json.loads(CliRunner().invoke(app, ["geocode", "Hroza, Kharkiv oblast"]).stdout)
    assert g["precision"] == "point" and g["name"] == "Hroza"


def test_download_verifies_and_imports(home, server):
    seen = []
    n, digest = download_dump(f"{server}/UA.zip", progress=lambda done, total: seen.append((done, total)))
    assert n == 33681 and digest == UA_SHA256
    assert seen and seen[-1][0] == seen[-1][1] == UA_ZIP.stat().st_size  # progress reached the end
    assert Gazetteer.default().info()["with_point"] > 33000
    assert [p.name for p in (home / "gazetteer").iterdir()] == ["ua_places.tsv.gz"]  # no temporary left


def test_download_cli_with_the_expected_checksum(home, server):
    r = CliRunner().invoke(app, ["gazetteer", "download", "--url", f"{server}/UA.zip", "--sha256", UA_SHA256])
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())  # the console wraps long lines
    assert f"sha256 {UA_SHA256}" in out and "imported 33681 populated places" in out


def test_download_with_a_wrong_checksum_writes_nothing(home, server):
    with pytest.raises(GazetteerError, match="does not match the expected"):
        download_dump(f"{server}/UA.zip", sha256="0" * 64)
    assert not (home / "gazetteer" / "ua_places.tsv.gz").exists()
    assert list((home / "gazetteer").iterdir()) == []


def test_download_of_something_else_is_refused(home, server):
    with pytest.raises(GazetteerError, match="not a zip"):
        download_dump(f"{server}/README.md")
    with pytest.raises(GazetteerError, match="cannot download"):
        download_dump(f"{server}/no-such-file.zip")  # HTTP 404
    assert not (home / "gazetteer" / "ua_places.tsv.gz").exists()


def test_download_offline_is_a_clear_error(home):
    r = CliRunner().invoke(app, ["gazetteer", "download", "--url", "http://127.0.0.1:9/UA.zip"])
    assert r.exit_code != 0
    out = " ".join(r.output.split())
    assert "cannot download" in out and "gazetteer load FILE" in out


def test_sha256_in_the_test_matches_the_file():
    assert hashlib.sha256(UA_ZIP.read_bytes()).hexdigest() == UA_SHA256
