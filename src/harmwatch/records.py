"""Typed records passed between pipeline steps.

Ingest produces `DocumentIn`; extraction turns its text into an `Extraction` of
`IncidentClaim` and `TallyClaim` records, each value carrying a `Span` into the
stored text; the store persists them; `to_contract()` gives the documented JSON
output shape (docs/output-contract.md).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

WEAPON_CLASSES = (
    "ballistic_missile", "cruise_missile", "rocket_artillery", "tube_artillery", "mortar",
    "air_bomb", "drone", "small_arms", "landmine", "unknown",
)
OBJECT_TYPES = (
    "residential", "hospital", "school", "kindergarten", "university", "commercial", "restaurant",
    "cultural", "religious", "energy", "transport", "ambulance", "humanitarian", "government",
    "military", "agricultural", "vehicle", "shelter", "other",
)


@dataclass(frozen=True)
class Span:
    """Character offsets [start, end) into a document's stored text, with the quote."""

    start: int
    end: int
    quote: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "quote": self.quote}


@dataclass
class DocumentIn:
    """One document as read from disk, before it is stored."""

    doc_id: str
    text: str
    raw: bytes
    media_type: str  # text/plain, text/html, application/pdf, application/json
    title: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: date | None = None
    language: str | None = "en"
    path: str | None = None


@dataclass
class IncidentClaim:
    """One incident as one source tells it. Unknown values are None, never guessed."""

    date: str | None = None  # YYYY-MM-DD, local date of the attack
    # "day" when the text gives the day (a date, "yesterday", "on Monday"), "publication" when the date
    # is only the document's publication date (a wire dateline), None when there is no date
    date_precision: str | None = None
    time: str | None = None  # HH:MM
    place: str | None = None
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None
    geonameid: int | None = None
    weapon: str | None = None
    weapon_class: str = "unknown"
    cluster: bool | None = None
    objects: list[str] = field(default_factory=list)
    killed: int | None = None
    injured: int | None = None
    children_killed: int | None = None
    children_injured: int | None = None
    women_killed: int | None = None
    healthcare_killed: int | None = None
    healthcare_injured: int | None = None
    vague: dict[str, str] = field(default_factory=dict)  # field -> vague wording ("dozens")
    source: str | None = None  # who says so
    perpetrator: str | None = None
    evidence: dict[str, Span] = field(default_factory=dict)  # field -> span
    span: Span | None = None  # the whole passage the claim was read from
    incident_id: str | None = None
    confidence: dict[str, float] = field(default_factory=dict)  # field -> 0..1 (extract/scope.py)
    uncertain: dict[str, str] = field(default_factory=dict)  # withheld field -> why, in plain words
    withheld: dict[str, dict] = field(default_factory=dict)  # withheld field -> {value, confidence, evidence}

    CONTRACT_FIELDS = (
        "date", "time", "place", "admin1", "lat", "lon", "weapon", "weapon_class", "cluster",
        "objects", "killed", "injured", "children_killed",
    )

    def to_contract(self) -> dict:
        out = {k: getattr(self, k) for k in self.CONTRACT_FIELDS}
        out["date_precision"] = self.date_precision if self.date is not None else None
        out.update(
            children_injured=self.children_injured, women_killed=self.women_killed,
            healthcare_killed=self.healthcare_killed, healthcare_injured=self.healthcare_injured,
            vague=dict(self.vague), source=self.source, perpetrator=self.perpetrator,
            geonameid=self.geonameid,
            evidence={k: v.to_dict() for k, v in self.evidence.items()},
            confidence=dict(self.confidence), uncertain=dict(self.uncertain), withheld=dict(self.withheld),
        )
        if self.incident_id is not None:
            out["incident_id"] = self.incident_id
        return out


@dataclass
class TallyClaim:
    """An aggregate figure that cannot be tied to one attack."""

    scope: str | None = None
    period: str | None = None
    killed: int | None = None
    injured: int | None = None
    children_killed: int | None = None
    children_injured: int | None = None
    source: str | None = None
    evidence: dict[str, Span] = field(default_factory=dict)
    span: Span | None = None
    confidence: dict[str, float] = field(default_factory=dict)
    uncertain: dict[str, str] = field(default_factory=dict)
    withheld: dict[str, dict] = field(default_factory=dict)

    def to_contract(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k not in ("evidence", "span")}
        out["evidence"] = {k: v.to_dict() for k, v in self.evidence.items()}
        return out


@dataclass
class Extraction:
    doc_id: str
    incidents: list[IncidentClaim] = field(default_factory=list)
    tallies: list[TallyClaim] = field(default_factory=list)

    def to_contract(self) -> dict:
        return {
            "doc_id": self.doc_id,
            "incidents": [i.to_contract() for i in self.incidents],
            "tallies": [t.to_contract() for t in self.tallies],
        }
