"""Figure-scope model: confidence, uncertain and withheld values on claims and tallies; claims.date_precision.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Checked by hand: matches store/models.py (Claim.confidence, .uncertain, .withheld, .date_precision;
Tally.confidence, .uncertain, .withheld; tests/test_store.py compares them). Nullable columns added
in batch mode for SQLite, as in 0003/0004; claims stored before it read back as empty (re-extract
with `harmwatch ingest --reextract` to fill them). Downgrade drops them.
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: Union[str, Sequence[str], None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confidence", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("uncertain", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("withheld", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("date_precision", sa.String(length=16), nullable=True))
    with op.batch_alter_table("tallies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confidence", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("uncertain", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("withheld", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tallies", schema=None) as batch_op:
        batch_op.drop_column("withheld")
        batch_op.drop_column("uncertain")
        batch_op.drop_column("confidence")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("date_precision")
        batch_op.drop_column("withheld")
        batch_op.drop_column("uncertain")
        batch_op.drop_column("confidence")
