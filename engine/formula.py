"""Formulas as small expression trees, and the readers that write them out.

A step's formula is built once (``engine.catalogue``) as a tree over whole
matrices — ``z1 = X·W1 + b1`` is ``Binary("+", Binary("@", Ref("X"),
Ref("W1")), Ref("b1"))`` — and every reader renders the same tree:

* ``matrix_text``: the step's formula in symbols, as a card shows it;
* ``numpy_text``: the line of NumPy that computes it (code panel);
* ``CellFormula``: one cell of it, in symbols (``z1[0,1] = Σₖ X[0,k]·W1[k,1] +
  b1[1]``), with the numbers substituted for people and for Python, as an
  Excel formula over the workbook's ranges, and the cells it reads;
* ``SumExpansion``: a cell that is a sum as its running total, term by term
  (``0.891·0.026 = 0.023``, ``+ 0.954·0.022 → 0.044``, …), each term with
  the cells it reads.

So the symbol, the sign and the operators of a formula cannot differ from
one reader to the next: there is nothing to keep in step by hand. Names are
given by the caller (a ``name_of`` function), because they depend on the
presentation (``d2`` or ``delta2``) and on the reader (``d_output`` in code).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

from .number_text import MINUS, python_number, shown_number
from .value_type import value_type

__all__ = ["Expr", "Ref", "Number", "Setting", "Unary", "Binary", "Apply", "RowSoftmax",
           "LossTerm", "Fragment", "SETTINGS", "matrix_text", "numpy_text", "CellFormula",
           "cell_formula", "excel_formula", "MAX_TERMS", "SumTerm", "SumExpansion", "has_sum",
           "expand_sum"]

MAX_TERMS = 64  # beyond this a sum is written with "…" (and no longer evaluates)

# Precedence: a sum binds loosest, then products, then a leading minus, then atoms.
# A quotient sits between the two, so that it is grouped as a factor: (λ/m)·W2.
_SUM, _QUOTIENT, _PRODUCT, _UNARY, _ATOM = 1, 1.5, 2, 3, 4


# -- the tree ------------------------------------------------------------------------
class Expr:
    """A formula over whole matrices."""


@value_type
class Ref(Expr):
    """A matrix of the iteration, by engine name (``X``, ``W1``, ``delta2``)."""

    name: str


@value_type
class Number(Expr):
    """A constant written as its number (c = 2 of SSE, the leaky slope 0.01)."""

    value: float


@value_type
class Setting(Expr):
    """A setting of the lesson: ``learning_rate``, ``momentum``, ``l2`` or the batch size ``m``."""

    key: str


@value_type
class Unary(Expr):
    """``neg`` (−A), ``T`` (Aᵀ) or ``sum_rows`` (Σ over the samples, a row vector)."""

    op: str
    arg: Expr


@value_type
class Binary(Expr):
    """``+``, ``-``, ``*`` (elementwise, or a scalar times a matrix), ``/`` and ``@``."""

    op: str
    left: Expr
    right: Expr


@value_type
class Fragment:
    """An elementwise function written in each language, ``{x}`` standing for its argument.

    Attributes
    ----------
    name : str
        How a formula names it: ``sigmoid``, ``sigmoid′``.
    text, python, excel, numpy : str
        The function of ``{x}`` for people, for Python's ``eval`` (numbers and
        exp/log/tanh/max/abs), for a spreadsheet and for NumPy arrays.
    """

    name: str
    text: str
    python: str
    excel: str
    numpy: str


@value_type
class Apply(Expr):
    """An elementwise function of a matrix: f(z), or f′ written with a or z."""

    function: Fragment
    arg: Expr


@value_type
class RowSoftmax(Expr):
    """Softmax of each row: e^(z_j − max z) / Σₖ e^(z_k − max z)."""

    arg: Ref


@value_type
class LossTerm(Expr):
    """J of the batch: ``coefficient · Σ entry(y, a, z)`` (+ the L2 term).

    Attributes
    ----------
    target, output, output_input : Ref
        y, a{L} and z{L}.
    entry : Fragment
        One entry's part of the sum, of ``{y}``, ``{a}`` and ``{z}``.
    coefficient : Fragment
        The factor before the sum, of ``{m}`` and ``{k}``; ``text`` "" for 1.
    skip_zero_targets : bool
        Whether entries with y = 0 add nothing (cross-entropy), so are left out.
    weights : tuple of str
        The weight matrices of the L2 term (empty without L2).
    """

    target: Ref
    output: Ref
    output_input: Ref
    entry: Fragment
    coefficient: Fragment
    skip_zero_targets: bool = False
    weights: tuple[str, ...] = ()


# How each setting is written: in symbols, in NumPy code and in the workbook.
SETTINGS = {
    "learning_rate": ("η", "learning_rate", "learning_rate"),
    "momentum": ("μ", "momentum", "momentum"),
    "l2": ("λ", "l2", "l2_lambda"),
    "m": ("m", "len(X)", None),  # the workbook writes the batch size as its number
    "k": ("k", "y.shape[1]", None),  # ... and the number of outputs
}


# -- rendering whole matrices ------------------------------------------------------
class _Text(NamedTuple):
    """A written (sub)formula and how tightly it binds; a workbook makes some 650 000."""

    text: str
    precedence: float

    @property
    def negative(self) -> bool:
        return self.text.startswith(("-", MINUS))


def _operand(part: _Text, at_least: float, right: bool) -> str:
    """``part`` as an operand, in parentheses where it would read otherwise."""
    if part.precedence < at_least or (right and part.negative):
        return f"({part.text})"
    return part.text


def _combine(op: str, left: _Text, right: _Text, operator: str) -> _Text:
    """``left op right`` with the parentheses a reader needs.

    Negative operands of a product are parenthesised on both sides
    (``(−0.21)·(−0.51)``), so that a term of a sum never starts with a bare
    minus; a quotient is grouped when it is a factor (``(λ/m)·W2``).
    """
    if op in "+-":
        return _Text(_operand(left, _SUM, right=False) + operator
                     + _operand(right, _SUM + (op == "-"), right=True), _SUM)
    if op == "/":
        return _Text(_operand(left, _QUOTIENT, right=False) + operator
                     + _operand(right, _ATOM, right=True), _QUOTIENT)
    return _Text(_operand(left, _PRODUCT, right=True) + operator
                 + _operand(right, _PRODUCT, right=True), _PRODUCT)


_MATRIX_OPERATORS = {"+": " + ", "-": f" {MINUS} ", "*": " ⊙ ", "/": "/", "@": "·"}
_NUMPY_OPERATORS = {"+": " + ", "-": " - ", "*": " * ", "/": " / ", "@": " @ "}


def _is_scalar(expr: Expr) -> bool:
    """Whether ``expr`` is one number (a constant, a setting, or arithmetic of them)."""
    if isinstance(expr, Binary):
        return _is_scalar(expr.left) and _is_scalar(expr.right)
    return isinstance(expr, (Number, Setting))


def matrix_text(expr: Expr, name_of: Callable[[str], str]) -> str:
    """The formula over whole matrices in the learner's symbols: ``X·W1 + b1``."""
    return _matrix(expr, name_of, numpy=False).text


