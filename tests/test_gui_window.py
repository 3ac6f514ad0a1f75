"""The main window, driven as a learner would: step, run, select, edit, scrub.

Every test builds the real MainWindow on a temporary QSettings file, so the
user's own settings are never read or written.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from engine.lesson import load_lesson, parse_lesson, resolve_lesson
from engine.number_text import shown_number
from gui.app import open_initial_lesson
from window_helpers import open_window
from gui.tables import ACTIVE_COLOUR, MarkRole, PRECEDENT_COLOUR
from tests.helpers import evaluate

BG = Qt.ItemDataRole.BackgroundRole


def default_lesson():
    return load_lesson(resolve_lesson("excel_walkthrough"))


def lesson_with(**changes):
    """The default lesson with some training settings changed."""
    doc = default_lesson().to_json()
    doc["training"].update(changes)
    return parse_lesson(doc, "test")


@pytest.fixture
def make_window(qtbot, tmp_path):
    def make(lesson=None):
        return open_window(qtbot, tmp_path, lesson or default_lesson())
    return make


@pytest.fixture
def window(make_window):
    return make_window()


def shown(window, name):
    return window.controller.session.value(name, window.controller.presentation)


def colour(model, row, column):
    brush = model.data(model.index(row, column), BG)
    return None if brush is None else brush.color().name()


def cell_click(qtbot, card, row, column):
    rect = card.view.visualRect(card.model.index(row, column))
    qtbot.mouseClick(card.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def distinct_colours(image, samples=4000) -> int:
    rng = np.random.default_rng(0)
    xs = rng.integers(0, image.width(), samples)
    ys = rng.integers(0, image.height(), samples)
    return len({image.pixel(int(x), int(y)) for x, y in zip(xs, ys)})


# -- stepping ------------------------------------------------------------------------------
def test_step_through_one_iteration_and_back(window):
    session = window.controller.session
    steps = [spec.name for spec in session.steps]
    assert len(steps) == 19
    for name in steps:
        assert window.tables.cards[name].model.array is None  # greyed until computed
    history = []
    for k, name in enumerate(steps, start=1):
        window.step_action.trigger()
        position = session.position
        assert position.step == k and position.step_name == name
        card = window.tables.cards[name]
        np.testing.assert_array_equal(card.model.array, shown(window, name))
        assert card.current
        text = card.model.data(card.model.index(0, 0))
        assert isinstance(text, str) and text == shown_number(shown(window, name)[0, 0], 3)
        assert isinstance(card.model.data(card.model.index(0, 0), Qt.ItemDataRole.EditRole),
                          float)
        history.append({n: np.array(c.model.array) if c.model.array is not None else None
                        for n, c in window.tables.cards.items()})
    assert "epoch 1 · step 19 of 19" in window.position_label.text()
    assert window.position_label.text().endswith("bh (updated)")
    for k in range(len(steps) - 1, 0, -1):
        window.back_action.trigger()
        for name, before in history[k - 1].items():
            now = window.tables.cards[name].model.array
            if before is None:
                assert now is None, name
            else:
                np.testing.assert_array_equal(now, before, err_msg=name)
    window.back_action.trigger()
    assert session.position.step == 0
    assert window.tables.cards["z1"].model.array is None


def test_position_line_uses_learner_names(window):
    for _ in range(9):
        window.step_action.trigger()
    assert window.position_label.text() == "epoch 1 · step 9 of 19 · d_output"
    assert "d_output" in window.tables.cards["delta2"].title.text()
    assert "d2 = E ⊙ slope2" in window.tables.cards["delta2"].formula.text()


def test_step_epoch_and_timeline_scrub(window, qtbot):
    for _ in range(3):
        window.epoch_action.trigger()
    assert window.controller.session.epochs_done == 3
    assert window.timeline.maximum() == 3 and window.timeline.value() == 3
    w_after_1 = None
    window.controller.jump_to_epoch(1)
    w_after_1 = shown(window, "new_W1").copy()
    window.timeline.setValue(3)
    window.timeline.sliderReleased.emit()
    assert window.controller.session.epochs_done == 3
    window.timeline.setValue(1)
    window.timeline.sliderReleased.emit()
    assert window.controller.session.epochs_done == 1
    np.testing.assert_array_equal(window.tables.cards["new_W1"].model.array, w_after_1)
    assert window.plot.marker.value() == 1


# -- running ----------------------------------------------------------------------------------
def test_run_then_pause(make_window, qtbot):
    window = make_window(lesson_with(epochs=10_000_000))
    controller = window.controller
    with qtbot.waitSignal(controller.runningChanged, timeout=2000):
        window.run_action.trigger()
    assert controller.running and window.run_action.text() == "&Pause"
    qtbot.waitUntil(lambda: controller.session.epochs_done > 300, timeout=10_000)
    with qtbot.waitSignal(controller.runningChanged, timeout=1000):
        window.run_action.trigger()
    assert not controller.running
    done = controller.session.epochs_done
    qtbot.wait(50)
    assert controller.session.epochs_done == done  # nothing trains after Pause
    losses = controller.session.loss_history
    assert losses.size == done and losses[-1] < losses[0]
    assert window.plot.points == done  # one point per epoch
    # After a run every table is filled (the last iteration is recorded).
    assert all(card.model.array is not None for card in window.tables.cards.values())
    np.testing.assert_array_equal(window.tables.cards["W1"].model.array, shown(window, "W1"))


def test_run_stops_at_the_lessons_epochs(make_window, qtbot):
    window = make_window(lesson_with(epochs=400))
    window.controller.set_speed(0)
    window.run_action.trigger()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=10_000)
    assert window.controller.session.epochs_done == 400
    assert window.timeline.maximum() == 400


def test_slow_speed_trains_about_that_many_epochs(make_window, qtbot):
    window = make_window(lesson_with(epochs=10_000))
    window.speed_box.setCurrentIndex(1)  # 10 epochs/s
    window.run_action.trigger()
    qtbot.wait(450)
    window.run_action.trigger()
    assert 1 <= window.controller.session.epochs_done <= 10


def test_divergence_pauses_and_explains(make_window, qtbot):
    doc = load_lesson(resolve_lesson("one_weight")).to_json()
    doc["training"].update(learning_rate=50.0, epochs=100_000)
    window = make_window(parse_lesson(doc, "test"))
    window.run_action.trigger()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=10_000)
    assert window.controller.session.diverged is not None
    assert window.banner.isVisible() and "diverged at epoch" in window.banner.text()
    # The plot's short line is the symptom; the whole story is on hover and in the banner.
    assert window.plot.warning_label.text().startswith("diverged at epoch")
    assert window.plot.warning_label.toolTip() == window.banner.text()
    assert "lower the learning rate" in window.banner.text()


# -- selection ------------------------------------------------------------------------------------
def test_select_cell_marks_precedents_everywhere(window, qtbot):
    for _ in range(11):  # up to d_hiddenlayer
        window.step_action.trigger()
    card = window.tables.cards["z1"]
    with qtbot.waitSignal(window.controller.selectionChanged):
        cell_click(qtbot, card, 1, 2)
    assert window.controller.selection == ("z1", 1, 2)
    assert colour(card.model, 1, 2) == ACTIVE_COLOUR.name()
    assert card.model.data(card.model.index(1, 2), MarkRole) == "active"
    assert card.model.data(card.model.index(1, 2), Qt.ItemDataRole.FontRole).bold()
    x, w1, b1 = (window.tables.cards[n].model for n in ("X", "W1", "b1"))
    for k in range(4):
        assert colour(x, 1, k) == PRECEDENT_COLOUR.name()
        assert colour(w1, k, 2) == PRECEDENT_COLOUR.name()
        assert colour(x, 0, k) is None and colour(w1, k, 0) is None
    assert colour(b1, 0, 2) == PRECEDENT_COLOUR.name()
    assert colour(window.tables.cards["a1"].model, 1, 2) is None
    # The formula panel shows the substituted formula, and it evaluates to the cell.
    assert window.formula.cell_text.startswith("z1[1,2] = ")
    assert "hidden_layer_input [1, 2]" in window.formula.cell_label.text()
    exact = window.controller.session.explain("z1", 1, 2, "error", None)
    assert evaluate(exact.expression) == pytest.approx(shown(window, "z1")[1, 2], abs=1e-12)
    rounded = window.controller.explain("z1", 1, 2)
    assert evaluate(rounded.expression) == pytest.approx(shown(window, "z1")[1, 2], abs=5e-3)
    # Hovering shows the same formula with the displayed decimals.
    tip = card.model.data(card.model.index(1, 2), Qt.ItemDataRole.ToolTipRole)
    assert tip == rounded.text
    # The diagram lights the neurons and edges behind it.
    lit = window.diagram._lit()
    assert lit[("n", 1, 2)] == "active"
    assert lit[("n", 0, 3)] == "precedent" and lit[("e", 1, 3, 2)] == "precedent"


def test_selection_of_backward_cell_and_presentation_switch(window):
    for _ in range(11):
        window.step_action.trigger()
    window.controller.select("delta1", 0, 1)
    error_form = window.tables.cards["delta1"].model.array.copy()
    marks = {n: c.model.marks()[1] for n, c in window.tables.cards.items() if c.model.marks()[1]}
    assert set(marks) == {"error1", "slope1"}
    explanation = window.controller.session.explain("delta1", 0, 1, "error", None)
    assert evaluate(explanation.expression) == pytest.approx(error_form[0, 1], abs=1e-12)
    window.settings_panel.presentation.setCurrentText("gradient")
    window.settings_panel.presentationRequested.emit("gradient")
    np.testing.assert_array_equal(window.tables.cards["delta1"].model.array, -error_form)
    assert "d_hiddenlayer" not in window.tables.cards["delta1"].title.text()
    assert window.position_label.text().endswith("delta1")


def test_step_note_follows_the_presentation(window):
    """The delta2 note names the cards as shown: d_output in the error form, delta2 after."""
    for _ in range(9):
        window.step_action.trigger()
    assert window.controller.session.position.step_name == "delta2"
    note = window.formula.note_label
    assert note.text().startswith("<i>d_output: how much") and "{" not in note.text()
    window.controller.set_presentation("gradient")
    assert note.text().startswith("<i>delta2: how much") and "{" not in note.text()
    window.step_action.trigger()
    assert note.text().startswith("<i>error1 = delta2·woutᵀ")
    window.controller.set_presentation("error")
    assert note.text().startswith("<i>Error_at_hidden_layer = d_output·woutᵀ")


def test_help_glossary_lists_each_quantitys_names(window):
    window.glossary_action.trigger()
    text = window.last_message
    assert "d_hiddenlayer = d1 = −delta1 = −∂J/∂z1" in text
    assert "Error_at_hidden_layer = e1 = −error1 = −∂J/∂a1" in text
    assert "−grad_W2" in text and "wout (updated)" in text


def test_decimals_change_display_and_formula(window):
    window.step_action.trigger()
    window.decimals_box.setValue(5)
    model = window.tables.cards["z1"].model
    assert model.data(model.index(0, 0)) == f"{float(shown(window, 'z1')[0, 0]):.5f}"
    window.controller.select("z1", 0, 0)
    assert f"{float(shown(window, 'z1')[0, 0]):.5f}" in window.formula.cell_text


# -- editing ----------------------------------------------------------------------------------------
def test_edit_weight_then_step_then_undo(window, qtbot):
    model = window.tables.cards["W1"].model
    old = float(model.array[0, 1])
    model.setData(model.index(0, 1), "2.5")
    assert float(model.array[0, 1]) == 2.5
    assert window.undo_stack.count() == 1
    window.step_action.trigger()  # z1 uses the new weight
    X, W1, b1 = (shown(window, n) for n in ("X", "W1", "b1"))
    assert W1[0, 1] == 2.5
    np.testing.assert_allclose(window.tables.cards["z1"].model.array, X @ W1 + b1, rtol=1e-12)
    window.undo_action.trigger()
    assert float(model.array[0, 1]) == old
    X, W1, b1 = (shown(window, n) for n in ("X", "W1", "b1"))
    np.testing.assert_allclose(window.tables.cards["z1"].model.array, X @ W1 + b1, rtol=1e-12)
    window.redo_action.trigger()
    assert float(model.array[0, 1]) == 2.5


def test_bad_edit_is_refused_and_keeps_the_value(window):
    model = window.tables.cards["W1"].model
    old = float(model.array[1, 1])
    for text in ("abc", "1e400", "nan"):
        model.setData(model.index(1, 1), text)
        assert float(model.array[1, 1]) == old
        assert "finite number" in window.statusBar().currentMessage()
    assert window.undo_stack.count() == 0


def test_computed_tables_are_not_editable(window):
    for _ in range(2):
        window.step_action.trigger()
    z1 = window.tables.cards["z1"].model
    assert not z1.flags(z1.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    w1 = window.tables.cards["W1"].model
    assert w1.flags(w1.index(0, 0)) & Qt.ItemFlag.ItemIsEditable


# -- diagram -----------------------------------------------------------------------------------------
def test_diagram_items_match_the_architecture(window, qtbot):
    diagram = window.diagram
    assert len(diagram.neurons) == 4 + 3 + 1
    assert len(diagram.edges) == 4 * 3 + 3 * 1 + 3 + 1  # weights, then one bias edge per neuron
    assert len(diagram.biases) == 2
    for _ in range(4):
        window.step_action.trigger()
    circle = diagram.neurons[(1, 2)]
    point = diagram.mapFromScene(circle.sceneBoundingRect().center())
    with qtbot.waitSignal(window.controller.selectionChanged):
        qtbot.mouseClick(diagram.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.controller.selection == ("a1", 0, 2)
    assert colour(window.tables.cards["a1"].model, 0, 2) == ACTIVE_COLOUR.name()
    line = diagram.edges[(2, 1, 0)].line()
    middle = diagram.mapFromScene((line.p1() + line.p2()) / 2)
    qtbot.mouseClick(diagram.viewport(), Qt.MouseButton.LeftButton, pos=middle)
    assert window.controller.selection == ("W2", 1, 0)
    label = diagram._labels[(1, 2)].text()
    assert label == f"{float(shown(window, 'a1')[0, 2]):.3g}"


def test_the_diagram_has_scroll_bars_only_while_the_wheel_has_zoomed_it(window, qtbot):
    """Fitted, the network fills the view: no scroll bars (they would shrink the view and
    have it fitted twice). Zoomed in by the wheel it no longer fits, and they show; Reset
    zoom fits it again without them."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    diagram = window.diagram
    bars = (diagram.horizontalScrollBar(), diagram.verticalScrollBar())
    qtbot.waitUntil(lambda: diagram.isVisible())
    assert not any(bar.isVisible() for bar in bars)
    centre = QPointF(diagram.viewport().rect().center())
    for _ in range(6):
        diagram.wheelEvent(QWheelEvent(centre, diagram.mapToGlobal(centre), QPoint(0, 0),
                                       QPoint(0, 120), Qt.MouseButton.NoButton,
                                       Qt.KeyboardModifier.NoModifier,
                                       Qt.ScrollPhase.NoScrollPhase, False))
    qtbot.waitUntil(lambda: all(bar.isVisible() for bar in bars))
    diagram.reset_zoom()
    qtbot.waitUntil(lambda: not any(bar.isVisible() for bar in bars))


