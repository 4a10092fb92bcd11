"""`harmwatch user ...`, `harmwatch token ...`, `harmwatch session ...`, `harmwatch audit ...`: users, API
tokens, web sessions, the audit trail.

Registered on the main app by `register(app)` (cli/main.py). The database comes from the global
``--db`` option through main's `_open_db`, imported when a command runs (no import cycle).
Changes made here are audited with the actor ``cli:<login name>``.
"""
from __future__ import annotations

import json
import sys
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import HarmWatchError
from .common import actor, err, fail, open_db, out

user_app = typer.Typer(no_args_is_help=True, help="Manage users of the web app and API (roles admin, analyst, viewer).")
token_app = typer.Typer(no_args_is_help=True, help="Manage API tokens (stored only as SHA-256 hashes).")
audit_app = typer.Typer(no_args_is_help=True, help="Read and verify the tamper-evident audit log.")
session_app = typer.Typer(no_args_is_help=True, help="List and revoke signed-in web sessions.")


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
    app.add_typer(session_app, name="session")
    app.add_typer(audit_app, name="audit")


_open_db, _fail, _actor = open_db, fail, actor


def _when(dt) -> str:  # noqa: ANN001
    return "" if dt is None else dt.strftime("%Y-%m-%d %H:%M:%S")


def _read_stdin_secret() -> str:
    """One secret from standard input: the first line without its line ending."""
    data = sys.stdin.readline()
    return data[:-1].rstrip("\r") if data.endswith("\n") else data


# --- users -----------------------------------------------------------------------------------

@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="User name: letters, digits and . _ @ - (up to 64)."),
    role: str = typer.Option(..., "--role", "-r", help="admin, analyst or viewer."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from the first line of standard input "
                                             "(for scripts); otherwise you are asked twice."),
) -> None:
    """Add a user with a role and a password (at least 8 characters; stored as an argon2 hash).

    Example: `harmwatch user add alice --role analyst` or `printf '%s\\n' "$PW" | harmwatch user add alice --role analyst --password-stdin`
    """
    from ..auth import add_user, check_password_policy
    from ..auth.users import check_name, check_role
    try:
        check_name(name)
        check_role(role)
        if password_stdin:
            password = _read_stdin_secret()
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        check_password_policy(password)
        user = add_user(_open_db(), name, role, password, actor=_actor())
    except HarmWatchError as e:
        _fail(e)
    err.print(f"added user {escape(user.name)} ({user.role})")


@user_app.command("list")
def user_list(as_json: bool = typer.Option(False, "--json", help="One JSON object per line.")) -> None:
    """List users with their roles and live API tokens.

    Example: `harmwatch user list`
    """
    from ..auth import list_tokens, list_users
    try:
        db = _open_db()
        users = list_users(db)
        live: dict[str, int] = {}
        for tok, owner in list_tokens(db):
            if not tok.revoked:
                live[owner] = live.get(owner, 0) + 1
    except HarmWatchError as e:
        _fail(e)
    if as_json:
        for u in users:
            sys.stdout.write(json.dumps({"name": u.name, "role": u.role, "active": u.active,
                                         "created_at": _when(u.created_at), "tokens": live.get(u.name, 0)}) + "\n")
        return
    table = Table(title="Users")
    for col in ("name", "role", "active", "created (UTC)", "live tokens"):
        table.add_column(col)
    for u in users:
        table.add_row(escape(u.name), u.role, "yes" if u.active else "no", _when(u.created_at), str(live.get(u.name, 0)))
    out.print(table)


@user_app.command("deactivate")
def user_deactivate(
    name: str = typer.Argument(..., help="The user to deactivate."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in the audit log)."),
) -> None:
    """Deactivate a user: they can no longer sign in, and every session and API token of theirs is revoked at once.

    Example: `harmwatch user deactivate alice --reason "left the project"`
    """
    from ..auth import set_active
    try:
        sessions, tokens = set_active(_open_db(), name, False, actor=_actor(), reason=reason)
    except HarmWatchError as e:
        _fail(e)
    err.print(f"deactivated {escape(name)}; revoked {sessions} session(s) and {tokens} token(s)")


@user_app.command("activate")
def user_activate(
    name: str = typer.Argument(..., help="The user to activate again."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in the audit log)."),
) -> None:
    """Let a deactivated user sign in again (their old sessions and tokens stay revoked).

    Example: `harmwatch user activate alice`
    """
    from ..auth import set_active
    try:
        set_active(_open_db(), name, True, actor=_actor(), reason=reason)
    except HarmWatchError as e:
        _fail(e)
    err.print(f"activated {escape(name)}")


