"""The real terminal: open a job, focus its layers table, open the render layer's settings with `o`, set
min memory to 16G, and the farm (asked through the gateway) says the layer changed. The gateway fixture
and helpers are the steering tmux test's."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.ui.test_steer_tmux import _need_tmux, gateway, gateway_call, pane_script  # noqa: F401 - fixture
from tests.waiting import wait_for

pytestmark = pytest.mark.tmux

JOB = "testing-sh180-rpatel_layout_v015"  # small farm, seed 7: layers preflight and render (8G)
GB = 1048576


def test_layer_settings_set_min_memory_and_the_farm_has_it(gateway: str, tmp_path: Path) -> None:  # noqa: F811
    tmux = _need_tmux()
    server = f"cuetui-layer-{uuid.uuid4().hex[:8]}"
    base = [tmux, "-L", server, "-f", os.devnull]
    script = pane_script(gateway, tmp_path)
    job_id = gateway_call(gateway, "/job.JobInterface/FindJob", {"name": JOB})["job"]["id"]

    def render_min_memory() -> int:
        layers = gateway_call(gateway, "/job.JobInterface/GetLayers", {"job": {"id": job_id}})["layers"]["layers"]
        return int(next(layer for layer in layers if layer["name"] == "render")["minMemory"])

    assert render_min_memory() == 8 * GB

    def tmux_run(*args: str) -> str:
        return subprocess.run([*base, *args], capture_output=True, text=True, timeout=10, check=True).stdout

    def pane() -> str:
        return tmux_run("capture-pane", "-p", "-t", server)

    def focused(label: str) -> bool:
        """The field after `label` has the focused look (the form's focused input has its own background,
        so its line holds one more background colour than the others)."""
        lines = tmux_run("capture-pane", "-p", "-e", "-t", server).splitlines()
        line = next((text for text in lines if label + "\x1b" in text or label + " " in text), "")
        others = [text for text in lines if "min GPUs" in text]
        return bool(line and others) and line.count("48;5;") > others[0].count("48;5;")

    def keys(*names: str) -> None:
        tmux_run("send-keys", "-t", server, *names)

    tmux_run("new-session", "-d", "-s", server, "-x", "160", "-y", "48", "sh", "-c", script)
    try:
        wait_for(lambda: JOB in pane() and "live" in pane(), 30, "the jobs table", show=pane)
        keys("/")
        wait_for(lambda: "filter: type to narrow" in pane(), 10, "the filter prompt", show=pane)
        tmux_run("send-keys", "-t", server, "-l", "layout_v015")
        wait_for(lambda: "1/5 jobs" in pane(), 10, "the filtered table", show=pane)
        keys("Enter")
        wait_for(lambda: "filter: type to narrow" not in pane(), 10, "focus back on the table", show=pane)
        keys("Enter")
        wait_for(lambda: "preflight" in pane() and "frames" in pane(), 30, "the job screen", show=pane)
        # The frames table has focus: back-tab to the layers table, then down past the whole-job row and
        # preflight to render (the layers are in dispatch order).
        keys("BTab")
        keys("Down", "Down")
        keys("o")
        wait_for(lambda: "Layer settings" in pane(), 10, "the layer settings form", show=pane)
        wait_for(lambda: "layer render of" in pane(), 10, "the render layer's form", show=pane)
        assert "8G" in pane()  # min memory shown as a size
        # Type only once the field has focus (the form's first field is focused a moment after it shows).
        wait_for(lambda: focused("min cores"), 10, "the first field focused", show=pane)
        keys("Down", "Down")  # min cores -> max cores -> min memory (its text is selected on focus)
        wait_for(lambda: focused("min memory"), 10, "min memory focused", show=pane)
        tmux_run("send-keys", "-t", server, "-l", "16G")
        keys("Enter")
        wait_for(lambda: render_min_memory() == 16 * GB, 15, "the farm's layer to change", show=pane)
        wait_for(lambda: "min memory 16G" in pane(), 10, "the outcome on screen", show=pane)
        keys("q")
        wait_for(lambda: "cuetui exited with 0" in pane(), 10, "cuetui to quit", show=pane)
    finally:
        subprocess.run([*base, "kill-server"], capture_output=True, timeout=10)
