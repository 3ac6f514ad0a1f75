"""Compare runs, the engine's part: what differed between two runs in the learner's
words, and a kept curve that is a bounded copy reading the loss at any epoch."""
import dataclasses

import numpy as np

from engine.history import OUTLINE_BUCKETS
from engine.lesson import load_lesson, resolve_lesson
from engine.run_compare import (SETTING_WORDS, RunSettings, differences, distinct_labels,
                                kept_curve, run_label, settings_of)
from engine.session import Session
from engine.value_type import field_names


def xor(**changes):
    lesson = load_lesson(resolve_lesson("xor_biases"))
    return dataclasses.replace(lesson, **changes)


def test_every_setting_has_its_word():
    assert set(SETTING_WORDS) == set(field_names(RunSettings))


def test_a_changed_setting_is_named_old_to_new():
    before = settings_of(xor())
    assert differences(before, settings_of(xor(learning_rate=2.0))) == ["lr 0.1 → 2"]
    assert differences(before, settings_of(xor(batch_size=1))) == ["batch full → 1"]
    assert differences(settings_of(xor(batch_size=3)), settings_of(xor(batch_size=1))) == [
        "batch 3 → 1"]
    assert differences(before, settings_of(xor(seed=0))) == ["seed 1 → 0"]
    assert differences(before, settings_of(xor(momentum=0.9))) == ["momentum 0 → 0.9"]
    assert differences(before, settings_of(xor(learning_rate=0.0005))) == ["lr 0.1 → 0.0005"]


def test_a_changed_network_is_named_in_the_learners_words():
    before = load_lesson(resolve_lesson("xor_biases")).to_json()
    after = load_lesson(resolve_lesson("xor_biases")).to_json()
    after["network"].update(layers=[2, 4, 1], activation="tanh")
    after["network"]["weights"] = after["network"]["biases"] = None
    after["training"]["l2"] = 0.01
    from engine.lesson import parse_lesson
    old, new = (settings_of(parse_lesson(doc, "test")) for doc in (before, after))
    assert differences(old, new) == ["hidden 2 → 4", "activation sigmoid → tanh",
                                     "L2 0 → 0.01"]


def test_several_differences_are_joined_and_none_is_the_runs_number():
    old, new = settings_of(xor()), settings_of(xor(learning_rate=2.0, seed=3))
    assert run_label(old, new, 1) == "lr 0.1 → 2, seed 1 → 3"
    assert run_label(old, old, 2) == "run 2"


def test_labels_that_would_read_alike_get_their_run_number():
    assert distinct_labels(["lr 0.1 → 2", "lr 0.1 → 2", "run 3"], [1, 2, 3]) == [
        "lr 0.1 → 2 (run 1)", "lr 0.1 → 2 (run 2)", "run 3"]
    assert distinct_labels(["lr 0.1 → 2", "run 2"], [1, 2]) == ["lr 0.1 → 2", "run 2"]


def test_a_short_runs_kept_curve_is_every_loss_exactly():
    session = Session(xor())
    session.run(300)
    kept = kept_curve(session.history.curve())
    losses = np.array(session.history.losses())
    assert kept.exact and kept.epochs == 300
    assert np.array_equal(kept.y, losses) and np.array_equal(kept.x, np.arange(1, 301))
    assert kept.at(17) == (losses[16], losses[16])
    assert kept.at(0) is None and kept.at(301) is None
    session.reset()                       # the copy does not follow the session
    assert np.array_equal(kept.y, losses) and not kept.y.flags.writeable


def test_a_long_runs_kept_curve_is_bounded_and_reads_its_bucket():
    session = Session(xor())
    epochs = 5 * OUTLINE_BUCKETS
    session.run(epochs)
    kept = kept_curve(session.history.curve())
    losses = np.array(session.history.losses())
    assert not kept.exact and kept.x.size < 4 * OUTLINE_BUCKETS + 3
    for epoch in (1, 1234, epochs):
        low, high = kept.at(epoch)
        assert low <= high
        # the bucket read holds epochs near the one asked: its range is of losses close by
        near = losses[max(0, epoch - 4): epoch + 3]
        assert low <= near.max() and high >= near.min()
    assert kept.span() == (losses.min(), losses.max())
