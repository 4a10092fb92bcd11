"""Incident change counters: cached reads (timeline, clusters, filter choices) know when to recompute.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

Checked by hand: one new table (matches store/models.py ChangeCounter; tests/test_store.py compares
them) with its two rows, and triggers on incidents; downgrade drops both.

``change_counters`` holds two numbers, bumped by the database itself on every write to incidents,
whatever code path writes (resolution, review actions, bulk loads, COPY):

* ``incidents``: any insert, update or delete of an incident row;
* ``incident_facts``: inserts, deletes and updates that change what the timeline, the map clusters
  and the filter choices are computed from (date, place, weapon, admin1, lat, lon, weapon_class,
  objects, killed_best, injured_best). A verify or discount (status, grade) leaves it alone.

web/cache.py reads a counter first and then computes; a result is reused while its counter is unchanged
(docs/web.md, "Load test").

SQLite: AFTER triggers in the writing transaction (one writer at a time; readers see the counter and
the rows of the same commit). A review re-resolves the incidents it touches by deleting and
re-inserting them, mostly unchanged: a deleted row's facts wait in ``incident_facts_gone`` and an
insert giving the same id the same facts takes them out without a bump, so a verify does not
invalidate the timeline. A deletion that is not undone leaves its row there; readers key on
(incident_facts, the number of rows and the last seq there), web/cache.py. PostgreSQL (``incident_facts_gone`` stays empty there; a delete and re-insert bumps both): a deferred constraint trigger, so the counter row is
updated at commit time, after every incident row lock the transaction takes (no lock-order deadlock
between concurrent writers), and at most once per counter and transaction (a transaction-local
setting remembers it); TRUNCATE bumps both.
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0017'
down_revision: Union[str, Sequence[str], None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FACTS = ("date", "place", "weapon", "admin1", "lat", "lon", "weapon_class", "objects", "killed_best", "injured_best")

PG_FUNCTION = """
CREATE FUNCTION harmwatch_incident_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tx text := txid_current()::text;
BEGIN
  IF TG_OP <> 'UPDATE' OR ({old}) IS DISTINCT FROM ({new}) THEN
    IF current_setting('harmwatch.facts_bumped', true) IS DISTINCT FROM tx THEN
      PERFORM set_config('harmwatch.facts_bumped', tx, true);
      UPDATE change_counters SET n = n + 1 WHERE name = 'incident_facts';
    END IF;
  END IF;
  IF current_setting('harmwatch.incidents_bumped', true) IS DISTINCT FROM tx THEN
    PERFORM set_config('harmwatch.incidents_bumped', tx, true);
    UPDATE change_counters SET n = n + 1 WHERE name = 'incidents';
  END IF;
  RETURN NULL;
END $$
""".format(old=", ".join(f"OLD.{c}::text" for c in FACTS), new=", ".join(f"NEW.{c}::text" for c in FACTS))

PG_TRUNCATE = """
CREATE FUNCTION harmwatch_incidents_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE change_counters SET n = n + 1;
  RETURN NULL;
END $$
"""

SQLITE_FACTS_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in FACTS)


def upgrade() -> None:
    op.create_table('change_counters',
                    sa.Column('name', sa.String(length=32), nullable=False),
                    sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
                    sa.PrimaryKeyConstraint('name'))
    op.execute("INSERT INTO change_counters (name, n) VALUES ('incidents', 0), ('incident_facts', 0)")
    op.create_table('incident_facts_gone',
                    sa.Column('seq', sa.Integer(), nullable=False),
                    sa.Column('id', sa.String(length=32), nullable=False),
                    sa.Column('date', sa.String(length=10), nullable=True),
                    sa.Column('place', sa.Text(), nullable=True),
                    sa.Column('weapon', sa.Text(), nullable=True),
                    sa.Column('admin1', sa.String(), nullable=True),
                    sa.Column('lat', sa.Float(), nullable=True),
                    sa.Column('lon', sa.Float(), nullable=True),
                    sa.Column('weapon_class', sa.String(), nullable=True),
                    sa.Column('objects', sa.JSON(), nullable=True),
                    sa.Column('killed_best', sa.Integer(), nullable=True),
                    sa.Column('injured_best', sa.Integer(), nullable=True),
                    sa.PrimaryKeyConstraint('seq'), sqlite_autoincrement=True)
    op.create_index('ix_incident_facts_gone_id', 'incident_facts_gone', ['id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRUNCATE)
        op.execute("CREATE CONSTRAINT TRIGGER incidents_changed AFTER INSERT OR UPDATE OR DELETE ON incidents "
                   "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION harmwatch_incident_changed()")
        op.execute("CREATE TRIGGER incidents_truncated AFTER TRUNCATE ON incidents "
                   "FOR EACH STATEMENT EXECUTE FUNCTION harmwatch_incidents_truncated()")
    else:
        # a review re-resolves the incidents it touches by deleting and inserting them again, mostly
        # unchanged: a deleted row's facts wait in incident_facts_gone, and an insert that gives the
        # same id the same facts back takes them out without bumping incident_facts. A deletion
        # not undone in its transaction leaves its row there (web/cache.py keys on that too).
        op.execute("CREATE TRIGGER incidents_changed_delete AFTER DELETE ON incidents BEGIN "
                   "UPDATE change_counters SET n = n + 1 WHERE name = 'incidents'; "
                   f"INSERT INTO incident_facts_gone (id, {', '.join(FACTS)}) "
                   f"VALUES (OLD.id, {', '.join('OLD.' + c for c in FACTS)}); END")
        same = " AND ".join(f"g.{c} IS NEW.{c}" for c in FACTS)
        op.execute("CREATE TRIGGER incidents_changed_insert AFTER INSERT ON incidents BEGIN "
                   "UPDATE change_counters SET n = n + 1 WHERE name = 'incidents' OR (name = 'incident_facts' AND "
                   f"NOT EXISTS (SELECT 1 FROM incident_facts_gone AS g WHERE g.id = NEW.id AND {same})); "
                   "DELETE FROM incident_facts_gone WHERE id = NEW.id; END")
        op.execute("CREATE TRIGGER incidents_changed_update AFTER UPDATE ON incidents BEGIN "
                   "UPDATE change_counters SET n = n + 1 WHERE name = 'incidents' "
                   f"OR (name = 'incident_facts' AND ({SQLITE_FACTS_CHANGED})); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS incidents_truncated ON incidents")
        op.execute("DROP TRIGGER IF EXISTS incidents_changed ON incidents")
        op.execute("DROP FUNCTION IF EXISTS harmwatch_incidents_truncated()")
        op.execute("DROP FUNCTION IF EXISTS harmwatch_incident_changed()")
    else:
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS incidents_changed_{event}")
    op.drop_index('ix_incident_facts_gone_id', table_name='incident_facts_gone')
    op.drop_table('incident_facts_gone')
    op.drop_table('change_counters')
