"""Review workflow: incident aliases (merged ids redirect), comments, and review-queue columns.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

Checked by hand: matches store/models.py (IncidentAlias, Comment, and Incident.perpetrator,
.withheld, .first_seen; tests/test_store.py compares them). New tables with plain create_table;
the new incident columns in batch mode for SQLite, as in 0003/0004. Existing incidents get their
values at the next `harmwatch resolve`. Downgrade drops all of it (comments are lost).
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "incident_aliases",
        sa.Column("old_id", sa.String(length=32), nullable=False),
        sa.Column("claim", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("old_id", name="pk_incident_aliases"),
    )
    op.create_index("ix_incident_aliases_claim", "incident_aliases", ["claim"], unique=False)
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim", sa.String(), nullable=False),
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_comments"),
    )
    op.create_index("ix_comments_claim", "comments", ["claim"], unique=False)
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("perpetrator", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("withheld", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("first_seen", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_incidents_first_seen"), ["first_seen"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_first_seen"))
        batch_op.drop_column("first_seen")
        batch_op.drop_column("withheld")
        batch_op.drop_column("perpetrator")
    op.drop_index("ix_comments_claim", table_name="comments")
    op.drop_table("comments")
    op.drop_index("ix_incident_aliases_claim", table_name="incident_aliases")
    op.drop_table("incident_aliases")
