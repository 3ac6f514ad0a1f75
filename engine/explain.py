"""Where a cell's number comes from: its precedent cells and its formula
written out with their numbers.

The tables colour the precedents orange, the diagram lights their neurons,
the formula panel prints the substituted formula and the workbook export
turns the precedents into cell references — all from ``explain_cell``,
computed for the one cell asked about, never stored for every cell.

A cell is addressed as ``(matrix name, row, column)``: vectors such as
``b1`` are row 0, the loss is ``("loss", 0, 0)``.

The ``expression`` of an explanation is plain arithmetic that Python can
evaluate (numbers, + − * / **, and the functions exp, log, tanh and max);
``text`` is the same written for people: ``z1[0,1] = 1·0.42 + … = 1.69``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

from .losses import get_loss

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from .iteration import IterationRecord

__all__ = ["CellExplanation", "explain_cell", "format_number", "MAX_TERMS"]

Address = tuple[str, int, int]
MAX_TERMS = 64  # beyond this a sum is written with "…" (and no longer evaluates)


@dataclass(frozen=True)
class CellExplanation:
    """One cell's provenance.

    Attributes
    ----------
    address : (str, int, int)
    symbolic : str
        The cell's formula in symbols, e.g. ``z1[0,1] = Σₖ X[0,k]·W1[k,1] + b1[1]``.
    expression : str
        The formula with the precedents' numbers substituted, as Python arithmetic.
    value : float
        The cell's value as the presentation shows it.
    precedents : list of (str, int, int)
        The cells it was computed from.
    complete : bool
        False when a long sum was shortened with "…".
    """

    address: Address
    symbolic: str
    expression: str
    value: float
    precedents: list[Address]
    complete: bool = True
    decimals: int | None = None

    @property
    def text(self) -> str:
        """``name[i,j] = <numbers> = value`` for the formula panel and tooltips."""
        name, row, column = self.address
        pretty = (self.expression.replace("**2", "²").replace("*", "·")
                  .replace("-", "−").replace("e−", "e-"))
        return f"{name}[{row},{column}] = {pretty} = {format_number(self.value, self.decimals)}"


def format_number(x: float, decimals: int | None = None) -> str:
    """A number for a formula: integers bare, else ``decimals`` places
    (None: every digit, as ``repr``); negatives in parentheses."""
    x = float(x)
    if not np.isfinite(x):
        text = "nan" if np.isnan(x) else ("inf" if x > 0 else "-inf")
    elif x == int(x) and abs(x) < 1e15:
        text = str(int(x))
    elif decimals is None:
        text = repr(x)
    else:
        text = f"{x:.{decimals}f}"
    return f"({text})" if text.startswith("-") else text


def _join(terms: list[str], separator: str = " + ") -> tuple[str, bool]:
    if len(terms) <= MAX_TERMS:
        return separator.join(terms), True
    head = separator.join(terms[: MAX_TERMS // 2])
    return f"{head}{separator}… ({len(terms) - MAX_TERMS // 2} more terms)", False


def explain_cell(record: "IterationRecord", name: str, row: int, column: int,
                 presentation: str = "gradient", decimals: int | None = None) -> CellExplanation:
    """Explain cell ``(name, row, column)`` of an iteration.

    Parameters
    ----------
    record : IterationRecord
    name : str
        A step name or an input name (``X``, ``y``, ``W1``, ``b1``, ...).
    row, column : int
    presentation : {'gradient', 'error'}
        Which signs the numbers carry (the error form negates backward steps).
    decimals : int or None
        Decimals of the substituted numbers; None keeps every digit.

    Raises
    ------
    KeyError
        For a name the iteration does not have.
    IndexError
        For a cell outside the matrix.
    """
    if name not in record.values:
        raise KeyError(f"this iteration has no matrix called {name!r}")
    rows, columns = record.values[name].shape
    if not (0 <= row < rows and 0 <= column < columns):
        raise IndexError(f"{name} has shape ({rows}, {columns}); there is no cell [{row},{column}]")
    cache: dict[str, np.ndarray] = {}

    def val(matrix: str, r: int, c: int) -> float:
        if matrix not in cache:
            cache[matrix] = record.shown(matrix, presentation)
        return float(cache[matrix][r, c])

    def num(matrix: str, r: int, c: int) -> str:
        return format_number(val(matrix, r, c), decimals)

    spec = record.spec(name)
    value = val(name, row, column)
    if spec is None:
        symbolic = f"{name}[{row},{column}] (an input of this iteration)"
        return CellExplanation((name, row, column), symbolic, num(name, row, column), value, [],
                               True, decimals)
    builder = _BUILDERS[spec.kind]
    symbolic, expression, precedents, complete = builder(record, spec, row, column, presentation,
                                                         num)
    return CellExplanation((name, row, column), symbolic, expression, value, precedents,
                           complete, decimals)


Num = Callable[[str, int, int], str]


def _previous(layer: int) -> str:
    return "X" if layer == 1 else f"a{layer - 1}"


def _z(record, spec, i, j, presentation, num: Num):
    l, prev = spec.layer, _previous(spec.layer)
    n_in = record.architecture.layers[l - 1]
    precedents = [(prev, i, k) for k in range(n_in)] + [(f"W{l}", k, j) for k in range(n_in)]
    terms = [f"{num(prev, i, k)}*{num(f'W{l}', k, j)}" for k in range(n_in)]
    symbolic = f"z{l}[{i},{j}] = Σₖ {prev}[{i},k]·W{l}[k,{j}]"
    if record.architecture.bias:
        precedents.append((f"b{l}", 0, j))
        terms.append(num(f"b{l}", 0, j))
        symbolic += f" + b{l}[{j}]"
    expression, complete = _join(terms)
    return symbolic, expression, precedents, complete


def _a(record, spec, i, j, presentation, num: Num):
    l = spec.layer
    z = f"z{l}"
    act = record.architecture.activation(l)
    zv = num(z, i, j)
    symbolic = f"a{l}[{i},{j}] = {act.name}(z{l}[{i},{j}])"
    if act.name == "softmax":
        n = record.values[z].shape[1]
        top = max(range(n), key=lambda k: record.values[z][i, k])
        zmax = num(z, i, top)
        denominator, complete = _join([f"exp({num(z, i, k)} - {zmax})" for k in range(n)])
        expression = f"exp({zv} - {zmax})/({denominator})"
        symbolic = f"a{l}[{i},{j}] = e^(z{l}[{i},{j}] − max z) / Σₖ e^(z{l}[{i},k] − max z)"
        return symbolic, expression, [(z, i, k) for k in range(n)], complete
    expression = {
        "sigmoid": f"1/(1 + exp(-{zv}))",
        "tanh": f"tanh({zv})",
        "relu": f"max(0, {zv})",
        "leaky_relu": f"({zv} if {zv} > 0 else 0.01*{zv})",
        "linear": zv,
    }[act.name]
    return symbolic, expression, [(z, i, j)], True


def _E(record, spec, i, j, presentation, num: Num):
    a = f"a{record.architecture.depth}"
    return (f"E[{i},{j}] = y[{i},{j}] − {a}[{i},{j}]", f"{num('y', i, j)} - {num(a, i, j)}",
            [("y", i, j), (a, i, j)], True)


def _loss(record, spec, i, j, presentation, num: Num):
    depth = record.architecture.depth
    a = f"a{depth}"
    m, k = record.values[a].shape
    precedents = [(a, r, c) for r in range(m) for c in range(k)] + \
                 [("y", r, c) for r in range(m) for c in range(k)]
    loss = record.loss
    if loss in ("sse", "half_sse", "mse", "half_mse"):
        terms = [f"({num('y', r, c)} - {num(a, r, c)})**2" for r in range(m) for c in range(k)]
        coefficient = {"sse": "", "half_sse": "0.5*", "mse": f"1/({m}*{k})*",
                       "half_mse": f"1/(2*{m})*"}[loss]
        body, complete = _join(terms)
        expression = f"{coefficient}({body})"
    else:
        terms = []
        for r in range(m):
            for c in range(k):
                target = record.values["y"][r, c]
                if loss == "binary_cross_entropy":
                    if target != 0:
                        terms.append(f"{num('y', r, c)}*log({num(a, r, c)})")
                    if target != 1:
                        terms.append(f"(1 - {num('y', r, c)})*log(1 - {num(a, r, c)})")
                elif target != 0:
                    terms.append(f"{num('y', r, c)}*log({num(a, r, c)})")
        body, complete = _join(terms or ["0"])
        expression = f"-1/{m}*({body})"
    symbolic = "loss = " + get_loss(loss).symbol.split("= ", 1)[1]
    if record.l2:
        weights = []
        for l in range(1, depth + 1):
            rows, cols = record.values[f"W{l}"].shape
            weights += [(f"W{l}", r, c) for r in range(rows) for c in range(cols)]
        precedents += weights
        squares, complete_w = _join([f"{num(*w)}**2" for w in weights])
        expression += f" + {format_number(record.l2)}/(2*{m})*({squares})"
        symbolic += " + λ/(2m)·Σ W²"
        complete = complete and complete_w
    return symbolic, expression, precedents, complete


def _slope(record, spec, i, j, presentation, num: Num):
    l = spec.layer
    act = record.architecture.activation(l)
    a, z = f"a{l}", f"z{l}"
    symbolic = f"slope{l}[{i},{j}] = {act.name}′ = {act.slope_symbol}"
    if act.name == "sigmoid":
        return symbolic, f"{num(a, i, j)}*(1 - {num(a, i, j)})", [(a, i, j)], True
    if act.name == "tanh":
        return symbolic, f"1 - {num(a, i, j)}**2", [(a, i, j)], True
    if act.name == "relu":
        return symbolic, f"(1 if {num(z, i, j)} > 0 else 0)", [(z, i, j)], True
    if act.name == "leaky_relu":
        return symbolic, f"(1 if {num(z, i, j)} > 0 else 0.01)", [(z, i, j)], True
    return symbolic, "1", [(a, i, j)], True  # linear: the slope is 1 whatever a is


def _delta(record, spec, i, j, presentation, num: Num):
    l, depth = spec.layer, record.architecture.depth
    error_form = presentation == "error"
    name = spec.name
    if l == depth:
        loss = get_loss(record.loss)
        m, k = record.values["E"].shape
        if loss.cancels_slope:
            symbolic = (f"d{l}[{i},{j}] = E[{i},{j}]/m" if error_form
                        else f"{name}[{i},{j}] = −E[{i},{j}]/m")
            expression = (f"{num('E', i, j)}/{m}" if error_form else f"-{num('E', i, j)}/{m}")
            return symbolic, expression, [("E", i, j)], True
        factor = {"half_sse": "", "sse": "2*", "mse": f"2/({m}*{k})*",
                  "half_mse": f"1/{m}*"}[record.loss]
        product = f"{factor}{num('E', i, j)}*{num(f'slope{l}', i, j)}"
        symbolic = (f"d{l}[{i},{j}] = c·E[{i},{j}]·slope{l}[{i},{j}]" if error_form
                    else f"{name}[{i},{j}] = −c·E[{i},{j}]·slope{l}[{i},{j}]")
        expression = product if error_form else f"-({product})"
        return symbolic, expression, [("E", i, j), (f"slope{l}", i, j)], True
    error = f"error{l}"
    symbolic = f"{name}[{i},{j}] = {error}[{i},{j}]·slope{l}[{i},{j}]"
    return (symbolic, f"{num(error, i, j)}*{num(f'slope{l}', i, j)}",
            [(error, i, j), (f"slope{l}", i, j)], True)


def _error(record, spec, i, j, presentation, num: Num):
    l = spec.layer
    delta, weight = f"delta{l + 1}", f"W{l + 1}"
    n = record.values[delta].shape[1]
    precedents = [(delta, i, k) for k in range(n)] + [(weight, j, k) for k in range(n)]
    expression, complete = _join([f"{num(delta, i, k)}*{num(weight, j, k)}" for k in range(n)])
    symbolic = f"error{l}[{i},{j}] = Σₖ {delta}[{i},k]·{weight}[{j},k]"
    return symbolic, expression, precedents, complete


def _grad_W(record, spec, i, j, presentation, num: Num):
    l = spec.layer
    prev, delta = _previous(l), f"delta{l}"
    m = record.values[delta].shape[0]
    precedents = [(prev, r, i) for r in range(m)] + [(delta, r, j) for r in range(m)]
    expression, complete = _join([f"{num(prev, r, i)}*{num(delta, r, j)}" for r in range(m)])
    symbolic = f"{spec.name}[{i},{j}] = Σᵢ {prev}[i,{i}]·{delta}[i,{j}]"
    if record.l2:
        sign = "-" if presentation == "error" else "+"
        expression = f"{expression} {sign} {format_number(record.l2)}/{m}*{num(f'W{l}', i, j)}"
        symbolic += f" {'−' if sign == '-' else '+'} (λ/m)·W{l}[{i},{j}]"
        precedents.append((f"W{l}", i, j))
    return symbolic, expression, precedents, complete


def _grad_b(record, spec, i, j, presentation, num: Num):
    delta = f"delta{spec.layer}"
    m = record.values[delta].shape[0]
    expression, complete = _join([num(delta, r, j) for r in range(m)])
    return (f"{spec.name}[0,{j}] = Σᵢ {delta}[i,{j}]", expression,
            [(delta, r, j) for r in range(m)], complete)


def _velocity(record, spec, i, j, presentation, num: Num):
    target = spec.kind[-1]
    previous, grad = f"previous_velocity_{target}{spec.layer}", f"grad_{target}{spec.layer}"
    mu, rate = format_number(record.momentum), format_number(record.learning_rate)
    operator = "+" if presentation == "error" else "-"  # the error form shows −grad
    return (f"{spec.name}[{i},{j}] = μ·{previous}[{i},{j}] − η·{grad}[{i},{j}]",
            f"{mu}*{num(previous, i, j)} {operator} {rate}*{num(grad, i, j)}",
            [(previous, i, j), (grad, i, j)], True)


def _new(record, spec, i, j, presentation, num: Num):
    target = spec.kind[-1]
    old = f"{target}{spec.layer}"
    if record.momentum:
        velocity = f"velocity_{target}{spec.layer}"
        return (f"{spec.name}[{i},{j}] = {old}[{i},{j}] + {velocity}[{i},{j}]",
                f"{num(old, i, j)} + {num(velocity, i, j)}", [(old, i, j), (velocity, i, j)], True)
    grad = f"grad_{target}{spec.layer}"
    rate = format_number(record.learning_rate)
    operator = "+" if presentation == "error" else "-"
    return (f"{spec.name}[{i},{j}] = {old}[{i},{j}] − η·{grad}[{i},{j}]",
            f"{num(old, i, j)} {operator} {rate}*{num(grad, i, j)}",
            [(old, i, j), (grad, i, j)], True)


_BUILDERS = {
    "z": _z, "a": _a, "E": _E, "loss": _loss, "slope": _slope, "delta": _delta,
    "error": _error, "grad_W": _grad_W, "grad_b": _grad_b, "velocity_W": _velocity,
    "velocity_b": _velocity, "new_W": _new, "new_b": _new,
}
