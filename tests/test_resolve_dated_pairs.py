"""The links among dated claims scored in arrays first (resolve/pairs.py, issue 10): exactly the links of
scoring every pair blocking compares with score_pair, while score_pair runs only on the pairs that can
reach the threshold."""
from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date

import pytest

from harmwatch.resolve import pairs
from harmwatch.resolve.link import MAX_KM, THRESHOLD, candidate_pairs, score_all, score_pair
from harmwatch.resolve.model import ClaimRef


def _every_pair(claims, only=None):
    """The links of scoring every pair candidate_pairs yields (what score_all did before)."""
    out = []
    for a, b in candidate_pairs(claims, only, undated_dated=False):
        link = score_pair(a, b)
        if link is not None and link.score >= THRESHOLD:
            out.append(link)
    return out


def _rows(links):
    rows = [(l.a, l.b, l.score, json.dumps(l.features, sort_keys=True)) for l in links]
    assert len(rows) == len(set(rows)), "a pair scored twice"
    return sorted(rows)


def _dense(gen, n, seed):
    """Generated claims packed into a few towns and weeks (busy cells and days, loose oblast-only claims,
    dates a day off, nearby villages), with some loose claims that keep a latitude but no longitude."""
    claims, _ = gen.generate(n, seed, towns=6, days=20)
    rng = random.Random(seed)
    return [replace(c, lon=None) if c.lat is not None and rng.random() < 0.03 else c for c in claims]


@pytest.mark.parametrize("seed", [5, 9])
def test_the_links_are_those_of_scoring_every_pair(gen, monkeypatch, seed):
    claims = _dense(gen, 1500, seed)
    calls = [0]

    def counted(a, b):
        calls[0] += 1
        return score_pair(a, b)
    monkeypatch.setattr(pairs, "score_pair", counted)
    compared = sum(1 for _ in candidate_pairs(claims, undated_dated=False))
    got = pairs.dated_links(claims)
    assert _rows(got) == _rows(_every_pair(claims))
    # the case arises: many pairs compared, most scored below the threshold in arrays and never exactly
    assert compared > 20_000 and len(got) < compared
    assert calls[0] < compared / 2


@pytest.mark.parametrize("share", [0.02, 0.3])
def test_only_the_pairs_with_a_claim_in_only(gen, share):
    claims = _dense(gen, 1200, 21)
    only = {c.key for c in random.Random(4).sample(claims, int(len(claims) * share))}
    assert _rows(pairs.dated_links(claims, only)) == _rows(_every_pair(claims, only))
    # and score_all, which an incremental run scores its new claims with, keeps the other kinds of link
    whole = score_all(claims, only)
    assert {r for r in _rows(pairs.dated_links(claims, only))} <= set(_rows(whole))


def _claim(key, doc, d=date(2024, 3, 1), **kw):
    base = dict(key=key, doc_id=doc, date=d, minutes=600, lat=50.0, lon=30.0, geonameid=None, admin1="Kyiv",
                weapon_class="drone", objects=frozenset({"residential"}), killed=2,
                words=frozenset({"drone", "attack", "apartment", "block"}))
    base.update(kw)
    return ClaimRef(**base)


def test_edges_of_the_rule():
    """Points a hair either side of MAX_KM, a point at a cell's corner, loose claims a day apart (with
    and without a latitude), one document's claims, the same settlement far apart, more kinds of object
    than the arrays hold: each as score_pair decides."""
    deg = MAX_KM / 111.19  # about MAX_KM of latitude
    claims = []
    for n in range(40):  # enough pairs for the arrays (pairs._SMALL)
        d = date(2024, 3, 1 + n % 3)
        claims += [
            _claim(f"a{n}#1", f"a{n}", d, lat=50.0 + 0.001 * n, lon=30.0),
            _claim(f"b{n}#1", f"b{n}", d, lat=50.0 + 0.001 * n + deg * (0.9998 if n % 2 else 1.0002), lon=30.0),
            _claim(f"c{n}#1", f"c{n}", d, lat=50.25, lon=30.25, minutes=None, killed=40),
            _claim(f"d{n}#1", f"d{n}", d, lat=None, lon=None, weapon_class="unknown"),
            _claim(f"e{n}#1", f"e{n}", d, lat=50.1, lon=None, objects=frozenset()),
            _claim(f"a{n}#2", f"a{n}", d, lat=50.0, lon=30.0),  # a document's second claim
            _claim(f"g{n}#1", f"g{n}", d, lat=50.2, lon=30.2, geonameid=703448, words=frozenset()),
            _claim(f"h{n}#1", f"h{n}", d, lat=50.0, lon=30.2, geonameid=703448, admin1=None),
        ]
    assert len(list(candidate_pairs(claims, undated_dated=False))) > pairs._SMALL
    assert _rows(pairs.dated_links(claims)) == _rows(_every_pair(claims))
    many = [replace(c, objects=frozenset({f"kind{n % 70}", "residential"})) for n, c in enumerate(claims)]
    assert _rows(pairs.dated_links(many)) == _rows(_every_pair(many))
