"""Assessment aids for investigators (docs/assessment.md): the weapon profile of an incident from the
catalogue (`profile.py`), IHL screening flags with their reasons and quotes (`flags.py`), the stated
likely target of a strike (`target.py`), user-loaded military objects (`objects.py`) and the sun's
position for chronolocation (`chrono.py`).

Nothing here is a verdict: every flag says what the sources report and why an investigator may want
to look at it. Library functions return typed records; the CLI and the web layer only present them.
"""

from __future__ import annotations


def for_incident(db, inc: dict) -> dict:  # noqa: ANN001
    """The assessment parts of one incident's JSON (API, incident page): its weapon profile, its
    flags (with dismissals) and the chronolocation figures."""
    from .chrono import chronolocation
    from .flags import flags
    from .profile import weapon_profile
    return {"weapon_profile": weapon_profile(inc.get("weapon"), inc.get("weapon_class"), inc.get("cluster")).to_dict(),
            "flags": [f.to_dict() for f in flags(db, inc["id"])],
            "chronolocation": chronolocation(inc.get("date"), inc.get("time"), inc.get("lat"), inc.get("lon")).to_dict()}
