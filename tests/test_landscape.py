"""The loss landscape: curve points are losses, the tangent is the gradient, the path is the run."""
from __future__ import annotations

import numpy as np
import pytest

import engine.landscape as landscape_module
from engine.landscape import (DescentPath, WeightAddress, landscape, loss_curve, loss_surface,
                              sweep_points, weight_addresses)
from engine.lesson import load_lesson, parse_lesson, resolve_lesson
from engine.session import Session
from tests.helpers import lesson_doc


def session_of(lesson_id: str, epochs: int = 0) -> Session:
    session = Session(load_lesson(resolve_lesson(lesson_id)))
    if epochs:
        session.run(epochs)
    return session


def loss_with(session: Session, index: int, value: float) -> float:
    """Set one weight in a copy of the weights and compute the full loss."""
    params = session.params.copy()
    params.flat[index] = value
    return session.trainer.full_loss(params)


@pytest.mark.parametrize("lesson_id, address", [
    ("moons", WeightAddress("W", 1, 1, 3)),
    ("moons", WeightAddress("b", 2, 0, 0)),
    ("blobs", WeightAddress("W", 2, 4, 2)),
    ("excel_walkthrough", WeightAddress("W", 1, 0, 0)),
])
def test_curve_points_are_the_full_loss_at_those_weights(lesson_id, address):
    session = session_of(lesson_id, 20)
    index = address.flat_index(session.architecture)
    current = float(session.params.flat[index])
    curve = loss_curve(session.trainer, session.params, address, (current - 2, current + 2), 21)
    for w, J in zip(curve.weights, curve.losses):
        assert J == pytest.approx(loss_with(session, index, w), rel=1e-12, abs=1e-15)
    assert curve.current_loss == pytest.approx(session.trainer.full_loss(session.params),
                                               rel=1e-12)
    # The sweep never changed the session's weights.
    assert session.params.flat[index] == current


@pytest.mark.parametrize("lesson_id, address", [
    ("moons", WeightAddress("W", 1, 0, 7)),
    ("xor_biases", WeightAddress("b", 1, 0, 1)),
    ("blobs", WeightAddress("W", 1, 1, 0)),
    ("digits", WeightAddress("W", 2, 3, 4)),
])
def test_tangent_slope_is_the_central_difference(lesson_id, address):
    session = session_of(lesson_id, 5)
    index = address.flat_index(session.architecture)
    w = float(session.params.flat[index])
    curve = loss_curve(session.trainer, session.params, address, (w - 1, w + 1), 5)
    h = 1e-5
    central = (loss_with(session, index, w + h) - loss_with(session, index, w - h)) / (2 * h)
    assert curve.slope == pytest.approx(central, rel=1e-5, abs=1e-9)
    rise = np.diff(curve.tangent_losses)[0] / np.diff(curve.tangent_weights)[0]
    assert rise == pytest.approx(curve.slope, rel=1e-9, abs=1e-12)


def test_seed_004_path_and_curve():
    session = session_of("one_weight", 4)
    path = DescentPath()
    result = landscape(session, path, [WeightAddress("W", 1, 0, 0)])
    assert result.path_complete
    np.testing.assert_array_equal(result.path_epochs, [0, 1, 2, 3, 4])
    np.testing.assert_allclose(result.path_values[:, 0],
                               [0.8, 0.59, 0.4745, 0.410975, 0.37603625], rtol=1e-12)
    # C = (i·w − y)² with i = 1.5, y = 0.5: every path point lies on the curve.
    np.testing.assert_allclose(result.path_losses, (1.5 * result.path_values[:, 0] - 0.5) ** 2,
                               rtol=1e-12)
    curve = result.curve
    np.testing.assert_allclose(curve.losses, (1.5 * curve.weights - 0.5) ** 2, rtol=1e-9,
                               atol=1e-15)
    w = curve.current_weight
    assert curve.slope == pytest.approx(2 * (1.5 * w - 0.5) * 1.5, rel=1e-12)
    # The sweep shows where the weight started and where it is heading (1/3).
    assert curve.weights[0] < 1 / 3 < 0.8 < curve.weights[-1]


@pytest.mark.parametrize("lesson_id, epochs", [("moons", 6), ("xor_biases", 40)])
def test_path_replays_the_weights_the_session_had(lesson_id, epochs):
    session = session_of(lesson_id)
    seen = [session.params.flat.copy()]
    for _ in range(epochs):
        session.run(1)
        seen.append(session.params.flat.copy())
    path = DescentPath()
    assert path.follow(session, budget_s=10.0)
    assert path.epochs == list(range(epochs + 1))
    for kept, actual in zip(path.snapshots, seen):
        np.testing.assert_array_equal(kept, actual)


