"""Lesson files (DESIGN.md section 4): load with validation, save.

Every problem is reported as a ``LessonError`` whose message names the file,
the key (``network.layers[1]``, ``data.X row 3``) and what would be
accepted. Nothing is half-loaded: a Lesson exists only once all of it is valid.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import limits
from .activations import ACTIVATIONS
from .errors import LessonError
from .exercise import DEFAULT_TRIES, MAX_TRIES, ExercisePlan
from .files import NotARegularFile, TooLarge, read_regular_file, write_json
from .kernel import Hyperparameters
from .losses import LOSSES, check_pairing
from .memory import check_memory, estimate_memory
from .network import INITIALISATIONS, Architecture
from .session_file import SavedSession, parse_session
from .step_notes import note_placeholders
from .steps import PRESENTATIONS, input_names, iteration_steps

if TYPE_CHECKING:  # imported for a lesson with a built-in data set (see _data)
    from .datasets import DataSet

__all__ = ["Lesson", "load_lesson", "parse_lesson", "save_lesson", "check_lesson_text",
           "LESSON_FORMAT", "LESSON_VERSION", "LESSON_SUFFIX", "LESSON_SUFFIXES", "LESSON_MIME_TYPE",
           "builtin_lessons_dir", "builtin_lessons", "resolve_lesson",
           "read_json_file"]

LESSON_FORMAT = "backprop-tracer.lesson"
LESSON_VERSION = 1
# The lesson file type: what Save writes, and what the installers register with the
# system (the MIME type, the icon, opening in the app). Plain .json lessons keep opening.
LESSON_SUFFIX = ".bptlesson"
LESSON_SUFFIXES = (LESSON_SUFFIX, ".json")
LESSON_MIME_TYPE = "application/x-backprop-tracer-lesson"

_TOP_KEYS = {"format", "version", "title", "notes", "source", "presentation", "step_notes",
             "exercise", "data", "network", "training", "session"}
_NETWORK_DEFAULTS = {"layers": None, "activation": "sigmoid", "bias": True, "train_bias": True,
                     "init": "uniform", "seed": 0, "weights": None, "biases": None}
_TRAINING_DEFAULTS = {"loss": "half_sse", "learning_rate": 0.1, "batch_size": None,
                      "epochs": 10000, "l2": 0.0, "momentum": 0.0, "tolerance": None}
_DATASET_KEYS = {"dataset", "samples", "noise", "seed", "test_fraction", "features"}


@dataclass
class Lesson:
    """A validated lesson.

    Attributes
    ----------
    title : str
    X : ndarray, shape (m, n0)
    y : ndarray, shape (m, nL)
    architecture : Architecture
    init : str
    seed : int
    weights : list of ndarray (n_{l-1}, n_l), or None
        Explicit initial weights (override ``init``).
    biases : list of ndarray (n_l,), or None
    loss, learning_rate, batch_size, epochs, l2, momentum, tolerance
        The training settings of DESIGN.md section 4.
    notes, source, presentation, step_notes
        What the window shows beside the network.
    exercise : ExercisePlan
        What exercise mode asks (the optional ``exercise`` key): the cells of
        each step, the tries before the answer is shown, whether the learner
        must be right to go on.
    data_spec : dict
        The ``data`` object as written, so that saving keeps a data-set reference.
    path : Path or None
        Where the lesson was read from.
    data_folder : Path or None
        The folder a relative CSV path in ``data_spec`` is read from (the
        lesson file's folder; kept when ``path`` is cleared, e.g. for a
        restored recovery copy).
    dataset : DataSet or None
        What a ``{"csv": ...}`` or ``{"dataset": ...}`` data object gave
        (None for inline X and y): a lesson rebuilt with other settings
        passes it to ``parse_lesson(data=...)`` instead of reading the file again.
    """

    title: str
    X: np.ndarray
    y: np.ndarray
    architecture: Architecture
    init: str = "uniform"
    seed: int = 0
    weights: list[np.ndarray] | None = None
    biases: list[np.ndarray] | None = None
    loss: str = "half_sse"
    learning_rate: float = 0.1
    batch_size: int | None = None
    epochs: int = 10000
    l2: float = 0.0
    momentum: float = 0.0
    tolerance: float | None = None
    notes: str = ""
    source: str = ""
    presentation: str = "gradient"
    step_notes: dict[str, str] = field(default_factory=dict)
    exercise: ExercisePlan = field(default_factory=ExercisePlan)
    data_spec: dict = field(default_factory=dict)
    path: Path | None = None
    session: SavedSession | None = None
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    dataset: DataSet | None = field(default=None, repr=False, compare=False)
    data_folder: Path | None = field(default=None, repr=False, compare=False)

    @property
    def hyper(self) -> Hyperparameters:
        return Hyperparameters(self.loss, self.learning_rate, self.l2, self.momentum)

    def to_json(self, destination: str | os.PathLike | None = None) -> dict:
        """The lesson as a JSON-ready dict in the file format.

        Parameters
        ----------
        destination : path, optional
            The file the document is for. A CSV data file is then named
            relative to that file's folder (DESIGN.md section 4), so a lesson
            saved elsewhere still finds its data.
        """
        arch = self.architecture
        acts = list(arch.activations)
        doc: dict[str, Any] = {
            "format": LESSON_FORMAT, "version": LESSON_VERSION, "title": self.title,
        }
        if self.notes:
            doc["notes"] = self.notes
        if self.source:
            doc["source"] = self.source
        if self.presentation != "gradient":
            doc["presentation"] = self.presentation
        if self.step_notes:
            doc["step_notes"] = dict(self.step_notes)
        if self.exercise.to_json():
            doc["exercise"] = self.exercise.to_json()
        doc["data"] = self._data_document(destination)
        doc["network"] = {
            "layers": list(arch.layers),
            "activation": acts[0] if len(set(acts)) == 1 else acts,
            "bias": arch.bias, "train_bias": arch.train_bias, "init": self.init,
            "seed": self.seed,
            "weights": None if self.weights is None else [w.tolist() for w in self.weights],
            "biases": None if self.biases is None else [b.tolist() for b in self.biases],
        }
        doc["training"] = {
            "loss": self.loss, "learning_rate": self.learning_rate,
            "batch_size": self.batch_size, "epochs": self.epochs, "l2": self.l2,
            "momentum": self.momentum, "tolerance": self.tolerance,
        }
        return doc


    def _data_document(self, destination: str | os.PathLike | None) -> dict:
        if not self.data_spec:
            return {"X": self.X.tolist(), "y": self.y.tolist()}
        spec = dict(self.data_spec)
        if "csv" not in spec or destination is None or not isinstance(spec["csv"], str):
            return spec
        csv_path = Path(spec["csv"])
        if not csv_path.is_absolute():
            if self.data_folder is None:  # relative to no known folder: kept as written
                return spec
            csv_path = self.data_folder / csv_path
        csv_path = Path(os.path.abspath(csv_path))
        try:
            named = Path(os.path.relpath(csv_path, os.path.abspath(Path(destination).parent)))
        except ValueError:  # on another drive (Windows): only the full path reaches it
            named = csv_path
        spec["csv"] = named.as_posix()  # forward slashes read on every system
        return spec


class _Reader:
    """Validation helpers that prefix every message with the file's name."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, message: str) -> LessonError:
        return LessonError(f"{self.source}: {key}: {message}")

    def object(self, value: Any, key: str, allowed: set[str] | None = None) -> dict:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected an object {{...}}, found {_kind(value)}")
        if allowed is not None:
            for name in value:
                if name not in allowed:
                    raise self.fail(f"{key}.{name}" if key else name,
                                    "unknown key; expected one of " + ", ".join(sorted(allowed)))
        return value

    def string(self, value: Any, key: str, choices=None, max_chars: int | None = None) -> str:
        if not isinstance(value, str):
            raise self.fail(key, f"expected text, found {_kind(value)}")
        if max_chars is not None and len(value) > max_chars:
            raise self.fail(key, f"{len(value)} characters is more than the limit of {max_chars}")
        if choices is not None and value not in choices:
            raise self.fail(key, f"{value!r} is not one of " + ", ".join(choices))
        return value

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, found {_kind(value)}")
        return value

    def integer(self, value: Any, key: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise self.fail(key, f"expected a whole number from {low} to {high}, "
                                     f"found {_kind(value)}")
        if not low <= value <= high:
            raise self.fail(key, f"{_whole(value)} is out of range; expected {low} to {high}")
        return value

    def number(self, value: Any, key: str, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False, finite: bool = True) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"expected a number, found {_kind(value)}")
        try:
            value = float(value)
        except OverflowError:  # a whole number beyond the largest float
            raise self.fail(key, "expected a finite number") from None
        if finite and not math.isfinite(value):
            raise self.fail(key, "expected a finite number")
        too_low = low is not None and (value < low or (low_open and value == low))
        too_high = high is not None and (value > high or (high_open and value == high))
        if too_low or too_high:
            left = "(" if low_open else "["
            right = ")" if high_open else "]"
            raise self.fail(key, f"{value:g} is out of range; expected a number in "
                                 f"{left}{'-∞' if low is None else f'{low:g}'}, "
                                 f"{'∞' if high is None else f'{high:g}'}{right}")
        return value

    def matrix(self, value: Any, key: str, columns: int | None, what: str,
               max_rows: int = limits.MAX_SAMPLES) -> np.ndarray:
        """A non-empty rectangular list of lists of finite numbers, shape (rows, columns)."""
        if not isinstance(value, list) or not value:
            raise self.fail(key, f"expected a non-empty list of rows, found {_kind(value)}")
        if len(value) > max_rows:
            raise self.fail(key, f"{len(value)} rows is more than the limit of {max_rows}")
        width = columns
        for r, row in enumerate(value, start=1):
            if not isinstance(row, list):
                raise self.fail(f"{key} row {r}", f"expected a list of numbers, found {_kind(row)}")
            if width is None:
                width = len(row)
            if len(row) != width:
                raise self.fail(f"{key} row {r}",
                                f"expected {width} numbers ({what}), found {len(row)}")
            for c, cell in enumerate(row, start=1):
                if isinstance(cell, bool) or not isinstance(cell, (int, float)):
                    raise self.fail(f"{key} row {r} column {c}",
                                    f"expected a number, found {_kind(cell)}")
                if not _is_finite(cell):
                    raise self.fail(f"{key} row {r} column {c}", "expected a finite number")
        if width == 0:
            raise self.fail(key, "rows are empty; expected at least one number per row")
        return np.array(value, dtype=float)


