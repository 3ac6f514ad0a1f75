"""Step, step back, run, jump and edit: exact, reversible and deterministic."""
import numpy as np
import pytest

from engine.errors import LessonError
from engine.lesson import load_lesson, resolve_lesson
from engine.session import Session
from helpers import make_lesson

CONFIGS = {
    "full batch": dict(layers=(2, 3, 1), activation="sigmoid", loss="half_sse"),
    "mini-batch, momentum, L2": dict(layers=(2, 4, 3, 1), activation=["tanh", "relu", "sigmoid"],
                                     loss="binary_cross_entropy", batch_size=2, momentum=0.8,
                                     l2=0.05),
    "stochastic softmax": dict(layers=(3, 4, 3), activation=["leaky_relu", "softmax"],
                               loss="cross_entropy", batch_size=1, init="he"),
    "no bias": dict(layers=(3, 2, 2), activation=["tanh", "linear"], loss="mse", bias=False),
}


def snapshot(session: Session):
    state = session.state
    return (session.position, state.params.flat.copy(),
            None if state.velocity is None else state.velocity.flat.copy(),
            str(state.rng.bit_generator.state), state.loss_sum,
            None if session.record is None else
            {k: v.copy() for k, v in session.record.values.items()})


def assert_same(a, b):
    assert a[0] == b[0]
    assert np.array_equal(a[1], b[1])
    assert (a[2] is None and b[2] is None) or np.array_equal(a[2], b[2])
    assert a[3] == b[3] and a[4] == b[4]
    if a[5] is not None and b[5] is not None:
        assert a[5].keys() == b[5].keys()
        for key in a[5]:
            assert np.array_equal(a[5][key], b[5][key], equal_nan=True), key


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_k_steps_forward_then_k_back_is_the_identity(config):
    session = Session(make_lesson(**config))
    history = []
    for _ in range(90):
        history.append(snapshot(session))
        session.step()
    for expected in reversed(history):
        assert session.step_back()
        assert_same(snapshot(session), expected)
    assert not session.step_back()  # nothing before the start


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_stepped_path_equals_fast_path_bit_for_bit(config):
    stepped, fast = Session(make_lesson(**config)), Session(make_lesson(**config))
    for _ in range(6):
        stepped.step_epoch()
    fast.run(6)
    assert stepped.position == fast.position
    assert np.array_equal(stepped.params.flat, fast.params.flat)
    assert np.array_equal(stepped.loss_history, fast.loss_history)
    pure = Session(make_lesson(**config))
    pure.trainer.run_epochs(pure.state, 6)
    assert np.array_equal(pure.state.params.flat, fast.params.flat)


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_a_run_recording_its_last_iteration_when_asked_shows_the_same(config):
    """Run in the window records the last epoch's matrices only when a frame shows them."""
    eager, lazy = Session(make_lesson(**config)), Session(make_lesson(**config))
    for epochs in (5, 1, 7):
        eager.run(epochs)
        lazy.run(epochs, record_last=False)
        assert_same(snapshot(lazy), snapshot(eager))
        assert lazy.record is not None and np.array_equal(lazy.record.end.params.flat,
                                                          lazy.params.flat)
    lazy.run(3, record_last=False)
    lazy.jump_to_epoch(2)  # a kept state that was never recorded is not shown after a move
    eager.jump_to_epoch(2)
    assert_same(snapshot(lazy), snapshot(eager))


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_same_lesson_and_seed_give_identical_runs(config):
    a, b = Session(make_lesson(**config)), Session(make_lesson(**config))
    a.run(40)
    b.run(40)
    assert np.array_equal(a.params.flat, b.params.flat)
    assert np.array_equal(a.loss_history, b.loss_history)
    c = Session(make_lesson(**config, seed=7))
    c.run(40)
    assert not np.array_equal(a.params.flat, c.params.flat)


def test_jump_to_any_earlier_epoch_recomputes_exactly():
    config = CONFIGS["mini-batch, momentum, L2"]
    session = Session(make_lesson(**config))
    session.run(700)
    final = session.params.flat.copy()
    for epoch in (0, 1, 255, 256, 257, 699, 700):
        session.jump_to_epoch(epoch)
        reference = Session(make_lesson(**config))
        if epoch:
            reference.run(epoch)
        assert np.array_equal(session.params.flat, reference.params.flat), epoch
        assert session.epochs_done == epoch
        assert len(session.loss_history) == epoch
    session.jump_to_epoch(700)
    assert np.array_equal(session.params.flat, final)
    with pytest.raises(LessonError):
        session.jump_to_epoch(701)


