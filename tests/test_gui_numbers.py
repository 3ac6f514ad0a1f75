"""Numbers never hide: every table cell and neuron is written by
``engine.number_text.shown_number`` (at least two significant digits, no
−0.000), columns fit every text it writes, and an updated weight whose
change is too small to see at the shown decimals says so."""
from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics

from engine.lesson import load_lesson, resolve_lesson
from engine.number_text import LARGE, MINUS, shown_change, shown_number
from engine.catalogue import identify
from gui.session_controller import MatrixInfo, SessionController
from gui.tables import (ArrayModel, ChangeRole, MatrixView, TablesPanel, note_font,
                        table_geometry)
from window_helpers import open_window

TOOL_TIP = Qt.ItemDataRole.ToolTipRole


def model_of(array, name="W1", kind="input", layer=1):
    info = MatrixInfo(name, "inputs", kind, layer, name, name, "", array.shape, False, True,
                      identity=identify(name, 3))
    model = ArrayModel(info)
    model.set_values(array)
    return model


def texts(model):
    rows, columns = model.shape
    return [[model.data(model.index(r, c)) for c in range(columns)] for r in range(rows)]


def significant_digits(text: str) -> int:
    """Digits of a shown number from its first non-zero one, trailing zeros included."""
    mantissa = text.lstrip(MINUS).split("e")[0].replace(".", "")
    return len(mantissa.lstrip("0"))


def parsed(text: str) -> float:
    return float(text.replace(MINUS, "-"))


def awkward_values() -> np.ndarray:
    """Values on and around every boundary of the rule, both signs, and the odd ones."""
    rng = np.random.default_rng(15)
    values = [0.0, -0.0, math.nan, math.inf, -math.inf, 5e-324, sys.float_info.max,
              float(np.nextafter(LARGE, 0.0)), LARGE, 0.0095, 0.00951, 0.0005, 0.005]
    for decimals in range(13):
        edge = 10.0 ** (1 - decimals)
        values += [edge, float(np.nextafter(edge, 0.0)), float(np.nextafter(edge, 1.0)),
                   edge * 0.95, edge * 0.949999, 10.0 ** -decimals, 0.5 * 10.0 ** -decimals]
    values += (10.0 ** rng.uniform(-12, 9, 400)).tolist()
    values = np.array(values)
    return np.concatenate([values, -values])


@pytest.mark.parametrize("decimals", range(13))
def test_every_cell_is_written_as_shown_number_writes_it(qtbot, decimals):
    values = awkward_values()
    model = model_of(values.reshape(1, -1))
    model.set_decimals(decimals)
    expected = [shown_number(x, decimals) for x in values]
    assert texts(model)[0] == expected


def test_minus_zero_never_shows_and_tiny_values_keep_two_digits(qtbot):
    model = model_of(np.array([[-0.0, 0.0, -1e-20, 4.51e-4, -0.0004, 0.026, -0.17]]))
    assert texts(model)[0] == ["0.000", "0.000", f"{MINUS}1.0e{MINUS}20", f"4.5e{MINUS}4",
                               f"{MINUS}4.0e{MINUS}4", "0.026", f"{MINUS}0.170"]


@pytest.mark.parametrize("decimals", [0, 1, 3, 6, 10])
def test_columns_fit_every_text_the_rule_writes(qtbot, decimals):
    values = awkward_values()
    model = model_of(values.reshape(1, -1), "new_W1", "new_W", 1)
    model.set_values(values.reshape(1, -1), before=np.nextafter(values, 0.0).reshape(1, -1))
    model.set_decimals(decimals)
    view = MatrixView(model)
    qtbot.addWidget(view)
    metrics = view.fontMetrics()
    note_metrics = QFontMetrics(note_font(view.font()))
    # The style's text margins, a few pixels, are inside the column too.
    room = view.columnWidth(0) - 2 * metrics.horizontalAdvance("8") // 2
    widest = max(metrics.horizontalAdvance(text) for text in texts(model)[0])
    assert widest <= room
    notes = [model.data(model.index(0, c), ChangeRole) for c in range(model.columnCount())]
    assert any(notes)
    assert max(note_metrics.horizontalAdvance(n) for n in notes if n) <= room
    # The note has its own line beneath the number: they never overlap.
    assert view.rowHeight(0) >= metrics.height() + note_metrics.height()
    plain = table_geometry(metrics, (1, values.size), decimals, 0, 0)
    assert view.rowHeight(0) > plain.row_height


def digits_controller() -> SessionController:
    controller = SessionController(load_lesson(resolve_lesson("digits")))
    for _ in controller.session.steps:
        controller.step()
    return controller


