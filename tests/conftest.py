"""Shared test set-up: Qt without a display, and the project on sys.path."""
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The window is tested as the app runs it: Qt's settings from the environment first.
from gui.app import configure_qt  # noqa: E402

configure_qt()
