"""The dossier of one incident: what `harmwatch report` writes (docs/assessment.md#dossiers).

    d = gather(db, "inc-…")                     # -> Dossier: sources with quotes, figures, flags, evidence
    html = render_html(d)                        # one self-contained HTML file (images as data: URIs)
    pdf = render_pdf(html)                       # WeasyPrint; fetches nothing (only data: URIs are read)
    r = write_report(db, "inc-…", "pdf", Path("dossier.pdf"), actor="alice")   # + custody entries

Everything in it comes from the library: the incident and its claims (resolve/service.show), each
claim's evidence spans read again from the stored source text with the sentence around them, the
casualty ranges and disagreements (resolve/summary.py), the weapon profile, screening flags and
chronolocation (assess/), the evidence items with their hashes and thumbnails (evidence/store.py),
and a locator map (svgmap.py). Source text is untrusted: the template escapes every value.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select

from .. import __version__
from ..errors import HarmWatchError, InputError, StoreError
from .svgmap import incident_map

FORMATS = ("html", "pdf")
TEMPLATES = Path(__file__).resolve().parent / "templates"
_SENTENCE_END = re.compile(r"[.!?…](?=[\"'”’»)\]]*\s)|\n\s*\n|\n")
_MAX_SENTENCE = 600  # characters either side of a quote when the text has no sentence end near it


class ReportError(InputError):
    """A dossier cannot be made: unknown incident, unknown format, or the output cannot be written."""


# --- records ------------------------------------------------------------------------------------------

@dataclass
class Piece:
    text: str
    fields: list[str] = field(default_factory=list)  # the claim fields this piece is evidence for (empty: context)


@dataclass
class Sentence:
    start: int
    end: int
    pieces: list[Piece]  # the sentence cut at the quotes' boundaries, each quote marked with its fields


@dataclass
class ClaimQuotes:
    key: str
    said_by: str | None
    values: dict  # field -> the claim's value, for the fields with a span
    sentences: list[Sentence]
    mismatches: list[str]  # fields whose stored quote no longer matches the text at its span


@dataclass
class SourceEntry:
    doc_id: str
    title: str | None
    url: str | None
    publisher: str | None
    published: str | None
    language: str | None
    sha256: str
    claims: list[ClaimQuotes]


@dataclass
class Figure:
    name: str
    low: int | None
    best: int | None
    high: int | None
    said: list[dict]  # {claim, value, said_by}: what each claim gives


@dataclass
class EvidenceEntry:
    id: int
    filename: str
    kind: str
    media_type: str
    size: int
    sha256: str
    intact: bool  # the stored original still has this SHA-256 (checked when the dossier was made)
    thumbnail_sha256: str | None
    thumbnail_uri: str | None  # data:image/jpeg;base64,… so the file stands alone
    source_url: str | None
    captured_at: str | None
    collector: str | None
    added_by: str
    added_at: str
    metadata: str  # EXIF/XMP time, GPS, camera in words
    comparison: str  # the metadata against the incident
    warnings: list[dict]


@dataclass
class Dossier:
    incident: dict  # resolve/service.show
    sources: list[SourceEntry]
    figures: list[Figure]
    disagreements: list[dict]
    assessment: dict  # assess.for_incident: weapon_profile, flags (with dismissals), chronolocation
    evidence: list[EvidenceEntry]
    map_svg: str | None
    generated_at: str
    generated_by: str
    version: str = __version__


# --- gathering ----------------------------------------------------------------------------------------

def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or line) around text[start:end]: from after the previous sentence end to the next."""
    lo = max(0, start - _MAX_SENTENCE)
    s = lo
    for m in _SENTENCE_END.finditer(text, lo, start):
        s = m.end()
    e = min(len(text), end + _MAX_SENTENCE)
    m = _SENTENCE_END.search(text, end, e)
    if m:
        e = m.end() if not m.group().isspace() else m.start()
    while s < start and text[s].isspace():
        s += 1
    while e > end and text[e - 1].isspace():
        e -= 1
    return s, e


