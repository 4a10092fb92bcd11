"""Score predicted incident claims against a hand annotation (JSONL, output-contract shape).

The definitions are those of the shared scorer (`../shared/eval/score.py`), so
`harmwatch eval` and it give the same figures for every measure both report;
`harmwatch eval` adds `time_acc`, leaves the link measures out when the gold
names no `event_key`, and can restrict scoring to a split (`doc_ids`).

Matching within a document: a predicted incident is compatible with a gold one
when the places are within 30 km (or have the same name, or gold names only a
region and it is the same admin1, or gold names no place at all and they share
an object hit or a killed/injured figure) and the dates are at most one day
apart (or either is unknown). Pairs are matched greedily, closest first
(closeness: place, +0.5 same date, +0.5 x object overlap, +0.25 per equal
killed/injured figure, +0.25 same weapon class). Gold incidents marked
`optional` count neither way. Field accuracy is over matched non-optional pairs
whose gold value is known.

Invented values, over matched non-optional pairs: a casualty field (killed,
injured, children_killed) the gold leaves null but the prediction fills with a
non-zero figure is one invented casualty field; a date the gold leaves null but
the prediction fills is one invented date.

Objects: over matched non-optional pairs, each object class in both is a true
positive, only in the prediction a false positive, only in gold a false
negative. Tallies: within a document, a gold tally with at least one figure is
found by the first unused predicted tally whose figures that both state all
agree (at least one shared); predicted tallies left over are false positives;
optional gold tallies count neither way.

Precision with nothing predicted is 1.0 when nothing was missed, else 0.0.

Linking (when gold incidents carry `event_key` and predictions `incident_id`): over
the matched mentions, every pair from different documents is a gold link when the
event keys are equal and a predicted link when the incident ids are; link precision,
recall and F1 compare the two sets of pairs.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import InputError

MATCH_KM = 30.0
GEO_KM = 10.0
FIELDS = ("date", "time", "geo@10km", "admin1", "weapon_class", "weapon", "cluster", "killed", "injured", "children_killed")
CASUALTY_FIELDS = ("killed", "injured", "children_killed")

ADMIN1_ALIASES = {
    "kiev": "kyiv", "kyiv city": "kyiv", "kharkov": "kharkiv", "odessa": "odesa",
    "zaporizhzhya": "zaporizhzhia", "zaporozhye": "zaporizhzhia", "zaporizhia": "zaporizhzhia",
    "nikolaev": "mykolaiv", "mykolayiv": "mykolaiv", "dnipro": "dnipropetrovsk", "lugansk": "luhansk",
    "chernigov": "chernihiv", "zhitomir": "zhytomyr", "vinnitsa": "vinnytsia", "vinnytsya": "vinnytsia",
    "kropyvnytskyi": "kirovohrad", "rovno": "rivne", "khmelnitsky": "khmelnytskyi",
    "khmelnytskyy": "khmelnytskyi", "lvov": "lviv", "cherkassy": "cherkasy",
    "autonomous republic of crimea": "crimea",
}


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1; precision with nothing predicted is 1.0 only when nothing was missed."""
    p = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    field_ok: dict[str, int] = field(default_factory=dict)
    field_n: dict[str, int] = field(default_factory=dict)
    invented: int = 0
    invented_dates: int = 0
    obj_tp: int = 0
    obj_fp: int = 0
    obj_fn: int = 0
    tally_tp: int = 0
    tally_fp: int = 0
    tally_fn: int = 0
    docs: int = 0
    errors: list[str] = field(default_factory=list)
    link_tp: int = 0
    link_fp: int = 0
    link_fn: int = 0
    have_links: bool = False

    @property
    def precision(self) -> float:
        return prf(self.tp, self.fp, self.fn)[0]

    @property
    def recall(self) -> float:
        return prf(self.tp, self.fp, self.fn)[1]

    @property
    def f1(self) -> float:
        return prf(self.tp, self.fp, self.fn)[2]

    @property
    def objects_f1(self) -> float | None:
        return prf(self.obj_tp, self.obj_fp, self.obj_fn)[2] if self.obj_tp + self.obj_fp + self.obj_fn else None

    @property
    def tally_f1(self) -> float:
        return prf(self.tally_tp, self.tally_fp, self.tally_fn)[2]

    def accuracy(self, name: str) -> float | None:
        n = self.field_n.get(name, 0)
        return self.field_ok.get(name, 0) / n if n else None

    def to_dict(self) -> dict:
        tp_, tr_, tf_ = prf(self.tally_tp, self.tally_fp, self.tally_fn)
        of = self.objects_f1
        out = {"docs": self.docs, "incident_tp": self.tp, "incident_fp": self.fp, "incident_fn": self.fn,
               "incident_precision": round(self.precision, 3), "incident_recall": round(self.recall, 3),
               "incident_f1": round(self.f1, 3),
               "objects_f1": round(of, 3) if of is not None else None,
               "tally_tp": self.tally_tp, "tally_fp": self.tally_fp, "tally_fn": self.tally_fn,
               "tally_precision": round(tp_, 3), "tally_recall": round(tr_, 3), "tally_f1": round(tf_, 3),
               "invented_casualty_fields": self.invented, "invented_dates": self.invented_dates}
        for name in FIELDS:
            a = self.accuracy(name)
            out[f"{name}_acc"] = round(a, 3) if a is not None else None
            out[f"{name}_n"] = self.field_n.get(name, 0)
        cas_ok = sum(self.field_ok.get(k, 0) for k in ("killed", "injured"))
        cas_n = sum(self.field_n.get(k, 0) for k in ("killed", "injured"))
        out["casualty_acc"] = round(cas_ok / cas_n, 3) if cas_n else None
        if self.have_links:
            lp, lr, lf = prf(self.link_tp, self.link_fp, self.link_fn)
            out.update(link_precision=round(lp, 3), link_recall=round(lr, 3), link_f1=round(lf, 3),
                       link_gold_pairs=self.link_tp + self.link_fn)
        return out


