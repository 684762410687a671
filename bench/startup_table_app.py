"""The start-up baseline of bench_startup: a minimal Textual app showing one static DataTable.

Run as a process of its own (`python -m bench.startup_table_app`). The table has the shape of cuetui's
jobs table on the `studio` farm (its 16 columns, 64 rows of plain strings), so both draw as many cells;
its first row holds the text bench_startup waits for on the terminal.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable

READY_TEXT = "startup-baseline-ready"
COLUMNS = ("Job", "Show", "User", "State", "Pri", "Progress", "Run", "Wait", "Dead", "Eaten", "Dep", "Cores")
COLUMNS += ("MaxRSS", "Started", "Elapsed", "ETA")
ROWS = 64


class TableApp(App[None]):
    """One DataTable, filled on mount."""

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(" ", *COLUMNS)
        row = ("show", "user", "PENDING", "100", "######--- 60%", "4", "10", "0", "0", "0", "16", "3.1G")
        row += ("11-26 02:00", "1h02m", "0h40m")
        table.add_row(" ", READY_TEXT, *row)
        table.add_rows((" ", f"job-{i:03d}-shot-render-comp", *row) for i in range(1, ROWS))


if __name__ == "__main__":
    TableApp().run()
