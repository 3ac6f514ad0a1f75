"""The decision boundary: what the network outputs over its input plane.

A lesson whose inputs are points (x1, x2) of a plane — possibly with
derived inputs computed from them (``engine.features``) or with extra
inputs that hold the same value in every row (seed 000's constant 1) —
can be drawn as a map: every point of a grid over the plane is turned
into a row of network inputs exactly as the data were, and the engine's
own forward pass gives the output there and every hidden neuron's
activation.

The plane is drawn in the data's own units, named as the data name its
columns: a CSV file's inputs are normalised before the network sees them
(``DataSet.offset``, ``DataSet.scale``), so the points are mapped back to
the file's numbers for the axes, and a grid point is normalised the same
way before it goes through the network (and through the derived-feature
mapping of a built-in set). The classes are named for the colour key:
a one-hot target's labels, or "NAME = 0" / "NAME = 1" for a 0/1 column.
A lesson with several 0/1 outputs that are not one-hot (AND and OR learnt
together) has one map per output.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .datasets import GENERATED_SETS
from .features import add_features
from .kernel import IterationKernel, Workspace, augment
from .lesson import Lesson
from .limits import BOUNDARY_COARSE, BOUNDARY_FINE
from .network import Parameters
from .number_text import shown_briefly

__all__ = ["InputPlane", "NotAPlane", "input_plane", "Extent", "plane_extent", "PlaneData",
           "plane_data", "output_names", "BoundaryMap", "decision_boundary", "COARSE", "FINE"]

COARSE = BOUNDARY_COARSE   # grid points per side while training runs (cheap enough for 10 Hz)
FINE = BOUNDARY_FINE       # ... and when paused
MARGIN = 0.15        # the grid extends this share of the data's span beyond it


class NotAPlane(ValueError):
    """The lesson's inputs are not points of a plane; the message says why."""


@dataclass(frozen=True)
class InputPlane:
    """How a point (x1, x2) becomes one row of network inputs.

    Attributes
    ----------
    width : int
        n0, the number of network inputs.
    features : tuple of str
        Derived inputs appended after x1, x2 (names of ``engine.features``).
    constants : tuple of (int, float)
        (column, value) of the inputs that hold one value in every row.
    names : (str, str)
        The two coordinates as the data name them (a CSV file's column names).
    offset, scale : ndarray, shape (2,), or None
        The normalisation of the two coordinates (network input = (value −
        offset) / scale); None when the network sees the data's own numbers.
    equal_axes : bool
        Whether one unit is as long on both axes: the built-in sets are
        points of a plane; a CSV file's two columns may measure different
        things (a height and a weight).
    """

    width: int
    features: tuple[str, ...] = ()
    constants: tuple[tuple[int, float], ...] = ()
    names: tuple[str, str] = ("x1", "x2")
    offset: np.ndarray | None = None
    scale: np.ndarray | None = None
    equal_axes: bool = True

    def normalised(self, points: np.ndarray) -> np.ndarray:
        """Points in the data's units (k, 2) as the network's first two inputs (k, 2)."""
        points = np.asarray(points, dtype=float)
        return points if self.offset is None else (points - self.offset) / self.scale

    def in_units(self, inputs: np.ndarray) -> np.ndarray:
        """The network's first two inputs (k, 2) back in the data's units (k, 2)."""
        inputs = np.asarray(inputs, dtype=float)
        return inputs if self.offset is None else inputs * self.scale + self.offset

    def inputs(self, points: np.ndarray) -> np.ndarray:
        """Network inputs for plane points (k, 2) in the data's units; shape (k, width)."""
        derived = add_features(self.normalised(points), self.features)
        if not self.constants:
            return derived
        rows = np.empty((derived.shape[0], self.width))
        rows[:, : derived.shape[1]] = derived
        for column, value in self.constants:
            rows[:, column] = value
        return rows

    def describe(self) -> str:
        """What the plane's inputs are, for the view's caption."""
        parts = []
        if self.offset is not None:
            parts.append(f"axes in the data's own units; the network sees {self.names[0]} and "
                         f"{self.names[1]} normalised")
        if self.features:
            parts.append("derived inputs " + ", ".join(self.features) + " computed from x1, x2")
        for column, value in self.constants:
            parts.append(f"input {column + 1} fixed at {shown_briefly(value)}")
        return "; ".join(parts)