def test_digits_iteration_shows_no_number_as_zero(qtbot):
    """On digits every delta is about 3e−4 (1/m with m = 1 438): 0.000 at 3 fixed decimals."""
    controller = digits_controller()
    panel = TablesPanel()
    qtbot.addWidget(panel)
    panel.set_matrices(controller.matrices())
    panel.set_values(controller.snapshot())
    scientific = 0
    for name, card in panel.cards.items():
        array = card.model.array
        assert array is not None, name
        for (r, c), value in np.ndenumerate(array):
            text = card.model.data(card.model.index(r, c))
            assert "-" not in text and text != f"{MINUS}0.000", (name, r, c, text)
            if value == 0.0:
                assert text == "0.000", (name, r, c, text)
                continue
            assert parsed(text) != 0.0, (name, r, c, text)
            # Two significant digits, unless fewer write the value exactly (0.5 → 0.500 has 3).
            assert significant_digits(text) >= 2 or parsed(text) == value, (name, r, c, text)
            scientific += "e" in text
    # The deltas really are below the fixed format's reach: this is what was hidden.
    delta = panel.cards["delta2"].model
    assert "e" in delta.data(delta.index(0, 0))
    assert scientific > 1000


def walkthrough_after_one_iteration(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    for _ in window.controller.session.steps:
        window.step_action.trigger()
    return window


def test_a_tiny_update_says_so_and_a_visible_one_does_not(qtbot, tmp_path):
    window = walkthrough_after_one_iteration(qtbot, tmp_path)
    card = window.tables.cards["new_W1"]
    model = card.model
    old, new = window.controller.value("W1"), window.controller.value("new_W1")
    hidden, visible = [], []
    for (r, c), value in np.ndenumerate(new):
        index = model.index(r, c)
        text, note = model.data(index), model.data(index, ChangeRole)
        assert text == shown_number(value, 3)  # the note never changes the number
        if shown_number(old[r, c], 3) == text and old[r, c] != value:
            assert note == shown_change(old[r, c], value, 3) and note.startswith("Δ ")
            assert note in model.data(index, TOOL_TIP)
            hidden.append((r, c))
        else:
            assert note is None
            assert "Δ" not in (model.data(index, TOOL_TIP) or "")
            visible.append((r, c))
    assert len(hidden) == 6 and visible  # issue 15: "6 of the 12 wh cells look unchanged"
    # Inputs and other steps have no notes at all.
    for name in ("W1", "grad_W1", "delta1"):
        other = window.tables.cards[name].model
        assert other.data(other.index(0, 0), ChangeRole) is None
    # The note is painted, small and grey, on the cell's second line only.
    view = card.view
    image = view.viewport().grab().toImage()
    line = view.fontMetrics().height()

    def inked_below_number(r, c):
        rect = view.visualRect(model.index(r, c))
        below = QRect(rect.left() + 2, rect.top() + line + 1, rect.width() - 4,
                      rect.height() - line - 3)
        background = QColor(image.pixel(below.left(), below.bottom()))
        return any(QColor(image.pixel(x, y)) != background
                   for x in range(below.left(), below.right())
                   for y in range(below.top(), below.bottom()))

    assert all(inked_below_number(r, c) for r, c in hidden)
    assert not any(inked_below_number(r, c) for r, c in visible)
    # More decimals show the change in the number itself: the note goes.
    window.decimals_box.setValue(6)
    assert all(model.data(model.index(r, c), ChangeRole) is None for r, c in hidden)


def test_decimals_still_change_fixed_texts_tables_and_diagram(qtbot, tmp_path):
    window = walkthrough_after_one_iteration(qtbot, tmp_path)
    z1 = window.tables.cards["z1"].model
    delta1 = window.tables.cards["delta1"].model
    value = window.controller.value("delta1")[0, 0]
    assert abs(value) < 1e-3  # 4.5e−4: scientific at 3 decimals, fixed at 5
    labels = window.diagram._labels
    window.diagram.set_step("delta1")
    for decimals in (1, 3, 5, 8):
        window.decimals_box.setValue(decimals)
        z = window.controller.value("z1")[0, 0]
        assert z1.data(z1.index(0, 0)) == f"{z:.{decimals}f}".replace("-", MINUS)
        assert delta1.data(delta1.index(0, 0)) == shown_number(value, decimals)
        assert labels[(1, 0)].text() == shown_number(value, decimals)
    assert delta1.data(delta1.index(0, 0)) == f"{value:.8f}".replace("-", MINUS)
    window.decimals_box.setValue(3)
    assert labels[(1, 0)].text() == f"4.5e{MINUS}4"
    # Long texts shrink to their circle instead of spilling over the edges.
    window.decimals_box.setValue(10)
    label, circle = labels[(1, 0)], window.diagram.neurons[(1, 0)]
    assert label.sceneBoundingRect().width() <= circle.rect().width()


def test_an_edge_tip_gives_its_weight_as_the_tables_write_it(qtbot, tmp_path):
    window = walkthrough_after_one_iteration(qtbot, tmp_path)
    W1, b2 = window.controller.value("W1"), window.controller.value("b2")
    assert window.diagram.edge_tip(1, 3, 2) == f"wh [3, 2] = {shown_number(W1[3, 2], 3)}"
    assert window.diagram.edge_tip(2, -1, 0) == f"bout [0, 0] = {shown_number(b2[0, 0], 3)}"
    window.decimals_box.setValue(6)
    assert window.diagram.edge_tip(1, 3, 2) == f"wh [3, 2] = {shown_number(W1[3, 2], 6)}"