def test_diagram_collapses_wide_layers(make_window):
    doc = default_lesson().to_json()
    rng = np.random.default_rng(0)
    doc["data"] = {"X": rng.random((5, 40)).tolist(), "y": rng.random((5, 3)).tolist()}
    doc["network"]["layers"] = [40, 20, 3]
    doc.pop("step_notes")
    window = make_window(parse_lesson(doc, "wide"))
    neurons = window.diagram.neurons
    assert len(neurons) == 12 + 12 + 3
    assert (0, 39) in neurons and (0, 20) not in neurons


# -- keyboard, settings, files ---------------------------------------------------------------------
def test_keyboard_shortcuts(window, qtbot):
    window.activateWindow()
    window.tables.setFocus()
    session = window.controller.session
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert session.position.step == 1
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert session.position.step == 2
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert session.position.step == 1
    qtbot.keyClick(window, Qt.Key.Key_Backspace)
    assert session.position.step == 0
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert session.epochs_done == 1
    font = QGuiApplication.font().pointSizeF()
    window.zoom_in_action.trigger()
    assert QGuiApplication.font().pointSizeF() > font
    window.zoom_reset_action.trigger()
    assert QGuiApplication.font().pointSizeF() == pytest.approx(font)


def test_changing_layer_sizes_rebuilds_tables_and_diagram(window, qtbot):
    window.epoch_action.trigger()
    panel = window.settings_panel
    panel.layers.clear()
    qtbot.keyClicks(panel.layers, "4, 5, 2, 1")
    assert len(panel.activation_boxes) == 3
    panel.activation_boxes[1].setCurrentText("tanh")
    panel.apply_button.click()
    assert panel.error_text == ""
    arch = window.controller.session.architecture
    assert arch.layers == (4, 5, 2, 1) and arch.activations == ("sigmoid", "tanh", "sigmoid")
    assert {"W3", "b3", "z3", "delta3", "new_W3"} <= set(window.tables.cards)
    assert window.tables.cards["W2"].model.shape == (5, 2)
    assert len(window.diagram.neurons) == 12
    assert window.controller.session.epochs_done == 0


