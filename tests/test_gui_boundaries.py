"""The window's boundaries, read from the source: widgets never touch the session and
never call the engine for maths; the run clock trains in batches that grow to the budget,
and lets the event loop's other work run before it trains again."""
import ast
from types import SimpleNamespace

from conftest import ROOT

from gui import run_clock
from gui.run_clock import FRAME_RATE, MAX_UNITS_PER_TICK, TICK_BUDGET_S, RunClock, next_batch

GUI = ROOT / "gui"
CONTROLLER = GUI / "session_controller.py"
# The objects the controller owns that answer from its session through a callable:
# they call the engine's maths as the controller does, but read no ``.session``.
CONTROLLER_PARTS = {GUI / "teaching_model.py", GUI / "session_files.py",
                    GUI / "exercise_coach.py", GUI / "past_runs.py"}

# What any module of gui/ may import from the engine: messages, lesson files,
# number text, limits, file writing, resources, and the data a dialog turns
# into a lesson. Everything else of the engine is reached through the controller.
ALLOWED_MODULES = {
    "engine.errors",        # LessonError: the one-line message
    "engine.lesson",        # reading, parsing and saving lesson files
    "engine.number_text",   # writing a number for people
    "engine.catalogue",     # what a matrix is called and how its rows and columns are labelled
    "engine.limits",        # the stated limits (ranges of spin boxes)
    "engine.files",         # atomic writes of what the window itself draws
    "engine.resources",     # the resources folder
    "engine.about",         # the version and licences Help ▸ About shows
    "engine.datasets",      # the New-lesson dialog: built-in data sets by name
    "engine.features",      # ... and their derived inputs
    "engine.csv_import",    # the Import-CSV dialog: reading a table into a data set
    "engine.network_proposal",  # ... and the network both data dialogs propose for it
    "engine.value_type",    # how a frozen value type is made (the theme), no maths
}
# Plain constants and values of maths modules, which compute nothing when imported.
ALLOWED_NAMES = {
    ("engine.boundary", "COARSE"), ("engine.boundary", "FINE"),   # grid sizes
    ("engine.landscape", "WeightAddress"),                        # which weight
    ("engine.race", "DEFAULT_RATES"),                             # seed 002's rates
    ("engine.gradient_check", "TOLERANCE"),                       # stated on screen
    ("engine.gradient_check", "WRONG_FORMULA"),                   # ... and what it is
}
# The settings dock offers the engine's choices by name.
ALLOWED_IN = {
    "settings_dock.py": {("engine.activations", "ACTIVATIONS"), ("engine.losses", "LOSSES"),
                         ("engine.network", "INITIALISATIONS"),
                         ("engine.steps", "PRESENTATIONS")},
    "network_form.py": {("engine.activations", "ACTIVATIONS"), ("engine.losses", "LOSSES"),
                        ("engine.network", "INITIALISATIONS")},
}


def _gui_sources(besides=frozenset()):
    """(path relative to gui/, source) of every module of gui/ but the controller and
    those ``besides``."""
    return [(str(path.relative_to(GUI)), path.read_text(encoding="utf-8"))
            for path in sorted(GUI.rglob("*.py")) if path != CONTROLLER and path not in besides]


def session_reads(source: str) -> list[int]:
    """Lines of ``source`` that read an attribute called ``session``."""
    return sorted(node.lineno for node in ast.walk(ast.parse(source))
                  if isinstance(node, ast.Attribute) and node.attr == "session")


