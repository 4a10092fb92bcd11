"""`harmwatch serve --workers N` and the sign-in throttle shared through the database (issue 11,
load target): real `harmwatch serve` processes on loopback over one database. 40 simultaneous wrong
guesses spread over two separate server processes get exactly 5 passwords checked, as one process
allows; the same through `--workers 2`; the counts survive a restart; PostgreSQL too when
HARMWATCH_TEST_PG_URL is set."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
import warnings
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from harmwatch.auth import add_user  # noqa: E402
from harmwatch.store.db import Database  # noqa: E402
from harmwatch.store.models import LoginAttempt  # noqa: E402
from harmwatch.web.throttle import SharedLoginThrottle  # noqa: E402

PW = "correct horse battery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(url: str, archive: Path, log: Path, *args: str):
    """`harmwatch serve ARGS` in its own process; yields the base URL."""
    port = _free_port()
    exe = Path(sys.executable).with_name("harmwatch")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "harmwatch"]
    env = {**os.environ, "HARMWATCH_DB": url, "HARMWATCH_ARCHIVE": str(archive), "HARMWATCH_ANONYMOUS_READ": "0",
           "HARMWATCH_SECRET_KEY": "k" * 40}
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd + ["serve", "--host", "127.0.0.1", "--port", str(port), *args], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"the server stopped: {log.read_text()[-2000:]}"
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"the server did not start: {log.read_text()[-2000:]}"
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def guess_in_parallel(bases: list[str], n: int = 40) -> list[int]:
    """n simultaneous wrong sign-ins for 'ana', round-robin over the servers, each on a new connection."""
    forms = []
    for base in bases:
        r = httpx.get(base + "/login")
        forms.append((_csrf(r.text), dict(r.cookies)))
    barrier = threading.Barrier(n)
    codes: list[int] = []

    def guess(i: int) -> None:
        base, (token, cookies) = bases[i % len(bases)], forms[i % len(bases)]
        barrier.wait()
        r = httpx.post(base + "/login", data={"name": "ana", "password": f"guess number {i}", "csrf": token},
                       cookies=cookies, timeout=60)
        codes.append(r.status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return codes


def _db_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'hw.db'}"
    url = os.environ.get("HARMWATCH_TEST_PG_URL")
    if not url:
        pytest.skip("no PostgreSQL test server (set HARMWATCH_TEST_PG_URL)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    name = "hw_workers_" + uuid.uuid4().hex[:10]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def setup(request, tmp_path):
    url = _db_url(request.param, tmp_path)
    db = Database.open(url, archive_dir=tmp_path / "archive")
    add_user(db, "ana", "analyst", PW)
    yield url, db, tmp_path
    db.close()


def attempts(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(LoginAttempt))


def test_two_server_processes_share_the_sign_in_throttle(setup):
    """Two separate `harmwatch serve` processes over one database: 40 simultaneous wrong guesses,
    20 at each, and only 5 are let through to the password check (the per-address limit); a
    third server started afterwards still refuses that address, and the right password as well."""
    url, db, tmp = setup
    with ExitStack() as stack:
        a = stack.enter_context(serve(url, tmp / "archive", tmp / "a.log"))
        b = stack.enter_context(serve(url, tmp / "archive", tmp / "b.log"))
        codes = guess_in_parallel([a, b])
    summary = f"401: {codes.count(401)}, 429: {codes.count(429)}, other: {sorted(set(codes) - {401, 429})}"
    assert len(codes) == 40 and codes.count(401) == 5 and codes.count(429) == 35, summary
    # the counts are in the database: 5 attempts, each against the name and the address
    assert attempts(db) == 10
    with serve(url, tmp / "archive", tmp / "c.log") as c:
        r = httpx.get(c + "/login")
        r = httpx.post(c + "/login", data={"name": "ana", "password": PW, "csrf": _csrf(r.text)},
                       cookies=dict(r.cookies))
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_serve_workers_2(setup):
    """`--workers 2`: two processes answer on one port (both are seen serving), a right password
    signs in and is not counted, and 40 parallel wrong guesses still get only 5 checks."""
    url, db, tmp = setup
    with serve(url, tmp / "archive", tmp / "w.log", "--workers", "2") as base:
        r = httpx.get(base + "/login")
        r = httpx.post(base + "/login", data={"name": "ana", "password": PW, "csrf": _csrf(r.text)},
                       cookies=dict(r.cookies))
        assert r.status_code == 303
        assert attempts(db) == 0  # a right password takes its reservation back
        codes = guess_in_parallel([base])
        log = (tmp / "w.log").read_text()
    pids = set(re.findall(r"Started server process \[(\d+)\]", log))
    assert len(pids) == 2, log[-2000:]
    assert codes.count(401) == 5 and codes.count(429) == 35, codes


def test_shared_throttle_window_and_release(setup):
    """The shared throttle's arithmetic, with a clock given: the limit, the wait until the oldest
    counted failure leaves the window, release of a right attempt, and pruning of old rows."""
    _, db, _ = setup
    now = [1000.0]
    t = SharedLoginThrottle(db, max_failures=3, window_s=60, clock=lambda: now[0])
    other = SharedLoginThrottle(db, max_failures=3, window_s=60, clock=lambda: now[0])  # a second process
    ok = None
    for i in range(3):
        wait, ok = (t if i % 2 else other).reserve("ana", "10.0.0.1")
        assert wait == 0 and ok is not None
        now[0] += 10
    wait, refused = t.reserve("bob", "10.0.0.1")  # the address is spent, whatever the name
    assert refused is None and wait == 60 - 30 + 1
    assert t.retry_after("bob", "10.0.0.2") == 0
    t.release(ok)  # the last one was right: its count is taken back
    assert other.reserve("bob", "10.0.0.1")[0] == 0
    now[0] += 61  # every attempt left the window; the next reservation deletes them
    assert t.reserve("carl", "10.0.0.3")[0] == 0
    assert attempts(db) == 2 and len(t) == 2
