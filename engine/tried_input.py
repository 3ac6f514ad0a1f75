"""Try an input: the forward pass of one input the learner types, beside training.

The learner types an input vector (and, if they like, its target) and sees
z and a of every layer, the output and the error E = y − output, computed by
the kernel's own forward pass on weights copied from the iteration shown. The
result is an ``IterationRecord`` of one sample holding only those steps, so
``record.explain`` writes each of its cells' formulas exactly as the tables
do. Nothing of the session is touched: not its state, its history or its
undo stack.
"""
from __future__ import annotations

import numpy as np

from .iteration import IterationRecord
from .kernel import IterationKernel, Workspace
from .number_text import shown_number
from .steps import StepSpec
from .training import TrainingState

__all__ = ["try_input", "read_vector", "describe"]


def read_vector(text: str, size: int, what: str) -> np.ndarray:
    """A vector of ``size`` numbers typed with commas, semicolons or spaces between them.

    Parameters
    ----------
    text : str
    size : int
        How many numbers the vector holds.
    what : str
        What it is, for the message (``"the input"``, ``"the target"``).

    Returns
    -------
    ndarray, shape (size,)

    Raises
    ------
    ValueError
        Saying which number is wrong, or how many were typed.
    """
    from .exercise import read_number  # the one reading of a typed number
    pieces = [piece for piece in text.replace(";", " ").replace(",", " ").split() if piece]
    if len(pieces) != size:
        raise ValueError(f"{what} needs {size} number{'s' if size != 1 else ''}, "
                         f"{len(pieces)} {'was' if len(pieces) == 1 else 'were'} typed")
    values = []
    for index, piece in enumerate(pieces):
        try:
            values.append(read_number(piece))
        except ValueError as exc:
            raise ValueError(f"{what}, number {index + 1}: {exc}") from None
    return np.array(values, dtype=float)


def try_input(kernel: IterationKernel, state: TrainingState, x: np.ndarray,
              target: np.ndarray | None = None) -> IterationRecord:
    """The forward pass of one input on ``state``'s weights.

    Parameters
    ----------
    kernel : IterationKernel
        The session's kernel: its architecture and settings (a kernel of the
        same kind does the pass, so the session's keeps its buffers bound).
    state : TrainingState
        Whose weights to use; copied, never changed.
    x : ndarray, shape (n0,)
        The network's inputs, derived ones included.
    target : ndarray, shape (nL,), or None
        With a target the record adds E = y − output.

    Returns
    -------
    IterationRecord
        One sample: inputs ``X`` (1, n0), ``y`` (1, nL; NaN without a
        target), ``W{l}``, ``b{l}`` (1, n_l), and the steps ``z{l}``, ``a{l}``
        (and ``E``); ``rows`` is empty (the input is none of the data set's
        samples), ``start`` and ``end`` are the same copy of ``state``,
        ``batch_loss`` is NaN (no update is made, so no J is taken).
    """
    arch, hyper = kernel.architecture, kernel.hyper
    kernel = IterationKernel(arch, hyper)
    start = state.copy()
    x = np.asarray(x, dtype=float).reshape(1, arch.layers[0])
    y = (np.full((1, arch.layers[-1]), np.nan) if target is None
         else np.asarray(target, dtype=float).reshape(1, arch.layers[-1]))
    ws = Workspace(arch, 1)
    ws.inputs[0][:, : arch.layers[0]] = x
    values = {"X": x.copy(), "y": y.copy()}
    for l in range(1, arch.depth + 1):
        values[f"W{l}"] = start.params.weight(l).copy()
        if arch.bias:
            values[f"b{l}"] = start.params.bias(l)[None, :].copy()
    with np.errstate(all="ignore"):
        kernel.forward(ws, start.params)
    steps = []
    for l in range(1, arch.depth + 1):
        width = arch.layers[l]
        steps += [StepSpec(f"z{l}", "forward", "z", l, (1, width)),
                  StepSpec(f"a{l}", "forward", "a", l, (1, width))]
        values[f"z{l}"] = ws.z[l].copy()
        values[f"a{l}"] = ws.activation(l).copy()
    if target is not None:
        steps.append(StepSpec("E", "error", "E", arch.depth, (1, arch.layers[-1])))
        values["E"] = y - ws.output
    return IterationRecord(arch, hyper.loss, 0.0, 0.0, 0.0, steps, values, np.zeros(0, dtype=int),
                           start, start, float("nan"), None)


def describe(record: IterationRecord, decimals: int = 3) -> str:
    """One line for the status bar: ``output 0.73 (target 1, error 0.27)``."""
    depth = record.architecture.depth
    output = ", ".join(shown_number(v, decimals) for v in record.values[f"a{depth}"][0])
    line = f"output {output}"
    if "E" in record.values:
        target = ", ".join(shown_number(v, decimals) for v in record.values["y"][0])
        error = ", ".join(shown_number(v, decimals) for v in record.values["E"][0])
        line += f" (target {target}, error {error})"
    return line
