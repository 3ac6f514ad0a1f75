"""Everyone can use it: the keyboard alone, and a screen reader through Qt's accessibility API.

A whole iteration of the walk-through is driven by key events only (Space
steps, Tab goes to the card just computed, the arrows and Enter choose a cell,
the formula panel follows); the cells, the diagram's neurons and edges and the
formula panel are read back through ``QAccessible`` as a screen reader would;
every menu entry has an access key of its own.
"""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QMenu, QToolBar

from engine.catalogue import column_label, sample_label
from engine.number_text import shown_number
from window_helpers import open_window

NAME, DESCRIPTION = QAccessible.Text.Name, QAccessible.Text.Description


@pytest.fixture
def window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path)


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key where the keyboard is now, as a user's key press goes."""
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard"
    qtbot.keyClick(target, key, modifier)


def focused_card(window) -> str | None:
    """The card whose table has the keyboard, by matrix name."""
    for name, card in window.tables.cards.items():
        if card.built and card.view.hasFocus():
            return name
    return None


def cell_texts(view) -> dict[tuple[int, int], tuple[str, str]]:
    """Every cell of a table as a screen reader reads it: (row, column) -> (name, description)."""
    table = QAccessible.queryAccessibleInterface(view)
    assert table is not None and table.role() == QAccessible.Role.Table
    info, (rows, columns) = view.model().info, view.model().shape
    assert table.text(NAME) == f"{info.learner} ({rows} × {columns})"   # named as its card
    model = view.model()
    columns = model.columnCount()
    cells = [table.child(i) for i in range(table.childCount())]
    cells = [cell for cell in cells if cell.role() == QAccessible.Role.Cell]
    assert len(cells) == model.rowCount() * columns
    return {(i // columns, i % columns): (cell.text(NAME), cell.text(DESCRIPTION))
            for i, cell in enumerate(cells)}


# -- the keyboard -------------------------------------------------------------------------
def test_a_whole_iteration_by_keyboard_alone(qtbot, window):
    controller = window.controller
    # The window opens with the keyboard in the tables, where Space steps.
    assert QApplication.focusWidget() is window.tables
    steps = controller.position.steps
    for step in range(1, steps + 1):
        press(qtbot, Qt.Key.Key_Space)
        position = controller.position
        assert position.step == step, f"Space did not step at step {step}"
        name = position.step_name
        press(qtbot, Qt.Key.Key_Tab)
        assert focused_card(window) == name, f"Tab went to {focused_card(window)}, not {name}"
        card = window.tables.cards[name]
        # The keyboard is visible: the card's frame is painted for it.
        assert card.view.hasFocus() and card.view.currentIndex().isValid()
        for key in (Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Return):
            press(qtbot, key)
        assert position == controller.position, "an arrow stepped instead of moving in the table"
        cursor = card.view.currentIndex()
        rows, columns = card.model.shape
        assert (cursor.row(), cursor.column()) == (min(1, rows - 1), min(1, columns - 1))
        assert controller.selection == (name, cursor.row(), cursor.column())
        explanation = controller.explain(*controller.selection)
        assert window.formula.cell_text == explanation.text
        assert explanation.text in window.formula.cell_label.accessibleName()
    assert controller.position.step == steps


def test_shift_tab_goes_back_a_card_and_tab_leaves_the_last(qtbot, window):
    tables = window.tables
    names = list(tables.cards)
    tables.focus_card(names[3])
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused_card(window) == names[2]
    tables.focus_card(names[-1])
    press(qtbot, Qt.Key.Key_Tab)
    focused = QApplication.focusWidget()
    assert focused is not tables and not tables.isAncestorOf(focused), \
        "Tab from the last card stayed in the tables"
    # On along the window: the diagram and the formula panel are reached by Tab too.
    reached = set()
    for _ in range(12):
        reached.add(QApplication.focusWidget())
        press(qtbot, Qt.Key.Key_Tab)
    assert window.diagram in reached and window.formula in reached


def test_arrows_in_a_table_move_the_cursor_not_the_walk_through(qtbot, window):
    controller = window.controller
    window.tables.focus_card("W1")
    view = window.tables.cards["W1"].view
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Right)
    assert controller.position.step == 0
    assert controller.selection == ("W1", 1, 1)
    assert (view.currentIndex().row(), view.currentIndex().column()) == (1, 1)
    # Outside the tables the arrows step as before.
    window.formula.setFocus()
    press(qtbot, Qt.Key.Key_Right)
    assert controller.position.step == 1


def test_a_click_or_the_diagram_moves_the_keyboard_cursor_too(qtbot, window):
    window.controller.select("W2", 2, 0)
    view = window.tables.cards["W2"].view
    assert (view.currentIndex().row(), view.currentIndex().column()) == (2, 0)
    window.tables.focus_card("W2")
    press(qtbot, Qt.Key.Key_Up)
    assert window.controller.selection == ("W2", 1, 0)


