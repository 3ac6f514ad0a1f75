"""The built-in lessons reproduce the seeds' numbers."""
import numpy as np
import pytest

from engine.lesson import builtin_lessons, load_lesson, parse_lesson, resolve_lesson
from engine.session import Session


def session_of(lesson_id: str) -> Session:
    return Session(load_lesson(resolve_lesson(lesson_id)))


def test_seed_004_one_weight_follows_the_published_numbers():
    session = session_of("one_weight")
    weights = [session.params.weight(1)[0, 0]]
    for _ in range(30):
        session.step_epoch()
        weights.append(session.params.weight(1)[0, 0])
    np.testing.assert_allclose(weights[:4], [0.8, 0.59, 0.4745, 0.410975], rtol=0, atol=1e-12)
    assert abs(weights[-1] - 1 / 3) < 1e-7
    assert np.all(np.diff(weights) < 0)  # it approaches 1/3 from above, never overshooting


def test_seed_001_xor_with_biases_predicts_xor():
    session = session_of("xor_biases")
    session.run(session.lesson.epochs)
    predictions = session.trainer.predict(session.params, session.trainer.X)
    assert np.round(predictions).ravel().tolist() == [0, 1, 1, 0]


def test_seed_000_xor_with_constant_input_predicts_xor():
    session = session_of("xor_constant_input")
    assert not session.architecture.bias
    session.run(session.lesson.epochs)
    predictions = session.trainer.predict(session.params, session.trainer.X)
    assert np.round(predictions).ravel().tolist() == [0, 1, 1, 0]


def test_seed_003_walkthrough_outputs_approach_their_targets():
    session = session_of("excel_walkthrough")
    names = [spec.name for spec in session.steps]
    assert names == ["z1", "a1", "z2", "a2", "E", "loss", "slope2", "slope1", "delta2", "error1",
                     "delta1", "grad_W2", "grad_b2", "grad_W1", "grad_b1", "new_W2", "new_W1",
                     "new_b2", "new_b1"]
    session.run(session.lesson.epochs)
    output = session.trainer.predict(session.params, session.trainer.X).ravel()
    assert output[0] > 0.95 and output[1] > 0.95 and output[2] < 0.06
    assert session.lesson.presentation == "error"


def test_walkthrough_error_form_is_the_seed_code():
    """d_output = E·slope, Error_at_hidden_layer = d_output·woutᵀ, wout += lr·aᵀ·d_output."""
    session = session_of("excel_walkthrough")
    for _ in range(19):
        session.step()
    show = lambda name: session.value(name, "error")  # noqa: E731
    X, wh, bh, wout, bout = (show(n) for n in ("X", "W1", "b1", "W2", "b2"))
    hidden = 1 / (1 + np.exp(-(X @ wh + bh)))
    output = 1 / (1 + np.exp(-(hidden @ wout + bout)))
    E = session.value("y") - output
    d_output = E * output * (1 - output)
    error_hidden = d_output @ wout.T
    d_hidden = error_hidden * hidden * (1 - hidden)
    np.testing.assert_allclose(show("delta2"), d_output, atol=1e-14)
    np.testing.assert_allclose(show("error1"), error_hidden, atol=1e-14)
    np.testing.assert_allclose(show("delta1"), d_hidden, atol=1e-14)
    np.testing.assert_allclose(show("new_W2"), wout + hidden.T @ d_output * 0.1, atol=1e-14)
    np.testing.assert_allclose(show("new_W1"), wh + X.T @ d_hidden * 0.1, atol=1e-14)
    np.testing.assert_allclose(show("new_b2"), bout + d_output.sum(axis=0) * 0.1, atol=1e-14)
    np.testing.assert_allclose(show("new_b1"), bh + d_hidden.sum(axis=0) * 0.1, atol=1e-14)


