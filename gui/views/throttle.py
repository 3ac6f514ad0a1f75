"""Redraw a view at most ``REDRAW_HZ`` times a second, and only while it is visible.

The controller publishes up to 30 frames a second while training runs;
the teaching views mark themselves dirty on each and repaint from a timer,
so a hidden dock costs nothing and a visible one at most ten redraws a second.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

__all__ = ["RedrawThrottle", "REDRAW_HZ"]

REDRAW_HZ = 10


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
        self.timer = QTimer(self)
        self.timer.setInterval(int(1000 / REDRAW_HZ))
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def mark(self, *_args) -> None:
        self.dirty = True

    def tick(self) -> None:
        if self.dirty and self._visible():
            self.dirty = False
            self._redraw()
