"""Users, roles (admin > analyst > viewer), argon2 password hashing and API tokens.

    add_user(db, "alice", "analyst", "a long passphrase")
    user = authenticate(db, "alice", "a long passphrase")     # User or None
    token = create_token(db, "alice", label="laptop")         # shown once, stored as SHA-256
    user = user_for_token(db, token)                          # User or None (revoked, unknown)
    revoke_token(db, token)  /  revoke_token(db, token_id=3)
    secret = start_session(db, user)  /  user_for_session(db, secret)  /  end_session(db, secret)
    set_active(db, "alice", False)  /  set_password(db, "alice", pw)   # both revoke sessions and tokens

Every change to users and tokens is also written to the audit log (audit/) in the same transaction.
"""
from .sessions import (end_session, list_sessions, revoke_session, revoke_user_sessions, start_session,
                       user_for_session)
from .tokens import create_token, list_tokens, revoke_token, token_hash, user_for_token
from .users import (MIN_PASSWORD_LENGTH, ROLES, add_user, authenticate, check_password_policy, get_user, has_role,
                    list_users, set_active, set_password, set_role)

__all__ = ["MIN_PASSWORD_LENGTH", "ROLES", "add_user", "authenticate", "check_password_policy", "create_token",
           "end_session", "get_user", "has_role", "list_sessions", "list_tokens", "list_users", "revoke_session",
           "revoke_token", "revoke_user_sessions", "set_active", "set_password", "set_role", "start_session",
           "token_hash", "user_for_session", "user_for_token"]