def numpy_text(expr: Expr, name_of: Callable[[str], str]) -> str:
    """The formula as NumPy code: ``X @ wh + bh``."""
    return _matrix(expr, name_of, numpy=True).text


def _matrix(expr: Expr, name_of, numpy: bool) -> _Text:
    operators = _NUMPY_OPERATORS if numpy else _MATRIX_OPERATORS
    minus = "-" if numpy else MINUS
    if isinstance(expr, Ref):
        name = name_of(expr.name)
        return _Text(name, _UNARY if name.startswith(("-", MINUS)) else _ATOM)
    if isinstance(expr, Number):
        text = _constant_text(expr.value)
        return _Text(text.replace(MINUS, "-") if numpy else text, _ATOM)
    if isinstance(expr, Setting):
        symbol, code, _ = SETTINGS[expr.key]
        return _Text(code if numpy else symbol, _ATOM)
    if isinstance(expr, Unary):
        inner = _matrix(expr.arg, name_of, numpy)
        if expr.op == "neg":
            return _Text(minus + _operand(inner, _QUOTIENT, right=True), _UNARY)
        if expr.op == "T":
            return _Text(_operand(inner, _ATOM, right=True) + (".T" if numpy else "ᵀ"), _ATOM)
        if numpy:  # sum_rows
            return _Text(f"np.sum({inner.text}, axis=0, keepdims=True)", _ATOM)
        return _Text("Σᵢ " + _operand(inner, _PRODUCT, right=True), _SUM)
    if isinstance(expr, Binary):
        left, right = _matrix(expr.left, name_of, numpy), _matrix(expr.right, name_of, numpy)
        operator = operators[expr.op]
        if expr.op == "*" and _is_scalar(expr.left) and not numpy:
            operator = "·"  # a number times a matrix, not an elementwise product
        return _combine(expr.op, left, right, operator)
    if isinstance(expr, Apply):
        inner = _matrix(expr.arg, name_of, numpy).text
        if numpy:
            return _Text(expr.function.numpy.format(x=inner), _SUM)
        if not expr.function.name:  # written out: a1·(1 − a1)
            return _Text(expr.function.text.format(x=inner), _SUM)
        return _Text(f"{expr.function.name}({inner})", _ATOM)
    if isinstance(expr, RowSoftmax):
        z = _matrix(expr.arg, name_of, numpy).text
        if numpy:
            return _Text(f"np.exp({z} - {z}.max(axis=1, keepdims=True)) / "
                         f"np.exp({z} - {z}.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)",
                         _PRODUCT)
        return _Text(f"softmax({z})", _ATOM)
    if isinstance(expr, LossTerm):
        return _loss_matrix(expr, name_of, numpy)
    raise TypeError(f"not a formula: {expr!r}")


