"""The yardstick for size and start-up: a bare PySide6 + pyqtgraph window with one plot.

``packaging/measure.py`` bundles this script naively (PyInstaller's
defaults, nothing excluded, nothing stripped) and times it from source
against Backprop Tracer. It reports its first paint through the same probe
as the app (``gui.first_paint``), so both are timed the same way.
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402

from gui.first_paint import report_first_paint  # noqa: E402


def main() -> int:
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("Hello, pyqtgraph")
    plot = pg.PlotWidget()
    plot.plot(np.arange(100.0), np.sqrt(np.arange(100.0)))
    window.setCentralWidget(plot)
    window.resize(800, 600)
    report_first_paint(window)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
