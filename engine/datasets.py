"""Built-in data sets, generated without any download.

For now the four-row truth tables the seeds train on; every set is a pair
(X, y) of float arrays, shapes (m, n0) and (m, nL).
"""
from __future__ import annotations

import numpy as np

__all__ = ["TRUTH_TABLES", "truth_table", "DATASET_NAMES"]

_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
TRUTH_TABLES = {
    "xor": np.array([[0], [1], [1], [0]], dtype=float),
    "and": np.array([[0], [0], [0], [1]], dtype=float),
    "or": np.array([[0], [1], [1], [1]], dtype=float),
}
DATASET_NAMES = tuple(TRUTH_TABLES)


def truth_table(name: str) -> tuple[np.ndarray, np.ndarray]:
    """X (4, 2) and y (4, 1) of the truth table ``name`` (xor, and, or)."""
    return _INPUTS.copy(), TRUTH_TABLES[name].copy()
