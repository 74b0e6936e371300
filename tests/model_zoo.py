"""Models of other families for the model-kind tests: importable, so a trusted pickle of them loads."""

from __future__ import annotations

import numpy as np
import pandas as pd


class ScoreFunction:
    """A user's own model: a plain function of the frame wrapped in a class with ``predict_proba``."""

    def __init__(self, weights: dict[str, float], intercept: float) -> None:
        self.weights, self.intercept = dict(weights), float(intercept)

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        z = np.full(len(frame), self.intercept)
        for name, w in self.weights.items():
            z = z + w * np.nan_to_num(frame[name].to_numpy(dtype=float))
        p = 1.0 / (1.0 + np.exp(-z))
        return np.column_stack([1.0 - p, p])


class PredictOnly:
    """A regressor-like model with ``predict`` and no probabilities: it cannot be explained as a PD model."""

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return np.zeros(len(frame))
