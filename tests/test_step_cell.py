"""Step cell: the next matrix shown one cell at a time, exact both ways (issue 16)."""
import numpy as np
import pytest

from engine.lesson import load_lesson, resolve_lesson
from engine.session import Session
from helpers import make_lesson

WALKTHROUGH = "excel_walkthrough"
TWO_HIDDEN = dict(layers=(2, 4, 3, 1), activation=["tanh", "relu", "sigmoid"],
                  loss="binary_cross_entropy", l2=0.05, momentum=0.8)
MINI_BATCH = dict(layers=(3, 2, 2), activation=["tanh", "linear"], loss="mse", batch_size=2)


def walkthrough() -> Session:
    return Session(load_lesson(resolve_lesson(WALKTHROUGH)))


def shown(session: Session) -> dict:
    """Every matrix as the tables get it: whole, partly (NaN beyond) or None."""
    values = {}
    for name in session._input_names() + [spec.name for spec in session.steps]:
        value = session.value(name, "error")
        values[name] = None if value is None else np.array(value)
    partial = session.partial("error")
    if partial is not None:
        values[partial[0]] = ("partial", partial[1], partial[2])
    return values


def snapshot(session: Session):
    state = session.state
    return (session.position, state.params.flat.copy(),
            None if state.velocity is None else state.velocity.flat.copy(),
            str(state.rng.bit_generator.state), shown(session))


def assert_same(a, b):
    assert a[0] == b[0]
    assert np.array_equal(a[1], b[1])
    assert (a[2] is None and b[2] is None) or np.array_equal(a[2], b[2])
    assert a[3] == b[3]
    assert a[4].keys() == b[4].keys()
    for key, value in a[4].items():
        other = b[4][key]
        if value is None or other is None:
            assert value is None and other is None, key
        elif isinstance(value, tuple):
            assert isinstance(other, tuple) and value[2] == other[2], key
            assert np.array_equal(value[1], other[1], equal_nan=True), key
        else:
            assert np.array_equal(value, other), key


def one_iteration_cell_by_cell(session: Session) -> list[tuple[str, int, int]]:
    """Step cell until the iteration's last matrix is complete; the cells visited."""
    visited = []
    while True:
        visited.append(session.step_cell())
        position = session.position
        if position.step == position.steps:
            return visited


@pytest.mark.parametrize("make", [walkthrough, lambda: Session(make_lesson(**TWO_HIDDEN))],
                         ids=["walk-through", "two hidden layers"])
def test_step_cell_visits_every_cell_of_every_matrix_in_reading_order(make):
    session = make()
    steps = session.steps
    visited = one_iteration_cell_by_cell(session)
    expected = [(spec.name, r, c) for spec in steps
                for r in range(spec.shape[0]) for c in range(spec.shape[1])]
    assert visited == expected


def test_each_cell_shows_exactly_the_cells_before_it():
    session = walkthrough()
    first = session.steps[0]
    rows, columns = first.shape
    for count in range(1, rows * columns):
        name, row, column = session.step_cell()
        assert (name, row, column) == (first.name, (count - 1) // columns, (count - 1) % columns)
        position = session.position
        assert (position.filling, position.cells, position.cells_of) == (
            first.name, count, rows * columns)
        assert position.step == 0
        assert session.value(first.name) is None  # not revealed: only the tables' partial copy
        partial_name, values, cells = session.partial()
        assert (partial_name, cells) == (first.name, count)
        whole = session.record.shown(first.name)
        assert np.array_equal(values.reshape(-1)[:count], whole.reshape(-1)[:count])
        assert np.isnan(values.reshape(-1)[count:]).all()
        assert session.cell_shown(first.name, row, column)
        assert not session.cell_shown(first.name, count // columns, count % columns)
    session.step_cell()  # the last cell completes the matrix, as Step does
    assert session.position.step == 1 and session.position.filling is None
    assert session.partial() is None and session.value(first.name) is not None


@pytest.mark.parametrize("config", [None, TWO_HIDDEN, MINI_BATCH],
                         ids=["walk-through", "two hidden layers", "mini-batch"])
def test_step_cell_back_undoes_each_cell_exactly(config):
    session = walkthrough() if config is None else Session(make_lesson(**config))
    session.step()  # not at the very start: the back steps cross into an iteration before
    history = []
    for _ in range(2 * sum(spec.shape[0] * spec.shape[1] for spec in session.steps) + 5):
        history.append(snapshot(session))
        session.step_cell()
    for expected in reversed(history):
        assert session.step_cell_back()
        assert_same(snapshot(session), expected)


def test_step_cell_back_at_the_very_start_says_so():
    session = walkthrough()
    assert not session.step_cell_back()
    session.step_cell()
    assert session.step_cell_back()
    assert session.at_start and not session.step_cell_back()


@pytest.mark.parametrize("config", [None, TWO_HIDDEN, MINI_BATCH],
                         ids=["walk-through", "two hidden layers", "mini-batch"])
def test_tables_after_cell_by_cell_equal_tables_after_matrix_by_matrix(config):
    def make():
        return walkthrough() if config is None else Session(make_lesson(**config))
    by_cell, by_matrix = make(), make()
    for _ in range(2):  # two iterations: the second starts from the first's update
        one_iteration_cell_by_cell(by_cell)
        for _ in by_matrix.steps:
            by_matrix.step()
        assert by_cell.position == by_matrix.position
        assert np.array_equal(by_cell.state.params.flat, by_matrix.state.params.flat)
        for presentation in ("gradient", "error"):
            for name, value in shown(by_matrix).items():
                other = by_cell.value(name, presentation)
                assert np.array_equal(by_matrix.value(name, presentation), other), name
                assert value is not None


def test_step_reveals_the_rest_and_step_back_hides_one_cell():
    session = walkthrough()
    name = session.steps[0].name
    for _ in range(3):
        session.step_cell()
    assert session.step_back()
    assert session.position.cells == 2
    session.step()
    assert session.position.step == 1 and session.partial() is None
    assert session.value(name) is not None


def test_run_from_a_partly_shown_matrix_finishes_that_iteration_first():
    stepped, celled = walkthrough(), walkthrough()
    celled.step_cell()
    celled.step_cell()
    celled.run(3)
    stepped.run(3)
    assert celled.position == stepped.position
    assert np.array_equal(celled.state.params.flat, stepped.state.params.flat)


def test_an_edit_keeps_the_cells_shown():
    session = walkthrough()
    session.step()
    for _ in range(2):
        session.step_cell()
    session.set_value("W1", 0, 0, 0.25)
    assert session.position.cells == 2
    assert session.partial()[1].reshape(-1)[0] == session.record.shown(
        session.position.filling).reshape(-1)[0]
