"""The loss per epoch, live while training runs.

One pyqtgraph curve created once and fed with ``setData`` at most
``FRAME_RATE`` times a second (the controller already coalesces; a dirty
flag and a timer here make sure several updates between frames cost one
redraw). The controller sends a bounded outline of a long history (each
bucket's lowest and highest loss), so a frame costs the same after a
million epochs as after a thousand.
A vertical line marks the epoch shown; the warning line beside the plot
says when the run diverged, looks unstable or stalled, and why
(``engine.diagnosis``). The loss axis turns logarithmic by itself once the
curve spans more than ``AUTO_LOG_DECADES`` decades (a diverging run would
flatten everything before it on a linear axis) unless the user has chosen
a scale, which wins; the epoch a run diverged at is marked, and a curve of
one epoch is drawn as a point. For a lesson with held-out rows a second
curve (green, dashed, named in a key beside the scale box) is their loss at each epoch the
window showed (``gui/metric_trail.py``: measured per frame, not per epoch);
hovering reads it out at the last epoch judged at or before the pointer.
Runs before Reset or new settings stay as faded curves with a legend
(``PastRunCurves``, ``gui/past_runs_view.py``); hovering reads out each one's
loss at the epoch under the pointer, and the axes hold them all. An exported
picture names every curve in a legend drawn on the plot (``exported_key``).
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QEvent, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QFontInfo, QFontMetricsF, QPalette, QPen  # noqa: E402
from PySide6.QtWidgets import (QCheckBox, QGraphicsItem, QHBoxLayout, QLabel,  # noqa: E402
                               QSizePolicy, QWidget)

from engine.number_text import shown_briefly  # noqa: E402

from .parts import problem_label, view_column  # noqa: E402
from .past_runs_view import PastRunCurves  # noqa: E402
from .run_clock import FRAME_RATE  # noqa: E402
from .theme import LIGHT, Theme, theme_of  # noqa: E402

__all__ = ["LossPlot", "FittedAxis", "FittedPlot", "plottable", "plottable_points",
           "spans_decades", "DISPLAY_BOUND", "AUTO_LOG_DECADES", "TICK_ROOM", "curve_key",
           "TRAINING_COLOUR", "TEST_COLOUR"]

# pyqtgraph works out a range's span, padding and tick spacing in floats; near
# the largest float (1.8e308) these overflow to inf and it refuses the range
# ("Cannot set range [0.0, inf]"). Values beyond ±DISPLAY_BOUND are drawn at it.
DISPLAY_BOUND = 1e300
AUTO_LOG_DECADES = 3        # a curve spanning more than this many decades is shown on a log axis
# The light theme's loss colours (the training curve follows the theme, gui/theme.py).
TRAINING_COLOUR, TEST_COLOUR = LIGHT.plot_curve, "#009E73"  # Okabe–Ito blue and bluish green
# Tick labels are at least this many label extents apart (heights on a vertical
# axis, widths on a horizontal one): a short dock shows fewer numbers, never a pile.
TICK_ROOM = 1.25
LEGEND_ALPHA = 220          # of 255: the legend's box lets a curve behind it show faintly
_NICE_STEPS = (1.0, 2.0, 5.0)


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _power_of_ten(exponent: float) -> str:
    """A log axis's tick label for 10**exponent, written without computing it.

    pyqtgraph raises 10 to the tick's exponent first, which overflows past
    1e308 — a diverging loss reaches there — so the label is built from the
    exponent's whole and fractional parts: ``0.01``, ``100``, ``2·10⁵``, ``10⁴⁰⁰``.
    """
    if not np.isfinite(exponent):
        return ""
    whole = int(np.floor(exponent + 1e-9))
    mantissa = int(round(10.0 ** (exponent - whole)))
    if mantissa >= 10:
        whole, mantissa = whole + 1, 1
    if -2 <= whole <= 3:
        return f"{mantissa * 10.0 ** whole:g}"
    power = "10" + str(whole).translate(_SUPERSCRIPT)
    return power if mantissa == 1 else f"{mantissa}·{power}"


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (up to a full stop followed by a space or the end).

    A number's decimal point is followed by a digit, so "(0.68)." ends there and
    "0.68" does not.
    """
    found = re.match(r"(.*?[.!?])(\s|$)", text, flags=re.S)
    return found.group(1) if found else text


