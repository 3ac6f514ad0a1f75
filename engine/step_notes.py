"""Step notes that name matrices as the presentation being shown names them.

A teacher's note for a step may name a matrix by its engine name in braces,
``{delta2}``; the note is shown with each placeholder replaced by the name
the matrix's card carries in the current presentation (``delta2`` in the
gradient form, ``d_output`` in the error form of a 4-3-1 network), so a
note never contradicts the tables beside it. ``{{`` and ``}}`` write a brace
itself. Which names are allowed is the lesson's business (``engine.lesson``
checks them when the lesson loads); this module only reads and renders.
"""
from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["render_note", "note_placeholders"]

# In order of preference: an escaped brace, a placeholder, then a brace that
# opens or closes nothing (only ``note_placeholders`` refuses those).
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def note_placeholders(text: str) -> list[str]:
    """The engine names a note's placeholders refer to, in the order written.

    Parameters
    ----------
    text : str
        The note as written in the lesson file.

    Returns
    -------
    list of str
        One entry per ``{name}``, repeats kept (``{{`` and ``}}`` are not
        placeholders).

    Raises
    ------
    ValueError
        For a brace that opens or closes no placeholder; the message says
        which character (counted from 1) and how to write a brace itself.
    """
    names = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        if len(token) == 1:
            raise ValueError(f"the {token!r} at character {match.start() + 1} opens or closes "
                             "no placeholder; name a matrix as {delta2}, or write {{ or }} "
                             "for a brace itself")
        names.append(match.group(1))
    return names


def render_note(text: str, name_of: Callable[[str], str]) -> str:
    """The note with every ``{name}`` replaced by ``name_of(name)``.

    Parameters
    ----------
    text : str
        A note whose placeholders were checked when its lesson loaded.
    name_of : callable
        Engine name -> the name the matrix's card shows in the presentation
        being shown (e.g. ``SessionController.learner``).

    Returns
    -------
    str
        The note to show; ``{{`` and ``}}`` become single braces.
    """
    def replace(match: re.Match) -> str:
        token = match.group(0)
        if match.group(1) is not None:
            return name_of(match.group(1))
        return token[0]  # an escaped pair, or a lone brace a checked note cannot hold

    return _TOKEN.sub(replace, text)
