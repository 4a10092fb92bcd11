"""`harmwatch db upgrade|info`: migrate the database on purpose, and describe it (store/info.py)."""
from __future__ import annotations

import json

import typer
from rich.table import Table

from ..errors import HarmWatchError
from .common import err, fail, out

db_app = typer.Typer(no_args_is_help=True, help="The database itself: migrate it (upgrade) and describe it (info).")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


def _url() -> str | None:
    from .. import settings
    from .main import State
    return settings.DB.value(State.db)


@db_app.command("upgrade")
def upgrade_cmd(
    revision: str = typer.Option("head", "--revision", help="Migrate to this schema revision (default: the newest)."),
) -> None:
    """Run the schema migrations (every command also does this when it opens the database; run this
    once after installing a new HarmWatch, before starting several `serve` workers). On PostgreSQL it
    also adds the PostGIS point index when the extension is available. Safe to run again.

    Example: `harmwatch --db postgresql+psycopg://harmwatch@localhost/harmwatch db upgrade`
    """
    from ..store.info import upgrade_database
    try:
        r = upgrade_database(_url(), revision)
    except HarmWatchError as e:
        fail(e)
    was = r.before or "new database"
    err.print(f"{r.url}: schema {r.after}" + (" (unchanged)" if r.before == r.after else f" (was {was})"))
    if r.url.startswith("postgresql"):
        err.print("PostGIS point index: " + ("present" if r.postgis else
                                            "absent (bounding-box filters use the lon/lat columns)"))


@db_app.command("info")
def info_cmd(
    as_json: bool = typer.Option(False, "--json", help="One JSON object instead of a table."),
) -> None:
    """Show the backend, server version, schema revision (and whether it is the newest), PostGIS and
    the row count of each table. Reads only: it never migrates.

    Example: `harmwatch db info` or `HARMWATCH_DB=postgresql+psycopg://harmwatch@localhost/harmwatch harmwatch db info --json`
    """
    from ..store.info import database_info
    try:
        info = database_info(_url())
    except HarmWatchError as e:
        fail(e)
    if as_json:
        typer.echo(json.dumps(info.as_dict()))
        return
    out.print(f"database   {info.url}")
    out.print(f"backend    {info.backend} ({info.server_version})")
    state = "up to date" if info.up_to_date else f"behind {info.head}: run `harmwatch db upgrade`"
    out.print(f"schema     {info.revision or 'none'} ({state})")
    if info.backend == "postgresql":
        out.print("postgis    " + (f"{info.postgis}, point index {'present' if info.point_index else 'absent'}"
                                   if info.postgis else "absent (bounding-box filters use the lon/lat columns)"))
    else:
        out.print("postgis    n/a (SQLite: bounding-box filters use the lon/lat columns)")
    table = Table("table", "rows", box=None)
    for name, n in info.rows.items():
        table.add_row(name, str(n))
    out.print(table)
