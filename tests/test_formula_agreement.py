"""What is written agrees with what is shown (DESIGN.md section 3), for every cell.

For each lesson shape, the first iteration is stepped to its end through the
window's controller, and every cell of every step is explained through the
path the formula panel uses (``SessionController.explain``), in both
presentations. Each formula must

* name the cell as its card does (``MatrixInfo.symbol``: ``d2``, ``−grad_W2``
  in the error form, ``delta2``, ``grad_W2`` in the gradient form);
* re-evaluate to the cell's value: its substituted numbers, read back as
  Python, give the number the card holds;
* end with the cell's own text, as the table shows it.

Digits is checked on every column of a sample of rows of its 1438-row
matrices (all of them would take minutes), every cell of the rest.
"""
import re

import numpy as np
import pytest

from engine.lesson import load_lesson
from engine.number_text import MINUS
from engine.resources import resource_path
from gui.session_controller import SessionController
from gui.tables import ArrayModel
from engine.lesson import parse_lesson
from helpers import lesson_doc, make_lesson

X7 = np.random.default_rng(7).uniform(-1, 1, (7, 3)).round(3).tolist()
Y7 = np.random.default_rng(8).uniform(0, 1, (7, 2)).round(3).tolist()

SHAPES = {
    "walkthrough": lambda: load_lesson(resource_path("lessons", "01_excel_walkthrough.json")),
    "one_weight": lambda: load_lesson(resource_path("lessons", "04_one_weight.json")),
    "digits": lambda: load_lesson(resource_path("lessons", "05_digits.json")),
    "deep_relu_tanh_momentum_l2_minibatch": lambda: make_lesson(
        layers=(3, 5, 4, 2), activation=["relu", "tanh", "sigmoid"], loss="mse", X=X7, y=Y7,
        momentum=0.9, l2=0.1, batch_size=3, init="normal"),
    "softmax_cross_entropy": lambda: make_lesson(layers=(3, 4, 3),
                                                 activation=["sigmoid", "softmax"],
                                                 loss="cross_entropy"),
    "sigmoid_bce": lambda: make_lesson(layers=(3, 3, 2), activation=["tanh", "sigmoid"],
                                       loss="binary_cross_entropy", l2=0.2),
    "no_bias": lambda: make_lesson(layers=(2, 3, 1), bias=False, loss="sse"),
    "leaky_linear_half_mse": lambda: make_lesson(layers=(2, 4, 2),
                                                 activation=["leaky_relu", "linear"],
                                                 loss="half_mse"),
}


def softplus(x: float) -> float:
    return max(x, 0.0) + float(np.log1p(np.exp(-abs(x))))


NAMESPACE = {"exp": np.exp, "log": np.log, "tanh": np.tanh, "max": max, "abs": abs,
             "softplus": softplus, "__builtins__": {}}


def as_python(numbers: str) -> str:
    """The formula panel's numbers, as Python arithmetic: · × − ² e^ and [ ] translated."""
    text = (numbers.replace("·", "*").replace(MINUS, "-").replace("²", "**2")
            .replace("e^(", "exp(").replace("[", "(").replace("]", ")").replace("½", "0.5"))
    return re.sub(r"log (\S+?)\)", r"log(\1))", text)


def cells_to_check(shape, dense_rows):
    rows, columns = shape
    if rows <= dense_rows:
        chosen = range(rows)
    else:
        chosen = sorted({0, 1, rows // 2, rows - 1}
                        | set(np.random.default_rng(0).choice(rows, 4, replace=False).tolist()))
    return [(r, c) for r in chosen for c in range(columns)]


def table_text(info, value, decimals):
    model = ArrayModel(info)
    model.set_decimals(decimals)
    model.set_values(value)
    return lambda r, c: model.data(model.index(r, c))


@pytest.mark.parametrize("presentation", ["gradient", "error"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_cell_formula_names_its_card_and_ends_with_its_text(shape, presentation, qapp):
    controller = SessionController(SHAPES[shape]())
    controller.set_presentation(presentation)
    infos = {info.name: info for info in controller.matrices()}
    steps = [name for name, info in infos.items() if info.phase != "inputs"]
    for _ in steps:
        controller.step()
    decimals = controller.decimals
    for name in steps:
        info = infos[name]
        value = controller.value(name)
        shown = table_text(info, value, decimals)
        for r, c in cells_to_check(value.shape, dense_rows=200):
            where = f"{shape}, {presentation}, {name}[{r},{c}]"
            rounded = controller.explain(name, r, c)
            precise = controller.explain(name, r, c, decimals=10)
            head = f"{info.symbol}[{r},{c}] = "
            assert rounded.symbolic.startswith(head), where
            assert rounded.text.startswith(head), where
            assert rounded.text.endswith(" = " + shown(r, c)), (where, rounded.text, shown(r, c))
            if precise.complete:
                read_back = float(eval(as_python(precise.numbers), NAMESPACE))  # noqa: S307
                assert read_back == pytest.approx(value[r, c], rel=1e-6, abs=1e-9), \
                    (where, precise.numbers)


@pytest.mark.parametrize("presentation", ["gradient", "error"])
def test_the_error_form_writes_its_own_operators(presentation, qapp):
    controller = SessionController(make_lesson(layers=(3, 4, 2), l2=0.1, loss="sse"))
    controller.set_presentation(presentation)
    formulas = {info.name: info.formula for info in controller.matrices()}
    if presentation == "error":
        assert formulas["delta2"].startswith("d2 = 2·E ⊙ slope2")
        assert formulas["error1"] == "e1 = d2·W2ᵀ"
        assert formulas["grad_W2"] == "−grad_W2 = a1ᵀ·d2 − (λ/m)·W2"
        assert formulas["new_W2"] == "W2 ← W2 + η·(−grad_W2)"
    else:
        assert formulas["delta2"].startswith("delta2 = −2·E ⊙ slope2")
        assert "(c = 2 for SSE)" in formulas["delta2"]
        assert formulas["grad_W2"] == "grad_W2 = a1ᵀ·delta2 + (λ/m)·W2"
        assert formulas["new_W2"] == "W2 ← W2 − η·grad_W2"
    assert not any(" c·" in text or "−c·" in text for text in formulas.values())


def test_a_saturated_output_never_writes_log_zero(qapp):
    document = lesson_doc(layers=(1, 1), loss="binary_cross_entropy", X=[[1.0]], y=[[0.0]])
    document["network"].update(weights=[[[40.0]]], biases=[[0.0]])
    controller = SessionController(parse_lesson(document, "saturated.json"))
    for _ in range(6):
        controller.step()
    explanation = controller.explain("loss", 0, 0, decimals=None)
    assert "log(0" not in explanation.expression and "log(1 - 1" not in explanation.expression
    assert float(eval(explanation.expression, NAMESPACE)) == pytest.approx(40.0, rel=1e-12)  # noqa: S307
