"""Batch ingestion: find files, read them, extract, store them a batch per transaction.

read (here) -> plan + extract (`executors`: this process or Dask workers) -> write_batch (here,
one transaction per `HARMWATCH_INGEST_BATCH` documents, in the order read). A run killed at
any point keeps every batch committed before; a re-run finds those unchanged and stores the rest.

A bad file (or a bad record of a .jsonl file) becomes a `Failure` in the report and the
batch goes on; documents stored before it stay stored. That holds for any exception a file
raises (a JSON file nested 100,000 levels deep, a file name that is not UTF-8), not only
InputError. Only a database that cannot be written at all (locked for too long, disk full)
stops the batch, with a StoreError.

Ingest stays inside the folders it is given: a symbolic link found there that points outside
is skipped with a `Notice`, and a manifest row whose file resolves outside the manifest's
folder fails, unless `follow_links=True` (`harmwatch ingest --follow-links`). A file of an
unsupported type gets the same message whether it is named (a failure) or found in a folder
(a notice). A document in a language the extractor has no rules for is stored without claims,
with a notice.
"""
from __future__ import annotations

import gc
import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import HarmWatchError, InputError, StoreError
from ..records import DocumentIn
from ..store.writer import (NEW, NEW_VERSION, UNCHANGED, Extracted, ExtractionFailed, Extractor, StoredDoc,
                            is_fatal, plan, write_batch)
from .executors import Executor, LocalExecutor, Pending
from .language import EXTRACTION_LANGUAGES, UNDETERMINED
from .manifest import Manifest, ManifestRow, inside, load_manifest
from .readers import SUPPORTED, display_path, iter_documents, unsupported_message

MANIFEST_NAME = "manifest.csv"
Progress = Callable[[int, int, Path], None]  # (total files, files done, file just done)
OnSkip = Callable[[Path, str], None]  # (file or folder not ingested, message naming it)


@dataclass(frozen=True)
class Failure:
    path: str
    message: str  # names the file (and line) itself, so it can be shown alone


@dataclass(frozen=True)
class Notice:
    """Something the user should know that is not a failure: a file skipped, a document stored
    without claims."""
    path: str
    message: str  # names the file itself, so it can be shown alone
    kind: str = "skipped"  # "skipped" (not read) or "language" (stored, not extracted)


@dataclass
class IngestReport:
    new: int = 0
    unchanged: int = 0
    new_version: int = 0
    failed: list[Failure] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    sources: list[StoredDoc] = field(default_factory=list)  # every document stored or found, in order

    def add(self, stored: StoredDoc) -> None:
        self.sources.append(stored)
        attr = {NEW: "new", UNCHANGED: "unchanged", NEW_VERSION: "new_version"}[stored.status]
        setattr(self, attr, getattr(self, attr) + 1)

    def fail(self, path: Path | str, message: str) -> None:
        self.failed.append(Failure(display_path(path), message))

    def note(self, path: Path | str, message: str, kind: str = "skipped") -> None:
        self.notices.append(Notice(display_path(path), message, kind))


# --- finding files ---------------------------------------------------------------------------

def discover(paths: Iterable[str | Path] | None, manifest: Manifest | None = None, *,
             follow_links: bool = False, on_skip: OnSkip | None = None) -> Iterator[Path]:
    """Files to ingest, each once: named files as given (even unsupported or missing ones, so
    they are reported), folders walked recursively in sorted order skipping hidden entries and
    manifest.csv files. No paths: the manifest's files in its order.

    In a folder, files of an unsupported type and symbolic links pointing outside the folder
    (unless `follow_links`) are not yielded: `on_skip(path, message)` hears of each."""
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in (paths or [])]
    seen: set[str] = set()
    skip = {_key(manifest.path)} if manifest is not None else set()
    on_skip = on_skip or (lambda _path, _message: None)
    candidates: Iterable[Path] = (manifest.files() if (not paths and manifest is not None)
                                  else _walk_all(paths, follow_links, on_skip))
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


def _walk_all(paths: list[Path], follow_links: bool, on_skip: OnSkip) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            yield from _walk(p, follow_links, on_skip)
        else:
            yield p


def _walk(folder: Path, follow_links: bool, on_skip: OnSkip) -> Iterator[Path]:
    visited: set[str] = set()  # real paths of the folders walked: links cannot make a loop

    def unreadable(e: OSError) -> None:
        on_skip(Path(e.filename or folder), f"{display_path(e.filename or folder)}: cannot read the folder "
                                            f"({e.strerror or e}); skipped")

    for root, dirs, files in os.walk(folder, onerror=unreadable, followlinks=follow_links):
        real = os.path.realpath(root)
        if real in visited:
            dirs[:] = []
            continue
        visited.add(real)
        keep = []
        for d in sorted(dirs):
            if d.startswith("."):
                continue  # hidden folders (.git)
            p = Path(root) / d
            if p.is_symlink() and not follow_links:
                if not inside(p, folder):
                    on_skip(p, _outside_message(p, folder, "folder"))
                continue  # (os.walk would not enter it; a link inside points at what is walked anyway)
            keep.append(d)
        dirs[:] = keep
        for name in sorted(files):
            if name.startswith(".") or name.lower() == MANIFEST_NAME:
                continue
            p = Path(root) / name
            if not follow_links and p.is_symlink() and not inside(p, folder):
                on_skip(p, _outside_message(p, folder, "file"))
            elif Path(name).suffix.lower() not in SUPPORTED:
                on_skip(p, unsupported_message(p))
            else:
                yield p


