"""Derived inputs for the two-input data sets (DESIGN.md section 4, ``features``).

A 2-D set has inputs ``x1, x2``; each named feature appends one more column
computed from them, in the order the lesson lists them:

========  ==================
name      column
========  ==================
``x1^2``  x1²
``x2^2``  x2²
``x1*x2`` x1·x2
``sin_x1`` sin x1
``sin_x2`` sin x2
========  ==================

They let a network without a hidden layer separate a circle (``x1^2``,
``x2^2``) or the XOR quadrants (``x1*x2``) — the classic demonstration that
a good input can replace a hidden layer.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["FEATURE_NAMES", "add_features"]

_FORMULAS = {
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}
FEATURE_NAMES = tuple(_FORMULAS)


def add_features(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """X (m, 2) with one column per name appended: shape (m, 2 + len(names)).

    ``names`` must be members of ``FEATURE_NAMES`` (the caller validates them
    so that its message can name the lesson key).
    """
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"derived features need X of shape (m, 2), not {X.shape}")
    x1, x2 = X[:, 0], X[:, 1]
    columns = [X] + [_FORMULAS[name](x1, x2)[:, None] for name in names]
    return np.hstack(columns)
