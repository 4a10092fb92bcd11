#!/usr/bin/env python3
"""Benchmark and score the gazetteer: load time, geocode speed, accuracy on analyst place strings.

    python bench/geocode.py                                   # bundled data: load time, speed
    python bench/geocode.py --dump ../shared/geonames/UA.zip --score tests/data/geocode/dev.tsv

``--dump`` imports a GeoNames dump into a temporary folder first (as `harmwatch gazetteer load`
does) and measures the gazetteer built from it. ``--score FILE`` geocodes every string of a test
file (tests/data/geocode/*.tsv: text, lat, lon, ...) and prints the share found within 25 km and
10 km of the intended point; ``-v`` lists the misses.
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path


def score(gaz, path: Path, verbose: bool) -> dict:
    from harmwatch.geo.rows import km
    rows = list(csv.DictReader(open(path, encoding="utf-8"), delimiter="\t"))
    n25 = n10 = 0
    for r in rows:
        m = gaz.geocode(r["text"])
        want = (float(r["lat"]), float(r["lon"]))
        d = km((m.lat, m.lon), want) if m and m.lat is not None else None
        n25 += d is not None and d <= 25
        n10 += d is not None and d <= 10
        if verbose and (d is None or d > 10):
            got = m.to_dict() if m else None
            print(f"  miss {r['text']!r}: {'no point' if d is None else f'{d:.0f} km'} "
                  f"-> {got and (got['name'], got['admin1'], got['score'])}", file=sys.stderr)
    return {"file": str(path), "strings": len(rows), "within_25km": round(n25 / len(rows), 3),
            "within_10km": round(n10 / len(rows), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dump", type=Path, help="GeoNames dump to import first (UA.zip)")
    ap.add_argument("--score", type=Path, action="append", default=[], help="test file to score (repeatable)")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["HARMWATCH_HOME"] = home
        from harmwatch.geo import Gazetteer
        from harmwatch.geo.gazetteer import import_dump
        if a.dump:
            t = time.perf_counter()
            n = import_dump(a.dump)
            print(f"import {a.dump.name}: {n} places in {time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        gaz = Gazetteer.default()
        load = time.perf_counter() - t
        info = gaz.info()
        print(f"Gazetteer.default(): {load:.2f} s, {info['places']} places, {info['with_point']} with a point "
              f"({info['with_point'] / info['places']:.1%})")
        strings = ["Izyum (Kharkiv Region)", "Lyman, Donetsk", "Kyiv, Borodyanka", "near Chuhuiv", "Kharkov",
                   "Kalmiuskyi district, Mariupol", "Belgorod", "Novoselivka", "Blagodatnoye, Donetsk region",
                   "village of Hroza, Kupiansk district", "Zhuravlevka", "Krasny Liman"]
        t = time.perf_counter()
        rounds = 200
        for _ in range(rounds):
            for s in strings:
                gaz.geocode(s)
        dt = time.perf_counter() - t
        print(f"geocode: {rounds * len(strings) / dt:,.0f} strings/s ({dt / (rounds * len(strings)) * 1e3:.2f} ms each)")
        for f in a.score:
            print(score(gaz, f, a.verbose))


if __name__ == "__main__":
    main()
