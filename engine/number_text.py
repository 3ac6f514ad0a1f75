"""How a number is written for people: one rule for every reader.

Tables, the diagram, the formula panel, tooltips and the workbook's number
formats all show a value through ``shown_number`` so that a formula's last
number is exactly the text of the cell it explains (DESIGN.md section 3):

* the fixed format with ``decimals`` places (3 by default) where that keeps
  at least two significant digits — ``0.026``, ``1.690``, ``−0.170``;
* scientific with two significant digits where it would not — ``4.5e−4``
  rather than ``0.000`` — and for magnitudes of 10⁴ and more (``1.235e4``),
  which would otherwise widen every column of a table;
* zero (either sign) as ``0.000``, never ``−0.000``;
* the minus sign as U+2212 (``−``), the typographic minus, everywhere.

``shown_briefly`` drops a fixed form's trailing zeros, for numbers in a sentence.

``python_number`` writes the same value for arithmetic Python can read back.
"""
from __future__ import annotations

import math

__all__ = ["shown_number", "shown_briefly", "shown_change", "python_number", "shows_as_fixed",
           "MINUS", "LARGE"]

MINUS = "\u2212"
LARGE = 1e4  # from here on the fixed format would widen every table column


def shows_as_fixed(x: float, decimals: int) -> bool:
    """Whether ``x`` is written with ``decimals`` fixed places (else scientific).

    True for whole numbers (exact) and for every x whose fixed form keeps two
    significant digits.
    """
    x = abs(float(x))
    if not math.isfinite(x) or x >= LARGE:
        return False
    if x == int(x):
        return True  # a whole number (0 among them) is exact in the fixed form
    # two significant digits survive when the rounded value is at least 10^(1 − decimals)
    return round(x, decimals) >= 10.0 ** (1 - decimals) - 10.0 ** (-decimals - 6)


def shown_number(x: float, decimals: int | None = 3) -> str:
    """``x`` as a table, the diagram and the formula panel show it.

    Parameters
    ----------
    x : float
    decimals : int or None
        Fixed places; None writes every digit (``repr``), as exports do.
    """
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else f"{MINUS}inf"
    if x == 0.0:
        x = 0.0  # drops the sign of −0.0
    if decimals is None:
        text = repr(x)
    elif shows_as_fixed(x, decimals):
        text = f"{x:.{decimals}f}"
    else:  # the small with two significant digits (more as decimals grow), the large in full
        places = max(1, decimals - 2) if abs(x) < 1 else max(1, decimals)
        mantissa, exponent = f"{x:.{places}e}".split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", MINUS)


def shown_briefly(x: float, decimals: int = 3) -> str:
    """``shown_number`` for a number inside a sentence: a fixed form's trailing
    zeros dropped (``50``, ``4.5``, ``0.444``), a scientific form as it is."""
    text = shown_number(x, decimals)
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return text


def shown_change(old: float, new: float, decimals: int | None = 3) -> str | None:
    """``Δ +6.2e−5`` when an update is too small to see at ``decimals`` places.

    None when the change shows in the two values' texts (or there is none).
    """
    change = float(new) - float(old)
    if change == 0.0 or decimals is None or not math.isfinite(change):
        return None
    if shown_number(old, decimals) != shown_number(new, decimals):
        return None
    text = f"{abs(change):.1e}"
    mantissa, exponent = text.split("e")
    sign = "+" if change > 0 else MINUS
    return f"Δ {sign}{mantissa}e{int(exponent)}".replace("e-", f"e{MINUS}")


def python_number(x: float) -> str:
    """``x`` as Python reads it back exactly (``repr``), negatives in parentheses."""
    x = float(x)
    if math.isnan(x):
        text = "nan"
    elif math.isinf(x):
        text = "inf" if x > 0 else "-inf"
    elif x == int(x) and abs(x) < 1e15:
        text = str(int(x))
    else:
        text = repr(x)
    return f"({text})" if text.startswith("-") else text
