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
the rows of the same commit). PostgreSQL: a deferred constraint trigger, so the counter row is
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
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRUNCATE)
        op.execute("CREATE CONSTRAINT TRIGGER incidents_changed AFTER INSERT OR UPDATE OR DELETE ON incidents "
                   "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION harmwatch_incident_changed()")
        op.execute("CREATE TRIGGER incidents_truncated AFTER TRUNCATE ON incidents "
                   "FOR EACH STATEMENT EXECUTE FUNCTION harmwatch_incidents_truncated()")
    else:
        for event in ("INSERT", "DELETE"):
            op.execute(f"CREATE TRIGGER incidents_changed_{event.lower()} AFTER {event} ON incidents BEGIN "
                       "UPDATE change_counters SET n = n + 1; END")
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
    op.drop_table('change_counters')