def _loss_matrix(loss: LossTerm, name_of, numpy: bool) -> _Text:
    y, a, z = (_matrix(ref, name_of, numpy).text for ref in
               (loss.target, loss.output, loss.output_input))
    if numpy:
        entry = loss.entry.numpy.format(y=y, a=a, z=z)
        coefficient = loss.coefficient.numpy.format(m="len(X)", k=f"{y}.shape[1]")
        text = f"{coefficient}np.sum({entry})"
        if loss.weights:
            squares = " + ".join(f"np.sum({name_of(w)} ** 2)" for w in loss.weights)
            text += f" + l2 / (2 * len(X)) * ({squares})"
        return _Text(text, _SUM)
    entry = loss.entry.text.format(y=y, a=a, z=z)
    text = f"{loss.coefficient.text.format(m='m', k='k')}Σ {entry}"
    if loss.weights:
        squares = " + ".join(f"Σ {name_of(w)}²" for w in loss.weights)
        text += f" + λ/(2m)·({squares})" if len(loss.weights) > 1 else f" + λ/(2m)·{squares}"
    return _Text(text, _SUM)


# -- rendering one cell ------------------------------------------------------------
Address = tuple[str, int, int]
_PEOPLE = ("symbols", "numbers")  # the languages written with · and −


@dataclass
class CellFormula:
    """One cell of a formula, written for people and for Python.

    Attributes
    ----------
    symbols : str
        The right-hand side in symbols: ``Σₖ X[0,k]·W1[k,1] + b1[1]``.
    numbers : str
        The same with the precedents' shown numbers: ``1·0.42 + 0·0.13 + 0.50``.
    python : str
        The same with every digit, as Python arithmetic ``eval`` can read.
    precedents : list of (str, int, int)
        The cells it reads, in the order they appear, each once.
    complete : bool
        False when a long sum was shortened with "…" (``python`` then does not evaluate).
    """

    symbols: str = ""
    numbers: str = ""
    python: str = ""
    precedents: list[Address] = field(default_factory=list)
    complete: bool = True


