"""An activation registered in a test alone appears correctly everywhere.

The step catalogue renders every reader from the activation's own
fragments, so registering softsign (``helpers.Softsign``: a = z/(1 + |z|))
must be all it takes for the tables, the formula panel, the code panel and
the workbook (recomputed by a spreadsheet engine) to show it right — no
module of the app names it. (The exported script is checked in
``test_export_script.py``.)
"""
import numpy as np
import pytest

from engine.activations import ACTIVATIONS
from engine.code_lines import inputs_namespace
from engine.lesson import parse_lesson
from gui.session_controller import SessionController
from helpers import SAFE_FUNCTIONS, Softsign, lesson_doc
from test_export_xlsx import assert_matches_engine, export, records_of

pytest.importorskip("formulas")


@pytest.fixture
def softsign_lesson(monkeypatch):
    monkeypatch.setitem(ACTIVATIONS, "softsign", Softsign())
    document = lesson_doc((2, 3, 1), ["softsign", "sigmoid"], "half_sse", init="normal")
    return parse_lesson(document, "softsign.json")


@pytest.mark.parametrize("presentation", ["gradient", "error"])
def test_cards_formulas_and_code_show_softsign(softsign_lesson, presentation, qapp):
    controller = SessionController(softsign_lesson)
    controller.set_presentation(presentation)
    infos = {info.name: info for info in controller.matrices()}
    assert infos["a1"].formula == "a1 = softsign(z1) = z1/(1 + |z1|)"
    assert infos["slope1"].formula == "slope1 = softsign′(z1) = 1/(1 + |z1|)²"
    for _ in [name for name, info in infos.items() if info.phase != "inputs"]:
        controller.step()
    a1, slope1 = controller.value("a1"), controller.value("slope1")
    z1 = controller.value("z1")
    np.testing.assert_allclose(a1, z1 / (1 + np.abs(z1)), rtol=1e-15)
    np.testing.assert_allclose(slope1, 1 / (1 + np.abs(z1)) ** 2, rtol=1e-15)
    for name, row in (("a1", 0), ("slope1", 1)):
        explanation = controller.explain(name, row, 2, decimals=None)
        assert explanation.precedents == [("z1", row, 2)]
        assert float(eval(explanation.expression, SAFE_FUNCTIONS)) == pytest.approx(  # noqa: S307
            controller.value(name)[row, 2], rel=1e-12)
    assert controller.explain("a1", 0, 2).symbolic == "a1[0,2] = softsign(z1[0,2])"
    assert controller.explain("slope1", 0, 2).symbolic == "slope1[0,2] = 1/(1 + |z1[0,2]|)²"

    header, lines = controller.teaching.code_listing()
    code = {line.step: line for line in lines}
    assert code["a1"].code == ("hiddenlayer_activations = hidden_layer_input / "
                               "(1 + np.abs(hidden_layer_input))")
    namespace = inputs_namespace({name: controller.value(name) for name in ("X", "y", "W1", "b1",
                                                                           "W2", "b2")},
                                 softsign_lesson.architecture, presentation,
                                 softsign_lesson.learning_rate)
    for line in lines:
        exec(line.code, namespace)  # noqa: S102 - our own generated lines
        np.testing.assert_allclose(namespace[line.target], controller.value(line.step),
                                   rtol=1e-12, atol=1e-15, err_msg=line.code)


@pytest.mark.parametrize("presentation", ["gradient", "error"])
def test_the_workbook_recomputes_softsign(softsign_lesson, presentation, tmp_path):
    path, layout = export(softsign_lesson, tmp_path, iterations=2, presentation=presentation)
    assert assert_matches_engine(path, layout, records_of(softsign_lesson, 2), presentation) > 0
