"""Quality gates: limits on a score, and the rule that limits only ever tighten.

A limits file (`tests/data/SET/floors.json`) maps a measure of `Score.to_dict()`
to a number. For most measures it is a floor (the score must be at least it);
for the counts of invented values (`CEILINGS`) it is a ceiling (the score must
be at most it). Floors may only go up and ceilings only down: `loosened`
compares a limits file with an earlier version of it.

A regression that was accepted knowingly (a trade for a larger gain elsewhere) is
not hidden by lowering a floor: it is listed in `tests/data/known-regressions.json`
with the value it fell to, the commit and the reason. `with_known` gates the
measure at that value instead (so it cannot fall further), and `recovered` names
entries whose measure is back at its floor, so that the entry is removed.
"""
from __future__ import annotations

CEILINGS = ("invented_casualty_fields", "invented_dates")


def is_ceiling(measure: str) -> bool:
    return measure in CEILINGS


def violations(score: dict, limits: dict) -> dict[str, tuple[object, float]]:
    """Measures of `score` outside `limits`: {measure: (got, limit)}; a measure the score lacks is outside."""
    out = {}
    for k, limit in limits.items():
        got = score.get(k)
        if got is None or (got > limit if is_ceiling(k) else got < limit):
            out[k] = (got, limit)
    return out


def loosened(before: dict, after: dict) -> dict[str, tuple[float, float | None]]:
    """Limits of `before` that `after` dropped, lowered (floors) or raised (ceilings): {measure: (before, after)}."""
    out = {}
    for k, old in before.items():
        new = after.get(k)
        if new is None or (new > old if is_ceiling(k) else new < old):
            out[k] = (old, new)
    return out


def with_known(limits: dict, known: dict) -> dict:
    """`limits` with each known regression gated at the value it fell to."""
    out = dict(limits)
    for k, entry in known.items():
        if k in out:
            out[k] = max(out[k], entry["got"]) if is_ceiling(k) else min(out[k], entry["got"])
    return out


def recovered(score: dict, limits: dict, known: dict) -> list[str]:
    """Known regressions whose measure meets its own limit again."""
    return [k for k in known if k in limits and not violations(score, {k: limits[k]})]
