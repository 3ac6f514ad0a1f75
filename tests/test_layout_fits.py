"""Nothing overlaps, nothing is clipped: every dock and teaching view at 1280×720 and
1920×1080, at three text sizes, checked by geometry — the rectangles Qt and pyqtgraph
give for labels, tick texts and diagram items, never pixels."""
from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontInfo, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import (QApplication, QGraphicsEllipseItem,
                               QGraphicsRectItem, QGraphicsSimpleTextItem, QLabel, QWidget)

from gui.plots import FittedPlot
from window_helpers import open_window

SIZES = [(1280, 720), (1920, 1080)]
ZOOMS = [-1, 0, 2]          # Ctrl+- once, normal, Ctrl++ twice
VIEWS = ["boundaryDock", "landscapeDock", "activationDock", "raceDock", "modesDock",
         "gradientCheckDock", "codeDock", "accuracyDock", "confusionDock"]


@pytest.fixture(autouse=True)
def normal_font(qapp):
    """Zoom sets the application's font: each test starts and ends at the normal size."""
    font = QFont(qapp.font())
    yield
    qapp.setFont(font)


def label_problems(root: QWidget) -> list[str]:
    """Visible labels under ``root`` whose text does not fit their rectangle, or that
    overlap a visible sibling label."""
    problems = []
    labels = [label for label in root.findChildren(QLabel)
              if label.isVisibleTo(root) and label.text()]
    for label in labels:
        if label.wordWrap():
            need = label.heightForWidth(label.width())
            if need > label.height() + 2:
                problems.append(f"{label.text()[:40]!r}: needs {need} px high, has "
                                f"{label.height()}")
        elif label.minimumSizeHint().width() > label.width() + 2:
            problems.append(f"{label.text()[:40]!r}: needs {label.minimumSizeHint().width()} "
                            f"px wide, has {label.width()}")
    for a, b in itertools.combinations(labels, 2):
        if a.parentWidget() is b.parentWidget() and a.geometry().intersects(b.geometry()):
            problems.append(f"{a.text()[:30]!r} overlaps {b.text()[:30]!r}")
    return problems


def tick_problems(plot: FittedPlot) -> list[str]:
    """Tick labels of a plot's axes that overlap one another."""
    problems = []
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    for name in ("left", "bottom"):
        axis = plot.getPlotItem().getAxis(name)
        if not axis.isVisible():
            continue
        painter = QPainter(image)
        specs = axis.generateDrawSpecs(painter)
        painter.end()
        if specs is None:
            continue
        texts = [(QRectF(rect), text) for rect, _flags, text in specs[2]]
        for (r1, t1), (r2, t2) in itertools.combinations(texts, 2):
            if r1.intersects(r2):
                problems.append(f"{name} axis: {t1!r} overlaps {t2!r}")
    return problems


def diagram_problems(diagram) -> list[str]:
    """Texts of the node diagram that overlap each other, a neuron or a bias unit they do
    not belong to, spill out of their circle, or fall outside what the view shows."""
    scene = diagram.scene()
    texts = [item for item in scene.items()
             if isinstance(item, QGraphicsSimpleTextItem) and item.isVisible() and item.text()]
    shapes = [item for item in scene.items()
              if isinstance(item, (QGraphicsEllipseItem, QGraphicsRectItem))
              and item.data(0) is not None]
    problems = []
    shown = diagram.mapToScene(diagram.viewport().rect()).boundingRect()
    for text in texts:
        box = text.sceneBoundingRect()
        owner = text.parentItem()
        if not shown.adjusted(-1, -1, 1, 1).contains(box):
            problems.append(f"{text.text()!r} is clipped by the view")
        if owner is not None and not owner.sceneBoundingRect().adjusted(-1, -1, 1, 1) \
                .contains(box):
            problems.append(f"{text.text()!r} spills out of its {owner.data(0)[0]}")
        for shape in shapes:
            if shape is not owner and shape.sceneBoundingRect().intersects(box):
                problems.append(f"{text.text()!r} overlaps {shape.data(0)}")
    for a, b in itertools.combinations(texts, 2):
        if a.sceneBoundingRect().intersects(b.sceneBoundingRect()):
            problems.append(f"{a.text()!r} overlaps {b.text()!r}")
    return problems


SMALL_TEXT = 0.8   # the window's small text, of its font: the least a legend may have


def legend_problems(diagram) -> list[str]:
    """The diagram's legend smaller than the window's small text, cut, outside the
    diagram or over the network's viewport."""
    legend = diagram._caption
    if not legend.isVisible():
        return ["the legend is hidden"]
    problems = []
    least = SMALL_TEXT * QFontInfo(QApplication.font()).pixelSize()
    if QFontInfo(legend.font()).pixelSize() < least:
        problems.append(f"legend text {QFontInfo(legend.font()).pixelSize()} px high, "
                        f"under {least:.1f}")
    if legend.heightForWidth(legend.width()) > legend.height() + 1:
        problems.append(f"legend needs {legend.heightForWidth(legend.width())} px, has "
                        f"{legend.height()}")
    if not diagram.rect().contains(legend.geometry()):
        problems.append(f"legend {legend.geometry()} outside the diagram {diagram.rect()}")
    if legend.geometry().intersects(diagram.viewport().geometry()):
        problems.append("legend over the network")
    return problems


