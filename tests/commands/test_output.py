"""Tables fit the terminal by dropping the least important columns; JSON lists stay one document."""

from __future__ import annotations

import io
import json

from cuetui.farm.output import Column, JsonListWriter, cell_width, cut, render_table, to_jsonable
from cuetui.gateway.models import Job, JobStats

COLUMNS = [
    Column("NAME", lambda r: r[0], flexible=True, min_width=16),
    Column("STATE", lambda r: r[1]),
    Column("DONE", lambda r: r[2], right=True, priority=1),
    Column("USER", lambda r: r[3], priority=3),
    Column("SHOW", lambda r: r[4], priority=2),
]
ROWS = [("a-very-long-job-name-indeed", "PENDING", "45/100", "jdoe", "testing"), ("short", "FINISHED", "1/1", "x", "y")]


def test_full_width_keeps_everything_aligned() -> None:
    lines = render_table(COLUMNS, ROWS, None)
    assert lines[0].split() == ["NAME", "STATE", "DONE", "USER", "SHOW"]
    assert len({line.index("PENDING") if "PENDING" in line else line.index("FINISHED") for line in lines[1:]}) == 1


def test_narrow_drops_low_priority_columns_first() -> None:
    lines = render_table(COLUMNS, ROWS, 45)
    assert "USER" not in lines[0] and "SHOW" in lines[0]
    assert all(cell_width(line) <= 45 for line in lines)
    lines = render_table(COLUMNS, ROWS, 30)
    assert lines[0].split() == ["NAME", "STATE"]
    assert all(cell_width(line) <= 30 for line in lines)
    assert "…" in lines[1] and "PENDING" in lines[1]  # the long name was cut, not the state
    tiny = render_table(COLUMNS, ROWS, 16)
    assert all(cell_width(line) <= 16 for line in tiny) and "PENDING" in tiny[1]


def test_cells_are_made_safe() -> None:
    lines = render_table(COLUMNS, [("evil\x1b]0;title\x07name\x1b[2J", "DEAD", "0/1", "u", "s")], None)
    assert "\x1b" not in "".join(lines) and "\x07" not in "".join(lines)


def test_wide_characters_and_cut() -> None:
    assert cell_width("レンダー") == 8
    assert cell_width(cut("レンダーレンダー", 7)) <= 7
    assert cut("abc", 5) == "abc"


def test_json_writer_is_one_document() -> None:
    out = io.StringIO()
    with JsonListWriter(out) as writer:
        writer.write(Job(id="x", name="n", job_stats=JobStats(total_frames=3)))
        writer.write({"a": 1})
    doc = json.loads(out.getvalue())
    assert doc[0]["job_stats"]["total_frames"] == 3 and doc[0]["is_paused"] is False and doc[1] == {"a": 1}
    empty = io.StringIO()
    with JsonListWriter(empty):
        pass
    assert json.loads(empty.getvalue()) == []


def test_to_jsonable_keeps_numbers_and_lists() -> None:
    data = to_jsonable(Job(id="x", job_stats=None))
    assert data["job_stats"] is None and isinstance(data["priority"], int)
    assert list(data) == list(Job._fields)


def test_fast_json_matches_the_plain_conversion() -> None:
    from cuetui.farm.output import dumps
    from cuetui.gateway.models import Frame, FrameStateDisplayOverride, Host

    for model in (
        Frame(id="f", frame_state_display_override=FrameStateDisplayOverride("DEAD", "x")),
        Host(tags=("a", "b")),
        Job(job_stats=JobStats(total_frames=2)),
    ):
        assert json.loads(dumps(model)) == to_jsonable(model)
    out = io.StringIO()
    with JsonListWriter(out) as writer:
        writer.write_all([Frame(id="1"), Frame(id="2")])
        writer.write_all([])
        writer.write(Frame(id="3"))
    assert [f["id"] for f in json.loads(out.getvalue())] == ["1", "2", "3"]
