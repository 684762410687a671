"""The pure snapshot diff that drives in-place table updates."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cuetui.farm.snapshot import changed_cells, changed_keys, diff_rows


def test_nothing_changed_is_empty() -> None:
    rows = {"a": (1, 2), "b": (3, 4)}
    assert diff_rows(rows, dict(rows)).empty


def test_added_removed_changed_and_moved() -> None:
    old = {"a": (1, 2), "b": (3, 4), "c": (5, 6)}
    new = {"c": (5, 6), "a": (1, 9), "d": (7, 8)}
    diff = diff_rows(old, new)
    assert diff.added == ["d"]
    assert diff.removed == ["b"]
    assert diff.changed == {"a": [1]}
    assert diff.moved  # c now comes before a


def test_same_order_with_a_removal_is_not_a_move() -> None:
    diff = diff_rows({"a": (1,), "b": (2,), "c": (3,)}, {"a": (1,), "c": (3,)})
    assert diff.removed == ["b"] and not diff.moved and not diff.changed


def test_changed_cells_of_rows_of_different_length() -> None:
    assert changed_cells((1, 2, 3), (1, 0)) == [1, 2]
    assert changed_cells((), (1,)) == [0]


def test_changed_keys_compares_models() -> None:
    assert changed_keys({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {"b"}


rows = st.dictionaries(st.sampled_from("abcdefgh"), st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=8)


@given(rows, rows)
def test_applying_the_diff_rebuilds_the_new_snapshot(
    old: dict[str, tuple[int, int]], new: dict[str, tuple[int, int]]
) -> None:
    diff = diff_rows(old, new)
    result = {k: list(v) for k, v in old.items() if k not in diff.removed}
    for key, indexes in diff.changed.items():
        for i in indexes:
            result[key][i] = new[key][i]
    for key in diff.added:
        result[key] = list(new[key])
    assert {k: tuple(v) for k, v in result.items()} == new
    assert set(diff.added).isdisjoint(old) and set(diff.removed).isdisjoint(new)