def _next_nice(spacing: float) -> float:
    """The next 1-2-5 step above ``spacing`` (> 0)."""
    power = 10.0 ** np.floor(np.log10(spacing))
    for factor in _NICE_STEPS + (10.0,):
        if factor * power > spacing * (1 + 1e-9):
            return float(factor * power)
    return float(10.0 * power)


class FittedAxis(pg.AxisItem):
    """An axis whose tick labels never overlap, however short it is.

    pyqtgraph spaces ticks from the axis length alone (at least 2.25
    intervals, whatever the font); this axis widens the major spacing through
    1-2-5 steps until the labels are ``TICK_ROOM`` label extents apart, and
    then draws that level only, so a thinned axis gets no labelled minor ticks.
    """

    def label_extent(self, low: float, high: float, spacing: float) -> float:
        """The pixels one tick label takes along the axis, at the tick font."""
        metrics = QFontMetricsF(self.style["tickFont"] or self.font())
        if self.orientation in ("left", "right"):
            return metrics.height()
        texts = self.tickStrings([low, high], 1.0, spacing)
        return max(metrics.horizontalAdvance(text) for text in texts)

    def logTickStrings(self, values, scale, spacing):  # noqa: N802
        shift = float(np.log10(scale)) if scale and scale > 0 else 0.0
        return [_power_of_ten(float(value) + shift) for value in values]

    def tickSpacing(self, minVal: float, maxVal: float, size: float):  # noqa: N802,N803
        levels = super().tickSpacing(minVal, maxVal, size)
        span = abs(maxVal - minVal)
        if not levels or size <= 0 or not np.isfinite(span) or span == 0:
            return levels
        major = levels[0][0]
        if major <= 0 or not np.isfinite(major):
            return levels
        low, high = sorted((minVal, maxVal))
        thinned = False
        # At most a few dozen 1-2-5 steps: the spacing grows tenfold every three.
        for _ in range(60):
            room = TICK_ROOM * self.label_extent(low, high, major)
            if major * size / span >= room:
                break
            major = _next_nice(major)
            thinned = True
        return [(major, 0.0)] if thinned else levels


def fitted_axes() -> dict[str, FittedAxis]:
    """Left and bottom ``FittedAxis`` items for one new pyqtgraph plot."""
    return {"left": FittedAxis("left"), "bottom": FittedAxis("bottom")}


