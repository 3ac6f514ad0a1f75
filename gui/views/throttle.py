"""Redraw a view at most ``REDRAW_HZ`` times a second, and only while it is visible.

The controller publishes up to 30 frames a second while training runs;
the teaching views mark themselves dirty on each and repaint from a timer,
so a hidden dock costs nothing. A redraw that takes long (a loss landscape
of the digits) spaces the next ones so that redrawing keeps to about
``REDRAW_SHARE`` of the time and training keeps the rest. ``ThrottledView``
is such a view's common start: its controller, its throttle, its redraw count.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

__all__ = ["RedrawThrottle", "ThrottledView", "REDRAW_HZ", "REDRAW_SHARE"]

REDRAW_HZ = 10
REDRAW_SHARE = 0.2


class RedrawThrottle(QObject):
    """Calls ``redraw()`` from a timer when marked dirty and ``visible()`` holds.

    Parameters
    ----------
    redraw : callable
    visible : callable returning bool
    parent : QObject
    """

    def __init__(self, redraw, visible, parent: QObject):
        super().__init__(parent)
        self.dirty = True
        self._redraw, self._visible = redraw, visible
        self._next = 0.0             # perf_counter time before which no redraw starts
        self.timer = QTimer(self)
        self.timer.setInterval(int(1000 / REDRAW_HZ))
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def mark(self, *_args) -> None:
        self.dirty = True

    def tick(self, force: bool = False) -> None:
        """Redraw if dirty and visible (and, unless ``force``, if the last one was not costly)."""
        start = time.perf_counter()
        if not (self.dirty and self._visible()) or (start < self._next and not force):
            return
        self.dirty = False
        self._redraw()
        spent = time.perf_counter() - start
        self._next = start + spent / REDRAW_SHARE


class ThrottledView(QWidget):
    """A teaching view that redraws through a ``RedrawThrottle`` from what it asks its model.

    The subclass defines ``redraw()``, which adds one to ``revision``. New
    values mark the view dirty; showing it redraws at once if it is.

    Parameters
    ----------
    controller : SessionController
        What the view listens to, and asks where the learner is.
    teaching : TeachingModel
        What the view asks for its data (curves, maps, landscapes).
    parent : QWidget, optional

    Attributes
    ----------
    revision : int
        Counts redraws (tests wait on it).
    """

    def __init__(self, controller, teaching, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller, self.teaching = controller, teaching
        self.revision = 0
        self.throttle = RedrawThrottle(self.redraw, self.isVisible, self)
        controller.valuesChanged.connect(self.throttle.mark)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        QTimer.singleShot(0, self.throttle.tick)
