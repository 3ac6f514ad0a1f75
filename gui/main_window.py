"""The main window: controls, tables, diagram, formula panel, plot, settings.

``MainWindow`` assembles the widgets around one ``SessionController`` and
wires signals both ways: user actions to controller methods, controller
signals to widget updates. It owns nothing of the maths and no widget
talks to another directly.
"""
from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (QByteArray, QCoreApplication, QEvent, QSettings, QStandardPaths, Qt,
                            QTimer, Signal)
from PySide6.QtGui import QAction, QActionGroup, QFont, QGuiApplication, QKeySequence, QUndoStack
from PySide6.QtWidgets import (QApplication, QComboBox, QDockWidget, QFileDialog, QLabel,
                               QMainWindow, QMessageBox, QSlider, QSpinBox, QStackedWidget,
                               QStyle, QToolBar, QVBoxLayout, QWidget)

from engine.errors import LessonError
from engine.lesson import LESSON_SUFFIX, LESSON_SUFFIXES, Lesson, load_lesson, save_lesson

from .diagram import NetworkDiagram
from .exercise_box import ExerciseBox
from .sum_expander import SumExpander
from .formula_panel import FormulaPanel
from .plots import LossPlot
from .recovery import RecoveryKeeper, ask_before_closing, data_folder
from .screen_reader import asked_description, cell_description
from .session_controller import SessionController
from .session_files import BUILTIN_REFUSAL, in_builtin_folder, proposed_file_name
from .settings_dock import SettingsPanel
from .tables import TablesPanel
from .theme import CHOICES, FOLLOW_SYSTEM, Theme, ThemeSwitcher
from .undo import edit_cell
from .views.hidden_unit_maps import HiddenUnitMaps
from .views.lazy_dock import ViewDock

if TYPE_CHECKING:  # imported when first used: they are not needed to show the window
    from .csv_dialog import CsvImportDialog
    from .dataset_dialog import DataSetDialog
    from .exporting import Exporter
    from .lesson_editor import StartingPointDialog
    from .presenter import Presenter

__all__ = ["MainWindow", "SPEEDS", "ORGANISATION", "APPLICATION", "LESSON_FILTER",
           "ask_lesson_save_path"]

ORGANISATION = "BackpropTracer"
APPLICATION = "Backprop Tracer"
SPEEDS = [("1 epoch/s", 1.0), ("10 epochs/s", 10.0), ("100 epochs/s", 100.0),
          ("1000 epochs/s", 1000.0), ("as fast as possible", 0.0)]
MAX_RECENT = 8
_SHAPE = re.compile(r"(?<![\w.-])\d+(?:-\d+)+(?![\w.-])")   # layer sizes such as 2-2-1
# Open and Save offer the lesson file type first; Save writes it (engine/lesson.py).
LESSON_FILTER = f"Lessons ({' '.join('*' + suffix for suffix in LESSON_SUFFIXES)})"
PROJECTOR_POINTS = 11.0
MIN_POINTS, MAX_POINTS = 6.0, 40.0   # View ▸ Smaller / Larger text stop here
# Each dock's entry in the View menu, its access key ("&") unique within its menu.
DOCK_MENU_TEXTS = {"settingsDock": "Lesson and &settings", "lessonEditorDock": "Lesson &editor",
                   "diagramDock": "Net&work", "formulaDock": "&Formula",
                   "plotDock": "Loss per epo&ch", "raceDock": "Learning-rate &race",
                   "modesDock": "Training &modes", "gradientCheckDock": "&Gradient check",
                   "codeDock": "&Code", "tryInputDock": "&Try an input",
                   "boundaryDock": "&Decision boundary", "landscapeDock": "&Loss landscape",
                   "activationDock": "&Activation functions", "accuracyDock": "Acc&uracy",
                   "confusionDock": "Co&nfusion matrix"}
# The run's trouble above the tables: the theme's red with white text for a divergence,
# its amber with near-black text for a warning (each above 4.5:1, WCAG AA; gui/theme.py).
_BANNER_STYLE = ("QLabel#divergenceBanner {{ background: {background}; color: {text};"
                 " font-weight: bold; padding: 8px; }}")
TEACHING_SHARE = 0.6   # of its dock column's height, for a teaching view's tab when opened
TEACHING_WIDTH = 0.4   # of the window's width at least, for the dock column a view opens in
SHORTCUTS = """<table cellpadding=4>
<tr><td><b>Space</b> or <b>→</b></td><td>Step: compute the next matrix (→ outside a
table)</td></tr>
<tr><td><b>←</b> or <b>Backspace</b></td><td>Step back (← outside a table)</td></tr>
<tr><td><b>Shift+Space</b> or <b>Shift+→</b></td><td>Step cell: the next cell of the matrix,
its formula shown (Space then reveals the rest)</td></tr>
<tr><td><b>Shift+←</b></td><td>Step cell back</td></tr>
<tr><td><b>Ctrl+T</b></td><td>Expand the selected sum, then add its next term (the
running total under the cell's formula)</td></tr>
<tr><td><b>Tab / Shift+Tab</b></td><td>Next / previous matrix card (the first Tab: the matrix
just computed)</td></tr>
<tr><td><b>Arrow keys</b></td><td>In a table: select the next cell (its formula shows); in the
Network diagram: select the next neuron</td></tr>
<tr><td><b>Enter</b></td><td>In a table: select the cell under the cursor</td></tr>
<tr><td><b>Alt</b></td><td>The menus: every entry has an underlined access key</td></tr>
<tr><td><b>Ctrl+E</b></td><td>Step one epoch</td></tr>
<tr><td><b>Ctrl+Shift+E</b></td><td>Exercise mode: compute a cell before Step reveals it;
Enter checks, Escape reveals</td></tr>
<tr><td><b>Ctrl+R</b></td><td>Run / Pause</td></tr>
<tr><td><b>Ctrl+Shift+R</b></td><td>Reset to the lesson's initial weights</td></tr>
<tr><td><b>Ctrl++ / Ctrl+− / Ctrl+0</b></td><td>Larger / smaller / normal text, everywhere (for projectors)</td></tr>
<tr><td><b>F5</b></td><td>Presenter mode (Escape leaves): PageDown/→/Space step, PageUp/← back, B blank, Home reset, 1–9 views, P play</td></tr>
<tr><td><b>Ctrl+Z / Ctrl+Shift+Z</b></td><td>Undo / Redo an edit</td></tr>
<tr><td><b>Ctrl+Shift+C</b></td><td>Copy the table as tab-separated text</td></tr>
<tr><td><b>Double-click</b></td><td>Edit a cell of X, y, a weight or a bias (while paused)</td></tr>
<tr><td><b>Shift+F1</b></td><td>Getting started: a short tour</td></tr>
</table>"""


