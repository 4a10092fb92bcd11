"""Library functions the CLI (and later the web layer) call; they return data and print nothing."""
from __future__ import annotations

from pathlib import Path

from .records import Extraction
from .resolve import link as link_claims


def sample_corpus() -> Path:
    """The bundled sample corpus (the project's own restatements of public reports)."""
    return Path(__file__).parent / "data" / "sample"


def extractions_for(db, source_ids: list[int], link: bool = False) -> list[Extraction]:
    """Stored extractions of the given sources, in order; with `link`, incident ids across them."""
    from .store.writer import load_extraction
    with db.session() as s:
        results = [load_extraction(s, sid) for sid in source_ids]
    if link:
        _fill_incident_ids(results)
    return results


def all_extractions(db, link: bool = True) -> list[Extraction]:
    from .store.writer import current_sources
    with db.session() as s:
        ids = [src.id for src in current_sources(s)]
    return extractions_for(db, ids, link=link)


def _fill_incident_ids(results: list[Extraction]) -> None:
    claims = {(ex.doc_id, i): c for ex in results for i, c in enumerate(ex.incidents)}
    ids = link_claims(claims)
    for (doc_id, i), c in claims.items():
        c.incident_id = ids[(doc_id, i)]
