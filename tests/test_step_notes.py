"""Step notes name matrices as the cards of the presentation being shown name them."""
import re

import pytest

from engine.catalogue import learner_name
from engine.errors import LessonError
from engine.lesson import builtin_lessons, load_lesson, parse_lesson, resolve_lesson
from engine.step_notes import note_placeholders, render_note
from engine.steps import iteration_steps
from helpers import lesson_doc

BACKWARD_NAMES = {
    "gradient": ["delta2", "error1", "delta1", "grad_W2", "grad_b2", "grad_W1", "grad_b1"],
    "error": ["d_output", "Error_at_hidden_layer", "d_hiddenlayer",
              "hiddenlayer_activationsᵀ·d_output", "sum(d_output)", "Xᵀ·d_hiddenlayer",
              "sum(d_hiddenlayer)"],
}


def rendered_notes(lesson, presentation):
    name_of = lambda name: learner_name(name, lesson.architecture.depth, presentation)  # noqa: E731
    return {step: render_note(text, name_of) for step, text in lesson.step_notes.items()}


def test_placeholders_are_replaced_and_doubled_braces_are_braces():
    text = "{delta2} = {E}·{slope2}; a set is written {{1, 2}}"
    assert note_placeholders(text) == ["delta2", "E", "slope2"]
    assert render_note(text, str.upper) == "DELTA2 = E·SLOPE2; a set is written {1, 2}"


@pytest.mark.parametrize("text,where", [("a {lone brace", 3), ("closes } nothing", 8),
                                        ("{a1} then {", 11)])
def test_a_brace_that_opens_or_closes_nothing_is_refused(text, where):
    with pytest.raises(ValueError, match=f"at character {where} opens or closes no placeholder"):
        note_placeholders(text)


def test_every_step_of_the_default_lesson_has_a_note_without_clashing_step_numbers():
    lesson = load_lesson(resolve_lesson("excel_walkthrough"))
    steps = [spec.name for spec in iteration_steps(lesson.architecture, lesson.loss,
                                                   lesson.momentum, 1)]
    assert set(lesson.step_notes) == set(steps) and len(steps) == 19
    for lesson_id, _, path in builtin_lessons():
        for step, text in load_lesson(path).step_notes.items():
            # The toolbar counts matrices ("step 1 of 19"); a note says whose step it cites.
            assert not re.search(r"(?<!'s )(?<!its )\b[Ss]tep \d", text), (lesson_id, step, text)


@pytest.mark.parametrize("presentation", ["gradient", "error"])
def test_default_lesson_notes_name_the_cards_of_the_presentation(presentation):
    lesson = load_lesson(resolve_lesson("excel_walkthrough"))
    notes = rendered_notes(lesson, presentation)
    for step, text in notes.items():
        # Each note opens with its own card's name in this presentation.
        assert text.startswith(learner_name(step, lesson.architecture.depth, presentation)), text
    other = "error" if presentation == "gradient" else "gradient"
    for name, shown in zip(BACKWARD_NAMES[other], BACKWARD_NAMES[presentation]):
        for step, text in notes.items():
            # Only the delta2 note quotes the seed's own d_output, as the seed's.
            quoted = text.replace("its d_output", "").replace("(d_output = ", "(")
            assert not re.search(rf"(?<![\w·]){re.escape(name)}(?![\w(])", quoted), (step, name)
    if presentation == "gradient":
        assert notes["error1"].startswith("error1 = delta2·woutᵀ")
        assert notes["delta1"].startswith("delta1 = error1·slope_hidden_layer")
        assert notes["new_W2"].startswith("wout (updated): wout moves by the learning rate "
                                          "times grad_W2")
    else:
        assert notes["error1"].startswith("Error_at_hidden_layer = d_output·woutᵀ")
        assert notes["delta1"].startswith("d_hiddenlayer = Error_at_hidden_layer·"
                                          "slope_hidden_layer")
        assert notes["new_W2"].startswith("wout (updated): wout moves by the learning rate "
                                          "times hiddenlayer_activationsᵀ·d_output")
    assert "10× smaller" in notes["delta2"] and "d_output by the learning rate" in notes["delta2"]


def test_a_note_may_name_inputs_and_steps_but_nothing_else():
    doc = lesson_doc((2, 2, 1), epochs=3)
    doc["step_notes"] = {"z1": "{z1} = {X}·{W1} + {b1}", "new_b2": "{b2} − η·{grad_b2}"}
    assert parse_lesson(doc, "fine.json").step_notes == doc["step_notes"]
    doc["step_notes"] = {"z1": "{z1} = {X}·{W1} + {velocity_W1}"}
    with pytest.raises(LessonError, match=r"^notes\.json: step_notes\.z1: \{velocity_W1\} names "
                                          r"no step or input of this network; a note may name "):
        parse_lesson(doc, "notes.json")


def test_changed_settings_keep_only_the_notes_that_fit_the_new_network():
    document = load_lesson(resolve_lesson("excel_walkthrough")).to_json()
    document["training"]["loss"] = "binary_cross_entropy"  # no slope2 step any more
    with pytest.raises(LessonError, match="step_notes.slope2: is not a step"):
        parse_lesson(document, "file.json")
    notes = parse_lesson(document, "settings", keep_fitting_notes=True).step_notes
    assert "slope2" not in notes and "delta2" not in notes  # delta2's note names {slope2}
    assert notes["error1"].startswith("{error1} = {delta2}·{W2}ᵀ")
    document["step_notes"]["E"] = "{E} = y − a2 }"
    with pytest.raises(LessonError, match="step_notes.E: the '}' at character 14"):
        parse_lesson(document, "settings", keep_fitting_notes=True)
