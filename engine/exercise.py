"""Exercise mode: the learner computes a cell before the app reveals it.

Before a step reveals its matrix, one of its cells is asked: the learner
types a number, which is right when it is the cell's value to the precision
the table shows it (half a unit of the shown text's last digit, and the
tables always show two significant digits at least). A wrong answer says
how far it is, and the hints come in order: the cell's formula in symbols,
then the formula with the precedents' numbers, then the answer.

What the lesson asks (its optional ``exercise`` key) is an ``ExercisePlan``;
one cell being asked is an ``Attempt`` over a ``Question`` taken from the
cell's ``CellExplanation`` (``engine.explain``), so the hints name and sign
the cell exactly as its card and the formula panel do; a learner's record is
an ``ExerciseRecord`` of one ``Score`` per iteration, which a saved session
and a recovery copy keep (``to_json`` / ``ExerciseRecord.from_json``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .number_text import MINUS, shown_number
from .value_type import value_type

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from .explain import CellExplanation

__all__ = ["ExercisePlan", "Question", "Verdict", "Attempt", "Score", "ExerciseRecord",
           "DEFAULT_TRIES", "MAX_TRIES", "OUTCOMES", "read_number", "question"]

DEFAULT_TRIES = 3  # wrong answers before the answer is shown: hint, numbers, answer
MAX_TRIES = 10
OUTCOMES = ("first_try", "after_hint", "revealed")  # how an asked cell was scored

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?")


def read_number(text: str) -> float:
    """The number a learner typed: ``0.25``, ``−0.25``, ``.25``, ``2.5e−4``, ``0,25``.

    Raises
    ------
    ValueError
        With a message that says what to type, when ``text`` is not a number.
    """
    cleaned = (text.strip().replace(MINUS, "-").replace("\u2013", "-").replace(" ", "")
               .replace("E", "e").replace("×10^", "e").replace("·10^", "e"))
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma, as many countries write it
    if not _NUMBER.fullmatch(cleaned):
        shown = text.strip() or "nothing"
        raise ValueError(f"{shown!s} is not a number: type one such as 0.25, {MINUS}1.5 or "
                         f"4.5e{MINUS}4")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(f"{text.strip()} is too large: type a number below 1e308")
    return value


def _half_unit(shown: str) -> float:
    """Half a unit of the last digit of a shown number (``0.891`` → 0.0005)."""
    text = shown.replace(MINUS, "-")
    mantissa, _, exponent = text.partition("e")
    places = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (int(exponent or 0) - places)


@value_type
class Question:
    """One asked cell.

    Attributes
    ----------
    address : (str, int, int)
        The cell by engine name.
    cell : str
        The cell as its card names it, e.g. ``d2[1,0]``.
    symbolic : str
        Its formula in symbols (the first hint).
    numbers : str
        The formula with the precedents' numbers as the tables show them (the second).
    answer : str
        The cell's value as its table shows it.
    value : float
        The cell's value as the presentation shows it (every digit).
    precedents : list of (str, int, int)
        The cells it is computed from, lit orange while it is asked.
    tolerance : float
        How far a typed number may be from ``value``: half a unit of the
        shown answer's last digit.
    """

    address: tuple[str, int, int]
    cell: str
    symbolic: str
    numbers: str
    answer: str
    value: float
    precedents: list
    tolerance: float


def question(explanation: "CellExplanation") -> Question:
    """The question of a cell, from its explanation at the tables' decimals."""
    answer = explanation.result
    _, row, column = explanation.address
    cell = f"{explanation.label}[{row},{column}]"
    numbers = f"{cell} = {explanation.numbers}"
    if not numbers.rstrip().endswith(answer):
        numbers += f" = {answer}"
    tolerance = (_half_unit(answer) if explanation.decimals is not None
                 else 1e-12 * max(1.0, abs(explanation.value)))
    return Question(explanation.address, cell, explanation.symbolic, numbers, answer,
                    float(explanation.value), list(explanation.precedents), tolerance)


@value_type
class Verdict:
    """What the app says to one typed answer.

    Attributes
    ----------
    right : bool
    typed : float
    message : str
        One sentence: right, or how far and which way.
    """

    right: bool
    typed: float
    message: str


def _verdict(asked: Question, typed: float) -> Verdict:
    # A little slack over the half unit, so that a typed 0.0005 boundary that
    # rounds to the shown text in decimal is not refused for float noise.
    if abs(typed - asked.value) <= asked.tolerance * (1 + 1e-9):
        return Verdict(True, typed, f"Right: {asked.cell} = {asked.answer}.")
    typed_text = shown_number(typed, None)
    if typed != 0 and asked.value != 0 and math.copysign(1, typed) != math.copysign(1, asked.value)\
            and math.isclose(abs(typed), abs(asked.value), rel_tol=0.05):
        return Verdict(False, typed, f"{typed_text} has the wrong sign.")
    gap = typed - asked.value
    size = shown_number(abs(gap), 3 if abs(gap) >= 1e-3 else 2)
    way = "too high" if gap > 0 else "too low"
    return Verdict(False, typed, f"{typed_text} is {size} {way}.")


