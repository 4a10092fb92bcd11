"""Indexes for the incident list, the map, the timeline and an incident's history (docs/web.md "Load test").

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

Checked by hand: three indexes on existing tables (batch mode for SQLite, as in 0004); matches
store/models.py (Incident, AuditEntry; tests/test_store.py compares them); downgrade drops them.

* ix_incidents_list (date DESC, id, killed_best, injured_best, lon, lat): the list order (newest
  first, then id, exactly as the index is sorted), a page at any offset, the date and
  bounding-box filters, and the timeline's per-day sums, all from the index alone (the wide rows,
  with their detail JSON, are read only for the page shown);
* ix_incidents_map (lon, lat, date, killed_best, injured_best, id): a bounding box without a date
  range (the timeline of a map view) from the index alone;
* ix_audit_log_target (target_type, target_id): the history shown with every incident, which
  otherwise reads the whole audit log (it grows with every decision).
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
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_target', ['target_type', 'target_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_target')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_map')
        batch_op.drop_index('ix_incidents_list')
