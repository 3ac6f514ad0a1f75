"""Learning rates from 2 to 1e6 on every built-in lesson: divergence is caught and said.

Where the loss or a weight becomes inf or NaN the run stops at that epoch,
says so in one line, raises no warning (warnings are errors here), and
Step back still works. Lessons are shrunk to a few samples so that the test
stays fast; the network, activations, loss and batching are the lesson's own.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from engine.lesson import builtin_lessons, load_lesson, parse_lesson
from engine.session import Session

RATES = [2.0, 1e2, 1e4, 1e6]
EPOCHS = 60


def small(path, rate):
    """The lesson with its data cut to at most 40 samples and the rate set."""
    doc = load_lesson(path).to_json()
    lesson = load_lesson(path)
    rows = min(40, len(lesson.X))
    doc["data"] = {"X": lesson.X[:rows].tolist(), "y": lesson.y[:rows].tolist()}
    doc["training"].update(learning_rate=rate, tolerance=None, epochs=EPOCHS)
    if doc["training"]["batch_size"] is not None:
        doc["training"]["batch_size"] = min(doc["training"]["batch_size"], 16)
    return parse_lesson(doc, path.name)


@pytest.mark.parametrize("lesson_id,path", [(i, p) for i, _, p in builtin_lessons()],
                         ids=[i for i, _, _ in builtin_lessons()])
def test_huge_learning_rates_are_caught_on_every_lesson(lesson_id, path):
    outcomes = []
    for rate in RATES:
        session = Session(small(path, rate))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            report = session.run(EPOCHS)
            losses = session.loss_history
            divergence = session.diverged
            if divergence is None:
                # Saturating lessons may stay finite: then every number must be finite.
                assert np.isfinite(losses).all() and np.isfinite(session.params.flat).all()
                outcomes.append("finite")
                continue
            # Stopped at the very epoch the loss or a weight stopped being finite.
            assert report.diverged == divergence
            assert session.epochs_done == divergence.epoch == len(losses)
            if divergence.what == "loss":
                assert not math.isfinite(losses[-1])
                assert np.isfinite(losses[:-1]).all()
            else:
                assert not np.isfinite(session.params.flat).all()
            assert divergence.message().startswith(f"diverged at epoch {divergence.epoch}: ")
            assert "lower the learning rate" in divergence.message()
            # Running again does not run past it; Step back and forward stay quiet.
            assert session.run(5).losses.size == 0
            for _ in range(3):
                assert session.step_back()
            session.step()
            outcomes.append(divergence.what)
    assert len(outcomes) == len(RATES)
    print(lesson_id, dict(zip(RATES, outcomes)))

