"""Shared fixtures: a fresh, migrated database for each test; ../shared.

The backend is SQLite unless HARMWATCH_TEST_BACKEND=postgresql (see tests/backend.py): then
`db_url`, `db` and `new_db_url` give PostgreSQL databases, and tests marked
``@pytest.mark.sqlite_only("why")`` are skipped with that reason.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import backend

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(autouse=True)
def _no_harmwatch_env(monkeypatch):
    """Tests never read or write the developer's own database or archive."""
    for var in ("HARMWATCH_DB", "HARMWATCH_ARCHIVE"):
        monkeypatch.delenv(var, raising=False)


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only(reason): the test is about SQLite itself (file "
                            "locking, the file on disk, FTS5); skipped on the PostgreSQL backend")


def pytest_report_header(config):
    return f"harmwatch test backend: {backend.BACKEND}"


def pytest_collection_modifyitems(config, items):
    if not backend.POSTGRES:
        return
    for item in items:
        mark = item.get_closest_marker("sqlite_only")
        if mark is not None:
            if not mark.args:
                raise pytest.UsageError(f"{item.nodeid}: sqlite_only needs a reason")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {mark.args[0]}"))


@pytest.fixture(autouse=True)
def _drop_test_databases(request):
    """On PostgreSQL, the databases a test created under its tmp_path are dropped after it."""
    tmp = request.getfixturevalue("tmp_path") if backend.POSTGRES and "tmp_path" in request.fixturenames else None
    yield
    if tmp is not None:
        backend.drop_under(tmp)


@pytest.fixture(scope="session", autouse=True)
def _drop_all_databases():
    yield
    backend.drop_under(None)


@pytest.fixture
def new_db_url(tmp_path, monkeypatch):
    """A factory: new_db_url("name.db") -> the URL of a fresh, migrated database on the backend.

    On PostgreSQL the archive (which SQLite keeps beside its file) goes to tmp_path/pg-archive
    through HARMWATCH_ARCHIVE, so nothing is written to the working directory."""
    if backend.POSTGRES:
        monkeypatch.setenv("HARMWATCH_ARCHIVE", str(tmp_path / "pg-archive"))
    return lambda name="hw.db": backend.url_for(tmp_path / name)


@pytest.fixture
def db_url(new_db_url) -> str:
    return new_db_url("hw.db")


@pytest.fixture
def db(db_url):
    from harmwatch.store.db import Database
    database = Database.open(db_url)
    yield database
    database.close()


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only ../shared folder beside the checkout (corpora, gold, the shared scorer).

    Tests that read it skip when it is absent, unless HARMWATCH_REQUIRE_SHARED is set
    (CI sets it): then they fail, so a missing ../shared can never pass unnoticed.
    """
    if not (SHARED / "eval" / "score.py").is_file():
        if os.environ.get("HARMWATCH_REQUIRE_SHARED"):
            pytest.fail(f"HARMWATCH_REQUIRE_SHARED is set but {SHARED} (with eval/score.py) is missing")
        pytest.skip(f"{SHARED} is not beside the checkout (set HARMWATCH_REQUIRE_SHARED=1 to make this a failure)")
    return SHARED


@pytest.fixture(scope="module")
def gen(request):
    """bench/resolve.py loaded as a module: the generator of claims the resolution tests share with the
    benchmark (registered under a name of its own per test module, as its dataclasses need)."""
    import importlib.util
    import sys
    from pathlib import Path
    name = f"bench_resolve_for_{request.module.__name__}"
    bench = Path(__file__).resolve().parent.parent / "bench" / "resolve.py"
    spec = importlib.util.spec_from_file_location(name, bench)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    yield mod
    sys.modules.pop(name, None)


def _batches(rng, docs, n):
    """`docs` shuffled by `rng` and cut at n-1 random places: n non-empty batches."""
    docs = list(docs)
    rng.shuffle(docs)
    cuts = sorted(rng.sample(range(1, len(docs)), n - 1))
    return [docs[a:b] for a, b in zip([0] + cuts, cuts + [len(docs)])]


@pytest.fixture(scope="session")
def batches():
    """batches(rng, docs, n): the documents shuffled and cut into n batches (the resolution tests feed
    them to incremental runs in that order)."""
    return _batches
