"""The ASGI app: `create_app(db)`; `harmwatch serve` runs it under uvicorn.

    from harmwatch.store.db import Database
    from harmwatch.web.app import create_app
    app = create_app(Database.open("sqlite:///harmwatch.db"))

Everything it needs ships with the package (templates, JS, CSS, Leaflet, the offline outline):
the only outside request a browser makes is for OpenStreetMap tiles, and the map falls back to
the bundled outline when they cannot be loaded.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from urllib.parse import quote

from .. import __version__ as VERSION  # noqa: N812
from .. import settings
from . import api, evidence, fragments, lists, pages, search, upload
from .auth import SESSION_COOKIE, LoginRequired, secret_key
from .throttle import LoginThrottle, SharedLoginThrottle

HERE = Path(__file__).resolve().parent
TILE_HOST = "https://tile.openstreetmap.org"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: " + TILE_HOST + "; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # OSM's tile policy wants a Referer; send only our origin, never paths or filters
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders:
    """ASGI middleware: SECURITY_HEADERS (and `cache-control: no-store` outside /static/) on every
    HTTP answer, 200s, 404s and 500s alike. An exception that reaches it before any answer was sent
    becomes a 500 with those headers (JSON under /api/, plain text elsewhere: no template, which
    could be what failed) and is raised again, so the server still logs it."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        started = False

        async def send_with_headers(message) -> None:  # noqa: ANN001
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS.items():
                    headers.setdefault(k, v)
                if not path.startswith("/static/"):  # pages and API answers depend on who asks
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                if path.startswith("/api/"):
                    response = JSONResponse({"detail": "internal server error"}, status_code=500)
                else:
                    response = PlainTextResponse("Internal server error. The server log has the details.",
                                                 status_code=500)
                await response(scope, receive, send_with_headers)
            raise


GZIP_MIN_BYTES = 1400  # about one packet: below it compressing saves nothing worth the CPU
GZIP_LEVEL = 1  # zlib level 1: a 43 kB page of the list in 0.11 ms to 5.7 kB (level 9: 0.64 ms, 4.1 kB)
GZIP_PATHS = ("/api/", "/export/", "/static/")


class CompressData:
    """ASGI middleware: gzip (for clients that accept it) the answers of the API, exports and static
    files above GZIP_MIN_BYTES, never pages. A page holds the session's CSRF token next to text
    taken from its URL (filters, search words): compressed, its size would let an attacker who can
    send the browser to chosen URLs and watch the traffic guess the token (BREACH)."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=GZIP_MIN_BYTES, compresslevel=GZIP_LEVEL)

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] == "http" and scope.get("path", "").startswith(GZIP_PATHS):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def http_url(url) -> str | None:  # noqa: ANN001
    """The URL if it is http(s), else None: a source's url must never become a javascript: link."""
    u = str(url or "").strip()
    return u if u.lower().startswith(("http://", "https://")) else None


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(version=VERSION, tile_host=TILE_HOST)
    env.filters["urlq"] = lambda v: quote(str(v), safe="")
    env.filters["tojs"] = pages.to_json
    env.filters["httpurl"] = http_url
    env.globals["incident_rows"] = fragments.incident_rows  # the map page's table (web/fragments.py)
    return env


def create_app(db, *, anonymous_read: bool | None = None, secret: str | None = None,  # noqa: ANN001
               https_only: bool = False, shared_throttle: bool = False) -> FastAPI:
    """The web app over `db`. anonymous_read: None reads HARMWATCH_ANONYMOUS_READ (off by default).
    shared_throttle: count failed sign-ins in the database (all server processes of `db` together;
    `harmwatch serve` does), not in this process's memory."""
    app = FastAPI(title="HarmWatch", version=VERSION, docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  description="Incidents of harm to civilians, their claims and sources. Reads need a signed-in "
                              "user or `Authorization: Bearer TOKEN`; writes need an analyst's token. "
                              "See docs/web.md.")
    app.state.db = db
    app.state.login_throttle = SharedLoginThrottle(db) if shared_throttle else LoginThrottle()
    app.state.anonymous_read = settings.ANONYMOUS_READ.flag() if anonymous_read is None else bool(anonymous_read)
    app.state.templates = templates()
    app.add_middleware(SessionMiddleware, secret_key=secret_key(secret, keep_in=db.archive.root), session_cookie=SESSION_COOKIE,
                       max_age=14 * 24 * 3600, same_site="lax", https_only=https_only)

    app.add_middleware(CompressData)
    # Added last, so it is the outermost of our middleware: it sees every answer, and it answers
    # an unhandled error itself (Starlette's own 500 page is made outside every middleware).
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired):
        return RedirectResponse("/login?next=" + quote(exc.next_url, safe=""), status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/") or request.url.path.startswith("/static/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return pages.render(request, "error.html", status_code=exc.status_code, status=exc.status_code,
                            detail=exc.detail)

    app.include_router(api.router)
    app.include_router(lists.router)  # before pages: /incidents and /sources lists
    app.include_router(search.router)  # /search and /api/search
    app.include_router(upload.router)  # /upload (analysts)
    app.include_router(evidence.router)  # evidence upload, thumbnails, originals (web/evidence.py)
    app.state.templates.globals["evidence_panel"] = evidence.panel  # _evidence.html
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/api/docs", include_in_schema=False, response_class=HTMLResponse)
    def api_docs(request: Request):
        schema = app.openapi()
        ops = [{"method": m.upper(), "path": p, "summary": op.get("summary", ""),
                "params": [x["name"] for x in op.get("parameters", []) if x.get("in") == "query"]}
               for p, methods in schema.get("paths", {}).items() for m, op in methods.items()]
        return pages.render(request, "api_docs.html", ops=ops)

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        return {"ok": True}

    return app



# `harmwatch serve --workers N`: uvicorn starts each worker process from an import string, so the
# options of the command reach the workers through these environment variables (set by serve).
WORKER_ENV = "HARMWATCH_SERVE_OPTIONS"


def worker_app() -> FastAPI:
    """The app of one `harmwatch serve --workers N` process (uvicorn factory): the database from
    $HARMWATCH_DB / $HARMWATCH_ARCHIVE, the serve options from $HARMWATCH_SERVE_OPTIONS (JSON)."""
    import json
    import os

    from ..store.db import Database
    opts = json.loads(os.environ.get(WORKER_ENV) or "{}")
    db = Database.open(settings.DB.value(), archive_dir=settings.ARCHIVE.value())
    return create_app(db, anonymous_read=opts.get("anonymous_read"), https_only=bool(opts.get("https_only")),
                      shared_throttle=True)
