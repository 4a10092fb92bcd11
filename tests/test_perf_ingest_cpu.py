"""CPU cuts of the ingest path (issue 10, parts 3 and 6): each changes how much work is done, never
what is stored.

- after a process's first written batch, what exists then leaves the garbage collector's full
  collections (`ingest.pipeline.settle_long_lived`): objects made later are still collected;
- the dask executor cuts each batch into one task per worker by default;
- the archive creates its folders when a write finds them missing (modes as before) and checks a
  digest's hex digits with one set test (same errors).
"""
from __future__ import annotations

import gc
import os
import stat
import weakref
from pathlib import Path

import pytest

from harmwatch.errors import StoreError
from harmwatch.ingest import ingest, pipeline
from harmwatch.store.archive import FOLDER_MODE, Archive, sha256_hex
from harmwatch.store.db import Database


def _corpus(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        (folder / f"r{i}.txt").write_text(
            f"A missile hit a school in Kharkiv on Monday, killing {i + 2} civilians, police said.\n", encoding="utf-8")
    return folder


class _Node:
    def __init__(self):
        self.other = None


def test_objects_made_after_the_first_batch_are_still_collected(tmp_path, new_db_url):
    db = Database.open(new_db_url("gc.db"))
    report = ingest([_corpus(tmp_path / "c", 5)], db, batch_size=2)
    assert report.new == 5 and not report.failed
    assert pipeline._SETTLED  # the first written batch settled this process
    frozen = gc.get_freeze_count()
    assert frozen > 0
    # a reference cycle made now is garbage the collector still finds
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    assert gone() is None
    # and a second run does not freeze again (once per process)
    again = ingest([_corpus(tmp_path / "d", 3)], db, batch_size=2)
    assert again.unchanged == 3 and not again.failed  # (the same files again: stored once)
    leftover = [_Node() for _ in range(1000)]  # noqa: F841 - alive now, would be frozen by a second settle
    pipeline.settle_long_lived()
    assert gc.get_freeze_count() == frozen  # nothing more was frozen
    assert pipeline._SETTLED


def test_settle_leaves_a_disabled_collector_alone(monkeypatch):
    monkeypatch.setattr(pipeline, "_SETTLED", False)
    before = gc.get_freeze_count()
    gc.disable()
    try:
        pipeline.settle_long_lived()
        assert gc.get_freeze_count() == before
        assert pipeline._SETTLED
    finally:
        gc.enable()


# --- the archive --------------------------------------------------------------------------------

def test_archive_creates_missing_folders_with_owner_only_modes(tmp_path):
    root = tmp_path / "deep" / "archive"
    archive = Archive(root)
    raw = b"report one\n"
    digest, rel = archive.put(raw, sync=False)
    archive.sync()
    assert (root / rel).read_bytes() == raw and digest == sha256_hex(raw)
    assert stat.S_IMODE(os.stat(root).st_mode) == FOLDER_MODE & ~_umask()
    assert stat.S_IMODE(os.stat(root / rel).st_mode) == 0o600
    assert stat.S_IMODE(os.stat((root / rel).parent).st_mode) == FOLDER_MODE & ~_umask()
    # a folder removed behind the archive's back is created again by the next write
    (root / rel).unlink()
    (root / rel).parent.rmdir()
    assert archive.put(raw) == (digest, rel)
    assert (root / rel).read_bytes() == raw
    # a second document in an existing folder
    other = b"report two\n"
    d2, rel2 = archive.put(other)
    assert (root / rel2).read_bytes() == other and d2 == sha256_hex(other)


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old


@pytest.mark.parametrize("bad", ["", "0" * 63, "g" * 64, "0" * 63 + " ", "../" + "0" * 61, "0" * 63 + "\u0660"])
def test_archive_path_refuses_what_is_no_sha256(tmp_path, bad):
    with pytest.raises(StoreError):
        Archive(tmp_path).path(bad)


def test_archive_path_accepts_upper_case_hex(tmp_path):
    digest = sha256_hex(b"x")
    assert Archive(tmp_path).path(digest.upper()) == tmp_path / digest[:2] / digest


def test_archive_write_errors_are_store_errors(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError):
        Archive(blocker / "archive").put(b"x")


# --- the dask executor's task size ------------------------------------------------------------

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def dask2():
    from harmwatch.ingest.executors import make_executor
    ex = make_executor("dask", workers=2)
    yield ex
    ex.close()


def test_dask_executor_cuts_a_batch_into_one_task_per_worker(tmp_path, dask2):
    from harmwatch.extract.pipeline import default_extractor
    from harmwatch.ingest.readers import iter_documents
    assert dask2.chunk is None and dask2.workers == 2
    corpus = _corpus(tmp_path / "c", 7)
    docs = [d for p in sorted(corpus.iterdir()) for d in iter_documents(p)]
    submitted: list[int] = []
    real = dask2.client.submit

    def counting(fn, pairs, *a, **kw):
        submitted.append(len(pairs))
        return real(fn, pairs, *a, **kw)

    dask2.client.submit = counting
    try:
        got = dask2.submit([(d, d.text) for d in docs], default_extractor()).result()
    finally:
        del dask2.client.submit
    assert submitted == [4, 3]
    local = [default_extractor()(d, d.text) for d in docs]
    assert [g.to_contract() for g in got] == [x.to_contract() for x in local]
