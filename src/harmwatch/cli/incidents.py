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



def register(app: typer.Typer) -> None:
    app.command("resolve")(resolve_cmd)
    app.command("incidents")(incidents_cmd)
    app.command("export")(export_cmd)
    app.add_typer(incident_app, name="incident")
    app.add_typer(claim_app, name="claim")


_open_db, _fail, _actor = open_db, fail, actor


def _reason(reason: Optional[str]) -> Optional[str]:
    """--reason, trimmed; a reason of only spaces or invisible characters is an error (text_checks)."""
    from ..text_checks import visible_reason
    try:
        return visible_reason(reason)
    except HarmWatchError as e:
        _fail(e)


def resolve_cmd(full: bool = typer.Option(False, "--full", help="Score every pair again and rewrite every incident "
                                                                  "(the same result as the incremental runs)."),
                explain_region: bool = typer.Option(False, "--explain-region",
                                                    help="After an incremental run, print how many claims were "
                                                         "clustered again for each reason.")) -> None:
    """Resolve stored claims into incidents (incremental; `ingest` runs it too).

    Incremental: only new claims are scored, against the claims of their day and area, and only
    the incidents near them are clustered again and rewritten.

    Example: `harmwatch resolve` (or `harmwatch resolve --full`, `harmwatch resolve --explain-region`)
    """
    from ..resolve.service import resolve
    try:
        r = resolve(_open_db(), full=full)
    except HarmWatchError as e:
        _fail(e)
    err.print(f"claims {r.claims}, newly scored {r.scored}, new links {r.links_added}, incidents {r.incidents}, "
              f"re-clustered {r.reclustered} claims, rewrote {r.rewritten} incidents, re-report edges {r.source_links}")
    if explain_region:
        for (why, root), n in sorted(r.region_reasons.items(), key=lambda t: (-t[1], t[0])):
            err.print(f"  {n:>7} claims: {why} (first drawn in by: {root})")


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
        from ..export import CSV_COLUMNS, csv_rows
        w = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(csv_rows(rows))
    else:
        print_table(rows)


QUOTE_CHARS = 300  # a claim's passage in `incident show` text: cut at a word boundary, with …


def _said(v) -> str:  # noqa: ANN001
    """A value for a reader: None is "unknown", a list is joined, a number as it is."""
    if v is None or v == "" or v == []:
        return "unknown"
    if isinstance(v, (list, tuple)):
        return ", ".join(_said(x) for x in v)
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, dict):
        return ", ".join(f"{k} {_said(x)}" for k, x in v.items())
    return str(v)


def _count(r: dict) -> str:
    """A casualty range: "unknown", "4", or "4 (3–6)"."""
    if not r or r.get("best") is None:
        return "unknown" if not r or (r.get("low") is None and r.get("high") is None) else \
            f"{_said(r.get('low'))}–{_said(r.get('high'))}"
    low, high = r.get("low"), r.get("high")
    return str(r["best"]) if low == high == r["best"] or (low is None and high is None) else \
        f"{r['best']} ({_said(low)}–{_said(high)})"


def _score(v) -> str:  # noqa: ANN001
    return f"{v:.2f}" if isinstance(v, float) else _said(v)


def incident_text(d: dict) -> str:
    """`service.show(...)` as plain text for a person: no Python reprs, quotes cut at a word boundary."""
    from ..text_checks import clip
    where = ", ".join(x for x in (d.get("place"), d.get("admin1")) if x) or "place unknown"
    lines = [f"{d['id']} — {where}"]
    when = " ".join(x for x in (d.get("date"), d.get("time")) if x) or "unknown"
    weapon = d.get("weapon") or "unknown"
    if d.get("weapon_class") and d["weapon_class"] != "unknown":
        weapon += f" ({d['weapon_class'].replace('_', ' ')})"
    rows = [("date", when), ("weapon", weapon), ("objects hit", _said(d.get("objects")))]
    rows += [(f.replace("_", " "), _count(d.get(f) or {})) for f in ("killed", "injured", "children_killed")]
    rows += [("grade", _said(d.get("grade"))), ("status", _said(d.get("status"))),
             ("sources", f"{d.get('sources', 0)} ({d.get('independent_sources', 0)} independent)")]
    rereports = sorted((doc, origin) for doc, origin in (d.get("origins") or {}).items() if doc != origin)
    if rereports:
        rows.append(("re-reports", "; ".join(f"{doc} repeats {origin}" for doc, origin in rereports)))
    width = max(len(k) for k, _ in rows)
    lines += [f"  {k.ljust(width)}  {v}" for k, v in rows]
    claims = d.get("claim_details") or []
    lines += ["", f"Claims ({len(claims)})"]
    for c in claims:
        who = ", ".join(x for x in (c.get("publisher"), f"published {c['published']}" if c.get("published") else None,
                                    f"said by {c['said_by']}" if c.get("said_by") else None) if x)
        lines.append(f"  {c['key']}" + (f" — {who}" if who else ""))
        facts = [c.get("date") or "date unknown", c.get("place") or "place unknown",
                 (c.get("weapon") or (c.get("weapon_class") or "unknown").replace("_", " ")),
                 f"killed {_said(c.get('killed'))}", f"injured {_said(c.get('injured'))}"]
        lines.append("    " + "; ".join(facts))
        if c.get("passage"):
            lines.append(f"    “{clip(c['passage'], QUOTE_CHARS)}”")
    if d.get("disagreements"):
        lines += ["", "Disagreements"]
        for dis in d["disagreements"]:
            vals = "; ".join(f"{_said(v.get('value'))} ({v.get('doc_id')})" for v in dis.get("values", []))
            lines.append(f"  {dis.get('field', '').replace('_', ' ')}: {vals}")
    if d.get("denials"):
        lines += ["", "Denials"]
        lines += [f"  {den.get('doc_id')}: “{clip(den.get('quote') or '', QUOTE_CHARS)}”" for den in d["denials"]]
    if d.get("links"):
        lines += ["", "Why the claims were linked"]
        for link in d["links"]:
            feats = ", ".join(f"{k} {_score(v)}" for k, v in (link.get("features") or {}).items())
            lines.append(f"  {link['a']} ~ {link['b']}: score {_score(link.get('score'))}" + (f" ({feats})" if feats else ""))
    if d.get("decisions"):
        lines += ["", "Analyst decisions"]
        for dec in d["decisions"]:
            what = dec["kind"]
            if dec["kind"] == "edit":
                try:
                    e = json.loads(dec.get("b") or "{}")
                    what = f"edit {e.get('field')} to {_said(e.get('value'))}"
                except ValueError:
                    what = "edit"
            elif dec.get("b"):
                what = f"{dec['kind']}: {dec['a']} and {dec['b']}"
            when = (dec.get("at") or "")[:16].replace("T", " ")
            reason = f" — {dec['reason']}" if dec.get("reason") else ""
            lines.append(f"  {when} {dec.get('actor') or 'unknown'}: {what}{reason}")
    return "\n".join(lines) + "\n"


