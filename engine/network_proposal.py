"""The network a new lesson on other data starts with, proposed from the data.

A teacher who imports a CSV file or picks a built-in data set is shown the
network that will be made, with defaults that suit the data — never the
settings of whatever lesson happened to be open. The proposal reads only
the data's shape and kind:

- **what the targets are** (``target_kind``): one 0/1 column (``binary``),
  several 0/1 columns that are not one-hot (``labels``, e.g. AND and OR
  learnt together), one-hot rows (``classes``), or any other numbers
  (``regression``);
- **the output layer and loss that suit them** (the pairings DESIGN.md
  section 2 allows): a sigmoid output with binary cross-entropy for 0/1
  targets, softmax with cross-entropy for one-hot classes, a linear output
  with the mean squared error for numbers;
- **the size of the data** (``_hidden_layers``): tanh hidden neurons
  (zero-centred, so small networks learn in hundreds of epochs rather than
  thousands), one small layer for a truth table so every number fits on
  screen, wider layers (a power of two up to ``MAX_PROPOSED_UNITS``) for
  more inputs, outputs and rows, and two of them for many points of a
  plane; the whole data set in one batch up to ``FULL_BATCH_ROWS`` rows
  (each iteration is the whole table, which a lesson can follow) for
  ``FULL_BATCH_EPOCHS`` epochs (three times as many with two hidden
  layers), else mini-batches of ``MINI_BATCH`` with momentum 0.9 and as
  many epochs as give about ``MINI_BATCH_UPDATES`` updates.

``read_choice`` turns what a teacher typed into the dialog's fields into a
``NetworkChoice``, or refuses it with one line that names the field by its
label (``FIELD_LABELS``); ``NetworkChoice.documents`` gives the lesson
file's ``network`` and ``training`` objects, which ``engine.lesson``
validates once more.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import limits
from .activations import ACTIVATIONS
from .errors import LessonError
from .losses import LOSSES, check_pairing
from .network import INITIALISATIONS

__all__ = ["TARGET_KINDS", "DataSummary", "target_kind", "NetworkChoice", "propose_network",
           "read_choice", "FIELD_LABELS", "FULL_BATCH_ROWS", "MINI_BATCH", "MINI_BATCH_UPDATES",
           "MAX_PROPOSED_UNITS", "HIDDEN_ACTIVATIONS"]

TARGET_KINDS = {
    "binary": "one 0/1 target (a yes/no class)",
    "labels": "several 0/1 targets (each a yes/no of its own)",
    "classes": "one-hot targets (one class out of several)",
    "regression": "numbers to predict",
}
FULL_BATCH_ROWS = 256          # up to this many rows, one batch is the whole data set
MINI_BATCH = 32
MINI_BATCH_UPDATES = 5_000     # updates a mini-batch proposal aims for over its epochs
FULL_BATCH_EPOCHS = 1_000
SMALL_DATA_ROWS = 16           # a truth table: a network small enough to read every number
MAX_PROPOSED_UNITS = 32
PLANE_INPUTS = 3               # x1, x2 and perhaps one derived input
DEEP_PLANE_ROWS = 100
# Softmax maps a whole row to probabilities: an output layer only (engine.losses).
HIDDEN_ACTIVATIONS = tuple(name for name in ACTIVATIONS if name != "softmax")

FIELD_LABELS = {
    "hidden": "Hidden layers", "hidden_activation": "Hidden activation",
    "output_activation": "Output activation", "loss": "Loss",
    "learning_rate": "Learning rate", "batch_size": "Batch size", "momentum": "Momentum",
    "epochs": "Epochs", "init": "Initial weights",
}


def target_kind(y: np.ndarray) -> str:
    """What the targets y (m, k) are: one of ``TARGET_KINDS``.

    0/1 targets are classes: one column a yes/no (``binary``), several
    columns one-hot in every row one class of k (``classes``), else each
    column a yes/no of its own (``labels``). Anything else is ``regression``.
    """
    y = np.asarray(y, dtype=float)
    if y.size == 0 or not np.all((y == 0) | (y == 1)):
        return "regression"
    if y.shape[1] == 1:
        return "binary"
    return "classes" if bool(np.all(y.sum(axis=1) == 1)) else "labels"


@dataclass(frozen=True)
class DataSummary:
    """What a proposal needs to know of the data.

    Attributes
    ----------
    inputs, outputs : int
        n0 and nL: the columns of X and of y.
    rows : int
        Training rows (the held-out ones are not trained on).
    kind : str
        One of ``TARGET_KINDS``.
    """

    inputs: int
    outputs: int
    rows: int
    kind: str

    @classmethod
    def of(cls, X: np.ndarray, y: np.ndarray) -> "DataSummary":
        """The summary of training inputs X (m, n0) and targets y (m, nL)."""
        return cls(int(X.shape[1]), int(y.shape[1]), int(X.shape[0]), target_kind(y))


@dataclass(frozen=True)
class NetworkChoice:
    """A network and how it trains, as the new lesson will have them.

    Attributes
    ----------
    inputs, outputs : int
        The ends of ``layers``, fixed by the data.
    hidden : tuple of int
        The hidden layers' sizes, first to last (empty: no hidden layer).
    hidden_activation, output_activation : str
        Names in ``engine.activations``.
    loss : str
        A name in ``engine.losses`` that the output activation allows.
    learning_rate : float
    batch_size : int or None
        None: the whole data set in one batch.
    momentum : float
        In [0, 1).
    epochs : int
    init : str
        One of ``engine.network.INITIALISATIONS``.
    """

    inputs: int
    outputs: int
    hidden: tuple[int, ...]
    hidden_activation: str
    output_activation: str
    loss: str
    learning_rate: float
    batch_size: int | None
    momentum: float
    epochs: int
    init: str = "xavier"

    @property
    def layers(self) -> list[int]:
        """[n0, n1, ..., nL]."""
        return [self.inputs, *self.hidden, self.outputs]

    @property
    def activations(self) -> list[str]:
        """One activation per layer 1..L."""
        return [self.hidden_activation] * len(self.hidden) + [self.output_activation]

    def documents(self) -> tuple[dict, dict]:
        """The lesson file's ``network`` and ``training`` objects (DESIGN.md section 4)."""
        activations = self.activations
        network = {"layers": self.layers,
                   "activation": activations[0] if len(set(activations)) == 1 else activations,
                   "bias": True, "train_bias": True, "init": self.init, "seed": 0,
                   "weights": None, "biases": None}
        training = {"loss": self.loss, "learning_rate": self.learning_rate,
                    "batch_size": self.batch_size, "epochs": self.epochs, "l2": 0.0,
                    "momentum": self.momentum, "tolerance": None}
        return network, training