class _CellWriter:
    """Writes one cell of a tree in the languages asked for, all in one walk.

    Languages: ``symbols``, ``numbers`` (shown digits), ``python`` (every
    digit) and ``excel`` (A1 references through ``locate``). Each part of the
    walk is a dict from language to ``_Text``.
    """

    def __init__(self, languages, name_of, value_of, shape_of, decimals, locate, settings):
        self.languages = languages
        self.name_of, self.value_of, self.shape_of = name_of, value_of, shape_of
        self.decimals, self.locate, self.settings = decimals, locate, settings
        self.precedents: dict[Address, None] = {}
        self.complete = True

    @property
    def writes_terms(self) -> bool:
        """Whether sums are written term by term (every language but Excel's)."""
        return any(language != "excel" for language in self.languages)

    # leaves -----------------------------------------------------------------
    def ref(self, name: str, r: int, c: int) -> dict:
        """Cell (r, c) of ``name``."""
        rows, _ = self.shape_of(name)
        if rows == 1:
            r = 0  # a vector (bias) is the same row for every sample
        out = {}
        if "symbols" in self.languages:
            symbol = self.name_of(name)
            shown = f"{symbol}[{c}]" if rows == 1 else f"{symbol}[{r},{c}]"
            out["symbols"] = _Text(shown, _UNARY if symbol.startswith(MINUS) else _ATOM)
        if "numbers" in self.languages or "python" in self.languages:
            self.precedents[(name, r, c)] = None
            value = self.value_of(name, r, c)
            out["numbers"] = self._number(value)
            out["python"] = _python(value)
        if "excel" in self.languages:
            out["excel"] = _Text(self.locate.cell(name, r, c), _ATOM)
        return out

    def _number(self, value: float) -> _Text:
        # whole numbers bare (X = 1, 0), as a teacher writes them: 1·0.42 + 0·0.13
        exact = value == int(value) and abs(value) < 1e15 if math.isfinite(value) else False
        text = _constant_text(value) if exact else shown_number(value, self.decimals)
        return _Text(text, _UNARY if text.startswith(MINUS) else _ATOM)

    def constant(self, value: float, symbol: str | None = None, excel: str | None = None) -> dict:
        exact = _constant_text(value)
        out = {"symbols": _Text(exact if symbol is None else symbol, _ATOM),
               "numbers": _Text(exact, _ATOM), "python": _python(value),
               "excel": _Text(excel or exact.replace(MINUS, "-"), _ATOM)}
        return out

    def setting(self, key: str) -> dict:
        symbol, _, excel = SETTINGS[key]
        return self.constant(float(self.settings[key]), symbol, excel)

    # combinations --------------------------------------------------------------
    def binary(self, op: str, left: dict, right: dict) -> dict:
        out = {}
        for language in self.languages:
            if language in _PEOPLE:
                operator = {"+": " + ", "-": f" {MINUS} ", "*": "·", "/": "/"}[op]
            else:
                operator = {"+": " + ", "-": " - ", "*": "*", "/": "/"}[op]
            out[language] = _combine(op, left[language], right[language], operator)
        return out

    def negate(self, inner: dict) -> dict:
        return {language: _Text((MINUS if language in _PEOPLE else "-")
                                + _operand(inner[language], _QUOTIENT, right=True), _UNARY)
                for language in self.languages}

    def function(self, fragment: Fragment, inner: dict) -> dict:
        out = {}
        for language in self.languages:
            argument = _operand(inner[language], _ATOM, True)
            if language == "symbols" and fragment.name:
                out[language] = _Text(f"{fragment.name}({inner[language].text})", _ATOM)
                continue
            template = getattr(fragment, "text" if language in _PEOPLE else language)
            out[language] = _Text(template.format(x=argument), _SUM)
        return out

    def touch(self, name: str, r: int, c: int) -> None:
        """Count cell (r, c) of ``name`` as a precedent without writing it."""
        if self.shape_of(name)[0] == 1:
            r = 0
        self.precedents[(name, r, c)] = None

    def total(self, count: int, term, cells, symbols: str) -> dict:
        """A sum of ``count`` terms written out, shortened past MAX_TERMS.

        ``term(t)`` writes term t; ``cells(t)`` lists the cells it reads, so
        that the terms left out of a long sum still count as precedents
        without being written (a digits loss has 14 380 of them).
        """
        written = count if count <= MAX_TERMS else MAX_TERMS // 2
        terms = [term(t) for t in range(written)]
        for t in range(written, count):
            for cell in cells(t):
                self.touch(*cell)
        if written < count:
            self.complete = False
        out = {"symbols": _Text(symbols, _SUM)}
        for language in ("numbers", "python"):
            if language not in self.languages:
                continue
            texts = [_operand(part[language], _SUM, right=index > 0)
                     for index, part in enumerate(terms)]
            if written < count:
                texts.append(f"… ({count - written} more terms)")
            if not texts:
                out[language] = _Text("0", _ATOM)
            elif len(texts) == 1:
                out[language] = terms[0][language]
            else:
                out[language] = _Text(" + ".join(texts), _SUM)
        return out


