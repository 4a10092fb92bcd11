"""Evidence items (evidence/): fixity, write-once store, EXIF comparison, recycled-media warnings,
custody in the audit chain, refused input. Images are drawn by tests/evidence_scenes.py."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from evidence_scenes import jpeg, photo, recycled
from harmwatch.audit.chain import entries, verify as verify_chain
from harmwatch.evidence import store
from harmwatch.evidence.phash import MATCH_BITS, distance, fingerprint
from harmwatch.resolve.service import incidents
from harmwatch.store.models import EvidenceDerivative, EvidenceItem, EvidencePhash
from web_helpers import build_sample, copy_db, open_db


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    path, _ = build_sample(tmp_path_factory.mktemp("evidence-sample"))
    return path


@pytest.fixture
def db(sample, tmp_path):
    d = open_db(copy_db(sample, tmp_path / "db"))
    yield d
    d.close()


def _two_incidents(db) -> tuple[dict, dict]:
    rows = [r for r in incidents(db) if r["date"] and r["lat"] is not None]
    a = rows[0]
    b = next(r for r in rows if r["date"] != a["date"])
    return a, b


def _exif(lat: float, lon: float, taken: str) -> bytes:
    ex = Image.Exif()
    ex[0x0110] = "TestCam 1"
    sub = ex.get_ifd(0x8769)
    sub[36867] = taken
    gps = ex.get_ifd(0x8825)
    def dms(v):
        v = abs(v)
        d = int(v); m = int((v - d) * 60); s = round(((v - d) * 60 - m) * 60, 2)
        return (float(d), float(m), float(s))
    gps[1], gps[2], gps[3], gps[4] = ("N" if lat >= 0 else "S"), dms(lat), ("E" if lon >= 0 else "W"), dms(lon)
    return ex.tobytes()


def _file(tmp_path: Path, name: str, raw: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(raw)
    return p


def test_add_stores_original_and_thumbnail_write_once_with_their_hashes(db, tmp_path):
    a, _ = _two_incidents(db)
    raw = jpeg(photo(1))
    rec = store.add(db, _file(tmp_path, "strike.jpg", raw), a["id"], actor="alice", source_url="https://example.org/p",
                    collector="field team")
    import hashlib
    assert rec.sha256 == hashlib.sha256(raw).hexdigest()
    assert rec.path.read_bytes() == raw and rec.path.parent.parent.name == "originals"
    assert rec.thumbnail is not None and rec.thumbnail.parent.parent.name == "derivatives"
    assert rec.thumbnail_sha256 == hashlib.sha256(rec.thumbnail.read_bytes()).hexdigest() != rec.sha256
    thumb = Image.open(rec.thumbnail)
    assert max(thumb.size) == 320
    assert not os.access(rec.path, os.W_OK) or os.geteuid() == 0  # read-only (root ignores modes)
    assert oct(rec.path.stat().st_mode & 0o777) == oct(0o400)
    # the same file again under the same incident: the stored item, no second row
    again = store.add(db, raw, a["id"], actor="alice", filename="strike.jpg")
    assert again.status == "unchanged" and again.id == rec.id
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(EvidenceItem)) == 1
        assert s.scalar(select(func.count()).select_from(EvidenceDerivative)) == 1
    # custody: the add is in the chain, and the chain is intact
    adds = [e for e in entries(db) if e.action == "evidence.add"]
    assert len(adds) == 1 and adds[0].new["sha256"] == rec.sha256 and adds[0].actor == "alice"
    assert verify_chain(db).ok
    listed = store.items_for_incident(db, a["id"])
    assert [r.sha256 for r in listed] == [rec.sha256]
    assert listed[0].media_type == "image/jpeg" and listed[0].source_url == "https://example.org/p"


def test_file_store_never_overwrites(tmp_path):
    fs = store.FileStore(tmp_path / "ev")
    sha, rel = fs.put(b"first bytes", "originals")
    p = fs.root / rel
    os.chmod(p, 0o600)
    p.write_bytes(b"tampered")  # someone alters it; a second put of the original bytes must not hide that
    assert fs.put(b"first bytes", "originals") == (sha, rel)
    assert p.read_bytes() == b"tampered"
    assert not list(p.parent.glob(".tmp-*"))


def test_exif_gps_and_time_are_compared_with_the_incident(db, tmp_path):
    # An incident without a time of day: the camera time is then compared by calendar day.
    a = next(r for r in incidents(db) if r["date"] and r["lat"] is not None and not r.get("time"))
    lat, lon = a["lat"] + 0.018, a["lon"]  # about 2 km north
    raw = jpeg(photo(2), exif=_exif(lat, lon, a["date"].replace("-", ":") + " 14:05:00"))
    rec = store.add(db, raw, a["id"], actor="alice", filename="gps.jpg")
    assert rec.exif["taken"] == a["date"] + "T14:05:00" and rec.exif["source"] == {"taken": "exif", "gps": "exif"}
    assert abs(rec.exif["lat"] - lat) < 1e-4 and rec.exif["camera"] == "TestCam 1"
    assert 1.9 < rec.comparison["distance_km"] < 2.1
    assert rec.comparison["gap_days"] == 0
    assert "km from the incident's point" in rec.comparison["summary"]
    assert "on the incident's date" in rec.comparison["summary"]


def test_xmp_time_is_read_when_exif_has_none(db):
    a, _ = _two_incidents(db)
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description exif:DateTimeOriginal='
           b'"2022-03-01T09:30:00+02:00" exif:GPSLatitude="50,0.0N" exif:GPSLongitude="36,13.8E"/>'
           b'</rdf:RDF></x:xmpmeta>')
    img = photo(3)
    buf = io.BytesIO()
    img.save(buf, "JPEG", xmp=xmp)
    rec = store.add(db, buf.getvalue(), a["id"], actor="alice", filename="xmp.jpg")
    assert rec.exif["taken"] == "2022-03-01T09:30:00" and rec.exif["offset"] == "+02:00"
    assert rec.exif["lat"] == 50.0 and rec.exif["lon"] == pytest.approx(36.23)
    assert rec.exif["source"] == {"taken": "xmp", "gps": "xmp"}


def test_recycled_image_after_resize_recompression_and_crop_is_flagged(db):
    a, b = _two_incidents(db)
    original = photo(4)
    first = store.add(db, jpeg(original), a["id"], actor="alice", filename="first.jpg")
    assert first.warnings == []
    reposted = recycled(original, crop=0.10, side="left", scale=0.5, quality=55)
    rec = store.add(db, reposted, b["id"], actor="bob", filename="repost.jpg")
    assert len(rec.warnings) == 1
    w = rec.warnings[0]
    assert w["item_id"] == first.id and w["incident_id"] == a["id"] and not w["exact"]
    assert 0 < w["distance"] <= MATCH_BITS and "filed earlier under incident" in w["reason"]


def test_different_photo_of_the_same_street_is_not_flagged(db):
    a, b = _two_incidents(db)
    store.add(db, jpeg(photo(5, position=0.2, light=1.0)), a["id"], actor="alice", filename="a.jpg")
    other = jpeg(photo(5, position=0.45, light=0.85, shot=1))  # same buildings, other framing and light
    rec = store.add(db, other, b["id"], actor="bob", filename="b.jpg")
    assert rec.warnings == []


def test_exact_copy_under_another_incident_is_flagged_and_same_incident_other_date_too(db):
    a, b = _two_incidents(db)
    raw = jpeg(photo(6))
    first = store.add(db, raw, a["id"], actor="alice", filename="x.jpg")
    rec = store.add(db, raw, b["id"], actor="alice", filename="x.jpg")
    assert rec.warnings[0]["exact"] and rec.warnings[0]["item_id"] == first.id
    # same incident, another date: a recompressed copy whose EXIF says it was taken a year earlier
    old = jpeg(photo(6).resize((640, 400)), quality=70, exif=_exif(50.0, 36.2, "2021:03:01 10:00:00"))
    rec2 = store.add(db, old, a["id"], actor="alice", filename="old.jpg")
    assert any(w["item_id"] == first.id and "another date" in w["reason"] for w in rec2.warnings)


@pytest.mark.parametrize("side", ["left", "right", "top", "bottom", "centre", "corner"])
def test_matching_survives_a_ten_percent_crop_on_any_side(side):
    img = photo(7)
    a = fingerprint(Image.open(io.BytesIO(jpeg(img))))
    b = fingerprint(Image.open(io.BytesIO(recycled(img, crop=0.10, side=side, scale=0.4, quality=50))))
    assert distance(a, b) <= MATCH_BITS


def test_fixity_check_names_a_file_with_one_changed_byte_and_a_missing_one(db):
    a, _ = _two_incidents(db)
    r1 = store.add(db, jpeg(photo(8)), a["id"], actor="alice", filename="one.jpg")
    r2 = store.add(db, jpeg(photo(9)), a["id"], actor="alice", filename="two.jpg")
    ok = store.verify(db, actor="cli")
    assert ok.ok and ok.checked == 4
    os.chmod(r1.path, 0o600)
    data = bytearray(r1.path.read_bytes())
    data[len(data) // 2] ^= 0x01
    r1.path.write_bytes(bytes(data))
    os.chmod(r2.thumbnail, 0o600)
    r2.thumbnail.unlink()
    bad = store.verify(db, actor="cli")
    assert not bad.ok
    assert [(p.item_id, p.role) for p in bad.altered] == [(r1.id, "original")]
    assert [(p.item_id, p.role) for p in bad.missing] == [(r2.id, "thumbnail")]
    checks = [e for e in entries(db, newest_first=False) if e.action == "evidence.verify"]
    assert [c.new["ok"] for c in checks] == [True, False]
    assert checks[1].new["altered"] == [str(Path(r1.path).relative_to(store.evidence_root(db)))]


def _assert_nothing_stored(db):
    with db.session() as s:
        for model in (EvidenceItem, EvidenceDerivative, EvidencePhash):
            assert s.scalar(select(func.count()).select_from(model)) == 0
    root = store.evidence_root(db)
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]
    assert not [e for e in entries(db) if e.action.startswith("evidence.")]


def test_truncated_image_is_refused_and_nothing_stored(db):
    a, _ = _two_incidents(db)
    raw = jpeg(photo(10))
    with pytest.raises(store.EvidenceError, match="truncated"):
        store.add(db, raw[: len(raw) // 2], a["id"], actor="alice", filename="cut.jpg")
    _assert_nothing_stored(db)


def test_file_over_the_size_limit_is_refused_before_reading(db, tmp_path, monkeypatch):
    a, _ = _two_incidents(db)
    monkeypatch.setenv("HARMWATCH_EVIDENCE_MAX_BYTES", "1000")
    p = _file(tmp_path, "big.jpg", jpeg(photo(11)))
    with pytest.raises(store.EvidenceError, match="over the evidence limit of 1,000 bytes"):
        store.add(db, p, a["id"], actor="alice")
    _assert_nothing_stored(db)


def test_unknown_type_is_refused(db, tmp_path):
    a, _ = _two_incidents(db)
    with pytest.raises(store.EvidenceError, match="unknown file type"):
        store.add(db, _file(tmp_path, "notes.jpg", b"just some text pretending to be a photo"), a["id"], actor="alice")
    _assert_nothing_stored(db)


def test_unknown_incident_is_refused(db):
    with pytest.raises(store.EvidenceError, match="no incident"):
        store.add(db, jpeg(photo(12)), "inc-000000000000", actor="alice", filename="x.jpg")
    _assert_nothing_stored(db)


def _video(tmp_path: Path, frames: list[Image.Image]) -> bytes:
    from harmwatch.evidence.media import ffmpeg_exe
    folder = tmp_path / "frames"
    folder.mkdir()
    for i, f in enumerate(frames):
        f.save(folder / f"f{i:03d}.png")
    out = tmp_path / "clip.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-framerate", "2", "-i", str(folder / "f%03d.png"), "-g", "2",
                    "-pix_fmt", "yuv420p", "-vf", "scale=480:300", str(out)], check=True, capture_output=True)
    return out.read_bytes()


def test_video_keyframes_are_derivatives_and_match_a_recycled_still(db, tmp_path):
    a, b = _two_incidents(db)
    frames = [photo(13)] * 2 + [photo(14)] * 2
    clip = _video(tmp_path, frames)
    rec = store.add(db, clip, a["id"], actor="alice", filename="clip.mp4")
    assert rec.media_type == "video/mp4" and rec.kind == "video"
    keys = [d for d in rec.derivatives if d.role == "keyframe"]
    assert len(keys) >= 2 and all(d.media_type == "image/png" and d.path.is_file() for d in keys)
    assert rec.thumbnail is not None
    still = recycled(photo(14), crop=0.10, side="right", scale=0.5, quality=60)
    rec2 = store.add(db, still, b["id"], actor="bob", filename="still.jpg")
    assert [w["item_id"] for w in rec2.warnings] == [rec.id]
    with pytest.raises(store.EvidenceError, match="video cannot be decoded"):
        store.add(db, clip[:2000], a["id"], actor="alice", filename="cut.mp4")


def test_items_for_incident_takes_a_session_too(db):
    a, _ = _two_incidents(db)
    rec = store.add(db, jpeg(photo(15)), a["id"], actor="alice", filename="s.jpg")
    with db.session() as s:
        s.info["harmwatch_db"] = db
        got = store.items_for_incident(s, a["id"])
    assert [(r.id, r.path, r.thumbnail, r.sha256, r.media_type) for r in got] == \
        [(rec.id, rec.path, rec.thumbnail, rec.sha256, "image/jpeg")]
    if db.engine.dialect.name == "sqlite":  # a PostgreSQL URL names no folder: the archive comes from the hint
        with db.session() as s:  # without the hint: the archive beside the SQLite file (as the test's db has it)
            assert store.items_for_incident(s, a["id"])[0].path == rec.path
    assert got[0].exif_summary and got[0].warnings == []
