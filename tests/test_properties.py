"""Property tests (hypothesis, derandomized so every run checks the same examples).

- analytic gradients equal central differences for random architectures,
  activations, losses and seeds (full batch, where J is the loss differenced);
- k steps forward then k back restores every array bit for bit, with random
  batch sizes and momentum;
- saving then opening restores the session bit for bit;
- any mutation of a valid lesson file either loads and runs, or is refused
  with one LessonError line — never another exception.
"""
from __future__ import annotations

import copy
import json
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import LessonError
from engine.lesson import parse_lesson
from engine.losses import LOSSES, check_pairing
from engine.session import Session
from engine.session_file import session_document
from helpers import lesson_doc
from test_gradients import analytic_gradient, numeric_gradient

QUICK = settings(derandomize=True, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow])
HIDDEN_ACTIVATIONS = ["sigmoid", "tanh", "linear", "leaky_relu"]
OUTPUT_ACTIVATIONS = ["sigmoid", "tanh", "linear", "leaky_relu", "relu", "softmax"]
PAIRINGS = [(a, loss) for a in OUTPUT_ACTIVATIONS for loss in LOSSES
            if check_pairing(loss, [a]) is None]


@st.composite
def lessons(draw, batches=False):
    """A valid lesson document: 1–3 layers of 1–4 units, a valid output/loss pair."""
    depth = draw(st.integers(1, 3))
    output, loss = draw(st.sampled_from(PAIRINGS))
    outputs = draw(st.integers(2, 3)) if output == "softmax" else draw(st.integers(1, 3))
    layers = [draw(st.integers(1, 4)) for _ in range(depth)] + [outputs]
    activations = [draw(st.sampled_from(HIDDEN_ACTIVATIONS)) for _ in range(depth - 1)]
    doc = lesson_doc(tuple(layers), activations + [output], loss,
                     seed=draw(st.integers(0, 10_000)), init=draw(st.sampled_from(
                         ["uniform", "normal", "xavier", "he"])),
                     bias=draw(st.booleans()), learning_rate=draw(st.sampled_from([0.05, 0.5, 3.0])),
                     l2=draw(st.sampled_from([0.0, 0.1])),
                     momentum=draw(st.sampled_from([0.0, 0.5])) if batches else 0.0,
                     batch_size=draw(st.sampled_from([None, 1, 2, 3])) if batches else None,
                     epochs=5)
    return doc


@settings(QUICK, max_examples=40)
@given(lessons())
def test_analytic_gradients_equal_central_differences(doc):
    session = Session(parse_lesson(doc, "random.json"))
    analytic = analytic_gradient(session)
    numeric = numeric_gradient(session)
    scale = np.maximum(1.0, np.abs(numeric))
    assert np.all(np.abs(analytic - numeric) / scale < 1e-5), (doc, analytic, numeric)


def arrays(session: Session) -> dict:
    """Every array and fact a learner can see, copied."""
    names = [s.name for s in session.steps] + ["X", "y", "W1"]
    shown = {n: session.value(n) for n in names}
    state = session.state
    return {
        "position": session.position, "params": state.params.flat.copy(),
        "velocity": None if state.velocity is None else state.velocity.flat.copy(),
        "rng": json.dumps(state.rng.bit_generator.state, sort_keys=True),
        "losses": session.loss_history.copy(), "batch": state.batch,
        "order": None if state.order is None else state.order.copy(),
        "shown": {n: None if v is None else np.array(v) for n, v in shown.items()},
    }


def assert_same(a: dict, b: dict) -> None:
    assert a["position"] == b["position"]
    assert a["rng"] == b["rng"] and a["batch"] == b["batch"]
    for key in ("params", "velocity", "losses", "order"):
        if a[key] is None or b[key] is None:
            assert a[key] is None and b[key] is None, key
        else:
            assert a[key].tobytes() == b[key].tobytes(), key  # bit for bit, NaN included
    assert a["shown"].keys() == b["shown"].keys()
    for name, value in a["shown"].items():
        other = b["shown"][name]
        assert (value is None) == (other is None), name
        if value is not None:
            assert value.tobytes() == other.tobytes() and value.shape == other.shape, name


