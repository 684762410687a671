"""The benchmarks still run (quick sizes); their figures are never asserted here."""

from __future__ import annotations

import json

from bench.__main__ import main


def test_bench_runs_quick(tmp_path: object) -> None:
    out = tmp_path / "results.json"  # type: ignore[operator]
    assert main(["--quick", "--only", "decode", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["results"] and all("figure" in r for r in report["results"])
