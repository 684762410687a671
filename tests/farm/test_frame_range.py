"""Frame ranges as Cuebot's frame sets: what a person types, the numbers meant, and what is refused."""

from __future__ import annotations

import pytest

from cuetui.farm.frame_range import MAX_FRAMES, parse_frame_range


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("7", [7]),
        ("1-5", [1, 2, 3, 4, 5]),
        ("1-10x3", [1, 4, 7, 10]),
        ("1-10y3", [2, 3, 5, 6, 8, 9]),
        ("1-9:4", [1, 5, 9, 3, 7, 2, 4, 6, 8]),
        ("1,5,9", [1, 5, 9]),
        (" 1 - 3 , 2-4 ", [1, 2, 3, 4]),
        ("5-3", [5, 4, 3]),
        ("-2-1", [-2, -1, 0, 1]),
    ],
)
def test_frame_sets(text: str, numbers: list[int]) -> None:
    parsed = parse_frame_range(text)
    assert list(parsed.numbers) == numbers
    assert " " not in parsed.text
    assert len(parsed) == len(numbers) and numbers[0] in parsed


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("  ", "empty"),
        (",", "empty"),
        ("1,,3", "empty item"),
        ("1-", "bad frame range"),
        ("a-b", "bad frame range"),
        ("1-10x0", "step"),
        ("1-10x", "bad frame range"),
        ("0007-render", "bad frame range"),
        (f"1-{MAX_FRAMES + 1}", "more than"),
    ],
)
def test_refused(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_frame_range(text)


def test_frames_commands() -> None:
    from cuetui.farm.frame_range import parse_frames_command

    assert parse_frames_command("retry", "1-10x3").frames.numbers == (1, 4, 7, 10)
    assert parse_frames_command("reorder", "1,5 reverse").order == "REVERSE"
    assert parse_frames_command("stagger", "1-100 5").increment == 5
    for name, arg in [
        ("retry", ""),
        ("retry", "1 - 5"),
        ("reorder", "1-5"),
        ("reorder", "1-5 middle"),
        ("stagger", "1-5 0"),
        ("stagger", "1-5 two"),
        ("eat", "x"),
    ]:
        with pytest.raises(ValueError):
            parse_frames_command(name, arg)
