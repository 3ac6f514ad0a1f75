"""File → Export: the lesson and the views as files a teacher can hand out.

``Exporter`` writes, for the window:

* the Excel workbook of live formulas (``engine.export_xlsx``) of the
  iteration shown and the ones after it, in the window's presentation;
* the standalone NumPy script (``engine.export_script``);
* the Jupyter notebook (``engine.export_notebook``);
* one table as CSV (a header row, then every number with all its digits);
* the node diagram as PNG or SVG (``QGraphicsScene.render`` into a QImage
  or a ``QSvgGenerator``);
* the loss plot as PNG (pyqtgraph's ``ImageExporter``) or SVG (its scene
  through a ``QSvgGenerator``: pyqtgraph 0.14's ``SVGExporter`` fails on the
  path syntax Qt 6.12 writes, pyqtgraph issue #3485), its lines moved into
  the drawing's own coordinates (``device_coordinates``) so that programs
  which ignore ``vector-effect`` draw them as thin as the window does; a
  legend on the picture names each curve (training, held-out rows, the
  kept runs: ``LossPlot.exported_key``), since the window's key is beside it.

Every file is written atomically: a temporary file beside the target,
then a rename, so a failure leaves the old file (or none) and never half
of one. The workbook, the script and the notebook are written on the thread pool (the
digits workbook takes seconds) from copies taken in the GUI thread; the
images and the CSV are quick and written at once. Results are signals:
``finished(text)`` for the status bar, ``failed(text)`` for a message
that names the file.

It also gives every table a context menu: Copy as tab-separated text,
Export as CSV….
"""
from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QObject, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QGraphicsScene, QInputDialog, QMenu, QWidget
import pyqtgraph.exporters as pg_exporters  # after PySide6, so pyqtgraph binds to it

from engine.files import atomic_write_bytes, atomic_write_text

from .background import BackgroundJob, problem_text
from .diagram import NetworkDiagram
from .plots import LossPlot
from .session_controller import SessionController
from .tables import MatrixCard, TablesPanel

__all__ = ["Exporter", "table_csv_text", "device_coordinates", "MAX_WORKBOOK_ITERATIONS",
           "IMAGE_FILTERS"]

MAX_WORKBOOK_ITERATIONS = 50
IMAGE_FILTERS = "PNG image (*.png);;SVG drawing (*.svg)"
IMAGE_SCALE = 2.0          # PNGs at twice the scene's size: crisp on slides and projectors
PLOT_WIDTH = 1600          # pixels of an exported loss plot
MARGIN = 16.0              # scene units around the diagram
BACKGROUND = QColor("#FFFFFF")


