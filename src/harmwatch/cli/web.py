"""`harmwatch serve`: run the web app (src/harmwatch/web) under uvicorn."""
from __future__ import annotations

import typer

from .. import settings
from ..errors import HarmWatchError
from .common import err, fail, open_db


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)


def serve_cmd(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (0.0.0.0: every interface; "
                                                          "put a TLS proxy in front then)."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    anonymous_read: bool = typer.Option(None, "--anonymous-read/--no-anonymous-read",
                                        help="Let visitors who are not signed in read (default: "
                                             f"${settings.ANONYMOUS_READ.env}, off).", show_default=False),
    https_only: bool = typer.Option(False, "--https-only", help="Mark the session cookie Secure (behind HTTPS)."),
    workers: int = typer.Option(1, "--workers", min=1, max=64,
                                help="Server processes (uvicorn workers) sharing the port; about one per core. "
                                     "They share sessions and the sign-in throttle through the database."),
) -> None:
    """Serve the map, incident and source pages, the review queue and the REST API.

    Example: `harmwatch serve --port 8000` (then open http://127.0.0.1:8000/; sign in with a user made by
    `harmwatch user add NAME --role analyst`); `harmwatch serve --workers 2` on a machine with two cores.
    """
    import uvicorn

    from ..web.app import create_app
    try:
        db = open_db()  # migrates once here, before any worker starts
        app = create_app(db, anonymous_read=anonymous_read, https_only=https_only, shared_throttle=True)
    except HarmWatchError as e:
        fail(e)
    anon = app.state.anonymous_read
    err.print(f"HarmWatch web app on [bold]http://{host}:{port}/[/bold]  database {db.url}")
    err.print("anonymous read: [yellow]ON[/yellow] (anyone who can reach this port can read; nobody can write without "
              "signing in)" if anon else "anonymous read: off (sign in, or send Authorization: Bearer TOKEN)")
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False, server_header=False)
        return
    import json
    import os

    from ..web.app import WORKER_ENV
    # every worker opens the same database and archive, with the same options (web.app.worker_app)
    os.environ[settings.DB.env] = db.engine.url.render_as_string(hide_password=False)
    os.environ[settings.ARCHIVE.env] = str(db.archive.root)
    os.environ[WORKER_ENV] = json.dumps({"anonymous_read": anon, "https_only": https_only})
    db.close()
    err.print(f"{workers} worker processes")
    uvicorn.run("harmwatch.web.app:worker_app", factory=True, workers=workers, host=host, port=port,
                log_level="info", proxy_headers=False, server_header=False)