def _is_finite(value: int | float) -> bool:
    """``math.isfinite``, also for a whole number too large for a float (it is not finite)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _whole(value: int) -> str:
    """A whole number for a one-line message: a 400-digit one shortened, with its length."""
    text = str(value)
    return text if len(text) <= 24 else f"{text[:12]}… ({len(text.lstrip('-'))} digits)"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"the number {_whole(value)}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def read_json_file(path: Path, what: str = "lesson") -> Any:
    """Read a JSON file strictly: a regular file within the size limit (never a FIFO or a
    device), UTF-8, no NaN/Infinity, no duplicate keys."""
    name = path.name
    if "\x00" in str(path):  # the operating system refuses such a name with a ValueError
        raise LessonError(f"{str(path)!r}: a file name cannot contain a NUL character")
    try:
        raw = read_regular_file(path, limits.MAX_FILE_BYTES)
    except NotARegularFile as exc:
        raise LessonError(f"{path}: is {exc.kind}, not a {what} file") from None
    except TooLarge as exc:
        raise LessonError(f"{name}: {exc}; the limit for a {what} "
                          f"file is {limits.MAX_FILE_BYTES // 2**20} MB") from None
    except OSError as exc:
        raise LessonError(f"{path}: cannot open the {what} file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LessonError(f"{name}: byte {exc.start + 1} is not UTF-8 text; save the "
                          f"{what} as UTF-8") from None
    return parse_json_text(text, name)


def _holds_lone_surrogate(value: Any) -> bool:
    """True if a string (or a list of them, at any depth) cannot be encoded as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, list):
        return any(_holds_lone_surrogate(item) for item in value)
    return False  # objects are checked by their own hook as they are parsed


