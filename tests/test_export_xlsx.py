"""The Excel workbook export: recomputed by an independent formula engine
(the ``formulas`` package), every computed cell equals the engine's number,
and every formula reads exactly the cells the engine names as precedents."""
import re
import shutil
import subprocess

import numpy as np
import pytest

from engine.errors import LessonError
from engine.export_xlsx import write_records, write_workbook
from engine.iteration import record_iteration
from engine.lesson import builtin_lessons_dir, load_lesson, parse_lesson
from engine.session import Session
from helpers import lesson_doc

openpyxl = pytest.importorskip("openpyxl")
formulas = pytest.importorskip("formulas")

LESSONS = {
    "two_hidden_layers": dict(layers=(3, 4, 3, 2), activation=["tanh", "relu", "sigmoid"],
                              loss="mse", init="normal"),
    "softmax_cross_entropy": dict(layers=(3, 4, 3), activation=["sigmoid", "softmax"],
                                  loss="cross_entropy"),
    "l2_momentum": dict(layers=(3, 4, 2), activation=["leaky_relu", "linear"], loss="sse",
                        init="normal", l2=0.1, momentum=0.9),
    "no_biases": dict(layers=(2, 3, 1), activation="sigmoid", loss="half_mse", bias=False),
    "bce_l2": dict(layers=(3, 3, 2), activation=["tanh", "sigmoid"],
                   loss="binary_cross_entropy", l2=0.2),
    "frozen_bias_minibatch": dict(layers=(2, 3, 2), activation="sigmoid", loss="half_sse",
                                  train_bias=False, batch_size=2),
}
REFERENCE = re.compile(r"(?<![A-Za-z_$])(?:'((?:[^']|'')+)'!)?\$?([A-Z]{1,3})\$?(\d+)"
                       r"(?::\$?([A-Z]{1,3})\$?(\d+))?(?![\w(])")


def walkthrough():
    return load_lesson(builtin_lessons_dir() / "01_excel_walkthrough.json")


def lesson(name, **overrides):
    return parse_lesson(lesson_doc(**{**LESSONS[name], **overrides}), f"{name}.json")


def column_number(letters):
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def parse_range(text):
    """"'Sheet'!B10:E12" → (sheet, top row, left column, bottom, right), 1-based."""
    sheet, first, last = re.fullmatch(r"'(.+)'!([A-Z]+\d+)(?::([A-Z]+\d+))?", text).groups()
    last = last or first
    (c1, r1), (c2, r2) = (re.fullmatch(r"([A-Z]+)(\d+)", a).groups() for a in (first, last))
    return sheet, int(r1), column_number(c1), int(r2), column_number(c2)


def cell_names(layout):
    """{(sheet, row, column): (matrix, i, j)} over every block of the workbook."""
    names = {}
    for blocks in layout:
        for matrix, where in blocks.items():
            sheet, top, left, bottom, right = parse_range(where)
            for row in range(top, bottom + 1):
                for column in range(left, right + 1):
                    names[(sheet, row, column)] = (matrix, row - top, column - left)
    return names


def recalculated(path):
    """Every cell's value as the ``formulas`` engine computes it from the formulas:
    {(SHEET IN CAPITALS, row, column): value}."""
    model = formulas.ExcelModel().loads(str(path)).finish()
    return cells_of(model.calculate())


def cells_of(solution):
    values = {}
    for key, result in solution.items():
        match = re.fullmatch(r"'\[[^]]+\](.+)'!([A-Z]+)(\d+)", key)
        if match:
            sheet, letters, row = match.groups()
            values[(sheet, int(row), column_number(letters))] = np.asarray(result.value)[0, 0]
    return values


def export(source, tmp_path, **options):
    path = tmp_path / "iteration.xlsx"
    layout = write_workbook(source, path, **options)
    return path, layout


def records_of(source, iterations):
    session = Session(source)
    records = [record_iteration(session.trainer, session.initial_state())]
    while len(records) < iterations:
        records.append(record_iteration(session.trainer, records[-1].end))
    return records


def assert_matches_engine(path, layout, records, presentation):
    values = recalculated(path)
    checked = 0
    for blocks, record in zip(layout, records):
        for name, where in blocks.items():
            sheet, top, left, bottom, right = parse_range(where)
            expected = record.shown(name, presentation)
            for i in range(bottom - top + 1):
                for j in range(right - left + 1):
                    got = values[(sheet.upper(), top + i, left + j)]
                    assert isinstance(got, (float, int, np.floating, np.integer)), \
                        f"{sheet} {name}[{i},{j}] = {got!r}"
                    assert abs(got - expected[i, j]) <= 1e-9 * max(1.0, abs(expected[i, j])), \
                        f"{sheet} {name}[{i},{j}]: sheet {got!r}, engine {expected[i, j]!r}"
                    checked += 1
    return checked


