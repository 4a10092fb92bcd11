"""Train the segmentation model (extract/segment_model.py): part of `harmwatch train`.

Labels come from the gold files, with no per-sentence hand labelling. The gold gives each
incident's place (with its point), date, figures, objects and weapon class, not the sentences it
was read from, so every content sentence (attack wording or a figure) of a document is aligned to
the gold incident its spans agree with:

- +2 a settlement it names is the incident's place (same name, or a gazetteer candidate within
  10 km of the gold point); +1 an oblast that is the incident's admin1 when the incident has no place;
- +2 for each figure whose value is one of the incident's figures (killed, injured, children...);
- +1 a date equal to the incident's; +0.5 an object type of the incident's; +0.5 its weapon class.

A sentence goes to the incident with the highest score when that score is at least 2 and no other
incident has as much. A sentence whose figures are a gold tally's (and no incident's) is `other`;
so is one with figures that no gold incident or tally has and no place of any incident. Every other
sentence (placeless, no figure: "The missile hit a school") is not labelled, and not used.

Walking the aligned sentences in order with the gold incidents as drafts (teacher forcing), each
labelled sentence gives one row: `continue` (same incident as the last labelled one), `new` (an
incident not seen before), `rejoin` (one seen earlier), `other`. Multinomial logistic regression,
standardised features, C and class weights chosen by dev log loss. The threshold that `assemble`
uses (see segment_model.py) is chosen on the dev splits end to end, by `choose_threshold`.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from ..errors import InputError
from ..evaluate.scorer import match
from .linear import write_model
from .segment_model import CLASSES, DraftView, SegmentModel, _norm, features, is_content, view_of

GOLD_FIGURES = ("killed", "injured", "children_killed", "children_injured")
GRID_C = (0.1, 0.3, 1.0)
MIN_SCORE = 2.0


@dataclass
class SegRow:
    set: str
    doc_id: str
    sentence: int
    label: str
    gold: int | None  # the gold incident's index, or None for `other`
    features: dict[str, float]
    state: str = "gold"  # the drafts the features were read against: "gold" (teacher forcing) or "rules"

    def label_record(self) -> dict:
        return {"doc_id": self.doc_id, "sentence": self.sentence, "state": self.state, "label": self.label,
                "gold_incident": self.gold}


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(min(1.0, h)))


def _place_hit(p, g: dict) -> bool:
    if g.get("place") and _norm(p.text) == _norm(g["place"]):
        return True
    if g.get("lat") is None or g.get("lon") is None:
        return False
    return any(c.lat is not None and _km((c.lat, c.lon), (g["lat"], g["lon"])) <= 10 for c in p.candidates[:3])


def _gold_values(g: dict) -> set[int]:
    return {g[k] for k in GOLD_FIGURES if isinstance(g.get(k), int) and g[k] > 0}


def align(f, incidents: list[dict], tallies: list[dict]) -> tuple[str, int | None] | None:
    """("incident", index) / ("other", None) for one content sentence, or None when the gold does not
    say (see the module docstring)."""
    vals = [x.value for x in f.figures if x.value is not None]
    scores = []
    for g in incidents:
        s = 0.0
        if any(_place_hit(p, g) for p in f.settlements):
            s += 2
        elif not g.get("place") and g.get("admin1") and any(p.admin1 == g["admin1"] for p in f.oblasts):
            s += 1
        gv = _gold_values(g)
        s += 2 * sum(1 for v in set(vals) if v in gv)
        if g.get("date") and any(d.value.isoformat() == g["date"] for d in f.dates):
            s += 1
        if set(g.get("objects") or []) & {o.type for o in f.objects}:
            s += 0.5
        wc = g.get("weapon_class")
        if wc and wc != "unknown" and any(w.weapon_class == wc for w in f.weapons):
            s += 0.5
        scores.append(s)
    best = max(scores) if scores else 0.0
    tally_vals = {t[k] for t in tallies for k in GOLD_FIGURES if isinstance(t.get(k), int) and t[k] > 0}
    inc_vals = set().union(*(_gold_values(g) for g in incidents)) if incidents else set()
    if vals and any(v in tally_vals for v in vals) and not any(v in inc_vals for v in vals) and best < 4:
        return ("other", None)
    if best >= MIN_SCORE and scores.count(best) == 1:
        return ("incident", scores.index(best))
    if vals and not any(v in inc_vals or v in tally_vals for v in vals) \
            and not any(_place_hit(p, g) for p in f.settlements for g in incidents):
        return ("other", None)
    return None


def document_rows(set_name: str, doc_id: str, feats: list, gold_doc: dict) -> list[SegRow]:
    """One row per labelled content sentence, with the gold incidents as drafts."""
    incidents = list(gold_doc.get("incidents") or [])
    tallies = list(gold_doc.get("tallies") or [])
    views: dict[int, DraftView] = {}
    current: int | None = None
    rows = []
    for f in feats:
        if not is_content(f):
            continue
        a = align(f, incidents, tallies)
        if a is None:
            continue
        cur = views.get(current) if current is not None else None
        x = features(f, cur, [v for k, v in views.items() if k != current])
        kind, k = a
        if kind == "other":
            label = "other"
        elif k == current:
            label = "continue"
        elif k in views:
            label = "rejoin"
        else:
            label = "new"
        rows.append(SegRow(set_name, doc_id, f.sent.index, label, k, x))
        if k is not None:
            views.setdefault(k, DraftView()).add(f)
            current = k
    return rows


def _documents_state(ls):
    from .train import _documents, _load_gold, rules_state
    gold = _load_gold(ls.gold)
    for doc in _documents(ls):
        if doc.doc_id in gold:
            yield doc, rules_state(doc), gold[doc.doc_id]


def build_rows(sets: Iterable[Any], policy: bool = True) -> list[SegRow]:
    """Teacher-forced rows (gold incidents as drafts) and, with `policy`, the rows at the rules' own
    consultation points (`policy_rows`)."""
    rows: list[SegRow] = []
    for ls in sets:
        for doc, state, gdoc in _documents_state(ls):
            rows.extend(document_rows(ls.name, doc.doc_id, state["features"], gdoc))
            if policy:
                rows.extend(policy_rows(ls.name, doc.doc_id, state, gdoc))
    return rows


def rule_agreement(sets: Iterable[Any]) -> dict:
    """How often the rules put a labelled sentence with its gold incident: the sentence's rule draft made a
    claim matched (scorer's matching) to that gold incident, or, for `other`, no claim holds the sentence."""
    from .assemble import assemble
    n = right = 0
    by_label: dict[str, list[int]] = {}
    for ls in sets:
        for doc, state, gdoc in _documents_state(ls):
            trace: list = []
            assemble(state["features"], state["gazetteer"], state["text"], state["publisher"], trace=trace)
            claims = [c for _, c in trace if c is not None]
            pairs = match(gdoc.get("incidents") or [], [c.to_contract() for c in claims])
            gold_of = {id(claims[j]): i for i, j in pairs}
            where: dict[int, int | None] = {}
            for d, c in trace:
                for f in d.feats:
                    if c is not None:
                        where.setdefault(f.sent.index, gold_of.get(id(c), -1))
            for r in document_rows(ls.name, doc.doc_id, state["features"], gdoc):
                got = where.get(r.sentence)
                ok = (got is None) if r.label == "other" else (got == r.gold)
                n += 1
                right += ok
                b = by_label.setdefault(r.label, [0, 0])
                b[0] += 1
                b[1] += ok
    return {"n": n, "accuracy": round(right / n, 4) if n else None,
            "by_label": {k: {"n": v[0], "accuracy": round(v[1] / v[0], 4)} for k, v in sorted(by_label.items())}}


def _matrix(rows: list[SegRow], names: list[str]):
    import numpy as np
    return np.array([[r.features.get(n, 0.0) for n in names] for r in rows], dtype=float)


def fit(rows: list[SegRow], C: float = 1.0, class_weight: str | None = None) -> dict:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    if not rows:
        raise InputError("no labelled sentences to train the segmentation model on")
    names = sorted({k for r in rows for k in r.features})
    X = _matrix(rows, names)
    y = np.array([CLASSES.index(r.label) for r in rows])
    if sorted(set(y.tolist())) != list(range(len(CLASSES))):
        raise InputError(f"segmentation labels must cover every class {CLASSES}")
    scaler = StandardScaler().fit(X)
    scale = [float(s) if s > 0 else 1.0 for s in scaler.scale_]
    Xs = (X - scaler.mean_) / np.array(scale)
    lr = LogisticRegression(C=C, max_iter=5000, class_weight=class_weight, tol=1e-10)
    lr.fit(Xs, y)
    return {"features": names, "classes": list(CLASSES),
            "coef": [[round(float(w), 10) for w in row] for row in lr.coef_],
            "intercept": [round(float(b), 10) for b in lr.intercept_],
            "scaler": {"mean": [round(float(m), 10) for m in scaler.mean_], "scale": [round(s, 10) for s in scale]},
            "threshold": 0.0}


def evaluate_rows(model: SegmentModel, rows: list[SegRow]) -> dict:
    """Log loss, multi-class Brier score, accuracy, a confusion count and a reliability table of
    P(continue) (the probability assemble reads) on rows."""
    if not rows:
        return {"n": 0}
    ll = brier = acc = 0.0
    bins = [[0, 0.0, 0] for _ in range(5)]
    confusion: dict[str, dict[str, int]] = {c: {d: 0 for d in CLASSES} for c in CLASSES}
    for r in rows:
        p = model.proba(r.features)
        ll -= math.log(max(p[r.label], 1e-12))
        brier += sum((p[c] - (c == r.label)) ** 2 for c in CLASSES)
        top = max(p, key=p.get)
        acc += top == r.label
        confusion[r.label][top] += 1
        q = p["continue"]
        b = bins[min(4, int(q * 5))]
        b[0] += 1
        b[1] += q
        b[2] += r.label == "continue"
    n = len(rows)
    majority = max(sum(1 for r in rows if r.label == c) for c in CLASSES) / n
    return {"n": n, "log_loss": round(ll / n, 4), "brier": round(brier / n, 4), "accuracy": round(acc / n, 4),
            "majority_class_accuracy": round(majority, 4), "confusion": confusion,
            "reliability_continue": [{"bin": f"{k / 5:.1f}-{(k + 1) / 5:.1f}", "n": b[0],
                                      "mean_p": round(b[1] / b[0], 3) if b[0] else None,
                                      "observed": round(b[2] / b[0], 3) if b[0] else None}
                                     for k, b in enumerate(bins)]}


def _counts(rows: list[SegRow]) -> dict:
    out: dict[str, int] = {}
    for r in rows:
        out[r.label] = out.get(r.label, 0) + 1
    return dict(sorted(out.items()))


def default_sets(repo: Path, shared: Path):
    """(training sets, dev sets): the figure-scope model's sets plus the uk-ru train split; dev: the open set's
    and the uk-ru set's dev splits."""
    from .train import LabelledSet, default_sets as scope_sets
    train, dev = scope_sets(repo, shared)
    split = json.loads((repo / "tests" / "data" / "splits" / "uk-ru.json").read_text(encoding="utf-8"))
    ukru = repo / "tests" / "data" / "uk-ru"
    train.append(LabelledSet("uk-ru-train", ukru, ukru / "manifest.csv", ukru / "gold.jsonl", frozenset(split["train"])))
    dev.append(LabelledSet("uk-ru-dev", ukru, ukru / "manifest.csv", ukru / "gold.jsonl", frozenset(split["dev"])))
    return train, dev


def train(repo: Path, shared: Path, model_out: Path, labels_dir: Path | None = None) -> dict:
    """Build the rows, fit, choose the thresholds end to end on the dev splits, write the model with its
    record (and the derived labels); return the model dict."""
    import sklearn
    from .train import _git_commit, _where
    train_sets, dev_sets = default_sets(repo, shared)
    for ls in (*train_sets, *dev_sets):
        if not ls.manifest.is_file() or not ls.gold.is_file():
            raise InputError(f"training set {ls.name}: {ls.manifest} or {ls.gold} is missing")
    train_rows, dev_rows = build_rows(train_sets), build_rows(dev_sets)
    grid = []
    for cw in (None, "balanced"):
        for c in GRID_C:
            m = SegmentModel(fit(train_rows, c, cw))
            grid.append({"C": c, "class_weight": cw, "dev_log_loss": evaluate_rows(m, dev_rows)["log_loss"]})
    best = min(grid, key=lambda g: g["dev_log_loss"])
    data = fit(train_rows, best["C"], best["class_weight"])
    model = SegmentModel(data)
    threshold, new_threshold, table = choose_threshold(dev_sets, model)
    data["threshold"], data["new_threshold"] = threshold, new_threshold
    model = SegmentModel(data)
    docs: dict[str, list[str]] = {}
    for r in (*train_rows, *dev_rows):
        docs.setdefault(r.set, [])
        if r.doc_id not in docs[r.set]:
            docs[r.set].append(r.doc_id)
    data["trained_on"] = {
        "sets": {ls.name: {"manifest": _where(ls.manifest, repo, shared), "gold": _where(ls.gold, repo, shared),
                           "split": "train" if ls.doc_ids is not None else None,
                           "documents_with_rows": len(docs.get(ls.name, []))} for ls in train_sets},
        "dev_sets": [ls.name for ls in dev_sets],
        "doc_ids": {k: sorted(v) for k, v in docs.items()},
        "rows": len(train_rows), "label_counts": _counts(train_rows),
        "dev": {"rows": len(dev_rows), "label_counts": _counts(dev_rows)},
        "git_commit": _git_commit(repo), "sklearn": sklearn.__version__, "date": date.today().isoformat(),
        "settings": {"model": "LogisticRegression(multinomial, lbfgs)", "C": best["C"],
                     "class_weight": best["class_weight"], "grid": grid, "standardised": True,
                     "alignment_min_score": MIN_SCORE,
                     "rows": "teacher-forced (gold incidents as drafts) + the rules' own consultation points",
                     "threshold": "P(continue) below which assemble leaves a placeless figure sentence out of the "
                                  "draft the rules would join; 0 = unused; chosen end to end on the dev splits",
                     "new_threshold": "P(new) from which a figure sentence naming an earlier draft's place starts "
                                      "another attack there; 0 = unused; chosen end to end on the dev splits"},
        "dev_end_to_end": table,
        "train_metrics": evaluate_rows(model, train_rows),
        "dev_metrics": evaluate_rows(model, dev_rows),
        "rules_dev_agreement": rule_agreement(dev_sets),
    }
    return write_model(data, model_out, labels_dir, (*train_rows, *dev_rows))


THRESHOLDS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5)  # P(continue) below which leave_out vetoes
NEW_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)  # P(new) from which start_new splits
END_TO_END = ("incident_f1", "casualty_acc", "tally_f1", "invented_casualty_fields", "invented_dates")


