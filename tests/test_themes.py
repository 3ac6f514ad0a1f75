"""View ▸ Theme: light, dark, high contrast and "Follow the system" (gui/theme.py).

Read from a real window after switching: the colours the table models give
a highlighted cell, the diagram's items, the loss plot's background and
axes; the text on yellow, orange, the green of a right answer and a normal
cell keeps WCAG AA contrast (4.5:1) in every theme, and the marked cells
keep their border, so colour is never the only cue.
"""
from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from engine.lesson import resolve_lesson
from gui.theme import (AA_CONTRAST, CHOICES, DARK, FOLLOW_SYSTEM, HIGH_CONTRAST, LIGHT, THEMES,
                       ThemeSwitcher, contrast_ratio, relative_luminance, theme_for, theme_of)
from tests.window_helpers import open_window

BG, FG = Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole
STEPS_TO_Z1 = 11   # the walk-through's steps up to d_hiddenlayer: z1 is computed by then


@pytest.fixture(autouse=True)
def platform_theme(qapp):
    """Every test leaves the application as it found it: following the real system."""
    yield
    switcher = ThemeSwitcher.of_application()
    switcher.system_scheme_changed(QGuiApplication.styleHints().colorScheme())
    switcher.choose(FOLLOW_SYSTEM)


@pytest.fixture
def window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path)


def select_z1(window, qtbot):
    """A few steps into the walk-through, z1's cell (1, 2) selected: yellow, with
    X's row 1 and W1's column 2 orange."""
    for _ in range(STEPS_TO_Z1):
        window.step_action.trigger()
    with qtbot.waitSignal(window.controller.selectionChanged):
        window.controller.select("z1", 1, 2)


def theme_action(window, key: str):
    return next(a for a in window.theme_menu.actions() if a.data() == key)


def choose(window, key: str) -> None:
    theme_action(window, key).trigger()


def cell_colours(model, row: int, column: int, view) -> tuple[QColor, QColor]:
    """(text, background) of a cell as the view paints it: the model's roles, else
    the view's palette."""
    index = model.index(row, column)
    background, text = model.data(index, BG), model.data(index, FG)
    palette = view.palette()
    return (palette.color(QPalette.ColorRole.Text) if text is None else text.color(),
            palette.color(QPalette.ColorRole.Base) if background is None else background.color())


def live_banner(window, diverged: bool) -> tuple[QColor, QColor]:
    """(text, background) of the trouble banner above the tables, as its style sets them."""
    trouble = window._diverged if diverged else window._warned
    trouble("the run's trouble")
    window.banner.ensurePolished()
    palette = window.banner.palette()
    colours = (palette.color(QPalette.ColorRole.WindowText),
               palette.color(QPalette.ColorRole.Window))
    trouble("")
    return colours


def live_problem_line(window, warning: bool) -> tuple[QColor, QColor]:
    """(text, window) of the loss plot's warning line showing a divergence or a warning."""
    label = window.plot.warning_label
    label.set_warning(warning)
    palette = label.palette()
    return palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window)


# -- contrast --------------------------------------------------------------------------------
def test_wcag_contrast_formula():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    assert contrast_ratio("#FFFFFF", "#767676") == pytest.approx(4.54, abs=0.01)  # WCAG's own
    assert relative_luminance("#FF0000") == pytest.approx(0.2126)


