"""Plain-language explanations for the incident page: which source re-reports which, and which
values were inferred rather than read (and from what)."""
from __future__ import annotations

from sqlalchemy import select

from ..store.models import SourceLink

_KIND = {"near_duplicate": "its text nearly repeats", "attribution": "it attributes its account to"}


def rereports(db, inc: dict) -> dict:
    """The incident's sources grouped by origin, with the edges that made a source a re-report."""
    docs = list(inc.get("source_docs") or [])
    origins: dict[str, str] = dict(inc.get("origins") or {})
    with db.session() as s:
        edges = list(s.scalars(select(SourceLink).where(SourceLink.doc_id.in_(docs)))) if docs else []
    by_doc: dict[str, list[dict]] = {}
    for e in edges:
        by_doc.setdefault(e.doc_id, []).append({"origin": e.origin, "kind": e.kind, "score": round(e.score, 2),
                                                "why": _KIND.get(e.kind, e.kind), "evidence": e.evidence})
    groups: dict[str, list[str]] = {}
    for d in docs:
        groups.setdefault(origins.get(d, d), []).append(d)
    rows = [{"origin": o, "docs": sorted(ds), "rereports": {d: by_doc.get(d, []) for d in sorted(ds) if d != o}}
            for o, ds in sorted(groups.items())]
    return {"groups": rows, "documents": len(docs), "independent": len(groups)}


def inferred(claims: list[dict], inc: dict) -> list[str]:
    """Sentences naming each date or place that was not read directly from the text, and from what."""
    out = []
    for c in claims:
        ev = c.get("evidence") or {}
        key = c.get("key") or c.get("doc_id")
        if c.get("date") and "date" not in ev:
            if "date.publication" in ev:
                out.append(f"{key}: date {c['date']} is the publication date of the report (the text gives no day).")
            else:
                out.append(f"{key}: date {c['date']} was carried from an earlier sentence of the report.")
        if c.get("place") and "place" not in ev:
            out.append(f"{key}: place {c['place']} was carried from an earlier sentence of the report.")
    gp = inc.get("geo_precision")
    if gp == 2 and inc.get("lat") is not None:
        out.append("The point is approximate: the claims name different settlements close together, or the "
                   "gazetteer has no point for the settlement, so its hromada or raion centre is used.")
    elif gp == 3:
        out.append("Only the oblast is known: the incident has no point on the map.")
    if inc.get("time_precision") == 2:
        out.append("The claims' dates differ by a day; the date shown is the one most sources give.")
    return out
