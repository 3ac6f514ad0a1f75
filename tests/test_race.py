"""The race's curves are separate runs of the engine, each stopping at divergence."""
import dataclasses

import numpy as np
import pytest

from engine.errors import LessonError
from engine.lesson import load_lesson, resolve_lesson
from engine.race import (DEFAULT_RATES, Race, default_mini_batch, learning_rate_race,
                         parse_rates, training_modes_race)
from engine.session import Session
from helpers import make_lesson


def separate_run(lesson, epochs, **changes):
    """The lesson with ``changes`` trained on its own, as the command line would."""
    session = Session(dataclasses.replace(lesson, **changes))
    report = session.run(epochs)
    return report.losses, session


def finish(race, chunk=7):
    while not race.finished:
        race.advance(chunk)
    return race


def test_learning_rate_race_equals_separate_runs():
    lesson = load_lesson(resolve_lesson("excel_walkthrough"))
    race = finish(learning_rate_race(lesson, epochs=300))
    assert [c.value for c in race.contenders] == list(DEFAULT_RATES)
    for contender in race.contenders:
        losses, session = separate_run(lesson, 300, learning_rate=contender.value)
        assert np.array_equal(contender.losses, losses)
        assert np.array_equal(contender.session.state.params.flat, session.params.flat)
    # the three rates really differ: a rate of 0.001 crawls
    finals = [c.losses[-1] for c in race.contenders]
    assert finals[2] > finals[1] > finals[0]
    assert race.progress == 1.0


def test_divergence_stops_a_contender_and_is_reported():
    lesson = make_lesson((2, 3, 1), "linear", "sse", init="normal", seed=3)
    race = finish(learning_rate_race(lesson, rates=[5.0, 0.01], epochs=400), chunk=50)
    fast, slow = race.contenders
    assert fast.diverged is not None
    assert fast.epochs_done == fast.diverged.epoch < 400
    assert "diverged at epoch" in fast.outcome()
    assert slow.diverged is None and slow.epochs_done == 400
    losses, session = separate_run(lesson, 400, learning_rate=5.0)
    assert session.diverged is not None and session.diverged.epoch == fast.diverged.epoch
    assert np.array_equal(fast.losses[np.isfinite(fast.losses)], losses[np.isfinite(losses)])


def test_training_modes_race_equals_separate_runs():
    lesson = make_lesson((2, 3, 1), "sigmoid", "half_sse", seed=1)   # 5 samples
    race = finish(training_modes_race(lesson, epochs=60))
    assert [c.value for c in race.contenders] == [None, 2, 1]
    assert [c.label for c in race.contenders] == [
        "full batch (m = 5)", "mini-batch of 2", "stochastic (batch of 1)"]
    for contender in race.contenders:
        losses, _ = separate_run(lesson, 60, batch_size=contender.value)
        assert np.array_equal(contender.losses, losses)


def test_modes_race_refuses_a_mini_batch_that_is_not_one():
    lesson = make_lesson((2, 3, 1), "sigmoid", "half_sse")
    with pytest.raises(LessonError, match="2 to 4"):
        training_modes_race(lesson, mini_batch=5)
    assert default_mini_batch(3) == 2 and default_mini_batch(2) is None
    assert default_mini_batch(1797) == 32


def test_lesson_is_not_changed_by_a_race():
    lesson = load_lesson(resolve_lesson("xor_biases"))
    before = lesson.to_json()
    finish(learning_rate_race(lesson, epochs=20))
    assert lesson.to_json() == before


@pytest.mark.parametrize("text,rates", [("2, 0.1, 0.001", [2.0, 0.1, 0.001]),
                                        ("0.5 1e-3", [0.5, 0.001]), ("3;", [3.0])])
def test_parse_rates(text, rates):
    assert parse_rates(text) == rates


@pytest.mark.parametrize("text,message", [
    ("", "at least one"), ("0.1, abc", "item 2 ('abc') is not a number"),
    ("0.1, -2", "item 2 (-2) must be a positive"), ("nan", "item 1"),
    ("1 2 3 4 5 6 7 8 9", "at most 8")])
def test_parse_rates_names_the_bad_item(text, message):
    with pytest.raises(LessonError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_rates(text)


def test_race_refuses_bad_settings():
    lesson = make_lesson()
    with pytest.raises(LessonError, match="one of"):
        Race(lesson, "momentum", [0.1], 10)
    with pytest.raises(LessonError, match="epochs"):
        Race(lesson, "learning_rate", [0.1], 0)
