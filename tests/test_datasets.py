"""Built-in data sets: shapes, classes, determinism, options, digits file, split, training."""
import sys

import numpy as np
import pytest

from engine import limits
from engine.datasets import DATASET_NAMES, load_digits, make_dataset, split
from engine.errors import LessonError
from engine.lesson import parse_lesson
from engine.resources import resource_path
from engine.session import Session
from helpers import lesson_doc

# name -> (inputs, outputs, classes; 0 = regression)
SHAPES = {
    "xor_quadrants": (2, 1, 2), "circle": (2, 1, 2), "gaussians": (2, 1, 2),
    "blobs": (2, 3, 3), "moons": (2, 1, 2), "spiral": (2, 1, 2), "plane": (2, 1, 0),
}


def load(data, layers, activation="sigmoid", loss="half_sse", **training):
    doc = lesson_doc(tuple(layers), activation, loss, **training)
    doc["data"] = data
    return parse_lesson(doc, "sets.json")


def test_every_name_has_a_generator_or_table():
    assert set(DATASET_NAMES) == {"xor", "and", "or", "digits", *SHAPES}


@pytest.mark.parametrize("name", ["xor", "and", "or"])
def test_truth_tables_unchanged(name):
    lesson = load({"dataset": name}, (2, 2, 1))
    np.testing.assert_array_equal(lesson.X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert lesson.y.shape == (4, 1)
    with pytest.raises(LessonError, match=f"data.noise: does not apply to the {name} truth"):
        load({"dataset": name, "noise": 0.1}, (2, 2, 1))


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_two_input_sets_shapes_and_classes(name):
    inputs, outputs, classes = SHAPES[name]
    lesson = load({"dataset": name, "samples": 90}, (inputs, 4, outputs))
    assert lesson.X.shape == (90, 2) and lesson.y.shape == (90, outputs)
    assert np.isfinite(lesson.X).all() and np.abs(lesson.X).max() < 2.5
    if classes == 2:
        assert set(np.unique(lesson.y)) == {0.0, 1.0} and lesson.y.sum() == 45
    elif classes > 2:
        assert (lesson.y.sum(axis=1) == 1).all()
        np.testing.assert_array_equal(lesson.y.sum(axis=0), [30, 30, 30])
    else:
        assert len(np.unique(lesson.y)) == 90             # a continuous target
    assert len(make_dataset(name).X) == 200               # default samples


@pytest.mark.parametrize("name", sorted(SHAPES) + ["digits"])
def test_same_options_bit_identical_other_seed_differs(name):
    options = {"samples": 50, "seed": 7}
    first, again = make_dataset(name, **options), make_dataset(name, **options)
    assert first.X.tobytes() == again.X.tobytes() and first.y.tobytes() == again.y.tobytes()
    other = make_dataset(name, samples=50, seed=8)
    assert not np.array_equal(first.X, other.X)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_noise_changes_the_data(name):
    quiet = make_dataset(name, samples=40, noise=0.0)
    noisy = make_dataset(name, samples=40, noise=0.3)
    if name == "plane":                                    # noise on the target
        np.testing.assert_array_equal(quiet.X, noisy.X)
        np.testing.assert_allclose(quiet.y[:, 0], 0.6 * quiet.X[:, 0] - 0.4 * quiet.X[:, 1] + 0.2)
        assert not np.array_equal(quiet.y, noisy.y)
    else:
        np.testing.assert_array_equal(quiet.y, noisy.y)    # same labels, jittered points
        assert not np.array_equal(quiet.X, noisy.X)


def test_clean_sets_follow_their_rules():
    circle = make_dataset("circle", samples=400, noise=0.0)
    radius = np.hypot(*circle.X.T)
    assert (radius[circle.y[:, 0] == 1] <= 0.5).all() and (radius[circle.y[:, 0] == 0] >= 0.7).all()
    quadrants = make_dataset("xor_quadrants", samples=400, noise=0.0)
    np.testing.assert_array_equal(quadrants.y[:, 0], quadrants.X[:, 0] * quadrants.X[:, 1] < 0)


def test_features_are_appended_in_order():
    plain = make_dataset("circle", samples=30, seed=3)
    lesson = load({"dataset": "circle", "samples": 30, "seed": 3,
                   "features": ["x1*x2", "x1^2", "sin_x2", "x2^2", "sin_x1"]}, (7, 3, 1))
    x1, x2 = plain.X[:, 0], plain.X[:, 1]
    expected = np.column_stack([x1, x2, x1 * x2, x1 ** 2, np.sin(x2), x2 ** 2, np.sin(x1)])
    np.testing.assert_array_equal(lesson.X, expected)
    np.testing.assert_array_equal(lesson.y, plain.y)


@pytest.mark.parametrize("data,layers,expected", [
    ({"dataset": "circle", "features": ["x3^2"]}, (3, 1),
     "data.features[0]: 'x3^2' is not a derived"),
    ({"dataset": "circle", "features": ["x1^2", "x1^2"]}, (4, 1),
     "data.features[1]: 'x1^2' is listed twice"),
    ({"dataset": "digits", "features": ["x1^2"]}, (65, 10),
     "data.features: derived features apply only"),
    ({"dataset": "xor", "features": ["x1^2"]}, (3, 1), "data.features: does not apply to the xor"),
    ({"dataset": "digits", "noise": 0.2}, (64, 10), "data.noise: does not apply to digits"),
    ({"dataset": "digits", "samples": 2000}, (64, 10), "digits has 1797 images"),
    ({"dataset": "circle", "samples": limits.MAX_SAMPLES + 1}, (2, 1),
     f"data.samples: {limits.MAX_SAMPLES + 1} is more than the limit of {limits.MAX_SAMPLES}"),
    ({"dataset": "blobs", "samples": 2}, (2, 3), "blobs needs at least 3 (one per class)"),
    ({"dataset": "circle", "noise": -1}, (2, 1), "data.noise: -1 is out of range"),
    ({"dataset": "circle", "noise": 11}, (2, 1), "data.noise: 11 is out of range"),
    ({"dataset": "circle", "test_fraction": 1.0}, (2, 1), "data.test_fraction: 1 is out of range"),
    ({"dataset": "circle", "samples": 2, "test_fraction": 0.9}, (2, 1),
     "holding out 2 of 2 rows leaves none to train on"),
    ({"dataset": "circle", "colour": "red"}, (2, 1), "data.colour: unknown key"),
    ({"dataset": "circle"}, (3, 4, 1), "network.layers: the circle data set has 2 inputs and 1 "
     "output; the layers must start with 2 and end with 1, found [3, 4, 1]"),
    ({"dataset": "blobs"}, (2, 4, 1), "the blobs data set has 2 inputs and 3 outputs"),
    ({"dataset": "digits"}, (64, 10, 1), "must start with 64 and end with 10"),
    ({"dataset": "circle", "features": ["x1^2"]}, (2, 1), "has 3 inputs"),
])
def test_bad_options_are_refused(data, layers, expected):
    with pytest.raises(LessonError) as caught:
        load(data, layers)
    message = str(caught.value)
    assert message.startswith("sets.json: ") and expected in message, message


def test_digits_file_loads_without_pickle():
    path = resource_path("digits", "digits.npz")
    assert path.stat().st_size < 200_000
    with np.load(path, allow_pickle=False) as archive:
        images, labels = archive["images"], archive["labels"]
    assert images.shape == (1797, 64) and labels.shape == (1797,)
    assert images.min() == 0 and images.max() == 16
    counts = np.bincount(labels)
    assert len(counts) == 10 and counts.min() >= 170 and counts.max() <= 190
    shipped, shipped_labels = load_digits()
    np.testing.assert_array_equal(shipped, images)


def test_digits_lesson_scaled_one_hot_and_sampled():
    lesson = load({"dataset": "digits"}, (64, 10, 10))
    images, labels = load_digits()
    np.testing.assert_array_equal(lesson.X, images / 16.0)    # the file's order, in [0, 1]
    np.testing.assert_array_equal(lesson.y.argmax(axis=1), labels)
    assert (lesson.y.sum(axis=1) == 1).all()
    few = make_dataset("digits", samples=100, seed=5)
    order = np.random.default_rng(5).permutation(1797)[:100]
    np.testing.assert_array_equal(few.X, images[order] / 16.0)


def test_split_holds_out_the_last_rows_of_a_seeded_shuffle():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10.0)[:, None]
    X_train, y_train, X_test, y_test = split(X, y, 0.25, seed=4)
    held = np.random.default_rng(4).permutation(10)[-3:]       # round(2.5) = 3, half up
    np.testing.assert_array_equal(y_test[:, 0], np.sort(held))
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_test])[:, 0]), np.arange(10))
    np.testing.assert_array_equal(X_test, X[np.sort(held)])
    X_train, y_train, X_test, y_test = split(X, y, 0.0, seed=4)
    np.testing.assert_array_equal(X_train, X)
    assert X_test.shape == (0, 2) and y_test.shape == (0, 1)
    with pytest.raises(LessonError, match="test_fraction"):
        split(X, y, 1.0, seed=0)


