"""The step catalogue: the one place that knows each kind of matrix.

For every kind of matrix of an iteration — the inputs ``X``, ``y``, ``W``,
``b`` and previous velocities, and the steps of DESIGN.md section 3 — the
catalogue says its phase, how it is named (engine name, card symbol and the
walk-through's learner name in each presentation), which sign the error form
shows it with, which part of the network it belongs to (neurons, weights or
biases), where the kernel leaves its value, and its formula as an expression
tree (``engine.formula``). Every reader renders from here: card titles and
formulas, the selected cell's formula, the code panel, the workbook, the
diagram's highlighting. Nothing else switches on a step kind.

A matrix is identified by a ``MatrixId`` (kind, layer); its engine name
(``delta2``) is the address DESIGN.md uses, and ``identify`` turns a name
back into its identity by looking it up, never by parsing it.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .formula import (Apply, Binary, Expr, LossTerm, Number, Ref, RowSoftmax, Setting, Unary,
                      matrix_text)
from .losses import get_loss
from .number_text import MINUS
from .value_type import value_type

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from .network import Architecture

__all__ = ["Kind", "KINDS", "MatrixId", "identify", "symbol", "learner_name", "shown_sign",
           "formula_tree", "step_formula", "code_name", "step_value", "PRESENTATIONS",
           "INPUT_KINDS", "glossary", "column_label", "row_label",
           "sample_label"]

PRESENTATIONS = ("gradient", "error")


@value_type
class Kind:
    """What every matrix of one kind has in common.

    Attributes
    ----------
    kind : str
        ``X y W b previous_velocity_W previous_velocity_b z a E loss slope
        delta error grad_W grad_b velocity_W velocity_b new_W new_b``.
    phase : str
        ``inputs``, ``forward``, ``error``, ``backward`` or ``update``.
    pattern : str
        The engine name, ``{l}`` standing for the layer.
    negated_in_error_form : bool
        Whether the error form shows the numbers negated (d = −delta ...).
    error_form_pattern : str
        The card symbol in the error form (``d{l}``, ``−grad_W{l}``).
    part : str or None
        What it belongs to in the diagram: ``neurons``, ``weights``,
        ``biases``, or None (X, y and the loss light their own way).
    per_sample : bool
        Whether its rows are the samples of the batch.
    meaning : str
        What it is, in a learner's words (glossary).
    value_shape : str
        How the run record writes it: ``matrix``, ``vector`` (a bias-like
        row, written as a list) or ``scalar`` (the loss).
    updates : str or None
        For an update step, the input kind it gives the new value of (``W``).
    continues : str or None
        For an input, the step kind of the previous iteration it continues
        (``W`` continues ``new_W``; a previous velocity the velocity).
    derivative : str or None
        The derivative of J that a backward or update kind is built from
        (``z``: ∂J/∂z, ``a``: ∂J/∂a, ``W``/``b``: ∂J/∂W, ∂J/∂b), for the chain rule.
    """

    kind: str
    phase: str
    pattern: str
    negated_in_error_form: bool
    error_form_pattern: str
    part: str | None
    per_sample: bool
    meaning: str
    value_shape: str = "matrix"
    updates: str | None = None
    continues: str | None = None
    derivative: str | None = None

    def name(self, layer: int) -> str:
        return self.pattern.format(l=layer)


def _kind(kind, phase, pattern, part, per_sample, meaning, error_form_pattern=None, **more):
    negated = error_form_pattern is not None
    value_shape = "vector" if part == "biases" else "matrix"
    return Kind(kind, phase, pattern, negated, error_form_pattern or pattern, part, per_sample,
                meaning, **{"value_shape": value_shape, **more})


KINDS: dict[str, Kind] = {k.kind: k for k in (
    _kind("X", "inputs", "X", None, True, "the inputs of the batch, one row per sample"),
    _kind("y", "inputs", "y", None, True, "the targets of the batch"),
    _kind("W", "inputs", "W{l}", "weights", False,
          "the weights into layer {l} (row: from, column: to)", continues="new_W"),
    _kind("b", "inputs", "b{l}", "biases", False, "the biases of layer {l}", continues="new_b"),
    _kind("previous_velocity_W", "inputs", "previous_velocity_W{l}", "weights", False,
          "the velocity of W{l} carried from the previous iteration", continues="velocity_W"),
    _kind("previous_velocity_b", "inputs", "previous_velocity_b{l}", "biases", False,
          "the velocity of b{l} carried from the previous iteration", continues="velocity_b"),
    _kind("z", "forward", "z{l}", "neurons", True, "what layer {l}'s neurons add up"),
    _kind("a", "forward", "a{l}", "neurons", True, "the activations of layer {l}"),
    _kind("E", "error", "E", "neurons", True, "the error y − output"),
    _kind("loss", "error", "loss", None, False, "the loss J of the batch", value_shape="scalar"),
    _kind("slope", "backward", "slope{l}", "neurons", True,
          "the slope of layer {l}'s activation at z{l}"),
    _kind("delta", "backward", "delta{l}", "neurons", True, "∂J/∂z{l}", "d{l}", derivative="z"),
    _kind("error", "backward", "error{l}", "neurons", True, "∂J/∂a{l}", "e{l}", derivative="a"),
    _kind("grad_W", "update", "grad_W{l}", "weights", False, "∂J/∂W{l}", f"{MINUS}grad_W{{l}}",
          derivative="W"),
    _kind("grad_b", "update", "grad_b{l}", "biases", False, "∂J/∂b{l}", f"{MINUS}grad_b{{l}}",
          derivative="b"),
    _kind("velocity_W", "update", "velocity_W{l}", "weights", False, "W{l}'s step this iteration",
          derivative="W"),
    _kind("velocity_b", "update", "velocity_b{l}", "biases", False, "b{l}'s step this iteration",
          derivative="b"),
    _kind("new_W", "update", "new_W{l}", "weights", False, "W{l} after the update",
          updates="W", derivative="W"),
    _kind("new_b", "update", "new_b{l}", "biases", False, "b{l} after the update",
          updates="b", derivative="b"),
)}
INPUT_KINDS = ("X", "y", "W", "b", "previous_velocity_W", "previous_velocity_b")


@value_type
class MatrixId:
    """A matrix of an iteration: its kind and layer (0 for X and y; L for E and loss)."""

    kind: str
    layer: int

    @property
    def name(self) -> str:
        """The engine name, the address DESIGN.md uses (``delta2``)."""
        return KINDS[self.kind].name(self.layer)

    @property
    def info(self) -> Kind:
        return KINDS[self.kind]


@lru_cache(maxsize=32)
def _names(depth: int) -> dict[str, MatrixId]:
    table = {}
    for kind in KINDS.values():
        layers = (0,) if kind.kind in ("X", "y") else (
            (depth,) if kind.kind in ("E", "loss") else range(1, depth + 1))
        for layer in layers:
            table[kind.name(layer)] = MatrixId(kind.kind, layer)
    return table


def identify(name: str, depth: int) -> MatrixId | None:
    """The identity of matrix ``name`` in a network of ``depth`` layers (None if there is none)."""
    return _names(depth).get(name)


def _id(name: str, depth: int) -> MatrixId:
    found = identify(name, depth)
    if found is None:
        raise KeyError(f"a network of {depth} layers has no matrix called {name!r}")
    return found


# -- names ------------------------------------------------------------------------------
def symbol(name: str, depth: int, presentation: str) -> str:
    """The symbol a card shows: ``d2``, ``e1``, ``−grad_W2`` in the error form, else the name."""
    matrix = _id(name, depth)
    if presentation == "error":
        return matrix.info.error_form_pattern.format(l=matrix.layer)
    return name


def shown_sign(kind: str, presentation: str) -> float:
    """−1 where the error form shows a kind's numbers negated, else +1 (``input``: +1)."""
    info = KINDS.get(kind)
    return -1.0 if presentation == "error" and info and info.negated_in_error_form else 1.0


