"""The network as a node diagram that moves with every step.

Neurons are circles (inputs, hidden layers, outputs), bias units small
squares marked 1, and edges lines whose colour gives the weight's sign
(blue positive; vermillion and dashed negative — the Okabe–Ito
colour-blind-safe pair, with the dash as a second cue) and whose width
grows with |w|. Each neuron shows its current value: its activation in
the forward pass, its delta in the backward pass, written as the tables
write it (``shown_number`` at the same decimals); an edge's tooltip gives
its weight the same way. The cells behind the
selection light up here as in the tables: yellow for the selected one,
orange for its precedents, everything else faded. A neuron asked in exercise
mode shows ``?`` instead of its value until it is answered or revealed.

Layers wider than ``MAX_SHOWN`` neurons collapse to their first and last
few with an ellipsis between, so digits' 64 inputs stay readable; a network
with more than ``DENSE_EDGES`` edges drawn (64-25-10, 2-16-16-1) draws them
faint until a selection lights some, so its lines are not a tangle.

The keyboard can use it too: the view takes focus (a dashed frame in the
highlight colour shows it), the arrows move the selection from neuron to
neuron (↑ ↓ within a layer, ← → across layers), and a screen reader reads the
view's accessible name and description, which follow the selected neuron or
edge: ``d_output, sample 0, neuron 0: 0.026`` and where it comes from, in the
words of ``gui/screen_reader.py``.

Text follows the widget's font (View ▸ Larger text, presenter mode) as far as
the space allows: after the scene is fitted to the view, every text is sized
to the font's pixels at that scale, but never larger than its place (a layer
title no wider than the gap between layers, a value no wider than its circle)
and never smaller than ``FONT_PX`` scene units. The legend under the network
is a word-wrapped label in the view's bottom margin, at ``LEGEND_SHARE`` of
the widget's font: it never shrinks with the network (at 1280×720 it read at
8 px when it was drawn in the scene) and never covers it; the network is
fitted to the space above.
"""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontInfo, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsLineItem, QGraphicsPixmapItem,
                               QGraphicsRectItem, QGraphicsScene, QGraphicsSimpleTextItem,
                               QGraphicsView, QLabel, QToolTip)

from engine.catalogue import column_label
from engine.number_text import shown_number

from .screen_reader import asked_description, cell_description, cell_name
from .session_controller import MatrixInfo, Selection
from .tables import focus_pen, row_text
from .theme import LIGHT, Theme

__all__ = ["NetworkDiagram", "shown_indices", "MAX_SHOWN"]

MAX_SHOWN = 16          # neurons drawn per layer before it collapses
KEEP = 6                # neurons kept at each end of a collapsed layer
RADIUS = 31.0
LAYER_GAP = 170.0
NEURON_GAP = 76.0
FONT_PX = 14            # scene units: the smallest text, which scales with the zoom
LEGEND_SHARE = 0.9      # the legend's font, of the widget's: the window's small text
LEGEND_GAP = 4          # pixels between the network and its legend
DENSE_EDGES = 120       # more edges drawn than this: faint until a selection lights some
FAINT_ALPHA = 40        # their opacity (of 255) while faint
HEADING_BOTTOM = -1.15 * NEURON_GAP   # layer titles end above the highest bias unit
ELLIPSIS = -2           # index of the "…" node of a collapsed layer
BIAS = -1               # "from" index of a bias edge
# Keys the focused diagram keeps although the window has ← and → as Step shortcuts.
_ARROWS = {Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1), Qt.Key.Key_Left: (-1, 0),
           Qt.Key.Key_Right: (1, 0)}



def shown_indices(n: int) -> list[int]:
    """Neuron indices drawn for a layer of ``n`` (ELLIPSIS marks the gap)."""
    if n <= MAX_SHOWN:
        return list(range(n))
    return list(range(KEEP)) + [ELLIPSIS] + list(range(n - KEEP, n))


