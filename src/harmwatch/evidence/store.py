"""Evidence items: the write-once, content-addressed file store and the library functions over it.

    item = add(db, Path("strike.jpg"), "inc-…", actor="alice", source_url="https://…")
    items_for_incident(db, "inc-…")   # -> list[EvidenceRecord]: paths, hashes, EXIF comparison, warnings
    report = verify(db, actor="cli")  # re-hash every file; names altered and missing ones

Layout under the archive folder (HARMWATCH_ARCHIVE): ``evidence/originals/<aa>/<sha256>`` for the
files as received and ``evidence/derivatives/<aa>/<sha256>`` for what was made from them (thumbnails,
video keyframes), each under its own SHA-256. A file is written once: to a temporary file in the same
folder, fsynced, then linked to its final name, which fails rather than replace an existing file;
it is then made read-only. Every step before the database transaction (size, type, decoding,
derivatives, fingerprints) runs first, so a refused file leaves no row; the item's rows and its
``evidence.add`` audit entry commit together. Custody (added, viewed, exported, verified) is in the
audit chain (audit/chain.py) with target_type ``evidence``.
"""
from __future__ import annotations

import hashlib
import math
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import select

from .. import settings
from ..errors import InputError, StoreError
from ..store.archive import TEMP_PREFIX, _fsync_dir
from ..store.models import EvidenceDerivative, EvidenceItem, EvidencePhash, Incident
from . import media
from .phash import Fingerprint, distance, fingerprint, MATCH_BITS

ORIGINALS, DERIVATIVES = "originals", "derivatives"
CHUNK = 1 << 20


class EvidenceError(InputError):
    """An evidence file is refused (too large, unknown type, truncated) or the incident is unknown."""


# --- the file store -----------------------------------------------------------------------------------

def evidence_root(db) -> Path:  # noqa: ANN001
    return Path(db.archive.root) / "evidence"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


