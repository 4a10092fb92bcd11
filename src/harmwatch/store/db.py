"""Opening the database: URL and archive resolution, engine set-up, migrations to head.

    db = Database.open()                      # $HARMWATCH_DB or ./harmwatch.db
    with db.session() as s:                   # commit on success, rollback on error
        ...

Migrations run programmatically from the scripts shipped in ``store/migrations``; no
alembic.ini is needed at run time (``store/alembic.ini`` is for developers running
``alembic`` by hand).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .. import settings
from ..errors import StoreError
from . import dialect
from .archive import Archive

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def resolve_url(url: str | None = None) -> str:
    """The database URL: explicit > $HARMWATCH_DB > ``sqlite:///harmwatch.db`` (working directory).

    A value without ``://`` is taken as the path of a SQLite file, for convenience.
    """
    value = settings.DB.value(url) or "sqlite:///harmwatch.db"
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser()}"
    return value


def resolve_archive(url: str, archive_dir: str | Path | None = None) -> Path:
    """Archive folder: explicit > $HARMWATCH_ARCHIVE > ``<db stem>-archive`` beside a SQLite file
    > ``./harmwatch-archive``."""
    explicit = settings.ARCHIVE.value(str(archive_dir) if archive_dir else None)
    if explicit:
        return Path(explicit).expanduser()
    db_file = dialect.file_path(make_url(url))
    if db_file:
        p = Path(db_file).expanduser()
        return p.parent / f"{p.stem}-archive"
    return Path("harmwatch-archive")


def make_engine(url: str) -> Engine:
    """An engine with the SQLite hooks installed; StoreError for a bad URL or a missing driver."""
    try:
        u = make_url(url)
        engine = create_engine(u)
    except (ArgumentError, ValueError) as e:
        raise StoreError(f"not a database URL: {url!r} ({e})") from e
    except (ImportError, SQLAlchemyError) as e:
        hint = " (install the driver: pip install 'harmwatch[postgres]')" if "postgres" in url else ""
        raise StoreError(f"cannot use database {url!r}: {e}{hint}") from e
    return dialect.configure(engine)


class Database:
    def __init__(self, engine: Engine, archive: Archive):
        self.engine = engine
        self.archive = archive
        dialect.detect_postgis(engine)  # bounding-box filters use the PostGIS point index where it exists
        dialect.detect_rtree(engine)  # bbox + date filters read the R*Tree on SQLite (migration 0019)
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        # Write transactions take SQLite's write lock at BEGIN (see dialect.py); other DBs ignore it.
        self._write_engine = engine.execution_options(**{dialect.BEGIN_OPTION: "IMMEDIATE"})
        self._write_sessions = sessionmaker(bind=self._write_engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"Database({self.url!r}, archive={str(self.archive.root)!r})"

    @classmethod
    def open(cls, url: str | None = None, archive_dir: str | Path | None = None) -> "Database":
        """Open (creating if needed) the database and bring its schema to the newest migration."""
        url = resolve_url(url)
        try:
            db_file = dialect.file_path(make_url(url))
        except ArgumentError as e:
            raise StoreError(f"not a database URL: {url!r} ({e})") from e
        if db_file:
            try:
                Path(db_file).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"cannot create the folder for database {db_file}: {e}") from e
            if not db_file.startswith("file:") and make_url(url).query.get("mode") != "ro":  # not URI/read-only
                _create_private_file(Path(db_file).expanduser())
        engine = make_engine(url)
        try:
            upgrade(engine)
        except StoreError:
            engine.dispose()
            raise
        return cls(engine, Archive(resolve_archive(url, archive_dir)))

    @contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back if it raises.

        `write=True` for a transaction that will write: on SQLite it takes the write lock at
        once, so it waits for other writers instead of failing half-way. On PostgreSQL it takes
        the advisory transaction lock ``write`` first (dialect.serialise): write transactions of
        every process sharing the server (serve workers, ingest jobs, resolution runs, analyst
        decisions) take turns exactly as on SQLite, and each one reads what the one before committed.
        """
        session = (self._write_sessions if write else self._sessions)()
        try:
            if write:
                dialect.serialise(session, "write")
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()


# --- file permissions ------------------------------------------------------------------------

PRIVATE_FILE_MODE = 0o600  # the database holds reports, users and password hashes: owner only


def _create_private_file(path: Path) -> None:
    """Create a new SQLite file readable by its owner only, before SQLite creates it with the
    umask (usually 0644). SQLite gives the -wal and -shm files the mode of the database file.
    An existing file keeps the mode it has (its owner chose it)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    except OSError as e:
        raise StoreError(f"cannot create database file {path}: {e}") from e
    os.close(fd)  # an empty file is an empty SQLite database


# --- migrations ------------------------------------------------------------------------------

def alembic_config(url: str | None = None):
    """An Alembic Config pointing at the packaged migration scripts (no ini file needed)."""
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser interpolation
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to `revision`; a no-op when it is there already."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    cfg = alembic_config()
    try:
        scripts = ScriptDirectory.from_config(cfg)
        heads = set(scripts.get_heads())
        # A cheap read first, so opening an up-to-date database never takes the write lock.
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
        if revision == "head" and current == heads:
            return
        unknown = sorted(r for r in current if _unknown_revision(scripts, r))
        if unknown:
            raise StoreError(f"database {_safe(engine)} has schema revision {', '.join(unknown)}, which this "
                             "version of HarmWatch does not know: it was written by a newer HarmWatch; upgrade it")
        # One transaction for the whole upgrade (SQLite DDL is transactional with our BEGIN hook);
        # IMMEDIATE so two processes opening a new database do not both create the tables.
        with engine.execution_options(**{dialect.BEGIN_OPTION: "IMMEDIATE"}).begin() as conn:
            if conn.dialect.name == "postgresql":  # one migrating process at a time; the next finds head
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": dialect.lock_key("migrate")})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except StoreError:
        raise
    except Exception as e:  # alembic and drivers raise many types; all mean "cannot migrate"
        raise StoreError(f"cannot open or migrate database {_safe(engine)}: {type(e).__name__}: {e}") from e


def _safe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _unknown_revision(scripts, rev: str) -> bool:  # noqa: ANN001
    from alembic.util import CommandError
    try:
        return scripts.get_revision(rev) is None
    except CommandError:
        return True


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
