"""Never lose work: a recovery file, a crash log, and a question before closing.

``RecoveryKeeper`` watches one window's session. While what would be saved
differs from what was last opened or saved ("unsaved changes"), it writes
the session (a lesson file with its ``session`` key, so it reopens exactly)
to ``recovery.json`` in the user's data directory every ``AUTOSAVE_MS``
(``BACKPROP_TRACER_AUTOSAVE_MS`` in the environment sets another interval).
While Run trains, the copy is kept too: the GUI thread only copies the
session's arrays (``SessionController.session_capture``, a few ms) and a
thread of the pool builds, encodes and writes the file, so training and
repaints carry on. A clean close removes the file; after a crash it is
still there, and the next start offers to restore it (``offer_recovery``). A declined recovery
is kept as ``recovery-declined.json`` (then ``recovery-declined-2.json``
…), never deleted.

Several windows open at once each keep their own file: a window claims the
first free slot — ``recovery.json``, ``recovery-2.json`` … — by holding its
lock file (``QLockFile``, released when the window closes or its process
ends), and a start offers only files whose slot no running window holds.

``install_exception_hook`` turns any unexpected exception into a message
with a "Copy details" button, appends the details to ``crash.log`` beside
the recovery file and saves the recovery file at once; the event loop
carries on.
"""
from __future__ import annotations

import datetime
import itertools
import json
import math
import os
import sys
import threading
import time
import traceback
import weakref
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from PySide6.QtCore import (QLockFile, QObject, QSettings, QStandardPaths, QThreadPool, QTimer,
                            Signal)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from engine.errors import LessonError
from engine.files import atomic_write_chunks, atomic_write_text
from engine.lesson import load_lesson

__all__ = ["RecoveryKeeper", "data_folder", "install_exception_hook", "offer_recovery",
           "ask_before_closing", "recovery_file",
           "autosave_interval", "document_pieces", "document_text",
           "AUTOSAVE_ENV", "AUTOSAVE_MS", "RECOVERY_FILE", "DECLINED_FILE", "CRASH_LOG",
           "MAX_SLOTS"]

AUTOSAVE_MS = 30_000
AUTOSAVE_ENV = "BACKPROP_TRACER_AUTOSAVE_MS"  # set: another interval in ms (tests, a slow disk)
LIST_CHUNK = 1_000    # losses encoded at a time (about 1 ms): a worker never holds the GIL long
WORKER_PAUSE_S = 0.002  # the worker's sleep between chunks: the GUI thread takes the lock then
RECOVERY_FILE = "recovery.json"           # the first window's; more at once: recovery-2.json …
DECLINED_FILE = "recovery-declined.json"  # the first declined; then recovery-declined-2.json …
MAX_SLOTS = 64                            # windows open at once with a recovery file each
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


class _Superseded(Exception):
    """A copy being written on the pool is out of date: the file was discarded or rewritten."""


def autosave_interval() -> int:
    """Milliseconds between recovery copies: ``AUTOSAVE_MS``, or the environment's whole number."""
    text = os.environ.get(AUTOSAVE_ENV, "")
    return int(text) if text.isdigit() and 0 < int(text) <= AUTOSAVE_MS else AUTOSAVE_MS


def document_pieces(document: dict, pause_s: float = 0.0) -> Iterator[str]:
    """The JSON text of a lesson document in pieces, its long loss history a chunk at a time.

    Joined, the pieces are the text of one ``json.dumps`` call (the loss
    history may be a list or an array; inf and NaN are written null). In
    pieces, and with ``pause_s`` of sleep between them on a worker thread,
    because the encoder holds the interpreter lock for the whole of a call:
    a recovery copy encoded beside Run must leave the GUI thread the lock
    most of the time, or every tick of training and every repaint waits.
    """
    session = document.get("session")
    losses = session.get("loss_history") if isinstance(session, dict) else None
    if losses is None or len(losses) <= LIST_CHUNK:
        if isinstance(losses, np.ndarray):
            document = dict(document, session=dict(session, loss_history=_finite_or_null(losses)))
        yield json.dumps(document, allow_nan=False, ensure_ascii=False)
        return
    # A marker no lesson would hold; should a title hold it, the session's comes last.
    marker = "\x00loss_history\x00"
    head = json.dumps(dict(document, session=dict(session, loss_history=marker)),
                      allow_nan=False, ensure_ascii=False)
    before, _, after = head.rpartition(json.dumps(marker))
    yield before + "["
    for start in range(0, len(losses), LIST_CHUNK):
        chunk = losses[start:start + LIST_CHUNK]
        text = json.dumps(_finite_or_null(chunk) if isinstance(chunk, np.ndarray) else chunk,
                          allow_nan=False)[1:-1]
        yield (", " if start else "") + text
        if pause_s:
            time.sleep(pause_s)
    yield "]" + after


