"""A new lesson on other data, with the network the teacher confirmed.

The CSV import and the built-in data set dialogs both end here: the data
object (DESIGN.md section 4, ``{"csv": ...}`` or ``{"dataset": ...}``) and
the network the dialog showed — proposed from the data by
``engine.network_proposal`` and edited there, never copied from the lesson
open before — make a lesson document that the engine validates
(``parse_lesson``), so a setting that does not fit the data (softmax with
targets that are not one-hot, say) is refused with its own one-line
message and nothing already open changes. Only the form the window shows
(the presentation) carries over.

No Qt here: the dialogs call it from a worker thread.
"""
from __future__ import annotations

from engine.datasets import DataSet
from engine.lesson import LESSON_FORMAT, LESSON_VERSION, Lesson, parse_lesson
from engine.network_proposal import NetworkChoice

__all__ = ["lesson_with_data"]


def lesson_with_data(choice: NetworkChoice, spec: dict, data: DataSet, title: str, notes: str,
                     presentation: str = "gradient", source: str = "import") -> Lesson:
    """A lesson with the network ``choice`` on the data ``spec`` gives.

    Parameters
    ----------
    choice : NetworkChoice
        The network and training settings the dialog shows; its ends are
        the data's inputs and outputs.
    spec : dict
        The new ``data`` object of the lesson file (a CSV path should be
        absolute: the new lesson has no folder of its own yet).
    data : DataSet
        What ``spec`` gives, as the dialog has just built it: X (m, n0)
        and y (m, nL); the file is not read a second time.
    title, notes : str
        What the window shows for the new lesson.
    presentation : {'gradient', 'error'}
        The form the window shows now.
    source : str
        How error messages name the new lesson.

    Raises
    ------
    LessonError
        From ``parse_lesson``: the data or a setting does not fit.
    """
    network, training = choice.documents()
    doc = {"format": LESSON_FORMAT, "version": LESSON_VERSION, "title": title, "notes": notes,
           "presentation": presentation, "data": spec, "network": network,
           "training": training}
    return parse_lesson(doc, source, base=None, data=data)
