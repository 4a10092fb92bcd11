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
) -> None:
    """Train the figure-scope model: label every casualty figure from the gold annotation, fit a
    logistic regression, choose the abstention threshold on the open set's dev split, write the model
    with a record of its data. Needs the `train` extra (scikit-learn). Reproducible: same data, same file
    (apart from the record's date and commit).

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
    try:
        data = train(repo, shared, out or MODEL_PATH, labels or repo / "tests" / "data" / "scope_labels")
    except HarmWatchError as e:
        fail(e)
    rec = data["trained_on"]
    err.print(f"model written to {out or MODEL_PATH}")
    typer.echo(json.dumps({"rows": rec["rows"], "label_counts": rec["label_counts"], "threshold": data["threshold"],
                           "C": rec["settings"]["C"], "class_weight": rec["settings"]["class_weight"],
                           "dev": {k: v for k, v in rec["dev_metrics"].items() if k != "reliability"}}))
