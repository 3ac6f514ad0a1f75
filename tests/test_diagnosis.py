"""engine.diagnosis: each classic cause of a run going wrong, built and named."""
from __future__ import annotations

import numpy as np
import pytest

from engine.diagnosis import (HUGE_WEIGHT, SATURATION_Z, STALL_EPOCHS, diagnose, stable_rate_bound,
                              stalled, trouble)
from engine.history import instability
from engine.lesson import load_lesson, parse_lesson, resolve_lesson
from engine.session import Session
from helpers import lesson_doc

XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [[0.0], [1.0], [1.0], [0.0]]


def session_of(doc) -> Session:
    return Session(parse_lesson(doc, "test"))


def xor_doc(hidden="sigmoid", output="sigmoid", loss="half_sse", weights=None, biases=None,
            **training):
    doc = lesson_doc((2, 2, 1), [hidden, output], loss, X=XOR_X, y=XOR_Y, **training)
    if weights is not None:
        doc["network"]["weights"] = weights
        doc["network"]["biases"] = biases
    return doc


def builtin(lesson_id, **training):
    doc = load_lesson(resolve_lesson(lesson_id)).to_json()
    doc["training"].update(training)
    return session_of(doc)


def causes(found):
    return [diagnosis.cause for diagnosis in found]


# -- the learning rate above 2/curvature -------------------------------------------------
def test_one_weight_bound_is_two_over_its_curvature():
    # C = (1.5·w − 0.5)²: curvature d²C/dw² = 2·1.5² = 4.5, so the bound is 2/4.5.
    session = builtin("one_weight")
    bound, curvature = stable_rate_bound(session.trainer)
    assert curvature == pytest.approx(4.5) and bound == pytest.approx(2 / 4.5)


def test_momentum_widens_the_bound():
    session = builtin("one_weight", momentum=0.5)
    bound, _ = stable_rate_bound(session.trainer, 0.5)
    assert bound == pytest.approx(2 * 1.5 / 4.5)


def test_a_network_whose_loss_is_not_quadratic_has_no_such_bound():
    assert stable_rate_bound(session_of(xor_doc()).trainer) is None


@pytest.mark.parametrize("rate, named", [(0.4, False), (0.5, True), (50.0, True)])
def test_one_weight_rate_above_the_bound_is_named_with_the_rate_to_use(rate, named):
    session = builtin("one_weight", learning_rate=rate)
    session.run(40)
    found = diagnose(session)
    assert ("rate_above_bound" in causes(found)) == named
    if named:
        assert causes(found)[0] == "rate_above_bound"
        sentence = found[0].sentence
        assert "2/curvature = 2/4.5 = 0.444" in sentence
        assert sentence.endswith("lower the learning rate below 0.444.")


def test_a_diverged_one_weight_run_says_why_in_the_window_text():
    session = builtin("one_weight", learning_rate=50.0, epochs=1000)
    session.run(1000)
    told = trouble(session)
    assert session.diverged is not None and told.warning == ""
    assert told.divergence.startswith(f"diverged at epoch {session.diverged.epoch}: the loss is ")
    assert "above the stable bound" in told.divergence
    assert "lower the learning rate below 0.444" in told.divergence


# -- dead ReLU units ---------------------------------------------------------------------
def dead_relu_doc(**training):
    # Every hidden z is negative on every sample: slope 0 everywhere, no gradient to W1.
    return xor_doc("relu", weights=[[[-1.0, -2.0], [-1.5, -0.5]], [[1.0], [1.0]]],
                   biases=[[-0.5, -0.5], [0.0]], **training)


def test_every_dead_relu_is_named_with_the_weights_it_starves():
    found = diagnose(session_of(dead_relu_doc()))
    assert causes(found)[0] == "dead_units" and found[0].share == 1.0
    assert found[0].sentence == (
        "Every hidden ReLU unit is dead (slope 0 on all 4 samples), so no gradient reaches "
        "{W1}: lower the learning rate and press Reset, or use leaky ReLU.")


def test_dead_relus_stall_the_loss_and_the_window_says_so_in_the_cards_names():
    session = session_of(dead_relu_doc(learning_rate=0.5))
    session.run(STALL_EPOCHS + 5)
    assert instability(session.loss_history) is None  # the old warning saw nothing wrong
    told = trouble(session, name_of=lambda name: {"W1": "wh"}.get(name, name))
    assert told.warning.startswith(f"Stalled: the loss has not changed for {STALL_EPOCHS} epochs")
    assert "no gradient reaches wh:" in told.warning and "{" not in told.warning


