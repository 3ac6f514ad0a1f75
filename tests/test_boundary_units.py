"""The decision boundary of data from a file: axes named and in the file's own units (the
normalisation undone), classes named for the colour key, one map per 0/1 output."""
from __future__ import annotations

import numpy as np
import pytest

from engine.boundary import decision_boundary, input_plane, plane_data, plane_extent
from engine.lesson import LESSON_FORMAT, LESSON_VERSION, load_lesson, parse_lesson, resolve_lesson
from engine.session import Session

ANIMALS = ("height;weight;animal\n1.5;30;dog\n0.4;4;cat\n1.1;25;dog\n0.3;3.5;cat\n"
           "0.9;12;fox\n1.4;28;dog\n")
RAW = np.array([[1.5, 30], [0.4, 4], [1.1, 25], [0.3, 3.5], [0.9, 12], [1.4, 28]])
GATES = "x1,x2,and,or\n0,0,0,0\n0,1,0,1\n1,0,0,1\n1,1,1,1\n"


def csv_lesson(tmp_path, text, name, data, layers, activation, loss):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_lesson({"format": LESSON_FORMAT, "version": LESSON_VERSION,
                         "data": {"csv": str(path), **data},
                         "network": {"layers": layers, "activation": activation, "seed": 3},
                         "training": {"loss": loss, "learning_rate": 0.5}}, name)


@pytest.mark.parametrize("normalise", ["zscore", "minmax", "none"])
def test_points_and_map_are_in_the_files_units(tmp_path, normalise):
    lesson = csv_lesson(tmp_path, ANIMALS, "animals.csv",
                        {"one_hot": True, "normalise": normalise}, [2, 4, 3],
                        ["tanh", "softmax"], "cross_entropy")
    session = Session(lesson)
    session.run(20)
    plane = input_plane(lesson)
    assert plane.names == ("height", "weight") and not plane.equal_axes
    data = plane_data(lesson)
    np.testing.assert_allclose(data.train, RAW, rtol=1e-12)
    extent = plane_extent(np.vstack([data.train, data.test]))
    assert extent.x_min < 0.3 and extent.x_max > 1.5 and extent.y_min < 3.5 < 30 < extent.y_max
    boundary = decision_boundary(session.trainer.kernel, session.params, plane, extent, 9,
                                 data.kind, lesson.y)
    grid_x, grid_y = np.meshgrid(boundary.xs, boundary.ys)
    raw_points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    if normalise == "none":
        network_inputs = raw_points
    else:   # the network sees each point as the training data were normalised
        offset, scale = lesson.dataset.offset, lesson.dataset.scale
        network_inputs = (raw_points - offset) / scale
    expected = session.trainer.predict(session.params, network_inputs)
    np.testing.assert_allclose(boundary.outputs.reshape(-1, 3), expected, rtol=1e-12)
    assert data.class_names == ("cat", "dog", "fox")
    described = plane.describe()
    assert ("normalised" in described) == (normalise != "none")


def test_a_zero_one_column_names_its_classes_by_the_column(tmp_path):
    lesson = csv_lesson(tmp_path, GATES, "gates.csv", {"features": ["x1", "x2"],
                                                       "target": ["and"]},
                        [2, 2, 1], "sigmoid", "binary_cross_entropy")
    data = plane_data(lesson)
    assert data.kind == "probability" and data.class_names == ("and = 0", "and = 1")


def test_several_zero_one_outputs_have_a_map_each(tmp_path):
    lesson = csv_lesson(tmp_path, GATES, "gates.csv", {"target": ["and", "or"]},
                        [2, 4, 2], "sigmoid", "binary_cross_entropy")
    session = Session(lesson)
    session.run(50)
    plane = input_plane(lesson)
    for output, column in enumerate(("and", "or")):
        data = plane_data(lesson, output=output)
        assert data.kind == "probability" and data.output_names == ("and", "or")
        assert data.class_names == (f"{column} = 0", f"{column} = 1")
        np.testing.assert_array_equal(data.train_labels, lesson.y[:, output])
        extent = plane_extent(data.train)
        boundary = decision_boundary(session.trainer.kernel, session.params, plane, extent, 5,
                                     data.kind, lesson.y, output)
        np.testing.assert_array_equal(boundary.value, boundary.outputs[:, :, output])


def test_built_in_sets_keep_a_plane_of_equal_units():
    lesson = load_lesson(resolve_lesson("blobs"))
    plane = input_plane(lesson)
    assert plane.names == ("x1", "x2") and plane.equal_axes and plane.offset is None
    data = plane_data(lesson)
    np.testing.assert_array_equal(data.train, lesson.X[:, :2])
    assert data.class_names == ("class 0", "class 1", "class 2")
    assert plane_data(load_lesson(resolve_lesson("moons"))).class_names == ("y = 0", "y = 1")
    assert plane_data(load_lesson(resolve_lesson("plane"))).class_names == ()
