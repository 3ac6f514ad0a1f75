"""The run record of DESIGN.md section 5, written as strict JSON."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .catalogue import KINDS
from .iteration import IterationRecord
from .metrics import Evaluation
from .network import Parameters

__all__ = ["run_record", "strict_json", "EVALUATION_KEYS"]

RUN_FORMAT = "backprop-tracer.run"
RUN_VERSION = 1
# What the command line adds about the final weights beside ``final_loss``
# (DESIGN.md section 5): the held-out rows' loss, and accuracy for classification.
EVALUATION_KEYS = ("test_loss", "accuracy", "test_accuracy")


def strict_json(value: Any) -> Any:
    """``value`` with arrays as lists and every inf or NaN as None."""
    if isinstance(value, np.ndarray):
        return strict_json(value.tolist())
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def run_record(title: str, losses: np.ndarray, evaluation: Evaluation, params: Parameters,
               first_iteration: IterationRecord | None) -> dict:
    """Build the run record.

    Parameters
    ----------
    title : str
    losses : ndarray, shape (epochs,)
    evaluation : Evaluation
        The final weights judged: ``final_loss`` (J of the training rows) and
        ``test_loss`` (J of the held-out rows, null without any) always;
        ``accuracy`` and ``test_accuracy`` for a classification lesson.
    params : Parameters
        Weights and biases after the last update.
    first_iteration : IterationRecord or None
        Its steps become ``trace``; None leaves ``trace`` out (the script's record).
    """
    weights, biases = params.as_lists()
    record = {
        "format": RUN_FORMAT, "version": RUN_VERSION, "lesson": title,
        "epochs": int(len(losses)), "loss": losses, "final_loss": evaluation.final_loss,
        "test_loss": evaluation.test_loss,
    }
    if evaluation.classification:
        record["accuracy"] = evaluation.accuracy
        record["test_accuracy"] = evaluation.test_accuracy
    record["weights"], record["biases"] = weights, biases
    if first_iteration is not None:
        trace = []
        for spec in first_iteration.steps:
            value = first_iteration.values[spec.name]
            written = KINDS[spec.kind].value_shape  # DESIGN.md §5: scalars as numbers
            if written == "scalar":
                value = float(value[0, 0])
            elif written == "vector":
                value = value[0]
            trace.append({"step": spec.name, "value": value})
        record["trace"] = trace
    return strict_json(record)
