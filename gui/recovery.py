"""Never lose work: a recovery file, a crash log, and a question before closing.

``RecoveryKeeper`` watches one window's session. While what would be saved
differs from what was last opened or saved ("unsaved changes"), it writes
the session (a lesson file with its ``session`` key, so it reopens exactly)
to ``recovery.json`` in the user's data directory every ``AUTOSAVE_MS``. A
clean close removes the file; after a crash it is still there, and the
next start offers to restore it (``offer_recovery``). A declined recovery
is kept as ``recovery-declined.json``, never deleted.

``install_exception_hook`` turns any unexpected exception into a message
with a "Copy details" button, appends the details to ``crash.log`` beside
the recovery file and saves the recovery file at once; the event loop
carries on.
"""
from __future__ import annotations

import datetime
import json
import sys
import traceback
import weakref
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from engine.errors import LessonError
from engine.files import atomic_write_text
from engine.lesson import load_lesson
from engine.session_file import session_document

__all__ = ["RecoveryKeeper", "data_folder", "install_exception_hook", "offer_recovery",
           "ask_before_closing",
           "AUTOSAVE_MS", "RECOVERY_FILE", "DECLINED_FILE", "CRASH_LOG"]

AUTOSAVE_MS = 30_000
RECOVERY_FILE = "recovery.json"
DECLINED_FILE = "recovery-declined.json"
CRASH_LOG = "crash.log"
MAX_LOG_BYTES = 1024 * 1024   # the log is cut back to its newest half past this

_current: "weakref.ref[RecoveryKeeper] | None" = None
last_error_box: QMessageBox | None = None


def data_folder(settings: QSettings) -> Path:
    """Where the recovery file and the crash log go.

    The user's data directory (``QStandardPaths.AppDataLocation``) for the
    application's own settings; beside the settings file when the window was
    given an explicit ini file (tests, a portable copy), so those never
    touch the user's data.
    """
    if settings.format() == QSettings.Format.IniFormat:
        return Path(settings.fileName()).parent
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location or Path.home() / ".backprop-tracer")


def _document_text(controller, destination: Path) -> str:
    document = session_document(controller.session, destination)
    document["presentation"] = controller.presentation
    return json.dumps(document, allow_nan=False, ensure_ascii=False)


class RecoveryKeeper(QObject):
    """Keeps a recovery copy of a window's session while it has unsaved changes.

    Parameters
    ----------
    controller : SessionController
        Whose session is kept.
    folder : Path
        The data folder (see ``data_folder``).
    interval_ms : int
        How often to check and write.
    """

    def __init__(self, controller, folder: Path, interval_ms: int = AUTOSAVE_MS):
        super().__init__(controller)
        global _current
        self.controller = controller
        self.folder = Path(folder)
        self._saved_text = ""
        self._written_text = ""
        self.writes = 0
        # Not mark_saved(): a recovery file left by a crash must survive until offered.
        self._saved_text = self._text() or ""
        # Encoding a long loss history costs most of a second, so the timer only
        # encodes after something the document holds may have changed.
        self._changed = True
        for signal in (controller.positionChanged, controller.lessonChanged, controller.edited,
                       controller.presentationChanged, controller.historyChanged):
            signal.connect(self._mark_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.autosave)
        self.timer.start()
        _current = weakref.ref(self)

    @property
    def path(self) -> Path:
        return self.folder / RECOVERY_FILE

    def _mark_changed(self, *_args) -> None:
        self._changed = True

    def _text(self) -> str | None:
        try:
            return _document_text(self.controller, self.path)
        except (ValueError, TypeError):  # a state that cannot be written (never expected)
            return None

    def mark_saved(self) -> None:
        """What is open now is on disk (just opened or saved): nothing to recover."""
        self._saved_text = self._text() or ""
        self.discard()

    @property
    def unsaved(self) -> bool:
        """Whether saving now would write something other than the last file."""
        return self._text() != self._saved_text

    def autosave(self) -> bool:
        """Write the recovery file if there are unsaved changes; True when written.

        Not while a run trains: encoding a long loss history takes most of a
        second on the GUI thread (0.75 s at 300 000 epochs), and a run is
        replayable from the last copy (seeded); the first tick after the pause writes.
        """
        if self.controller.running or not self._changed:
            return False
        self._changed = False
        text = self._text()
        if text is None or text == self._saved_text:
            self.discard()
            return False
        if text == self._written_text and self.path.exists():
            return False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write_text(text + "\n", self.path)
        except OSError as exc:
            self._changed = True  # try again at the next tick
            self.controller.error.emit(f"cannot write the recovery file {self.path}: "
                                       f"{exc.strerror or exc}")
            return False
        self._written_text = text
        self.writes += 1
        return True

    def discard(self) -> None:
        """No recovery is needed (a clean close, or nothing unsaved)."""
        self._written_text = ""
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only data folder: the next start simply offers it again


