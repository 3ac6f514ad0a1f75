"""Colours shared by the teaching views: a colour-blind-safe diverging map
for outputs, the Okabe–Ito palette for classes, and numbers → images.

Only presentation happens here: values the engine computed are placed on a
colour scale whose ends and centre the engine chose.
"""
from __future__ import annotations

import functools
import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QRectF  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402

__all__ = ["diverging_map", "sequential_map", "CLASS_COLOURS", "NON_FINITE", "class_colour",
           "diverging_rgba", "sequential_rgba", "classes_rgba", "to_qimage", "grid_rect"]


@functools.cache
def diverging_map() -> pg.ColorMap:
    """colorcet's CET-CBD1: blue – near white – gold, readable by every common form of
    colour blindness; the two classes of a binary set take its two ends.

    Read from pyqtgraph's files when first needed (not to show the window)."""
    return pg.colormap.get("CET-CBD1")


@functools.cache
def sequential_map() -> pg.ColorMap:
    """cividis, for loss surfaces: dark = low."""
    return pg.colormap.get("cividis")


CLASS_COLOURS = ("#2A6FD6", "#9A8100", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                 "#F0E442", "#000000")            # binary ends of CBD1, then Okabe–Ito
NON_FINITE = (150, 150, 150, 255)                 # a diverged network: grey, not a colour


def class_colour(index: int) -> QColor:
    return QColor(CLASS_COLOURS[int(index) % len(CLASS_COLOURS)])


def _scaled(values: np.ndarray, low: float, centre: float, high: float) -> np.ndarray:
    """Positions in [0, 1] with ``centre`` at 0.5 (a piecewise-linear colour scale)."""
    position = np.full(values.shape, 0.5)
    finite = np.isfinite(values)
    v = values[finite]
    below = v < centre
    out = np.empty_like(v)
    out[below] = 0.5 * (v[below] - low) / max(centre - low, 1e-300)
    out[~below] = 0.5 + 0.5 * (v[~below] - centre) / max(high - centre, 1e-300)
    position[finite] = np.clip(out, 0.0, 1.0)
    return position


def _lookup(colour_map, position: np.ndarray, finite: np.ndarray) -> np.ndarray:
    rgba = colour_map.map(position.ravel(), mode=pg.ColorMap.BYTE).reshape(*position.shape, 4)
    rgba[~finite] = NON_FINITE
    return rgba


def diverging_rgba(values: np.ndarray, levels: tuple[float, float, float]) -> np.ndarray:
    """(ny, nx) values → (ny, nx, 4) bytes on the diverging map, centre = levels[1]."""
    with np.errstate(all="ignore"):
        position = _scaled(values, *levels)
    return _lookup(diverging_map(), position, np.isfinite(values))


def sequential_rgba(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """(ny, nx) values → (ny, nx, 4) bytes on the sequential map from low to high."""
    finite = np.isfinite(values)
    position = np.zeros(values.shape)
    span = high - low if high > low else 1.0
    position[finite] = np.clip((values[finite] - low) / span, 0.0, 1.0)
    return _lookup(sequential_map(), position, finite)


def classes_rgba(winner: np.ndarray, confidence: np.ndarray, classes: int) -> np.ndarray:
    """The winning class's colour, paler where its probability is near 1/classes."""
    palette = np.array([class_colour(c).getRgb() for c in range(classes)], dtype=float)
    colours = palette[winner]
    chance = 1.0 / classes
    finite = np.isfinite(confidence)
    strength = np.zeros(confidence.shape)
    strength[finite] = np.clip((confidence[finite] - chance) / (1.0 - chance), 0.0, 1.0)
    weight = (0.25 + 0.6 * strength)[..., None]
    rgba = (255.0 * (1.0 - weight) + colours * weight).astype(np.uint8)
    rgba[..., 3] = 255
    rgba[~finite] = NON_FINITE
    return rgba


def to_qimage(rgba: np.ndarray) -> QImage:
    """(ny, nx, 4) bytes with row 0 at the bottom (y up) → a QImage (row 0 at the top)."""
    flipped = np.ascontiguousarray(rgba[::-1])
    height, width = flipped.shape[:2]
    return QImage(flipped.data, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()


def grid_rect(xs: np.ndarray, ys: np.ndarray) -> QRectF:
    """The rectangle whose pixels are centred on the grid points."""
    dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
    dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
    return QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys))
