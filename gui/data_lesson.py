"""A new lesson on other data that keeps the open lesson's network settings.

The CSV import and the built-in data set dialogs both end here: the data
object (DESIGN.md section 4, ``{"csv": ...}`` or ``{"dataset": ...}``)
replaces the open lesson's data, the first and last layer sizes follow the
data (inputs and outputs), and everything else — hidden layers,
activations, loss, learning rate, batch size, seed, presentation — stays as
the learner set it. Explicit initial weights stay only while they still
fit. The engine validates the result (``parse_lesson``), so a setting that
no longer fits (softmax with targets that are not one-hot, say) is refused
with its own one-line message and nothing already open changes.

No Qt here: the dialogs call it from a worker thread.
"""
from __future__ import annotations

from engine.datasets import DataSet
from engine.lesson import Lesson, parse_lesson

__all__ = ["lesson_with_data"]


def lesson_with_data(current: Lesson, spec: dict, data: DataSet, title: str, notes: str,
                     presentation: str | None = None, source: str = "import") -> Lesson:
    """The open lesson's settings on new data.

    Parameters
    ----------
    current : Lesson
        The lesson now open; its network and training settings carry over.
    spec : dict
        The new ``data`` object of the lesson file (a CSV path should be
        absolute: the new lesson has no folder of its own yet).
    data : DataSet
        What ``spec`` gives, as the dialog has just built it: X (m, n0)
        and y (m, nL) set the first and last layer sizes, and the file is
        not read a second time.
    title, notes : str
        What the window shows for the new lesson.
    presentation : {'gradient', 'error'} or None
        The form the window shows now (None: the lesson's own).
    source : str
        How error messages name the new lesson.

    Raises
    ------
    LessonError
        From ``parse_lesson``: the data or a kept setting does not fit.
    """
    doc = current.to_json()
    network = doc["network"]
    layers = [data.X.shape[1]] + list(network["layers"][1:-1]) + [data.y.shape[1]]
    if layers != list(network["layers"]):
        network["weights"] = network["biases"] = None     # they no longer fit
    network["layers"] = layers
    doc["data"] = spec
    doc["title"] = title
    doc["notes"] = notes
    doc.pop("source", None)
    doc.pop("step_notes", None)     # the teacher's narration was written for other data
    if presentation is not None:
        doc["presentation"] = presentation
    return parse_lesson(doc, source, base=None, data=data)
