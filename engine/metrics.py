"""How well a trained network does: its loss on the training and held-out rows, accuracy,
the confusion matrix.

``evaluate`` judges one set of weights (the run record's final weights);
``Judge`` judges weights again and again for one lesson's rows — the window
asks at every frame it shows while Run trains — on buffers made once, with
one forward pass per set of rows giving both J and the outputs.
"""
from __future__ import annotations


import numpy as np

from .kernel import IterationKernel, Workspace, augment
from .network import Parameters
from .training import Trainer
from .value_type import value_type

__all__ = ["predicted_classes", "accuracy", "confusion_matrix", "is_classification",
           "Evaluation", "evaluate", "Confusion", "Judge", "class_names"]


def predicted_classes(outputs: np.ndarray) -> np.ndarray:
    """Class of each row of outputs (m, k): argmax for k > 1, output ≥ 0.5 for k = 1; shape (m,)."""
    if outputs.shape[1] == 1:
        return (outputs[:, 0] >= 0.5).astype(int)
    return np.argmax(outputs, axis=1)


def accuracy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Fraction of rows whose predicted class is the target's class.

    NaN for no rows, and for outputs that are not all finite (a diverged
    network predicts no class).
    """
    if len(targets) == 0 or not np.all(np.isfinite(outputs)):
        return float("nan")
    return float(np.mean(predicted_classes(outputs) == predicted_classes(targets)))


def confusion_matrix(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Counts (k, k): row = true class, column = predicted class (k ≥ 2)."""
    classes = max(2, targets.shape[1])
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (predicted_classes(targets), predicted_classes(outputs)), 1)
    return counts


def is_classification(targets: np.ndarray) -> bool:
    """Whether targets (m, k) are class labels, so that accuracy means something.

    One output: every target is 0 or 1 (the class is output ≥ 0.5). Several
    outputs: every row is one-hot (the class is the largest output). Any other
    target, such as the ``plane`` set's real values, makes a regression.
    """
    if targets.size == 0 or not np.all((targets == 0) | (targets == 1)):
        return False
    return targets.shape[1] == 1 or bool(np.all(targets.sum(axis=1) == 1))


@value_type
class Evaluation:
    """The final weights judged on the training rows and on the held-out rows.

    Attributes
    ----------
    final_loss : float
        J of the training rows (L2 term with m = training rows).
    test_loss : float or None
        J of the held-out rows (L2 term with m = held-out rows); None when
        the lesson holds none out.
    accuracy, test_accuracy : float or None
        Fractions of the training and of the held-out rows classified right;
        None for a regression lesson, ``test_accuracy`` also without held-out
        rows. NaN when the outputs are not finite.
    training_rows, held_out_rows : int
    """

    final_loss: float
    test_loss: float | None
    accuracy: float | None
    test_accuracy: float | None
    training_rows: int
    held_out_rows: int

    @property
    def classification(self) -> bool:
        """Whether the targets are class labels (accuracy is then reported)."""
        return self.accuracy is not None


def evaluate(trainer: Trainer, params: Parameters, X_test: np.ndarray | None,
             y_test: np.ndarray | None) -> Evaluation:
    """Judge ``params`` on the trainer's rows and on the held-out rows.

    Parameters
    ----------
    trainer : Trainer
        Holds the training rows X (m, n0), y (m, nL), the network and the loss.
    params : Parameters
    X_test, y_test : ndarray, shapes (k, n0) and (k, nL), or None
        The held-out rows (k may be 0); None when the lesson has none.
    """
    held = 0 if X_test is None else len(X_test)
    final_loss = trainer.full_loss(params)
    test_loss = None
    if held:
        # The same J on other rows: a trainer of the held-out rows computes it,
        # so the test loss is written once, in the kernel, like the training loss.
        test_loss = Trainer(trainer.architecture, trainer.hyper, X_test, y_test).full_loss(params)
    train_accuracy = test_accuracy = None
    targets = trainer.y if not held else np.vstack([trainer.y, y_test])
    if is_classification(targets):
        train_accuracy = accuracy(trainer.predict(params, trainer.X), trainer.y)
        if held:
            test_accuracy = accuracy(trainer.predict(params, X_test), y_test)
    return Evaluation(final_loss, test_loss, train_accuracy, test_accuracy, trainer.samples, held)


def class_names(outputs: tuple[str, ...]) -> tuple[str, ...]:
    """The classes named from the outputs' names: one 0/1 output ``y`` gives
    ``y = 0`` and ``y = 1``; one-hot outputs are a class each, named as they are."""
    if len(outputs) == 1:
        return (f"{outputs[0]} = 0", f"{outputs[0]} = 1")
    return tuple(outputs)


