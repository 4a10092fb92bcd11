"""Analyst corrections of one resolved field (e.g. the place or the best killed figure).

Kept as a Decision(kind="edit", a=<earliest claim key>, b=JSON {"field", "value"}) and applied after
summarise() on every resolution run, so they survive re-runs; the incident row lists the edits
applied to it in detail["edits"]. `review.edit_field` writes them.
"""
from __future__ import annotations

import json
import re
from datetime import date

from sqlalchemy import select

from ..errors import HarmWatchError
from ..store.models import Decision as DecisionRow
from .summary import FIELDS, Incident


class ResolutionError(HarmWatchError):
    """An analyst decision that cannot be applied (unknown incident or claim, nothing to split, no reason)."""


EDITABLE = ("date", "time", "place", "admin1", "lat", "lon", "weapon", "weapon_class", "objects") + tuple(
    f"{f}_{k}" for f in FIELDS for k in ("low", "best", "high"))
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_COUNT = 2**31 - 1  # casualty figures are 32-bit integer columns


def check_edit(field: str, value):
    """The value normalised for `field` (None clears it); ResolutionError if it does not fit."""
    if field not in EDITABLE:
        raise ResolutionError(f"field {field!r} cannot be edited: use one of {', '.join(EDITABLE)}")
    if isinstance(value, str):
        value = value.strip()
    if value in (None, "") and field != "objects":
        if field == "weapon_class":
            return "unknown"
        return None
    try:
        if field == "date":
            date.fromisoformat(str(value))
            if not _DATE_RE.match(str(value)):
                raise ValueError
            return str(value)
        if field == "time":
            if not _TIME_RE.match(str(value)):
                raise ValueError
            return str(value)
        if field in ("lat", "lon"):
            v = float(value)
            limit = 90 if field == "lat" else 180
            if not -limit <= v <= limit or v != v:
                raise ValueError
            return v
        if field == "objects":
            items = value if isinstance(value, list) else str(value or "").split(",")
            return sorted({str(x).strip() for x in items if str(x).strip()})
        if field.endswith(("_low", "_best", "_high")):
            if isinstance(value, bool):
                raise ValueError
            v = int(value)
            if not 0 <= v <= MAX_COUNT or v != float(value):
                raise ValueError
            return v
    except (TypeError, ValueError, OverflowError):
        raise ResolutionError(f"{value!r} is not a valid {field}") from None
    return str(value)[:500]


def stored_edits(session, anchors: list[str] | None = None) -> list[dict]:
    """The analysts' field edits, oldest first; with `anchors` (a few claim keys: a review's incidents)
    only those kept on them, found by the index on decisions.a instead of reading every edit."""
    out = []
    q = select(DecisionRow).where(DecisionRow.kind == "edit").order_by(DecisionRow.id)
    if anchors is not None:
        q = q.where(DecisionRow.a.in_(sorted(anchors)))
    for d in session.scalars(q):
        try:
            body = json.loads(d.b or "{}")
        except ValueError:
            continue
        if body.get("field") in EDITABLE:
            out.append({"anchor": d.a, "field": body["field"], "value": body.get("value"), "actor": d.actor,
                        "reason": d.reason, "at": d.at.isoformat() if d.at else None})
    return out


def _get_field(inc: Incident, field: str):
    if field.endswith(("_low", "_best", "_high")):
        name, k = field.rsplit("_", 1)
        return getattr(getattr(inc, name), k)
    return getattr(inc, field)


def apply_edits(inc: Incident, edits: list[dict]) -> list[dict]:
    """Apply edits (oldest first, so the latest wins) to a summarised incident; returns those applied."""
    applied = []
    for e in edits:
        field, value = e["field"], e["value"]
        if field.endswith(("_low", "_best", "_high")):
            name, k = field.rsplit("_", 1)
            r = getattr(inc, name)
            setattr(r, k, value)
            if k == "best" and value is not None:  # keep low <= best <= high
                r.low = value if r.low is None or r.low > value else r.low
                r.high = value if r.high is None or r.high < value else r.high
        else:
            setattr(inc, field, value)
        applied.append({k: e[k] for k in ("field", "value", "actor", "reason", "at")})
    return applied


