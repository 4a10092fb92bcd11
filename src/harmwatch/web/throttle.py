"""Failed sign-ins slow guessing down: after `MAX_FAILURES` failures for one name, or from one
client address, within `WINDOW_S` seconds, further attempts are refused (HTTP 429) until the
oldest failure leaves the window. Kept in memory, per server process: a restart forgets it,
and several workers each count on their own (stated in docs/web.md)."""
from __future__ import annotations

import time
from collections import defaultdict, deque
from threading import Lock
from typing import Callable

MAX_FAILURES = 5
WINDOW_S = 15 * 60


class LoginThrottle:
    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic):
        self.max_failures, self.window_s, self.clock = max_failures, window_s, clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = Lock()

    def _keys(self, name: str, client: str | None) -> list[str]:
        return [f"name:{name.strip().lower()}"] + ([f"addr:{client}"] if client else [])

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures[key]
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def retry_after(self, name: str, client: str | None) -> int:
        """Seconds until an attempt is allowed again (0: allowed now)."""
        now = self.clock()
        with self._lock:
            waits = [self.window_s - (now - q[0]) for k in self._keys(name, client)
                     if len(q := self._recent(k, now)) >= self.max_failures]
        return int(max(waits)) + 1 if waits else 0

    def failed(self, name: str, client: str | None) -> None:
        now = self.clock()
        with self._lock:
            for k in self._keys(name, client):
                self._recent(k, now).append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(f"name:{name.strip().lower()}", None)
