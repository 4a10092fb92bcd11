"""The single writer path to the database, and the readers that rebuild records from it.

Every row HarmWatch stores goes through `store_document` and `save_extraction`. The steps an
executor composes are `plan` (one SELECT per batch: which documents need extracting),
`extract_step` (pure: no database; may run on a Dask worker) and `write_batch`, which stores a
batch of documents with their claims in ONE transaction, so a process killed at any point
leaves each batch whole or absent; `ingest_document` is the three for one document. The raw
bytes are archived (and, for a batch, synced once) before that transaction commits: a crash
can leave an archive file no row points to (harmless; the re-run writes the same file
again), never a row without its file.

Versions: the same doc_id (or, failing that, the same non-empty url) arriving with other
bytes becomes a new `Source` row with version+1, linked by `previous_id`; the old row stays
(with its claims) but is no longer current.
"""
from __future__ import annotations

import hashlib
import weakref
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from ..errors import CatalogueError, GazetteerError, HarmWatchError, StoreError
from ..records import DocumentIn, Extraction, IncidentClaim, Span, TallyClaim
from . import search
from .archive import Archive, sha256_hex
from .models import Claim, Place, Source, Tally, Weapon

NEW, UNCHANGED, NEW_VERSION = "new", "unchanged", "new_version"

Extractor = Callable[[DocumentIn, str], Extraction]

# IncidentClaim attributes stored in a column of the same name (source -> source_said is apart).
_CLAIM_COLUMNS = ("date", "time", "place", "admin1", "lat", "lon", "geonameid", "weapon", "weapon_class",
                  "cluster", "killed", "injured", "children_killed", "children_injured", "women_killed",
                  "healthcare_killed", "healthcare_injured", "perpetrator", "incident_id")
_TALLY_COLUMNS = ("scope", "period", "killed", "injured", "children_killed", "children_injured")


@dataclass(frozen=True)
class StoredDoc:
    source_id: int
    status: str  # NEW, UNCHANGED or NEW_VERSION
    doc_id: str = ""


class ExtractionFailed(HarmWatchError):
    """The extractor raised or returned something other than an Extraction for one document."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- sources ---------------------------------------------------------------------------------

def store_document(session: Session, archive: Archive, doc: DocumentIn) -> StoredDoc:
    """Archive the raw bytes and add (or find) the document's Source row. Flushes; does not commit."""
    return _store_document(session, archive, doc)[0]


# Statements run for every document, built once (building one cost more than running it).
_VERSIONS_Q = select(Source).where(Source.doc_id == bindparam("doc_id"))