@value_type
class Confusion:
    """Which class each row is and which class the network gives it.

    Attributes
    ----------
    counts : ndarray of int, shape (k, k)
        ``confusion_matrix``: row = true class, column = predicted class.
    true, predicted : ndarray of int, shape (m,)
        Each row's class and the network's class for it.
    """

    counts: np.ndarray
    true: np.ndarray
    predicted: np.ndarray

    def samples(self, true: int, predicted: int) -> np.ndarray:
        """Indices (0-based, shape (count,)) of the rows of class ``true`` predicted as
        ``predicted``: the rows counted in that cell."""
        return np.flatnonzero((self.true == true) & (self.predicted == predicted))


class _Rows:
    """One set of rows (training or held-out) with its own kernel and buffers, so
    judging never rebinds the training kernel's operations."""

    def __init__(self, trainer: Trainer, X: np.ndarray, y: np.ndarray):
        self.y = np.ascontiguousarray(y, dtype=float)
        self.kernel = IterationKernel(trainer.architecture, trainer.hyper)
        self.ws = Workspace(trainer.architecture, len(X))
        self.ws.inputs[0] = augment(np.asarray(X, dtype=float), trainer.architecture.bias)

    def forward(self, params: Parameters) -> np.ndarray:
        """a{L} of every row, shape (m, nL): a view of the buffer, valid until the next pass."""
        with np.errstate(all="ignore"):
            self.kernel.forward(self.ws, params)
        return self.ws.output

    def loss(self, params: Parameters) -> float:
        """J of the rows (L2 term with m = these rows), as ``Trainer.full_loss`` computes it."""
        self.forward(params)
        with np.errstate(all="ignore"):
            return self.kernel.loss(self.ws, params, self.y)


class Judge:
    """``evaluate`` for one lesson, asked again and again (a window's frames).

    The rows are copied into buffers once; each ``evaluate`` is one forward
    pass over the training rows and one over the held-out rows, with the
    same kernel operations ``Trainer.full_loss`` and ``Trainer.predict`` run.

    Parameters
    ----------
    trainer : Trainer
        Its training rows X (m, n0), y (m, nL), network and loss. An edit of
        the data replaces ``trainer.X``: ``judges(trainer)`` then says False.
    X_test, y_test : ndarray, shapes (k, n0) and (k, nL), or None
        The held-out rows; None (or k = 0) when the lesson has none.
    """

    def __init__(self, trainer: Trainer, X_test: np.ndarray | None, y_test: np.ndarray | None):
        self._X = trainer.X
        self._train = _Rows(trainer, trainer.X, trainer.y)
        held = X_test is not None and len(X_test) > 0
        self._test = _Rows(trainer, X_test, y_test) if held else None
        targets = trainer.y if not held else np.vstack([trainer.y, y_test])
        self.classification = is_classification(targets)
        self.classes = max(2, trainer.y.shape[1]) if self.classification else 0

    @property
    def held_out(self) -> bool:
        """Whether the lesson holds rows out (a test loss exists)."""
        return self._test is not None

    def judges(self, trainer: Trainer) -> bool:
        """Whether this judge's training rows are still ``trainer``'s."""
        return trainer.X is self._X

    def evaluate(self, params: Parameters) -> Evaluation:
        """The same ``Evaluation`` as ``evaluate(trainer, params, X_test, y_test)``."""
        train, test = self._train, self._test
        final_loss = train.loss(params)
        train_accuracy = accuracy(train.ws.output, train.y) if self.classification else None
        test_loss = test_accuracy = None
        if test is not None:
            test_loss = test.loss(params)
            if self.classification:
                test_accuracy = accuracy(test.ws.output, test.y)
        return Evaluation(final_loss, test_loss, train_accuracy, test_accuracy,
                          len(train.y), 0 if test is None else len(test.y))

    def confusion(self, params: Parameters, held_out: bool = False) -> Confusion | None:
        """True × predicted classes of the training rows (or the held-out rows).

        None for a regression lesson, for ``held_out`` without held-out rows,
        and when the outputs are not all finite (a diverged network predicts
        no class).
        """
        rows = self._test if held_out else self._train
        if not self.classification or rows is None:
            return None
        outputs = rows.forward(params)
        if not np.all(np.isfinite(outputs)):
            return None
        return Confusion(confusion_matrix(outputs, rows.y), predicted_classes(rows.y),
                         predicted_classes(outputs))
