"""CSV data files: read, check, choose columns, encode and normalise.

A lesson asks for one with (DESIGN.md section 4)::

    {"csv": PATH, "features": [COLUMNS], "target": [COLUMNS], "delimiter": null,
     "header": null, "one_hot": false, "normalise": "none", "test_fraction": 0}

- ``csv``: the file, relative to the lesson file's folder (or absolute).
- ``delimiter``: ``","``, ``";"`` or ``"\\t"`` (also ``"comma"``, ``"semicolon"``,
  ``"tab"``); null: detected from the first rows (the one that splits them
  into the same number of fields, more than one).
- ``header``: true, false, or null: detected — the first row is a header
  when one of its cells is not a number where the rows below hold numbers.
- ``features``, ``target``: columns by header name or 0-based index. Default
  target: the last column; default features: every other column.
- ``one_hot``: encode the one target column's labels (text or numbers) as
  one-hot rows, one output per label in sorted order (numerically when every
  label is a number, else alphabetically).
- ``normalise``: ``none``, ``minmax`` ((x − min)/(max − min)) or ``zscore``
  ((x − mean)/std, population std) per feature column, computed on the
  training rows and applied to both parts; a constant column is only shifted
  (divided by 1). Targets are never normalised.
- ``test_fraction``: as for the built-in sets (``engine.datasets.split``),
  with the split seed 0.

The file must be a regular file (not a named pipe or a device), UTF-8 (a
byte-order mark is fine), at most ``limits.MAX_FILE_BYTES`` bytes and
``limits.MAX_SAMPLES`` data rows, and a lesson names at most
``limits.MAX_FEATURES`` feature columns; blank lines are skipped, and so is
an empty last column (a delimiter ending every line); quoted fields
(``"1,5"``) and Windows line endings work, and a quote never closed is named
at the row where it opens.
Every problem is a LessonError whose one line names the file, the row as a
text editor numbers it (the header is row 1) and the column, and says what
would be accepted.

The import dialog uses the steps separately: ``read_csv_table`` (text
cells, detected delimiter and header; ``max_rows`` for a quick preview),
``csv_summary`` (what the network proposed for the chosen columns needs:
inputs, outputs, training rows, the kind of target) and ``build_dataset``
(numbers, encoding, split, normalisation).
"""
from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Union

import numpy as np

from . import limits
from .datasets import DataSet, held_out_rows, split
from .errors import LessonError
from .files import NotARegularFile, TooLarge, read_regular_file
from .network_proposal import DataSummary, target_kind

__all__ = ["CsvTable", "CsvError", "read_csv_table", "build_dataset", "csv_summary",
           "csv_from_spec",
           "CSV_KEYS", "DELIMITERS", "NORMALISATIONS"]

CSV_KEYS = {"csv", "features", "target", "delimiter", "header", "one_hot", "normalise",
            "test_fraction"}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
NORMALISATIONS = ("none", "minmax", "zscore")
CSV_SPLIT_SEED = 0

Column = Union[str, int]
Fail = Callable[[str, str], Exception]

_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|nan|inf|infinity)\s*",
                     re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"\s*[+-]?\d+,\d+\s*")
_SNIFF_CHARS = 64 * 1024
_SNIFF_ROWS = 50
# Cells converted to numbers per NumPy call: each call holds the interpreter,
# so a worker thread converting 100 000 rows lets the window run between chunks.
_CHUNK_ROWS = 5_000


class CsvError(LessonError):
    """A problem inside a data file: the message starts with the file's name and row."""


