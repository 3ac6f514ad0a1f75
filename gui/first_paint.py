"""A start-up probe: print when a window is first painted, then quit.

Set ``BACKPROP_TRACER_PAINT_MARKER=1`` and the application prints
``first-paint <seconds since the epoch>`` once the window's first frame has
been painted, and quits. ``packaging/measure.py`` compares that moment
with the moment it launched the process, for the app from source, from the
bundle and for a bare PySide6 + pyqtgraph window. Without the variable
nothing is installed and nothing changes.
"""
from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["PAINT_MARKER", "report_first_paint"]

PAINT_MARKER = "BACKPROP_TRACER_PAINT_MARKER"


class _FirstPaint(QObject):
    """Event filter on one window: waits for its first Paint event."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self._seen = False

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if not self._seen and event.type() == QEvent.Type.Paint:
            self._seen = True
            # The window's children are painted in the same pass, after this
            # event: report once the event loop is back, with the frame complete.
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        sys.stdout.write(f"first-paint {time.time():.6f}\n")
        sys.stdout.flush()
        QApplication.quit()


def report_first_paint(window: QWidget) -> bool:
    """Install the probe on ``window`` when the marker variable is set; True if installed."""
    if not os.environ.get(PAINT_MARKER):
        return False
    window.installEventFilter(_FirstPaint(window))
    return True
