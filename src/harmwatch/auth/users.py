"""Users and roles; passwords hashed with argon2id (argon2-cffi's recommended parameters).

Roles, from most to least power: ``admin`` (manage users and tokens, everything an analyst can),
``analyst`` (add and edit incidents and sources), ``viewer`` (read only). `has_role(user, "analyst")`
is true for analysts and admins. The web app (a later step) enforces them; this module stores them.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..audit import append
from ..errors import PasswordPolicyError, RoleError, UnknownUserError, UserExistsError, UserNameError
from ..store.models import User

ROLES = ("admin", "analyst", "viewer")  # most powerful first
_RANK = {r: i for i, r in enumerate(reversed(ROLES))}  # viewer 0, analyst 1, admin 2
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; this only bounds the work one request can cause
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (argon2-cffi's default)
# Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("harmwatch: no such user")


def now() -> datetime:
    return datetime.now(timezone.utc)


def check_role(role: str) -> str:
    r = (role or "").strip().lower()
    if r not in ROLES:
        raise RoleError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return r


def check_name(name: str) -> str:
    n = (name or "").strip()
    if not NAME_RE.match(n):
        raise UserNameError(f"invalid user name {name!r}: 1-64 characters, letters, digits and . _ @ - "
                                  "(starting with a letter or digit)")
    return n


def check_password_policy(password: str) -> None:
    """Raise PasswordPolicyError unless the password is 8 to 1024 characters."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"password too short: it must be at least {MIN_PASSWORD_LENGTH} characters long "
                                  "(a passphrase of several words is easiest to remember)")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"password too long: at most {MAX_PASSWORD_LENGTH} characters")


def has_role(user: User | None, minimum: str) -> bool:
    """True if `user` is active and its role is `minimum` or more powerful."""
    return bool(user and user.active and _RANK.get(user.role, -1) >= _RANK[check_role(minimum)])


def _get(s: Session, name: str) -> User:
    user = s.scalar(select(User).where(User.name == name))
    if user is None:
        raise UnknownUserError(f"no user named {name!r}")
    return user


def get_user(db, name: str) -> User:  # noqa: ANN001
    with db.session() as s:
        return _get(s, name)


def list_users(db) -> list[User]:  # noqa: ANN001
    with db.session() as s:
        return list(s.scalars(select(User).order_by(User.name)))


def add_user(db, name: str, role: str, password: str, *, actor: str = "system") -> User:  # noqa: ANN001
    """Create a user; raises UserNameError, UserExistsError, RoleError or PasswordPolicyError (nothing written then)."""
    name, role = check_name(name), check_role(role)
    check_password_policy(password)
    pw_hash = _hasher.hash(password)
    try:
        with db.session(write=True) as s:
            if s.scalar(select(User.id).where(User.name == name)) is not None:
                raise UserExistsError(f"a user named {name!r} already exists")
            user = User(name=name, role=role, password_hash=pw_hash, active=True, created_at=now())
            s.add(user)
            s.flush()
            append(s, actor, "user.add", "user", user.id, new={"name": name, "role": role})
    except IntegrityError as e:  # created by another process between our check and our insert
        raise UserExistsError(f"a user named {name!r} already exists") from e
    return user


def authenticate(db, name: str, password: str) -> User | None:  # noqa: ANN001
    """The user if the name and password match an active user, else None (never says which was wrong)."""
    with db.session() as s:
        user = s.scalar(select(User).where(User.name == (name or "").strip()))
    if user is None or not isinstance(password, str):
        _verify(_DUMMY_HASH, password if isinstance(password, str) else "")
        return None
    if not _verify(user.password_hash, password) or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):  # parameters got stronger since: upgrade quietly
        with db.session(write=True) as s:
            u = s.get(User, user.id)
            if u is not None:
                u.password_hash = user.password_hash = _hasher.hash(password)
    return user


def _verify(pw_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(pw_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def set_password(db, name: str, password: str, *, actor: str = "system") -> tuple[int, int]:  # noqa: ANN001
    """A new password; every session and API token of the user is revoked in the same transaction
    (whoever knew the old password may have used it). Returns (sessions, tokens) revoked."""
    from .sessions import _revoke_all
    check_password_policy(password)
    pw_hash = _hasher.hash(password)
    with db.session(write=True) as s:
        user = _get(s, name)
        user.password_hash = pw_hash
        append(s, actor, "user.password", "user", user.id, field="password_hash")  # never the hash itself
        return _revoke_all(s, user, actor, "password changed", tokens=True)


def set_active(db, name: str, active: bool, *, actor: str = "system", reason: str | None = None) -> tuple[int, int]:  # noqa: ANN001
    """Deactivate (or reactivate) a user. Deactivation revokes every session and API token of the user
    in the same transaction, so reactivating does not bring them back. Returns (sessions, tokens) revoked."""
    from .sessions import _revoke_all
    with db.session(write=True) as s:
        user = _get(s, name)
        if user.active != bool(active):
            append(s, actor, "user.activate" if active else "user.deactivate", "user", user.id, field="active",
                   old=user.active, new=bool(active), reason=reason)
            user.active = bool(active)
        if active:
            return 0, 0
        return _revoke_all(s, user, actor, reason or "user deactivated", tokens=True)


def set_role(db, name: str, role: str, *, actor: str = "system", reason: str | None = None) -> User:  # noqa: ANN001
    role = check_role(role)
    with db.session(write=True) as s:
        user = _get(s, name)
        if user.role != role:
            append(s, actor, "user.role", "user", user.id, field="role", old=user.role, new=role, reason=reason)
            user.role = role
    return user
