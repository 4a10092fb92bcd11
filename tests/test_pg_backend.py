"""PostgreSQL as the server backend: the PostGIS point index and its fallback, `harmwatch db
upgrade|info`, and several processes ingesting and resolving into one database at once.

The tests take their database from the `db_url` fixture, so they run on the backend the suite runs
on (HARMWATCH_TEST_BACKEND, see tests/backend.py); the PostGIS ones need PostgreSQL with the
extension (CI installs postgresql-15-postgis-3) and skip elsewhere.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import and_, create_engine, select, text
from typer.testing import CliRunner

from harmwatch.api import sample_corpus
from harmwatch.cli.main import app
from harmwatch.store import dialect
from harmwatch.store.db import Database
from harmwatch.store.models import Claim, Incident, Source
from harmwatch.web.query import Filters, conditions

# The newest migration file's revision (read from the files, not from the code under test).
HEAD = max(p.name[:4] for p in (Path(__file__).parents[1] / "src/harmwatch/store/migrations/versions").glob("0*.py"))


def _postgis_or_skip(db) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostGIS needs the PostgreSQL backend (HARMWATCH_TEST_BACKEND=postgresql)")
    if dialect.postgis_version(db.engine) is None:
        if os.environ.get("HARMWATCH_REQUIRE_PG"):
            pytest.fail("HARMWATCH_REQUIRE_PG is set but the server has no PostGIS (postgresql-15-postgis-3)")
        pytest.skip("this PostgreSQL server has no PostGIS")


def _points(db, points) -> None:
    with db.session(write=True) as s:
        for i, (lon, lat) in enumerate(points):
            s.add(Incident(id=f"inc-{i:04d}", lon=lon, lat=lat, place=f"p{i}", detail={}))


# a box and points inside, on each edge and corner, just outside, and without a point
BOX = (30.0, 49.0, 31.0, 50.0)
INSIDE = [(30.5, 49.5), (30.0, 49.0), (31.0, 50.0), (30.0, 49.7), (31.0, 49.2), (30.2, 50.0)]
OUTSIDE = [(29.9999, 49.5), (31.0001, 49.5), (30.5, 48.9999), (30.5, 50.0001), (36.2, 49.99), (None, None), (30.5, None)]


def _in_box(db, box) -> set[str]:
    with db.session() as s:
        return set(s.scalars(select(Incident.id).where(*conditions(Filters(bbox=box)))))


def _plain(db, box) -> set[str]:
    minlon, minlat, maxlon, maxlat = box
    with db.session() as s:
        return set(s.scalars(select(Incident.id).where(and_(Incident.lon >= minlon, Incident.lon <= maxlon,
                                                            Incident.lat >= minlat, Incident.lat <= maxlat))))


def test_bbox_filter_keeps_edges_and_drops_points_outside(db):
    """Both backends (and PostGIS or not): the same rows as four comparisons, edges included."""
    _points(db, INSIDE + OUTSIDE)
    expected = {f"inc-{i:04d}" for i in range(len(INSIDE))}
    assert _in_box(db, BOX) == expected == _plain(db, BOX)
    assert _in_box(db, (-180.0, -90.0, 180.0, 90.0)) == _plain(db, (-180.0, -90.0, 180.0, 90.0))
    assert len(_plain(db, (-180.0, -90.0, 180.0, 90.0))) == len(INSIDE) + len(OUTSIDE) - 2  # the two without a point


def test_bbox_compiles_to_plain_columns_without_the_point_index(db):
    from sqlalchemy.dialects import postgresql, sqlite
    expr = dialect.in_bbox(Incident.lon, Incident.lat, *BOX)
    for d in (sqlite.dialect(), postgresql.dialect()):  # fresh dialects: no PostGIS flag
        sql = str(expr.compile(dialect=d))
        assert "incidents.lon >=" in sql and "incidents.lat <=" in sql and "ST_" not in sql
    pg = postgresql.dialect()
    setattr(pg, dialect.POSTGIS_FLAG, True)
    assert "ST_MakePoint(incidents.lon, incidents.lat)" in str(expr.compile(dialect=pg))


def test_postgis_point_index_serves_the_bbox_filter(db):
    _postgis_or_skip(db)
    assert dialect.detect_postgis(db.engine)
    _points(db, INSIDE + OUTSIDE + [(22.0 + (i % 170) / 10, 44.0 + (i // 170) / 10) for i in range(2000)])
    with db.engine.begin() as c:
        c.execute(text("ANALYZE incidents"))
    assert _in_box(db, BOX) == _plain(db, BOX)
    stmt = select(Incident.id).where(*conditions(Filters(bbox=BOX)))
    with db.engine.begin() as c:
        c.execute(text("SET LOCAL enable_seqscan = off"))
        c.execute(text("SET LOCAL enable_bitmapscan = on"))
        compiled = stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
        plan = "\n".join(c.execute(text(f"EXPLAIN {compiled}")).scalars())
    assert "ix_incidents_point" in plan, plan


def test_postgis_migration_is_reversible(db, db_url):
    _postgis_or_skip(db)
    from alembic import command

    from harmwatch.store.db import alembic_config
    command.downgrade(alembic_config(db_url), "0014")
    assert not dialect.detect_postgis(db.engine)
    _points(db, INSIDE + OUTSIDE)
    with db.session() as s:  # a fresh engine would see the flag unset: plain columns, same rows
        rows = set(s.scalars(select(Incident.id).where(*conditions(Filters(bbox=BOX)))))
    assert len(rows) == len(INSIDE)
    command.upgrade(alembic_config(db_url), "head")
    assert dialect.detect_postgis(db.engine)


# --- harmwatch db upgrade | info ----------------------------------------------------------------------

def test_db_info_and_upgrade_cli(db_url, db):
    runner = CliRunner()
    with db.session(write=True) as s:
        s.add(Incident(id="inc-one", lon=30.5, lat=50.4, place="Kyiv", detail={}))
    res = runner.invoke(app, ["--db", db_url, "db", "info", "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["backend"] == db.engine.dialect.name and info["revision"] == info["head"] == HEAD
    assert info["up_to_date"] is True and info["rows"]["incidents"] == 1 and info["rows"]["sources"] == 0
    assert "alembic_version" not in info["rows"] and "spatial_ref_sys" not in info["rows"]
    assert info["point_index"] is (info["postgis"] is not None)
    res = runner.invoke(app, ["--db", db_url, "db", "info"])
    assert res.exit_code == 0 and "up to date" in res.stdout and "incidents" in res.stdout
    res = runner.invoke(app, ["--db", db_url, "db", "upgrade"])
    assert res.exit_code == 0 and f"schema {HEAD} (unchanged)" in " ".join(res.output.split())
    for cmd in (["db", "--help"], ["db", "upgrade", "--help"], ["db", "info", "--help"]):
        assert "Example" in runner.invoke(app, cmd).output or cmd == ["db", "--help"]


def test_db_upgrade_migrates_an_old_schema_and_info_reports_it(db_url, db):
    from alembic import command

    from harmwatch.store.db import alembic_config
    command.downgrade(alembic_config(db_url), "0012")
    db.close()
    runner = CliRunner()
    info = json.loads(runner.invoke(app, ["--db", db_url, "db", "info", "--json"]).stdout)
    assert info["revision"] == "0012" and info["up_to_date"] is False  # info reads only
    res = runner.invoke(app, ["--db", db_url, "db", "upgrade"])
    assert res.exit_code == 0, res.output
    assert f"schema {HEAD} (was 0012)" in " ".join(res.output.split())
    assert json.loads(runner.invoke(app, ["--db", db_url, "db", "info", "--json"]).stdout)["up_to_date"] is True


def test_db_info_on_a_missing_sqlite_file_is_a_clear_error(tmp_path):
    res = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'none.db'}", "db", "info"])
    assert res.exit_code == 2 and "no database at" in res.output and "db upgrade" in res.output
    assert not (tmp_path / "none.db").exists()  # info created nothing


# --- several writers at once --------------------------------------------------------------------------

PLACES = ["Kharkiv", "Odesa", "Dnipro", "Zaporizhzhia", "Sumy", "Kherson", "Mykolaiv", "Poltava"]
WRITER = r"""
import pathlib, sys, time
from harmwatch.extract.pipeline import default_extractor
from harmwatch.ingest import ingest
from harmwatch.resolve.service import resolve
from harmwatch.store.db import Database
url, go, sample, own, archive, n = sys.argv[1:7]
pathlib.Path(go + '.ready' + n).touch()
while not pathlib.Path(go).exists():
    time.sleep(0.005)
