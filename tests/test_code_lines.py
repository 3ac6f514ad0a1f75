"""The code panel's NumPy lines reproduce the engine; the chain rule sums to the cell."""
import numpy as np
import pytest

from engine.chain_rule import MAX_CHAIN_TERMS, chain_rule
from engine.code_lines import code_lines, code_name, inputs_namespace, listing_header
from engine.iteration import record_iteration
from engine.lesson import load_lesson, resolve_lesson
from engine.session import Session
from engine.steps import PRESENTATIONS, iteration_steps
from helpers import make_lesson


def first_record(lesson):
    session = Session(lesson)
    return record_iteration(session.trainer, session.state)


def run_listing(lesson, presentation):
    """Execute every line in order; yield (line, value after it, engine's value)."""
    record = first_record(lesson)
    lines = code_lines(record.steps, lesson.architecture, lesson.loss, presentation,
                       bool(lesson.l2), bool(lesson.momentum))
    namespace = inputs_namespace(record.values, lesson.architecture, presentation,
                                 lesson.learning_rate, lesson.l2, lesson.momentum)
    for line in lines:
        exec(line.code, namespace)  # noqa: S102 - our own generated lines
        expected = record.shown(line.step, presentation)
        yield line, np.asarray(namespace[line.target], dtype=float), expected


@pytest.mark.parametrize("presentation", PRESENTATIONS)
def test_walkthrough_lines_reproduce_the_first_iteration(presentation):
    lesson = load_lesson(resolve_lesson("excel_walkthrough"))
    seen = []
    for line, got, expected in run_listing(lesson, presentation):
        assert got.reshape(expected.shape).shape == expected.shape
        np.testing.assert_allclose(got.reshape(expected.shape), expected, rtol=1e-13, atol=1e-15,
                                   err_msg=line.code)
        seen.append(line.step)
    assert seen == [spec.name for spec in first_record(lesson).steps]


def test_walkthrough_lines_use_the_learners_names():
    lesson = load_lesson(resolve_lesson("excel_walkthrough"))
    record = first_record(lesson)
    error_form = {line.step: line.code for line in
                  code_lines(record.steps, lesson.architecture, lesson.loss, "error")}
    assert error_form["z1"] == "hidden_layer_input = X @ wh + bh"
    assert error_form["delta2"] == "d_output = E * slope_output_layer"
    assert error_form["error1"] == "Error_at_hidden_layer = d_output @ wout.T"
    assert error_form["new_W2"] == "wout = wout + learning_rate * minus_grad_W2"
    gradient_form = {line.step: line.code for line in
                     code_lines(record.steps, lesson.architecture, lesson.loss, "gradient")}
    assert gradient_form["delta2"] == "delta2 = -E * slope_output_layer"
    assert gradient_form["new_b1"] == "bh = bh - learning_rate * grad_b1"
    assert all(line.target.isascii() and line.target.isidentifier()
               for line in code_lines(record.steps, lesson.architecture, lesson.loss, "error"))


@pytest.mark.parametrize("layers,activations,loss,l2,momentum,batch", [
    ((3, 4, 2), ["tanh", "softmax"], "cross_entropy", 0.3, 0.0, None),
    ((3, 4, 3, 2), ["relu", "leaky_relu", "linear"], "mse", 0.0, 0.5, None),
    ((3, 4, 2), ["sigmoid", "sigmoid"], "binary_cross_entropy", 0.2, 0.9, 2),
    ((3, 2), ["tanh"], "sse", 0.0, 0.0, None),
    ((3, 4, 1), ["sigmoid", "tanh"], "half_mse", 0.1, 0.0, None),
])
@pytest.mark.parametrize("presentation", PRESENTATIONS)
def test_every_step_has_a_line_that_reproduces_it(layers, activations, loss, l2, momentum, batch,
                                                   presentation):
    lesson = make_lesson(layers, activations, loss, init="normal", l2=l2, momentum=momentum,
                         batch_size=batch)
    steps = iteration_steps(lesson.architecture, loss, momentum, batch or 5)
    lines = code_lines(steps, lesson.architecture, loss, presentation, bool(l2), bool(momentum))
    assert [line.step for line in lines] == [spec.name for spec in steps]
    for line, got, expected in run_listing(lesson, presentation):
        np.testing.assert_allclose(got.reshape(expected.shape), expected, rtol=1e-12, atol=1e-14,
                                   err_msg=line.code)


