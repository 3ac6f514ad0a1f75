"""Where the files in ``resources/`` are, from source and inside a bundle.

From source the folder sits beside ``engine/``. In a PyInstaller bundle it
was copied under ``sys._MEIPASS`` (the one-folder app's ``_internal``
folder; ``Contents/Frameworks`` of a macOS ``.app``, which links to
``Contents/Resources``). Every module finds its files through
``resource_path``, and ``backprop_tracer.spec`` bundles what
``bundled_resources`` lists, so the two cannot disagree.
"""
from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["resources_root", "resource_path", "bundled_resources", "APP_ICON", "BUILD_ONLY_SUFFIXES"]

APP_ICON = ("icons", "backprop_tracer.png")
# Icons the operating system reads from the executable or the .app, not the app itself.
BUILD_ONLY_SUFFIXES = (".ico", ".icns")


def resources_root() -> Path:
    """The ``resources`` folder: in the bundle when frozen, else beside the code."""
    bundle = getattr(sys, "_MEIPASS", None)
    base = Path(bundle) if bundle else Path(__file__).resolve().parent.parent
    return base / "resources"


def resource_path(*parts: str) -> Path:
    """Path of ``resources/<parts>``: beside the code, or in PyInstaller's folder."""
    return resources_root().joinpath(*parts)


def bundled_resources() -> list[Path]:
    """Every file of ``resources/`` the app reads at run time (lessons, data sets, icon)."""
    root = resources_root()
    return sorted(path for path in root.rglob("*")
                  if path.is_file() and path.suffix not in BUILD_ONLY_SUFFIXES
                  and "__pycache__" not in path.parts)