def test_test_fraction_in_a_lesson():
    lesson = load({"dataset": "moons", "samples": 100, "test_fraction": 0.2}, (2, 4, 1))
    assert lesson.X.shape == (80, 2)
    data = make_dataset("moons", samples=100, test_fraction=0.2)
    full = make_dataset("moons", samples=100)
    np.testing.assert_array_equal(lesson.X, data.X)
    assert data.X_test.shape == (20, 2) and data.y_test.shape == (20, 1)
    together = np.vstack([data.X, data.X_test])
    assert sorted(map(tuple, together)) == sorted(map(tuple, full.X))


def test_saved_lesson_keeps_the_reference():
    lesson = load({"dataset": "spiral", "samples": 60, "noise": 0.05}, (2, 4, 1))
    assert lesson.to_json()["data"] == {"dataset": "spiral", "samples": 60, "noise": 0.05}


def test_circle_trains_with_eight_tanh_units():
    lesson = load({"dataset": "circle"}, (2, 8, 1), ["tanh", "sigmoid"], "binary_cross_entropy",
                  init="xavier", learning_rate=1.0, epochs=600)
    report = Session(lesson).run(600)
    assert report.diverged is None
    assert report.losses[0] > 0.6 and report.losses[-1] < 0.15


def test_digits_need_no_scikit_learn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)      # any import of it would fail
    assert make_dataset("digits", samples=10).X.shape == (10, 64)