def test_code_names():
    arch = load_lesson(resolve_lesson("excel_walkthrough")).architecture
    assert code_name("new_W1", arch, "error") == "wh"
    assert code_name("grad_b2", arch, "error") == "minus_grad_b2"
    deep = make_lesson((2, 3, 3, 1)).architecture
    assert code_name("delta2", deep, "error") == "d2"
    assert code_name("error1", deep, "error") == "e1"
    assert code_name("delta2", deep, "gradient") == "delta2"
    assert code_name("previous_velocity_W2", deep, "gradient") == "velocity_W2"


def test_listing_header_names_the_inputs():
    lesson = load_lesson(resolve_lesson("excel_walkthrough"))
    record = first_record(lesson)
    shapes = {name: value.shape for name, value in record.values.items()}
    header = listing_header(lesson.architecture, "error", 0.1, 0.0, 0.0, shapes)
    assert "import numpy as np" in header
    assert any("wh (4, 3), bh (1, 3)" in line for line in header)
    assert "learning_rate = 0.1" in header


# -- the chain rule ----------------------------------------------------------------------
def test_seed_004_chain_rule_numbers():
    """dC/dw = dC/da · da/dw: 2·(1.2 − 0.5) · 1.5 = 2.1, and w goes 0.8 → 0.59."""
    record = first_record(load_lesson(resolve_lesson("one_weight")))
    rule = chain_rule(record, "new_W1", 0, 0, "gradient")
    (term,) = rule.terms
    values = [factor.value for factor in term.factors]
    assert values == pytest.approx([1.4, 1.0, 1.5])
    assert rule.total == pytest.approx(2.1)
    assert rule.shown_value == pytest.approx(0.59)
    text = "\n".join(rule.lines())
    assert "−2·E[0,0] · slope1[0,0] · X[0,0] = 1.4 · 1 · 1.5 = 2.1" in text


@pytest.mark.parametrize("lesson_id", ["excel_walkthrough", "digits"])
def test_chain_rule_terms_sum_to_the_cell(lesson_id):
    lesson = load_lesson(resolve_lesson(lesson_id))
    record = first_record(lesson)
    cells = [("grad_W1", 1, 2), ("grad_b1", 0, 1), ("grad_W2", 2, 0), ("delta2", 2, 0),
             ("error1", 0, 1), ("delta1", 1, 2), ("new_W1", 0, 0)]
    for name, row, column in cells:
        rule = chain_rule(record, name, row, column, "error")
        total = sum(term.product for term in rule.terms) + rule.rest
        kind = name.split("_")[-1][0] if name.startswith(("grad", "new")) else None
        expected = (record.values[f"grad_{kind}{name[-1]}"][row, column] if kind
                    else record.values[name][row, column])
        assert total == pytest.approx(expected, rel=1e-9, abs=1e-15), name
        assert rule.total == pytest.approx(expected, rel=1e-15, abs=0), name
        assert len(rule.terms) <= MAX_CHAIN_TERMS + 1


def test_chain_rule_factors_name_cells_of_the_iteration():
    record = first_record(load_lesson(resolve_lesson("excel_walkthrough")))
    rule = chain_rule(record, "grad_W2", 1, 0, "error")
    assert [term.label for term in rule.terms] == ["sample 0", "sample 1", "sample 2"]
    for s, term in enumerate(rule.terms):
        assert [f.source for f in term.factors] == [("E", s, 0), ("slope2", s, 0), ("a1", s, 1)]
        for factor in term.factors[1:]:
            name, r, c = factor.source
            assert factor.value == record.values[name][r, c]
    assert "error form shows −∂J/∂W2[1,0]" in rule.shown


def test_forward_cells_have_no_chain_rule():
    record = first_record(load_lesson(resolve_lesson("excel_walkthrough")))
    for name in ("X", "W1", "z1", "a2", "E", "loss", "slope1"):
        assert chain_rule(record, name, 0, 0) is None
    with pytest.raises(KeyError):
        chain_rule(record, "nothing", 0, 0)
