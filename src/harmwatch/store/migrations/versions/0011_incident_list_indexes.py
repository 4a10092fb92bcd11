"""Covering indexes for the incident list, the map and the timeline (bench/load.py, docs/web.md "Load test").

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

Checked by hand: two indexes on an existing table (batch mode for SQLite, as in 0004); matches
store/models.py (Incident.__table_args__; tests/test_store.py compares them); downgrade drops them.

* ix_incidents_list (date DESC, id, killed_best, injured_best, lon, lat): the list order (newest
  first, then id, exactly as the index is sorted), a page at any offset, the date and bounding-box filters, and the timeline's per-day
  sums, all from the index alone (the wide rows, with their detail JSON, are read only for the
  page shown);
* ix_incidents_map (lon, lat, date, killed_best, injured_best, id): a bounding box without a date
  range (the timeline of a map view) from the index alone.
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LIST = [sa.text('date DESC'), 'id', 'killed_best', 'injured_best', 'lon', 'lat']
MAP = ['lon', 'lat', 'date', 'killed_best', 'injured_best', 'id']


def upgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_list', LIST, unique=False)
        batch_op.create_index('ix_incidents_map', MAP, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_map')
        batch_op.drop_index('ix_incidents_list')
