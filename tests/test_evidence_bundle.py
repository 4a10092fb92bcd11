"""Case-file bundles and the evidence commands: `harmwatch evidence add|list|verify`, `harmwatch bundle`
and `bundle verify` (which needs only the zip). Changed bytes must be named."""
from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidence_scenes import jpeg, photo, recycled
from harmwatch.audit.chain import entries, verify as verify_chain
from harmwatch.cli.main import app
from harmwatch.evidence import bundle, store
from harmwatch.resolve.service import incidents
from web_helpers import build_sample, copy_db, open_db


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    path, _ = build_sample(tmp_path_factory.mktemp("bundle-sample"))
    return path


@pytest.fixture
def env(sample, tmp_path, monkeypatch):
    path = copy_db(sample, tmp_path / "db")
    db = open_db(path)
    # the CLI reads the same database as the test, on either test backend (SQLite file or PostgreSQL)
    monkeypatch.setenv("HARMWATCH_DB", db.url)
    monkeypatch.setenv("HARMWATCH_ARCHIVE", str(db.archive.root))
    yield db
    db.close()


def _run(*args):
    return CliRunner().invoke(app, list(args))


def _incidents(db):
    rows = [r for r in incidents(db) if r["date"] and r["lat"] is not None]
    return rows[0], next(r for r in rows if r["date"] != rows[0]["date"])


def test_cli_add_list_verify(env, tmp_path):
    a, b = _incidents(env)
    (tmp_path / "one.jpg").write_bytes(jpeg(photo(21)))
    (tmp_path / "bad.jpg").write_bytes(b"not an image at all")
    r = _run("evidence", "add", str(tmp_path / "one.jpg"), str(tmp_path / "bad.jpg"), "--incident", a["id"],
             "--source-url", "https://example.org/x", "--captured-at", "2022-03-01T10:00", "--collector", "team")
    assert r.exit_code == 1, r.output  # one file refused
    assert "unknown file type" in r.output and "bad.jpg" in r.output
    sha = hashlib.sha256((tmp_path / "one.jpg").read_bytes()).hexdigest()
    assert f"sha256 {sha}" in r.output
    (tmp_path / "repost.jpg").write_bytes(recycled(photo(21), crop=0.1, side="top", scale=0.5))
    r = _run("evidence", "add", str(tmp_path / "repost.jpg"), "--incident", b["id"])
    assert r.exit_code == 0 and "recycled media?" in r.output and a["id"] in r.output
    r = _run("evidence", "list", "--incident", a["id"], "--format", "jsonl")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["sha256"] for x in rows] == [sha]
    assert rows[0]["collector"] == "team" and rows[0]["captured_at"].startswith("2022-03-01T10:00")
    r = _run("evidence", "verify")
    assert r.exit_code == 0 and "checked 4 files: all intact" in r.output
    p = Path(rows[0]["path"])
    os.chmod(p, 0o600)
    data = bytearray(p.read_bytes())
    data[100] ^= 0xFF
    p.write_bytes(bytes(data))
    r = _run("evidence", "verify")
    assert r.exit_code == 1 and "ALTERED" in r.output and sha in r.output


