"""Accuracy: the share of rows the network classifies right, on the training
rows and on the held-out rows, at every epoch the window has shown.

The points are the controller's ``MetricTrail`` (``gui/metric_trail.py``),
the engine's ``engine.metrics`` at each shown epoch; this view only draws
them — training solid blue, held-out dashed green, as the loss plot draws
its two curves, with the same key under the plot — and writes the shown
epoch's figures in a line. The runs kept to compare with
(``controller.past_runs``) are drawn faded as on the loss plot, in the same
colour, line style and label (``PastRunCurves``: the same Compare menu, and
hiding or clearing a run there leaves both plots); hovering reads out every
curve at the epoch under the pointer. A lesson whose targets are not class
labels (a regression such as the plane) has no accuracy: the view says so instead.
"""
from __future__ import annotations

import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QEvent, Qt  # noqa: E402
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QSizePolicy, QStackedWidget,  # noqa: E402
                               QVBoxLayout, QWidget)

from engine.number_text import shown_number  # noqa: E402

from ..parts import view_column, view_message  # noqa: E402
from ..past_runs_view import OneLineLabel, PastRunCurves  # noqa: E402
from ..plots import TEST_COLOUR, TRAINING_COLOUR, FittedPlot, curve_key, plottable  # noqa: E402
from ..theme import theme_of  # noqa: E402
from .throttle import ThrottledView  # noqa: E402

__all__ = ["AccuracyView", "percent", "accuracy_words", "NOT_CLASSES", "ACCURACY_HINT"]

NOT_CLASSES = ("This lesson's targets are numbers, not class labels (a regression), so "
               "there is no accuracy to count: judge it by its loss, on the loss plot.")

ACCURACY_HINT = "Hover over the plot to read every run's accuracy at an epoch."

TEST_KEY = ("held-out rows (test)", TEST_COLOUR, True)
_KEPT_KEY = "kept: thick training, thin held-out"


def percent(fraction: float) -> str:
    """A fraction as the view writes it: ``93.8 %`` (one decimal), ``—`` when not a number."""
    if not np.isfinite(fraction):
        return "—"
    return f"{shown_number(100.0 * fraction, 1)} %"


def accuracy_words(epoch: int, judged: int, training: float, held_out: float | None) -> str:
    """The accuracies judged at epoch ``judged`` (the last at or before the ``epoch``
    hovered) as a readout writes them:
    ``93.8 % training, 90.0 % held-out (judged at epoch 5)``."""
    text = f"{percent(training)} training"
    if held_out is not None:
        text += f", {percent(held_out)} held-out"
    return text if judged == epoch else f"{text} (judged at epoch {judged})"


def _kept_reading(run, epoch: int) -> str:
    """A kept run's accuracies at ``epoch`` (``PastRunCurves``' reading)."""
    training = run.curves["accuracy"].at(epoch)
    if training is None:
        return f"ended at epoch {run.curves['accuracy'].epochs}"
    held = run.curves.get("test_accuracy")
    held_out = None if held is None else held.at(epoch)[1]
    return accuracy_words(epoch, training[0], training[1], held_out)