def end_to_end(sets: Iterable[Any], model: SegmentModel, threshold: float, new_threshold: float = 0.0
               ) -> dict[str, dict]:
    """Every document of `sets` extracted by the whole pipeline with the model at `threshold`, scored per set
    with the scorer (evaluate/scorer.py): {set name: {measure: value}}."""
    from ..evaluate.scorer import score_docs
    from .pipeline import Extractor, _assemble
    from .segment_model import leave_out_rule, start_new_rule
    from .assemble import assemble
    from .train import _documents, _load_gold
    from ..ingest.language import detect_language

    veto = leave_out_rule(model, threshold)
    split = start_new_rule(model, new_threshold)

    def step(s: dict) -> dict:
        inc, tal = assemble(s["features"], s["gazetteer"], s["text"], s["publisher"], leave_out=veto,
                            start_new=split)
        return {"incidents": inc, "tallies": tal}

    from .pipeline import STEPS, Step
    steps = tuple(Step(st.name, st.requires, st.assigns, step) if st.run is _assemble else st for st in STEPS)
    ex = Extractor(steps=steps)
    out = {}
    for ls in sets:
        gold = _load_gold(ls.gold)
        pred = {}
        for doc in _documents(ls):
            lang = doc.language if doc.language and doc.language != "en" else detect_language(doc.text)
            pred[doc.doc_id] = ex.extract_text(doc.text, doc.doc_id, doc.published, doc.publisher, lang).to_contract()
        s = score_docs(gold, pred, sorted(pred)).to_dict()
        out[ls.name] = {k: s.get(k) for k in END_TO_END}
    return out


