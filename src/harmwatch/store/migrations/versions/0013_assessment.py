"""Assessment: screening flags per incident, analysts' dismissals of them, user-loaded military objects
(assess/; docs/assessment.md).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Checked by hand: three new tables, matching store/models.py (AssessmentFlag, FlagDismissal,
MilitaryObject; tests/test_store.py compares them); downgrade drops them. Flags are recomputed
from the incidents and claims (assess/flags.py), so the `flags` table can be emptied at any time;
dismissals and military objects are analysts' and users' data.
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('flags',
                    sa.Column('id', sa.String(length=40), nullable=False),
                    sa.Column('incident_id', sa.String(length=32), nullable=False),
                    sa.Column('kind', sa.String(), nullable=False),
                    sa.Column('reason', sa.Text(), nullable=False),
                    sa.Column('evidence', sa.JSON(), nullable=False),
                    sa.Column('basis', sa.String(length=64), nullable=False),
                    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_flags')))
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flags_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_flags_kind'), ['kind'], unique=False)
    op.create_table('flag_dismissals',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('flag_id', sa.String(length=40), nullable=False),
                    sa.Column('incident_id', sa.String(length=32), nullable=False),
                    sa.Column('kind', sa.String(), nullable=False),
                    sa.Column('basis', sa.String(length=64), nullable=False),
                    sa.Column('reason', sa.Text(), nullable=False),
                    sa.Column('actor', sa.String(), nullable=False),
                    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_flag_dismissals')))
    with op.batch_alter_table('flag_dismissals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flag_dismissals_flag_id'), ['flag_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_flag_dismissals_incident_id'), ['incident_id'], unique=False)
    op.create_table('military_objects',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('name', sa.Text(), nullable=False),
                    sa.Column('names', sa.JSON(), nullable=False),
                    sa.Column('kind', sa.String(), nullable=True),
                    sa.Column('lat', sa.Float(), nullable=False),
                    sa.Column('lon', sa.Float(), nullable=False),
                    sa.Column('source', sa.Text(), nullable=False),
                    sa.Column('properties', sa.JSON(), nullable=False),
                    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_military_objects')))


def downgrade() -> None:
    op.drop_table('military_objects')
    with op.batch_alter_table('flag_dismissals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flag_dismissals_incident_id'))
        batch_op.drop_index(batch_op.f('ix_flag_dismissals_flag_id'))
    op.drop_table('flag_dismissals')
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flags_kind'))
        batch_op.drop_index(batch_op.f('ix_flags_incident_id'))
    op.drop_table('flags')