@pytest.mark.parametrize("key", list(THEMES))
def test_text_on_every_highlight_keeps_aa_contrast(window, qtbot, key):
    select_z1(window, qtbot)
    choose(window, key)
    theme = THEMES[key]
    assert window.themes.theme is theme
    z1, x = window.tables.cards["z1"], window.tables.cards["X"]
    active = cell_colours(z1.model, 1, 2, z1.view)
    precedent = cell_colours(x.model, 1, 0, x.view)
    normal = cell_colours(z1.model, 0, 0, z1.view)
    z1.model.set_term({(2, 2)})  # an expanded sum's term being added (Ctrl+T)
    term = cell_colours(z1.model, 2, 2, z1.view)
    assert term[1] == QColor(theme.term)
    z1.model.set_term(set())
    assert active[1] == QColor(theme.active) and precedent[1] == QColor(theme.precedent)
    assert normal[1] == window.palette().color(QPalette.ColorRole.Base)
    pairs = {"active": active, "precedent": precedent, "term": term, "normal": normal,
             # The exercise's "answered right" green and the small change note on marks.
             "right": (QColor(theme.mark_text), QColor(theme.right)),
             "note on yellow": (QColor(theme.mark_note), QColor(theme.active)),
             "note on orange": (QColor(theme.mark_note), QColor(theme.precedent)),
             "diverged banner": live_banner(window, diverged=True),
             "warning banner": live_banner(window, diverged=False),
             "diverged": live_problem_line(window, warning=False),
             "warning": live_problem_line(window, warning=True),
             "settings message": (window.settings_panel.message.palette().color(
                 QPalette.ColorRole.WindowText), window.palette().color(QPalette.ColorRole.Window)),
             "right answer": (QColor(theme.right_text),
                              window.palette().color(QPalette.ColorRole.Window))}
    for what, (text, background) in pairs.items():
        assert contrast_ratio(text, background) >= AA_CONTRAST, (key, what, text.name(),
                                                                  background.name())


@pytest.mark.parametrize("key", list(THEMES))
def test_marked_cells_keep_their_border(window, qtbot, key):
    """Not colour alone: inside the marked cell's edge the border's dark ink, not the
    fill; in a dark theme also a light halo outside it, against the dark cells."""
    select_z1(window, qtbot)
    choose(window, key)
    theme = THEMES[key]
    for name, (row, column), fill in (("z1", (1, 2), theme.active),
                                      ("X", (1, 1), theme.precedent)):
        view = window.tables.cards[name].view
        image = view.viewport().grab().toImage()
        rect = view.visualRect(view.model().index(row, column))
        # The frame is drawn 1 px inside the cell; dashes leave gaps, so look along a stretch.
        column_of_pixels = [QColor(image.pixel(x, y)) for x in (rect.left() + 1, rect.left() + 2)
                            for y in range(rect.top() + 3, rect.bottom() - 2)]
        dark = [c for c in column_of_pixels if contrast_ratio(c, QColor(fill)) > 3.0]
        assert dark, (key, name)
        assert QColor(image.pixel(rect.center().x(), rect.top() + 4)) == QColor(fill)
        if theme.mark_halo is not None:  # dark cells around: a light ring just outside
            base = view.palette().color(QPalette.ColorRole.Base)
            outside = [QColor(image.pixel(x, y)) for x in range(rect.left() - 3, rect.left())
                       for y in range(rect.top() + 3, rect.bottom() - 2)]
            assert any(contrast_ratio(c, base) > 3.0 for c in outside), (key, name)
    assert theme.active_border >= LIGHT.active_border
    assert HIGH_CONTRAST.active_border > LIGHT.active_border
    assert HIGH_CONTRAST.precedent_border > LIGHT.precedent_border


# -- switching repaints everything ---------------------------------------------------------------
def test_switching_repaints_tables_diagram_plot_and_presenter(window, qtbot):
    select_z1(window, qtbot)
    diagram, plot = window.diagram, window.plot.plot
    seen = {}
    for key in (DARK.name, HIGH_CONTRAST.name, LIGHT.name):
        choose(window, key)
        theme = THEMES[key]
        selected = diagram.neurons[(1, 2)]
        assert selected.brush().color() == QColor(theme.active)
        assert selected.pen().widthF() > theme.active_border  # the bold ring
        assert diagram.neurons[(0, 1)].brush().color() == QColor(theme.precedent)
        assert diagram.neurons[(0, 1)].pen().style() == Qt.PenStyle.DashLine
        plain = diagram.neurons[(2, 0)]
        assert plain.brush().color() == diagram.palette().color(QPalette.ColorRole.Base)
        signs = {QColor(theme.positive).rgb(), QColor(theme.negative).rgb()}
        unlit = [line for (l, i, j), line in diagram.edges.items() if l == 2]
        assert unlit and all(line.pen().color().rgb() in signs for line in unlit)
        axis = plot.getAxis("left")
        ink = window.palette().color(QPalette.ColorRole.WindowText)
        assert axis.pen().color() == ink and axis.textPen().color() == ink
        assert window.plot.curve.opts["pen"].color() == QColor(theme.plot_curve)
        assert window.tables.cards["z1"].model.theme is theme
        assert window.presenter._theme is theme
        assert live_banner(window, diverged=True)[1] == QColor(theme.error)
        seen[key] = (plain.brush().color().name(), plot.backgroundBrush(), ink.name())
    dark, contrast, light = (seen[k] for k in (DARK.name, HIGH_CONTRAST.name, LIGHT.name))
    assert dark[0] != light[0] and contrast[0] != dark[0]          # the diagram's circles
    assert dark[1].color() == QColor(DARK.plot_background)          # the plot's background
    assert contrast[1].color() == QColor(HIGH_CONTRAST.plot_background)
    assert light[1].style() == Qt.BrushStyle.NoBrush                # the dock's own, as before
    assert len({dark[2], contrast[2], light[2]}) == 3               # the axes' ink