def _norm_text(s) -> str | None:
    if s is None:
        return None
    s = re.sub(r"\b(oblast|region|province|city|raion|district|hromada)\b", " ",
               str(s).lower().replace("'", "").replace("\u2019", ""))
    s = re.sub(r"[^a-z0-9\u0400-\u04ff]+", " ", s).strip()
    return s or None


def _norm_admin1(s) -> str | None:
    s = _norm_text(s)
    return ADMIN1_ALIASES.get(s, s) if s else None


def _km(a, b) -> float:
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b["lon"] - a["lon"]) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _coords(x) -> bool:
    return isinstance(x.get("lat"), (int, float)) and isinstance(x.get("lon"), (int, float))


def _date(s):
    try:
        return date.fromisoformat(str(s)[:10]) if s else None
    except ValueError:
        return None


def _place_closeness(g: dict, p: dict) -> float | None:
    if _coords(g) and _coords(p) and _km(g, p) <= MATCH_KM:
        return 1.0 - _km(g, p) / (2 * MATCH_KM)
    gp, pp = _norm_text(g.get("place")), _norm_text(p.get("place"))
    if gp and pp and gp == pp:
        return 0.9
    if not gp and _norm_admin1(g.get("admin1")) and _norm_admin1(g.get("admin1")) == _norm_admin1(p.get("admin1")):
        return 0.3
    if not gp and not g.get("admin1") and not _coords(g):
        shared = set(g.get("objects") or []) & set(p.get("objects") or [])
        if shared or any(g.get(k) is not None and g.get(k) == p.get(k) for k in ("killed", "injured")):
            return 0.1
    return None


def closeness(g: dict, p: dict) -> float | None:
    place = _place_closeness(g, p)
    if place is None:
        return None
    gd, pd = _date(g.get("date")), _date(p.get("date"))
    if gd and pd and abs((gd - pd).days) > 1:
        return None
    score = place + (0.5 if g.get("date") and g.get("date") == p.get("date") else 0.0)
    go, po = set(g.get("objects") or []), set(p.get("objects") or [])
    if go and po:
        score += 0.5 * len(go & po) / len(go | po)
    for k in ("killed", "injured"):
        if g.get(k) is not None and g.get(k) == p.get(k):
            score += 0.25
    if g.get("weapon_class") and g.get("weapon_class") == p.get("weapon_class"):
        score += 0.25
    return score


