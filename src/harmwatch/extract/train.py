"""Train the figure-scope model (extract/scope.py) from annotated sets: `harmwatch train`.

For every document of the training sets the rules run (segment, annotate, assemble);
each casualty figure they found becomes a row (scope.candidates) and is labelled from
the gold annotation, with no manual per-figure labelling:

- a figure the rules put in an incident field: "incident" when the incident matches a gold
  incident (the scorer's matching, evaluate/scorer.py) whose same field has the field's
  value; else "tally" when a gold tally of the document has that value in that field; else
  "none" (combatants, a threat, a retracted figure, another attack, or wrongly pinned);
- a figure in a tally field: "tally" when a gold tally has the value in that field, else
  "incident" when a gold incident has it, else "none";
- a figure the rules left unused: "incident" when some gold incident of the document has
  that value in the figure's field, "tally" when a gold tally has, else "none".

Only fields the annotation covers (killed, injured, children_killed) are labelled.
A multinomial logistic regression (scikit-learn, standardised features) is fitted on the
training rows; the abstention threshold is chosen on the dev rows together with the
training rows scored out of fold (5 folds by document); the model, the
threshold and a record of the data (`trained_on`) are written as JSON. scikit-learn is
needed here only, never at run time.
"""
from __future__ import annotations

import csv
import json
import math
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from ..errors import InputError
from ..evaluate.scorer import match
from .linear import write_model
from ..ingest.language import detect_language
from .scope import CLASSES, Candidate, ScopeModel, candidates, keep_score

LABELLED_FIELDS = ("killed", "injured", "children_killed")
PROJECT_SETS = ("annotated", "heldout", "heldout2", "heldout3", "train2", "train3", "train4", "train5", "train6", "train7",
                "train8", "train9", "train10")
# written after the rules and never read to write them: they keep showing the rules' errors on new reports
# only while no model is fitted on them and no rule is written from them
CALIBRATION_SETS = ("train9", "train10")
# 0.05 .. 0.25: the one threshold (setting `scope-threshold`) also withholds dates whose rule confidence is below it,
# and a date given only by the publication day or a wire dateline (scope.DATE_CONFIDENCE "publication", 0.3) is
# kept, as the annotation keeps it; so the figures' threshold is chosen below that confidence
THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(1, 6))
WRONG_KEEP_COST = 2.0  # keeping a figure that is not the incident's costs twice withholding a right one
GRID_C = (0.1, 0.3, 1.0)  # regularisation strengths tried; the one with the lowest dev log loss is kept


@dataclass
class LabelledSet:
    name: str
    docs: Path  # folder the manifest's file paths are relative to
    manifest: Path
    gold: Path
    doc_ids: frozenset[str] | None = None  # a split's documents; None for all


@dataclass
class Row:
    set: str
    doc_id: str
    start: int
    end: int
    value: int
    role: str
    field: str
    placement: str
    label: str
    features: dict[str, float]

    def label_record(self) -> dict:
        return {"doc_id": self.doc_id, "span": [self.start, self.end], "value": self.value, "role": self.role,
                "field": self.field, "placement": self.placement, "label": self.label}


def default_sets(repo: Path, shared: Path, calibration: bool = False) -> tuple[list[LabelledSet], list[LabelledSet]]:
    """(training sets, dev sets): the project's annotated sets and the open set's train split; its dev split.
    The calibration sets (CALIBRATION_SETS) only with `calibration`: they train no model, they choose the
    attachment model's thresholds (train_attach.py)."""
    names = [n for n in PROJECT_SETS if calibration or n not in CALIBRATION_SETS]
    train = [LabelledSet(n, repo / "tests" / "data" / n, repo / "tests" / "data" / n / "manifest.csv",
                         repo / "tests" / "data" / n / "gold.jsonl") for n in names]
    splits = json.loads((repo / "tests" / "data" / "splits" / "open.json").read_text(encoding="utf-8"))
    open_docs, open_gold = shared / "corpus" / "open", shared / "eval" / "open" / "gold.jsonl"
    train.append(LabelledSet("open-train", open_docs, open_docs / "manifest.csv", open_gold, frozenset(splits["train"])))
    dev = [LabelledSet("open-dev", open_docs, open_docs / "manifest.csv", open_gold, frozenset(splits["dev"]))]
    return train, dev


