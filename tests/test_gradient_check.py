"""The gradient check passes for the engine's backprop and catches seed 002's formula."""
import numpy as np
import pytest

from engine.gradient_check import (TOLERANCE, GradientCheck, backprop_gradient,
                                   relative_error, seed_002_gradient)
from engine.iteration import record_iteration
from engine.lesson import load_lesson, resolve_lesson
from engine.session import Session
from helpers import make_lesson

SMALL_LESSONS = ["excel_walkthrough", "xor_biases", "xor_constant_input", "one_weight",
                 "moons", "blobs", "spiral", "plane"]


def check(lesson, variant="correct", steps=0):
    session = Session(lesson)
    for _ in range(steps):
        session.step_epoch()
    result = GradientCheck(session.trainer, session.params, variant)
    while not result.finished:
        result.advance(5)
    return result, session


@pytest.mark.parametrize("lesson_id", SMALL_LESSONS)
def test_correct_backprop_passes_on_builtin_lessons(lesson_id):
    result, _ = check(load_lesson(resolve_lesson(lesson_id)), steps=2)
    assert result.passed, result.summary()
    assert result.worst < TOLERANCE
    assert "agrees" in result.summary()


@pytest.mark.parametrize("activations,loss,l2", [
    (["tanh", "softmax"], "cross_entropy", 0.0), (["relu", "sigmoid"], "binary_cross_entropy", 0.5),
    (["leaky_relu", "tanh", "linear"], "mse", 0.2)])
def test_correct_backprop_passes_on_other_networks(activations, loss, l2):
    sizes = (3, 4, 2) if len(activations) == 2 else (3, 4, 3, 2)
    result, _ = check(make_lesson(sizes, activations, loss, init="normal", l2=l2))
    assert result.passed, result.summary()


def test_backprop_column_is_the_iterations_gradient():
    session = Session(load_lesson(resolve_lesson("excel_walkthrough")))
    record = record_iteration(session.trainer, session.state)
    grad = backprop_gradient(session.trainer, session.params)
    for layer in (1, 2):
        assert np.array_equal(grad.weight(layer), record.values[f"grad_W{layer}"])
        assert np.array_equal(grad.bias(layer), record.values[f"grad_b{layer}"][0])


def test_seed_002_formula_is_caught_under_cross_entropy():
    lesson = make_lesson((3, 4, 2), "sigmoid", "binary_cross_entropy", init="epsilon", l2=1.0)
    result, _ = check(lesson, "seed_002")
    assert result.finished and not result.passed
    assert result.failures == result.size
    assert "WRONG" in result.summary()


def test_seed_002_formula_is_caught_on_the_digits_lesson():
    session = Session(load_lesson(resolve_lesson("digits")))
    result = GradientCheck(session.trainer, session.params, "seed_002")
    result.advance(30)  # the first 30 weights already show it; all 1885 take seconds
    assert result.failures == 30
    rows = [result.row(k) for k in range(30)]
    assert all(row.checked and not row.passed for row in rows)
    assert not result.finished and "still to check" in result.summary()


def test_seed_002_formula_is_exact_for_half_sse_without_l2():
    """Its delta is the squared-error one and ½·SSE has no 1/m: there it is right."""
    lesson = load_lesson(resolve_lesson("excel_walkthrough"))
    session = Session(lesson)
    right = backprop_gradient(session.trainer, session.params).flat
    wrong = seed_002_gradient(session.trainer, session.params).flat
    np.testing.assert_allclose(wrong, right, rtol=1e-12, atol=1e-15)
    result, _ = check(lesson, "seed_002")
    assert result.passed and "happens to be right" in result.summary()


def test_seed_002_formula_is_off_by_m_for_half_mse():
    lesson = make_lesson((2, 3, 1), "sigmoid", "half_mse")   # 5 samples
    session = Session(lesson)
    right = backprop_gradient(session.trainer, session.params).flat
    wrong = seed_002_gradient(session.trainer, session.params).flat
    np.testing.assert_allclose(wrong, 5 * right, rtol=1e-12)


def test_frozen_biases_are_not_checked():
    lesson = make_lesson((2, 3, 1), "sigmoid", "half_sse", train_bias=False)
    result, _ = check(lesson)
    assert result.size == 2 * 3 + 3 * 1
    assert all(result.row(k).matrix.startswith("W") for k in range(result.size))
    assert result.passed


def test_rows_address_every_weight_and_bias():
    result, session = check(load_lesson(resolve_lesson("xor_biases")))
    rows = [result.row(k) for k in range(result.size)]
    assert [(r.matrix, r.row, r.column) for r in rows[:6]] == [
        ("W1", 0, 0), ("W1", 0, 1), ("W1", 1, 0), ("W1", 1, 1), ("b1", 0, 0), ("b1", 0, 1)]
    record = record_iteration(session.trainer, session.state)
    for row in rows:
        name = f"grad_{row.matrix}"
        assert row.backprop == record.values[name][row.row, row.column]


def test_relative_error_is_relative_above_one_and_absolute_below():
    assert relative_error(np.array([200.0]), np.array([202.0]))[0] == pytest.approx(2 / 202)
    assert relative_error(np.array([1e-3]), np.array([2e-3]))[0] == pytest.approx(1e-3)


def test_unknown_variant_is_refused():
    session = Session(make_lesson())
    with pytest.raises(ValueError, match="seed_002"):
        GradientCheck(session.trainer, session.params, "mine")
