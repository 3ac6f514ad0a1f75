"""Widgets and layouts that several panels, dialogs and views make alike.

``problem_label`` is the red line that says what is wrong (a refused
setting, a file that cannot be read, a run that diverged); ``view_column``
stacks a view's controls above the one part (a plot, a table, pages) that
takes the height left over.
"""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLayout, QVBoxLayout, QWidget

__all__ = ["problem_label", "view_column", "PROBLEM_RED"]

PROBLEM_RED = "#C0392B"
VIEW_MARGIN = 4          # pixels around a view's column, inside its dock


def problem_label(object_name: str, colour: str = PROBLEM_RED, bold: bool = True) -> QLabel:
    """An empty, word-wrapping label that writes a problem in ``colour``.

    The style sheet is scoped to ``object_name`` so that it reaches no other
    widget (a style sheet on a parent would drop the zoomed font).
    """
    label = QLabel("")
    label.setObjectName(object_name)
    label.setWordWrap(True)
    weight = " font-weight: bold;" if bold else ""
    label.setStyleSheet(f"QLabel#{object_name} {{ color: {colour};{weight} }}")
    return label


def view_column(owner: QWidget, parts: list, fill) -> QVBoxLayout:
    """Lay ``parts`` (widgets or layouts) top to bottom over ``owner``.

    ``fill``, one of ``parts``, takes the height the others leave; the column
    keeps the teaching views' small margin.
    """
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(VIEW_MARGIN, VIEW_MARGIN, VIEW_MARGIN, VIEW_MARGIN)
    for part in parts:
        stretch = 1 if part is fill else 0
        if isinstance(part, QLayout):
            layout.addLayout(part, stretch)
        else:
            layout.addWidget(part, stretch)
    return layout
