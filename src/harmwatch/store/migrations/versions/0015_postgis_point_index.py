"""PostGIS point index on incidents (lon, lat) where PostGIS is available; nothing on SQLite.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

On PostgreSQL with the PostGIS extension installable (Debian: postgresql-15-postgis-3) and a
role allowed to create it, this creates the extension and a GiST expression index
``ix_incidents_point`` on ``ST_SetSRID(ST_MakePoint(lon, lat), 4326)``; the map's bounding-box
filter (store/dialect.in_bbox) then uses it. Without PostGIS (or without the right to create
it) the migration changes nothing and the filter uses the plain lon/lat B-tree indexes (0004).
The index and PostGIS's own table are outside the models (store/search.include_name).
Downgrade drops the index and leaves the extension (other objects may use it).
"""
from __future__ import annotations

import logging
from typing import Sequence, Union

from alembic import op


revision: str = '0015'
down_revision: Union[str, Sequence[str], None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    from harmwatch.store.dialect import postgis_setup
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if not postgis_setup(bind):
        log.warning("PostGIS is not available to this database (not installed, or this role may not create the "
                    "extension): bounding-box filters use the lon/lat columns. After a superuser runs "
                    "CREATE EXTENSION postgis, `harmwatch db upgrade` adds the point index.")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_incidents_point")  # the extension stays