def _store_document(session: Session, archive: Archive, doc: DocumentIn, sync: bool = True,
                    sink: "_Rows | None" = None, extracting: bool = False,
                    lookup: "_BatchLookup | None" = None) -> tuple[StoredDoc, Source]:
    # Also returns the row: the session holds unchanged rows only weakly, so a caller that wants
    # it again would otherwise SELECT it (and its whole text) a second time.
    # sync=False: the caller calls archive.sync() before it commits (write_batch).
    # lookup: the rows of the whole batch's doc_ids and urls, read with one SELECT (write_batch);
    # a new row is then added but not flushed: its id is None until the caller flushes, and its
    # search rows are the caller's (`_index_new`).
    sha, rel = archive.put(doc.raw, sync=sync)
    # Every version stored under this doc_id (usually none or one) in one SELECT: the row with
    # these bytes and the current row it replaces are both among them.
    rows = (lookup.versions(doc.doc_id) if lookup is not None
            else list(session.scalars(_VERSIONS_Q, {"doc_id": doc.doc_id})))
    same = next((r for r in rows if r.sha256 == sha), None)
    if same is not None and same.is_current:
        return StoredDoc(same.id, UNCHANGED, doc.doc_id), same
    # as _current_version: the newest current row with this doc_id, else with this url
    prev = max((r for r in rows if r.is_current and r is not same), key=lambda r: r.id, default=None)
    if prev is None and doc.url:
        prev = (lookup.current_by_url(doc.url, exclude=same) if lookup is not None
                else _current_version(session, doc, exclude=same))
    if prev is not None:
        prev.is_current = False
    if same is not None:
        # Bytes of an earlier version came back (a revert): (doc_id, sha256) is unique, so the
        # old row becomes current again rather than being copied.
        same.is_current = True
        session.flush()
        return StoredDoc(same.id, NEW_VERSION, doc.doc_id), same
    src = Source(
        doc_id=doc.doc_id, version=(prev.version + 1) if prev else 1, previous_id=prev.id if prev else None,
        is_current=True, title=doc.title, publisher=doc.publisher, url=doc.url or None,
        published=doc.published, retrieved_at=_now(), language=doc.language, media_type=doc.media_type,
        path=doc.path, sha256=sha, raw_path=rel, text=doc.text, text_sha256=text_sha256(doc.text),
        # extracting: its claims are saved in this transaction (no UPDATE of the row for it later)
        extracted_at=_now() if extracting else None,
    )
    session.add(src)
    status = NEW_VERSION if prev else NEW
    if lookup is not None:
        return StoredDoc(0, status, doc.doc_id), src  # (the id once the caller has flushed)
    session.flush()  # assigns src.id; the transaction is still open
    _index_new(session, src, sink)
    return StoredDoc(src.id, status, doc.doc_id), src


def _index_new(session: Session, src: Source, sink: "_Rows | None") -> None:
    """The full-text search rows of a Source row just inserted (store/search.py)."""
    if sink is None:
        search.index_document(session, src.id, src.title, src.text)
    else:  # the same, its INSERT joined with the rest of the batch's
        search._remove(session, sink.dialect, src.id, 0, search.SLOTS)
        sink.search.extend(search.document_rows(src.id, src.title, src.text))


class _BatchLookup:
    """The stored rows a batch's documents can find by doc_id or url, read with ONE SELECT.

    Used only for a batch whose doc_ids are distinct and whose non-empty urls are distinct
    (`_batchable`): then no document of the batch can find another one's new row, and the rows it
    finds are these, with the changes (`is_current`) earlier documents of the batch made to them in
    this session, as the per-document SELECTs of `_store_document` would see them after autoflush."""

    def __init__(self, session: Session, docs: list[DocumentIn]):
        ids = list(dict.fromkeys(d.doc_id for d in docs))
        urls = list(dict.fromkeys(d.url for d in docs if d.url))
        cond = Source.doc_id.in_(ids)
        if urls:
            cond = cond | Source.url.in_(urls)
        self.by_doc: dict[str, list[Source]] = {}
        self.by_url: dict[str, list[Source]] = {}
        for r in session.scalars(select(Source).where(cond).order_by(Source.id)):
            self.by_doc.setdefault(r.doc_id, []).append(r)
            if r.url:
                self.by_url.setdefault(r.url, []).append(r)

    def versions(self, doc_id: str) -> list[Source]:
        return self.by_doc.get(doc_id, [])

    def current_by_url(self, url: str, exclude: Source | None) -> Source | None:
        # as _current_version once the doc_id found no other current row: the newest current row
        # with this url
        return max((r for r in self.by_url.get(url, ()) if r.is_current and r is not exclude),
                   key=lambda r: r.id, default=None)


def _runs(ids: list[int]) -> list[tuple[int, int]]:
    """Runs of consecutive integers in sorted `ids`, as (first, last)."""
    out: list[tuple[int, int]] = []
    for i in ids:
        if out and i == out[-1][1] + 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def _batchable(items: list["Extracted"]) -> bool:
    ids = [it.doc.doc_id for it in items]
    urls = [it.doc.url for it in items if it.doc.url]
    return len(set(ids)) == len(ids) and len(set(urls)) == len(urls)


