"""Presenter mode: one large view at a time, for a projector and a clicker.

The window turns into a full-screen page (``MainWindow.set_presenting``)
holding a ``Presenter``: a small strip of views along the top, the view
chosen in the middle, and under it the step's note and the yellow cell's
formula, written large. The views are

1. **Step** — the card of the matrix the last step computed and the cards it
   reads from (the precedents of its yellow cell), built here from the
   controller's matrices and values;
2. and on — the window's own diagram, loss plot and teaching views, borrowed
   from their docks while shown here and given back when another view is
   chosen or presenter mode ends.

Everything shown comes from the controller's signals and narrow methods;
the presenter never reads its session. Keys are taken from the whole window
while presenting (an application event filter), so a clicker's PageDown works
wherever the focus is: PageDown/→/Space step, PageUp/← step back, B blanks
the screen, Home resets, 1–9 and 0 choose a view, P plays, Escape leaves. Any
key or click pauses Play.

Type size: the page's font makes a digit at least ``1 / DIGIT_SCREEN_PART`` of
the page's height at normal zoom (18 px at 720 lines); View ▸ Larger text
multiplies it, as it does every other text.
"""
from __future__ import annotations

import math
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QKeyEvent, QPalette
from PySide6.QtWidgets import (QApplication, QButtonGroup, QDockWidget, QDoubleSpinBox,
                               QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QStackedWidget,
                               QToolButton, QVBoxLayout, QWidget)

from .flow_layout import FlowLayout
from .session_controller import MatrixInfo, Selection, SessionController
from .tables import MatrixCard
from .theme import LIGHT, Theme
from .views.lazy_dock import ViewDock

__all__ = ["Presenter", "DIGIT_SCREEN_PART", "PLAY_SECONDS", "STEP_VIEW"]

DIGIT_SCREEN_PART = 40      # a digit is at least 1/40 of the page's height
PLAY_SECONDS = 2.0          # Play's default pace: one matrix every 2 s
STRIP_SCALE = 0.55          # the view strip's text against the page's
NOTE_SCALE = 0.8            # the step note's (long prose), against the page's
FORMULA_SCALE = 1.15        # the yellow cell's formula, the line the class reads
STEP_VIEW = "Step"
STEP_KEYS = (Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Space, Qt.Key.Key_Down)
BACK_KEYS = (Qt.Key.Key_PageUp, Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_Backspace)
# Clickers' "black screen" key is B on most, "." on some.
BLANK_KEYS = (Qt.Key.Key_B, Qt.Key.Key_Period)
NUMBER_KEYS = {getattr(Qt.Key, f"Key_{n}"): (n - 1) % 10 for n in range(10)}  # 1..9, 0 = 10th


def digit_pixels(height: int, zoom: float = 1.0) -> int:
    """The font pixel size whose digits stand ``height / DIGIT_SCREEN_PART`` tall,
    times ``zoom`` (the window's text scale against normal)."""
    probe = QFont(QApplication.font())
    probe.setPixelSize(100)
    digit = QFontMetricsF(probe).tightBoundingRect("0123456789").height() / 100
    return max(8, math.ceil(height / DIGIT_SCREEN_PART / max(digit, 0.3) * zoom))


