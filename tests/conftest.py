"""Shared fixtures: a fresh, migrated SQLite database in the test's tmp_path; ../shared."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


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
