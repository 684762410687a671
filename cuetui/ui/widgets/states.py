"""The look of job, layer and frame states, defined once for every widget that shows one.

`styles/states.tcss` gives each state a component class `state--<name>` built from the active theme's
variables only; a widget that draws states lists `STATE_CLASSES` in its COMPONENT_CLASSES and asks
`state_style(widget, name)`. So RUNNING is one colour in the jobs table, the layers and frames tables,
the frame strip and the job header, it follows a theme change, and NO_COLOR keeps the text styles
(dead is bold reverse video, paused reverse) that still tell the states apart.
"""

from __future__ import annotations

from rich.style import Style
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
    return partial + Style(color=full.color if has_colour else None, bgcolor=full.bgcolor if has_background else None)