def test_cards_made_after_a_switch_are_in_the_theme(window, qtbot):
    """Another lesson's tables, and presenter mode's cards, are made in the theme shown."""
    choose(window, DARK.name)
    assert window.open_file(str(resolve_lesson("xor_biases")))
    assert "W2" in window.tables.cards
    assert all(card.model.theme is DARK for card in window.tables.cards.values())
    window.set_presenting(True)
    for _ in range(3):  # the presenter lights the first cell of each matrix computed
        window.controller.step()
    assert window.presenter.cards
    assert all(card.model.theme is DARK for card in window.presenter.cards.values())
    assert DARK.active in window.presenter.formula_label.text()
    window.set_presenting(False)


def test_teaching_views_follow_the_theme(window, qtbot):
    """A teaching view built before the switch repaints too: the race's background,
    legend and hint, and every view's axes, in the palette's colours."""
    race, activation, landscape = window.race_view, window.activation_view, window.landscape_view
    choose(window, DARK.name)
    ink = QColor(DARK.text)
    assert activation.z_line.pen.color() == ink                    # lines drawn in the ink
    assert landscape.tangent.opts["pen"].color() == ink
    assert landscape.tangent.opts["pen"].style() == Qt.PenStyle.DashLine
    assert race.plot.backgroundBrush().color() == QColor(DARK.window)
    assert race.legend.opts["labelTextColor"] == ink
    assert race.hint.color == QColor(DARK.placeholder)
    for plot in (race.plot, activation.plot):
        assert plot.getAxis("bottom").textPen().color() == ink
    choose(window, LIGHT.name)
    assert race.plot.backgroundBrush().color() == window.palette().color(QPalette.ColorRole.Window)
    assert activation.plot.getAxis("bottom").textPen().color() != ink
    assert activation.z_line.pen.color() == window.palette().color(QPalette.ColorRole.WindowText)


# -- the menu, the settings and the system ------------------------------------------------------
def test_menu_offers_four_choices_and_remembers_one(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    assert [a.text() for a in window.theme_menu.actions()] == [text for _k, text in CHOICES]
    assert [a.text().replace("&", "") for a in window.theme_menu.actions()] == [
        "Follow the system", "Light", "Dark", "High contrast"]
    assert theme_action(window, FOLLOW_SYSTEM).isChecked()  # the default
    choose(window, HIGH_CONTRAST.name)
    assert theme_action(window, HIGH_CONTRAST.name).isChecked()
    assert not theme_action(window, FOLLOW_SYSTEM).isChecked()
    window.settings.sync()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert settings.value("theme") == HIGH_CONTRAST.name
    window.close()
    ThemeSwitcher.of_application().choose(FOLLOW_SYSTEM)  # as a new start would find it

    again = open_window(qtbot, tmp_path)
    assert again.themes.theme is HIGH_CONTRAST
    assert theme_action(again, HIGH_CONTRAST.name).isChecked()
    assert again.palette().color(QPalette.ColorRole.Base) == QColor(HIGH_CONTRAST.base)
    assert again.diagram._theme is HIGH_CONTRAST


def test_follow_the_system_turns_dark_and_back(window, qtbot):
    select_z1(window, qtbot)
    hints = QGuiApplication.styleHints()
    with qtbot.waitSignal(window.themes.themeChanged):
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert window.themes.theme is DARK
    assert window.palette().color(QPalette.ColorRole.Base) == QColor(DARK.base)
    assert window.plot.plot.backgroundBrush().color() == QColor(DARK.plot_background)
    assert theme_action(window, FOLLOW_SYSTEM).isChecked()
    with qtbot.waitSignal(window.themes.themeChanged):
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert window.themes.theme is LIGHT
    # A theme chosen by hand stays, whatever the system does.
    choose(window, HIGH_CONTRAST.name)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert window.themes.theme is HIGH_CONTRAST
    choose(window, FOLLOW_SYSTEM)
    assert window.themes.theme is DARK   # the system is dark now


def test_theme_of_a_palette():
    assert theme_of(DARK.palette()) is DARK
    assert theme_of(HIGH_CONTRAST.palette()) is HIGH_CONTRAST
    assert theme_of(QPalette(QColor("#F5F5F5"))) is LIGHT     # a platform's light palette
    assert theme_of(QPalette(QColor("#303030"))) is DARK      # a platform's dark one


def test_theme_for_choice_and_scheme():
    assert theme_for(FOLLOW_SYSTEM, Qt.ColorScheme.Dark) is DARK
    assert theme_for(FOLLOW_SYSTEM, Qt.ColorScheme.Light) is LIGHT
    assert theme_for(FOLLOW_SYSTEM, Qt.ColorScheme.Unknown) is LIGHT
    assert theme_for(HIGH_CONTRAST.name, Qt.ColorScheme.Light) is HIGH_CONTRAST
    assert theme_for("no such theme", Qt.ColorScheme.Dark) is DARK


# -- every teaching view's own colours, read from the live widgets ---------------------------
LINE_CONTRAST = 3.0   # WCAG 2's non-text contrast: curves, markers, the lines of a key


def show_view(qtbot, window, view) -> None:
    dock = next(d for d in window.teaching_docks_a + window.teaching_docks_b
                if d.widget() is view)
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: view.isVisible())