def _current_version(session: Session, doc: DocumentIn, exclude: Source | None) -> Source | None:
    """The current row this document replaces: same doc_id first, else same non-empty url."""
    q = select(Source).where(Source.is_current.is_(True))
    if exclude is not None:
        q = q.where(Source.id != exclude.id)
    row = session.scalar(q.where(Source.doc_id == doc.doc_id).order_by(Source.id.desc()))
    if row is None and doc.url:
        row = session.scalar(q.where(Source.url == doc.url).order_by(Source.id.desc()))
    return row


def current_sources(session: Session) -> list[Source]:
    """The current version of every document, in the order they were first stored."""
    return list(session.scalars(select(Source).where(Source.is_current.is_(True)).order_by(Source.id)))


def versions(session: Session, source_id: int) -> list[Source]:
    """The version chain ending at `source_id`, oldest first."""
    chain, seen = [], set()
    row = session.get(Source, source_id)
    while row is not None and row.id not in seen:
        seen.add(row.id)
        chain.append(row)
        row = session.get(Source, row.previous_id) if row.previous_id is not None else None
    return chain[::-1]


# --- claims ----------------------------------------------------------------------------------

def save_extraction(session: Session, source_id: int, extraction: Extraction, *,
                    catalogue: Any = None, gazetteer: Any = None, fresh: bool = False,
                    known: "_KnownRefs | None" = None, upserted: "_KnownRefs | None" = None,
                    sink: "_Rows | None" = None, src: Source | None = None,
                    refs: "_References | None" = None) -> None:
    """Replace the claims and tallies of a source (idempotent) and upsert the places and weapons
    they reference. `catalogue`/`gazetteer` default to the packaged ones when importable.

    `fresh`: the source row was inserted in this transaction, so it has no claims to replace.
    `known`: reference rows already upserted by committed transactions (see `_KnownRefs`);
    `upserted` collects this call's upserts, to be added to `known` once the caller committed.
    `sink`: collect the claim, tally and search rows there; the caller inserts them (`_Rows.write`)
    for a whole batch at once, before it commits. `src`: the Source row, when the caller has it.
    `refs`: the batch's place and weapon upserts (with `sink`); the caller applies them, in claim
    order, with `refs.write()` before `sink.write`."""
    src = src if src is not None else session.get(Source, source_id)
    if src is None:
        raise StoreError(f"no source with id {source_id}")
    _check_spans(src, extraction)
    if not fresh:
        session.execute(delete(Claim).where(Claim.source_id == source_id))
        session.execute(delete(Tally).where(Tally.source_id == source_id))
    own_refs = refs is None
    if refs is None:
        refs = _References(session, catalogue, gazetteer, known, upserted)
    # Claims and tallies are written with one executemany INSERT each rather than as ORM objects:
    # nothing reads them back in this transaction, and the unit of work cost more than the SQL.
    # The values are those the ORM would have written, including its one default that matters:
    # a None weapon_class is left out of the ORM's INSERT, so the column default applies.
    claims = []
    for i, c in enumerate(extraction.incidents):
        row = {k: getattr(c, k) for k in _CLAIM_COLUMNS}
        row.update(source_id=source_id, ordinal=i, objects=list(c.objects), vague=dict(c.vague),
                   source_said=c.source, evidence=_evidence_json(c.evidence), **_span_cols(c.span),
                   **_scope_cols(c), date_precision=getattr(c, "date_precision", None))
        if row["weapon_class"] is None:
            row["weapon_class"] = _CLAIM_WEAPON_CLASS_DEFAULT
        row["geonameid"] = refs.place(c)
        row["weapon_id"] = refs.weapon(c.weapon)
        claims.append(row)
    tallies = [dict(source_id=source_id, ordinal=i, source_said=t.source, evidence=_evidence_json(t.evidence),
                    **_span_cols(t.span), **_scope_cols(t), **{k: getattr(t, k) for k in _TALLY_COLUMNS})
               for i, t in enumerate(extraction.tallies)]
    if own_refs:
        refs.write()  # places and weapons first: the claims' foreign keys point at them
    if sink is not None:
        sink.claims.extend(claims)
        sink.tallies.extend(tallies)
        if not fresh:
            search._remove(session, sink.dialect, source_id, search.CLAIM_SLOT, search.SLOTS)
        sink.search.extend(search.claim_rows(source_id, src.text, claims))
        if not (fresh and src.extracted_at is not None):  # (set when the row was inserted)
            src.extracted_at = _now()
        return
    if claims:
        session.execute(insert(Claim.__table__), claims)
    if tallies:
        session.execute(insert(Tally.__table__), tallies)
    search.index_claims(session, source_id, src.text, claims, fresh=fresh)  # claim quotes for full-text search
    src.extracted_at = _now()
    session.flush()


