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

from PySide6.QtWidgets import QDockWidget, QWidget

__all__ = ["ViewDock"]


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
    """

    def __init__(self, title: str, name: str, build: Callable[[], QWidget], parent: QWidget):
        super().__init__(title, parent)
        self.setObjectName(name)
        self._build: Callable[[], QWidget] | None = build
        self._view: QWidget | None = None
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
            super().setWidget(self._view)
            empty.deleteLater()
        return self._view

    def setVisible(self, visible: bool) -> None:  # noqa: N802 - Qt's name
        # Built before it shows, so the window sizes the dock area for the real view.
        if visible:
            self.widget()
        super().setVisible(visible)

    def _visibility_changed(self, visible: bool) -> None:
        if visible:
            self.widget()
