"""Exercise mode in the real window (issue 16): the learner computes each matrix's asked
cell before Step reveals it, the app checks it, and the hints come in order; a right
answer is green, the diagram asks too, Tab goes between a step's asked cells, and the
scores survive Save with progress and a crash."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit

from engine.lesson import load_lesson, parse_lesson, resolve_lesson
from engine.number_text import MINUS
from gui import recovery
from gui.tables import (ACTIVE, ACTIVE_COLOUR, PRECEDENT, PRECEDENT_COLOUR, RIGHT, RIGHT_COLOUR,
                        MarkRole)
from helpers import lesson_doc
from window_helpers import open_window


@pytest.fixture
def window(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, "excel_walkthrough")
    window.exercise_action.trigger()
    assert window.controller.exercise.active and window.exercise_action.isChecked()
    return window


def card_mark(window, name, row, column):
    model = window.tables.cards[name].model
    return model.data(model.index(row, column), MarkRole)


def test_a_whole_iteration_answered_right_first_try_scores_every_step(qtbot, window):
    controller, box = window.controller, window.exercise_box
    steps = [spec.name for spec in controller.session.steps]
    for index, name in enumerate(steps):
        window.step_action.trigger()
        attempt = controller.exercise.attempt
        assert attempt is not None and attempt.asked.address == (name, 0, 0)
        assert box.isVisible() and box.field.hasFocus()
        # the asked cell is yellow in a table not yet revealed; its precedents orange
        assert controller.value(name) is None
        assert card_mark(window, name, 0, 0) == ACTIVE
        for precedent, r, c in attempt.asked.precedents:
            assert card_mark(window, precedent, r, c) == PRECEDENT
        assert window.formula.cell_label.text().startswith("<b>Asked: ")
        assert attempt.asked.answer not in window.formula.cell_label.text()
        assert controller.position.step == index  # nothing revealed yet
        box.field.setText(attempt.asked.answer)  # as shown: −0.034 (QTest types ASCII only)
        qtbot.keyClick(box.field, Qt.Key.Key_Return)
        assert controller.position.step == index + 1
        assert controller.value(name) is not None and not box.isVisible()
    score = controller.exercise.record.score(1)
    assert (score.first_try, score.after_hint, score.revealed) == (len(steps), 0, 0)
    assert window.statusBar().currentMessage() == \
        f"Iteration 1: {len(steps)} of {len(steps)} right first try, 0 after a hint, 0 shown"
    assert window.score_label.text().startswith("Exercise, iteration 1: ")


def test_wrong_answers_show_the_hint_then_the_numbers_then_the_answer(qtbot, window):
    controller, box = window.controller, window.exercise_box
    window.step_action.trigger()
    asked = controller.exercise.attempt.asked
    wrong = repr(asked.value + 1.0)
    qtbot.keyClicks(box.field, wrong)
    qtbot.keyClick(box.field, Qt.Key.Key_Return)
    assert "too high" in box.verdict.text()
    assert box.hints.text() == f"Hint: {asked.symbolic}"
    box.field.setText(repr(asked.value - 1.0))
    qtbot.keyClick(box.field, Qt.Key.Key_Return)
    assert "too low" in box.verdict.text()
    assert box.hints.text().splitlines() == [f"Hint: {asked.symbolic}",
                                             f"With the numbers: {asked.numbers}"]
    assert controller.position.step == 0
    box.field.setText("12345")
    qtbot.keyClick(box.field, Qt.Key.Key_Return)  # the third wrong answer shows the answer
    assert controller.position.step == 1
    assert controller.exercise.record.score(1).revealed == 1
    assert window.statusBar().currentMessage() != ""


def test_escape_reveals_without_scoring_and_back_cancels_the_question(qtbot, window):
    controller, box = window.controller, window.exercise_box
    window.step_action.trigger()
    qtbot.keyClick(box.field, Qt.Key.Key_Escape)
    assert controller.position.step == 1 and controller.exercise.record.score(1).asked == 0
    window.step_action.trigger()
    assert controller.exercise.asking
    window.back_action.trigger()
    assert not controller.exercise.asking and controller.position.step == 1
    assert not box.isVisible()
    box.field.setText("not a number")
    window.step_action.trigger()
    box.field.setText("zero")
    qtbot.keyClick(box.field, Qt.Key.Key_Return)
    assert box.problem.text().startswith("zero is not a number")
    assert controller.exercise.attempt.wrong == 0


def test_a_lesson_can_name_the_cells_and_insist_on_the_right_value(qtbot, tmp_path):
    doc = lesson_doc((2, 3, 1))
    doc["exercise"] = {"cells": {"z1": [[1, 2], [4, 0]]}, "tries": 1, "must_be_right": True}
    window = open_window(qtbot, tmp_path, parse_lesson(doc, "t.json"))
    controller, box = window.controller, window.exercise_box
    window.exercise_action.trigger()
    window.step_action.trigger()
    assert controller.exercise.attempt.asked.address == ("z1", 1, 2)
    qtbot.keyClick(box.field, Qt.Key.Key_Escape)
    assert box.problem.text() == "this lesson asks you to type the right value to go on"
    box.field.setText("999")
    qtbot.keyClick(box.field, Qt.Key.Key_Return)
    assert box.hints.text().endswith("(type it to go on)") and controller.position.step == 0
    first = controller.exercise.attempt.asked
    box.field.setText(first.answer)
    qtbot.keyClick(box.field, Qt.Key.Key_Return)
    assert controller.exercise.attempt.asked.address == ("z1", 4, 0)  # the second listed cell
    box.field.setText(controller.exercise.attempt.asked.answer)
    qtbot.keyClick(box.field, Qt.Key.Key_Return)
    assert controller.position.step == 1
    score = controller.exercise.record.score(1)
    assert (score.first_try, score.revealed) == (1, 1)


def test_exercise_off_steps_as_before_and_reset_keeps_the_record(qtbot, window):
    controller, box = window.controller, window.exercise_box
    window.step_action.trigger()
    box.field.setText(controller.exercise.attempt.asked.answer)
    qtbot.keyClick(box.field, Qt.Key.Key_Return)
    window.reset_action.trigger()
    assert controller.exercise.record.score(1).first_try == 1
    window.exercise_action.trigger()
    assert not controller.exercise.active and window.score_label.text() == ""
    window.step_action.trigger()
    assert controller.position.step == 1 and not controller.exercise.asking
    controller.open_lesson(load_lesson(resolve_lesson("xor_biases")))
    assert controller.exercise.record.total().asked == 0


def answer(qtbot, window, text: str | None = None) -> None:
    """Type ``text`` (the asked cell's shown answer when None) into the box, press Enter."""
    box = window.exercise_box
    box.field.setText(window.controller.exercise.attempt.asked.answer if text is None else text)
    qtbot.keyClick(box.field, Qt.Key.Key_Return)


def score_of(window, iteration: int = 1) -> tuple[int, int, int]:
    score = window.controller.exercise.record.score(iteration)
    return score.first_try, score.after_hint, score.revealed


def test_the_score_survives_save_with_progress_and_reopening(qtbot, window, tmp_path):
    for text in (None, "12345", None):  # z1 right; a1 wrong, then right after the hint; z2 right
        window.step_action.trigger()
        answer(qtbot, window, text)
        if text is not None:
            answer(qtbot, window)
    assert score_of(window) == (2, 1, 0)
    shown = window.score_label.text()
    assert shown == "Exercise, iteration 1: 2 of 3 right first try, 1 after a hint, 0 shown"
    path = tmp_path / "mine.bptlesson"
    assert window.save_progress_to(str(path))
    assert json.loads(path.read_text())["session"]["exercise"] == [
        {"iteration": 1, "first_try": 2, "after_hint": 1, "revealed": 0}]
    # Opened again from the start of the app, and through File ▸ Open in a window
    # that was not in exercise mode.
    reopened = open_window(qtbot, tmp_path, load_lesson(path))
    elsewhere = open_window(qtbot, tmp_path)
    assert elsewhere.open_file(str(path))
    for other in (reopened, elsewhere):
        assert other.controller.exercise.active and other.exercise_action.isChecked()
        assert score_of(other) == (2, 1, 0) and other.score_label.text() == shown
        assert other.controller.position == window.controller.position
        other.step_action.trigger()  # and it carries on asking where it stopped
        assert other.controller.exercise.attempt.asked.address[0] == "a2"
    assert not reopened.recovery.unsaved  # the scores are what the file holds


def test_the_score_survives_a_crash_and_its_recovery(qtbot, window, tmp_path):
    window.step_action.trigger()
    answer(qtbot, window)
    window.reset_action.trigger()  # back at the start: the score alone is unsaved work
    assert window.controller.has_progress  # opening another lesson asks first
    assert window.recovery.unsaved and window.recovery.autosave()
    saved = json.loads(window.recovery.path.read_text())
    assert saved["session"]["exercise"] == [
        {"iteration": 1, "first_try": 1, "after_hint": 0, "revealed": 0}]
    window.recovery.release()  # the process ended without closing, as a crash does
    restarted = open_window(qtbot, tmp_path)
    assert not restarted.controller.exercise.active
    assert recovery.offer_recovery(restarted, tmp_path)
    assert restarted.controller.exercise.active and restarted.exercise_action.isChecked()
    assert score_of(restarted) == (1, 0, 0)
    assert restarted.score_label.text() == \
        "Exercise, iteration 1: 1 of 1 right first try, 0 after a hint, 0 shown"


@pytest.mark.parametrize("bad,where", [
    ("three right", "session.exercise: expected a list of scores"),
    ([{"iteration": 1, "first_try": 1.5, "after_hint": 0, "revealed": 0}],
     "session.exercise[0]: the iteration (from 1) and the counts must be whole numbers"),
    ([{"iteration": 1, "first_try": 1, "after_hint": 0, "revealed": 0, "bonus": 1}],
     "session.exercise[0]: expected an object with the keys iteration, first_try"),
])
def test_a_bad_exercise_record_is_refused_naming_where(qtbot, window, tmp_path, bad, where):
    window.step_action.trigger()
    answer(qtbot, window)
    path = tmp_path / "scored.bptlesson"
    assert window.save_progress_to(str(path))
    document = json.loads(path.read_text())
    document["session"]["exercise"] = bad
    path.write_text(json.dumps(document))
    session = window.controller.session
    assert not window.open_file(str(path))
    assert window.last_message.startswith(f"{path.name}: {where}")
    assert window.controller.session is session  # the lesson open stays as it was
    del document["session"]["exercise"]  # a file saved before exercise mode opens unchanged
    path.write_text(json.dumps(document))
    assert window.open_file(str(path)) and window.controller.position.step == 1
    assert window.controller.exercise.record.total().asked == 0


def contrast(one: QColor, other: QColor) -> float:
    """WCAG's contrast ratio of two colours."""
    def luminance(colour: QColor) -> float:
        channels = [c / 255 for c in colour.getRgb()[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def cell_role(window, name, row, column, role):
    model = window.tables.cards[name].model
    return model.data(model.index(row, column), role)


def test_a_right_answer_turns_the_cell_green_until_the_next_step(qtbot, window):
    window.step_action.trigger()
    answer(qtbot, window)  # z1[0,0] right: the matrix is revealed with the cell green
    assert window.controller.value("z1") is not None
    background = cell_role(window, "z1", 0, 0, Qt.ItemDataRole.BackgroundRole).color()
    text = cell_role(window, "z1", 0, 0, Qt.ItemDataRole.ForegroundRole).color()
    assert background == RIGHT_COLOUR and card_mark(window, "z1", 0, 0) == RIGHT
    assert background not in (ACTIVE_COLOUR, PRECEDENT_COLOUR)
    assert contrast(background, text) >= 4.5  # WCAG AA for the number on it
    assert card_mark(window, "z1", 0, 1) is None
    window.tables.cards["z1"].view.viewport().repaint()  # the tick is painted without error
    window.tables.cellClicked.emit("X", 0, 1)  # looking at another cell keeps the green
    assert card_mark(window, "z1", 0, 0) == RIGHT and card_mark(window, "X", 0, 1) == ACTIVE
    window.step_action.trigger()  # the next step asks a1[0,0]: the green is gone
    assert card_mark(window, "z1", 0, 0) == PRECEDENT and not window.tables.cards["z1"].model.right
    for _ in range(3):  # three wrong answers show the answer: revealed, not green
        answer(qtbot, window, "12345")
    assert window.controller.value("a1") is not None
    assert card_mark(window, "a1", 0, 0) == ACTIVE
    window.step_action.trigger()
    qtbot.keyClick(window.exercise_box.field, Qt.Key.Key_Escape)  # skipped: not green
    assert card_mark(window, "z2", 0, 0) == ACTIVE
    window.step_action.trigger()
    answer(qtbot, window)
    assert card_mark(window, "a2", 0, 0) == RIGHT
    window.back_action.trigger()  # stepping back takes the green with it
    assert not window.tables.cards["a2"].model.right


def test_the_diagram_asks_the_neuron_or_edge_as_the_table_does(qtbot, window):
    diagram = window.diagram
    window.step_action.trigger()  # z1[0,0]: the first hidden neuron, sample 0
    circle, label = diagram.neurons[(1, 0)], diagram._labels[(1, 0)]
    assert circle.brush().color() == ACTIVE_COLOUR and label.text() == "?"
    assert diagram._labels[(1, 1)].text() != "?"
    answer(qtbot, window)
    window.step_action.trigger()  # a1[0,0]: the neuron shows a1, asked
    assert circle.brush().color() == ACTIVE_COLOUR and label.text() == "?"
    answer(qtbot, window)
    assert label.text() == window.tables.cards["a1"].model.data(
        window.tables.cards["a1"].model.index(0, 0))  # answered: its value, as the table shows it
    controller = window.controller
    while True:  # on to the first weight update, revealing the steps between unscored
        window.step_action.trigger()
        name, row, column = controller.exercise.attempt.asked.address
        if name.startswith("new_W"):
            break
        qtbot.keyClick(window.exercise_box.field, Qt.Key.Key_Escape)
    layer = int(name[len("new_W"):])
    edge = diagram.edges[(layer, row, column)]
    assert edge.pen().color() == ACTIVE_COLOUR  # the weight's edge is lit as asked
    answer(qtbot, window)
    assert controller.value(name) is not None


def test_a_neuron_of_another_sample_is_asked_on_that_sample(qtbot, tmp_path):
    doc = lesson_doc((2, 3, 1))
    doc["exercise"] = {"cells": {"z1": [[2, 1]]}}
    window = open_window(qtbot, tmp_path, parse_lesson(doc, "t.json"))
    window.exercise_action.trigger()
    window.step_action.trigger()
    assert window.diagram._labels[(1, 1)].text() == "?"
    assert "sample 2" in window.diagram._caption.text()


def test_tab_moves_to_the_next_asked_cell_and_back_keeping_the_hints(qtbot, tmp_path):
    doc = lesson_doc((2, 3, 1))
    doc["exercise"] = {"cells": {"z1": [[1, 2], [4, 0]]}}
    window = open_window(qtbot, tmp_path, parse_lesson(doc, "t.json"))
    controller, box = window.controller, window.exercise_box
    window.exercise_action.trigger()
    window.step_action.trigger()
    qtbot.waitUntil(box.field.hasFocus)  # once the window is active (it becomes so by events)
    assert "Tab: the step's next asked cell" in box.prompt.text()
    answer(qtbot, window, "12345")  # z1[1,2] wrong once: the hint
    qtbot.keyClick(box.field, Qt.Key.Key_Tab)
    assert controller.exercise.attempt.asked.address == ("z1", 4, 0)
    assert box.field.hasFocus() and box.field.text() == "" and box.hints.text() == ""
    assert card_mark(window, "z1", 4, 0) == ACTIVE and card_mark(window, "z1", 1, 2) is None
    qtbot.keyClick(box.field, Qt.Key.Key_Tab)  # back to the first, as it was left
    attempt = controller.exercise.attempt
    assert attempt.asked.address == ("z1", 1, 2) and attempt.wrong == 1
    assert box.hints.text() == f"Hint: {attempt.asked.symbolic}"
    answer(qtbot, window)  # right after a hint; the other is asked next
    assert controller.exercise.attempt.asked.address == ("z1", 4, 0)
    assert "Tab: the step's next asked cell" not in box.prompt.text()
    qtbot.keyClick(box.field, Qt.Key.Key_Tab)  # the last asked cell: Tab leaves the field
    assert not box.field.hasFocus() and box.check.hasFocus()
    assert controller.exercise.attempt.asked.address == ("z1", 4, 0)
    answer(qtbot, window)
    assert controller.position.step == 1 and score_of(window) == (1, 1, 0)
    assert {(r, c) for r, c in window.tables.cards["z1"].model.right} == {(1, 2), (4, 0)}


def test_the_asked_card_is_scrolled_into_view(qtbot, window):
    tables, controller = window.tables, window.controller
    for _ in range(len(controller.session.steps) - 1):  # reveal all but the last, unscored
        window.step_action.trigger()
        qtbot.keyClick(window.exercise_box.field, Qt.Key.Key_Escape)
    tables.verticalScrollBar().setValue(0)
    tables.horizontalScrollBar().setValue(0)
    name = controller.session.steps[-1].name
    card = tables.cards[name]
    seen = QRect(tables.widget().mapFrom(tables.viewport(), QPoint(0, 0)), tables.viewport().size())
    assert not seen.contains(QRect(card.mapTo(tables.widget(), QPoint(0, 0)), card.size()))
    window.step_action.trigger()
    assert controller.exercise.attempt.asked.address[0] == name
    seen = QRect(tables.widget().mapFrom(tables.viewport(), QPoint(0, 0)), tables.viewport().size())
    assert seen.contains(QRect(card.mapTo(tables.widget(), QPoint(0, 0)), card.size()))


def test_keyboard_only_space_type_enter_and_space_again(qtbot, window):
    """No mouse: Space asks, the digits go into the field, Enter checks and reveals, and
    the next Space steps again (the focus is not left on a widget that takes Space)."""
    controller, box = window.controller, window.exercise_box
    qtbot.waitUntil(window.isActiveWindow)
    for index, name in enumerate(spec.name for spec in controller.session.steps[:4]):
        qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Space)
        assert controller.exercise.attempt.asked.address == (name, 0, 0)
        qtbot.waitUntil(box.field.hasFocus)
        typed = controller.exercise.attempt.asked.answer.replace(MINUS, "-")  # ASCII keys
        qtbot.keyClicks(QApplication.focusWidget(), typed)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        assert controller.position.step == index + 1 and not box.isVisible()
        assert not isinstance(QApplication.focusWidget(), (QAbstractButton, QLineEdit))
    assert score_of(window) == (4, 0, 0)


def test_the_asked_cell_follows_the_presentation_and_the_decimals(qtbot, window):
    controller, box = window.controller, window.exercise_box
    assert controller.presentation == "error"  # the walk-through's own form: d2 = E ⊙ slope2
    while True:
        window.step_action.trigger()
        if controller.exercise.attempt.asked.address[0] == "delta2":
            break
        qtbot.keyClick(box.field, Qt.Key.Key_Escape)
    before = controller.exercise.attempt.asked
    answer(qtbot, window, "12345")
    controller.set_presentation("gradient")
    attempt = controller.exercise.attempt
    assert attempt.asked.cell == "delta2[0,0]" and before.cell == "d2[0,0]"
    assert attempt.asked.value == -before.value and attempt.wrong == 1
    assert "delta2[0,0]" in box.prompt.text()
    assert box.hints.text() == f"Hint: {attempt.asked.symbolic}"
    controller.set_decimals(5)
    assert len(attempt.asked.answer) > len(before.answer)
    answer(qtbot, window, before.answer.replace(MINUS, "-"))  # the error form's sign: wrong
    assert attempt.wrong == 2 and controller.position.step == 8
    answer(qtbot, window)
    assert score_of(window) == (0, 1, 0)
