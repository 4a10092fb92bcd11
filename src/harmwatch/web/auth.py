"""Who is asking: a signed session cookie (pages), or `Authorization: Bearer TOKEN` (API).

* Sessions: Starlette's SessionMiddleware signs the cookie with itsdangerous (HMAC); it is
  HttpOnly and SameSite=Lax. The cookie holds a random session secret and a CSRF token, nothing
  else; the server keeps the secret's SHA-256 in the ``sessions`` table (auth/sessions.py). The
  session and user rows are read again on every request, so signing out, `harmwatch session
  revoke`, deactivating the user or changing their password ends the session at once, and a
  saved copy of the cookie no longer works.
* CSRF: every POST form carries the session's token in a hidden field ``csrf``; the API accepts
  a session-authenticated write only with the same token in the ``X-CSRF-Token`` header. A bearer
  token needs no CSRF token: a browser never adds it to a request by itself.
* Roles: admin > analyst > viewer (harmwatch.auth.has_role). Anonymous read is the
  ANONYMOUS_READ setting, off by default.
"""
from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from dataclasses import dataclass

from fastapi import HTTPException, Request

from .. import settings
from ..auth import end_session, has_role, start_session, user_for_session, user_for_token
from ..store.models import User

SESSION_COOKIE = "harmwatch_session"
SECRET_KEY = settings.Setting(
    "secret-key", "HARMWATCH_SECRET_KEY", None,
    "Web app: key that signs session cookies. Unset: a random key generated once and kept in the archive "
    "folder (session.key, readable by its owner only), so sessions survive restarts. Set it (32+ random "
    "characters) when several servers share one database.")


@dataclass(frozen=True)
class Viewer:
    """The caller of one request: a user (or None when anonymous) and how they authenticated."""

    user: User | None
    via: str  # "session", "token" or "anonymous"

    @property
    def name(self) -> str | None:
        return self.user.name if self.user else None

    def can(self, role: str) -> bool:
        return has_role(self.user, role)


def secret_key(explicit: str | None = None, keep_in: Path | None = None) -> str:
    """The session-signing key: explicit > $HARMWATCH_SECRET_KEY > `keep_in/session.key` (created
    once, mode 0600) > a random key for this process only."""
    given = SECRET_KEY.value(explicit)
    if given:
        return given
    if keep_in is None:
        return secrets.token_urlsafe(32)
    path = Path(keep_in) / "session.key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another server process made it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    tok = request.session.get("csrf")
    if not tok:
        tok = secrets.token_urlsafe(32)
        request.session["csrf"] = tok
    return tok


def csrf_ok(request: Request, given: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and given and hmac.compare_digest(str(expected), str(given)))


def bearer(request: Request) -> str | None:
    h = request.headers.get("authorization") or ""
    scheme, _, value = h.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def identify(request: Request) -> Viewer:
    """The caller: bearer token first, then the session; cached on the request."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    db = request.app.state.db
    viewer = Viewer(None, "anonymous")
    token = bearer(request)
    if token is not None:
        user = user_for_token(db, token)
        viewer = Viewer(user, "token") if user else Viewer(None, "bad-token")
    else:
        sid = request.session.get("sid")
        if sid is not None:
            user = user_for_session(db, sid)
            if user is not None:
                viewer = Viewer(user, "session")
            else:  # revoked, expired, or the user was deactivated: forget it
                request.session.pop("sid", None)
        request.session.pop("uid", None)  # cookies from before server-side sessions carry no weight
    request.state.viewer = viewer
    return viewer


def login(request: Request, user: User) -> None:
    """Start a fresh session for `user` (new CSRF token: nothing from before the login carries over).
    The previous session of this browser, if any, is ended on the server."""
    db = request.app.state.db
    end_session(db, request.session.get("sid"))
    request.session.clear()
    request.session["sid"] = start_session(db, user)
    request.session["csrf"] = secrets.token_urlsafe(32)


def logout(request: Request) -> None:
    """End the session on the server too: a saved copy of the cookie no longer signs anyone in."""
    end_session(request.app.state.db, request.session.get("sid"))
    request.session.clear()


class LoginRequired(Exception):
    """Raised by page dependencies; the app turns it into a redirect to /login."""

    def __init__(self, next_url: str):
        self.next_url = next_url


def anonymous_read(request: Request) -> bool:
    return bool(request.app.state.anonymous_read)


# --- dependencies ---------------------------------------------------------------------------------

def page_reader(request: Request) -> Viewer:
    """Pages: a signed-in user, or anyone when anonymous read is on; otherwise redirect to /login."""
    v = identify(request)
    if v.user is None and not anonymous_read(request):
        nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(nxt)
    return v


def page_analyst(request: Request) -> Viewer:
    v = identify(request)
    if v.user is None:
        raise LoginRequired(request.url.path)
    if not v.can("analyst"):
        raise HTTPException(403, "this needs the analyst or admin role")
    return v


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": 'Bearer realm="harmwatch"'})


def api_reader(request: Request) -> Viewer:
    """API reads: a token or session user, or anyone when anonymous read is on; else 401."""
    v = identify(request)
    if v.via == "bad-token":
        raise _unauthorised("invalid, revoked or expired token")
    if v.user is None and not anonymous_read(request):
        raise _unauthorised("sign in or send Authorization: Bearer TOKEN")
    return v


def api_analyst(request: Request) -> Viewer:
    """API writes: an analyst or admin (401 anonymous, 403 viewer); session writes need X-CSRF-Token."""
    v = identify(request)
    if v.user is None:
        raise _unauthorised("writes need an analyst's token: Authorization: Bearer TOKEN"
                            if v.via != "bad-token" else "invalid, revoked or expired token")
    if not v.can("analyst"):
        raise HTTPException(403, f"user {v.user.name!r} has role {v.user.role!r}; writes need analyst or admin")
    if v.via == "session" and not csrf_ok(request, request.headers.get("x-csrf-token")):
        raise HTTPException(403, "missing or wrong X-CSRF-Token header")
    return v
