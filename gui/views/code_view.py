"""The code panel: the iteration as NumPy, the current line lit like a debugger.

Above, the lesson's whole iteration as a short NumPy program in the
learner's names (from ``engine.code_lines``): lines already run in normal
text, the line of the step just computed on the theme's yellow in its dark
mark text, in bold and marked ▶ (three cues, not one colour), the lines
still to come in the theme's grey (gui/theme.py: each keeps 4.5:1 against
what it is written on, and they follow a change of theme). Below, the chain rule behind the selected cell with its numbers (from
``engine.chain_rule``): seed 004's dC/dw = dC/da · da/dw, written out for
whatever cell the learner clicks.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSplitter, QTextEdit, QVBoxLayout, QWidget

from ..session_controller import Selection, SessionController
from ..teaching_model import TeachingModel
from ..theme import theme_of

__all__ = ["CodeView", "MARKER"]

MARKER = "▶ "
CHAIN_HINT = ("Click a delta, error, gradient or updated weight in the tables to see the "
              "chain rule behind it, factor by factor, with its numbers.")


def _code_font() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


class CodeView(QWidget):
    """The iteration's NumPy lines, the current one highlighted; the chain rule below."""

    def __init__(self, controller: SessionController, teaching: TeachingModel,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.controller, self.teaching = controller, teaching
        self.code = QPlainTextEdit()
        self.code.setObjectName("codeListing")
        self.code.setReadOnly(True)
        self.code.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.code.setFont(_code_font())
        self.code.setMinimumHeight(140)   # a few lines around the current one, whatever the dock
        self.chain_title = QLabel("Chain rule")
        self.chain_title.setObjectName("chainTitle")
        self.chain_title.setStyleSheet("QLabel#chainTitle { font-weight: bold; }")
        self.chain = QPlainTextEdit()
        self.chain.setObjectName("chainRule")
        self.chain.setReadOnly(True)
        self.chain.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.chain.setFont(_code_font())
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.chain_title)
        lower_layout.addWidget(self.chain, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.code)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

        self.steps: list[str] = []      # step name of each step line, in order
        self.first_step_line = 0        # block number of the first step line
        self.current: str | None = None
        self._listing: tuple | None = None

        controller.matricesChanged.connect(lambda _infos: self.rebuild())
        controller.positionChanged.connect(self.set_position)
        controller.selectionChanged.connect(self.set_selection)
        self.rebuild()
        self.set_position(controller.position)
        selection = controller.selection   # the view may be built after a cell was selected
        self.set_selection(None if selection is None
                           else Selection(*selection, controller.explain(*selection)))

    # -- the listing ---------------------------------------------------------------------
    def rebuild(self) -> None:
        """Ask for the listing again (a new lesson, presentation or batch shape)."""
        header, lines = self.teaching.code_listing()
        listing = (tuple(header), tuple(lines))
        if listing == self._listing:
            return
        self._listing = listing
        self.steps = [line.step for line in lines]
        self.first_step_line = len(header)
        text = [f"  {line}" if line else "" for line in header]
        text += [f"  {line.code}" for line in lines]
        self.code.setPlainText("\n".join(text))
        self._highlight()

    def set_position(self, position, _text: str = "") -> None:
        """Light the line of the step just computed (none before the first)."""
        self.current = position.step_name
        self._highlight()

    def line_of(self, step: str) -> int:
        """The block number of a step's line."""
        return self.first_step_line + self.steps.index(step)

    def line_text(self, block: int) -> str:
        return self.code.document().findBlockByNumber(block).text()

    def _highlight(self) -> None:
        """Marker, yellow and bold on the current line; grey on the lines still to run."""
        document = self.code.document()
        done = self.steps.index(self.current) + 1 if self.current in self.steps else 0
        cursor = QTextCursor(document)
        cursor.beginEditBlock()
        for index, _step in enumerate(self.steps):
            block = document.findBlockByNumber(self.first_step_line + index)
            marker = MARKER if index == done - 1 else "  "
            if block.text()[:2] != marker:
                cursor.setPosition(block.position())
                cursor.setPosition(block.position() + 2, QTextCursor.MoveMode.KeepAnchor)
                cursor.insertText(marker)
        cursor.endEditBlock()
        theme = theme_of(self.palette())   # (the listing's own may not have changed yet)
        selections = []
        for index in range(done, len(self.steps)):
            pending = QTextEdit.ExtraSelection()
            pending.format.setForeground(QColor(theme.placeholder))
            pending.cursor = self._line_cursor(self.first_step_line + index)
            selections.append(pending)
        if done:
            line = self.first_step_line + done - 1
            band = QTextEdit.ExtraSelection()  # yellow across the whole line, like a debugger
            band.format.setBackground(QColor(theme.active))
            band.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            band.cursor = QTextCursor(document.findBlockByNumber(line))
            current = QTextEdit.ExtraSelection()  # and its text in bold, dark on the yellow
            current.format.setBackground(QColor(theme.active))
            current.format.setForeground(QColor(theme.mark_text))
            current.format.setFontWeight(QFont.Weight.Bold)
            current.cursor = self._line_cursor(line)
            selections += [band, current]
            visible = QTextCursor(document.findBlockByNumber(line))
            self.code.setTextCursor(visible)
            self.code.ensureCursorVisible()
        self.code.setExtraSelections(selections)

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        # A new theme: the grey and the yellow are the theme's (the listing may not exist
        # yet while the view is being built).
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "steps"):
            self._highlight()

    def _line_cursor(self, block_number: int) -> QTextCursor:
        block = self.code.document().findBlockByNumber(block_number)
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock,
                            QTextCursor.MoveMode.KeepAnchor)
        return cursor

    # -- the chain rule ------------------------------------------------------------------
    def set_selection(self, selection) -> None:
        """The chain rule of the selected cell, or a hint when it has none."""
        if selection is None:
            self.chain_title.setText("Chain rule")
            self.chain.setPlainText(CHAIN_HINT)
            return
        name, row, column = selection.name, selection.row, selection.column
        label = f"{self.controller.learner(name)}[{row},{column}]"
        rule = self.teaching.chain_rule(name, row, column)
        if rule is None:
            self.chain_title.setText(f"Chain rule — {label}")
            reason = ("not computed yet at this step" if selection.explanation is None
                      else "a forward value or an input: its formula is in the Formula panel")
            self.chain.setPlainText(f"{label} is {reason}.\n\n{CHAIN_HINT}")
            return
        self.chain_title.setText(f"Chain rule behind {label}: {rule.derivative}")
        self.chain.setPlainText("\n".join(rule.lines()))

