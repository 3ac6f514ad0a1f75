"""Built-in data sets, generated on the spot: no download, no network.

A lesson asks for one with ``{"data": {"dataset": NAME, ...}}`` (DESIGN.md
section 4). Every set is a pair of float arrays, inputs X of shape (m, n0) and
targets y of shape (m, nL).

================  ======  ==========================================================
name              X, y    what it is
================  ======  ==========================================================
``xor``           (4, 2)  the truth tables the seeds train on; inputs 0/1, target
``and``, ``or``   (4, 1)  0/1. No option applies to them.
``xor_quadrants`` (m, 2)  points in the four quadrants of [-1, 1]²; y = 1 where x1
                  (m, 1)  and x2 have opposite signs (|x| ≥ 0.05 before the noise)
``circle``        (m, 2)  y = 1 inside radius 0.5, y = 0 on the ring 0.7 to 1
                  (m, 1)  (points uniform over each area)
``gaussians``     (m, 2)  two round clouds (spread 0.25) centred at (-0.5, -0.5),
                  (m, 1)  y = 0, and (0.5, 0.5), y = 1
``blobs``         (m, 2)  three round clouds (spread 0.2) centred 0.6 from the
                  (m, 3)  origin at 90°, 210° and 330°; y one-hot for class 0, 1, 2
``moons``         (m, 2)  two interleaved half circles (the "two moons"), already
                  (m, 1)  centred and scaled into x1 in [-1, 1], x2 in [-0.5, 0.5]:
                          y = 0 for the upper moon, y = 1 for the lower one
``spiral``        (m, 2)  two arms (y = 0 and y = 1) winding 1.5 turns around the
                  (m, 1)  origin, radius from 0.05 to 1
``plane``         (m, 2)  regression: X uniform in [-1, 1]²,
                  (m, 1)  y = 0.6·x1 − 0.4·x2 + 0.2 (+ noise)
``digits``        (m, 64) the 8×8 handwritten digits shipped in resources/digits
                  (m, 10) (1797 images); pixels divided by 16 so inputs lie in
                          [0, 1]; y one-hot for the digit 0..9
================  ======  ==========================================================

Options and their defaults:

- ``samples`` (200; ``digits``: all 1797) — rows generated. The classes of a
  classification set get equal shares (the first classes one more when m
  does not divide). For ``digits`` the images are shuffled with the seed and
  the first ``samples`` kept; without ``samples`` they keep the file's order.
  At most ``limits.MAX_SAMPLES``.
- ``noise`` (0.1) — standard deviation σ of Gaussian jitter added to every
  input coordinate of the 2-D classification sets (so points may cross the
  boundary their label comes from), and to the target of ``plane``; 0 to
  10. Not for ``digits``, which are real images.
- ``seed`` (0) — each set is drawn from its own ``numpy.random.default_rng(seed)``,
  never from the lesson's generator, so the same options give bit-identical
  data. Drawing order: the clean points class by class, then the jitter
  (always drawn, so σ only scales it), then one permutation of the rows (so
  classes are mixed in the tables).
- ``test_fraction`` (0) — f in [0, 1): ``split`` holds out round(f·m) rows
  (rounded half up) as a test set; the lesson trains on the rest.
- ``features`` ([]) — derived inputs appended after x1, x2 on the 2-D sets, in
  the order given: ``x1^2``, ``x2^2``, ``x1*x2``, ``sin_x1``, ``sin_x2``
  (see ``engine.features``).
"""
from __future__ import annotations

import math
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import limits
from .errors import LessonError
from .features import FEATURE_NAMES, add_features
from .resources import resource_path

__all__ = ["TRUTH_TABLES", "truth_table", "DATASET_NAMES", "GENERATED_SETS", "DEFAULTS",
           "DIGITS_COUNT", "DataSet", "make_dataset", "dataset_from_spec", "split",
           "load_digits", "check_layers", "digits_path", "held_out_rows"]

Fail = Callable[[str, str], Exception]

