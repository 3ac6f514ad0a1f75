"""CSV data files: malformed files give one clear line naming row and column; good ones load."""
import json
import time

import numpy as np
import pytest

from engine import limits
from engine.csv_import import build_dataset, read_csv_table
from engine.errors import LessonError
from engine.lesson import load_lesson, parse_lesson
from helpers import lesson_doc

GOOD = "x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


def write(tmp_path, content, name="data.csv"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def load(tmp_path, content, layers=(2, 2, 1), name="data.csv", **options):
    """Load a lesson file beside a CSV file through engine.lesson.load_lesson."""
    write(tmp_path, content, name)
    doc = lesson_doc(layers)
    doc["data"] = {"csv": name, **options}
    lesson_path = tmp_path / "lesson.json"
    lesson_path.write_text(json.dumps(doc), encoding="utf-8")
    return load_lesson(lesson_path)


# (case id, file content, lesson data options, network layers, texts the message must contain)
MALFORMED = [
    ("empty file", "", {}, (2, 1), ["data.csv: the file is empty", "commas, semicolons or tabs"]),
    ("blank lines only", "\n \n\n", {}, (2, 1), ["the file is empty"]),
    ("only a header", "x1,x2,label\n", {}, (2, 1),
     ["row 1 is a header but no data rows follow"]),
    ("ragged row", "x1,x2,y\n1,2,3\n4,5\n6,7,8\n", {}, (2, 1),
     ["row 3: has 2 fields but row 1 has 3", "separated by commas"]),
    ("row too long", "x1,x2,y\n1,2,3\n4,5,6,7\n", {}, (2, 1), ["row 3: has 4 fields"]),
    ("text in a feature", "x1,x2,y\n1,2,3\n4,five,6\n", {}, (2, 1),
     ["row 3, column 2 ('x2'): 'five' is not a number", "expected a number"]),
    ("text in the target", "x1,x2,y\n1,2,a\n4,5,b\n", {}, (2, 1),
     ["row 2, column 3 ('y'): 'a' is not a number", "one_hot"]),
    ("empty cell", "x1,x2,y\n1,2,3\n4,,6\n", {}, (2, 1),
     ["row 3, column 2 ('x2'): is empty", "missing values"]),
    ("NaN text", "x1,x2,y\n1,2,3\nNaN,5,6\n", {}, (2, 1),
     ["row 3, column 1 ('x1'): 'NaN' is not a finite number"]),
    ("inf text", "x1,x2,y\n1,2,3\n4,5,6\n7,-inf,9\n", {}, (2, 1),
     ["row 4, column 2 ('x2'): '-inf' is not a finite number"]),
    ("decimal commas", "x1;x2;y\n1,5;2;3\n", {}, (2, 1),
     ["row 2, column 1 ('x1'): '1,5' is not a number", "with a point"]),
    ("unknown delimiter option", GOOD, {"delimiter": "|"}, (2, 1),
     ["data.delimiter: '|' is not a supported delimiter", "\",\", \";\""]),
    ("single column", "x\n1\n2\n3\n", {}, (2, 1),
     ["row 1: found a single column", "at least two columns"]),
    ("single column with the given delimiter", GOOD, {"delimiter": ";"}, (2, 1),
     ["row 1: found a single column with the delimiter semicolon"]),
    ("unknown feature name", GOOD, {"features": ["x1", "x3"], "target": ["label"]}, (2, 1),
     ["data.features[1]: no column named 'x3' in data.csv", "'x1', 'x2', 'label'"]),
    ("unknown target name", GOOD, {"target": ["class"]}, (2, 1),
     ["data.target[0]: no column named 'class'"]),
    ("feature index out of range", GOOD, {"features": [0, 7]}, (2, 1),
     ["data.features[1]: column index 7 is out of range", "indices 0 to 2"]),
    ("name without a header", "1,2,0\n3,4,1\n", {"features": ["x1"]}, (1, 1),
     ["has no header row", "0-based index"]),
    ("feature is also the target", GOOD, {"features": ["x1", "label"], "target": ["label"]},
     (2, 1), ["data.features[1]: column 3 ('label') is also the target"]),
    ("duplicate header names", "x,y,x\n1,2,3\n", {}, (2, 1),
     ["row 1, column 3: the name 'x' is also the name of column 1"]),
    ("one_hot with a single label", "x1,x2,kind\n1,2,cat\n3,4,cat\n", {"one_hot": True},
     (2, 1), ["data.one_hot: column 3 ('kind') of data.csv has only one label ('cat')"]),
    ("one_hot on two target columns", GOOD, {"target": [1, 2], "one_hot": True}, (1, 2),
     ["data.target: one_hot encodes a single target column; found 2"]),
    ("empty one-hot label", "x1,x2,kind\n1,2,cat\n3,4,\n", {"one_hot": True}, (2, 2),
     ["row 3, column 3 ('kind'): the label is empty"]),
    ("unknown normalise", GOOD, {"normalise": "unit"}, (2, 1),
     ["data.normalise: 'unit' is not one of none, minmax, zscore"]),
    ("non-UTF-8 bytes", b"x1,x2,y\n1,2,3\n4,caf\xe9,6\n", {}, (2, 1),
     ["row 3, column 2: byte 0xE9 is not UTF-8 text", "save the file as UTF-8"]),
    ("UTF-16 file", "x1,x2,y\n1,2,3\n".encode("utf-16"), {}, (2, 1),
     ["row 1, column 1: the file is UTF-16 text"]),
    ("wrong layer sizes", GOOD, {}, (3, 1),
     ["network.layers: data.csv has 2 inputs and 1 output", "start with 2 and end with 1",
      "found [3, 1]"]),
    ("test fraction leaves nothing", "x1,y\n1,2\n", {"test_fraction": 0.9}, (1, 1),
     ["data.test_fraction: holding out 1 of 1 rows leaves none to train on"]),
    ("header false on a header file", GOOD, {"header": False}, (2, 1),
     ["row 1, column 1 (index 0): 'x1' is not a number", "set \"header\": true"]),
    ("missing file", None, {"csv": "nowhere.csv"}, (2, 1),
     ["data.csv: nowhere.csv: cannot read the data file"]),
    ("csv path not text", None, {"csv": 3}, (2, 1), ["data.csv: expected text"]),
    ("unknown key", GOOD, {"sheet": 1}, (2, 1), ["data.sheet: unknown key"]),
]


@pytest.mark.parametrize("content,options,layers,expected",
                         [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_csv_gives_one_clear_line(tmp_path, content, options, layers, expected):
    if content is None:
        doc = lesson_doc(layers)
        doc["data"] = {**options}
        (tmp_path / "lesson.json").write_text(json.dumps(doc), encoding="utf-8")
        with pytest.raises(LessonError) as caught:
            load_lesson(tmp_path / "lesson.json")
    else:
        with pytest.raises(LessonError) as caught:
            load(tmp_path, content, layers, **options)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("lesson.json: "), message
    for text in expected:
        assert text in message, message


def test_too_many_rows_and_too_large_file(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SAMPLES", 5)
    with pytest.raises(LessonError, match=r"row 7: more than 5 data rows; the limit is 5"):
        read_csv_table(write(tmp_path, "a,b\n" + "1,2\n" * 6))
    assert len(read_csv_table(write(tmp_path, "a,b\n" + "1,2\n" * 5)).rows) == 5
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as handle:
        handle.truncate(limits.MAX_FILE_BYTES + 1)      # sparse: refused before reading
    with pytest.raises(LessonError, match=r"huge.csv: the file is 64 MB; the limit for a data "
                                          r"file is 64 MB"):
        read_csv_table(huge)


def test_header_detected_and_columns_by_name_or_index(tmp_path):
    lesson = load(tmp_path, GOOD, (2, 2, 1), features=["x2", 0], target=["label"])
    np.testing.assert_array_equal(lesson.X, [[0, 0], [1, 0], [0, 1], [1, 1]])
    np.testing.assert_array_equal(lesson.y, [[0], [1], [1], [0]])
    assert lesson.data_spec["csv"] == "data.csv"


def test_no_header_defaults_last_column_is_target(tmp_path):
    table = read_csv_table(write(tmp_path, "1,2,3\n4,5,6\n"))
    assert table.header is None and table.delimiter == ","
    data = build_dataset(table)
    np.testing.assert_array_equal(data.X, [[1, 2], [4, 5]])
    np.testing.assert_array_equal(data.y, [[3], [6]])
    assert data.input_names == ("column 0", "column 1")


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_are_detected(tmp_path, delimiter):
    table = read_csv_table(write(tmp_path, GOOD.replace(",", delimiter)))
    assert table.delimiter == delimiter and table.header == ("x1", "x2", "label")
    assert build_dataset(table).X.shape == (4, 2)


def test_bom_windows_line_endings_quotes_and_blank_lines_work(tmp_path):
    content = ('\ufeff"x 1","x,2",label\r\n"1,5",2,a\r\n\r\n3,"4",b\r\n').encode("utf-8")
    table = read_csv_table(write(tmp_path, content), delimiter=",")
    assert table.header == ("x 1", "x,2", "label")
    assert table.row_numbers == [2, 4]                 # the blank line 3 is skipped, not renumbered
    with pytest.raises(LessonError, match=r"row 2, column 1 \('x 1'\): '1,5' is not a number"):
        build_dataset(table, features=[0, 1], target="label", one_hot=True)
    table = read_csv_table(write(tmp_path, '\ufeffx,"y, text",label\r\n1,2,a\r\n3,4,b\r\n'))
    data = build_dataset(table, one_hot=True)
    np.testing.assert_array_equal(data.X, [[1, 2], [3, 4]])
    assert data.input_names == ("x", "y, text")


def test_a_delimiter_ending_every_line_is_ignored(tmp_path):
    table = read_csv_table(write(tmp_path, "a;b;y;\n1;2;3;\n4;5;6;\n"))
    assert table.header == ("a", "b", "y") and table.rows == [("1", "2", "3"), ("4", "5", "6")]


def test_one_hot_text_and_integer_labels_in_sorted_order(tmp_path):
    table = read_csv_table(write(tmp_path, "a,b,kind\n1,2,dog\n3,4,cat\n5,6,emu\n7,8,cat\n"))
    data = build_dataset(table, one_hot=True)
    assert data.output_names == ("cat", "dog", "emu")
    np.testing.assert_array_equal(data.y, [[0, 1, 0], [1, 0, 0], [0, 0, 1], [1, 0, 0]])
    table = read_csv_table(write(tmp_path, "a,b,digit\n1,2,10\n3,4,9\n5,6,2\n7,8,9\n"))
    data = build_dataset(table, one_hot=True)
    assert data.output_names == ("2", "9", "10")       # numerically, not as text
    np.testing.assert_array_equal(data.y.argmax(axis=1), [2, 1, 0, 1])


def test_one_hot_lesson_with_softmax(tmp_path):
    content = "a,b,kind\n" + "".join(f"{i},{i % 3},{'xyz'[i % 3]}\n" for i in range(9))
    doc_layers = (2, 4, 3)
    write(tmp_path, content)
    doc = lesson_doc(doc_layers, ["tanh", "softmax"], "cross_entropy")
    doc["data"] = {"csv": "data.csv", "one_hot": True, "normalise": "zscore"}
    lesson = parse_lesson(doc, "lesson.json", base=tmp_path)
    assert lesson.y.shape == (9, 3) and (lesson.y.sum(axis=1) == 1).all()


def test_minmax_and_zscore_values_exact(tmp_path):
    content = "a,b,c,y\n1,10,5,0\n2,30,5,1\n4,20,5,0\n"
    raw = np.array([[1, 10, 5], [2, 30, 5], [4, 20, 5]], dtype=float)
    table = read_csv_table(write(tmp_path, content))
    data = build_dataset(table, normalise="minmax")
    np.testing.assert_array_equal(data.X, [[0, 0, 0], [1 / 3, 1, 0], [1, 0.5, 0]])
    data = build_dataset(table, normalise="zscore")
    mean, std = raw.mean(axis=0), raw.std(axis=0)
    expected = (raw - mean) / np.where(std > 0, std, 1.0)
    np.testing.assert_array_equal(data.X, expected)
    assert (data.X[:, 2] == 0).all() and np.isfinite(data.X).all()   # constant column: no 0/0
    np.testing.assert_array_equal(data.offset, mean)
    np.testing.assert_array_equal(data.y, [[0], [1], [0]])          # targets untouched


def test_split_and_normalisation_use_the_training_rows(tmp_path):
    rows = "".join(f"{i},{i * i},{i % 2}\n" for i in range(20))
    table = read_csv_table(write(tmp_path, "a,b,y\n" + rows))
    data = build_dataset(table, normalise="minmax", test_fraction=0.25, seed=0)
    assert data.X.shape == (15, 2) and data.X_test.shape == (5, 2)
    assert data.X.min() == 0 and data.X.max() == 1                  # the training part spans [0, 1]
    raw = build_dataset(table, test_fraction=0.25, seed=0)
    restored = np.vstack([raw.X, raw.X_test])
    assert sorted(restored[:, 0]) == list(range(20))                # every row in exactly one part
    np.testing.assert_array_equal(data.X_test, (raw.X_test - data.offset) / data.scale)


def test_lesson_with_split_trains_on_the_training_part(tmp_path):
    rows = "".join(f"{i},{-i},{i % 2}\n" for i in range(10))
    lesson = load(tmp_path, "a,b,y\n" + rows, (2, 2, 1), test_fraction=0.3)
    assert lesson.X.shape == (7, 2)


def test_relative_path_in_a_subfolder(tmp_path):
    (tmp_path / "data").mkdir()
    write(tmp_path, GOOD, "data/xor.csv")
    doc = lesson_doc((2, 2, 1))
    doc["data"] = {"csv": "data/xor.csv", "target": "label"}
    (tmp_path / "xor.json").write_text(json.dumps(doc), encoding="utf-8")
    lesson = load_lesson(tmp_path / "xor.json")
    np.testing.assert_array_equal(lesson.y, [[0], [1], [1], [0]])


def test_a_lesson_saved_in_another_folder_still_finds_its_csv(tmp_path):
    (tmp_path / "course" / "data").mkdir(parents=True)
    write(tmp_path, GOOD, "course/data/xor.csv")
    doc = lesson_doc((2, 2, 1))
    doc["data"] = {"csv": "data/xor.csv", "target": "label"}
    (tmp_path / "course" / "xor.json").write_text(json.dumps(doc), encoding="utf-8")
    lesson = load_lesson(tmp_path / "course" / "xor.json")
    assert lesson.to_json()["data"]["csv"] == "data/xor.csv"        # as written
    for target, expected in [(tmp_path / "course" / "copy.json", "data/xor.csv"),
                             (tmp_path / "handout" / "xor.json", "../course/data/xor.csv"),
                             (tmp_path / "course" / "data" / "x.json", "xor.csv")]:
        saved = lesson.to_json(destination=target)
        assert saved["data"]["csv"] == expected
        assert saved["data"]["target"] == "label"
        target.parent.mkdir(exist_ok=True)
        target.write_text(json.dumps(saved), encoding="utf-8")
        again = load_lesson(target)
        np.testing.assert_array_equal(again.X, lesson.X)
        np.testing.assert_array_equal(again.y, lesson.y)
    assert lesson.data_spec["csv"] == "data/xor.csv"                  # the lesson unchanged


def test_an_absolute_csv_path_is_saved_relative_to_the_lesson(tmp_path):
    path = write(tmp_path, GOOD, "xor.csv")
    doc = lesson_doc((2, 2, 1))
    doc["data"] = {"csv": str(path.resolve()), "target": "label"}
    lesson = parse_lesson(doc, "dialog")                        # as the import dialog makes it
    assert lesson.to_json(destination=tmp_path / "xor.json")["data"]["csv"] == "xor.csv"


def test_preview_reads_only_max_rows(tmp_path):
    table = read_csv_table(write(tmp_path, "a,b\n" + "1,2\n" * 50), max_rows=10)
    assert len(table.rows) == 10 and not table.complete and table.header == ("a", "b")
    with pytest.raises(LessonError, match="preview"):
        build_dataset(table)
    table = read_csv_table(write(tmp_path, "a,b\n" + "1,2\n" * 10), max_rows=10)
    assert table.complete


def test_100000_rows_load(tmp_path):
    rng = np.random.default_rng(0)
    values = rng.standard_normal((100_000, 9)).round(6)
    labels = rng.integers(0, 3, 100_000)
    lines = [",".join(f"f{i}" for i in range(9)) + ",species"]
    lines += [",".join(map(str, row)) + f",s{label}" for row, label in zip(values.tolist(), labels)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    start = time.perf_counter()
    data = build_dataset(read_csv_table(path), one_hot=True, normalise="zscore",
                         test_fraction=0.2)
    elapsed = time.perf_counter() - start
    print(f"\n100 000 rows x 10 columns ({path.stat().st_size / 1e6:.1f} MB): {elapsed:.2f} s")
    assert data.X.shape == (80_000, 9) and data.y.shape == (80_000, 3)
    assert data.X_test.shape == (20_000, 9)
