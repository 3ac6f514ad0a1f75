"""A dock whose view is built the first time it is seen.

The teaching views hold pyqtgraph plots that cost more to build than the
rest of the window, and they start hidden: ``ViewDock`` exists from the
start (so View ▸ Teaching views, tabbing and a saved window state, which
finds docks by object name, all work) and holds an empty widget until it
first becomes visible or someone asks for its ``widget()``. Every view
reads the controller's current state when it is built, so a late view
shows what an early one would.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QScrollArea, QWidget

__all__ = ["ViewDock", "VIEW_LINES"]

# A scrolled view is never squeezed below this many lines of its text: in a
# short dock it scrolls, and its plot keeps a height one can read a map in.
VIEW_LINES = 16


class ViewDock(QDockWidget):
    """A QDockWidget that calls ``build()`` for its widget on first need.

    Parameters
    ----------
    title : str
        The dock's title, also its entry in the View menu.
    name : str
        Object name, the key of the dock in a saved window state.
    build : callable returning QWidget
        Builds the view; called at most once.
    parent : QWidget
        The main window.
    scrolled : bool
        Hold the view in a scroll area: a dock shorter or narrower than the view
        needs (a short screen, larger text) scrolls it, rather than cutting its
        text or making the window larger than the screen.
    """

    def __init__(self, title: str, name: str, build: Callable[[], QWidget], parent: QWidget,
                 scrolled: bool = False):
        super().__init__(title, parent)
        self.setObjectName(name)
        self._build: Callable[[], QWidget] | None = build
        self._view: QWidget | None = None
        self._scrolled = scrolled
        self._scroll: QScrollArea | None = None   # made with the view (a dozen wait hidden)
        super().setWidget(QWidget())  # an empty area until the view is built
        self.visibilityChanged.connect(self._visibility_changed)

    @property
    def built(self) -> bool:
        return self._build is None

    def widget(self) -> QWidget:
        """The view, built now if it was not yet; also while presenter mode has
        borrowed it (gui/presenter.py), when the dock itself holds nothing."""
        if self._build is not None:
            build, self._build = self._build, None
            empty = super().widget()
            self._view = build()
            self.give_back(self._view)
            empty.deleteLater()
        return self._view

    def lend(self) -> QWidget:
        """The view, taken out of the dock (presenter mode shows it full screen)."""
        view = self.widget()
        if self._scroll is not None and self._scroll.widget() is view:
            self._scroll.takeWidget()
        return view

    def give_back(self, view: QWidget) -> None:
        """Put the view (back) in the dock."""
        if not self._scrolled:
            super().setWidget(view)
            return
        if self._scroll is None:
            self._scroll = QScrollArea()
            self._scroll.setWidgetResizable(True)
            self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        if self._scroll.widget() is None:
            for label in view.findChildren(QLabel):
                if label.wordWrap() and label.findChild(_WrappedHeight) is None:
                    label.installEventFilter(_WrappedHeight(label))
        self._scroll.setWidget(view)
        self._keep_height(view)
        if super().widget() is not self._scroll:
            super().setWidget(self._scroll)
        view.show()

    def setVisible(self, visible: bool) -> None:  # noqa: N802 - Qt's name
        # Built before it shows, so the window sizes the dock area for the real view.
        if visible:
            self.widget()
        super().setVisible(visible)

    def _keep_height(self, view: QWidget) -> None:
        view.setMinimumHeight(VIEW_LINES * QFontMetrics(view.font()).height())

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self._scroll is not None \
                and self._scroll.widget() is not None:
            self._keep_height(self._scroll.widget())  # larger text: more lines' height

    def _visibility_changed(self, visible: bool) -> None:
        if visible:
            self.widget()


class _WrappedHeight(QObject):
    """Keeps a word-wrapped label of a scrolled view as tall as its lines at its width.

    A box layout squeezes a wrapped label below its lines when the column is
    short (a label's minimum is one line); in a scrolled dock the view may
    instead grow taller than the dock and scroll, so the label's minimum
    height follows its width and text (checked as it is resized or painted)."""

    def __init__(self, label: QLabel):
        super().__init__(label)
        # QLabel.heightForWidth never answers less than the label's minimum height, so
        # asking the label itself would keep the height it needed when it was narrow.
        self._measure = QLabel()
        self._measure.setWordWrap(True)
        self._asked: tuple | None = None   # (text, font, width) last measured

    def eventFilter(self, label, event) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Paint, QEvent.Type.FontChange):
            asked = (label.text(), label.font().key(), label.width())
            if asked != self._asked:
                self._asked = asked
                need = self._height(label) if label.text() else 0
                if need != label.minimumHeight():
                    label.setMinimumHeight(max(0, need))
        return False

    def _height(self, label: QLabel) -> int:
        """The height ``label``'s text wraps to at its width (px)."""
        measure = self._measure
        measure.setFont(label.font())
        measure.setTextFormat(label.textFormat())
        measure.setText(label.text())
        margins = label.contentsMargins()
        measure.setContentsMargins(margins)
        measure.setMargin(label.margin())
        measure.setIndent(label.indent())
        return measure.heightForWidth(max(1, label.width()))
