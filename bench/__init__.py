"""cuetui's benchmarks: `python -m bench` (or `bench/run`) prints figures and ratios and writes
bench/results.json. Never timed assertions in the test suite: these machines are shared and noisy."""
