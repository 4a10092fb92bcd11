"""Attacks on sign-in and sessions (issue 11): parallel password guessing, memory exhaustion of the
sign-in throttle, lock-out of other people (directly and behind a reverse proxy), sessions that
outlive sign-out, and the user and session commands that end access. Real SQLite files, the
FastAPI TestClient, and a real uvicorn server on loopback for the concurrency test."""
from __future__ import annotations

import socket
import threading
import time
import warnings

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

warnings.filterwarnings("ignore", message=".*httpx.*")
import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from harmwatch.audit import verify  # noqa: E402
from harmwatch.audit.chain import entries  # noqa: E402
from harmwatch.auth import add_user, authenticate, create_token, user_for_token  # noqa: E402
from harmwatch.cli.main import app as cli  # noqa: E402
from harmwatch.errors import SettingError  # noqa: E402
from harmwatch.store.models import ApiToken, User, WebSession  # noqa: E402
from harmwatch.web.app import create_app  # noqa: E402
from harmwatch.web.throttle import LoginThrottle, client_address, parse_proxies  # noqa: E402

PW = "correct horse battery"
runner = CliRunner()


def csrf_of(html: str) -> str:
    import re
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


@pytest.fixture
def users(db):
    add_user(db, "ana", "analyst", PW)
    add_user(db, "vic", "viewer", PW)
    return db


def web(db, peer: str = "192.0.2.10", **kw) -> TestClient:
    return TestClient(create_app(db, anonymous_read=False, secret="test-secret", **kw), follow_redirects=False,
                      client=(peer, 40000))


def sign_in(c: TestClient, name: str, password: str = PW, headers: dict | None = None) -> httpx.Response:
    token = csrf_of(c.get("/login").text)
    return c.post("/login", data={"name": name, "password": password, "csrf": token, "next": "/"},
                  headers=headers or {})


def cli_run(db_url: str, *args: str, input: str | None = None):
    return runner.invoke(cli, ["--db", db_url, *args], input=input)


# --- 1. the throttle: counted before the password check, bounded, per address and per account ------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_parallel_sign_ins_cannot_get_past_the_limit(users, monkeypatch):
    """40 simultaneous wrong guesses against a real server: only 5 passwords are ever checked."""
    import uvicorn

    import harmwatch.web.pages as pages
    checked = []
    real = pages.authenticate

    def counting(db, name, password):  # noqa: ANN001
        checked.append(name)
        time.sleep(0.05)  # a slower hash widens the window between check and count
        return real(db, name, password)

    monkeypatch.setattr(pages, "authenticate", counting)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(users, anonymous_read=False, secret="t"), host="127.0.0.1",
                                        port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started:
        assert time.time() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        first = httpx.get(base + "/login")
        token, cookies = csrf_of(first.text), dict(first.cookies)
        barrier = threading.Barrier(40)
        codes: list[int] = []

        def guess(i: int) -> None:
            barrier.wait()
            r = httpx.post(base + "/login", data={"name": "ana", "password": f"guess number {i}", "csrf": token},
                           cookies=cookies, timeout=60)
            codes.append(r.status_code)

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        srv.should_exit = True
        thread.join(10)
    assert len(codes) == 40
    summary = f"401: {codes.count(401)}, 429: {codes.count(429)}, passwords checked: {len(checked)}"
    assert codes.count(401) == 5 and codes.count(429) == 35, summary
    assert len(checked) == 5  # the other 35 were refused before argon2 ran


