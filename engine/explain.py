"""Where a cell's number comes from: its precedent cells and its formula
written out with their numbers.

The tables colour the precedents orange, the diagram lights their neurons,
the formula panel prints the substituted formula and the workbook export
turns the precedents into cell references — all from the step's formula in
the catalogue (``engine.catalogue``), rendered for the one cell asked about,
never stored for every cell.

A cell is addressed as ``(matrix name, row, column)``: vectors such as
``b1`` are row 0, the loss is ``("loss", 0, 0)``. The explanation names the
cell as its card does in the presentation shown (``d2`` in the error form,
``delta2`` in the gradient form) and writes its numbers as the tables do
(``engine.number_text``), so that its last number is the cell's text.

The ``expression`` of an explanation is plain arithmetic that Python can
evaluate (numbers, + − * / **, and the functions exp, log, tanh, max and
abs), with every digit of every precedent.

A cell that is a sum (a dot product such as z = Σ a·W + b, a Σ over the
samples of a gradient) can also be expanded into its running total, term
by term (``expand_cell_sum``), from the same formula tree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import catalogue
from .formula import MAX_TERMS, SumExpansion, cell_formula, expand_sum
from .number_text import shown_change, shown_number

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from .iteration import IterationRecord

__all__ = ["CellExplanation", "explain_cell", "MAX_TERMS", "formula_context", "expand_cell_sum"]

Address = tuple[str, int, int]


@dataclass(frozen=True)
class CellExplanation:
    """One cell's provenance.

    Attributes
    ----------
    address : (str, int, int)
        The cell by engine name.
    label : str
        The cell's matrix as its card names it (``d2``, ``−grad_W2``, ``delta2``).
    symbolic : str
        The cell's formula in symbols, e.g. ``z1[0,1] = Σₖ X[0,k]·W1[k,1] + b1[1]``.
    numbers : str
        The right-hand side with the precedents' numbers as the tables show them.
    expression : str
        The formula with every digit of the precedents, as Python arithmetic.
    value : float
        The cell's value as the presentation shows it.
    precedents : list of (str, int, int)
        The cells it was computed from.
    complete : bool
        False when a long sum was shortened with "…".
    decimals : int or None
        Places of the shown numbers (None: every digit).
    change : str or None
        For an updated weight whose change is too small to see at ``decimals``:
        ``Δ +6.2e−5``.
    """

    address: Address
    label: str
    symbolic: str
    numbers: str
    expression: str
    value: float
    precedents: list[Address]
    complete: bool = True
    decimals: int | None = None
    change: str | None = None

    @property
    def result(self) -> str:
        """The cell's value exactly as its table shows it."""
        return shown_number(self.value, self.decimals)

    @property
    def text(self) -> str:
        """``name[i,j] = <numbers> = value`` for the formula panel and tooltips."""
        _, row, column = self.address
        return f"{self.label}[{row},{column}] = {self.numbers} = {self.result}"


def formula_context(record: "IterationRecord", presentation: str,
                    decimals: int | None = None) -> dict:
    """The keyword arguments ``formula.cell_formula`` needs for one iteration and presentation."""
    depth = record.architecture.depth
    cache = {}

    def value_of(name: str, r: int, c: int) -> float:
        if name not in cache:
            cache[name] = record.shown(name, presentation)
        return float(cache[name][r, c])

    m, k = record.values["y"].shape
    return dict(
        name_of=lambda name: catalogue.symbol(name, depth, presentation),
        value_of=value_of, shape_of=lambda name: record.values[name].shape,
        settings={"learning_rate": record.learning_rate, "momentum": record.momentum,
                  "l2": record.l2, "m": m, "k": k},
        decimals=decimals)


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
        Which signs and symbols the formula carries (the error form negates
        the backward steps and writes d, e and −grad).
    decimals : int or None
        Decimals of the shown numbers; None keeps every digit.

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
    depth = record.architecture.depth
    context = formula_context(record, presentation, decimals)
    label = catalogue.symbol(name, depth, presentation)
    value = context["value_of"](name, row, column)
    spec = record.spec(name)
    if spec is None:
        shown = shown_number(value, decimals)
        return CellExplanation((name, row, column), label,
                               f"{label}[{row},{column}] (an input of this iteration)", shown,
                               repr(value), value, [], True, decimals)
    tree = catalogue.formula_tree(spec.kind, spec.layer, record.architecture, record.loss,
                                  presentation, bool(record.l2), bool(record.momentum))
    formula = cell_formula(tree, row, column, **context)
    change = None
    updates = catalogue.KINDS[spec.kind].updates
    if updates:
        old = catalogue.KINDS[updates].name(spec.layer)
        change = shown_change(context["value_of"](old, row, column), value, decimals)
    return CellExplanation((name, row, column), label,
                           f"{label}[{row},{column}] = {formula.symbols}", formula.numbers,
                           formula.python, value, formula.precedents, formula.complete, decimals,
                           change)


def _tree(record: "IterationRecord", name: str, presentation: str):
    """The catalogue's formula tree of step ``name`` (None for an input)."""
    spec = record.spec(name)
    if spec is None:
        return None
    return catalogue.formula_tree(spec.kind, spec.layer, record.architecture, record.loss,
                                  presentation, bool(record.l2), bool(record.momentum))


def expand_cell_sum(record: "IterationRecord", name: str, row: int, column: int,
                    presentation: str = "gradient",
                    decimals: int | None = None) -> SumExpansion | None:
    """Cell ``(name, row, column)`` as its running total term by term, or None when
    it is not a sum (see ``engine.formula.expand_sum``); numbers as the tables show
    them in ``presentation``. Raises as ``explain_cell`` does for a cell not there."""
    if name not in record.values:
        raise KeyError(f"this iteration has no matrix called {name!r}")
    rows, columns = record.values[name].shape
    if not (0 <= row < rows and 0 <= column < columns):
        raise IndexError(f"{name} has shape ({rows}, {columns}); there is no cell [{row},{column}]")
    tree = _tree(record, name, presentation)
    if tree is None:
        return None
    return expand_sum(tree, row, column, **formula_context(record, presentation, decimals))
