"""Incremental resolution: the last run's incident of each claim, and indexes to read one block of claims.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

Checked by hand: one new table and three indexes on `claims` (batch mode for SQLite, as in 0004);
matches store/models.py (ResolvedClaim, the ix_claims_* indexes; tests/test_store.py compares
them); downgrade drops them.

* resolved_claims (claim_id, key, incident_id): what the last resolution run decided for each
  claim. No foreign key: a row outlives its claim (a re-extracted document, a new version), so the
  next run finds the incidents that lost a claim. A claim without a row is new, or was re-resolved
  by an analyst decision since (resolve/review.py deletes its row), and is resolved again.
* ix_claims_block (date, lat, lon): the claims of one day in one 0.25-degree cell and its
  neighbours; ix_claims_admin1_date (admin1, date): one oblast a day either side; ix_claims_geonameid
  (geonameid): the claims naming one settlement (undated claims are compared with those only).
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0016'
down_revision: Union[str, Sequence[str], None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'resolved_claims',
        sa.Column('claim_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('key', sa.String(), nullable=False),
        sa.Column('incident_id', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('claim_id', name=op.f('pk_resolved_claims')),
    )
    with op.batch_alter_table('resolved_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resolved_claims_incident_id'), ['incident_id'], unique=False)
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index('ix_claims_block', ['date', 'lat', 'lon'], unique=False)
        batch_op.create_index('ix_claims_admin1_date', ['admin1', 'date'], unique=False)
        batch_op.create_index('ix_claims_geonameid', ['geonameid'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index('ix_claims_geonameid')
        batch_op.drop_index('ix_claims_admin1_date')
        batch_op.drop_index('ix_claims_block')
    with op.batch_alter_table('resolved_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resolved_claims_incident_id'))
    op.drop_table('resolved_claims')
