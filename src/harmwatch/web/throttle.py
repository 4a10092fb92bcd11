"""Failed sign-ins slow guessing down: `LoginThrottle` counts in memory, per process (a restart
forgets it); `SharedLoginThrottle` counts in the database (table ``login_attempts``), so every
worker of `harmwatch serve --workers N` (and every server of one database) counts the same
failures, and a restart forgets nothing. `harmwatch serve` uses the shared one.

Within `window_s` seconds:

* **per client address**: after `max_failures` failed sign-ins from one address (whatever the
  names), that address is refused (HTTP 429) until its oldest failure leaves the window;
* **per account**: after `account_failures` failures for one name from *any* addresses, that name
  is refused. This limit is larger than what one address may spend (`max_failures`), so one
  address alone can never lock an account out for everyone else; it takes many addresses.

An attempt is **reserved before the password is checked** (`reserve`), under one lock (the shared
throttle: one write transaction, which holds SQLite's write lock or a PostgreSQL advisory lock,
across processes): it counts
as a failure from the start and is taken back only when the password was right (`release`). So
forty simultaneous sign-ins cannot all get past the check and each try a password: the sixth and
later are refused before argon2 runs.

Memory is bounded (in memory): at most `max_keys` addresses and names are tracked (least recently used
evicted first), each with at most its limit of timestamps. A refused attempt adds no key, so an
address that is refused cannot push other keys out. The shared throttle deletes attempts once they
are out of the window, at every reservation.

The client address is the direct peer, or, when the peer is a trusted reverse proxy
(HARMWATCH_TRUSTED_PROXIES), the nearest untrusted address in X-Forwarded-For (`client_address`).
"""
from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from threading import Lock
from typing import Callable, Iterable

from sqlalchemy import delete, func, insert, select, text

from .. import settings
from ..errors import SettingError
from ..store.models import LoginAttempt

MAX_FAILURES = 5  # per client address
ACCOUNT_FAILURES = 25  # per account name, from all addresses together
WINDOW_S = 15 * 60
MAX_KEYS = 10_000  # addresses and names tracked at most (about 2 MB)
MAX_NAME_LENGTH = 64  # a longer sign-in name is refused before it is counted or checked (users.NAME_RE)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(value: str | None) -> tuple[Network, ...]:
    """'10.0.0.1, 192.168.0.0/16, ::1' -> networks. SettingError names the entry that is not an address."""
    nets = []
    for part in (value or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError as e:
            raise SettingError(f"HARMWATCH_TRUSTED_PROXIES: {part!r} is not an IP address or network "
                               "(give addresses or networks, comma-separated, e.g. '127.0.0.1, 10.0.0.0/8')") from e
    return tuple(nets)


def _ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: Iterable[str] = (), trusted: tuple[Network, ...] = ()) -> str | None:
    """The address a request came from. `peer` is the direct TCP peer; `forwarded_for` the values
    of X-Forwarded-For headers. The header is believed only when the peer is a trusted proxy; it
    is then read from the right (the entry our proxy added) skipping trusted proxies, and the
    first untrusted address is the client. A garbled entry ends the walk at the last good one."""
    if not trusted:
        return peer
    ip = _ip(peer)
    if ip is None or not any(ip in n for n in trusted):
        return peer
    hops = [h.strip() for v in forwarded_for for h in v.split(",")]
    client = peer
    for hop in reversed(hops):
        hip = _ip(hop)
        if hip is None:
            break
        client = str(hip)
        if not any(hip in n for n in trusted):
            break
    return client


@dataclass(frozen=True)
class Reservation:
    """One sign-in attempt counted in advance: the keys it was added to and its time."""

    keys: tuple[str, ...]
    at: float


