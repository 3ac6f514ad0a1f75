"""The chain-rule factors behind one backward or update cell, with their numbers.

Seed 004 writes the gradient of its one weight as dC/dw = dC/da · da/dw;
seed 003's optional maths section as ∂E/∂Wh = ∂E/∂Y · ∂Y/∂u′ · ∂u′/∂Wh.
``chain_rule`` writes the same product for any cell of an iteration that is
a derivative of the loss — a delta (∂J/∂z), an error (∂J/∂a), a gradient
(∂J/∂W, ∂J/∂b), or a velocity or new weight built from a gradient — one
term per sample (or per neuron of the next layer), every factor with the
cell it is read from and its number.

The numbers are the iteration's own: factors are read from the
``IterationRecord`` in gradient form (true derivatives, whatever the
presentation), and the total is the cell's value from ``explain_cell``.
In the error form the tables show some of these negated; ``shown`` says how.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import catalogue
from .number_text import MINUS, shown_number
from .losses import get_loss

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from .iteration import IterationRecord

__all__ = ["Factor", "ChainTerm", "ChainRule", "chain_rule", "MAX_CHAIN_TERMS"]

MAX_CHAIN_TERMS = 8  # terms written out; the rest are summed in one line

Address = tuple[str, int, int]


@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule product.

    Attributes
    ----------
    symbol : str
        The derivative it is, e.g. ``∂a2[0,0]/∂z2[0,0]``.
    meaning : str
        Where its number comes from, e.g. ``slope2[0,0]`` or ``−1·E[0,0]``.
    value : float
    source : (str, int, int) or None
        The cell it is read from.
    """

    symbol: str
    meaning: str
    value: float
    source: Address | None


@dataclass(frozen=True)
class ChainTerm:
    """One product of factors (one sample, or one path through the next layer)."""

    label: str
    factors: tuple[Factor, ...]

    @property
    def product(self) -> float:
        result = 1.0
        for factor in self.factors:
            result *= factor.value
        return result


@dataclass(frozen=True)
class ChainRule:
    """The chain rule behind one cell.

    Attributes
    ----------
    address : (str, int, int)
        The selected cell.
    derivative : str
        What the cell's derivative is, e.g. ``∂J/∂W2[1,0]``.
    rule : str
        The chain rule in symbols.
    terms : list of ChainTerm
        The first ``MAX_CHAIN_TERMS`` terms, written out.
    rest : float
        The sum of the terms not written out (0 when none are left out).
    omitted : int
        How many terms are left out.
    total : float
        The derivative's value (the sum of every term).
    shown : str
        How the table shows the cell when that is not the derivative itself
        (error form, updates), up to its number; empty otherwise.
    shown_value : float
        The number the table shows for the cell (NaN when ``shown`` is empty).
    """

    address: Address
    derivative: str
    rule: str
    terms: list[ChainTerm]
    rest: float
    omitted: int
    total: float
    shown: str = ""
    shown_value: float = float("nan")

    def lines(self, digits: int = 4) -> list[str]:
        """The rule, one line per term with its numbers (``digits`` significant), the total."""
        def num(x: float) -> str:
            return _significant(x, digits)

        out = [self.rule]
        for term in self.terms:
            names = " · ".join(f.meaning for f in term.factors)
            numbers = " · ".join(num(f.value) for f in term.factors)
            if len(term.factors) == 1:
                out.append(f"  {term.label}: {names} = {numbers}")
            else:
                out.append(f"  {term.label}: {names} = {numbers} = {num(term.product)}")
        if self.omitted:
            out.append(f"  … {self.omitted} more terms, summing to {num(self.rest)}")
        out.append(f"{self.derivative} = {num(self.total)}")
        if self.shown:
            out.append(f"{self.shown} = {num(self.shown_value)}")
        return out


def _significant(x: float, digits: int) -> str:
    """A number to ``digits`` significant figures, negatives in parentheses.

    Written as ``number_text`` writes numbers: the typographic minus, and an
    exponent without its ``+`` or leading zeros (``1.896e163``, ``4.5e−5``).
    """
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    text = text.replace("-", MINUS)
    return f"({text})" if text.startswith(MINUS) else text


def _output_dJ_da(record: "IterationRecord", i: int, j: int) -> Factor:
    """∂J/∂a{L}[i,j] = −c·E[i,j] for the squared-error losses."""
    depth = record.architecture.depth
    m, k = record.values["E"].shape
    c = get_loss(record.loss).factor(m, k)
    e = float(record.values["E"][i, j])
    return Factor(f"∂J/∂a{depth}[{i},{j}]", f"−{c:.6g}·E[{i},{j}]", -c * e, ("E", i, j))


