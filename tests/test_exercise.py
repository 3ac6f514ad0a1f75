"""Exercise mode's engine (``engine.exercise``) and the lesson's ``exercise`` key.

The learner's typed number is right to the precision its table shows; wrong
answers earn, in order, the formula, the formula with numbers, the answer;
scores per iteration survive a round trip through JSON.
"""
import numpy as np
import pytest

from engine.errors import LessonError
from engine.exercise import (Attempt, ExercisePlan, ExerciseRecord, Score, question,
                             read_number)
from engine.iteration import record_iteration
from engine.lesson import builtin_lessons, load_lesson, parse_lesson
from engine.number_text import MINUS
from engine.session import Session
from helpers import lesson_doc

WALKTHROUGH = dict((i, p) for i, _t, p in builtin_lessons())["excel_walkthrough"]


@pytest.fixture(scope="module")
def record():
    session = Session(load_lesson(WALKTHROUGH))
    return record_iteration(session.trainer, session.state)


def asked(record, name, row=0, column=0, presentation="error", decimals=3):
    return question(record.explain(name, row, column, presentation, decimals))


@pytest.mark.parametrize("text,value", [
    ("0.25", 0.25), (f"{MINUS}0.25", -0.25), ("-.25", -0.25), (" 2.5e-4 ", 2.5e-4),
    (f"4.5e{MINUS}4", 4.5e-4), ("0,25", 0.25), ("+3", 3.0), ("1E3", 1000.0)])
def test_read_number_takes_what_a_learner_types(text, value):
    assert read_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "0.2.5", "1,000.5", "nan", "inf", "1e999", "e3"])
def test_read_number_refuses_with_a_message_that_says_what_to_type(text):
    with pytest.raises(ValueError, match="type one such as|too large"):
        read_number(text)


def test_every_cell_of_an_iteration_is_right_at_its_shown_text_and_wrong_one_digit_off(record):
    for spec in record.steps:
        for presentation in ("gradient", "error"):
            shown = record.shown(spec.name, presentation)
            for row, column in np.ndindex(*shown.shape):
                q = asked(record, spec.name, row, column, presentation)
                assert Attempt(q).answer(q.answer).right, (spec.name, q.answer)
                off = q.value + 3 * q.tolerance
                assert not Attempt(q).answer(repr(off)).right


def test_precision_is_half_a_unit_of_the_last_shown_digit(record):
    q = asked(record, "a1", 0, 0)  # 0.xxx at three decimals
    assert q.tolerance == pytest.approx(5e-4)
    assert Attempt(q).answer(repr(q.value + 4.9e-4)).right
    assert not Attempt(q).answer(repr(q.value + 5.2e-4)).right


def test_small_values_are_asked_to_two_significant_digits():
    X = [[1e-4, 2e-4], [3e-4, -1e-4]]
    lesson = parse_lesson(lesson_doc((2, 2, 1), X=X, y=[[0.5], [0.5]]), "t.json")
    session = Session(lesson)
    rec = record_iteration(session.trainer, session.state)
    q = question(rec.explain("grad_W1", 0, 0, "gradient", 3))
    assert abs(q.value) < 5e-4 and "e" in q.answer  # 0.000 would hide it: 1.2e−5 or so
    assert q.tolerance < abs(q.value) / 5  # two significant digits are asked
    assert Attempt(q).answer(q.answer.replace(MINUS, "-")).right
    assert not Attempt(q).answer("0").right


def test_wrong_answers_earn_the_formula_then_the_numbers_then_the_answer(record):
    q = asked(record, "delta2", 1, 0)
    attempt = Attempt(q)
    first = attempt.answer(repr(q.value + 0.1))
    assert not first.right and "too high" in first.message
    assert attempt.hints() == [f"Hint: {q.symbolic}"]
    second = attempt.answer(repr(q.value - 0.1))
    assert "too low" in second.message
    assert attempt.hints()[1] == f"With the numbers: {q.numbers}"
    assert not attempt.finished
    attempt.answer("7")
    assert attempt.finished and attempt.outcome == "revealed"
    assert attempt.hints()[-1] == f"The answer: {q.cell} = {q.answer}"
    # the hints name the cell as its card does in the error form
    assert q.cell.startswith("d_output[") or q.cell.startswith("d2[")


def test_right_first_try_and_after_a_hint_and_a_sign_slip(record):
    q = asked(record, "E", 2, 0)
    first = Attempt(q)
    assert first.answer(q.answer).right and first.outcome == "first_try"
    later = Attempt(q)
    slip = later.answer(repr(-q.value))
    assert not slip.right and "wrong sign" in slip.message
    assert later.answer(q.answer).right and later.outcome == "after_hint"