_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
TRUTH_TABLES = {
    "xor": np.array([[0], [1], [1], [0]], dtype=float),
    "and": np.array([[0], [0], [0], [1]], dtype=float),
    "or": np.array([[0], [1], [1], [1]], dtype=float),
}

# Two-input sets: name -> number of classes (0 for the regression set ``plane``).
GENERATED_SETS = {"xor_quadrants": 2, "circle": 2, "gaussians": 2, "blobs": 3, "moons": 2,
                  "spiral": 2, "plane": 0}
DATASET_NAMES = (*TRUTH_TABLES, *GENERATED_SETS, "digits")
DEFAULTS = {"samples": 200, "noise": 0.1, "seed": 0, "test_fraction": 0.0, "features": ()}
DIGITS_COUNT = 1797
MAX_NOISE = 10.0               # σ beyond this buries any pattern (and x1^2 could overflow)
DIGITS_FILE = ("digits", "digits.npz")


@dataclass(frozen=True)
class DataSet:
    """Inputs and targets ready for a lesson, split into training and test rows.

    Attributes
    ----------
    X, y : ndarray, shapes (m, n0) and (m, nL)
        The training part: what the lesson trains on.
    X_test, y_test : ndarray, shapes (k, n0) and (k, nL)
        The held-out part; k = 0 when nothing is held out.
    input_names, output_names : tuple of str
        One name per column of X and of y (for a one-hot target, the labels).
    description : str
        How messages name the data, e.g. "the circle data set" or "points.csv".
    offset, scale : ndarray (n0,) or None
        The normalisation applied to the inputs: X = (raw − offset) / scale,
        computed on the training part; None when the inputs are raw.
    """

    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    description: str
    offset: np.ndarray | None = None
    scale: np.ndarray | None = None

    def __repr__(self) -> str:
        return (f"DataSet({self.description}: X {self.X.shape}, y {self.y.shape}, "
                f"test {len(self.X_test)} rows)")


def truth_table(name: str) -> tuple[np.ndarray, np.ndarray]:
    """X (4, 2) and y (4, 1) of the truth table ``name`` (xor, and, or)."""
    return _INPUTS.copy(), TRUTH_TABLES[name].copy()


def _plain_fail(key: str, message: str) -> LessonError:
    return LessonError(f"{key}: {message}")


# ---------------------------------------------------------------- generators
# Each takes the set's own generator, the sample count m and σ, and returns
# clean points (m, 2) and integer labels (m,) class by class; ``_finish`` adds
# the jitter and mixes the rows.

def _class_sizes(m: int, classes: int) -> list[int]:
    return [m // classes + (1 if c < m % classes else 0) for c in range(classes)]


def _labels(sizes: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(sizes)), sizes)


def _xor_quadrants(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    sizes = _class_sizes(m, 2)
    labels = _labels(sizes)
    magnitude = rng.uniform(0.05, 1.0, (m, 2))
    sign1 = rng.choice(np.array([-1.0, 1.0]), m)
    sign2 = np.where(labels == 1, -sign1, sign1)       # opposite signs: class 1
    return magnitude * np.column_stack([sign1, sign2]), labels


def _ring(rng: np.random.Generator, count: int, inner: float, outer: float) -> np.ndarray:
    """``count`` points uniform over the area between two radii."""
    radius = np.sqrt(rng.uniform(inner ** 2, outer ** 2, count))
    angle = rng.uniform(0.0, 2 * np.pi, count)
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])


