"""The manifest: a CSV giving each file its doc_id and the metadata the file may not state.

    file,doc_id,title,publisher,published,url,language
    amnesty-2022-02-25.txt,amnesty-2022-02-25,Russian military commits ...,Amnesty International,2022-02-25,https://...

`file` and `doc_id` are required; the other columns are optional and extra columns are
ignored. Relative `file` paths resolve against the manifest's folder. A malformed manifest
(missing column, empty or duplicate doc_id, duplicate file, unreadable CSV) is a
`ManifestError` naming the line: no batch starts with half its metadata wrong. A row naming
a file that does not exist is not an error here; ingest reports it as that file's failure.
`published` and `language` are kept as written and checked by the reader, so a bad date or
language code fails only its file. `language` (en, uk, ru, ...) overrides the language detected
from the text (ingest/language.py).

A `file` that resolves (symbolic links followed) outside the manifest's folder is not read:
ingest reports it as that row's failure, unless the caller allows it (`--follow-links`).
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import ManifestError

REQUIRED = ("file", "doc_id")
OPTIONAL = ("title", "publisher", "published", "url", "language")


@dataclass(frozen=True)
class ManifestRow:
    file: Path  # absolute (resolved against the manifest's folder)
    doc_id: str
    title: str | None = None
    publisher: str | None = None
    published: str | None = None  # as written; parsed by the reader
    url: str | None = None
    line: int = 0  # line in the CSV, for messages
    language: str | None = None  # as written; checked by the reader


class Manifest:
    def __init__(self, path: Path, rows: list[ManifestRow]):
        self.path = path
        self.rows = rows
        self._by_file = {_key(r.file): r for r in rows}

    def __iter__(self) -> Iterator[ManifestRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"Manifest({str(self.path)!r}, {len(self.rows)} rows)"

    def get(self, path: str | Path) -> ManifestRow | None:
        """The row for a file, whatever relative or absolute spelling of its path is given."""
        return self._by_file.get(_key(Path(path)))

    def files(self) -> list[Path]:
        return [r.file for r in self.rows]

    @property
    def folder(self) -> Path:
        return Path(os.path.abspath(self.path)).parent

    def outside(self, row: ManifestRow) -> bool:
        """True when the row's file, symbolic links followed, lies outside the manifest's folder."""
        return not inside(row.file, self.folder)


def inside(path: Path | str, folder: Path | str) -> bool:
    """True when `path`, symbolic links followed, is `folder` or lies under it."""
    root = os.path.realpath(folder)
    try:
        return os.path.commonpath([root, os.path.realpath(path)]) == root
    except ValueError:  # another drive (Windows)
        return False


def _key(path: Path) -> str:
    # normcase: the same file on a case-insensitive file system; abspath: no symlink surprises
    return os.path.normcase(os.path.abspath(path))


def load_manifest(csv_path: str | Path) -> Manifest:
    csv_path = Path(csv_path)
    try:
        with open(csv_path, encoding="utf-8-sig", newline="") as f:
            rows = _parse(csv_path, f)
    except FileNotFoundError as e:
        raise ManifestError(f"{csv_path}: manifest not found") from e
    except UnicodeDecodeError as e:
        raise ManifestError(f"{csv_path}: not UTF-8 text (undecodable bytes at offset {e.start})") from e
    except OSError as e:
        raise ManifestError(f"{csv_path}: cannot read the manifest: {e.strerror or e}") from e
    return Manifest(csv_path, rows)


def _parse(csv_path: Path, f) -> list[ManifestRow]:  # noqa: ANN001
    reader = csv.reader(f)
    try:
        header = next(reader, None)
        if header is None:
            raise ManifestError(f"{csv_path}: the manifest is empty (expected a header line: "
                                f"{','.join(REQUIRED + OPTIONAL)})")
        columns = [h.strip().lower() for h in header]
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise ManifestError(f"{csv_path}:1: missing required column(s) {', '.join(missing)} "
                                f"(the header must name {', '.join(REQUIRED)})")
        index = {c: columns.index(c) for c in REQUIRED + OPTIONAL if c in columns}
        rows: list[ManifestRow] = []
        seen_ids: dict[str, int] = {}
        seen_files: dict[str, int] = {}
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue  # blank lines are allowed
            row = _row(csv_path, values, index, line)
            for seen, key, what in ((seen_ids, row.doc_id, "doc_id"), (seen_files, _key(row.file), "file")):
                if key in seen:
                    raise ManifestError(f"{csv_path}:{line}: duplicate {what} "
                                        f"{getattr(row, what)!s} (first on line {seen[key]})")
                seen[key] = line
            rows.append(row)
    except csv.Error as e:
        raise ManifestError(f"{csv_path}:{reader.line_num}: malformed CSV: {e}") from e
    return rows


def _row(csv_path: Path, values: list[str], index: dict[str, int], line: int) -> ManifestRow:
    def get(col: str) -> str | None:
        i = index.get(col)
        v = values[i].strip() if i is not None and i < len(values) else ""
        return v or None

    file, doc_id = get("file"), get("doc_id")
    if not file:
        raise ManifestError(f"{csv_path}:{line}: empty \"file\"")
    if not doc_id:
        raise ManifestError(f"{csv_path}:{line}: empty \"doc_id\" for {file}")
    path = Path(file).expanduser()
    if not path.is_absolute():
        path = csv_path.parent / path
    return ManifestRow(file=Path(os.path.abspath(path)), doc_id=doc_id, title=get("title"),
                       publisher=get("publisher"), published=get("published"), url=get("url"), line=line,
                       language=get("language"))