def parse_json_text(text: str, name: str) -> Any:
    """Parse strict JSON; errors name the line and column."""
    def refuse_constant(token: str):
        raise LessonError(f"{name}: {token} is not allowed in a lesson; write a finite number")

    def refuse_duplicates(pairs):
        seen = {}
        for key, value in pairs:
            if key in seen:
                raise LessonError(f"{name}: the key {key!r} appears twice in one object")
            if _holds_lone_surrogate(key) or _holds_lone_surrogate(value):
                # JSON's \ud800 escapes decode to half characters that no file or
                # terminal can encode; refusing here keeps saving and printing safe.
                raise LessonError(f"{name}: the key {key!r} holds a lone surrogate escape "
                                  "(\\ud800-\\udfff), which is not a character; remove it")
            seen[key] = value
        return seen

    def whole_number(digits: str) -> int | float:
        try:
            return int(digits)
        except ValueError:  # more digits than Python converts: far beyond any float
            return -math.inf if digits.startswith("-") else math.inf

    if not text.strip():
        raise LessonError(f"{name}: the file is empty; expected a JSON lesson object")
    def parse(**hooks):
        return json.loads(text, parse_constant=refuse_constant,
                          object_pairs_hook=refuse_duplicates, **hooks)

    try:
        try:
            return parse()
        except ValueError as exc:
            if isinstance(exc, (LessonError, json.JSONDecodeError)):
                raise
            # A whole number of more digits than Python converts. Read again
            # with such numbers as infinite, so that the key holding one is
            # named; only then, as a hook on every number slows reading threefold.
            return parse(parse_int=whole_number)
    except json.JSONDecodeError as exc:
        raise LessonError(f"{name}: not valid JSON at line {exc.lineno} column {exc.colno}: "
                          f"{exc.msg}") from None
    except RecursionError:
        raise LessonError(f"{name}: the JSON is nested too deeply") from None


