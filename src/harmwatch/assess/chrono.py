"""Chronolocation aid: where the sun stood at the claimed time and place (docs/assessment.md).

From the incident's date, time (local time in Ukraine unless told otherwise) and point: the sun's
azimuth (degrees clockwise from true north) and elevation (degrees above the horizon, with
atmospheric refraction), computed with astral (NOAA's solar equations), and the length of the shadow
a vertical object of 1 m casts on level ground: 1 / tan(elevation), pointing away from the sun
(azimuth + 180°). An investigator compares these with the shadows in a photo or video.

When the time or the place is unknown the figures are None and `reason` says which is missing.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date as Date, datetime, time as Time, timedelta, timezone
from zoneinfo import ZoneInfo

from astral import Observer
from astral.sun import azimuth, elevation

LOCAL_ZONE = "Europe/Kyiv"  # the reports' local time
WINDOW_MIN = 30  # a stated time is usually rounded ("about 8 am"): the figures 30 minutes either side too


@dataclass(frozen=True)
class SunAt:
    local: str  # ISO local time
    azimuth_deg: float
    elevation_deg: float
    shadow_per_m: float | None  # None when the sun is at or below the horizon
    shadow_azimuth_deg: float | None


@dataclass(frozen=True)
class Chronolocation:
    date: str | None
    time: str | None
    lat: float | None
    lon: float | None
    zone: str
    utc: str | None = None
    sun: SunAt | None = None  # at the stated time
    window: tuple[SunAt, ...] = ()  # WINDOW_MIN minutes before and after
    reason: str | None = None  # why there are no figures, or what to bear in mind

    def to_dict(self) -> dict:
        d = asdict(self)
        d["window"] = [asdict(w) for w in self.window]
        return d


def _sun(obs: Observer, at: datetime) -> SunAt:
    az = azimuth(obs, at)
    el = elevation(obs, at, with_refraction=True)
    shadow = 1.0 / math.tan(math.radians(el)) if el > 0 else None
    return SunAt(local=at.isoformat(timespec="minutes"), azimuth_deg=round(az, 2), elevation_deg=round(el, 2),
                 shadow_per_m=round(shadow, 3) if shadow is not None else None,
                 shadow_azimuth_deg=round((az + 180.0) % 360.0, 2) if shadow is not None else None)


def chronolocation(day: str | None, hhmm: str | None, lat: float | None, lon: float | None,
                   zone: str = LOCAL_ZONE) -> Chronolocation:
    """The sun at `day` (YYYY-MM-DD) `hhmm` (HH:MM, local time in `zone`) over (lat, lon)."""
    missing = [w for w, v in (("date", day), ("time", hhmm), ("place", lat if lon is not None else None)) if v is None]
    if missing:
        return Chronolocation(day, hhmm, lat, lon, zone,
                              reason=f"no sun position: the {' and '.join(missing)} of the incident "
                                     f"{'is' if len(missing) == 1 else 'are'} not known")
    try:
        d = Date.fromisoformat(day)
        h, m = (int(x) for x in hhmm.split(":"))
        local = datetime.combine(d, Time(h, m), tzinfo=ZoneInfo(zone))
    except ValueError as e:
        return Chronolocation(day, hhmm, lat, lon, zone, reason=f"no sun position: {e}")
    obs = Observer(latitude=lat, longitude=lon)
    sun = _sun(obs, local)
    window = tuple(_sun(obs, local + timedelta(minutes=k)) for k in (-WINDOW_MIN, WINDOW_MIN))
    note = None if sun.shadow_per_m is not None else "the sun was at or below the horizon: no shadows from it"
    return Chronolocation(day, hhmm, lat, lon, zone, utc=local.astimezone(timezone.utc).isoformat(timespec="minutes"),
                          sun=sun, window=window, reason=note)