def input_plane(lesson: Lesson) -> InputPlane:
    """The plane behind the lesson's inputs.

    Raises
    ------
    NotAPlane
        When the inputs are not two coordinates (plus derived or constant
        inputs); the message names the number of inputs.
    """
    n0 = lesson.architecture.layers[0]
    if n0 < 2:
        raise NotAPlane(f"this lesson has {n0} input, so there is no plane to draw the output "
                        f"over; the decision boundary needs two inputs x1, x2")
    spec = lesson.data_spec or {}
    features: tuple[str, ...] = ()
    if spec.get("dataset") in GENERATED_SETS:
        features = tuple(spec.get("features") or ())
    first_free = 2 + len(features)
    rows = lesson.X if lesson.X_test is None else np.vstack([lesson.X, lesson.X_test])
    constants = []
    for column in range(first_free, n0):
        values = rows[:, column]
        if not np.all(values == values[0]):
            raise NotAPlane(f"this lesson has {n0} inputs, not two coordinates x1, x2 (input "
                            f"{column + 1} varies from row to row), so there is no plane to "
                            f"draw the output over")
        constants.append((column, float(values[0])))
    data = lesson.dataset
    names, offset, scale = ("x1", "x2"), None, None
    if data is not None:
        names = (data.input_names[0], data.input_names[1])
        if data.offset is not None:
            offset, scale = data.offset[:2].copy(), data.scale[:2].copy()
    return InputPlane(n0, features, tuple(constants), names, offset, scale,
                      equal_axes="csv" not in spec)


@dataclass(frozen=True)
class Extent:
    """The rectangle of the plane that a map covers."""

    x_min: float
    x_max: float
    y_min: float
    y_max: float


def plane_extent(points: np.ndarray, margin: float = MARGIN) -> Extent:
    """The data's bounding box, widened by ``margin`` of its span on every side.

    Parameters
    ----------
    points : ndarray, shape (k, 2)
        Train and test points; a span of zero (one point) is widened by 1.
    """
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high > low, high - low, 1.0 / max(margin, 1e-9))
    low, high = low - margin * span, high + margin * span
    return Extent(float(low[0]), float(high[0]), float(low[1]), float(high[1]))


@dataclass(frozen=True)
class PlaneData:
    """The samples as points of the plane, with what colours them.

    Attributes
    ----------
    train, test : ndarray, shapes (m, 2) and (k, 2)
        In the data's own units (``InputPlane.in_units``).
    train_labels, test_labels : ndarray, shapes (m,) and (k,)
        Class index (0/1 of the output shown, argmax of one-hot targets) or,
        for regression, the target value.
    kind : {'probability', 'classes', 'value'}
        How the map's values read (see ``BoundaryMap``).
    output_names : tuple of str
        One name per output of the network (the data's target names).
    class_names : tuple of str
        What each class colour means, class 0 first (empty for 'value').
    """

    train: np.ndarray
    test: np.ndarray
    train_labels: np.ndarray
    test_labels: np.ndarray
    kind: str
    output_names: tuple[str, ...] = ("y",)
    class_names: tuple[str, ...] = ()


def _kind(lesson: Lesson) -> str:
    """'classes' for one-hot targets, 'probability' for 0/1 targets of sigmoid outputs
    (each output its own yes/no), else 'value'."""
    outputs = lesson.architecture.layers[-1]
    y = lesson.y
    binary = bool(np.all((y == 0) | (y == 1)))
    if outputs > 1 and binary and bool(np.all(y.sum(axis=1) == 1)):
        return "classes"
    squashing = lesson.architecture.activations[-1] == "sigmoid"
    return "probability" if binary and squashing else "value"


def _labels(y: np.ndarray, kind: str, output: int) -> np.ndarray:
    if kind == "classes":
        return np.argmax(y, axis=1).astype(float)
    return y[:, output].astype(float)


def output_names(lesson: Lesson) -> tuple[str, ...]:
    """The names of the outputs: the data's columns, else ``y`` or ``y1``, ``y2`` ..."""
    outputs = lesson.architecture.layers[-1]
    data = lesson.dataset
    if data is not None and len(data.output_names) == outputs:
        return tuple(data.output_names)
    return ("y",) if outputs == 1 else tuple(f"y{k + 1}" for k in range(outputs))


def plane_data(lesson: Lesson, X: np.ndarray | None = None, y: np.ndarray | None = None,
               output: int = 0, plane: InputPlane | None = None) -> PlaneData:
    """The lesson's samples as plane points in the data's units.

    Parameters
    ----------
    lesson : Lesson
    X, y : ndarray, shapes (m, n0) and (m, nL), optional
        Default: the lesson's training data.
    output : int
        Which output's 0/1 labels colour the points when the outputs are
        not one-hot classes.
    plane : InputPlane, optional
        ``input_plane(lesson)``, when the caller has it already.
    """
    X = lesson.X if X is None else X
    y = lesson.y if y is None else y
    kind = _kind(lesson)
    X_test = lesson.X_test if lesson.X_test is not None else X[:0]
    y_test = lesson.y_test if lesson.y_test is not None else y[:0]
    plane = input_plane(lesson) if plane is None else plane
    names = output_names(lesson)
    if kind == "classes":
        classes = names
    elif kind == "probability":
        classes = (f"{names[output]} = 0", f"{names[output]} = 1")
    else:
        classes = ()
    return PlaneData(plane.in_units(X[:, :2]), plane.in_units(X_test[:, :2]),
                     _labels(y, kind, output), _labels(y_test, kind, output), kind, names,
                     classes)


