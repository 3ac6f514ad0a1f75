"""Reading and writing files safely.

Writing: a crash never leaves half of a file, and a symbolic link is written
through to its target. Reading: only a regular file is opened, and never
more than a stated number of bytes is read, so a named pipe (FIFO), a device
such as ``/dev/zero`` or a file growing while it is read cannot hang the
program or exhaust its memory.
"""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any, Iterable

__all__ = ["atomic_write_bytes", "atomic_write_chunks", "atomic_write_text", "write_json",
           "written_path", "NotARegularFile", "TooLarge", "special_kind", "read_regular_file"]


def written_path(path: str | os.PathLike) -> Path:
    """The file a write to ``path`` should replace: the target of a symbolic link.

    Renaming a new file over a link would replace the link itself and leave
    the file it points to stale; the link's target is what the user means.
    """
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def atomic_write_bytes(data: bytes, path: str | os.PathLike) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync, then rename over it.

    If anything fails midway the old file (if any) is left as it was and the
    temporary file is removed. A symbolic link is written through to its target.
    """
    atomic_write_chunks((data,), path)


def atomic_write_chunks(chunks: Iterable[bytes], path: str | os.PathLike) -> None:
    """``atomic_write_bytes`` of data made piece by piece while it is written.

    A long document (the recovery copy of a long run) need never be held,
    or joined, as one string: each piece is written as it comes.
    """
    path = written_path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
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


class NotARegularFile(Exception):
    """The path is a folder, a named pipe, a device or a socket; ``kind`` says which."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class TooLarge(Exception):
    """The file holds more than the ``limit`` bytes allowed.

    ``size`` is its size when the file states one, None when reading found
    more bytes than it stated.
    """

    def __init__(self, size: int | None, limit: int):
        super().__init__(size, limit)
        self.size, self.limit = size, limit

    def __str__(self) -> str:
        """``the file is 2048 MB`` or ``the file holds more than 64 MB``."""
        if self.size is None:
            return f"the file holds more than {self.limit // 2**20} MB"
        return f"the file is {self.size / 2**20:.0f} MB"


def special_kind(mode: int) -> str | None:
    """What a file of ``os.stat`` mode ``mode`` is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def read_regular_file(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of the regular file ``path``, refusing it beyond ``limit`` bytes.

    Parameters
    ----------
    path : str or PathLike
        The file; a symbolic link is followed.
    limit : int
        The most bytes accepted (``limits.MAX_FILE_BYTES`` for lessons and CSVs).

    Returns
    -------
    bytes
        The whole file, at most ``limit`` bytes.

    The file's kind and size are checked before it is opened (a named pipe
    would block ``open`` until a writer came), again on the opened file (it
    may have been swapped since), and at most ``limit + 1`` bytes are read
    (a file may say it is small and still grow, as ``/proc`` files do).

    Raises
    ------
    NotARegularFile
        For a folder, a named pipe, a device or a socket.
    TooLarge
        When the file holds more than ``limit`` bytes.
    OSError
        When it cannot be found or read.
    """
    before = os.stat(path)
    kind = special_kind(before.st_mode)
    if kind is not None:
        raise NotARegularFile(kind)
    if before.st_size > limit:
        raise TooLarge(before.st_size, limit)
    # O_NONBLOCK: if a pipe replaced the file since the check, open returns at once.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    with open(descriptor, "rb", closefd=True) as handle:
        kind = special_kind(os.fstat(descriptor).st_mode)
        if kind is not None:
            raise NotARegularFile(kind)
        # Read what the file states first: a buffer of limit + 1 bytes would cost
        # 64 MB for every small lesson. Only a file that holds more reads on.
        data = handle.read(before.st_size + 1)
        if len(data) > before.st_size:
            data += handle.read(limit + 1 - len(data))
    if len(data) > limit:
        raise TooLarge(None, limit)
    return data