class FileStore:
    """Write-once files under `root`/<area>/<aa>/<sha256>; a path never changes meaning."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, rel: str) -> Path:
        p = (self.root / rel).resolve()
        if self.root.resolve() not in p.parents:
            raise StoreError(f"not a path inside the evidence store: {rel!r}")
        return p

    def put(self, raw: bytes, area: str) -> tuple[str, str]:
        """Store `raw` in `area` (originals or derivatives); return (sha256, relative path).
        Bytes already there are left as they are (never overwritten)."""
        digest = hashlib.sha256(raw).hexdigest()
        rel = f"{area}/{digest[:2]}/{digest}"
        final = self.root / rel
        if final.exists():
            return digest, rel
        try:
            final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=final.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(raw)
                    f.flush()
                    os.fsync(f.fileno())
                os.chmod(tmp, 0o400)
                try:
                    os.link(tmp, final)  # unlike rename, refuses to replace a file that is there
                except FileExistsError:
                    pass  # a concurrent writer stored the same bytes first
            finally:
                Path(tmp).unlink(missing_ok=True)
            _fsync_dir(final.parent)
        except OSError as e:
            raise StoreError(f"cannot write to the evidence store {self.root}: {e}") from e
        return digest, rel


# --- records ------------------------------------------------------------------------------------------

@dataclass
class Derivative:
    role: str  # thumbnail or keyframe
    seq: int
    sha256: str
    media_type: str
    size: int
    path: Path


@dataclass
class EvidenceRecord:
    """One evidence item as the CLI, the web page and the dossier read it."""

    id: int
    incident_id: str
    kind: str
    media_type: str
    filename: str
    sha256: str
    size: int
    path: Path  # the original
    thumbnail: Path | None
    thumbnail_sha256: str | None
    derivatives: list[Derivative]
    source_url: str | None
    captured_at: str | None
    collector: str | None
    added_by: str
    added_at: str
    exif: dict  # GPS, time taken, camera (media.Metadata.to_json)
    comparison: dict  # distance_km, gap, summary: the file's metadata against the incident
    warnings: list[dict]  # recycled-media matches found when it was filed
    status: str = "stored"  # add(): stored, or unchanged when the same file was already filed there

    @property
    def exif_summary(self) -> str:
        parts = []
        if self.exif.get("taken"):
            parts.append(f"taken {self.exif['taken']}{self.exif.get('offset') or ''}")
        if self.exif.get("lat") is not None:
            parts.append(f"GPS {self.exif['lat']:.5f}, {self.exif['lon']:.5f}")
        if self.exif.get("camera"):
            parts.append(self.exif["camera"])
        return "; ".join(parts) or "no time or GPS in the file's metadata"

    def to_json(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k not in ("path", "thumbnail", "derivatives")}
        d.update(path=str(self.path), thumbnail=str(self.thumbnail) if self.thumbnail else None,
                 exif_summary=self.exif_summary,
                 derivatives=[{**x.__dict__, "path": str(x.path)} for x in self.derivatives])
        return d


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def compare(exif: dict, inc: Incident | None) -> dict:
    """The file's GPS and time against the incident's point and date (and time, when known)."""
    out: dict = {}
    if inc is None:
        return {"summary": "the incident is no longer there"}
    parts = []
    if exif.get("lat") is not None and inc.lat is not None and inc.lon is not None:
        km = haversine_km(exif["lat"], exif["lon"], inc.lat, inc.lon)
        out["distance_km"] = round(km, 2)
        parts.append(f"taken {km:.1f} km from the incident's point")
    elif exif.get("lat") is not None:
        parts.append("the incident has no point to compare the GPS with")
    if exif.get("taken") and inc.date:
        taken = datetime.fromisoformat(exif["taken"][:19])
        if inc.time:
            when = datetime.fromisoformat(f"{inc.date}T{inc.time}")
            hours = (taken - when).total_seconds() / 3600
            out["gap_hours"] = round(hours, 1)
            parts.append(f"{abs(hours):.1f} h {'after' if hours >= 0 else 'before'} the incident's time "
                         f"(camera clock, local time assumed)")
        else:
            days = (taken.date() - date.fromisoformat(inc.date)).days
            out["gap_days"] = days
            parts.append("on the incident's date" if days == 0 else
                         f"{abs(days)} day{'s' if abs(days) != 1 else ''} {'after' if days > 0 else 'before'} "
                         f"the incident's date")
    elif exif.get("taken"):
        parts.append("the incident has no date to compare the time with")
    out["summary"] = "; ".join(parts) or "no GPS or time in the file to compare"
    return out


def _record(item: EvidenceItem, derivs: list[EvidenceDerivative], inc: Incident | None, files: FileStore,
            status: str = "stored") -> EvidenceRecord:
    ds = [Derivative(d.role, d.seq, d.sha256, d.media_type, d.size, files.root / d.path)
          for d in sorted(derivs, key=lambda d: (d.role, d.seq))]
    thumb = next((d for d in ds if d.role == "thumbnail"), None)
    return EvidenceRecord(
        id=item.id, incident_id=item.incident_id, kind=item.kind, media_type=item.media_type, filename=item.filename,
        sha256=item.sha256, size=item.size, path=files.root / item.path,
        thumbnail=thumb.path if thumb else None, thumbnail_sha256=thumb.sha256 if thumb else None, derivatives=ds,
        source_url=item.source_url, captured_at=_iso(item.captured_at), collector=item.collector,
        added_by=item.added_by, added_at=_iso(item.added_at) or "", exif=dict(item.exif or {}),
        comparison=compare(item.exif or {}, inc), warnings=list(item.warnings or []), status=status)


def _iso(t: datetime | None) -> str | None:
    if t is None:
        return None
    return (t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)).isoformat()


# --- adding -------------------------------------------------------------------------------------------

def max_bytes() -> int:
    n = settings.EVIDENCE_MAX_BYTES.number()
    if n is None or n <= 0:
        from ..errors import SettingError
        raise SettingError(f"{settings.EVIDENCE_MAX_BYTES.env} must be a positive number of bytes")
    return int(n)


@dataclass
class _Prepared:
    media_type: str
    kind: str
    exif: dict
    derivatives: list[tuple[str, int, str, bytes]] = field(default_factory=list)  # role, seq, type, bytes
    prints: list[tuple[int | None, Fingerprint]] = field(default_factory=list)  # derivative index or None


def prepare(raw: bytes, name: str, kind: str | None = None) -> _Prepared:
    """Check and decode the file, make its derivatives and fingerprints; nothing is stored.
    EvidenceError for an empty, oversized, unknown, truncated or undecodable file."""
    limit = max_bytes()
    if len(raw) > limit:
        raise EvidenceError(f"{name}: {len(raw):,} bytes, over the evidence limit of {limit:,} bytes "
                            f"({settings.EVIDENCE_MAX_BYTES.env})")
    if not raw:
        raise EvidenceError(f"{name}: the file is empty")
    mt = media.sniff(raw)
    if mt is None:
        raise EvidenceError(f"{name}: unknown file type (not a JPEG, PNG, GIF, WebP or TIFF image, an MP4, MOV, "
                            f"WebM or AVI video, a PDF, or an HTML, MHTML or WARC capture)")
    if kind is not None and kind not in media.KINDS:
        raise EvidenceError(f"unknown kind {kind!r}: use one of {', '.join(media.KINDS)}")
    p = _Prepared(mt, kind or media.default_kind(mt), {})
    try:
        if mt in media.IMAGE_TYPES:
            img = media.open_image(raw, name)
            p.exif = media.read_metadata(img, raw).to_json()
            p.derivatives.append(("thumbnail", 0, "image/jpeg", media.thumbnail(img)))
            p.prints.append((None, fingerprint(img)))
        elif mt in media.VIDEO_TYPES:
            frames = media.keyframes(raw, name)
            for i, fr in enumerate(frames):
                img = media.open_image(fr, f"{name} keyframe {i + 1}")
                if i == 0:
                    p.derivatives.append(("thumbnail", 0, "image/jpeg", media.thumbnail(img)))
                p.derivatives.append(("keyframe", i + 1, "image/png", fr))
                p.prints.append((len(p.derivatives) - 1, fingerprint(img)))
        elif mt == "application/pdf" and b"%%EOF" not in raw[-2048:]:
            raise EvidenceError(f"{name}: the PDF has no end-of-file marker (truncated?)")
    except InputError as e:
        raise EvidenceError(str(e)) from e
    return p


def _item_day(exif: dict, captured_at: datetime | None, incident_date: str | None) -> str | None:
    if exif.get("taken"):
        return exif["taken"][:10]
    if captured_at is not None:
        return captured_at.date().isoformat()
    return incident_date


def _recycled(s, prepared: _Prepared, sha: str, incident_id: str, day: str | None, members: set[str]) -> list[dict]:
    """Earlier evidence this file matches, filed under another incident or with another date."""
    found: dict[int, dict] = {}
    rows = s.execute(select(EvidencePhash.item_id, EvidencePhash.windows)).all()
    exact = {i.id: i for i in s.scalars(select(EvidenceItem).where(EvidenceItem.sha256 == sha))}
    for item_id in exact:
        found[item_id] = {"distance": 0, "exact": True}
    for item_id, windows in rows:
        if item_id in found:
            continue
        stored = Fingerprint.from_json(windows)
        best = min(distance(fp, stored) for _, fp in prepared.prints) if prepared.prints else 64
        if best <= MATCH_BITS:
            found[item_id] = {"distance": best, "exact": False}
    out = []
    for item_id, m in sorted(found.items()):
        other = exact.get(item_id) or s.get(EvidenceItem, item_id)
        other_day = _item_day(other.exif or {}, other.captured_at, other.incident_date)
        same_incident = other.incident_id == incident_id or (other.claim is not None and other.claim in members)
        if not same_incident:
            why = f"filed earlier under incident {other.incident_id}" + (f" ({other.incident_date})"
                                                                          if other.incident_date else "")
        elif day and other_day and day != other_day:
            why = f"filed earlier under this incident with another date ({other_day}, this file {day})"
        else:
            continue
        out.append({"item_id": other.id, "incident_id": other.incident_id, "incident_date": other.incident_date,
                    "filename": other.filename, "sha256": other.sha256, "distance": m["distance"],
                    "exact": m["exact"], "reason": ("the same bytes " if m["exact"] else
                                                    f"a perceptual match ({m['distance']} of 64 bits apart) ") + why})
    return out


def add(db, file: Path | bytes, incident_id: str, *, actor: str, filename: str | None = None,  # noqa: ANN001
        source_url: str | None = None, captured_at: datetime | None = None, collector: str | None = None,
        kind: str | None = None) -> EvidenceRecord:
    """File one evidence file under an incident. The file is checked and decoded, its derivatives and
    fingerprints made, and recycled-media matches looked for before anything is stored; then the files
    are written once and the rows and the custody entry commit together. Filing the same bytes under
    the same incident again returns the stored item (status "unchanged")."""
    if isinstance(file, Path):
        name = filename or file.name
        try:
            size = file.stat().st_size
        except OSError as e:
            raise EvidenceError(f"{file}: cannot read it: {e}") from e
        if size > max_bytes():  # refused before it is read
            raise EvidenceError(f"{name}: {size:,} bytes, over the evidence limit of {max_bytes():,} bytes "
                                f"({settings.EVIDENCE_MAX_BYTES.env})")
        try:
            raw = file.read_bytes()
        except OSError as e:
            raise EvidenceError(f"{file}: cannot read it: {e}") from e
    else:
        raw, name = file, filename or "upload"
    if captured_at is not None and captured_at.tzinfo is None:
        captured_at = captured_at.replace(tzinfo=timezone.utc)
    prepared = prepare(raw, name, kind)
    sha = hashlib.sha256(raw).hexdigest()
    files = FileStore(evidence_root(db))
    with db.session() as s:
        inc = s.get(Incident, incident_id)
        if inc is None:
            raise EvidenceError(f"no incident {incident_id!r} (see `harmwatch incidents`)")
        members = set((inc.detail or {}).get("claims", []))
        had = s.scalar(select(EvidenceItem).where(EvidenceItem.sha256 == sha, EvidenceItem.incident_id == incident_id))
        if had is not None:
            derivs = list(s.scalars(select(EvidenceDerivative).where(EvidenceDerivative.item_id == had.id)))
            return _record(had, derivs, inc, files, status="unchanged")
        day = _item_day(prepared.exif, captured_at, inc.date)
        warnings = _recycled(s, prepared, sha, incident_id, day, members)
        inc_date = inc.date
    _, rel = files.put(raw, ORIGINALS)
    stored = [(role, seq, mt, *files.put(data, DERIVATIVES), len(data)) for role, seq, mt, data in prepared.derivatives]
    from ..audit.chain import append
    with db.session(write=True) as s:
        inc = s.get(Incident, incident_id)
        if inc is None:
            raise EvidenceError(f"no incident {incident_id!r} (it changed while the file was prepared)")
        item = EvidenceItem(sha256=sha, size=len(raw), media_type=prepared.media_type, kind=prepared.kind,
                            filename=name[:500], path=rel, incident_id=incident_id,
                            claim=min((inc.detail or {}).get("claims") or [None], key=str),
                            incident_date=inc_date, source_url=source_url, captured_at=captured_at,
                            collector=collector, added_by=actor, added_at=datetime.now(timezone.utc),
                            exif=prepared.exif, warnings=warnings)
        s.add(item)
        s.flush()
        derivs = []
        for role, seq, mt, dsha, drel, dsize in stored:
            d = EvidenceDerivative(item_id=item.id, role=role, seq=seq, sha256=dsha, size=dsize, media_type=mt, path=drel)
            s.add(d)
            derivs.append(d)
        s.flush()
        for index, fp in prepared.prints:
            s.add(EvidencePhash(item_id=item.id, derivative_id=None if index is None else derivs[index].id,
                                phash=fp.phash, windows=fp.to_json()))
        append(s, actor, "evidence.add", "evidence", item.id, None, None,
               {"sha256": sha, "filename": item.filename, "incident_id": incident_id, "size": len(raw),
                "media_type": item.media_type, "derivatives": {d.role + str(d.seq): d.sha256 for d in derivs},
                "warnings": [w["item_id"] for w in warnings]},
               None)
        return _record(item, derivs, inc, files)


# --- reading ------------------------------------------------------------------------------------------

def _session_of(session_or_db):  # noqa: ANN001, ANN202
    from contextlib import nullcontext
    return nullcontext(session_or_db) if hasattr(session_or_db, "execute") else session_or_db.session()


def _root_of(session_or_db) -> Path:  # noqa: ANN001
    if hasattr(session_or_db, "archive"):
        return evidence_root(session_or_db)
    db = session_or_db.info.get("harmwatch_db")
    if db is not None:
        return evidence_root(db)
    # a bare session: the archive folder the database's URL implies (HARMWATCH_ARCHIVE, else beside the
    # SQLite file); a Database opened with another archive_dir must be passed itself, or set
    # session.info["harmwatch_db"] = db
    from ..store.db import resolve_archive
    return resolve_archive(session_or_db.get_bind().url.render_as_string(hide_password=False)) / "evidence"


def items_for_incident(session_or_db, incident_id: str,  # noqa: ANN001
                       members: list[str] | None = None) -> list[EvidenceRecord]:
    """The evidence filed under this incident and under incidents merged into it (by their earliest
    claim), oldest first: paths of the original and thumbnail, hashes, media type, EXIF summary and
    comparison, recycled-media warnings. `members`: the incident's claim keys when the caller has them
    (the incident page): the incident is then read only if it has evidence."""
    files = FileStore(_root_of(session_or_db))
    with _session_of(session_or_db) as s:
        inc = None
        if members is None:
            inc = s.get(Incident, incident_id)
            members = list((inc.detail or {}).get("claims", [])) if inc else []
        cond = EvidenceItem.incident_id == incident_id
        if members:
            cond = cond | EvidenceItem.claim.in_(members)
        if inc is None and s.connection().execute(select(EvidenceItem.id).where(cond).limit(1)).first() is None:
            return []  # most incidents have no evidence: a Core probe, not an ORM query
        items = list(s.scalars(select(EvidenceItem).where(cond).order_by(EvidenceItem.id)))
        if items and inc is None:
            inc = s.get(Incident, incident_id)
        return _records(s, items, files, inc)


def _records(s, items: list[EvidenceItem], files: FileStore, inc: Incident | None = None) -> list[EvidenceRecord]:
    if not items:
        return []
    derivs: dict[int, list] = {}
    for d in s.scalars(select(EvidenceDerivative).where(EvidenceDerivative.item_id.in_([i.id for i in items]))):
        derivs.setdefault(d.item_id, []).append(d)
    incs = {inc.id: inc} if inc is not None else {}
    out = []
    for i in items:
        if i.incident_id not in incs:
            incs[i.incident_id] = s.get(Incident, i.incident_id)
        out.append(_record(i, derivs.get(i.id, []), incs[i.incident_id] or inc, files))
    return out


def list_items(db, incident_id: str | None = None) -> list[EvidenceRecord]:  # noqa: ANN001
    if incident_id:
        return items_for_incident(db, incident_id)
    with db.session() as s:
        return _records(s, list(s.scalars(select(EvidenceItem).order_by(EvidenceItem.id))), FileStore(evidence_root(db)))


def get(db, item_id: int) -> EvidenceRecord | None:  # noqa: ANN001
    with db.session() as s:
        item = s.get(EvidenceItem, item_id)
        return _records(s, [item], FileStore(evidence_root(db)))[0] if item else None


def record_custody(db, actor: str, action: str, item_ids: list[int], detail: dict | None = None,  # noqa: ANN001
                   reason: str | None = None) -> None:
    """One audit entry per item: evidence.view, evidence.export (detail: where it went)."""
    from ..audit.chain import append
    with db.session(write=True) as s:
        for i in item_ids:
            append(s, actor, action, "evidence", i, None, None, detail, reason)


# --- fixity -------------------------------------------------------------------------------------------

@dataclass
class FileProblem:
    item_id: int
    role: str  # original, thumbnail, keyframe
    path: str  # relative to the evidence folder
    expected: str
    found: str | None  # None: missing

    def __str__(self) -> str:
        what = "missing" if self.found is None else f"altered (sha256 now {self.found})"
        return f"item {self.item_id} {self.role} {self.path}: {what}; recorded sha256 {self.expected}"


@dataclass
class FixityReport:
    checked: int
    problems: list[FileProblem]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def altered(self) -> list[FileProblem]:
        return [p for p in self.problems if p.found is not None]

    @property
    def missing(self) -> list[FileProblem]:
        return [p for p in self.problems if p.found is None]


def verify(db, actor: str) -> FixityReport:  # noqa: ANN001
    """Re-hash every original and derivative against the SHA-256 recorded when it was filed, and
    record the check (what was checked, which files failed) in the audit chain."""
    files = FileStore(evidence_root(db))
    todo: list[tuple[int, str, str, str]] = []
    with db.session() as s:
        for i in s.scalars(select(EvidenceItem).order_by(EvidenceItem.id)):
            todo.append((i.id, "original", i.path, i.sha256))
        for d in s.scalars(select(EvidenceDerivative).order_by(EvidenceDerivative.item_id, EvidenceDerivative.id)):
            todo.append((d.item_id, d.role, d.path, d.sha256))
    problems = []
    for item_id, role, rel, expected in todo:
        p = files.root / rel
        try:
            found = sha256_file(p)
        except FileNotFoundError:
            found = None
        except OSError as e:
            raise StoreError(f"cannot read {p}: {e}") from e
        if found != expected:
            problems.append(FileProblem(item_id, role, rel, expected, found))
    report = FixityReport(len(todo), problems)
    from ..audit.chain import append
    with db.session(write=True) as s:
        append(s, actor, "evidence.verify", "evidence", None, None, None,
               {"checked": report.checked, "ok": report.ok,
                "altered": [p.path for p in report.altered], "missing": [p.path for p in report.missing]}, None)
    return report
