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


def withheld_for_review(db) -> list[dict]:
    """Incidents whose claims withhold a value (extract/scope.py), most withheld values first: for
    each, the claims' reasons (`uncertain`) and candidates (`withheld`: value, confidence, quote)."""
    from sqlalchemy import select
    from .store.models import Claim, Source
    by_incident: dict[str, dict] = {}
    with db.session() as s:
        rows = s.execute(select(Claim.incident_id, Claim.ordinal, Claim.uncertain, Claim.withheld, Source.doc_id)
                         .join(Source, Claim.source_id == Source.id)
                         .where(Source.is_current.is_(True), Claim.withheld.is_not(None)))
        for incident_id, ordinal, uncertain, withheld, doc_id in rows:
            if not withheld:
                continue
            key = incident_id or f"{doc_id}#{ordinal}"  # a claim not resolved yet stands alone
            item = by_incident.setdefault(key, {"incident_id": incident_id, "withheld": 0, "claims": []})
            item["withheld"] += len(withheld)
            item["claims"].append({"doc_id": doc_id, "ordinal": ordinal, "uncertain": dict(uncertain or {}),
                                   "withheld": dict(withheld)})
    return sorted(by_incident.values(), key=lambda x: (-x["withheld"], x["incident_id"] or ""))
