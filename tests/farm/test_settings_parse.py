"""Sizes, counts and switches as a person types them, and which fields changed (farm/settings.py)."""

from __future__ import annotations

import pytest

from cuetui.farm import settings as s
from cuetui.gateway.models import Layer

GB = 1048576


@pytest.mark.parametrize(
    ("text", "kb"),
    [
        ("16G", 16 * GB),
        ("512M", 512 * 1024),
        ("1.5G", GB + GB // 2),
        ("2048K", 2048),
        ("1T", 1024 * GB),
        ("8gb", 8 * GB),
        ("0", 0),
    ],
)
def test_sizes(text: str, kb: int) -> None:
    assert s.parse_size(text) == kb
    assert s.parse_size(s.format_size(kb)) == kb  # shown the way it is read back


@pytest.mark.parametrize("text", ["16", "", "G", "-1G", "١٦G", "16 X", "1e3G"])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(s.SettingError):
        s.parse_size(text)


def test_format_size() -> None:
    assert [s.format_size(v) for v in (16 * GB, 512 * 1024, 1536 * 1024, 100, 0)] == [
        "16G",
        "512M",
        "1536M",
        "100K",
        "0",
    ]


def test_counts_cores_switches_tags() -> None:
    assert s.parse_count(" 7 ", "n") == 7
    for bad in ("-1", "1.5", "٣", "1_000", ""):
        with pytest.raises(s.SettingError):
            s.parse_count(bad, "n")
    assert s.parse_cores("2.5", "c") == 2.5
    assert (s.parse_switch("ON", "x"), s.parse_switch("off", "x")) == (True, False)
    assert s.parse_tags("general, gpu,general") == ("general", "gpu")
    for bad in ("", "a,,b", "a,"):
        with pytest.raises(s.SettingError):
            s.parse_tags(bad)


def test_changed_and_check() -> None:
    layer = Layer(id="l", name="render", tags=("general",), min_cores=1.0, min_memory=4 * GB)
    old = s.LayerSettings.of(layer)
    new = s.with_changes(old, {"min_memory": 16 * GB, "tags": ("general",)})
    assert s.changed(old, new) == {"min_memory": 16 * GB}
    assert s.describe({"min_memory": 16 * GB, "threadable": True, "timeout": 5}) == (
        "min memory 16G, threadable on, timeout 5 min"
    )
    s.with_changes(old, {"min_cores": 8.0}).check()  # max cores 0: no limit
    with pytest.raises(s.SettingError):
        s.with_changes(old, {"min_cores": 8.0, "max_cores": 4.0}).check()
    with pytest.raises(s.SettingError):
        s.with_changes(old, {"tags": ("gpu", " ")}).check()
    # A layer that has no tags yet may still have its other settings checked (and changed).
    s.with_changes(s.LayerSettings.of(Layer(id="l", name="bare")), {"min_memory": 16 * GB}).check()
    with pytest.raises(ValueError):
        s.parse_tags("")  # an empty list typed in is refused where it is read
