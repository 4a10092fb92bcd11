"""`harmwatch train`: fit the figure-scope model from the annotated sets (extract/train.py)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from ..errors import HarmWatchError
from .common import err, fail

_REPO = Path(__file__).resolve().parents[3]


def register(app: typer.Typer) -> None:
    app.command("train")(train_cmd)


def train_cmd(
    repo: Path = typer.Option(_REPO, "--repo", help="The checkout holding tests/data (the project's annotated sets)."),
    shared: Path = typer.Option(None, "--shared", help="The shared corpora folder with corpus/open and "
                                                       "eval/open/gold.jsonl (default: ../shared beside the checkout)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Model file to write (default: the packaged "
                                                                 "src/harmwatch/data/scope_model.json)."),
    labels: Optional[Path] = typer.Option(None, "--labels", help="Folder for the derived per-figure labels "
                                                                  "(default: tests/data/scope_labels in the checkout)."),
    segment_out: Optional[Path] = typer.Option(None, "--segment-out", help="Segmentation model file to write "
                                               "(default: the packaged src/harmwatch/data/segment_model.json)."),
    attach_out: Optional[Path] = typer.Option(None, "--attach-out", help="Figure-attachment model file to write "
                                              "(default: the packaged src/harmwatch/data/attach_model.json)."),
) -> None:
    """Train the three extraction models. First the figure-attachment model (incident, field, figure -> is
    this figure the incident's value?): fit on the training sets, its thresholds chosen on the calibration
    set the rules were never tuned on (train9). Then the figure-scope model: label every casualty figure from the gold
    annotation, fit a logistic regression, choose the abstention threshold on the open set's dev split. The
    segmentation model (sentence -> continue / new / rejoin / other attack): label sentences by aligning
    them to the gold incidents, fit, choose its thresholds end to end on the dev splits (0 = rules only).
    Each is written with a record of its data (labels in tests/data/attach_labels, scope_labels and
    segment_labels). The scope and segmentation models are trained on what the packaged attachment model
    gives.
    Needs the `train` extra (scikit-learn). Reproducible: same data, same files (apart from the records'
    date and commit).

    Example: `harmwatch train --shared ../shared` (then `git diff src/harmwatch/data/scope_model.json`)
    """
    from ..extract.scope import MODEL_PATH
    try:
        from ..extract.train import train
    except ImportError as e:  # pragma: no cover - the module imports nothing optional at top level
        fail(e)
    shared = shared or repo.parent / "shared"
    try:
        import sklearn  # noqa: F401
    except ImportError as e:
        fail(HarmWatchError(f"training needs scikit-learn: pip install -e '.[train]' ({e})"))
    from ..extract.attach import MODEL_PATH as ATTACH_PATH, default_model as attach_model
    from ..extract.train_attach import train as train_attach
    try:
        att = train_attach(repo, shared, attach_out or ATTACH_PATH, repo / "tests" / "data" / "attach_labels")
    except HarmWatchError as e:
        fail(e)
    attach_model.cache_clear()  # the scope model learns from what the new attachment model gives
    rec = att["trained_on"]
    err.print(f"attachment model written to {attach_out or ATTACH_PATH}")
    typer.echo(json.dumps({"model": "attach", "rows": rec["rows"], "label_counts": rec["label_counts"],
                           "fill": att["fill"], "switch": att["switch"], "C": rec["settings"]["C"],
                           "dev_log_loss": rec["dev"]["dev_log_loss"],
                           "calibration_log_loss": rec["calibration_log_loss"]}))
    try:
        data = train(repo, shared, out or MODEL_PATH, labels or repo / "tests" / "data" / "scope_labels")
    except HarmWatchError as e:
        fail(e)
    rec = data["trained_on"]
    err.print(f"model written to {out or MODEL_PATH}")
    typer.echo(json.dumps({"rows": rec["rows"], "label_counts": rec["label_counts"], "threshold": data["threshold"],
                           "C": rec["settings"]["C"], "class_weight": rec["settings"]["class_weight"],
                           "dev": {k: v for k, v in rec["dev_metrics"].items() if k != "reliability"}}))
    from ..extract.segment_model import MODEL_PATH as SEGMENT_PATH
    from ..extract.train_segment import train as train_segment
    try:
        seg = train_segment(repo, shared, segment_out or SEGMENT_PATH, repo / "tests" / "data" / "segment_labels")
    except HarmWatchError as e:
        fail(e)
    rec = seg["trained_on"]
    err.print(f"segmentation model written to {segment_out or SEGMENT_PATH}")
    typer.echo(json.dumps({"model": "segment", "rows": rec["rows"], "label_counts": rec["label_counts"],
                           "threshold": seg["threshold"], "new_threshold": seg["new_threshold"],
                           "dev": {k: v for k, v in rec["dev_metrics"].items()
                                   if k not in ("reliability_continue", "confusion")}}))
