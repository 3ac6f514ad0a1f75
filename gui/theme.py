"""Themes: every colour the window paints beyond Qt's palette, in one place.

Three themes: light (the walk-through's yellow and orange on white), dark,
and high contrast (white on black, strong yellow and orange, thick borders).
View ▸ Theme chooses one of them or "Follow the system", which is light or
dark as the system's colour scheme is (``QStyleHints.colorScheme``, Qt ≥ 6.5)
and changes with it (``colorSchemeChanged``).

A ``Theme`` is a frozen set of colours and border widths; the widgets that
paint beyond the palette (tables, diagram, loss plot, presenter, exercise
box, trouble banner)
each get the theme shown through their ``set_theme`` and repaint at once.
``ThemeSwitcher`` applies a theme's palette to the whole application — dark
and high contrast on the Fusion style, whose palettes every platform honours
— and says when the theme shown changes. There is one per application (its
palette is the application's): ``ThemeSwitcher.of_application`` finds it or
makes it, so a second window follows the first.

Text on the yellow and orange cells (and on the green of a right answer) is
dark in every theme and keeps at least WCAG AA contrast, 4.5:1
(``contrast_ratio``; tests/test_themes.py reads it from a live window); the
cells also keep a border — bold on the active cell, dashed on precedents —
so that colour is never the only cue.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from engine.value_type import replace, value_type

__all__ = ["Theme", "ThemeSwitcher", "LIGHT", "DARK", "HIGH_CONTRAST", "THEMES", "CHOICES",
           "FOLLOW_SYSTEM", "contrast_ratio", "relative_luminance", "theme_for", "theme_of",
           "AA_CONTRAST"]

AA_CONTRAST = 4.5          # WCAG 2 level AA for normal text
FOLLOW_SYSTEM = "system"


@value_type
class Theme:
    """The colours (``#RRGGBB``) and border widths one theme paints with.

    Attributes
    ----------
    name : str
        Its key (kept in QSettings as ``theme``).
    dark : bool
        Light text on a dark window: a palette of its own on the Fusion style.
    window, base, text, placeholder, button, highlight, link : str
        The palette's colours (window and buttons, table cells, their text,
        the change notes' grey, the selection, links); the light theme keeps
        the platform's own palette where the system is not dark.
    active, precedent, term, right : str
        The selected cell's yellow, its precedents' orange, the deeper orange of
        an expanded sum's term being added, an answer's green.
    mark_text, mark_note : str
        The text, and the small change note, on those three.
    active_border, precedent_border, term_border : float
        The second cue's pen widths in pixels: bold around the active cell,
        dashed around a precedent, solid between the two around a term being
        added (tables; the diagram's neurons draw them a little wider).
    mark_halo : str or None
        On a dark background a dark border beside dark cells would vanish:
        a light ring just outside it (the diagram's rings in this colour),
        so the border still shows. None on a light background.
    current_frame : str
        The frame of the card the last step computed.
    positive, negative : str
        The diagram's edges by the weight's sign (Okabe–Ito blue and
        vermillion, lighter on dark backgrounds).
    error, error_text : str
        The divergence banner's red and its text.
    caution, caution_text : str
        The warning banner's amber and its text.
    problem, warning, right_text : str
        Text on the window's colour: what is wrong (red), what looks
        unstable or stalled (amber), an answer that is right (green).
    plot_background : str or None
        The plots' background (None: the window's, drawn by the dock).
    plot_curve, plot_marker : str
        The loss curve; the shown epoch's line. (Axes are in the palette's
        text colour: gui/plots.py's ``FittedPlot`` follows it in every view.)
    runs : tuple of str
        The colours of curves drawn together on one plot, in order: a run each
        in the learning-rate race and the training modes; f and f′ in the
        activation view, J and the path in the loss landscape. Okabe–Ito where
        it keeps 3:1 against the window: in a dark theme its lighter members and
        no black.
    """

    name: str
    dark: bool
    window: str
    base: str
    text: str
    placeholder: str
    button: str
    highlight: str
    link: str
    active: str
    precedent: str
    term: str
    right: str
    mark_text: str
    mark_note: str
    active_border: float
    precedent_border: float
    term_border: float
    mark_halo: str | None
    current_frame: str
    positive: str
    negative: str
    error: str
    error_text: str
    caution: str
    caution_text: str
    problem: str
    warning: str
    right_text: str
    plot_background: str | None
    plot_curve: str
    plot_marker: str
    runs: tuple[str, ...]

    def palette(self) -> QPalette:
        """The application palette of this theme, every colour group alike."""
        palette = QPalette()
        roles = QPalette.ColorRole
        for role, colour in (
                (roles.Window, self.window), (roles.WindowText, self.text),
                (roles.Base, self.base), (roles.AlternateBase, self.window),
                (roles.Text, self.text), (roles.PlaceholderText, self.placeholder),
                (roles.Button, self.button), (roles.ButtonText, self.text),
                (roles.BrightText, self.error), (roles.ToolTipBase, self.base),
                (roles.ToolTipText, self.text), (roles.Highlight, self.highlight),
                (roles.HighlightedText, _readable_on(self.highlight)),
                (roles.Link, self.link), (roles.LinkVisited, self.link),
                (roles.Light, _mix(self.button, self.text, 0.25)),
                (roles.Midlight, _mix(self.button, self.text, 0.12)),
                (roles.Mid, _mix(self.window, self.text, 0.45 if self.dark else 0.3)),
                (roles.Dark, _mix(self.window, "#000000", 0.5)),
                (roles.Shadow, "#000000")):
            palette.setColor(role, QColor(colour))
        # Disabled text: still readable, but clearly not the live text.
        faded = QColor(_mix(self.window, self.text, 0.55))
        for role in (roles.WindowText, roles.Text, roles.ButtonText):
            palette.setColor(QPalette.ColorGroup.Disabled, role, faded)
        return palette


LIGHT = Theme(
    name="light", dark=False,
    window="#EFEFEF", base="#FFFFFF", text="#000000", placeholder="#6A6A6A", button="#EFEFEF",
    highlight="#308CC6", link="#0B57D0",
    active="#FFE135", precedent="#FF9F1C", term="#E8590C", right="#6FD08C", mark_text="#000000",
    mark_note="#404040", active_border=3.0, precedent_border=1.5, term_border=2.5,
    mark_halo=None,
    current_frame="#1F77D0",
    positive="#0072B2", negative="#D55E00",
    error="#B03A2E", error_text="#FFFFFF", caution="#F2C14E", caution_text="#1A1A1A",
    problem="#B03A2E", warning="#8A5300",
    right_text="#1E7B34",
    plot_background=None, plot_curve="#0072B2", plot_marker="#D55E00",
    # Okabe–Ito without its yellow (too pale on white), then black and Tol's wine.
    runs=("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
          "#882255"))

# Dark keeps light's cell marks (painted on their own coloured background, with a
# white halo) and its banner colours; only the surfaces, texts, lines and curves change.
DARK = replace(
    LIGHT, name="dark", dark=True,
    window="#2B2B2B", base="#1E1E1E", text="#EDEDED", placeholder="#A8A8A8", button="#383838",
    highlight="#2F6FAE", link="#8AB4F8",
    mark_halo="#FFFFFF",
    current_frame="#5AA9F0",
    positive="#56B4E9", negative="#F08A4B",
    problem="#FF8A80", warning="#FFC15E",
    right_text="#7BD88F",
    plot_background="#1E1E1E", plot_curve="#56B4E9", plot_marker="#F08A4B",
    # Okabe–Ito's sky blue for its blue, its yellow for the sky blue, the text's
    # light grey for black, a lavender for the wine: each ≥ 3:1 on the window.
    runs=("#56B4E9", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#F0E442", "#EDEDED",
          "#BB99FF"))

HIGH_CONTRAST = Theme(
    name="contrast", dark=True,
    # The window a shade off black: Fusion draws frames, check boxes and grooves
    # darker than the window, so on pure black they would vanish.
    window="#1A1A1A", base="#000000", text="#FFFFFF", placeholder="#D8D8D8", button="#3A3A3A",
    highlight="#FFFF00", link="#00FFFF",
    active="#FFFF00", precedent="#FF8C00", term="#FF5500", right="#00E676", mark_text="#000000",
    mark_note="#000000", active_border=4.0, precedent_border=2.5, term_border=3.0,
    mark_halo="#FFFFFF",
    current_frame="#00FFFF",
    positive="#00BFFF", negative="#FF7F50",
    error="#C00000", error_text="#FFFFFF", caution="#FFD700", caution_text="#000000",
    problem="#FF6B6B", warning="#FFD700",
    right_text="#00E676",
    plot_background="#000000", plot_curve="#00FFFF", plot_marker="#FF8C00",
    runs=("#56B4E9", "#FF7F50", "#00E676", "#FF99CC", "#FFD700", "#00FFFF", "#FFFFFF",
          "#BB99FF"))

THEMES = {theme.name: theme for theme in (LIGHT, DARK, HIGH_CONTRAST)}
# View ▸ Theme, in menu order: (key kept in QSettings, menu text with its access key).
CHOICES = ((FOLLOW_SYSTEM, "&Follow the system"), (LIGHT.name, "&Light"), (DARK.name, "&Dark"),
           (HIGH_CONTRAST.name, "&High contrast"))


def _mix(first: str, second: str, share: float) -> str:
    """``first`` moved ``share`` (0…1) of the way towards ``second``, as ``#RRGGBB``."""
    a, b = QColor(first), QColor(second)
    parts = [round(x + (y - x) * share) for x, y in ((a.red(), b.red()), (a.green(), b.green()),
                                                     (a.blue(), b.blue()))]
    return QColor(*parts).name().upper()


def _readable_on(background: str) -> str:
    """Black or white, whichever contrasts more with ``background``."""
    return max(("#000000", "#FFFFFF"), key=lambda text: contrast_ratio(text, background))


def relative_luminance(colour) -> float:
    """WCAG 2's relative luminance of an opaque colour (a QColor or ``#RRGGBB``), 0…1."""
    colour = QColor(colour)

    def linear(channel: int) -> float:
        c = channel / 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (0.2126 * linear(colour.red()) + 0.7152 * linear(colour.green())
            + 0.0722 * linear(colour.blue()))


def contrast_ratio(foreground, background) -> float:
    """WCAG 2's contrast ratio of two opaque colours, from 1 (same) to 21 (black on white)."""
    high, low = sorted((relative_luminance(foreground), relative_luminance(background)),
                       reverse=True)
    return (high + 0.05) / (low + 0.05)


def theme_for(choice: str, scheme: Qt.ColorScheme) -> Theme:
    """The theme shown for a menu choice: "Follow the system" is dark when the
    system's colour scheme is, else light; an unknown choice follows the system."""
    if choice in THEMES:
        return THEMES[choice]
    return DARK if scheme == Qt.ColorScheme.Dark else LIGHT


def theme_of(palette: QPalette) -> Theme:
    """The theme a palette belongs to, for widgets that only see their palette (the
    problem lines): the one whose window colour it has, else light or dark by its
    window's lightness (a platform's own palette)."""
    window = palette.color(QPalette.ColorRole.Window)
    for theme in (DARK, HIGH_CONTRAST):
        if window == QColor(theme.window):
            return theme
    return DARK if window.lightness() < 128 else LIGHT


class ThemeSwitcher(QObject):
    """The application's theme: the choice made, the palette applied, the system followed.

    Signals
    -------
    themeChanged(object)
        The ``Theme`` now shown; its palette is already applied.
    """

    themeChanged = Signal(object)

    def __init__(self, app: QApplication):
        super().__init__(app)
        self.setObjectName("themeSwitcher")
        self._app = app
        self._choice = FOLLOW_SYSTEM
        # The platform's own look, put back for the light theme.
        self._platform_style = app.style().name()
        self._platform_palette = QPalette(app.palette())
        self._theme = LIGHT
        self._scheme = QGuiApplication.styleHints().colorScheme()
        QGuiApplication.styleHints().colorSchemeChanged.connect(self.system_scheme_changed)

    @classmethod
    def of_application(cls) -> ThemeSwitcher:
        """The running application's switcher, made on first use."""
        app = QApplication.instance()
        switcher = app.findChild(cls, "themeSwitcher", Qt.FindChildOption.FindDirectChildrenOnly)
        return switcher if switcher is not None else cls(app)

    @property
    def choice(self) -> str:
        """The menu choice: ``FOLLOW_SYSTEM`` or a theme's name."""
        return self._choice

    @property
    def theme(self) -> Theme:
        """The theme shown now."""
        return self._theme

    def choose(self, choice: str) -> Theme:
        """Show the theme chosen (an unknown name follows the system); the theme shown."""
        self._choice = choice if choice in THEMES else FOLLOW_SYSTEM
        self._show(theme_for(self._choice, self._scheme))
        return self._theme

    def system_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        """The system turned dark or light: followed if the choice is to follow it."""
        self._scheme = scheme
        if self._choice == FOLLOW_SYSTEM:
            self._show(theme_for(FOLLOW_SYSTEM, scheme))

    def _show(self, theme: Theme) -> None:
        if theme == self._theme:
            return
        self._theme = theme
        app = self._app
        if theme is LIGHT and self._scheme != Qt.ColorScheme.Dark:
            if app.style().name().lower() != self._platform_style.lower():
                app.setStyle(self._platform_style)
            app.setPalette(self._platform_palette)
        else:
            # Native styles (Windows' vista, macOS') ignore much of a palette: Fusion
            # paints every role of it.
            if app.style().name().lower() != "fusion":
                app.setStyle(QStyleFactory.create("Fusion"))
            app.setPalette(theme.palette())
        # Qt posts the new palette to each widget: delivered now, so that what is told
        # of the theme below paints with its palette, not the one before.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.ApplicationPaletteChange)
        self.themeChanged.emit(theme)
