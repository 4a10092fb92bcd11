"""Index incidents.lon, so the web API's bounding-box filter can use an index on either axis.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Checked by hand: one index on an existing table (batch mode for SQLite, as in 0003); matches
store/models.py (tests/test_store.py compares them); downgrade drops it.
"""
from __future__ import annotations

from typing import Sequence, Union

from alembic import op


revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incidents_lon'), ['lon'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incidents_lon'))