def offer_recovery(window, folder: Path) -> bool:
    """After a crash, offer to restore the session in ``folder``; True when restored.

    Asks with ``window.confirm``. A declined or unreadable recovery file is
    kept as ``recovery-declined.json``.
    """
    path = Path(folder) / RECOVERY_FILE
    if not path.is_file():
        return False
    try:
        lesson = load_lesson(path)
    except LessonError as exc:
        _set_aside(path)
        window.show_message("Cannot restore the last session",
                            f"{exc}\n\nIt is kept as {path.with_name(DECLINED_FILE)}.")
        return False
    if not window.confirm(f"Backprop Tracer did not close normally last time. Restore the "
                          f"session “{lesson.title}” it was working on?"):
        _set_aside(path)
        return False
    lesson.path = None
    window.controller.open_lesson(lesson)
    window.recovery._saved_text = ""  # restored work is not saved anywhere yet
    window.recovery.autosave()
    return True


def ask_before_closing(window) -> QMessageBox:
    """Ask (without blocking) whether to save unsaved changes before the window closes.

    Save opens the save dialog and closes once saved; Discard closes;
    Cancel keeps the window. The box is returned (and kept on the window)
    so that tests can answer it.
    """
    box = QMessageBox(QMessageBox.Icon.Question, "Backprop Tracer",
                      "The session has unsaved changes (training, edits or settings). "
                      "Save it before closing?",
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, window)
    box.setDefaultButton(QMessageBox.StandardButton.Save)

    def answered(button: int) -> None:
        if button == QMessageBox.StandardButton.Discard or (
                button == QMessageBox.StandardButton.Save and window.save_dialog()):
            window.recovery.mark_saved()
            window.close()

    box.finished.connect(answered)
    box.open()
    window.close_question = box
    return box


def _set_aside(path: Path) -> None:
    try:
        path.replace(path.with_name(DECLINED_FILE))
    except OSError:
        pass


def _log(folder: Path, detail: str) -> Path | None:
    """Append ``detail`` to the crash log; the log's path, or None when it cannot be written."""
    log = folder / CRASH_LOG
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if log.exists() and log.stat().st_size > MAX_LOG_BYTES:
            kept = log.read_bytes()[-MAX_LOG_BYTES // 2:]
            log.write_bytes(kept)
        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"--- {stamp}\n{detail}\n")
        return log
    except OSError:
        return None


def install_exception_hook(app: QApplication, folder: Path | None = None) -> None:
    """Unexpected errors: a message with "Copy details", a log entry, a recovery file.

    ``folder`` is where the log goes when no window keeps a recovery file
    (default: the user's data directory).
    """
    def hook(kind, value, tb) -> None:
        detail = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write(detail)
        keeper = _current() if _current is not None else None
        target = keeper.folder if keeper is not None else (
            folder or data_folder(QSettings()))
        saved = False
        if keeper is not None:
            try:
                saved = keeper.autosave() or keeper.path.exists()
            except Exception:  # noqa: BLE001 - the report must be shown whatever else broke
                saved = False
        log = _log(target, detail)
        text = f"Something went wrong: {value}\n\nThe window stays open."
        if saved:
            text += f" Your session was saved to {keeper.path}."
        if log is not None:
            text += f" The details are in {log}."
        box = QMessageBox(QMessageBox.Icon.Critical, "Backprop Tracer", text,
                          QMessageBox.StandardButton.Ok, app.activeWindow())
        box.setDetailedText(detail)
        copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
        copy.clicked.disconnect()  # keep the box open after copying
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(detail))
        box.open()
        global last_error_box
        last_error_box = box  # keep it alive until closed (and let tests answer it)
    sys.excepthook = hook