class FittedPlot(pg.PlotWidget):
    """A pyqtgraph plot whose axes never pile labels and whose text follows the
    widget's font: tick labels, axis titles and the legend grow with View ▸
    Larger text (Ctrl++) and with presenter mode, as the tables do. Axis lines
    and labels are in the palette's text colour, so they follow the theme
    (gui/theme.py) in every view.

    Takes ``pg.PlotWidget``'s arguments; its left and bottom axes are ``FittedAxis``.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("axisItems", fitted_axes())
        self._inked: list = []   # lines drawn in the palette's text colour (``follow_ink``)
        self._runs: list = []    # lines drawn in the theme's run colours (``follow_runs``)
        super().__init__(*args, **kwargs)
        self.colour_axes()

    def follow_ink(self, *lines) -> None:
        """Draw ``lines`` (``PlotDataItem``s or ``InfiniteLine``s: a tangent, a marker)
        in the palette's text colour — dark on a light theme, light on a dark one —
        now and whenever the theme changes; their widths and dashes stay."""
        self._inked.extend(lines)
        self.colour_axes()

    def follow_runs(self, *lines) -> None:
        """Draw ``lines`` (``PlotDataItem``s) in the theme's run colours, the first in
        its first colour and so on — Okabe–Ito on a light theme, its lighter members
        on a dark one, where the dark blue and black would vanish — now and whenever
        the theme changes; their widths, dashes and symbols' shapes stay."""
        self._runs.extend(lines)
        self.colour_axes()

    def colour_axes(self) -> None:
        """Axis lines, ticks, tick labels and titles, the legend's words and the lines
        that follow the ink in the palette's text colour; the legend's box in its
        window colour."""
        ink = self.palette().color(QPalette.ColorRole.WindowText)
        item = self.getPlotItem()
        if item is None:  # pyqtgraph's constructor changes the palette before making the plot
            return
        for name in ("left", "bottom", "right", "top"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(ink))
            axis.setTextPen(pg.mkPen(ink))  # the title's colour too
        for line in self._inked:
            pen = QPen(line.opts["pen"] if isinstance(line, pg.PlotDataItem) else line.pen)
            pen.setColor(ink)
            line.setPen(pen)
        runs = theme_of(self.palette()).runs
        for index, line in enumerate(self._runs):
            colour = QColor(runs[index % len(runs)])
            pen = QPen(line.opts["pen"])
            pen.setColor(colour)
            line.setPen(pen)
            if line.opts["symbol"] is not None:
                line.setSymbolBrush(colour)
        legend = item.legend
        if legend is not None:
            # The key's box in the window's colour, a little see-through, and its words
            # in the ink: a white box on a dark theme hid the light lines inside it.
            box = QColor(self.palette().color(QPalette.ColorRole.Window))
            box.setAlpha(LEGEND_ALPHA)
            legend.setBrush(pg.mkBrush(box))
            legend.setLabelTextColor(ink)
            for _sample, label in legend.items:
                label.setText(label.text)  # a LabelItem renders its colour on setText

    def fit_text(self) -> None:
        """Size every text of the plot to the widget's font."""
        font = self.font()
        pixels = f"{QFontInfo(font).pixelSize()}px"
        item = self.getPlotItem()
        for name in ("left", "bottom", "right", "top"):
            axis = item.getAxis(name)
            axis.setTickFont(font)
            if axis.labelText:  # setLabel without the text would clear it
                axis.setLabel(axis.labelText, axis.labelUnits or None,
                              **{"font-size": pixels, "color": axis.textPen().color().name()})
        legend = item.legend
        if legend is not None:
            legend.setLabelTextSize(pixels)
            for _sample, label in legend.items:
                label.setText(label.text)  # LabelItem renders its size on setText
            legend.updateSize()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.fit_text()  # axis titles and legends are added after construction

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.fit_text()
        elif event.type() == QEvent.Type.PaletteChange:
            self.colour_axes()


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


def curve_key(entries: list[tuple[str, str, bool]]) -> str:
    """A legend as rich text for a label beside a plot: each (name, colour, dashed)
    drawn as a short line in its colour and style, then its name."""
    parts = [f'<span style="color:{colour}"><b>{"╌╌" if dashed else "━━"}</b></span>'
             f'&nbsp;{name}' for name, colour, dashed in entries]
    return " &nbsp; ".join(parts)


def positive_span(values: np.ndarray) -> tuple[float, float]:
    """The smallest and largest positive finite value, shape (n,) → (low, high);
    (inf, 0) when there is none."""
    with np.errstate(invalid="ignore"):
        kept = values[np.isfinite(values) & (values > 0)]
    return (float(kept.min()), float(kept.max())) if kept.size else (np.inf, 0.0)


def spans_decades(low: float, high: float, decades: float = AUTO_LOG_DECADES) -> bool:
    """Whether positive values from ``low`` to ``high`` span more than ``decades`` decades."""
    return 0.0 < low < high and high > low * 10.0 ** decades


