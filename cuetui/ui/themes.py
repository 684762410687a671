"""cuetui's own Textual themes: high contrast, dark and light, picked with `theme = "…"` in the config or
from the command palette's theme picker (ctrl+p, "Change theme") like Textual's built-in themes.

Every job, layer and frame state is drawn from the theme's text colours in one stylesheet,
styles/states.tcss ($text-error dead, $text-success succeeded, $text-warning running and paused,
$text-primary depend, $text-accent setup, $text-muted waiting / eaten / finished), so a theme is all
it takes to recolour them. Here every one of those colours
has a contrast of at least 4.5:1 (WCAG AA) against black *and* white, so the same state colours read on
either variant, on a terminal whose own background shows through, and in a screenshot on a light page.
Dead and paused also carry bold / reverse video in the .tcss, which survives NO_COLOR.

Whatever the theme, `widgets.states.component_style` makes each state colour readable (4.5:1) on the
background it is drawn on, so Textual's own themes meet the same bar.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.theme import Theme

HIGH_CONTRAST = "cuetui-high-contrast"
HIGH_CONTRAST_LIGHT = "cuetui-high-contrast-light"

# Each about 4.6:1 on black and on white (the most any colour can have against both).
STATE_COLOURS: dict[str, str] = {
    "error": "#ED0000",  # dead
    "success": "#008A00",  # succeeded (and running jobs)
    "warning": "#B85C00",  # paused jobs, running frames
    "accent": "#CC14CC",  # setup / checkpoint frames, marks
    "primary": "#00809A",  # depend frames (strip), cursor
    "text-muted": "#757575",  # eaten, depend, finished
}


def _theme(name: str, *, dark: bool) -> Theme:
    background, foreground = ("#000000", "#FFFFFF") if dark else ("#FFFFFF", "#000000")
    return Theme(
        name=name,
        primary=STATE_COLOURS["primary"],
        secondary=STATE_COLOURS["text-muted"],
        accent=STATE_COLOURS["accent"],
        warning=STATE_COLOURS["warning"],
        error=STATE_COLOURS["error"],
        success=STATE_COLOURS["success"],
        foreground=foreground,
        background=background,
        surface=background,
        panel="#262626" if dark else "#E0E0E0",
        boost="#1A1A1A" if dark else "#EEEEEE",
        dark=dark,
        text_alpha=1.0,  # full-strength text: no blending towards the background
        variables={
            "text-muted": STATE_COLOURS["text-muted"],
            # States are drawn in the theme's text colours (styles/states.tcss): here those are the
            # colours above, which read on black and white alike, not ones tuned to this background.
            "text-error": STATE_COLOURS["error"],
            "text-success": STATE_COLOURS["success"],
            "text-warning": STATE_COLOURS["warning"],
            "text-accent": STATE_COLOURS["accent"],
            "text-primary": STATE_COLOURS["primary"],
            "block-cursor-background": STATE_COLOURS["primary"],
            "block-cursor-foreground": "#FFFFFF",
            "block-cursor-blurred-background": "#444444" if dark else "#BBBBBB",
            "footer-key-foreground": STATE_COLOURS["warning"] if not dark else "#FFB000",
        },
    )


THEMES: tuple[Theme, ...] = (_theme(HIGH_CONTRAST, dark=True), _theme(HIGH_CONTRAST_LIGHT, dark=False))


def register_themes(app: App[Any]) -> None:
    """Register cuetui's themes with a Textual app (before its theme is set from the config)."""
    for theme in THEMES:
        app.register_theme(theme)
