"""The look of job, layer and frame states, defined once for every widget that shows one.

`styles/states.tcss` gives each state a component class `state--<name>` built from the active theme's
variables only; a widget that draws states lists `STATE_CLASSES` in its COMPONENT_CLASSES and asks
`state_style(widget, name)`. So RUNNING is one colour in the jobs table, the layers and frames tables,
the frame strip and the job header, it follows a theme change, and NO_COLOR keeps the text styles
(dead is bold reverse video, paused reverse) that still tell the states apart.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color
from rich.style import Style
from textual.color import Color as TextualColor
from textual.widget import Widget

STATES: tuple[str, ...] = (
    "waiting",
    "setup",
    "running",
    "succeeded",
    "depend",
    "dead",
    "eaten",
    "checkpoint",
    "unknown",
    "paused",
    "finished",
    "bar-done",  # the done part of a progress bar: the succeeded colour
    "bar-todo",
)
STATE_CLASSES: frozenset[str] = frozenset(f"state--{name}" for name in STATES)


def state_style(widget: Widget, name: str) -> Style:
    """The rich Style of state `name` for `widget` (which lists STATE_CLASSES); plain before the
    widget has a stylesheet (and for names that are not states)."""
    if name not in STATES:
        return Style()
    return component_style(widget, f"state--{name}")


def component_style(widget: Widget, component_class: str) -> Style:
    """A component class's own style (not the widget's background, so a cursor row shows through),
    with its colours as they look on this widget: a partial style alone would keep a translucent
    colour unblended (`$text-muted` is `auto 60%`, which only the full style turns into a grey, and
    a search match's `$warning 40%` background would come out at full strength)."""
    try:
        partial = widget.get_component_rich_style(component_class, partial=True)
        styles = widget.get_component_styles(component_class)
        has_colour, has_background = styles.has_rule("color"), styles.has_rule("background")
        if not (has_colour or has_background):
            return partial
        full = widget.get_component_rich_style(component_class)
    except Exception:  # not mounted yet, or in an app without the stylesheet
        return Style()
    colour = full.color if has_colour else None
    if colour is not None and not has_background and full.bgcolor is not None:
        colour = readable(colour, full.bgcolor)
    return partial + Style(color=colour, bgcolor=full.bgcolor if has_background else None)


def on_background(style: Style, widget: Widget) -> Style:
    """`style` with its colour made readable on `widget`'s background, for a state drawn inside a
    widget whose background differs from the one the style was resolved for (a header on `$panel`)."""
    if style.color is None or style.bgcolor is not None:
        return style
    try:
        background = widget.background_colors[1].rich_color
    except Exception:  # not mounted yet
        return style
    return style + Style(color=readable(style.color, background))


MIN_CONTRAST = 4.5  # WCAG AA for text


def contrast(a: Color, b: Color) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _luminance(colour: Color) -> float:
    def channel(value: int) -> float:
        s = value / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    red, green, blue = colour.get_truecolor()
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


@lru_cache(maxsize=512)
def readable(colour: Color, background: Color) -> Color:
    """`colour`, darkened on a light background (lightened on a dark one) just enough to reach
    MIN_CONTRAST against `background`: a theme's state colour as close to itself as legibility allows.
    Textual derives `$text-warning` and friends for the theme's base background, not for a table's
    tinted surface, and some themes' amber or green reads at 1.5 to 3:1 on light grey."""
    if colour.is_default or background.is_default or contrast(colour, background) >= MIN_CONTRAST:
        return colour
    fg = TextualColor.from_rich_color(colour)
    # Black or white, whichever contrasts more with the background (they tie at luminance 0.18).
    target = TextualColor(0, 0, 0) if _luminance(background) > 0.18 else TextualColor(255, 255, 255)
    for step in range(1, 21):
        candidate = fg.blend(target, step / 20)
        if contrast(candidate.rich_color, background) >= MIN_CONTRAST:
            return candidate.rich_color
    return target.rich_color