def test_throttle_memory_is_bounded():
    t = LoginThrottle(max_failures=5, window_s=600, clock=lambda: 0.0, max_keys=100)
    for i in range(5000):
        wait, _ = t.reserve(f"user{i}", f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
        assert wait == 0
    assert len(t) <= 100
    assert all(len(q) <= 25 for q in t._failures.values())


def test_refused_attempts_add_no_keys():
    t = LoginThrottle(max_failures=2, window_s=600, clock=lambda: 0.0, max_keys=100)
    t.reserve("a", "10.0.0.1")
    t.reserve("b", "10.0.0.1")
    before = len(t)
    for i in range(1000):
        assert t.reserve(f"name{i}", "10.0.0.1")[0] > 0
    assert len(t) == before


def test_over_long_name_is_refused_before_anything_is_counted(users):
    c = web(users)
    token = csrf_of(c.get("/login").text)
    for _ in range(8):
        r = c.post("/login", data={"name": "x" * 100_000, "password": "whatever1", "csrf": token})
        assert r.status_code == 422 and "too long" in r.text
    r = c.post("/login", data={"name": "ana", "password": "p" * 5000, "csrf": token})
    assert r.status_code == 422
    assert len(c.app.state.login_throttle) == 0
    assert sign_in(c, "ana").status_code == 303  # nothing was counted against this address


def test_one_address_cannot_lock_an_account_out_for_everyone(users):
    app = create_app(users, anonymous_read=False, secret="test-secret")
    attacker = TestClient(app, follow_redirects=False, client=("198.51.100.66", 1))
    for i in range(5):
        assert sign_in(attacker, "ana", f"wrong guess {i}").status_code == 401
    r = sign_in(attacker, "ana", PW)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0  # the attacker's address is stopped
    assert sign_in(attacker, "vic", PW).status_code == 429  # for every name
    owner = TestClient(app, follow_redirects=False, client=("203.0.113.7", 1))
    assert sign_in(owner, "ana", PW).status_code == 303  # ana, from her own address, gets in


def test_many_addresses_together_lock_the_account():
    t = LoginThrottle(max_failures=5, window_s=600, clock=lambda: 0.0, account_failures=25)
    for a in range(5):
        for _ in range(5):
            assert t.reserve("ana", f"10.0.1.{a}")[0] == 0
    assert t.reserve("ana", "10.0.2.1")[0] > 0  # 25 failures from 5 addresses: the account waits
    assert t.reserve("vic", "10.0.2.1")[0] == 0  # other accounts do not


def test_a_successful_sign_in_takes_back_only_its_own_count():
    now = [0.0]
    t = LoginThrottle(max_failures=3, window_s=600, clock=lambda: now[0])
    for _ in range(2):
        t.reserve("ana", "10.0.0.1")
        now[0] += 1
    _, ok = t.reserve("ana", "10.0.0.1")
    t.release(ok)
    assert t.reserve("ana", "10.0.0.1")[0] == 0  # 2 failures + this one: allowed, then
    assert t.reserve("ana", "10.0.0.1")[0] > 0  # the two old failures still count


# --- 2. the client address behind a reverse proxy ------------------------------------------------

def test_client_address_trusts_forwarded_for_only_from_trusted_proxies():
    trusted = parse_proxies("10.0.0.1, 172.16.0.0/12")
    assert client_address("10.0.0.1", ["203.0.113.5"], trusted) == "203.0.113.5"
    assert client_address("10.0.0.1", ["198.51.100.1, 203.0.113.5"], trusted) == "203.0.113.5"  # rightmost untrusted
    assert client_address("10.0.0.1", ["203.0.113.5, 172.16.3.4"], trusted) == "203.0.113.5"  # skip inner proxy
    assert client_address("192.0.2.9", ["203.0.113.5"], trusted) == "192.0.2.9"  # peer is no proxy: ignored
    assert client_address("10.0.0.1", ["203.0.113.5"], ()) == "10.0.0.1"  # nothing trusted (the default)
    assert client_address("10.0.0.1", [], trusted) == "10.0.0.1"
    assert client_address("10.0.0.1", ["not-an-ip"], trusted) == "10.0.0.1"
    with pytest.raises(SettingError, match="not an IP address") as e:
        parse_proxies("10.0.0.1, proxy.example")
    assert isinstance(e.value.__cause__, ValueError)


def test_serve_refuses_a_bad_trusted_proxies_setting_clearly(db_url, monkeypatch):
    monkeypatch.setenv("HARMWATCH_TRUSTED_PROXIES", "10.0.0.1, proxy.example")
    r = cli_run(db_url, "serve", "--port", "1")
    assert r.exit_code == 2 and "'proxy.example' is not an IP address" in r.output


def test_behind_a_trusted_proxy_one_client_does_not_lock_out_another(users, monkeypatch):
    monkeypatch.setenv("HARMWATCH_TRUSTED_PROXIES", "10.0.0.1")
    proxy = web(users, peer="10.0.0.1")  # every request arrives from the proxy
    bad, good = {"X-Forwarded-For": "203.0.113.5"}, {"X-Forwarded-For": "198.51.100.7"}
    for i in range(5):
        assert sign_in(proxy, "vic", f"wrong guess {i}", headers=bad).status_code == 401
    assert sign_in(proxy, "vic", PW, headers=bad).status_code == 429
    assert sign_in(proxy, "ana", PW, headers=good).status_code == 303
    proxy.cookies.clear()
    assert sign_in(proxy, "vic", PW, headers=good).status_code == 303


def test_forwarded_for_from_an_untrusted_peer_cannot_dodge_the_limit(users, monkeypatch):
    monkeypatch.setenv("HARMWATCH_TRUSTED_PROXIES", "10.0.0.1")
    c = web(users, peer="192.0.2.50")
    for i in range(5):
        assert sign_in(c, "ana", f"wrong {i}", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code == 401
    assert sign_in(c, "ana", PW, headers={"X-Forwarded-For": "203.0.113.99"}).status_code == 429


def test_trusted_proxies_is_a_listed_setting(monkeypatch):
    from harmwatch import settings
    assert settings.TRUSTED_PROXIES in settings.ALL and settings.TRUSTED_PROXIES.env == "HARMWATCH_TRUSTED_PROXIES"
    monkeypatch.delenv("HARMWATCH_TRUSTED_PROXIES", raising=False)
    assert LoginThrottle().trusted == ()


# --- 3. server-side sessions ----------------------------------------------------------------------

def test_logout_invalidates_a_saved_cookie(users):
    c = web(users)
    assert sign_in(c, "ana").status_code == 303
    saved = dict(c.cookies)
    page = c.get("/")
    assert page.status_code == 200
    assert c.get("/api/incidents").status_code == 200
    assert c.post("/logout", data={"csrf": csrf_of(page.text)}).status_code == 303
    replay = web(users)
    replay.cookies.update(saved)
    assert replay.get("/").status_code == 303  # back to the sign-in page
    assert replay.get("/api/incidents").status_code == 401
    with users.session() as s:
        rows = s.scalars(select(WebSession)).all()
    assert len(rows) == 1 and rows[0].revoked_at is not None
    assert len(rows[0].session_hash) == 64 and saved["harmwatch_session"] not in rows[0].session_hash


def test_session_list_and_revoke_by_id_and_by_user(users, db_url):
    a1, a2, v = web(users), web(users), web(users)
    for c, n in ((a1, "ana"), (a2, "ana"), (v, "vic")):
        assert sign_in(c, n).status_code == 303
    r = cli_run(db_url, "session", "list", "ana", "--json")
    assert r.exit_code == 0, r.output
    import json
    listed = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["user"] for x in listed] == ["ana", "ana"] and all(x["revoked_at"] is None for x in listed)
    first = listed[0]["id"]
    r = cli_run(db_url, "session", "revoke", str(first), "--reason", "lost laptop")
    assert r.exit_code == 0, r.output
    assert a1.get("/").status_code == 303 and a2.get("/").status_code == 200
    assert cli_run(db_url, "session", "revoke", str(first)).exit_code == 2  # already revoked: a clear error
    assert cli_run(db_url, "session", "revoke", "9999").exit_code == 2
    r = cli_run(db_url, "session", "revoke", "--user", "ana")
    assert r.exit_code == 0 and "revoked 1 session" in r.output
    assert a2.get("/").status_code == 303 and v.get("/").status_code == 200  # vic is untouched
    assert "session.revoke" in [e.action for e in entries(users, limit=10)]
    r = cli_run(db_url, "session", "list", "--live", "--json")
    assert [json.loads(line)["user"] for line in r.stdout.splitlines()] == ["vic"]
    assert len(cli_run(db_url, "session", "list", "--json").stdout.splitlines()) == 3
    assert cli_run(db_url, "session", "revoke").exit_code == 2  # nothing to revoke named
    assert verify(users).ok


def test_session_expires_on_the_server(users):
    from datetime import timedelta

    from harmwatch.auth.sessions import MAX_AGE
    c = web(users)
    assert sign_in(c, "ana").status_code == 303
    with users.session(write=True) as s:
        row = s.scalars(select(WebSession)).one()
        row.created_at = row.created_at - MAX_AGE - timedelta(minutes=1)
    assert c.get("/").status_code == 303


# --- 4. user commands: deactivate, role, password (audited) ----------------------------------------

def test_deactivate_revokes_sessions_and_tokens(users, db_url):
    token = create_token(users, "ana", label="laptop")
    c = web(users)
    assert sign_in(c, "ana").status_code == 303
    r = cli_run(db_url, "user", "deactivate", "ana", "--reason", "left")
    assert r.exit_code == 0, r.output
    assert "revoked 1 session(s) and 1 token(s)" in r.output
    assert c.get("/").status_code == 303
    assert web(users).get("/api/incidents", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    with users.session() as s:
        assert s.scalar(select(User.active).where(User.name == "ana")) is False
        assert all(t.revoked_at is not None for t in s.scalars(select(ApiToken)))
        assert all(x.revoked_at is not None for x in s.scalars(select(WebSession)))
    assert sign_in(web(users), "ana").status_code == 401
    # reactivated: she can sign in again, but the old token stays revoked
    assert cli_run(db_url, "user", "activate", "ana").exit_code == 0
    assert sign_in(web(users), "ana").status_code == 303
    assert user_for_token(users, token) is None
    actions = [e.action for e in entries(users, limit=20)]
    assert {"user.deactivate", "user.activate", "session.revoke_all", "token.revoke"} <= set(actions)
    assert verify(users).ok
    assert cli_run(db_url, "user", "deactivate", "nobody").exit_code == 2


def test_role_change_is_audited_and_applies_at_once(users, db_url):
    token = create_token(users, "ana")
    c = web(users)
    iid_free = c.post("/api/incidents/inc-x/verify", json={"reason": "x"}, headers={"Authorization": f"Bearer {token}"})
    assert iid_free.status_code != 403
    r = cli_run(db_url, "user", "role", "ana", "viewer", "--reason", "read only now")
    assert r.exit_code == 0 and "ana is now viewer" in r.output
    r = c.post("/api/incidents/inc-x/verify", json={"reason": "x"}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    e = entries(users, limit=1)[0]
    assert (e.action, e.old, e.new, e.reason) == ("user.role", "analyst", "viewer", "read only now")
    assert cli_run(db_url, "user", "role", "ana", "superuser").exit_code == 2


def test_password_change_revokes_sessions_and_tokens(users, db_url):
    token = create_token(users, "ana")
    c = web(users)
    assert sign_in(c, "ana").status_code == 303
    new = "a completely new passphrase"
    r = cli_run(db_url, "user", "password", "ana", "--password-stdin", input=new + "\n")
    assert r.exit_code == 0, r.output
    assert c.get("/").status_code == 303
    assert user_for_token(users, token) is None
    assert authenticate(users, "ana", PW) is None and authenticate(users, "ana", new) is not None
    e = [x for x in entries(users, limit=10) if x.action == "user.password"]
    assert len(e) == 1 and new not in str(e[0].new) and e[0].new is None
    # the prompt asks twice; a short password is refused and nothing changes
    r = cli_run(db_url, "user", "password", "ana", input="short\nshort\n")
    assert r.exit_code == 2 and "at least 8" in r.output
    assert authenticate(users, "ana", new) is not None
    r = cli_run(db_url, "user", "password", "vic", input="another good one\nanother good one\n")
    assert r.exit_code == 0, r.output
    assert authenticate(users, "vic", "another good one") is not None
    assert cli_run(db_url, "user", "password", "nobody", "--password-stdin", input=new + "\n").exit_code == 2
    assert verify(users).ok


def test_every_new_command_has_help_with_an_example():
    for cmd in (["user", "deactivate"], ["user", "activate"], ["user", "role"], ["user", "password"],
                ["session", "list"], ["session", "revoke"]):
        r = runner.invoke(cli, [*cmd, "--help"])
        assert r.exit_code == 0 and "Example:" in r.output, cmd


def test_sessions_and_revocation_on_postgres(tmp_path):
    """The same session life cycle on PostgreSQL (skipped without HARMWATCH_TEST_PG_URL)."""
    import os
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from harmwatch.auth import list_sessions, set_active
    from harmwatch.store.db import Database
    url = os.environ.get("HARMWATCH_TEST_PG_URL")
    if not url:
        pytest.skip("no PostgreSQL test server (set HARMWATCH_TEST_PG_URL)")
    name = "hw_auth_" + uuid.uuid4().hex[:10]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database.open(make_url(url).set(database=name).render_as_string(hide_password=False),
                       archive_dir=tmp_path / "archive")
    try:
        add_user(db, "ana", "analyst", PW)
        token = create_token(db, "ana")
        c = web(db)
        assert sign_in(c, "ana").status_code == 303
        saved = dict(c.cookies)
        page = c.get("/")
        assert page.status_code == 200
        assert c.post("/logout", data={"csrf": csrf_of(page.text)}).status_code == 303
        replay = web(db)
        replay.cookies.update(saved)
        assert replay.get("/").status_code == 303
        c2 = web(db)
        assert sign_in(c2, "ana").status_code == 303
        assert [x.id for x, _ in list_sessions(db, "ana", include_ended=False)] == [2]
        assert set_active(db, "ana", False, actor="test") == (1, 1)
        assert c2.get("/").status_code == 303 and user_for_token(db, token) is None
        assert list_sessions(db, include_ended=False) == []
        assert verify(db).ok
    finally:
        db.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
