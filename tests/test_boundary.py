"""The decision boundary equals the engine's forward pass on the grid points."""
from __future__ import annotations

import numpy as np
import pytest

from engine.boundary import (NotAPlane, decision_boundary, input_plane, plane_data,
                             plane_extent)
from engine.features import add_features
from engine.lesson import load_lesson, parse_lesson, resolve_lesson
from engine.session import Session
from tests.helpers import lesson_doc


def trained(lesson_id: str, epochs: int = 30) -> Session:
    session = Session(load_lesson(resolve_lesson(lesson_id)))
    session.run(epochs)
    return session


def grid_points(boundary) -> np.ndarray:
    grid_x, grid_y = np.meshgrid(boundary.xs, boundary.ys)
    return np.column_stack([grid_x.ravel(), grid_y.ravel()])


def boundary_of(session: Session, resolution: int = 23):
    lesson = session.lesson
    plane = input_plane(lesson)
    data = plane_data(lesson)
    extent = plane_extent(np.vstack([data.train, data.test]))
    return plane, decision_boundary(session.trainer.kernel, session.params, plane, extent,
                                    resolution, data.kind, lesson.y)


@pytest.mark.parametrize("lesson_id", ["moons", "xor_biases", "gaussians", "plane"])
def test_single_output_map_is_the_forward_pass(lesson_id):
    session = trained(lesson_id)
    _, boundary = boundary_of(session)
    expected = session.trainer.predict(session.params, grid_points(boundary))
    assert boundary.value.shape == (23, 23)
    np.testing.assert_array_equal(boundary.value.ravel(), expected[:, 0])


def test_several_classes_map_the_winner_and_its_probability():
    session = trained("blobs")
    _, boundary = boundary_of(session)
    expected = session.trainer.predict(session.params, grid_points(boundary))
    assert boundary.kind == "classes"
    np.testing.assert_array_equal(boundary.winner.ravel(), expected.argmax(axis=1))
    np.testing.assert_array_equal(boundary.value.ravel(), expected.max(axis=1))
    assert len(set(boundary.winner.ravel().tolist())) == 3   # each blob wins somewhere


def test_derived_inputs_go_through_the_same_feature_mapping():
    session = trained("circle_features")
    plane, boundary = boundary_of(session)
    assert plane.features == ("x1^2", "x2^2")
    points = grid_points(boundary)
    expected = session.trainer.predict(session.params, add_features(points, plane.features))
    np.testing.assert_array_equal(boundary.value.ravel(), expected[:, 0])
    # The training rows themselves are what the plane maps their (x1, x2) to.
    X = session.lesson.X
    np.testing.assert_array_equal(plane.inputs(X[:, :2]), X)


def test_a_constant_input_is_held_at_its_value():
    session = trained("xor_constant_input")
    plane, boundary = boundary_of(session)
    assert plane.constants == ((2, 1.0),)
    points = grid_points(boundary)
    rows = np.column_stack([points, np.ones(len(points))])
    expected = session.trainer.predict(session.params, rows)
    np.testing.assert_array_equal(boundary.value.ravel(), expected[:, 0])


def test_hidden_maps_are_each_neurons_activation():
    session = trained("moons")
    _, boundary = boundary_of(session, resolution=9)
    points = grid_points(boundary)
    W1, b1 = session.params.weight(1), session.params.bias(1)
    # Independent of the kernel: the sigmoid written out.
    hidden = 1.0 / (1.0 + np.exp(-(points @ W1 + b1)))
    assert len(boundary.hidden) == 1 and boundary.hidden[0].shape == (10, 9, 9)
    for j in range(10):
        np.testing.assert_allclose(boundary.hidden[0][j].ravel(), hidden[:, j], rtol=1e-12)
    assert boundary.hidden_levels == [(0.0, 1.0)]


def test_extent_covers_every_point_with_a_margin():
    data = plane_data(load_lesson(resolve_lesson("moons")))
    points = np.vstack([data.train, data.test])
    extent = plane_extent(points)
    assert extent.x_min < points[:, 0].min() and extent.x_max > points[:, 0].max()
    assert extent.y_min < points[:, 1].min() and extent.y_max > points[:, 1].max()
    assert len(data.test) == 40 and len(data.train) == 160
    assert set(np.unique(data.train_labels)) == {0.0, 1.0}


@pytest.mark.parametrize("lesson_id, inputs", [("digits", 64), ("one_weight", 1),
                                               ("excel_walkthrough", 4)])
def test_lessons_without_a_plane_say_why(lesson_id, inputs):
    with pytest.raises(NotAPlane, match=f"this lesson has {inputs} input"):
        input_plane(load_lesson(resolve_lesson(lesson_id)))


def test_a_regression_map_shares_its_colour_scale_with_the_targets():
    session = trained("plane")
    _, boundary = boundary_of(session)
    low, centre, high = boundary.levels
    y = session.lesson.y[:, 0]
    assert boundary.kind == "value"
    assert low <= y.min() and high >= y.max() and low < centre < high


def test_a_diverged_network_gives_a_non_finite_map_without_warnings():
    doc = lesson_doc((2, 2, 1), "linear", "sse", learning_rate=50.0, epochs=200)
    session = Session(parse_lesson(doc, "test.json"))
    session.run(200)
    assert session.diverged is not None
    _, boundary = boundary_of(session, resolution=5)
    assert not np.isfinite(boundary.value).all()


def test_the_window_decides_the_plane_as_the_lesson_opened_even_when_first_asked_after_an_edit():
    """The teaching model works the plane out when a view first asks; an X cell edited
    before that drops the lesson's data spec (its derived columns then look like free
    inputs), but the plane is still the one the lesson opened with."""
    from gui.teaching_model import TeachingModel

    lesson = load_lesson(resolve_lesson("circle_features"))
    session = Session(lesson)
    teaching = TeachingModel(lambda: session, lambda: "gradient")
    teaching.open_lesson(lesson)
    opened = input_plane(load_lesson(resolve_lesson("circle_features")))
    session.set_value("X", 0, 2, 5.0)          # a derived column, now unlike its formula
    assert lesson.data_spec == {}
    with pytest.raises(NotAPlane):
        input_plane(lesson)                     # decided now, it would not be a plane
    assert teaching.plane_problem == ""
    assert teaching.plane.names == opened.names
