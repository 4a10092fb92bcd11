"""Review workflow, part two: assignments of incidents to reviewers, and second reviews.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

Checked by hand: matches store/models.py (Assignment, SecondReview; tests/test_store.py compares
them). Two new tables with plain create_table; nothing existing changes. Downgrade drops both
(assignments and second-review approvals are lost; the verify/discount decisions stay).
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: Union[str, Sequence[str], None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("claim", sa.String(), nullable=False),
        sa.Column("assignee", sa.String(), nullable=False),
        sa.Column("assigned_by", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", name="pk_assignments"),
    )
    op.create_index("ix_assignments_assignee", "assignments", ["assignee"], unique=False)
    op.create_table(
        "second_reviews",
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("claim", sa.String(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("first_actor", sa.String(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("incident_id", name="pk_second_reviews"),
    )


def downgrade() -> None:
    op.drop_table("second_reviews")
    op.drop_index("ix_assignments_assignee", table_name="assignments")
    op.drop_table("assignments")
