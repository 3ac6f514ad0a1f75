"""The named steps of one training iteration (DESIGN.md section 3), in order.

``iteration_steps`` lists them in the order the Step button reveals them;
each ``StepSpec`` says which step it is — name, phase, kind, layer and
shape — but holds no numbers (those live in an ``IterationRecord``) and no
formula (the catalogue, ``engine.catalogue``, writes every formula and name
in both presentations).
"""
from __future__ import annotations


from .catalogue import PRESENTATIONS
from .losses import get_loss
from .network import Architecture
from .value_type import value_type

__all__ = ["StepSpec", "iteration_steps", "input_names", "PHASES", "PRESENTATIONS"]

PHASES = ("forward", "error", "backward", "update")


@value_type
class StepSpec:
    """One named step of an iteration.

    Attributes
    ----------
    name : str
        Step name, e.g. ``"z1"``, ``"delta2"``, ``"grad_b1"``, ``"loss"``.
    phase : str
        ``"forward"``, ``"error"``, ``"backward"`` or ``"update"``.
    kind : str
        ``z a E loss slope delta error grad_W grad_b velocity_W velocity_b new_W new_b``.
    layer : int
        The layer 1..L the step belongs to (L for E and loss).
    shape : tuple of int
        Shape of the value for a batch of ``mb`` samples; vectors are (1, n).
    """

    name: str
    phase: str
    kind: str
    layer: int
    shape: tuple[int, int]


def iteration_steps(architecture: Architecture, loss: str, momentum: float,
                    batch_size: int) -> list[StepSpec]:
    """The steps of one iteration, in order.

    Parameters
    ----------
    architecture : Architecture
    loss : str
        Loss name; the cross-entropies have no ``slope{L}`` step.
    momentum : float
        Velocity steps appear when it is non-zero.
    batch_size : int
        mb, the number of rows of every per-sample matrix.
    """
    sizes, depth = architecture.layers, architecture.depth
    mb = batch_size
    steps: list[StepSpec] = []
    for l in range(1, depth + 1):
        steps.append(StepSpec(f"z{l}", "forward", "z", l, (mb, sizes[l])))
        steps.append(StepSpec(f"a{l}", "forward", "a", l, (mb, sizes[l])))
    steps.append(StepSpec("E", "error", "E", depth, (mb, sizes[-1])))
    steps.append(StepSpec("loss", "error", "loss", depth, (1, 1)))
    skip_output_slope = get_loss(loss).cancels_slope
    for l in range(depth, 0, -1):
        if not (l == depth and skip_output_slope):
            steps.append(StepSpec(f"slope{l}", "backward", "slope", l, (mb, sizes[l])))
    steps.append(StepSpec(f"delta{depth}", "backward", "delta", depth, (mb, sizes[-1])))
    for l in range(depth - 1, 0, -1):
        steps.append(StepSpec(f"error{l}", "backward", "error", l, (mb, sizes[l])))
        steps.append(StepSpec(f"delta{l}", "backward", "delta", l, (mb, sizes[l])))
    bias_steps = architecture.trains_bias
    for l in range(depth, 0, -1):
        steps.append(StepSpec(f"grad_W{l}", "update", "grad_W", l, (sizes[l - 1], sizes[l])))
        if bias_steps:
            steps.append(StepSpec(f"grad_b{l}", "update", "grad_b", l, (1, sizes[l])))
    if momentum:
        for l in range(depth, 0, -1):
            steps.append(StepSpec(f"velocity_W{l}", "update", "velocity_W", l,
                                  (sizes[l - 1], sizes[l])))
            if bias_steps:
                steps.append(StepSpec(f"velocity_b{l}", "update", "velocity_b", l, (1, sizes[l])))
    for l in range(depth, 0, -1):
        steps.append(StepSpec(f"new_W{l}", "update", "new_W", l, (sizes[l - 1], sizes[l])))
    if bias_steps:
        for l in range(depth, 0, -1):
            steps.append(StepSpec(f"new_b{l}", "update", "new_b", l, (1, sizes[l])))
    return steps


def input_names(architecture: Architecture, momentum: float) -> list[str]:
    """Names of the iteration's inputs: X, y, W1, b1, ... (and previous velocities)."""
    names = ["X", "y"]
    for l in range(1, architecture.depth + 1):
        names.append(f"W{l}")
        if architecture.bias:
            names.append(f"b{l}")
    if momentum:
        for l in range(1, architecture.depth + 1):
            names.append(f"previous_velocity_W{l}")
            if architecture.trains_bias:
                names.append(f"previous_velocity_b{l}")
    return names
