"""The one exception the engine raises for bad input."""


class LessonError(ValueError):
    """A lesson, data file or setting that cannot be used.

    The message is one line that says what is wrong and where (file, key,
    row) and what would be accepted; the command line prints it as is and
    the window shows it beside the field.
    """