@pytest.mark.parametrize("presentation", ["gradient", "error"])
@pytest.mark.parametrize("name", sorted(LESSONS))
def test_recalculated_workbook_equals_the_engine(name, presentation, tmp_path):
    source = lesson(name)
    path, layout = export(source, tmp_path, iterations=2, presentation=presentation)
    checked = assert_matches_engine(path, layout, records_of(source, 2), presentation)
    assert checked == sum(record.values[key].size for record in records_of(source, 2)
                          for key in record.values)


def test_walkthrough_in_its_own_error_form(tmp_path):
    source = walkthrough()
    assert source.presentation == "error"
    path, layout = export(source, tmp_path)
    assert len(layout) == 1
    assert_matches_engine(path, layout, records_of(source, 1), "error")
    sheet = openpyxl.load_workbook(path)["Iteration 1"]
    _, top, left, _, _ = parse_range(layout[0]["delta2"])
    # the sheet names the block as the error form's card does: learner name and symbol d2
    assert sheet.cell(top - 3, left).value == "d_output (d2)"
    assert sheet.cell(top - 2, left).value.startswith("d2 = E ⊙ slope2")
    names = cell_names(layout)
    formula = sheet.cell(top, left).value
    read = {names[("Iteration 1", int(r), column_number(c))][0]
            for _, c, r, _, _ in REFERENCE.findall(formula)}
    assert formula.startswith("=") and "-" not in formula  # d = E ⊙ slope, no minus
    assert read == {"E", "slope2"}


@pytest.mark.parametrize("presentation", ["gradient", "error"])
@pytest.mark.parametrize("name", ["walkthrough"] + sorted(LESSONS))
def test_formulas_read_exactly_the_engine_precedents(name, presentation, tmp_path):
    source = walkthrough() if name == "walkthrough" else lesson(name)
    path, layout = export(source, tmp_path, presentation=presentation)
    record = records_of(source, 1)[0]
    names = cell_names(layout)
    sheet = openpyxl.load_workbook(path)["Iteration 1"]
    for spec in record.steps:
        _, top, left, bottom, right = parse_range(layout[0][spec.name])
        for i in range(bottom - top + 1):
            for j in range(right - left + 1):
                formula = sheet.cell(top + i, left + j).value
                assert isinstance(formula, str) and formula.startswith("="), (spec.name, i, j)
                read = set()
                for other, c1, r1, c2, r2 in REFERENCE.findall(formula):
                    assert not other, formula  # the first sheet reads only itself
                    c2, r2 = c2 or c1, r2 or r1
                    for row in range(int(r1), int(r2) + 1):
                        for column in range(column_number(c1), column_number(c2) + 1):
                            read.add(names[("Iteration 1", row, column)])
                engine = set(record.explain(spec.name, i, j, presentation).precedents)
                if formula == "=1":  # a linear slope is 1 whatever a{l} is
                    assert engine == {(f"a{spec.layer}", i, j)}
                else:
                    assert read == engine, (spec.name, i, j, formula)


def test_the_learning_rate_cell_drives_the_update(tmp_path):
    source = walkthrough()
    path, layout = export(source, tmp_path)
    record = records_of(source, 1)[0]
    model = formulas.ExcelModel().loads(str(path)).finish()
    rate_cell = next(key for key in model.cells if re.search(r"ITERATION 1'!B3$", key))
    values = cells_of(model.calculate(inputs={rate_cell: 0.5}))
    _, top, left, bottom, right = parse_range(layout[0]["new_W1"])
    got = np.array([[values[("ITERATION 1", r, c)] for c in range(left, right + 1)]
                    for r in range(top, bottom + 1)])
    gradient = record.values["grad_W1"]
    np.testing.assert_allclose(got, record.values["W1"] - 0.5 * gradient, rtol=1e-12)


def test_later_iterations_read_the_previous_update(tmp_path):
    source = lesson("l2_momentum")
    path, layout = export(source, tmp_path, iterations=2)
    sheet = openpyxl.load_workbook(path)["Iteration 2"]
    names = cell_names(layout)
    for name, source_name in (("W1", "new_W1"), ("b2", "new_b2"),
                              ("previous_velocity_W2", "velocity_W2")):
        _, top, left, _, _ = parse_range(layout[1][name])
        formula = sheet.cell(top, left).value
        (other, c, r, _, _), = REFERENCE.findall(formula)
        assert other == "Iteration 1"
        assert names[(other, int(r), column_number(c))] == (source_name, 0, 0)


def test_frozen_biases_carry_over_unchanged(tmp_path):
    source = lesson("frozen_bias_minibatch")
    path, layout = export(source, tmp_path, iterations=2)
    assert "new_b1" not in layout[0]
    sheet = openpyxl.load_workbook(path)["Iteration 2"]
    _, top, left, _, _ = parse_range(layout[1]["b1"])
    (other, c, r, _, _), = REFERENCE.findall(sheet.cell(top, left).value)
    assert cell_names(layout)[(other, int(r), column_number(c))] == ("b1", 0, 0)