class NetworkDiagram(QGraphicsView):
    """Neurons, bias units and weighted edges of the lesson's network.

    Signals
    -------
    cellClicked(str, int, int)
        A neuron (its column in the relevant table) or an edge (its weight)
        was clicked.
    """

    cellClicked = Signal(str, int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setMinimumSize(240, 180)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.neurons: dict[tuple[int, int], QGraphicsEllipseItem] = {}
        self.edges: dict[tuple[int, int, int], QGraphicsLineItem] = {}
        self.biases: dict[int, QGraphicsRectItem] = {}
        self._labels: dict[tuple[int, int], QGraphicsSimpleTextItem] = {}
        self._layers: tuple[int, ...] = ()
        self._infos: dict[str, MatrixInfo] = {}
        self._values: dict = {}
        self._step_name: str | None = None
        self._selection: Selection | None = None
        self._term: list[tuple[str, int, int]] = []  # an expanded sum's term being added
        self._decimals = 3
        # The legend: what the neurons, edges and small squares show.
        self._caption = QLabel(self)
        self._caption.setObjectName("diagramLegend")
        self._caption.setTextFormat(Qt.TextFormat.PlainText)
        self._caption.setWordWrap(True)
        self._caption.hide()
        # A new margin resizes the viewport at once, which fits the network again:
        # neither may start inside itself.
        self._placing = self._fitting = False
        self._headings: list[QGraphicsSimpleTextItem] = []
        self._dots: list[tuple[QGraphicsSimpleTextItem, QPointF]] = []
        self._dense = False
        self._text_px = float(FONT_PX)
        self._layer_gap = LAYER_GAP
        self._map_images: dict = {}
        self.neuron_maps: dict[tuple[int, int], QGraphicsPixmapItem] = {}
        self._cursor: tuple[int, int] | None = None  # the neuron the arrows move from
        self._theme = LIGHT
        self._zoomed_by_user(False)

    # -- structure -------------------------------------------------------------------
    def set_matrices(self, infos: list[MatrixInfo], layers: tuple[int, ...], bias: bool) -> None:
        """Rebuild the items when the architecture changes; keep them otherwise."""
        self._infos = {info.name: info for info in infos}
        if layers == self._layers and bool(self.biases) == bias:
            self._refresh()
            return
        self._layers = tuple(layers)
        self._values, self._selection = {}, None  # they belong to the old network
        self._cursor = None
        self._term = []
        self._map_images = {}
        self._layer_gap = LAYER_GAP
        self._text_px = float(FONT_PX)
        self._build_items(bias)
        self._zoomed_by_user(False)
        self._fit()
        self._refresh()

    def _build_items(self, bias: bool) -> None:
        """Every item of the scene for ``self._layers``, layers ``self._layer_gap`` apart."""
        layers = self._layers
        scene = self.scene()
        scene.clear()
        self.neurons, self.edges, self.biases, self._labels = {}, {}, {}, {}
        self.neuron_maps, self._headings, self._dots = {}, [], []
        tallest = max(len(shown_indices(n)) for n in layers)
        font = QFont(self.font())
        font.setPixelSize(FONT_PX)
        positions = self._positions(layers, tallest)
        for l in range(1, len(layers)):
            if bias:
                positions[("bias", l)] = self._add_bias_unit(l, positions, font)
            self._add_edges(l, positions, bias)
        self._add_neurons(positions, font)
        self._add_headings(font)
        self._dense = len(self.edges) > DENSE_EDGES
        self._place_texts()
        if self._map_images:
            self.set_neuron_maps(self._map_images)

    def _positions(self, layers: tuple[int, ...], tallest: int) -> dict:
        """Centre of each drawn neuron, keyed (layer, index): layers side by side,
        each centred on the tallest."""
        positions = {}
        for l, n in enumerate(layers):
            shown = shown_indices(n)
            top = (tallest - len(shown)) * NEURON_GAP / 2
            for slot, index in enumerate(shown):
                positions[(l, index)] = QPointF(l * self._layer_gap, top + slot * NEURON_GAP)
        return positions

    def _add_bias_unit(self, l: int, positions: dict, font: QFont) -> QPointF:
        """The square marked 1 that feeds layer ``l``, above the layer before; its centre."""
        first = positions[(l - 1, shown_indices(self._layers[l - 1])[0])]
        corner = QPointF(first.x() + LAYER_GAP * 0.38, first.y() - NEURON_GAP * 0.9)
        box = QGraphicsRectItem(QRectF(corner.x() - 13, corner.y() - 13, 26, 26))
        box.setData(0, ("bias", l))
        box.setZValue(2)
        text = QGraphicsSimpleTextItem("1", box)
        text.setFont(font)
        text.setPos(corner.x() - text.boundingRect().width() / 2,
                    corner.y() - text.boundingRect().height() / 2)
        self.scene().addItem(box)
        self.biases[l] = box
        return corner

    def _add_edges(self, l: int, positions: dict, bias: bool) -> None:
        """A line from every drawn neuron of layer l−1 (and the bias unit) to each of layer l."""
        layers = self._layers
        for j in shown_indices(layers[l]):
            if j == ELLIPSIS:
                continue
            sources = [i for i in shown_indices(layers[l - 1]) if i != ELLIPSIS]
            if bias:
                sources.append(BIAS)
            for i in sources:
                start = positions[("bias", l)] if i == BIAS else positions[(l - 1, i)]
                line = QGraphicsLineItem(start.x(), start.y(), positions[(l, j)].x(),
                                         positions[(l, j)].y())
                line.setData(0, ("edge", l, i, j))
                line.setZValue(0)
                self.scene().addItem(line)
                self.edges[(l, i, j)] = line

    def _add_neurons(self, positions: dict, font: QFont) -> None:
        """A circle with a value label per drawn neuron, "⋮" where a layer collapses."""
        scene = self.scene()
        for (l, index), point in [(k, p) for k, p in positions.items() if k[0] != "bias"]:
            if index == ELLIPSIS:
                dots = QGraphicsSimpleTextItem("⋮")
                dots.setBrush(self.palette().text())
                scene.addItem(dots)
                self._dots.append((dots, point))
                continue
            circle = QGraphicsEllipseItem(QRectF(point.x() - RADIUS, point.y() - RADIUS,
                                                 2 * RADIUS, 2 * RADIUS))
            circle.setData(0, ("neuron", l, index))
            circle.setZValue(2)
            scene.addItem(circle)
            label = QGraphicsSimpleTextItem("", circle)
            label.setFont(font)
            label.setZValue(3)
            self.neurons[(l, index)] = circle
            self._labels[(l, index)] = label

    def _add_headings(self, font: QFont) -> None:
        """Each layer's role and size above it; the legend's words (what the neurons show)."""
        scene = self.scene()
        layers = self._layers
        for l, n in enumerate(layers):
            head = QGraphicsSimpleTextItem(f"{self.layer_role(l)} ({n})")
            head.setFont(font)
            head.setBrush(self.palette().text())
            head.setData(1, l * self._layer_gap)  # the x its title is centred on
            scene.addItem(head)
            self._headings.append(head)
        self._caption.show()   # its words and place: ``_refresh``

    def layer_role(self, l: int) -> str:
        """``input``, ``hidden 1`` … or ``output``: layer ``l`` as its title names it."""
        return "input" if l == 0 else ("output" if l == len(self._layers) - 1 else f"hidden {l}")

    # -- text sizes ----------------------------------------------------------------
    def text_pixels(self) -> float:
        """The scene units a text should have to show at the widget's font size now."""
        scale = self.transform().m11()
        wanted = QFontInfo(self.font()).pixelSize()
        return max(float(FONT_PX), wanted / scale) if scale > 0 else float(FONT_PX)

    def _place_texts(self) -> None:
        """Size and place every text for ``self._text_px`` scene units, each kept
        within its place; then the scene's rectangle around everything."""
        px = self._text_px
        # Every heading no wider than the gap between layers, no taller than a neuron
        # gap, and all in one size: the one the longest needs ("hidden 1 (3)" beside
        # "input (4)" in two sizes read as two kinds of title).
        fit = 1.0
        for head in self._headings:
            _set_pixels(head, px)
            bounds = head.boundingRect()
            fit = min(fit, 0.95 * self._layer_gap / max(1.0, bounds.width()),
                      NEURON_GAP / max(1.0, bounds.height()))
        for head in self._headings:
            _set_pixels(head, max(1.0, px * fit))
            bounds = head.boundingRect()
            head.setPos(head.data(1) - bounds.width() / 2, HEADING_BOTTOM - bounds.height())
        for dots, point in self._dots:
            _set_pixels(dots, min(2 * px, 0.9 * NEURON_GAP))
            bounds = dots.boundingRect()
            dots.setPos(point.x() - bounds.width() / 2, point.y() - bounds.height() / 2)
        for box in self.biases.values():
            for text in box.childItems():
                _set_pixels(text, min(px, 22.0))  # inside its 26-unit square
                centre, bounds = box.rect().center(), text.boundingRect()
                text.setPos(centre.x() - bounds.width() / 2, centre.y() - bounds.height() / 2)
        for label in self._labels.values():
            _set_pixels(label, px)
        self._bound_scene()
        self._refresh()

    def _bound_scene(self) -> None:
        """The scene's rectangle: the network and its titles, room for the maps."""
        bounds = QRectF()
        for item in list(self.neurons.values()) + list(self.biases.values()) + self._headings:
            bounds = bounds.united(item.sceneBoundingRect())
        self.scene().setSceneRect(bounds.adjusted(-20, -20, 20 + 1.5 * RADIUS, 20))

    @contextmanager
    def legend_in_scene(self):
        """While exporting: the legend drawn in the scene under the network (on screen
        it is a label outside the scene), so a picture of the scene carries it."""
        legend = QGraphicsSimpleTextItem(self._caption.text().replace("\u2060", ""))
        legend.setFont(QFont(self.font()))
        legend.setBrush(self.palette().text())
        network = self.scene().itemsBoundingRect()
        # The values' size, as wide as the network at most (a picture does not wrap).
        _set_pixels(legend, self._text_px)
        if legend.boundingRect().width() > network.width():
            _set_pixels(legend, max(FONT_PX, self._text_px * network.width()
                                    / legend.boundingRect().width()))
        legend.setPos(network.left(), network.bottom() + FONT_PX)
        self.scene().addItem(legend)
        try:
            yield
        finally:
            self.scene().removeItem(legend)

    def _place_caption(self) -> bool:
        """The legend across the view's bottom, wrapped to its width, in the window's
        small text; the viewport ends above it. True when the viewport's height changed."""
        caption = self._caption
        font = QFont(self.font())
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * LEGEND_SHARE)
        else:
            font.setPixelSize(max(1, round(font.pixelSize() * LEGEND_SHARE)))
        if caption.font() != font:
            caption.setFont(font)
        frame = self.frameWidth()
        width = max(1, self.width() - 2 * frame - 8)
        height = caption.heightForWidth(width) if caption.isVisibleTo(self) else 0
        bottom = height + LEGEND_GAP if height > 0 else 0
        caption.setGeometry(frame + 4, self.height() - frame - height - 2, width, height)
        if self._placing or self.viewportMargins().bottom() == bottom:
            return False
        self._placing = True
        try:
            self.setViewportMargins(0, 0, 0, bottom)   # the resize fits the network to it
        finally:
            self._placing = False
        return True

    # -- content ---------------------------------------------------------------------
    def set_neuron_maps(self, images: dict) -> None:
        """Small maps beside hidden neurons: what each one outputs over the input plane.

        ``images`` maps (layer, neuron) to a QImage (see gui.views.hidden_unit_maps);
        neurons missing from it (collapsed, or a lesson without a plane) show none.
        """
        self._map_images = images  # drawn again if the layers are spread for larger text
        for key in set(self.neuron_maps) - set(images):
            self.scene().removeItem(self.neuron_maps.pop(key))
        for key, image in images.items():
            circle = self.neurons.get(key)
            if circle is None:
                continue
            item = self.neuron_maps.get(key)
            if item is None:
                item = QGraphicsPixmapItem()
                frame = QGraphicsRectItem(QRectF(0, 0, image.width(), image.height()), item)
                frame.setPen(self._map_frame_pen())
                item.setZValue(4)
                item.setToolTip(f"What hidden neuron {key[1]} of layer {key[0]} outputs over "
                                f"the input plane (blue low, gold high)")
                self.scene().addItem(item)
                self.neuron_maps[key] = item
            item.setPixmap(QPixmap.fromImage(image))
            side = 1.4 * RADIUS  # beside the circle, clear of its label
            item.setScale(side / max(1, image.width()))
            box = circle.rect()
            item.setPos(box.right() + 3, box.top())
        self._refresh()  # the legend says what the squares are, while there are some

    def _map_frame_pen(self) -> QPen:
        """A small map's frame: one pixel of the text's colour at every zoom."""
        pen = QPen(self.palette().text().color(), 1)
        pen.setCosmetic(True)
        return pen

    def set_values(self, values: dict) -> None:
        self._values = values
        self._refresh()
        self._speak()

    def set_step(self, step_name: str | None) -> None:
        # Run publishes the same step every frame, right after new values: nothing to redo.
        if step_name == self._step_name:
            return
        self._step_name = step_name
        self._refresh()

    def set_selection(self, selection: Selection | None) -> None:
        # Nothing selected before or now (Run's frames, mostly): the values' refresh
        # and description stand.
        if selection is None and self._selection is None:
            return
        self._selection = selection
        self._refresh()
        self._speak()

    def set_term(self, cells: list[tuple[str, int, int]]) -> None:
        """Light the neurons and edges of an expanded sum's term being added."""
        if cells != self._term:
            self._term = list(cells)
            self._refresh()

    def set_decimals(self, decimals: int) -> None:
        """Write neuron values with ``decimals`` places, as the tables do."""
        self._decimals = decimals
        self._refresh()

    def set_theme(self, theme: Theme) -> None:
        """Marks and edges in ``theme``'s colours, texts and frames in the palette's
        (already the theme's: gui/theme.py applies it first), repainted now."""
        self._theme = theme
        ink = self.palette().text()
        for text in self._headings + [dots for dots, _point in self._dots]:
            text.setBrush(ink)
        for item in self.neuron_maps.values():
            for frame in item.childItems():
                frame.setPen(self._map_frame_pen())
        self._refresh()

    def _sample(self) -> int:
        """The batch row whose values the neurons show: the selected sample, else 0."""
        selection = self._selection
        info = self._infos.get(selection.name) if selection else None
        if info is not None and (info.per_sample or info.name in ("X", "y")):
            return selection.row
        return 0

    def _phase(self) -> str:
        info = self._infos.get(self._step_name or "")
        return info.phase if info else "inputs"

    def neuron_matrix(self, layer: int) -> str:
        """Which matrix a neuron of ``layer`` stands for now: X, a{l}, or delta{l}."""
        if layer == 0:
            return "X"
        backward = self._phase() in ("backward", "update")
        delta = f"delta{layer}"
        if backward and self._values.get(delta) is not None:
            return delta
        return f"a{layer}"

    def _refresh(self) -> None:
        if not self._layers:
            return
        lit = self._lit()
        sample = self._sample()
        selection = self._selection
        asked = (set() if selection is None or selection.asked is None
                 else set(self._items_of(selection.name, selection.row, selection.column)))
        for (l, j), circle in self.neurons.items():
            name = self.neuron_matrix(l)
            array = self._values.get(name)
            text = ""
            if ("n", l, j) in asked:
                text = "?"  # the learner computes it: its value (or the one before) stays hidden
            elif array is not None and sample < array.shape[0] and j < array.shape[1]:
                text = shown_number(float(array[sample, j]), self._decimals)
            mark = lit.get(("n", l, j))
            self._paint_neuron(circle, self._labels[(l, j)], text, mark, bool(lit))
        for (l, i, j), line in self.edges.items():
            weights = self._values.get(f"W{l}") if i != BIAS else self._values.get(f"b{l}")
            if weights is not None and (max(i, 0) >= weights.shape[0] or j >= weights.shape[1]):
                weights = None  # values of another network, until the new ones arrive
            self._paint_edge(line, weights, 0 if i == BIAS else i, j,
                             lit.get(("e", l, i, j)), bool(lit))
        for l, box in self.biases.items():
            box.setBrush(QBrush(self.palette().base().color()))
            box.setPen(QPen(self.palette().text().color(), 1.5))
            for text in box.childItems():
                text.setBrush(self.palette().text())
        shown = {self.neuron_matrix(l) for l in range(1, len(self._layers))}
        backward = any(n in self._infos and self._infos[n].kind == "delta" for n in shown)
        kind = "deltas" if backward else "activations"
        text = self._caption_text(kind, sample)
        if text != self._caption.text():
            self._caption.setText(text)
            self._place_caption()  # a line more or less: the network fits the space left

    def _caption_text(self, kind: str, sample: int) -> str:
        """The legend: what the neurons, the edges (and the small maps) show."""
        # Wrapped between the key's entries, never inside one ("width ∝ |" / "w|").
        entries = ("blue: w > 0", "vermillion dashed: w < 0", "width ∝ |w|")
        lines = [f"neurons show {kind} of sample {sample}",
                 "  ·  ".join(_unbroken(entry) for entry in entries)]
        if self._dense:
            lines.append("edges faint until you select a neuron or a weight")
        if self.neuron_maps:
            lines.append("small squares: what each hidden neuron outputs over the input "
                         "plane (blue low, gold high)")
        return "\n".join(lines)

    def _paint_neuron(self, circle, label, text, mark, dim) -> None:
        base = self.palette().base().color()
        ink = self.palette().text().color()
        theme = self._theme
        # The tables' second cue, a little wider on a circle: bold for the selected
        # neuron, solid for a term being added, dashed for its precedents; light on a
        # dark background, where a dark ring would vanish.
        ring = QColor(theme.mark_halo or theme.mark_text)
        if mark == "active":
            circle.setBrush(QBrush(QColor(theme.active)))
            circle.setPen(QPen(ring, theme.active_border + 1))
            label.setBrush(QBrush(QColor(theme.mark_text)))
        elif mark == "term":
            circle.setBrush(QBrush(QColor(theme.term)))
            circle.setPen(QPen(ring, theme.term_border + 0.5))
            label.setBrush(QBrush(QColor(theme.mark_text)))
        elif mark == "precedent":
            circle.setBrush(QBrush(QColor(theme.precedent)))
            circle.setPen(QPen(ring, theme.precedent_border + 0.5, Qt.PenStyle.DashLine))
            label.setBrush(QBrush(QColor(theme.mark_text)))
        else:
            circle.setBrush(QBrush(base))
            faded = QColor(ink)
            faded.setAlpha(90 if dim else 255)
            circle.setPen(QPen(faded, 2))
            label.setBrush(QBrush(faded))
        label.setText(text)
        box = circle.rect()
        bounds = label.boundingRect()
        # Many decimals make a long text: shrink it to the circle rather than spill over.
        scale = min(1.0, 0.9 * box.width() / bounds.width()) if bounds.width() > 0 else 1.0
        label.setScale(scale)
        label.setPos(box.center().x() - scale * bounds.width() / 2,
                     box.center().y() - scale * bounds.height() / 2)

    def _paint_edge(self, line, weights, i, j, mark, dim) -> None:
        if weights is None:
            pen = QPen(self.palette().mid().color(), 1)
        else:
            w = float(weights[i, j])
            scale = float(np.max(np.abs(weights))) if weights.size else 0.0
            if not np.isfinite(w) or not np.isfinite(scale):
                w, scale = 0.0, 1.0
            width = 1.0 + 5.0 * abs(w) / scale if scale > 0 else 1.0
            colour = QColor(self._theme.positive if w >= 0 else self._theme.negative)
            if not mark and (dim or self._dense):
                # Behind a selection, or a dense network's tangle: faint until lit.
                colour.setAlpha(FAINT_ALPHA if self._dense else 45)
                width = 1.0 if self._dense else width
            pen = QPen(colour, width, Qt.PenStyle.SolidLine if w >= 0 else Qt.PenStyle.DashLine)
        if mark:
            lit = {"active": self._theme.active, "term": self._theme.term}.get(
                mark, self._theme.precedent)
            pen = QPen(QColor(lit), max(pen.widthF(), 5.0))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        line.setPen(pen)
        line.setZValue(1 if mark else 0)

    def _lit(self) -> dict[tuple, str]:
        """Diagram items behind the selection: ("n", l, j) or ("e", l, i, j) -> mark."""
        selection = self._selection
        if selection is None:
            return {}
        lit: dict[tuple, str] = {}
        for name, r, c in selection.precedents:
            for key in self._items_of(name, r, c):
                lit.setdefault(key, "precedent")
        for name, r, c in self._term:
            for key in self._items_of(name, r, c):
                lit[key] = "term"
        for key in self._items_of(selection.name, selection.row, selection.column):
            lit[key] = "active"
        return lit

    def _items_of(self, name: str, row: int, column: int) -> list[tuple]:
        depth = len(self._layers) - 1
        if name == "X":
            return [("n", 0, column)]
        if name in ("y", "E"):
            return [("n", depth, column)]
        if name == "loss":
            return [("n", depth, j) for j in range(self._layers[-1])]
        info = self._infos.get(name)
        part = None if info is None else info.part
        if part == "weights":
            return [("e", info.layer, row, column)]
        if part == "biases":
            return [("e", info.layer, BIAS, column)]
        if part == "neurons":
            return [("n", info.layer, column)]
        return []

    # -- screen readers ----------------------------------------------------------------
    def _speak(self) -> None:
        """The view's accessible name and description: the selected neuron or edge (the
        cell behind it), else the network and how to move in it."""
        if not self._layers:
            return
        selection = self._selection
        info = self._infos.get(selection.name) if selection is not None else None
        if info is None or info.identity is None:
            shape = "-".join(str(n) for n in self._layers)
            self.setAccessibleName(f"Network diagram ({shape})")
            self.setAccessibleDescription("No neuron or edge selected. The arrows choose a "
                                          "neuron: up and down within a layer, left and "
                                          "right across layers.")
            return
        explanation = selection.explanation
        rows = self._values.get("__rows__")
        rows = range(info.shape[0]) if rows is None else rows
        number = None if explanation is None else explanation.result
        self.setAccessibleName(cell_name(info.learner, row_text(info, selection.row, rows),
                                         column_label(info.identity, selection.column), number))
        names = {name: known.learner for name, known in self._infos.items()}

        def learner(name: str) -> str:
            return names.get(name, name)

        said = (cell_description(explanation, learner) if selection.asked is None
                else asked_description(selection.asked.precedents, learner))
        where = self._where(selection)
        self.setAccessibleDescription(f"{where}; {said}" if where else said)

    def _where(self, selection: Selection) -> str:
        """Which mark of the diagram the selected cell is: a neuron, an edge, the bias."""
        said = []
        for key in self._items_of(selection.name, selection.row, selection.column):
            if key[0] == "n":
                said.append(f"neuron {key[2]} of {self._spoken_layer(key[1])}")
            elif key[2] == BIAS:
                said.append(f"the edge from the bias unit to neuron {key[3]} of "
                            f"{self._spoken_layer(key[1])}")
            else:
                said.append(f"the edge from neuron {key[2]} of {self._spoken_layer(key[1] - 1)}"
                            f" to neuron {key[3]} of {self._spoken_layer(key[1])}")
        return ", ".join(said)

    def _spoken_layer(self, l: int) -> str:
        """``the input layer``, ``hidden layer 1`` … ``the output layer``."""
        role = self.layer_role(l)
        return f"hidden layer {l}" if role.startswith("hidden") else f"the {role} layer"

    # -- the keyboard --------------------------------------------------------------------
    def event(self, event) -> bool:
        # The window's ← and → step; in the focused diagram the arrows choose neurons.
        if (event.type() == QEvent.Type.ShortcutOverride and event.key() in _ARROWS
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        """↑ ↓ select the neuron above or below, ← → the one across in the next layer."""
        move = _ARROWS.get(event.key())
        if move is None or not self.neurons:
            super().keyPressEvent(event)
            return
        self.move_cursor(*move)
        event.accept()

    def move_cursor(self, layers: int, neurons: int) -> None:
        """Select the neuron ``layers`` layers across and ``neurons`` down from the last
        one chosen (the selected neuron, else the last one the arrows chose, else the
        first input), within the network."""
        start = self._selected_neuron() or self._cursor
        if start is None:
            layer, slot = 0, 0
        else:
            layer = max(0, min(len(self._layers) - 1, start[0] + layers))
            slot = self._slots(start[0]).index(start[1]) + neurons
        slots = self._slots(layer)
        index = slots[max(0, min(len(slots) - 1, slot))]
        self._cursor = (layer, index)
        self.click(("neuron", layer, index))
        self.centerOn(self.neurons[(layer, index)])

    def _slots(self, layer: int) -> list[int]:
        """The neurons of ``layer`` that are drawn, top to bottom (no ellipsis)."""
        return [j for j in shown_indices(self._layers[layer]) if j != ELLIPSIS]

    def _selected_neuron(self) -> tuple[int, int] | None:
        selection = self._selection
        if selection is None:
            return None
        for key in self._items_of(selection.name, selection.row, selection.column):
            if key[0] == "n" and (key[1], key[2]) in self.neurons:
                return key[1], key[2]
        return None

    def focusInEvent(self, event) -> None:  # noqa: N802
        super().focusInEvent(event)
        self.viewport().update()

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.viewport().update()

    def paintEvent(self, event) -> None:  # noqa: N802
        super().paintEvent(event)
        if self.hasFocus():  # the keyboard is here: a dashed frame round the view
            painter = QPainter(self.viewport())
            pen = focus_pen(self)
            painter.setPen(pen)
            inset = pen.width()
            painter.drawRect(self.viewport().rect().adjusted(inset // 2, inset // 2,
                                                             -inset, -inset))
            painter.end()

    # -- interaction -------------------------------------------------------------------
    def edge_tip(self, layer: int, i: int, j: int) -> str | None:
        """``wh [3, 2] = 0.420``: the weight behind an edge (i = BIAS: the bias), or None."""
        name = f"b{layer}" if i == BIAS else f"W{layer}"
        row = 0 if i == BIAS else i
        weights = self._values.get(name)
        if weights is None or row >= weights.shape[0] or j >= weights.shape[1]:
            return None
        info = self._infos.get(name)
        learner = info.learner if info is not None else name
        return f"{learner} [{row}, {j}] = {shown_number(float(weights[row, j]), self._decimals)}"

    def viewportEvent(self, event) -> bool:  # noqa: N802
        # An edge's weight is written only when asked for, not on every repaint.
        if event.type() == QEvent.Type.ToolTip:
            item = self.itemAt(event.pos())
            tag = item.data(0) if item is not None else None
            if tag is not None and tag[0] == "edge":
                tip = self.edge_tip(*tag[1:])
                if tip:
                    QToolTip.showText(event.globalPos(), tip, self.viewport())
                    return True
        return super().viewportEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        item = self.itemAt(event.position().toPoint())
        while item is not None and item.data(0) is None:
            item = item.parentItem()
        tag = item.data(0) if item is not None else None
        if tag is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)  # empty space: drag to pan
            return
        self.click(tag)
        event.accept()

    def click(self, tag: tuple) -> None:
        """Select the table cell behind a neuron, an edge or a bias unit."""
        if tag[0] == "neuron":
            _, layer, index = tag
            self.cellClicked.emit(self.neuron_matrix(layer), self._sample(), index)
        elif tag[0] == "edge":
            _, layer, i, j = tag
            if i == BIAS:
                self.cellClicked.emit(f"b{layer}", 0, j)
            else:
                self.cellClicked.emit(f"W{layer}", i, j)
        elif tag[0] == "bias":
            self.cellClicked.emit(f"b{tag[1]}", 0, 0)

    def wheelEvent(self, event) -> None:  # noqa: N802
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.scale(factor, factor)
        self._zoomed_by_user(True)
        event.accept()

    def reset_zoom(self) -> None:
        self._zoomed_by_user(False)
        self._fit()

    def _zoomed_by_user(self, zoomed: bool) -> None:
        """Fitted to the view, the network needs no scroll bars: shown for a moment while
        the view is resized, they would shrink it and have it fitted twice over. Zoomed
        in by the wheel, it may not fit, and the scroll bars say so."""
        self._user_zoomed = zoomed
        policy = (Qt.ScrollBarPolicy.ScrollBarAsNeeded if zoomed
                  else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(policy)
        self.setVerticalScrollBarPolicy(policy)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_caption()
        if not self._user_zoomed and not self._fitting:
            self._fit()

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self._layers:
            self._place_caption()
            self._fit()  # larger text (Ctrl++): the texts grow as far as they fit

    def _fit(self) -> None:
        """Fit the scene to the view, then its texts to the font at that scale.

        Larger texts widen the scene a little, so it is fitted once more; their
        sizes are not changed again (no chase between the two)."""
        if self._fitting:
            return
        self._fitting = True
        try:
            self._fit_once()
        finally:
            self._fitting = False

    def _fit_once(self) -> None:
        """``_fit``'s work, done once even when it changes the legend's margin."""
        rect = self.scene().sceneRect()
        if not rect.isValid():
            return
        if self._user_zoomed:
            pixels = self.text_pixels()
        else:
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
            pixels = self.text_pixels()
        gap = self._wanted_gap(pixels)
        if abs(gap - self._layer_gap) > 0.05 * self._layer_gap:
            # The view has room across: layers further apart give the titles room.
            self._layer_gap = gap
            self._text_px = pixels
            self._build_items(bool(self.biases))
            self._refresh()
        elif abs(pixels - self._text_px) > 0.5:
            self._text_px = pixels
            self._place_texts()
        else:
            return
        if not self._user_zoomed:
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def _wanted_gap(self, pixels: float) -> float:
        """The gap between layers that fits each layer's title at ``pixels`` scene units,
        at least ``LAYER_GAP`` and no wider than keeps the scene within the view's
        proportions (a wider scene would only shrink everything)."""
        if len(self._layers) < 2 or not self._headings:
            return LAYER_GAP
        widest = max(head.boundingRect().width() * pixels / max(1, head.font().pixelSize())
                     for head in self._headings)
        wanted = max(LAYER_GAP, widest / 0.95)
        rect = self.scene().sceneRect()
        viewport = self.viewport().size()
        if rect.height() <= 0 or viewport.height() <= 0:
            return LAYER_GAP
        room = rect.height() * viewport.width() / viewport.height()  # scene width that fits
        extra = rect.width() - (len(self._layers) - 1) * self._layer_gap
        most = (room - extra) / (len(self._layers) - 1)
        return float(max(LAYER_GAP, min(wanted, most)))


def _set_pixels(item: QGraphicsSimpleTextItem, pixels: float) -> None:
    """Set a text item's font size in scene units (whole pixels, at least 1)."""
    font = QFont(item.font())
    if font.pixelSize() == max(1, round(pixels)):
        return  # a new font, even an equal one, makes the item measure its text again
    font.setPixelSize(max(1, round(pixels)))
    item.setFont(font)


def _unbroken(text: str) -> str:
    """``text`` that a word-wrapped label never breaks: no-break spaces, and word
    joiners around the bars of |w| (a line may break after a bar)."""
    return text.replace(" ", "\u00a0").replace("|", "\u2060|\u2060")
