"""Migration 0020: an incident's read finds the analysts' rulings on its claims by index, not by scanning
every ruling (the table grows with every review). SQLite's query plan is read; PostgreSQL has the same index
(tests/test_store.py compares models and migrations on both backends)."""
from sqlalchemy import text

from harmwatch.store import Database


def test_rulings_on_either_claim_are_read_by_index(tmp_path):
    db = Database.open(f"sqlite:///{tmp_path / 'd.db'}")
    with db.engine.connect() as c:
        plan = " ".join(str(r[-1]) for r in c.execute(text(
            "EXPLAIN QUERY PLAN SELECT * FROM decisions WHERE a IN ('d#1', 'd#2') OR b IN ('d#1', 'd#2')")))
    assert "ix_decisions_a" in plan and "ix_decisions_b" in plan and "SCAN decisions" not in plan, plan
