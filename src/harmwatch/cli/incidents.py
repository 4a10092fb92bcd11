"""`harmwatch resolve`, `harmwatch incidents`, `harmwatch incident ...`, `harmwatch claim unlink`.

Thin wrappers over resolve/service.py. Analyst decisions are audited with the actor
``cli:<login name>`` and respected by every later resolution run.
"""
from __future__ import annotations

import csv
import json
import sys
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import HarmWatchError
from .common import actor, err, fail, open_db, out

incident_app = typer.Typer(no_args_is_help=True, help="Inspect and correct one incident (show, merge, split, verify, discount).")
claim_app = typer.Typer(no_args_is_help=True, help="Analyst decisions on single claims.")

CSV_COLUMNS = ("id", "date", "time", "place", "admin1", "lat", "lon", "geo_precision", "time_precision", "weapon",
               "weapon_class", "cluster", "objects", "killed_low", "killed_best", "killed_high", "injured_low",
               "injured_best", "injured_high", "children_killed_low", "children_killed_best", "children_killed_high",
               "sources", "independent_sources", "grade", "status")


def register(app: typer.Typer) -> None:
    app.command("resolve")(resolve_cmd)
    app.command("incidents")(incidents_cmd)
    app.command("export")(export_cmd)
    app.add_typer(incident_app, name="incident")
    app.add_typer(claim_app, name="claim")


_open_db, _fail, _actor = open_db, fail, actor


def resolve_cmd(full: bool = typer.Option(False, "--full", help="Score every pair again, not only new claims.")) -> None:
    """Resolve stored claims into incidents (incremental; `ingest` runs it too).

    Example: `harmwatch resolve`
    """
    from ..resolve.service import resolve
    try:
        r = resolve(_open_db(), full=full)
    except HarmWatchError as e:
        _fail(e)
    err.print(f"claims {r.claims}, newly scored {r.scored}, new links {r.links_added}, incidents {r.incidents}, "
              f"re-report edges {r.source_links}")


def _range(r: dict) -> str:
    if r["best"] is None:
        return ""
    return str(r["best"]) if r["low"] == r["high"] else f"{r['best']} ({r['low']}–{r['high']})"


def print_table(rows: list[dict], title: str = "Incidents") -> None:
    table = Table(title=title)
    for col in ("id", "date", "time", "place", "admin1", "weapon", "class", "objects", "killed", "injured",
                "sources", "indep.", "grade"):
        table.add_column(col, overflow="fold")
    for i in rows:
        table.add_row(i["id"], i["date"] or "", i["time"] or "", escape(i["place"] or ""), i["admin1"] or "",
                      escape(i["weapon"] or ""), i["weapon_class"], ", ".join(i["objects"]), _range(i["killed"]),
                      _range(i["injured"]), str(i["sources"]), str(i["independent_sources"]), i["grade"])
    out.print(table)


def _incident_rows(fmt: str, formats: tuple[str, ...]) -> list[dict]:
    """Every resolved incident, after checking the requested format."""
    from ..resolve.service import incidents
    if fmt not in formats:
        _fail(ValueError(f"unknown format {fmt!r}: use {', '.join(formats[:-1])} or {formats[-1]}"))
    try:
        return incidents(_open_db())
    except HarmWatchError as e:
        _fail(e)


