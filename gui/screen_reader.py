"""What a screen reader says of a cell, a neuron or an edge.

The tables' cells (their model's accessible roles), the node diagram (its
accessible name and description, which follow the selected neuron or edge)
and the formula panel speak through Qt's accessibility API. They all word a
cell the same way, here: its matrix as the card names it, its row and column
as the table labels them, and its number as the table writes it —

    ``d_output, sample 0, neuron 0: 0.026``

and, as its description, the matrices it was computed from (the engine's
precedents, as the cards name them) and its formula with the numbers:

    ``computed from E and slope_output_layer: d2[0,0] = 0.22·0.12 = 0.026``

Nothing here computes: the number text comes from ``engine.number_text`` (by
way of the table or the explanation) and the precedents from the engine's
``CellExplanation``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.explain import CellExplanation

__all__ = ["cell_name", "cell_description", "asked_description", "spoken_list", "NOT_COMPUTED"]

NOT_COMPUTED = "not computed yet"


def cell_name(matrix: str, row: str, column: str, number: str | None) -> str:
    """One cell in a line: ``d_output, sample 0, neuron 0: 0.026``.

    Parameters
    ----------
    matrix : str
        The matrix as its card names it (the learner name).
    row, column : str
        The table's labels of the cell's row and column (``sample 0``, ``neuron 0``).
    number : str or None
        The cell's number as the table writes it; None when it is not computed yet.
    """
    return f"{matrix}, {row}, {column}: {NOT_COMPUTED if number is None else number}"


def spoken_list(names: Iterable[str]) -> str:
    """``E and slope2``; ``X, W1 and b1``: names in the order given, each once."""
    unique = list(dict.fromkeys(names))
    if len(unique) <= 1:
        return "".join(unique)
    return f"{', '.join(unique[:-1])} and {unique[-1]}"


def cell_description(explanation: "CellExplanation | None",
                     learner: Callable[[str], str]) -> str:
    """Where a cell's number comes from, for a screen reader.

    Parameters
    ----------
    explanation : CellExplanation or None
        The engine's explanation of the cell (None: not computed at this step).
    learner : callable
        An engine name -> the name its card shows (``SessionController.learner``).

    Returns
    -------
    str
        ``computed from E and slope2: d2[0,0] = … = 0.026``, ``an input of this
        iteration`` (its number is in its name) or ``not computed yet at this step``.
    """
    if explanation is None:
        return f"{NOT_COMPUTED} at this step"
    sources = spoken_list(learner(name) for name, _, _ in explanation.precedents)
    if not sources:
        return "an input of this iteration"
    return f"computed from {sources}: {explanation.text}"


def asked_description(precedents: list[tuple[str, int, int]],
                      learner: Callable[[str], str]) -> str:
    """An exercise's asked cell: what to work it out from, never its formula or value.

    ``precedents`` are the question's (engine names, rows, columns); ``learner``
    as for ``cell_description``.
    """
    sources = spoken_list(learner(name) for name, _, _ in precedents)
    return (f"asked: work it out from {sources} and type it in the answer box above the "
            "formula")
