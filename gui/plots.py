"""The loss per epoch, live while training runs.

One pyqtgraph curve created once and fed with ``setData`` at most
``FRAME_RATE`` times a second (the controller already coalesces; a dirty
flag and a timer here make sure several updates between frames cost one
redraw). The controller sends a bounded outline of a long history (each
bucket's lowest and highest loss), so a frame costs the same after a
million epochs as after a thousand.
A vertical line marks the epoch shown; the warning line beside the plot
says when the run diverged or looks unstable.
"""
from __future__ import annotations

import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QCheckBox, QGraphicsItem, QHBoxLayout, QLabel, QWidget  # noqa: E402

from .parts import problem_label, view_column  # noqa: E402
from .run_clock import FRAME_RATE  # noqa: E402

__all__ = ["LossPlot", "plottable", "plottable_points", "DISPLAY_BOUND"]

# pyqtgraph works out a range's span, padding and tick spacing in floats; near
# the largest float (1.8e308) these overflow to inf and it refuses the range
# ("Cannot set range [0.0, inf]"). Values beyond ±DISPLAY_BOUND are drawn at it.
DISPLAY_BOUND = 1e300


def plottable(values, log: bool = False) -> np.ndarray:
    """Values as pyqtgraph can range over them, shape as given.

    Parameters
    ----------
    values : array_like, shape (n,) or (rows, columns)
    log : bool
        For a log axis: zero and negative values cannot be drawn there.

    Returns
    -------
    ndarray of float
        A new array: NaN, ±inf (and on a log axis values ≤ 0) become NaN —
        a gap where the curve is drawn with ``connect="finite"`` — and finite
        values beyond ±``DISPLAY_BOUND`` are clipped to it.
    """
    with np.errstate(invalid="ignore"):
        shown = np.clip(np.asarray(values, dtype=float), -DISPLAY_BOUND, DISPLAY_BOUND)
        gap = ~np.isfinite(np.asarray(values, dtype=float))
        if log:
            gap |= shown <= 0
    shown[gap] = np.nan
    return shown


def plottable_points(x, y) -> tuple[np.ndarray, np.ndarray]:
    """The points (x[i], y[i]) that can be drawn as symbols, each shape (k,).

    A point with a non-finite coordinate is left out rather than made a gap:
    pyqtgraph's symbols measure their bounds with ``nanmin``, which fails on
    a series that is all NaN. The rest are clipped as ``plottable`` does.
    """
    x, y = plottable(np.ravel(x)), plottable(np.ravel(y))
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


