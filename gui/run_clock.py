"""The run clock: training in time-boxed ticks, repaints at a measured frame rate.

``RunClock`` is what Run means in the window. A ``QTimer`` ticks as often as
the event loop allows; each tick either trains a batch of epochs sized to
take about ``TICK_BUDGET_S`` or, when a frame is due, asks for a repaint
and trains nothing. A tick that finds the event loop has just been busy with
other work (a repaint, another widget's timer) trains nothing either: it
yields once, so that the timers and input waiting behind that work run
before the next batch rather than after it. The number of epochs per tick
adapts to their measured cost, so a tiny network and the 1797-sample digits
both keep the window responsive. Repaints are spaced to at most
``FRAME_RATE`` a second, the first one frame interval after Run starts; when
one repaint is costly (many tables on a slow machine) they are spaced
further, down to ``MIN_FRAME_RATE``, so that training keeps about
``TRAINING_SHARE`` of the time.

The clock knows nothing of sessions: it is given a ``train(epochs)``
function (which trains at most that many epochs and says how many it did)
and a ``finished()`` test, and it signals when a frame is due and when the
run has finished. The controller owns one and wires it to its session.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

__all__ = ["RunClock", "next_batch", "TICK_BUDGET_S", "FRAME_RATE", "MIN_FRAME_RATE",
           "TRAINING_SHARE", "MAX_UNITS_PER_TICK"]

TICK_BUDGET_S = 0.004        # training per tick: with the 10 ms the loop may wait for it, a
                             # tick and a frame (publish and repaint) stay under 33 ms
FRAME_RATE = 30.0            # repaints per second while running, at most
MIN_FRAME_RATE = 3.0         # ... and at least, however costly a repaint is
TRAINING_SHARE = 0.95        # while running, the share of time training should get
MAX_UNITS_PER_TICK = 1 << 20
FAST_SPEED = 200.0           # epochs per second above which ticks need no pause between them
BUSY_S = 0.002               # other work between two ticks longer than this: the next one yields


def next_batch(done: int, spent: float, batch: int) -> int:
    """How many units (epochs, weights) the next tick should do.

    Aimed at ``TICK_BUDGET_S`` from the ``spent`` seconds the last tick took
    for ``done`` units, but at most twice the last ``batch``, so one slow unit
    (a checkpoint, a cache miss) cannot make a tick long; between 1 and
    ``MAX_UNITS_PER_TICK``.
    """
    ideal = TICK_BUDGET_S * done / max(spent, 1e-6)
    return int(min(MAX_UNITS_PER_TICK, max(1, min(ideal, 2 * batch))))


class RunClock(QObject):
    """Trains in time-boxed ticks and says when a frame should be painted.

    Parameters
    ----------
    train : callable(int) -> int
        Trains at most the given number of epochs; returns how many it
        trained (0 when there was nothing left to train).
    finished : callable() -> bool
        Whether the run should stop (target reached, tolerance, divergence).
    parent : QObject, optional

    Signals
    -------
    frameDue()
        Training went on since the last frame and a frame is due: publish
        now, and call ``published`` (the repaint that follows is measured).
    runFinished()
        ``finished()`` became true after a tick; the clock keeps ticking
        until ``stop`` is called, so the owner decides what stopping means.
    """

    frameDue = Signal()
    runFinished = Signal()

    def __init__(self, train: Callable[[int], int], finished: Callable[[], bool],
                 parent: QObject | None = None):
        super().__init__(parent)
        self._train, self._finished = train, finished
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        self._speed = 0.0            # epochs per second; 0 means as fast as possible
        self._epochs_per_tick = 1
        self._owed = 0.0             # fractional epochs owed at a set speed
        self._last_tick = 0.0
        self._tick_end = 0.0         # when the last tick returned to the event loop
        self._yielded = False        # the last tick yielded to other work
        self._last_frame = 0.0
        self._frame_interval = 1.0 / FRAME_RATE
        self._window_start = 0.0     # the current measuring window of the training share
        self._window_training = 0.0
        self._window_frames = 0
        self._frame_cost = 0.03      # smoothed seconds of repaint per frame (a first guess)
        self._dirty = False          # trained since the last publication

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    @property
    def speed(self) -> float:
        """Epochs per second; 0 means as fast as possible."""
        return self._speed

    def set_speed(self, epochs_per_second: float) -> None:
        """Training speed; 0 (or less) means as fast as possible."""
        self._speed = max(0.0, float(epochs_per_second))
        self._owed = 0.0
        # A slow speed trains an epoch every few ticks: no need to spin between them.
        fast = self._speed == 0 or self._speed > FAST_SPEED
        self._timer.setInterval(0 if fast else 5)

    def start(self) -> None:
        """Begin ticking, with a fresh measuring window (no-op when running)."""
        if self.running:
            return
        self._owed = 0.0
        self._last_tick = self._tick_end = self._window_start = time.perf_counter()
        self._window_training, self._window_frames = 0.0, 0
        # The first frame waits one frame interval: the window's own repaint for
        # Run (its buttons, its status) comes first, on its own.
        self._last_frame = self._tick_end
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def published(self) -> None:
        """Everything trained so far has been sent to the widgets: no frame is owed."""
        self._dirty = False

    def _tick(self) -> None:
        """Yield once after other work, else repaint if a frame is due, else train one
        time-boxed batch of epochs."""
        now = time.perf_counter()
        try:
            self._work(now)
        finally:
            self._tick_end = time.perf_counter()

    def _work(self, now: float) -> None:
        # Qt fires every due timer in one pass, oldest deadline first, and this timer
        # of interval 0 is always the oldest: after a repaint it would train again
        # before any other due timer or input could run. Doing nothing this once lets
        # them in, so the loop's longest stall is one piece of work, never two.
        # Never twice in a row: a slow speed's timer that wakes late keeps training.
        busy = now - self._tick_end - self._timer.interval() / 1000
        if busy > BUSY_S and not self._yielded:
            self._yielded = True
            return
        self._yielded = False
        if self._dirty and now - self._last_frame >= self._frame_interval:
            # A frame's tick trains nothing: publishing, then the repaint it causes
            # in the same pass of the event loop, already fill a slice of it, and
            # training on top would stall the loop (the heartbeat measure sees it).
            self._last_frame = now
            self._window_frames += 1
            self.frameDue.emit()
            self._adapt_frame_rate(now)
            return
        if self._speed > 0:
            self._owed = min(self._owed + (now - self._last_tick) * self._speed,
                             self._speed * 0.25 + 1)
            epochs = int(self._owed)
            self._owed -= epochs
            epochs = min(epochs, self._epochs_per_tick)
        else:
            epochs = self._epochs_per_tick
        self._last_tick = now
        if epochs > 0:
            start = time.perf_counter()
            done = self._train(epochs)
            spent = time.perf_counter() - start
            if done > 0:
                self._window_training += spent
                self._epochs_per_tick = next_batch(done, spent, self._epochs_per_tick)
                self._dirty = True
        if self._finished():
            self.runFinished.emit()
            return
        self._adapt_frame_rate(now)

    def _adapt_frame_rate(self, now: float) -> None:
        """Every half second, space frames so that training keeps its share of time.

        Whatever is not training (repaints, mostly) is charged to the frames
        drawn in the window; the next frames are spaced so that they cost at
        most 1 − TRAINING_SHARE of the time, between MIN_FRAME_RATE and FRAME_RATE.
        """
        elapsed = now - self._window_start
        if elapsed < 0.5 or self._window_frames == 0:
            return
        measured = max(0.0, elapsed - self._window_training) / self._window_frames
        # A frame is painted after it is published, sometimes in the next window:
        # smooth the estimate so one cheap-looking window cannot cause a burst.
        self._frame_cost = 0.7 * self._frame_cost + 0.3 * measured
        interval = self._frame_cost / (1.0 - TRAINING_SHARE)
        self._frame_interval = min(1.0 / MIN_FRAME_RATE, max(1.0 / FRAME_RATE, interval))
        self._window_start, self._window_training, self._window_frames = now, 0.0, 0
