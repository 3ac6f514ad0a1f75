"""Writing files so that a crash never leaves half of one."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["atomic_write_bytes", "atomic_write_text", "write_json"]


def atomic_write_bytes(data: bytes, path: str | os.PathLike) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync, then rename over it.

    If anything fails midway the old file (if any) is left as it was and the
    temporary file is removed.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_write_text(text: str, path: str | os.PathLike) -> None:
    """``atomic_write_bytes`` of ``text`` as UTF-8, line ends written as given."""
    atomic_write_bytes(text.encode("utf-8"), path)


def write_json(document: Any, path: str | os.PathLike, indent: int | None = 2) -> None:
    """Write strict JSON (no NaN or Infinity) atomically."""
    text = json.dumps(document, indent=indent, allow_nan=False, ensure_ascii=False)
    atomic_write_text(text + "\n", path)