@user_app.command("role")
def user_role(
    name: str = typer.Argument(..., help="The user."),
    role: str = typer.Argument(..., help="The new role: admin, analyst or viewer."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in the audit log)."),
) -> None:
    """Change a user's role; it applies to their next request (sessions and tokens included).

    Example: `harmwatch user role alice viewer --reason "moved to read-only"`
    """
    from ..auth import set_role
    try:
        user = set_role(_open_db(), name, role, actor=_actor(), reason=reason)
    except HarmWatchError as e:
        _fail(e)
    err.print(f"{escape(user.name)} is now {user.role}")


@user_app.command("password")
def user_password(
    name: str = typer.Argument(..., help="The user."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the new password from the first line of standard input "
                                             "(for scripts); otherwise you are asked twice."),
) -> None:
    """Set a new password (at least 8 characters); every session and API token of the user is revoked.

    Example: `harmwatch user password alice` or `printf '%s\\n' "$PW" | harmwatch user password alice --password-stdin`
    """
    from ..auth import check_password_policy, get_user, set_password
    try:
        db = _open_db()
        get_user(db, name)  # an unknown name fails before anyone types a password
        if password_stdin:
            password = _read_stdin_secret()
        else:
            password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
        check_password_policy(password)
        sessions, tokens = set_password(db, name, password, actor=_actor())
    except HarmWatchError as e:
        _fail(e)
    err.print(f"password of {escape(name)} changed; revoked {sessions} session(s) and {tokens} token(s)")


# --- tokens ----------------------------------------------------------------------------------

@token_app.command("create")
def token_create(
    name: str = typer.Argument(..., help="The user the token acts as."),
    label: Optional[str] = typer.Option(None, "--label", "-l", help="What the token is for, e.g. 'laptop' or 'ci'."),
) -> None:
    """Create an API token for a user. The token is printed once, as the last line; only its hash is kept.

    Example: `harmwatch token create alice --label laptop | tail -n 1 > ~/.harmwatch-token`
    """
    from ..auth import create_token, list_tokens, token_hash
    try:
        db = _open_db()
        token = create_token(db, name, label=label, actor=_actor())
        tok_id = next(t.id for t, _ in list_tokens(db, name) if t.token_hash == token_hash(token))
    except HarmWatchError as e:
        _fail(e)
    err.print(f"token {tok_id} for {escape(name)}: copy it now, it cannot be shown again")
    sys.stderr.flush()
    sys.stdout.write(token + "\n")


@token_app.command("list")
def token_list(name: Optional[str] = typer.Argument(None, help="Only this user's tokens.")) -> None:
    """List API tokens (ids, owners, labels, use; never the secrets).

    Example: `harmwatch token list alice`
    """
    from ..auth import list_tokens
    try:
        rows = list_tokens(_open_db(), name)
    except HarmWatchError as e:
        _fail(e)
    table = Table(title="API tokens")
    for col in ("id", "user", "label", "created (UTC)", "last used", "revoked"):
        table.add_column(col)
    for tok, owner in rows:
        table.add_row(str(tok.id), escape(owner), escape(tok.name or ""), _when(tok.created_at),
                      _when(tok.last_used_at), _when(tok.revoked_at))
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    ids: list[int] = typer.Argument(None, help="Token ids, as `harmwatch token list` shows them."),
    token_stdin: bool = typer.Option(False, "--token-stdin", help="Revoke the token read from standard input."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in the audit log)."),
) -> None:
    """Revoke API tokens by id, or a token itself read from standard input. Revoked tokens stop working at once.

    Example: `harmwatch token revoke 3 --reason "laptop lost"`
    """
    from ..auth import revoke_token
    if not ids and not token_stdin:
        _fail(ValueError("give token ids, or --token-stdin to read the token itself"))
    try:
        db = _open_db()
        if token_stdin:
            tok = revoke_token(db, _read_stdin_secret(), actor=_actor(), reason=reason)
            err.print(f"revoked token {tok.id}")
        for i in ids or []:
            revoke_token(db, token_id=i, actor=_actor(), reason=reason)
            err.print(f"revoked token {i}")
    except HarmWatchError as e:
        _fail(e)


# --- web sessions ----------------------------------------------------------------------------