def load_lesson(path: str | os.PathLike) -> Lesson:
    """Read and validate a lesson file; raises LessonError naming file, key and row."""
    path = Path(path)
    document = read_json_file(path)
    lesson = parse_lesson(document, path.name, base=path.parent)
    lesson.path = path
    return lesson


def parse_lesson(document: Any, source: str = "lesson", base: Path | None = None, *,
                 data: DataSet | None = None, keep_fitting_notes: bool = False) -> Lesson:
    """Validate a parsed lesson document and build a Lesson.

    Parameters
    ----------
    document : object
        What ``json.loads`` gave.
    source : str
        The file name used in messages.
    base : Path or None
        Folder that relative data paths are read from.
    data : DataSet or None
        What the document's ``{"csv": ...}`` or ``{"dataset": ...}`` object
        gives, already built by the caller (an import dialog has just read
        the file); the file is then not read a second time. Its shapes are
        still checked against the network.
    keep_fitting_notes : bool
        The document is a lesson with changed settings (the settings dock):
        a step note whose step is gone, or that names a matrix the new
        network lacks, was written for the old one and is left out rather
        than refused. A note that is not text, or whose braces are
        malformed, is still refused.
    """
    r = _Reader(source)
    doc = r.object(document, "", _TOP_KEYS)
    _check_format(r, doc)
    title = r.string(doc.get("title", "Untitled lesson"), "title",
                     max_chars=limits.MAX_TITLE_CHARS)
    notes = r.string(doc.get("notes", ""), "notes", max_chars=limits.MAX_NOTES_CHARS)
    source_text = r.string(doc.get("source", ""), "source", max_chars=limits.MAX_SOURCE_CHARS)
    presentation = r.string(doc.get("presentation", "gradient"), "presentation", PRESENTATIONS)

    architecture, init, seed, weights, biases = _network(r, doc["network"])
    loss, learning_rate, batch_size, epochs, l2, momentum, tolerance = _training(
        r, doc.get("training", {}), list(architecture.activations))

    X, y, data_spec, X_test, y_test, dataset = _data(r, doc["data"], list(architecture.layers),
                                                     base, data)
    check_memory(estimate_memory(architecture, len(X), 0 if X_test is None else len(X_test),
                                 batch_size), source)
    if loss == "cross_entropy":
        _check_probabilities(r, y)

    step_notes = _step_notes(r, doc.get("step_notes", {}), architecture, loss, momentum,
                             keep_fitting_notes)
    exercise = _exercise(r, doc.get("exercise", {}), architecture, loss, momentum,
                         min(len(X), batch_size or len(X)), keep_fitting_notes)
    saved = parse_session(r, doc.get("session"), architecture, loss, momentum, len(X), batch_size)
    return Lesson(title, X, y, architecture, init, seed, weights, biases, loss, learning_rate,
                  batch_size, epochs, l2, momentum, tolerance, notes, source_text, presentation,
                  step_notes, exercise, data_spec, session=saved, X_test=X_test, y_test=y_test,
                  dataset=dataset, data_folder=base)


