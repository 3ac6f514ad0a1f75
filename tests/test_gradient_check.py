"""The gradient check passes for the engine's backprop and catches seed 002's formula."""
import numpy as np
import pytest

from engine.gradient_check import (EPSILON, TOLERANCE, GradientCheck, backprop_gradient,
                                   opposite_signs, relative_error, resolution_floor,
                                   rounding_scale, seed_002_gradient, wrong_formula_words)
from engine.iteration import record_iteration
from engine.lesson import builtin_lessons, load_lesson, resolve_lesson
from engine.number_text import shown_number
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


def test_relative_error_is_a_ratio_above_the_floor_and_measured_against_it_below():
    floor = 1e-9
    assert relative_error(np.array([200.0]), np.array([202.0]), floor)[0] == pytest.approx(2 / 402)
    # a gradient off by a factor 2 fails however small it is (max(1, …) made this 1e-3)
    assert relative_error(np.array([1e-3]), np.array([2e-3]), floor)[0] == pytest.approx(1 / 3)
    assert relative_error(np.array([1e-12]), np.array([3e-12]), floor)[0] == pytest.approx(2e-3)
    assert relative_error(np.array([0.0]), np.array([0.0]), resolution_floor(0.0))[0] == 0.0


def test_unknown_variant_is_refused():
    session = Session(make_lesson())
    with pytest.raises(ValueError, match="seed_002"):
        GradientCheck(session.trainer, session.params, "mine")


# -- judged honestly: a ratio above the floor, sign flips, every lesson ---------------------
BUILTIN = [(lesson_id, path) for lesson_id, _, path in builtin_lessons()]
SLICE = 20   # rows checked per lesson: the first weights already show a wrong formula


def formula_is_exact(session):
    """½·SSE without L2: seed 002's formula is the true gradient there, nothing to catch."""
    return session.lesson.loss == "half_sse" and not session.lesson.l2


@pytest.mark.parametrize("lesson_id,path", BUILTIN, ids=[i for i, _ in BUILTIN])
def test_every_builtin_lesson_passes_right_and_fails_wrong_backprop(lesson_id, path):
    session = Session(load_lesson(path))
    session.run(2)   # a few iterations in, past the starting weights
    right = GradientCheck(session.trainer, session.params, "correct")
    right.advance(SLICE)
    assert right.failures == 0 and right.sign_flips == 0, right.summary()
    wrong = GradientCheck(session.trainer, session.params, "seed_002")
    wrong.advance(SLICE)
    summary = wrong.summary()
    assert "seed 002" not in summary and "seed_002" not in summary
    if formula_is_exact(session):
        np.testing.assert_allclose(wrong.backprop, right.backprop, rtol=1e-12, atol=1e-15)
        assert wrong.failures == 0
        return
    assert wrong.failures == wrong.done, summary
    words = wrong_formula_words(session.trainer)
    if session.lesson.loss.endswith("cross_entropy"):
        assert "squared-error delta" in words and "leaves out 1/m" in words
    else:
        assert "leaves out the factor c" in words
    assert ("leaves out the L2 term" in words) == bool(session.lesson.l2)


@pytest.fixture(scope="module")
def trained_spiral():
    """The spiral after 1000 epochs: J ≈ 2e−4, gradients down to ~1e−10."""
    session = Session(load_lesson(resolve_lesson("spiral")))
    session.run(1000)
    return session


def test_right_backprop_passes_on_a_trained_spiral(trained_spiral):
    result = GradientCheck(trained_spiral.trainer, trained_spiral.params, "correct")
    result.advance(result.size)
    assert result.passed, result.summary()
    assert result.worst < TOLERANCE and result.sign_flips == 0
    assert min(abs(result.backprop[result.indices])) < 1e-9   # small gradients are checked


def test_wrong_formula_fails_on_a_trained_spiral(trained_spiral):
    """Under max(1, |a|, |b|) 71 of these 337 rows passed, most of them far off."""
    session = trained_spiral
    result = GradientCheck(session.trainer, session.params, "seed_002")
    result.advance(result.size)
    assert not result.passed and result.sign_flips > 0
    right = backprop_gradient(session.trainer, session.params).flat
    # a row passes only where the wrong formula happens to come near the true gradient
    for k in range(result.size):
        row, index = result.row(k), result.indices[k]
        true_error = relative_error(row.backprop, right[index], row.floor)
        assert row.passed == (true_error < TOLERANCE), row
        if row.opposite_signs:
            assert not row.passed and np.sign(row.backprop) != np.sign(right[index])
    assert result.failures > 0.95 * result.size
    assert f"{result.sign_flips} with opposite signs" in result.summary()
    assert "squared-error delta" in result.summary() and "leaves out 1/m" in result.summary()


