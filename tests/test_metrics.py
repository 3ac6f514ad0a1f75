"""How the final weights are judged: which targets are class labels, accuracy, held-out loss."""
import math

import numpy as np

from engine.lesson import builtin_lessons, load_lesson
from engine.metrics import accuracy, evaluate, is_classification
from engine.session import Session


def test_class_labels_are_0_1_for_one_output_and_one_hot_for_several():
    assert is_classification(np.array([[0.0], [1.0], [1.0]]))
    assert is_classification(np.eye(3)[[0, 2, 1, 1]])
    assert not is_classification(np.array([[0.0], [0.5]]))             # a real target
    assert not is_classification(np.array([[1.0, 1.0], [0.0, 1.0]]))   # not one-hot
    assert not is_classification(np.zeros((0, 1)))


def test_accuracy_of_outputs_that_are_not_numbers_is_nan():
    targets = np.array([[0.0], [1.0]])
    assert accuracy(np.array([[0.2], [0.9]]), targets) == 1.0
    assert math.isnan(accuracy(np.array([[np.nan], [0.9]]), targets))
    assert math.isnan(accuracy(np.zeros((0, 1)), np.zeros((0, 1))))


def test_every_builtin_lesson_is_judged_on_the_rows_it_holds():
    for lesson_id, _, path in builtin_lessons():
        lesson = load_lesson(path)
        session = Session(lesson)
        judged = evaluate(session.trainer, session.params, lesson.X_test, lesson.y_test)
        held = 0 if lesson.X_test is None else len(lesson.X_test)
        assert (judged.training_rows, judged.held_out_rows) == (len(lesson.X), held), lesson_id
        assert judged.final_loss == session.trainer.full_loss(session.params), lesson_id
        assert (judged.test_loss is None) == (held == 0), lesson_id
        assert judged.classification == (lesson_id not in ("one_weight", "plane")), lesson_id
        assert (judged.test_accuracy is None) == (held == 0 or not judged.classification)