def _dJ_dz_factors(record: "IterationRecord", layer: int, i: int, j: int) -> tuple[Factor, ...]:
    """∂J/∂z{layer}[i,j] as ∂J/∂a · ∂a/∂z (or one factor where the slope cancels)."""
    depth = record.architecture.depth
    values = record.values
    if layer == depth and get_loss(record.loss).cancels_slope:
        m = values["E"].shape[0]
        return (Factor(f"∂J/∂z{layer}[{i},{j}]", f"(a{layer} − y)[{i},{j}]/{m}",
                       float(values[f"delta{layer}"][i, j]), ("E", i, j)),)
    if layer == depth:
        dJ_da = _output_dJ_da(record, i, j)
    else:
        dJ_da = Factor(f"∂J/∂a{layer}[{i},{j}]", f"error{layer}[{i},{j}]",
                       float(values[f"error{layer}"][i, j]), (f"error{layer}", i, j))
    slope = Factor(f"∂a{layer}[{i},{j}]/∂z{layer}[{i},{j}]", f"slope{layer}[{i},{j}]",
                   float(values[f"slope{layer}"][i, j]), (f"slope{layer}", i, j))
    return dJ_da, slope


def _limited(terms: list[ChainTerm], extra: list[ChainTerm] = ()
             ) -> tuple[list[ChainTerm], float, int]:
    """The first MAX_CHAIN_TERMS terms, then ``extra`` (always written), the sum
    of the left-out terms, and how many were left out."""
    kept = terms[:MAX_CHAIN_TERMS] + list(extra)
    rest = sum(term.product for term in terms[MAX_CHAIN_TERMS:])
    return kept, rest, max(0, len(terms) - MAX_CHAIN_TERMS)


def _gradient(record: "IterationRecord", which: str, layer: int, i: int, j: int):
    """(derivative, rule, per-sample terms, L2 terms) of ∂J/∂W{layer}[i,j] or ∂J/∂b{layer}[j]."""
    values = record.values
    previous = "X" if layer == 1 else f"a{layer - 1}"
    m = values[f"delta{layer}"].shape[0]
    depth = record.architecture.depth
    cancels = layer == depth and get_loss(record.loss).cancels_slope
    target = f"W{layer}[{i},{j}]" if which == "W" else f"b{layer}[{j}]"
    middle = (f"∂J/∂z{layer}[s,{j}]" if cancels
              else f"∂J/∂a{layer}[s,{j}] · ∂a{layer}[s,{j}]/∂z{layer}[s,{j}]")
    rule = f"∂J/∂{target} = Σₛ {middle} · ∂z{layer}[s,{j}]/∂{target}"
    terms = []
    for s in range(m):
        if which == "W":
            last = Factor(f"∂z{layer}[{s},{j}]/∂{target}", f"{previous}[{s},{i}]",
                          float(values[previous][s, i]), (previous, s, i))
        else:
            last = Factor(f"∂z{layer}[{s},{j}]/∂{target}", "1", 1.0, None)
        terms.append(ChainTerm(f"sample {s}", _dJ_dz_factors(record, layer, s, j) + (last,)))
    extra = []
    if which == "W" and record.l2:
        rate = record.l2 / m
        rule += f" + (λ/m)·W{layer}[{i},{j}]"
        extra.append(ChainTerm("L2 term", (
            Factor("λ/m", f"{shown_number(record.l2, None)}/{m}", rate, None),
            Factor(target, target, float(values[f"W{layer}"][i, j]), (f"W{layer}", i, j)))))
    return f"∂J/∂{target}", rule, terms, extra


def chain_rule(record: "IterationRecord", name: str, row: int, column: int,
               presentation: str = "gradient") -> ChainRule | None:
    """The chain rule behind cell ``(name, row, column)``, or None for a cell
    that is not a derivative of the loss (inputs and the forward steps).

    Which derivative a step is built on (∂J/∂z, ∂J/∂a, ∂J/∂W, ∂J/∂b) is the
    catalogue's; the rule is written for that derivative.

    Raises
    ------
    KeyError, IndexError
        As ``explain_cell``, for a matrix or cell the iteration does not have.
    """
    value = record.explain(name, row, column, "gradient").value
    spec = record.spec(name)
    if spec is None:
        return None
    info = catalogue.KINDS[spec.kind]
    build = {"z": _delta_rule, "a": _error_rule, "W": _gradient_rule,
             "b": _gradient_rule}.get(info.derivative)
    if build is None:
        return None
    return build(record, spec, info, row, column, presentation == "error", value)


