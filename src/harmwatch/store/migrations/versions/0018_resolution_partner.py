"""Bounded resolution: the partner each claim's part chose in the last run.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06

Checked by hand: one nullable column and its index on `resolved_claims` (batch mode for SQLite,
as in 0016); matches store/models.py (ResolvedClaim.best; tests/test_store.py compares them);
downgrade drops them.

* resolved_claims.best: the earliest claim key of the part (resolve/bounded.py) that this claim's
  part picked as its best partner in the last run, or null. When that claim disappears (a
  re-extraction deletes it, with its links), the parts that had picked it choose again.
  Databases resolved before this revision: run `harmwatch resolve --full` once.
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0018'
down_revision: Union[str, Sequence[str], None] = '0017'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('resolved_claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('best', sa.String(), nullable=True))
        batch_op.create_index(batch_op.f('ix_resolved_claims_best'), ['best'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('resolved_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resolved_claims_best'))
        batch_op.drop_column('best')