def match(golds: list[dict], preds: list[dict]) -> list[tuple[int, int]]:
    cands = sorted(((c, i, j) for i, g in enumerate(golds) for j, p in enumerate(preds)
                    if (c := closeness(g, p)) is not None), reverse=True)
    used_g, used_p, pairs = set(), set(), []
    for _, i, j in cands:
        if i not in used_g and j not in used_p:
            used_g.add(i), used_p.add(j), pairs.append((i, j))
    return pairs


def _field(score: Score, name: str, ok: bool) -> None:
    score.field_n[name] = score.field_n.get(name, 0) + 1
    score.field_ok[name] = score.field_ok.get(name, 0) + int(ok)


def _weapon_tokens(s: str | None) -> set[str]:
    s = (s or "").lower()
    toks = {t for t in re.findall(r"[a-z\u0400-\u04ff]+|\d+", s) if len(t) >= 4 or any(ch.isdigit() for ch in t)}
    compact = re.sub(r"[^a-z0-9\u0400-\u04ff]", "", s)
    return toks | ({compact} if compact else set())


def _weapon_ok(g: str, p: str | None) -> bool:
    return bool(_weapon_tokens(g) & _weapon_tokens(p))


def _figures(t: dict) -> bool:
    return any(t.get(k) is not None for k in CASUALTY_FIELDS)


def _tallies(s: Score, doc_id: str, gold: list[dict], pred: list[dict]) -> None:
    gt, pt = [t for t in gold if _figures(t)], [t for t in pred if _figures(t)]
    used: set[int] = set()
    for t in gt:
        hit = None
        for j, q in enumerate(pt):
            if j in used:
                continue
            both = [k for k in CASUALTY_FIELDS if t.get(k) is not None and q.get(k) is not None]
            if both and all(t[k] == q[k] for k in both):
                hit = j
                break
        if hit is not None:
            used.add(hit)
        if not t.get("optional"):
            if hit is None:
                s.tally_fn += 1
                s.errors.append(f"{doc_id}: missed tally {_tally_text(t)}")
            else:
                s.tally_tp += 1
    s.tally_fp += len(pt) - len(used)
    for j, q in enumerate(pt):
        if j not in used:
            s.errors.append(f"{doc_id}: extra tally {_tally_text(q)}")


def _tally_text(t: dict) -> str:
    figures = " ".join(f"{k} {t[k]}" for k in CASUALTY_FIELDS if t.get(k) is not None)
    return f"{t.get('scope') or '(no scope)'}: {figures}"


def _links(s: Score, mentions: list[tuple[str, str | None, str | None]]) -> None:
    """Pairwise link counts over matched mentions (doc_id, event_key, incident_id) of different documents."""
    s.have_links = any(e for _, e, _ in mentions) and any(i for _, _, i in mentions)
    if not s.have_links:
        return
    for x in range(len(mentions)):
        for y in range(x + 1, len(mentions)):
            (da, ea, ia), (db, eb, ib) = mentions[x], mentions[y]
            if da == db:
                continue
            gold_link, pred_link = bool(ea) and ea == eb, bool(ia) and ia == ib
            s.link_tp += gold_link and pred_link
            s.link_fp += pred_link and not gold_link
            s.link_fn += gold_link and not pred_link


