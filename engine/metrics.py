"""How well a trained network does: accuracy and the confusion matrix."""
from __future__ import annotations

import numpy as np

__all__ = ["predicted_classes", "accuracy", "confusion_matrix"]


def predicted_classes(outputs: np.ndarray) -> np.ndarray:
    """Class of each row of outputs (m, k): argmax for k > 1, output ≥ 0.5 for k = 1; shape (m,)."""
    if outputs.shape[1] == 1:
        return (outputs[:, 0] >= 0.5).astype(int)
    return np.argmax(outputs, axis=1)


def accuracy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Fraction of rows whose predicted class is the target's class (NaN for no rows)."""
    if len(targets) == 0:
        return float("nan")
    return float(np.mean(predicted_classes(outputs) == predicted_classes(targets)))


def confusion_matrix(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Counts (k, k): row = true class, column = predicted class (k ≥ 2)."""
    classes = max(2, targets.shape[1])
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (predicted_classes(targets), predicted_classes(outputs)), 1)
    return counts
