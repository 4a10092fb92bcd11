"""Full-text search index over documents and claim quotes (store/search.py).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

Checked by hand: no model changes (store/models.py unchanged). The index lives outside the models
on purpose, because the two backends need different objects:

* SQLite: an FTS5 virtual table `search_index` (and the shadow tables FTS5 makes for it);
* PostgreSQL: a table `search_index` with a generated tsvector column and a GIN index.

`harmwatch.store.search.include_name` keeps them out of model/migration comparisons. The upgrade
fills the index from every stored document and claim (store/search.backfill, the code the writer
uses for new documents). Downgrade drops it.
"""
from __future__ import annotations

from typing import Sequence, Union

from alembic import op
from sqlalchemy.orm import Session

revision: str = "0010"
down_revision: Union[str, Sequence[str], None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    from harmwatch.store import search
    bind = op.get_bind()
    for stmt in (search.SQLITE_DDL if bind.dialect.name == "sqlite" else search.PG_DDL):
        op.execute(stmt)
    search.backfill(Session(bind=bind))


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_index")
