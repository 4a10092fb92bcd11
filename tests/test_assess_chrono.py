"""Chronolocation aid (assess/chrono.py). Expected values worked by hand: at local solar noon the sun
stands due south (azimuth 180°) at 90° - latitude + declination; near the March equinox the
declination is about 0°, and the shadow of 1 m is 1 / tan(elevation)."""
from __future__ import annotations

import math

import pytest

from harmwatch.assess.chrono import chronolocation


def test_solar_noon_at_the_march_equinox():
    # 2022-03-20, 50.0 N 30.0 E: equation of time about -7.4 min, so solar noon at 30 E is
    # 12:00 - 2 h + 7.4 min = 10:07 UTC = 12:07 local (EET, UTC+2; summer time began on 27 March).
    # Declination about -0.1° (equinox 15:33 UTC): elevation 90 - 50 - 0.1 = 39.9°, plus ~0.02° refraction.
    c = chronolocation("2022-03-20", "12:07", 50.0, 30.0)
    assert c.utc == "2022-03-20T10:07+00:00"
    assert c.sun.azimuth_deg == pytest.approx(180.0, abs=1.0)
    assert c.sun.elevation_deg == pytest.approx(39.9, abs=0.3)
    assert c.sun.shadow_per_m == pytest.approx(1 / math.tan(math.radians(39.93)), abs=0.015)  # 1.197
    assert min(c.sun.shadow_azimuth_deg, 360 - c.sun.shadow_azimuth_deg) < 1.0  # the shadow points north
    before, after = c.window
    assert before.local.startswith("2022-03-20T11:37") and after.local.startswith("2022-03-20T12:37")
    assert before.azimuth_deg < 180 < after.azimuth_deg  # the sun moves from south-east to south-west
    assert before.elevation_deg < c.sun.elevation_deg and after.elevation_deg < c.sun.elevation_deg


def test_summer_time_is_used_in_july():
    c = chronolocation("2022-07-01", "12:00", 50.45, 30.52)  # Kyiv, EEST = UTC+3
    assert c.utc == "2022-07-01T09:00+00:00"


def test_chuhuiv_morning_of_24_february():
    # 08:00 local, about an hour after sunrise (about 06:50 local at 49.8 N, 36.7 E in late February):
    # the sun low in the east-south-east, long shadows towards the west-north-west.
    c = chronolocation("2022-02-24", "08:00", 49.83538, 36.6865)
    assert 5 < c.sun.elevation_deg < 20
    assert 100 < c.sun.azimuth_deg < 135
    assert c.sun.shadow_per_m > 2.5  # 1/tan(20°) = 2.75
    assert c.reason is None


def test_night_gives_no_shadow():
    c = chronolocation("2022-02-24", "02:00", 49.83538, 36.6865)
    assert c.sun.elevation_deg < 0 and c.sun.shadow_per_m is None and c.sun.shadow_azimuth_deg is None
    assert "below the horizon" in c.reason


@pytest.mark.parametrize("args, missing", [
    (("2022-02-24", None, 49.8, 36.7), "time"),
    ((None, "08:00", 49.8, 36.7), "date"),
    (("2022-02-24", "08:00", None, None), "place"),
    ((None, None, None, None), "date and time and place"),
])
def test_unknown_time_or_place_gives_no_figures_with_a_reason(args, missing):
    c = chronolocation(*args)
    assert c.sun is None and c.window == ()
    assert f"the {missing} of the incident" in c.reason


def test_bad_time_gives_a_reason():
    c = chronolocation("2022-02-24", "25:00", 49.8, 36.7)
    assert c.sun is None and "no sun position" in c.reason
