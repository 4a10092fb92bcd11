"""An index on decisions.b: an incident's reads find the analysts' rulings on any of its claims.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06

Checked by hand: one index on an existing column; matches store/models.py (Decision.b, index=True;
tests/test_store.py compares them); downgrade drops it.

A "same" / "different" ruling names two claims, `a` and `b`. Reading an incident asks for the rulings
whose `a` or `b` is one of its claims; `a` had an index, `b` none, so every incident read scanned the
whole table, which grows with every review (docs/web.md, load test).
"""
from __future__ import annotations

from typing import Sequence, Union

from alembic import op


revision: str = '0020'
down_revision: Union[str, Sequence[str], None] = '0019'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index(op.f('ix_decisions_b'), 'decisions', ['b'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_decisions_b'), table_name='decisions')
