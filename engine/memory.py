"""How much memory a lesson needs, worked out from its shapes before any work.

Nearly all of a lesson's memory is matrices with one row per sample of a
batch: the kernel's buffers (``Workspace``: the inputs, z, slopes, deltas
and errors of every layer) and the stepped iteration's copies of each step
(``IterationRecord``), which hold the same matrices again. The weights are
small beside them (``limits.MAX_PARAMETERS``). So the estimate counts, in
8-byte floats:

- the data: X, y and the held-out rows, and X with its column of ones;
- the batch's buffers, once;
- four iterations' worth of copies: the record the tables show, the next
  one being computed while it is still shown (the command line's first
  iteration and the session's), the tables' error-form copies of the
  backward steps, and the arithmetic's temporaries (a step's value before
  it is copied into its record);
- the buffers of a forward pass over every training row, twice (the
  trainer keeps one for the loss per epoch; J of the final weights makes
  another), and over every held-out row;
- with a run record (``--json``), the first iteration written out as JSON:
  each number a Python float in a list, then its text (``TRACE_BYTES``);
- in the window, its teaching views: the decision boundary's forward pass
  over its ``BOUNDARY_FINE`` × ``BOUNDARY_FINE`` grid (``limits.py``) and the maps
  it keeps of every neuron,
  and the loss landscape's two passes over every training row (its probe,
  and the replay of the descent path); and the judge of the held-out loss
  and the accuracies (``metrics.Judge``): a forward pass over every
  training and every held-out row, with its own copy of X with ones.

A lesson is checked as the window would open it, the larger need, so a
lesson file that runs on the command line opens in the window too.

``tests/test_memory.py`` checks the estimate against tracemalloc's peak for
several shapes: never below it, and within ``HONESTY_FACTOR`` of it.
"""
from __future__ import annotations


from . import limits
from .errors import LessonError
from .network import Architecture
from .value_type import value_type

__all__ = ["MemoryEstimate", "estimate_memory", "check_memory", "workspace_floats",
           "FLOAT_BYTES", "TRACE_BYTES", "HONESTY_FACTOR", "shown_bytes"]

FLOAT_BYTES = 8
# A number of the run record's trace: a float object (24 bytes) in two lists (tolist, then
# the strict copy: 8 each), then its JSON text, up to 25 characters, as text and as bytes.
TRACE_BYTES = 24 + 2 * 8 + 2 * 25
RECORDS = 4  # shown, next, the tables' error-form copies, the temporaries
HONESTY_FACTOR = 4.0  # the estimate is at most this many times the measured peak


def workspace_floats(architecture: Architecture, rows: int) -> int:
    """Floats in the kernel's buffers for a batch of ``rows`` samples.

    Per row: each layer's input with its column of ones (all but the
    output), z, slope and delta of every layer, the output and E, and the
    error of every hidden layer — as ``kernel.Workspace`` allocates them.
    """
    sizes, depth, bias = architecture.layers, architecture.depth, int(architecture.bias)
    per_row = (sum(sizes[l] + bias for l in range(depth))
               + 3 * sum(sizes[1:]) + 2 * sizes[-1] + sum(sizes[1:-1]))
    return rows * per_row


@value_type
class MemoryEstimate:
    """The memory a lesson needs, in bytes, by what holds it.

    Attributes
    ----------
    data : int
        X (m, n0), y (m, nL), the held-out rows, and X with its ones column.
    batch : int
        The kernel's buffers for one batch of ``batch_rows`` samples.
    records : int
        ``RECORDS`` copies of one iteration's matrices.
    whole_data : int
        The buffers of forward passes over all training rows (two) and all held-out rows.
    trace : int
        The run record's first iteration as JSON (0 without ``--json``).
    views : int
        The window's decision boundary and loss landscape (0 on the command line).
    """

    data: int
    batch: int
    records: int
    whole_data: int
    trace: int
    views: int

    @property
    def total(self) -> int:
        return self.data + self.batch + self.records + self.whole_data + self.trace + self.views


def estimate_memory(architecture: Architecture, training_rows: int, held_out_rows: int,
                    batch_size: int | None, with_trace: bool = False,
                    in_window: bool = True) -> MemoryEstimate:
    """The memory a lesson of these shapes needs; see the module's list.

    Parameters
    ----------
    architecture : Architecture
        Layer sizes n0 … nL and whether there are biases.
    training_rows, held_out_rows : int
        Rows of X and of the held-out X.
    batch_size : int or None
        Samples per iteration (None: all training rows).
    with_trace : bool
        A run record with the first iteration's trace will be written.
    in_window : bool
        Count the window's teaching views (the command line has none).
    """
    n0, n_out = architecture.layers[0], architecture.layers[-1]
    rows = training_rows + held_out_rows
    batch_rows = training_rows if batch_size is None else min(batch_size, training_rows)
    one_iteration = workspace_floats(architecture, batch_rows)
    data = rows * (2 * n0 + 1 + n_out)
    whole = (2 * workspace_floats(architecture, training_rows)
             + workspace_floats(architecture, held_out_rows))
    grid = limits.BOUNDARY_FINE * limits.BOUNDARY_FINE
    views = (workspace_floats(architecture, grid) + grid * sum(architecture.layers[1:])
             + 2 * workspace_floats(architecture, training_rows)
             + workspace_floats(architecture, training_rows)
             + workspace_floats(architecture, held_out_rows) + rows * (n0 + 1)
             ) if in_window else 0
    return MemoryEstimate(data * FLOAT_BYTES, one_iteration * FLOAT_BYTES,
                          RECORDS * one_iteration * FLOAT_BYTES, whole * FLOAT_BYTES,
                          one_iteration * TRACE_BYTES if with_trace else 0, views * FLOAT_BYTES)


def shown_bytes(count: int) -> str:
    """A byte count for people: ``2.0 GB``, ``340 MB`` (binary units, as the limits are)."""
    gib = count / 2**30
    if gib >= 1:
        return f"{gib:.1f} GB"
    return f"{max(1, round(count / 2**20))} MB"


def check_memory(estimate: MemoryEstimate, where: str,
                 budget: int = limits.MEMORY_BUDGET_BYTES) -> None:
    """Refuse, naming the estimate and the budget, a lesson that would not fit.

    Raises
    ------
    LessonError
        ``{where}: this lesson needs about 6.4 GB of memory, more than the
        limit of 2.0 GB; …`` when ``estimate.total`` exceeds ``budget``.
    """
    if estimate.total > budget:
        raise LessonError(f"{where}: this lesson needs about {shown_bytes(estimate.total)} of "
                          f"memory, more than the limit of {shown_bytes(budget)}; use fewer "
                          f"samples, a smaller batch or narrower layers")