def _finite_or_null(values: np.ndarray) -> list:
    """An array of losses as a list, inf and NaN as None (as the run record writes them)."""
    if np.isfinite(values).all():
        return values.tolist()
    return [v if math.isfinite(v) else None for v in values.tolist()]


def document_text(document: dict) -> str:
    """``json.dumps`` of a lesson document (``document_pieces`` joined)."""
    return "".join(document_pieces(document))


def _document_text(controller, destination: Path) -> str:
    return document_text(controller.files.session_snapshot(destination))


def recovery_file(slot: int) -> str:
    """The recovery file's name for a window in ``slot`` (1, 2 …)."""
    return RECOVERY_FILE if slot == 1 else f"recovery-{slot}.json"


def _slot_lock(folder: Path, slot: int) -> QLockFile:
    lock = QLockFile(str(folder / f"recovery-{slot}.lock"))
    # Held as long as the window lives, so never stale by age; a lock left by a
    # process that has ended is recognised by its process id and taken over.
    lock.setStaleLockTime(0)
    return lock


def _claim_slot(folder: Path) -> tuple[int, QLockFile | None]:
    """The first slot no running window holds, and its lock (None: no lock could be made)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return 1, None  # a read-only data folder: writing will report it
    for slot in range(1, MAX_SLOTS + 1):
        lock = _slot_lock(folder, slot)
        if lock.tryLock(0):
            return slot, lock
        if lock.error() != QLockFile.LockError.LockFailedError:
            return slot, None  # locks cannot be made here at all: one file, as before locks
    return MAX_SLOTS + 1, None


class RecoveryKeeper(QObject):
    """Keeps a recovery copy of a window's session while it has unsaved changes.

    Parameters
    ----------
    controller : SessionController
        Whose session is kept.
    folder : Path
        The data folder (see ``data_folder``).
    interval_ms : int, optional
        How often to check and write (default: ``autosave_interval()``).
    """

    # A write on the pool that failed: the message, delivered on the GUI thread.
    writeFailed = Signal(str)

    def __init__(self, controller, folder: Path, interval_ms: int | None = None):
        super().__init__(controller)
        global _current
        self.controller = controller
        self.folder = Path(folder)
        self.slot, self._lock = _claim_slot(self.folder)
        self._saved_text = ""
        self._written_text = ""
        self.writes = 0
        # A copy written on the pool and a discard on the GUI thread take turns;
        # a copy taken before a discard (or a newer copy) is not written after it.
        self._file_lock = threading.Lock()
        self._generation = 0
        self._writing = False
        self.writeFailed.connect(self._write_failed)
        # Not mark_saved(): a recovery file left by a crash must survive until offered.
        self._saved_text = self._text() or ""
        # Encoding a long loss history costs most of a second, so the timer only
        # encodes after something the document holds may have changed.
        self._changed = True
        for signal in (controller.positionChanged, controller.lessonChanged, controller.edited,
                       controller.lessonTextChanged, controller.presentationChanged,
                       controller.historyChanged):
            signal.connect(self._mark_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(autosave_interval() if interval_ms is None else interval_ms)
        self.timer.timeout.connect(self.autosave)
        self.timer.start()
        _current = weakref.ref(self)

    @property
    def path(self) -> Path:
        return self.folder / recovery_file(self.slot)

    def release(self) -> None:
        """Give up this window's slot (it closes; a crash releases it by ending the process)."""
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

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
        self._changed = False  # what is open is what was saved: nothing to copy
        self.discard()

    @property
    def unsaved(self) -> bool:
        """Whether saving now would write something other than the last file."""
        return self._text() != self._saved_text

    def autosave(self) -> bool:
        """Write the recovery file if there are unsaved changes; True when written.

        While a run trains, or when the history is longer than one chunk
        (``LIST_CHUNK``), the session is copied here and written on the thread
        pool (``write_while_running``); True then means a copy was handed to
        the pool.
        """
        if not self._changed:
            return False
        if self.controller.running or self.controller.epochs_done > LIST_CHUNK:
            # Paused after a long run too: encoding its history on the GUI thread froze
            # the window for ≈0.6 s (a million epochs) a few seconds after Pause.
            return self.write_while_running()
        self._changed = False
        text = self._text()
        if text is None or text == self._saved_text:
            self.discard()
            return False
        if text == self._written_text and self.path.exists():
            return False
        self._generation += 1  # first: a copy being written on the pool stops at its next piece
        with self._file_lock:
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

    def write_while_running(self) -> bool:
        """Copy the running session now and write it on the thread pool; True when handed over.

        Encoding a long loss history takes most of a second, too long for the
        GUI thread while Run repaints; copying it takes milliseconds. A copy
        still being written when the next is due is let finish first.
        """
        if self._writing:
            return False
        try:
            build = self.controller.files.session_capture(self.path)
        except (ValueError, TypeError):  # a state that cannot be written (never expected)
            return False
        self._changed = False
        self._writing = True
        self._generation += 1
        generation = self._generation
        QThreadPool.globalInstance().start(lambda: self._write_copy(build, generation))
        return True

    def _write_copy(self, build: Callable[[], dict], generation: int) -> None:
        """On a pool thread: build, encode and write one copy, unless a newer state came first."""
        try:
            document = build()
            with self._file_lock:
                if generation != self._generation:
                    return  # discarded, or written from a newer state, meanwhile
                self.folder.mkdir(parents=True, exist_ok=True)
                # Encoded as it is written: a long run's copy is never one big string.
                atomic_write_chunks(self._encoded(document, generation), self.path)
                self._written_text = ""  # what the file holds now is no paused state's text
                self.writes += 1
        except _Superseded:
            pass  # the old file is left as it was; the newer state writes its own copy
        except (OSError, ValueError, TypeError) as exc:
            message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.writeFailed.emit(f"cannot write the recovery file {self.path}: {message}")
        finally:
            self._writing = False

    def _encoded(self, document: dict, generation: int) -> Iterator[bytes]:
        """The pieces to write; stops (``_Superseded``) as soon as a newer state comes,
        so a discard on the GUI thread waits a chunk, not a whole long copy."""
        for piece in itertools.chain(document_pieces(document, WORKER_PAUSE_S), ["\n"]):
            if generation != self._generation:
                raise _Superseded
            yield piece.encode("utf-8")

    def _write_failed(self, message: str) -> None:
        self._changed = True  # try again at the next tick
        self.controller.error.emit(message)

    def discard(self) -> None:
        """No recovery is needed (a clean close, or nothing unsaved)."""
        self._generation += 1  # first: a copy being written on the pool stops at its next piece
        with self._file_lock:
            self._written_text = ""
            try:
                self.path.unlink(missing_ok=True)
            except OSError:
                pass  # a read-only data folder: the next start simply offers it again


