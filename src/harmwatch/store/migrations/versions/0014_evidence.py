"""Evidence items, their derivatives and perceptual fingerprints (evidence/; docs/evidence.md).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

Checked by hand: three new tables, matching store/models.py (EvidenceItem, EvidenceDerivative,
EvidencePhash; tests/test_store.py compares them); downgrade drops them. The files themselves live in
the archive folder (evidence/originals, evidence/derivatives) and are not touched by either direction.
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('evidence_items',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('sha256', sa.String(length=64), nullable=False),
                    sa.Column('size', sa.BigInteger(), nullable=False),
                    sa.Column('media_type', sa.String(), nullable=False),
                    sa.Column('kind', sa.String(length=16), nullable=False),
                    sa.Column('filename', sa.Text(), nullable=False),
                    sa.Column('path', sa.String(), nullable=False),
                    sa.Column('incident_id', sa.String(length=32), nullable=False),
                    sa.Column('claim', sa.String(), nullable=True),
                    sa.Column('incident_date', sa.String(length=10), nullable=True),
                    sa.Column('source_url', sa.Text(), nullable=True),
                    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=True),
                    sa.Column('collector', sa.String(), nullable=True),
                    sa.Column('added_by', sa.String(), nullable=False),
                    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('exif', sa.JSON(), nullable=False),
                    sa.Column('warnings', sa.JSON(), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_items')),
                    sa.UniqueConstraint('sha256', 'incident_id', name=op.f('uq_evidence_items_sha256_incident_id')))
    with op.batch_alter_table('evidence_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_items_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_items_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_items_claim'), ['claim'], unique=False)
    op.create_table('evidence_derivatives',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('item_id', sa.Integer(), nullable=False),
                    sa.Column('role', sa.String(length=16), nullable=False),
                    sa.Column('seq', sa.Integer(), nullable=False),
                    sa.Column('sha256', sa.String(length=64), nullable=False),
                    sa.Column('size', sa.BigInteger(), nullable=False),
                    sa.Column('media_type', sa.String(), nullable=False),
                    sa.Column('path', sa.String(), nullable=False),
                    sa.ForeignKeyConstraint(['item_id'], ['evidence_items.id'],
                                            name=op.f('fk_evidence_derivatives_item_id_evidence_items'),
                                            ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_derivatives')))
    with op.batch_alter_table('evidence_derivatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_derivatives_item_id'), ['item_id'], unique=False)
    op.create_table('evidence_phashes',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('item_id', sa.Integer(), nullable=False),
                    sa.Column('derivative_id', sa.Integer(), nullable=True),
                    sa.Column('phash', sa.String(length=16), nullable=False),
                    sa.Column('windows', sa.JSON(), nullable=False),
                    sa.ForeignKeyConstraint(['item_id'], ['evidence_items.id'],
                                            name=op.f('fk_evidence_phashes_item_id_evidence_items'),
                                            ondelete='CASCADE'),
                    sa.ForeignKeyConstraint(['derivative_id'], ['evidence_derivatives.id'],
                                            name=op.f('fk_evidence_phashes_derivative_id_evidence_derivatives'),
                                            ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_phashes')))
    with op.batch_alter_table('evidence_phashes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_phashes_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_phashes_phash'), ['phash'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evidence_phashes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_phashes_phash'))
        batch_op.drop_index(batch_op.f('ix_evidence_phashes_item_id'))
    op.drop_table('evidence_phashes')
    with op.batch_alter_table('evidence_derivatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_derivatives_item_id'))
    op.drop_table('evidence_derivatives')
    with op.batch_alter_table('evidence_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_items_claim'))
        batch_op.drop_index(batch_op.f('ix_evidence_items_incident_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_items_sha256'))
    op.drop_table('evidence_items')
