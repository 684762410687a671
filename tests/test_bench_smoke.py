"""The benchmarks still run (quick sizes); their figures are never asserted here."""

from __future__ import annotations

import json

from bench.__main__ import main


def test_bench_runs_quick(tmp_path: object) -> None:
    out = tmp_path / "results.json"  # type: ignore[operator]
    assert main(["--quick", "--only", "decode", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["results"] and all("figure" in r for r in report["results"])


def test_fetch_bench_runs_quick(tmp_path: object) -> None:
    """The fetch benchmark against the small farm (its baseline needs the `bench` extra: requests)."""
    import pytest

    pytest.importorskip("requests")
    out = tmp_path / "results.json"  # type: ignore[operator]
    assert main(["--quick", "--only", "fetch", "--out", str(out)]) == 0
    results = json.loads(out.read_text())["results"]
    assert [r["bench"] for r in results] == ["fetch"] * 4 and all(r["baseline"] for r in results)


def test_memory_bench_runs_quick(tmp_path: object) -> None:
    out = tmp_path / "results.json"  # type: ignore[operator]
    assert main(["--quick", "--only", "memory", "--out", str(out)]) == 0
    results = json.loads(out.read_text())["results"]
    # a small farm's few models may not move RSS by a page: only the shape of the report is checked
    assert [r["bench"] for r in results] == ["memory"] * 3 and all("figure" in r for r in results)
    assert "FrameSync" in results[2]["name"]  # the frames as the job screen holds them


def test_dead_bench_runs_quick(tmp_path: object) -> None:
    """The dead-frame grouping benchmark (quick: 900 frames); it prints figures, nothing is timed here."""
    out = tmp_path / "results.json"  # type: ignore[operator]
    assert main(["--quick", "--only", "dead", "--out", str(out)]) == 0
    results = json.loads(out.read_text())["results"]
    assert {r["bench"] for r in results} == {"dead"} and len(results) == 6


def test_keys_bench_runs_quick(tmp_path: object) -> None:
    """Key to screen in a tmux pane (quick: 5 samples each); the figures are printed, never asserted."""
    import shutil

    import pytest

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    out = tmp_path / "results.json"  # type: ignore[operator]
    assert main(["--quick", "--only", "keys", "--out", str(out)]) == 0
    results = json.loads(out.read_text())["results"]
    assert {r["bench"] for r in results} == {"keys"} and len(results) == 5
    assert all(r["figure"] > 0 for r in results)


def test_startup_bench_runs_quick(tmp_path: object) -> None:
    """Start-up in a pseudo-terminal (quick: the small farm, two runs each): wall and CPU figures."""
    out = tmp_path / "results.json"  # type: ignore[operator]
    assert main(["--quick", "--only", "startup", "--out", str(out)]) == 0
    results = json.loads(out.read_text())["results"]
    assert [r["bench"] for r in results] == ["startup"] * 3
    assert all(r["baseline"] for r in results[:2]) and all(r["figure"] > 0 for r in results)