_CLAIM_WEAPON_CLASS_DEFAULT = Claim.__table__.c.weapon_class.default.arg


@dataclass
class _Rows:
    """Claim, tally and search-index rows of a batch, inserted with one executemany each."""
    dialect: str
    claims: list[dict] = field(default_factory=list)
    tallies: list[dict] = field(default_factory=list)
    search: list[dict] = field(default_factory=list)

    def write(self, session: Session) -> None:
        session.flush()  # source, place and weapon rows first: the rows' foreign keys point at them
        if self.claims:
            session.execute(insert(Claim.__table__), self.claims)
        if self.tallies:
            session.execute(insert(Tally.__table__), self.tallies)
        search._insert(session, self.dialect, self.search)


def _check_spans(src: Source, extraction: Extraction) -> None:
    """Evidence must point into the stored text; refuse an extraction that does not."""
    n = len(src.text)
    for kind, items in (("incident", extraction.incidents), ("tally", extraction.tallies)):
        for i, item in enumerate(items):
            spans = dict(item.evidence)
            if item.span is not None:
                spans["(span)"] = item.span
            for name, sp in spans.items():
                if not (0 <= sp.start <= sp.end <= n):
                    raise StoreError(f"{src.doc_id}: {kind} {i} evidence {name!r} [{sp.start}, {sp.end}) "
                                     f"lies outside the stored text ({n} characters)")


def _evidence_json(evidence: dict[str, Span]) -> dict:
    return {k: v.to_dict() for k, v in evidence.items()}


def _scope_cols(c: IncidentClaim | TallyClaim) -> dict:
    """Confidence per field, and the withheld values with their reasons (extract/scope.py)."""
    return {"confidence": dict(c.confidence), "uncertain": dict(c.uncertain), "withheld": dict(c.withheld)}


def _span_cols(span: Span | None) -> dict:
    return {"span_start": span.start if span else None, "span_end": span.end if span else None}


@dataclass
class _KnownRefs:
    """Place and Weapon rows one process has upserted in COMMITTED transactions of one database.

    Upserting the same reference again changes nothing: a place row already holds every non-empty
    value of that upsert (it never erases), a weapon row exists. So a later document can skip the
    lookup (a SELECT per claim) when the values are the same. `ingest_document` adds what a
    transaction upserted only after it committed, so a rolled-back upsert is never remembered.
    Reference rows are never deleted, so what is remembered stays true.
    """
    places: dict[int, dict] = field(default_factory=dict)  # geonameid -> values upserted
    weapons: set[str] = field(default_factory=set)

    def merge(self, other: "_KnownRefs") -> None:
        self.places.update(other.places)
        self.weapons |= other.weapons


_KNOWN_REFS: "weakref.WeakKeyDictionary[Any, _KnownRefs]" = weakref.WeakKeyDictionary()  # Database -> refs


