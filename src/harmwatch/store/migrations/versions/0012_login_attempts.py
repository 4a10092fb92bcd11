"""The shared sign-in throttle's table (web/throttle.py `SharedLoginThrottle`; docs/security.md).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

Checked by hand: one new table, matches store/models.py (LoginAttempt; tests/test_store.py compares
them); downgrade drops it. With it, every `harmwatch serve` worker of one database counts the same
failed sign-ins (before, each process counted on its own, in memory).
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('login_attempts',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('key', sa.String(length=200), nullable=False),
                    sa.Column('at', sa.Float(), nullable=False),
                    sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_key_at', ['key', 'at'], unique=False)
        batch_op.create_index('ix_login_attempts_at', ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_at')
        batch_op.drop_index('ix_login_attempts_key_at')
    op.drop_table('login_attempts')
