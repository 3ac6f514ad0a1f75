"""Long engine work in short slices on a timer, so the window never waits.

A race of three learning rates on the digits, or a gradient check of its
1 885 weights, takes seconds. ``TimeBoxed`` calls an engine ``advance(n)``
once per timer tick with an ``n`` (epochs, weights: whatever the unit of
work is) sized as Run sizes its ticks (``gui.run_clock.next_batch``: about
``TICK_BUDGET_S``); between ticks the event loop repaints and answers
clicks (Stop among them).
"""
from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from ..run_clock import next_batch

__all__ = ["TimeBoxed"]


class TimeBoxed(QObject):
    """Runs ``advance(units)`` until ``done()`` is true.

    Signals
    -------
    progressed()
        After every tick that did some work.
    finished(bool)
        True when the work completed, False when it was stopped.
    """

    progressed = Signal()
    finished = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        self._advance: Callable[[int], object] | None = None
        self._done: Callable[[], bool] | None = None
        self._units = 1

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self, advance: Callable[[int], object], done: Callable[[], bool]) -> None:
        """Begin (or replace) the work; the first tick runs a single unit to measure it."""
        self._timer.stop()
        self._advance, self._done, self._units = advance, done, 1
        self._timer.start()

    def stop(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.finished.emit(False)

    def _tick(self) -> None:
        if self._done():
            self._timer.stop()
            self.finished.emit(True)
            return
        start = time.perf_counter()
        self._advance(self._units)
        spent = time.perf_counter() - start
        self._units = next_batch(self._units, spent, self._units)
        self.progressed.emit()
        if self._done():
            self._timer.stop()
            self.finished.emit(True)