# The Excel walk-through's names for a network with one hidden layer (depth 2).
_WALKTHROUGH = {
    "X": "X", "y": "y", "W1": "wh", "b1": "bh", "W2": "wout", "b2": "bout",
    "z1": "hidden_layer_input", "a1": "hiddenlayer_activations",
    "z2": "output_layer_input", "a2": "output", "E": "E", "loss": "loss",
    "slope2": "slope_output_layer", "slope1": "slope_hidden_layer",
    "new_W2": "wout (updated)", "new_W1": "wh (updated)",
    "new_b2": "bout (updated)", "new_b1": "bh (updated)",
}
# Its backward names carry the error form's signs, so only that form uses them.
_WALKTHROUGH_ERROR_FORM = {
    "delta2": "d_output", "error1": "Error_at_hidden_layer", "delta1": "d_hiddenlayer",
    "grad_W2": "hiddenlayer_activationsᵀ·d_output", "grad_b2": "sum(d_output)",
    "grad_W1": "Xᵀ·d_hiddenlayer", "grad_b1": "sum(d_hiddenlayer)",
}


def learner_name(name: str, depth: int, presentation: str) -> str:
    """The name a learner reads: the walk-through's for one hidden layer, else the symbol."""
    if depth == 2:
        if name in _WALKTHROUGH:
            return _WALKTHROUGH[name]
        if presentation == "error" and name in _WALKTHROUGH_ERROR_FORM:
            return _WALKTHROUGH_ERROR_FORM[name]
    return symbol(name, depth, presentation)


