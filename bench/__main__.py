"""Run every benchmark, print a table of figures and ratios, write bench/results.json.

Usage: python -m bench [--quick] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

from bench.common import Result, machine

# Module names under bench/, each with run(quick: bool) -> list[Result].
# In the order of the goals they measure: 1 fetch + decode, 2 start-up, 3 big-table refresh, 4 idle cost,
# 5 memory (bench_frames: the 5 000-job screen plus the 50 000-frame job; bench_memory: per model),
# 6 load on the farm, 7 gateway throughput; then the model decoding alone, dead frames grouped by error
# signature, and key to screen in a tmux pane (bench_keys).
BENCHES = [
    "bench_fetch",
    "bench_startup",
    "bench_table",
    "bench_idle",
    "bench_frames",
    "bench_memory",
    "bench_load",
    "bench_gateway",
    "bench_decode",
    "bench_dead",
    "bench_keys",
]


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--only", nargs="*", default=None, help="run only these benchmarks")
    parser.add_argument("--out", default=str(Path(__file__).with_name("results.json")))
    args = parser.parse_args(argv)
    results: list[Result] = []
    for name in BENCHES:
        if args.only and name not in args.only and name.removeprefix("bench_") not in args.only:
            continue
        module = importlib.import_module(f"bench.{name}")
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.extend(module.run(quick=args.quick))
    header = f"{'benchmark':<48} {'figure':>12} {'baseline':>12} {'ratio':>8}  goal"
    print(header)
    print("-" * len(header))
    for r in results:
        goal = r.goal + ("" if r.met is None else (" ✓" if r.met else " ✗"))
        print(f"{r.name:<48} {_fmt(r.figure):>9} {r.unit:<2} {_fmt(r.baseline):>12} {_fmt(r.ratio):>8}  {goal}")
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "quick": args.quick,
        "results": [r.as_dict() for r in results],
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
