"""Activation functions (seed 004): each curve f(z) and its slope f′(z).

The values come from ``TeachingModel.activation_curve``, which asks
``engine.activations`` — the very functions training uses — on a range of
z. Selecting a cell of a z, a, slope, delta or error table marks that
neuron's z on the curves, with a and the slope read off there, and switches
to that layer's activation.
"""
from __future__ import annotations

import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel  # noqa: E402

from engine.number_text import shown_number  # noqa: E402

from ..parts import view_column  # noqa: E402
from ..plots import DISPLAY_BOUND, FittedPlot, plottable, plottable_points  # noqa: E402
from .throttle import ThrottledView  # noqa: E402

__all__ = ["ActivationView", "Z_RANGE", "CURVE_POINTS"]

Z_RANGE = 6.0             # the curves span −6..6, wider when the marked z lies outside
CURVE_POINTS = 481


class ActivationView(ThrottledView):
    """f and f′ of the chosen activation, with the selected neuron's z marked."""

    def __init__(self, controller, teaching, parent=None):
        super().__init__(controller, teaching, parent)
        self.marked: tuple[float, float, float] | None = None   # (z, a, slope) shown
        self.choice = QComboBox()
        self.symbols = teaching.activation_symbols()   # {name: (f, f′) in symbols}
        for name, (symbol, _slope_symbol) in self.symbols.items():
            self.choice.addItem(f"{name}:  f(z) = {symbol}", name)
        self.choice.currentIndexChanged.connect(self.redraw)
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plot = FittedPlot(background=None)
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "z (the neuron's input)")
        self.plot.addLegend(offset=(8, 8))   # in the theme's colours (FittedPlot)
        self.function = self.plot.plot(pen=pg.mkPen("#0072B2", width=2.5), name="f(z) = a")
        self.slope = self.plot.plot(pen=pg.mkPen("#D55E00", width=2.5, style=Qt.PenStyle.DashLine),
                                    name="slope f′(z)")
        self.z_line = pg.InfiniteLine(angle=90, movable=False,
                                      pen=pg.mkPen("#000000", width=1.5, style=Qt.PenStyle.DotLine))
        self.points = pg.ScatterPlotItem(size=13, brush=pg.mkBrush("#FFE135"),
                                         pen=pg.mkPen("#000000", width=2))
        self.plot.addItem(self.z_line)
        self.plot.follow_ink(self.z_line)  # black on a light theme, light on a dark one
        self.plot.follow_runs(self.function, self.slope)  # blue, vermillion: lighter on dark
        self.plot.addItem(self.points)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("activation"))
        bar.addWidget(self.choice, 1)
        view_column(self, [bar, self.caption, self.plot], fill=self.plot)
        controller.selectionChanged.connect(self._selection_changed)
        controller.lessonChanged.connect(lambda _lesson: self._selection_changed(None))
        self._selection_changed(None)

    def _neuron(self) -> tuple[int, int, int] | None:
        """(layer, sample, neuron) of the selected cell when it belongs to a neuron."""
        selection = self.controller.selection
        if selection is None:
            return None
        matrix = self.controller.identify(selection[0])
        if matrix is None or matrix.info.part != "neurons":
            return None
        return matrix.layer, selection[1], selection[2]

    def _selection_changed(self, _selection) -> None:
        neuron = self._neuron()
        arch = self.controller.architecture
        layer = neuron[0] if neuron is not None else 1
        if 1 <= layer <= arch.depth:
            index = self.choice.findData(arch.activations[layer - 1])
            if index != self.choice.currentIndex():
                self.choice.setCurrentIndex(index)   # redraws
                return
        self.redraw()

    def _selected_z(self) -> tuple[str, float] | None:
        """The selected neuron's cell name and z, when z is computed at this step."""
        neuron = self._neuron()
        if neuron is None:
            return None
        layer, sample, j = neuron
        z = self.controller.value(f"z{layer}")
        if z is None or sample >= z.shape[0] or j >= z.shape[1]:
            return None
        arch = self.controller.architecture
        if arch.activations[layer - 1] != self.choice.currentData():
            return None
        return f"z{layer}[{sample},{j}]", float(z[sample, j])

    def redraw(self, *_args) -> None:
        """Curves of the chosen activation from the engine; the selected z marked."""
        chosen = self.choice.currentData()
        symbol, slope_symbol = self.symbols[chosen]
        selected = self._selected_z()
        reach = Z_RANGE
        if selected is not None and np.isfinite(selected[1]):
            # 1.2 × a z near the largest float would be inf: the axis stops at the bound.
            reach = min(max(Z_RANGE, 1.2 * abs(selected[1])), DISPLAY_BOUND)
        z = np.linspace(-reach, reach, CURVE_POINTS)
        a, slope = self.teaching.activation_curve(chosen, z)
        self.function.setData(z, plottable(a), connect="finite")
        row_wise = slope is None
        if row_wise:
            self.slope.setData([], [])
            self.caption.setText(
                "softmax turns a whole row of z into probabilities, so it has no curve of one "
                "z. Shown: the first of two outputs as its own z varies and the other z is 0 — "
                "the sigmoid. With cross-entropy its slope cancels: delta = (a − y)/m.")
        else:
            self.slope.setData(z, plottable(slope), connect="finite")
            self.caption.setText(f"f(z) = {symbol};  slope f′ = {slope_symbol}.  Select a z, a, "
                                 f"slope or delta cell to mark that neuron here.")
        self.marked = None
        if selected is not None and not row_wise and np.isfinite(selected[1]):
            name, value = selected
            a_point, slope_point = self.teaching.activation_curve(chosen, np.array([value]))
            a_value, slope_value = float(a_point[0]), float(slope_point[0])
            self.marked = (value, a_value, slope_value)
            self.z_line.setValue(float(plottable([value])[0]))
            self.z_line.show()
            self.points.setData(*plottable_points([value, value], [a_value, slope_value]))
            shown = self._shown
            self.caption.setText(f"{name} = {shown(value)}  →  a = f(z) = {shown(a_value)},  "
                                 f"slope f′(z) = {shown(slope_value)}   ({slope_symbol})")
        else:
            self.z_line.hide()
            self.points.setData([], [])
        self.revision += 1

    def _shown(self, x: float) -> str:
        """A number as the tables write it now (their decimals; no −0, no cut digits)."""
        return shown_number(x, self.controller.decimals)