def test_settings_without_biases_keep_the_notes_that_still_fit(window):
    """The walk-through's notes name bh and its updates: unticking Bias drops those notes only."""
    window.settings_panel.bias.setChecked(False)
    window.settings_panel.apply_button.click()
    assert window.settings_panel.error_text == ""
    lesson = window.controller.lesson
    assert not lesson.architecture.bias
    assert "z1" not in lesson.step_notes and "new_b2" not in lesson.step_notes  # {b1}; the step
    assert lesson.step_notes["delta2"] == default_lesson().step_notes["delta2"]


def test_refused_confirmation_keeps_progress(window):
    window.epoch_action.trigger()
    window.confirm = lambda question: False
    window.settings_panel.learning_rate.setText("0.5")
    window.settings_panel.apply_button.click()
    assert window.controller.session.epochs_done == 1
    assert window.controller.lesson.learning_rate == 0.1


@pytest.mark.parametrize("text, expected", [("abc", "expected a number"),
                                            ("1e400", "finite"),
                                            ("-1", "out of range")])
def test_bad_setting_shows_message_and_changes_nothing(window, text, expected):
    window.step_action.trigger()
    session = window.controller.session
    field = window.settings_panel.learning_rate
    field.setText(text)
    window.settings_panel.apply_button.click()
    message = window.settings_panel.error_text
    assert "training.learning_rate" in message and expected in message
    assert field.text() == text  # what the learner typed is kept
    assert field.property("invalid") and field.toolTip() == message
    assert window.controller.session is session and session.position.step == 1
    assert session.lesson.learning_rate == 0.1


