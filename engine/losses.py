"""Loss functions J of DESIGN.md section 2 and the output delta each implies.

A batch has m samples and k outputs. ``E = y − a`` is the error matrix the
walk-through shows at its step 5. The squared-error family is written as
J = (c/2)·Σ E², which makes its output delta simply −c·E ⊙ slope; the
cross-entropies pair with the activation whose slope cancels, leaving
delta = (a − y)/m.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from .activations import SOFTMAX_BOUND, constant
from .formula import Fragment

__all__ = ["Loss", "LOSSES", "get_loss", "check_pairing", "ValueProgram"]


@dataclass(frozen=True)
class ValueProgram:
    """J of one batch as operations: what the kernel runs and the exported script prints.

    The value is ``finish(float(total(*total_arguments)), scale)``, after
    ``setup`` (which depends only on y, so it runs once per batch of targets)
    and ``operations`` (every evaluation), each a list of (function,
    arguments) pairs like an activation's.

    Attributes
    ----------
    setup, operations : list of (function, tuple)
    total : callable
        The reduction to one number (``np.dot``, ``np.sum``).
    total_arguments : tuple of ndarray
    finish : {operator.mul, operator.truediv}
    scale : float
    buffers : dict of str to ndarray
        The temporaries made for J, by the names the script gives them.
    """

    setup: list
    operations: list
    total: object
    total_arguments: tuple
    finish: object
    scale: float
    buffers: dict = field(default_factory=dict)

    def bind(self):
        """A function of no arguments returning J of the arrays as they are when called."""
        for operation, arguments in self.setup:
            operation(*arguments)
        operations, total, arguments = self.operations, self.total, self.total_arguments
        finish, scale = self.finish, self.scale
        if not operations:
            return lambda: finish(float(total(*arguments)), scale)

        def value():
            for operation, arguments_ in operations:
                operation(*arguments_)
            return finish(float(total(*arguments)), scale)
        return value


class Loss:
    """One loss function.

    Attributes
    ----------
    name : str
        The lesson-file name.
    symbol : str
        J written out, for titles and the formula panel.
    cancels_slope : bool
        True when delta{L} = (a − y)/m and the iteration has no slope{L} step.
    title : str
        What the loss is called in a sentence (``½·SSE``).
    entry : Fragment
        One entry of J's sum, of ``{y}``, ``{a}`` (the output) and ``{z}`` (its input).
    coefficient : Fragment
        The factor before the sum, of ``{m}`` and ``{k}``, with its operator (``"½·"``).
    factor_meaning : str
        What c is for this loss (``"c = 2/(m·k)"``), said once beside delta{L}.
    entry_note : str
        What a function in ``entry`` means, said beside the loss ("" when plain).
    """

    name = ""
    symbol = ""
    title = ""
    cancels_slope = False
    entry = Fragment("", "({y} − {a})²", "({y} - {a})**2", "({y}-{a})^2", "({y} - {a}) ** 2")
    coefficient = Fragment("", "", "", "", "")
    factor_meaning = ""
    entry_note = ""

    def allows(self, output_activation: str) -> bool:
        """Whether this loss may follow the given output activation."""
        return output_activation != "softmax"

    def factor(self, m: int, k: int) -> float:
        """c in delta{L} = −c·E ⊙ slope{L} (squared family) — or 1/m."""
        raise NotImplementedError

    def value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, error: np.ndarray) -> float:
        """J of one batch without L2.

        Parameters
        ----------
        z, a, y, error : ndarray, shape (m, k)
            Output layer input, output, targets and E = y − a.
        """
        return self.bound_value(z, a, y, error)()

    def value_program(self, z: np.ndarray, a: np.ndarray, y: np.ndarray,
                      error: np.ndarray) -> ValueProgram:
        """``value`` of these arrays (shape (m, k)) as a ``ValueProgram`` on buffers made here."""
        raise NotImplementedError

    def bound_value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray,
                    error: np.ndarray):
        """A function of no arguments that returns ``value`` of these arrays as
        they are when it is called (the kernel binds it once per workspace)."""
        return self.value_program(z, a, y, error).bind()

    def __repr__(self) -> str:
        return f"Loss({self.name!r}: {self.symbol})"


class _SquaredError(Loss):
    def value_program(self, z, a, y, error):
        flat = error.reshape(-1)
        if not np.may_share_memory(flat, error):
            raise ValueError("the error matrix must be contiguous to be bound")
        # (c/2)·E·E with np.dot rather than (E**2).sum(): one call, and a diverging
        # run's overflow becomes inf without a floating-point warning.
        return ValueProgram([], [], np.dot, (flat, flat), operator.mul,
                            0.5 * self.factor(*error.shape))


class SumSquaredError(_SquaredError):
    name = "sse"
    symbol = "J = Σᵢ Σₖ (y − ŷ)²"
    title = "SSE"
    factor_meaning = "c = 2"

    def factor(self, m, k):
        return 2.0


class HalfSumSquaredError(_SquaredError):
    name = "half_sse"
    symbol = "J = ½ Σᵢ Σₖ (y − ŷ)²"
    title = "½·SSE"
    coefficient = Fragment("", "½·", "0.5*", "0.5*", "0.5 * ")
    factor_meaning = "c = 1"

    def factor(self, m, k):
        return 1.0


class MeanSquaredError(_SquaredError):
    name = "mse"
    symbol = "J = 1/(m·k) Σᵢ Σₖ (y − ŷ)²"
    title = "MSE"
    coefficient = Fragment("", "1/({m}·{k})·", "1/({m}*{k})*", "1/({m}*{k})*", "1 / ({m} * {k}) * ")
    factor_meaning = "c = 2/(m·k)"

    def factor(self, m, k):
        return 2.0 / (m * k)


class HalfMeanSquaredError(_SquaredError):
    name = "half_mse"
    symbol = "J = 1/(2m) Σᵢ Σₖ (y − ŷ)²"
    title = "½·MSE"
    coefficient = Fragment("", "1/(2·{m})·", "1/(2*{m})*", "1/(2*{m})*", "1 / (2 * {m}) * ")
    factor_meaning = "c = 1/m"

    def factor(self, m, k):
        return 1.0 / m


class BinaryCrossEntropy(Loss):
    name = "binary_cross_entropy"
    symbol = "J = −1/m Σᵢ Σₖ [y·log ŷ + (1 − y)·log(1 − ŷ)]"
    title = "binary cross-entropy"
    cancels_slope = True
    # −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z), written from z as the
    # engine computes them, so that a saturated output never writes log(0).
    entry = Fragment(
        "", "[{y}·softplus(−{z}) + (1 − {y})·softplus({z})]",
        "{y}*(max(-{z}, 0) + log(1 + exp(-abs({z})))) + (1 - {y})*(max({z}, 0) + "
        "log(1 + exp(-abs({z}))))",
        "{y}*((ABS({z})-{z})/2+LN(1+EXP(-ABS({z}))))+(1-{y})*((ABS({z})+{z})/2+"
        "LN(1+EXP(-ABS({z}))))",
        "{y} * np.logaddexp(0, -{z}) + (1 - {y}) * np.logaddexp(0, {z})")
    coefficient = Fragment("", "1/{m}·", "1/{m}*", "1/{m}*", "1 / {m} * ")
    entry_note = ("softplus(x) = log(1 + eˣ); −log σ(z) = softplus(−z), so a saturated output "
                  "costs a large but finite loss, never log 0")

    def allows(self, output_activation):
        return output_activation == "sigmoid"

    def factor(self, m, k):
        return 1.0 / m

    def value_program(self, z, a, y, error):
        # −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z): computed
        # from z, a saturated output costs a large but finite loss.
        # softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^−|x|) never overflows;
        # |−z| is |z| bit for bit, so log1p(e^−|z|) is computed once for both.
        # J = Σ [y·softplus(−z) + (1 − y)·softplus(z)] / m, written into buffers
        # made once: the fast path computes it every epoch, and 1 − y is fixed.
        one_minus_y, shared, minus_log_output, minus_log_one_minus = (
            np.empty_like(z) for _ in range(4))
        setup = [(np.subtract, (constant(1.0), y, one_minus_y))]
        operations = [
            (np.abs, (z, shared)), (np.negative, (shared, shared)), (np.exp, (shared, shared)),
            (np.log1p, (shared, shared)),
            (np.negative, (z, minus_log_output)),
            (partial(np.maximum, out=minus_log_output), (minus_log_output, 0.0)),
            (np.add, (minus_log_output, shared, minus_log_output)),
            (partial(np.maximum, out=minus_log_one_minus), (z, 0.0)),
            (np.add, (minus_log_one_minus, shared, minus_log_one_minus)),
            (np.multiply, (y, minus_log_output, minus_log_output)),
            (np.multiply, (one_minus_y, minus_log_one_minus, minus_log_one_minus)),
            (np.add, (minus_log_output, minus_log_one_minus, minus_log_output))]
        buffers = {"one_minus_y": one_minus_y, "log1p_exp_minus_abs_z": shared,
                   "minus_log_a": minus_log_output, "minus_log_one_minus_a": minus_log_one_minus}
        return ValueProgram(setup, operations, np.sum, (minus_log_output,), operator.truediv,
                            float(z.shape[0]), buffers)


class CrossEntropy(Loss):
    name = "cross_entropy"
    symbol = "J = −1/m Σᵢ Σₖ y·log ŷ"
    title = "cross-entropy"
    cancels_slope = True
    # The code panel computes −log a from z (log-softmax), as the engine does, so a
    # saturated output costs a large but finite loss there too.
    entry = Fragment("", "{y}·(−log {a})", "{y}*(-log({a}))", "{y}*(-LN({a}))",
                     "{y} * -({z} - {z}.max(axis=1, keepdims=True) - np.log(np.exp({z} - "
                     "{z}.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)))")
    coefficient = Fragment("", "1/{m}·", "1/{m}*", "1/{m}*", "1 / {m} * ")

    def allows(self, output_activation):
        return output_activation == "softmax"

    def factor(self, m, k):
        return 1.0 / m

    def value_program(self, z, a, y, error):
        # log a from z (log-softmax) stays finite however saturated a is; z is
        # clipped to ±1e307 so that z − max z cannot overflow. −Σ/m is Σ/(−m).
        rows = np.empty((z.shape[0], 1))
        shifted, exp_shifted = np.empty_like(z), np.empty_like(z)
        operations = [
            (partial(np.clip, out=shifted), (z, constant(-SOFTMAX_BOUND),
                                              constant(SOFTMAX_BOUND))),
            (partial(np.max, axis=1, keepdims=True, out=rows), (shifted,)),
            (np.subtract, (shifted, rows, shifted)),
            (np.exp, (shifted, exp_shifted)),
            (partial(np.sum, axis=1, keepdims=True, out=rows), (exp_shifted,)),
            (np.log, (rows, rows)),
            (np.subtract, (shifted, rows, shifted)),  # log_softmax
            (np.multiply, (y, shifted, shifted))]
        buffers = {"row_max_then_log_sum": rows, "log_softmax": shifted,
                   "exp_shifted": exp_shifted}
        return ValueProgram([], operations, np.sum, (shifted,), operator.truediv,
                            -float(z.shape[0]), buffers)


LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (SumSquaredError(), HalfSumSquaredError(), MeanSquaredError(),
                                 HalfMeanSquaredError(), BinaryCrossEntropy(), CrossEntropy())
}


def get_loss(name: str) -> Loss:
    """Return the loss called ``name``; KeyError names the choices."""
    try:
        return LOSSES[name]
    except KeyError:
        raise KeyError(f"unknown loss {name!r}; expected one of " + ", ".join(LOSSES)) from None


def check_pairing(loss_name: str, activations: list[str]) -> str | None:
    """Return why a loss cannot follow these layer activations, or None if it can.

    Parameters
    ----------
    loss_name : str
    activations : list of str, one per layer 1..L
    """
    loss = get_loss(loss_name)
    if "softmax" in activations[:-1]:
        layer = activations.index("softmax") + 1
        return f"softmax is allowed only on the output layer, not on layer {layer}"
    output = activations[-1]
    if loss.allows(output):
        return None
    if loss_name == "cross_entropy":
        return f"cross_entropy needs a softmax output layer, not {output}"
    if loss_name == "binary_cross_entropy":
        return f"binary_cross_entropy needs a sigmoid output layer, not {output}"
    return f"a softmax output layer needs the cross_entropy loss, not {loss_name}"
