"""Batch ingestion: find files, read them, store each document in its own transaction.

A bad file (or a bad record of a .jsonl file) becomes a `Failure` in the report and the
batch goes on; documents stored before it stay stored. Only a database that cannot be
written at all (locked for too long, disk full) stops the batch, with a StoreError.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import HarmWatchError, InputError, StoreError
from ..records import DocumentIn
from ..store.writer import NEW, NEW_VERSION, UNCHANGED, Extractor, StoredDoc, ingest_document, is_fatal
from .manifest import Manifest, ManifestRow, load_manifest
from .readers import SUPPORTED, iter_documents

MANIFEST_NAME = "manifest.csv"
Progress = Callable[[int, int, Path], None]  # (total files, files done, file just done)


@dataclass(frozen=True)
class Failure:
    path: str
    message: str  # names the file (and line) itself, so it can be shown alone


@dataclass
class IngestReport:
    new: int = 0
    unchanged: int = 0
    new_version: int = 0
    failed: list[Failure] = field(default_factory=list)
    sources: list[StoredDoc] = field(default_factory=list)  # every document stored or found, in order

    def add(self, stored: StoredDoc) -> None:
        self.sources.append(stored)
        attr = {NEW: "new", UNCHANGED: "unchanged", NEW_VERSION: "new_version"}[stored.status]
        setattr(self, attr, getattr(self, attr) + 1)

    def fail(self, path: Path | str, message: str) -> None:
        self.failed.append(Failure(str(path), message))


# --- finding files ---------------------------------------------------------------------------

def discover(paths: Iterable[str | Path] | None, manifest: Manifest | None = None) -> Iterator[Path]:
    """Files to ingest, each once: named files as given (even unsupported or missing ones, so
    they are reported), folders walked recursively in sorted order skipping hidden entries,
    manifest.csv files and unsupported extensions. No paths: the manifest's files in its order."""
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in (paths or [])]
    seen: set[str] = set()
    skip = {_key(manifest.path)} if manifest is not None else set()
    candidates: Iterable[Path] = manifest.files() if (not paths and manifest is not None) else _walk_all(paths)
    for p in candidates:
        k = _key(p)
        if k not in seen and k not in skip:
            seen.add(k)
            yield p
    if paths and manifest is not None:
        # Listed files that do not exist: report them too, wherever the manifest points, so a
        # manifest that matches nothing never passes silently.
        for p in manifest.files():
            k = _key(p)
            if k not in seen and not p.exists():
                seen.add(k)
                yield p


def _walk_all(paths: list[Path]) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            yield from _walk(p)
        else:
            yield p


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # prune hidden folders (.git)
        for name in sorted(files):
            if name.startswith(".") or name.lower() == MANIFEST_NAME:
                continue
            if Path(name).suffix.lower() in SUPPORTED:
                yield Path(root) / name


def _key(p: Path) -> str:
    return os.path.normcase(os.path.abspath(p))


# --- ingesting -------------------------------------------------------------------------------

def ingest(paths: Iterable[str | Path] | None, db, manifest: Manifest | str | Path | None = None,
           extractor: Extractor | None = None, on_progress: Progress | None = None,
           reextract: bool = False) -> IngestReport:
    """Store every document found under `paths` (or listed in `manifest`), one transaction each.

    `manifest` may be a loaded Manifest or the path of one (a malformed manifest raises
    ManifestError before anything is stored). `on_progress(total, done, path)` is called after
    each file. Raises StoreError only when the database itself cannot be written.
    """
    if manifest is not None and not isinstance(manifest, Manifest):
        manifest = load_manifest(manifest)
    files = list(discover(paths, manifest))
    report = IngestReport()
    batch_ids: dict[str, str] = {}  # doc_id -> file that used it in this batch
    for done, path in enumerate(files, 1):
        row = manifest.get(path) if manifest is not None else None
        _ingest_file(path, row, manifest, db, extractor, reextract, report, batch_ids)
        if on_progress is not None:
            on_progress(len(files), done, path)
    return report


def _ingest_file(path: Path, row: ManifestRow | None, manifest: Manifest | None, db, extractor: Extractor | None,
                 reextract: bool, report: IngestReport, batch_ids: dict[str, str]) -> None:
    if row is not None and not path.exists():
        report.fail(path, f"{path}: listed on line {row.line} of {manifest.path} but the file does not exist")
        return
    try:
        for item in iter_documents(path, row):  # whole-file problems raise from here
            if isinstance(item, InputError):
                report.fail(path, str(item))
            else:
                _ingest_one(path, item, db, extractor, reextract, report, batch_ids)
    except InputError as e:
        report.fail(path, str(e))


def _ingest_one(path: Path, doc: DocumentIn, db, extractor: Extractor | None, reextract: bool,
                report: IngestReport, batch_ids: dict[str, str]) -> None:
    other = batch_ids.get(doc.doc_id)
    if other is not None:
        # Two documents, one doc_id (two report.txt in different folders, a repeated record id):
        # storing the second would silently make it a "new version" of the first.
        report.fail(path, f"{path}: doc_id {doc.doc_id!r} is already used by {other} in this batch; "
                          "give each document its own doc_id (manifest or record)")
        return
    batch_ids[doc.doc_id] = str(path)
    try:
        report.add(ingest_document(db, doc, extractor, reextract=reextract))
    except StoreError as e:
        if is_fatal(e):
            raise
        report.fail(path, f"{path}: {e}")
    except HarmWatchError as e:  # extraction failed for this document
        report.fail(path, f"{path}: {doc.doc_id}: {e}")