def all_problems(window) -> list[str]:
    problems = []
    teaching = window.teaching_docks_a + window.teaching_docks_b
    for dock in [window.diagram_dock, window.formula_dock, window.plot_dock] \
            + window.teaching_docks_a + window.teaching_docks_b:
        if not dock.isVisible() or dock.visibleRegion().isEmpty():
            continue   # a tab behind another
        view = dock.widget()
        problems += [f"{dock.windowTitle()}: {p}" for p in label_problems(view)]
        for plot in view.findChildren(FittedPlot):
            if plot.isVisibleTo(view):
                problems += [f"{dock.windowTitle()}: {p}" for p in tick_problems(plot)]
                if dock in teaching and plot.height() < 150:   # a map squeezed to a strip
                    problems.append(f"{dock.windowTitle()}: a plot {plot.height()} px high")
    problems += [f"Network: {p}" for p in diagram_problems(window.diagram)]
    if window.diagram_dock.isVisible() and not window.diagram_dock.visibleRegion().isEmpty():
        problems += [f"Network: {p}" for p in legend_problems(window.diagram)]
    return problems


def settle(qtbot, window, size):
    window.resize(*size)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    for _ in range(3):   # layouts settle in a few passes (a text changes a label's height)
        QApplication.processEvents()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("zoom", ZOOMS, ids=lambda z: f"zoom{z:+d}")
def test_every_dock_and_teaching_view_fits(qtbot, tmp_path, size, zoom):
    window = open_window(qtbot, tmp_path, "moons")   # a plane: the boundary draws its map
    for _ in range(abs(zoom)):
        (window.zoom_in_action if zoom > 0 else window.zoom_out_action).trigger()
    window.resize(*size)
    window._default_docks()
    for _ in range(9):
        window.step_action.trigger()   # step 9, values everywhere
    settle(qtbot, window, size)
    assert all_problems(window) == []
    docks = {dock.objectName(): dock for dock in window.teaching_docks_a
             + window.teaching_docks_b}
    opened = []
    for name in VIEWS:
        dock = docks[name]
        dock.toggleViewAction().trigger()
        opened.append(dock)
        qtbot.waitUntil(lambda d=dock: not d.visibleRegion().isEmpty())
        settle(qtbot, window, size)
        # A tab beside the diagram: the window keeps the screen's size ...
        assert window.height() == size[1] and window.minimumSizeHint().height() <= size[1]
        # ... the view is wide enough to read (the tables scroll sideways instead) ...
        assert dock.width() >= 0.38 * size[0], (name, dock.width())
        # ... and takes the larger part of its column's height ...
        column = dock.height() + window.formula_dock.height() + window.plot_dock.height()
        assert dock.height() >= 0.55 * column, (name, dock.height(), column)
        # ... every view opened so far keeps a real height ...
        heights = {d.windowTitle(): d.height()
                   for d in opened + [window.diagram_dock, window.formula_dock, window.plot_dock]}
        lines = QFontMetrics(window.font()).height()
        assert min(heights.values()) > 4 * lines, heights   # four lines at least, never a strip
        # ... and nothing in what is on screen overlaps or is cut.
        assert all_problems(window) == [], name


@pytest.mark.parametrize("lesson", ["digits", "spiral"])
def test_dense_diagrams_are_faint_until_selected_and_their_texts_fit(qtbot, tmp_path, lesson):
    window = open_window(qtbot, tmp_path, lesson)
    window.resize(1280, 720)
    window._default_docks()
    settle(qtbot, window, (1280, 720))
    diagram = window.diagram
    assert diagram_problems(diagram) == []
    edges = list(diagram.edges.values())
    assert len(edges) > 120
    window.step_action.trigger()
    assert all(line.pen().color().alpha() < 60 for line in edges)
    key = next(iter(diagram.edges))
    diagram.click(("edge",) + key)
    lit = diagram.edges[key]
    assert lit.pen().color().alpha() == 255 and lit.pen().widthF() >= 5
    assert "faint" in diagram._caption.text()
    assert legend_problems(diagram) == []


def test_legend_reads_at_the_windows_small_text_at_1280x720(qtbot, tmp_path):
    """The walk-through at step 9 in the default docks: the legend under the network
    is at least 80 % of the window's text, wrapped whole, and the network is fitted
    above it, values inside their circles."""
    window = open_window(qtbot, tmp_path)
    window.resize(1280, 720)
    window._default_docks()
    for _ in range(9):
        window.step_action.trigger()
    settle(qtbot, window, (1280, 720))
    diagram = window.diagram
    assert "neurons show" in diagram._caption.text()
    assert legend_problems(diagram) == [] and diagram_problems(diagram) == []
    lines = QFontMetrics(diagram._caption.font()).lineSpacing()
    assert diagram._caption.height() >= 2 * lines   # every line of it, none cut
    network = diagram.mapFromScene(diagram.scene().sceneRect()).boundingRect()
    assert network.bottom() <= diagram.viewport().height() + 1   # all of it above the legend