def _type_checking_blocks(tree: ast.AST) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` (types only, never run)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) \
                and node.test.id == "TYPE_CHECKING":
            found.update(id(inner) for inner in ast.walk(node))
    return found


def engine_imports(source: str) -> list[tuple[str, str | None, int]]:
    """(engine module, imported name or None, line) of each run-time engine import."""
    tree = ast.parse(source)
    types_only = _type_checking_blocks(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in types_only:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names
                      if alias.name.split(".")[0] == "engine"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == "engine":
            for alias in node.names:
                if node.module == "engine":      # from engine import limits
                    found.append((f"engine.{alias.name}", None, node.lineno))
                else:
                    found.append((node.module, alias.name, node.lineno))
    return found


def forbidden_engine_imports(file: str, source: str) -> list[str]:
    allowed_names = ALLOWED_NAMES | ALLOWED_IN.get(file, set())
    return [f"gui/{file}:{line} imports {module}" + (f".{name}" if name else "")
            for module, name, line in engine_imports(source)
            if module not in ALLOWED_MODULES and (module, name) not in allowed_names]


def test_the_scans_see_what_they_look_for():
    source = ("from typing import TYPE_CHECKING\n"
              "from engine.activations import get_activation\n"
              "from engine import limits, kernel\n"
              "import engine.iteration\n"
              "if TYPE_CHECKING:\n"
              "    from engine.race import Race\n"
              "def f(controller):\n"
              "    from engine.landscape import weight_addresses\n"
              "    return controller.session.lesson, window.controller.session\n")
    assert session_reads(source) == [9, 9]
    assert forbidden_engine_imports("views/x.py", source) == [
        "gui/views/x.py:2 imports engine.activations.get_activation",
        "gui/views/x.py:3 imports engine.kernel",
        "gui/views/x.py:4 imports engine.iteration",
        "gui/views/x.py:8 imports engine.landscape.weight_addresses"]
    assert forbidden_engine_imports("settings_dock.py",
                                    "from engine.losses import LOSSES\n") == []
    assert forbidden_engine_imports("views/x.py", "from engine.losses import LOSSES\n") == [
        "gui/views/x.py:1 imports engine.losses.LOSSES"]


def test_no_module_of_gui_but_the_controller_reads_the_session():
    sources = _gui_sources()
    assert len(sources) > 20     # the walk really found the window's modules
    assert CONTROLLER_PARTS <= {GUI / file for file, _source in sources}
    reads = [f"gui/{file}:{line}" for file, source in sources for line in session_reads(source)]
    assert reads == []


def test_widgets_import_from_the_engine_no_maths():
    problems = [problem for file, source in _gui_sources(besides=CONTROLLER_PARTS)
                for problem in forbidden_engine_imports(file, source)]
    assert problems == []


def test_the_run_clock_trains_in_growing_batches_until_finished(qtbot):
    trained, frames = [], []

    def train(epochs: int) -> int:
        epochs = min(epochs, 5000 - sum(trained))
        trained.append(epochs)
        return epochs

    # Finished once the epochs are trained and a frame was offered (the first comes a
    # frame interval after the start, likely after these cheap epochs are done).
    clock = RunClock(train, lambda: sum(trained) >= 5000 and bool(frames))
    clock.frameDue.connect(lambda: (frames.append(1), clock.published()))
    clock.runFinished.connect(clock.stop)
    clock.start()
    qtbot.waitUntil(lambda: not clock.running, timeout=5000)
    batches = [epochs for epochs in trained if epochs]
    assert sum(batches) == 5000
    assert batches[:3] == [1, 2, 4]         # grows at most twofold a tick ...
    assert len(batches) < 100               # ... to the budget: cheap epochs, big batches
    assert frames                           # trained epochs were offered for a frame


def _clock_on_a_fake_time(monkeypatch):
    """A RunClock whose ticks are driven by hand on a clock that moves only when told:
    (clock, now, trained, frames); each trained batch takes 1 ms."""
    now = [100.0]
    monkeypatch.setattr(run_clock, "time", SimpleNamespace(perf_counter=lambda: now[0]))
    trained, frames = [], []

    def train(epochs: int) -> int:
        now[0] += 0.001
        trained.append(epochs)
        return epochs

    clock = RunClock(train, lambda: False)
    clock.frameDue.connect(lambda: (frames.append(now[0]), clock.published()))
    clock.start()
    clock.stop()   # the timer stays quiet: the test calls the ticks itself
    return clock, now, trained, frames


def test_a_tick_after_other_work_in_the_event_loop_yields_once(qtbot, monkeypatch):
    clock, now, trained, frames = _clock_on_a_fake_time(monkeypatch)
    clock._tick()
    assert len(trained) == 1
    now[0] += 0.005    # a repaint, another timer: the loop was busy between two ticks
    clock._tick()
    assert len(trained) == 1 and frames == []   # this tick let what waited behind it run
    clock._tick()
    assert len(trained) == 2                    # the next one trains again
    now[0] += 0.005    # busy again after a batch: yields again
    clock._tick()
    assert len(trained) == 2
    now[0] += 0.005    # late again straight after yielding (a slow speed's timer woken late)
    clock._tick()
    assert len(trained) == 3                    # never twice in a row: training goes on
    now[0] += run_clock.BUSY_S / 2              # a short pause is no reason to yield
    clock._tick()
    assert len(trained) == 4
    assert frames == []                         # (no frame due yet: 33 ms are not up)


def test_the_first_frame_of_a_run_comes_one_frame_interval_after_it_starts(qtbot, monkeypatch):
    clock, now, trained, frames = _clock_on_a_fake_time(monkeypatch)
    started = now[0]
    while not frames:
        clock._tick()
    # Run's own repaint (its buttons, the status) is painted before the first frame.
    assert frames[0] - started >= 1 / FRAME_RATE
    assert len(trained) >= 30


def test_a_batch_is_aimed_at_the_budget_growing_at_most_twofold():
    assert next_batch(4, 1e-9, 4) == 8                                  # cheap: doubles
    assert next_batch(100, 10 * TICK_BUDGET_S, 100) == 10               # slow: shrinks
    assert next_batch(1, 1.0, 1) == 1                                   # never below one
    assert next_batch(MAX_UNITS_PER_TICK, 1e-9, MAX_UNITS_PER_TICK) == MAX_UNITS_PER_TICK
