"""PySide6 baselines: a bare window with one plot, and a minimal NumPy table model.

Also the one way both start-up measures (the benchmarks and the bundle
measure) time a window to its first paint.
"""
from __future__ import annotations

import subprocess
import time

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

__all__ = ["BARE_WINDOW_SCRIPT", "NumpyTableModel", "PAINTED", "seconds_to_first_paint"]

PAINTED = "first paint"  # the line both start-up measures print when their window is painted
START_UP_TIMEOUT_S = 120


def seconds_to_first_paint(command: list[str], env: dict, cwd) -> float:
    """Launch ``command`` in ``cwd``; seconds until it prints the ``PAINTED`` line.

    Raises RuntimeError when the program ends without printing it.
    """
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        for line in process.stdout:
            if line.strip() == PAINTED:
                seconds = time.perf_counter() - start
                break
        else:
            raise RuntimeError(f"{' '.join(command[:2])} exited without painting a window")
        process.wait(timeout=START_UP_TIMEOUT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return seconds

# Run with ``python -c``: the same interpreter and environment as ``main.py``.
BARE_WINDOW_SCRIPT = f"""
import os, sys
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
import pyqtgraph as pg

app = QApplication(sys.argv[:1])
window = QMainWindow()
plot = pg.PlotWidget()
plot.plot([0.0, 1.0, 2.0], [1.0, 0.5, 0.25])
window.setCentralWidget(plot)


class FirstPaint(QObject):
    # The first paint of any widget in the window: one singleShot later the
    # whole backing store has been painted. (The app hooks its main window's
    # own first paint, which opens its first paint pass; a bare QMainWindow
    # covered by its plot gets no paint of its own, so it is watched here.)
    def eventFilter(self, watched, event):
        if (event.type() == QEvent.Type.Paint and watched.isWidgetType()
                and watched.window() is window):
            app.removeEventFilter(self)
            QTimer.singleShot(0, self.done)
        return False

    def done(self):
        print({PAINTED!r}, flush=True)
        app.quit()


painted = FirstPaint()
app.installEventFilter(painted)
window.resize(1280, 800)
window.show()
sys.exit(app.exec())
"""


class NumpyTableModel(QAbstractTableModel):
    """The least a QTableView needs to show a 2-D array with 3 decimals."""

    def __init__(self, array: np.ndarray):
        super().__init__()
        self.array = array

    def rowCount(self, parent=QModelIndex()):  # noqa: N802
        return self.array.shape[0]

    def columnCount(self, parent=QModelIndex()):  # noqa: N802
        return self.array.shape[1]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{self.array[index.row(), index.column()]:.3f}"
        return None
