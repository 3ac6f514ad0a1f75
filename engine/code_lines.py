"""Each step of an iteration as the NumPy line that computes it.

The code panel shows a lesson's whole iteration as a short NumPy program in
the learner's names — for one hidden layer the walk-through's
(``hidden_layer_input = X @ wh + bh``), otherwise the step names — and
highlights the line of the step just computed, like a debugger.

Every line is real Python: run in order in a namespace holding the
iteration's inputs (``inputs_namespace``), each line leaves in its
``target`` variable the value the engine computed for its step (the test
suite checks this number for number). Updates assign to the weight's own
name (``wout = wout + learning_rate * minus_grad_W2``), as the seeds write them.

Names in the error form follow the walk-through: deltas are ``d{l}``
(``d_output``), hidden errors ``e{l}`` (``Error_at_hidden_layer``), and the
negated gradients ``minus_grad_W{l}``, which the update adds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .losses import get_loss
from .network import Architecture
from .steps import StepSpec, learner_name

__all__ = ["CodeLine", "code_lines", "code_name", "inputs_namespace", "listing_header"]


@dataclass(frozen=True)
class CodeLine:
    """One step's line of NumPy.

    Attributes
    ----------
    step : str
        The step name (``z1``, ``delta2``, ``new_W1`` ...).
    target : str
        The variable the line assigns (``hidden_layer_input``, ``wout`` ...).
    code : str
        The line itself; one Python statement (softmax: two, joined by ``;``).
    """

    step: str
    target: str
    code: str


def _is_identifier(text: str) -> bool:
    # ASCII only: "ᵀ" and "·" are legal in Python names but not what a learner types
    return text.isascii() and text.isidentifier()


def code_name(name: str, architecture: Architecture, presentation: str) -> str:
    """The Python variable that holds matrix ``name`` in the listing.

    The learner's name when it is an identifier; the updated weights share
    their weight's name; velocities drop ``previous_``; in the error form the
    backward quantities are ``d{l}``, ``e{l}`` and ``minus_grad_*`` unless
    the walk-through names them.
    """
    if name.startswith("new_"):
        return code_name(name[len("new_"):], architecture, presentation)
    if name.startswith("previous_velocity_"):
        return name[len("previous_"):]
    learner = learner_name(name, architecture, presentation)
    if learner != name and _is_identifier(learner):
        return learner
    if presentation == "error":
        if name.startswith("delta"):
            return f"d{name[len('delta'):]}"
        if name.startswith("error"):
            return f"e{name[len('error'):]}"
        if name.startswith("grad_"):
            return f"minus_{name}"
    return name


def _activation_code(target: str, z: str, activation: str) -> str:
    if activation == "sigmoid":
        return f"{target} = 1 / (1 + np.exp(-{z}))"
    if activation == "tanh":
        return f"{target} = np.tanh({z})"
    if activation == "relu":
        return f"{target} = np.maximum(0, {z})"
    if activation == "leaky_relu":
        return f"{target} = np.where({z} > 0, {z}, 0.01 * {z})"
    if activation == "linear":
        return f"{target} = {z}.copy()"
    # softmax, shifted by the row's maximum so that exp cannot overflow
    return (f"{target} = np.exp({z} - {z}.max(axis=1, keepdims=True)); "
            f"{target} /= {target}.sum(axis=1, keepdims=True)")


def _slope_code(target: str, z: str, a: str, activation: str) -> str:
    if activation == "sigmoid":
        return f"{target} = {a} * (1 - {a})"
    if activation == "tanh":
        return f"{target} = 1 - {a} ** 2"
    if activation == "relu":
        return f"{target} = np.where({z} > 0, 1.0, 0.0)"
    if activation == "leaky_relu":
        return f"{target} = np.where({z} > 0, 1.0, 0.01)"
    return f"{target} = np.ones_like({z})"  # linear


def _loss_code(loss: str, E: str, output: str, l2: bool, weights: list[str]) -> str:
    body = {
        "sse": f"np.sum({E} ** 2)",
        "half_sse": f"0.5 * np.sum({E} ** 2)",
        "mse": f"np.mean({E} ** 2)",
        "half_mse": f"np.sum({E} ** 2) / (2 * len(X))",
        "binary_cross_entropy": (f"-np.sum(y * np.log({output}) + (1 - y) * np.log(1 - {output}))"
                                 f" / len(X)"),
        "cross_entropy": f"-np.sum(y * np.log({output})) / len(X)",
    }[loss]
    if l2:
        squares = " + ".join(f"np.sum({w} ** 2)" for w in weights)
        body += f" + l2 / (2 * len(X)) * ({squares})"
    return f"loss = {body}"


def code_lines(steps: list[StepSpec], architecture: Architecture, loss: str,
               presentation: str = "gradient", l2: bool = False,
               momentum: bool = False) -> list[CodeLine]:
    """The NumPy line of every step, in the steps' order.

    Parameters
    ----------
    steps : list of StepSpec
        The iteration's steps (``engine.steps.iteration_steps``).
    architecture : Architecture
    loss : str
    presentation : {'gradient', 'error'}
    l2, momentum : bool
        Whether the lesson has an L2 term and momentum.
    """
    def n(name: str) -> str:
        return code_name(name, architecture, presentation)

    error_form = presentation == "error"
    depth = architecture.depth
    weights = [n(f"W{l}") for l in range(1, depth + 1)]
    lines = []
    for spec in steps:
        l, kind = spec.layer, spec.kind
        target = n(spec.name)
        previous = n("X") if l == 1 else n(f"a{l - 1}")
        if kind == "z":
            code = f"{target} = {previous} @ {n(f'W{l}')}"
            if architecture.bias:
                code += f" + {n(f'b{l}')}"
        elif kind == "a":
            code = _activation_code(target, n(f"z{l}"), architecture.activations[l - 1])
        elif kind == "E":
            code = f"E = y - {n(f'a{depth}')}"
        elif kind == "loss":
            code = _loss_code(loss, "E", n(f"a{depth}"), l2, weights)
        elif kind == "slope":
            code = _slope_code(target, n(f"z{l}"), n(f"a{l}"), architecture.activations[l - 1])
        elif kind == "delta" and l == depth:
            code = _output_delta_code(target, loss, n(f"slope{l}"), error_form)
        elif kind == "delta":
            code = f"{target} = {n(f'error{l}')} * {n(f'slope{l}')}"
        elif kind == "error":
            code = f"{target} = {n(f'delta{l + 1}')} @ {n(f'W{l + 1}')}.T"
        elif kind == "grad_W":
            code = f"{target} = {previous}.T @ {n(f'delta{l}')}"
            if l2:
                code += f" {'-' if error_form else '+'} l2 / len(X) * {n(f'W{l}')}"
        elif kind == "grad_b":
            code = f"{target} = np.sum({n(f'delta{l}')}, axis=0, keepdims=True)"
        elif kind in ("velocity_W", "velocity_b"):
            grad = n(f"grad_{kind[-1]}{l}")
            sign = "+" if error_form else "-"
            code = f"{target} = momentum * {target} {sign} learning_rate * {grad}"
        else:  # new_W, new_b
            which = kind[-1]
            if momentum:
                code = f"{target} = {target} + {n(f'velocity_{which}{l}')}"
            else:
                sign = "+" if error_form else "-"
                code = f"{target} = {target} {sign} learning_rate * {n(f'grad_{which}{l}')}"
        lines.append(CodeLine(spec.name, target, code))
    return lines


def _output_delta_code(target: str, loss: str, slope: str, error_form: bool) -> str:
    """delta{L} = −c·E ⊙ slope{L} (or −E/m where the slope cancels); d{L} is its negative."""
    if get_loss(loss).cancels_slope:
        return f"{target} = E / len(X)" if error_form else f"{target} = -E / len(X)"
    factor = {"half_sse": "", "sse": "2 * ", "mse": "2 / E.size * ",
              "half_mse": "1 / len(X) * "}[loss]
    sign = "" if error_form else "-"
    return f"{target} = {sign}{factor}E * {slope}"


def inputs_namespace(values: dict[str, np.ndarray], architecture: Architecture,
                     presentation: str, learning_rate: float, l2: float = 0.0,
                     momentum: float = 0.0) -> dict:
    """A namespace to run the listing in: ``np``, the settings and the inputs.

    Parameters
    ----------
    values : dict of str to ndarray
        The iteration's inputs by engine name (``X``, ``y``, ``W1``, ``b1`` as
        (1, n), ``previous_velocity_*``); other entries are ignored.
    """
    namespace: dict = {"np": np, "learning_rate": learning_rate, "l2": l2, "momentum": momentum}
    inputs = {"X", "y"}
    for l in range(1, architecture.depth + 1):
        inputs |= {f"W{l}", f"b{l}", f"previous_velocity_W{l}", f"previous_velocity_b{l}"}
    for name, value in values.items():
        if name in inputs:
            namespace[code_name(name, architecture, presentation)] = np.array(value, dtype=float)
    return namespace


def listing_header(architecture: Architecture, presentation: str, learning_rate: float,
                   l2: float, momentum: float, shapes: dict[str, tuple[int, int]]) -> list[str]:
    """The comment and setting lines above the steps: what each input holds."""
    def n(name: str) -> str:
        return code_name(name, architecture, presentation)

    lines = ["import numpy as np", "",
             f"# inputs of this iteration: {n('X')} {shapes['X']}, y {shapes['y']}"]
    for l in range(1, architecture.depth + 1):
        text = f"#   {n(f'W{l}')} {shapes[f'W{l}']}"
        if architecture.bias:
            text += f", {n(f'b{l}')} {shapes[f'b{l}']}"
        lines.append(text)
    lines.append(f"learning_rate = {learning_rate:g}")
    if l2:
        lines.append(f"l2 = {l2:g}")
    if momentum:
        lines.append(f"momentum = {momentum:g}")
    return lines + [""]
