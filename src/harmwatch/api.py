"""Library functions the CLI (and later the web layer) call; they return data and print nothing."""
from __future__ import annotations

from pathlib import Path

from .records import Extraction


def sample_corpus() -> Path:
    """The bundled sample corpus (the project's own restatements of public reports)."""
    return Path(__file__).parent / "data" / "sample"


def extractions_for(db, source_ids: list[int], link: bool = False) -> list[Extraction]:
    """Stored extractions of the given sources, in order; with `link`, incident ids across them."""
    from .store.writer import load_extraction
    with db.session() as s:
        results = [load_extraction(s, sid) for sid in source_ids]
    if link:
        _fill_incident_ids(db, results)
    return results


def all_extractions(db, link: bool = True) -> list[Extraction]:
    from .store.writer import current_sources
    with db.session() as s:
        ids = [src.id for src in current_sources(s)]
    return extractions_for(db, ids, link=link)


def _fill_incident_ids(db, results: list[Extraction]) -> None:
    """Resolve everything stored (incremental) and copy each claim's incident id."""
    from .resolve.service import resolve
    from .store.models import Claim, Source
    from sqlalchemy import select
    resolve(db)
    with db.session() as s:
        ids = {(doc_id, ordinal): iid for doc_id, ordinal, iid in s.execute(
            select(Source.doc_id, Claim.ordinal, Claim.incident_id).join(Source, Claim.source_id == Source.id)
            .where(Source.is_current.is_(True)))}
    for ex in results:
        for i, c in enumerate(ex.incidents):
            c.incident_id = ids.get((ex.doc_id, i))
