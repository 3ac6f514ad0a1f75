"""The named steps of one training iteration (DESIGN.md section 3).

``iteration_steps`` lists them in the order the Step button reveals them;
each ``StepSpec`` says what the step is — name, phase, layer, shape and its
formula — but holds no numbers (those live in an ``IterationRecord``).

Two presentations show the same numbers:

* ``"gradient"``: delta = ∂J/∂z and updates subtract (the textbook form);
* ``"error"``: every backward quantity is negated, as the Excel walk-through
  writes it (d_output = E ⊙ slope) and updates add.

For a network with one hidden layer the walk-through's own names
(``hidden_layer_input``, ``d_output``, ``wout``, ...) label the matrices.
"""
from __future__ import annotations

from dataclasses import dataclass

from .losses import get_loss
from .network import Architecture

__all__ = ["StepSpec", "iteration_steps", "input_names", "PHASES", "PRESENTATIONS",
           "learner_name", "shown_sign", "step_formula"]

PHASES = ("forward", "error", "backward", "update")
PRESENTATIONS = ("gradient", "error")

# Kinds whose numbers the error form shows negated: the backward quantities.
_NEGATED_IN_ERROR_FORM = {"delta", "error", "grad_W", "grad_b"}


@dataclass(frozen=True)
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


# The Excel walk-through's names for a network with one hidden layer.
_WALKTHROUGH = {
    "X": "X", "y": "y", "W1": "wh", "b1": "bh", "W2": "wout", "b2": "bout",
    "z1": "hidden_layer_input", "a1": "hiddenlayer_activations",
    "z2": "output_layer_input", "a2": "output", "E": "E", "loss": "loss",
    "slope2": "slope_output_layer", "slope1": "slope_hidden_layer",
    "new_W2": "wout (updated)", "new_W1": "wh (updated)",
    "new_b2": "bout (updated)", "new_b1": "bh (updated)",
}
_WALKTHROUGH_ERROR_FORM = {
    "delta2": "d_output", "error1": "Error_at_hidden_layer", "delta1": "d_hiddenlayer",
    "grad_W2": "hiddenlayer_activationsᵀ·d_output", "grad_b2": "sum(d_output)",
    "grad_W1": "Xᵀ·d_hiddenlayer", "grad_b1": "sum(d_hiddenlayer)",
}


def learner_name(name: str, architecture: Architecture, presentation: str) -> str:
    """The name a learner reads for matrix ``name``.

    For one hidden layer these are the walk-through's names (its backward
    names only in the error form, whose signs they carry); otherwise the
    step name itself.
    """
    if architecture.depth == 2:
        if name in _WALKTHROUGH:
            return _WALKTHROUGH[name]
        if presentation == "error" and name in _WALKTHROUGH_ERROR_FORM:
            return _WALKTHROUGH_ERROR_FORM[name]
    return name


def shown_sign(kind: str, presentation: str) -> float:
    """−1 where the error form shows a step's numbers negated, else +1."""
    return -1.0 if presentation == "error" and kind in _NEGATED_IN_ERROR_FORM else 1.0


def step_formula(spec: StepSpec, architecture: Architecture, loss: str,
                 presentation: str = "gradient", l2: bool = False,
                 momentum: bool = False) -> str:
    """The step's formula in symbols, e.g. ``"z1 = X·W1 + b1"``.

    In the error form, d{l} = −delta{l} and e{l} = −error{l}, as the
    walk-through writes them.
    """
    l, depth = spec.layer, architecture.depth
    prev = "X" if l == 1 else f"a{l - 1}"
    act = architecture.activation(l)
    error_form = presentation == "error"
    kind = spec.kind
    if kind == "z":
        return f"z{l} = {prev}·W{l}" + (f" + b{l}" if architecture.bias else "")
    if kind == "a":
        return f"a{l} = {act.name}(z{l}) = {act.symbol.replace('z', f'z{l}')}"
    if kind == "E":
        return f"E = y − a{depth}"
    if kind == "loss":
        return get_loss(loss).symbol + (" + λ/(2m)·Σ‖W‖²" if l2 else "")
    if kind == "slope":
        return f"slope{l} = {act.name}′(z{l}) = {act.slope_symbol}"
    if kind == "delta" and l == depth:
        loss_fn = get_loss(loss)
        if loss_fn.cancels_slope:
            return f"d{l} = E/m" if error_form else f"delta{l} = (a{l} − y)/m = −E/m"
        factor = {"half_sse": "", "sse": "2·", "mse": "2/(m·k)·", "half_mse": "(1/m)·"}[loss]
        return (f"d{l} = {factor}E ⊙ slope{l}" if error_form
                else f"delta{l} = −{factor}E ⊙ slope{l}")
    if kind == "delta":
        return f"d{l} = e{l} ⊙ slope{l}" if error_form else f"delta{l} = error{l} ⊙ slope{l}"
    if kind == "error":
        return (f"e{l} = d{l + 1}·W{l + 1}ᵀ" if error_form
                else f"error{l} = delta{l + 1}·W{l + 1}ᵀ")
    if kind == "grad_W":
        if error_form:
            return f"−grad_W{l} = {prev}ᵀ·d{l}" + (f" − (λ/m)·W{l}" if l2 else "")
        return f"grad_W{l} = {prev}ᵀ·delta{l}" + (f" + (λ/m)·W{l}" if l2 else "")
    if kind == "grad_b":
        return f"−grad_b{l} = Σᵢ d{l}" if error_form else f"grad_b{l} = Σᵢ delta{l}"
    if kind in ("velocity_W", "velocity_b"):
        target = kind[-1]
        return f"velocity_{target}{l} = μ·velocity_{target}{l} − η·grad_{target}{l}"
    if kind in ("new_W", "new_b"):
        target = kind[-1]
        if momentum:
            return f"{target}{l} ← {target}{l} + velocity_{target}{l}"
        if error_form:
            return f"{target}{l} ← {target}{l} + η·(−grad_{target}{l})"
        return f"{target}{l} ← {target}{l} − η·grad_{target}{l}"
    raise ValueError(f"unknown step kind {kind!r}")