class LossPlot(QWidget):
    """Loss per epoch with a log-scale toggle, a cursor readout and warnings."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background=None)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "loss")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setMenuEnabled(False)
        for axis in ("left", "bottom"):
            item = self.plot.getAxis(axis)
            item.enableAutoSIPrefix(False)  # "loss (x0.001)" confuses
            # Axes and their grid lines change only when a range does; cached as a
            # pixmap, a new curve costs a blit instead of replaying every label and line.
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.curve = self.plot.plot(pen=pg.mkPen("#0072B2", width=1))
        self.curve.setDownsampling(auto=True, method="peak")
        self.curve.setClipToView(True)
        self.marker = pg.InfiniteLine(angle=90, movable=False,
                                      pen=pg.mkPen("#D55E00", width=1, style=Qt.PenStyle.DashLine))
        self.plot.addItem(self.marker)
        self.log_box = QCheckBox("log scale")
        self.log_box.toggled.connect(self.set_log)
        self.readout = QLabel("")
        self.readout.setObjectName("lossReadout")
        self.warning_label = problem_label("plotWarning")
        bar = QHBoxLayout()
        bar.addWidget(self.log_box)
        bar.addWidget(self.readout, 1)
        view_column(self, [bar, self.warning_label, self.plot], fill=self.plot)
        self._x = np.empty(0)
        self._y = np.empty(0)
        self._points = (self._x, self._y)  # (x, y) drawn: every loss, or an outline
        self._dirty = False
        self._span = 0                 # the epoch axis shows 0..span
        self._y_range: tuple[float, float] | None = None
        self._divergence = ""
        self._warning = ""
        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / FRAME_RATE))
        self._timer.timeout.connect(self._redraw)
        self._timer.start()
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)

    # -- what it shows ----------------------------------------------------------------
    @property
    def points(self) -> int:
        """Epochs plotted (after the pending redraw)."""
        self._redraw()
        return int(self.curve.xData.size) if self.curve.xData is not None else 0

    def set_history(self, losses, epoch: int) -> None:
        """Show the losses; ``epoch``: the one shown (0: start).

        ``losses`` is loss[e] for epochs 1..n, shape (n,), every one drawn; or
        the controller's ``LossCurve`` (``.losses`` and the outline ``.x``,
        ``.y`` to draw of them).
        """
        if hasattr(losses, "losses"):
            self._y, self._points = losses.losses, (losses.x, losses.y)
        else:
            self._y = np.asarray(losses, dtype=float)
            if self._x.size < self._y.size:
                self._x = np.arange(1, max(self._y.size, 2 * self._x.size) + 1, dtype=float)
            self._points = (self._x[: self._y.size], self._y)
        self.marker.setValue(epoch)
        self._dirty = True

    def set_divergence(self, text: str) -> None:
        self._divergence = text
        self._show_warning()

    def set_warning(self, text: str) -> None:
        self._warning = text
        self._show_warning()

    def _show_warning(self) -> None:
        text = self._divergence or (f"Unstable: {self._warning}" if self._warning else "")
        self.warning_label.setText(text)
        self.warning_label.setVisible(bool(text))

    def set_log(self, on: bool) -> None:
        self.log_box.setChecked(on)
        self.plot.setLogMode(y=on)
        self._dirty = True
        self._y_range = None  # log and linear ranges are in different units
        self._redraw()

    @property
    def log(self) -> bool:
        return self.log_box.isChecked()

    # -- drawing ----------------------------------------------------------------------
    def _redraw(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        x, y = self._points
        y = plottable(y, self.log)  # a log axis cannot show zero or a negative loss
        finite = np.isfinite(y)
        if not finite.all():
            x, y = x[finite], y[finite]
        self.curve.setData(x, y, skipFiniteCheck=True)
        # The epoch axis grows in doublings, not every frame: relabelling an axis
        # costs more than drawing a million-point curve.
        span = 10
        while span < self._y.size:
            span *= 2
        if span != self._span:
            self._span = span
            self.plot.setXRange(0, span, padding=0.02)
        # The loss axis moves in steps too (1-2-5 tops, whole decades on a log
        # scale): following the falling loss exactly would relabel it every frame.
        y_range = _stepped_range(y, self.log)
        if y_range != self._y_range:
            self._y_range = y_range
            self.plot.setYRange(*y_range, padding=0.02)

    def _mouse_moved(self, position) -> None:
        if not self.plot.sceneBoundingRect().contains(position) or self._y.size == 0:
            return
        point = self.plot.getPlotItem().vb.mapSceneToView(position)
        epoch = int(round(point.x()))
        if 1 <= epoch <= self._y.size:
            self.readout.setText(f"epoch {epoch}: loss {self._y[epoch - 1]:.6g}")


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is at least ``value`` (> 0)."""
    power = 10.0 ** np.floor(np.log10(value))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if factor * power >= value:
            return float(factor * power)
    return float(10.0 * power)


def _stepped_range(losses: np.ndarray, log: bool) -> tuple[float, float]:
    """The loss axis's range for the finite losses, shape (n,), in the view's units.

    Linear: from 0 (or a stepped negative floor) to a 1-2-5 ceiling above the
    largest loss. Log: whole decades around the losses, as log10 values (the
    units of pyqtgraph's log mode). The losses are ``plottable``'s, so the
    ceiling of the largest, at most 1e300, is finite.
    """
    if losses.size == 0:
        return (0.0, 1.0)
    low, high = float(losses.min()), float(losses.max())
    if log:
        bottom = float(np.floor(np.log10(low)))
        return (bottom, max(bottom + 1.0, float(np.ceil(np.log10(high)))))
    top = _nice_ceiling(high) if high > 0 else 1.0
    bottom = 0.0 if low >= 0 else -_nice_ceiling(-low)
    return (bottom, top)