def _sentences(text: str, spans: list[tuple[str, int, int]]) -> list[Sentence]:
    """Group the spans by the sentence they are in; cut each sentence at the spans' edges."""
    groups: dict[tuple[int, int], list[tuple[str, int, int]]] = {}
    for fld, a, b in spans:
        groups.setdefault(_sentence_bounds(text, a, b), []).append((fld, a, b))
    out = []
    for (s, e), items in sorted(groups.items()):
        s, e = min([s] + [a for _, a, _ in items]), max([e] + [b for _, _, b in items])
        cuts = sorted({s, e} | {a for _, a, _ in items} | {b for _, _, b in items})
        pieces = []
        for a, b in zip(cuts, cuts[1:]):
            fields = [f for f, x, y in items if x <= a and b <= y]
            if pieces and pieces[-1].fields == fields:
                pieces[-1].text += text[a:b]
            else:
                pieces.append(Piece(text[a:b], fields))
        out.append(Sentence(s, e, pieces))
    return out


def _field_label(name: str) -> str:
    return name.replace("objects.", "object: ").replace("_", " ")


def _sources(db, incident: dict) -> list[SourceEntry]:  # noqa: ANN001
    from ..store.models import Claim, Source
    details = {c["key"]: c for c in incident["claim_details"]}
    by_doc: dict[int, SourceEntry] = {}
    with db.session() as s:
        rows = s.execute(select(Claim.ordinal, Source).join(Source, Claim.source_id == Source.id)
                         .where(Claim.incident_id == incident["id"]).order_by(Source.doc_id, Claim.ordinal))
        for ordinal, src in rows:
            key = f"{src.doc_id}#{ordinal}"
            c = details.get(key)
            if c is None:
                continue
            entry = by_doc.get(src.id)
            if entry is None:
                entry = by_doc[src.id] = SourceEntry(
                    doc_id=src.doc_id, title=src.title, url=src.url, publisher=src.publisher,
                    published=src.published.isoformat() if src.published else None, language=src.language,
                    sha256=src.sha256, claims=[])
            spans, mismatches, values = [], [], {}
            for fld, ev in sorted((c.get("evidence") or {}).items(), key=lambda kv: (kv[1].get("start") or 0, kv[0])):
                a, b = ev.get("start"), ev.get("end")
                if a is None or b is None:
                    continue
                label = _field_label(fld)
                if src.text[a:b] != ev.get("quote"):
                    mismatches.append(label)
                    continue
                spans.append((label, a, b))
                name = fld.split(".")[0]
                values[label] = ev.get("quote") if fld.startswith("objects.") or name == "source" else c.get(name)
            entry.claims.append(ClaimQuotes(key=key, said_by=c.get("said_by"), values=values,
                                            sentences=_sentences(src.text, spans), mismatches=mismatches))
    return list(by_doc.values())


def _figures(incident: dict) -> list[Figure]:
    from ..resolve.summary import VICTIM_FIELDS
    out = []
    for name in VICTIM_FIELDS:
        r = incident.get(name) or {}
        said = [{"claim": c["key"], "value": c.get(name), "said_by": c.get("said_by")}
                for c in incident["claim_details"] if c.get(name) is not None]
        if said or any(r.get(k) is not None for k in ("low", "best", "high")):
            out.append(Figure(name.replace("_", " "), r.get("low"), r.get("best"), r.get("high"), said))
    return out


def _data_uri(path: Path, media_type: str) -> str:
    return f"data:{media_type};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _evidence(db, incident_id: str) -> list[EvidenceEntry]:  # noqa: ANN001
    from ..evidence.store import items_for_incident, sha256_file
    out = []
    for r in items_for_incident(db, incident_id):
        try:
            intact = sha256_file(r.path) == r.sha256
        except OSError:
            intact = False
        thumb = next((d for d in r.derivatives if d.role == "thumbnail"), None)
        uri = None
        if thumb is not None:
            try:
                if hashlib.sha256(thumb.path.read_bytes()).hexdigest() == thumb.sha256:
                    uri = _data_uri(thumb.path, thumb.media_type)  # never embed bytes other than those filed
            except OSError:
                uri = None
        out.append(EvidenceEntry(
            id=r.id, filename=r.filename, kind=r.kind, media_type=r.media_type, size=r.size, sha256=r.sha256,
            intact=intact, thumbnail_sha256=thumb.sha256 if thumb else None, thumbnail_uri=uri,
            source_url=r.source_url, captured_at=r.captured_at, collector=r.collector, added_by=r.added_by,
            added_at=r.added_at, metadata=r.exif_summary, comparison=r.comparison.get("summary", ""),
            warnings=list(r.warnings)))
    return out