def test_path_follows_steps_back_and_restarts_after_an_edit():
    session = session_of("xor_biases", 10)
    path = DescentPath()
    path.follow(session)
    session.jump_to_epoch(4)
    epochs, values, _ = path.path([0], session.epochs_done)
    assert epochs.tolist() == [0, 1, 2, 3, 4]
    # The edit changes the weights the shown iteration (epoch 4) started from.
    session.set_value("W1", 0, 0, 5.0)
    assert path.follow(session)
    epochs, values, _ = path.path([0], session.epochs_done)
    assert epochs.tolist() == [3, 4] and values[0, 0] == 5.0
    assert values[1, 0] == session.params.flat[0]
    session.run(3)
    path.follow(session)
    epochs, values, _ = path.path([0], session.epochs_done)
    assert epochs.tolist() == [3, 4, 5, 6, 7]
    assert values[-1, 0] == session.params.flat[0]


def test_long_paths_are_thinned(monkeypatch):
    monkeypatch.setattr(landscape_module, "MAX_PATH_POINTS", 16)
    session = session_of("xor_biases", 100)
    path = DescentPath()
    assert path.follow(session, budget_s=10.0)
    assert len(path.epochs) <= 17 and path.epochs[0] == 0
    assert path.epochs[-1] == 100 and path.stride > 1
    np.testing.assert_array_equal(path.snapshots[-1], session.params.flat)


def test_surface_is_the_loss_on_the_grid_and_its_gradient_the_slopes():
    session = session_of("xor_biases", 50)
    a, b = WeightAddress("W", 1, 0, 0), WeightAddress("W", 2, 1, 0)
    surface = loss_surface(session.trainer, session.params, (a, b), ((-3, 3), (-2, 4)), 7)
    ia, ib = a.flat_index(session.architecture), b.flat_index(session.architecture)
    assert surface.losses.shape == (7, 7)
    for i in (0, 3, 6):
        for j in (0, 2, 5):
            params = session.params.copy()
            params.flat[ia], params.flat[ib] = surface.first[j], surface.second[i]
            assert surface.losses[i, j] == pytest.approx(session.trainer.full_loss(params),
                                                         rel=1e-12)
    h = 1e-5
    for n, index in enumerate((ia, ib)):
        w = session.params.flat[index]
        central = (loss_with(session, index, w + h) - loss_with(session, index, w - h)) / (2 * h)
        assert surface.gradient[n] == pytest.approx(central, rel=1e-5)
    with pytest.raises(ValueError, match="two different weights"):
        loss_surface(session.trainer, session.params, (a, a), ((0, 1), (0, 1)), 3)


def test_addresses_name_the_cell_and_refuse_what_is_not_there():
    session = session_of("xor_biases")
    arch = session.architecture
    addresses = weight_addresses(arch)
    assert [a.name for a in addresses] == ["W1[0,0]", "W1[0,1]", "W1[1,0]", "W1[1,1]",
                                           "b1[0]", "b1[1]", "W2[0,0]", "W2[1,0]", "b2[0]"]
    indices = [a.flat_index(arch) for a in addresses]
    assert sorted(indices) == list(range(arch.size))
    assert session.params.flat[WeightAddress("b", 1, 0, 1).flat_index(arch)] == \
        session.params.bias(1)[1]
    with pytest.raises(IndexError, match="W1 has rows 0 to 1"):
        WeightAddress("W", 1, 2, 0).flat_index(arch)
    with pytest.raises(IndexError, match="layers 1 to 2"):
        WeightAddress("W", 3, 0, 0).flat_index(arch)
    no_bias = parse_lesson(lesson_doc((2, 1), "sigmoid", bias=False), "t.json").architecture
    with pytest.raises(IndexError, match="no biases"):
        WeightAddress("b", 1, 0, 0).flat_index(no_bias)


def test_sweep_resolution_follows_the_cost_of_one_loss():
    moons, digits = session_of("moons"), session_of("digits")
    assert sweep_points(moons.trainer, 1) == landscape_module.CURVE_POINTS
    assert sweep_points(moons.trainer, 2) == landscape_module.SURFACE_POINTS
    assert sweep_points(moons.trainer, 1, coarse=True) == landscape_module.COARSE_CURVE_POINTS
    assert sweep_points(digits.trainer, 1) == 21 and sweep_points(digits.trainer, 2) == 7
    curve = landscape(digits, DescentPath(), [WeightAddress("W", 1, 30, 3)]).curve
    assert curve.weights.shape == (21,)


def test_replay_stops_at_its_time_budget_and_resumes():
    session = session_of("xor_biases", 300)
    path = DescentPath()
    assert not path.follow(session, budget_s=0.0)     # only the starting point so far
    assert path.epochs == [0]
    while not path.follow(session, budget_s=0.001):
        pass
    assert path.epochs[-1] == 300
    np.testing.assert_array_equal(path.snapshots[-1], session.params.flat)
