"""Content-addressed store of the raw bytes of every ingested document.

A document's bytes live at ``<root>/<first two hex digits>/<sha256 hex>``, so identical bytes
are stored once whatever their doc_id, and a path never changes meaning. Writes go to a
temporary file in the same folder, are fsynced, then renamed over the final name with
``os.replace`` (atomic on POSIX and Windows): a reader or a crash never sees half a file.
The batch writer puts files without the per-file fsync and calls ``sync()`` once before its
commit (``syncfs`` on Linux); a file found in place is compared byte for byte before it is reused.
A crash can leave a stray ``.tmp-*`` file behind; it is never mistaken for content and
``sweep_temp()`` removes it once it is old.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

from ..errors import StoreError

TEMP_PREFIX = ".tmp-"
_HEX_DIGITS = frozenset("0123456789abcdef")
FOLDER_MODE = 0o700  # new archive folders; content files get 0600 from tempfile.mkstemp


def sha256_hex(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def relpath_for(sha256: str) -> str:
    """The archive-relative path of the bytes with this hash (always with "/")."""
    return f"{sha256[:2]}/{sha256}"


class Archive:
    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._unsynced: list[Path] = []  # written with put(sync=False), not yet made durable by sync()

    def __repr__(self) -> str:
        return f"Archive({str(self.root)!r})"

    def path(self, sha256: str) -> Path:
        sha256 = sha256.lower()
        if len(sha256) != 64 or not _HEX_DIGITS.issuperset(sha256):
            raise StoreError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put(self, raw: bytes, sync: bool = True) -> tuple[str, str]:
        """Store `raw`; return (sha256 hex, archive-relative path). Same bytes twice: no-op.

        `sync=False`: the file is written and renamed into place but not yet forced to disk; the
        caller calls `sync()` before it commits rows that point at it (the batch writer does, once
        per batch instead of two fsyncs per file)."""
        digest = sha256_hex(raw)
        final = self.path(digest)
        # A file at the final name was renamed there whole; its bytes are compared too, since a file
        # renamed before it was synced may be empty or zeroed after a power loss.
        if final.is_file() and final.stat().st_size == len(raw) and final.read_bytes() == raw:
            if not sync:  # (a killed writer may have left it unsynced: it is synced with the batch)
                self._unsynced.append(final)
            return digest, relpath_for(digest)
        try:
            try:
                self._write_atomic(final, raw, sync)
            except FileNotFoundError:  # its folder does not exist yet (nothing was written)
                # Owner only, like the database (store/db.py): folders 0700, files 0600 (mkstemp's mode).
                self.root.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
                final.parent.mkdir(exist_ok=True, mode=FOLDER_MODE)
                self._write_atomic(final, raw, sync)
        except OSError as e:
            raise StoreError(f"cannot write to the archive {self.root}: {e}") from e
        if not sync:
            self._unsynced.append(final)
        return digest, relpath_for(digest)

    def sync(self) -> None:
        """Make every file written with `put(sync=False)` durable, with its folder entry.

        Linux: one syncfs() of the archive's file system; elsewhere an fsync per file and folder."""
        if not self._unsynced:
            return
        files, self._unsynced = self._unsynced, []
        try:
            if _syncfs(self.root):
                return
            for f in files:
                fd = os.open(f, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            for folder in {f.parent for f in files}:
                _fsync_dir(folder)
        except OSError as e:
            raise StoreError(f"cannot write to the archive {self.root}: {e}") from e

    def get(self, sha256: str) -> bytes:
        p = self.path(sha256)
        try:
            return p.read_bytes()
        except FileNotFoundError as e:
            raise StoreError(f"archive {self.root} has no file for {sha256}") from e
        except OSError as e:
            raise StoreError(f"cannot read {p}: {e}") from e

    def __contains__(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def files(self) -> list[Path]:
        """Every stored content file (temporary files excluded), sorted."""
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.glob("??/*") if p.is_file() and not p.name.startswith(TEMP_PREFIX))

    def sweep_temp(self, older_than_s: float = 3600.0) -> int:
        """Remove temporary files a killed writer left behind; returns how many.

        Only files older than `older_than_s`: a younger one may belong to a writer still running.
        """
        n, now = 0, time.time()
        for p in self.root.glob(f"??/{TEMP_PREFIX}*") if self.root.is_dir() else ():
            try:
                if now - p.stat().st_mtime >= older_than_s:
                    p.unlink()
                    n += 1
            except OSError:
                pass  # gone already
        return n

    @staticmethod
    def _write_atomic(final: Path, raw: bytes, sync: bool = True) -> None:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=final.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(raw)
                if sync:
                    f.flush()
                    os.fsync(f.fileno())
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if sync:
            _fsync_dir(final.parent)


def _syncfs(folder: Path) -> bool:
    """syncfs(2) on the file system holding `folder`; False where there is no such call."""
    if _LIBC is None or not hasattr(_LIBC, "syncfs"):
        return False
    fd = os.open(folder, os.O_RDONLY)
    try:
        if _LIBC.syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
    finally:
        os.close(fd)
    return True


try:
    _LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
except OSError:  # no C library to load: fsync per file instead
    _LIBC = None


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); not possible on every platform, hence best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
