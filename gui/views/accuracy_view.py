"""Accuracy: the share of rows the network classifies right, on the training
rows and on the held-out rows, at every epoch the window has shown.

The points are the controller's ``MetricTrail`` (``gui/metric_trail.py``),
the engine's ``engine.metrics`` at each shown epoch; this view only draws
them — training solid blue, held-out dashed green, as the loss plot draws
its two curves, with the same key under the plot — and writes the shown
epoch's figures in a line. A lesson whose targets are not class labels (a
regression such as the plane) has no accuracy: the view says so instead.
"""
from __future__ import annotations

import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import (QLabel, QSizePolicy, QStackedWidget, QVBoxLayout,  # noqa: E402
                               QWidget)

from engine.number_text import shown_number  # noqa: E402

from ..parts import view_column  # noqa: E402
from ..plots import TEST_COLOUR, TRAINING_COLOUR, FittedPlot, curve_key  # noqa: E402
from .throttle import ThrottledView  # noqa: E402

__all__ = ["AccuracyView", "percent", "NOT_CLASSES"]

NOT_CLASSES = ("This lesson's targets are numbers, not class labels (a regression), so "
               "there is no accuracy to count: judge it by its loss, on the loss plot.")

_KEY = [("training rows", TRAINING_COLOUR, False), ("held-out rows (test)", TEST_COLOUR, True)]


def percent(fraction: float) -> str:
    """A fraction as the view writes it: ``93.8 %`` (one decimal), ``—`` when not a number."""
    if not np.isfinite(fraction):
        return "—"
    return f"{shown_number(100.0 * fraction, 1)} %"


class AccuracyView(ThrottledView):
    """Accuracy per shown epoch: training rows and, if any, held-out rows."""

    def __init__(self, controller, teaching, parent=None):
        super().__init__(controller, teaching, parent)
        self.message = QLabel("")
        self.message.setObjectName("accuracyMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setMargin(24)
        self.caption = QLabel("")
        self.caption.setObjectName("accuracyCaption")
        self.caption.setWordWrap(True)
        # Its lines and no more: the height left over goes to the plot or table.
        self.caption.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plot = FittedPlot(background=None)
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "classified right (%)")
        self.plot.setYRange(0, 100, padding=0.02)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.training = self.plot.plot(pen=pg.mkPen(TRAINING_COLOUR, width=2))
        self.test = self.plot.plot(pen=pg.mkPen(TEST_COLOUR, width=2, style=Qt.PenStyle.DashLine))
        self.key = QLabel("")            # the curves' key, under the plot: it covers no point
        self.key.setObjectName("accuracyKey")
        self._span = 0                   # the epoch axis shows 0..span
        plot_page = QWidget()
        column = QVBoxLayout(plot_page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.caption)
        column.addWidget(self.plot, 1)
        column.addWidget(self.key)
        self.pages = QStackedWidget()
        self.pages.addWidget(plot_page)
        self.pages.addWidget(self.message)
        view_column(self, [self.pages], fill=self.pages)
        controller.metricsChanged.connect(self.throttle.mark)
        controller.lessonChanged.connect(self.throttle.mark)

    def redraw(self) -> None:
        self.revision += 1
        trail = self.teaching.metric_trail
        if not trail.classification:
            self.message.setText(NOT_CLASSES)
            self.pages.setCurrentIndex(1)
            return
        self.pages.setCurrentIndex(0)
        # A marker on each point while there are few: one epoch is not a line.
        symbol = "o" if len(trail) <= 20 else None
        self.training.setData(trail.epochs, 100.0 * trail.accuracy, connect="finite",
                              symbol=symbol, symbolSize=5, symbolBrush=TRAINING_COLOUR,
                              symbolPen=None)
        self.test.setVisible(trail.held_out)
        self.key.setText(curve_key(_KEY[: 1 + int(trail.held_out)]))
        if trail.held_out:
            self.test.setData(trail.epochs, 100.0 * trail.test_accuracy, connect="finite",
                              symbol="t" if symbol else None, symbolSize=6,
                              symbolBrush=TEST_COLOUR, symbolPen=None)
        # The epoch axis grows in doublings, as the loss plot's does: not relabelled
        # every frame.
        span = 10
        while len(trail) and span < trail.epochs[-1]:
            span *= 2
        if span != self._span:
            self._span = span
            self.plot.setXRange(0, span, padding=0.02)
        self.caption.setText(self._at_epoch_shown(trail))

    def _at_epoch_shown(self, trail) -> str:
        """The accuracies of the epoch shown (the last judged at or before it) in a sentence."""
        at = int(np.searchsorted(trail.epochs, self.controller.epochs_done, side="right")) - 1
        if at < 0:
            return ""
        text = (f"After epoch {int(trail.epochs[at])}: {percent(trail.accuracy[at])} of the "
                "training rows classified right")
        if trail.held_out:
            text += f", {percent(trail.test_accuracy[at])} of the held-out rows"
        return text + "."
