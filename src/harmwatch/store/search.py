"""Full-text search over documents (title and stored text) and claim quotes, one interface, two backends.

    from harmwatch.store.search import search
    page = search(db, 'hospital "Iskander missile" kharkiv*', limit=20)
    page.total, [(h.kind, h.doc_id, h.claim, h.snippet_html) for h in page.hits]

Backends (migration 0010 creates them and fills them from what is stored):

* SQLite: an FTS5 virtual table `search_index` (tokenizer unicode61, diacritics removed), ranked by bm25.
* PostgreSQL: a table `search_index` with a generated `tsvector` column ('simple' configuration: no
  stemming, any language) and a GIN index on it, ranked by ts_rank_cd.

Both hold the same rows, written by the single writer path (store/writer.py calls `index_document`
when it adds a Source row and `index_claims` when it saves an extraction):

* a document: its title and its text in chunks of about CHUNK_CHARS characters (cut at whitespace),
  one row per chunk (a phrase across a chunk boundary is not found; PostgreSQL caps one tsvector
  at 1 MB, a chunk stays far below it);
* a claim: its passage (the claim's span of the stored text) and its evidence quotes.

Row ids are `source_id * 65536 + slot` (slot: chunk number for a document, 1000 + ordinal for a claim),
so the rows of one source are one id range on both backends. Only current versions are returned.

Query language (the same on both backends; `parse` checks it, so a bad query is a `QueryError`, never
a database error): words (all must match), `"a phrase"`, `word*` (prefix), `a OR b`, `-word` or
`NOT word` (exclude), `AND` (the default, allowed). Parentheses, a dangling OR, a lone `*`, an
unbalanced quote or a query that only excludes are refused with a message saying why.

Snippets are built here, not by the database: the excerpt of the stored text is escaped first
(markupsafe), then our own `<mark>` tags are put around the matched words; offsets into the stored text
come with every hit, as for every extracted value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from sqlalchemy import BigInteger, Column, case, literal_column, Integer, MetaData, Table, Text, bindparam, delete, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..errors import InputError
from .models import Claim, Source

CHUNK_CHARS = 20_000
SLOTS = 65_536  # ids per source
CLAIM_SLOT = 1_000  # claim ordinal n has slot CLAIM_SLOT + n
MAX_QUERY_CHARS = 200
MAX_TERMS = 16
SNIPPET_CHARS = 240

_meta = MetaData()
# SQLite: the FTS5 table's rowid and columns; PostgreSQL: a plain table (tsv is generated).
SQLITE_TABLE = Table("search_index", _meta, Column("rowid", BigInteger, primary_key=True), Column("title", Text),
                     Column("body", Text), Column("start", Integer))
_pg_meta = MetaData()
PG_TABLE = Table("search_index", _pg_meta, Column("id", BigInteger, primary_key=True), Column("source_id", Integer),
                 Column("title", Text), Column("body", Text), Column("start", Integer))

# DDL used by migration 0010 (and nothing else)
SQLITE_DDL = ("CREATE VIRTUAL TABLE search_index USING fts5(title, body, start UNINDEXED, "
              "tokenize = 'unicode61 remove_diacritics 2')",)
PG_DDL = ("CREATE TABLE search_index (id BIGINT PRIMARY KEY, "
          "source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE, title TEXT, body TEXT NOT NULL, "
          "start INTEGER NOT NULL DEFAULT 0, tsv tsvector GENERATED ALWAYS AS "
          "(setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
          "setweight(to_tsvector('simple', body), 'B')) STORED)",
          "CREATE INDEX ix_search_index_tsv ON search_index USING GIN (tsv)")
# names the migration creates that store/models.py does not model (tests/test_store.py leaves them out)
SQLITE_NAMES = frozenset({"search_index", "search_index_data", "search_index_idx", "search_index_content",
                          "search_index_docsize", "search_index_config"})
PG_NAMES = frozenset({"search_index", "ix_search_index_tsv"})


def include_name(name, type_, parent_names) -> bool:  # noqa: ANN001  (Alembic's include_name hook)
    """False for the search objects (migration 0010), the PostGIS point index and table (0015) and the
    bbox + date index objects (0019), which are created outside the models."""
    from .dialect import PG_BBOX_DATE_NAMES, POSTGIS_NAMES, RTREE_NAMES
    return not (type_ in ("table", "index")
                and name in SQLITE_NAMES | PG_NAMES | POSTGIS_NAMES | RTREE_NAMES | PG_BBOX_DATE_NAMES)


class QueryError(InputError):
    """A search query that cannot be used (bad syntax, too long, nothing to search for)."""


# --- the query language -------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase's words
    prefix: bool = False


@dataclass(frozen=True)
class Query:
    """All of `must` (each a list of alternatives: OR) and none of `exclude`."""
    must: tuple[tuple[Term, ...], ...]
    exclude: tuple[Term, ...] = ()

    def terms(self) -> list[Term]:
        return [t for alts in self.must for t in alts]


_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'"[^"]*"|\S+')


def parse(q: str) -> Query:
    """The query as a Query; QueryError (with a message for the user) when it cannot be used."""
    q = (q or "").strip()
    if not q:
        raise QueryError("empty search: type one or more words")
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"search text is {len(q)} characters; at most {MAX_QUERY_CHARS}")
    if q.count('"') % 2:
        raise QueryError('unbalanced quote: close the phrase with a second "')
    if any(c in q for c in "()"):
        raise QueryError("parentheses are not supported: write words (all must match), \"a phrase\", a OR b, -word")
    must: list[list[Term]] = []
    exclude: list[Term] = []
    pending_or = negate = False
    for tok in _TOKEN.findall(q):
        if tok == "OR":
            if not must or pending_or or negate:
                raise QueryError("OR needs a word on each side (e.g. school OR hospital)")
            pending_or = True
            continue
        if tok == "AND":
            if pending_or or negate:
                raise QueryError("AND needs a word on each side")
            continue
        if tok == "NOT":
            if pending_or or negate:
                raise QueryError("NOT needs a word after it (e.g. strike NOT drill)")
            negate = True
            continue
        if tok.startswith("-") and len(tok) > 1 and not tok.startswith('-"') or tok.startswith('-"'):
            if pending_or or negate:
                raise QueryError("a word excluded with - cannot be part of an OR")
            negate, tok = True, tok[1:]
        term = _term(tok)
        if term is None:
            if negate or pending_or:
                raise QueryError(f"{tok!r} holds no letters or digits to search for")
            continue  # punctuation between words: nothing to match
        if negate:
            exclude.append(term)
            negate = False
        elif pending_or:
            must[-1].append(term)
            pending_or = False
        else:
            must.append([term])
    if pending_or:
        raise QueryError("OR needs a word on each side (e.g. school OR hospital)")
    if negate:
        raise QueryError("NOT (or -) needs a word after it")
    if not must:
        raise QueryError("nothing to search for: give at least one word that must match (not only excluded ones)")
    if sum(len(a) for a in must) + len(exclude) > MAX_TERMS:
        raise QueryError(f"too many words: at most {MAX_TERMS}")
    return Query(tuple(tuple(a) for a in must), tuple(exclude))


def _term(tok: str) -> Term | None:
    if tok.startswith('"'):
        words = tuple(w.lower() for w in _WORD.findall(tok[1:-1]))
        return Term(words) if words else None
    prefix = tok.endswith("*")
    core = tok.rstrip("*")
    if "*" in core:
        raise QueryError(f"{tok!r}: * may only end a word (e.g. kharkiv*)")
    words = tuple(w.lower() for w in _WORD.findall(core))
    if prefix and not words:
        raise QueryError("a * must follow letters or digits (e.g. kharkiv*)")
    if not words:
        return None
    return Term(words, prefix=prefix and len(words) == 1)


def _fts5(query: Query) -> str:
    """The FTS5 MATCH text: every word double-quoted, so no FTS5 operator comes from the user."""
    def term(t: Term) -> str:
        return '"' + " ".join(t.words) + '"' + ("*" if t.prefix else "")
    out = " AND ".join("(" + " OR ".join(term(t) for t in alts) + ")" for alts in query.must)
    for t in query.exclude:
        out += " NOT " + term(t)
    return out


_SIMPLE = literal_column("'simple'::regconfig")
_TSV = literal_column("search_index.tsv")


def _tsquery(query: Query):  # noqa: ANN202
    """A PostgreSQL tsquery expression built from bound parameters only."""
    n = 0

    def term(t: Term):  # noqa: ANN202
        nonlocal n
        n += 1
        if t.prefix:  # a single \w+ word (checked by parse): safe inside to_tsquery as 'word':*
            return func.to_tsquery(_SIMPLE, bindparam(f"t{n}", "'" + t.words[0] + "':*"))
        return func.phraseto_tsquery(_SIMPLE, bindparam(f"t{n}", " ".join(t.words)))

    expr = None
    for alts in query.must:
        alt = None
        for t in alts:
            alt = term(t) if alt is None else alt.op("||")(term(t))
        expr = alt if expr is None else expr.op("&&")(alt)
    for t in query.exclude:
        expr = expr.op("&&")(_negate(term(t)))
    return expr


def _negate(tsq):  # noqa: ANN001, ANN202
    """!! tsq (PostgreSQL's tsquery negation)."""
    from sqlalchemy.dialects.postgresql import TSQUERY
    from sqlalchemy.sql import operators
    from sqlalchemy.sql.expression import UnaryExpression
    return UnaryExpression(tsq, operator=operators.custom_op("!!"), type_=TSQUERY())


# --- the rows ---------------------------------------------------------------------------------

def chunks(body: str, size: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(start offset, text) pieces of about `size` characters, cut at whitespace when there is some."""
    out, i, n = [], 0, len(body)
    while i < n:
        j = min(n, i + size)
        if j < n:
            cut = body.rfind(" ", i + size // 2, j)
            cut = max(cut, body.rfind("\n", i + size // 2, j))
            if cut > i:
                j = cut + 1
        out.append((i, body[i:j]))
        i = j
    return out or [(0, "")]


def claim_body(text_: str, span_start: int | None, span_end: int | None, evidence: dict | None) -> str:
    """What a claim row holds: its passage, then each evidence quote that is not inside it."""
    passage = text_[span_start:span_end] if span_start is not None and span_end is not None else ""
    quotes = []
    for ev in (evidence or {}).values():
        q = ev.get("quote") if isinstance(ev, dict) else None
        if isinstance(q, str) and q and q not in passage and q not in quotes:
            quotes.append(q)
    return "\n".join([passage, *quotes]).strip()


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _id_col(dialect: str):  # noqa: ANN202
    return SQLITE_TABLE.c.rowid if dialect == "sqlite" else PG_TABLE.c.id


def _insert(session: Session, dialect: str, rows: list[dict]) -> None:
    if not rows:
        return
    if dialect == "sqlite":
        session.execute(insert(SQLITE_TABLE), [{k: v for k, v in r.items() if k != "source_id"} | {"rowid": r["id"]}
                                               for r in rows])
    else:
        session.execute(insert(PG_TABLE), rows)


# built once: constructing the statement again for every document cost more than running it
_REMOVE = {d: delete(tbl).where(col >= bindparam("lo"), col < bindparam("hi"))
           for d, tbl, col in (("sqlite", SQLITE_TABLE, SQLITE_TABLE.c.rowid), ("other", PG_TABLE, PG_TABLE.c.id))}


def _remove(session: Session, dialect: str, source_id: int, lo: int, hi: int) -> None:
    stmt = _REMOVE["sqlite" if dialect == "sqlite" else "other"]
    session.execute(stmt, {"lo": source_id * SLOTS + lo, "hi": source_id * SLOTS + hi})


def document_rows(source_id: int, title: str | None, body: str) -> list[dict]:
    return [{"id": source_id * SLOTS + k, "source_id": source_id, "title": title or "", "body": piece, "start": start}
            for k, (start, piece) in enumerate(chunks(body)[:CLAIM_SLOT])]


def claim_rows(source_id: int, text_: str, claims: list[dict]) -> list[dict]:
    """claims: dicts with ordinal, span_start, span_end, evidence."""
    out = []
    for c in claims:
        if c["ordinal"] >= SLOTS - CLAIM_SLOT:
            continue
        body = claim_body(text_, c.get("span_start"), c.get("span_end"), c.get("evidence"))
        if body:
            out.append({"id": source_id * SLOTS + CLAIM_SLOT + c["ordinal"], "source_id": source_id, "title": "",
                        "body": body, "start": c.get("span_start") or 0})
    return out


def index_document(session: Session, source_id: int, title: str | None, body: str) -> None:
    """(Re)write the document rows of one Source row (called by the writer when it adds the row).

    A row just added has no claims yet, so every row in its id range is a leftover and goes: the
    claim rows too, which lets `index_claims(..., fresh=True)` skip its own DELETE."""
    d = _dialect(session)
    _remove(session, d, source_id, 0, SLOTS)
    _insert(session, d, document_rows(source_id, title, body))


def index_claims(session: Session, source_id: int, text_: str, claims: list[dict], fresh: bool = False) -> None:
    """Replace the claim rows of one source (called by the writer when it saves an extraction).

    `fresh`: `index_document` ran for this source in the same transaction, so there are none to remove."""
    d = _dialect(session)
    if not fresh:
        _remove(session, d, source_id, CLAIM_SLOT, SLOTS)
    _insert(session, d, claim_rows(source_id, text_, claims))


def backfill(session: Session) -> int:
    """Index every stored document and claim (migration 0010); returns the rows written."""
    d = _dialect(session)
    n = 0
    src_ids = [r for (r,) in session.execute(select(Source.id).order_by(Source.id))]
    for sid in src_ids:
        title, body = session.execute(select(Source.title, Source.text).where(Source.id == sid)).one()
        rows = document_rows(sid, title, body)
        cl = [dict(r._mapping) for r in session.execute(
            select(Claim.ordinal, Claim.span_start, Claim.span_end, Claim.evidence).where(Claim.source_id == sid))]
        rows += claim_rows(sid, body, cl)
        _insert(session, d, rows)
        n += len(rows)
    return n


# --- searching --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchHit:
    kind: str  # "document" or "claim"
    doc_id: str
    version: int
    title: str | None
    publisher: str | None
    published: str | None
    claim: str | None  # "doc_id#ordinal" for a claim
    incident_id: str | None
    snippet: str  # the excerpt, plain text
    snippet_html: Markup  # the excerpt escaped, matched words in <mark>
    start: int  # the excerpt's offsets in the stored text
    end: int
    matches: list[tuple[int, int]] = field(default_factory=list)  # marked words, offsets in the stored text
    score: float = 0.0

    def to_dict(self) -> dict:
        return {"kind": self.kind, "doc_id": self.doc_id, "version": self.version, "title": self.title,
                "publisher": self.publisher, "published": self.published, "claim": self.claim,
                "incident_id": self.incident_id, "snippet": self.snippet, "snippet_html": str(self.snippet_html),
                "start": self.start, "end": self.end, "matches": [list(m) for m in self.matches],
                "score": self.score}


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int
    hits: list[SearchHit]


KINDS = ("document", "claim")


def search(db, q: str, limit: int = 20, offset: int = 0, kind: str | None = None) -> SearchResults:  # noqa: ANN001
    """Current documents and claims matching `q`, best first (QueryError for a query that cannot be used).

    A document is one hit however many of its chunks match."""
    query = parse(q)
    if kind is not None and kind not in KINDS:
        raise QueryError(f"kind={kind!r}: use document or claim")
    limit, offset = max(0, min(int(limit), 500)), max(0, int(offset))
    with db.session() as s:
        d = _dialect(s)
        if d == "sqlite":
            matched = (select(SQLITE_TABLE.c.rowid.label("rid"), func.bm25(text("search_index"), 4.0, 1.0).label("r"))
                       .select_from(SQLITE_TABLE).where(text("search_index MATCH :m").bindparams(m=_fts5(query)))
                       .cte("matched").prefix_with("MATERIALIZED"))  # bm25 works only in the MATCH query itself
            score = func.min(matched.c.r)
            sid, slot = matched.c.rid // SLOTS, matched.c.rid % SLOTS
        else:
            tsq = _tsquery(query)
            matched = (select(PG_TABLE.c.id.label("rid"),
                              func.ts_rank_cd(_TSV, tsq).label("r"))
                       .select_from(PG_TABLE).where(_TSV.op("@@")(tsq)).cte("matched"))
            score = -func.max(matched.c.r)
            sid, slot = matched.c.rid // SLOTS, matched.c.rid % SLOTS
        # a document's chunks collapse into one hit: group on (source, slot or document)
        unit = case((slot >= CLAIM_SLOT, slot), else_=0)  # 0 for every chunk of a document, the slot for a claim
        grouped = (select(sid.label("sid"), unit.label("unit"), func.min(slot).label("slot"), score.label("score"))
                   .select_from(matched).join(Source, Source.id == sid)
                   .where(Source.is_current.is_(True)).group_by(sid, unit))
        if kind == "document":
            grouped = grouped.where(slot < CLAIM_SLOT)
        elif kind == "claim":
            grouped = grouped.where(slot >= CLAIM_SLOT)
        g = grouped.subquery()
        try:
            total = s.scalar(select(func.count()).select_from(g)) or 0
            rows = s.execute(select(g.c.sid, g.c.unit, g.c.slot, g.c.score)
                             .order_by(g.c.score, g.c.sid, g.c.unit).limit(limit).offset(offset)).all()
        except DBAPIError as e:  # a query parse() let through that the database still refuses
            if _refused_query(e):
                raise QueryError(f"cannot search for {q!r}: {e.orig}") from e
            raise
        hits = [_hit(s, d, query, int(r.sid), int(r.slot), float(r.score)) for r in rows]
    return SearchResults(q, total, [h for h in hits if h is not None])


# SQLite's messages for a MATCH text FTS5 cannot parse; PostgreSQL's SQLSTATE 42601 (syntax error, as
# to_tsquery raises it). Anything else (locked, disk full) stays a database error.
_FTS5_REFUSALS = ("fts5:", "unterminated string", "malformed match", "unknown special query", "no such column")


def _refused_query(e: DBAPIError) -> bool:
    msg = str(e.orig).lower()
    if getattr(e.orig, "sqlstate", None) == "42601" or "tsquery" in msg:
        return True
    return isinstance(e.orig, Exception) and type(e.orig).__module__.startswith("sqlite3") and \
        any(m in msg for m in _FTS5_REFUSALS)


def _hit(s: Session, dialect: str, query: Query, sid: int, slot: int, score: float) -> SearchHit | None:
    src = s.execute(select(Source.doc_id, Source.version, Source.title, Source.publisher, Source.published,
                           func.length(Source.text).label("n")).where(Source.id == sid)).one_or_none()
    if src is None:
        return None
    claim_key = incident = None
    if slot >= CLAIM_SLOT:
        ordinal = slot - CLAIM_SLOT
        c = s.execute(select(Claim.span_start, Claim.span_end, Claim.evidence, Claim.incident_id)
                      .where(Claim.source_id == sid, Claim.ordinal == ordinal)).one_or_none()
        if c is None:
            return None
        claim_key, incident = f"{src.doc_id}#{ordinal}", c.incident_id
        spans = [(c.span_start, c.span_end)] if c.span_start is not None else []
        spans += [(ev["start"], ev["end"]) for ev in (c.evidence or {}).values()
                  if isinstance(ev, dict) and isinstance(ev.get("start"), int) and isinstance(ev.get("end"), int)]
        a = min((x for x, _ in spans), default=0)
        b = max((y for _, y in spans), default=min(src.n, SNIPPET_CHARS))
    else:
        tbl = SQLITE_TABLE if dialect == "sqlite" else PG_TABLE
        start, body_len = s.execute(select(tbl.c.start, func.length(tbl.c.body))
                                    .where(_id_col(dialect) == sid * SLOTS + slot)).one()
        a, b = int(start), int(start) + int(body_len)
    region = s.scalar(select(func.substr(Source.text, a + 1, b - a)).where(Source.id == sid)) or ""
    x, y, marks = snippet_window(region, query)
    excerpt = region[x:y]
    html = mark(excerpt, [(m0 - x, m1 - x) for m0, m1 in marks])
    return SearchHit(kind="claim" if claim_key else "document", doc_id=src.doc_id, version=src.version,
                     title=src.title, publisher=src.publisher,
                     published=src.published.isoformat() if src.published else None, claim=claim_key,
                     incident_id=incident, snippet=excerpt, snippet_html=html, start=a + x, end=a + y,
                     matches=[(a + m0, a + m1) for m0, m1 in marks], score=round(-score, 6))


def match_spans(text_: str, query: Query) -> list[tuple[int, int]]:
    """Offsets of the words of `text_` that a term of `query` matches (case-insensitive; prefix terms by start)."""
    words = {w for t in query.terms() for w in t.words if not t.prefix}
    prefixes = [t.words[0] for t in query.terms() if t.prefix]
    out = []
    for m in _WORD.finditer(text_):
        w = m.group().lower()
        if w in words or any(w.startswith(p) for p in prefixes):
            out.append((m.start(), m.end()))
    return out


def snippet_window(text_: str, query: Query, size: int = SNIPPET_CHARS) -> tuple[int, int, list[tuple[int, int]]]:
    """(start, end, marked spans) of an excerpt of about `size` characters around the first match, cut at spaces."""
    spans = match_spans(text_, query)
    first = spans[0][0] if spans else 0
    a = max(0, first - size // 3)
    b = min(len(text_), a + size)
    if a > 0:
        sp = text_.find(" ", a, first) if first > a else -1
        a = sp + 1 if sp >= 0 else a
    if b < len(text_):
        sp = text_.rfind(" ", max(a, first), b)
        b = sp if sp > first else b
    return a, b, [(m0, m1) for m0, m1 in spans if m0 >= a and m1 <= b]


def mark(excerpt: str, spans: list[tuple[int, int]]) -> Markup:
    """`excerpt` escaped, each span wrapped in <mark>: every character of it goes through escape()."""
    out, i = [], 0
    for a, b in sorted(spans):
        if a < i:
            continue
        out.append(str(escape(excerpt[i:a])))
        out.append("<mark>" + str(escape(excerpt[a:b])) + "</mark>")
        i = b
    out.append(str(escape(excerpt[i:])))
    return Markup("".join(out))