_OUTPUT_FOR_KIND = {"binary": ("sigmoid", "binary_cross_entropy"),
                    "labels": ("sigmoid", "binary_cross_entropy"),
                    "classes": ("softmax", "cross_entropy"),
                    "regression": ("linear", "mse")}


def _hidden_layers(summary: DataSummary) -> tuple[int, ...]:
    """The proposed hidden layers' sizes.

    A truth table gets one layer of n0 + nL neurons (at least 2: XOR needs
    two), so a 4-row lesson shows a few readable numbers. Larger data get
    the power of two at or above both 2·(n0 + nL) and √rows, between 4 and
    ``MAX_PROPOSED_UNITS``; points of a plane (at most ``PLANE_INPUTS``
    inputs) in ``DEEP_PLANE_ROWS`` rows or more get two such layers, since
    so many points can trace a boundary that winds (the two spirals) and
    one layer draws it only roughly.
    """
    ends = summary.inputs + summary.outputs
    if summary.rows <= SMALL_DATA_ROWS:
        return (min(max(2, ends), 8),)
    wanted = max(2 * ends, math.sqrt(summary.rows))
    width = min(max(2 ** math.ceil(math.log2(wanted)), 4), MAX_PROPOSED_UNITS)
    deep = summary.inputs <= PLANE_INPUTS and summary.rows >= DEEP_PLANE_ROWS
    return (width, width) if deep else (width,)


def propose_network(summary: DataSummary) -> NetworkChoice:
    """The network the data suggest (module docstring for the rules)."""
    if summary.kind not in TARGET_KINDS:
        raise ValueError(f"unknown target kind {summary.kind!r}; expected one of "
                         + ", ".join(TARGET_KINDS))
    output_activation, loss = _OUTPUT_FOR_KIND[summary.kind]
    regression = summary.kind == "regression"
    hidden = _hidden_layers(summary)
    if summary.rows <= FULL_BATCH_ROWS:
        # A second hidden layer starts on a longer plateau (its first updates are small).
        batch_size, momentum = None, 0.0
        epochs = FULL_BATCH_EPOCHS * (3 if len(hidden) > 1 else 1)
        learning_rate = 0.1 if regression else 0.5
    else:
        batch_size, momentum = MINI_BATCH, 0.9
        updates_per_epoch = math.ceil(summary.rows / MINI_BATCH)
        epochs = min(max(math.ceil(MINI_BATCH_UPDATES / updates_per_epoch), 10),
                     FULL_BATCH_EPOCHS)
        # Momentum 0.9 multiplies a steady step about tenfold.
        learning_rate = 0.01 if regression else 0.05
    return NetworkChoice(summary.inputs, summary.outputs, hidden, "tanh",
                         output_activation, loss, learning_rate, batch_size, momentum, epochs)