def window_colour(widget) -> QColor:
    return widget.palette().color(QPalette.ColorRole.Window)


def plot_colours(plot) -> tuple[QColor, list, list]:
    """(background, lines, texts) of a FittedPlot as drawn now: its own background or
    else the window's under it; every data line's and infinite line's pen colour;
    the axes' and the legend's text colours."""
    item = plot.getPlotItem()
    brush = plot.backgroundBrush()
    background = (brush.color() if brush.style() != Qt.BrushStyle.NoBrush
                  else window_colour(plot))
    lines = []
    for data in item.listDataItems():
        if not isinstance(data, pg.PlotDataItem):
            continue   # the current point's marker: black-ringed yellow, seen on any ground
        pen = data.opts["pen"]
        if pen is not None and pg.mkPen(pen).style() != Qt.PenStyle.NoPen:
            lines.append((data.name() or "a curve", pg.mkPen(pen).color()))
        if data.opts["symbol"] is not None and data.opts["symbolBrush"] is not None:
            lines.append((f"{data.name()}'s marks", pg.mkBrush(data.opts["symbolBrush"]).color()))
    for other in item.items:
        if hasattr(other, "pen") and type(other).__name__ == "InfiniteLine":
            lines.append(("a marker line", other.pen.color()))
    texts = [(f"{name} axis", item.getAxis(name).textPen().color()) for name in ("left", "bottom")]
    legend = item.legend
    if legend is not None:
        texts += [(f"legend {label.text!r}", QColor(legend.opts["labelTextColor"]))
                  for _sample, label in legend.items]
        box = legend.opts["brush"]
        if box is not None and box.style() != Qt.BrushStyle.NoBrush:
            # The legend's own box: its words are read against it, not the plot.
            texts = [(what, colour) for what, colour in texts if not what.startswith("legend")]
            key_background = _over(box.color(), background)
            for _sample, label in legend.items:
                assert contrast_ratio(QColor(legend.opts["labelTextColor"]),
                                      key_background) >= AA_CONTRAST, label.text
    return background, lines, texts


def _over(colour: QColor, background: QColor) -> QColor:
    """``colour`` (maybe see-through) painted over ``background``."""
    share = colour.alphaF()
    return QColor(*(round(c * share + b * (1 - share)) for c, b in
                    ((colour.red(), background.red()), (colour.green(), background.green()),
                     (colour.blue(), background.blue()))))


def faint(background: QColor, lines, texts) -> list[str]:
    """What is drawn below WCAG's contrast against ``background``."""
    return ([f"{what} {colour.name()}" for what, colour in lines
             if contrast_ratio(colour, background) < LINE_CONTRAST]
            + [f"{what} {colour.name()}" for what, colour in texts
               if contrast_ratio(colour, background) < AA_CONTRAST])


