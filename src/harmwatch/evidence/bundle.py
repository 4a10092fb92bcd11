"""Case-file bundles: one zip with an incident's evidence, its claims and quotes, a manifest,
SHA256SUMS and the audit excerpt, which `verify_bundle` checks with nothing but the zip.

Layout of the zip::

    manifest.json                 what is in it: incidents, evidence items (metadata, EXIF comparison,
                                  recycled-media warnings), every file with its SHA-256
    incidents/<incident id>.json  the resolved incident with every claim, its quotes and passage
    evidence/originals/<sha256>.<ext>    the files as filed
    evidence/derivatives/<sha256>.<ext>  thumbnails, video keyframes
    audit.jsonl                   the audit entries about these incidents and evidence items (with
                                  their chain hashes, so they can be checked against the database)
    SHA256SUMS                    "<sha256>  <member>" for every other member (sha256sum -c format)

Each evidence item exported gets an ``evidence.export`` custody entry recording the bundle's file
name, its SHA-256 and the SHA-256 of its SHA256SUMS, so a bundle rewritten as a whole (files and
sums together) no longer matches what the audit chain says was exported.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from ..errors import HarmWatchError, InputError, StoreError
from ..store.models import AuditEntry
from . import media, store

FORMAT = "harmwatch-case-bundle/1"
SUMS = "SHA256SUMS"


class BundleError(HarmWatchError):
    """A bundle cannot be written, or a file given to verify is not a bundle."""


@dataclass
class BundleResult:
    path: Path
    sha256: str  # of the zip
    sums_sha256: str  # of its SHA256SUMS
    incidents: list[str]
    items: int
    files: int


def _json(data) -> bytes:  # noqa: ANN001
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n").encode()


def _audit_excerpt(db, incident_ids: list[str], item_ids: list[int]) -> list[dict]:  # noqa: ANN001
    from ..resolve.service import history
    seen: dict[int, dict] = {}
    for iid in incident_ids:
        for e in history(db, iid):
            seen[e["id"]] = {**e, "target_type": "incident"}
    with db.session() as s:
        q = select(AuditEntry).where(AuditEntry.target_type == "evidence",
                                     AuditEntry.target_id.in_([str(i) for i in item_ids]))
        for e in s.scalars(q):
            seen[e.id] = {"id": e.id, "at": e.at.isoformat() if e.at else None, "actor": e.actor, "action": e.action,
                          "target_type": e.target_type, "target_id": e.target_id, "field": e.field, "old": e.old,
                          "new": e.new, "reason": e.reason, "prev_hash": e.prev_hash, "hash": e.hash}
    return [seen[k] for k in sorted(seen)]


def write_bundle(db, incident_ids: list[str], out: Path, *, actor: str) -> BundleResult:  # noqa: ANN001
    """Write the case file for these incidents to `out` (a new zip; written to a temporary file and
    renamed, so a reader never sees half a bundle) and record the export in the audit chain."""
    from ..resolve.service import ResolutionError, show
    if not incident_ids:
        raise BundleError("name at least one incident (see `harmwatch incidents`)")
    incidents = {}
    for iid in dict.fromkeys(incident_ids):
        try:
            incidents[iid] = show(db, iid)
        except ResolutionError as e:
            raise BundleError(str(e)) from e
    items = []
    for iid in incidents:
        items += [r for r in store.items_for_incident(db, iid) if r.id not in {x.id for x in items}]
    members: dict[str, bytes | Path] = {}
    ev_manifest = []
    for r in items:
        ext = media.EXT.get(r.media_type, "bin")
        orig = f"evidence/originals/{r.sha256}.{ext}"
        members[orig] = r.path
        derivs = []
        for d in r.derivatives:
            name = f"evidence/derivatives/{d.sha256}.{media.EXT.get(d.media_type, 'bin')}"
            members[name] = d.path
            derivs.append({"role": d.role, "seq": d.seq, "sha256": d.sha256, "file": name})
        ev_manifest.append({**{k: v for k, v in r.to_json().items() if k not in ("path", "thumbnail", "derivatives",
                                                                               "status")},
                            "file": orig, "derivatives": derivs})
    for iid, data in incidents.items():
        members[f"incidents/{iid}.json"] = _json(data)
    members["audit.jsonl"] = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True, default=str) + "\n"
                                     for e in _audit_excerpt(db, list(incidents), [r.id for r in items])).encode()
    digests: dict[str, str] = {}
    for name, body in members.items():
        if isinstance(body, Path):
            try:
                digests[name] = store.sha256_file(body)
            except OSError as e:
                raise BundleError(f"evidence file {body} cannot be read ({e}); run `harmwatch evidence verify`") from e
        else:
            digests[name] = hashlib.sha256(body).hexdigest()
    for entry in ev_manifest:  # never bundle a file that is not what was filed
        if digests[entry["file"]] != entry["sha256"]:
            raise BundleError(f"evidence item {entry['id']} ({entry['filename']}) no longer matches its recorded "
                              f"SHA-256; run `harmwatch evidence verify`")
    manifest = {"format": FORMAT, "created_at": datetime.now(timezone.utc).isoformat(), "created_by": actor,
                "incidents": list(incidents), "evidence": ev_manifest, "files": dict(sorted(digests.items()))}
    members["manifest.json"] = _json(manifest)
    digests["manifest.json"] = hashlib.sha256(members["manifest.json"]).hexdigest()
    sums = "".join(f"{digests[n]}  {n}\n" for n in sorted(digests)).encode()
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".zip", dir=out.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
                    for name in sorted(members):
                        body = members[name]
                        if isinstance(body, Path):
                            z.write(body, name)
                        else:
                            z.writestr(name, body)
                    z.writestr(SUMS, sums)
                f.flush()
                os.fsync(f.fileno())
            zip_sha = store.sha256_file(Path(tmp))
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise StoreError(f"cannot write the bundle {out}: {e}") from e
    sums_sha = hashlib.sha256(sums).hexdigest()
    if items:
        store.record_custody(db, actor, "evidence.export", [r.id for r in items],
                             {"bundle": out.name, "zip_sha256": zip_sha, "sha256sums_sha256": sums_sha,
                              "incidents": list(incidents)})
    return BundleResult(out, zip_sha, sums_sha, list(incidents), len(items), len(members) + 1)


# --- verification (no database needed) ---------------------------------------------------------------

@dataclass
class BundleReport:
    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)  # one line per altered, missing or unlisted file
    sums_sha256: str | None = None  # compare with the evidence.export entry in the audit chain


def verify_bundle(path: Path) -> BundleReport:
    """Check every member of the zip against SHA256SUMS, and manifest.json against both; name every
    altered, missing or unlisted file. Needs only the zip."""
    try:
        z = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as e:
        raise BundleError(f"{path}: not a readable zip file: {e}") from e
    with z:
        names = [i.filename for i in z.infolist() if not i.is_dir()]
        if SUMS not in names:
            raise BundleError(f"{path}: no {SUMS} in it, so it is not a HarmWatch bundle")
        try:
            sums_raw = z.read(SUMS)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as e:
            return BundleReport(False, 0, [f"{SUMS}: altered (its bytes fail the zip's own checksum: {e})"])
        expected: dict[str, str] = {}
        problems = []
        for n, line in enumerate(sums_raw.decode("utf-8", "replace").splitlines(), 1):
            digest, sep, name = line.partition("  ")
            if not sep or len(digest) != 64:
                problems.append(f"{SUMS} line {n}: not '<sha256>  <file>'")
                continue
            expected[name] = digest
        found: dict[str, str] = {}
        for name in names:
            if name == SUMS:
                continue
            try:
                found[name] = hashlib.sha256(z.read(name)).hexdigest()
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as e:
                problems.append(f"{name}: altered (its bytes fail the zip's own checksum or cannot be unpacked: {e})")
                found[name] = "?"
                continue
            if name not in expected:
                problems.append(f"{name}: not listed in {SUMS} (added after the bundle was made)")
            elif found[name] != expected[name]:
                problems.append(f"{name}: altered (sha256 {found[name]}, {SUMS} says {expected[name]})")
        for name in sorted(set(expected) - set(found)):
            problems.append(f"{name}: missing (listed in {SUMS})")
        if "manifest.json" in found and found["manifest.json"] == expected.get("manifest.json"):
            try:
                manifest = json.loads(z.read("manifest.json"))
                for name, digest in manifest.get("files", {}).items():
                    if expected.get(name) not in (None, digest):
                        problems.append(f"{name}: manifest.json and {SUMS} disagree")
            except (ValueError, InputError) as e:
                problems.append(f"manifest.json: not JSON ({e})")
    return BundleReport(not problems, len(found), problems, hashlib.sha256(sums_raw).hexdigest())