def test_bundle_holds_evidence_claims_manifest_sums_and_audit_and_verifies(env, tmp_path):
    a, _ = _incidents(env)
    rec = store.add(env, jpeg(photo(22)), a["id"], actor="alice", filename="scene.jpg")
    out = tmp_path / "case.zip"
    r = _run("bundle", a["id"], "-o", str(out))
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        assert {"manifest.json", "SHA256SUMS", "audit.jsonl", f"incidents/{a['id']}.json",
                f"evidence/originals/{rec.sha256}.jpg", f"evidence/derivatives/{rec.thumbnail_sha256}.jpg"} <= names
        assert z.read(f"evidence/originals/{rec.sha256}.jpg") == rec.path.read_bytes()
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["incidents"] == [a["id"]] and manifest["evidence"][0]["sha256"] == rec.sha256
        inc = json.loads(z.read(f"incidents/{a['id']}.json"))
        assert inc["claim_details"] and all("evidence" in c for c in inc["claim_details"])
        audit = [json.loads(line) for line in z.read("audit.jsonl").splitlines()]
        assert any(e["action"] == "evidence.add" and e["target_id"] == str(rec.id) for e in audit)
        sums = dict(reversed(line.split("  ", 1)) for line in z.read("SHA256SUMS").decode().splitlines())
        assert set(sums) == names - {"SHA256SUMS"}
    exports = [e for e in entries(env) if e.action == "evidence.export"]
    assert len(exports) == 1 and exports[0].new["zip_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert verify_chain(env).ok
    r = _run("bundle", "verify", str(out))
    assert r.exit_code == 0 and "all intact" in r.output
    assert exports[0].new["sha256sums_sha256"] in r.output


def _rewrite(src: Path, dst: Path, member: str, change) -> None:  # noqa: ANN001
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, change(data) if info.filename == member else data)


def _flip(data: bytes) -> bytes:
    b = bytearray(data)
    b[len(b) // 2] ^= 0x01
    return bytes(b)


def test_bundle_verify_names_a_member_with_one_changed_byte(env, tmp_path):
    a, _ = _incidents(env)
    rec = store.add(env, jpeg(photo(23)), a["id"], actor="alice", filename="scene.jpg")
    good = tmp_path / "case.zip"
    bundle.write_bundle(env, [a["id"]], good, actor="alice")
    assert bundle.verify_bundle(good).ok
    member = f"evidence/originals/{rec.sha256}.jpg"
    bad = tmp_path / "bad.zip"
    _rewrite(good, bad, member, _flip)  # a well-formed zip whose image differs by one byte
    report = bundle.verify_bundle(bad)
    assert not report.ok and len(report.problems) == 1 and report.problems[0].startswith(f"{member}: altered")
    r = _run("bundle", "verify", str(bad))
    assert r.exit_code == 1 and member in r.output
    # one byte changed in the zip file itself, inside the stored bytes of a member
    raw = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("audit.jsonl")
    raw[info.header_offset + 30 + len(info.filename) + 5] ^= 0x01
    flipped = tmp_path / "flipped.zip"
    flipped.write_bytes(bytes(raw))
    report = bundle.verify_bundle(flipped)
    assert not report.ok and any(p.startswith("audit.jsonl:") for p in report.problems)


def test_bundle_verify_names_missing_and_added_files(env, tmp_path):
    a, _ = _incidents(env)
    store.add(env, jpeg(photo(24)), a["id"], actor="alice", filename="scene.jpg")
    good = tmp_path / "case.zip"
    bundle.write_bundle(env, [a["id"]], good, actor="alice")
    dropped = tmp_path / "dropped.zip"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(dropped, "w") as zout:
        for info in zin.infolist():
            if info.filename != "audit.jsonl":
                zout.writestr(info.filename, zin.read(info.filename))
        zout.writestr("extra.txt", b"slipped in")
    report = bundle.verify_bundle(dropped)
    assert sorted(report.problems) == ["audit.jsonl: missing (listed in SHA256SUMS)",
                                       "extra.txt: not listed in SHA256SUMS (added after the bundle was made)"]
    (tmp_path / "plain.zip").write_bytes(b"PK not really")
    with pytest.raises(bundle.BundleError, match="not a readable zip"):
        bundle.verify_bundle(tmp_path / "plain.zip")


def test_bundle_of_an_unknown_incident_is_refused_and_writes_nothing(env, tmp_path):
    r = _run("bundle", "inc-000000000000", "-o", str(tmp_path / "x.zip"))
    assert r.exit_code == 2 and "no incident" in r.output
    assert not list(tmp_path.glob("*.zip")) and not list(tmp_path.glob(".tmp-*"))


def test_help_has_examples():
    for cmd in (["evidence", "add"], ["evidence", "list"], ["evidence", "verify"], ["bundle"]):
        r = _run(*cmd, "--help")
        assert r.exit_code == 0 and "Example" in r.output