def _python(value: float) -> _Text:
    return _Text(python_number(value), _ATOM)


def _constant_text(value: float) -> str:
    """A constant of a formula (c = 2, a setting) with every digit: whole numbers bare."""
    return python_number(value).strip("()").replace("-", MINUS)


def cell_formula(expr: Expr, row: int, column: int, *, name_of: Callable[[str], str],
                 value_of: Callable[[str, int, int], float],
                 shape_of: Callable[[str], tuple[int, int]], settings: dict,
                 decimals: int | None = None) -> CellFormula:
    """Cell (row, column) of ``expr`` for people and for Python.

    Parameters
    ----------
    expr : Expr
    row, column : int
    name_of : callable
        Engine name → the symbol the presentation shows (``delta2`` → ``d2``).
    value_of : callable
        (name, r, c) → the number the presentation shows in that cell.
    shape_of : callable
        name → (rows, columns) of the matrix in this iteration.
    settings : dict
        ``learning_rate``, ``momentum``, ``l2``, ``m`` (the batch size) and ``k`` (outputs).
    decimals : int or None
        Places of the shown numbers (None: every digit).
    """
    writer = _CellWriter(("symbols", "numbers", "python"), name_of, value_of, shape_of,
                         decimals, None, settings)
    parts = _cell(expr, row, column, writer)
    return CellFormula(parts["symbols"].text, parts["numbers"].text, parts["python"].text,
                       list(writer.precedents), writer.complete)


def excel_formula(expr: Expr, row: int, column: int, *, locate,
                  value_of: Callable[[str, int, int], float],
                  shape_of: Callable[[str], tuple[int, int]], settings: dict) -> str:
    """Cell (row, column) of ``expr`` as a spreadsheet formula (with its "=").

    ``locate`` gives A1 references: ``cell(name, r, c)``, ``row_range(name,
    r)``, ``column_range(name, c)`` and ``whole(name)``; settings are the
    workbook's named cells (``learning_rate``, ``momentum``, ``l2_lambda``),
    the batch size its number.
    """
    writer = _CellWriter(("excel",), None, value_of, shape_of, None, locate, settings)
    return "=" + _cell(expr, row, column, writer)["excel"].text


def _cell(expr: Expr, i: int, j: int, w: _CellWriter) -> dict:
    if isinstance(expr, Ref):
        return w.ref(expr.name, i, j)
    if isinstance(expr, Number):
        return w.constant(expr.value)
    if isinstance(expr, Setting):
        return w.setting(expr.key)
    if isinstance(expr, Unary):
        if expr.op == "neg":
            return w.negate(_cell(expr.arg, i, j, w))
        if expr.op == "T":
            return _cell(expr.arg, j, i, w)
        return _sum_rows(expr.arg, j, w)
    if isinstance(expr, Binary):
        if expr.op == "@":
            return _dot(expr.left, expr.right, i, j, w)
        return w.binary(expr.op, _cell(expr.left, i, j, w), _cell(expr.right, i, j, w))
    if isinstance(expr, Apply):
        return w.function(expr.function, _cell(expr.arg, i, j, w))
    if isinstance(expr, RowSoftmax):
        return _softmax(expr.arg.name, i, j, w)
    if isinstance(expr, LossTerm):
        return _loss(expr, w)
    raise TypeError(f"not a formula: {expr!r}")


def _vector(expr: Expr, along_rows: bool) -> tuple[str, bool]:
    """(name, whether it is read along a row) of a Ref, or of the Ref under a transpose."""
    transposed = isinstance(expr, Unary) and expr.op == "T"
    ref = expr.arg if transposed else expr
    if not isinstance(ref, Ref):
        raise TypeError("a product is written over matrices and their transposes")
    return ref.name, along_rows != transposed


