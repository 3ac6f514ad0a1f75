"""Backprop Tracer's window: PySide6 widgets around the engine's Session.

Importing the package first guards against PySide6's reference-count bug
on ``None`` (see ``qt_compat``); every Qt call below depends on it.
"""
from .qt_compat import guard_none_refcount

guard_none_refcount()