def code_name(name: str, depth: int, presentation: str) -> str:
    """The Python variable that holds matrix ``name`` in the code panel and scripts.

    The learner's name when it is an identifier; updated weights share their
    weight's name (the seeds assign ``wout = wout + ...``); velocities drop
    ``previous_``; in the error form d{l}, e{l} and ``minus_grad_*``.
    """
    matrix = _id(name, depth)
    if matrix.info.updates:
        return code_name(KINDS[matrix.info.updates].name(matrix.layer), depth, presentation)
    if matrix.info.phase == "inputs" and matrix.info.continues in ("velocity_W", "velocity_b"):
        return KINDS[matrix.info.continues].name(matrix.layer)
    learner = learner_name(name, depth, presentation)
    if learner.isascii() and learner.isidentifier():
        return learner  # ASCII only: "ᵀ" is legal in a Python name but not what a learner types
    return "minus_" + name  # −grad_W2 in the error form


def column_label(matrix: MatrixId, column: int) -> str:
    """How the window and the workbook label column ``column`` of a matrix."""
    kind = matrix.kind
    if kind == "loss":
        return "J"
    return f"input {column}" if kind == "X" else f"neuron {column}"


def sample_label(sample: int) -> str:
    """A per-sample row, by its index in the data set (counted from 0, as everywhere)."""
    return f"sample {sample}"


def row_label(matrix: MatrixId, row: int) -> str:
    """How the window and the workbook label row ``row`` of a matrix whose rows
    are not samples (weights, biases, gradients, the loss)."""
    info = matrix.info
    if matrix.kind == "loss":
        return "batch"
    if info.part == "biases":
        return "bias"
    return f"input {row}" if matrix.layer <= 1 else f"neuron {row}"


def glossary(depth: int) -> list[tuple[str, str, str, str, str]]:
    """Each quantity's names side by side, for Help ▸ Glossary.

    Returns
    -------
    list of (learner name in the error form, error-form symbol, gradient-form
    symbol, its meaning, the names as one equation: ``d_hiddenlayer = d1 =
    −delta1 = −∂J/∂z1``)
    """
    rows = []
    for name, matrix in _names(depth).items():
        info = matrix.info
        meaning = info.meaning.format(l=matrix.layer)
        error_symbol = symbol(name, depth, "error")
        names = [learner_name(name, depth, "error"), error_symbol]
        if info.negated_in_error_form:
            names.append(f"{MINUS}{name}")
            if meaning.startswith("∂"):
                names.append(f"{MINUS}{meaning}")
        else:
            names.append(name)
        equation = " = ".join(dict.fromkeys(names))  # each name once, in this order
        rows.append((names[0], error_symbol, name, meaning, equation))
    return rows