@pytest.mark.parametrize("lesson_id", [i for i, _, _ in builtin_lessons()])
def test_every_builtin_lesson_loads_steps_and_runs(lesson_id):
    session = session_of(lesson_id)
    for _ in range(len(session.steps)):
        session.step()
    report = session.run(20)
    assert report.diverged is None
    assert np.all(np.isfinite(session.loss_history))


def test_digits_lesson_generalises_to_held_out_images():
    from engine.metrics import accuracy, confusion_matrix
    session = session_of("digits")
    lesson = session.lesson
    assert lesson.X.shape == (1438, 64) and lesson.X_test.shape == (359, 64)
    session.run(300)
    test_outputs = session.trainer.predict(session.params, lesson.X_test)
    assert accuracy(test_outputs, lesson.y_test) > 0.85
    counts = confusion_matrix(test_outputs, lesson.y_test)
    assert counts.shape == (10, 10) and counts.sum() == 359
    assert np.trace(counts) / counts.sum() == accuracy(test_outputs, lesson.y_test)


@pytest.mark.parametrize("lesson_id,target", [("moons", 0.9), ("blobs", 0.9), ("circle", 0.9),
                                              ("circle_features", 0.9), ("xor_quadrants", 0.9)])
def test_two_dimensional_lessons_classify_their_held_out_points(lesson_id, target):
    from engine.metrics import accuracy
    session = session_of(lesson_id)
    session.run(session.lesson.epochs)
    lesson = session.lesson
    assert accuracy(session.trainer.predict(session.params, lesson.X_test), lesson.y_test) >= target


def _article_draws():
    """Seed 003's NumPy example: np.random.seed(42), uniform wh (4×3) then wout (3×1), twice."""
    legacy = np.random.RandomState(42)
    untrained = [legacy.uniform(size=(4, 3)), legacy.uniform(size=(3, 1))]
    trained_from = [legacy.uniform(size=(4, 3)), legacy.uniform(size=(3, 1))]
    return untrained, trained_from


def test_seed_003_numpy_example_starts_from_the_articles_second_draw():
    lesson = load_lesson(resolve_lesson("walkthrough_numpy"))
    _, trained_from = _article_draws()
    assert len(lesson.weights) == 2
    for written, drawn in zip(lesson.weights, trained_from):
        assert np.array_equal(written, drawn)  # full repr precision: bit for bit
    np.testing.assert_array_equal(lesson.X, [[1, 0, 0, 0], [1, 0, 1, 1], [0, 1, 0, 1]])
    np.testing.assert_array_equal(lesson.y, [[1], [1], [0]])
    assert not lesson.architecture.bias and lesson.architecture.layers == (4, 3, 1)


def test_seed_003_numpy_example_prints_the_articles_untrained_errors():
    document = load_lesson(resolve_lesson("walkthrough_numpy")).to_json()
    untrained, _ = _article_draws()
    document["network"]["weights"] = [w.tolist() for w in untrained]
    session = Session(parse_lesson(document, "untrained"))
    while session.position.step_name != "E":
        session.step()
    per_sample = 0.5 * session.value("E") ** 2
    np.testing.assert_allclose(per_sample.ravel(), [0.05013458, 0.03727248, 0.25388062],
                               rtol=0, atol=5e-9)


def test_seed_003_numpy_example_reports_the_articles_error_every_hundred_epochs():
    session = session_of("walkthrough_numpy")
    session.run(session.lesson.epochs)
    printed = [0.11553, 0.11082, 0.10606, 0.09845, 0.08483, 0.06396, 0.04206, 0.02641, 0.01719,
               0.01190]
    assert len(session.loss_history) == 1000
    assert [round(float(loss), 5) for loss in session.loss_history[::100]] == printed
    notes = session.lesson.notes  # the article's figures beside the app's
    for article, app in zip(printed, session.loss_history[::100]):
        assert f"{article:.5f}" in notes and f"{app:.7f}" in notes
    for article in ("0.05013458", "0.03727248", "0.25388062"):
        assert notes.count(article) == 2
