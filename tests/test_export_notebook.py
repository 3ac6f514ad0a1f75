"""The Jupyter notebook (``run LESSON --notebook OUT``, DESIGN.md section 5).

Every built-in lesson's notebook validates against nbformat's v4 schema and,
run top to bottom with only NumPy, prints the run record's ``final_loss``;
its step cells leave exactly the iteration's matrices under the code panel's
names; one is run for real in a Jupyter kernel by nbclient.
"""
import ast
import json
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from engine import cli
from engine.catalogue import code_name
from engine.export_notebook import notebook, notebook_text
from engine.iteration import record_iteration
from engine.lesson import builtin_lessons, load_lesson, parse_lesson
from engine.session import Session
from helpers import lesson_doc

BUILTIN = [(lesson_id, path) for lesson_id, _title, path in builtin_lessons()]
ALLOWED_IMPORTS = {"argparse", "base64", "json", "math", "sys", "numpy"}
EPOCHS = 3


def code_of(document):
    """The code cells' sources, in order."""
    return ["".join(cell["source"]) for cell in document["cells"] if cell["cell_type"] == "code"]


def engine_final_loss(path, tmp_path, epochs=EPOCHS):
    out = tmp_path / "record.json"
    assert cli.main(["run", str(path), "--epochs", str(epochs), "--json", str(out)]) in (0, 3)
    return json.loads(out.read_text(encoding="utf-8"))["final_loss"]


@pytest.mark.parametrize("lesson_id,path", BUILTIN, ids=[i for i, _ in BUILTIN])
def test_every_builtin_notebook_validates_and_runs_to_the_run_records_final_loss(
        lesson_id, path, tmp_path, capsys):
    target = tmp_path / f"{lesson_id}.ipynb"
    assert cli.main(["run", str(path), "--epochs", str(EPOCHS), "--notebook", str(target)]) == 0
    document = nbformat.read(str(target), as_version=4)
    nbformat.validate(document)  # raises on any schema violation
    imported = set()
    for source in code_of(document):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module.split(".")[0])
    assert imported <= ALLOWED_IMPORTS
    program = tmp_path / "cells.py"  # the cells in order, as a kernel would run them
    program.write_text("\n\n".join(code_of(document)), encoding="utf-8")
    result = subprocess.run([sys.executable, str(program)], capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = engine_final_loss(path, tmp_path)
    assert result.stdout.strip().splitlines()[-1] == f"final_loss {expected!r}"


def run_cells_checking_steps(lesson):
    """Execute the notebook's code cells in order and check each step cell's matrix."""
    document = notebook(lesson)
    session = Session(lesson)
    record = record_iteration(session.trainer, session.state)
    presentation, depth = lesson.presentation, lesson.architecture.depth
    steps = iter(record.steps)
    namespace = {"__name__": "notebook"}
    checked = []
    cells = document["cells"]
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if source.startswith("status = main("):
            break  # training is checked above
        exec(compile(source, f"cell {index}", "exec"), namespace)  # noqa: S102 - our own cell
        last_line = source.splitlines()[-1]
        if last_line.isidentifier() and index > 0 and cells[index - 1]["cell_type"] == "markdown":
            spec = next(steps)
            assert last_line == code_name(spec.name, depth, presentation)
            heading = "".join(cells[index - 1]["source"])
            assert f"(step `{spec.name}`)" in heading
            expected = record.shown(spec.name, presentation)
            got = np.asarray(namespace[last_line], dtype=float)
            np.testing.assert_allclose(got.reshape(expected.shape), expected,
                                       rtol=1e-13, atol=1e-15, err_msg=spec.name)
            checked.append(spec.name)
    assert checked == [spec.name for spec in record.steps]
    return document


def test_walkthrough_step_cells_are_the_tables_in_the_error_form_with_the_teachers_notes():
    path = dict(BUILTIN)["excel_walkthrough"]
    lesson = load_lesson(path)
    document = run_cells_checking_steps(lesson)
    sources = ["".join(cell["source"]) for cell in document["cells"]]
    z1 = next(i for i, text in enumerate(sources) if text.startswith("hidden_layer_input = "))
    assert sources[z1] == "hidden_layer_input = X @ wh + bh\nhidden_layer_input"
    # the teacher's note for z1, its placeholders in the walk-through's names, sits above
    assert "hidden_layer_input = X·wh + bh: each hidden neuron" in sources[z1 - 1]
    assert "d_output" in "".join(sources)  # the error form's names, as the lesson opens in


def test_mini_batch_momentum_and_l2_lessons_step_the_first_batch_then_train_on_all(tmp_path):
    doc = lesson_doc((2, 3, 2), "tanh", "mse", batch_size=2, momentum=0.9, l2=0.01, epochs=4)
    lesson = parse_lesson(doc, "test.json")
    run_cells_checking_steps(lesson)
    text = notebook_text(lesson)
    program = tmp_path / "cells.py"
    program.write_text("\n\n".join(code_of(json.loads(text))), encoding="utf-8")
    result = subprocess.run([sys.executable, str(program)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    session = Session(lesson)
    session.run(4)
    assert result.stdout.strip().splitlines()[-1] == \
        f"final_loss {session.trainer.full_loss(session.params)!r}"


def test_same_lesson_gives_the_same_file_and_hostile_text_stays_text():
    doc = lesson_doc(title='x"""\n# }}{{ \\ </script>')
    lesson = parse_lesson(doc, "test.json")
    assert notebook_text(lesson) == notebook_text(lesson)
    document = json.loads(notebook_text(lesson))
    nbformat.validate(nbformat.from_dict(document))
    ast.parse("\n\n".join(code_of(document)))  # the title cannot break the code
    assert document["cells"][0]["source"][0] == '# x"""\n'


def test_unwritable_notebook_is_one_line_and_exit_2(tmp_path, capsys):
    target = tmp_path / "missing" / "folder" / "out.ipynb"
    status = cli.main(["run", "excel_walkthrough", "--epochs", "1", "--notebook", str(target)])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1
    assert str(target) in err and "notebook" in err


def test_a_real_jupyter_kernel_runs_the_walkthrough_notebook_to_the_final_loss(tmp_path):
    nbclient = pytest.importorskip("nbclient")  # the test extra installs it with ipykernel
    path = dict(BUILTIN)["excel_walkthrough"]
    document = nbformat.reads(notebook_text(load_lesson(path), EPOCHS), as_version=4)
    nbclient.NotebookClient(document, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(output.get("text", "") for output in document.cells[-1].outputs
                      if output.get("output_type") == "stream")
    assert printed.strip().splitlines()[-1] == \
        f"final_loss {engine_final_loss(path, tmp_path)!r}"
