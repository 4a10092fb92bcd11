"""Executors (ingest/executors.py) and batched commits (store/writer.write_batch).

- the dask executor on a 2-worker LocalCluster stores the same claims and resolves the same
  incidents as the local executor;
- a Dask worker killed (SIGKILL) in the middle of a task loses no document and duplicates none;
- a run killed (SIGKILL) with several documents per transaction, then re-run, stores every
  document exactly once, with its claims.
"""
from __future__ import annotations

import importlib.util
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from harmwatch.errors import InputError
from harmwatch.ingest import ingest
from harmwatch.ingest.executors import LocalExecutor, make_executor
from harmwatch.records import Extraction, IncidentClaim, Span
from harmwatch.store.db import Database
from harmwatch.store.models import Claim, Source
from harmwatch.store.writer import load_extraction

ROOT = Path(__file__).resolve().parents[1]
distributed = pytest.importorskip("distributed")


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_extract", ROOT / "bench" / "extract.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _corpus(folder: Path, n: int, seed: int = 3) -> Path:
    """n generated ~200-word reports (bench/extract.py's templates) with a manifest."""
    from harmwatch.geo import Gazetteer
    bench = _bench_module()
    rng = random.Random(seed)
    places = [p for p in Gazetteer.default().places if p.population >= 5000]
    rng.shuffle(places)
    folder.mkdir(parents=True)
    lines = ["file,doc_id,title,publisher,published,url"]
    for i in range(n):
        pub = date(2023, 1, 1) + timedelta(days=rng.randint(0, 20))
        (folder / f"r{i:03}.txt").write_text(bench.make_doc(rng, places[:40], 200, pub), encoding="utf-8")
        lines.append(f"r{i:03}.txt,gen-{i},Report {i},Wire {i % 3},{pub.isoformat()},")
    (folder / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _claims(db) -> dict[str, list[dict]]:
    with db.session() as s:
        return {r.doc_id: load_extraction(s, r.id).to_contract()
                for r in s.scalars(select(Source).order_by(Source.doc_id))}


def _incidents(db) -> list[dict]:
    from harmwatch.resolve.service import incidents
    return [{k: v for k, v in inc.items() if k != "first_seen"} for inc in incidents(db)]


@pytest.fixture(scope="module")
def dask2():
    """One 2-worker LocalCluster for this module's Dask tests (starting one takes seconds)."""
    ex = make_executor("dask", workers=2)
    yield ex
    ex.close()


def test_dask_executor_gives_the_local_result(tmp_path, new_db_url, dask2):
    from harmwatch.extract.pipeline import default_extractor
    from harmwatch.resolve.service import resolve
    corpus = _corpus(tmp_path / "corpus", 60)
    local = Database.open(new_db_url("local.db"))
    rep_local = ingest([corpus], local, manifest=corpus / "manifest.csv", extractor=default_extractor(),
                       batch_size=16)
    dask_db = Database.open(new_db_url("dask.db"))
    ex = dask2
    assert len(ex.client.scheduler_info(n_workers=-1)["workers"]) == 2
    rep_dask = ingest([corpus], dask_db, manifest=corpus / "manifest.csv", extractor=default_extractor(),
                      executor=ex, batch_size=16)
    # the extractions ran on both workers: their task logs name extract_chunk
    ran = ex.client.run(lambda dask_worker: sum(1 for t in dask_worker.state.log if "extract_chunk" in str(t[0])))
    assert len([n for n in ran.values() if n > 0]) == 2
    assert (rep_local.new, rep_local.failed) == (60, []) and (rep_dask.new, rep_dask.failed) == (60, [])
    claims = _claims(local)
    assert sum(len(c["incidents"]) for c in claims.values()) >= 60  # the corpus does produce claims
    assert _claims(dask_db) == claims
    assert [s.source_id for s in rep_dask.sources] == [s.source_id for s in rep_local.sources]
    resolve(local)
    resolve(dask_db)
    assert _incidents(dask_db) == _incidents(local) != []


# --- a worker killed mid-run -------------------------------------------------------------------

class KillOnce:
    """Extractor for "N civilians were killed" that SIGKILLs its own worker process the first time
    it sees `victim` (marker file: only once across all workers and restarts)."""

    def __init__(self, marker: str, victim: str):
        self.marker, self.victim = marker, victim
        self.languages = frozenset({"en"})

    def __call__(self, doc, text):
        if doc.doc_id == self.victim:
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                pass
            else:
                os.write(fd, str(os.getpid()).encode())
                os.close(fd)
                os.kill(os.getpid(), signal.SIGKILL)
        m = re.search(r"(\d+) civilians were killed", text)
        if not m:
            return Extraction(doc.doc_id)
        return Extraction(doc.doc_id, incidents=[IncidentClaim(
            killed=int(m.group(1)), evidence={"killed": Span(m.start(), m.end(), m.group(0))})])


def test_killed_dask_worker_loses_no_document_and_duplicates_none(tmp_path, new_db_url, dask2):
    import cloudpickle
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers need not import this file
    folder = tmp_path / "docs"
    folder.mkdir()
    n = 120
    for i in range(n):
        (folder / f"d{i:03}.txt").write_text(f"Report {i}.\n{i % 13 + 1} civilians were killed in village {i}.\n")
    marker = tmp_path / "killed.pid"
    db = Database.open(new_db_url("k.db"))
    ex = dask2
    pids_before = set(ex.client.run(os.getpid).values())
    report = ingest([folder], db, extractor=KillOnce(str(marker), "d050"), executor=ex, batch_size=10)
    ex.client.wait_for_workers(2, timeout=60)  # the nanny restarts the killed one
    pids_after = set(ex.client.run(os.getpid).values())
    killed = int(marker.read_text())
    assert killed in pids_before and killed not in pids_after  # a worker really died mid-run
    assert (report.new, report.failed) == (n, [])
    with db.session() as s:
        docs = s.scalars(select(Source.doc_id).order_by(Source.doc_id)).all()
        assert docs == [f"d{i:03}" for i in range(n)]  # each once
        per = {d: k for d, k in s.execute(select(Source.doc_id, func.count(Claim.id)).join(Claim)
                                          .group_by(Source.doc_id)).all()}
        assert per == {f"d{i:03}": 1 for i in range(n)}
        killed_50 = s.scalar(select(Claim.killed).join(Source).where(Source.doc_id == "d050"))
        assert killed_50 == 50 % 13 + 1


# --- batched commits, SIGKILL, re-run ----------------------------------------------------------

RUNNER = '''
import os, re, signal, sys, time
from harmwatch.ingest import ingest
from harmwatch.records import Extraction, IncidentClaim, Span
from harmwatch.store.db import Database

db_url, folder, kill_at_flush, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if kill_at_flush:
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    from harmwatch.store.models import Source
    flushed = []
    @event.listens_for(Session, "after_flush")
    def _die(session, ctx):  # when the Nth source row is flushed, before its batch commits
        flushed.extend(o for o in session.new if isinstance(o, Source))
        if len(flushed) >= kill_at_flush:
            os.kill(os.getpid(), signal.SIGKILL)

def extractor(doc, text):
    time.sleep(0.003)
    m = re.search(r"(\\d+) civilians were killed", text)
    return Extraction(doc.doc_id, incidents=[IncidentClaim(
        killed=int(m.group(1)), evidence={"killed": Span(m.start(), m.end(), m.group(0))})])

r = ingest([folder], Database.open(db_url), extractor=extractor, batch_size=batch)
print(r.new, r.unchanged, len(r.failed))
'''


def _run(tmp_path: Path, db_url: str, folder: Path, kill_at_flush: int, batch: int) -> subprocess.Popen:
    script = tmp_path / "runner.py"
    script.write_text(RUNNER)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMWATCH_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return subprocess.Popen([sys.executable, str(script), db_url, str(folder), str(kill_at_flush), str(batch)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _count(db_file: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db_file, timeout=5) as con:
            return con.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.mark.sqlite_only("counts the rows of the SQLite file from outside while the writer is killed")
@pytest.mark.parametrize("batch,kill", [(7, "flush:61"), (25, "outside:30"), (1, "flush:77")])
def test_batched_commits_killed_and_rerun_store_each_document_once(tmp_path, batch, kill):
    n = 120
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(n):
        (folder / f"doc-{i:03}.txt").write_text(f"Report {i}.\n{i % 17 + 1} civilians were killed.\n")
    db_file = tmp_path / "b.db"
    db_url = f"sqlite:///{db_file}"
    how, at = kill.split(":")
    if how == "flush":
        proc = _run(tmp_path, db_url, folder, int(at), batch)
    else:
        proc = _run(tmp_path, db_url, folder, 0, batch)
        deadline = time.monotonic() + 60
        while _count(db_file, "SELECT count(*) FROM sources") < int(at) and proc.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    before = _count(db_file, "SELECT count(*) FROM sources")
    assert 0 < before < n
    assert before % batch == 0  # whole batches or nothing
    assert _count(db_file, "SELECT count(*) FROM sources s WHERE NOT EXISTS "
                           "(SELECT 1 FROM claims c WHERE c.source_id = s.id)") == 0

    rerun = _run(tmp_path, db_url, folder, 0, batch)
    out, errs = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, errs
    assert tuple(map(int, out.split())) == (n - before, before, 0)
    db = Database.open(db_url)
    with db.session() as s:
        sources = s.scalars(select(Source).order_by(Source.doc_id)).all()
        assert [r.doc_id for r in sources] == [f"doc-{i:03}" for i in range(n)]
        assert all(r.version == 1 and r.is_current and r.extracted_at is not None for r in sources)
        per = dict(s.execute(select(Claim.source_id, Claim.killed)).all())
        assert {r.id: per.get(r.id) for r in sources} == {r.id: int(r.doc_id[4:]) % 17 + 1 for r in sources}
    assert len(db.archive.files()) == n
    db.close()


# --- batches and their failures ----------------------------------------------------------------

def test_a_bad_document_fails_alone_in_its_batch(tmp_path, new_db_url):
    """Spans outside the text make one document fail; the rest of its batch is stored."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(9):
        (folder / f"d{i}.txt").write_text(f"{i + 1} civilians were killed.\n")

    def extractor(doc, text):
        end = len(text) + (50 if doc.doc_id == "d4" else 0)
        return Extraction(doc.doc_id, incidents=[IncidentClaim(killed=1, evidence={"killed": Span(0, end, "")})])

    db = Database.open(new_db_url("f.db"))
    report = ingest([folder], db, extractor=extractor, batch_size=4)
    assert report.new == 8
    assert [f.path.endswith("d4.txt") for f in report.failed] == [True]
    assert "outside the stored text" in report.failed[0].message
    with db.session() as s:
        assert sorted(s.scalars(select(Source.doc_id))) == [f"d{i}" for i in range(9) if i != 4]
    # the re-run stores the fixed one, and only it
    report = ingest([folder], db, extractor=lambda doc, text: Extraction(doc.doc_id), batch_size=4)
    assert (report.new, report.unchanged, report.failed) == (1, 8, [])


def test_batch_setting_and_executor_names_are_checked(new_db_url, monkeypatch):
    db = Database.open(new_db_url("s.db"))
    monkeypatch.setenv("HARMWATCH_INGEST_BATCH", "0")
    with pytest.raises(InputError, match="HARMWATCH_INGEST_BATCH"):
        ingest([], db)
    with pytest.raises(InputError, match="unknown executor 'spark'"):
        make_executor("spark")
    with pytest.raises(InputError, match="--scheduler needs --executor dask"):
        make_executor("local", scheduler="tcp://127.0.0.1:8786")
    assert isinstance(make_executor("local"), LocalExecutor)


def test_cli_executor_options(tmp_path, new_db_url):
    from typer.testing import CliRunner

    from harmwatch.cli.main import app
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("3 civilians were killed.\n")
    runner = CliRunner()
    res = runner.invoke(app, ["--db", new_db_url("c.db"), "ingest", str(tmp_path / "docs"), "--executor", "spark"])
    assert res.exit_code == 2 and "unknown executor 'spark'" in res.output
    res = runner.invoke(app, ["--db", new_db_url("c.db"), "ingest", str(tmp_path / "docs"), "--workers", "2"])
    assert res.exit_code == 2 and "--workers sizes the LocalCluster" in res.output
    res = runner.invoke(app, ["ingest", "--help"])
    assert "--executor" in res.output and "--scheduler" in res.output


def test_a_batch_the_executor_loses_fails_and_the_rest_is_stored(tmp_path, new_db_url):
    """An executor that gives up on a batch (Dask: KilledWorker after the allowed failures) fails
    that batch's documents, stores the others, and a re-run stores the failed ones."""
    class Flaky(LocalExecutor):
        calls = 0

        def submit(self, pairs, extractor):
            Flaky.calls += 1
            if Flaky.calls == 2:
                class Lost:
                    def result(self):
                        raise RuntimeError("worker lost 3 times")
                return Lost()
            return super().submit(pairs, extractor)

    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(12):
        (folder / f"d{i:02}.txt").write_text(f"{i + 1} civilians were killed.\n")

    def extractor(doc, text):
        return Extraction(doc.doc_id)

    db = Database.open(new_db_url("x.db"))
    report = ingest([folder], db, extractor=extractor, executor=Flaky(), batch_size=5)
    assert report.new == 7 and len(report.failed) == 5
    assert all("lost this batch (RuntimeError: worker lost 3 times)" in f.message for f in report.failed)
    assert sorted(f.path[-7:-4] for f in report.failed) == ["d05", "d06", "d07", "d08", "d09"]
    report = ingest([folder], db, extractor=extractor, batch_size=5)
    assert (report.new, report.unchanged, report.failed) == (5, 7, [])