class LoginThrottle:
    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic, *, account_failures: int | None = None,
                 max_keys: int = MAX_KEYS, trusted_proxies: str | Iterable[Network] | None = None):
        """account_failures: default max(ACCOUNT_FAILURES, 5 * max_failures). trusted_proxies: a
        comma-separated string or networks; None reads HARMWATCH_TRUSTED_PROXIES (empty by default)."""
        self.max_failures, self.window_s, self.clock = max_failures, window_s, clock
        self.account_failures = account_failures or max(ACCOUNT_FAILURES, 5 * max_failures)
        self.max_keys = max_keys
        if trusted_proxies is None:
            trusted_proxies = settings.TRUSTED_PROXIES.value()
        self.trusted = parse_proxies(trusted_proxies) if isinstance(trusted_proxies, str) or trusted_proxies is None \
            else tuple(trusted_proxies)
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()  # least recently used first
        self._lock = Lock()

    def client(self, request) -> str | None:  # noqa: ANN001
        """The client address of a Starlette request (see `client_address`)."""
        peer = request.client.host if request.client else None
        return client_address(peer, request.headers.getlist("x-forwarded-for"), self.trusted)

    # --- internals (call with the lock held) ---------------------------------------------------

    def _keys(self, name: str, client: str | None) -> list[tuple[str, int]]:
        keys = [(f"name:{name.strip().lower()}", self.account_failures)]
        return keys + ([(f"addr:{client}", self.max_failures)] if client else [])

    def _recent(self, key: str, now: float) -> deque[float] | None:
        """The key's failures still in the window (None if not tracked); marks it recently used."""
        q = self._failures.get(key)
        if q is None:
            return None
        while q and now - q[0] > self.window_s:
            q.popleft()
        self._failures.move_to_end(key)
        return q

    def _wait(self, keys: list[tuple[str, int]], now: float) -> int:
        waits = [self.window_s - (now - q[0]) for k, limit in keys
                 if (q := self._recent(k, now)) is not None and len(q) >= limit]
        return int(max(waits)) + 1 if waits else 0

    def _add(self, keys: list[tuple[str, int]], now: float) -> None:
        for k, limit in keys:
            q = self._failures.get(k)
            if q is None:
                q = self._failures[k] = deque(maxlen=limit)  # only the newest `limit` matter
            q.append(now)
            self._failures.move_to_end(k)
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    # --- the sign-in path ------------------------------------------------------------------------

    def reserve(self, name: str, client: str | None) -> tuple[int, Reservation | None]:
        """Atomically: (seconds to wait, None) if refused, else (0, reservation) with the attempt
        already counted as a failure. Call `release` if the password turns out right."""
        now = self.clock()
        keys = self._keys(name, client)
        with self._lock:
            wait = self._wait(keys, now)
            if wait:
                return wait, None
            self._add(keys, now)
        return 0, Reservation(tuple(k for k, _ in keys), now)

    def release(self, reservation: Reservation) -> None:
        """The attempt succeeded: take back its count (others' failures stay)."""
        with self._lock:
            for k in reservation.keys:
                q = self._failures.get(k)
                if q is not None:
                    try:
                        q.remove(reservation.at)
                    except ValueError:  # already out of the window or evicted
                        pass

    # --- older, two-step interface (tests, tools) ------------------------------------------------

    def retry_after(self, name: str, client: str | None) -> int:
        """Seconds until an attempt is allowed again (0: allowed now)."""
        now = self.clock()
        with self._lock:
            return self._wait(self._keys(name, client), now)

    def failed(self, name: str, client: str | None) -> None:
        now = self.clock()
        with self._lock:
            self._add(self._keys(name, client), now)

    def succeeded(self, name: str) -> None:
        """Forget the failures counted against this name (not those of the addresses)."""
        with self._lock:
            self._failures.pop(f"name:{name.strip().lower()}", None)

    def __len__(self) -> int:
        return len(self._failures)


ADVISORY_LOCK = 0x6877_7468  # PostgreSQL: the transaction lock that serialises reservations ('hwth')


class SharedLoginThrottle(LoginThrottle):
    """The same limits and interface as `LoginThrottle`, counted in the database `db` (rows of
    ``login_attempts``, wall-clock seconds), so they hold across server processes. Each
    reservation is one write transaction: read the keys' recent attempts, refuse or add them, and
    delete what left the window; SQLite's write lock (BEGIN IMMEDIATE) or a PostgreSQL advisory
    transaction lock makes it atomic across processes. `release` deletes the attempt's rows."""

    def __init__(self, db, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S,  # noqa: ANN001
                 clock: Callable[[], float] = time.time, **kw):
        super().__init__(max_failures, window_s, clock, **kw)
        self.db = db

    def _locked(self, s) -> None:  # noqa: ANN001
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK})

    def _wait_db(self, s, keys: list[tuple[str, int]], now: float) -> int:  # noqa: ANN001
        waits = []
        for k, limit in keys:
            recent = list(s.scalars(select(LoginAttempt.at).where(LoginAttempt.key == k,
                                                                   LoginAttempt.at >= now - self.window_s)
                                    .order_by(LoginAttempt.at.desc()).limit(limit)))
            if len(recent) >= limit:  # the oldest of the newest `limit` decides, as in memory
                waits.append(self.window_s - (now - recent[-1]))
        return int(max(waits)) + 1 if waits else 0

    def reserve(self, name: str, client: str | None) -> tuple[int, Reservation | None]:
        now = self.clock()
        keys = self._keys(name, client)
        with self.db.session(write=True) as s:
            self._locked(s)
            wait = self._wait_db(s, keys, now)
            if wait:
                return wait, None
            s.execute(delete(LoginAttempt).where(LoginAttempt.at < now - self.window_s))
            s.execute(insert(LoginAttempt), [{"key": k, "at": now} for k, _ in keys])
        return 0, Reservation(tuple(k for k, _ in keys), now)

    def release(self, reservation: Reservation) -> None:
        """The attempt succeeded: delete one of its rows per key (others' failures stay)."""
        with self.db.session(write=True) as s:
            self._locked(s)
            for k in reservation.keys:
                row = s.scalar(select(LoginAttempt.id).where(LoginAttempt.key == k, LoginAttempt.at == reservation.at)
                               .limit(1))
                if row is not None:
                    s.execute(delete(LoginAttempt).where(LoginAttempt.id == row))

    def retry_after(self, name: str, client: str | None) -> int:
        now = self.clock()
        with self.db.session() as s:
            return self._wait_db(s, self._keys(name, client), now)

    def failed(self, name: str, client: str | None) -> None:
        now = self.clock()
        with self.db.session(write=True) as s:
            self._locked(s)
            s.execute(insert(LoginAttempt), [{"key": k, "at": now} for k, _ in self._keys(name, client)])

    def succeeded(self, name: str) -> None:
        with self.db.session(write=True) as s:
            s.execute(delete(LoginAttempt).where(LoginAttempt.key == f"name:{name.strip().lower()}"))

    def __len__(self) -> int:
        """Keys with an attempt still in the window."""
        with self.db.session() as s:
            return s.scalar(select(func.count(func.distinct(LoginAttempt.key)))
                            .where(LoginAttempt.at >= self.clock() - self.window_s)) or 0