def _image_bytes(image: QImage) -> bytes:
    """The image encoded as PNG."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError("the image could not be encoded as PNG")
    return bytes(buffer.data())


def table_csv_text(card: MatrixCard) -> str:
    """A table as CSV: its column labels, then one line per row, every digit kept.

    ``repr`` of a float reads back as the same float, so the file
    round-trips through ``numpy.loadtxt(path, delimiter=",", skiprows=1)``.
    """
    model = card.model
    array = model.array
    rows, columns = array.shape
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([model.headerData(c, Qt.Orientation.Horizontal) for c in range(columns)])
    for r in range(rows):
        writer.writerow([repr(float(value)) for value in array[r]])
    return out.getvalue()


def _failure(path: str | os.PathLike, exc: BaseException) -> str:
    text = problem_text(exc)
    return text if str(path) in text else f"{path}: {text}"


def _with_suffix(path: str, chosen_filter: str) -> str:
    """Add .png or .svg from the chosen file filter when the name has neither."""
    if Path(path).suffix.lower() in (".png", ".svg"):
        return path
    return path + (".svg" if "svg" in chosen_filter.lower() else ".png")


class Exporter(QObject):
    """Writes the window's lesson, tables, diagram and plot to files.

    Parameters
    ----------
    controller : SessionController
    tables : TablesPanel
    diagram : NetworkDiagram
    plot : LossPlot
    parent : QWidget
        The window: file dialogs open over it.
    folder : str
        Where the file dialogs start (then the folder of the last export).

    Signals
    -------
    finished(str)
        A file was written; the text says which.
    failed(str)
        Nothing was written (or the old file was kept); the text names the file
        and the reason.
    busyChanged(bool)
        A background export started (True) or ended (False).
    """

    finished = Signal(str)
    failed = Signal(str)
    busyChanged = Signal(bool)

    def __init__(self, controller: SessionController, tables: TablesPanel,
                 diagram: NetworkDiagram, plot: LossPlot, parent: QWidget, folder: str = ""):
        super().__init__(parent)
        self.controller = controller
        self.tables = tables
        self.diagram = diagram
        self.plot = plot
        self.folder = folder
        self._job: BackgroundJob | None = None

    @property
    def busy(self) -> bool:
        return self._job is not None

    # -- background writes (workbook, script, notebook) --------------------------------
    def _start(self, path: str, what: str, function, *args) -> bool:
        if self._job is not None:
            self.failed.emit(f"{path}: not written — the previous export is still being "
                             f"written; try again when it has finished")
            return False
        self.folder = str(Path(path).parent)
        job = BackgroundJob(function, *args)
        job.done.connect(lambda _result: self._job_ended(f"wrote {what} {path}", None))
        job.failed.connect(lambda text: self._job_ended(None, text if str(path) in text
                                                         else f"{path}: {text}"))
        self._job = job.start()
        self.busyChanged.emit(True)
        return True

    def _job_ended(self, done: str | None, problem: str | None) -> None:
        self._job = None
        self.busyChanged.emit(False)
        if problem is None:
            self.finished.emit(done)
        else:
            self.failed.emit(problem)

    def workbook(self, path: str, iterations: int = 1) -> bool:
        """Start writing the workbook of the iteration shown and the next ones.

        The controller records the iterations now, in the GUI thread that
        owns the session; only writing the file, the slow part, runs in the
        background.
        """
        writer = self.controller.files.workbook_writer(iterations)
        return self._start(path, "the workbook", writer, path)

    def script(self, path: str) -> bool:
        """Start writing the NumPy script that reproduces the lesson's run."""
        return self._start(path, "the script", self.controller.files.script_writer(), path)

    def notebook(self, path: str) -> bool:
        """Start writing the Jupyter notebook: one iteration step by step, then the run."""
        return self._start(path, "the notebook", self.controller.files.notebook_writer(), path)

    # -- immediate writes (table, images) -----------------------------------------------
    def _write(self, path: str, what: str, produce) -> bool:
        """``produce()`` gives bytes or text; write them atomically and report."""
        try:
            content = produce()
            if isinstance(content, str):
                atomic_write_text(content, path)
            else:
                atomic_write_bytes(content, path)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message
            self.failed.emit(_failure(path, exc))
            return False
        self.folder = str(Path(path).parent)
        self.finished.emit(f"wrote {what} {path}")
        return True

    def table_csv(self, name: str, path: str) -> bool:
        """Write the table of matrix ``name`` as CSV."""
        card = self.tables.cards.get(name)
        if card is None:
            self.failed.emit(f"{path}: not written — this iteration has no table {name}")
            return False
        if card.model.array is None:
            self.failed.emit(f"{path}: not written — {card.model.info.learner} is not computed "
                             f"yet; step to it first")
            return False
        return self._write(path, f"{card.model.info.learner} as CSV",
                           lambda: table_csv_text(card))

    def diagram_image(self, path: str) -> bool:
        """Write the node diagram, its legend under it, as PNG or SVG (by the file's suffix)."""
        with self.diagram.legend_in_scene():
            scene = self.diagram.scene()
            source = scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
            if Path(path).suffix.lower() == ".svg":
                return self._write(path, "the diagram", lambda: _scene_svg(
                    scene, source, "Backprop Tracer: the network"))
            return self._write(path, "the diagram", lambda: _scene_png(scene, source))

    def plot_image(self, path: str) -> bool:
        """Write the loss plot as PNG or SVG (by the file's suffix), with a legend
        naming every curve drawn."""
        item = self.plot.plot.getPlotItem()
        if item.sceneBoundingRect().width() < 1 or item.sceneBoundingRect().height() < 1:
            self.failed.emit(f"{path}: not written — the loss plot has no size yet; show it "
                             f"(View → Loss per epoch) and export again")
            return False
        if Path(path).suffix.lower() == ".svg":
            def svg() -> bytes:
                with self.plot.exported_key():
                    return _scene_svg(item.scene(), item.sceneBoundingRect(),
                                      "Backprop Tracer: loss per epoch")
            return self._write(path, "the loss plot", svg)

        def png() -> bytes:
            with self.plot.exported_key(PLOT_WIDTH / item.sceneBoundingRect().width()):
                exporter = pg_exporters.ImageExporter(item)
                exporter.parameters()["background"] = BACKGROUND
                exporter.parameters()["width"] = PLOT_WIDTH
                return _image_bytes(exporter.export(toBytes=True))
        return self._write(path, "the loss plot", png)

    def copy_table(self, name: str) -> None:
        """Put the table of ``name`` on the clipboard as tab-separated text."""
        card = self.tables.cards.get(name)
        if card is None:
            return
        QGuiApplication.clipboard().setText(card.model.to_tsv())
        self.finished.emit(f"copied {card.model.info.learner} as tab-separated text")

    # -- asking for a file ------------------------------------------------------------
    def _ask(self, title: str, name: str, filters: str) -> tuple[str, str]:
        parent = self.parent()
        start = str(Path(self.folder) / name) if self.folder else name
        return QFileDialog.getSaveFileName(parent, title, start, filters)

    def _stem(self) -> str:
        title = self.controller.lesson.title
        return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in title).strip("_") \
            or "lesson"

    def ask_workbook(self) -> None:
        iterations, ok = QInputDialog.getInt(
            self.parent(), "Export Excel workbook",
            "Iterations to lay out, one worksheet each\n(starting at the iteration shown):",
            1, 1, MAX_WORKBOOK_ITERATIONS)
        if not ok:
            return
        path, _ = self._ask("Export Excel workbook", f"{self._stem()}.xlsx",
                            "Excel workbook (*.xlsx)")
        if path:
            self.workbook(path if path.lower().endswith(".xlsx") else path + ".xlsx", iterations)

    def ask_script(self) -> None:
        path, _ = self._ask("Export NumPy script", f"{self._stem()}.py", "Python script (*.py)")
        if path:
            self.script(path if path.lower().endswith(".py") else path + ".py")

    def ask_notebook(self) -> None:
        path, _ = self._ask("Export Jupyter notebook", f"{self._stem()}.ipynb",
                            "Jupyter notebook (*.ipynb)")
        if path:
            self.notebook(path if path.lower().endswith(".ipynb") else path + ".ipynb")

    def current_table(self) -> str | None:
        """The table with focus, else the selected cell's, else the one just computed."""
        card = self.tables.focused_card()
        selection = self.controller.selection
        if card is None and selection is not None and selection[0] in self.tables.cards:
            card = self.tables.cards[selection[0]]
        return None if card is None else card.name

    def ask_table_csv(self, name: str | None = None) -> None:
        name = name or self.current_table()
        if name is None:
            self.failed.emit("no table to export: click a table first, then export it")
            return
        learner = self.tables.cards[name].model.info.learner
        path, _ = self._ask(f"Export {learner} as CSV", f"{learner}.csv", "CSV file (*.csv)")
        if path:
            self.table_csv(name, path if path.lower().endswith(".csv") else path + ".csv")

    def ask_diagram(self) -> None:
        path, chosen = self._ask("Export the diagram", "network.png", IMAGE_FILTERS)
        if path:
            self.diagram_image(_with_suffix(path, chosen))

    def ask_plot(self) -> None:
        path, chosen = self._ask("Export the loss plot", "loss.png", IMAGE_FILTERS)
        if path:
            self.plot_image(_with_suffix(path, chosen))

    # -- the tables' context menu -------------------------------------------------------
    def attach_table_menu(self, name: str) -> None:
        """Give the table of ``name`` its right-click menu (once)."""
        view = self.tables.cards[name].view
        if view.property("exportMenu"):
            return
        view.setProperty("exportMenu", True)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(
            lambda position: self.table_menu(name).exec(view.viewport().mapToGlobal(position)))

    def table_menu(self, name: str) -> QMenu:
        """Copy as tab-separated text, Export as CSV… for the table of ``name``."""
        menu = QMenu(self.parent())
        menu.addAction("Copy as tab-separated text", lambda: self.copy_table(name))
        menu.addAction("Export as CSV…", lambda: self.ask_table_csv(name))
        return menu