def _outside_message(link: Path, folder: Path, what: str) -> str:
    return (f"{display_path(link)}: symbolic link to a {what} outside {display_path(folder)} "
            f"({display_path(os.path.realpath(link))}); skipped (--follow-links follows it)")


def _key(p: Path) -> str:
    return os.path.normcase(os.path.abspath(p))


# --- ingesting -------------------------------------------------------------------------------

def ingest(paths: Iterable[str | Path] | None, db, manifest: Manifest | str | Path | None = None,
           extractor: Extractor | None = None, on_progress: Progress | None = None,
           reextract: bool = False, follow_links: bool = False, executor: Executor | None = None,
           batch_size: int | None = None) -> IngestReport:
    """Store every document found under `paths` (or listed in `manifest`), `batch_size` documents
    (default: the ingest-batch setting) per transaction.

    `manifest` may be a loaded Manifest or the path of one (a malformed manifest raises
    ManifestError before anything is stored). `on_progress(total, done, path)` is called after
    each file is read. `follow_links`: follow symbolic links out of the folders given, and read
    manifest files outside the manifest's folder. `executor`: where extraction runs
    (`executors.LocalExecutor` by default, `DaskExecutor` for a cluster); the caller closes it.
    Raises StoreError only when the database itself cannot be written.
    """
    if manifest is not None and not isinstance(manifest, Manifest):
        manifest = load_manifest(manifest)
    report = IngestReport()
    files = list(discover(paths, manifest, follow_links=follow_links, on_skip=report.note))
    batch_ids: dict[str, str] = {}  # doc_id -> file that used it in this batch
    batches = _Batches(db, extractor, reextract, report, executor or LocalExecutor(), _batch_size(batch_size))
    for done, path in enumerate(files, 1):
        row = manifest.get(path) if manifest is not None else None
        _ingest_file(path, row, manifest, batches, extractor, follow_links, report, batch_ids)
        batches.submit_full()
        if on_progress is not None:
            on_progress(len(files), done, path)
    batches.finish()
    return report


def _batch_size(explicit: int | None) -> int:
    from .. import settings
    n = explicit if explicit is not None else settings.INGEST_BATCH.number()
    if n is None or n < 1 or int(n) != n:
        raise InputError(f"{settings.INGEST_BATCH.env}: the ingest batch must be a whole number >= 1, not {n!r}")
    return int(n)


@dataclass
class _Queued:
    path: Path
    doc: DocumentIn
    extracting: bool  # the extractor reads its language