def _load_gold(path: Path) -> dict[str, dict]:
    try:
        return {r["doc_id"]: r for r in (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                                          if line.strip())}
    except (OSError, json.JSONDecodeError, KeyError) as e:
        raise InputError(f"{path}: cannot read the gold annotation: {e}") from e


def _documents(ls: LabelledSet):
    from ..ingest import load_manifest
    from ..ingest.readers import read_file
    man = load_manifest(ls.manifest)
    for row in sorted(man, key=lambda r: r.doc_id):
        if ls.doc_ids is not None and row.doc_id not in ls.doc_ids:
            continue
        for doc in read_file(row.file, row):
            yield doc


def rules_state(doc, extractor=None, until: str = "scope") -> dict[str, Any]:
    """Run the steps before `until` (by default every step before `scope`) and return the pipeline state."""
    from .pipeline import STEPS, default_extractor
    ex = extractor or default_extractor()
    # the language as ingest would store it, so training sees the features production computes
    language = doc.language if doc.language and doc.language != "en" else detect_language(doc.text)
    state: dict[str, Any] = {"text": doc.text, "published": doc.published, "publisher": doc.publisher,
                             "gazetteer": ex.gazetteer, "catalogue": ex.catalogue, "language": language}
    for step in STEPS:
        if step.name == until:
            break
        state.update(step.run(state))
    return state


def label(cand: Candidate, gold_doc: dict, matched: dict[int, dict]) -> str:
    """The gold label of one candidate (see the module docstring)."""
    f, v = cand.field, cand.value
    gi = [g for g in gold_doc.get("incidents") or [] if not g.get("optional")]
    gt = gold_doc.get("tallies") or []
    in_tally = any(t.get(f) == v for t in gt)
    in_incident = any(g.get(f) == v for g in gi)
    if cand.placement == "incident":
        g = matched.get(cand.claim)
        if g is not None and g.get(f) == v:
            return "incident"
        return "tally" if in_tally else "none"
    if cand.placement == "tally":
        return "tally" if in_tally else "incident" if in_incident else "none"
    return "incident" if in_incident else "tally" if in_tally else "none"


def build_rows(sets: Iterable[LabelledSet]) -> list[Row]:
    rows: list[Row] = []
    for ls in sets:
        gold = _load_gold(ls.gold)
        for doc in _documents(ls):
            if doc.doc_id not in gold:
                continue
            state = rules_state(doc)
            incidents, tallies = state["incidents"], state["tallies"]
            gdoc = gold[doc.doc_id]
            pairs = match(gdoc.get("incidents") or [], [c.to_contract() for c in incidents])
            matched = {j: gdoc["incidents"][i] for i, j in pairs}
            for cand in candidates(state["features"], incidents, tallies, state["text"]):
                if cand.field not in LABELLED_FIELDS:
                    continue
                rows.append(Row(ls.name, doc.doc_id, cand.figure.start, cand.figure.end, cand.value,
                                cand.figure.role, cand.field, cand.placement, label(cand, gdoc, matched),
                                cand.features))
    return rows


def _matrix(rows: list[Row], names: list[str]):
    import numpy as np
    return np.array([[r.features.get(n, 0.0) for n in names] for r in rows], dtype=float)


def standardised(rows: list) -> tuple[list[str], Any, dict]:
    """(feature names, the rows' standardised matrix, the scaler as the model file stores it); a feature that
    never varies keeps scale 1."""
    import numpy as np
    from sklearn.preprocessing import StandardScaler
    names = sorted(rows[0].features)
    X = _matrix(rows, names)
    scaler = StandardScaler().fit(X)
    scale = [float(s) if s > 0 else 1.0 for s in scaler.scale_]
    return names, (X - scaler.mean_) / np.array(scale), {"mean": [round(float(m), 10) for m in scaler.mean_],
                                                        "scale": [round(s, 10) for s in scale]}


