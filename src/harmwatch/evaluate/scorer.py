"""Score predicted incident claims against a hand annotation (JSONL, output-contract shape).

Matching within a document: a predicted incident is compatible with a gold one
when the places are within 30 km (or share a name, or gold names only an oblast
and it is the same), and the dates are at most one day apart (or either is
unknown). Pairs are matched greedily, closest first. Gold incidents marked
`optional` count neither way. Field accuracy is over matched pairs whose gold
value is known.

Linking (when gold incidents carry `event_key` and predictions `incident_id`): over
the matched mentions, every pair from different documents is a gold link when the
event keys are equal and a predicted link when the incident ids are; link precision,
recall and F1 compare the two sets of pairs.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import InputError

MATCH_KM = 30.0
GEO_KM = 10.0
FIELDS = ("date", "time", "geo@10km", "admin1", "weapon_class", "weapon", "cluster", "killed", "injured", "children_killed")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    field_ok: dict[str, int] = field(default_factory=dict)
    field_n: dict[str, int] = field(default_factory=dict)
    invented: int = 0
    errors: list[str] = field(default_factory=list)
    link_tp: int = 0
    link_fp: int = 0
    link_fn: int = 0
    have_links: bool = False

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, name: str) -> float | None:
        n = self.field_n.get(name, 0)
        return self.field_ok.get(name, 0) / n if n else None

    def to_dict(self) -> dict:
        out = {"incident_tp": self.tp, "incident_fp": self.fp, "incident_fn": self.fn,
               "incident_precision": round(self.precision, 3), "incident_recall": round(self.recall, 3),
               "incident_f1": round(self.f1, 3), "invented_casualty_fields": self.invented}
        for name in FIELDS:
            a = self.accuracy(name)
            out[f"{name}_acc"] = round(a, 3) if a is not None else None
            out[f"{name}_n"] = self.field_n.get(name, 0)
        if self.have_links:
            lp = self.link_tp / (self.link_tp + self.link_fp) if self.link_tp + self.link_fp else 1.0
            lr = self.link_tp / (self.link_tp + self.link_fn) if self.link_tp + self.link_fn else 1.0
            out.update(link_precision=round(lp, 3), link_recall=round(lr, 3),
                       link_f1=round(2 * lp * lr / (lp + lr), 3) if lp + lr else 0.0,
                       link_gold_pairs=self.link_tp + self.link_fn)
        return out


def _norm(s) -> str | None:
    if s is None:
        return None
    s = re.sub(r"\b(oblast|region|province|city|raion|district)\b", " ", str(s).lower().replace("'", "").replace("’", ""))
    s = re.sub(r"[^a-z0-9\u0400-\u04ff]+", " ", s).strip()
    return {"kyiv city": "kyiv", "kiev": "kyiv", "kharkov": "kharkiv", "zaporizhzhya": "zaporizhzhia",
            "odessa": "odesa", "mykolayiv": "mykolaiv"}.get(s, s) or None


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


def closeness(g: dict, p: dict) -> float | None:
    place = None
    if _coords(g) and _coords(p) and _km(g, p) <= MATCH_KM:
        place = 1.0 - _km(g, p) / (2 * MATCH_KM)
    elif _norm(g.get("place")) and _norm(g.get("place")) == _norm(p.get("place")):
        place = 0.9
    elif not g.get("place") and _norm(g.get("admin1")) and _norm(g.get("admin1")) == _norm(p.get("admin1")):
        place = 0.3
    elif not g.get("place") and not g.get("admin1") and not _coords(g):
        shared = set(g.get("objects") or []) & set(p.get("objects") or [])
        if shared or any(g.get(k) is not None and g.get(k) == p.get(k) for k in ("killed", "injured")):
            place = 0.1
    if place is None:
        return None
    gd, pd = _date(g.get("date")), _date(p.get("date"))
    if gd and pd and abs((gd - pd).days) > 1:
        return None
    score = place + (0.5 if gd and gd == pd else 0.0)
    for k in ("killed", "injured"):
        if g.get(k) is not None and g.get(k) == p.get(k):
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


def _weapon_ok(g: str, p: str | None) -> bool:
    toks = lambda s: {t for t in re.findall(r"[a-z\u0400-\u04ff]+|\d+", (s or "").lower()) if len(t) >= 4 or t.isdigit()}
    return bool(toks(g) & toks(p))


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


def score_docs(gold: dict[str, dict], pred: dict[str, dict]) -> Score:
    s = Score()
    mentions: list[tuple[str, str | None, str | None]] = []
    for doc_id, g in gold.items():
        gi = g.get("incidents") or []
        pi = (pred.get(doc_id) or {}).get("incidents") or []
        pairs = match(gi, pi)
        for i, j in pairs:
            gg, pp = gi[i], pi[j]
            mentions.append((doc_id, gg.get("event_key"), pp.get("incident_id")))
            if gg.get("optional"):
                continue
            s.tp += 1
            if gg.get("date"):
                _field(s, "date", gg["date"] == pp.get("date"))
            if gg.get("time"):
                _field(s, "time", gg["time"] == pp.get("time"))
            if _coords(gg):
                _field(s, "geo@10km", _coords(pp) and _km(gg, pp) <= GEO_KM)
            if gg.get("admin1"):
                _field(s, "admin1", _norm(gg["admin1"]) == _norm(pp.get("admin1")))
            _field(s, "weapon_class", (gg.get("weapon_class") or "unknown") == (pp.get("weapon_class") or "unknown"))
            if gg.get("weapon"):
                _field(s, "weapon", _weapon_ok(gg["weapon"], pp.get("weapon")))
            if gg.get("cluster") is not None:
                _field(s, "cluster", bool(gg["cluster"]) == bool(pp.get("cluster")))
            for k in ("killed", "injured", "children_killed"):
                if gg.get(k) is not None:
                    _field(s, k, gg[k] == pp.get(k))
                    if gg[k] != pp.get(k):
                        s.errors.append(f"{doc_id}: {gg.get('event_key') or gg.get('place')}: {k} gold {gg[k]} predicted {pp.get(k)}")
                elif pp.get(k):
                    s.invented += 1
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


def evaluate(gold_path: str | Path, pred_path: str | Path) -> Score:
    return score_docs(load_jsonl(gold_path), load_jsonl(pred_path))