def offer_recovery(window, folder: Path) -> bool:
    """After a crash, offer to restore a session left in ``folder``; True when restored.

    A file left in this window's own slot comes first (this window would
    write over it); else the newest file whose slot no running window holds.
    Others wait for the next start. Asks with ``window.confirm``. A declined
    or unreadable recovery file is kept as ``recovery-declined.json`` (or
    the next free ``recovery-declined-N.json``).
    """
    folder = Path(folder)
    keeper = window.recovery
    own = keeper.folder == folder and keeper.path.is_file()
    locks = []  # the locks of the slots looked at, held until the offer is answered
    left = []   # (modified time, path)
    for slot in range(1, MAX_SLOTS + 1):
        path = folder / recovery_file(slot)
        if own or slot == keeper.slot or not path.is_file():
            continue
        lock = _slot_lock(folder, slot)
        if lock.tryLock(0):
            locks.append(lock)
            left.append((path.stat().st_mtime, path))
    if own:
        path = keeper.path
    elif left:
        path = max(left)[1]
    else:
        return False
    try:
        lesson = load_lesson(path)
    except LessonError as exc:
        kept = _set_aside(path)
        window.show_message("Cannot restore the last session", f"{exc}\n\nIt is kept as {kept}.")
        return False
    if not window.confirm(f"Backprop Tracer did not close normally last time. Restore the "
                          f"session “{lesson.title}” it was working on?"):
        _set_aside(path)
        return False
    lesson.path = None
    window.controller.open_lesson(lesson)
    keeper._saved_text = ""  # restored work is not saved anywhere yet
    keeper.autosave()
    if path != keeper.path and keeper.path.exists():
        path.unlink(missing_ok=True)  # now kept in this window's own file
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


def _set_aside(path: Path) -> Path:
    """Move a recovery file to the first free declined name; where it is now."""
    target = path.with_name(DECLINED_FILE)
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"recovery-declined-{number}.json")
    try:
        path.replace(target)
    except OSError:
        return path
    return target


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