class AccuracyView(ThrottledView):
    """Accuracy per shown epoch: training rows and, if any, held-out rows."""

    def __init__(self, controller, teaching, parent=None):
        super().__init__(controller, teaching, parent)
        self.message = view_message("accuracyMessage")
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
        # Its height is what the dock leaves: pyqtgraph's preferred 480 pixels would make
        # the scrolled dock taller than a 720-pixel screen, the key and readouts out of sight.
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.training = self.plot.plot(pen=pg.mkPen(TRAINING_COLOUR, width=2))  # (the theme's)
        self.test = self.plot.plot(pen=pg.mkPen(TEST_COLOUR, width=2, style=Qt.PenStyle.DashLine))
        self.key = QLabel("")            # the curves' key, under the plot: it covers no point
        self.key.setObjectName("accuracyKey")
        self.key.setWordWrap(True)       # two lines rather than a dock wider than the window
        self.readout = OneLineLabel()    # the run now's accuracies at the epoch hovered
        self.readout.setObjectName("accuracyReadout")
        self._span = 0                   # the epoch axis shows 0..span
        # The kept runs, as on the loss plot: one store, so both plots follow its changes.
        self.past = PastRunCurves(self.plot, self.training, self.throttle.mark, self,
                                  names=("accuracy", "test_accuracy"), scale=100.0,
                                  reading=_kept_reading, hint=ACCURACY_HINT)
        # Bottom right: accuracies rise towards the top right, where the loss plot's
        # falling curves leave room.
        self.past.legend.anchor(itemPos=(1, 1), parentPos=(1, 1), offset=(-6, -6))
        self.past.attach(controller.past_runs)
        bar = QHBoxLayout()
        bar.addWidget(self.key, 1)
        bar.addWidget(self.past.button)
        plot_page = QWidget()
        column = QVBoxLayout(plot_page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.caption)
        column.addWidget(self.plot, 1)
        column.addLayout(bar)
        column.addWidget(self.readout)
        column.addWidget(self.past.readout)
        self.pages = QStackedWidget()
        self.pages.addWidget(plot_page)
        self.pages.addWidget(self.message)
        view_column(self, [self.pages], fill=self.pages)
        controller.metricsChanged.connect(self.throttle.mark)
        controller.lessonChanged.connect(self.throttle.mark)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.throttle.mark()   # a new theme: the training curve and key in its colour

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
        # The loss plot's training colour in the theme shown (its blue would vanish on a
        # dark window); the held-out green keeps 3:1 on every theme's window.
        colour = theme_of(self.palette()).plot_curve
        self.training.setData(trail.epochs, 100.0 * trail.accuracy, connect="finite",
                              pen=pg.mkPen(colour, width=2), symbol=symbol, symbolSize=5,
                              symbolBrush=colour, symbolPen=None)
        self.test.setVisible(trail.held_out)
        key = curve_key([("training rows", colour, False)] + [TEST_KEY] * int(trail.held_out))
        compared = any(not run.hidden for run in self.past.runs)
        if trail.held_out and compared:
            key += f" &nbsp; {_KEPT_KEY}"
        self.key.setText(key)
        # While runs are compared, the line under it reads the run now out with them.
        self.readout.setVisible(not compared)
        if trail.held_out:
            self.test.setData(trail.epochs, 100.0 * trail.test_accuracy, connect="finite",
                              symbol="t" if symbol else None, symbolSize=6,
                              symbolBrush=TEST_COLOUR, symbolPen=None)
        # The epoch axis grows in doublings, as the loss plot's does: not relabelled
        # every frame.
        self.past.draw(False, plottable)
        last = max(trail.epochs[-1] if len(trail) else 0, self.past.extent(False)[0])
        span = 10
        while span < last:
            span *= 2
        if span != self._span:
            self._span = span
            self.plot.setXRange(0, span, padding=0.02)
        self.caption.setText(self._at_epoch_shown(trail))

    def _at_epoch_shown(self, trail) -> str:
        """The accuracies of the epoch shown (the last judged at or before it) in a sentence."""
        at = trail.index_at(self.controller.epochs_done)
        if at < 0:
            return ""
        text = (f"After epoch {int(trail.epochs[at])}: {percent(trail.accuracy[at])} of the "
                "training rows classified right")
        if trail.held_out:
            text += f", {percent(trail.test_accuracy[at])} of the held-out rows"
        return text + "."

    def _mouse_moved(self, position) -> None:
        """Every curve's accuracy at the epoch under the pointer: the run now's beside
        the plot, with the kept runs' on the line under it."""
        if not self.plot.sceneBoundingRect().contains(position):
            return
        epoch = int(round(self.plot.getPlotItem().vb.mapSceneToView(position).x()))
        trail = self.teaching.metric_trail
        if epoch < 0 or not trail.classification:
            return
        at = trail.index_at(epoch)
        now = None
        if 0 <= at and epoch <= trail.epochs[-1]:
            now = accuracy_words(epoch, int(trail.epochs[at]), trail.accuracy[at],
                                 trail.test_accuracy[at] if trail.held_out else None)
            self.readout.set_full_text(f"epoch {epoch}: {now}")
        self.past.read_out(epoch, now)
