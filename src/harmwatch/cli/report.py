"""`harmwatch report`: a thin layer over report/ (the dossier of one incident; docs/assessment.md#dossiers)."""
from __future__ import annotations

from pathlib import Path

import typer

from ..errors import HarmWatchError
from .common import actor, fail, open_db, out


def register(app: typer.Typer) -> None:
    app.command("report")(report_cmd)


def report_cmd(
    incident: str = typer.Argument(..., help="The incident id (see `harmwatch incidents`)."),
    fmt: str = typer.Option("html", "--format", "-f", help="html (one self-contained file) or pdf."),
    output: Path = typer.Option(..., "--output", "-o", help="The file to write."),
) -> None:
    """Write the dossier of one incident: its sources with the quotes every value was read from, the
    figures with their low/best/high ranges and disagreements, the weapon profile, the screening flags
    with their reasons (dismissed ones marked), the chronolocation figures, the evidence items with
    their SHA-256 and thumbnails, and a map. The file stands alone and nothing is fetched while
    writing it. Each evidence item included gets an `evidence.export` custody entry in the audit log.

    Example: `harmwatch report inc-1a2b3c4d5e6f --format pdf -o vuhledar.pdf`
    """
    from ..report import write_report
    try:
        r = write_report(open_db(), incident, fmt, output, actor=actor())
    except HarmWatchError as e:
        fail(e)
    out.print(f"wrote {r.path}: {r.format} dossier of {r.incident_id}, {r.evidence_items} evidence items, "
              f"{r.size} bytes; sha256 {r.sha256}", markup=False)