# -- formulas ----------------------------------------------------------------------------
def _previous(layer: int) -> Ref:
    return Ref("X" if layer == 1 else f"a{layer - 1}")


def formula_tree(kind: str, layer: int, architecture: "Architecture", loss: str,
                 presentation: str, l2: bool, momentum: bool) -> Expr:
    """The formula of step (kind, layer) over whole matrices, as the presentation writes it.

    In the error form the backward quantities are the negated ones (d, e,
    −grad), so ``d2 = E ⊙ slope2`` and ``W2 ← W2 + η·(−grad_W2)``: the same
    numbers, the signs each form shows.
    """
    error_form = presentation == "error"
    depth = architecture.depth
    if kind == "z":
        product = Binary("@", _previous(layer), Ref(f"W{layer}"))
        return Binary("+", product, Ref(f"b{layer}")) if architecture.bias else product
    if kind == "a":
        activation = architecture.activation(layer)
        if activation.row_wise:
            return RowSoftmax(Ref(f"z{layer}"))
        return Apply(activation.fragment, Ref(f"z{layer}"))
    if kind == "slope":
        activation = architecture.activation(layer)
        source = "z" if activation.slope_from_z else "a"
        return Apply(activation.slope_fragment, Ref(f"{source}{layer}"))
    if kind == "E":
        return Binary("-", Ref("y"), Ref(f"a{depth}"))
    if kind == "loss":
        loss_fn = get_loss(loss)
        weights = tuple(f"W{l}" for l in range(1, depth + 1)) if l2 else ()
        return LossTerm(Ref("y"), Ref(f"a{depth}"), Ref(f"z{depth}"), loss_fn.entry,
                        loss_fn.coefficient, loss_fn.name == "cross_entropy", weights)
    if kind == "delta" and layer == depth:
        return _output_delta(layer, loss, error_form)
    if kind == "delta":
        return Binary("*", Ref(f"error{layer}"), Ref(f"slope{layer}"))
    if kind == "error":
        return Binary("@", Ref(f"delta{layer + 1}"), Unary("T", Ref(f"W{layer + 1}")))
    if kind == "grad_W":
        product = Binary("@", Unary("T", _previous(layer)), Ref(f"delta{layer}"))
        if not l2:
            return product
        penalty = Binary("*", Binary("/", Setting("l2"), Setting("m")), Ref(f"W{layer}"))
        return Binary("-" if error_form else "+", product, penalty)
    if kind == "grad_b":
        return Unary("sum_rows", Ref(f"delta{layer}"))
    target = kind[-1]  # W or b, for the velocity and update steps
    gradient = Binary("*", Setting("learning_rate"), Ref(f"grad_{target}{layer}"))
    if kind.startswith("velocity"):
        carried = Binary("*", Setting("momentum"), Ref(f"previous_velocity_{target}{layer}"))
        return Binary("+" if error_form else "-", carried, gradient)
    if kind in ("new_W", "new_b"):
        old = Ref(f"{target}{layer}")
        if momentum:
            return Binary("+", old, Ref(f"velocity_{target}{layer}"))
        return Binary("+" if error_form else "-", old, gradient)
    raise KeyError(f"unknown step kind {kind!r}")


def _output_delta(layer: int, loss: str, error_form: bool) -> Expr:
    """delta{L} = −c·E ⊙ slope{L}, or −E/m where the slope cancels; d{L} is its negative."""
    loss_fn = get_loss(loss)
    if loss_fn.cancels_slope:
        quotient = Binary("/", Ref("E"), Setting("m"))
        return quotient if error_form else Unary("neg", quotient)
    scaled: Expr = Ref("E")
    if loss_fn.name in ("sse", "half_sse"):  # c is the same number for every batch
        c = loss_fn.factor(1, 1)
        if c != 1:
            scaled = Binary("*", Number(c), scaled)
    else:  # c depends on the batch: written with m (and k), its number given beside
        scaled = Binary("*", _batch_factor(loss), scaled)
    product = Binary("*", scaled, Ref(f"slope{layer}"))
    return product if error_form else Unary("neg", product)


