"""The audit log: every change is an entry, each entry's hash covers the previous entry's hash.

    with db.session(write=True) as s:
        claim.killed = 12
        append(s, actor="alice", action="edit", target_type="claim", target_id=claim.id,
               field="killed", old=9, new=12, reason="OHCHR update of 3 March")
    # the edit and its entry commit together, or neither does

    result = verify(db)        # VerifyResult(ok, checked, first_broken_id, message, head_hash)

Chain: entry ``n`` stores ``prev_hash`` = the ``hash`` of entry ``n-1`` (``GENESIS``, 64 zeros,
for entry 1) and ``hash`` = SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of
``{id, at, actor, action, target_type, target_id, field, old, new, reason, prev_hash}``, with ``at``
as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC). Ids are dense (1, 2, 3, ...) and part of the hash, so
an edited row, a deleted row (a gap and a ``prev_hash`` mismatch after it) and a reordered chain are
all found by `verify`. Rewriting the *whole* chain from some entry on is not: only a head hash
recorded elsewhere (``harmwatch audit verify`` prints it; ``verify(db, anchor=...)`` checks it)
catches that. See docs/security.md.

The database refuses rewrites as well (migrations 0002 and 0006): UPDATE, DELETE, and on SQLite
INSERT OR REPLACE / REPLACE INTO / UPSERT of an id or hash already present (REPLACE's implicit
delete fires no DELETE trigger); on PostgreSQL ON CONFLICT DO UPDATE and MERGE hit the UPDATE
trigger. Only someone who drops the triggers gets past them, and `verify` then finds the edit.

Appends serialise through the writer's transaction: ``db.session(write=True)`` takes SQLite's write
lock at BEGIN, and on PostgreSQL `append` locks the table, so two writers never read the same head.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Iterator

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..errors import AuditError
from ..store.models import AuditEntry

GENESIS = "0" * 64
_TS = "%Y-%m-%dT%H:%M:%S.%fZ"


def _utc(at: datetime) -> datetime:
    """Aware UTC; SQLite hands back naive datetimes, which we always wrote as UTC."""
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def _jsonable(value: Any, what: str) -> Any:
    """The value as it will read back from a JSON column (tuples become lists, dates ISO strings).

    Hashing the stored form, not the Python object, is what makes the hash verifiable later.
    """
    def default(o: Any) -> Any:
        if isinstance(o, (datetime, date)):
            return o.isoformat()
        if isinstance(o, (set, frozenset)):
            return sorted(o, key=repr)
        raise TypeError(f"{type(o).__name__} is not JSON")
    try:
        return json.loads(json.dumps(value, default=default, allow_nan=False))
    except (TypeError, ValueError) as e:
        raise AuditError(f"audit value {what!r} cannot be stored as JSON: {e}") from e


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def entry_fields(e: AuditEntry) -> dict[str, Any]:
    """The hashed content of an entry (everything but ``hash``)."""
    return {"id": e.id, "at": _utc(e.at).strftime(_TS), "actor": e.actor, "action": e.action,
            "target_type": e.target_type, "target_id": e.target_id, "field": e.field,
            "old": e.old, "new": e.new, "reason": e.reason, "prev_hash": e.prev_hash}


def entry_hash(e: AuditEntry) -> str:
    return hashlib.sha256(canonical(entry_fields(e))).hexdigest()


def _lock(session: Session) -> None:
    """Serialise appends. SQLite: the write session already holds the lock (BEGIN IMMEDIATE);
    a read-only BEGIN is upgraded by the INSERT, and the dense primary key refuses a fork."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"))


def append(session: Session, actor: str, action: str, target_type: str | None = None,
           target_id: Any = None, field: str | None = None, old: Any = None, new: Any = None,
           reason: str | None = None, *, at: datetime | None = None) -> AuditEntry:
    """Add one entry to the chain inside the caller's (write) transaction; it is flushed, not committed.

    Call it in the same ``db.session(write=True)`` block as the change it records, so both
    commit together. `target_id` is stored as text; `old` and `new` must be JSON-able
    (dates become ISO strings). Raises AuditError for an empty actor/action or a non-JSON value.
    """
    if not actor or not str(actor).strip():
        raise AuditError("an audit entry needs an actor (who made the change)")
    if not action or not str(action).strip():
        raise AuditError("an audit entry needs an action (what was done)")
    _lock(session)
    last = session.execute(select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    entry = AuditEntry(
        id=(last.id + 1) if last else 1,
        at=_utc(at or datetime.now(timezone.utc)),
        actor=str(actor), action=str(action),
        target_type=None if target_type is None else str(target_type),
        target_id=None if target_id is None else str(target_id),
        field=field, old=_jsonable(old, "old"), new=_jsonable(new, "new"), reason=reason,
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int  # entries found intact (all of them when ok; those before the first broken one if not)
    first_broken_id: int | None
    message: str
    head_hash: str | None = None  # hash of the last entry when ok: record it elsewhere to anchor the chain

    def __bool__(self) -> bool:
        return self.ok


def entries(db, limit: int | None = None, newest_first: bool = True) -> list[AuditEntry]:  # noqa: ANN001
    """Entries for display: the newest `limit` (all when None)."""
    with db.session() as s:
        q = select(AuditEntry).order_by(AuditEntry.id.desc() if newest_first else AuditEntry.id)
        if limit is not None:
            q = q.limit(limit)
        return list(s.scalars(q))


def head(db) -> tuple[int, str]:  # noqa: ANN001
    """(number of entries, hash of the last one or GENESIS when empty), without verifying."""
    with db.session() as s:
        n = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
        h = s.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return n, h or GENESIS


def _broken(checked: int, entry_id: int, why: str) -> VerifyResult:
    return VerifyResult(False, checked, entry_id, f"audit chain broken at entry {entry_id}: {why}")


def verify(db, anchor: str | None = None, batch: int = 1000) -> VerifyResult:  # noqa: ANN001
    """Walk the whole chain in id order and check every link; stop at the first broken entry.

    Finds: an entry whose content was edited (its hash no longer matches), a deleted entry (a gap in
    the ids and a ``prev_hash`` that does not match), entries moved or swapped (ids are hashed, so
    the links break), a forged ``hash``. With `anchor` (a head hash recorded earlier, elsewhere),
    also that this hash is still in the chain: a chain rewritten or truncated since then fails.
    """
    anchor = anchor.strip().lower() if anchor else None
    prev_hash, prev_id, checked, anchor_seen = GENESIS, 0, 0, anchor in (None, GENESIS)
    with db.session() as s:
        for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=batch)):
            if e.id != prev_id + 1:
                missing = f"entry {prev_id + 1}" if e.id == prev_id + 2 else f"entries {prev_id + 1}-{e.id - 1}"
                return _broken(checked, e.id, f"{missing} missing (deleted?)")
            if e.prev_hash != prev_hash:
                return _broken(checked, e.id, "its prev_hash does not match the hash of the entry before it "
                                              "(entries reordered, deleted or replaced)")
            if entry_hash(e) != e.hash:
                return _broken(checked, e.id, "its content does not match its hash (edited after it was written)")
            if anchor and e.hash == anchor:
                anchor_seen = True
            prev_hash, prev_id, checked = e.hash, e.id, checked + 1
    if not anchor_seen:
        return VerifyResult(False, checked, None, f"anchored hash {anchor} is not in the audit chain "
                                                   "(the chain was rewritten or truncated since it was recorded)")
    head_hash = prev_hash if checked else GENESIS
    return VerifyResult(True, checked, None, f"audit chain intact: {checked} entries", head_hash)