def test_open_bad_file_keeps_the_lesson(window, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "backprop-tracer.lesson", "version": 1, "data": {}}')
    session = window.controller.session
    assert not window.open_file(str(bad))
    assert "bad.json" in window.last_message and "network" in window.last_message
    assert window.controller.session is session


def test_app_falls_back_to_default_lesson(tmp_path):
    lesson, problem = open_initial_lesson([str(tmp_path / "missing.json")])
    assert lesson.title.startswith("The Excel walk-through")
    assert "missing.json" in problem and "default lesson" in problem


def test_save_session_as_lesson_and_reopen(window, tmp_path):
    window.epoch_action.trigger()
    window.epoch_action.trigger()
    path = tmp_path / "saved.json"
    assert window.save_to(str(path))
    saved = load_lesson(path)
    params = window.controller.session.params
    np.testing.assert_array_equal(saved.weights[0], params.weight(1))
    np.testing.assert_array_equal(saved.biases[1], params.bias(2))
    assert json.loads(path.read_text())["presentation"] == "error"
    assert window.open_file(str(path))
    np.testing.assert_array_equal(shown(window, "W1"), params.weight(1))
    assert str(path.resolve()) in window._recent()


def test_copy_table_as_tab_separated_text(window, qtbot):
    cell_click(qtbot, window.tables.cards["X"], 0, 0)
    window.copy_action.trigger()
    lines = QGuiApplication.clipboard().text().splitlines()
    assert len(lines) == 4 and lines[0].split("\t")[0] == "X"
    assert lines[1].split("\t") == ["sample 0", "1.0", "0.0", "1.0", "0.0"]


# -- screenshots ------------------------------------------------------------------------------------
def test_screenshots_of_main_states(make_window, qtbot, tmp_path):
    window = make_window()
    shots = {}
    shots["start"] = window.grab()
    for _ in range(9):
        window.step_action.trigger()
    window.controller.select("delta2", 1, 0)
    shots["selected"] = window.grab()
    window.controller.set_speed(0)
    window.run_action.trigger()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=10_000)
    window.controller.select("z1", 2, 1)
    shots["trained"] = window.grab()
    for name, pixmap in shots.items():
        path = tmp_path / f"{name}.png"
        assert pixmap.save(str(path))
        image = pixmap.toImage()
        assert image.width() > 1000 and distinct_colours(image) > 30, name