class _References:
    """Upserts Place and Weapon rows for claims; lookups are lazy so tests need neither module.

    `place`/`weapon` only note what each claim references (in claim order); `write` then reads
    the rows that may exist with one SELECT per table and applies the upserts in that order,
    as one-at-a-time upserts would: the first one inserts a missing row, later ones for the same
    key fill what it left empty, never erasing."""

    def __init__(self, session: Session, catalogue: Any, gazetteer: Any, known: _KnownRefs | None = None,
                 upserted: _KnownRefs | None = None):
        self.session = session
        self._catalogue, self._gazetteer = catalogue, gazetteer
        self._gaz_index: dict[int, Any] | None = None  # resolved once per document, not per claim
        self.known = known
        self.upserted = upserted if upserted is not None else _KnownRefs()  # for `known` after commit
        self._places: list[tuple[int, dict]] = []  # (geonameid, values) to upsert, in claim order
        self._weapons: dict[str, Any] = {}  # weapon id -> catalogue entry, in claim order

    def place(self, c: IncidentClaim) -> int | None:
        if c.geonameid is None:
            return None
        if self._gaz_index is None:
            self._gaz_index = _gazetteer_index(self._gazetteer)
        known = self._gaz_index.get(c.geonameid)
        values = {"name": c.place or str(c.geonameid), "admin1": c.admin1, "lat": c.lat, "lon": c.lon}
        if known is not None:
            values = {k: getattr(known, k, None) for k in
                      ("name", "admin1", "lat", "lon", "population", "feature_code")}
        self.upserted.places[c.geonameid] = values
        if self.known is None or self.known.places.get(c.geonameid) != values:
            # (else this very upsert was committed before: it would change nothing)
            self._places.append((c.geonameid, values))
        return c.geonameid

    def weapon(self, name: str | None) -> str | None:
        if not name:
            return None
        entry = _catalogue_entry(self._catalogue, name)
        wid = getattr(entry, "id", None) if entry is not None else None
        if not wid:
            return None
        self.upserted.weapons.add(wid)
        if self.known is None or wid not in self.known.weapons:
            self._weapons.setdefault(wid, entry)
        return wid

    def write(self) -> None:
        """Apply the noted upserts and flush, so the claims' foreign keys find their rows."""
        if self._places:
            ids = list(dict.fromkeys(g for g, _ in self._places))
            rows = {r.geonameid: r for r in self.session.scalars(select(Place).where(Place.geonameid.in_(ids)))}
            for gid, values in self._places:
                row = rows.get(gid)
                if row is None:
                    rows[gid] = row = Place(geonameid=gid, **values)
                    self.session.add(row)
                else:  # fill what an earlier, thinner upsert left empty; never erase
                    for k, v in values.items():
                        if v is not None and getattr(row, k) is None:
                            setattr(row, k, v)
        if self._weapons:
            have = set(self.session.scalars(select(Weapon.id).where(Weapon.id.in_(list(self._weapons)))))
            for wid, entry in self._weapons.items():
                if wid not in have:
                    self.session.add(Weapon(
                        id=wid, name=getattr(entry, "name", None) or wid,
                        weapon_class=getattr(entry, "weapon_class", None),
                        calibre_mm=getattr(entry, "calibre_mm", None), guidance=getattr(entry, "guidance", None),
                        cluster_capable=getattr(entry, "cluster_capable", None),
                        accuracy=_jsonable(getattr(entry, "accuracy", None))))
        if self._places or self._weapons:
            self.session.flush()


def _catalogue_entry(catalogue: Any, name: str) -> Any:
    if catalogue is None:
        try:  # written by another module owner; may be absent or still incomplete
            from ..extract.weapons import Catalogue
            catalogue = Catalogue.default()
        except (ImportError, CatalogueError, AttributeError):
            return None
    try:
        return catalogue.get(name)
    except (KeyError, LookupError):
        return None


_PLACE_INDEX: dict[int, tuple[Any, dict[int, Any]]] = {}  # id(gazetteer) -> (gazetteer, {geonameid: place})


def _gazetteer_place(gazetteer: Any, geonameid: int) -> Any:
    return _gazetteer_index(gazetteer).get(geonameid)


