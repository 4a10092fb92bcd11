"""What every command module shares: the consoles, the database from the global options,
error exit, and who is acting (for the audit log)."""
from __future__ import annotations

import getpass
import sys

import typer
from rich.console import Console
from rich.markup import escape

err = Console(stderr=True)
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)  # tables stay readable in pipes and logs


def open_db():
    """The database chosen by --db / $HARMWATCH_DB (imported late: main imports the command modules)."""
    from .main import _open_db
    return _open_db()


def fail(e: Exception, code: int = 2):
    err.print(f"[red]error:[/red] {escape(str(e))}")
    raise typer.Exit(code)


def actor() -> str:
    """`cli:<login name>`: who made a change from the command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name (some containers): still say it came from the CLI
        return "cli"