def _check_format(r: _Reader, doc: dict) -> None:
    """Refuse a document that is not a lesson of a version this program reads."""
    for required in ("format", "version", "data", "network"):
        if required not in doc:
            raise r.fail(required, "missing; a lesson needs format, version, data and network")
    if doc["format"] != LESSON_FORMAT:
        raise r.fail("format", f"expected {LESSON_FORMAT!r}, found {_kind(doc['format'])}")
    version = doc["version"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise r.fail("version", f"expected the whole number {LESSON_VERSION}, found {_kind(version)}")
    if version > LESSON_VERSION:
        raise r.fail("version", f"this lesson is version {version}, made by a newer Backprop "
                                f"Tracer; this one reads version {LESSON_VERSION}")
    if version < 1:
        raise r.fail("version", f"{version} is not a lesson version; expected {LESSON_VERSION}")


def _network(r: _Reader, value: Any) -> tuple[Architecture, str, int, list[np.ndarray] | None,
                                               list[np.ndarray] | None]:
    """The ``network`` object: (Architecture, init, seed, weights or None, biases or None).

    Weights are W{l}, shape (n_{l-1}, n_l); biases b{l}, shape (n_l,).
    """
    network = {**_NETWORK_DEFAULTS, **r.object(value, "network", set(_NETWORK_DEFAULTS))}
    if "layers" not in value:
        raise r.fail("network.layers", "missing; list the layer sizes, e.g. [2, 2, 1]")
    layers = _layers(r, network["layers"])
    activations = _activations(r, network["activation"], len(layers) - 1)
    bias = r.boolean(network["bias"], "network.bias")
    train_bias = r.boolean(network["train_bias"], "network.train_bias")
    init = r.string(network["init"], "network.init", INITIALISATIONS)
    seed = r.integer(network["seed"], "network.seed", 0, 2**63 - 1)
    architecture = Architecture(tuple(layers), tuple(activations), bias, train_bias)
    if architecture.size > limits.MAX_PARAMETERS:
        raise r.fail("network.layers", f"{architecture.size} weights and biases is more than the "
                                       f"limit of {limits.MAX_PARAMETERS}")
    weights = _weights(r, network["weights"], layers)
    biases = _biases(r, network["biases"], layers, bias)
    return architecture, init, seed, weights, biases


def _training(r: _Reader, value: Any, activations: list[str]
              ) -> tuple[str, float, int | None, int, float, float, float | None]:
    """The ``training`` object, defaults filled in: (loss, learning_rate, batch_size,
    epochs, l2, momentum, tolerance); the loss must suit the output activation."""
    training = {**_TRAINING_DEFAULTS, **r.object(value, "training", set(_TRAINING_DEFAULTS))}
    loss = r.string(training["loss"], "training.loss", tuple(LOSSES))
    problem = check_pairing(loss, activations)
    if problem:
        key = "network.activation" if "only on the output" in problem else "training.loss"
        raise r.fail(key, problem)
    learning_rate = r.number(training["learning_rate"], "training.learning_rate", 0.0, None,
                             low_open=True)
    batch_size = (None if training["batch_size"] is None else
                  r.integer(training["batch_size"], "training.batch_size", 1, limits.MAX_SAMPLES))
    epochs = r.integer(training["epochs"], "training.epochs", 1, limits.MAX_EPOCHS)
    l2 = r.number(training["l2"], "training.l2", 0.0, None)
    momentum = r.number(training["momentum"], "training.momentum", 0.0, 1.0, high_open=True)
    tolerance = (None if training["tolerance"] is None else
                 r.number(training["tolerance"], "training.tolerance", 0.0, None, low_open=True))
    return loss, learning_rate, batch_size, epochs, l2, momentum, tolerance


def _check_probabilities(r: _Reader, y: np.ndarray) -> None:
    """Refuse targets y (m, k) whose rows are not probabilities summing to 1."""
    sums = y.sum(axis=1)
    bad = np.flatnonzero((np.abs(sums - 1.0) > 1e-9) | (y < 0).any(axis=1))
    if bad.size:
        raise r.fail(f"data.y row {bad[0] + 1}", "with softmax and cross_entropy each target "
                     f"row must be probabilities summing to 1 (one-hot), found sum {sums[bad[0]]:g}")


def _layers(r: _Reader, value: Any) -> list[int]:
    if not isinstance(value, list):
        raise r.fail("network.layers", f"expected a list of layer sizes such as [2, 2, 1], "
                                       f"found {_kind(value)}")
    if len(value) < 2:
        raise r.fail("network.layers", "needs at least an input and an output size, e.g. [2, 1]")
    if len(value) - 1 > limits.MAX_LAYERS:
        raise r.fail("network.layers", f"{len(value) - 1} layers is more than the limit of "
                                       f"{limits.MAX_LAYERS}")
    sizes = []
    for index, size in enumerate(value):
        high = (limits.MAX_FEATURES if index == 0 else
                limits.MAX_OUTPUTS if index == len(value) - 1 else limits.MAX_UNITS)
        sizes.append(r.integer(size, f"network.layers[{index}]", 1, high))
    return sizes


def _activations(r: _Reader, value: Any, depth: int) -> list[str]:
    names = tuple(ACTIVATIONS)
    if isinstance(value, str):
        name = r.string(value, "network.activation", names)
        if name == "softmax" and depth > 1:
            raise r.fail("network.activation", "softmax is allowed only on the output layer; "
                         "give a list with one activation per layer, softmax last")
        return [name] * depth
    if not isinstance(value, list):
        raise r.fail("network.activation", f"expected a name or a list of {depth} names, "
                                            f"found {_kind(value)}")
    if len(value) != depth:
        raise r.fail("network.activation", f"expected {depth} names (one per layer 1..{depth}), "
                                            f"found {len(value)}")
    return [r.string(v, f"network.activation[{i}]", names) for i, v in enumerate(value)]


def _per_layer(r: _Reader, value: Any, key: str, layers: list[int], what: str) -> list:
    """``value`` checked to be a list of one entry (of ``what``) per layer 1..L."""
    depth = len(layers) - 1
    if not isinstance(value, list) or len(value) != depth:
        raise r.fail(key, f"expected a list of {depth} {what} (one per layer), "
                          f"found {_kind(value)}")
    return value


def _weights(r: _Reader, value: Any, layers: list[int]) -> list[np.ndarray] | None:
    if value is None:
        return None
    matrices = []
    for l, matrix in enumerate(_per_layer(r, value, "network.weights", layers, "matrices"),
                               start=1):
        key = f"network.weights[{l - 1}]"
        rows = layers[l - 1]
        if not isinstance(matrix, list) or len(matrix) != rows:
            raise r.fail(key, f"W{l} must have {rows} rows (one per neuron of layer {l - 1}), "
                              f"found {_kind(matrix)}")
        matrices.append(r.matrix(matrix, key, layers[l], f"one per neuron of layer {l}"))
    return matrices


def _biases(r: _Reader, value: Any, layers: list[int], bias: bool) -> list[np.ndarray] | None:
    if value is None:
        return None
    if not bias:
        raise r.fail("network.biases", "must be null when network.bias is false")
    vectors = []
    for l, vector in enumerate(_per_layer(r, value, "network.biases", layers, "vectors"),
                               start=1):
        key = f"network.biases[{l - 1}]"
        if not isinstance(vector, list):
            raise r.fail(key, f"expected a list of {layers[l]} numbers, found {_kind(vector)}")
        vectors.append(r.matrix([vector], key, layers[l], f"b{l}: one per neuron of layer {l}")[0])
    return vectors


def _data(r: _Reader, value: Any, layers: list[int], base: Path | None,
          built: DataSet | None):
    """X, y (the training part), the data object to save, X_test, y_test and the DataSet.

    A built-in set or a CSV file may hold rows out for testing
    (``test_fraction``); those are in the DataSet's ``X_test``/``y_test``.
    ``built``, when given, is that DataSet already made from this object.
    """
    spec = r.object(value, "data")
    if "X" in spec or "y" in spec:
        r.object(spec, "data", {"X", "y"})
        for key in ("X", "y"):
            if key not in spec:
                raise r.fail(f"data.{key}", "missing; inline data needs both X and y")
        X = r.matrix(spec["X"], "data.X", layers[0],
                     f"network.layers[0] = {layers[0]} inputs")
        y = r.matrix(spec["y"], "data.y", layers[-1],
                     f"network.layers[-1] = {layers[-1]} outputs")
        if len(X) != len(y):
            raise r.fail("data.y", f"has {len(y)} rows but data.X has {len(X)}; "
                                   f"each sample needs one target row")
        return X, y, {}, X[:0], y[:0], None
    # The data sets (and the CSV reader) are imported for the lessons that use them:
    # the walk-through's inline numbers need neither, nor does the window's start.
    from .datasets import check_layers, dataset_from_spec
    if "dataset" in spec:
        r.object(spec, "data", _DATASET_KEYS)
        data = built if built is not None else dataset_from_spec(spec, r)
    elif "csv" in spec:
        from .csv_import import CSV_KEYS, csv_from_spec
        r.object(spec, "data", CSV_KEYS)
        data = built if built is not None else csv_from_spec(spec, r, base)
    else:
        raise r.fail("data", "expected inline {\"X\": ..., \"y\": ...}, a built-in "
                             "{\"dataset\": NAME} or a file {\"csv\": PATH}")
    check_layers(data, layers, r.fail)
    return data.X, data.y, dict(spec), data.X_test, data.y_test, data


def _step_notes(r: _Reader, value: Any, architecture: Architecture, loss: str,
                momentum: float, keep_fitting: bool) -> dict[str, str]:
    notes = r.object(value, "step_notes")
    valid = {spec.name for spec in iteration_steps(architecture, loss, momentum, 1)}
    # A note may name the steps and the inputs (X, y, W1 ...) as {name}.
    named = valid | set(input_names(architecture, momentum))
    kept = {}
    for name, text in notes.items():
        if name not in valid and not keep_fitting:
            raise r.fail(f"step_notes.{name}", "is not a step of this network; its steps are "
                                               + ", ".join(sorted(valid)))
        r.string(text, f"step_notes.{name}", max_chars=limits.MAX_STEP_NOTE_CHARS)
        try:
            placeholders = note_placeholders(text)
        except ValueError as exc:
            raise r.fail(f"step_notes.{name}", str(exc)) from None
        unknown = [placeholder for placeholder in placeholders if placeholder not in named]
        if unknown and not keep_fitting:
            raise r.fail(f"step_notes.{name}",
                         f"{{{unknown[0]}}} names no step or input of this network; "
                         "a note may name " + ", ".join(sorted(named)))
        if name in valid and not unknown:
            kept[name] = text
    return kept


def _exercise(r: _Reader, value: Any, architecture: Architecture, loss: str, momentum: float,
              batch_rows: int, keep_fitting: bool) -> ExercisePlan:
    """The ``exercise`` key: ``{"cells": {step: [[row, column], ...]}, "tries": N,
    "must_be_right": false}``; rows of a per-sample matrix count the first batch's samples."""
    plan = r.object(value, "exercise", {"cells", "tries", "must_be_right"})
    shapes = {spec.name: spec.shape
              for spec in iteration_steps(architecture, loss, momentum, batch_rows)}
    cells = {}
    for step, listed in r.object(plan.get("cells", {}), "exercise.cells").items():
        key = f"exercise.cells.{step}"
        if step not in shapes:
            if keep_fitting:
                continue
            raise r.fail(key, "is not a step of this network; its steps are "
                              + ", ".join(sorted(shapes)))
        if not isinstance(listed, list) or not listed:
            raise r.fail(key, "expected a non-empty list of [row, column] pairs")
        rows, columns = shapes[step]
        kept = []
        for index, cell in enumerate(listed):
            where = f"{key}[{index}]"
            if not isinstance(cell, list) or len(cell) != 2:
                raise r.fail(where, "expected a [row, column] pair of whole numbers")
            if keep_fitting and not (isinstance(cell[0], int) and isinstance(cell[1], int)
                                     and 0 <= cell[0] < rows and 0 <= cell[1] < columns):
                continue
            kept.append((r.integer(cell[0], f"{where}[0]", 0, rows - 1),
                         r.integer(cell[1], f"{where}[1]", 0, columns - 1)))
        if kept:
            cells[step] = tuple(kept)
    tries = r.integer(plan.get("tries", DEFAULT_TRIES), "exercise.tries", 1, MAX_TRIES)
    must_be_right = r.boolean(plan.get("must_be_right", False), "exercise.must_be_right")
    return ExercisePlan(cells, tries, must_be_right)


def check_lesson_text(lesson: Lesson, title: str, notes: str,
                      step_notes: dict[str, str]) -> dict[str, str]:
    """A title, notes and step notes typed for ``lesson``, checked as its file's would be.

    Parameters
    ----------
    lesson : Lesson
        The lesson they are for: its network says which steps a note may
        belong to and which matrices a ``{name}`` may name.
    title, notes : str
        The title (not blank: it names the window and the saved file) and
        the notes shown beside the network.
    step_notes : dict of str to str
        {step engine name: note}.

    Returns
    -------
    dict of str to str
        The step notes, as a lesson keeps them.

    Raises
    ------
    LessonError
        Naming the key (``title``, ``step_notes.z1``) and what is wrong, as
        loading a file with the same text would.
    """
    r = _Reader(lesson.path.name if lesson.path is not None else "this lesson")
    r.string(title, "title", max_chars=limits.MAX_TITLE_CHARS)
    if not title.strip():
        raise r.fail("title", "is blank; give the lesson a title (it names the window and "
                              "the saved file)")
    r.string(notes, "notes", max_chars=limits.MAX_NOTES_CHARS)
    return _step_notes(r, step_notes, lesson.architecture, lesson.loss, lesson.momentum, False)


def save_lesson(lesson_document: dict, path: str | os.PathLike) -> None:
    """Write a lesson document atomically (temporary file, fsync, rename)."""
    write_json(lesson_document, path)


def builtin_lessons_dir() -> Path:
    """Folder of the built-in lessons (works from source and when frozen)."""
    from .resources import resource_path
    return resource_path("lessons")


def builtin_lessons() -> list[tuple[str, str, Path]]:
    """(id, title, path) of every built-in lesson, ordered by file name."""
    found = []
    for path in sorted(builtin_lessons_dir().glob("*.json")):
        try:
            title = json.loads(path.read_text(encoding="utf-8")).get("title", path.stem)
        except (OSError, ValueError, AttributeError):
            title = path.stem
        found.append((_lesson_id(path), title, path))
    return found


def _lesson_id(path: Path) -> str:
    stem = path.stem
    head, _, rest = stem.partition("_")
    return rest if head.isdigit() and rest else stem


def resolve_lesson(reference: str) -> Path:
    """A lesson file path, or the file of a built-in lesson id."""
    if not reference.strip():
        raise LessonError("the lesson name is empty; give a lesson file or a built-in lesson id "
                          "(python main.py lessons lists them)")
    if "\x00" in reference:
        raise LessonError(f"{reference!r}: a file name cannot contain a NUL character")
    candidate = Path(reference)
    if candidate.suffix.lower() in LESSON_SUFFIXES or candidate.exists():
        return candidate
    for lesson_id, _, path in builtin_lessons():
        if lesson_id == reference:
            return path
    ids = ", ".join(i for i, _, _ in builtin_lessons())
    raise LessonError(f"{reference}: no such lesson file or built-in lesson id; "
                      f"built-in ids: {ids}")