@dataclass
class Attempt:
    """The learner's answers to one asked cell, and the hints they have earned.

    Attributes
    ----------
    asked : Question
    tries : int
        Wrong answers before the answer is shown.
    must_be_right : bool
        When set, the learner cannot skip and, after the answer is shown,
        must still type it to go on.
    wrong : int
        Wrong answers so far.
    outcome : str or None
        One of ``OUTCOMES`` once scored; ``"skipped"`` when revealed without
        scoring (Escape); None while the cell is still asked.
    """

    asked: Question
    tries: int = DEFAULT_TRIES
    must_be_right: bool = False
    wrong: int = 0
    outcome: str | None = None
    shown_answer: bool = False

    @property
    def finished(self) -> bool:
        """Whether the step may go on (scored, or skipped)."""
        return self.outcome is not None

    def answer(self, text: str) -> Verdict:
        """Check a typed answer; a right one scores the cell, a wrong one earns a hint.

        Raises
        ------
        ValueError
            When ``text`` is not a number (nothing is counted then).
        """
        verdict = _verdict(self.asked, read_number(text))
        if self.finished:
            return verdict
        if verdict.right:
            if self.shown_answer:
                self.outcome = "revealed"
            else:
                self.outcome = "first_try" if self.wrong == 0 else "after_hint"
            return verdict
        self.wrong += 1
        if self.wrong >= self.tries:
            self.shown_answer = True
            if not self.must_be_right:
                self.outcome = "revealed"
        return verdict

    def hints(self) -> list[str]:
        """The hints earned so far, in order: the formula, the numbers, the answer."""
        earned = []
        if self.wrong >= 1 and self.tries > 1:
            earned.append(f"Hint: {self.asked.symbolic}")
        if self.wrong >= 2 and self.tries > 2:
            earned.append(f"With the numbers: {self.asked.numbers}")
        if self.shown_answer:
            earned.append(f"The answer: {self.asked.cell} = {self.asked.answer}"
                          + (" (type it to go on)" if self.must_be_right and not self.finished
                             else ""))
        return earned

    def skip(self) -> bool:
        """Reveal the cell without scoring it (Escape); False when the lesson forbids it."""
        if self.finished:
            return True
        if self.must_be_right:
            return False
        self.outcome = "skipped"
        return True


@dataclass
class Score:
    """How the asked cells of one iteration went."""

    first_try: int = 0
    after_hint: int = 0
    revealed: int = 0

    @property
    def asked(self) -> int:
        return self.first_try + self.after_hint + self.revealed

    def text(self) -> str:
        """``3 of 5 right first try, 1 after a hint, 1 shown``."""
        if not self.asked:
            return "no cells answered yet"
        return (f"{self.first_try} of {self.asked} right first try, "
                f"{self.after_hint} after a hint, {self.revealed} shown")

    def to_json(self) -> dict:
        return {"first_try": self.first_try, "after_hint": self.after_hint,
                "revealed": self.revealed}


@dataclass
class ExerciseRecord:
    """A learner's scores, one per iteration (numbered from 1), kept across Reset.

    Attributes
    ----------
    scores : dict of int to Score
        By iteration.
    """

    scores: dict[int, Score] = field(default_factory=dict)

    def count(self, iteration: int, outcome: str) -> None:
        """Count one scored cell of ``iteration``; a skipped cell is not counted."""
        if outcome not in OUTCOMES:
            return
        score = self.scores.setdefault(iteration, Score())
        setattr(score, outcome, getattr(score, outcome) + 1)

    def score(self, iteration: int) -> Score:
        return self.scores.get(iteration, Score())

    def total(self) -> Score:
        every = Score()
        for score in self.scores.values():
            for outcome in OUTCOMES:
                setattr(every, outcome, getattr(every, outcome) + getattr(score, outcome))
        return every

    def to_json(self) -> list[dict]:
        """``[{"iteration": 1, "first_try": 3, "after_hint": 1, "revealed": 0}, ...]``."""
        return [{"iteration": iteration, **score.to_json()}
                for iteration, score in sorted(self.scores.items())]

    @classmethod
    def from_json(cls, value, where: str) -> "ExerciseRecord":
        """Read ``to_json``'s list back.

        Raises
        ------
        ValueError
            Naming ``where`` and the entry, for anything else.
        """
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected a list of scores, one per iteration")
        record = cls()
        for index, entry in enumerate(value):
            place = f"{where}[{index}]"
            if not isinstance(entry, dict) or set(entry) != {"iteration", *OUTCOMES}:
                raise ValueError(f"{place}: expected an object with the keys iteration, "
                                 + ", ".join(OUTCOMES))
            counts = [entry["iteration"], *(entry[outcome] for outcome in OUTCOMES)]
            if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in counts) \
                    or counts[0] < 1:
                raise ValueError(f"{place}: the iteration (from 1) and the counts must be whole "
                                 "numbers of at least 0")
            if counts[0] in record.scores:
                raise ValueError(f"{place}: iteration {counts[0]} is listed twice")
            record.scores[counts[0]] = Score(*counts[1:])
        return record


@dataclass(frozen=True)
class ExercisePlan:
    """What a lesson asks in exercise mode (its ``exercise`` key).

    Attributes
    ----------
    cells : dict of str to tuple of (int, int)
        By step name, the cells to ask, in order; a step not listed asks its
        first cell.
    tries : int
        Wrong answers before the answer is shown.
    must_be_right : bool
        Whether the learner must type the right value to go on.
    """

    cells: dict = field(default_factory=dict)
    tries: int = DEFAULT_TRIES
    must_be_right: bool = False

    def cells_for(self, step: str, shape: tuple[int, int]) -> list[tuple[int, int]]:
        """The cells of ``step`` to ask, those that fit a matrix of ``shape``
        (a last, smaller batch has fewer rows); its first cell when none is listed."""
        listed = [(r, c) for r, c in self.cells.get(step, ()) if r < shape[0] and c < shape[1]]
        return listed or [(0, 0)]

    def to_json(self) -> dict:
        document: dict = {}
        if self.cells:
            document["cells"] = {step: [list(cell) for cell in cells]
                                 for step, cells in self.cells.items()}
        if self.tries != DEFAULT_TRIES:
            document["tries"] = self.tries
        if self.must_be_right:
            document["must_be_right"] = True
        return document
