"""Help ▸ Getting started: the four moves a first-time learner needs, in order.

The tour names the window's own actions and docks — their titles and
their shortcuts as the actions carry them — so it cannot tell a key or a
menu that the window does not have.
"""
from __future__ import annotations

from html import escape

from PySide6.QtGui import QAction, QKeySequence

__all__ = ["tour_html"]


def _keys(action: QAction) -> str:
    """The action's shortcuts as the platform writes them: ``Space or Right``."""
    keys = [key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts()]
    return " or ".join(f"<b>{escape(key)}</b>" for key in keys if key)


def tour_html(step: QAction, run: QAction, teaching_views: list[str]) -> str:
    """The tour as rich text for a message box.

    Parameters
    ----------
    step, run : QAction
        The window's Step and Run actions (their shortcuts are quoted).
    teaching_views : list of str
        The teaching views' dock titles, as View ▸ Teaching views lists them.
    """
    views = ", ".join(escape(title) for title in teaching_views)
    return (
        "<p>One training iteration, matrix by matrix, then many of them.</p><ol>"
        f"<li><p><b>Step</b> ({_keys(step)}): computes the next matrix of the iteration. "
        "The yellow cell is the one just computed, the orange cells are what it was "
        "computed from. <b>Back</b> undoes a step.</p></li>"
        "<li><p><b>Click a cell</b> (or a neuron or an edge of the network): the Formula "
        "panel shows how its number was computed, with the numbers put in. Double-click a "
        "cell of X, y, a weight or a bias to change it.</p></li>"
        f"<li><p><b>Run</b> ({_keys(run)}): trains epoch after epoch while the loss plot "
        "grows; the epoch slider goes back to any epoch. If the run diverges or stops "
        "learning, the red line says why and what to change.</p></li>"
        f"<li><p><b>The teaching views</b> (View ▸ Teaching views): {views}. Each opens as "
        "a panel beside the tables and follows the step shown.</p></li></ol>"
        "<p>Every command is in the menus (<b>Alt</b> opens them) and in Help ▸ Keyboard "
        "shortcuts; Help ▸ Glossary gives each quantity's names.</p>")
