"""Database models (SQLAlchemy 2 typed declarative).

Portable on purpose: generic types only (``JSON``, not ``JSONB``; ``BigInteger`` where SQLite
and PostgreSQL differ in range), so the same models and migrations serve SQLite now and
PostgreSQL later. Constraint and index names come from one naming convention so that
Alembic's batch mode (SQLite) and autogenerate comparisons are deterministic.

Any change here needs a new migration in ``migrations/versions/``; ``tests/test_store.py``
fails when the models and the migrations disagree.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData,
                        String, Text, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Source(Base):
    """One version of one document: its metadata, raw-bytes hash and the text evidence indexes into."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("doc_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The version chain: the row this one replaced (same doc_id, or same url, with other bytes).
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    title: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text, index=True)
    published: Mapped[date | None] = mapped_column(Date)
    retrieved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # UTC
    language: Mapped[str | None] = mapped_column(String)
    media_type: Mapped[str] = mapped_column(String)
    path: Mapped[str | None] = mapped_column(Text)  # the file it was read from
    sha256: Mapped[str] = mapped_column(String(64))  # of the raw bytes
    raw_path: Mapped[str] = mapped_column(String)  # relative path in the archive
    text: Mapped[str] = mapped_column(Text)  # every evidence offset indexes this text
    text_sha256: Mapped[str] = mapped_column(String(64))
    # When claims were last extracted (None: never), so a zero-claim document is not re-extracted.
    extracted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Place(Base):
    """A gazetteer place referenced by at least one claim (upserted when claims are saved)."""

    __tablename__ = "places"

    # GeoNames id; negative 17-digit ids for codifier-only places, hence BigInteger.
    geonameid: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Text)
    admin1: Mapped[str | None] = mapped_column(String)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    population: Mapped[int | None] = mapped_column(BigInteger)
    feature_code: Mapped[str | None] = mapped_column(String)


class Weapon(Base):
    """A catalogue weapon referenced by at least one claim (upserted when claims are saved)."""

    __tablename__ = "weapons"

    id: Mapped[str] = mapped_column(String, primary_key=True)  # catalogue slug
    name: Mapped[str] = mapped_column(Text)
    weapon_class: Mapped[str | None] = mapped_column(String)
    calibre_mm: Mapped[float | None] = mapped_column(Float)
    guidance: Mapped[str | None] = mapped_column(String)
    cluster_capable: Mapped[bool | None] = mapped_column(Boolean)
    accuracy: Mapped[dict | None] = mapped_column(JSON)


class Claim(Base):
    """One incident as one source version tells it (an `IncidentClaim`)."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)  # position in the document's extraction
    date: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD
    time: Mapped[str | None] = mapped_column(String(5))  # HH:MM
    place: Mapped[str | None] = mapped_column(Text)
    admin1: Mapped[str | None] = mapped_column(String)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    geonameid: Mapped[int | None] = mapped_column(ForeignKey("places.geonameid"))
    weapon: Mapped[str | None] = mapped_column(Text)
    weapon_id: Mapped[str | None] = mapped_column(ForeignKey("weapons.id"))
    weapon_class: Mapped[str] = mapped_column(String, default="unknown")
    cluster: Mapped[bool | None] = mapped_column(Boolean)
    objects: Mapped[list] = mapped_column(JSON, default=list)
    killed: Mapped[int | None] = mapped_column(Integer)
    injured: Mapped[int | None] = mapped_column(Integer)
    children_killed: Mapped[int | None] = mapped_column(Integer)
    children_injured: Mapped[int | None] = mapped_column(Integer)
    women_killed: Mapped[int | None] = mapped_column(Integer)
    healthcare_killed: Mapped[int | None] = mapped_column(Integer)
    healthcare_injured: Mapped[int | None] = mapped_column(Integer)
    vague: Mapped[dict] = mapped_column(JSON, default=dict)
    source_said: Mapped[str | None] = mapped_column(Text)  # IncidentClaim.source: who says so
    perpetrator: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> {start, end, quote}
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    incident_id: Mapped[str | None] = mapped_column(String, index=True)
    # migration 0008 (figure-scope model): field -> confidence, withheld field -> reason and candidate
    confidence: Mapped[dict | None] = mapped_column(JSON, default=dict)
    uncertain: Mapped[dict | None] = mapped_column(JSON, default=dict)
    withheld: Mapped[dict | None] = mapped_column(JSON, default=dict)  # field -> {value, confidence, evidence}
    date_precision: Mapped[str | None] = mapped_column(String(16))


class Tally(Base):
    """An aggregate figure one source version gives (a `TallyClaim`)."""

    __tablename__ = "tallies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str | None] = mapped_column(Text)
    period: Mapped[str | None] = mapped_column(Text)
    killed: Mapped[int | None] = mapped_column(Integer)
    injured: Mapped[int | None] = mapped_column(Integer)
    children_killed: Mapped[int | None] = mapped_column(Integer)
    children_injured: Mapped[int | None] = mapped_column(Integer)
    source_said: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[dict | None] = mapped_column(JSON, default=dict)  # migration 0008, as on claims
    uncertain: Mapped[dict | None] = mapped_column(JSON, default=dict)
    withheld: Mapped[dict | None] = mapped_column(JSON, default=dict)


# --- users, API tokens and the audit trail (auth/, audit/; migration 0002) ---------------------

class User(Base):
    """A person who signs in to the web app or uses the API; role is admin, analyst or viewer."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id, PHC string; never the password
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # UTC

    def __repr__(self) -> str:
        return f"User({self.name!r}, role={self.role!r}, active={self.active!r})"


