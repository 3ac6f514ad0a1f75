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

from . import catalogue
from .formula import numpy_text
from .network import Architecture
from .steps import StepSpec

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
        The line itself, one Python statement.
    """

    step: str
    target: str
    code: str


def code_name(name: str, architecture: Architecture, presentation: str) -> str:
    """The Python variable that holds matrix ``name`` in the listing (``catalogue.code_name``)."""
    return catalogue.code_name(name, architecture.depth, presentation)


def code_lines(steps: list[StepSpec], architecture: Architecture, loss: str,
               presentation: str = "gradient", l2: bool = False,
               momentum: bool = False) -> list[CodeLine]:
    """The NumPy line of every step, in the steps' order: the catalogue's formula as code.

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
    def name_of(name: str) -> str:
        return code_name(name, architecture, presentation)

    lines = []
    for spec in steps:
        tree = catalogue.formula_tree(spec.kind, spec.layer, architecture, loss, presentation,
                                      l2, momentum)
        target = name_of(spec.name)
        lines.append(CodeLine(spec.name, target, f"{target} = {numpy_text(tree, name_of)}"))
    return lines


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
