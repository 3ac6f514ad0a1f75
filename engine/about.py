"""What Help ▸ About and ``main.py --version`` say: the version and the licences.

The version is written once, in ``pyproject.toml``. From source that file
sits beside ``engine/``; the bundles carry a copy at the same place relative
to ``resources/`` (``backprop_tracer.spec``); an installed wheel has neither
and reads its own package metadata instead.
"""
from __future__ import annotations

import re
from importlib import metadata

from .resources import resources_root

__all__ = ["DISTRIBUTION", "app_version", "LICENCES"]

DISTRIBUTION = "backprop-tracer"

# (component, licence, where its text is): what the bundles ship besides the app's own code.
LICENCES = (
    ("Backprop Tracer", "MIT licence", "pyproject.toml"),
    ("Qt 6 and PySide6", "GNU LGPL v3 (Qt's libraries are shipped as separate shared "
                         "libraries, which may be replaced)", "https://www.qt.io/licensing"),
    ("pyqtgraph", "MIT licence", "https://github.com/pyqtgraph/pyqtgraph"),
    ("NumPy", "BSD 3-clause licence (its bundled OpenBLAS: BSD 3-clause)", "https://numpy.org"),
    ("XlsxWriter", "BSD 2-clause licence", "https://github.com/jmcnamara/XlsxWriter"),
    ("The handwritten digits data (E. Alpaydin, C. Kaynak; UCI)",
     "Creative Commons Attribution 4.0 (CC BY 4.0)", "resources/digits/LICENSE.txt"),
)

# ``version = "0.1.0"`` inside the [project] table (tomllib is Python 3.11+; the app runs on 3.10).
_PROJECT_TABLE = re.compile(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", re.MULTILINE | re.DOTALL)
_VERSION = re.compile(r'^version\s*=\s*"([^"]+)"\s*$', re.MULTILINE)


def app_version() -> str:
    """The version, e.g. ``0.1.0``: ``pyproject.toml``'s, else the installed package's.

    Returns ``"unknown"`` when neither can be read (a copy of the sources
    without ``pyproject.toml``, never installed).
    """
    try:
        text = (resources_root().parent / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        text = ""
    table = _PROJECT_TABLE.search(text)
    found = _VERSION.search(table.group(1)) if table else None
    if found:
        return found.group(1)
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"
