"""How well a trained network does: its loss on the training and held-out rows, accuracy,
the confusion matrix."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Parameters
from .training import Trainer

__all__ = ["predicted_classes", "accuracy", "confusion_matrix", "is_classification",
           "Evaluation", "evaluate"]


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


@dataclass(frozen=True)
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
