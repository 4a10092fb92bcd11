"""Shared fixtures: a fresh, migrated SQLite database in the test's tmp_path."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_harmwatch_env(monkeypatch):
    """Tests never read or write the developer's own database or archive."""
    for var in ("HARMWATCH_DB", "HARMWATCH_ARCHIVE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'hw.db'}"


@pytest.fixture
def db(db_url):
    from harmwatch.store.db import Database
    database = Database.open(db_url)
    yield database
    database.close()
