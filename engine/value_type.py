"""Frozen value types made without compiling code: ``@value_type``.

A frozen dataclass gets six methods (``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__``, ``__delattr__``), each written out as source
text and compiled with ``exec`` when its class is defined. The window needs
some thirty such classes before it can show (the formula trees, the step
catalogue, the positions, the theme): about 180 compiled methods, 5 % of the
instructions of a start-up whose goal is 1.2× a bare Qt window. ``value_type``
makes the same kind of class from methods written once, here, which read the
class's field names at run time.

What it keeps of ``@dataclass(frozen=True)``: the fields are the class's own
annotated names, in order, each with an optional default (an immutable value:
no ``field()``, no factories); instances are made by position or keyword,
compare equal when of the same class with equal fields, hash by their fields,
print as ``Name(field=value, ...)``, and refuse ``setattr``/``delattr`` with
``dataclasses.FrozenInstanceError``. ``replace`` is ``dataclasses.replace``'s
counterpart and ``field_names`` lists the fields. A class that needs more
(a default factory, ``__post_init__``, mutability) stays a dataclass.
"""
from __future__ import annotations

import reprlib
from dataclasses import FrozenInstanceError
from operator import attrgetter
from typing import Any, TypeVar

__all__ = ["value_type", "replace", "field_names", "is_value_type"]

T = TypeVar("T")
_FIELDS = "__value_fields__"      # tuple of the field names, in order
_DEFAULTS = "__value_defaults__"  # field name -> default, for the fields that have one
_MISSING = object()


def value_type(cls: type[T]) -> type[T]:
    """Make ``cls`` a frozen value type of its annotated fields (see the module)."""
    annotations = cls.__dict__.get("__annotations__", {})
    names = tuple(name for name, kind in annotations.items()
                  if not str(kind).startswith(("ClassVar", "typing.ClassVar")))
    for base in cls.__mro__[1:]:
        if hasattr(base, _FIELDS) or hasattr(base, "__dataclass_fields__"):
            raise TypeError(f"{cls.__name__}: a value type does not inherit fields")
    defaults = {}
    for name in names:
        default = cls.__dict__.get(name, _MISSING)
        if default is not _MISSING:
            if isinstance(default, (list, dict, set)):
                raise ValueError(f"{cls.__name__}.{name}: a mutable default would be shared")
            defaults[name] = default
        elif defaults:
            raise TypeError(f"{cls.__name__}: non-default field {name!r} follows a default")
    setattr(cls, _FIELDS, names)
    setattr(cls, _DEFAULTS, defaults)
    cls.__init__, cls.__repr__ = _initialiser(names), _repr
    cls.__eq__, cls.__hash__ = _comparison(names)
    cls.__setattr__, cls.__delattr__ = _setattr, _delattr
    cls.__match_args__ = names
    return cls


def is_value_type(obj: Any) -> bool:
    """Whether ``obj`` is a value type or an instance of one."""
    return hasattr(obj, _FIELDS)


def field_names(obj: Any) -> tuple[str, ...]:
    """The field names of a value type (or of an instance of one), in order."""
    return getattr(obj, _FIELDS)


def replace(obj: T, **changes: Any) -> T:
    """A copy of the value ``obj`` with the fields in ``changes`` changed."""
    values = {name: getattr(obj, name) for name in field_names(obj)}
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {sorted(unknown)[0]!r}")
    values.update(changes)
    return type(obj)(**values)


# -- the methods ------------------------------------------------------------------------
def _initialiser(names: tuple[str, ...]):
    """The ``__init__`` of a value type of fields ``names``.

    Some are made by the hundred thousand (the formula text of every cell of an
    exported workbook): the fields go into the instance's ``__dict__`` in one
    update, past the frozen ``__setattr__``, when every one is given in order.
    """
    count = len(names)

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: N807 - the method
        if kwargs or len(args) != count:
            args = _arguments(type(self), args, kwargs)
        self.__dict__.update(zip(names, args))

    return __init__


def _arguments(cls: type, args: tuple, kwargs: dict) -> tuple:
    """Every field's value, in order, from a call by keyword or with defaults left out."""
    names, defaults = getattr(cls, _FIELDS), getattr(cls, _DEFAULTS)
    if len(args) > len(names):
        raise TypeError(f"{cls.__name__}() takes {len(names)} positional arguments "
                        f"but {len(args)} were given")
    values = list(args)
    for name in names[len(args):]:
        value = kwargs.pop(name, _MISSING)
        if value is _MISSING:
            value = defaults.get(name, _MISSING)
            if value is _MISSING:
                raise TypeError(f"{cls.__name__}() missing required argument: {name!r}")
        values.append(value)
    if kwargs:
        name = next(iter(kwargs))
        problem = "multiple values for argument" if name in names else \
            "an unexpected keyword argument"
        raise TypeError(f"{cls.__name__}() got {problem} {name!r}")
    return tuple(values)


@reprlib.recursive_repr()
def _repr(self) -> str:
    fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in getattr(self, _FIELDS))
    return f"{type(self).__qualname__}({fields})"


def _comparison(names: tuple[str, ...]):
    """``__eq__`` and ``__hash__`` over the fields ``names``, read as one tuple.

    Tuples, as a dataclass compares: an element is equal to itself (a NaN, an
    array). The tuple is read by one ``attrgetter`` (catalogue entries are
    dictionary keys looked up for every cell).
    """
    if len(names) == 1:
        field = attrgetter(names[0])
        fields = lambda value: (field(value),)  # noqa: E731 - a one-tuple, as for more
    elif names:
        fields = attrgetter(*names)
    else:
        fields = lambda value: ()  # noqa: E731

    def __eq__(self, other: object) -> bool:  # noqa: N807 - the method
        if other.__class__ is not self.__class__:
            return NotImplemented
        return fields(self) == fields(other)

    def __hash__(self) -> int:  # noqa: N807
        return hash(fields(self))

    return __eq__, __hash__


def _setattr(self, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


for _method, _name in ((_repr, "__repr__"), (_setattr, "__setattr__"),
                       (_delattr, "__delattr__")):
    _method.__name__ = _method.__qualname__ = _name
del _method, _name
