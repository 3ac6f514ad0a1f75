"""Activation functions and their slopes, as DESIGN.md section 2 lists them.

Every activation maps a layer input ``z`` of shape (m, n) to an activation
``a`` of the same shape, and knows its slope f'(z) — computed from ``a`` where
the seeds do so (sigmoid, tanh) and from ``z`` for the relu family, whose
slope is not a function of the output alone.

All functions write into a caller-supplied ``out`` array when given one, so
that the training kernel can reuse its buffers epoch after epoch.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .formula import Fragment

__all__ = ["Activation", "ACTIVATIONS", "get_activation", "constant", "SOFTMAX_BOUND",
           "SIGMOID_FLOOR"]

SOFTMAX_BOUND = 1e307  # |z| beyond this changes no probability, but z − max z would overflow
SIGMOID_FLOOR = -709.0  # e^709 is finite (the largest float is e^709.78)


def constant(value: float) -> np.ndarray:
    """``value`` as a read-only 0-d float array, for the operation lists.

    A ufunc combines an array with a 0-d array about a third faster than
    with a Python float, and to the same bits; on the 4×2 matrices of XOR
    that is most of an operation's cost.
    """
    array = np.array(value, dtype=float)
    array.setflags(write=False)
    return array


_ONE = constant(1.0)
_ZERO = constant(0.0)
_FLOOR = constant(SIGMOID_FLOOR)
_BOUND = constant(SOFTMAX_BOUND)
_MINUS_BOUND = constant(-SOFTMAX_BOUND)


def _buffer(like, out: np.ndarray | None) -> np.ndarray:
    """``out``, or a new float array shaped like ``like``."""
    return np.empty(np.shape(like)) if out is None else out


def _apply(operations: list, out: np.ndarray) -> np.ndarray:
    """Run (function, arguments) pairs in order; return ``out``, where they wrote."""
    for operation, arguments in operations:
        operation(*arguments)
    return out


class Activation:
    """One activation function f and its slope f'.

    Attributes
    ----------
    name : str
        The lesson-file name (``"sigmoid"``, ``"relu"``, ...).
    symbol : str
        The formula of f in the learner's notation, for titles and help.
    slope_symbol : str
        The formula of f' in the same notation.
    slope_from_z : bool
        True when f'(z) needs z rather than a = f(z) (relu family).
    row_wise : bool
        True when a[i, j] depends on the whole row i of z (softmax).
    fragment : Fragment or None
        f of ``{x}`` = z written for people, Python, a spreadsheet and NumPy
        (None for softmax, which is written row by row).
    slope_fragment : Fragment or None
        f′ of ``{x}`` = a (or z when ``slope_from_z``) in the same languages.
    """

    name = ""
    symbol = ""
    slope_symbol = ""
    slope_from_z = False
    row_wise = False
    fragment: Fragment | None = None
    slope_fragment: Fragment | None = None

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Return f(z), shape (m, n), without overflow for any finite z: the
        operations the kernel runs, run once."""
        out = _buffer(z, out)
        return _apply(self.forward_operations(z, out), out)

    def slope(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Return f'(z) elementwise, shape (m, n), given z and a = f(z)."""
        out = _buffer(z, out)
        return _apply(self.slope_operations(z, a, out), out)

    def forward_operations(self, z: np.ndarray, out: np.ndarray) -> list:
        """f(z) into ``out`` as (function, arguments) pairs the kernel binds once.

        Written with NumPy functions (a ``functools.partial`` for keyword
        arguments) on ``z``, ``out``, 0-d constants and buffers made here, the
        operations are also what the exported script prints line by line.
        """
        raise NotImplementedError

    def slope_operations(self, z: np.ndarray, a: np.ndarray, out: np.ndarray) -> list:
        """f'(z) into ``out`` as (function, arguments) pairs, like ``forward_operations``."""
        raise NotImplementedError

    def value_at(self, z: float) -> float:
        """f of one number, for the activation-curve views."""
        return float(self.forward(np.array([[z]], dtype=float))[0, 0])

    def __repr__(self) -> str:
        return f"Activation({self.name!r}: {self.symbol})"


class Sigmoid(Activation):
    name = "sigmoid"
    symbol = "1/(1 + e^(−z))"
    slope_symbol = "a·(1 − a)"
    fragment = Fragment("sigmoid", "1/(1 + e^(−{x}))", "1/(1 + exp(-{x}))", "1/(1+EXP(-{x}))",
                        "1 / (1 + np.exp(-{x}))")
    slope_fragment = Fragment("", "{x}·(1 − {x})", "{x}*(1 - {x})", "{x}*(1-{x})",
                              "{x} * (1 - {x})")

    def forward_operations(self, z, out):
        # 1/(1 + e^−z) as the seeds write it, with z held at SIGMOID_FLOOR or
        # above so that e^−z stays finite: no overflow warning for any z, and
        # all that is lost is an output below 1e−308 reported as 1.2e−308.
        # Written this way a very negative z keeps full relative precision
        # (½·tanh(z/2) + ½ rounds σ(−40) ≈ 4e−18 to 0), and NumPy's exp is
        # more than twice as fast as its tanh on the matrices we train.
        # (NumPy 2.4 takes maximum's output by keyword only.)
        return [(partial(np.maximum, out=out), (z, _FLOOR)), (np.negative, (out, out)),
                (np.exp, (out, out)), (np.add, (out, _ONE, out)), (np.divide, (_ONE, out, out))]

    def slope_operations(self, z, a, out):
        return [(np.subtract, (_ONE, a, out)), (np.multiply, (out, a, out))]


class Tanh(Activation):
    name = "tanh"
    symbol = "tanh z"
    slope_symbol = "1 − a²"
    fragment = Fragment("tanh", "tanh({x})", "tanh({x})", "TANH({x})", "np.tanh({x})")
    slope_fragment = Fragment("", "1 − {x}²", "1 - {x}**2", "1-{x}^2", "1 - {x} ** 2")

    def forward_operations(self, z, out):
        return [(np.tanh, (z, out))]

    def slope_operations(self, z, a, out):
        return [(np.multiply, (a, a, out)), (np.subtract, (_ONE, out, out))]


class Relu(Activation):
    name = "relu"
    symbol = "max(0, z)"
    slope_symbol = "1 if z > 0 else 0"
    slope_from_z = True
    fragment = Fragment("relu", "max(0, {x})", "max(0, {x})", "MAX(0,{x})", "np.maximum(0, {x})")
    slope_fragment = Fragment("", "(1 if {x} > 0 else 0)", "(1 if {x} > 0 else 0)",
                              "IF({x}>0,1,0)", "np.where({x} > 0, 1.0, 0.0)")

    def forward_operations(self, z, out):
        return [(partial(np.maximum, out=out), (z, _ZERO))]

    def slope_operations(self, z, a, out):
        return [(partial(np.greater, out=out), (z, _ZERO))]  # True/False written as 1.0/0.0


class LeakyRelu(Activation):
    leak = 0.01  # the slope for z ≤ 0, written here once
    name = "leaky_relu"
    symbol = f"z if z > 0 else {leak}·z"
    slope_symbol = f"1 if z > 0 else {leak}"
    slope_from_z = True
    fragment = Fragment("leaky_relu", f"({{x}} if {{x}} > 0 else {leak}·{{x}})",
                        f"({{x}} if {{x}} > 0 else {leak}*{{x}})", f"IF({{x}}>0,{{x}},{leak}*{{x}})",
                        f"np.where({{x}} > 0, {{x}}, {leak} * {{x}})")
    slope_fragment = Fragment("", f"(1 if {{x}} > 0 else {leak})", f"(1 if {{x}} > 0 else {leak})",
                              f"IF({{x}}>0,1,{leak})", f"np.where({{x}} > 0, 1.0, {leak})")

    def forward_operations(self, z, out):
        # max(z, 0.01·z) is z where z > 0 and 0.01·z elsewhere (the leak is below 1),
        # signed zeros, infinities and NaN included, without np.where's temporaries.
        return [(np.multiply, (z, constant(self.leak), out)),
                (partial(np.maximum, out=out), (z, out))]

    def slope_operations(self, z, a, out):
        # 1.0 where z > 0, else 0.0 raised to the leak (NaN compares False: the leak).
        return [(partial(np.greater, out=out), (z, _ZERO)),
                (partial(np.maximum, out=out), (out, constant(self.leak)))]


class Linear(Activation):
    name = "linear"
    symbol = "z"
    slope_symbol = "1"
    fragment = Fragment("", "{x}", "{x}", "{x}", "{x}.copy()")
    slope_fragment = Fragment("", "1", "1", "1", "np.ones_like({x})")

    def forward_operations(self, z, out):
        return [(np.copyto, (out, z))]

    def slope_operations(self, z, a, out):
        return [(np.copyto, (out, _ONE))]


class Softmax(Activation):
    name = "softmax"
    symbol = "e^(z_j − max z) / Σ_k e^(z_k − max z)"
    slope_symbol = "(cancels with cross-entropy)"
    row_wise = True

    def forward_operations(self, z, out):
        # Clipping to ±1e307 keeps z − max z from overflowing for any finite z.
        # ``rows`` (m, 1) holds each row's max, then each row's sum.
        rows = np.empty(np.shape(z)[:-1] + (1,))
        return [(partial(np.clip, out=out), (z, _MINUS_BOUND, _BOUND)),
                (partial(np.max, axis=1, keepdims=True, out=rows), (out,)),
                (np.subtract, (out, rows, out)),
                (np.exp, (out, out)),
                (partial(np.sum, axis=1, keepdims=True, out=rows), (out,)),
                (np.divide, (out, rows, out))]

    def slope(self, z, a, out=None):
        raise ValueError("softmax has no elementwise slope: it is used only with cross_entropy, "
                         "where delta = (a − y)/m")


ACTIVATIONS: dict[str, Activation] = {
    act.name: act for act in (Sigmoid(), Tanh(), Relu(), LeakyRelu(), Linear(), Softmax())
}


def get_activation(name: str) -> Activation:
    """Return the activation called ``name``; KeyError names the choices."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise KeyError(f"unknown activation {name!r}; expected one of "
                       + ", ".join(ACTIVATIONS)) from None
