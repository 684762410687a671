"""Every state looks the same in every widget that shows it, follows the theme, and keeps a text style
that tells dead frames apart without colour."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from cuetui.ui.app import CueTuiApp
from cuetui.ui.themes import HIGH_CONTRAST, HIGH_CONTRAST_LIGHT, register_themes
from cuetui.ui.widgets.frame_strip import FrameStrip
from cuetui.ui.widgets.frame_table import FrameTable
from cuetui.ui.widgets.layer_table import LayerTable
from cuetui.ui.widgets.states import STATES, state_style


class StatesApp(App[None]):
    CSS_PATH = CueTuiApp.CSS_PATH

    def compose(self) -> ComposeResult:
        yield LayerTable(id="layers")
        yield FrameStrip(id="strip")
        yield FrameTable(id="frames")

    def on_mount(self) -> None:
        register_themes(self)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", HIGH_CONTRAST, HIGH_CONTRAST_LIGHT])
async def test_a_state_is_one_colour_everywhere_in_every_theme(theme: str) -> None:
    app = StatesApp()
    async with app.run_test(size=(120, 30)) as pilot:
        app.theme = theme
        await pilot.pause()
        layers, strip, frames = app.query_one(LayerTable), app.query_one(FrameStrip), app.query_one(FrameTable)
        for name in STATES:
            colours = {
                "layers": layers.cell_style(name).color,
                "strip": state_style(strip, name).color,
                "frames": frames._style(name).color,
            }
            triplets = [c.triplet for c in colours.values() if c is not None and c.triplet is not None]
            assert len(triplets) == 3, (theme, name, colours)
            # Equal, or for a translucent colour (`$text-muted` is `auto 60%`) the same blended over
            # these widgets' slightly different backgrounds.
            for channel in range(3):
                values = [t[channel] for t in triplets]
                assert max(values) - min(values) <= 12, (theme, name, colours)
        assert layers.cell_style("running").color != layers.cell_style("succeeded").color
        dead = layers.cell_style("dead")
        assert dead.bold and dead.reverse  # stands out with NO_COLOR too
        # a colour blended for this background, not the raw `auto 60%` (which comes out white)
        waiting = layers.cell_style("waiting").color
        assert waiting is not None and waiting.triplet not in {(255, 255, 255), (0, 0, 0)}


async def test_a_theme_change_recolours_the_states() -> None:
    app = StatesApp()
    async with app.run_test(size=(120, 30)) as pilot:
        app.theme = "textual-dark"
        await pilot.pause()
        frames = app.query_one(FrameTable)
        dark = frames._style("running").color
        app.theme = "textual-light"
        await pilot.pause()
        assert frames._style("running").color != dark
