"""Initial schema: sources (versioned documents), claims, tallies, places, weapons.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Checked by hand: matches store/models.py (tests/test_store.py compares them with
alembic's compare_metadata); names follow models.NAMING_CONVENTION; generic types only
(JSON not JSONB, BigInteger for geonameid), so it runs on SQLite and PostgreSQL alike.
Plain create_table (no batch needed on an empty database). Downgrade drops everything.
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("retrieved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("language", sa.String(), nullable=True),
        sa.Column("media_type", sa.String(), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("raw_path", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("extracted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["previous_id"], ["sources.id"], name="fk_sources_previous_id_sources"),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
        sa.UniqueConstraint("doc_id", "sha256", name="uq_sources_doc_id_sha256"),
    )
    op.create_index("ix_sources_doc_id", "sources", ["doc_id"], unique=False)
    op.create_index("ix_sources_url", "sources", ["url"], unique=False)

    op.create_table(
        "places",
        sa.Column("geonameid", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("admin1", sa.String(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("population", sa.BigInteger(), nullable=True),
        sa.Column("feature_code", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("geonameid", name="pk_places"),
    )

    op.create_table(
        "weapons",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("weapon_class", sa.String(), nullable=True),
        sa.Column("calibre_mm", sa.Float(), nullable=True),
        sa.Column("guidance", sa.String(), nullable=True),
        sa.Column("cluster_capable", sa.Boolean(), nullable=True),
        sa.Column("accuracy", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_weapons"),
    )

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=True),
        sa.Column("time", sa.String(length=5), nullable=True),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("admin1", sa.String(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("geonameid", sa.BigInteger(), nullable=True),
        sa.Column("weapon", sa.Text(), nullable=True),
        sa.Column("weapon_id", sa.String(), nullable=True),
        sa.Column("weapon_class", sa.String(), nullable=False),
        sa.Column("cluster", sa.Boolean(), nullable=True),
        sa.Column("objects", sa.JSON(), nullable=False),
        sa.Column("killed", sa.Integer(), nullable=True),
        sa.Column("injured", sa.Integer(), nullable=True),
        sa.Column("children_killed", sa.Integer(), nullable=True),
        sa.Column("children_injured", sa.Integer(), nullable=True),
        sa.Column("women_killed", sa.Integer(), nullable=True),
        sa.Column("healthcare_killed", sa.Integer(), nullable=True),
        sa.Column("healthcare_injured", sa.Integer(), nullable=True),
        sa.Column("vague", sa.JSON(), nullable=False),
        sa.Column("source_said", sa.Text(), nullable=True),
        sa.Column("perpetrator", sa.Text(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name="fk_claims_source_id_sources",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["geonameid"], ["places.geonameid"], name="fk_claims_geonameid_places"),
        sa.ForeignKeyConstraint(["weapon_id"], ["weapons.id"], name="fk_claims_weapon_id_weapons"),
        sa.PrimaryKeyConstraint("id", name="pk_claims"),
    )
    op.create_index("ix_claims_source_id", "claims", ["source_id"], unique=False)
    op.create_index("ix_claims_incident_id", "claims", ["incident_id"], unique=False)

    op.create_table(
        "tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("period", sa.Text(), nullable=True),
        sa.Column("killed", sa.Integer(), nullable=True),
        sa.Column("injured", sa.Integer(), nullable=True),
        sa.Column("children_killed", sa.Integer(), nullable=True),
        sa.Column("children_injured", sa.Integer(), nullable=True),
        sa.Column("source_said", sa.Text(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name="fk_tallies_source_id_sources",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_tallies"),
    )
    op.create_index("ix_tallies_source_id", "tallies", ["source_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_tallies_source_id", table_name="tallies")
    op.drop_table("tallies")
    op.drop_index("ix_claims_incident_id", table_name="claims")
    op.drop_index("ix_claims_source_id", table_name="claims")
    op.drop_table("claims")
    op.drop_table("weapons")
    op.drop_table("places")
    op.drop_index("ix_sources_url", table_name="sources")
    op.drop_index("ix_sources_doc_id", table_name="sources")
    op.drop_table("sources")