@dataclass(frozen=True)
class CsvTable:
    """The cells of a CSV file as text, before any column is chosen.

    Attributes
    ----------
    name : str
        The file as messages name it.
    delimiter : str
        ``","``, ``";"`` or ``"\\t"``, given or detected.
    header : tuple of str or None
        The header row's names (stripped), None when the file has none.
    rows : list of tuple of str
        The data rows, every one ``width`` cells long (the first ``max_rows``
        of them for a preview).
    row_numbers : list of int
        The file row (1-based line where the record starts) of each data row.
    header_row : int or None
        The file row of the header.
    complete : bool
        False when ``max_rows`` cut the table short.
    """

    name: str
    delimiter: str
    header: tuple[str, ...] | None
    rows: list[tuple[str, ...]]
    row_numbers: list[int]
    header_row: int | None
    complete: bool = True

    @property
    def width(self) -> int:
        return len(self.header) if self.header is not None else len(self.rows[0])

    @property
    def column_names(self) -> tuple[str, ...]:
        """Header names, or ``column 0``, ``column 1``, … for a file without a header."""
        if self.header is not None:
            return self.header
        return tuple(f"column {j}" for j in range(self.width))

    @cached_property
    def column_of(self) -> dict[str, int]:
        """The 0-based index of each header name (the first column of that name).

        A dictionary, so that naming each of 200 000 columns is not a search
        of the header each time.
        """
        found: dict[str, int] = {}
        for j, column in enumerate(self.header or ()):
            found.setdefault(column, j)
        return found

    def column_label(self, j: int) -> str:
        """How a message names column j (0-based): ``column 3 ('x2')`` or ``column 3 (index 2)``."""
        if self.header is not None:
            return f"column {j + 1} ({self.header[j]!r})"
        return f"column {j + 1} (index {j})"

    def __repr__(self) -> str:
        more = "" if self.complete else " (preview)"
        return (f"CsvTable({self.name!r}: {len(self.rows)} rows{more} × {self.width} columns, "
                f"delimiter {DELIMITERS[self.delimiter]}, header {self.header is not None})")


# ---------------------------------------------------------------- reading

def _delimiter_problem(value: Any) -> str | None:
    if value is None or value in DELIMITERS or value in DELIMITERS.values():
        return None
    return (f"{value!r} is not a supported delimiter; expected null (detect), \",\", \";\" or "
            f"\"\\t\" (or \"comma\", \"semicolon\", \"tab\")")


def _delimiter_char(value: str) -> str:
    names = {name: char for char, name in DELIMITERS.items()}
    return names.get(value, value)


def _decode(raw: bytes, name: str, delimiter: str | None) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvError(f"{name}: row 1, column 1: the file is UTF-16 text; save it as UTF-8 "
                       f"(in Excel: CSV UTF-8)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        before = raw[line_start:exc.start].decode("utf-8", "replace")
        if delimiter is None:
            sample = raw[:_SNIFF_CHARS].decode("utf-8", "replace")
            delimiter = _sniff_delimiter(sample) or ","
        column = before.count(delimiter) + 1
        raise CsvError(f"{name}: row {row}, column {column}: byte 0x{raw[exc.start]:02X} is not "
                       f"UTF-8 text; save the file as UTF-8 (in Excel: CSV UTF-8)") from None


def _is_blank(record: list[str]) -> bool:
    return not record or (len(record) == 1 and not record[0].strip())


def _sniff_delimiter(sample: str) -> str | None:
    """The delimiter that splits the first rows most consistently into more than one field."""
    if len(sample) >= _SNIFF_CHARS and "\n" in sample:
        sample = sample[:sample.rindex("\n")]          # drop a cut-off last line
    best, best_score = None, None
    for char in DELIMITERS:
        counts, numeric, cells = [], 0, 0
        try:
            for record in csv.reader(io.StringIO(sample, newline=""), delimiter=char):
                if _is_blank(record):
                    continue
                counts.append(len(record))
                numeric += sum(1 for cell in record if _NUMBER.fullmatch(cell))
                cells += len(record)
                if len(counts) >= _SNIFF_ROWS:
                    break
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = (counts.count(mode) / len(counts), numeric / cells)
        if best_score is None or score > best_score:
            best, best_score = char, score
    return best


def _unclosed_quote_row(text: str, delimiters: str) -> int | None:
    """The row where a quoted field opens and is never closed, trying each delimiter.

    Such a field runs to the end of the file, so the rows after it look like
    one field: the row where the quote opens is the one to name.
    """
    for char in delimiters:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=char, strict=True)
        line = 0
        try:
            for _ in reader:
                line = reader.line_num
        except csv.Error:
            if reader.line_num and text.rstrip().count("\n") + 1 <= reader.line_num:
                return line + 1  # the error came at the end of the text: the record never ended
    return None