class _Batches:
    """Documents read, waiting to be planned, extracted (by the executor) and written in order."""

    def __init__(self, db, extractor: Extractor | None, reextract: bool, report: IngestReport,
                 executor: Executor, size: int):
        self.db, self.extractor, self.reextract, self.report = db, extractor, reextract, report
        self.executor, self.size = executor, size
        self.pending: list[_Queued] = []
        self.in_flight: deque[tuple[list[_Queued], list[tuple[str, bool]], Pending | None]] = deque()

    def add(self, q: _Queued) -> None:
        self.pending.append(q)

    def submit_full(self) -> None:
        if len(self.pending) >= self.size:
            self._submit()

    def finish(self) -> None:
        self._submit()
        while self.in_flight:
            self._write_oldest()

    def _submit(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        extracting = [q for q in batch if q.extracting]
        plans = plan(self.db, [q.doc for q in extracting], self.reextract)
        todo = [(q.doc, text) for q, (text, wanted) in zip(extracting, plans) if wanted]
        self.in_flight.append((batch, plans, self.executor.submit(todo, self.extractor) if todo else None))
        while len(self.in_flight) > self.executor.max_in_flight:
            self._write_oldest()

    def _write_oldest(self) -> None:
        batch, plans, pending = self.in_flight.popleft()
        try:
            extracted = iter(pending.result() if pending is not None else ())
        except Exception as e:  # noqa: BLE001 - e.g. Dask's KilledWorker after a task's allowed failures
            # the executor gave up on this batch: its documents fail (not stored; a re-run stores them)
            lost = ExtractionFailed(f"the {type(self.executor).__name__} lost this batch ({type(e).__name__}: {e})")
            extracted = iter([lost] * sum(wanted for _, wanted in plans))
        planned = iter(plans)
        results: list[StoredDoc | HarmWatchError | None] = []
        items: list[Extracted] = []
        for q in batch:
            if not q.extracting:
                item: Extracted | HarmWatchError = Extracted(q.doc, q.doc.text)
            else:
                text, wanted = next(planned)
                got = next(extracted) if wanted else None
                item = got if isinstance(got, HarmWatchError) else Extracted(q.doc, text, got, True)
            if isinstance(item, HarmWatchError):
                results.append(item)  # extraction failed: this document only
            else:
                results.append(None)
                items.append(item)
        try:
            written = iter(write_batch(self.db, items, self.extractor, self.reextract))
        except StoreError:
            raise  # fatal: the database cannot be written (write_batch returns the others)
        except Exception as e:  # noqa: BLE001 - a writer bug must be reported, not end the run silently
            written = iter([StoreError(f"cannot store ({type(e).__name__}: {e})")] * len(items))
        for q, r in zip(batch, results):
            r = next(written) if r is None else r
            if isinstance(r, StoreError):
                self.report.fail(q.path, f"{q.path}: {r}")
            elif isinstance(r, HarmWatchError):
                self.report.fail(q.path, f"{q.path}: {q.doc.doc_id}: {r}")
            else:
                self.report.add(r)
        settle_long_lived()


_SETTLED = False


def settle_long_lived() -> None:
    """Once per process, after its first written batch: move every object alive then out of the
    cyclic garbage collector's sight (`gc.collect()`, then `gc.freeze()`), as `Gazetteer.default()`
    does for the gazetteer when it loads. By the end of a first batch the rest of what a run keeps for
    its whole life is loaded too: the extraction modules and their compiled rules (imported lazily),
    SQLAlchemy's mappers and compiled statements. Otherwise each full collection, which a run
    triggers about once per batch (the batch in flight outlives two younger collections), walks
    those tens of thousands of objects again (about 0.2 ms of CPU per document). Nothing is collected
    differently: garbage is collected first, and frozen objects are still freed by reference
    counting; only cycles among them would wait. (A Dask worker calls it once its extractor is
    loaded and has read a first text, `dask_worker.WarmExtractor`.)"""
    global _SETTLED
    if _SETTLED:
        return
    _SETTLED = True
    if gc.isenabled():
        gc.collect()
        gc.freeze()


def _ingest_file(path: Path, row: ManifestRow | None, manifest: Manifest | None, batches: _Batches,
                 extractor: Extractor | None, follow_links: bool, report: IngestReport,
                 batch_ids: dict[str, str]) -> None:
    shown = display_path(path)
    if shown != str(path):  # undecodable bytes in the name: no doc_id, path or message could hold it
        report.fail(path, f"{shown}: the file name is not valid UTF-8 (undecodable bytes shown as \\xNN); "
                          "rename the file")
        return
    if row is not None and not follow_links and manifest.outside(row):
        report.fail(path, f"{path}: listed on line {row.line} of {manifest.path} but resolves outside the "
                          f"manifest's folder {manifest.folder} (to {os.path.realpath(path)}); not read "
                          "(--follow-links allows it)")
        return
    if row is not None and not path.exists():
        report.fail(path, f"{path}: listed on line {row.line} of {manifest.path} but the file does not exist")
        return
    try:
        for item in iter_documents(path, row):  # whole-file problems raise from here
            if isinstance(item, InputError):
                report.fail(path, str(item))
            else:
                _ingest_one(path, item, batches, extractor, report, batch_ids)
    except InputError as e:
        report.fail(path, str(e))
    except StoreError as e:
        if is_fatal(e):
            raise
        report.fail(path, f"{path}: {e}")
    except Exception as e:  # noqa: BLE001 - one file's unexpected error must not end the batch
        report.fail(path, f"{path}: cannot ingest this file ({type(e).__name__}: {e}); the rest of the "
                          "batch goes on")


def _ingest_one(path: Path, doc: DocumentIn, batches: _Batches, extractor: Extractor | None,
                report: IngestReport, batch_ids: dict[str, str]) -> None:
    other = batch_ids.get(doc.doc_id)
    if other is not None:
        # Two documents, one doc_id (two report.txt in different folders, a repeated record id):
        # storing the second would silently make it a "new version" of the first.
        report.fail(path, f"{path}: doc_id {doc.doc_id!r} is already used by {other} in this batch; "
                          "give each document its own doc_id (manifest or record)")
        return
    batch_ids[doc.doc_id] = str(path)
    languages = getattr(extractor, "languages", EXTRACTION_LANGUAGES)
    extracting = extractor is not None
    if extracting and doc.language not in languages:
        # The rules would find nothing (or nonsense) in it: store it, say so; a later extractor that
        # reads this language extracts it (it is stored as not extracted).
        what = ("language not determined (no clear English, Ukrainian or Russian text)"
                if doc.language == UNDETERMINED else "no extraction rules for this language yet")
        report.note(path, f"{path}: {doc.doc_id}: {doc.language}: {what}; stored, 0 claims", kind="language")
        extracting = False
    batches.add(_Queued(path, doc, extracting))
