"""Step cell and Expand the sum in the real window (issue 16), driven from the keyboard
and the buttons as a learner would."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.number_text import shown_number
from gui.main_window import SHORTCUTS
from gui.tables import ACTIVE_COLOUR, HIDDEN_COLOUR, PRECEDENT_COLOUR, TERM_COLOUR
from tests.helpers import make_lesson
from window_helpers import open_window

BG = Qt.ItemDataRole.BackgroundRole
SHIFT = Qt.KeyboardModifier.ShiftModifier
TWO_HIDDEN = dict(layers=(2, 3, 2, 1), activation=["tanh", "relu", "sigmoid"],
                  loss="binary_cross_entropy", l2=0.05, momentum=0.8)


@pytest.fixture
def window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path)


def colour(model, row, column):
    brush = model.data(model.index(row, column), BG)
    return None if brush is None else brush.color().name(QColorName)


QColorName = ACTIVE_COLOUR.NameFormat.HexArgb


def text(model, row, column):
    return model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)


def test_shift_keys_fill_a_matrix_cell_by_cell_and_space_reveals_the_rest(window, qtbot):
    window.activateWindow()
    window.tables.setFocus()
    controller, z1 = window.controller, window.tables.cards["z1"].model
    qtbot.keyClick(window, Qt.Key.Key_Space, SHIFT)
    position = controller.position
    assert (position.step, position.filling, position.cells) == (0, "z1", 1)
    assert controller.selection == ("z1", 0, 0)
    value = controller.session.record.shown("z1", controller.presentation)
    assert text(z1, 0, 0) == shown_number(float(value[0, 0]), 3)
    assert text(z1, 0, 1) is None and colour(z1, 0, 1) == HIDDEN_COLOUR.name(QColorName)
    assert z1.data(z1.index(0, 1), Qt.ItemDataRole.ToolTipRole) is None
    assert colour(z1, 0, 0) == ACTIVE_COLOUR.name(QColorName)
    x = window.tables.cards["X"].model
    assert all(colour(x, 0, k) == PRECEDENT_COLOUR.name(QColorName) for k in range(4))
    assert window.formula.cell_text.startswith("z1[0,0] = ")
    assert window.tables.cards["z1"].current
    assert "cell by cell" in window.tables.cards["z1"].title.text()
    assert "cell 1 of" in window.position_label.text()
    qtbot.keyClick(window, Qt.Key.Key_Right, SHIFT)
    assert controller.position.cells == 2 and controller.selection == ("z1", 0, 1)
    assert text(z1, 0, 1) == shown_number(float(value[0, 1]), 3)
    qtbot.keyClick(window, Qt.Key.Key_Left, SHIFT)
    assert controller.position.cells == 1 and controller.selection == ("z1", 0, 0)
    assert text(z1, 0, 1) is None
    qtbot.keyClick(window, Qt.Key.Key_Left)  # Step back from a partial matrix: one cell
    assert controller.position.cells == 0 and controller.position.step == 0
    assert text(z1, 0, 0) is None
    qtbot.keyClick(window, Qt.Key.Key_Space, SHIFT)
    qtbot.keyClick(window, Qt.Key.Key_Space)  # Step reveals the rest at once
    assert controller.position.step == 1 and controller.position.filling is None
    assert "just computed" in window.tables.cards["z1"].title.text()
    rows, columns = value.shape
    assert all(text(z1, r, c) == shown_number(float(value[r, c]), 3)
               for r in range(rows) for c in range(columns))
    assert "Shift+Space" in SHIFT_HELP and "Shift+←" in SHIFT_HELP
    # In a focused table the plain arrows move its cursor; Shift+→ still steps a cell.
    view = window.tables.cards["X"].view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right, SHIFT)
    assert controller.position.filling == "a1" and controller.position.cells == 1


SHIFT_HELP = SHORTCUTS


@pytest.mark.parametrize("lesson", ["excel_walkthrough", "two hidden layers"])
def test_step_cell_lights_each_cells_precedents_and_back_undoes_each(qtbot, tmp_path, lesson):
    window = open_window(qtbot, tmp_path, lesson if lesson == "excel_walkthrough"
                         else make_lesson(**TWO_HIDDEN))
    controller, tables = window.controller, window.tables
    window.step_action.trigger()  # from step 1, so Back crosses into the start as well
    shown = []  # (position, snapshot) before each Step cell
    steps = controller.session.steps
    expected = [(spec.name, r, c) for spec in steps[1:]
                for r in range(spec.shape[0]) for c in range(spec.shape[1])]
    for address in expected:
        shown.append((controller.position, controller.snapshot()))
        window.step_cell_action.trigger()
        assert controller.selection == address
        name, row, column = address
        clicked = controller.explain(name, row, column)  # what a click on it would light
        assert clicked is not None
        precedents: dict[str, set] = {}
        for other, r, c in clicked.precedents:
            precedents.setdefault(other, set()).add((r, c))
        for card_name, card in tables.cards.items():
            active, lit = card.model.marks()
            assert active == ((row, column) if card_name == name else None)
            assert lit == precedents.get(card_name, set()), (address, card_name)
        assert window.formula.cell_text == clicked.text
    assert controller.position.step == controller.position.steps
    for position, values in reversed(shown):
        window.cell_back_action.trigger()
        assert controller.position == position
        now = controller.snapshot()
        assert now.keys() == values.keys()
        for key, value in values.items():
            if key == "__partial__":
                assert now[key][0] == value[0] and now[key][2] == value[2]
                assert np.array_equal(now[key][1], value[1], equal_nan=True)
            elif value is None:
                assert now[key] is None, key
            else:
                assert np.array_equal(now[key], value), key


def test_tables_after_a_cell_by_cell_iteration_equal_a_matrix_by_matrix_one(qtbot, tmp_path):
    by_cell = open_window(qtbot, tmp_path / "a", make_lesson(**TWO_HIDDEN))
    by_matrix = open_window(qtbot, tmp_path / "b", make_lesson(**TWO_HIDDEN))
    cells = sum(spec.shape[0] * spec.shape[1] for spec in by_cell.controller.session.steps)
    for _ in range(cells):
        by_cell.step_cell_action.trigger()
    for _ in by_matrix.controller.session.steps:
        by_matrix.step_action.trigger()
    assert by_cell.controller.position == by_matrix.controller.position
    for name, card in by_matrix.tables.cards.items():
        other = by_cell.tables.cards[name].model
        assert other.array is not None and np.array_equal(other.array, card.model.array), name
        assert other._shown is None


def test_expand_the_sum_adds_terms_one_by_one_and_lights_each_pair(window, qtbot):
    controller, expander = window.controller, window.sum_expander
    for _ in range(3):  # z1, a1, z2 = output_layer_input
        window.step_action.trigger()
    controller.select("a1", 1, 0)
    assert not expander.isVisibleTo(window)  # an activation is not a sum
    controller.select("z2", 1, 0)
    assert expander.isVisibleTo(window) and expander.expand_button.isVisibleTo(window)
    qtbot.mouseClick(expander.expand_button, Qt.MouseButton.LeftButton)
    expansion = controller.session.expand_sum("z2", 1, 0, controller.presentation, 3)
    assert expander.lines == expansion.lines[:1]
    a1, w2 = window.tables.cards["a1"].model, window.tables.cards["W2"].model
    term = TERM_COLOUR.name(QColorName)
    orange = PRECEDENT_COLOUR.name(QColorName)
    assert colour(a1, 1, 0) == term and colour(w2, 0, 0) == term
    assert colour(a1, 1, 1) == orange and colour(w2, 1, 0) == orange
    lit = window.diagram._lit()  # the diagram lights the pair's neuron and edge too
    assert lit[("n", 1, 0)] == "term" and lit[("e", 2, 0, 0)] == "term"
    assert lit[("n", 1, 1)] == "precedent" and lit[("n", 2, 0)] == "active"
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)  # Next term
    assert expander.lines == expansion.lines[:2]
    assert colour(a1, 1, 0) == orange and colour(a1, 1, 1) == term and colour(w2, 1, 0) == term
    assert expander.lines[1].startswith("+ ") and " → " in expander.lines[1]
    qtbot.mouseClick(expander.all_button, Qt.MouseButton.LeftButton)
    assert expander.lines == expansion.lines
    assert expander.lines[-1].endswith(controller.explain("z2", 1, 0).result)
    assert "all 4 terms added" in expander.terms_label.text()
    assert not expander.next_button.isVisibleTo(window)
    assert colour(a1, 1, 1) == orange  # no term lit once the sum is done
    controller.select("z2", 0, 0)  # another cell: collapsed again
    assert expander.lines == [] and expander.expand_button.isVisibleTo(window)


def test_presenter_shift_steps_one_cell(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    window.presenter_action.trigger()
    qtbot.waitUntil(lambda: window.presenter.isVisible())
    target = window.focusWidget() or window.presenter
    qtbot.keyClick(target, Qt.Key.Key_PageDown, SHIFT)
    qtbot.keyClick(target, Qt.Key.Key_PageDown, SHIFT)
    position = window.controller.position
    assert (position.step, position.filling, position.cells) == (0, "z1", 2)
    card = window.presenter.cards["z1"].model
    assert card._shown == 2 and text(card, 0, 2) is None
    qtbot.keyClick(target, Qt.Key.Key_PageUp, SHIFT)
    assert window.controller.position.cells == 1


def test_step_cell_stays_out_of_exercise_mode(window, qtbot):
    controller = window.controller
    window.step_cell_action.trigger()
    controller.exercise.set_active(True)
    with qtbot.waitSignal(controller.message) as told:
        window.step_cell_action.trigger()
    assert "exercise mode" in told.args[0] and controller.position.cells == 1
    window.step_action.trigger()  # the matrix begun cell by cell is shown whole, not asked
    assert controller.position.step == 1 and not controller.exercise.asking
    window.step_action.trigger()  # the next one is asked as usual
    assert controller.exercise.asking and controller.position.step == 1