def _looks_like_header(first: tuple[str, ...], later: list[tuple[str, ...]]) -> bool:
    """True when a cell of the first row is text where the rows below hold numbers."""
    text = [j for j, cell in enumerate(first) if not _NUMBER.fullmatch(cell)]
    if not text:
        return False
    if not later:
        return True
    return any(all(j < len(row) and _NUMBER.fullmatch(row[j]) for row in later) for j in text)


def read_csv_table(path: str | Path, delimiter: str | None = None, header: bool | None = None,
                   max_rows: int | None = None, *, name: str | None = None) -> CsvTable:
    """Read a CSV file into text cells, detecting the delimiter and header when None.

    Parameters
    ----------
    path : path of the file.
    delimiter : ``","``, ``";"``, ``"\\t"`` (or their names), or None to detect.
    header : True, False, or None to detect.
    max_rows : read only this many data rows (a preview; ``complete`` is then
        False if more follow), or None for all.
    name : how messages name the file (default: its file name).

    Raises CsvError (a LessonError) naming the file, row and column.
    """
    path = Path(path)
    name = name or path.name
    problem = _delimiter_problem(delimiter)
    if problem:
        raise LessonError(f"{name}: delimiter: {problem}")
    if header is not None and not isinstance(header, bool):
        raise LessonError(f"{name}: header: expected true, false or null (detect), "
                          f"found {header!r}")
    delimiter = None if delimiter is None else _delimiter_char(delimiter)
    try:
        raw = read_regular_file(path, limits.MAX_FILE_BYTES)
    except NotARegularFile as exc:
        raise CsvError(f"{name}: is {exc.kind}, not a CSV file") from None
    except TooLarge as exc:
        raise CsvError(f"{name}: {exc}; the limit for a data "
                       f"file is {limits.MAX_FILE_BYTES // 2**20} MB") from None
    except OSError as exc:
        raise CsvError(f"{name}: cannot read the data file: {exc.strerror or exc}") from None
    text = _decode(raw, name, delimiter)
    if not text.strip():
        raise CsvError(f"{name}: the file is empty; expected rows of numbers separated by "
                       f"commas, semicolons or tabs, optionally under a header row")
    if delimiter is None:
        delimiter = _sniff_delimiter(text[:_SNIFF_CHARS])
        if delimiter is None:
            row = _unclosed_quote_row(text, "".join(DELIMITERS))
            if row is not None:
                raise CsvError(_unclosed_quote_message(name, row))
            raise CsvError(f"{name}: row 1: found a single column; expected at least two "
                           f"columns (features and a target) separated by commas, semicolons "
                           f"or tabs")
    return _parse(text, name, delimiter, header, max_rows)


def _unclosed_quote_message(name: str, row: int) -> str:
    return (f"{name}: row {row}: a quote (\") opens a field that is never closed, so the rest "
            f"of the file would be one value; close the quote or remove it")


def _parse(text: str, name: str, delimiter: str, header: bool | None,
           max_rows: int | None) -> CsvTable:
    limit = limits.MAX_SAMPLES if max_rows is None else max_rows
    records, starts, complete = _records(text, name, delimiter, limit)
    width = len(records[0])
    if width > 2 and all(not record[-1].strip() for record in records):
        records = [record[:-1] for record in records]   # a delimiter at the end of every line
        width -= 1
    if width == 1:
        raise CsvError(f"{name}: row {starts[0]}: found a single column with the delimiter "
                       f"{DELIMITERS[delimiter]}; expected at least two columns (features and "
                       f"a target) separated by commas, semicolons or tabs")
    if header is None:
        header = _looks_like_header(records[0], records[1:1 + _SNIFF_ROWS])
    names = header_row = None
    if header:
        names, header_row = _header_names(records[0], starts[0], name), starts[0]
        records, starts = records[1:], starts[1:]
        if not records:
            raise CsvError(f"{name}: row {header_row} is a header but no data rows follow; "
                           f"expected rows of numbers below it")
    if len(records) > limit:
        if max_rows is None:
            raise CsvError(f"{name}: row {starts[limit]}: more than {limits.MAX_SAMPLES} data "
                           f"rows; the limit is {limits.MAX_SAMPLES} samples")
        records, starts, complete = records[:limit], starts[:limit], False
    return CsvTable(name, delimiter, names, records, starts, header_row, complete)


