"""A guard against a reference-counting bug in PySide6 on Python 3.11.

PySide6 6.12 releases one reference more than it takes to ``None`` each
time a Qt method that returns nothing (``update``, ``repaint``,
``QTimer.stop`` ...) is called from Python, and to ``True`` each time a
signal is emitted. From Python 3.12 on these singletons are immortal and
this is harmless; on 3.10 and 3.11 their counts fall by thousands a minute
in a running window until the interpreter aborts with "Fatal Python
error: none_dealloc" (or "bool_dealloc"). Measured here: 200 calls of
``QWidget.update`` lower ``sys.getrefcount(None)`` by exactly 200, and 200
``emit`` calls lower ``sys.getrefcount(True)`` by 200.

The guard does what Python 3.12 does: it makes the singletons' counts so
large that they can never reach zero. They are static objects that are
never freed, so no memory is kept alive by this.
"""
from __future__ import annotations

import ctypes
import sys

__all__ = ["guard_none_refcount", "IMMORTAL_COUNT"]

IMMORTAL_COUNT = 1 << 60   # at a million decrements a second: 36 000 years


def guard_none_refcount() -> bool:
    """Raise the counts of None, True and False out of reach; True if it was needed."""
    if sys.version_info >= (3, 12):
        return False  # the singletons are immortal already
    needed = False
    for singleton in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt, the first field
        if count.value < IMMORTAL_COUNT // 2:
            count.value = IMMORTAL_COUNT
            needed = True
    return needed