def _gazetteer_index(gazetteer: Any) -> dict[int, Any]:
    """{geonameid: place} of `gazetteer` (None: the packaged one, if importable)."""
    if gazetteer is None:
        try:
            from ..geo import Gazetteer
            gazetteer = Gazetteer.default()  # cached per process; the extractor has loaded it already
        except (ImportError, GazetteerError):
            return {}
    cached = _PLACE_INDEX.get(id(gazetteer))
    if cached is None or cached[0] is not gazetteer:
        cached = (gazetteer, {p.geonameid: p for p in getattr(gazetteer, "places", ())})
        _PLACE_INDEX.clear()
        _PLACE_INDEX[id(gazetteer)] = cached
    return cached[1]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return str(value)


# --- reading back ----------------------------------------------------------------------------

def load_extraction(session: Session, source_id: int) -> Extraction:
    """Rebuild the stored Extraction of one source (claims in their original order)."""
    src = session.get(Source, source_id)
    if src is None:
        raise StoreError(f"no source with id {source_id}")
    claims = session.scalars(select(Claim).where(Claim.source_id == source_id).order_by(Claim.ordinal))
    tallies = session.scalars(select(Tally).where(Tally.source_id == source_id).order_by(Tally.ordinal))
    return Extraction(doc_id=src.doc_id,
                      incidents=[_incident(r, src.text) for r in claims],
                      tallies=[_tally(r, src.text) for r in tallies])


def _incident(r: Claim, text: str) -> IncidentClaim:
    c = IncidentClaim(objects=list(r.objects or []), vague=dict(r.vague or {}), source=r.source_said,
                      evidence=_spans(r.evidence), span=_span(r.span_start, r.span_end, text),
                      confidence=dict(r.confidence or {}), uncertain=dict(r.uncertain or {}),
                      withheld=dict(r.withheld or {}), **{k: getattr(r, k) for k in _CLAIM_COLUMNS})
    if r.date_precision is not None and hasattr(c, "date_precision"):
        c.date_precision = r.date_precision
    return c


def _tally(r: Tally, text: str) -> TallyClaim:
    return TallyClaim(source=r.source_said, evidence=_spans(r.evidence), span=_span(r.span_start, r.span_end, text),
                      confidence=dict(r.confidence or {}), uncertain=dict(r.uncertain or {}),
                      withheld=dict(r.withheld or {}), **{k: getattr(r, k) for k in _TALLY_COLUMNS})


def _spans(evidence: dict | None) -> dict[str, Span]:
    return {k: Span(int(v["start"]), int(v["end"]), v.get("quote", "")) for k, v in (evidence or {}).items()}


def _span(start: int | None, end: int | None, text: str) -> Span | None:
    # The quote is not stored twice: by definition it is the stored text between the offsets.
    return None if start is None or end is None else Span(start, end, text[start:end])


# --- read -> extract -> store: the steps executors compose ------------------------------------
#
# plan (one SELECT per batch, in the process that writes) -> extract_step (pure: DocumentIn and
# text in, Extracted out; runs in this process or on a Dask worker, ingest/executors.py) ->
# write_batch (one transaction per batch, in the one writing process).

@dataclass(frozen=True)
class Extracted:
    """One document ready for the writer. Picklable: it crosses to and from executor workers.

    `extracting`: the document's claims are wanted (an extractor reads its language);
    `extraction`: computed from `text` (None when the plan found it extracted already)."""
    doc: DocumentIn
    text: str
    extraction: Extraction | None = None
    extracting: bool = False


def extract_step(doc: DocumentIn, text: str, extractor: Extractor) -> Extracted:
    """The pure extract step: the extractor's claims for `text` (the text the offsets will index).
    Raises ExtractionFailed (or the extractor's HarmWatchError) for this document."""
    return Extracted(doc, text, _extract(extractor, doc, text), True)


