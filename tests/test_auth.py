"""Users, roles, argon2 passwords and API tokens (real SQLite files), and their CLI commands."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from harmwatch.audit import verify
from harmwatch.auth import (ROLES, add_user, authenticate, create_token, get_user, has_role, list_tokens, list_users,
                            revoke_token, set_password, set_role, token_hash, user_for_token)
from harmwatch.cli.main import app
from harmwatch.errors import (AuthError, HarmWatchError, PasswordPolicyError, RoleError, TokenError, UnknownUserError,
                              UserExistsError, UserNameError)
from harmwatch.store.models import ApiToken, User

PW = "correct horse battery"
runner = CliRunner()


def test_error_hierarchy():
    for cls in (UserExistsError, UserNameError, UnknownUserError, RoleError, PasswordPolicyError, TokenError):
        assert issubclass(cls, AuthError) and issubclass(cls, HarmWatchError)


# --- users and passwords ---------------------------------------------------------------------

def test_password_is_hashed_with_argon2_and_checked(db):
    add_user(db, "alice", "analyst", PW)
    with db.session() as s:
        stored = s.scalar(select(User.password_hash).where(User.name == "alice"))
    assert stored.startswith("$argon2id$") and PW not in stored
    user = authenticate(db, "alice", PW)
    assert user is not None and user.name == "alice" and user.role == "analyst"


def test_wrong_password_and_unknown_user_give_none(db):
    add_user(db, "alice", "viewer", PW)
    assert authenticate(db, "alice", PW + "x") is None
    assert authenticate(db, "alice", "") is None
    assert authenticate(db, "mallory", PW) is None
    assert authenticate(db, "alice", None) is None


def test_same_password_different_hashes(db):
    add_user(db, "a1", "viewer", PW)
    add_user(db, "a2", "viewer", PW)
    with db.session() as s:
        h = s.scalars(select(User.password_hash)).all()
    assert len(set(h)) == 2  # salted


def test_roles_are_validated(db):
    assert ROLES == ("admin", "analyst", "viewer")
    with pytest.raises(RoleError, match="admin, analyst, viewer"):
        add_user(db, "bob", "superuser", PW)
    assert list_users(db) == []
    assert add_user(db, "carol", " Admin ", PW).role == "admin"  # case and spaces forgiven


def test_password_policy_minimum_length(db):
    with pytest.raises(PasswordPolicyError, match="at least 8 characters"):
        add_user(db, "bob", "viewer", "1234567")
    assert list_users(db) == []
    add_user(db, "bob", "viewer", "12345678")  # exactly 8 is fine
    with pytest.raises(PasswordPolicyError, match="at least 8"):
        set_password(db, "bob", "short")


def test_duplicate_and_invalid_names(db):
    add_user(db, "alice", "viewer", PW)
    with pytest.raises(UserExistsError, match="already exists"):
        add_user(db, "alice", "admin", PW)
    for bad in ("", "has space", "-dash", "x" * 65, "semi;colon"):
        with pytest.raises(UserNameError, match="invalid user name"):
            add_user(db, bad, "viewer", PW)
    with pytest.raises(UnknownUserError):
        get_user(db, "nobody")


def test_has_role_ranks_admin_over_analyst_over_viewer(db):
    admin, analyst, viewer = (add_user(db, r + "1", r, PW) for r in ROLES)
    assert has_role(admin, "analyst") and has_role(admin, "viewer") and has_role(admin, "admin")
    assert has_role(analyst, "analyst") and not has_role(analyst, "admin")
    assert has_role(viewer, "viewer") and not has_role(viewer, "analyst")
    assert not has_role(None, "viewer")
    with pytest.raises(RoleError):
        has_role(admin, "root")


def test_set_role_and_password_are_audited(db):
    add_user(db, "alice", "viewer", PW)
    set_role(db, "alice", "analyst", actor="admin1", reason="joined the team")
    set_password(db, "alice", "a new long passphrase", actor="alice")
    assert authenticate(db, "alice", PW) is None
    assert authenticate(db, "alice", "a new long passphrase").role == "analyst"
    result = verify(db)
    assert result.ok and result.checked == 3


def test_inactive_user_cannot_sign_in_or_use_tokens(db):
    add_user(db, "alice", "analyst", PW)
    token = create_token(db, "alice")
    with db.session(write=True) as s:
        s.scalar(select(User).where(User.name == "alice")).active = False
    assert authenticate(db, "alice", PW) is None
    assert user_for_token(db, token) is None


# --- tokens ----------------------------------------------------------------------------------

def test_token_create_lookup_revoke(db):
    add_user(db, "alice", "analyst", PW)
    token = create_token(db, "alice", label="laptop")
    assert token.startswith("hw_") and len(token) > 40
    user = user_for_token(db, token)
    assert user is not None and user.name == "alice"
    [(row, owner)] = list_tokens(db, "alice")
    assert owner == "alice" and row.name == "laptop" and row.last_used_at is not None and not row.revoked
    revoke_token(db, token)
    assert user_for_token(db, token) is None
    with pytest.raises(TokenError, match="already revoked"):
        revoke_token(db, token_id=row.id)


def test_token_is_not_stored_in_clear(db, db_url, tmp_path):
    add_user(db, "alice", "analyst", PW)
    token = create_token(db, "alice")
    with db.session() as s:
        (stored,) = s.execute(select(ApiToken.token_hash)).one()
    assert stored == token_hash(token) and len(stored) == 64 and token not in stored
    db.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())  # db, WAL and all
    assert token.encode() not in raw and token[3:].encode() not in raw
    assert PW.encode() not in raw


def test_unknown_and_malformed_tokens(db):
    add_user(db, "alice", "analyst", PW)
    create_token(db, "alice")
    assert user_for_token(db, "hw_" + "A" * 43) is None
    assert user_for_token(db, "") is None and user_for_token(db, None) is None
    with pytest.raises(TokenError, match="unknown"):
        revoke_token(db, "hw_nope")
    with pytest.raises(TokenError, match="unknown"):
        revoke_token(db, token_id=999)
    with pytest.raises(TokenError):
        revoke_token(db)
    with pytest.raises(UnknownUserError):
        create_token(db, "nobody")


def test_tokens_are_unique_and_independent(db):
    add_user(db, "alice", "analyst", PW)
    add_user(db, "bob", "viewer", PW)
    t1, t2, t3 = create_token(db, "alice"), create_token(db, "alice"), create_token(db, "bob")
    assert len({t1, t2, t3}) == 3
    revoke_token(db, t1)
    assert user_for_token(db, t1) is None
    assert user_for_token(db, t2).name == "alice" and user_for_token(db, t3).name == "bob"


def test_user_and_token_changes_are_in_the_audit_chain(db):
    add_user(db, "alice", "analyst", PW, actor="root")
    token = create_token(db, "alice", label="ci", actor="root")
    revoke_token(db, token, actor="alice", reason="leaked")
    with db.session() as s:
        rows = s.execute(text("SELECT actor, action, new, reason FROM audit_log ORDER BY id")).all()
    assert [r.action for r in rows] == ["user.add", "token.create", "token.revoke"]
    assert rows[2].actor == "alice" and rows[2].reason == "leaked"
    assert all(token not in str(r) and PW not in str(r) for r in rows)
    assert verify(db).ok


def test_a_failed_change_writes_no_audit_entry(db):
    add_user(db, "alice", "analyst", PW)
    with pytest.raises(UserExistsError):
        add_user(db, "alice", "analyst", PW)
    assert verify(db).checked == 1


# --- CLI -------------------------------------------------------------------------------------

def cli(db_url, *args, input=None):
    return runner.invoke(app, ["--db", db_url, *args], input=input)


def test_cli_user_add_from_stdin_and_list(db_url):
    res = cli(db_url, "user", "add", "alice", "--role", "analyst", "--password-stdin", input=PW + "\n")
    assert res.exit_code == 0, res.output
    res = cli(db_url, "user", "list", "--json")
    assert res.exit_code == 0 and '"name": "alice"' in res.stdout and '"role": "analyst"' in res.stdout
    from harmwatch.store.db import Database
    d = Database.open(db_url)
    assert authenticate(d, "alice", PW) is not None  # the newline is not part of the password
    d.close()


def test_cli_user_add_prompts_with_confirmation(db_url):
    res = cli(db_url, "user", "add", "bob", "--role", "viewer", input=f"{PW}\n{PW}\n")
    assert res.exit_code == 0, res.output
    res = cli(db_url, "user", "add", "carol", "--role", "viewer", input=f"{PW}\nother pass\n{PW}\n{PW}\n")
    assert res.exit_code == 0 and "do not match" in res.output.lower()


def test_cli_user_add_errors(db_url):
    res = cli(db_url, "user", "add", "alice", "--role", "viewer", "--password-stdin", input="short\n")
    assert res.exit_code == 2 and "at least 8 characters" in res.output
    res = cli(db_url, "user", "add", "alice", "--role", "god", "--password-stdin", input=PW + "\n")
    assert res.exit_code == 2 and "unknown role" in res.output
    cli(db_url, "user", "add", "alice", "--role", "viewer", "--password-stdin", input=PW + "\n")
    res = cli(db_url, "user", "add", "alice", "--role", "viewer", "--password-stdin", input=PW + "\n")
    assert res.exit_code == 2 and "already exists" in res.output


def test_cli_token_create_prints_token_as_last_line_and_revoke(db_url):
    cli(db_url, "user", "add", "alice", "--role", "analyst", "--password-stdin", input=PW + "\n")
    res = cli(db_url, "token", "create", "alice", "--label", "laptop")
    assert res.exit_code == 0, res.output
    token = res.stdout.strip().splitlines()[-1]
    assert token == res.output.strip().splitlines()[-1]
    assert token.startswith("hw_")
    from harmwatch.store.db import Database
    d = Database.open(db_url)
    assert user_for_token(d, token).name == "alice"
    res = cli(db_url, "token", "list")
    assert res.exit_code == 0 and "laptop" in res.stdout and token not in res.stdout
    res = cli(db_url, "token", "revoke", "--token-stdin", "--reason", "test", input=token + "\n")
    assert res.exit_code == 0, res.output
    assert user_for_token(d, token) is None
    res = cli(db_url, "token", "revoke", "1")
    assert res.exit_code == 2 and "already revoked" in res.output
    d.close()


def test_cli_token_for_unknown_user_fails(db_url):
    res = cli(db_url, "token", "create", "ghost")
    assert res.exit_code == 2 and "no user named 'ghost'" in res.output and "hw_" not in res.output