@pytest.mark.parametrize("loss", [8.2e-5, 9.7e-5])
def test_the_issues_row_fails_as_a_sign_flip(loss):
    """Backprop −1.3e−11 against numerical +2.4e−10 showed "pass ✓" on a trained spiral.

    The loss is the spiral's after 1800 and 1580 epochs, where the old rule let 207 to
    225 of 337 rows of the wrong formula agree.
    """
    backprop, numerical = np.array([-1.3e-11]), np.array([2.4e-10])
    floor = resolution_floor(rounding_scale(loss))   # a cross-entropy: S = J
    assert floor < 1.3e-11
    assert relative_error(backprop, numerical, floor)[0] == 1.0 >= TOLERANCE
    assert opposite_signs(backprop, numerical, floor)[0]
    # the same gradients below the floor are not called opposite: rounding could flip them
    assert not opposite_signs(backprop, numerical, resolution_floor(100 * loss))[0]


def test_an_exact_fit_passes():
    """one_weight reaches J = 0: there the step itself makes the error E = ±h·i,
    whose rounding ε·|a| the floor must cover (backprop 0, numerical ~1.7e−16)."""
    session = Session(load_lesson(resolve_lesson("one_weight")))
    session.run(100)
    result = GradientCheck(session.trainer, session.params)
    result.advance(1)
    assert result.loss == 0.0 and result.row(0).backprop == 0.0 != result.row(0).numerical
    assert result.passed, result.summary()
    assert result.row(0).floor > result.floor   # J(θ ± h) > J(θ) = 0


def test_the_floor_comes_from_the_loss_and_the_step():
    session = Session(load_lesson(resolve_lesson("moons")))   # mse: c = 2/(m·k)
    result = GradientCheck(session.trainer, session.params)
    loss = session.trainer.full_loss(session.params)
    outputs = session.trainer.predict(session.params, session.trainer.X_augmented[:, :-1])
    c = 2 / session.trainer.samples
    scale = loss + np.sqrt(2 * c * loss) * np.linalg.norm(outputs)
    assert result.scale == pytest.approx(scale)
    assert result.floor == pytest.approx(resolution_floor(scale))
    assert resolution_floor(scale, EPSILON / 10) == pytest.approx(10 * result.floor)
    rule = result.rule()
    assert f"floor = {shown_number(result.floor)}" in rule
    assert f"passes below {shown_number(TOLERANCE)}" in rule
    assert f"J = {shown_number(loss)}" in rule and "⇅" in rule
    result.advance(3)
    assert all(result.row(k).floor == pytest.approx(result.floor, rel=1e-3) for k in range(3))
    # a cross-entropy's J is computed from z: its rounding stays relative to J
    blobs = Session(load_lesson(resolve_lesson("blobs")))
    ce = GradientCheck(blobs.trainer, blobs.params)
    assert ce.scale == abs(ce.loss) and f"S = J = {shown_number(ce.loss)}" in ce.rule()


def test_the_wrong_formula_is_told_in_words():
    sse = Session(make_lesson((2, 3, 1), "sigmoid", "sse"))
    assert wrong_formula_words(sse.trainer) == (
        "the wrong backprop leaves out the factor c = 2.000 that J = Σᵢ Σₖ (y − ŷ)² puts "
        "in its delta c·(a − y)·f′(z)")
    softmax = Session(make_lesson((3, 4, 2), ["tanh", "softmax"], "cross_entropy", l2=0.5))
    words = wrong_formula_words(softmax.trainer)
    assert words == ("the wrong backprop uses the squared-error delta (a − y)·a·(1 − a), the "
                     "diagonal of softmax's slope, with a cross-entropy loss, whose delta is "
                     "(a − y)/m (the slope cancels), leaves out 1/m (m = 5) and leaves out the "
                     "L2 term (λ/m)·W (λ = 0.500)")
    half_sse = Session(make_lesson((2, 3, 1), "sigmoid", "half_sse"))
    assert "happens to be right" in wrong_formula_words(half_sse.trainer)