def fit(train_rows: list[Row], C: float = 1.0, class_weight: str | None = None) -> dict:
    """Fit the model; return its JSON-ready dict (without threshold and record)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    if not train_rows:
        raise InputError("no labelled figures to train on: check the sets' manifests and gold files")
    names, Xs, scaler = standardised(train_rows)
    y = np.array([CLASSES.index(r.label) for r in train_rows])
    lr = LogisticRegression(C=C, max_iter=5000, class_weight=class_weight, tol=1e-10)
    lr.fit(Xs, y)
    # classes present in training in CLASSES order (every class must occur)
    if list(lr.classes_) != list(range(len(CLASSES))):
        raise InputError(f"training labels must cover every class {CLASSES}")
    return {"features": names, "classes": list(CLASSES),
            "coef": [[round(float(w), 10) for w in row] for row in lr.coef_],
            "intercept": [round(float(b), 10) for b in lr.intercept_],
            "scaler": scaler, "threshold": 0.0}


def evaluate_rows(model: ScopeModel, rows: list[Row]) -> dict:
    """Log loss, multi-class Brier score, accuracy and a reliability table of P(placement) on rows."""
    if not rows:
        return {"n": 0}
    ll = brier = acc = 0.0
    bins = [[0, 0.0, 0] for _ in range(5)]  # n, sum p, n right, per fifth of [0,1]
    for r in rows:
        p = model.proba(r.features)
        ll -= math.log(max(p[r.label], 1e-12))
        brier += sum((p[c] - (c == r.label)) ** 2 for c in CLASSES)
        acc += max(p, key=p.get) == r.label
        if r.placement in ("incident", "tally"):
            q = p[r.placement]
            b = bins[min(4, int(q * 5))]
            b[0] += 1
            b[1] += q
            b[2] += r.label == r.placement
    n = len(rows)
    return {"n": n, "log_loss": round(ll / n, 4), "brier": round(brier / n, 4), "accuracy": round(acc / n, 4),
            "reliability": [{"bin": f"{k / 5:.1f}-{(k + 1) / 5:.1f}", "n": b[0],
                             "mean_p": round(b[1] / b[0], 3) if b[0] else None,
                             "observed": round(b[2] / b[0], 3) if b[0] else None} for k, b in enumerate(bins)]}


def event_groups(sets: Iterable[LabelledSet]) -> dict[str, str]:
    """"set/doc_id" -> a group name: documents whose gold incidents share an event_key (two reports of one
    attack) are one group, so that out-of-fold scoring never sees another report of the same event."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for ls in sets:
        for doc_id, g in _load_gold(ls.gold).items():
            if ls.doc_ids is not None and doc_id not in ls.doc_ids:
                continue
            me = find(f"{ls.name}/{doc_id}")
            for inc in g.get("incidents") or []:
                if inc.get("event_key"):
                    ev = find(f"event:{inc['event_key']}")
                    if ev != me:
                        parent[max(ev, me)] = min(ev, me)
                        me = find(me)
    return {k: find(k) for k in list(parent) if not k.startswith("event:")}


def fold_splits(rows: list, folds: int = 5, groups: dict[str, str] | None = None):
    """(held-out rows, the other rows) for each of `folds` folds by document, or by `groups` of documents about
    the same events; stable (a hash of the key). Rows need `set` and `doc_id`."""
    import hashlib

    def key(r) -> str:
        k = f"{r.set}/{r.doc_id}"
        return (groups or {}).get(k, k)
    fold = {key(r): int(hashlib.sha256(key(r).encode()).hexdigest(), 16) % folds for r in rows}
    for k in range(folds):
        held = [r for r in rows if fold[key(r)] == k]
        if held:
            yield held, [r for r in rows if fold[key(r)] != k]


def out_of_fold(rows: list[Row], C: float, class_weight: str | None, folds: int = 5,
                groups: dict[str, str] | None = None) -> list[tuple[Row, ScopeModel]]:
    """Each training row with a model fitted without its fold (`fold_splits`)."""
    out = []
    for held, rest in fold_splits(rows, folds, groups):
        m = ScopeModel(fit(rest, C, class_weight))
        out.extend((r, m) for r in held)
    return out