def test_history_memory_stays_bounded():
    session = Session(make_lesson((2, 2, 1), "sigmoid", "half_sse"))
    session.run(20000)
    assert session.history.checkpoint_count <= 4096
    assert session.history.nbytes() < 50 * 2**20


def test_tolerance_stops_after_the_first_epoch_below_it():
    lesson = make_lesson((1, 1), "linear", "sse", X=[[1.5]], y=[[0.5]], bias=False,
                         learning_rate=0.1, tolerance=1e-3)
    session = Session(lesson)
    report = session.run(1000)
    losses = session.loss_history
    assert report.reached_tolerance
    assert losses[-1] < 1e-3 and np.all(losses[:-1] >= 1e-3)


def test_editing_a_weight_recomputes_the_iteration_and_rebases_history():
    session = Session(make_lesson((2, 2, 1), "sigmoid", "half_sse"))
    session.run(3)
    session.step()  # z1 of epoch 4
    session.set_value("W1", 0, 1, 2.5)
    assert session.value("W1")[0, 1] == 2.5
    X, W1, b1 = session.value("X"), session.value("W1"), session.value("b1")
    np.testing.assert_allclose(session.value("z1"), X @ W1 + b1, atol=1e-12)
    assert session.position.step == 1
    for bad in (float("nan"), float("inf"), "1"):
        with pytest.raises(LessonError):
            session.set_value("W1", 0, 0, bad)
    with pytest.raises(LessonError):
        session.set_value("z1", 0, 0, 1.0)
    with pytest.raises(LessonError):
        session.set_value("W1", 5, 0, 1.0)


def test_divergence_stops_the_run_and_names_the_epoch():
    lesson = make_lesson((2, 3, 1), ["tanh", "linear"], "sse", learning_rate=50.0, init="normal")
    session = Session(lesson)
    report = session.run(1000)
    assert report.diverged is not None
    assert session.epochs_done == report.diverged.epoch
    assert "diverged at epoch" in report.diverged.message()
    assert session.step_back()  # still possible after divergence


def test_an_edited_data_cell_makes_the_data_inline_and_forgets_the_built_set():
    lesson = load_lesson(resolve_lesson("moons"))
    assert lesson.dataset is not None and lesson.data_spec["dataset"] == "moons"
    session = Session(lesson)
    session.set_value("X", 0, 0, 0.25)
    assert session.lesson.data_spec == {} and session.lesson.dataset is None
    assert session.lesson.X[session.batch_rows()[0], 0] == 0.25


def test_a_restored_long_history_leaves_room_for_the_run_that_follows():
    """Reopening a session saved after many epochs stores its losses in one go; the
    first epochs of the next run must not copy them all into new memory (a stall of
    Run's first tick in the window), and the run goes on from the last of them."""
    from engine.session_file import SavedSession

    lesson = load_lesson(resolve_lesson("xor_biases"))
    start = Session(lesson).initial_state()
    start.epoch = 100_000
    losses = np.geomspace(0.5, 1e-3, 100_000)
    lesson.session = SavedSession(start, None, losses)
    session = Session(lesson)
    stored = session.history._losses
    session.run(1000)
    assert session.history._losses is stored                     # no copy on the way
    assert np.array_equal(session.loss_history[:100_000], losses)
    assert session.epochs_done == 101_000


def test_a_run_of_the_lessons_length_never_copies_its_losses():
    """The loss store has room for the lesson's epochs from the start: growing it
    copies every loss kept at once, a pause that lengthens with the history (one
    long tick of Run in the window), so a run within the lesson's length never does."""
    lesson = load_lesson(resolve_lesson("xor_biases"))
    lesson.epochs = 20_000
    session = Session(lesson)
    stored = session.history._losses
    while session.epochs_done < lesson.epochs:  # as Run's ticks train, a little at a time
        session.run(min(700, lesson.epochs - session.epochs_done), record_last=False)
    assert session.history._losses is stored
    assert session.loss_history.size == lesson.epochs
    session.run(1)  # past the room: the store grows, keeping every loss
    assert session.history._losses is not stored
    assert np.array_equal(session.loss_history[:lesson.epochs], stored[:lesson.epochs])


