"""The workbook's number formats show every cell as the window's tables do:
``0.000`` where that keeps two significant digits (zero among them), else
scientific with two (``4.5E-4``), and from 10⁷ on scientific with three
decimals — read back from the written file."""
import re
import zipfile

import pytest

from engine.export_xlsx import write_workbook
from engine.lesson import builtin_lessons_dir, load_lesson, parse_lesson
from engine.number_text import MINUS, shown_number
from helpers import lesson_doc

openpyxl = pytest.importorskip("openpyxl")

CELL = re.compile(r"'(.+)'!([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?")
# What a spreadsheet program writes for each format the workbook may use.
EXCEL = {"0.000": lambda x: f"{x:.3f}", "0.0E+0": lambda x: scientific(x, 1),
         "0.000E+0": lambda x: scientific(x, 3)}


def scientific(x: float, places: int) -> str:
    mantissa, exponent = f"{x:.{places}e}".split("e")
    return f"{mantissa}E{int(exponent):+d}"


def as_excel_writes(text: str) -> str:
    """A shown_number text as Excel writes the same digits: ASCII minus, E and a signed exponent."""
    text = text.replace(MINUS, "-")
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}E{int(exponent):+d}"
    return text


def blocks(path, layout):
    """(matrix, cached value, number format) of every number cell of the first sheet."""
    values = openpyxl.load_workbook(path, data_only=True)
    styles = openpyxl.load_workbook(path)
    for name, where in layout[0].items():
        sheet, first, top, last, bottom = CELL.fullmatch(where).groups()
        area = f"{first}{top}:{last or first}{bottom or top}"
        for value_row, style_row in zip(values[sheet][area], styles[sheet][area]):
            for value, style in zip(value_row, style_row):
                yield name, value.value, style.number_format


@pytest.mark.parametrize("source", ["walkthrough", "large_and_exact"])
def test_every_number_shows_as_the_window_shows_it(source, tmp_path):
    if source == "walkthrough":
        lesson = load_lesson(builtin_lessons_dir() / "01_excel_walkthrough.json")
    else:  # exact zeros (relu), inputs of 10⁷ and more, and an exact 0.005
        doc = lesson_doc(layers=(2, 3, 1), activation=["relu", "linear"], loss="half_sse",
                         X=[[2.5e7, 0.0], [0.005, -1.0], [0.0, 0.0]], y=[[1.0], [0.0], [2.0]])
        lesson = parse_lesson(doc, "large.json")
    path = tmp_path / "numbers.xlsx"
    layout = write_workbook(lesson, path, presentation="error")
    formats, tiny = set(), 0
    for name, value, number_format in blocks(path, layout):
        assert number_format in EXCEL, (name, number_format)
        formats.add(number_format)
        shown = EXCEL[number_format](value)
        assert shown == as_excel_writes(shown_number(value, 3)), (name, value, number_format)
        if value != 0:  # never 0.000 for a value that is not zero
            assert float(shown) != 0.0, (name, value, shown)
        else:
            assert shown == "0.000"
        tiny += 0 < abs(value) < 0.0095
    if source == "walkthrough":  # its d_hiddenlayer is about 4.5e−4
        assert tiny > 0 and formats >= {"0.000", "0.0E+0"}
    else:
        assert formats == set(EXCEL)


def test_minus_zero_is_written_as_zero(tmp_path):
    doc = lesson_doc(layers=(1, 1), activation="linear", loss="half_sse",
                     X=[[-0.0], [1.0]], y=[[0.0], [1.0]])
    path = tmp_path / "zero.xlsx"
    layout = write_workbook(parse_lesson(doc, "zero.json"), path)
    cells = [(value, number_format) for name, value, number_format in blocks(path, layout)
             if name == "X"]
    assert cells[0] == (0, "0.000")
    with zipfile.ZipFile(path) as archive:  # a program may write −0.000 for a stored -0
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<v>-0</v>" not in sheet and "<v>0</v>" in sheet
