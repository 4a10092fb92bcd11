"""The database as a whole, for operators: migrate it on purpose, and describe it.

    upgrade_database(url)  -> UpgradeReport   # `harmwatch db upgrade`
    database_info(url)     -> DatabaseInfo    # `harmwatch db info` (reads only; never migrates)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StoreError
from . import dialect
from .db import Database, current_revision, make_engine, resolve_url, upgrade


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from .db import alembic_config
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@dataclass(frozen=True)
class UpgradeReport:
    url: str
    before: str | None  # None: a new (empty) database
    after: str
    postgis: bool  # the PostGIS point index exists (PostgreSQL only)


@dataclass(frozen=True)
class DatabaseInfo:
    url: str
    backend: str  # "sqlite" or "postgresql"
    server_version: str
    revision: str | None  # None: not a HarmWatch database yet (no migrations applied)
    head: str
    postgis: str | None  # the PostGIS version installed in this database, or None
    point_index: bool  # ix_incidents_point exists: bounding-box filters use it
    rows: dict[str, int] = field(default_factory=dict)  # table -> row count

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head

    def as_dict(self) -> dict:
        return asdict(self) | {"up_to_date": self.up_to_date}


def upgrade_database(url: str | None = None, revision: str = "head") -> UpgradeReport:
    """Migrate the database to `revision` (creating it when it is a new SQLite file), then, on
    PostgreSQL, add the PostGIS point index if the extension can be had and the index is missing
    (e.g. after a superuser installed PostGIS on a database migrated without it)."""
    url = resolve_url(url)
    before = _revision_or_none(url)
    if revision == "head":
        db = Database.open(url)  # creates a SQLite file privately, migrates under the migration lock
        engine = db.engine
    else:
        engine = make_engine(url)
        upgrade(engine, revision)
        db = None
    try:
        postgis = False
        if engine.dialect.name == "postgresql" and current_revision(engine) >= "0015":
            try:
                with engine.begin() as conn:
                    postgis = dialect.postgis_setup(conn)
            except SQLAlchemyError as e:
                raise StoreError(f"cannot add the PostGIS point index: {e}") from e
        return UpgradeReport(url=_safe(engine), before=before, after=current_revision(engine) or "", postgis=postgis)
    finally:
        (db.close() if db else engine.dispose())


def database_info(url: str | None = None) -> DatabaseInfo:
    """Backend, server version, schema revision (and the newest this HarmWatch knows), PostGIS,
    and the row count of every table. Reads only: an old schema is reported, not migrated."""
    url = resolve_url(url)
    file = dialect.file_path(make_url(url))
    if file and not Path(file).expanduser().is_file():
        raise StoreError(f"no database at {file} (harmwatch db upgrade creates it)")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                version = "SQLite " + conn.execute(text("select sqlite_version()")).scalar()
            else:
                version = conn.execute(text("select version()")).scalar().split(",")[0]
            tables = sorted(t for t in inspect(conn).get_table_names() if not _internal(t))
            rows = {t: conn.execute(select(func.count()).select_from(text(_quoted(engine, t)))).scalar_one()
                    for t in tables}
        revision = current_revision(engine)
        postgis = dialect.postgis_version(engine)
        point_index = dialect.detect_postgis(engine)
        return DatabaseInfo(url=_safe(engine), backend=engine.dialect.name, server_version=version,
                            revision=revision, head=head_revision(), postgis=postgis, point_index=point_index,
                            rows=rows)
    except SQLAlchemyError as e:
        raise StoreError(f"cannot read database {_safe(engine)}: {e}") from e
    finally:
        engine.dispose()


def _revision_or_none(url: str) -> str | None:
    file = dialect.file_path(make_url(url))
    if file and not Path(file).expanduser().is_file():
        return None
    engine = make_engine(url)
    try:
        return current_revision(engine)
    except SQLAlchemyError as e:
        raise StoreError(f"cannot read database {_safe(engine)}: {e}") from e
    finally:
        engine.dispose()


def _internal(table: str) -> bool:
    """Tables that are not HarmWatch's records: Alembic's, PostGIS's, SQLite FTS5 shadow tables."""
    from .search import SQLITE_NAMES
    return table in {"alembic_version", "spatial_ref_sys"} | (SQLITE_NAMES - {"search_index"})


def _quoted(engine, table: str) -> str:  # noqa: ANN001
    return engine.dialect.identifier_preparer.quote(table)


def _safe(engine) -> str:  # noqa: ANN001
    return engine.url.render_as_string(hide_password=True)