def test_a_copy_of_a_state_draws_what_the_original_draws_and_stays_apart():
    original = Session(make_lesson(**CONFIGS["mini-batch, momentum, L2"])).state
    copy = original.copy()
    copy_of_copy = copy.copy()  # copied before its source's generator was made
    expected = original.rng.permutation(10)  # the original moves on; the copies do not
    assert np.array_equal(copy.rng.permutation(10), expected)
    assert np.array_equal(copy_of_copy.rng.permutation(10), expected)
    later = original.rng.random(3)
    assert np.array_equal(copy.rng.random(3), later)
    assert np.array_equal(copy_of_copy.rng.random(3), later)
    assert copy.rng is not original.rng and copy_of_copy.rng is not copy.rng
    copy.params.flat[0] += 1.0
    assert copy.params.flat[0] != original.params.flat[0]


def test_a_copy_makes_its_generator_only_when_it_draws():
    # Copies are made every Run tick and at every checkpoint, and a full-batch epoch
    # never draws: making a generator for each would cost more than the copy itself.
    session = Session(make_lesson(**CONFIGS["full batch"]))
    copy = session.state.copy()
    session.trainer.run_epochs(copy, 3)
    assert copy._rng is None
    assert copy.rng.bit_generator.state == session.state.rng.bit_generator.state
    mini = Session(make_lesson(**CONFIGS["mini-batch, momentum, L2"]))
    copy = mini.state.copy()
    mini.trainer.run_epochs(copy, 1)  # draws the epoch's sample order
    assert copy._rng is not None
    assert copy.rng.bit_generator.state != mini.state.rng.bit_generator.state


def test_a_training_state_takes_a_generator_or_a_kept_state_not_both_nor_neither():
    state = Session(make_lesson(**CONFIGS["full batch"])).state
    with pytest.raises(ValueError):
        type(state)(state.params, None, None)
    with pytest.raises(ValueError):
        type(state)(state.params, None, state.rng,
                    kept_rng=(type(state.rng.bit_generator), state.rng.bit_generator.state))


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_a_record_keeps_its_numbers_while_training_goes_on(config):
    """A recorded iteration's matrices are its own (the step values are the buffers it
    ran on, the inputs and new weights copies, a whole-data X and y the trainer's, read
    only): training on, recording again and editing leave every one of them as it was."""
    from engine.iteration import record_iteration

    session = Session(make_lesson(**config))
    trainer = session.trainer
    record = record_iteration(trainer, session.state)
    kept = {name: value.copy() for name, value in record.values.items()}
    state = record.end                      # the state the session would commit and train
    later = record_iteration(trainer, state)
    for _ in range(3):
        trainer.iteration(state)
    X = trainer.X.copy()
    X[0, 0] += 1.0
    trainer.set_data(X, trainer.y)          # an edit replaces the data
    record_iteration(trainer, state)
    for name, value in kept.items():
        assert np.array_equal(record.values[name], value, equal_nan=True), name
        if not (trainer.full_batch and name in ("X", "y")):   # the data, shared
            assert not np.shares_memory(record.values[name], later.values[name]), name
    if trainer.full_batch:
        for name in ("X", "y"):
            with pytest.raises(ValueError):
                record.values[name][0, 0] = 5.0


def test_a_snapshot_of_the_losses_is_not_copied_and_never_changes():
    """The recovery copy written beside Run takes the losses as a snapshot (a copy of
    a million epochs took 40 ms of the GUI thread on a busy machine): it shares the
    store, and a step back and a new run that rewrite those epochs leave it as it was."""
    from engine.session_file import capture_session

    session = Session(load_lesson(resolve_lesson("xor_biases")))
    session.run(300)
    snapshot = session.history.losses_snapshot()
    kept = snapshot.copy()
    assert np.shares_memory(snapshot, session.history.losses())
    with pytest.raises(ValueError):
        snapshot[0] = 1.0
    session.run(50)                           # added past the end: the same store
    assert np.shares_memory(snapshot, session.history.losses())
    session.jump_to_epoch(100)
    session.set_value("W1", 0, 0, 0.5)        # the epochs after 100 are rewritten
    session.run(200)
    assert np.array_equal(snapshot, kept)
    assert not np.array_equal(session.history.losses()[100:300], kept[100:300])
    assert not np.shares_memory(snapshot, session.history.losses())
    build = capture_session(session)          # the document built later has the snapshot's
    losses = build()["session"]["loss_history"]
    assert np.allclose(losses, session.history.losses()[: len(losses)])
