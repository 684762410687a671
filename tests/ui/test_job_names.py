"""Job names in the tables that cut them (triage, stuck, jobs, procs): the end that tells jobs apart
(shot, user, version) stays visible, and the name column gets the room the least useful columns had."""

from __future__ import annotations

from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.output import Column as OutputColumn
from cuetui.farm.output import cut_middle, render_table
from cuetui.ui.screens.stuck import StuckScreen
from cuetui.ui.screens.triage import TriageScreen
from tests.ui.conftest import make_app, wait_for, wait_loaded


def test_cut_middle_keeps_the_shot_and_the_end() -> None:
    name = "testing-sh030-rpatel_anim_v012"
    assert cut_middle(name, 40) == name and cut_middle(name, 30) == name
    assert cut_middle(name, 26) == "…sh030-rpatel_anim_v012"  # the show goes first
    assert cut_middle("longshowname-sh030-rpatel_lighting_comp_v012", 30) == "longshowname-sh030-…_comp_v012"
    assert cut_middle(name, 12) == "…sh030-…v012"
    for width in range(1, 31):
        cut = cut_middle(name, width)
        assert len(cut) <= width, (width, cut)
        if width >= 12:
            assert "sh030" in cut and cut.endswith("v012"), (width, cut)
    assert cut_middle("a_name_without_the_usual_shape", 12) == "a_nam…_shape"
    assert cut_middle("名前が長いジョブの名前", 9) == "名前…名前"  # wide characters count two cells


def test_cli_tables_cut_job_names_in_the_middle() -> None:
    names = ["testing-sh010-jdoe_lighting_v001", "testing-sh010-jdoe_lighting_v002"]
    columns = [OutputColumn("JOB", lambda n: n, flexible=True, min_width=12, cut_middle=True), OutputColumn("X", len)]
    lines = render_table(columns, names, width=24)
    assert lines[1].split()[0].endswith("v001") and lines[2].split()[0].endswith("v002")


def shown_column(table: Any, key: str) -> list[str]:
    """The text the terminal shows in column `key`, row by row (what DataTable draws, cut or not)."""
    x = 0
    width = 0
    for column in table.ordered_columns:
        width = column.get_render_width(table)
        if column.key.value == key:
            break
        x += width
    rows = min(table.row_count, table.size.height - 1)
    lines = ["".join(seg.text for seg in table.render_line(y)) for y in range(1, rows + 1)]
    return [line[x : x + width].strip() for line in lines]


def shows_job(text: str, names: set[str]) -> str:
    """The one job name `text` shows: the name itself, or cut keeping the shot and the end."""
    found = [
        name
        for name in names
        if text == name or ("…" in text and text.endswith(name[-6:]) and f"{name.split('-')[1]}-" in text)
    ]
    assert len(found) == 1, (text, found)
    return found[0]


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_triage_tells_jobs_apart_at_any_width(studio_gateway: DemoGatewayThread, size: tuple[int, int]) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot)
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.table.loaded)
        while app.screen.grouping != "none":  # one frame a row: each shows its job's name
            await pilot.press("g")
        await pilot.pause()
        table = app.screen.table
        # Laid out and drawn (on a loaded machine the first layout may come after `loaded`).
        await wait_for(pilot, lambda t=table: t.size.height > 1 and t.row_count > 0, what="the table laid out")
        shown = shown_column(table, "job")
        names = {m.job.name for m in table.models()}
        # Each text on screen is one job's name, whole or cut keeping its shot and its end.
        matched = {text: shows_job(text, names) for text in shown}
        assert len(set(matched.values())) == len(matched) >= 2, matched  # never two jobs alike
        if size[0] >= 160:
            # wider than the 22 cells that cut every name alike (the group counts take a little room)
            assert table._layout.widths[table.visible_columns.index("job")] >= 26
        # The filter still matches the part of a name the cut leaves out.
        cut = next((name for text, name in matched.items() if text != name), None)
        if cut is not None:
            user = cut.split("-")[2].split("_")[0]
            table.set_filter(user[:4])
            assert any(table.model(k).job.name == cut for k in table.shown_keys())


async def test_stuck_cuts_job_names_in_the_middle_too(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("5")
        await wait_for(pilot, lambda: isinstance(app.screen, StuckScreen) and app.screen.table.loaded)
        await pilot.pause()
        table = app.screen.table
        # Laid out and drawn (on a loaded machine the first layout may come after `loaded`).
        await wait_for(pilot, lambda t=table: t.size.height > 1 and t.row_count > 0, what="the table laid out")
        shown = shown_column(table, "job")
        assert shown, "the frozen studio farm has stuck frames"
        names = {m.job.name for m in table.models()}
        for text in shown:
            shows_job(text, names)