def _error_form_note(record: "IterationRecord", name: str, i: int, j: int, derivative: str,
                     value: float) -> tuple[str, float]:
    """What the error form shows for a negated derivative cell (d, e), and its number."""
    shown_name = catalogue.symbol(name, record.architecture.depth, "error")
    return f"the error form shows {shown_name}[{i},{j}] = −{derivative}", -value


def _delta_rule(record, spec, info, i, j, error_form, value) -> ChainRule:
    """∂J/∂z[i,j] = ∂J/∂a · ∂a/∂z (one factor where the slope cancels)."""
    layer = spec.layer
    derivative = f"∂J/∂z{layer}[{i},{j}]"
    factors = _dJ_dz_factors(record, layer, i, j)
    if len(factors) == 1:
        activation = record.architecture.activations[layer - 1]
        rule = (f"{derivative} = (a{layer} − y)[{i},{j}]/m: the slope of the {activation} "
                f"cancels against the {record.loss} loss")
    else:
        rule = f"{derivative} = " + " · ".join(f.symbol for f in factors)
    shown, shown_value = (_error_form_note(record, spec.name, i, j, derivative, value)
                          if error_form else ("", float("nan")))
    kept, rest, omitted = _limited([ChainTerm(f"sample {i}", factors)])
    return ChainRule((spec.name, i, j), derivative, rule, kept, rest, omitted, value, shown,
                     shown_value)


def _error_rule(record, spec, info, i, j, error_form, value) -> ChainRule:
    """∂J/∂a[i,j] = Σₖ ∂J/∂z_next[i,k] · W_next[j,k], one term per neuron of the next layer."""
    layer, values = spec.layer, record.values
    derivative = f"∂J/∂a{layer}[{i},{j}]"
    nxt = layer + 1
    rule = f"{derivative} = Σₖ ∂J/∂z{nxt}[{i},k] · ∂z{nxt}[{i},k]/∂a{layer}[{i},{j}]"
    terms = [ChainTerm(f"through neuron {k} of layer {nxt}", (
        Factor(f"∂J/∂z{nxt}[{i},{k}]", f"delta{nxt}[{i},{k}]",
               float(values[f"delta{nxt}"][i, k]), (f"delta{nxt}", i, k)),
        Factor(f"∂z{nxt}[{i},{k}]/∂a{layer}[{i},{j}]", f"W{nxt}[{j},{k}]",
               float(values[f"W{nxt}"][j, k]), (f"W{nxt}", j, k))))
        for k in range(values[f"delta{nxt}"].shape[1])]
    shown, shown_value = (_error_form_note(record, spec.name, i, j, derivative, value)
                          if error_form else ("", float("nan")))
    kept, rest, omitted = _limited(terms)
    return ChainRule((spec.name, i, j), derivative, rule, kept, rest, omitted, value, shown,
                     shown_value)


def _gradient_rule(record, spec, info, i, j, error_form, value) -> ChainRule:
    """∂J/∂W[i,j] (or ∂J/∂b[j]) per sample, for a gradient and for the velocity or
    update built from it, with what the table shows for that cell."""
    which, layer, name = info.derivative, spec.layer, spec.name
    derivative, rule, terms, extra = _gradient(record, which, layer, i, j)
    gradient = float(record.values[f"grad_{which}{layer}"][i, j])
    shown, shown_value = "", float("nan")
    if info.negated_in_error_form:
        if error_form:
            shown, shown_value = f"the error form shows −{derivative}", -gradient
    else:  # an update or a velocity: the step −η·∂J/∂W, written as each form adds it
        step = f"+ η·(−{derivative})" if error_form else f"− η·{derivative}"
        if info.updates:
            old = catalogue.KINDS[which].name(layer)
            step = "+ velocity" if record.momentum else step
            shown = f"new {old}[{i},{j}] = {old}[{i},{j}] {step}"
        else:
            shown = f"{name}[{i},{j}] = μ·velocity {step}"
        shown_value = value
    kept, rest, omitted = _limited(terms, extra)
    return ChainRule((name, i, j), derivative, rule, kept, rest, omitted, gradient, shown,
                     shown_value)
