"""Bounding box + date: an R*Tree on SQLite, a GiST index on PostgreSQL (the API at a million incidents).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06

Checked by hand: nothing of store/models.py changes (the objects below are outside the models,
store/search.include_name); downgrade drops them.

* SQLite: the R*Tree virtual table ``incidents_rtree`` (lon, lat, day number per located incident,
  keyed by the incident row's rowid), filled from the incidents here and kept in step by three
  triggers on incidents (store/dialect.RTREE_DDL). web/query.py reads it for bbox + date filters.
* PostgreSQL (with or without PostGIS): a B-tree ``ix_incidents_day_lon`` on (date, lon, lat);
  web/query.py names each day of a window of up to 120 days, so the index is read as one lon range
  per day (store/dialect.PG_DAY_DDL). Measured at 1M incidents: docs/scaling.md "API and map".
"""
from __future__ import annotations

from typing import Sequence, Union

from alembic import op


revision: str = '0019'
down_revision: Union[str, Sequence[str], None] = '0018'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    from harmwatch.store.dialect import PG_DAY_DDL, RTREE_DDL
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for sql in RTREE_DDL:
            op.execute(sql)
    elif bind.dialect.name == "postgresql":
        op.execute(PG_DAY_DDL)


def downgrade() -> None:
    from harmwatch.store.dialect import PG_DAY_INDEX, RTREE_DROP
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for sql in RTREE_DROP:
            op.execute(sql)
    elif bind.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_DAY_INDEX}")
