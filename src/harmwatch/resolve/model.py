"""Typed records of the resolution step: what it reads (ClaimRef) and what it writes.

Resolution reads claims already extracted and stored; it never re-reads documents
except to detect re-reports (independence.py). Everything here is plain data so the
algorithm runs the same on a database (service.py) and on a generated benchmark.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class ClaimRef:
    """One stored incident claim, reduced to what linking and summarising need."""

    key: str  # "doc_id#ordinal": stable across re-runs and ingest order
    doc_id: str
    date: date | None = None
    minutes: int | None = None  # time of day, minutes after midnight
    lat: float | None = None
    lon: float | None = None
    geonameid: int | None = None
    place: str | None = None
    admin1: str | None = None
    weapon: str | None = None
    weapon_class: str = "unknown"
    cluster: bool | None = None
    objects: frozenset[str] = frozenset()
    killed: int | None = None
    injured: int | None = None
    children_killed: int | None = None
    words: frozenset[str] = frozenset()  # content words of the passage the claim came from
    published: date | None = None
    publisher: str | None = None
    said_by: str | None = None  # who the document says gave the account
    perpetrator: str | None = None  # who the claim says attacked
    denied: str | None = None  # the denial sentence, when the document reports one about this claim
    denied_why: str | None = None  # why that denial is about this claim (resolve/denials.py)
    claim_id: int | None = None  # database id, when read from a database
    # victim groups beyond killed / injured / children_killed (shown on the incident page)
    children_injured: int | None = None
    women_killed: int | None = None
    healthcare_killed: int | None = None
    healthcare_injured: int | None = None
    retrieved_at: datetime | None = None  # when the claim's source was retrieved ("new incidents first")
    uncertain: tuple[tuple[str, str], ...] = ()  # withheld values: (field, why), from the claim's `uncertain`


@dataclass(frozen=True)
class Link:
    """Why two claims were judged to tell of the same incident."""

    a: str
    b: str
    score: float
    features: dict[str, float]


@dataclass(frozen=True)
class Decision:
    """An analyst's ruling, applied on every later run.

    kind "same": the two claims are one incident; "different": they never are.
    """

    kind: str
    a: str
    b: str


@dataclass
class Resolution:
    """Claim key -> incident id, and the links that made each incident."""

    incident_of: dict[str, str] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)

    def members(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key, inc in sorted(self.incident_of.items()):
            out.setdefault(inc, []).append(key)
        return out