def incidents_cmd(fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv.")) -> None:
    """List resolved incidents with casualty ranges, sources and grade.

    Example: `harmwatch incidents --format json > incidents.json`
    """
    rows = _incident_rows(fmt, ("table", "json", "csv"))
    if fmt == "json":
        sys.stdout.write(json.dumps({"incidents": rows}, ensure_ascii=False, indent=1) + "\n")
    elif fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        for i in rows:
            flat = dict(i)
            for f in ("killed", "injured", "children_killed"):
                for k in ("low", "best", "high"):
                    flat[f"{f}_{k}"] = i[f][k]
            flat["objects"] = ";".join(i["objects"])
            w.writerow(["" if flat.get(c) is None else flat.get(c) for c in CSV_COLUMNS])
    else:
        print_table(rows)


@incident_app.command("show")
def show_cmd(incident_id: str, fmt: str = typer.Option("text", "--format", "-f", help="text or json.")) -> None:
    """Show one incident: resolved fields, every claim with its quote, and why the claims were linked.

    Example: `harmwatch incident show inc-2f958e340b85`
    """
    from ..resolve.service import show
    try:
        d = show(_open_db(), incident_id)
    except HarmWatchError as e:
        _fail(e)
    if fmt == "json":
        sys.stdout.write(json.dumps(d, ensure_ascii=False, indent=1) + "\n")
        return
    out.print(f"[bold]{d['id']}[/bold]  {d['date'] or '?'} {d['time'] or ''}  {escape(d['place'] or '?')}, {d['admin1'] or '?'}"
              f"  grade: {d['grade']}  status: {d['status']}")
    out.print(f"weapon: {escape(d['weapon'] or '-')} ({d['weapon_class']})  objects: {', '.join(d['objects']) or '-'}")
    for f in ("killed", "injured", "children_killed"):
        r = d[f]
        out.print(f"{f}: low {r['low']}  best {r['best']}  high {r['high']}")
    out.print(f"sources: {d['sources']}  independent: {d['independent_sources']}  origins: {d['origins']}")
    for c in d["claim_details"]:
        out.print(f"\n[bold]{c['key']}[/bold]  {escape(c['publisher'] or '')} {c['published'] or ''}  said by: {escape(c['said_by'] or '-')}")
        out.print(f"  {c['date']} {c['place']} {c['weapon_class']} killed={c['killed']} injured={c['injured']}")
        if c["passage"]:
            out.print("  “" + escape(c["passage"].strip()[:400]) + "”")
    for dis in d["disagreements"]:
        vals = "; ".join(f"{v['value']} ({v['doc_id']})" for v in dis["values"])
        out.print(f"[yellow]disagreement[/yellow] {dis['field']}: {escape(vals)}")
    for den in d["denials"]:
        out.print(f"[yellow]denial[/yellow] ({den['doc_id']}): “{escape(den['quote'])}”")
    for l in d["links"]:
        out.print(f"link {l['a']} ~ {l['b']}: score {l['score']} {l['features']}")
    for dec in d["decisions"]:
        out.print(f"decision {dec['kind']} {dec['a']} {dec['b'] or ''} by {dec['actor']}: {escape(dec['reason'] or '')}")


@incident_app.command("merge")
def merge_cmd(a: str, b: str, reason: Optional[str] = typer.Option(None, "--reason", "-r", help="Why (kept in the audit log).")) -> None:
    """Merge two incidents into one; later automatic runs keep them together.

    Example: `harmwatch incident merge inc-aaa inc-bbb --reason "same strike, two spellings"`
    """
    from ..resolve.service import merge
    try:
        iid = merge(_open_db(), a, b, _actor(), reason)
    except HarmWatchError as e:
        _fail(e)
    out.print(iid)


@incident_app.command("split")
def split_cmd(incident_id: str,
              claim: list[str] = typer.Option(None, "--claim", "-c", help="Claim key (doc_id#ordinal) to move out; repeat. None: every claim alone."),
              reason: Optional[str] = typer.Option(None, "--reason", "-r", help="Why (kept in the audit log).")) -> None:
    """Split an incident; later automatic runs keep the parts apart.

    Example: `harmwatch incident split inc-aaa --claim news-2022-02-25#1 --reason "different day"`
    """
    from ..resolve.service import split
    try:
        ids = split(_open_db(), incident_id, list(claim or []), _actor(), reason)
    except HarmWatchError as e:
        _fail(e)
    for i in ids:
        out.print(i)


def _status(incident_id: str, action: str, reason: Optional[str]) -> None:
    from ..resolve.service import set_status
    try:
        set_status(_open_db(), incident_id, action, _actor(), reason)
    except HarmWatchError as e:
        _fail(e)


@incident_app.command("verify")
def verify_cmd(incident_id: str, reason: Optional[str] = typer.Option(None, "--reason", "-r")) -> None:
    """Mark an incident verified by an analyst (grade confirmed).

    Example: `harmwatch incident verify inc-aaa --reason "geolocated footage"`
    """
    _status(incident_id, "verify", reason)


@incident_app.command("discount")
def discount_cmd(incident_id: str, reason: Optional[str] = typer.Option(None, "--reason", "-r")) -> None:
    """Discount an incident (grade discounted).

    Example: `harmwatch incident discount inc-aaa --reason "military target, no civilian harm"`
    """
    _status(incident_id, "discount", reason)


@claim_app.command("unlink")
def unlink_cmd(claim: str, reason: Optional[str] = typer.Option(None, "--reason", "-r", help="Why (kept in the audit log).")) -> None:
    """Detach a claim (doc_id#ordinal) from its incident; later runs keep it apart.

    Example: `harmwatch claim unlink news-2022-02-25#4 --reason "another strike"`
    """
    from ..resolve.service import unlink
    try:
        iid = unlink(_open_db(), claim, _actor(), reason)
    except HarmWatchError as e:
        _fail(e)
    out.print(iid)


def export_cmd(fmt: str = typer.Option("geojson", "--format", "-f", help="geojson, acled (CSV) or ucdp (CSV)."),
               output: Optional[str] = typer.Option(None, "--output", "-o", help="File to write (default: standard output).")) -> None:
    """Export resolved incidents as GeoJSON, or as ACLED- or UCDP GED-style CSV (docs/export.md).

    Example: `harmwatch export --format acled -o incidents-acled.csv`
    """
    from .. import export
    rows = _incident_rows(fmt, ("geojson", "acled", "ucdp"))
    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "geojson":
            json.dump(export.geojson(rows), stream, ensure_ascii=False, indent=1)
            stream.write("\n")
        else:
            columns, data = (export.ACLED_COLUMNS, export.acled_rows(rows)) if fmt == "acled" else \
                (export.UCDP_COLUMNS, export.ucdp_rows(rows))
            w = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
            w.writeheader()
            w.writerows(data)
    finally:
        if output:
            stream.close()
    if output:
        err.print(f"wrote {len(rows)} incidents to {output}")