class Presenter(QWidget):
    """The presenter page.

    Parameters
    ----------
    controller : SessionController
    views : list of (str, QDockWidget)
        The views after the step view, each by title and the dock it is
        borrowed from (the diagram, the loss plot, the teaching views).
    parent : QWidget, optional

    Signals
    -------
    leaveRequested()
        Escape was pressed: the window should leave presenter mode.
    viewChanged(int)
        The view shown changed (0 the step view, then ``views`` in order).
    blankChanged(bool)
    playingChanged(bool)
    """

    leaveRequested = Signal()
    viewChanged = Signal(int)
    blankChanged = Signal(bool)
    playingChanged = Signal(bool)

    def __init__(self, controller: SessionController, views: list[tuple[str, QDockWidget]],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("presenter")
        self.controller = controller
        self._docks = [dock for _title, dock in views]
        self.titles = [STEP_VIEW] + [title for title, _dock in views]
        self._view = 0
        self._borrowed: QWidget | None = None
        self._active = False
        self._zoom = 1.0
        self._infos: dict[str, MatrixInfo] = {}
        self._values: dict = {}
        self._selection: Selection | None = None
        self._step: str | None = controller.position.step_name
        self._position_text = controller.describe_position()
        self._step_notes: dict[str, str] = dict(controller.lesson.step_notes)
        self.cards: dict[str, MatrixCard] = {}
        self._theme = LIGHT
        self._build()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._play_step)
        self.set_interval(PLAY_SECONDS)
        c = controller
        c.lessonChanged.connect(self._lesson_changed)
        c.matricesChanged.connect(self._matrices_changed)
        c.valuesChanged.connect(self._values_changed)
        c.positionChanged.connect(self._position_changed)
        c.selectionChanged.connect(self._selection_changed)
        c.decimalsChanged.connect(lambda _d: self._refresh_cards())
        self._matrices_changed(c.matrices())

    # -- parts -----------------------------------------------------------------------
    def _build(self) -> None:
        self.strip = QWidget()
        strip = FlowLayout(self.strip, spacing=6)  # wraps rather than widen the window
        self.view_buttons = QButtonGroup(self)
        self.view_buttons.setExclusive(True)
        for index, title in enumerate(self.titles):
            button = QToolButton()
            key = (index + 1) % 10
            button.setText(f"{key} {title}" if index < 10 else title)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolTip(f"Show {title} (key {key})" if index < 10 else f"Show {title}")
            self.view_buttons.addButton(button, index)
            strip.addWidget(button)
        self.view_buttons.idClicked.connect(self.show_view)
        self.play_button = QToolButton()
        self.play_button.setText("▶ Play")
        self.play_button.setCheckable(True)
        self.play_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.play_button.setToolTip("Step one matrix every few seconds (P); any key pauses")
        self.play_button.toggled.connect(lambda on: self.play() if on else self.pause())
        self.interval_box = QDoubleSpinBox()
        self.interval_box.setRange(0.1, 60.0)
        self.interval_box.setDecimals(1)
        self.interval_box.setSuffix(" s")
        self.interval_box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.interval_box.setToolTip("Seconds between steps while playing")
        self.interval_box.valueChanged.connect(self.set_interval)
        interval = QWidget()
        row = QHBoxLayout(interval)
        row.setContentsMargins(12, 0, 0, 0)
        for part in (self.play_button, QLabel("every"), self.interval_box,
                     QLabel("   B blank · Home reset · Esc leave")):
            row.addWidget(part)
        strip.addWidget(interval)

        self.position_label = QLabel("")
        self.position_label.setObjectName("presenterPosition")
        self.position_label.setWordWrap(True)
        self.position_label.setTextFormat(Qt.TextFormat.RichText)

        # The step view: the current card and the cards it reads from.
        self.cards_page = QScrollArea()
        self.cards_page.setWidgetResizable(True)
        holder = QWidget()
        self.card_flow = FlowLayout(holder, spacing=24)
        self.cards_page.setWidget(holder)
        self.view_page = QWidget()  # holds the borrowed view
        self.view_layout = QVBoxLayout(self.view_page)
        self.view_layout.setContentsMargins(0, 0, 0, 0)
        self.stage = QStackedWidget()
        self.stage.addWidget(self.cards_page)
        self.stage.addWidget(self.view_page)

        self.note_label = QLabel("")
        self.note_label.setObjectName("presenterNote")
        self.note_label.setWordWrap(True)
        self.note_label.setTextFormat(Qt.TextFormat.RichText)
        self.formula_label = QLabel("")
        self.formula_label.setObjectName("presenterFormula")
        self.formula_label.setWordWrap(True)
        self.formula_label.setTextFormat(Qt.TextFormat.RichText)
        for label in (self.note_label, self.formula_label, self.position_label):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(16, 4, 16, 12)
        column.setSpacing(8)
        column.addWidget(self.strip)
        column.addWidget(self.position_label)
        column.addWidget(self.stage, 1)
        column.addWidget(self.note_label)
        column.addWidget(self.formula_label)
        self.blank_page = QWidget()  # B: nothing but black
        self.blank_page.setAutoFillBackground(True)
        palette = self.blank_page.palette()
        palette.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.black)
        self.blank_page.setPalette(palette)
        self.pages = QStackedWidget()
        self.pages.addWidget(content)
        self.pages.addWidget(self.blank_page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)
        # A page of the window's central stack that must never widen the window
        # while it is not shown; full screen, it has the whole screen.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.view_buttons.button(0).setChecked(True)

    # -- on and off --------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self._active

    def start(self) -> None:
        """Take the window's keys and show the chosen view (the window goes full screen)."""
        if self._active:
            return
        self._active = True
        QApplication.instance().installEventFilter(self)
        self.set_blank(False)
        self.show_view(self._view)
        self._select_step_cell()
        self._show_texts()

    def stop(self) -> None:
        """Pause, give the borrowed view back to its dock, let the keys go."""
        if not self._active:
            return
        self.pause()
        self._give_back()
        QApplication.instance().removeEventFilter(self)
        self._active = False

    # -- views ---------------------------------------------------------------------------
    @property
    def view(self) -> int:
        """The view shown: 0 the step view, then the borrowed views in order."""
        return self._view

    @property
    def view_title(self) -> str:
        return self.titles[self._view]

    @property
    def shown_widget(self) -> QWidget:
        """What fills the stage now: the cards' scroll area or the borrowed view."""
        return self.cards_page if self._view == 0 else self._borrowed

    def show_view(self, index: int) -> None:
        """Show view ``index`` (0: the step's cards); out of range is ignored."""
        if not 0 <= index < len(self.titles):
            return
        self._give_back()
        self._view = index
        self.view_buttons.button(index).setChecked(True)
        if index == 0 or not self._active:
            self.stage.setCurrentWidget(self.cards_page)
        else:
            dock = self._docks[index - 1]
            # A teaching view's dock lends it (built now if it was not yet).
            widget = dock.lend() if isinstance(dock, ViewDock) else dock.widget()
            self._borrowed = widget
            self.view_layout.addWidget(widget)
            widget.show()
            self.stage.setCurrentWidget(self.view_page)
        self.viewChanged.emit(index)

    def _give_back(self) -> None:
        if self._borrowed is None:
            return
        widget, self._borrowed = self._borrowed, None
        self.view_layout.removeWidget(widget)
        dock = self._docks[self._view - 1]
        if isinstance(dock, ViewDock):
            dock.give_back(widget)
        else:
            dock.setWidget(widget)

    # -- blank, play --------------------------------------------------------------------
    @property
    def blank(self) -> bool:
        return self.pages.currentWidget() is self.blank_page

    def set_blank(self, blank: bool) -> None:
        if blank != self.blank:
            self.pages.setCurrentWidget(self.blank_page if blank else self.pages.widget(0))
            self.blankChanged.emit(blank)

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def set_interval(self, seconds: float) -> None:
        """Seconds between Play's steps."""
        self.timer.setInterval(max(1, round(seconds * 1000)))
        if abs(self.interval_box.value() - seconds) > 1e-9:
            self.interval_box.setValue(seconds)

    def play(self) -> None:
        """Step one matrix every interval until the iteration's last step."""
        if self.playing:
            return
        self.set_blank(False)
        self.timer.start()
        self.play_button.setChecked(True)
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if not self.playing:
            self.play_button.setChecked(False)
            return
        self.timer.stop()
        self.play_button.setChecked(False)
        self.playingChanged.emit(False)

    def _play_step(self) -> None:
        self.controller.step()
        position = self.controller.position
        if position.step >= position.steps:
            self.pause()  # the whole iteration shown: the class looks at the updates

    # -- keys ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress,
                        QEvent.Type.MouseButtonPress):
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self.window():
            return False  # a dialog's keys are its own
        if kind == QEvent.Type.MouseButtonPress:
            if self.playing and watched is not self.play_button:
                self.pause()
            return False
        if not self._takes(event):
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # ours, not the window's Space/→ actions: one step per press
            return True
        if self.interval_box.hasFocus() and event.key() not in (Qt.Key.Key_Escape,):
            return False  # typing seconds
        return self.press(event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))

    def _takes(self, event: QKeyEvent) -> bool:
        """Whether the presenter answers this key (plain keys only: Ctrl+ is the window's)."""
        if event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                | Qt.KeyboardModifier.AltModifier
                                | Qt.KeyboardModifier.MetaModifier):
            return False
        key = event.key()
        return (key in STEP_KEYS or key in BACK_KEYS or key in BLANK_KEYS
                or key in NUMBER_KEYS or key in (Qt.Key.Key_Home, Qt.Key.Key_Escape,
                                                  Qt.Key.Key_P))

    def press(self, key: int, cell: bool = False) -> bool:
        """Do what presenter key ``key`` does; True if it was one.

        ``cell`` (Shift held): a step key steps one cell, a back key one cell back.
        While Play runs, any key only pauses it (Escape also leaves)."""
        if self.playing:
            self.pause()
            if key == Qt.Key.Key_Escape:
                self.leaveRequested.emit()
            return True
        c = self.controller
        if key == Qt.Key.Key_Escape:
            self.leaveRequested.emit()
        elif key in BLANK_KEYS:
            self.set_blank(not self.blank)
        elif self.blank:
            self.set_blank(False)  # any other key brings the picture back first
        elif key in STEP_KEYS:
            c.step_cell() if cell else c.step()
        elif key in BACK_KEYS:
            c.step_cell_back() if cell else c.step_back()
        elif key == Qt.Key.Key_Home:
            c.reset()
        elif key == Qt.Key.Key_P:
            self.play()
        elif key in NUMBER_KEYS:
            self.show_view(NUMBER_KEYS[key])
        else:
            return False
        return True

    # -- what the controller says -------------------------------------------------------
    def _lesson_changed(self, lesson) -> None:
        self._step_notes = dict(lesson.step_notes)

    def _matrices_changed(self, infos: list) -> None:
        self._infos = {info.name: info for info in infos}
        for card in self.cards.values():
            card.deleteLater()
        self.cards = {}
        self._refresh_cards()

    def _values_changed(self, values: dict) -> None:
        self._values = values
        self._refresh_cards()

    def _position_changed(self, position, text: str) -> None:
        self._step = position.filling or position.step_name  # Step cell: the matrix filling
        self._position_text = text
        if self._active:
            self._select_step_cell()
        self._refresh_cards()
        self._show_texts()

    def _selection_changed(self, selection: Selection | None) -> None:
        self._selection = selection
        self._refresh_cards()
        self._show_texts()

    def _select_step_cell(self) -> None:
        """Light the first cell of the matrix just computed, unless one of it is lit."""
        step = self._step
        selection = self.controller.selection
        if step is not None and (selection is None or selection[0] != step):
            self.controller.select(step, 0, 0)

    def card_names(self) -> list[str]:
        """The step's matrix first (the one the class looks at), then the matrices
        its yellow cell reads from."""
        if self._step is None or self._step not in self._infos:
            return []
        names = [self._step]
        selection = self._selection
        if selection is not None and selection.explanation is not None:
            for name, _row, _column in selection.explanation.precedents:
                if name not in names and name in self._infos:
                    names.append(name)
        return names

    def _refresh_cards(self) -> None:
        if not self._active:
            return
        names = self.card_names()
        if list(self.cards) != names:
            for name, card in self.cards.items():
                self.card_flow.removeWidget(card)
                if name not in names:
                    card.deleteLater()
            holder = self.cards_page.widget()
            cards = {}
            for name in names:
                card = self.cards.get(name)
                if card is None:
                    card = MatrixCard(self._infos[name], holder, self._theme)
                    card.cellClicked.connect(
                        lambda row, column, n=name: self.controller.select(n, row, column))
                    card.build()
                    card.show()
                self.card_flow.addWidget(card)
                cards[name] = card
            self.cards = cards
        rows = self._values.get("__rows__")
        selection = self._selection
        groups: dict[str, set] = {}
        if selection is not None and selection.explanation is not None:
            for name, r, c in selection.explanation.precedents:
                groups.setdefault(name, set()).add((r, c))
        partial, shown_cells, shown = self._values.get("__partial__", (None, None, None))
        for name, card in self.cards.items():
            card.model.set_decimals(self.controller.decimals)
            updates = card.model.updates
            before = None if updates is None else self._values.get(updates)
            if name == partial:  # Step cell is filling it: its first cells only
                card.set_values(shown_cells, rows, before, shown)
            else:
                card.set_values(self._values.get(name), rows, before)
            card.set_current(name == self._step)
            active = ((selection.row, selection.column)
                      if selection is not None and selection.name == name else None)
            card.model.set_marks(active, groups.get(name, set()))
            card.fit()

    def _show_texts(self) -> None:
        if not self._active:
            return
        info = self._infos.get(self._step or "")
        text = escape(self._position_text)
        if info is None:
            self.position_label.setText(f"<b>{text}</b> — press PageDown or → to compute "
                                        "the first matrix")
            self.note_label.setText("")
        else:
            self.position_label.setText(f"<b>{text}</b>: {escape(info.formula)}")
            note = self.controller.note_text(self._step_notes.get(info.name, ""))
            self.note_label.setText(f"<i>{escape(note)}</i>" if note else "")
        selection = self._selection
        if selection is None or selection.explanation is None:
            self.formula_label.setText("")
        else:
            explanation = selection.explanation
            theme = self._theme
            self.formula_label.setText(
                f"<span style='background:{theme.active}; color:{theme.mark_text}'>"
                f"&nbsp;{escape(explanation.text)}&nbsp;</span>")

    def set_theme(self, theme: Theme) -> None:
        """The cards' marks and the yellow formula line in ``theme``'s colours."""
        self._theme = theme
        for card in self.cards.values():
            card.set_theme(theme)
        self._show_texts()

    # -- type size -----------------------------------------------------------------------
    def set_zoom(self, zoom: float) -> None:
        """The window's text scale against normal (View ▸ Larger text)."""
        self._zoom = zoom
        self._fit_type()

    def type_pixels(self) -> int:
        """The page's font size in pixels for its height now and the zoom."""
        return digit_pixels(max(1, self.height()), self._zoom)

    def _fit_type(self) -> None:
        font = QFont(QApplication.font())
        font.setPixelSize(self.type_pixels())
        self.setFont(font)
        for widget, scale in ((self.strip, STRIP_SCALE), (self.note_label, NOTE_SCALE),
                              (self.formula_label, FORMULA_SCALE)):
            scaled = QFont(font)
            scaled.setPixelSize(max(8, round(font.pixelSize() * scale)))
            widget.setFont(scaled)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if event.size().height() != event.oldSize().height():
            self._fit_type()
