"""The audit log refuses REPLACE and UPSERT too, not only UPDATE and DELETE.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Checked by hand: triggers only, no table changes (store/models.py unchanged).

SQLite: ``INSERT OR REPLACE`` / ``REPLACE INTO`` resolve a primary-key or unique conflict by
deleting the old row, and that delete does NOT fire the ``BEFORE DELETE`` trigger of 0002 unless
``PRAGMA recursive_triggers`` is on (it is off by default). So an entry could be swapped for
another one with the same id. A ``BEFORE INSERT`` trigger now aborts any insert whose id or hash
is already in the table; that also refuses ``INSERT ... ON CONFLICT DO UPDATE`` (UPSERT), whose
BEFORE INSERT triggers fire before the conflict is handled. A plain append (a new id, a new
hash) is unaffected.

PostgreSQL has no REPLACE; ``INSERT ... ON CONFLICT DO UPDATE`` (and ``MERGE ... UPDATE``) fire
the statement-level ``BEFORE UPDATE`` trigger of 0002 whether or not a row conflicts, so they are
refused already (tests/test_ingest_hardening.py checks it on a real server). Nothing to add there.

Downgrade drops the SQLite trigger.
"""
from __future__ import annotations

from typing import Sequence, Union

from alembic import op

revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

APPEND_ONLY = "audit_log is append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
                   "WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id OR hash = NEW.hash) "
                   f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}: an entry with this id or hash exists'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_replace")
