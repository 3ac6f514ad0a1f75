"""Every step kind names the right precedent cells, and its substituted
formula evaluates to the cell's value."""
import numpy as np
import pytest

from engine.iteration import record_iteration
from engine.session import Session
from helpers import evaluate, make_lesson

CONFIGS = [
    dict(layers=(3, 4, 2), activation="sigmoid", loss="half_sse"),
    dict(layers=(3, 4, 2), activation=["tanh", "linear"], loss="sse", l2=0.1),
    dict(layers=(2, 3, 3, 2), activation=["relu", "leaky_relu", "sigmoid"], loss="mse",
         init="normal", momentum=0.9),
    dict(layers=(3, 3, 2), activation=["tanh", "sigmoid"], loss="binary_cross_entropy", l2=0.2),
    dict(layers=(3, 4, 3), activation=["sigmoid", "softmax"], loss="cross_entropy"),
    dict(layers=(2, 2), activation="sigmoid", loss="half_mse", bias=False),
]


def record_for(config):
    session = Session(make_lesson(**config))
    if config.get("momentum"):
        session.step_epoch()  # make the previous velocity non-zero
    return record_iteration(session.trainer, session.state)


@pytest.mark.parametrize("presentation", ["gradient", "error"])
@pytest.mark.parametrize("config", CONFIGS)
def test_every_cell_formula_evaluates_to_its_value(config, presentation):
    record = record_for(config)
    for spec in record.steps:
        rows, columns = record.values[spec.name].shape
        for row in range(rows):
            for column in range(columns):
                explanation = record.explain(spec.name, row, column, presentation)
                assert explanation.complete
                expected = record.shown(spec.name, presentation)[row, column]
                assert explanation.value == expected
                assert evaluate(explanation.expression) == pytest.approx(expected, rel=1e-9,
                                                                          abs=1e-12), spec.name
                for name, r, c in explanation.precedents:
                    assert 0 <= r < record.values[name].shape[0]
                    assert 0 <= c < record.values[name].shape[1]


def test_precedents_of_each_kind_are_the_right_cells():
    record = record_for(dict(layers=(3, 4, 2), activation="sigmoid", loss="half_sse", l2=0.1))
    p = lambda name, i, j: set(record.explain(name, i, j).precedents)  # noqa: E731
    assert p("z1", 1, 2) == {("X", 1, k) for k in range(3)} | {("W1", k, 2) for k in range(3)} \
        | {("b1", 0, 2)}
    assert p("z2", 0, 1) == {("a1", 0, k) for k in range(4)} | {("W2", k, 1) for k in range(4)} \
        | {("b2", 0, 1)}
    assert p("a1", 2, 3) == {("z1", 2, 3)}
    assert p("E", 1, 0) == {("y", 1, 0), ("a2", 1, 0)}
    assert p("slope1", 0, 1) == {("a1", 0, 1)}
    assert p("delta2", 1, 1) == {("E", 1, 1), ("slope2", 1, 1)}
    assert p("error1", 2, 3) == {("delta2", 2, k) for k in range(2)} | {("W2", 3, k) for k in range(2)}
    assert p("delta1", 0, 0) == {("error1", 0, 0), ("slope1", 0, 0)}
    m = record.values["X"].shape[0]
    assert p("grad_W1", 2, 1) == {("X", r, 2) for r in range(m)} | {("delta1", r, 1) for r in range(m)} \
        | {("W1", 2, 1)}
    assert p("grad_b2", 0, 1) == {("delta2", r, 1) for r in range(m)}
    assert p("new_W2", 3, 0) == {("W2", 3, 0), ("grad_W2", 3, 0)}
    assert p("new_b1", 0, 2) == {("b1", 0, 2), ("grad_b1", 0, 2)}
    loss = p("loss", 0, 0)
    assert ("a2", m - 1, 1) in loss and ("y", 0, 0) in loss and ("W2", 3, 1) in loss
    assert ("b1", 0, 0) not in loss  # biases are not regularised


def test_relu_slope_and_softmax_precedents():
    relu = record_for(dict(layers=(2, 3, 2), activation=["relu", "sigmoid"], loss="sse"))
    assert relu.explain("slope1", 0, 1).precedents == [("z1", 0, 1)]
    soft = record_for(dict(layers=(3, 4, 3), activation=["tanh", "softmax"], loss="cross_entropy"))
    assert set(soft.explain("a2", 1, 0).precedents) == {("z2", 1, k) for k in range(3)}
    assert soft.spec("slope2") is None
    assert soft.explain("delta2", 0, 2).precedents == [("E", 0, 2)]


def test_momentum_precedents_and_text():
    record = record_for(CONFIGS[2])
    assert record.explain("velocity_W1", 1, 0).precedents == [("previous_velocity_W1", 1, 0),
                                                             ("grad_W1", 1, 0)]
    assert record.explain("new_W1", 1, 0).precedents == [("W1", 1, 0), ("velocity_W1", 1, 0)]


def test_text_is_readable_with_rounded_numbers():
    record = record_for(CONFIGS[0])
    text = record.explain("z1", 0, 1, decimals=2).text
    assert text.startswith("z1[0,1] = ") and "·" in text and "+" in text
    assert text.count("=") == 2


def test_unknown_cells_are_refused():
    record = record_for(CONFIGS[0])
    with pytest.raises(KeyError):
        record.explain("z9", 0, 0)
    with pytest.raises(IndexError):
        record.explain("z1", 99, 0)


def test_long_sums_are_shortened_in_text():
    X = np.ones((3, 100)).tolist()
    record = record_for(dict(layers=(100, 2, 1), activation="sigmoid", loss="half_sse", X=X,
                             y=[[1], [0], [1]]))
    explanation = record.explain("z1", 0, 0, decimals=2)
    assert not explanation.complete and "more terms" in explanation.text