def test_half_the_relus_dead_is_named_and_a_third_is_not():
    half = xor_doc("relu", weights=[[[-1.0, 2.0], [-1.5, 0.5]], [[1.0], [1.0]]],
                   biases=[[-0.5, 0.1], [0.0]])
    found = diagnose(session_of(half))
    assert causes(found) == ["dead_units"] and found[0].share == 0.5
    assert found[0].sentence.startswith("1 of 2 hidden ReLU units are dead (slope 0 on all 4")
    third = lesson_doc((2, 3, 1), ["relu", "sigmoid"], X=XOR_X, y=XOR_Y)
    third["network"]["weights"] = [[[-1.0, 2.0, 1.0], [-1.5, 0.5, 1.0]], [[1.0], [1.0], [1.0]]]
    third["network"]["biases"] = [[-0.5, 0.1, 0.1], [0.0]]
    assert "dead_units" not in causes(diagnose(session_of(third)))


def test_leaky_relu_never_dies():
    doc = xor_doc("leaky_relu", weights=[[[-1.0, -2.0], [-1.5, -0.5]], [[1.0], [1.0]]],
                  biases=[[-0.5, -0.5], [0.0]])
    assert "dead_units" not in causes(diagnose(session_of(doc)))


# -- saturated sigmoids ------------------------------------------------------------------
def test_a_saturated_output_sigmoid_is_named():
    doc = xor_doc(weights=[[[1.0, -1.0], [1.0, -1.0]], [[1.0], [1.0]]],
                  biases=[[0.0, 0.0], [-2 * SATURATION_Z]])
    found = diagnose(session_of(doc))
    assert causes(found) == ["saturated_output"]
    assert "The output sigmoid is saturated (|z| > 10 on 4 of 4 samples" in found[0].sentence
    assert found[0].sentence.endswith("lower the learning rate and press Reset.")


def test_cross_entropy_cancels_the_output_slope_so_saturation_does_not_matter():
    doc = xor_doc(loss="binary_cross_entropy",
                  weights=[[[1.0, -1.0], [1.0, -1.0]], [[1.0], [1.0]]],
                  biases=[[0.0, 0.0], [-2 * SATURATION_Z]])
    assert "saturated_output" not in causes(diagnose(session_of(doc)))


def test_saturated_hidden_sigmoids_are_named_with_their_share():
    doc = xor_doc(weights=[[[30.0, -30.0], [30.0, -30.0]], [[1.0], [1.0]]],
                  biases=[[-15.0, 15.0], [0.0]])
    found = diagnose(session_of(doc))
    assert causes(found) == ["saturated_hidden"] and found[0].share == 1.0
    assert "|z| > 10 for 8 of 8 values" in found[0].sentence and "{W1} barely learn" in found[0].sentence


def test_xor_at_learning_rate_50_is_unstable_because_its_output_saturated():
    session = builtin("xor_biases", learning_rate=50.0)
    session.run(300)
    told = trouble(session)
    assert told.divergence == ""
    assert told.warning.startswith("Unstable: the loss (")
    assert "The output sigmoid is saturated" in told.warning
    assert "the learning rate may be too high" not in told.warning


# -- exploding weights ---------------------------------------------------------------------
def test_huge_weights_are_named():
    doc = xor_doc("tanh", "linear", weights=[[[1.0, 2.0], [3.0, 4.0]], [[10 * HUGE_WEIGHT], [1.0]]],
                  biases=[[0.0, 0.0], [0.0]])
    found = diagnose(session_of(doc))
    assert "exploding_weights" in causes(found)
    assert "the largest |w| is 1.000e7" in found[causes(found).index("exploding_weights")].sentence


def test_a_diverged_network_tells_its_exploding_weights_with_a_rate_from_the_loss_growth():
    doc = xor_doc("relu", "linear", learning_rate=50.0, epochs=500)
    session = session_of(doc)
    session.run(500)
    assert session.diverged is not None
    told = trouble(session)
    assert told.diagnoses[0].cause == "exploding_weights"
    assert "lower the learning rate below about " in told.divergence


def test_non_finite_weights_are_named():
    session = builtin("one_weight", learning_rate=50.0, epochs=1000)
    session.run(1000)
    found = diagnose(session, diverged=True)
    assert causes(found)[:2] == ["rate_above_bound", "exploding_weights"]
    assert np.isfinite(session.params.flat).all() or "overflowed" in found[1].sentence


# -- when nothing is wrong -------------------------------------------------------------------
def test_a_healthy_run_has_nothing_to_say():
    session = builtin("xor_biases")
    session.run(200)
    assert trouble(session).divergence == trouble(session).warning == ""


def test_a_loss_that_settled_for_no_reason_found_is_not_trouble():
    session = builtin("one_weight", epochs=400)
    session.run(400)
    assert stalled(session.loss_history) is None or trouble(session).warning == ""


def test_stalled_needs_twenty_unchanged_epochs_and_a_loss_above_zero():
    assert stalled(np.full(STALL_EPOCHS, 0.5)) is None
    assert stalled(np.full(STALL_EPOCHS + 1, 0.5)) is not None
    assert stalled(np.zeros(STALL_EPOCHS + 1)) is None
    assert stalled(np.linspace(0.5, 0.4, STALL_EPOCHS + 1)) is None
