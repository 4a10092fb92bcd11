"""The small linear models' shared runtime: multinomial logistic regression read from JSON.

Both learned steps (the figure-scope model, scope.py, and the segmentation model, segment_model.py)
are trained by scikit-learn (extract/train.py, train_segment.py) but run without it: standardise,
dot product, softmax. Each subclass names its error class, its label in messages and its classes.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import ClassVar

from ..errors import HarmWatchError


class LinearModel:
    """Multinomial logistic regression read from JSON: standardise, dot product, softmax."""

    label: ClassVar[str] = "model"
    error: ClassVar[type[HarmWatchError]] = HarmWatchError
    expected_classes: ClassVar[tuple[str, ...]] = ()
    default_threshold: ClassVar[float | None] = None  # None: the file must give one
    default_path: ClassVar[Path | None] = None  # the packaged model file `load()` reads without a path

    def __init__(self, data: dict):
        try:
            self.features: list[str] = list(data["features"])
            self.classes: list[str] = list(data["classes"])
            self.coef: list[list[float]] = [list(map(float, r)) for r in data["coef"]]
            self.intercept: list[float] = list(map(float, data["intercept"]))
            self.mean: list[float] = list(map(float, data["scaler"]["mean"]))
            self.scale: list[float] = list(map(float, data["scaler"]["scale"]))
            t = data["threshold"] if self.default_threshold is None else data.get("threshold", self.default_threshold)
            self.threshold: float = float(t)
        except (KeyError, TypeError, ValueError) as e:
            raise self.error(f"{self.label}: malformed ({e!r})") from e
        n = len(self.features)
        if (len(self.coef) != len(self.classes) or any(len(r) != n for r in self.coef)
                or len(self.intercept) != len(self.classes) or len(self.mean) != n or len(self.scale) != n):
            raise self.error(f"{self.label}: the sizes of features, classes and coefficients disagree")
        if sorted(self.classes) != sorted(self.expected_classes):
            raise self.error(f"{self.label}: classes must be {list(self.expected_classes)}, not {self.classes}")
        self.data = data

    @classmethod
    def load(cls, path: str | Path | None = None):
        path = path if path is not None else cls.default_path
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise cls.error(f"{path}: cannot read the {cls.label}: {e}") from e
        return cls(data)

    def proba(self, x: dict[str, float]) -> dict[str, float]:
        v = [(x.get(name, 0.0) - m) / s for name, m, s in zip(self.features, self.mean, self.scale)]
        logits = [b + sum(w * a for w, a in zip(row, v)) for row, b in zip(self.coef, self.intercept)]
        top = max(logits)
        ex = [math.exp(z - top) for z in logits]
        total = sum(ex)
        return {c: e / total for c, e in zip(self.classes, ex)}


def write_model(data: dict, model_out: Path, labels_dir: Path | None, rows) -> dict:
    """Write a trained model's JSON and, if asked, its derived labels as one JSONL file per set."""
    model_out.parent.mkdir(parents=True, exist_ok=True)
    model_out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if labels_dir is not None:
        labels_dir.mkdir(parents=True, exist_ok=True)
        by_set: dict[str, list] = {}
        for r in rows:
            by_set.setdefault(r.set, []).append(r)
        for name, rs in by_set.items():
            with (labels_dir / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
                for r in rs:
                    fh.write(json.dumps(r.label_record()) + "\n")
    return data