class ApiToken(Base):
    """An API token: only the SHA-256 of the secret is stored, so a copy of the database yields no token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256 of the token
    name: Mapped[str | None] = mapped_column(Text)  # the label given at creation
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class AuditEntry(Base):
    """One entry of the append-only, hash-chained audit log (see audit/chain.py).

    ``hash`` is SHA-256 over the canonical JSON of every other column plus ``prev_hash``;
    ``prev_hash`` is the ``hash`` of the entry with the previous id (64 zeros for the first).
    """

    __tablename__ = "audit_log"
    # migration 0011: an incident's history (web pages, /api/incidents/{id}) without reading the whole log
    __table_args__ = (Index("ix_audit_log_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # set by append: 1, 2, ...
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # UTC
    actor: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)
    target_type: Mapped[str | None] = mapped_column(String)
    target_id: Mapped[str | None] = mapped_column(String)
    field: Mapped[str | None] = mapped_column(String)
    old: Mapped[object | None] = mapped_column(JSON)
    new: Mapped[object | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class WebSession(Base):
    """A signed-in web session (auth/sessions.py; migration 0005). The cookie holds a random secret;
    only its SHA-256 is kept, so a copy of the database yields no session. Revoked or expired: refused."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256 of the cookie's secret
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


# --- resolution: incidents, claim links, source graph, analyst decisions (resolve/; migration 0003)