def _scene_png(scene: QGraphicsScene, source: QRectF) -> bytes:
    size = QSize(max(1, round(source.width() * IMAGE_SCALE)),
                 max(1, round(source.height() * IMAGE_SCALE)))
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(BACKGROUND)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(QPointF(0, 0), size.toSizeF()), source)
    painter.end()
    return _image_bytes(image)


def _scene_svg(scene: QGraphicsScene, source: QRectF, title: str) -> bytes:
    size = QSize(max(1, round(source.width())), max(1, round(source.height())))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setTitle(title)
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError("the SVG drawing could not be started")
    painter.fillRect(QRectF(0, 0, size.width(), size.height()), BACKGROUND)
    scene.render(painter, QRectF(0, 0, size.width(), size.height()), source)
    painter.end()
    return device_coordinates(bytes(buffer.data()).decode("utf-8")).encode("utf-8")


# A group Qt's SVG generator writes around what an item painted in its own units.
_GROUP = re.compile(r'(<g\b[^>]*?) transform="matrix\(([^)]*)\)"([^>]*>)(.*?)(</g>)', re.S)
_PAIR = re.compile(r"(-?[0-9.]+(?:e[-+]?[0-9]+)?),(-?[0-9.]+(?:e[-+]?[0-9]+)?)")
_SHAPE = re.compile(r"<(\w+)")