def plan(db, docs: list[DocumentIn], reextract: bool = False) -> list[tuple[str, bool]]:
    """For each document: (text to extract from, whether to extract), judged from what is stored
    now, with one SELECT for the whole batch (and one more per stored document to re-extract)."""
    if not docs:
        return []
    shas = [sha256_hex(d.raw) for d in docs]
    try:
        # a Core connection, not an ORM session: one read, no objects
        with db.engine.connect() as conn:
            rows = {(r.doc_id, r.sha256): r for r in conn.execute(
                _PLAN_BATCH_Q, {"ids": list({d.doc_id for d in docs})})}
            out = []
            for d, sha in zip(docs, shas):
                row = rows.get((d.doc_id, sha))
                if row is None:
                    out.append((d.text, True))
                    continue
                wanted = bool(reextract or not row.is_current or row.extracted_at is None)
                # Stored already: offsets must index the text as stored (a newer reader might differ).
                text = conn.execute(_TEXT_Q, {"id": row.id}).scalar_one() if wanted else d.text
                out.append((text, wanted))
    except SQLAlchemyError as e:
        raise StoreError(f"{docs[0].doc_id}: cannot read the database: {e}") from e
    return out


_PLAN_BATCH_Q = select(Source.id, Source.doc_id, Source.sha256, Source.is_current, Source.extracted_at).where(Source.doc_id.in_(bindparam("ids", expanding=True)))
_TEXT_Q = select(Source.text).where(Source.id == bindparam("id"))


def write_batch(db, items: list[Extracted], extractor: Extractor | None = None,
                reextract: bool = False) -> list[StoredDoc | HarmWatchError]:
    """Store a batch of documents (and the claims of those `extracting`) in ONE transaction.

    Returns, per item, its StoredDoc or the HarmWatchError that kept it out. When one document
    fails (an IntegrityError, spans outside the text), the batch is rolled back and its documents
    are written one transaction each, so only that one fails. A StoreError that means the database
    itself is unusable (`is_fatal`) is raised. The archive files of the batch are synced before
    its COMMIT: a row never points at a file that could be lost.

    `extractor` is needed only when the stored text differs from the one extracted (another
    process stored the document meanwhile) or the plan skipped a document that now needs claims."""
    if not items:
        return []
    known = _KNOWN_REFS.get(db)
    if known is None:
        known = _KNOWN_REFS[db] = _KnownRefs()
    upserted = _KnownRefs()
    try:
        try:
            with db.session(write=True) as s:
                sink = _Rows(search._dialect(s))
                if len(items) > 1 and _batchable(items):
                    out = _write_many(s, db.archive, items, extractor, reextract, known, upserted, sink)
                else:
                    out = [_write_one(s, db.archive, it, extractor, reextract, known, upserted, sink) for it in items]
                sink.write(s)
                db.archive.sync()
        except SQLAlchemyError as e:
            raise StoreError(f"{items[0].doc.doc_id if len(items) == 1 else 'batch'}: cannot store: "
                             f"{type(e).__name__}: {e}") from e
    except HarmWatchError as e:
        if is_fatal(e):
            raise
        if len(items) == 1:
            return [e]
        return [write_batch(db, [it], extractor, reextract)[0] for it in items]  # find the one that failed
    known.merge(upserted)  # committed now
    return out


def _write_one(s: Session, archive: Archive, it: Extracted, extractor: Extractor | None, reextract: bool,
               known: _KnownRefs, upserted: _KnownRefs, sink: _Rows) -> StoredDoc:
    stored, src = _store_document(s, archive, it.doc, sync=False, sink=sink, extracting=it.extracting)
    _save_claims(s, it, stored, src, extractor, reextract, known, upserted, sink)
    return stored


