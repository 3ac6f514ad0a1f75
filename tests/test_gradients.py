"""Backprop's gradients equal central differences of J, for every pairing."""
import itertools

import numpy as np
import pytest

from engine.iteration import record_iteration
from engine.losses import LOSSES, check_pairing
from engine.session import Session
from helpers import make_lesson

OUTPUT_ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"]
PAIRINGS = [(act, loss) for act, loss in itertools.product(OUTPUT_ACTIVATIONS, LOSSES)
            if check_pairing(loss, [act]) is None]
HIDDEN = {1: [], 2: ["tanh"], 3: ["sigmoid", "leaky_relu"]}


def numeric_gradient(session: Session, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the full-batch J over every parameter; shape (size,)."""
    params = session.state.params.copy()
    trainer = session.trainer
    grad = np.empty_like(params.flat)
    for index in range(params.flat.size):
        saved = params.flat[index]
        params.flat[index] = saved + eps
        plus = trainer.full_loss(params)
        params.flat[index] = saved - eps
        minus = trainer.full_loss(params)
        params.flat[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def analytic_gradient(session: Session) -> np.ndarray:
    """grad_W{l} and grad_b{l} of the next iteration, laid out like the parameters."""
    record = record_iteration(session.trainer, session.state)
    arch = session.architecture
    grad = session.state.params.copy()
    for l in range(1, arch.depth + 1):
        grad.weight(l)[...] = record.values[f"grad_W{l}"]
        if arch.bias:
            grad.bias(l)[...] = record.values[f"grad_b{l}"][0]
    return grad.flat


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("output,loss", PAIRINGS)
@pytest.mark.parametrize("l2,momentum", [(0.0, 0.0), (0.3, 0.0), (0.0, 0.9), (0.2, 0.5)])
def test_gradient_matches_central_differences(depth, output, loss, l2, momentum):
    sizes = {1: (3, 2), 2: (3, 4, 2), 3: (3, 4, 3, 2)}[depth]
    activations = HIDDEN[depth] + [output]
    lesson = make_lesson(sizes, activations, loss, init="normal", seed=depth, l2=l2,
                         momentum=momentum, learning_rate=0.05)
    session = Session(lesson)
    if momentum:
        for _ in range(2):  # a non-zero velocity must not leak into the gradient
            session.step_epoch()
    analytic = analytic_gradient(session)
    numeric = numeric_gradient(session)
    scale = np.maximum(1.0, np.abs(numeric))
    assert np.all(np.abs(analytic - numeric) / scale < 1e-6), (analytic, numeric)


def test_frozen_biases_take_no_step():
    lesson = make_lesson((2, 3, 1), "sigmoid", "half_sse", train_bias=False)
    session = Session(lesson)
    before = [session.params.bias(l).copy() for l in (1, 2)]
    session.run(5)
    for l, b in zip((1, 2), before):
        assert np.array_equal(session.params.bias(l), b)
    names = [spec.name for spec in session.steps]
    assert not any(n.startswith(("grad_b", "new_b")) for n in names)


def test_momentum_update_follows_the_velocity_formula():
    lesson = make_lesson((2, 2, 1), "sigmoid", "half_sse", momentum=0.9, learning_rate=0.5)
    session = Session(lesson)
    session.step_epoch()
    record = record_iteration(session.trainer, session.state)
    v = record.values
    for l in (1, 2):
        expected_v = 0.9 * v[f"previous_velocity_W{l}"] - 0.5 * v[f"grad_W{l}"]
        np.testing.assert_allclose(v[f"velocity_W{l}"], expected_v, rtol=0, atol=1e-15)
        np.testing.assert_allclose(v[f"new_W{l}"], v[f"W{l}"] + v[f"velocity_W{l}"], atol=1e-15)
    assert np.any(v["previous_velocity_W1"] != 0)