# ---------------------------------------------------------------- what was typed

def _fail(field: str, message: str) -> LessonError:
    return LessonError(f"{FIELD_LABELS[field]}: {message}")


def _cleaned(text: Any) -> str:
    """Typed text with the typographic minus read as a minus."""
    return str(text).strip().replace("\u2212", "-")


def _number(text: Any, field: str, expected: str) -> float:
    cleaned = _cleaned(text)
    if not cleaned:
        raise _fail(field, f"is empty; expected {expected}")
    try:
        value = float(cleaned)
    except ValueError:
        raise _fail(field, f"{cleaned!r} is not a number; expected {expected}") from None
    if not math.isfinite(value):
        raise _fail(field, f"{cleaned!r} is not a finite number; expected {expected}")
    return value


def _whole(text: Any, field: str, low: int, high: int, expected: str) -> int:
    cleaned = _cleaned(text)
    if not cleaned:
        raise _fail(field, f"is empty; expected {expected}")
    if not re.fullmatch(r"[+-]?\d+", cleaned):
        raise _fail(field, f"{cleaned!r} is not a whole number; expected {expected}")
    value = int(cleaned) if len(cleaned) < 20 else high + 1   # more digits: beyond any limit
    if not low <= value <= high:
        raise _fail(field, f"{cleaned} is out of range; expected {expected}")
    return value


def _hidden(text: Any) -> tuple[int, ...]:
    cleaned = _cleaned(text)
    parts = [part for part in re.split(r"[,;\s]+", cleaned) if part]
    most = limits.MAX_LAYERS - 1
    if len(parts) > most:
        raise _fail("hidden", f"{len(parts)} hidden layers is more than the limit of {most}")
    expected = (f"neurons per hidden layer, whole numbers 1 to {limits.MAX_UNITS} separated by "
                f"commas (e.g. 4 or 8, 8; empty: no hidden layer)")
    return tuple(_whole(part, "hidden", 1, limits.MAX_UNITS, expected) for part in parts)


def _named(value: Any, field: str, names) -> str:
    if value not in names:
        raise _fail(field, f"{value!r} is not one of " + ", ".join(names))
    return value


def read_choice(summary: DataSummary, fields: dict[str, Any]) -> NetworkChoice:
    """The network the dialog's fields describe, for data like ``summary``.

    Parameters
    ----------
    summary : DataSummary
        The data the network is for (its ends and rows).
    fields : dict
        Text as typed (``hidden``: sizes separated by commas; ``batch_size``:
        ``full`` or empty for the whole data set; the numbers) and names as
        chosen, under the keys of ``FIELD_LABELS``.

    Raises
    ------
    LessonError
        One line starting with the field's label, e.g. ``Learning rate:
        'fast' is not a number; expected a positive number such as 0.1``.
    """
    hidden = _hidden(fields.get("hidden", ""))
    hidden_activation = _named(fields.get("hidden_activation"), "hidden_activation",
                               HIDDEN_ACTIVATIONS)
    output_activation = _named(fields.get("output_activation"), "output_activation",
                               tuple(ACTIVATIONS))
    loss = _named(fields.get("loss"), "loss", tuple(LOSSES))
    problem = check_pairing(loss, [hidden_activation] * len(hidden) + [output_activation])
    if problem:
        raise _fail("loss", problem)
    learning_rate = _number(fields.get("learning_rate", ""), "learning_rate",
                            "a positive number such as 0.1")
    if learning_rate <= 0:
        raise _fail("learning_rate", f"{_cleaned(fields['learning_rate'])} is not positive; "
                                     f"expected a positive number such as 0.1")
    batch_text = _cleaned(fields.get("batch_size", ""))
    batch_size = None
    if batch_text.lower() not in ("", "full"):
        batch_size = _whole(batch_text, "batch_size", 1, summary.rows,
                            f"'full' (all {summary.rows} training rows at once) or a whole "
                            f"number of rows 1 to {summary.rows}")
    momentum = _number(fields.get("momentum", ""), "momentum", "a number from 0 up to (not "
                                                               "including) 1, such as 0.9")
    if not 0 <= momentum < 1:
        raise _fail("momentum", f"{_cleaned(fields['momentum'])} is out of range; expected a "
                                f"number from 0 up to (not including) 1, such as 0.9")
    epochs = _whole(fields.get("epochs", ""), "epochs", 1, limits.MAX_EPOCHS,
                    f"a whole number of epochs 1 to {limits.MAX_EPOCHS:,}".replace(",", " "))
    init = _named(fields.get("init", "xavier"), "init", INITIALISATIONS)
    return NetworkChoice(summary.inputs, summary.outputs, hidden, hidden_activation,
                         output_activation, loss, learning_rate, batch_size, momentum, epochs,
                         init)
