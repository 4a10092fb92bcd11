"""Server-side web sessions: the signed cookie holds a random secret; the database keeps its SHA-256.

    secret = start_session(db, user)              # at sign-in; the secret goes into the cookie only
    user = user_for_session(db, secret)           # User or None (unknown, revoked, expired, inactive user)
    end_session(db, secret)                       # sign-out: the same cookie never works again
    revoke_session(db, 3, actor="cli:root")       # an admin ends one session ...
    revoke_user_sessions(db, "alice")             # ... or all of a user's (deactivation, new password)

Sign-ins and sign-outs are not audited (one entry per sign-in would bury the decisions the audit
log is for); revocations by an administrator, and those caused by deactivation or a new password, are.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit import append
from ..errors import SessionError
from ..store.models import ApiToken, User, WebSession
from .users import _get, now

MAX_AGE = timedelta(days=14)  # the cookie's max_age too (web/app.py): older sessions are refused
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per session


def session_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _aware(dt: datetime, like: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=like.tzinfo)  # SQLite returns naive UTC


def start_session(db, user: User) -> str:  # noqa: ANN001
    """A new session for `user`; returns the secret for the cookie (the database keeps its hash)."""
    secret = secrets.token_urlsafe(32)
    t = now()
    with db.session(write=True) as s:
        s.add(WebSession(session_hash=session_hash(secret), user_id=user.id, created_at=t, last_seen_at=t))
    return secret


def user_for_session(db, secret: str | None) -> User | None:  # noqa: ANN001
    """The active user of a live session, else None; notes when the session was last seen."""
    if not secret or not isinstance(secret, str):
        return None
    h = session_hash(secret)
    with db.session() as s:
        row = s.execute(select(WebSession, User).join(User, WebSession.user_id == User.id)
                        .where(WebSession.session_hash == h)).first()
    if row is None:
        return None
    sess, user = row
    t = now()
    if (not hmac.compare_digest(sess.session_hash, h) or sess.revoked_at is not None or not user.active
            or _aware(sess.created_at, t) + MAX_AGE <= t):
        return None
    if _aware(sess.last_seen_at, t) + TOUCH_EVERY <= t:
        with db.session(write=True) as s:
            live = s.get(WebSession, sess.id)
            if live is not None:
                live.last_seen_at = t
    return user


def end_session(db, secret: str | None) -> bool:  # noqa: ANN001
    """Sign-out: revoke the session with this secret. False if there was no live one."""
    if not secret or not isinstance(secret, str):
        return False
    with db.session(write=True) as s:
        sess = s.scalar(select(WebSession).where(WebSession.session_hash == session_hash(secret)))
        if sess is None or sess.revoked_at is not None:
            return False
        sess.revoked_at = now()
    return True


def revoke_session(db, session_id: int, *, actor: str = "system", reason: str | None = None) -> WebSession:  # noqa: ANN001
    """Revoke one session by id (as `list_sessions` shows it). SessionError if unknown or already revoked."""
    with db.session(write=True) as s:
        sess = s.get(WebSession, session_id)
        if sess is None:
            raise SessionError(f"no such session: session {session_id} is unknown")
        if sess.revoked_at is not None:
            raise SessionError(f"session {session_id} was already revoked at {sess.revoked_at:%Y-%m-%d %H:%M} UTC")
        sess.revoked_at = now()
        append(s, actor, "session.revoke", "session", sess.id, field="revoked_at", new=sess.revoked_at.isoformat(),
               reason=reason)
    return sess


def _revoke_all(s: Session, user: User, actor: str, reason: str | None, *, tokens: bool) -> tuple[int, int]:
    """Inside a write transaction: revoke the user's live sessions (and API tokens); audited. (sessions, tokens)."""
    t = now()
    live = list(s.scalars(select(WebSession).where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))))
    for sess in live:
        sess.revoked_at = t
    if live:
        append(s, actor, "session.revoke_all", "user", user.id, field="sessions",
               new={"user": user.name, "revoked": [x.id for x in live]}, reason=reason)
    toks = []
    if tokens:
        toks = list(s.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))
        for tok in toks:
            tok.revoked_at = t
            append(s, actor, "token.revoke", "api_token", tok.id, field="revoked_at", new=t.isoformat(), reason=reason)
    return len(live), len(toks)


def revoke_user_sessions(db, user_name: str, *, actor: str = "system", reason: str | None = None) -> int:  # noqa: ANN001
    """Revoke every live session of a user (UnknownUserError); how many were revoked."""
    with db.session(write=True) as s:
        n, _ = _revoke_all(s, _get(s, user_name), actor, reason, tokens=False)
    return n


def list_sessions(db, user_name: str | None = None, *, include_ended: bool = True) -> list[tuple[WebSession, str]]:  # noqa: ANN001
    """(session row, user name) pairs, by id; of one user when `user_name` is given; never the secrets."""
    with db.session() as s:
        q = select(WebSession, User.name).join(User, WebSession.user_id == User.id).order_by(WebSession.id)
        if user_name is not None:
            q = q.where(WebSession.user_id == _get(s, user_name).id)
        if not include_ended:
            q = q.where(WebSession.revoked_at.is_(None), WebSession.created_at > now() - MAX_AGE)
        return [(x, n) for x, n in s.execute(q)]
