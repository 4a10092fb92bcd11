"""`harmwatch flags`, `harmwatch flags dismiss`, `harmwatch objects load|list`: thin wrappers over assess/."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import HarmWatchError
from .common import actor, err, fail, open_db, out

objects_app = typer.Typer(help="Military objects for locating stated likely targets (docs/assessment.md).",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("flags")(flags_cmd)
    app.add_typer(objects_app, name="objects")


def flags_cmd(incident: Optional[str] = typer.Argument(None, metavar="[INCIDENT | dismiss]",
                                                        help="Only this incident's flags; or `dismiss` followed by a "
                                                             "flag id to dismiss that flag."),
              flag_id: Optional[str] = typer.Argument(None, metavar="[FLAG_ID]", help="With `dismiss`: the flag (flg-…)."),
              reason: Optional[str] = typer.Option(None, "--reason", "-r", help="With `dismiss`: why (required; kept "
                                                                                 "in the audit log)."),
              kind: Optional[str] = typer.Option(None, "--kind", "-k", help="protected_object, wide_area_populated, "
                                                                              "cluster_populated or inaccurate_weapon."),
              fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
              active: bool = typer.Option(False, "--active", help="Leave out dismissed flags.")) -> None:
    """List IHL screening flags with their reasons and quotes (every incident, or one), or dismiss one.
    A flag is never a verdict: it is for an investigator to assess (docs/assessment.md). A dismissal
    is audited and holds while the flag's basis (the facts behind it) stays the same.

    Example: `harmwatch flags inc-9a62fd16873a`, `harmwatch flags --kind cluster_populated --format json`,
    `harmwatch flags dismiss flg-0123456789abcdef --reason "the hospital had been evacuated"`
    """
    from ..assess.flags import dismiss, flags
    if incident == "dismiss":
        if not flag_id:
            fail(HarmWatchError("flags dismiss: give the flag id (see `harmwatch flags`)"))
        try:
            f = dismiss(open_db(), flag_id, reason, actor())
        except HarmWatchError as e:
            fail(e)
        err.print(f"dismissed {f.id} ({f.title}) of {f.incident_id}")
        return
    if flag_id:
        fail(HarmWatchError(f"unexpected {flag_id!r}: `harmwatch flags [INCIDENT]` or `harmwatch flags dismiss ID`"))
    if fmt not in ("text", "json"):
        fail(HarmWatchError(f"--format {fmt!r}: use text or json"))
    try:
        rows = flags(open_db(), incident, kind, include_dismissed=not active)
    except HarmWatchError as e:
        fail(e)
    if fmt == "json":
        typer.echo(json.dumps([f.to_dict() for f in rows], ensure_ascii=False, indent=1))
        return
    if not rows:
        err.print("no flags")
    for f in rows:
        state = f" [dim](dismissed by {escape(f.dismissed['actor'])}: {escape(f.dismissed['reason'])})[/dim]" \
            if f.dismissed else ""
        out.print(f"[bold]{escape(f.id)}[/bold] {escape(f.incident_id)} [yellow]{escape(f.title)}[/yellow]{state}")
        out.print(f"  {escape(f.reason)}\n")


@objects_app.command("load")
def load_cmd(file: Path = typer.Argument(..., help="GeoJSON FeatureCollection of Point features with "
                                                   "properties.name (and optional aliases, kind)."),
             replace: bool = typer.Option(False, "--replace", help="Remove the objects loaded before.")) -> None:
    """Load military objects so that stated likely targets get a point, a distance and a miss
    probability. All features or none; flags are recomputed afterwards.

    Example: `harmwatch objects load bases.geojson` with a feature
    `{"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.64, 49.84]},
    "properties": {"name": "Chuhuiv Air Base", "aliases": ["Chuhuiv airfield"], "kind": "air base"}}`
    """
    from ..assess.objects import load
    try:
        n = load(open_db(), file, replace=replace)
    except HarmWatchError as e:
        fail(e)
    err.print(f"loaded {n} military object{'' if n == 1 else 's'} from {file}")


@objects_app.command("list")
def list_cmd() -> None:
    """List the loaded military objects.

    Example: `harmwatch objects list`
    """
    from ..assess.objects import listing
    t = Table("name", "kind", "lat", "lon", "source")
    for o in listing(open_db()):
        t.add_row(escape(o.name), escape(o.kind or ""), f"{o.lat:.5f}", f"{o.lon:.5f}", escape(o.source))
    out.print(t)
