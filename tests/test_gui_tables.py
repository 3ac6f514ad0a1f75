"""The array model on its own, and a digits-sized lesson in the window."""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QSettings, Qt

from engine.lesson import parse_lesson
from gui.main_window import MainWindow
from engine.catalogue import identify
from gui.session_controller import MatrixInfo
from gui.tables import ACTIVE_COLOUR, ArrayModel, MatrixView, PRECEDENT_COLOUR

BG = Qt.ItemDataRole.BackgroundRole


def info(shape=(1797, 64), name="X", per_sample=True, editable=True):
    return MatrixInfo(name, "inputs", "input", 0, name, name, "", shape, per_sample, editable,
                      identity=identify(name, 3))


def test_model_formats_on_demand_with_python_types(qtbot):
    array = np.random.default_rng(0).normal(size=(1797, 64))
    model = ArrayModel(info())
    model.set_values(array, np.arange(1797)[::-1].copy())
    assert (model.rowCount(), model.columnCount()) == (1797, 64)
    index = model.index(1500, 63)
    assert model.data(index) == f"{array[1500, 63]:.3f}"
    edit = model.data(index, Qt.ItemDataRole.EditRole)
    assert type(edit) is float and edit == array[1500, 63]
    assert model.headerData(1500, Qt.Orientation.Vertical) == "sample 296"
    assert model.headerData(63, Qt.Orientation.Horizontal) == "input 63"
    assert model.data(index, BG) is None


def test_same_shape_is_one_data_changed_new_shape_is_a_reset(qtbot):
    model = ArrayModel(info((3, 4), per_sample=False))
    model.set_values(np.zeros((3, 4)))
    changes, resets = [], []
    model.dataChanged.connect(lambda a, b: changes.append((a.row(), a.column(), b.row(),
                                                           b.column())))
    model.modelReset.connect(lambda: resets.append(1))
    model.set_values(np.ones((3, 4)))
    assert changes == [(0, 0, 2, 3)] and not resets
    model.set_values(np.ones((3, 4)))  # unchanged numbers: no repaint at all
    assert len(changes) == 1
    model.set_values(np.ones((5, 4)))
    assert resets == [1]


def test_marks_and_hidden_cells(qtbot):
    model = ArrayModel(info((2, 2), per_sample=False))
    assert model.data(model.index(0, 0)) is None  # not revealed: empty, greyed
    assert model.data(model.index(0, 0), BG) is not None
    model.set_values(np.array([[1.0, 2.0], [3.0, 4.0]]))
    model.set_marks((0, 1), {(1, 0)})
    assert model.data(model.index(0, 1), BG).color() == ACTIVE_COLOUR
    assert model.data(model.index(1, 0), BG).color() == PRECEDENT_COLOUR
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ForegroundRole).color().name() == "#000000"
    assert model.to_tsv().splitlines()[1] == "input 0\t1.0\t2.0"


def test_big_table_sizes_from_font_not_data(qtbot):
    model = ArrayModel(info())
    model.set_values(np.zeros((1797, 64)))
    start = time.perf_counter()
    view = MatrixView(model)
    qtbot.addWidget(view)
    view.show()
    for row in range(0, 1797, 300):
        view.scrollTo(model.index(row, row % 64))
        view.viewport().repaint()
    assert time.perf_counter() - start < 2.0
    assert view.height() < 400  # ten rows shown, the rest scrolls


def test_a_table_on_its_own_takes_and_loses_the_focus(qtbot):
    """A table outside a card (the benchmark scrolls one so) has no card to frame."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QFocusEvent
    model = ArrayModel(info())
    model.set_values(np.zeros((3, 2)))
    view = MatrixView(model)
    qtbot.addWidget(view)
    assert view.parentWidget() is None
    view.focusInEvent(QFocusEvent(QEvent.Type.FocusIn))
    view.focusOutEvent(QFocusEvent(QEvent.Type.FocusOut))


def test_digits_sized_lesson_stays_responsive(qtbot, tmp_path):
    rng = np.random.default_rng(1)
    X = rng.integers(0, 17, (1797, 64)).astype(float)
    y = np.eye(10)[rng.integers(0, 10, 1797)]
    doc = {"format": "backprop-tracer.lesson", "version": 1, "title": "digits-sized",
           "data": {"X": X.tolist(), "y": y.tolist()},
           "network": {"layers": [64, 32, 10], "activation": ["sigmoid", "softmax"],
                       "init": "xavier"},
           "training": {"loss": "cross_entropy", "learning_rate": 0.5, "epochs": 100000}}
    window = MainWindow(parse_lesson(doc, "digits"),
                        QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    session = window.controller.session
    durations = []
    run = session.run

    def timed(epochs, tolerance=None, **options):
        start = time.perf_counter()
        report = run(epochs, tolerance, **options)
        durations.append(time.perf_counter() - start)
        return report

    session.run = timed
    for _ in range(3):
        window.step_action.trigger()
    assert window.tables.cards["a1"].model.shape == (1797, 32)
    window.run_action.trigger()
    qtbot.waitUntil(lambda: session.epochs_done >= 5, timeout=20_000)
    window.run_action.trigger()
    assert not window.controller.running
    # Each tick is a small slice of training: the window never waits long on it.
    assert max(durations) < 0.25
    assert len(window.diagram.neurons) == 12 + 12 + 10  # wide layers collapse


def test_a_card_wider_than_the_panel_is_brought_into_view_by_its_left_edge(qtbot, tmp_path):
    """The matrix just computed scrolls into view with its title and row labels, not
    its right end (moons' 1 × 10 updated biases are wider than a narrow panel)."""
    from window_helpers import open_window
    window = open_window(qtbot, tmp_path, "moons")
    window.resize(900, 700)
    tables = window.tables
    while window.controller.position.step < 19:
        window.step_action.trigger()
    qtbot.waitUntil(lambda: tables.cards["new_b1"].built)
    card = tables.cards["new_b1"]

    def placed() -> bool:
        left = card.mapTo(tables.widget(), card.rect().topLeft()).x()
        top = card.mapTo(tables.widget(), card.rect().topLeft()).y()
        shown_y = tables.verticalScrollBar().value()
        return (tables.horizontalScrollBar().value() <= left
                and shown_y <= top < shown_y + tables.viewport().height())
    assert card.width() > tables.viewport().width()
    qtbot.waitUntil(placed)
