"""Storage: migrations, archive, versions, the writer path and reading records back (real SQLite files)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select

from harmwatch.errors import HarmWatchError, StoreError
from harmwatch.records import DocumentIn, Extraction, IncidentClaim, Span, TallyClaim
from harmwatch.store import dialect, search
from harmwatch.store.archive import Archive
from harmwatch.store.db import Database, alembic_config, current_revision, resolve_archive, resolve_url
from harmwatch.store.models import Base, Claim, Place, Source, Tally, Weapon
from harmwatch.store.writer import (current_sources, ingest_document, load_extraction, save_extraction,
                                    store_document, versions)

TABLES = {"sources", "claims", "tallies", "places", "weapons", "users", "api_tokens", "audit_log"}
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()  # newest migration
TEXT = "On 28 February 2022 rockets hit Kharkiv. Nine civilians were killed and 37 injured, the governor said."


def doc(doc_id="d1", text=TEXT, url=None, raw=None, **kw) -> DocumentIn:
    return DocumentIn(doc_id=doc_id, text=text, raw=raw if raw is not None else text.encode(), media_type="text/plain",
                      url=url, **kw)


def span(text: str, part: str) -> Span:
    i = text.index(part)
    return Span(i, i + len(part), part)


def extraction(text=TEXT, doc_id="d1", geonameid=None) -> Extraction:
    c = IncidentClaim(date="2022-02-28", place="Kharkiv", admin1="Kharkiv", lat=49.98, lon=36.25, geonameid=geonameid,
                      weapon="BM-21 Grad", weapon_class="rocket_artillery", cluster=None, objects=["residential"],
                      killed=9, injured=37, vague={"children_killed": "several"}, source="the governor",
                      evidence={"killed": span(text, "Nine civilians were killed"), "place": span(text, "Kharkiv")},
                      span=span(text, text))
    t = TallyClaim(scope="Ukraine", period="since Thursday", killed=102, source="UN",
                   evidence={"killed": span(text, "Nine")}, span=span(text, "Nine"))
    return Extraction(doc_id=doc_id, incidents=[c], tallies=[t])


def count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


# --- migrations ------------------------------------------------------------------------------

def test_upgrade_on_empty_database_creates_all_tables(db):
    names = set(inspect(db.engine).get_table_names())
    assert TABLES <= names
    names -= search.SQLITE_NAMES  # the full-text index (migration 0010), outside the models
    names -= dialect.POSTGIS_NAMES  # PostgreSQL with PostGIS: its spatial_ref_sys table (migration 0015)
    names -= dialect.RTREE_NAMES  # SQLite: the incidents' R*Tree and its shadow tables (migration 0019)
    assert set(Base.metadata.tables) | {"alembic_version"} == names  # every model's table, nothing else
    assert current_revision(db.engine) == HEAD


def test_models_match_the_migrations(db):
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": search.include_name})
        assert compare_metadata(ctx, Base.metadata) == []


def test_downgrade_and_upgrade_again(db, db_url):
    cfg = alembic_config(db_url)
    command.downgrade(cfg, "base")
    # PostGIS's own table stays with the extension (migration 0015 leaves it on downgrade)
    assert set(inspect(db.engine).get_table_names()) - dialect.POSTGIS_NAMES == {"alembic_version"}
    db.close()
    again = Database.open(db_url)  # open migrates back to head
    assert TABLES <= set(inspect(again.engine).get_table_names())
    again.close()


def test_open_twice_keeps_data(db_url):
    d1 = Database.open(db_url)
    ingest_document(d1, doc())
    d1.close()
    d2 = Database.open(db_url)
    assert count(d2, Source) == 1
    d2.close()


@pytest.mark.sqlite_only("the SQLite connection pragmas (WAL, foreign keys, busy timeout)")
def test_sqlite_pragmas(db):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_open_creates_the_folder_of_the_database(tmp_path):
    d = Database.open(f"sqlite:///{tmp_path / 'a' / 'b' / 'hw.db'}")
    assert (tmp_path / "a" / "b" / "hw.db").exists()
    assert d.archive.root == tmp_path / "a" / "b" / "hw-archive"
    d.close()


def test_open_failure_is_a_store_error_with_a_cause(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError) as e:
        Database.open(f"sqlite:///{tmp_path / 'file' / 'hw.db'}")  # parent is a file
    assert e.value.__cause__ is not None
    with pytest.raises(StoreError):
        Database.open("nosuchdriver://x/y")
    (tmp_path / "garbage.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as e:
        Database.open(f"sqlite:///{tmp_path / 'garbage.db'}")
    assert e.value.__cause__ is not None


def test_url_and_archive_resolution(tmp_path, monkeypatch):
    assert resolve_url(None) == "sqlite:///harmwatch.db"
    monkeypatch.setenv("HARMWATCH_DB", "sqlite:///env.db")
    assert resolve_url(None) == "sqlite:///env.db"
    assert resolve_url("sqlite:///explicit.db") == "sqlite:///explicit.db"
    assert resolve_url(str(tmp_path / "plain.db")) == f"sqlite:///{tmp_path / 'plain.db'}"
    assert resolve_archive("sqlite:///data/x.db") == resolve_archive("sqlite:///data/x.db", None)
    assert str(resolve_archive("sqlite:///data/x.db")) == "data/x-archive"
    assert str(resolve_archive("postgresql://u@h/db")) == "harmwatch-archive"
    assert resolve_archive("sqlite:///x.db", tmp_path / "arch") == tmp_path / "arch"
    monkeypatch.setenv("HARMWATCH_ARCHIVE", str(tmp_path / "envarch"))
    assert resolve_archive("sqlite:///x.db") == tmp_path / "envarch"
    assert resolve_archive("sqlite:///x.db", tmp_path / "arch") == tmp_path / "arch"


# --- archive ---------------------------------------------------------------------------------

def test_archive_is_content_addressed_and_idempotent(tmp_path):
    a = Archive(tmp_path / "arch")
    sha, rel = a.put(b"hello")
    assert rel == f"{sha[:2]}/{sha}" and a.path(sha) == tmp_path / "arch" / sha[:2] / sha
    mtime = a.path(sha).stat().st_mtime_ns
    assert a.put(b"hello") == (sha, rel)
    assert a.path(sha).stat().st_mtime_ns == mtime  # not rewritten
    assert a.get(sha) == b"hello" and sha in a
    assert len(a.files()) == 1
    assert not list((tmp_path / "arch").rglob(".tmp-*"))
    with pytest.raises(StoreError):
        a.get("0" * 64)
    with pytest.raises(StoreError):
        a.path("../../etc/passwd")


def test_archive_sweeps_only_old_temp_files(tmp_path):
    a = Archive(tmp_path)
    sha, _ = a.put(b"x")
    stray = a.path(sha).parent / ".tmp-abc"
    stray.write_bytes(b"half")
    assert a.files() == [a.path(sha)]
    assert a.sweep_temp() == 0  # young: may belong to a running writer
    assert a.sweep_temp(older_than_s=0) == 1 and not stray.exists()


# --- sources and versions --------------------------------------------------------------------

def test_store_document_new_then_unchanged(db):
    with db.session() as s:
        first = store_document(s, db.archive, doc())
    with db.session() as s:
        again = store_document(s, db.archive, doc())
    assert first.status == "new" and again.status == "unchanged" and again.source_id == first.source_id
    with db.session() as s:
        src = s.get(Source, first.source_id)
        assert src.version == 1 and src.is_current and src.previous_id is None
        assert src.raw_path == f"{src.sha256[:2]}/{src.sha256}"
        assert db.archive.get(src.sha256) == TEXT.encode()
        assert src.retrieved_at is not None and src.text == TEXT and len(src.text_sha256) == 64


def test_changed_bytes_make_a_linked_new_version(db):
    v1 = ingest_document(db, doc(title="first"))
    v2 = ingest_document(db, doc(text=TEXT + " Updated.", title="second"))
    assert v2.status == "new_version"
    with db.session() as s:
        old, new = s.get(Source, v1.source_id), s.get(Source, v2.source_id)
        assert (old.version, old.is_current) == (1, False)
        assert (new.version, new.is_current, new.previous_id) == (2, True, old.id)
        assert [r.id for r in versions(s, new.id)] == [old.id, new.id]
        assert [r.id for r in current_sources(s)] == [new.id]


def test_same_url_with_other_bytes_is_a_new_version(db):
    url = "https://example.org/report"
    v1 = ingest_document(db, doc("site-a", url=url))
    v2 = ingest_document(db, doc("site-a-2024", text=TEXT + " Corrected.", url=url))
    other = ingest_document(db, doc("unrelated", text="Other text about Odesa.", url=None))
    assert v2.status == "new_version" and other.status == "new"
    with db.session() as s:
        assert s.get(Source, v2.source_id).previous_id == v1.source_id
        assert not s.get(Source, v1.source_id).is_current


def test_reverted_bytes_make_the_old_version_current_again(db):
    v1 = ingest_document(db, doc())
    ingest_document(db, doc(text=TEXT + " Edited."))
    back = ingest_document(db, doc())
    assert back.status == "new_version" and back.source_id == v1.source_id
    with db.session() as s:
        assert [r.id for r in current_sources(s)] == [v1.source_id]
        assert s.scalar(select(func.count()).select_from(Source)) == 2


# --- claims ----------------------------------------------------------------------------------

def test_extraction_round_trips_and_replaces(db):
    stored = ingest_document(db, doc())
    ex = extraction()
    with db.session() as s:
        save_extraction(s, stored.source_id, ex)
    with db.session() as s:
        save_extraction(s, stored.source_id, ex)  # again: replaced, not doubled
    assert count(db, Claim) == 1 and count(db, Tally) == 1
    with db.session() as s:
        back = load_extraction(s, stored.source_id)
    assert back.to_contract() == ex.to_contract()
    assert back.incidents[0].span == ex.incidents[0].span
    assert back.tallies[0].span == ex.tallies[0].span


@dataclass
class _Entry:  # the shape of harmwatch.extract.weapons.WeaponEntry that the store reads
    id: str
    name: str
    weapon_class: str
    calibre_mm: float | None
    guidance: str | None
    cluster_capable: bool
    accuracy: dict


class _Catalogue:
    def get(self, name):
        return _Entry("bm-21-grad", "BM-21 Grad", "rocket_artillery", 122.0, "unguided", True,
                      {"cep_m": 100}) if "grad" in name.lower() else None


@dataclass
class _Place:
    geonameid: int
    name: str
    admin1: str
    lat: float
    lon: float
    population: int
    feature_code: str


class _Gazetteer:
    places = [_Place(706483, "Kharkiv", "Kharkiv", 49.98, 36.25, 1430885, "PPLA")]


def test_referenced_places_and_weapons_are_upserted(db):
    stored = ingest_document(db, doc())
    ex = extraction(geonameid=706483)
    ex.incidents.append(extraction(geonameid=706483).incidents[0])  # same place and weapon twice
    for _ in range(2):
        with db.session() as s:
            save_extraction(s, stored.source_id, ex, catalogue=_Catalogue(), gazetteer=_Gazetteer())
    with db.session() as s:
        place = s.get(Place, 706483)
        assert (place.name, place.population, place.feature_code) == ("Kharkiv", 1430885, "PPLA")
        weapon = s.get(Weapon, "bm-21-grad")
        assert weapon.calibre_mm == 122.0 and weapon.cluster_capable and weapon.accuracy == {"cep_m": 100}
        assert [c.weapon_id for c in s.scalars(select(Claim))] == ["bm-21-grad"] * 2
    assert count(db, Place) == 1 and count(db, Weapon) == 1


def test_place_without_gazetteer_entry_comes_from_the_claim(db):
    stored = ingest_document(db, doc())

    class Empty:
        places = []

    with db.session() as s:
        save_extraction(s, stored.source_id, extraction(geonameid=-123), gazetteer=Empty(), catalogue=_Catalogue())
    with db.session() as s:
        p = s.get(Place, -123)
        assert (p.name, p.admin1, p.lat) == ("Kharkiv", "Kharkiv", 49.98)


def test_evidence_outside_the_text_stores_nothing(db):
    bad = Extraction("d1", incidents=[IncidentClaim(killed=1, evidence={"killed": Span(0, 10_000, "x")})])
    with pytest.raises(StoreError, match="outside the stored text"):
        ingest_document(db, doc(), extractor=lambda d, t: bad)
    assert count(db, Source) == 0 and count(db, Claim) == 0  # one transaction: all or nothing


def test_extractor_failure_stores_nothing(db):
    def boom(d, t):
        raise ValueError("bug in a step")

    with pytest.raises(HarmWatchError, match="extraction failed: ValueError: bug in a step"):
        ingest_document(db, doc(), extractor=boom)
    assert count(db, Source) == 0


def test_unchanged_document_is_not_extracted_again_unless_asked(db):
    calls = []

    def ex(d, text):
        calls.append(d.doc_id)
        return extraction(text)

    assert ingest_document(db, doc(), extractor=ex).status == "new"
    assert ingest_document(db, doc(), extractor=ex).status == "unchanged"
    assert len(calls) == 1
    ingest_document(db, doc(), extractor=ex, reextract=True)
    assert len(calls) == 2 and count(db, Claim) == 1


def test_stored_without_extraction_is_extracted_later(db):
    ingest_document(db, doc())
    st = ingest_document(db, doc(), extractor=lambda d, t: extraction(t))
    assert st.status == "unchanged" and count(db, Claim) == 1
    with db.session() as s:
        assert s.get(Source, st.source_id).extracted_at is not None


def test_zero_claim_extraction_counts_as_extracted(db):
    calls = []

    def nothing(d, t):
        calls.append(1)
        return Extraction(d.doc_id)

    ingest_document(db, doc(), extractor=nothing)
    ingest_document(db, doc(), extractor=nothing)
    assert len(calls) == 1


def test_deleting_a_source_cascades_to_its_claims(db):
    st = ingest_document(db, doc(), extractor=lambda d, t: extraction(t))
    with db.session() as s:
        s.delete(s.get(Source, st.source_id))
    assert count(db, Claim) == 0 and count(db, Tally) == 0


def test_metadata_is_stored(db):
    st = ingest_document(db, doc(title="T", publisher="P", url="https://x.org/a", published=date(2022, 2, 25)))
    with db.session() as s:
        src = s.get(Source, st.source_id)
        assert (src.title, src.publisher, src.url, src.published) == ("T", "P", "https://x.org/a", date(2022, 2, 25))


def test_database_from_a_newer_harmwatch_is_refused(db, db_url):
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    db.close()
    with pytest.raises(StoreError, match="newer HarmWatch"):
        Database.open(db_url)


@pytest.mark.sqlite_only("the race of creating one new SQLite file (BEGIN IMMEDIATE on the file lock)")
def test_many_processes_may_open_a_new_database_at_once(tmp_path):
    """Four Python processes, released together, create and migrate the same new SQLite file."""
    import subprocess
    import sys
    import time
    url = f"sqlite:///{tmp_path / 'race.db'}"
    go = tmp_path / "go"
    code = ("import pathlib, sys, time\n"
            "from harmwatch.store.db import Database, current_revision\n"
            "pathlib.Path(sys.argv[2] + '.ready' + sys.argv[3]).touch()\n"
            "while not pathlib.Path(sys.argv[2]).exists(): time.sleep(0.001)\n"
            "d = Database.open(sys.argv[1]); print(current_revision(d.engine)); d.close()\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, url, str(go), str(n)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for n in range(4)]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.ready*"))) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)  # every interpreter has started and waits on the go file
    go.touch()
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert [(rc, err) for _, err, rc in results if rc] == []
    assert [out.strip() for out, _, _ in results] == [HEAD] * 4


@pytest.mark.sqlite_only("the race of creating one new SQLite file (BEGIN IMMEDIATE on the file lock)")
def test_many_threads_may_open_a_new_database_at_once(tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    url = f"sqlite:///{tmp_path / 'race.db'}"
    with ThreadPoolExecutor(4) as pool:
        dbs = list(pool.map(lambda _: Database.open(url), range(4)))
    assert all(current_revision(d.engine) == HEAD for d in dbs)
    for d in dbs:
        d.close()