def _better(after: dict[str, dict], before: dict[str, dict]) -> bool:
    """No measure of any set worse, and at least one better."""
    gained = False
    for name, b in before.items():
        for k in END_TO_END:
            x, y = after[name].get(k), b.get(k)
            if x is None or y is None:
                continue
            lower_better = k.startswith("invented")
            if (x > y) if lower_better else (x < y):
                return False
            if x != y:
                gained = True
    return gained


def choose_threshold(sets: list[Any], model: SegmentModel) -> tuple[float, float, list[dict]]:
    """(threshold, new_threshold) assemble uses, and the table they were read from: for each decision alone,
    of the thresholds that beat the rules alone (0) on the dev sets (no measure of any set worse, one better),
    the one with the highest sum of incident_f1, casualty_acc and tally_f1; 0 (rules only) when none does."""
    def total(sc: dict) -> float:
        return sum((v.get("incident_f1") or 0) + (v.get("casualty_acc") or 0) + (v.get("tally_f1") or 0)
                   for v in sc.values())
    base = end_to_end(sets, model, 0.0, 0.0)
    table = [{"decision": "rules only", "threshold": 0.0, "scores": base}]
    chosen = []
    for decision, grid in (("leave_out", THRESHOLDS[1:]), ("start_new", NEW_THRESHOLDS)):
        rows = []
        for t in grid:
            sc = end_to_end(sets, model, t, 0.0) if decision == "leave_out" else end_to_end(sets, model, 0.0, t)
            rows.append({"decision": decision, "threshold": t, "scores": sc, "beats_rules": _better(sc, base)})
        table.extend(rows)
        good = [r for r in rows if r["beats_rules"]]
        chosen.append(max(good, key=lambda r: (total(r["scores"]), -r["threshold"]))["threshold"] if good else 0.0)
    return chosen[0], chosen[1], table