def test_must_be_right_forbids_skipping_and_asks_for_the_shown_answer(record):
    q = asked(record, "z1", 0, 1)
    attempt = Attempt(q, tries=1, must_be_right=True)
    assert not attempt.skip()
    attempt.answer("1000")
    assert not attempt.finished and attempt.hints()[-1].endswith("(type it to go on)")
    assert attempt.answer(q.answer).right and attempt.outcome == "revealed"
    free = Attempt(q)
    assert free.skip() and free.outcome == "skipped"


def test_not_a_number_counts_nothing(record):
    attempt = Attempt(asked(record, "z1"))
    with pytest.raises(ValueError):
        attempt.answer("zero point five")
    assert attempt.wrong == 0 and attempt.hints() == []


def test_scores_per_iteration_round_trip_and_skips_are_not_counted():
    book = ExerciseRecord()
    for iteration, outcome in [(1, "first_try"), (1, "after_hint"), (2, "revealed"),
                               (2, "skipped"), (1, "first_try")]:
        book.count(iteration, outcome)
    assert book.score(1) == Score(2, 1, 0) and book.score(2) == Score(0, 0, 1)
    assert book.score(1).text() == "2 of 3 right first try, 1 after a hint, 0 shown"
    assert book.total().asked == 4
    again = ExerciseRecord.from_json(book.to_json(), "session.exercise")
    assert again == book


@pytest.mark.parametrize("bad", [{}, [{"iteration": 0, "first_try": 1, "after_hint": 0,
                                        "revealed": 0}],
                                 [{"iteration": 1, "first_try": -1, "after_hint": 0,
                                   "revealed": 0}],
                                 [{"iteration": 1, "first_try": 1}],
                                 [{"iteration": 1, "first_try": 1, "after_hint": 0,
                                   "revealed": 0}] * 2])
def test_bad_score_lists_are_refused_naming_where(bad):
    with pytest.raises(ValueError, match=r"scores"):
        ExerciseRecord.from_json(bad, "scores")


def test_lesson_exercise_key_round_trips_and_old_lessons_load_unchanged():
    assert load_lesson(WALKTHROUGH).exercise == ExercisePlan()
    doc = lesson_doc((2, 3, 1))
    doc["exercise"] = {"cells": {"z1": [[4, 2], [0, 0]], "loss": [[0, 0]]}, "tries": 2,
                       "must_be_right": True}
    lesson = parse_lesson(doc, "t.json")
    assert lesson.exercise.cells == {"z1": ((4, 2), (0, 0)), "loss": ((0, 0),)}
    assert lesson.exercise.tries == 2 and lesson.exercise.must_be_right
    assert parse_lesson(lesson.to_json(), "again.json").exercise == lesson.exercise
    assert lesson.exercise.cells_for("z1", (3, 3)) == [(0, 0)]  # a smaller last batch
    assert lesson.exercise.cells_for("a1", (5, 3)) == [(0, 0)]  # not listed: the first cell


@pytest.mark.parametrize("exercise,where", [
    ({"cells": {"z9": [[0, 0]]}}, "exercise.cells.z9"),
    ({"cells": {"z1": [[5, 0]]}}, r"exercise.cells.z1\[0\]\[0\]"),
    ({"cells": {"z1": [[0, 3]]}}, r"exercise.cells.z1\[0\]\[1\]"),
    ({"cells": {"z1": [0, 0]}}, r"exercise.cells.z1\[0\]"),
    ({"cells": {"z1": []}}, "exercise.cells.z1"),
    ({"tries": 0}, "exercise.tries"),
    ({"must_be_right": "yes"}, "exercise.must_be_right"),
    ({"ask": 1}, "exercise.ask"),
])
def test_bad_exercise_keys_are_refused_naming_the_key(exercise, where):
    doc = lesson_doc((2, 3, 1))
    doc["exercise"] = exercise
    with pytest.raises(LessonError, match=where):
        parse_lesson(doc, "t.json")


def test_a_changed_network_keeps_the_cells_that_still_fit():
    doc = lesson_doc((2, 3, 1))
    doc["exercise"] = {"cells": {"z1": [[0, 2], [0, 0]], "delta2": [[1, 0]]}}
    parse_lesson(doc, "t.json")  # valid for 2-3-1
    doc["network"]["layers"] = [2, 1]  # z1 loses its third column, delta2 is gone
    lesson = parse_lesson(doc, "t.json", keep_fitting_notes=True)
    assert lesson.exercise.cells == {"z1": ((0, 0),)}
    with pytest.raises(LessonError, match=r"exercise.cells.z1\[0\]\[1\]: 2 is out of range"):
        parse_lesson(doc, "t.json")
