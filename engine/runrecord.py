"""The run record of DESIGN.md section 5, written as strict JSON."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .iteration import IterationRecord
from .network import Parameters

__all__ = ["run_record", "strict_json"]

RUN_FORMAT = "backprop-tracer.run"
RUN_VERSION = 1


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


def run_record(title: str, losses: np.ndarray, final_loss: float, params: Parameters,
               first_iteration: IterationRecord | None) -> dict:
    """Build the run record.

    Parameters
    ----------
    title : str
    losses : ndarray, shape (epochs,)
    final_loss : float
        J of the whole data set on the final weights.
    params : Parameters
        Weights and biases after the last update.
    first_iteration : IterationRecord or None
        Its steps become ``trace``; None leaves ``trace`` out (the script's record).
    """
    weights, biases = params.as_lists()
    record = {
        "format": RUN_FORMAT, "version": RUN_VERSION, "lesson": title,
        "epochs": int(len(losses)), "loss": losses, "final_loss": final_loss,
        "weights": weights, "biases": biases,
    }
    if first_iteration is not None:
        trace = []
        for spec in first_iteration.steps:
            value = first_iteration.values[spec.name]
            if spec.kind == "loss":
                trace.append({"step": spec.name, "value": float(value[0, 0])})
            elif spec.kind in ("grad_b", "velocity_b", "new_b"):
                trace.append({"step": spec.name, "value": value[0]})
            else:
                trace.append({"step": spec.name, "value": value})
        record["trace"] = trace
    return strict_json(record)
