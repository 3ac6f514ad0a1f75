"""Exercise mode in the real window (issue 16): the learner computes each matrix's asked
cell before Step reveals it, the app checks it, and the hints come in order."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from engine.lesson import load_lesson, parse_lesson, resolve_lesson
from gui.tables import ACTIVE, PRECEDENT, MarkRole
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