def _dot(left: Expr, right: Expr, i: int, j: int, w: _CellWriter) -> dict:
    """Σₖ left[i,k]·right[k,j]: written out term by term; in Excel over two ranges."""
    left_name, left_is_row = _vector(left, True)
    right_name, right_is_row = _vector(right, False)
    out = {}
    if w.writes_terms:
        rows, columns = w.shape_of(left_name)

        def cells(k: int) -> list[Address]:
            return [(left_name, i, k) if left_is_row else (left_name, k, i),
                    (right_name, j, k) if right_is_row else (right_name, k, j)]

        first = f"{i},k" if left_is_row else f"k,{i}"
        second = f"k,{j}" if not right_is_row else f"{j},k"
        out = w.total(columns if left_is_row else rows,
                      lambda k: w.binary("*", _cell(left, i, k, w), _cell(right, k, j, w)), cells,
                      f"Σₖ {w.name_of(left_name)}[{first}]·{w.name_of(right_name)}[{second}]")
    if "excel" in w.languages:
        locate = w.locate
        a = locate.row_range(left_name, i) if left_is_row else locate.column_range(left_name, i)
        b = (locate.row_range(right_name, j) if right_is_row
             else locate.column_range(right_name, j))
        function = "MMULT" if left_is_row and not right_is_row else "SUMPRODUCT"
        out["excel"] = _Text(f"{function}({a},{b})", _ATOM)
    return out


def _sum_rows(expr: Expr, j: int, w: _CellWriter) -> dict:
    if not isinstance(expr, Ref):
        raise TypeError("a sum over samples is written over one matrix")
    out = {}
    if w.writes_terms:
        rows, _ = w.shape_of(expr.name)
        out = w.total(rows, lambda r: w.ref(expr.name, r, j), lambda r: [(expr.name, r, j)],
                      f"Σₖ {w.name_of(expr.name)}[k,{j}]")
    if "excel" in w.languages:
        out["excel"] = _Text(f"SUM({w.locate.column_range(expr.name, j)})", _ATOM)
    return out


