"""API tokens: random secrets shown once; the database keeps only their SHA-256.

A token is ``hw_`` + 43 URL-safe characters (32 random bytes from `secrets`). The prefix lets
secret scanners and people recognise it. SHA-256 (not argon2) is right here: the secret has 256
bits of entropy, so there is nothing to brute-force, and lookup by hash must be a cheap index hit.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, select

from ..audit import append
from ..errors import TokenError
from ..store.models import ApiToken, User
from .users import _get, now

PREFIX = "hw_"
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often per token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(db, user_name: str, label: str | None = None, *, actor: str = "system") -> str:  # noqa: ANN001
    """A new token for `user_name`; the only time the secret exists outside the caller. UnknownUserError."""
    token = PREFIX + secrets.token_urlsafe(32)
    with db.session(write=True) as s:
        user = _get(s, user_name)
        row = ApiToken(user_id=user.id, token_hash=token_hash(token), name=label, created_at=now())
        s.add(row)
        s.flush()
        append(s, actor, "token.create", "api_token", row.id, new={"user": user.name, "label": label})
    return token


def user_for_token(db, token: str | None) -> User | None:  # noqa: ANN001
    """The active user a live token belongs to, else None; notes when the token was last used."""
    if not token or not isinstance(token, str):
        return None
    h = token_hash(token.strip())
    # Core columns, not ORM entities: this runs for every API request (docs/web.md, "Load test")
    with db.session() as s:
        row = s.connection().execute(_LOOKUP, {"h": h}).first()
    if row is None:
        return None
    tok_id, tok_hash, revoked_at, last, *cols = row
    user = User(**dict(zip(_USER_KEYS, cols)))  # detached, as a closed session's row would be
    # The index found it by hash; compare again in constant time anyway (cheap, and no timing oracle).
    if not hmac.compare_digest(tok_hash, h) or revoked_at is not None or not user.active:
        return None
    t = now()
    if last is None or (last if last.tzinfo else last.replace(tzinfo=t.tzinfo)) + TOUCH_EVERY <= t:
        with db.session(write=True) as s:
            live = s.get(ApiToken, tok_id)
            if live is not None:
                live.last_used_at = t
    return user


_USER_KEYS = ("id", "name", "role", "password_hash", "active", "created_at")
_LOOKUP = (select(ApiToken.id, ApiToken.token_hash, ApiToken.revoked_at, ApiToken.last_used_at,
                  *(getattr(User, k) for k in _USER_KEYS))
           .join(User, ApiToken.user_id == User.id).where(ApiToken.token_hash == bindparam("h")))


def revoke_token(db, token: str | None = None, *, token_id: int | None = None,  # noqa: ANN001
                 actor: str = "system", reason: str | None = None) -> ApiToken:
    """Revoke one token, given either the secret itself or its id. TokenError if unknown or already revoked."""
    if (token is None) == (token_id is None):
        raise TokenError("give either the token or its id")
    with db.session(write=True) as s:
        if token is not None:
            tok = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token.strip())))
            what = "that token"
        else:
            tok = s.get(ApiToken, token_id)
            what = f"token {token_id}"
        if tok is None:
            raise TokenError(f"no such token: {what} is unknown")
        if tok.revoked_at is not None:
            raise TokenError(f"{what} was already revoked at {tok.revoked_at:%Y-%m-%d %H:%M} UTC")
        tok.revoked_at = now()
        append(s, actor, "token.revoke", "api_token", tok.id, field="revoked_at",
               new=tok.revoked_at.isoformat(), reason=reason)
    return tok


def list_tokens(db, user_name: str | None = None) -> list[tuple[ApiToken, str]]:  # noqa: ANN001
    """(token row, user name) pairs, by id; of one user when `user_name` is given."""
    with db.session() as s:
        q = select(ApiToken, User.name).join(User, ApiToken.user_id == User.id).order_by(ApiToken.id)
        if user_name is not None:
            q = q.where(ApiToken.user_id == _get(s, user_name).id)
        return [(t, n) for t, n in s.execute(q)]