def test_the_diagram_takes_the_keyboard_and_arrows_choose_neurons(qtbot, window):
    controller, diagram = window.controller, window.diagram
    for _ in range(4):                       # z1 a1 z2 a2: activations on the neurons
        controller.step()
    diagram.setFocus(Qt.FocusReason.TabFocusReason)
    assert diagram.hasFocus()
    press(qtbot, Qt.Key.Key_Down)            # nothing selected: the first input first
    assert controller.selection == ("X", 0, 0)
    press(qtbot, Qt.Key.Key_Down)
    assert controller.selection == ("X", 0, 1)
    press(qtbot, Qt.Key.Key_Right)           # across, to the hidden layer
    assert controller.selection == ("a1", 0, 1)
    press(qtbot, Qt.Key.Key_Right)
    assert controller.selection == ("a2", 0, 0)   # one output neuron: the index is kept in range
    press(qtbot, Qt.Key.Key_Left)
    press(qtbot, Qt.Key.Key_Up)
    assert controller.selection == ("a1", 0, 0)
    assert controller.position.step == 4, "an arrow in the diagram stepped"


# -- screen readers -------------------------------------------------------------------------
def test_table_cells_read_name_number_and_sources(window):
    controller = window.controller
    for _ in range(controller.position.steps):
        controller.step()
    depth = controller.architecture.depth
    name = f"delta{depth}"
    card = window.tables.cards[name]
    texts = cell_texts(card.view)
    learner = controller.learner(name)
    value = controller.value(name)
    for (r, c), (spoken, description) in texts.items():
        number = shown_number(float(value[r, c]), controller.decimals)
        column = column_label(card.model.info.identity, c)
        assert spoken == f"{learner}, {sample_label(r)}, {column}: {number}"
        explanation = controller.explain(name, r, c)
        sources = list(dict.fromkeys(controller.learner(p) for p, _, _ in explanation.precedents))
        assert description == f"computed from {' and '.join(sources)}: {explanation.text}"
    # The walk-through's own wording, as the issue has it.
    assert texts[(0, 0)][0].startswith("d_output, sample 0, neuron 0: ")
    assert texts[(0, 0)][1].startswith("computed from E and slope_output_layer: d2[0,0] = ")
    # The selected cell and its precedents say what their colours say.
    controller.select(name, 0, 0)
    assert cell_texts(card.view)[(0, 0)][1].startswith("selected; computed from")
    error = cell_texts(window.tables.cards["E"].view)[(0, 0)][1]
    assert error.startswith("used by the selected cell; computed from")


def test_cells_not_computed_and_inputs_say_so(window):
    texts = cell_texts(window.tables.cards["z1"].view)
    assert texts[(0, 0)] == ("hidden_layer_input, sample 0, neuron 0: not computed yet",
                             "not computed yet at this step")
    weights = cell_texts(window.tables.cards["W1"].view)
    w = window.controller.value("W1")[1, 2]
    assert weights[(1, 2)] == (f"wh, input 1, neuron 2: {shown_number(float(w), 3)}",
                               "an input of this iteration")


def test_an_asked_cell_is_read_without_its_answer(window):
    controller = window.controller
    window.exercise_action.trigger()
    controller.step()                        # exercise mode asks a cell of z1 first
    asked = controller.exercise.attempt.asked
    name, r, c = asked.address
    spoken, description = cell_texts(window.tables.cards[name].view)[(r, c)]
    assert spoken.endswith(": not computed yet")
    assert description.startswith("selected; asked: work it out from X, wh and bh")
    reader = QAccessible.queryAccessibleInterface(window.diagram)
    assert reader.text(NAME).endswith(": not computed yet")
    assert f"neuron {c} of hidden layer 1; asked: work it out from" in reader.text(DESCRIPTION)
    for said in (spoken, description, reader.text(NAME), reader.text(DESCRIPTION)):
        assert asked.answer not in said and asked.numbers not in said


def test_diagram_neurons_and_edges_are_read_as_their_cells(window):
    controller, diagram = window.controller, window.diagram
    reader = QAccessible.queryAccessibleInterface(diagram)
    assert reader.text(NAME).startswith("Network diagram (")
    assert "arrows" in reader.text(DESCRIPTION)
    for _ in range(9):                      # … slope2 slope1 delta2: the backward pass
        controller.step()
    diagram.click(("neuron", 2, 0))          # the output neuron now stands for d_output
    selection = controller.selection
    assert selection[0] == "delta2"
    explanation = controller.explain(*selection)
    assert reader.text(NAME) == f"d_output, sample 0, neuron 0: {explanation.result}"
    assert reader.text(DESCRIPTION) == ("neuron 0 of the output layer; computed from E and "
                                        f"slope_output_layer: {explanation.text}")
    diagram.click(("edge", 1, 1, 2))         # the weight from input 1 to hidden neuron 2
    w = shown_number(float(controller.value("W1")[1, 2]), controller.decimals)
    assert reader.text(NAME) == f"wh, input 1, neuron 2: {w}"
    assert reader.text(DESCRIPTION) == ("the edge from neuron 1 of the input layer to neuron 2 "
                                        "of hidden layer 1; an input of this iteration")
    diagram.click(("edge", 2, -1, 0))        # the bias into the output neuron
    assert reader.text(NAME).startswith("bout, bias, neuron 0: ")
    assert reader.text(DESCRIPTION).startswith("the edge from the bias unit to neuron 0 of "
                                               "the output layer")