def test_the_diagrams_layer_headings_are_one_size_and_fit_their_gaps(qtbot, tmp_path):
    """"input (4)", "hidden 1 (3)" and "output (1)" read as one kind of title: one
    size, the one the widest needs to fit the gap between layers, however narrow."""
    window = open_window(qtbot, tmp_path)
    window.resize(1280, 720)
    window._default_docks()
    settle(qtbot, window, (1280, 720))
    diagram = window.diagram
    wide = diagram._layer_gap
    for gap in (wide, 90.0, 60.0):   # a narrow dock: the longer headings must shrink
        diagram._layer_gap = gap
        diagram._place_texts()
        headings = diagram._headings
        assert len(headings) == 3
        assert len({head.font().pixelSize() for head in headings}) == 1, gap
        for head in headings:
            assert head.boundingRect().width() <= 0.95 * gap + 1, (gap, head.text())


def test_larger_text_grows_the_diagram_and_the_plot_axes(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    window.resize(1280, 720)
    window._default_docks()
    settle(qtbot, window, (1280, 720))
    def heading_pixels():
        """The layer title's height on screen (the items are new when layers spread)."""
        heading = next(item for item in window.diagram.scene().items()
                       if isinstance(item, QGraphicsSimpleTextItem) and "hidden" in item.text())
        return heading.sceneBoundingRect().height() * window.diagram.transform().m11()
    before = heading_pixels()
    legend = window.diagram._caption
    legend_before = QFontInfo(legend.font()).pixelSize()
    assert legend_problems(window.diagram) == []
    axis = window.plot.plot.getPlotItem().getAxis("left")
    tick = axis.style["tickFont"].pointSizeF()
    window.zoom_in_action.trigger()
    window.zoom_in_action.trigger()
    settle(qtbot, window, (1280, 720))
    assert heading_pixels() > before * 1.1
    assert QFontInfo(legend.font()).pixelSize() > legend_before * 1.1
    assert legend_problems(window.diagram) == []
    assert axis.style["tickFont"].pointSizeF() > tick
    assert diagram_problems(window.diagram) == []


def test_a_wrapped_label_gives_back_its_lines_when_its_dock_widens(qtbot, tmp_path):
    """A scrolled view's wrapped label keeps the height of its lines at its width: narrow,
    many lines; widened, fewer again (Qt's own answer never drops below a minimum set)."""
    from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
    from gui.views.lazy_dock import ViewDock
    window = open_window(qtbot, tmp_path)
    view = QWidget()
    label = QLabel("a key of several words that wraps onto many lines when it is narrow")
    label.setWordWrap(True)
    QVBoxLayout(view).addWidget(label)
    dock = ViewDock("Probe", "probeDock", lambda: view, window, scrolled=True)
    dock.setFloating(True)
    dock.show()
    dock.widget()
    line = label.fontMetrics().lineSpacing()
    dock.resize(120, 400)
    qtbot.waitUntil(lambda: label.minimumHeight() > 3 * line)
    dock.resize(900, 400)
    qtbot.waitUntil(lambda: label.minimumHeight() <= 2 * line)


def test_a_chosen_cells_formula_scrolls_into_view_in_a_short_formula_dock(qtbot, tmp_path):
    """At 1280x720 the formula dock is short: the step's formula fills it, and the
    formula of a cell just clicked would sit below, out of sight. It is scrolled into
    view (whole, or from its top when taller than the dock); choosing it again, as
    every frame of Run does, leaves the scroll where the learner put it."""
    window = open_window(qtbot, tmp_path)
    window.resize(1280, 720)
    window._default_docks()
    # As short as the dock came out on a 1280x720 screen with a projector's text.
    window.resizeDocks([window.formula_dock], [110], Qt.Orientation.Vertical)
    settle(qtbot, window, (1280, 720))
    for _ in range(9):
        window.controller.step()
    panel = window.formula
    panel.verticalScrollBar().setValue(0)
    window.controller.select("delta2", 1, 0)
    label = panel.cell_label
    panel.widget().layout().activate()   # the new formula's real height
    view = panel.viewport().height()

    def shown() -> bool:
        top = label.y() - panel.verticalScrollBar().value()
        return 0 <= top and (top + label.height() <= view if label.height() <= view
                             else top <= panel._layout.spacing())
    assert label.y() + label.height() > view  # below the step's formula: out of sight at first
    qtbot.waitUntil(shown)
    assert "= 0.022" in panel.cell_text
    panel.verticalScrollBar().setValue(0)
    window.controller.select("delta2", 1, 0)  # the same cell again: no scroll
    QApplication.processEvents()  # a queued scroll would run here
    assert panel.verticalScrollBar().value() == 0
