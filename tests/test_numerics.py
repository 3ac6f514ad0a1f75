"""Numerically stable for every finite input: no warnings, finite losses."""
import warnings

import numpy as np
import pytest

from engine.activations import ACTIVATIONS
from engine.losses import LOSSES
from engine.session import Session
from helpers import make_lesson

EXTREME = np.array([[-1e308, -800.0, -40.0, -1e-300, 0.0, 1e-300, 40.0, 800.0, 1e308]])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_raise_no_warning_for_any_finite_input(name):
    act = ACTIVATIONS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            a = act.forward(EXTREME)
            if not act.row_wise:
                slope = act.slope(EXTREME, a)
                assert np.all(np.isfinite(slope))
    assert np.all(np.isfinite(a))
    if name == "softmax":
        assert a.sum() == pytest.approx(1.0)


def test_sigmoid_values_and_saturation():
    sigmoid = ACTIVATIONS["sigmoid"]
    z = np.array([[-800.0, -2.0, 0.0, 2.0, 800.0]])
    np.testing.assert_allclose(sigmoid.forward(z), 1 / (1 + np.exp(-np.clip(z, -700, 700))),
                               rtol=1e-12, atol=1e-15)


def test_sigmoid_keeps_relative_precision_for_negative_inputs():
    # σ(z) ≈ e^z for very negative z: the tiny outputs a learner sees in a
    # saturated unit are right to the last digits, not rounded to 0.
    z = np.array([[-40.0, -100.0, -700.0]])
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].forward(z), np.exp(z) / (1 + np.exp(z)),
                               rtol=1e-14)


def _plain_binary_cross_entropy(z, y):
    """J written as one NumPy expression: what the buffered loss must equal bit for bit."""
    shared = np.log1p(np.exp(-np.abs(z)))
    return float(np.sum(y * (np.maximum(-z, 0.0) + shared)
                        + (1.0 - y) * (np.maximum(z, 0.0) + shared))) / z.shape[0]


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("scale", [0.1, 3.0, 40.0, 800.0, 1e300])
def test_the_fast_paths_bound_loss_is_the_definition_bit_for_bit(name, scale):
    rng = np.random.default_rng(7)
    z = rng.normal(size=(50, 3)) * scale
    output = ACTIVATIONS["softmax" if name == "cross_entropy" else "sigmoid"].forward(z)
    y = np.eye(3)[rng.integers(0, 3, 50)]
    error = y - output
    loss = LOSSES[name]
    with np.errstate(over="ignore", invalid="ignore"):   # 1e300 squared is inf in both
        bound = loss.bound_value(z, output, y, error)
        for _ in range(2):
            expected = (_plain_binary_cross_entropy(z, y) if name == "binary_cross_entropy"
                        else loss.value(z, output, y, error))
            np.testing.assert_equal(bound(), expected)   # NaN only if both
            z *= 1.5                                     # the buffers follow the arrays' values
            error -= 0.25


def test_saturated_cross_entropies_give_large_finite_correct_losses():
    bce = LOSSES["binary_cross_entropy"]
    z = np.array([[800.0], [-800.0]])
    a = ACTIVATIONS["sigmoid"].forward(z)
    y = np.array([[0.0], [1.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        value = bce.value(z, a, y, y - a)
    assert value == pytest.approx(800.0)  # −log σ(−800) = 800, averaged over 2 samples × 2
    ce = LOSSES["cross_entropy"]
    z = np.array([[1000.0, -1000.0]])
    a = ACTIVATIONS["softmax"].forward(z)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        value = ce.value(z, a, np.array([[0.0, 1.0]]), None)
    assert value == pytest.approx(2000.0)


def test_huge_learning_rates_diverge_cleanly_without_warnings():
    for rate in (2.0, 50.0, 1e3, 1e6):
        lesson = make_lesson((2, 4, 1), ["tanh", "linear"], "mse", learning_rate=rate,
                             init="normal", seed=3)
        session = Session(lesson)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            report = session.run(2000)
            assert report.diverged is not None, rate
            for _ in range(25):  # stepping through the diverged iteration stays quiet too
                session.step()
            assert session.step_back()