def device_coordinates(svg: str) -> str:
    """``svg`` with every group of thin lines drawn in the drawing's own coordinates.

    pyqtgraph paints a curve or the epoch marker in plot units under a
    scaling transform, with a cosmetic (one-pixel) pen; Qt writes that as
    ``transform="matrix(…)"`` on the group and ``vector-effect="non-scaling-stroke"``
    on the line. Viewers that ignore the vector effect (LibreOffice,
    ImageMagick) scale the stroke too: the one-pixel dashed marker of an
    axis 150 units long became a bar 150 pixels wide. Here each group whose
    shapes are all such paths and polylines gets its points mapped through
    the matrix and loses the transform; groups with text, images or
    rectangles are left as Qt wrote them.
    """
    def flatten(group: re.Match) -> str:
        head, matrix, rest, body, end = group.groups()
        shapes = set(_SHAPE.findall(body))
        if not shapes or not shapes <= {"path", "polyline"} or "non-scaling-stroke" not in body:
            return group.group(0)
        a, b, c, d, e, f = (float(value) for value in matrix.split(","))

        def mapped(pair: re.Match) -> str:
            x, y = float(pair.group(1)), float(pair.group(2))
            return f"{a * x + c * y + e:.6g},{b * x + d * y + f:.6g}"
        body = re.sub(r'(\b(?:d|points)=")([^"]*)(")',
                      lambda attr: attr.group(1) + _PAIR.sub(mapped, attr.group(2)) + attr.group(3),
                      body)
        return head + rest + body + end
    return _GROUP.sub(flatten, svg)
