"""Which database the test suite runs on: SQLite files (default) or a PostgreSQL server.

    HARMWATCH_TEST_BACKEND=postgresql  (with HARMWATCH_TEST_PG_URL, e.g. from
    `eval "$(scripts/pg-test-server.sh)"`) gives every test database its own PostgreSQL
    database, created from a template that is migrated once per session (fast).

`url_for(path)` is the one place tests turn "a database at this path" into a URL: on SQLite
the file itself; on PostgreSQL a database named after the path (so the same path gives the
same database within a run). `tests/conftest.py` drops each test's databases after the test.
"""
from __future__ import annotations

import hashlib
import os
import threading
import uuid
from pathlib import Path

_ALIASES = {"": "sqlite", "sqlite": "sqlite", "pg": "postgresql", "postgres": "postgresql",
            "postgresql": "postgresql"}
_raw = os.environ.get("HARMWATCH_TEST_BACKEND", "").strip().lower()
if _raw not in _ALIASES:
    raise RuntimeError(f"HARMWATCH_TEST_BACKEND={_raw!r}: use sqlite or postgresql")
BACKEND = _ALIASES[_raw]
POSTGRES = BACKEND == "postgresql"
PG_URL = os.environ.get("HARMWATCH_TEST_PG_URL", "")
if POSTGRES and not PG_URL:
    raise RuntimeError("HARMWATCH_TEST_BACKEND=postgresql needs HARMWATCH_TEST_PG_URL "
                       '(eval "$(scripts/pg-test-server.sh)")')

_lock = threading.Lock()
_template: str | None = None
_created: dict[str, Path] = {}  # database name -> the path it stands for


def _admin():
    from sqlalchemy import create_engine
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _url(name: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _ensure_template() -> str:
    """A database migrated to head once per session; test databases are copies of it."""
    global _template
    if _template is None:
        from sqlalchemy import text

        from harmwatch.store.db import Database
        name = f"hwtpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = _admin()
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        Database.open(_url(name), archive_dir=Path("/nonexistent-unused")).close()
        _template = name
    return _template


def pg_database_for(path: Path) -> str:
    return "hwt_" + hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:20]


def url_for(path: Path | str) -> str:
    """The database URL standing for `path` on the chosen backend (created when new, on PostgreSQL)."""
    path = Path(path)
    if not POSTGRES:
        return f"sqlite:///{path}"
    from sqlalchemy import text
    name = pg_database_for(path)
    with _lock:
        if name not in _created:
            template = _ensure_template()
            admin = _admin()
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            admin.dispose()
            _created[name] = path
    return _url(name)


def drop_under(folder: Path | None) -> None:
    """Drop the databases created for paths inside `folder` (None: all, and the template)."""
    global _template
    if not POSTGRES:
        return
    from sqlalchemy import text
    with _lock:
        names = [n for n, p in _created.items()
                 if folder is None or Path(p).resolve().is_relative_to(Path(folder).resolve())]
        if folder is None and _template:
            names.append(_template)
        if not names:
            return
        admin = _admin()
        with admin.connect() as c:
            for n in names:
                c.execute(text(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)'))
                _created.pop(n, None)
        admin.dispose()
        if folder is None:
            _template = None


def copy(src: Path, dst: Path) -> str:
    """PostgreSQL: a copy of the database standing for `src` as the one for `dst` (its URL)."""
    from sqlalchemy import text
    src_name, name = pg_database_for(src), pg_database_for(dst)
    with _lock:
        admin = _admin()
        with admin.connect() as c:
            # CREATE DATABASE ... TEMPLATE needs the source without sessions (a test's pool may idle there)
            c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
                      {"d": src_name})
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{src_name}"'))
        admin.dispose()
        _created[name] = Path(dst)
    return _url(name)