db = Database.open(url, archive_dir=archive)
x = default_extractor()
for folder in ((sample, own) if int(n) % 2 else (own, sample)):  # half of them start with the shared documents
    rep = ingest([], db, manifest=pathlib.Path(folder) / 'manifest.csv', extractor=x)
    assert not rep.failed, rep.failed
    resolve(db)
db.close()
"""


def _own_docs(folder: Path, n: int, per: int = 3) -> list[str]:
    """`per` short reports only writer `n` ingests (different places and days, so distinct incidents)."""
    folder.mkdir(parents=True)
    rows, ids = ["file,doc_id,title,publisher,published,url"], []
    for k in range(per):
        place, day = PLACES[(n * per + k) % len(PLACES)], 1 + n * per + k
        doc_id = f"w{n}-{k}"
        (folder / f"{doc_id}.txt").write_text(
            f"On {day} April 2024 a Russian missile struck a school in {place}, killing {k + 2} civilians and "
            f"injuring {k + 5}, the regional governor said.\n", encoding="utf-8")
        rows.append(f"{doc_id}.txt,{doc_id},Strike on {place},Governor {place},2024-04-{day:02d},")
        ids.append(doc_id)
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return ids


def _state(db) -> tuple[list, list, list]:
    with db.session() as s:
        docs = sorted(s.scalars(select(Source.doc_id)))
        claims = sorted(s.execute(select(Source.doc_id, Claim.span_start, Claim.span_end, Claim.incident_id)
                                  .join(Source, Claim.source_id == Source.id)).all())
        incs = sorted(s.execute(select(Incident.id, Incident.place, Incident.date, Incident.killed_best)).all())
    return docs, [tuple(c) for c in claims], [tuple(i) for i in incs]


def test_parallel_writers_store_every_document_once_and_agree_with_one_writer(tmp_path, new_db_url):
    """Four processes, released together, each ingest the shared sample and their own reports and
    resolve after each, into one database; then the same documents by one process into another."""
    from harmwatch.extract.pipeline import default_extractor
    from harmwatch.ingest import ingest
    from harmwatch.resolve.service import resolve

    sample = tmp_path / "sample"
    shutil.copytree(sample_corpus(), sample)
    writers = 4
    own = [tmp_path / f"own{n}" for n in range(writers)]
    expected_docs = {"sample-ngo-2022-02-25", "sample-news-2022-02-25"}
    for n in range(writers):
        expected_docs |= set(_own_docs(own[n], n))
    url = new_db_url("shared.db")
    Database.open(url, archive_dir=tmp_path / "archive").close()  # migrated before the race (as `db upgrade`)
    go = tmp_path / "go"
    env = os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(go), str(sample), str(own[n]),
                               str(tmp_path / "archive"), str(n)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for n in range(writers)]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("go.ready*"))) < writers and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    results = [p.communicate(timeout=600) + (p.returncode,) for p in procs]
    assert [(rc, e[-2000:]) for _, e, rc in results if rc] == []

    shared = Database.open(url, archive_dir=tmp_path / "archive")
    docs, claims, incs = _state(shared)
    assert len(docs) == len(set(docs))  # each document stored once
    assert expected_docs <= set(docs) and len(docs) == len(expected_docs) + 1  # + the third sample report
    assert claims and all(c[3] is not None for c in claims)  # every claim resolved into an incident
    assert {c[3] for c in claims} == {i[0] for i in incs}  # and every incident has claims

    one = Database.open(new_db_url("one.db"), archive_dir=tmp_path / "one-archive")
    x = default_extractor()
    for folder in [sample] + own:
        assert not ingest([], one, manifest=folder / "manifest.csv", extractor=x).failed
    resolve(one)
    assert _state(shared) == _state(one)  # the same documents, claims and incidents as one writer
    resolve(shared, full=True)  # and a full run over the shared database changes nothing
    assert _state(shared) == _state(one)
    shared.close()
    one.close()


def test_write_transactions_take_turns_on_postgres(db):
    """A second write transaction waits for the first (the advisory lock) and then sees its commit."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE (tests/test_store.py)")
    import threading
    other = create_engine(db.engine.url)
    order: list[str] = []
    with db.session(write=True) as s:
        s.add(Incident(id="inc-first", place="a", detail={}))
        s.flush()

        def second():
            with db.session(write=True) as s2:
                order.append("second got the lock")
                n = s2.scalar(select(Incident.id).where(Incident.id == "inc-first"))
                order.append(f"second sees {n}")
        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.5)
        with other.connect() as c:  # the second is waiting on the advisory lock
            waiting = c.execute(text("select count(*) from pg_locks where locktype = 'advisory' and not granted"))
            assert waiting.scalar() == 1
        order.append("first commits")
    t.join(30)
    other.dispose()
    assert order == ["first commits", "second got the lock", "second sees inc-first"]