class LossPlot(QWidget):
    """Loss per epoch with a log-scale toggle, a cursor readout and warnings."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = FittedPlot(background=None)
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
        self.curve = self.plot.plot()
        self.curve.setDownsampling(auto=True, method="peak")
        self.curve.setClipToView(True)
        # One epoch is one point, which a line cannot show: it gets a symbol.
        self.point = self.plot.plot(pen=None, symbol="o", symbolSize=7, symbolPen=None)
        self.point.setVisible(False)
        # The held-out rows' loss: another colour and a dashed line, so it reads apart
        # in grey too; its points are the epochs shown, joined.
        self.test_curve = self.plot.plot(
            pen=pg.mkPen(TEST_COLOUR, width=2, style=Qt.PenStyle.DashLine),
            symbolSize=6, symbolPen=None, symbolBrush=TEST_COLOUR)
        self.test_curve.setVisible(False)
        self._test = (np.empty(0), np.empty(0))   # (epochs, losses) of the held-out rows
        self._test_marked = False                 # its few points drawn as triangles
        self.diverged_marker = pg.InfiniteLine(angle=90, movable=False, label="diverged",
                                               labelOpts={"position": 0.9})
        self.diverged_marker.setVisible(False)
        self.plot.addItem(self.diverged_marker)
        self.marker = pg.InfiniteLine(angle=90, movable=False)
        self.plot.addItem(self.marker)
        self.log_box = QCheckBox("log scale")
        self.log_box.setToolTip("Log scale turns on by itself when the loss spans more than "
                                f"{AUTO_LOG_DECADES} decades, until you choose a scale here")
        self.log_box.toggled.connect(self._log_box_toggled)
        self._log_choice: bool | None = None   # the user's scale; None: chosen by the data
        self._switching = False                # the box is moved by the automatic scale
        self._low, self._high = np.inf, 0.0  # the smallest and largest positive finite loss
        self.readout = QLabel("")
        self.readout.setObjectName("lossReadout")
        # Its text grows with the held-out loss: it takes the room left, never widens the dock.
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # The two curves' key, beside the scale box rather than over a plot this short.
        self.key = QLabel("")   # written in the theme's colours (_paint_theme)
        self.key.setObjectName("lossKey")
        self.key.setVisible(False)
        self.warning_label = problem_label("plotWarning")
        bar = QHBoxLayout()
        bar.addWidget(self.log_box)
        bar.addWidget(self.key)
        bar.addWidget(self.readout, 1)
        # Kept runs (Reset, new settings): faded curves, legend, Compare menu, readout.
        self.past = PastRunCurves(self.plot, self.curve, self._past_changed, self)
        bar.addWidget(self.past.button)
        view_column(self, [bar, self.warning_label, self.plot, self.past.readout],
                    fill=self.plot)
        self._x = np.empty(0)
        self._y = np.empty(0)
        self._points = (self._x, self._y)  # (x, y) drawn: every loss, or an outline
        self._dirty = False
        self._span = 0                 # the epoch axis shows 0..span
        self._y_range: tuple[float, float] | None = None
        self._divergence = ""
        self._warning = ""
        self._theme = LIGHT
        self._paint_theme()
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
        self._measure_span()
        self.marker.setValue(epoch)
        self._dirty = True

    def set_test_losses(self, trail) -> None:
        """The held-out rows' loss at the epochs shown (a ``MetricTrail``): a second
        curve named in the key, or none when the lesson holds no rows out."""
        shown = bool(trail.held_out)
        self.test_curve.setVisible(shown)
        self.key.setVisible(shown)
        self._test = (trail.epochs, trail.test_loss) if shown else (np.empty(0), np.empty(0))
        self._measure_span()
        self._dirty = True

    def _measure_span(self) -> None:
        """The smallest and largest positive loss of both curves (the automatic log scale)."""
        self._low, self._high = positive_span(np.concatenate([self._points[1], self._test[1]]))

    def reset(self) -> None:
        """Forget the lesson shown: no curve, marker at the start, no readout or warning.

        A new lesson starts here, so nothing of the old one (a diverged curve, its
        axis range, its warning) is left on screen.
        """
        self._y = np.empty(0)
        self._points = (np.empty(0), np.empty(0))
        self._test = (np.empty(0), np.empty(0))
        self._low, self._high = np.inf, 0.0
        self.marker.setValue(0)
        self.readout.setText("")
        self._divergence = self._warning = ""
        self._show_warning()
        self._span = 0
        self._y_range = None
        self._dirty = True
        self._redraw()

    def compare(self, past_runs) -> None:
        """Draw the kept runs of ``past_runs`` (``controller.past_runs``) beside this one."""
        self.past.attach(past_runs)

    @contextmanager
    def exported_key(self, scale: float = 1.0):
        """While an export draws the plot: every curve named in a legend on the plot.

        On screen the training and held-out key is a label beside the scale box,
        outside the plot's picture; an exported picture must say on its own which
        curve is which. The legend takes the kept runs' entries too (it replaces
        theirs for the while) and is gone afterwards. ``scale``: how much larger
        the picture is drawn than the plot on screen (a legend keeps its size
        under the export's zoom, so it is scaled with the axes' text by hand).
        """
        shown = [run for run in self.past.runs if not run.hidden]
        legend = pg.LegendItem(labelTextColor="#202020", brush=pg.mkBrush(255, 255, 255, 215),
                               pen=pg.mkPen("#B0B0B0"),
                               colCount=2 if len(shown) + 2 > 3 else 1)
        legend.setLabelTextSize(f"{QFontInfo(self.plot.font()).pixelSize()}px")
        legend.setParentItem(self.plot.getPlotItem().vb)
        # A lone epoch is drawn as a point, which the line's sample would not show.
        legend.addItem(self.point if self.point.isVisible() else self.curve,
                       "this run, training rows" if shown else "training rows")
        if self.test_curve.isVisible():
            legend.addItem(self.test_curve, "held-out rows (test)")
        for run in shown:
            legend.addItem(self.past.curves[run.number], run.label)
        # Laid out now, not at the next turn of the event loop: the export draws at once.
        legend.layout.activate()
        legend.updateSize()
        legend.setScale(scale)
        # Over the top right as on screen. Placed by hand: the export zooms the position
        # but not the legend (it ignores transformations), so its own size counts unscaled.
        legend.setPos(self.plot.getPlotItem().vb.width() - 6 - legend.width(), 6)
        was_visible = self.past.legend.isVisible()
        self.past.legend.setVisible(False)
        try:
            yield legend
        finally:
            self.past.legend.setVisible(was_visible)
            # Off the plot and out of the scene: Python then owns it, and frees it.
            legend.setParentItem(None)
            if legend.scene() is not None:
                legend.scene().removeItem(legend)

    def _past_changed(self) -> None:
        self._dirty = True
        self._redraw()

    def set_divergence(self, text: str) -> None:
        self._divergence = text
        self._show_warning()
        self._dirty = True

    def set_warning(self, text: str) -> None:
        self._warning = text
        self._show_warning()

    def _show_warning(self) -> None:
        # The window's banner tells the whole story above the tables; under the
        # plot's own short height only its first sentence fits, the rest on hover.
        text = self._divergence or self._warning
        # Red for a run that diverged, amber for one that looks unstable or stalled.
        self.warning_label.set_warning(not self._divergence)
        self.warning_label.setText(first_sentence(text))
        self.warning_label.setToolTip(text)
        self.warning_label.setVisible(bool(text))

    def set_theme(self, theme: Theme) -> None:
        """Background, curve and markers in ``theme``'s colours (the axes and the
        warning line follow the palette by themselves)."""
        if theme != self._theme:
            self._theme = theme
            self._paint_theme()

    def _paint_theme(self) -> None:
        theme = self._theme
        self.plot.setBackground(theme.plot_background)
        self.curve.setPen(pg.mkPen(theme.plot_curve, width=1))
        self.point.setSymbolBrush(theme.plot_curve)
        self.key.setText(curve_key([("training rows", theme.plot_curve, False),
                                    ("held-out rows (test)", TEST_COLOUR, True)]))
        self.marker.setPen(pg.mkPen(theme.plot_marker, width=1, style=Qt.PenStyle.DashLine))
        self.diverged_marker.setPen(pg.mkPen(theme.problem, width=2, style=Qt.PenStyle.DotLine))
        self.diverged_marker.label.setColor(theme.problem)

    def set_log(self, on: bool) -> None:
        """The user's choice of scale (the box, the View menu, a saved setting): it wins."""
        self._log_choice = bool(on)
        self._show_log(bool(on))

    @property
    def log_choice(self) -> bool | None:
        """The scale the user chose, or None while the data choose it."""
        return self._log_choice

    def _log_box_toggled(self, on: bool) -> None:
        if not self._switching:
            self.set_log(on)

    def _show_log(self, on: bool) -> None:
        if on != self.log_box.isChecked():
            self._switching = True
            try:
                self.log_box.setChecked(on)
            finally:
                self._switching = False
        self.plot.setLogMode(y=on)
        self._dirty = True
        self._y_range = None  # log and linear ranges are in different units
        self._span = 0        # pyqtgraph's log switch turns auto-range back on: set both again
        self._redraw()

    @property
    def log(self) -> bool:
        return self.log_box.isChecked()

    # -- drawing ----------------------------------------------------------------------
    def _redraw(self) -> None:
        if not self._dirty:
            return
        epochs_kept, low_kept, high_kept = self.past.extent(log=True)
        low, high = min(self._low, low_kept), max(self._high, high_kept)
        if self._log_choice is None and spans_decades(low, high) != self.log:
            self._show_log(not self.log)  # redraws on the other scale
            return
        self._dirty = False
        self.past.draw(self.log, plottable)
        x, y = self._points
        y = plottable(y, self.log)  # a log axis cannot show zero or a negative loss
        finite = np.isfinite(y)
        if not finite.all():
            x, y = x[finite], y[finite]
        self.curve.setData(x, y, skipFiniteCheck=True)
        self.point.setVisible(y.size == 1)
        if y.size == 1:
            self.point.setData(x, y)
        test_x, test_y = self._test
        test_y = plottable(test_y, self.log)
        # A few points (a stepped lesson, the start) are marked, else a lone one is
        # invisible on a line; hundreds joined read as a curve.
        marked = test_x.size <= 20
        if marked != self._test_marked:
            self._test_marked = marked
            self.test_curve.setSymbol("t" if marked else None)
        self.test_curve.setData(test_x, test_y, connect="finite")
        self._mark_divergence()
        # The epoch axis grows in doublings, not every frame: relabelling an axis
        # costs more than drawing a million-point curve.
        span = 10
        while span < max(self._y.size, epochs_kept):
            span *= 2
        if span != self._span:
            self._span = span
            self.plot.setXRange(0, span, padding=0.02)
        # The loss axis moves in steps too (1-2-5 tops, whole decades on a log
        # scale): following the falling loss exactly would relabel it every frame.
        _, low_kept, high_kept = self.past.extent(self.log)
        kept = plottable([low_kept, high_kept] if low_kept <= high_kept else [], self.log)
        y_range = _stepped_range(np.concatenate([y, kept, test_y[np.isfinite(test_y)]]),
                                 self.log)
        if y_range != self._y_range:
            self._y_range = y_range
            self.plot.setYRange(*y_range, padding=0.02)

    def _mark_divergence(self) -> None:
        """A dotted red line at the epoch a diverged run's loss stopped being a number."""
        if not self._divergence or self._y.size == 0:
            self.diverged_marker.setVisible(False)
            return
        bad = np.flatnonzero(~np.isfinite(self._y))
        self.diverged_marker.setValue(float(bad[0] + 1 if bad.size else self._y.size))
        self.diverged_marker.setVisible(True)

    def _mouse_moved(self, position) -> None:
        if not self.plot.sceneBoundingRect().contains(position):
            return
        point = self.plot.getPlotItem().vb.mapSceneToView(position)
        epoch = int(round(point.x()))
        if 1 <= epoch <= self._y.size:
            text = (f"epoch {epoch}: loss {shown_briefly(self._y[epoch - 1], 6)}"
                    + self._held_out_text(epoch))
            self.readout.setText(text)
            self.readout.setToolTip(text)     # the whole, when the dock cuts it short
        if epoch >= 1:
            self.past.read_out(epoch, shown_briefly(self._y[epoch - 1], 6)
                               if epoch <= self._y.size else None)

    def _held_out_text(self, epoch: int) -> str:
        """The held-out rows' loss at the last epoch judged at or before ``epoch``, as
        the readout's tail (``" · held-out 0.31"``, or with ``(judged at epoch 5)``
        after it between judged epochs); "" when the lesson holds no rows out or
        none was judged yet."""
        epochs, losses = self._test
        at = int(np.searchsorted(epochs, epoch, side="right")) - 1
        if at < 0:
            return ""
        text = f" · held-out {shown_briefly(losses[at], 6)}"
        judged = int(epochs[at])
        return text if judged == epoch else f"{text} (judged at epoch {judged})"


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