def choose_threshold(scored: list[tuple[Row, ScopeModel]]) -> tuple[float, list[dict]]:
    """The threshold with the lowest cost on placed figures: withholding a right one costs 1,
    keeping a wrong one costs WRONG_KEEP_COST. Ties go to the higher threshold: where the figures cannot
    tell two thresholds apart, abstaining more is preferred (a value sent to review beats a guess)."""
    placed = [(keep_score(m.proba(r.features), r.placement), r.label == r.placement) for r, m in scored
              if r.placement in ("incident", "tally")]
    table, best = [], None
    for t in (0.0, *THRESHOLDS):
        withheld_right = sum(1 for p, ok in placed if p < t and ok)
        kept_wrong = sum(1 for p, ok in placed if p >= t and not ok)
        cost = withheld_right + WRONG_KEEP_COST * kept_wrong
        table.append({"threshold": t, "withheld_right": withheld_right, "kept_wrong": kept_wrong, "cost": cost})
        if best is None or cost <= best[1]:
            best = (t, cost)
    return best[0], table


def _git_commit(repo: Path) -> str | None:
    try:
        return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _where(path: Path, repo: Path, shared: Path) -> str:
    for root, name in ((repo, "."), (shared, "../shared")):
        try:
            return f"{name}/{path.resolve().relative_to(root.resolve())}"
        except ValueError:
            continue
    return str(path)


def _counts(rows: list[Row]) -> dict:
    out: dict[str, int] = {}
    for r in rows:
        out[r.label] = out.get(r.label, 0) + 1
    return dict(sorted(out.items()))


def train(repo: Path, shared: Path, model_out: Path, labels_dir: Path | None = None) -> dict:
    """Build the rows, fit, choose the threshold on dev, write the model (and the labels); return the model dict."""
    import sklearn
    train_sets, dev_sets = default_sets(repo, shared)
    for ls in (*train_sets, *dev_sets):
        if not ls.manifest.is_file() or not ls.gold.is_file():
            raise InputError(f"training set {ls.name}: {ls.manifest} or {ls.gold} is missing")
    train_rows, dev_rows = build_rows(train_sets), build_rows(dev_sets)
    grid = []
    for cw in (None, "balanced"):
        for c in GRID_C:
            m = ScopeModel(fit(train_rows, c, cw))
            grid.append({"C": c, "class_weight": cw, "dev_log_loss": evaluate_rows(m, dev_rows)["log_loss"]})
    best = min(grid, key=lambda g: g["dev_log_loss"])  # first of equals: the grid's order decides ties
    C, class_weight = best["C"], best["class_weight"]
    data = fit(train_rows, C, class_weight)
    model = ScopeModel(data)
    # the dev split alone has too few figures to place a threshold (23 in the first run): its rows and the
    # training rows scored out of fold (a model fitted without their documents) decide it together
    groups = event_groups(train_sets)
    threshold, table = choose_threshold([(r, model) for r in dev_rows]
                                        + out_of_fold(train_rows, C, class_weight, groups=groups))
    data["threshold"] = threshold
    model = ScopeModel(data)
    docs: dict[str, list[str]] = {}
    for r in (*train_rows, *dev_rows):
        docs.setdefault(r.set, [])
        if r.doc_id not in docs[r.set]:
            docs[r.set].append(r.doc_id)
    data["trained_on"] = {
        "sets": {ls.name: {"manifest": _where(ls.manifest, repo, shared), "gold": _where(ls.gold, repo, shared),
                           "split": "train" if ls.doc_ids is not None else None,
                           "documents_with_figures": len(docs.get(ls.name, []))} for ls in train_sets},
        "doc_ids": {k: sorted(v) for k, v in docs.items() if k != "open-dev"},
        "rows": len(train_rows), "label_counts": _counts(train_rows),
        "dev": {"set": "open-dev", "rows": len(dev_rows), "label_counts": _counts(dev_rows),
                "doc_ids": sorted(docs.get("open-dev", []))},
        "git_commit": _git_commit(repo), "sklearn": sklearn.__version__, "date": date.today().isoformat(),
        "settings": {"model": "LogisticRegression(multinomial, lbfgs)", "C": C, "class_weight": class_weight,
                     "grid": grid, "threshold_rows": "dev + training rows out of 5 folds by document groups (documents sharing a gold "
                                       "event_key are one group)",
                     "standardised": True, "threshold_cost": {"withheld_right": 1.0, "kept_wrong": WRONG_KEEP_COST}},
        "train_metrics": evaluate_rows(model, train_rows),
        "dev_metrics": evaluate_rows(model, dev_rows),
        "threshold_table": table,
    }
    return write_model(data, model_out, labels_dir, (*train_rows, *dev_rows))
