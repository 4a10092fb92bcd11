"""Dossiers: one incident as a self-contained HTML or PDF file (`harmwatch report`; docs/assessment.md#dossiers).

`dossier.py` gathers and renders (Jinja2 with autoescape, WeasyPrint for PDF with a fetcher that
reads data: URIs only); `svgmap.py` draws the offline locator map from the bundled outline."""
from __future__ import annotations

from .dossier import FORMATS, Dossier, ReportError, ReportResult, gather, render_html, render_pdf, write_report

__all__ = ["FORMATS", "Dossier", "ReportError", "ReportResult", "gather", "render_html", "render_pdf", "write_report"]
