"""Widgets and layouts that several panels, dialogs and views make alike.

``problem_label`` is the red line that says what is wrong (a refused
setting, a file that cannot be read, a run that diverged), readable in
every theme; ``view_column`` stacks a view's controls above the one part
(a plot, a table, pages) that takes the height left over.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QVBoxLayout, QWidget

from .theme import theme_of

__all__ = ["problem_label", "view_column", "view_message", "choice_bar", "ProblemLabel", "WrappedLabel"]

VIEW_MARGIN = 4          # pixels around a view's column, inside its dock


class ProblemLabel(QLabel):
    """A word-wrapping label that writes a problem in red (or a warning in amber,
    ``set_warning``) in the colours of the theme its palette belongs to, so it
    keeps AA contrast when the theme changes (gui/theme.py)."""

    def __init__(self, object_name: str, bold: bool):
        super().__init__("")
        self._warning = False
        self.setObjectName(object_name)
        self.setWordWrap(True)
        if bold:
            # Scoped to the label: a style sheet on a parent would drop the zoomed font.
            self.setStyleSheet(f"QLabel#{object_name} {{ font-weight: bold; }}")
        self._colour()

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._colour()

    def set_warning(self, warning: bool) -> None:
        """Amber for what looks unstable or stalled (True), red for what is wrong."""
        self._warning = warning
        self._colour()

    def _colour(self) -> None:
        palette = self.palette()
        theme = theme_of(palette)
        ink = QColor(theme.warning if self._warning else theme.problem)
        if palette.color(QPalette.ColorRole.WindowText) != ink:  # (setPalette: another change)
            palette.setColor(QPalette.ColorRole.WindowText, ink)
            self.setPalette(palette)


class WrappedLabel(QLabel):
    """A word-wrapping label that remembers its height at each width it was asked.

    Qt lays a wrapped label's text out afresh for every height-for-width
    question, and a window settling its docks asks the same few widths again
    and again: at start-up each formula label was asked 17 times at 3 widths,
    and the lesson's long note alone took about 7 ms of laying out. The
    heights are kept for as long as what they depend on (text, font, format,
    margins) stays the same.
    """

    MAX_WIDTHS = 16   # heights kept; a window dragged wider asks new widths

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)
        self._measured_for: tuple | None = None
        self._heights: dict[int, int] = {}

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        margins = self.contentsMargins()
        layout = (self.text(), self.font().key(), self.textFormat(), self.wordWrap(),
                  self.margin(), self.indent(), self.frameWidth(), margins.left(),
                  margins.top(), margins.right(), margins.bottom())
        if layout != self._measured_for or len(self._heights) >= self.MAX_WIDTHS:
            self._measured_for = layout
            self._heights = {}
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = super().heightForWidth(width)
        return height


def problem_label(object_name: str, bold: bool = True) -> ProblemLabel:
    """An empty, word-wrapping label that writes a problem in red (``ProblemLabel``)."""
    return ProblemLabel(object_name, bold)


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


def view_message(name: str) -> QLabel:
    """The page a view shows instead of its plot or table when the lesson has nothing
    for it (no plane, no class labels, a diverged network): centred, wrapped, set apart."""
    message = QLabel("")
    message.setObjectName(name)
    message.setWordWrap(True)
    message.setAlignment(Qt.AlignmentFlag.AlignCenter)
    message.setMargin(24)
    return message


def choice_bar(words: str, choice: QWidget) -> QHBoxLayout:
    """A view's one choice, named by ``words`` before it ("colour by", "count the")."""
    bar = QHBoxLayout()
    bar.addWidget(QLabel(words))
    bar.addWidget(choice, 1)
    return bar