def race_to_the_end(qtbot, view) -> None:
    view.epochs_box.setValue(5)
    view.start()
    qtbot.waitUntil(lambda: not view.running, timeout=20000)
    assert view.curves


@pytest.mark.parametrize("key", [DARK.name, HIGH_CONTRAST.name])
def test_every_teaching_view_reads_on_the_dark_themes(window, qtbot, key):
    """After switching to a dark theme no curve of the race, the training modes, the
    activation functions, the loss landscape or the accuracy is below 3:1 against what
    it is drawn on, and no text of theirs (axes, keys, hint) below 4.5:1; the code view's lit
    line, its lines still to run and the tried input's selected cell keep 4.5:1 in
    the theme's own yellow. The curves were drawn before the switch: they follow it."""
    for _ in range(2):
        window.controller.step_epoch()
    for _ in range(3):
        window.step_action.trigger()
    race, modes, accuracy = window.race_view, window.modes_view, window.accuracy_view
    activation, landscape = window.activation_view, window.landscape_view
    code, tried = window.code_view, window.try_input_view
    for view in (race, modes):
        show_view(qtbot, window, view)
        race_to_the_end(qtbot, view)
    for view in (activation, landscape, code, tried, accuracy):
        show_view(qtbot, window, view)
    tried.fill_sample()
    tried.explain(tried.model.index(0, 0))
    choose(window, key)
    theme = THEMES[key]
    # The accuracy view redraws on its next frame (a throttled view).
    qtbot.waitUntil(lambda: accuracy.training.opts["pen"].color() == QColor(theme.plot_curve))
    assert theme.plot_curve in accuracy.key.text()
    problems = []
    for name, plot in (("race", race.plot), ("modes", modes.plot),
                       ("activation", activation.plot), ("landscape", landscape.curve_plot),
                       ("accuracy", accuracy.plot)):
        background, lines, texts = plot_colours(plot)
        assert lines, name
        problems += [f"{name}: {p}" for p in faint(background, lines, texts)]
    for view in (race, modes):
        background = window_colour(view.plot)
        problems += [f"hint: {p}" for p in faint(background, [], [("hint", view.hint.color)])]
        # Every run a colour of its own, and no two runs alike in colour and dash.
        pens = [curve.opts["pen"] for curve in view.curves]
        assert len({(p.color().name(), p.style()) for p in pens}) == len(pens)

    selections = code.code.extraSelections()
    base = code.code.palette().color(QPalette.ColorRole.Base)
    lit = [s for s in selections if s.format.fontWeight() > 500]
    assert lit and all(s.format.background().color() == QColor(theme.active) for s in lit)
    pending = [s for s in selections if s.format.hasProperty(s.format.Property.ForegroundBrush)
               and s.format.fontWeight() <= 500]
    assert pending
    pairs = [("code: the lit line", s.format.foreground().color(), s.format.background().color())
             for s in lit]
    pairs += [("code: a line still to run", s.format.foreground().color(), base)
              for s in pending]
    pairs.append(("code: a line run", code.code.palette().color(QPalette.ColorRole.Text), base))
    cell = tried.model.index(0, 0)
    text, background = QColor(tried.model.data(cell, FG)), QColor(tried.model.data(cell, BG))
    assert background == QColor(theme.active)
    pairs.append(("tried input: the selected cell", text, background))
    problems += [f"{what} {text.name()} on {ground.name()}" for what, text, ground in pairs
                 if contrast_ratio(text, ground) < AA_CONTRAST]
    assert problems == [], key
    assert race.curves[0].opts["pen"].color() == QColor(theme.runs[0])


def test_run_colours_keep_three_to_one_on_their_window():
    """The theme's run colours against its own window and plot backgrounds, and
    distinct from one another."""
    for theme in (DARK, HIGH_CONTRAST):
        for ground in filter(None, (theme.window, theme.base, theme.plot_background)):
            weak = [c for c in theme.runs if contrast_ratio(c, ground) < LINE_CONTRAST]
            assert weak == [], (theme.name, ground)
    for theme in THEMES.values():
        assert len(set(theme.runs)) == len(theme.runs) >= 8
