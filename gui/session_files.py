"""What the window writes to files from the session: Save, recovery, exports.

``SessionFiles`` is made and owned by the controller (``controller.files``).
It reads the session and the presentation shown through callables the
controller gives it, so the controller stays the one owner of the session.
The writers' engine modules (the workbook, the script, the session file)
are imported when a file is first written, never at start-up.

Two saves: *with progress* (``session_snapshot``: the lesson with its
``session`` key, reopened at the same epoch, step, selection, losses and
exercise scores)
and *as a new starting point* (``saved_lesson``: the trained weights become
the lesson's starting weights). Neither writes into the built-in lessons
folder (``in_builtin_folder``).
"""
from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from engine.lesson import LESSON_SUFFIX, builtin_lessons_dir
from engine.session import Session

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from engine.exercise import ExerciseRecord

__all__ = ["SessionFiles", "BUILTIN_REFUSAL", "in_builtin_folder", "proposed_file_name"]

BUILTIN_REFUSAL = "the built-in lessons folder is read-only to Save; choose another folder"
# Characters no file system (Windows' the strictest) takes in a name, and control characters.
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_NAME_CHARS = 80  # a proposed name short enough to read in a file dialog


def in_builtin_folder(path: str | os.PathLike) -> bool:
    """Whether ``path`` (followed through links) is in the shipped lessons' folder."""
    folder = Path(os.path.realpath(builtin_lessons_dir()))
    return Path(os.path.realpath(path)).is_relative_to(folder)


def proposed_file_name(title: str) -> str:
    """A lesson file name from its title.

    ``"XOR: one hidden layer"`` → ``"XOR one hidden layer.bptlesson"``: characters
    no file system takes become spaces, at most ``_NAME_CHARS`` are kept.
    """
    stem = " ".join(_NOT_IN_NAMES.sub(" ", title).split())[:_NAME_CHARS].strip(" .")
    return f"{stem or 'lesson'}{LESSON_SUFFIX}"


class SessionFiles:
    """The lesson file, the recovery snapshot and the export writers of the session shown.

    Parameters
    ----------
    session_of : callable () -> engine.session.Session
        The session the window shows now (replaced on a new lesson, so asked
        for each time, never kept).
    presentation_of : callable () -> str
        ``"gradient"`` or ``"error"``: the presentation shown now, which the
        files keep.
    exercise_of : callable () -> engine.exercise.ExerciseRecord, optional
        The learner's exercise scores now, which the session files keep
        (``session.exercise``); none when not given.
    """

    def __init__(self, session_of: Callable[[], Session], presentation_of: Callable[[], str],
                 exercise_of: Callable[[], ExerciseRecord | None] = lambda: None):
        self._session_of = session_of
        self._presentation_of = presentation_of
        self._exercise_of = exercise_of

    def saved_lesson(self, destination: str | os.PathLike, title: str | None = None,
                     notes: str | None = None, step_notes: dict[str, str] | None = None) -> dict:
        """The lesson file for Save as a new starting point: the current weights as its
        initial values, no ``session`` key.

        ``destination`` is the file it is for (a CSV data path is written
        relative to it); the presentation shown is kept. ``title``, ``notes``
        and ``step_notes``, when given, replace the lesson's (checked by
        ``engine.lesson.check_lesson_text``): the old ones described the old
        starting point.
        """
        session = self._session_of()
        doc = session.lesson.to_json(destination=destination)
        if title is not None:
            doc["title"] = title
        for key, text in (("notes", notes), ("step_notes", step_notes)):
            if text is not None:
                doc.pop(key, None)
                if text:  # empty is left out, as Lesson.to_json leaves it out
                    doc[key] = text
        # a diverged run keeps its last sound weights (issue 21): see ``save_note``
        depth, params = session.architecture.depth, session.sound_state(session.state).params
        doc["network"]["weights"] = [params.weight(l).tolist() for l in range(1, depth + 1)]
        doc["network"]["biases"] = ([params.bias(l).tolist() for l in range(1, depth + 1)]
                                    if session.architecture.bias else None)
        doc["presentation"] = self._presentation_of()
        return doc

    def save_note(self) -> str | None:
        """What Save keeps of a diverged session (its last sound weights); None otherwise."""
        from engine.session_file import diverged_save_note
        return diverged_save_note(self._session_of())

    def session_capture(self, destination: str | os.PathLike) -> Callable[[], dict]:
        """``session_snapshot`` in two halves: copied now, built by the returned function
        on any thread (the recovery copy while running; its loss history an array)."""
        from engine.session_file import capture_session
        build = capture_session(self._session_of(), destination, exercise=self._exercise_of())
        presentation = self._presentation_of()
        return lambda: dict(build(losses_as_array=True), presentation=presentation)

    def session_snapshot(self, destination: str | os.PathLike,
                         selection: tuple[str, int, int] | None = None) -> dict:
        """The lesson file with the ``session`` key that reopens exactly this position
        (Save with progress, which passes the ``selection`` to keep; the recovery copy)."""
        from engine.session_file import session_document
        doc = session_document(self._session_of(), destination, selection, self._exercise_of())
        doc["presentation"] = self._presentation_of()
        return doc

    def workbook_writer(self, iterations: int) -> Callable[[str], object]:
        """Record the iteration shown and the ``iterations − 1`` after it, now.

        Returns ``write(path)``, which writes their workbook in the window's
        presentation from those records alone, so it may run on another
        thread while the session moves on.
        """
        from engine.export_xlsx import write_records
        from engine.iteration import record_iteration
        session = self._session_of()
        start = session.record.start if session.record is not None else session.state
        records = [record_iteration(session.trainer, start)]
        while len(records) < iterations:
            records.append(record_iteration(session.trainer, records[-1].end))
        presentation, title = self._presentation_of(), session.lesson.title
        return lambda path: write_records(records, path, presentation, title)

    def script_writer(self) -> Callable[[str], object]:
        """``write(path)`` for the standalone NumPy script of the lesson as it is now."""
        from engine.export_script import write_script
        # A shallow copy: an edit in the window replaces the lesson's arrays
        # rather than changing them, so the copy stays as it is now.
        lesson = copy.copy(self._session_of().lesson)
        return lambda path: write_script(lesson, path)

    def notebook_writer(self) -> Callable[[str], object]:
        """``write(path)`` for the Jupyter notebook of the lesson as it is now."""
        from engine.export_notebook import write_notebook
        lesson = copy.copy(self._session_of().lesson)  # as for the script
        return lambda path: write_notebook(lesson, path)