def _batch_factor(loss: str) -> Expr:
    if loss == "mse":  # 2/(m·k)
        return Binary("/", Number(2), Binary("*", Setting("m"), Setting("k")))
    return Binary("/", Number(1), Setting("m"))  # half_mse: 1/m


def step_formula(name: str, architecture: "Architecture", loss: str, presentation: str,
                 l2: bool, momentum: bool, batch_size: int | None = None,
                 outputs: int | None = None) -> str:
    """A step's formula in the symbols of its card: ``d2 = E ⊙ slope2  (c = 1 for ½·SSE)``."""
    depth = architecture.depth
    matrix = _id(name, depth)
    kind, layer = matrix.kind, matrix.layer

    def name_of(other: str) -> str:
        return symbol(other, depth, presentation)

    tree = formula_tree(kind, layer, architecture, loss, presentation, l2, momentum)
    right = matrix_text(tree, name_of)
    if KINDS[kind].updates:
        target = name_of(KINDS[KINDS[kind].updates].name(layer))
        return f"{target} ← {right}"
    left = name_of(name)
    if kind == "a" and not architecture.activation(layer).row_wise:
        fragment = architecture.activation(layer).fragment
        expanded = fragment.text.format(x=name_of(f"z{layer}"))
        return f"{left} = {right}" + ("" if expanded == right else f" = {expanded}")
    if kind == "slope":
        activation = architecture.activation(layer)
        return f"{left} = {activation.name}′({name_of(f'z{layer}')}) = {right}"
    text = f"{left} = {right}"
    if kind == "loss" and get_loss(loss).entry_note:
        text += f"   ({get_loss(loss).entry_note})"
    if kind == "delta" and layer == depth:
        text += _factor_note(loss, batch_size, outputs)
    return text


def _factor_note(loss: str, batch_size: int | None, outputs: int | None) -> str:
    """Beside delta{L}: what c is for this loss, with its number for this batch."""
    loss_fn = get_loss(loss)
    if loss_fn.cancels_slope:
        note = f"the slope cancels for {loss_fn.title}"
        return f"   ({note}; m = {batch_size})" if batch_size else f"   ({note})"
    meaning = loss_fn.factor_meaning
    if loss in ("mse", "half_mse") and batch_size and outputs:
        value = loss_fn.factor(batch_size, outputs)
        meaning += f" = {value:.6g} (m = {batch_size}, k = {outputs})"
    return f"   ({meaning} for {loss_fn.title})"


# -- values ------------------------------------------------------------------------------
def step_value(kind: str, layer: int, ws, state, batch_loss: float) -> np.ndarray:
    """Where the kernel left step (kind, layer)'s value, as a 2-D array (a view).

    Parameters
    ----------
    ws : engine.kernel.Workspace
        The buffers after the iteration ran.
    state : engine.training.TrainingState
        The state after the update (new weights and velocities).
    batch_loss : float
    """
    if kind == "z":
        return ws.z[layer]
    if kind == "a":
        return ws.activation(layer)
    if kind == "E":
        return ws.E
    if kind == "loss":
        return np.array([[batch_loss]])
    if kind in ("slope", "delta", "error"):
        return getattr(ws, kind)[layer]
    if kind == "grad_W":
        return ws.grad.weight(layer)
    if kind == "grad_b":
        return ws.grad.bias(layer)[None, :]
    if kind == "velocity_W":
        return state.velocity.weight(layer)
    if kind == "velocity_b":
        return state.velocity.bias(layer)[None, :]
    if kind == "new_W":
        return state.params.weight(layer)
    if kind == "new_b":
        return state.params.bias(layer)[None, :]
    raise KeyError(f"unknown step kind {kind!r}")