def test_formula_panel_reads_its_formulas_in_plain_text(window):
    controller = window.controller
    reader = QAccessible.queryAccessibleInterface(window.formula)
    assert reader.text(NAME) == "Formula"
    assert "Press Step" in reader.text(DESCRIPTION)
    controller.step()
    controller.select("z1", 1, 2)
    explanation = controller.explain("z1", 1, 2)
    description = reader.text(DESCRIPTION)
    assert "<" not in description, "markup read aloud"
    assert explanation.text in description and explanation.symbolic in description
    assert description.startswith("Step: hidden_layer_input (z1)")


# -- menus ------------------------------------------------------------------------------------
MNEMONIC = re.compile(r"&([^&])")


def access_key(text: str) -> str | None:
    """The letter after the one "&" of a menu text ("&&" is a plain "&"), else None."""
    keys = MNEMONIC.findall(text.replace("&&", ""))
    return keys[0].lower() if len(keys) == 1 else None


def check_menu(menu: QMenu, where: str, problems: list[str]) -> None:
    seen: dict[str, str] = {}
    for action in menu.actions():
        if action.isSeparator():
            continue
        key = access_key(action.text())
        if key is None:
            problems.append(f"{where} ▸ {action.text()!r} has no access key")
        elif key in seen:
            problems.append(f"{where}: {action.text()!r} and {seen[key]!r} share &{key}")
        else:
            seen[key] = action.text()
        if action.menu() is not None:
            check_menu(action.menu(), f"{where} ▸ {action.text()}", problems)


def test_every_menu_entry_has_an_access_key_of_its_own(window, tmp_path):
    for name in ("one.bptlesson", "Tom & Jerry.bptlesson"):  # the recent lessons too
        window._remember(str(tmp_path / name))
    problems: list[str] = []
    check_menu(window.menuBar(), "menu bar", problems)
    assert not problems, "\n".join(problems)
    recent = [action.text() for action in window.recent_menu.actions()]
    assert recent == ["&1 Tom && Jerry.bptlesson", "&2 one.bptlesson"]
    # Running renames Run; it keeps an access key of its own.
    window.controller.run()
    check_menu(window.menuBar(), "menu bar", problems)
    window.controller.pause()
    assert not problems, "\n".join(problems)


def test_every_toolbar_action_is_in_a_menu(window):
    def actions_of(menu: QMenu) -> set:
        found = set(menu.actions())
        for action in menu.actions():
            if action.menu() is not None:
                found |= actions_of(action.menu())
        return found

    in_menus = set()
    for top in window.menuBar().actions():
        in_menus |= actions_of(top.menu())
    for bar in window.findChildren(QToolBar):
        for action in bar.actions():
            if action.isSeparator() or bar.widgetForAction(action) is None:
                continue
            if type(bar.widgetForAction(action)).__name__ != "QToolButton":
                continue  # a widget of the bar (speed, decimals, timeline): Tab reaches it
            assert action in in_menus, f"{action.text()} is only on the toolbar"


# -- the focus shows ----------------------------------------------------------------------------
def highlight_pixels(widget, rows) -> int:
    """How many pixels of the given rows of ``widget``'s picture are its highlight colour."""
    image = widget.grab().toImage()
    highlight = widget.palette().color(widget.palette().ColorRole.Highlight)
    found = 0
    for y in rows:
        for x in range(image.width()):
            colour = image.pixelColor(x, y)
            if max(abs(colour.red() - highlight.red()), abs(colour.green() - highlight.green()),
                   abs(colour.blue() - highlight.blue())) < 40:
                found += 1
    return found


def test_a_focused_card_and_diagram_show_a_focus_frame(qtbot, window):
    card = window.tables.cards["W1"]
    top = range(3, 9)                          # the band just inside the card's border
    window.formula.setFocus()
    qtbot.waitUntil(window.formula.hasFocus)
    assert highlight_pixels(card, top) == 0
    window.tables.focus_card("W1")
    qtbot.waitUntil(card.view.hasFocus)
    assert highlight_pixels(card, top) > card.width() // 4, "no focus frame on the card"
    viewport = window.diagram.viewport()
    edge = range(0, 4)
    assert highlight_pixels(viewport, edge) == 0
    window.diagram.setFocus()
    qtbot.waitUntil(window.diagram.hasFocus)
    assert highlight_pixels(viewport, edge) > viewport.width() // 4, "no focus frame on the diagram"