def titled_with_shape(title: str, layers) -> str:
    """``title`` naming the network's current layer sizes, e.g. "(2-4-1)".

    A shape the title already writes ("XOR with biases (2-2-1)") is replaced
    by the current one, so changed settings never leave the old shape named;
    a title without one gets it added in brackets.
    """
    shape = "-".join(str(size) for size in layers)
    titled, found = _SHAPE.subn(shape, title, count=1)
    return titled if found else f"{title} ({shape})"
def ask_lesson_save_path(parent: QWidget, title: str, start: str) -> str:
    """The file the user chose to save a lesson in ("" if cancelled), starting at
    ``start`` (a folder, or a proposed file in one): a name typed without a lesson
    suffix gets ``.bptlesson``, and the dialog asks before it overwrites that file
    (which adding the suffix afterwards would skip)."""
    dialog = QFileDialog(parent, title, start, LESSON_FILTER)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix(LESSON_SUFFIX.lstrip("."))
    return dialog.selectedFiles()[0] if dialog.exec() else ""


class MainWindow(QMainWindow):
    """Backprop Tracer's window.

    Parameters
    ----------
    lesson : Lesson
        The lesson to open.
    settings : QSettings, optional
        Where geometry, recent files and view options live; tests pass a
        temporary file so that the user's settings are never touched.

    Signals
    -------
    firstPainted()
        The whole window has been painted for the first time.
    """

    firstPainted = Signal()

    def __init__(self, lesson: Lesson, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings if settings is not None else QSettings(ORGANISATION, APPLICATION)
        # Fonts first, so every widget is laid out for them: normal text is big
        # enough for the back of a classroom.
        self._normal_points = max(QApplication.font().pointSizeF(), PROJECTOR_POINTS)
        self._unreadable: list[str] = []   # saved settings that could not be read
        self._apply_font(self._saved_number("fontSize", self._normal_points, float,
                                            MIN_POINTS, MAX_POINTS))
        # The palette too, so every widget is made in it (View ▸ Theme; one per application).
        self.themes = ThemeSwitcher.of_application()
        self.themes.choose(str(self.settings.value("theme", FOLLOW_SYSTEM)))
        self.controller = SessionController(lesson, self)
        self.recovery = RecoveryKeeper(self.controller, data_folder(self.settings))
        self.close_question: QMessageBox | None = None
        self.undo_stack = QUndoStack(self)
        self._iteration = -1
        self._message_box: QMessageBox | None = None
        self.setWindowTitle(APPLICATION)

        self.setCentralWidget(self._build_central())
        self._build_docks()
        # Presenter mode's page is built when first entered (or asked for): nothing of it
        # is shown before, and built it would listen to every frame of a run.
        self._presenter: Presenter | None = None
        self._before_presenting: tuple | None = None

        # The export modules (xlsxwriter, pyqtgraph's exporters) are slow to import and not
        # needed to show the window: the exporter is built once it is painted, or when used.
        self._exporter: Exporter | None = None
        self._painted = False
        self._first_start = False   # no saved window state: docks sized once shown
        self._docks_sized_for = None   # the window size the docks were last sized for
        self._export_folder = str(self.settings.value("lastFolder", str(Path.home())))
        self._data_dialog = None   # the open Import CSV / data set dialog
        self._build_actions()
        self._build_toolbar()
        self._build_menus()
        self._connect()
        self._apply_theme(self.themes.theme)
        self.themes.themeChanged.connect(self._apply_theme)
        # The decimals before the tables are made, which would otherwise be sized twice.
        self._restore_decimals()
        # The tables first: the docks' default sizes leave them the width they need.
        self.controller.presentationChanged.emit(self.controller.presentation)
        self.controller.publish_all()
        self._restore_settings()
        hint = "Press Space to step through the iteration, Ctrl+R to run."
        if self._unreadable:
            hint = (f"A saved setting could not be read ({'; '.join(self._unreadable)}): "
                    f"its default is used. {hint}")
        self.statusBar().showMessage(hint)

    # -- construction -----------------------------------------------------------------
    def _build_central(self) -> QWidget:
        """The tables, under the banner that says when a run diverged or went wrong."""
        self.tables = TablesPanel()
        self.tables.set_explainer(self._tooltip)
        self.tables.set_describer(self._spoken_description)
        self.banner = QLabel("")
        self.banner.setObjectName("divergenceBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self._divergence = self._warning = ""
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.tables, 1)
        # Presenter mode swaps this page for its own (gui/presenter.py).
        self.pages = QStackedWidget()
        self.pages.addWidget(central)
        return self.pages

    @property
    def presenter(self) -> Presenter:
        """Presenter mode's page, built on first use: its views are the docks' own,
        borrowed while shown."""
        if self._presenter is None:
            from .presenter import Presenter
            views = [("Network", self.diagram_dock), ("Loss", self.plot_dock)]
            views += [(dock.windowTitle(), dock)
                      for dock in self.teaching_docks_a + self.teaching_docks_b]
            presenter = Presenter(self.controller, views)
            self.pages.addWidget(presenter)
            presenter.leaveRequested.connect(lambda: self.set_presenting(False))
            presenter.set_zoom(QApplication.font().pointSizeF() / self._normal_points)
            presenter.set_theme(self.themes.theme)
            self._presenter = presenter
        return self._presenter

    def _build_docks(self) -> None:
        """Diagram, formula and loss plot on the right, settings on the left; the teaching
        views hidden."""
        self.diagram = NetworkDiagram()
        self.formula = FormulaPanel(self.controller.note_text)
        self.exercise_box = ExerciseBox(self.controller)
        self.formula.set_exercise_box(self.exercise_box)
        self.sum_expander = SumExpander(self.controller)
        self.formula.set_sum_box(self.sum_expander)
        self.plot = LossPlot()
        self.plot.compare(self.controller.past_runs)
        self.diagram_dock = self._dock("Network", "diagramDock", self.diagram,
                                       Qt.DockWidgetArea.RightDockWidgetArea)
        self.formula_dock = self._dock("Formula", "formulaDock", self.formula,
                                       Qt.DockWidgetArea.RightDockWidgetArea)
        self.plot_dock = self._dock("Loss per epoch", "plotDock", self.plot,
                                    Qt.DockWidgetArea.RightDockWidgetArea)
        # Shown at first start, where a teacher looks for it; a saved window state keeps
        # it closed for a user who closed it (View ▸ Lesson and settings).
        self.settings_dock = ViewDock("Lesson and settings", "settingsDock",
                                      self._build_settings_panel, self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.settings_dock)
        # The lesson's title and notes, and the shown step's note (View or Edit ▸ Lesson editor).
        self.editor_dock = ViewDock("Lesson editor", "lessonEditorDock",
                                    self._build_lesson_editor, self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.editor_dock)
        self.editor_dock.hide()
        self.teaching_docks_a = self._teaching_docks_a()
        self.teaching_docks_b = self._teaching_docks_b()

    def _build_lesson_editor(self) -> QWidget:
        from .lesson_editor import LessonEditor  # imported when the dock is first shown
        return LessonEditor(self.controller)

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _view_docks(self, views: list[tuple]) -> list[ViewDock]:
        """Docks tabbed beside the diagram, hidden until chosen in View ▸ Teaching views;
        each builds its view when first seen (gui/views/lazy_dock.py). ``views`` holds
        (title, object name, build) for each.

        A tab, not a new row of the dock column: a view beside the diagram never
        squeezes it or another view to a strip, nor makes the window taller than
        the screen."""
        docks = []
        for title, object_name, build in views:
            dock = ViewDock(title, object_name, build, self, scrolled=True)
            # Hidden before it is tabbed: hiding tabbed docks afterwards left their
            # tab bar on screen, drawn over whatever later took the space.
            dock.hide()
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            self.tabifyDockWidget(self.diagram_dock, dock)
            # Chosen in the menu: its tab comes to the front, with room to be seen.
            dock.toggleViewAction().triggered.connect(
                lambda on, d=dock: on and QTimer.singleShot(0, lambda: self._bring_forward(d)))
            docks.append(dock)
        return docks

    def _bring_forward(self, dock: QDockWidget) -> None:
        """A teaching view just opened: its tab in front, taller than the formula and
        plot below it (they keep their minimum, the view scrolls if it needs more) and
        its column at least ``TEACHING_WIDTH`` of the window."""
        dock.raise_()
        below = [d for d in (self.formula_dock, self.plot_dock)
                 if d.isVisible() and not d.isFloating()
                 and self.dockWidgetArea(d) == self.dockWidgetArea(dock)]
        if below:
            # The column's height shared out at once: the view its share, each dock
            # below at least its minimum (resizing the view alone took from them
            # unevenly and left the view well short of its share).
            column = dock.height() + sum(d.height() for d in below)
            view = max(dock.height(), int(column * TEACHING_SHARE))
            least = [d.minimumSizeHint().height() for d in below]
            view = min(view, column - sum(least))
            spare = column - view - sum(least)
            heights = [m + spare // len(below) for m in least]
            self.resizeDocks([dock] + below, [view] + heights, Qt.Orientation.Vertical)
        else:
            self.resizeDocks([dock], [int(self.height() * TEACHING_SHARE)],
                             Qt.Orientation.Vertical)
        # At 1280x720 the tables leave the dock column a quarter of the width: a map
        # or a plot there would be a sliver. The tables scroll sideways instead.
        wide = int(self.width() * TEACHING_WIDTH)
        if dock.width() < wide:
            self.resizeDocks([dock], [wide], Qt.Orientation.Horizontal)

    def _teaching_docks_b(self) -> list[ViewDock]:
        """Learning-rate race, training modes, gradient check, code panel and a tried input."""
        return self._view_docks([("Learning-rate race", "raceDock", self._build_race),
                                 ("Training modes", "modesDock", self._build_modes),
                                 ("Gradient check", "gradientCheckDock", self._build_gradient),
                                 ("Code", "codeDock", self._build_code),
                                 ("Try an input", "tryInputDock", self._build_try_input)])

    def _teaching_docks_a(self) -> list[ViewDock]:
        """Decision boundary, loss landscape, activation functions, accuracy and the
        confusion matrix."""
        self.hidden_unit_maps = HiddenUnitMaps(self.controller, self.controller.teaching,
                                               self.diagram)
        return self._view_docks([("Decision boundary", "boundaryDock", self._build_boundary),
                                 ("Loss landscape", "landscapeDock", self._build_landscape),
                                 ("Activation functions", "activationDock",
                                  self._build_activation),
                                 ("Accuracy", "accuracyDock", self._build_accuracy),
                                 ("Confusion matrix", "confusionDock", self._build_confusion)])

    # Each teaching view's module is imported when its view is first built; the view gets
    # the controller (its signals, where the learner is) and the controller's teaching model.
    def _build_race(self) -> QWidget:
        from .views.race_view import LearningRateRaceView
        return LearningRateRaceView(self.controller, self.controller.teaching)

    def _build_modes(self) -> QWidget:
        from .views.modes_view import TrainingModesView
        return TrainingModesView(self.controller, self.controller.teaching)

    def _build_gradient(self) -> QWidget:
        from .views.gradient_check_view import GradientCheckView
        return GradientCheckView(self.controller, self.controller.teaching)

    def _build_code(self) -> QWidget:
        from .views.code_view import CodeView
        return CodeView(self.controller, self.controller.teaching)

    def _build_try_input(self) -> QWidget:
        from .views.try_input_view import TryInputView
        return TryInputView(self.controller, self.controller.teaching)

    def _build_boundary(self) -> QWidget:
        from .views.boundary_view import BoundaryView
        return BoundaryView(self.controller, self.controller.teaching)

    def _build_landscape(self) -> QWidget:
        from .views.landscape_view import LandscapeView
        return LandscapeView(self.controller, self.controller.teaching)

    def _build_activation(self) -> QWidget:
        from .views.activation_view import ActivationView
        return ActivationView(self.controller, self.controller.teaching)

    def _build_accuracy(self) -> QWidget:
        from .views.accuracy_view import AccuracyView
        return AccuracyView(self.controller, self.controller.teaching)

    def _build_confusion(self) -> QWidget:
        from .views.confusion_view import ConfusionView
        return ConfusionView(self.controller, self.controller.teaching)

    # The teaching views by name, each built on first use.
    race_view = property(lambda self: self.teaching_docks_b[0].widget())
    modes_view = property(lambda self: self.teaching_docks_b[1].widget())
    gradient_view = property(lambda self: self.teaching_docks_b[2].widget())
    code_view = property(lambda self: self.teaching_docks_b[3].widget())
    try_input_view = property(lambda self: self.teaching_docks_b[4].widget())
    boundary_view = property(lambda self: self.teaching_docks_a[0].widget())
    landscape_view = property(lambda self: self.teaching_docks_a[1].widget())
    activation_view = property(lambda self: self.teaching_docks_a[2].widget())
    accuracy_view = property(lambda self: self.teaching_docks_a[3].widget())
    confusion_view = property(lambda self: self.teaching_docks_a[4].widget())

    def _action(self, text: str, slot, shortcuts=(), tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(tip or text.replace("&", ""))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        c = self.controller
        self.step_action = self._action("&Step ▶", c.step, ["Space", "Right"],
                                        "Compute the next matrix (Space or →)")
        self.back_action = self._action("◀ &Back", c.step_back, ["Left", "Backspace"],
                                        "Step back (← or Backspace)")
        self.step_cell_action = self._action(
            "Step &cell", c.step_cell, ["Shift+Space", "Shift+Right"],
            "Compute the next cell of the matrix, its formula shown (Shift+Space or Shift+→)")
        self.cell_back_action = self._action("Ce&ll back", c.step_cell_back, ["Shift+Left"],
                                             "Hide the last cell computed (Shift+←)")
        self.next_term_action = self._action(
            "Next ter&m of the sum", lambda: self.sum_expander.next_term(), ["Ctrl+T"],
            "Expand the selected sum, or add its next term to the running total (Ctrl+T)")
        self.epoch_action = self._action("Step &epoch", c.step_epoch, ["Ctrl+E"],
                                         "Finish this epoch, step by step (Ctrl+E)")
        self.run_action = self._action("&Run", c.toggle_run, ["Ctrl+R"], "Run / Pause (Ctrl+R)")
        self.run_action.setCheckable(True)
        self.reset_action = self._action("Rese&t", c.reset, ["Ctrl+Shift+R"],
                                         "Back to the lesson's initial weights and seed")
        self.exercise_action = self._action(
            "E&xercise", c.exercise.set_active, ["Ctrl+Shift+E"],
            "Exercise: compute a cell of each matrix before Step reveals it (Ctrl+Shift+E)")
        self.exercise_action.setCheckable(True)
        self.open_action = self._action("&Open lesson…", self.open_dialog, [QKeySequence.Open])
        self.save_action = self._action(
            "&Save with progress…", self.save_dialog, [QKeySequence.Save],
            "Save the lesson and where the training is: reopens at the same epoch, step, "
            "selected cell and loss history")
        self.save_start_action = self._action(
            "Save as a new starting &point…", self.save_starting_point_dialog,
            [QKeySequence.SaveAs],
            "Save a new lesson whose starting weights are the weights trained so far")
        self.quit_action = self._action("&Quit", self.close, [QKeySequence.Quit])
        self.import_csv_action = self._action("&Import CSV…", self.import_csv,
                                              tip="A new lesson on the data of a CSV file")
        self.dataset_action = self._action("&New lesson from a data set…", self.new_from_dataset,
                                           tip="A new lesson on a built-in data set")
        self.export_actions = [
            self._action("E&xcel workbook…", lambda: self.exporter.ask_workbook()),
            self._action("NumPy &script…", lambda: self.exporter.ask_script()),
            self._action("&Jupyter notebook…", lambda: self.exporter.ask_notebook()),
            self._action("Current &table as CSV…", lambda: self.exporter.ask_table_csv()),
            self._action("&Diagram as PNG/SVG…", lambda: self.exporter.ask_diagram()),
            self._action("&Loss plot as PNG/SVG…", lambda: self.exporter.ask_plot()),
        ]
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.Redo)
        self.copy_action = self._action("&Copy table as text", self.copy_table, ["Ctrl+Shift+C"])
        self.paste_action = self._action("&Paste into table", self.paste_into_table,
                                         [QKeySequence.Paste],
                                         "Paste numbers into X, y, a weight or a bias table "
                                         "from the selected cell")
        self.zoom_in_action = self._action("&Larger text", lambda: self.zoom(+1),
                                           [QKeySequence.ZoomIn, "Ctrl+="])
        self.zoom_out_action = self._action("S&maller text", lambda: self.zoom(-1),
                                            [QKeySequence.ZoomOut])
        self.zoom_reset_action = self._action("&Normal text", lambda: self.zoom(0), ["Ctrl+0"])
        self.presenter_action = self._action(
            "&Presenter mode", lambda on: self.set_presenting(on), ["F5"],
            "Full screen, one large view at a time, for a projector and a clicker "
            "(F5; Escape leaves)")
        self.presenter_action.setCheckable(True)
        self.theme_actions = QActionGroup(self)
        self.theme_actions.setExclusive(True)
        for key, text in CHOICES:
            action = self.theme_actions.addAction(text)
            action.setData(key)
            action.setCheckable(True)
            action.setToolTip(f"Theme: {text.replace('&', '').lower()} — remembered for the "
                              "next start")
            action.triggered.connect(lambda _on=False, choice=key: self.set_theme_choice(choice))
        self.log_action = self._action("Lo&g-scale loss", self.plot.set_log)
        self.log_action.setCheckable(True)
        self.plot.log_box.toggled.connect(self.log_action.setChecked)
        self.tour_action = self._action("&Getting started", self.show_tour, ["Shift+F1"],
                                        "A short tour: Step, click a cell, Run, the teaching views")
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts, ["F1"])
        self.glossary_action = self._action("G&lossary", self.show_glossary,
                                            tip="Every quantity's names in both presentations")
        self.about_action = self._action("&About Backprop Tracer", self.show_about)

    def _build_toolbar(self) -> None:
        """Two rows, so nothing is squeezed on a 1280-pixel projector: the moves and
        where the learner is, then speed, decimals and the timeline."""
        bar = QToolBar("Controls", self)
        bar.setObjectName("controls")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        for action in (self.back_action, self.step_action, self.cell_back_action,
                       self.step_cell_action, self.epoch_action, self.run_action,
                       self.reset_action):
            bar.addAction(action)
        bar.addSeparator()
        bar.addAction(self.exercise_action)
        bar.addSeparator()
        self.position_label = QLabel("")
        self.position_label.setObjectName("positionLabel")
        self.position_label.setStyleSheet("QLabel#positionLabel { font-weight: bold; }")
        self.position_label.setContentsMargins(12, 0, 12, 0)
        bar.addWidget(self.position_label)

        self.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        options = QToolBar("Speed and timeline", self)
        options.setObjectName("timelineBar")
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, options)
        self.speed_box = QComboBox()
        for text, speed in SPEEDS:
            self.speed_box.addItem(text, speed)
        self.speed_box.setCurrentIndex(len(SPEEDS) - 1)
        self.speed_box.setToolTip("Training speed while running")
        self.speed_box.currentIndexChanged.connect(
            lambda i: self.controller.set_speed(self.speed_box.itemData(i)))
        options.addWidget(QLabel(" speed "))
        options.addWidget(self.speed_box)
        self.decimals_box = QSpinBox()
        self.decimals_box.setRange(0, 10)
        self.decimals_box.setValue(self.controller.decimals)
        self.decimals_box.setToolTip("Decimals shown in the tables and formulas")
        self.decimals_box.valueChanged.connect(self.controller.set_decimals)
        options.addWidget(QLabel("  decimals "))
        options.addWidget(self.decimals_box)
        options.addSeparator()
        self.timeline = QSlider(Qt.Orientation.Horizontal)
        self.timeline.setMinimumWidth(160)
        self.timeline.setToolTip("Scrub back to any earlier epoch")
        self.timeline.sliderReleased.connect(self._timeline_moved)
        self.timeline.actionTriggered.connect(self._timeline_action)
        self.timeline_label = QLabel("")
        options.addWidget(QLabel(" epoch "))
        options.addWidget(self.timeline)
        options.addWidget(self.timeline_label)

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Re&cent lessons")
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.save_start_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_csv_action)
        file_menu.addAction(self.dataset_action)
        self.export_menu = file_menu.addMenu("&Export")
        for action in self.export_actions:
            self.export_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = menus.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.copy_action)
        edit_menu.addAction(self.paste_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.editor_dock.toggleViewAction())
        control_menu = menus.addMenu("&Training")
        for action in (self.step_action, self.back_action, self.step_cell_action,
                       self.cell_back_action, self.next_term_action, self.epoch_action,
                       self.run_action, self.reset_action):
            control_menu.addAction(action)
        control_menu.addSeparator()
        control_menu.addAction(self.exercise_action)
        view_menu = menus.addMenu("&View")
        for action in (self.zoom_in_action, self.zoom_out_action, self.zoom_reset_action):
            view_menu.addAction(action)
        view_menu.addAction(self.presenter_action)
        self.theme_menu = view_menu.addMenu("&Theme")
        self.theme_menu.addActions(self.theme_actions.actions())
        view_menu.addSeparator()
        view_menu.addAction(self.log_action)
        view_menu.addSeparator()
        for dock in (self.settings_dock, self.editor_dock, self.diagram_dock, self.formula_dock,
                     self.plot_dock):
            view_menu.addAction(dock.toggleViewAction())
        # The docks' menu entries with their access keys (the titles keep none).
        for dock in [self.settings_dock, self.editor_dock, self.diagram_dock, self.formula_dock,
                     self.plot_dock] + self.teaching_docks_b + self.teaching_docks_a:
            dock.toggleViewAction().setText(DOCK_MENU_TEXTS[dock.objectName()])
        self.teaching_menu = view_menu.addMenu("Teaching &views")
        for dock in self.teaching_docks_b:
            self.teaching_menu.addAction(dock.toggleViewAction())
        for dock in self.teaching_docks_a:
            self.teaching_menu.addAction(dock.toggleViewAction())
        help_menu = menus.addMenu("&Help")
        help_menu.addAction(self.tour_action)
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.glossary_action)
        help_menu.addAction(self.about_action)
        self._refresh_recent()

    def _connect(self) -> None:
        c = self.controller
        c.lessonChanged.connect(self._lesson_changed)
        c.lessonTextChanged.connect(self._lesson_text_changed)
        c.matricesChanged.connect(self._matrices_changed)
        c.valuesChanged.connect(self.tables.set_values)
        c.valuesChanged.connect(self.diagram.set_values)
        c.positionChanged.connect(self._position_changed)
        c.selectionChanged.connect(self.tables.set_selection)
        c.selectionChanged.connect(self.diagram.set_selection)
        c.selectionChanged.connect(self.formula.set_selection)
        c.termLit.connect(self.tables.set_term)
        c.termLit.connect(self.diagram.set_term)
        c.historyChanged.connect(self.plot.set_history)
        c.metricsChanged.connect(self.plot.set_test_losses)
        c.historyChanged.connect(self._history_changed)
        c.runningChanged.connect(self._running_changed)
        c.diverged.connect(self._diverged)
        c.warning.connect(self._warned)
        c.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        # A lesson opened with its exercise scores is in exercise mode from the start.
        self.score_label = QLabel(c.exercise.score_text())
        self.score_label.setObjectName("exerciseScore")
        self.statusBar().addPermanentWidget(self.score_label)
        self.exercise_action.setChecked(c.exercise.active)
        c.exercise.scoreChanged.connect(self.score_label.setText)
        c.exercise.activeChanged.connect(self.exercise_action.setChecked)
        c.error.connect(self.show_error)
        c.decimalsChanged.connect(self.tables.set_decimals)
        c.decimalsChanged.connect(self.diagram.set_decimals)
        self.tables.cellClicked.connect(c.select)
        self.tables.editRequested.connect(self._edit)
        self.diagram.cellClicked.connect(c.select)

    @property
    def settings_panel(self) -> SettingsPanel:
        """The lesson and settings panel, built on first use."""
        return self.settings_dock.widget()

    def _build_settings_panel(self) -> SettingsPanel:
        panel = SettingsPanel()
        panel.set_lesson(self.controller.lesson)
        panel.set_presentation(self.controller.presentation)
        c = self.controller
        c.presentationChanged.connect(panel.set_presentation)
        panel.lessonBuilt.connect(self._settings_applied)
        panel.lessonFileRequested.connect(self.open_file)
        panel.openRequested.connect(self.open_dialog)
        panel.presentationRequested.connect(c.set_presentation)
        return panel

    @property
    def exporter(self) -> Exporter:
        """File ▸ Export and the tables' right-click menus (gui/exporting.py)."""
        return self._build_exporter()

    def _build_exporter(self) -> Exporter:
        if self._exporter is None:
            from .exporting import Exporter
            exporter = Exporter(self.controller, self.tables, self.diagram, self.plot, self,
                                self._export_folder)
            # Tables built from now on get their menu as they are built.
            self.tables.tableBuilt.connect(exporter.attach_table_menu)
            for name, card in self.tables.cards.items():
                if card.built:
                    exporter.attach_table_menu(name)
            exporter.finished.connect(lambda text: self.statusBar().showMessage(text, 8000))
            exporter.failed.connect(lambda text: self.show_message("Cannot export", text))
            exporter.busyChanged.connect(
                lambda busy: busy and self.statusBar().showMessage("writing the export…"))
            self._exporter = exporter
        return self._exporter

    # -- controller → widgets ------------------------------------------------------------
    def _lesson_changed(self, lesson: Lesson) -> None:
        """A new lesson replaces everything the old one left on screen."""
        self.setWindowTitle(f"{titled_with_shape(lesson.title, lesson.architecture.layers)}"
                            f" — {APPLICATION}")
        if self.settings_dock.built:
            self.settings_panel.set_lesson(lesson)
        self.formula.set_lesson(lesson.notes, lesson.step_notes)
        self.plot.reset()
        self.tables.scroll_to_start()
        self.statusBar().clearMessage()
        self.undo_stack.clear()

    def _lesson_text_changed(self, lesson: Lesson) -> None:
        """The lesson editor changed the title or notes: nothing else is rebuilt."""
        self.setWindowTitle(f"{lesson.title} — {APPLICATION}")
        self.formula.set_lesson(lesson.notes, lesson.step_notes)

    def _matrices_changed(self, infos: list) -> None:
        arch = self.controller.architecture
        self.tables.set_matrices(infos)
        self.diagram.set_matrices(infos, arch.layers, arch.bias)
        self.formula.set_matrices(infos)

    def _position_changed(self, position, text: str) -> None:
        self.position_label.setText(text)
        self.tables.set_current(position.filling or position.step_name)
        self.diagram.set_step(position.step_name)
        self.formula.set_step(position.filling or position.step_name)
        if position.iteration != self._iteration:
            self._iteration = position.iteration
            self.undo_stack.clear()  # edits belong to the iteration they changed

    def _history_changed(self, losses, epoch: int) -> None:
        self.timeline.blockSignals(True)
        self.timeline.setRange(0, max(int(losses.size), epoch))
        self.timeline.setValue(epoch)
        self.timeline.blockSignals(False)
        self.timeline_label.setText(f" {epoch} of {self.timeline.maximum()} ")

    def _running_changed(self, running: bool) -> None:
        self.run_action.setChecked(running)
        self.run_action.setText("&Pause" if running else "&Run")
        self.tables.set_editable(not running)
        self.statusBar().showMessage("running…" if running else "paused", 3000)

    def _diverged(self, text: str) -> None:
        self._divergence = text
        self._show_banner()
        self.plot.set_divergence(text)

    def _warned(self, text: str) -> None:
        self._warning = text
        self._show_banner()
        self.plot.set_warning(text)

    def _show_banner(self) -> None:
        """The run's trouble in full above the tables: a divergence red, a warning amber."""
        text = self._divergence or self._warning
        theme = self.themes.theme
        background, ink = ((theme.error, theme.error_text) if self._divergence
                           else (theme.caution, theme.caution_text))
        self.banner.setStyleSheet(_BANNER_STYLE.format(background=background, text=ink))
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    # -- user → controller -----------------------------------------------------------------
    def _edit(self, name: str, row: int, column: int, text: str) -> None:
        if self.controller.running:
            self.show_error("pause the run before editing")
            return
        edit_cell(self.undo_stack, self.controller, name, row, column, text)

    def _timeline_moved(self) -> None:
        self.controller.jump_to_epoch(self.timeline.value())

    def _timeline_action(self, _action) -> None:
        # Keyboard and page clicks move the slider without a release: jump when it settles.
        if not self.timeline.isSliderDown():
            QTimer.singleShot(0, lambda: self.controller.jump_to_epoch(
                self.timeline.sliderPosition()))

    def _settings_applied(self, lesson: Lesson) -> None:
        if self.controller.has_progress and not self.confirm(
                "Applying these settings starts training again from the initial weights. "
                "Discard the progress so far?"):
            self.settings_panel.set_lesson(self.controller.lesson)
            return
        self.controller.open_lesson(lesson, keep_runs=True)
        self.statusBar().showMessage("settings applied", 5000)

    def _tooltip(self, name: str, row: int, column: int) -> str | None:
        explanation = self.controller.explain(name, row, column)
        return None if explanation is None else explanation.text

    def _spoken_description(self, name: str, row: int, column: int) -> str:
        """Where a cell's number comes from, for a screen reader (gui/screen_reader.py);
        the cell exercise mode asks says only what to work it out from."""
        controller = self.controller
        attempt = controller.exercise.attempt
        if attempt is not None and attempt.asked.address == (name, row, column):
            return asked_description(attempt.asked.precedents, controller.learner)
        return cell_description(controller.explain(name, row, column), controller.learner)

    # -- files -----------------------------------------------------------------------------
    def open_dialog(self) -> None:
        folder = self.settings.value("lastFolder", str(Path.home()))
        path, _ = QFileDialog.getOpenFileName(self, "Open lesson", folder,
                                              f"{LESSON_FILTER};;All files (*)")
        if path:
            self.open_file(path)

    def open_file(self, path: str) -> bool:
        """Open a lesson file; a bad file leaves the current lesson as it was."""
        try:
            lesson = load_lesson(path)
        except LessonError as exc:
            self.show_message("Cannot open the lesson", str(exc))
            return False
        if self.controller.has_progress and not self.confirm(
                f"Open “{lesson.title}” and discard the training progress so far?"):
            return False
        self.controller.open_lesson(lesson)
        self.recovery.mark_saved()
        self._remember(path)
        return True

    def import_csv(self) -> CsvImportDialog:
        """Import CSV…: the dialog reads and builds; the lesson opens after OK."""
        from .csv_dialog import CsvImportDialog
        dialog = CsvImportDialog(self.controller.presentation, self,
                                 str(self.settings.value("lastFolder", str(Path.home()))))
        return self._open_data_dialog(dialog)

    def new_from_dataset(self) -> DataSetDialog:
        """New lesson from a data set…: a built-in set with the network proposed for it."""
        from .dataset_dialog import DataSetDialog
        return self._open_data_dialog(DataSetDialog(self.controller.lesson,
                                                    self.controller.presentation, self))

    def _open_data_dialog(self, dialog):
        dialog.accepted.connect(lambda: self.open_data_lesson(dialog.lesson))
        self._data_dialog = dialog
        dialog.open()
        return dialog

    def open_data_lesson(self, lesson: Lesson) -> bool:
        """Open a lesson built on new data, asking before discarding progress."""
        if self.controller.has_progress and not self.confirm(
                f"Open “{lesson.title}” and discard the training progress so far?"):
            return False
        self.controller.open_lesson(lesson)
        self.statusBar().showMessage(f"opened {lesson.title}: X {lesson.X.shape[0]} × "
                                     f"{lesson.X.shape[1]}, y {lesson.y.shape[1]} output(s)", 8000)
        return True

    def save_dialog(self) -> bool:
        """File ▸ Save with progress… (and the Save of the question before closing)."""
        path = self._ask_save_path("Save with progress", self.controller.lesson.title)
        return bool(path) and self.save_progress_to(path)

    def save_starting_point_dialog(self) -> StartingPointDialog:
        """File ▸ Save as a new starting point…: a new title and which notes to keep, then
        where to save (the dialog is returned open, so tests can answer it)."""
        from .lesson_editor import StartingPointDialog
        dialog = StartingPointDialog(self.controller.lesson, self.controller.epochs_done, self)
        dialog.accepted.connect(lambda: self._save_starting_point(dialog))
        dialog.open()
        return dialog

    def _save_starting_point(self, dialog: StartingPointDialog) -> bool:
        path = self._ask_save_path("Save as a new starting point", dialog.title)
        return bool(path) and self.save_to(path, dialog.title, dialog.notes, dialog.step_notes)

    def _ask_save_path(self, caption: str, title: str) -> str:
        """Where to save ("" when cancelled): the dialog starts where the last save went,
        else in the documents folder, with a name made from ``title``; a file in the
        built-in lessons folder is refused and the dialog asked again."""
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        if not documents or not Path(documents).is_dir():
            documents = str(Path.home())
        folder = str(self.settings.value("saveFolder", documents))
        if not Path(folder).is_dir() or in_builtin_folder(folder):
            folder = documents
        while True:
            path = ask_lesson_save_path(self, caption, str(Path(folder) / proposed_file_name(title)))
            if not path or not in_builtin_folder(path):
                return path
            # Said in the dialog's own title, which is asked again at once.
            self.show_error(f"{path}: {BUILTIN_REFUSAL}")
            caption, folder = f"{caption}: {BUILTIN_REFUSAL}", documents

    def save_progress_to(self, path: str) -> bool:
        """Save the lesson with its ``session`` key: reopening it resumes at the same epoch,
        step, selected cell and loss history, bit for bit."""
        return self._write_lesson(path, lambda: self.controller.files.session_snapshot(
            path, self.controller.selection))

    def save_to(self, path: str, title: str | None = None, notes: str | None = None,
                step_notes: dict[str, str] | None = None) -> bool:
        """Save the lesson with the current weights as its explicit initial values (a new
        starting point); ``title``, ``notes`` and ``step_notes``, given, replace the lesson's."""
        return self._write_lesson(path, lambda: self.controller.files.saved_lesson(
            path, title, notes, step_notes))

    def _write_lesson(self, path: str, document) -> bool:
        """Write ``document()`` to ``path``; refused in the built-in lessons folder."""
        if in_builtin_folder(path):
            self.show_message("Cannot save", f"{path}: {BUILTIN_REFUSAL}.")
            return False
        try:
            save_lesson(document(), path)
        except OSError as exc:
            self.show_message("Cannot save", f"{path}: {exc.strerror or exc}")
            return False
        self.recovery.mark_saved()
        self._remember(path)
        self.settings.setValue("saveFolder", str(Path(path).resolve().parent))
        note = self.controller.files.save_note()
        if note:
            self.show_message("Saved before the divergence", f"Saved {path}: {note}.")
        self.statusBar().showMessage(f"saved {path}", 5000)
        return True

    def _remember(self, path: str) -> None:
        path = str(Path(path).resolve())
        recent = [p for p in self._recent() if p != path]
        self.settings.setValue("recentFiles", [path] + recent[: MAX_RECENT - 1])
        self.settings.setValue("lastFolder", str(Path(path).parent))
        self._refresh_recent()

    def _recent(self) -> list[str]:
        value = self.settings.value("recentFiles", [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        return [str(v) for v in value or []]

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for number, path in enumerate(self._recent(), start=1):
            # Numbered from 1, so Alt+F, C, 1 opens the last one ("&&": a plain "&").
            name = Path(path).name.replace("&", "&&")
            action = self.recent_menu.addAction(f"&{number} {name}")
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_file(p))
        self.recent_menu.setEnabled(bool(self._recent()))

    # -- view --------------------------------------------------------------------------------
    def copy_table(self) -> None:
        card = self.tables.focused_card()
        selection = self.controller.selection
        if selection is not None and selection[0] in self.tables.cards and card is None:
            card = self.tables.cards[selection[0]]
        if card is None:
            self.statusBar().showMessage("click a table first, then copy", 5000)
            return
        QGuiApplication.clipboard().setText(card.model.to_tsv())
        self.statusBar().showMessage(f"copied {card.model.info.learner} as tab-separated text",
                                     5000)

    def paste_into_table(self) -> bool:
        """Paste the clipboard's numbers into the selected cell's table (one Undo step)."""
        selection = self.controller.selection
        if selection is None:
            self.show_error("select a cell of X, y, a weight or a bias first, then paste")
            return False
        if self.controller.running:
            self.show_error("pause the run before pasting")
            return False
        from .paste import paste_block  # imported on the first paste
        return paste_block(self.undo_stack, self.controller, *selection,
                           QGuiApplication.clipboard().text())

    def zoom(self, direction: int) -> None:
        """Scale every font up (+1), down (−1) or back to normal (0), for projectors."""
        size = QApplication.font().pointSizeF()
        size = (self._normal_points if direction == 0
                else max(MIN_POINTS, min(MAX_POINTS, size * (1.15 ** direction))))
        self.settings.setValue("fontSize", size)
        self._apply_font(size)
        if self._presenter is not None:  # else it is built at this zoom
            self._presenter.set_zoom(size / self._normal_points)

    def set_theme_choice(self, choice: str) -> None:
        """View ▸ Theme: follow the system (``FOLLOW_SYSTEM``) or a theme's name
        (gui/theme.py), shown at once everywhere and remembered for the next start."""
        self.settings.setValue("theme", choice)
        self.themes.choose(choice)
        self._check_theme_choice()

    def _apply_theme(self, theme: Theme) -> None:
        """Repaint what paints beyond the palette in ``theme``: tables, diagram,
        loss plot, presenter, exercise box, the trouble banner; and tick the choice in
        the menu."""
        self.tables.set_theme(theme)
        self.diagram.set_theme(theme)
        self.plot.set_theme(theme)
        if self._presenter is not None:  # else it is built in this theme
            self._presenter.set_theme(theme)
        self.exercise_box.set_theme(theme)
        self._show_banner()
        self._check_theme_choice()

    def _check_theme_choice(self) -> None:
        for action in self.theme_actions.actions():
            action.setChecked(action.data() == self.themes.choice)

    @property
    def presenting(self) -> bool:
        return self._before_presenting is not None

    def set_presenting(self, on: bool) -> None:
        """Enter or leave presenter mode: full screen, toolbars, menus and docks hidden,
        one large view at a time (gui/presenter.py); leaving puts everything back."""
        if on == self.presenting:
            self.presenter_action.setChecked(on)
            return
        if on:
            self._before_presenting = (self.saveState(), self.windowState())
            for bar in self.findChildren(QToolBar):
                bar.hide()
            for dock in self.findChildren(QDockWidget):
                dock.hide()
            self.menuBar().hide()
            self.statusBar().hide()
            self.pages.setCurrentWidget(self.presenter)
            self.showFullScreen()
            self.presenter.start()
            self.presenter.setFocus()
        else:
            self.presenter.stop()
            state, window_state = self._before_presenting
            self._before_presenting = None
            self.pages.setCurrentIndex(0)
            self.menuBar().show()
            self.statusBar().show()
            self.restoreState(state)
            self.setWindowState(window_state)
        self.presenter_action.setChecked(on)

    def _apply_font(self, size: float) -> None:
        font = QFont(QApplication.font())
        font.setPointSizeF(size)
        QApplication.setFont(font)
        # Qt posts the new font to the widgets that exist (this window, at start): delivered
        # now, so that the widgets made next inherit it and everything is measured once in
        # it, rather than in the old font first and again when the event loop starts.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.ApplicationFontChange)

    def show_tour(self) -> QMessageBox:
        from .getting_started import tour_html  # imported when first asked for
        docks = self.teaching_docks_b + self.teaching_docks_a
        return self.show_message("Getting started", tour_html(
            self.step_action, self.run_action, [dock.windowTitle() for dock in docks]))

    def show_shortcuts(self) -> None:
        self.show_message("Keyboard shortcuts", SHORTCUTS)

    def show_glossary(self) -> None:
        """Each quantity's names side by side: the walk-through's, the error form's and
        the gradient form's symbols, what it is, and how they relate."""
        rows = "".join(
            f"<tr><td>{escape(learner)}</td><td>{escape(error)}</td><td>{escape(gradient)}</td>"
            f"<td>{escape(meaning)}</td><td>{escape(equation)}</td></tr>"
            for learner, error, gradient, meaning, equation in self.controller.glossary())
        self.show_message(
            "Glossary",
            "<p>The same quantity has a name in each presentation: the error form (the "
            "Excel walk-through's names, backward quantities negated, updates add) and the "
            "gradient form (δ = ∂J/∂z, updates subtract).</p>"
            "<table cellspacing='6'><tr><th align='left'>name</th><th align='left'>error form"
            "</th><th align='left'>gradient form</th><th align='left'>what it is</th>"
            f"<th align='left'>the same as</th></tr>{rows}</table>")

    def show_about(self) -> None:
        """Name, version, the licences of what the app ships, and where its files are."""
        from engine.about import LICENCES, app_version
        from engine.lesson import builtin_lessons_dir
        licences = "".join(f"<tr><td>{escape(name)}</td><td>{escape(licence)}</td></tr>"
                           for name, licence, _ in LICENCES)
        self.show_message(
            "About Backprop Tracer",
            f"<b>Backprop Tracer {escape(app_version())}</b><br>Watch a neural network compute, "
            "err and correct itself, number by number: every matrix of one training iteration, "
            "each cell's formula and the cells it came from."
            f"<p>Lesson files: <i>*{LESSON_SUFFIX}</i> (plain <i>*.json</i> lessons open too)."
            f"<br>Built-in lessons: {escape(str(builtin_lessons_dir()))}"
            f"<br>Recovery copies: {escape(str(data_folder(self.settings)))}</p>"
            f"<table cellspacing='4'><tr><th align='left'>part</th>"
            f"<th align='left'>licence</th></tr>{licences}</table>")

    def show_error(self, text: str) -> None:
        """A refused action: said in the status bar, never as a dialog storm."""
        self.statusBar().showMessage(text, 10000)

    def show_message(self, title: str, text: str) -> QMessageBox:
        """A non-blocking message box (the event loop, and training, carry on)."""
        box = QMessageBox(QMessageBox.Icon.Information, title, text,
                          QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.open()
        self._message_box = box
        return box

    @property
    def last_message(self) -> str:
        return "" if self._message_box is None else self._message_box.text()

    def confirm(self, question: str) -> bool:
        """Ask before discarding work (tests replace this method)."""
        answer = QMessageBox.question(self, APPLICATION, question,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    # -- settings -----------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            screen = QGuiApplication.primaryScreen().availableGeometry()
            self.resize(int(screen.width() * 0.9), int(screen.height() * 0.9))
        state = self.settings.value("windowState")
        saved = isinstance(state, QByteArray) and not state.isEmpty()
        if saved:
            self._default_docks()   # for docks the saved state does not know
            self.restoreState(state)
        # A dock that will show is built now: built as it shows, its view would make the
        # window lay out again, and fit the tables and the diagram again, before painting.
        for dock in self.findChildren(ViewDock):
            if dock.isVisibleTo(self):
                dock.widget()
        if not saved:
            self._default_docks()
            self._first_start = True   # sized again if shown at another size (showEvent)
        # "log" or "linear" as the user chose; anything else leaves the scale to the data.
        scale = self.settings.value("lossScale", "automatic")
        if scale in ("log", "linear"):
            self.plot.set_log(scale == "log")

    def _saved_number(self, key: str, default, kind, low, high):
        """The saved setting ``key`` as ``kind`` within [low, high]; ``default`` (and a
        note for the status bar) when it is not a number — a settings file edited by
        hand or cut short must not stop the window from opening."""
        value = self.settings.value(key, default)
        try:
            number = kind(value)
        except (TypeError, ValueError):
            self._unreadable.append(f"{key} = {value!r}")
            return default
        if number != number:  # NaN
            self._unreadable.append(f"{key} = {value!r}")
            return default
        return max(low, min(high, number))

    def _restore_decimals(self) -> None:
        box = self.decimals_box
        decimals = self._saved_number("decimals", self.controller.decimals, int,
                                      box.minimum(), box.maximum())
        box.setValue(decimals)  # a change tells the controller (valueChanged)
        if self.controller.decimals != box.value():
            self.controller.set_decimals(box.value())

    def _default_docks(self) -> None:
        """Settings on the left as narrow as they allow; diagram above the formula and
        the plot on the right, sized for a projector but leaving the tables the width
        they need (down to the diagram's own minimum)."""
        width = self.width()
        self._docks_sized_for = self.size()
        # An unbuilt settings dock is a hidden one (a dock to be shown is built first,
        # in _restore_settings): it takes no width.
        built = self.settings_dock.built
        settings = self.settings_panel.minimumSizeHint().width() if built else 0
        separators = 2 * self.style().pixelMetric(QStyle.PixelMetric.PM_DockWidgetSeparatorExtent)
        right = max(self.diagram_dock.minimumSizeHint().width(),
                    min(int(width * 0.38),
                        width - settings - separators - self.tables.needed_width()))
        docks = [self.diagram_dock] + ([self.settings_dock] if built else [])
        self.resizeDocks(docks, [right, settings][:len(docks)], Qt.Orientation.Horizontal)
        height = self.height()
        self.resizeDocks([self.diagram_dock, self.formula_dock, self.plot_dock],
                         [int(height * 0.46), int(height * 0.26), int(height * 0.28)],
                         Qt.Orientation.Vertical)

    def paintEvent(self, event) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self._painted:
            # The window's own paint opens the first paint pass; one turn of the event
            # loop later every widget in it has been painted.
            self._painted = True
            QTimer.singleShot(0, self, self._after_first_paint)

    def showEvent(self, event) -> None:  # noqa: N802
        if self._first_start:
            # Shown at another size than it was made at: sized again, before it is
            # painted, so that the first paint is the layout the learner keeps.
            self._first_start = False
            if self.size() != self._docks_sized_for:
                self._default_docks()
        super().showEvent(event)

    def _after_first_paint(self) -> None:
        self.firstPainted.emit()
        self._build_exporter()

    def closeEvent(self, event) -> None:  # noqa: N802
        self.controller.pause()
        self.set_presenting(False)  # the docks and bars as the learner had them are saved
        if self.recovery.unsaved:  # ask first; the answer closes again (gui/recovery.py)
            event.ignore()
            if self.close_question is None or not self.close_question.isVisible():
                ask_before_closing(self)
            return
        self.recovery.discard()
        self.recovery.release()
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("windowState", self.saveState())
        choice = self.plot.log_choice
        self.settings.setValue("lossScale", "automatic" if choice is None
                               else "log" if choice else "linear")
        self.settings.setValue("decimals", self.controller.decimals)
        self.settings.sync()
        super().closeEvent(event)