def _save_claims(s: Session, it: Extracted, stored: StoredDoc, src: Source, extractor: Extractor | None,
                 reextract: bool, known: _KnownRefs, upserted: _KnownRefs, sink: _Rows,
                 refs: "_References | None" = None) -> None:
    if it.extracting and (stored.status != UNCHANGED or reextract or src.extracted_at is None):
        extraction = it.extraction
        if extraction is None or text_sha256(it.text) != src.text_sha256:
            # Another process stored this document meanwhile: extract from the text it stored.
            if extractor is None:
                raise ExtractionFailed("stored text differs from the text extracted, and no extractor to redo it")
            extraction = _extract(extractor, it.doc, src.text)
        save_extraction(s, stored.source_id, extraction, fresh=stored.status == NEW, known=known,
                        upserted=upserted, sink=sink, src=src, refs=refs)


def _write_many(s: Session, archive: Archive, items: list[Extracted], extractor: Extractor | None,
                reextract: bool, known: _KnownRefs, upserted: _KnownRefs, sink: _Rows) -> list[StoredDoc]:
    """`_write_one` for each item, in order, with the same rows as the result, in fewer statements:
    the stored versions of the whole batch in one SELECT (`_BatchLookup`), its new Source rows in one
    flush, its place and weapon upserts applied together in claim order (one SELECT per table)."""
    lookup = _BatchLookup(s, [it.doc for it in items])
    stored = [_store_document(s, archive, it.doc, sync=False, sink=sink, extracting=it.extracting, lookup=lookup)
              for it in items]
    s.flush()  # the new rows' ids, in the order added
    # what `_index_new` DELETEs for each new row (leftover search rows in its id range), one
    # statement per run of consecutive ids (usually one for the batch)
    new_ids = sorted(src.id for st, src in stored if st.status != UNCHANGED and st.source_id == 0)
    for lo, hi in _runs(new_ids):
        search._remove(s, sink.dialect, lo, 0, (hi - lo) * search.SLOTS + search.SLOTS)
    refs = _References(s, None, None, known, upserted)
    out = []
    for it, (st, src) in zip(items, stored):
        if st.status != UNCHANGED and st.source_id == 0:
            st = StoredDoc(src.id, st.status, st.doc_id)
            sink.search.extend(search.document_rows(src.id, src.title, src.text))
        out.append(st)
        _save_claims(s, it, st, src, extractor, reextract, known, upserted, sink, refs)
    refs.write()  # places and weapons first: the claims' foreign keys point at them
    return out


def ingest_document(db, doc: DocumentIn, extractor: Extractor | None = None, reextract: bool = False) -> StoredDoc:
    """Store one document and (with an extractor) its claims, all in one transaction: plan,
    extract_step and write_batch for a batch of one.

    An unchanged document that was extracted before is not extracted again unless `reextract`.
    Extraction runs before the write transaction, so the write lock is held briefly.
    """
    if extractor is None:
        item = Extracted(doc, doc.text)
    else:
        [(text, wanted)] = plan(db, [doc], reextract)
        item = extract_step(doc, text, extractor) if wanted else Extracted(doc, doc.text, None, True)
    [result] = write_batch(db, [item], extractor, reextract)
    if isinstance(result, HarmWatchError):
        raise result
    return result


def _extract(extractor: Extractor, doc: DocumentIn, text: str) -> Extraction:
    try:
        result = extractor(doc, text)
    except HarmWatchError:
        raise
    except Exception as e:  # an extractor bug must fail this document, not the batch
        raise ExtractionFailed(f"extraction failed: {type(e).__name__}: {e}") from e
    if not isinstance(result, Extraction):
        raise ExtractionFailed(f"extractor returned {type(result).__name__}, not an Extraction")
    return result


def is_fatal(e: BaseException) -> bool:
    """True when a StoreError means the database itself is unusable (stop the batch), not this row."""
    cause = e.__cause__
    if not isinstance(e, StoreError):
        return False
    if isinstance(cause, OSError):  # the archive cannot be written (disk full, permissions)
        return True
    return isinstance(cause, SQLAlchemyError) and not isinstance(cause, (IntegrityError, DataError))
