"""``@value_type`` makes the classes a frozen dataclass would, without compiling code:
the same construction, errors, text, equality, hashing, freezing, copying and pickling.
Each check runs on a value type and on its frozen-dataclass twin and compares them."""
import copy
import dataclasses
import math
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT
from engine.value_type import field_names, is_value_type, replace, value_type


@value_type
class Point:
    """A point with a label."""

    x: float
    y: float
    label: str = "p"
    weight: float = 1.0


@dataclasses.dataclass(frozen=True)
class TwinPoint:
    x: float
    y: float
    label: str = "p"
    weight: float = 1.0


def twins(*args, **kwargs):
    return Point(*args, **kwargs), TwinPoint(*args, **kwargs)


@pytest.mark.parametrize("args, kwargs", [((1, 2), {}), ((1, 2, "q"), {}), ((1, 2, "q", 3.0), {}),
                                          ((), {"x": 1, "y": 2}), ((1,), {"y": 2, "weight": 5}),
                                          ((), {"label": "r", "y": 0, "x": -1})])
def test_it_is_made_as_the_dataclass_is(args, kwargs):
    value, twin = twins(*args, **kwargs)
    assert [getattr(value, name) for name in field_names(value)] == \
           [getattr(twin, field.name) for field in dataclasses.fields(twin)]
    assert repr(value) == repr(twin).replace("TwinPoint", "Point")
    assert value.__match_args__ == TwinPoint.__match_args__


@pytest.mark.parametrize("args, kwargs, words", [
    ((), {}, "missing required argument: 'x'"),
    ((1,), {}, "missing required argument: 'y'"),
    ((1, 2, "q", 3.0, 4), {}, "takes 4 positional arguments but 5 were given"),
    ((1, 2), {"x": 3}, "multiple values for argument 'x'"),
    ((1, 2), {"z": 3}, "unexpected keyword argument 'z'"),
])
def test_a_wrong_call_is_refused_as_the_dataclass_refuses_it(args, kwargs, words):
    with pytest.raises(TypeError, match=words):
        Point(*args, **kwargs)
    with pytest.raises(TypeError):
        TwinPoint(*args, **kwargs)


def test_equality_and_hash_are_by_value_and_class():
    a, b, c = Point(1, 2), Point(1.0, 2, "p", 1), Point(1, 3)
    assert a == b and hash(a) == hash(b) and a != c
    assert a != TwinPoint(1, 2) and a != (1, 2, "p", 1.0)   # another class is never equal
    assert len({a, b, c}) == 2
    # A field equal to itself (a NaN, an array) compares as the dataclass's tuples do.
    assert Point(float("nan"), 0) != Point(float("nan"), 0)
    assert TwinPoint(float("nan"), 0) != TwinPoint(float("nan"), 0)
    assert Point(math.nan, 0) == Point(math.nan, 0) and TwinPoint(math.nan, 0) == TwinPoint(math.nan, 0)
    same = Point(float("nan"), 0)
    assert same == same and [same] == [same]
    array = np.arange(3.0)
    assert Point(array, 0) == Point(array, 0)
    with pytest.raises(ValueError):
        bool(Point(array, 0) == Point(array.copy(), 0))
    with pytest.raises(ValueError):
        bool(TwinPoint(array, 0) == TwinPoint(array.copy(), 0))


def test_a_one_field_value_compares_as_a_one_field_dataclass():
    @value_type
    class Name:
        value: object

    @dataclasses.dataclass(frozen=True)
    class TwinName:
        value: object

    nan = float("nan")
    for cls in (Name, TwinName):
        assert cls(nan) == cls(nan) and cls(float("nan")) != cls(float("nan"))
        assert cls("W1") == cls("W1") != cls("W2") and hash(cls("W1")) == hash(cls("W1"))
    assert Name("W1") != TwinName("W1")


def test_it_is_frozen_as_the_dataclass_is():
    value = Point(1, 2)
    for change in (lambda: setattr(value, "x", 5), lambda: setattr(value, "new", 1),
                   lambda: delattr(value, "y")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            change()
    assert value == Point(1, 2)


def test_copies_pickles_and_replacements_are_equal_values():
    value = Point(1, 2, "q", 0.5)
    for other in (copy.copy(value), copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
        assert other == value and other is not value and type(other) is Point
    moved = replace(value, x=7)
    assert moved == Point(7, 2, "q", 0.5) and value.x == 1
    with pytest.raises(TypeError, match="no field 'z'"):
        replace(value, z=1)


def test_a_class_that_needs_more_than_a_value_type_gives_is_refused():
    with pytest.raises(TypeError, match="follows a default"):
        @value_type
        class Late:
            a: int = 1
            b: int

    with pytest.raises(ValueError, match="mutable default"):
        @value_type
        class Shared:
            items: list = []

    with pytest.raises(TypeError, match="does not inherit fields"):
        @value_type
        class More(Point):
            z: float


def test_a_recursive_value_prints():
    holder = Point([], 0)
    holder.x.append(holder)
    assert repr(holder) == "Point(x=[...], y=0, label='p', weight=1.0)"


def test_the_engines_value_types_compile_no_code_when_imported():
    """The classes the window needs to show (formulas, catalogue, steps, positions, the
    theme) are value types; importing what the window imports compiles no method."""
    from engine.catalogue import Kind, MatrixId
    from engine.formula import Binary, Ref
    from engine.session import Position
    from engine.steps import StepSpec
    from gui.session_controller import MatrixInfo, Selection
    from gui.theme import Theme
    for cls in (Kind, MatrixId, Binary, Ref, Position, StepSpec, MatrixInfo, Selection, Theme):
        assert is_value_type(cls) and not dataclasses.is_dataclass(cls)
    probe = ("import builtins, sys\n"
             "compiled = []\n"
             "real = builtins.exec\n"
             "def counting(source, *rest):\n"
             "    if isinstance(source, str) and sys._getframe(1).f_globals.get('__name__')"
             " == 'dataclasses':\n"
             "        compiled.append(source)\n"
             "    return real(source, *rest)\n"
             "builtins.exec = counting\n"
             "import gui.main_window\n"
             "print(len(compiled))\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYQTGRAPH_QT_LIB="PySide6")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # What stays a dataclass needs a factory or is mutable (the lesson, a record of an
    # iteration, an exercise's score): a few dozen methods, not the 237 there were.
    assert int(result.stdout.split()[-1]) < 70