def _records(text: str, name: str, delimiter: str,
             limit: int) -> tuple[list[tuple[str, ...]], list[int], bool]:
    """The non-blank records of ``text``, each record's first file row, and completeness.

    Every record has as many fields as the first. Reading stops after
    ``limit + 1`` records (the first may be a header); ``complete`` is then
    False. At least one record is returned.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # Tuples, not the reader's lists: the collector stops tracking a tuple of
    # strings, so 100 000 rows do not make it walk the whole heap again and
    # again while the window waits for the interpreter.
    records: list[tuple[str, ...]] = []
    starts: list[int] = []
    complete = True
    width = None
    line = 0
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if _is_blank(record):
                continue
            if width is None:
                width = len(record)
            elif len(record) != width:
                if _unclosed_quote_row(text, delimiter) == start:
                    raise CsvError(_unclosed_quote_message(name, start))
                raise CsvError(
                    f"{name}: row {start}: has {len(record)} field{'s' * (len(record) != 1)} but "
                    f"row {starts[0]} has {width}; every row needs one value per column, "
                    f"separated by {DELIMITERS[delimiter]}s (quote a value that contains one)")
            records.append(tuple(record))
            starts.append(start)
            if len(records) > limit + 1:               # + 1: the first may be a header
                complete = False
                break
    except csv.Error as exc:
        raise CsvError(f"{name}: row {line + 1}: cannot be read as CSV ({exc}); expected plain "
                       f"text fields separated by {DELIMITERS[delimiter]}s") from None
    if not records:
        raise CsvError(f"{name}: the file has no rows of values; expected rows of numbers "
                       f"separated by {DELIMITERS[delimiter]}s")
    return records, starts, complete


def _header_names(record: tuple[str, ...], row: int, name: str) -> tuple[str, ...]:
    """The column names (stripped) of the header ``record``, which is file ``row``.

    Refused when two columns share a name (blank names may repeat).
    """
    names = tuple(cell.strip() for cell in record)
    seen: dict[str, int] = {}
    for j, column in enumerate(names):
        if column and column in seen:
            raise CsvError(f"{name}: row {row}, column {j + 1}: the name {column!r} "
                           f"is also the name of column {seen[column] + 1}; give every "
                           f"column its own name")
        seen.setdefault(column, j)
    return names


# ---------------------------------------------------------------- building

def _plain_fail(key: str, message: str) -> LessonError:
    return LessonError(f"{key}: {message}")


def _resolve(table: CsvTable, ref: Any, key: str, fail: Fail) -> int:
    """0-based index of the column named or numbered ``ref``."""
    if isinstance(ref, bool) or not isinstance(ref, (int, str)):
        raise fail(key, f"expected a column name or 0-based index, found {ref!r}")
    width = table.width
    if isinstance(ref, int):
        if not 0 <= ref < width:
            raise fail(key, f"column index {ref} is out of range; {table.name} has {width} "
                            f"columns, indices 0 to {width - 1}")
        return ref
    if table.header is None:
        raise fail(key, f"{table.name} has no header row, so choose columns by 0-based index "
                        f"(0 to {width - 1}), not by the name {ref!r}; or set \"header\": true")
    if ref.strip() in table.column_of:
        return table.column_of[ref.strip()]
    shown = ", ".join(repr(n) for n in table.header[:20]) + (", …" if width > 20 else "")
    raise fail(key, f"no column named {ref!r} in {table.name}; its columns are {shown}")


def _columns(table: CsvTable, refs: Any, key: str, fail: Fail, most: int) -> list[int]:
    """The 0-based columns ``refs`` names, at most ``most`` of them, each once."""
    if isinstance(refs, (str, int)) and not isinstance(refs, bool):
        refs = [refs]
    if not isinstance(refs, (list, tuple)) or not refs:
        raise fail(key, f"expected a non-empty list of column names or 0-based indices, "
                        f"found {_shown_refs(refs)}")
    if len(refs) > most:  # refused before any column is looked up
        noun = "feature" if key == "features" else key
        raise fail(key, f"{len(refs)} {noun} columns is more than the limit of {most}")
    chosen: list[int] = []
    seen: set[int] = set()
    for index, ref in enumerate(refs):
        j = _resolve(table, ref, f"{key}[{index}]", fail)
        if j in seen:
            raise fail(f"{key}[{index}]", f"{table.column_label(j)} is listed twice")
        seen.add(j)
        chosen.append(j)
    return chosen


def _shown_refs(refs: Any) -> str:
    """What was given for a column list, cut short for a one-line message."""
    text = repr(refs)
    return text if len(text) <= 60 else text[:57] + "..."


def _number_problem(cell: str) -> str:
    if not cell.strip():
        return "is empty; expected a number (fill in or delete rows with missing values)"
    try:
        value = float(cell)
    except ValueError:
        hint = ""
        if _DECIMAL_COMMA.fullmatch(cell):
            hint = " (write decimals with a point, 1.5, not 1,5)"
        return f"{cell.strip()!r} is not a number; expected a number such as 1.5 or -2e3{hint}"
    if not math.isfinite(value):
        return (f"{cell.strip()!r} is not a finite number; fill in or delete rows with missing "
                f"or infinite values")
    return f"{cell.strip()!r} is not a number"        # pragma: no cover - NumPy refused it


def _numeric(table: CsvTable, j: int, is_target: bool) -> np.ndarray:
    """Column j as float64, refusing text, blanks, NaN and infinities with row and column."""
    cells = [row[j] for row in table.rows]
    try:
        values = np.empty(len(cells))
        for start in range(0, len(cells), _CHUNK_ROWS):
            values[start:start + _CHUNK_ROWS] = np.array(cells[start:start + _CHUNK_ROWS],
                                                         dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(values))
        first = int(bad[0]) if bad.size else None
    except ValueError:
        first = next(i for i, cell in enumerate(cells)
                     if not math.isfinite(_float_or_nan(cell)))
    if first is None:
        return values
    message = _number_problem(cells[first])
    if is_target and not _NUMBER.fullmatch(cells[first]) and cells[first].strip():
        message += "; for text labels set \"one_hot\": true"
    if first == 0 and table.header is None and table.header_row is None:
        message += "; if row 1 names the columns, set \"header\": true"
    raise CsvError(f"{table.name}: row {table.row_numbers[first]}, {table.column_label(j)}: "
                   f"{message}")


def _float_or_nan(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return math.nan


def _one_hot(table: CsvTable, j: int, fail: Fail) -> tuple[np.ndarray, tuple[str, ...]]:
    cells = [row[j].strip() for row in table.rows]
    for i, cell in enumerate(cells):
        if not cell:
            raise CsvError(f"{table.name}: row {table.row_numbers[i]}, {table.column_label(j)}: "
                           f"the label is empty; every row needs a class label")
    texts = sorted(set(cells))
    if all(_NUMBER.fullmatch(t) and math.isfinite(float(t)) for t in texts):
        value_of = {t: float(t) for t in texts}
        values = sorted(set(value_of.values()))
        first_text: dict[float, str] = {}
        for t in texts:
            first_text.setdefault(value_of[t], t)
        labels = tuple(first_text[v] for v in values)
        position = {v: i for i, v in enumerate(values)}
        code_of = {t: position[value_of[t]] for t in texts}
    else:
        labels = tuple(texts)
        code_of = {t: i for i, t in enumerate(texts)}
    if len(labels) < 2:
        raise fail("one_hot", f"{table.column_label(j)} of {table.name} has only one label "
                              f"({labels[0]!r}); one-hot encoding needs at least two classes")
    if len(labels) > limits.MAX_OUTPUTS:
        raise fail("one_hot", f"{table.column_label(j)} of {table.name} has {len(labels)} "
                              f"labels, more than the limit of {limits.MAX_OUTPUTS} outputs")
    codes = np.fromiter((code_of[c] for c in cells), dtype=np.intp, count=len(cells))
    return np.eye(len(labels))[codes], labels


def _normalise(X: np.ndarray, X_test: np.ndarray, how: str):
    """(X, X_test, offset, scale) with X ← (X − offset)/scale from the training rows."""
    if how == "none":
        return X, X_test, None, None
    if how == "minmax":
        offset, scale = X.min(axis=0), X.max(axis=0) - X.min(axis=0)
    else:
        offset, scale = X.mean(axis=0), X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)            # a constant column is only shifted
    return (X - offset) / scale, (X_test - offset) / scale, offset, scale


def build_dataset(table: CsvTable, features: Sequence[Column] | None = None,
                  target: Sequence[Column] | Column | None = None, one_hot: bool = False,
                  normalise: str = "none", test_fraction: float = 0.0,
                  seed: int = CSV_SPLIT_SEED, *, fail: Fail | None = None) -> DataSet:
    """Choose the columns of ``table`` and make a DataSet.

    ``features``/``target`` name columns by header name or 0-based index
    (defaults: the last column is the target, the others the features).
    ``one_hot`` encodes the one target column; the labels become
    ``output_names``. ``normalise`` (none, minmax, zscore) uses the training
    rows only. Option problems go through ``fail(key, message)`` (keys
    ``features[0]``, ``target``, ``one_hot``, …); problems in the cells are
    CsvErrors naming row and column.
    """
    fail = fail or _plain_fail
    if not table.complete:
        raise fail("csv", f"{table.name} was read as a preview of {len(table.rows)} rows; "
                          f"read the whole file (max_rows=None) before building the data")
    if normalise not in NORMALISATIONS:
        raise fail("normalise", f"{normalise!r} is not one of " + ", ".join(NORMALISATIONS))
    feature_columns, target_columns = _chosen_columns(table, features, target, fail)
    X = np.column_stack([_numeric(table, j, False) for j in feature_columns])
    y, outputs = _targets(table, target_columns, one_hot, fail)
    try:
        X, y, X_test, y_test = split(X, y, test_fraction, seed)
    except LessonError as exc:
        raise fail("test_fraction", str(exc).removeprefix("test_fraction: ")) from None
    with np.errstate(over="ignore", invalid="ignore"):  # checked just below
        X, X_test, offset, scale = _normalise(X, X_test, normalise)
    finite = np.isfinite(X).all(axis=0) & np.isfinite(X_test).all(axis=0)
    if scale is not None:
        finite &= np.isfinite(scale)
    if not finite.all():
        column = table.column_label(feature_columns[int(np.flatnonzero(~finite)[0])])
        raise fail("normalise", f"{column} of {table.name} spans too wide a range to normalise "
                                f"({normalise}); rescale it in the file or use \"none\"")
    inputs = tuple(table.column_names[j] for j in feature_columns)
    return DataSet(X, y, X_test, y_test, inputs, outputs, table.name, offset, scale)


def csv_summary(table: CsvTable, features: Sequence[Column] | None = None,
                target: Sequence[Column] | Column | None = None, one_hot: bool = False,
                test_fraction: float = 0.0) -> DataSummary:
    """What a network for these columns needs to know (``engine.network_proposal``).

    Only the target columns are converted (the feature columns are counted),
    so the import dialog can propose a network as the columns change, even
    for a file of ``limits.MAX_SAMPLES`` rows. The target kind is read from
    every row. Raises what ``build_dataset`` raises for the same targets
    (a text label without one-hot, say); a test fraction out of range
    counts every row.
    """
    feature_columns, target_columns = _chosen_columns(table, features, target, _plain_fail)
    y, _ = _targets(table, target_columns, one_hot, _plain_fail)
    rows = len(table.rows)
    if 0.0 <= test_fraction < 1.0:
        rows -= held_out_rows(rows, test_fraction)
    return DataSummary(len(feature_columns), y.shape[1], max(rows, 1), target_kind(y))


def _chosen_columns(table: CsvTable, features: Sequence[Column] | None,
                    target: Sequence[Column] | Column | None,
                    fail: Fail) -> tuple[list[int], list[int]]:
    """The 0-based feature and target columns ``build_dataset`` was asked for.

    Defaults: the last column is the target, every other one a feature. A
    column named both ways, too many features or none are refused through
    ``fail``.
    """
    target_columns = (_columns(table, target, "target", fail, limits.MAX_OUTPUTS)
                      if target is not None else [table.width - 1])
    targets = set(target_columns)  # looked up once per feature column
    if features is None:
        feature_columns = [j for j in range(table.width) if j not in targets]
    else:
        feature_columns = _columns(table, features, "features", fail, limits.MAX_FEATURES)
    for index, j in enumerate(feature_columns):
        if j in targets:
            raise fail(f"features[{index}]", f"{table.column_label(j)} is also the target; "
                                             f"a column is either a feature or a target")
    if len(feature_columns) > limits.MAX_FEATURES:
        raise fail("features", f"{len(feature_columns)} feature columns is more than the limit "
                               f"of {limits.MAX_FEATURES}")
    if not feature_columns:
        raise fail("features", f"{table.name} has no column left for the features")
    return feature_columns, target_columns


def _targets(table: CsvTable, target_columns: list[int], one_hot: bool,
             fail: Fail) -> tuple[np.ndarray, tuple[str, ...]]:
    """y, shape (m, outputs), and the output names: one-hot labels or the target columns."""
    if one_hot:
        if len(target_columns) != 1:
            raise fail("target", f"one_hot encodes a single target column; found "
                                 f"{len(target_columns)}")
        return _one_hot(table, target_columns[0], fail)
    y = np.column_stack([_numeric(table, j, True) for j in target_columns])
    return y, tuple(table.column_names[j] for j in target_columns)


def csv_from_spec(spec: dict, r: Any, base: Path | None) -> DataSet:
    """The DataSet of a lesson's ``{"csv": PATH, ...}`` object.

    ``r`` is the lesson's validating reader (``engine.lesson._Reader``);
    ``base`` the lesson file's folder that a relative PATH starts from. The
    caller has already refused unknown keys.
    """
    text = r.string(spec["csv"], "data.csv")
    if not text.strip():
        raise r.fail("data.csv", "is empty; give the data file's path, relative to the lesson")
    path = Path(text)
    if not path.is_absolute() and base is not None:
        path = Path(base) / path
    delimiter = spec.get("delimiter")
    problem = _delimiter_problem(delimiter)
    if problem:
        raise r.fail("data.delimiter", problem)
    header = spec.get("header")
    if header is not None:
        header = r.boolean(header, "data.header")
    one_hot = r.boolean(spec.get("one_hot", False), "data.one_hot")
    normalise = r.string(spec.get("normalise", "none"), "data.normalise", NORMALISATIONS)
    fraction = r.number(spec.get("test_fraction", 0), "data.test_fraction", 0.0, 1.0,
                        high_open=True)

    def fail(key: str, message: str) -> Exception:
        return r.fail(f"data.{key}", message)

    try:
        table = read_csv_table(path, delimiter, header, name=text)
        return build_dataset(table, spec.get("features"), spec.get("target"), one_hot,
                             normalise, fraction, CSV_SPLIT_SEED, fail=fail)
    except CsvError as exc:
        raise r.fail("data.csv", str(exc)) from None
