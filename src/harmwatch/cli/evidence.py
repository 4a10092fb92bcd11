"""`harmwatch evidence add|list|verify` and `harmwatch bundle`: thin layers over evidence/ (docs/evidence.md).

Changes are audited with the actor ``cli:<login name>`` (custody: evidence.add, evidence.verify,
evidence.export)."""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import HarmWatchError
from .common import actor, err, fail, open_db, out

evidence_app = typer.Typer(no_args_is_help=True, help="Evidence items: media files filed under incidents, "
                                                      "with fixity, metadata and recycled-media warnings.")


def register(app: typer.Typer) -> None:
    app.add_typer(evidence_app, name="evidence")
    app.command("bundle")(bundle_cmd)


def _when(value: Optional[str]) -> Optional[datetime]:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        fail(HarmWatchError(f"--captured-at {value!r}: not an ISO date or date-time (e.g. 2022-03-01T10:30)"))


@evidence_app.command("add")
def add_cmd(
    files: list[Path] = typer.Argument(..., help="Photos, videos, satellite images, PDFs or web captures."),
    incident: str = typer.Option(..., "--incident", "-i", help="The incident id (see `harmwatch incidents`)."),
    source_url: Optional[str] = typer.Option(None, "--source-url", help="Where the file was found."),
    captured_at: Optional[str] = typer.Option(None, "--captured-at", help="When it was collected (ISO, UTC if no offset)."),
    collector: Optional[str] = typer.Option(None, "--collector", help="Who collected it."),
    kind: Optional[str] = typer.Option(None, "--kind", help="photo, video, satellite, document or web_capture "
                                                            "(default: from the file's type)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per file."),
) -> None:
    """File evidence under an incident: SHA-256 at capture, write-once storage, thumbnail and video
    keyframes, EXIF/XMP GPS and time compared with the incident, recycled-media warnings. A file that
    is refused (too large, unknown type, truncated) leaves nothing stored; the others are filed.

    Example: `harmwatch evidence add strike1.jpg clip.mp4 --incident inc-1a2b3c4d5e6f --source-url https://t.me/... --collector "field team"`
    """
    from ..evidence.store import add
    db = open_db()
    when = _when(captured_at)
    failed = 0
    for f in files:
        try:
            r = add(db, f, incident, actor=actor(), source_url=source_url, captured_at=when, collector=collector,
                    kind=kind)
        except HarmWatchError as e:
            err.print(f"[red]refused:[/red] {escape(str(e))}", soft_wrap=True)
            failed += 1
            continue
        if as_json:
            sys.stdout.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
        else:
            out.print(f"{r.status} #{r.id} {escape(r.filename)} sha256 {r.sha256} ({r.media_type}); "
                      f"{escape(r.comparison.get('summary', ''))}", markup=True)
        for w in r.warnings:
            err.print(f"[yellow]recycled media?[/yellow] {escape(r.filename)}: {escape(w['reason'])} "
                      f"(item #{w['item_id']}, {escape(w['filename'])})", soft_wrap=True)
    if failed:
        raise typer.Exit(1)


@evidence_app.command("list")
def list_cmd(
    incident: Optional[str] = typer.Option(None, "--incident", "-i", help="Only this incident's evidence."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or jsonl."),
) -> None:
    """List evidence items: hash, type, metadata against the incident, warnings.

    Example: `harmwatch evidence list --incident inc-1a2b3c4d5e6f --format jsonl`
    """
    from ..evidence.store import list_items
    try:
        rows = list_items(open_db(), incident)
    except HarmWatchError as e:
        fail(e)
    if fmt == "jsonl":
        for r in rows:
            sys.stdout.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
        return
    if fmt != "table":
        fail(HarmWatchError(f"unknown format {fmt!r}: use table or jsonl"))
    t = Table(title="Evidence")
    for col in ("id", "incident", "file", "type", "sha256", "metadata vs incident", "warnings"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(str(r.id), r.incident_id, r.filename, r.media_type, r.sha256,
                  f"{r.exif_summary}; {r.comparison.get('summary', '')}", "; ".join(w["reason"] for w in r.warnings))
    out.print(t, markup=False)


@evidence_app.command("verify")
def verify_cmd() -> None:
    """Re-check the SHA-256 of every evidence file (originals and derivatives) and record the check in
    the audit chain. Names every altered or missing file and exits 1 when there is one.

    Example: `harmwatch evidence verify`
    """
    from ..evidence.store import verify
    try:
        report = verify(open_db(), actor=actor())
    except HarmWatchError as e:
        fail(e)
    for p in report.problems:
        err.print(f"[red]{'MISSING' if p.found is None else 'ALTERED'}:[/red] {escape(str(p))}", soft_wrap=True)
    out.print(f"checked {report.checked} files: {'all intact' if report.ok else f'{len(report.problems)} failed'}",
              markup=False)
    if not report.ok:
        raise typer.Exit(1)


def bundle_cmd(
    args: list[str] = typer.Argument(..., metavar="INCIDENT... | verify BUNDLE.zip",
                                     help="Incident ids to bundle, or `verify` and a bundle to check."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="The zip to write (for bundling)."),
) -> None:
    """Write a case file (a zip with the incidents' evidence files, their claims with quotes,
    manifest.json, SHA256SUMS and the audit excerpt), or check one: `bundle verify` needs only the zip,
    names every altered, missing or unlisted file and exits 1 if there is one.

    Example: `harmwatch bundle inc-1a2b3c4d5e6f inc-0f9e8d7c6b5a -o case.zip` then `harmwatch bundle verify case.zip`
    """
    from ..evidence.bundle import verify_bundle, write_bundle
    if args[0] == "verify":
        if len(args) != 2:
            fail(HarmWatchError("usage: harmwatch bundle verify BUNDLE.zip"))
        try:
            report = verify_bundle(Path(args[1]))
        except HarmWatchError as e:
            fail(e)
        for p in report.problems:
            err.print(f"[red]FAILED:[/red] {escape(p)}", soft_wrap=True)
        out.print(f"{args[1]}: {report.checked} files checked, "
                  f"{'all intact' if report.ok else f'{len(report.problems)} problems'}; "
                  f"SHA256SUMS sha256 {report.sums_sha256}", markup=False)
        if not report.ok:
            raise typer.Exit(1)
        return
    if output is None:
        fail(HarmWatchError("say where to write the bundle: -o case.zip"))
    try:
        r = write_bundle(open_db(), args, output, actor=actor())
    except HarmWatchError as e:
        fail(e)
    out.print(f"wrote {r.path}: {len(r.incidents)} incidents, {r.items} evidence items, {r.files} files; "
              f"sha256 {r.sha256}; SHA256SUMS sha256 {r.sums_sha256}", markup=False)