def _draft_gold(feats: list, incidents: list[dict], tallies: list[dict]) -> int | None:
    """The gold incident most of a draft's aligned sentences belong to (None when none is aligned)."""
    votes: dict[int, int] = {}
    for f in feats:
        if not is_content(f):
            continue
        a = align(f, incidents, tallies)
        if a is not None and a[1] is not None:
            votes[a[1]] = votes.get(a[1], 0) + 1
    return max(sorted(votes), key=lambda k: votes[k]) if votes else None


def policy_rows(set_name: str, doc_id: str, state: dict, gold_doc: dict) -> list[SegRow]:
    """Rows at the points where `assemble` consults the model, with the rules' own drafts as the state (the
    state the model sees at run time): the rules run unchanged, every consultation is recorded and labelled
    by the gold incident of the sentence against the gold incident of the draft the rules would join."""
    from .assemble import assemble
    incidents = list(gold_doc.get("incidents") or [])
    tallies = list(gold_doc.get("tallies") or [])
    calls: list[tuple] = []

    def record(f, target, earlier):
        calls.append((f, target, earlier))
        return False
    assemble(state["features"], state["gazetteer"], state["text"], state["publisher"], leave_out=record,
             start_new=record)
    rows = []
    for f, target, earlier in calls:
        a = align(f, incidents, tallies)
        if a is None:
            continue
        k = a[1]
        mine = _draft_gold(target, incidents, tallies)
        others = {_draft_gold(e, incidents, tallies) for e in earlier}
        label = ("other" if k is None else "continue" if k == mine else "rejoin" if k in others else "new")
        x = features(f, view_of(target), [view_of(e) for e in earlier])
        rows.append(SegRow(set_name, doc_id, f.sent.index, label, k, x, "rules"))
    return rows
