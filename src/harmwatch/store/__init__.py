"""Storage: SQLAlchemy models, Alembic migrations, the raw-bytes archive and the single writer path.

    from harmwatch.store import Database
    db = Database.open()                       # $HARMWATCH_DB or sqlite:///harmwatch.db, migrated to head
    stored = ingest_document(db, doc, extractor)

Schema, versions, archive layout and crash safety: docs/storage.md.
"""
from .archive import Archive
from .db import Database, resolve_url
from .writer import StoredDoc, current_sources, ingest_document, load_extraction, save_extraction, store_document

__all__ = ["Archive", "Database", "resolve_url", "StoredDoc", "store_document", "save_extraction",
           "ingest_document", "load_extraction", "current_sources"]
