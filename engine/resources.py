"""Where the files in ``resources/`` are, from source and inside a bundle."""
from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["resource_path"]


def resource_path(*parts: str) -> Path:
    """Path of ``resources/<parts>``: beside the code, or in PyInstaller's folder."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base.joinpath("resources", *parts)