def test_a_minibatch_sheet_holds_its_batch_rows(tmp_path):
    source = lesson("frozen_bias_minibatch")
    path, layout = export(source, tmp_path, iterations=2)
    book = openpyxl.load_workbook(path)
    for index, record in enumerate(records_of(source, 2)):
        sheet = book[f"Iteration {index + 1}"]
        _, top, left, bottom, right = parse_range(layout[index]["X"])
        got = [[sheet.cell(r, c).value for c in range(left, right + 1)]
               for r in range(top, bottom + 1)]
        np.testing.assert_array_equal(got, source.X[record.rows])
        # samples numbered as the window numbers them ("sample 5"), from 0
        assert [sheet.cell(r, 1).value for r in range(top, bottom + 1)] == record.rows.tolist()
        assert sheet.cell(top - 1, left).value == "input 0"


def test_cached_values_are_the_engines(tmp_path):
    source = lesson("softmax_cross_entropy")
    path, layout = export(source, tmp_path, presentation="error")
    record = records_of(source, 1)[0]
    sheet = openpyxl.load_workbook(path, data_only=True)["Iteration 1"]
    for name, where in layout[0].items():
        _, top, left, bottom, right = parse_range(where)
        got = [[sheet.cell(r, c).value for c in range(left, right + 1)]
               for r in range(top, bottom + 1)]
        np.testing.assert_allclose(got, record.shown(name, "error"), rtol=1e-15, atol=0)


@pytest.mark.parametrize("title", ["=1+1", "+1", "-SUM(A1)", "@home"])
def test_a_title_that_looks_like_a_formula_is_text(title, tmp_path):
    doc = lesson_doc(title=title)
    path = tmp_path / "title.xlsx"
    write_workbook(parse_lesson(doc, "title.json"), path)
    cell = openpyxl.load_workbook(path)["Iteration 1"]["A1"]
    assert cell.data_type == "s" and cell.value == title


def test_a_session_exports_the_iteration_it_shows(tmp_path):
    session = Session(walkthrough())
    session.step_epoch()
    session.step()  # the second iteration, one step in
    path, layout = export(session, tmp_path, presentation="gradient")
    assert_matches_engine(path, layout, [session.record], "gradient")


def test_records_must_follow_one_another(tmp_path):
    first, second = records_of(walkthrough(), 2)
    with pytest.raises(ValueError, match="consecutive"):
        write_records([second, first], tmp_path / "x.xlsx")
    with pytest.raises(ValueError, match="presentation"):
        write_records([first], tmp_path / "x.xlsx", presentation="sideways")


def test_an_unwritable_path_is_a_lesson_error(tmp_path):
    with pytest.raises(LessonError, match="cannot write"):
        write_workbook(walkthrough(), tmp_path / "missing" / "x.xlsx")
    assert not list(tmp_path.iterdir())


def test_xlsxwriter_would_not_rewrite_any_of_the_formulas(tmp_path):
    """The export skips XlsxWriter's formula rewriting (for speed); it must be a no-op."""
    from xlsxwriter.worksheet import Worksheet

    from engine.export_xlsx import _formula_sheet_class

    plain, ours = Worksheet(), _formula_sheet_class()()
    seen = 0
    for name in sorted(LESSONS):
        path, _ = export(lesson(name), tmp_path, iterations=2)
        for sheet in openpyxl.load_workbook(path):
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        formula = cell.value
                        assert plain._prepare_formula(formula) == ours._prepare_formula(formula)
                        seen += 1
    assert seen > 100


RECALCULATE_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed; the formulas-package "
                           "tests above still recompute every cell")
def test_libreoffice_recomputes_the_engine(tmp_path):
    """A real spreadsheet: openpyxl re-saves each workbook without cached values,
    LibreOffice (told to recalculate on load) computes and saves them again."""
    profile = tmp_path / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ON_LOAD)
    cases = []
    for name in ["walkthrough"] + sorted(LESSONS):
        for presentation in ("gradient", "error"):
            source = walkthrough() if name == "walkthrough" else lesson(name)
            exported = tmp_path / f"{name}_{presentation}.xlsx"
            layout = write_workbook(source, exported, iterations=2, presentation=presentation)
            bare = tmp_path / "bare" / exported.name
            bare.parent.mkdir(exist_ok=True)
            openpyxl.load_workbook(exported).save(bare)  # formulas kept, values dropped
            cases.append((source, presentation, bare, layout))
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(tmp_path / "calc")]
                   + [str(case[2]) for case in cases], check=True, capture_output=True,
                   timeout=300)
    for source, presentation, bare, layout in cases:
        book = openpyxl.load_workbook(tmp_path / "calc" / bare.name, data_only=True)
        for blocks, record in zip(layout, records_of(source, 2)):
            for name, where in blocks.items():
                sheet, top, left, bottom, right = parse_range(where)
                got = [[book[sheet].cell(r, c).value for c in range(left, right + 1)]
                       for r in range(top, bottom + 1)]
                np.testing.assert_allclose(got, record.shown(name, presentation),
                                           rtol=1e-9, atol=1e-9, err_msg=f"{bare.name} {name}")
