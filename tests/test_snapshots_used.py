"""Every snapshot SVG under a `__snapshots__/` folder belongs to a test that exists.

syrupy fails a run on an unused snapshot, but not when the suite runs in parallel (pytest-xdist, as
pyproject's addopts do): then a renamed or deleted snapshot test leaves its old picture behind
silently. This test does that check from the collected tests instead; it checks the snapshot folders of
the test modules collected with it (all of them in a whole run)."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def test_every_snapshot_has_its_test(request: pytest.FixtureRequest) -> None:
    collected: dict[Path, set[str]] = {}
    for item in request.session.items:
        collected.setdefault(Path(item.path).resolve(), set()).add(item.name)
    snapshots = sorted(TESTS.rglob("__snapshots__/*/*.svg"))
    assert snapshots, "no snapshot found: the layout changed, update this test"
    orphans = []
    for svg in snapshots:
        module = svg.parent.parent.parent / f"{svg.parent.name}.py"
        names = collected.get(module.resolve())
        if names is not None and svg.stem not in names:
            orphans.append(str(svg.relative_to(TESTS)))
    assert not orphans, f"snapshots of no test (delete them, or run `pytest --snapshot-update -n 0`): {orphans}"
