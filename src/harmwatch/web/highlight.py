"""Source text with spans highlighted, as HTML built safely.

Source texts are untrusted (anything a web page or a PDF said). The HTML is built from escaped
text segments and our own fixed tags only: every character of the source goes through
markupsafe.escape; labels and ids are escaped too. Nothing from a source is ever marked safe as is.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str  # e.g. "killed", "place"
    kind: str = "field"  # css class suffix: field, claim, tally, focus
    anchor: str | None = None  # an id for the first segment of this span


def render(text: str, spans: list[Span], start: int = 0, end: int | None = None) -> Markup:
    """text[start:end] as HTML with <mark> around every span (overlaps nest as separate marks)."""
    end = len(text) if end is None else min(end, len(text))
    start = max(0, start)
    live = [sp for sp in spans if sp.end > start and sp.start < end and sp.end > sp.start]
    cuts = sorted({start, end} | {max(start, min(end, p)) for sp in live for p in (sp.start, sp.end)})
    out: list[str] = []
    anchored: set[str] = set()
    for a, b in zip(cuts, cuts[1:]):
        seg = escape(text[a:b])
        cover = [sp for sp in live if sp.start <= a and sp.end >= b]
        if not cover:
            out.append(str(seg))
            continue
        kinds = sorted({sp.kind for sp in cover})
        labels = sorted({sp.label for sp in cover})
        attrs = f' class="{escape(" ".join("hl-" + k for k in kinds))}" title="{escape(", ".join(labels))}"'
        for sp in cover:
            if sp.anchor and sp.anchor not in anchored and sp.start == a:
                attrs += f' id="{escape(sp.anchor)}"'
                anchored.add(sp.anchor)
                break
        out.append(f"<mark{attrs}>{seg}</mark>")
    return Markup("".join(out))


def evidence_spans(evidence: dict | None, kind: str = "field") -> list[Span]:
    out = []
    for name, ev in (evidence or {}).items():
        if isinstance(ev, dict) and isinstance(ev.get("start"), int) and isinstance(ev.get("end"), int):
            out.append(Span(ev["start"], ev["end"], str(name), kind))
    return out