class Incident(Base):
    """One real-world event resolved from claims (rewritten by each resolution run)."""

    __tablename__ = "incidents"
    # migration 0011: covering indexes for the list order, pages at any offset, map filters and the
    # timeline (web/query.py), so those never read the wide rows (bench/load.py)
    # (ix_incidents_list, newest first, is declared below the class: it needs the column objects)
    __table_args__ = (Index("ix_incidents_map", "lon", "lat", "date", "killed_best", "injured_best", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # "inc-" + hash of its earliest claim key
    date: Mapped[str | None] = mapped_column(String(10), index=True)
    time: Mapped[str | None] = mapped_column(String(5))
    place: Mapped[str | None] = mapped_column(Text)
    admin1: Mapped[str | None] = mapped_column(String, index=True)
    lat: Mapped[float | None] = mapped_column(Float, index=True)
    lon: Mapped[float | None] = mapped_column(Float, index=True)  # migration 0004 (map bbox queries)
    geonameid: Mapped[int | None] = mapped_column(BigInteger)
    geo_precision: Mapped[int | None] = mapped_column(Integer)
    time_precision: Mapped[int | None] = mapped_column(Integer)
    weapon: Mapped[str | None] = mapped_column(Text)
    weapon_class: Mapped[str] = mapped_column(String, default="unknown", index=True)
    cluster: Mapped[bool | None] = mapped_column(Boolean)
    objects: Mapped[list] = mapped_column(JSON, default=list)
    killed_low: Mapped[int | None] = mapped_column(Integer)
    killed_best: Mapped[int | None] = mapped_column(Integer, index=True)
    killed_high: Mapped[int | None] = mapped_column(Integer)
    injured_low: Mapped[int | None] = mapped_column(Integer)
    injured_best: Mapped[int | None] = mapped_column(Integer)
    injured_high: Mapped[int | None] = mapped_column(Integer)
    children_killed_low: Mapped[int | None] = mapped_column(Integer)
    children_killed_best: Mapped[int | None] = mapped_column(Integer)
    children_killed_high: Mapped[int | None] = mapped_column(Integer)
    sources: Mapped[int] = mapped_column(Integer, default=0)
    independent_sources: Mapped[int] = mapped_column(Integer, default=0)
    grade: Mapped[str] = mapped_column(String, default="weak", index=True)
    status: Mapped[str] = mapped_column(String, default="unreviewed", index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # claims, source docs, origins, disagreements, denials
    # migration 0007 (review queue): the alleged perpetrator, how many values its claims withhold,
    # and when its earliest source was retrieved ("new incidents first")
    perpetrator: Mapped[str | None] = mapped_column(Text)
    withheld: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    first_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


Index("ix_incidents_list", Incident.date.desc(), Incident.id, Incident.killed_best, Incident.injured_best,
      Incident.lon, Incident.lat)


class ChangeCounter(Base):
    """Migration 0017: numbers the database bumps on every write to incidents (triggers), so cached
    reads (web/cache.py) know when to recompute: 'incidents' (any change) and 'incident_facts' (a change
    of what the timeline, clusters and choices count; not a status or grade change)."""

    __tablename__ = "change_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class IncidentFactsGone(Base):
    """Migration 0017 (SQLite): the facts of incidents deleted and not (yet) inserted again, so that a
    delete and re-insert of the same incident with the same facts does not count as a change."""

    __tablename__ = "incident_facts_gone"
    __table_args__ = (Index("ix_incident_facts_gone_id", "id"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(32))
    date: Mapped[str | None] = mapped_column(String(10))
    place: Mapped[str | None] = mapped_column(Text)
    weapon: Mapped[str | None] = mapped_column(Text)
    admin1: Mapped[str | None] = mapped_column(String)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    weapon_class: Mapped[str | None] = mapped_column(String)
    objects: Mapped[list | None] = mapped_column(JSON)
    killed_best: Mapped[int | None] = mapped_column(Integer)
    injured_best: Mapped[int | None] = mapped_column(Integer)


class ClaimLink(Base):
    """A scored pair of claims judged to tell of the same incident, with the features behind the score."""

    __tablename__ = "claim_links"
    __table_args__ = (UniqueConstraint("claim_a", "claim_b"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_a: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    claim_b: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    features: Mapped[dict] = mapped_column(JSON, default=dict)


class ResolvedClaim(Base):
    """The incident the last resolution run put a claim in (migration 0016). No foreign key: the row
    outlives its claim, so the next run finds the incidents that lost one; a claim without a row is
    new, or an analyst decision re-resolved it since, and incremental resolution starts from those."""

    __tablename__ = "resolved_claims"

    claim_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String)  # "doc_id#ordinal"
    incident_id: Mapped[str] = mapped_column(String(32), index=True)
    # migration 0018: the earliest key of the part this claim's part chose as partner (resolve/bounded.py)
    best: Mapped[str | None] = mapped_column(String, index=True)


# migration 0016: one block of claims (a day in a 0.25-degree cell, an oblast a day either side, one
# settlement) is read by an index, so incremental resolution never reads the whole table
Index("ix_claims_block", Claim.date, Claim.lat, Claim.lon)
Index("ix_claims_admin1_date", Claim.admin1, Claim.date)
Index("ix_claims_geonameid", Claim.geonameid)


class ScoredClaim(Base):
    """Claims already compared with every candidate: the next run scores only the others."""

    __tablename__ = "scored_claims"

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True,
                                          autoincrement=False)


class SourceLink(Base):
    """An edge of the source graph: `doc_id` re-reports `origin` (near-duplicate text or attribution)."""

    __tablename__ = "source_links"
    __table_args__ = (UniqueConstraint("doc_id", "origin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String, index=True)
    origin: Mapped[str] = mapped_column(String, index=True)
    kind: Mapped[str] = mapped_column(String)
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str | None] = mapped_column(Text)


class Decision(Base):
    """An analyst's ruling that every later resolution run respects.

    kind "same" / "different": claims `a` and `b` (keys "doc_id#ordinal") are / are never one
    incident; "verify" / "discount" / "reopen": the incident whose earliest claim is `a`.
    """

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String)
    a: Mapped[str] = mapped_column(String, index=True)
    b: Mapped[str | None] = mapped_column(String, index=True)
    actor: Mapped[str] = mapped_column(String)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IncidentAlias(Base):
    """An incident id that no longer exists (merged away): it redirects to the incident that now
    holds `claim`, the old incident's earliest claim (migration 0007)."""

    __tablename__ = "incident_aliases"

    old_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    claim: Mapped[str] = mapped_column(String, index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Comment(Base):
    """An analyst's comment on an incident, kept on its earliest claim key so it follows merges
    (migration 0007). `incident_id` is the incident it was written on."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim: Mapped[str] = mapped_column(String, index=True)
    incident_id: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String)
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Assignment(Base):
    """Who reviews an incident (migration 0009): one row per incident id, which is derived from its
    earliest claim `claim`, so it holds while that claim stays the earliest; a merge carries it over."""

    __tablename__ = "assignments"

    incident_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    claim: Mapped[str] = mapped_column(String)
    assignee: Mapped[str] = mapped_column(String, index=True)  # a user name (analyst or admin)
    assigned_by: Mapped[str] = mapped_column(String)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SecondReview(Base):
    """A verify or discount waiting for (or given) a second analyst's approval, when
    HARMWATCH_SECOND_REVIEW is on (migration 0009). A new ruling on the incident replaces the row."""

    __tablename__ = "second_reviews"

    incident_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    claim: Mapped[str] = mapped_column(String)
    decision: Mapped[str] = mapped_column(String(16))  # verify or discount
    first_actor: Mapped[str] = mapped_column(String)
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """A sign-in attempt counted by the shared sign-in throttle (web/throttle.py, `SharedLoginThrottle`;
    migration 0012): one row per key (``addr:…`` or ``name:…``) it counts against, at wall-clock
    seconds. Reserved before the password is checked, deleted when it was right or once out of the
    window, so every server process of one database counts the same failures."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_login_attempts_key_at", "key", "at"), Index("ix_login_attempts_at", "at"))


# --- assessment: screening flags, their dismissals, user-loaded military objects (assess/; migration 0013)

class AssessmentFlag(Base):
    """A screening flag of an incident for an investigator to assess (assess/flags.py), never a verdict.
    Recomputed whenever its incident is; ``id`` is derived from incident, kind and ``basis`` (a hash of
    the facts behind it), so a flag whose basis is unchanged keeps its id and its dismissal."""

    __tablename__ = "flags"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # "flg-" + hash(incident, kind, basis)
    incident_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String, index=True)
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)  # claims and quotes, figures behind the flag
    basis: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FlagDismissal(Base):
    """An analyst's dismissal of a flag, with the reason (also in the audit log). It applies while a
    recomputed flag has the same id, i.e. the same incident, kind and basis."""

    __tablename__ = "flag_dismissals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flag_id: Mapped[str] = mapped_column(String(40), index=True)
    incident_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String)
    basis: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MilitaryObject(Base):
    """A military object with a point, loaded by a user from a GeoJSON file (`harmwatch objects load`),
    so that a stated likely target ("the nearby Chuhuiv Air Base") can be located."""

    __tablename__ = "military_objects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    names: Mapped[list] = mapped_column(JSON, default=list)  # the name and its aliases, normalised
    kind: Mapped[str | None] = mapped_column(String)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)  # the file it was loaded from
    properties: Mapped[dict] = mapped_column(JSON, default=dict)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EvidenceItem(Base):
    """A media file filed under an incident (migration 0014; evidence/store.py). The bytes live
    write-once in the archive's evidence/originals folder under their SHA-256; `claim` is the
    incident's earliest claim when it was filed, so the item follows merges like comments do."""

    __tablename__ = "evidence_items"
    __table_args__ = (UniqueConstraint("sha256", "incident_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String(16))  # photo, video, satellite, document, web_capture
    filename: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(String)  # relative to the evidence folder
    incident_id: Mapped[str] = mapped_column(String(32), index=True)
    claim: Mapped[str | None] = mapped_column(String, index=True)
    incident_date: Mapped[str | None] = mapped_column(String(10))  # the incident's date when filed
    source_url: Mapped[str | None] = mapped_column(Text)
    captured_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    collector: Mapped[str | None] = mapped_column(String)
    added_by: Mapped[str] = mapped_column(String)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    exif: Mapped[dict] = mapped_column(JSON, default=dict)  # GPS, time taken, camera (evidence/media.py)
    warnings: Mapped[list] = mapped_column(JSON, default=list)  # recycled-media matches found when filed


class EvidenceDerivative(Base):
    """A file made from an original (thumbnail, video keyframe), stored apart with its own hash."""

    __tablename__ = "evidence_derivatives"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # thumbnail or keyframe
    seq: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String)
    path: Mapped[str] = mapped_column(String)  # relative to the evidence folder


class EvidencePhash(Base):
    """The perceptual fingerprint of an image original or of one video keyframe (evidence/phash.py)."""

    __tablename__ = "evidence_phashes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id", ondelete="CASCADE"), index=True)
    derivative_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_derivatives.id", ondelete="CASCADE"))
    phash: Mapped[str] = mapped_column(String(16), index=True)  # pHash of the whole image
    windows: Mapped[list] = mapped_column(JSON)  # [[window, phash, dhash], ...]