def gather(db, incident_id: str, actor: str = "") -> Dossier:  # noqa: ANN001
    """Everything the dossier of `incident_id` shows (the incident id may be an alias of a merged one)."""
    from ..assess import for_incident
    from ..resolve.service import ResolutionError, redirect_target, show
    try:
        inc = show(db, redirect_target(db, incident_id) or incident_id)
    except ResolutionError as e:
        raise ReportError(str(e)) from e
    return Dossier(
        incident=inc, sources=_sources(db, inc), figures=_figures(inc), disagreements=inc.get("disagreements", []),
        assessment=for_incident(db, inc), evidence=_evidence(db, inc["id"]),
        map_svg=incident_map(inc.get("lat"), inc.get("lon"), approximate=(inc.get("geo_precision") or 1) > 1),
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), generated_by=actor)


# --- rendering ----------------------------------------------------------------------------------------

def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True,
                                                                                            default_for_string=True))
    env.filters["label"] = lambda s: str(s).replace("_", " ")
    return env


def render_html(d: Dossier) -> str:
    """The dossier as one HTML document with everything inline (styles, map, thumbnails)."""
    from markupsafe import Markup
    return _env().get_template("dossier.html").render(d=d, inc=d.incident, map_svg=Markup(d.map_svg) if d.map_svg else None)


def offline_fetcher():  # noqa: ANN201
    """A WeasyPrint URL fetcher that reads data: URIs only and refuses every other URL (http, https,
    file, ...), keeping the refused ones in `.refused`."""
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data",))
            self.refused: list[str] = []

        def fetch(self, url, headers=None):  # noqa: ANN001, ANN201
            if not url.lower().startswith("data:"):
                self.refused.append(url)
                raise ValueError(f"the dossier fetches nothing: refused {url[:80]}")
            return super().fetch(url, headers)

    return OfflineFetcher()


def render_pdf(html: str, fetcher=None) -> bytes:  # noqa: ANN001
    """The HTML dossier as PDF (WeasyPrint); nothing is fetched from the network or the disk."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as e:  # OSError: Pango missing (Debian: libpango-1.0-0, libpangoft2-1.0-0)
        raise ReportError(f"PDF output needs WeasyPrint and Pango: {e}") from e
    return HTML(string=html, base_url=None, url_fetcher=fetcher or offline_fetcher()).write_pdf()


@dataclass
class ReportResult:
    path: Path
    format: str
    incident_id: str
    sha256: str
    evidence_items: int
    size: int


def write_report(db, incident_id: str, fmt: str, out: Path, *, actor: str) -> ReportResult:  # noqa: ANN001
    """Write the dossier of `incident_id` to `out` (written to a temporary file and renamed), then
    record an ``evidence.export`` custody entry for each evidence item it includes."""
    if fmt not in FORMATS:
        raise ReportError(f"unknown format {fmt!r}: use {' or '.join(FORMATS)}")
    d = gather(db, incident_id, actor=actor)
    html = render_html(d)
    body = render_pdf(html) if fmt == "pdf" else html.encode("utf-8")
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=f".{fmt}", dir=out.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(body)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise StoreError(f"cannot write the dossier {out}: {e}") from e
    digest = hashlib.sha256(body).hexdigest()
    if d.evidence:
        from ..evidence.store import record_custody
        record_custody(db, actor, "evidence.export", [e.id for e in d.evidence],
                       {"report": out.name, "format": fmt, "sha256": digest, "incident": d.incident["id"]})
    return ReportResult(out, fmt, d.incident["id"], digest, len(d.evidence), len(body))


__all__ = ["Dossier", "FORMATS", "HarmWatchError", "ReportError", "ReportResult", "gather", "offline_fetcher",
           "render_html", "render_pdf", "write_report"]
