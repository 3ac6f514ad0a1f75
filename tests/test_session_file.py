"""Save Session and reopen: the same state bit for bit; tampered files refused."""
import copy
import json

import numpy as np
import pytest

from engine.errors import LessonError
from engine.lesson import load_lesson, parse_lesson
from engine.session import Session
from engine.exercise import ExerciseRecord
from engine.session_file import capture_session, session_document
from helpers import lesson_doc
from test_stepping import CONFIGS, assert_same, snapshot


def reopen(session: Session, tmp_path) -> Session:
    path = tmp_path / "saved.json"
    path.write_text(json.dumps(session_document(session), allow_nan=False), encoding="utf-8")
    return Session(load_lesson(path))


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
@pytest.mark.parametrize("moves", [0, 1, 7, 40])
def test_save_then_open_restores_the_session_bit_for_bit(tmp_path, config, moves):
    session = Session(parse_lesson(lesson_doc(**config), "t.json"))
    session.run(3)
    for _ in range(moves):
        session.step()
    restored = reopen(session, tmp_path)
    assert_same(snapshot(restored), snapshot(session))
    assert np.array_equal(restored.loss_history, session.loss_history)
    for _ in range(30):  # and they go on identically
        session.step()
        restored.step()
    assert_same(snapshot(restored), snapshot(session))
    session.run(5)
    restored.run(5)
    assert np.array_equal(restored.params.flat, session.params.flat)


@pytest.mark.parametrize("selection", [("X", 2, 1), ("delta2", 0, 0), ("new_b1", 0, 2), None])
def test_the_selected_cell_is_saved_with_the_session(selection):
    session = Session(parse_lesson(lesson_doc((2, 3, 1), epochs=5), "t.json"))
    session.run(2)
    session.step()
    document = session_document(session, selection=selection)
    assert parse_lesson(document, "saved.json").session.selection == selection


def tampered(session, change):
    doc = copy.deepcopy(session_document(session))
    change(doc["session"])
    return doc


@pytest.mark.parametrize("change,expected", [
    (lambda s: s.update(epoch=99), "session.loss_history"),
    (lambda s: s["weights"][0].pop(), "session.weights[0]"),
    (lambda s: s["weights"][1][0].__setitem__(0, "x"), "session.weights[1] row 1 column 1"),
    (lambda s: s.update(step="z9"), "session.step"),
    (lambda s: s.update(rng_state={"bit_generator": "MT19937"}), "session.rng_state"),
    (lambda s: s.pop("weights"), "session.weights: missing"),
    (lambda s: s.update(mood="happy"), "session.mood: unknown key"),
    (lambda s: s.update(velocities={"weights": []}), "session.velocities"),
    (lambda s: s.update(biases=[[0.1]]), "session.biases"),
    (lambda s: s.update(selection={"matrix": "W9", "row": 0, "column": 0}),
     "session.selection.matrix: 'W9' is not a matrix of this network"),
    (lambda s: s.update(selection={"matrix": "W2", "row": 3, "column": 0}),
     "session.selection.row: 3 is out of range; expected 0 to 2"),
    (lambda s: s.update(selection={"matrix": "b1", "row": 0, "column": 3}),
     "session.selection.column: 3 is out of range; expected 0 to 2"),
    (lambda s: s.update(selection={"matrix": "z1", "row": 0}), "session.selection.column: missing"),
    (lambda s: s.update(selection={"matrix": ["X"], "row": 0, "column": 0}),
     "session.selection.matrix"),
    (lambda s: s.update(exercise={"first_try": 3}),
     "saved.json: session.exercise: expected a list of scores"),
    (lambda s: s.update(exercise=[{"iteration": 0, "first_try": 1, "after_hint": 0,
                                   "revealed": 0}]), "saved.json: session.exercise[0]: "),
    (lambda s: s.update(exercise=[{"iteration": 1, "first_try": 1, "after_hint": 0}]),
     "saved.json: session.exercise[0]: expected an object with the keys"),
    (lambda s: s.update(exercise=[{"iteration": 2, "first_try": -1, "after_hint": 0,
                                   "revealed": 0}]), "saved.json: session.exercise[0]: "),
])
def test_tampered_sessions_are_refused_with_a_message(change, expected):
    session = Session(parse_lesson(lesson_doc((2, 3, 1), epochs=5), "t.json"))
    session.run(2)
    session.step()
    with pytest.raises(LessonError) as error:
        parse_lesson(tampered(session, change), "saved.json")
    assert expected in str(error.value)


def test_exercise_scores_are_saved_with_the_session_and_old_files_load_without_them(tmp_path):
    session = Session(parse_lesson(lesson_doc((2, 3, 1), epochs=5), "t.json"))
    session.run(2)
    session.step()
    assert "exercise" not in session_document(session)["session"]  # nothing scored: as before
    assert "exercise" not in session_document(session, exercise=ExerciseRecord())["session"]
    assert reopen(session, tmp_path).lesson.session.exercise is None
    record = ExerciseRecord()
    for iteration, outcome in [(1, "first_try"), (1, "after_hint"), (3, "revealed"),
                               (3, "first_try"), (3, "first_try")]:
        record.count(iteration, outcome)
    path = tmp_path / "scored.json"
    path.write_text(json.dumps(session_document(session, exercise=record), allow_nan=False),
                    encoding="utf-8")
    assert json.loads(path.read_text())["session"]["exercise"] == [
        {"iteration": 1, "first_try": 1, "after_hint": 1, "revealed": 0},
        {"iteration": 3, "first_try": 2, "after_hint": 0, "revealed": 1}]
    restored = load_lesson(path).session.exercise
    assert restored.scores == record.scores


def test_a_capture_keeps_the_scores_as_they_were_when_copied():
    session = Session(parse_lesson(lesson_doc((2, 3, 1), epochs=5), "t.json"))
    record = ExerciseRecord()
    record.count(1, "first_try")
    build = capture_session(session, exercise=record)
    record.count(1, "first_try")  # scored after the copy, before the writer ran
    assert build()["session"]["exercise"] == [
        {"iteration": 1, "first_try": 1, "after_hint": 0, "revealed": 0}]
