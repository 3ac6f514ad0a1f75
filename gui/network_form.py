"""The network a data dialog will create, shown and editable before OK.

``NetworkForm`` shows the layer sizes (the hidden ones editable, the ends
fixed by the data), the activations, the loss, and how the lesson trains
(learning rate, batch size, momentum, epochs, initial weights). It is filled
with what ``engine.network_proposal`` proposes for the data — never with
the open lesson's settings — and proposes again when the data change in a
way that changes the proposal; a teacher's edits stay while the proposal
stays the same. What was typed is read by the engine (``read_choice``),
whose one-line message names the field by its label; the form tints that
field and says the message through ``problemChanged``.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QVBoxLayout, QWidget)

from engine.activations import ACTIVATIONS
from engine.errors import LessonError
from engine.losses import LOSSES
from engine.network import INITIALISATIONS
from engine.network_proposal import (FIELD_LABELS, HIDDEN_ACTIVATIONS, TARGET_KINDS, DataSummary,
                                     NetworkChoice, propose_network, read_choice)
from engine.number_text import python_number

__all__ = ["NetworkForm"]

_ERROR_BASE = QColor("#F9D6D5")   # the pale red of a refused field in the settings dock
_ERROR_TEXT = QColor("#000000")


class NetworkForm(QGroupBox):
    """The proposed network for the data, every setting editable.

    Signals
    -------
    problemChanged(str)
        What is wrong with the fields now ("" when they make a network).
    """

    problemChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Network to create", parent)
        self.setObjectName("networkForm")
        self._summary: DataSummary | None = None
        self._proposed: NetworkChoice | None = None
        self._problem = ""
        self.inputs_label = QLabel("")
        self.outputs_label = QLabel("")
        self.hidden = QLineEdit()
        self.hidden.setToolTip("Neurons in each hidden layer, first to last, separated by "
                               "commas (8, 8: two layers of 8); empty: no hidden layer")
        self.hidden.setMinimumWidth(80)
        self.hidden_activation = self._combo(HIDDEN_ACTIVATIONS,
                                             "The activation of every hidden neuron")
        self.output_activation = self._combo(tuple(ACTIVATIONS),
                                             "The activation of the output layer")
        self.loss = self._combo(tuple(LOSSES), "What training makes small; it must suit the "
                                               "output activation (DESIGN.md section 2)")
        self.learning_rate = self._edit("η: the size of each step down the slope")
        self.batch_size = self._edit("Rows per iteration: 'full' for all the training rows "
                                     "at once, or a number for mini-batches")
        self.momentum = self._edit("μ from 0 up to 1: how much of the last update carries on")
        self.epochs = self._edit("Passes over the data that Run trains")
        self.init = self._combo(INITIALISATIONS, "How the starting weights are drawn")
        self.why = QLabel("")
        self.why.setObjectName("networkWhy")
        self.why.setWordWrap(True)
        self.propose_button = QPushButton("Propose again")
        self.propose_button.setToolTip("Put back the settings proposed for this data")
        self.propose_button.clicked.connect(lambda: self._fill(self._proposed))
        self._fields = {"hidden": self.hidden, "hidden_activation": self.hidden_activation,
                        "output_activation": self.output_activation, "loss": self.loss,
                        "learning_rate": self.learning_rate, "batch_size": self.batch_size,
                        "momentum": self.momentum, "epochs": self.epochs, "init": self.init}
        self._tips = {key: widget.toolTip() for key, widget in self._fields.items()}
        self._lay_out()
        for widget in self._fields.values():
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(self._check)
            else:
                widget.currentIndexChanged.connect(self._check)

    @staticmethod
    def _combo(names, tip: str) -> QComboBox:
        box = QComboBox()
        box.addItems(list(names))
        box.setToolTip(tip)
        return box

    @staticmethod
    def _edit(tip: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setToolTip(tip)
        edit.setMinimumWidth(70)
        return edit

    def _lay_out(self) -> None:
        """Two columns of fields (the network, its training) under the layer sizes."""
        layers_row = QHBoxLayout()
        layers_row.addWidget(self.inputs_label)
        layers_row.addWidget(self.hidden, 1)
        layers_row.addWidget(self.outputs_label)
        network = QFormLayout()
        network.addRow(FIELD_LABELS["hidden"], layers_row)
        network.addRow(FIELD_LABELS["hidden_activation"], self.hidden_activation)
        network.addRow(FIELD_LABELS["output_activation"], self.output_activation)
        network.addRow(FIELD_LABELS["loss"], self.loss)
        network.addRow(FIELD_LABELS["init"], self.init)
        training = QFormLayout()
        for key in ("learning_rate", "batch_size", "momentum", "epochs"):
            training.addRow(FIELD_LABELS[key], self._fields[key])
        columns = QHBoxLayout()
        columns.addLayout(network, 3)
        columns.addSpacing(12)
        columns.addLayout(training, 2)
        why_row = QHBoxLayout()
        why_row.addWidget(self.why, 1)
        why_row.addWidget(self.propose_button)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addLayout(why_row)

    # -- the data and the proposal ---------------------------------------------------------
    def set_data(self, summary: DataSummary | None) -> None:
        """The data the network is for (None: no data yet, the form is disabled).

        The fields are filled with the proposal for ``summary`` when it
        differs from the proposal they were last filled with, so edits
        survive a change of the data that proposes the same network.
        """
        self._summary = summary
        self.setEnabled(summary is not None)
        if summary is None:
            self.inputs_label.setText("")
            self.outputs_label.setText("")
            self.why.setText("Read the data to see the network proposed for it.")
            self._check()
            return
        self.inputs_label.setText(f"{summary.inputs} inputs →")
        self.outputs_label.setText(f"→ {summary.outputs} output{'s' * (summary.outputs != 1)}")
        rows = f"{summary.rows:,}".replace(",", " ")
        self.why.setText(f"Proposed for {rows} training row{'s' * (summary.rows != 1)} of "
                         f"{TARGET_KINDS[summary.kind]}. Every setting may be changed.")
        proposal = propose_network(summary)
        if proposal != self._proposed:
            self._proposed = proposal
            self._fill(proposal)
        else:
            self._check()

    def _fill(self, choice: NetworkChoice | None) -> None:
        if choice is None:
            return
        for widget in self._fields.values():
            widget.blockSignals(True)
        self.hidden.setText(", ".join(str(n) for n in choice.hidden))
        self.hidden_activation.setCurrentText(choice.hidden_activation)
        self.output_activation.setCurrentText(choice.output_activation)
        self.loss.setCurrentText(choice.loss)
        self.init.setCurrentText(choice.init)
        self.learning_rate.setText(python_number(choice.learning_rate))
        self.batch_size.setText("full" if choice.batch_size is None else str(choice.batch_size))
        self.momentum.setText(python_number(choice.momentum))
        self.epochs.setText(str(choice.epochs))
        for widget in self._fields.values():
            widget.blockSignals(False)
        self._check()

    # -- reading the fields ----------------------------------------------------------------
    def texts(self) -> dict[str, str]:
        """The fields as typed and chosen, under ``FIELD_LABELS``' keys."""
        return {key: widget.text() if isinstance(widget, QLineEdit) else widget.currentText()
                for key, widget in self._fields.items()}

    def choice(self) -> NetworkChoice:
        """The network the fields describe.

        Raises
        ------
        LessonError
            The engine's one line naming the field (no data yet: says so).
        """
        if self._summary is None:
            raise LessonError("Network: read the data first; the network's ends follow it")
        return read_choice(self._summary, self.texts())

    @property
    def problem(self) -> str:
        """What is wrong with the fields ("" when they make a network)."""
        return self._problem

    def _check(self, *_args) -> None:
        """Read the fields; tint the one the message names and say what is wrong.

        Without data there is nothing to check yet: the dialog says to read
        a file, and the form is disabled.
        """
        problem = ""
        if self._summary is not None:
            try:
                self.choice()
            except LessonError as exc:
                problem = str(exc)
        for key, widget in self._fields.items():
            refused = bool(problem) and problem.startswith(FIELD_LABELS[key] + ":")
            palette = self.palette()
            if refused:
                # A palette, not a style sheet: style sheets drop the zoomed font.
                palette.setColor(QPalette.ColorRole.Base, _ERROR_BASE)
                palette.setColor(QPalette.ColorRole.Button, _ERROR_BASE)
                palette.setColor(QPalette.ColorRole.Text, _ERROR_TEXT)
            widget.setPalette(palette)
            widget.setToolTip(problem if refused else self._tips[key])
        if problem != self._problem:
            self._problem = problem
            self.problemChanged.emit(problem)