def _circle(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    outside, inside = _class_sizes(m, 2)
    points = np.vstack([_ring(rng, outside, 0.7, 1.0), _ring(rng, inside, 0.0, 0.5)])
    return points, _labels([outside, inside])


def _clouds(rng: np.random.Generator, m: int, centres: np.ndarray,
            spread: float) -> tuple[np.ndarray, np.ndarray]:
    sizes = _class_sizes(m, len(centres))
    points = np.vstack([centre + spread * rng.standard_normal((count, 2))
                        for centre, count in zip(centres, sizes)])
    return points, _labels(sizes)


def _gaussians(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    return _clouds(rng, m, np.array([[-0.5, -0.5], [0.5, 0.5]]), 0.25)


def _blobs(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    angles = np.radians([90.0, 210.0, 330.0])
    centres = 0.6 * np.column_stack([np.cos(angles), np.sin(angles)])
    return _clouds(rng, m, centres, 0.2)


def _moons(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    upper, lower = _class_sizes(m, 2)
    t_upper = rng.uniform(0.0, np.pi, upper)
    t_lower = rng.uniform(0.0, np.pi, lower)
    points = np.vstack([np.column_stack([np.cos(t_upper), np.sin(t_upper)]),
                        np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])])
    # The classic moons span x in [-1, 2], y in [-0.5, 1]; centre and scale them.
    return (points - np.array([0.5, 0.25])) / 1.5, _labels([upper, lower])


def _spiral(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    sizes = _class_sizes(m, 2)
    labels = _labels(sizes)
    t = rng.uniform(0.0, 1.0, m)
    radius = 0.05 + 0.95 * t
    angle = 3.0 * np.pi * t + np.pi * labels            # 1.5 turns; arm 1 rotated by π
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]), labels


_CLASSIFIERS = {"xor_quadrants": _xor_quadrants, "circle": _circle, "gaussians": _gaussians,
                "blobs": _blobs, "moons": _moons, "spiral": _spiral}


def _generate(name: str, m: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """X (m, 2) and y (m, 1) or one-hot (m, k) of a two-input set."""
    rng = np.random.default_rng(seed)
    if name == "plane":
        X = rng.uniform(-1.0, 1.0, (m, 2))
        y = 0.6 * X[:, :1] - 0.4 * X[:, 1:] + 0.2 + noise * rng.standard_normal((m, 1))
        return X, y
    points, labels = _CLASSIFIERS[name](rng, m)
    X = points + noise * rng.standard_normal(points.shape)
    order = rng.permutation(m)
    X, labels = X[order], labels[order]
    classes = GENERATED_SETS[name]
    y = (labels[:, None] == 1).astype(float) if classes == 2 else np.eye(classes)[labels]
    return X, y


# ---------------------------------------------------------------- digits

def digits_path():
    """Where the digits file is (resources/digits/digits.npz)."""
    return resource_path(*DIGITS_FILE)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The shipped digits: pixels uint8 (1797, 64) in 0..16 and labels uint8 (1797,) in 0..9.

    Read with ``allow_pickle=False``; a missing or damaged file is a LessonError.
    """
    path = digits_path()
    try:
        with np.load(path, allow_pickle=False) as archive:
            images, labels = archive["images"], archive["labels"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise LessonError(f"{path}: cannot read the digits data ({exc}); reinstall "
                          f"Backprop Tracer to restore it") from None
    problem = None
    if images.shape != (DIGITS_COUNT, 64) or labels.shape != (DIGITS_COUNT,):
        problem = f"shapes {images.shape} and {labels.shape}"
    elif images.dtype != np.uint8 or labels.dtype != np.uint8:
        problem = f"types {images.dtype} and {labels.dtype}"
    elif images.max() > 16 or labels.max() > 9:
        problem = "values out of range"
    if problem:
        raise LessonError(f"{path}: the digits data is damaged ({problem}; expected 1797 "
                          f"images of 64 pixels 0..16 and labels 0..9); reinstall Backprop Tracer")
    return images, labels


def _digits(samples: int | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    images, labels = load_digits()
    if samples is not None:
        keep = np.random.default_rng(seed).permutation(DIGITS_COUNT)[:samples]
        images, labels = images[keep], labels[keep]
    return images / 16.0, np.eye(10)[labels]


# ---------------------------------------------------------------- split

def held_out_rows(m: int, test_fraction: float) -> int:
    """How many of m rows ``split`` holds out: round(f·m), half up."""
    return math.floor(test_fraction * m + 0.5)


def split(X: np.ndarray, y: np.ndarray, test_fraction: float,
          seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_test, y_test): hold out round(f·m) rows (half up).

    ``numpy.random.default_rng(seed).permutation(m)`` shuffles the row
    indices; the last round(f·m) of them are the test rows, the others the
    training rows. Both parts keep the rows in their original order. With
    nothing held out the test arrays have zero rows. Refused (LessonError) when
    f is outside [0, 1) or when no training row would be left.
    """
    m = len(X)
    if len(y) != m:
        raise ValueError(f"X has {m} rows but y has {len(y)}")
    if not (isinstance(test_fraction, (int, float)) and 0.0 <= test_fraction < 1.0):
        raise LessonError(f"test_fraction: {test_fraction!r} is out of range; expected a "
                          f"number in [0, 1)")
    held = held_out_rows(m, float(test_fraction))
    if held == 0:
        return X.copy(), y.copy(), X[:0].copy(), y[:0].copy()
    if held >= m:
        raise LessonError(f"test_fraction: holding out {held} of {m} rows leaves none to "
                          f"train on; lower test_fraction")
    order = np.random.default_rng(seed).permutation(m)
    train, test = np.sort(order[:m - held]), np.sort(order[m - held:])
    return X[train], y[train], X[test], y[test]


# ---------------------------------------------------------------- building

def make_dataset(name: str, samples: int | None = None, noise: float | None = None,
                 seed: int | None = None, test_fraction: float | None = None,
                 features: Sequence[str] | None = None, *, fail: Fail | None = None) -> DataSet:
    """Build the built-in set ``name``; None means the default (module docstring).

    Options that do not apply, unknown features and sizes beyond the limits
    are refused through ``fail(key, message)`` (keys as in a lesson,
    ``data.samples``), which by default makes a LessonError.
    """
    fail = fail or _plain_fail
    if name not in DATASET_NAMES:
        raise fail("data.dataset", f"{name!r} is not a built-in data set; this version has "
                                   + ", ".join(DATASET_NAMES))
    given = {"samples": samples, "noise": noise, "seed": seed, "test_fraction": test_fraction,
             "features": features}
    if name in TRUTH_TABLES:
        for key, value in given.items():
            if value is not None:
                raise fail(f"data.{key}", f"does not apply to the {name} truth table")
        X, y = truth_table(name)
        return DataSet(X, y, X[:0], y[:0], ("x1", "x2"), ("y",), f"the {name} data set")

    seed = DEFAULTS["seed"] if seed is None else seed
    test_fraction = DEFAULTS["test_fraction"] if test_fraction is None else test_fraction
    features = tuple(features or ())
    if name == "digits":
        X, y, inputs, outputs = _digits_set(samples, noise, features, seed, fail)
    else:
        X, y, inputs, outputs = _generated_set(name, samples, noise, features, seed, fail)
    try:
        X_train, y_train, X_test, y_test = split(X, y, test_fraction, seed)
    except LessonError as exc:
        raise fail("data.test_fraction", str(exc).removeprefix("test_fraction: ")) from None
    return DataSet(X_train, y_train, X_test, y_test, inputs, outputs, f"the {name} data set")


def _digits_set(samples: int | None, noise: float | None, features: tuple[str, ...], seed: int,
                fail: Fail) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """X (m, 64), y one-hot (m, 10) and the input and output names of the digits.

    Noise and derived features are refused through ``fail``: the digits are
    real images, not generated points.
    """
    if noise is not None:
        raise fail("data.noise", "does not apply to digits (real images, not generated "
                                 "points); leave it out")
    if features:
        raise fail("data.features", "derived features apply only to the two-input sets ("
                   + ", ".join(GENERATED_SETS) + "); digits has 64 pixel inputs")
    if samples is not None and not 1 <= samples <= DIGITS_COUNT:
        raise fail("data.samples", f"{samples} is out of range; digits has {DIGITS_COUNT} "
                                   f"images, so samples must be 1 to {DIGITS_COUNT}")
    X, y = _digits(samples, seed)
    inputs = tuple(f"pixel_{r}_{c}" for r in range(8) for c in range(8))
    outputs = tuple(str(d) for d in range(10))
    return X, y, inputs, outputs


def _generated_set(name: str, samples: int | None, noise: float | None,
                   features: tuple[str, ...], seed: int, fail: Fail
                   ) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """X (m, 2 + derived features), y and the input and output names of a two-input set.

    None for ``samples`` or ``noise`` means the default; values beyond the
    limits and unknown or repeated features are refused through ``fail``.
    """
    samples = DEFAULTS["samples"] if samples is None else samples
    noise = DEFAULTS["noise"] if noise is None else noise
    least = max(GENERATED_SETS[name], 1)
    if samples > limits.MAX_SAMPLES:
        raise fail("data.samples", f"{samples} is more than the limit of "
                                   f"{limits.MAX_SAMPLES} samples")
    if samples < least:
        raise fail("data.samples", f"{samples} is too few; {name} needs at least {least}"
                   + (" (one per class)" if least > 1 else ""))
    if not (math.isfinite(noise) and 0 <= noise <= MAX_NOISE):
        raise fail("data.noise", f"{noise:g} is out of range; expected a standard "
                                 f"deviation from 0 to {MAX_NOISE:g}")
    for index, feature in enumerate(features):
        if feature not in FEATURE_NAMES:
            raise fail(f"data.features[{index}]", f"{feature!r} is not a derived feature; "
                       f"expected " + ", ".join(FEATURE_NAMES))
        if feature in features[:index]:
            raise fail(f"data.features[{index}]", f"{feature!r} is listed twice")
    X, y = _generate(name, samples, float(noise), seed)
    X = add_features(X, features)
    inputs = ("x1", "x2", *features)
    classes = GENERATED_SETS[name]
    outputs = tuple(f"class {c}" for c in range(classes)) if classes > 2 else ("y",)
    return X, y, inputs, outputs


def dataset_from_spec(spec: dict, r: Any) -> DataSet:
    """The DataSet of a lesson's ``{"dataset": NAME, ...}`` object.

    ``r`` is the lesson's validating reader (``engine.lesson._Reader``): its
    ``string``/``integer``/``number`` checks and ``fail(key, message)`` put
    the lesson file's name in front of every message. The caller has already
    refused keys other than those of DESIGN.md section 4. A null option means
    its default.
    """
    name = r.string(spec["dataset"], "data.dataset")
    if name not in DATASET_NAMES:
        raise r.fail("data.dataset", f"{name!r} is not a built-in data set; this version has "
                                     + ", ".join(DATASET_NAMES))
    if name in TRUTH_TABLES:
        extra = sorted(set(spec) - {"dataset"})
        if extra:
            raise r.fail(f"data.{extra[0]}", f"does not apply to the {name} truth table")
        return make_dataset(name, fail=r.fail)
    samples, noise, seed, fraction, features = (spec.get(key) for key in
                                                ("samples", "noise", "seed", "test_fraction",
                                                 "features"))
    if samples is not None:
        samples = r.integer(samples, "data.samples", 1, 2**63 - 1)
    if noise is not None:
        noise = r.number(noise, "data.noise", 0.0, MAX_NOISE)
    if seed is not None:
        seed = r.integer(seed, "data.seed", 0, 2**63 - 1)
    if fraction is not None:
        fraction = r.number(fraction, "data.test_fraction", 0.0, 1.0, high_open=True)
    if features is not None:
        if not isinstance(features, list):
            raise r.fail("data.features", "expected a list of names such as [\"x1^2\", "
                                          "\"x2^2\"]; choose from " + ", ".join(FEATURE_NAMES))
        features = [r.string(f, f"data.features[{i}]") for i, f in enumerate(features)]
    return make_dataset(name, samples, noise, seed, fraction, features, fail=r.fail)


def check_layers(data: DataSet, layers: Sequence[int], fail: Fail | None = None) -> None:
    """Refuse, naming ``network.layers``, a network whose ends do not fit the data."""
    n0, k = data.X.shape[1], data.y.shape[1]
    if layers[0] != n0 or layers[-1] != k:
        fail = fail or _plain_fail
        raise fail("network.layers", f"{data.description} has {n0} input{'s' * (n0 != 1)} and "
                   f"{k} output{'s' * (k != 1)}; the layers must start with {n0} and end with "
                   f"{k}, found {list(layers)}")