@session_app.command("list")
def session_list(
    name: Optional[str] = typer.Argument(None, help="Only this user's sessions."),
    live: bool = typer.Option(False, "--live", help="Only sessions that still work (not revoked, not expired)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """List web sessions: id, user, when started, last seen, revoked (never the secrets).

    Example: `harmwatch session list alice --live`
    """
    from ..auth import list_sessions
    try:
        rows = list_sessions(_open_db(), name, include_ended=not live)
    except HarmWatchError as e:
        _fail(e)
    if as_json:
        for x, owner in rows:
            sys.stdout.write(json.dumps({"id": x.id, "user": owner, "created_at": _when(x.created_at),
                                         "last_seen_at": _when(x.last_seen_at),
                                         "revoked_at": _when(x.revoked_at) or None}) + "\n")
        return
    table = Table(title="Web sessions")
    for col in ("id", "user", "created (UTC)", "last seen", "revoked"):
        table.add_column(col)
    for x, owner in rows:
        table.add_row(str(x.id), escape(owner), _when(x.created_at), _when(x.last_seen_at), _when(x.revoked_at))
    out.print(table)


@session_app.command("revoke")
def session_revoke(
    ids: list[int] = typer.Argument(None, help="Session ids, as `harmwatch session list` shows them."),
    user: Optional[str] = typer.Option(None, "--user", "-u", help="Revoke every live session of this user."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in the audit log)."),
) -> None:
    """Revoke web sessions by id, or all of one user's: the browser holding one is signed out at its next request.

    Example: `harmwatch session revoke 12 --reason "shared computer"` or `harmwatch session revoke --user alice`
    """
    from ..auth import revoke_session, revoke_user_sessions
    if not ids and user is None:
        _fail(ValueError("give session ids, or --user NAME for all of a user's sessions"))
    try:
        db = _open_db()
        if user is not None:
            n = revoke_user_sessions(db, user, actor=_actor(), reason=reason)
            err.print(f"revoked {n} session(s) of {escape(user)}")
        for i in ids or []:
            revoke_session(db, i, actor=_actor(), reason=reason)
            err.print(f"revoked session {i}")
    except HarmWatchError as e:
        _fail(e)


# --- audit -----------------------------------------------------------------------------------

@audit_app.command("verify")
def audit_verify(anchor: Optional[str] = typer.Option(None, "--anchor",
                                                      help="A head hash recorded earlier elsewhere: fail if it is "
                                                           "no longer in the chain (chain rewritten or truncated).")) -> None:
    """Check every link of the audit chain; exit 0 if intact (and print the head hash to record elsewhere), 1 if not.

    Example: `harmwatch audit verify --anchor 3f5a...` (record the printed head hash, e.g. in a signed email)
    """
    from ..audit import verify
    try:
        result = verify(_open_db(), anchor=anchor)
    except HarmWatchError as e:
        _fail(e)
    if not result.ok:
        err.print(f"[red]{escape(result.message)}[/red]")
        if result.first_broken_id is not None:
            err.print(f"first broken entry id: {result.first_broken_id}; {result.checked} entries before it are intact")
        raise typer.Exit(1)
    out.print(result.message, markup=False)
    out.print(f"head hash: {result.head_hash}", markup=False)


@audit_app.command("log")
def audit_log(limit: int = typer.Option(20, "--limit", "-n", min=1, help="How many of the newest entries."),
              as_json: bool = typer.Option(False, "--json", help="One JSON object per line, with the hashes.")) -> None:
    """Show the newest audit entries: who changed what, when, from what to what, and why.

    Example: `harmwatch audit log --limit 50`
    """
    from ..audit import entries
    try:
        rows = entries(_open_db(), limit=limit)
    except HarmWatchError as e:
        _fail(e)
    if as_json:
        for e in rows:
            sys.stdout.write(json.dumps({"id": e.id, "at": _when(e.at), "actor": e.actor, "action": e.action,
                                         "target_type": e.target_type, "target_id": e.target_id, "field": e.field,
                                         "old": e.old, "new": e.new, "reason": e.reason, "prev_hash": e.prev_hash,
                                         "hash": e.hash}, ensure_ascii=False) + "\n")
        return
    table = Table(title="Audit log (newest first)")
    for col in ("id", "at (UTC)", "actor", "action", "target", "field", "old", "new", "reason"):
        table.add_column(col, overflow="fold")
    for e in rows:
        target = f"{e.target_type or ''} {e.target_id or ''}".strip()
        table.add_row(str(e.id), _when(e.at), escape(e.actor), escape(e.action), escape(target), escape(e.field or ""),
                      escape(_short(e.old)), escape(_short(e.new)), escape(e.reason or ""))
    out.print(table)


def _short(v) -> str:  # noqa: ANN001
    if v is None:
        return ""
    s = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 60 else s[:57] + "..."
