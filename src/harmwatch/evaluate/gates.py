"""Quality gates: limits on a score, and the rule that limits only ever tighten.

A limits file (`tests/data/SET/floors.json`) maps a measure of `Score.to_dict()`
to a number. For most measures it is a floor (the score must be at least it);
for the counts of invented values (`CEILINGS`) it is a ceiling (the score must
be at most it). Floors may only go up and ceilings only down: `loosened`
compares a limits file with an earlier version of it.
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
