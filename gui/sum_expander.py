"""Expand a sum: the selected cell's running total, one term at a time, under its formula.

For a cell that is a sum (z = Σ a·W + b, a gradient's Σ over samples) the
panel offers "Expand the sum"; each "Next term" adds one term to the running
total (``0.891·0.026 = 0.023``, ``+ 0.954·0.022 → 0.044``, …) and lights its
cells in every table, more strongly than the other precedents. The terms,
their numbers and their totals are the engine's (``controller.expand_sum``);
this widget only lays them out and says which cells to light.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from .session_controller import Selection

__all__ = ["SumExpander", "SHOWN_LINES"]

SHOWN_LINES = 40  # the latest terms listed; earlier ones are counted, not written


class SumExpander(QFrame):
    """"Expand the sum" under the selected cell's formula, and its terms.

    Parameters
    ----------
    controller : SessionController
        Gives the expansion (``expand_sum``, ``is_sum``) and lights a term's
        cells (``light_term``); its ``selectionChanged`` starts over.
    """

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.expand_button = QPushButton("Expand the sum")
        self.expand_button.setObjectName("expandSumButton")
        self.next_button = QPushButton("Next term")
        self.next_button.setObjectName("nextTermButton")
        self.next_button.setToolTip("Add the next term to the running total (Ctrl+T)")
        self.expand_button.setToolTip("Add the sum's terms one at a time, each term's cells lit "
                                      "(Ctrl+T)")
        self.all_button = QPushButton("All terms")
        self.all_button.setToolTip("Add every term at once")
        self.terms_label = QLabel()
        self.terms_label.setObjectName("sumTerms")
        self.terms_label.setWordWrap(True)
        self.terms_label.setTextFormat(Qt.TextFormat.RichText)
        self.terms_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.expand_button, self.next_button, self.all_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.terms_label)
        self.expand_button.clicked.connect(self.expand)
        self.next_button.clicked.connect(self.next_term)
        self.all_button.clicked.connect(self.all_terms)
        controller.selectionChanged.connect(self.set_selection)
        self._selection: Selection | None = None
        self._expansion = None
        self.added = 0  # terms added to the running total so far
        self._show()

    # -- what the learner does ----------------------------------------------------------
    def set_selection(self, selection: Selection | None) -> None:
        """Another cell (or new numbers for it): collapse, offering to expand a sum."""
        self._selection = selection
        self._expansion = None
        self.added = 0
        self._light(None)
        self._show()

    @property
    def offered(self) -> bool:
        """Whether the selected cell is a shown sum (so "Expand the sum" is offered)."""
        selection = self._selection
        return (selection is not None and selection.explanation is not None
                and self.controller.is_sum(selection.name))

    def expand(self) -> None:
        """Start the running total with the first term."""
        if not self.offered:
            return
        selection = self._selection
        self._expansion = self.controller.expand_sum(selection.name, selection.row,
                                                     selection.column)
        self.added = 0
        if self._expansion is not None:
            self.next_term()
        self._show()

    def next_term(self) -> None:
        """Add the next term and light its cells (the first: expand the sum)."""
        expansion = self._expansion
        if expansion is None:
            self.expand()
            return
        if self.added >= len(expansion.terms):
            return
        self.added += 1
        self._light(expansion.terms[self.added - 1].cells)
        self._show()

    def all_terms(self) -> None:
        """Add every term left; no term is lit then (the whole sum is done)."""
        if self._expansion is None:
            return
        self.added = len(self._expansion.terms)
        self._light(None)
        self._show()

    @property
    def lines(self) -> list[str]:
        """The running total's lines added so far (plain text)."""
        if self._expansion is None:
            return []
        return self._expansion.lines[:self.added]

    # -- showing ----------------------------------------------------------------------
    def _light(self, cells) -> None:
        self.controller.light_term(list(cells or ()))

    def _show(self) -> None:
        expansion = self._expansion
        self.setVisible(self.offered)
        self.expand_button.setVisible(expansion is None)
        more = expansion is not None and self.added < len(expansion.terms)
        self.next_button.setVisible(more)
        self.all_button.setVisible(more)
        if expansion is None:
            self.terms_label.setText("")
            return
        lines = self.lines
        earlier = max(0, len(lines) - SHOWN_LINES)
        texts = [escape(line) for line in lines[earlier:]]
        if earlier:
            texts.insert(0, f"… {earlier} earlier terms")
        count = len(expansion.terms)
        if self.added == count:
            selection = self._selection
            result = selection.explanation.result if selection.explanation else ""
            texts.append(f"<b>all {count} terms added: {escape(result)}</b>, the cell's value")
        else:
            texts.append(f"<i>term {self.added} of {count}; its cells are lit</i>")
        self.terms_label.setText("<br>".join(texts))
