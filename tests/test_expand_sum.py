"""Expand a sum: a cell's running total term by term, from the catalogue's tree (issue 16).

The running total adds the terms in the order the formula writes them, in
double precision; the kernel computes the same cell with one BLAS dot
product (bias folded in), whose order of additions is its own. So the last
total is compared with the engine's cell to 1e-12 relative to the sum of
the terms' sizes, and its text with the cell's text exactly.
"""
import numpy as np
import pytest

from engine.formula import MINUS
from engine.lesson import load_lesson, resolve_lesson
from engine.number_text import shown_number
from engine.session import Session
from helpers import make_lesson

SUMS = {"z", "error", "grad_W", "grad_b"}
CONFIGS = {
    "two hidden layers, L2, momentum": dict(layers=(2, 4, 3, 1),
                                            activation=["tanh", "relu", "sigmoid"],
                                            loss="binary_cross_entropy", l2=0.05, momentum=0.8),
    "mini-batch": dict(layers=(3, 2, 2), activation=["tanh", "linear"], loss="mse", batch_size=2),
    "no bias, softmax": dict(layers=(3, 4, 3), activation=["leaky_relu", "softmax"],
                             loss="cross_entropy", bias=False),
}


def sessions():
    yield "walk-through", Session(load_lesson(resolve_lesson("excel_walkthrough")))
    for name, config in CONFIGS.items():
        yield name, Session(make_lesson(**config))


@pytest.mark.parametrize("presentation", ["gradient", "error"])
def test_every_sum_cell_expands_to_the_engines_value_with_its_precedents(presentation):
    for lesson, session in sessions():
        for _ in session.steps:
            session.step()
        record = session.record
        for spec in record.steps:
            assert session.is_sum(spec.name, presentation) == (spec.kind in SUMS), spec.name
            rows, columns = spec.shape
            for r in range(rows):
                for c in range(columns):
                    expansion = session.expand_sum(spec.name, r, c, presentation, 3)
                    if spec.kind not in SUMS:
                        assert expansion is None, spec.name
                        continue
                    value = float(record.shown(spec.name, presentation)[r, c])
                    size = sum(abs(term.value) for term in expansion.terms)
                    assert abs(expansion.total - value) <= 1e-12 * max(size, 1e-300), (
                        lesson, spec.name, r, c)
                    explanation = session.explain(spec.name, r, c, presentation, 3)
                    assert shown_number(expansion.total, 3) == explanation.result
                    cells = [cell for term in expansion.terms for cell in term.cells]
                    assert cells == explanation.precedents, (lesson, spec.name, r, c)
                    running = 0.0
                    for term in expansion.terms:  # the totals are the terms added in order
                        running += term.sign * term.value
                        assert term.total == running


def test_a_dot_product_term_is_the_product_of_its_two_cells_in_k_order():
    session = Session(load_lesson(resolve_lesson("excel_walkthrough")))
    for _ in range(3):
        session.step()  # z1, a1, z2
    record = session.record
    a1, w2, b2 = (record.shown(name) for name in ("a1", "W2", "b2"))
    expansion = session.expand_sum("z2", 1, 0, decimals=3)
    hidden = a1.shape[1]
    assert len(expansion.terms) == hidden + 1  # Σₖ a1[1,k]·W2[k,0], then + b2[0]
    for k in range(hidden):
        term = expansion.terms[k]
        assert term.cells == (("a1", 1, k), ("W2", k, 0))
        assert term.value == a1[1, k] * w2[k, 0] and term.sign == 1
    assert expansion.terms[-1].cells == (("b2", 0, 0),)
    exact = float(np.dot(a1[1], w2[:, 0]) + b2[0, 0])
    assert expansion.total == pytest.approx(exact, rel=1e-12, abs=0)
    lines = expansion.lines
    first = f"{shown_number(a1[1, 0], 3)}·{shown_number(w2[0, 0], 3)}"
    assert lines[0] == f"{first} = {shown_number(expansion.terms[0].total, 3)}"
    assert lines[1].startswith("+ ") and " → " in lines[1]
    assert lines[-1] == f"+ {shown_number(b2[0, 0], 3)} → {shown_number(expansion.total, 3)}"


def test_a_subtracted_penalty_and_a_negative_term_read_as_a_teacher_writes_them():
    session = Session(make_lesson(**CONFIGS["two hidden layers, L2, momentum"]))
    for _ in session.steps:
        session.step()
    expansion = session.expand_sum("grad_W1", 0, 0, "error", 3)  # −grad_W1 = a0ᵀ·d1 − (λ/m)·W1
    penalty = expansion.terms[-1]
    assert penalty.sign == -1 and penalty.cells == (("W1", 0, 0),)
    assert expansion.line(len(expansion.terms) - 1).startswith(f"{MINUS} ")
    sums = session.expand_sum("grad_b1", 0, 0, "gradient", 3)
    for t, term in enumerate(sums.terms[1:], start=1):
        if term.value < 0:
            assert f"+ ({MINUS}" in sums.line(t)


def test_inputs_are_not_sums():
    session = Session(load_lesson(resolve_lesson("excel_walkthrough")))
    assert not session.is_sum("X") and not session.is_sum("W1")
    assert session.expand_sum("W1", 0, 0) is None
    with pytest.raises(IndexError):
        session.expand_sum("z1", 99, 0)