def _pair(s: Score, doc_id: str, gg: dict, pp: dict) -> None:
    s.tp += 1
    if gg.get("date"):
        _field(s, "date", gg["date"] == pp.get("date"))
    elif pp.get("date"):
        s.invented_dates += 1
        s.errors.append(f"{doc_id}: {gg.get('event_key') or gg.get('place')}: date not in the text, predicted {pp['date']}")
    if gg.get("time"):
        _field(s, "time", gg["time"] == pp.get("time"))
    if _coords(gg):
        _field(s, "geo@10km", _coords(pp) and _km(gg, pp) <= GEO_KM)
    if gg.get("admin1"):
        _field(s, "admin1", _norm_admin1(gg["admin1"]) == _norm_admin1(pp.get("admin1")))
    _field(s, "weapon_class", (gg.get("weapon_class") or "unknown") == (pp.get("weapon_class") or "unknown"))
    if gg.get("weapon"):
        _field(s, "weapon", _weapon_ok(gg["weapon"], pp.get("weapon")))
    if gg.get("cluster") is not None:
        _field(s, "cluster", bool(gg["cluster"]) == bool(pp.get("cluster")))
    for k in CASUALTY_FIELDS:
        if gg.get(k) is not None:
            _field(s, k, gg[k] == pp.get(k))
            if gg[k] != pp.get(k):
                s.errors.append(f"{doc_id}: {gg.get('event_key') or gg.get('place')}: {k} gold {gg[k]} predicted {pp.get(k)}")
        elif pp.get(k):
            s.invented += 1
            s.errors.append(f"{doc_id}: {gg.get('event_key') or gg.get('place')}: {k} not in the text, predicted {pp[k]}")
    go, po = set(gg.get("objects") or []), set(pp.get("objects") or [])
    s.obj_tp += len(go & po)
    s.obj_fp += len(po - go)
    s.obj_fn += len(go - po)


def score_docs(gold: dict[str, dict], pred: dict[str, dict], doc_ids: Iterable[str] | None = None) -> Score:
    """Score `pred` against `gold` (both doc_id -> record); with `doc_ids`, only those documents."""
    if doc_ids is not None:
        keep = set(doc_ids)
        if not keep & gold.keys():
            raise InputError("no document of the split is in the gold file")
        gold = {d: r for d, r in gold.items() if d in keep}
        pred = {d: r for d, r in pred.items() if d in keep}
    s = Score(docs=len(gold))
    mentions: list[tuple[str, str | None, str | None]] = []
    for doc_id, g in gold.items():
        p = pred.get(doc_id) or {}
        gi, pi = g.get("incidents") or [], p.get("incidents") or []
        pairs = match(gi, pi)
        for i, j in pairs:
            mentions.append((doc_id, gi[i].get("event_key"), pi[j].get("incident_id")))
            if not gi[i].get("optional"):
                _pair(s, doc_id, gi[i], pi[j])
        matched_g = {i for i, _ in pairs}
        matched_p = {j for _, j in pairs}
        for j, pp in enumerate(pi):
            if j not in matched_p:
                s.fp += 1
                s.errors.append(f"{doc_id}: extra incident {pp.get('place')} {pp.get('date')}")
        for i, gg in enumerate(gi):
            if i not in matched_g and not gg.get("optional"):
                s.fn += 1
                s.errors.append(f"{doc_id}: missed {gg.get('event_key') or gg.get('place')}")
        _tallies(s, doc_id, g.get("tallies") or [], p.get("tallies") or [])
    for doc_id, p in pred.items():
        if doc_id not in gold:
            s.fp += len(p.get("incidents") or [])
    _links(s, mentions)
    return s


def load_jsonl(path: str | Path) -> dict[str, dict]:
    out = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read: {e}") from e
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{path}:{n}: not JSON: {e.msg}") from e
        if not isinstance(rec, dict) or "doc_id" not in rec:
            raise InputError(f"{path}:{n}: each line must be an object with a doc_id")
        out[str(rec["doc_id"])] = rec
    return out


def load_split(spec: str) -> list[str]:
    """`FILE:NAME` -> the doc_ids listed under NAME in the JSON split file FILE."""
    path, sep, name = str(spec).rpartition(":")
    if not sep or not path or not name:
        raise InputError(f"--split {spec}: expected FILE:NAME, e.g. tests/data/splits/open.json:test")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read: {e}") from e
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: not JSON: {e.msg}") from e
    ids = data.get(name) if isinstance(data, dict) else None
    if not isinstance(ids, list) or not all(isinstance(d, str) for d in ids):
        names = sorted(k for k, v in data.items() if isinstance(v, list)) if isinstance(data, dict) else []
        raise InputError(f"{path}: no split named {name!r} (splits: {', '.join(names) or 'none'})")
    return ids


def evaluate(gold_path: str | Path, pred_path: str | Path, split: str | None = None) -> Score:
    """Score a prediction file against a gold file; `split` (`FILE:NAME`) keeps only that split's documents."""
    doc_ids = load_split(split) if split else None
    return score_docs(load_jsonl(gold_path), load_jsonl(pred_path), doc_ids)