@dataclass(frozen=True)
class BoundaryMap:
    """The network's output and hidden activations over a grid of the plane.

    Attributes
    ----------
    xs, ys : ndarray, shapes (nx,) and (ny,)
        Grid coordinates along x1 and x2.
    outputs : ndarray, shape (ny, nx, nL)
        a{L} at every grid point (row: x2, column: x1).
    value : ndarray, shape (ny, nx)
        What the map colours: the output shown or the probability of the
        winning class (one-hot classes).
    winner : ndarray of int, shape (ny, nx), or None
        The predicted class, for several outputs.
    kind : {'probability', 'classes', 'value'}
    levels : (float, float, float)
        (low, centre, high) of the colour scale: (0, 0.5, 1) for a
        probability, the output's range for other outputs.
    hidden : list of ndarray, shapes (n_l, ny, nx)
        a{l} of each hidden layer l = 1..L−1, neuron by neuron.
    hidden_levels : list of (float, float)
        The range of each hidden layer's activation (fixed for squashing
        functions, the values' own range otherwise).
    """

    xs: np.ndarray
    ys: np.ndarray
    outputs: np.ndarray
    value: np.ndarray
    winner: np.ndarray | None
    kind: str
    levels: tuple[float, float, float]
    hidden: list[np.ndarray]
    hidden_levels: list[tuple[float, float]]


_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "softmax": (0.0, 1.0)}


def _range(name: str, values: np.ndarray) -> tuple[float, float]:
    if name in _RANGES:
        return _RANGES[name]
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (0.0, 1.0)
    low, high = float(finite.min()), float(finite.max())
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def decision_boundary(kernel: IterationKernel, params: Parameters, plane: InputPlane,
                      extent: Extent, resolution: int, kind: str,
                      targets: np.ndarray | None = None, output: int = 0) -> BoundaryMap:
    """Run the forward pass over a resolution × resolution grid of ``extent``.

    Parameters
    ----------
    kernel : IterationKernel
        The lesson's kernel (its forward pass is the one training uses).
    params : Parameters
    plane : InputPlane
    extent : Extent
        In the data's units (``plane_data``'s points).
    resolution : int
        Grid points per side (at least 2).
    kind : {'probability', 'classes', 'value'}
        From ``plane_data``.
    targets : ndarray, shape (m, nL), optional
        For a 'value' map, the targets widen the colour scale so that the
        data points and the map share one scale.
    output : int
        The output a 'probability' or 'value' map shows.
    """
    arch = kernel.architecture
    xs = np.linspace(extent.x_min, extent.x_max, resolution)
    ys = np.linspace(extent.y_min, extent.y_max, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    ws = Workspace(arch, points.shape[0])
    ws.inputs[0] = augment(plane.inputs(points), arch.bias)
    with np.errstate(all="ignore"):  # a diverged network's map is simply non-finite
        kernel.forward(ws, params)
    shape = (resolution, resolution)
    outputs = ws.output.reshape(*shape, -1).copy()
    winner = None
    if kind == "classes":
        winner = np.argmax(outputs, axis=2)
        value = np.max(outputs, axis=2)
        levels = (0.0, 0.5, 1.0)
    elif kind == "probability":
        value = outputs[:, :, output]
        levels = (0.0, 0.5, 1.0)
    else:
        value = outputs[:, :, output]
        sample = (value if targets is None
                  else np.concatenate([value.ravel(), targets[:, output]]))
        low, high = _range(arch.activations[-1], sample)
        if targets is not None and targets.size:
            centre = float(0.5 * (targets[:, output].min() + targets[:, output].max()))
        else:
            centre = 0.5 * (low + high)
        levels = (low, centre, high)
    hidden, hidden_levels = [], []
    for layer in range(1, arch.depth):
        a = ws.activation(layer)
        hidden.append(np.ascontiguousarray(a.T.reshape(-1, *shape)))
        hidden_levels.append(_range(arch.activations[layer - 1], a))
    return BoundaryMap(xs, ys, outputs, value, winner, kind, levels, hidden, hidden_levels)