def _softmax(z: str, i: int, j: int, w: _CellWriter) -> dict:
    out = {}
    if w.writes_terms:
        _, n = w.shape_of(z)
        cells = [w.ref(z, i, k) for k in range(n)]
        top = max(range(n), key=lambda k: w.value_of(z, i, k))
        name = w.name_of(z)
        out["symbols"] = _Text(f"e^({name}[{i},{j}] − max) / Σₖ e^({name}[{i},k] − max)",
                               _PRODUCT)
        for language, exp, minus in (("numbers", "e^", f" {MINUS} "), ("python", "exp", " - ")):
            peak = _operand(cells[top][language], _SUM, right=True)
            powers = [f"{exp}({cell[language].text}{minus}{peak})" for cell in cells]
            if len(powers) > MAX_TERMS:
                w.complete = False
                powers = powers[: MAX_TERMS // 2] + [f"… ({n - MAX_TERMS // 2} more terms)"]
            out[language] = _Text(f"{exp}({cells[j][language].text}{minus}{peak})/("
                                  + " + ".join(powers) + ")", _PRODUCT)
    if "excel" in w.languages:
        row, cell = w.locate.row_range(z, i), w.locate.cell(z, i, j)
        out["excel"] = _Text(f"EXP({cell}-MAX({row}))/SUMPRODUCT(EXP({row}-MAX({row})))",
                             _PRODUCT)
    return out


def _loss(loss: LossTerm, w: _CellWriter) -> dict:
    """J = coefficient·Σ entry (+ λ/(2m)·Σ W²): every entry in the numbers, whole ranges in Excel."""
    refs = {"y": loss.target.name, "a": loss.output.name, "z": loss.output_input.name}
    used = {key: name for key, name in refs.items() if "{" + key + "}" in loss.entry.python}
    m, k = w.shape_of(refs["a"])
    out = {}
    if w.writes_terms:
        for name in used.values():  # every entry is read, whether or not its term is written
            for r in range(m):
                for c in range(k):
                    w.touch(name, r, c)
        entries = [(r, c) for r in range(m) for c in range(k)
                   if not (loss.skip_zero_targets and w.value_of(refs["y"], r, c) == 0)]

        def term(t: int) -> dict:
            cells = {key: w.ref(name, *entries[t]) for key, name in used.items()}
            return {language: _Text(getattr(loss.entry, "text" if language == "numbers"
                                            else "python").format(
                **{key: _operand(cell[language], _ATOM, True) for key, cell in cells.items()}),
                _SUM) for language in ("numbers", "python")}

        entry = loss.entry.text.format(**{key: f"{w.name_of(name)}[i,j]"
                                          for key, name in refs.items()})
        out = w.total(len(entries), term,
                      lambda t: [(name, *entries[t]) for name in used.values()],
                      f"{loss.coefficient.text.format(m='m', k='k')}Σᵢⱼ {entry}")
        for language in ("numbers", "python"):
            coefficient = getattr(loss.coefficient, "text" if language == "numbers" else "python")
            out[language] = _Text(f"{coefficient.format(m=m, k=k)}({out[language].text})",
                                  _PRODUCT)
    if "excel" in w.languages:
        ranges = {key: w.locate.whole(name) for key, name in used.items()}
        body = f"SUMPRODUCT({loss.entry.excel.format(**ranges)})"
        out["excel"] = _Text(loss.coefficient.excel.format(m=m, k=k) + body, _PRODUCT)
    if loss.weights:
        out = _with_penalty(out, loss.weights, m, w)
    return out


def _with_penalty(out: dict, weights: tuple[str, ...], m: int, w: _CellWriter) -> dict:
    """J + λ/(2m)·Σ W² over every weight (biases are not regularised)."""
    penalty = {}
    if w.writes_terms:
        cells = [(name, r, c) for name in weights for r in range(w.shape_of(name)[0])
                 for c in range(w.shape_of(name)[1])]

        def square(t: int) -> dict:
            cell = w.ref(*cells[t])
            return {language: _Text(_operand(cell[language], _ATOM, True) + power, _PRODUCT)
                    for language, power in (("numbers", "²"), ("python", "**2"))}

        names = " + ".join(f"Σ {w.name_of(name)}²" for name in weights)
        total = w.total(len(cells), square, lambda t: [cells[t]], names)
        l2 = w.setting("l2")
        penalty = {
            "symbols": f"λ/(2m)·({names})" if len(weights) > 1 else f"λ/(2m)·{names}",
            "numbers": f"{l2['numbers'].text}/(2·{m})·({total['numbers'].text})",
            "python": f"{l2['python'].text}/(2*{m})*({total['python'].text})",
        }
    if "excel" in w.languages:
        ranges = ",".join(w.locate.whole(name) for name in weights)
        penalty["excel"] = f"l2_lambda/(2*{m})*SUMSQ({ranges})"
    return {language: _Text(f"{text.text} + {penalty[language]}", _SUM)
            for language, text in out.items()}


# -- a sum, term by term ---------------------------------------------------------------
@value_type
class SumTerm:
    """One term of an expanded sum.

    Attributes
    ----------
    cells : tuple of (str, int, int)
        The cells the term reads (the two factors of a product, the one cell of
        a Σ over samples, a bias).
    numbers : str
        The term with the numbers as the tables show them: ``0.891·0.026``.
    sign : int
        +1 when the formula adds the term, −1 when it subtracts it.
    value : float
        The term's value, before its sign.
    total : float
        The running total once the term is added (signed), every digit.
    """

    cells: tuple[Address, ...]
    numbers: str
    sign: int
    value: float
    total: float


@value_type
class SumExpansion:
    """A cell that is a sum, written as its running total term by term.

    The terms come in the formula's order (a dot product's k = 0, 1, …, then
    what the formula adds after it, such as a bias); the last ``total`` is
    the sum of the terms in that order, in double precision.
    """

    terms: tuple[SumTerm, ...]
    decimals: int | None = None

    def line(self, t: int) -> str:
        """Term t for people: ``0.891·0.026 = 0.023``, then ``+ 0.954·0.022 → 0.044``."""
        term = self.terms[t]
        total = shown_number(term.total, self.decimals)
        if t == 0:
            lead = f"{MINUS}" if term.sign < 0 else ""
            return f"{lead}{term.numbers} = {total}"
        operator = "+" if term.sign > 0 else MINUS
        numbers = f"({term.numbers})" if term.numbers.startswith(MINUS) else term.numbers
        return f"{operator} {numbers} → {total}"

    @property
    def lines(self) -> list[str]:
        return [self.line(t) for t in range(len(self.terms))]

    @property
    def total(self) -> float:
        return self.terms[-1].total if self.terms else 0.0


def _addends(expr: Expr, sign: int):
    """(sign, part) of each part a + or − at the top of ``expr`` joins (through a leading −)."""
    if isinstance(expr, Binary) and expr.op in "+-":
        yield from _addends(expr.left, sign)
        yield from _addends(expr.right, sign if expr.op == "+" else -sign)
    elif isinstance(expr, Unary) and expr.op == "neg":
        yield from _addends(expr.arg, -sign)
    else:
        yield sign, expr


def _is_sum(expr: Expr) -> bool:
    return (isinstance(expr, Binary) and expr.op == "@") or (
        isinstance(expr, Unary) and expr.op == "sum_rows")


def has_sum(expr: Expr) -> bool:
    """Whether a cell of ``expr`` is a sum a learner can expand (a dot product, a Σ over
    samples), read from the tree alone — no numbers needed."""
    return any(_is_sum(part) for _, part in _addends(expr, 1))


def expand_sum(expr: Expr, row: int, column: int, *, name_of: Callable[[str], str],
               value_of: Callable[[str, int, int], float],
               shape_of: Callable[[str], tuple[int, int]], settings: dict,
               decimals: int | None = None) -> SumExpansion | None:
    """Cell (row, column) of ``expr`` as a running total, or None when it is not a sum.

    Each term is written by the same cell writer as the cell's formula (so
    its numbers read as in the formula panel) and its cells are the
    precedents that writer records. Its value is the product of its cells'
    values (for a term outside the Σ, such as a bias or the L2 penalty, the
    arithmetic of its part of the tree); the running total adds them in the
    order written. Arguments as for ``cell_formula``.
    """
    addends = list(_addends(expr, 1))
    if not any(_is_sum(part) for _, part in addends):
        return None
    context = dict(name_of=name_of, value_of=value_of, shape_of=shape_of, settings=settings)
    terms: list[SumTerm] = []
    total = 0.0

    def add(sign: int, written: dict, writer: _CellWriter, value: float) -> None:
        nonlocal total
        total += sign * value
        terms.append(SumTerm(tuple(writer.precedents), written["numbers"].text, sign, value,
                             total))

    def writer() -> _CellWriter:
        return _CellWriter(("numbers",), name_of, value_of, shape_of, decimals, None, settings)

    for sign, part in addends:
        if isinstance(part, Binary) and part.op == "@":
            left_name, left_is_row = _vector(part.left, True)
            count = shape_of(left_name)[1 if left_is_row else 0]
            for k in range(count):
                w = writer()
                left, right = _cell(part.left, row, k, w), _cell(part.right, k, column, w)
                value = (_value(part.left, row, k, context)
                         * _value(part.right, k, column, context))
                add(sign, w.binary("*", left, right), w, value)
        elif _is_sum(part):  # Σ over the samples of one matrix
            for r in range(shape_of(part.arg.name)[0]):
                w = writer()
                add(sign, w.ref(part.arg.name, r, column), w,
                    _value(part.arg, r, column, context))
        else:
            w = writer()
            add(sign, _cell(part, row, column, w), w, _value(part, row, column, context))
    return SumExpansion(tuple(terms), decimals)


def _value(expr: Expr, i: int, j: int, context: dict) -> float:
    """Cell (i, j) of a part of a sum: cells, constants, settings and their arithmetic."""
    if isinstance(expr, Ref):
        if context["shape_of"](expr.name)[0] == 1:
            i = 0  # a vector (bias) is the same row for every sample
        return context["value_of"](expr.name, i, j)
    if isinstance(expr, Number):
        return float(expr.value)
    if isinstance(expr, Setting):
        return float(context["settings"][expr.key])
    if isinstance(expr, Unary) and expr.op == "neg":
        return -_value(expr.arg, i, j, context)
    if isinstance(expr, Unary) and expr.op == "T":
        return _value(expr.arg, j, i, context)
    if isinstance(expr, Binary) and expr.op in _ARITHMETIC:
        return _ARITHMETIC[expr.op](_value(expr.left, i, j, context),
                                    _value(expr.right, i, j, context))
    raise TypeError(f"a term of a sum is cells and their arithmetic, not {expr!r}")


_ARITHMETIC = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
               "/": lambda a, b: a / b}