@incident_app.command("show")
def show_cmd(incident_id: str, fmt: str = typer.Option("text", "--format", "-f", help="text (for reading) or json (every field, for programs).")) -> None:
    """Show one incident: resolved fields, every claim with its quote, and why the claims were linked.

    Quotes are cut at a word boundary (…); `--format json` prints everything, uncut.

    Example: `harmwatch incident show inc-2f958e340b85`, or `harmwatch incident show inc-2f958e340b85 --format json`
    """
    from ..resolve.service import show
    if fmt not in ("text", "json"):
        _fail(ValueError(f"unknown format {fmt!r}: use text or json"))
    try:
        d = show(_open_db(), incident_id)
    except HarmWatchError as e:
        _fail(e)
    if fmt == "json":
        sys.stdout.write(json.dumps(d, ensure_ascii=False, indent=1) + "\n")
        return
    sys.stdout.write(incident_text(d))


@incident_app.command("merge")
def merge_cmd(a: str, b: str, reason: Optional[str] = typer.Option(None, "--reason", "-r", help="Why (kept in the audit log).")) -> None:
    """Merge two incidents into one; later automatic runs keep them together.

    Example: `harmwatch incident merge inc-aaa inc-bbb --reason "same strike, two spellings"`
    """
    from ..resolve.service import merge
    try:
        iid = merge(_open_db(), a, b, _actor(), _reason(reason))
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
        ids = split(_open_db(), incident_id, list(claim or []), _actor(), _reason(reason))
    except HarmWatchError as e:
        _fail(e)
    for i in ids:
        out.print(i)


def _status(incident_id: str, action: str, reason: Optional[str], override: bool = False) -> None:
    from ..resolve.service import set_status
    try:
        # the command line acts as an admin for --override: whoever runs it can write the database itself
        set_status(_open_db(), incident_id, action, _actor(), _reason(reason), override=override, as_admin=override)
    except HarmWatchError as e:
        _fail(e)


_REQUIRED_REASON = "Why (required; kept in the audit log and shown on the incident)."


@incident_app.command("verify")
def verify_cmd(incident_id: str, reason: Optional[str] = typer.Option(None, "--reason", "-r", help=_REQUIRED_REASON),
               override: bool = typer.Option(False, "--override",
                                             help="Confirm although the grade rule does not hold (two independent "
                                                  "sources, one official or investigator); the reason says why. "
                                                  "The command line acts as an admin here: it writes the database "
                                                  "directly. Audited as verify-override by cli:LOGIN.")) -> None:
    """Mark an incident reviewed (verified); a reason is required. The grade becomes confirmed only when
    the rule holds, or with --override.

    Example: `harmwatch incident verify inc-aaa --reason "geolocated footage"` (with HARMWATCH_SECOND_REVIEW on,
    it then awaits a second analyst's approval in the web app or the API)
    """
    _status(incident_id, "verify", reason, override)


@incident_app.command("discount")
def discount_cmd(incident_id: str, reason: Optional[str] = typer.Option(None, "--reason", "-r", help=_REQUIRED_REASON)) -> None:
    """Discount an incident (grade discounted); a reason is required.

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
        iid = unlink(_open_db(), claim, _actor(), _reason(reason))
    except HarmWatchError as e:
        _fail(e)
    out.print(iid)


def export_cmd(fmt: str = typer.Option("geojson", "--format", "-f", help="geojson, acled (CSV) or ucdp (CSV)."),
               output: Optional[str] = typer.Option(None, "--output", "-o", help="File to write (default: standard output).")) -> None:
    """Export resolved incidents as GeoJSON, or as ACLED- or UCDP GED-style CSV (docs/export.md).

    Example: `harmwatch export --format acled -o incidents-acled.csv`
    """
    from .. import export
    formats = ("geojson", "acled", "ucdp")
    if fmt not in formats:
        _fail(ValueError(f"unknown format {fmt!r}: use {', '.join(formats[:-1])} or {formats[-1]}"))
    count = 0

    def counted():  # the incidents read in batches and written as they come: memory flat with their number
        nonlocal count
        for i in export.iter_incidents(_open_db()):
            count += 1
            yield i
    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        chunks = export.geojson_chunks(counted()) if fmt == "geojson" else export.csv_chunks(fmt, counted())
        for chunk in chunks:
            stream.write(chunk)
    except HarmWatchError as e:
        _fail(e)
    finally:
        if output:
            stream.close()
    if output:
        err.print(f"wrote {count} incidents to {output}")