@settings(QUICK, max_examples=30)
@given(lessons(batches=True), st.integers(0, 40), st.integers(1, 60))
def test_k_steps_forward_then_k_back_restores_every_array(doc, warmup, k):
    session = Session(parse_lesson(doc, "random.json"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(warmup):
            session.step()
        seen = [arrays(session)]
        for _ in range(k):
            session.step()
            seen.append(arrays(session))
        for expected in reversed(seen[:-1]):
            assert session.step_back()
            assert_same(arrays(session), expected)


@settings(QUICK, max_examples=30)
@given(lessons(batches=True), st.integers(0, 3), st.integers(0, 25))
def test_save_then_open_restores_the_session_bit_for_bit(doc, epochs, steps):
    session = Session(parse_lesson(doc, "random.json"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if epochs:
            session.run(epochs)
        for _ in range(steps):
            session.step()
        if session.diverged is not None:
            return  # a diverged state has NaN weights, which a lesson file cannot hold
        text = json.dumps(session_document(session), allow_nan=False)
        reopened = Session(parse_lesson(json.loads(text), "saved.json"))
        assert_same(arrays(reopened), arrays(session))
        session.step()
        reopened.step()  # and they go on identically
        assert_same(arrays(reopened), arrays(session))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list) and value:
        for index in sorted({0, len(value) - 1}):
            yield from _paths(value[index], prefix + (index,))


def _saved_session_doc():
    doc = lesson_doc((2, 3, 2), ["tanh", "softmax"], "cross_entropy", momentum=0.5,
                     batch_size=2, epochs=3)
    session = Session(parse_lesson(doc, "s.json"))
    session.run(2)
    session.step()
    return session_document(session)


BASES = [lesson_doc((2, 3, 1), epochs=3), _saved_session_doc(),
         {**lesson_doc((2, 4, 3), ["relu", "softmax"], "cross_entropy"),
          "data": {"dataset": "blobs", "samples": 12, "noise": 0.5, "seed": 1}},
         {**lesson_doc((4, 2, 1), epochs=2), "step_notes": {"z1": "hello"}, "notes": "n"}]
REPLACEMENTS = [None, True, False, 0, -1, 1, 2.5, -0.0, 1e308, 10**30, "", "x", "sigmoid",
                [], [1], [[1, 2]], {}, {"a": 1}]


@st.composite
def mutations(draw):
    base = copy.deepcopy(draw(st.sampled_from(BASES)))
    path = draw(st.sampled_from([p for p in _paths(base) if p]))
    parent = base
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    how = draw(st.sampled_from(["delete", "replace", "grow", "shrink", "to string"]))
    value = parent[key]
    if how == "delete":
        del parent[key]
    elif how == "grow" and isinstance(value, list):
        value.append(copy.deepcopy(value[-1]) if value else draw(st.sampled_from(REPLACEMENTS)))
    elif how == "shrink" and isinstance(value, list) and value:
        value.pop(draw(st.integers(0, len(value) - 1)))
    elif how == "to string":
        parent[key] = json.dumps(value)
    else:
        parent[key] = draw(st.sampled_from(REPLACEMENTS))
    return base


@settings(QUICK, max_examples=300)
@given(mutations())
def test_any_mutation_loads_and_runs_or_is_refused_with_one_line(doc):
    try:
        lesson = parse_lesson(json.loads(json.dumps(doc)), "mutated.json")
    except LessonError as exc:
        message = str(exc)
        assert message.startswith("mutated.json: ") and "\n" not in message, message
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        session = Session(lesson)
        for _ in range(5):
            session.step()
        session.run(2)
        session.step_back()
        json.dumps(session_document(session), allow_nan=False)
