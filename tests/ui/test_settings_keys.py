"""The settings keys against the demo farm: `o` job settings and `C` comments (jobs table and job
screen), and on the job screen's layers table `o` layer settings, `R` / `E` / `K` / `D`; each checked on
the farm's state afterwards, every request parsed strictly."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.gateway.requests import JobSearch
from cuetui.ui.comments import CommentForm, CommentsDialog
from cuetui.ui.screens.job import JobScreen
from cuetui.ui.screens.jobs import COMMENT_MARK, JobsScreen
from cuetui.ui.widgets.dialogs import ConfirmDialog, KillReasonDialog
from cuetui.ui.widgets.settings_form import SettingsForm
from tests.commands.test_settings_cmds import wait_on_render
from tests.ui.steer_support import (
    gateway_for,
    make_app,
    strict_requests,  # noqa: F401 - autouse: every request parses strictly
    toasts,
    wait_farm,
    wait_for,
    wait_loaded,
)

DEAD_JOB = "testing-sh180-rpatel_layout_v015"  # layers preflight (8 running) and render (9 running, 5 dead)
GB = 1048576
SETTING_PATHS = ("/job.JobInterface/Set", "/job.LayerInterface/", "/comment.", "/job.JobInterface/AddComment")


@pytest.fixture
def gw(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return gateway_for(make_gateway, profile="small", seed=7, speed=0.0)


def sent(gw: DemoGatewayThread) -> list[str]:
    """The RPC names of the settings requests the gateway received."""
    return [p.rsplit("/", 1)[1] for _m, p, _h, _b, _s in gw.recorded if p.startswith(SETTING_PATHS)]


def farm_job(gw: DemoGatewayThread) -> Any:
    return gw.run(lambda farm: farm.find_job(DEAD_JOB).job)


def farm_layer(gw: DemoGatewayThread, name: str) -> Any:
    return gw.run(lambda farm: next(layer for layer in farm.find_job(DEAD_JOB).layers if layer.name == name))


async def on_job_row(pilot: Any) -> JobsScreen:
    await wait_loaded(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, JobsScreen)
    jobs = await pilot.app.services.client.get_jobs(JobSearch())
    target = next(j for j in jobs if j.name == DEAD_JOB)
    assert screen.table.move_to_key(target.id)
    await pilot.pause()
    return screen


async def form(pilot: Any) -> SettingsForm:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SettingsForm), what="the settings form")
    screen = pilot.app.screen
    assert isinstance(screen, SettingsForm)
    return screen


async def set_field(pilot: Any, dialog: SettingsForm, name: str, value: str) -> None:
    field = dialog.field_input(name)
    field.value = value
    field.focus()
    await pilot.pause()


async def open_job(pilot: Any) -> JobScreen:
    app = pilot.app
    await wait_loaded(pilot)
    job = next(j for j in await app.services.client.get_jobs(JobSearch()) if j.name == DEAD_JOB)
    app.open_job(job)
    await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
    screen = app.screen
    assert isinstance(screen, JobScreen)
    await wait_for(pilot, lambda: screen.sync is not None and screen.sync.loaded and screen.job_layers)
    await pilot.pause()
    return screen


async def on_layer(pilot: Any, screen: JobScreen, name: str) -> None:
    layer = next(layer for layer in screen.job_layers if layer.name == name)
    screen.layers_table.focus()
    assert screen.layers_table.move_to_key(layer.id)
    await pilot.pause()


async def test_o_on_the_jobs_table_sends_only_the_changed_fields(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await on_job_row(pilot)
        await pilot.press("o")
        dialog = await form(pilot)
        assert dialog.field_input("priority").value == str(farm_job(gw).priority)  # pre-filled
        assert dialog.field_input("auto_eat").value == "off"
        assert dialog.field_input("max_retries").value == ""  # the job message has no max retries
        await set_field(pilot, dialog, "max_retries", "5")
        await set_field(pilot, dialog, "auto_eat", "on")
        await pilot.press("enter")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).max_retries == 5)
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).auto_eat)
        assert sent(gw) == ["SetMaxRetries", "SetAutoEat"]
        await wait_for(pilot, lambda: any("max retries 5, auto-eat on" in t for t in toasts(app)))


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("max_cores", "-1", "at least 0"),
        ("min_gpus", "٢", "whole number"),
        ("min_cores", "999", "more than max cores"),
        ("auto_eat", "perhaps", "on or off"),
        ("priority", "1000001", "priority"),
    ],
)
async def test_a_bad_value_keeps_the_form_open_and_sends_nothing(
    gw: DemoGatewayThread, name: str, value: str, words: str
) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await on_job_row(pilot)
        await pilot.press("o")
        dialog = await form(pilot)
        await set_field(pilot, dialog, name, value)
        await pilot.press("enter")
        await wait_for(pilot, lambda: words in dialog.error_text, what=f"the refusal ({words})")
        assert app.screen is dialog
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SettingsForm))
        assert sent(gw) == []


async def test_o_on_marked_jobs_sets_each(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await on_job_row(pilot)
        await pilot.press("space", "down", "space")
        marked = [j.name for j in screen.selected_jobs()]
        assert len(marked) == 2
        await pilot.press("o")
        dialog = await form(pilot)
        await set_field(pilot, dialog, "max_gpus", "3")
        await pilot.press("enter")
        for name in marked:
            await wait_farm(pilot, gw, lambda farm, name=name: farm.find_job(name).max_gpus == 3.0)
        assert sent(gw) == ["SetMaxGpus", "SetMaxGpus"]


async def test_c_lists_adds_and_deletes_comments_and_the_table_marks_the_job(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await on_job_row(pilot)
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, CommentsDialog))
        dialog = app.screen
        assert isinstance(dialog, CommentsDialog)
        await wait_for(pilot, lambda: dialog.loaded)
        assert dialog.comments == []
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, CommentForm))
        await pilot.press(*"OOM on render", "tab", *"raise to 24G", "enter")
        await wait_farm(
            pilot, gw, lambda farm: [c.subject for c in farm.find_job(DEAD_JOB).comments] == ["OOM on render"]
        )
        await wait_for(pilot, lambda: [c.subject for c in dialog.comments] == ["OOM on render"], what="the new comment")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).comments == [])
        assert sent(gw) == ["AddComment", "Delete"]
        await pilot.press("escape")
        # A comment again, from elsewhere: the jobs table marks the job once it polls.
        gw.run(lambda farm: farm.find_job(DEAD_JOB).comments.append(farm.new_comment("ann", "note", "")))
        screen.refresh_now()
        job_id = farm_job(gw).id
        await wait_for(
            pilot, lambda: screen.table.get_cell(job_id, "name").plain.startswith(COMMENT_MARK), what="the mark"
        )


async def test_another_users_comment_is_not_deleted(gw: DemoGatewayThread) -> None:
    gw.run(lambda farm: farm.find_job(DEAD_JOB).comments.append(farm.new_comment("someone-else", "mine", "")))
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await on_job_row(pilot)
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, CommentsDialog) and app.screen.loaded)
        await pilot.press("d")
        await wait_for(pilot, lambda: any("not yours" in t for t in toasts(app)))
        assert len(gw.run(lambda farm: farm.find_job(DEAD_JOB).comments)) == 1
        assert sent(gw) == []


async def test_o_on_the_job_screen_is_the_job_and_on_the_layers_table_the_layer(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot)
        screen.frames_table.focus()
        await pilot.press("o")
        dialog = await form(pilot)
        assert dialog.dialog_title == "Job settings"
        await pilot.press("escape")
        await on_layer(pilot, screen, "render")
        await pilot.press("o")
        dialog = await form(pilot)
        assert dialog.dialog_title == "Layer settings"
        assert dialog.field_input("min_memory").value == "8G"  # shown as typed
        assert dialog.field_input("tags").value == "general"
        await set_field(pilot, dialog, "min_memory", "16G")
        await set_field(pilot, dialog, "timeout", "90")
        await pilot.press("enter")
        await wait_farm(pilot, gw, lambda farm: farm_layer_of(farm, "render").min_memory == 16 * GB)
        await wait_farm(pilot, gw, lambda farm: farm_layer_of(farm, "render").timeout == 90)
        assert sent(gw) == ["SetMinMemory", "SetTimeout"]
        # The layers table shows it at once (a setting changes no frame, yet the layers are read again).
        await wait_for(
            pilot,
            lambda: next(la for la in screen.job_layers if la.name == "render").min_memory == 16 * GB,
            what="the layers refreshed",
        )


def farm_layer_of(farm: Any, name: str) -> Any:
    return next(layer for layer in farm.find_job(DEAD_JOB).layers if layer.name == name)


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("min_memory", "16", "a size like 16G"),
        ("tags", "general,,gpu", "none empty"),
        ("min_gpus", "3", ""),  # fine alone (max GPUs 0: no limit)...
    ],
)
async def test_layer_form_validation(gw: DemoGatewayThread, name: str, value: str, words: str) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot)
        await on_layer(pilot, screen, "render")
        await pilot.press("o")
        dialog = await form(pilot)
        await set_field(pilot, dialog, name, value)
        if not words:  # ...but not over a max
            await set_field(pilot, dialog, "max_gpus", "2")
            words = "more than max GPUs"
        await pilot.press("enter")
        await wait_for(pilot, lambda: words in dialog.error_text, what=f"the refusal ({words})")
        await pilot.press("escape")
        assert sent(gw) == []


async def test_layer_r_retries_only_that_layers_dead_frames(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot)
        await on_layer(pilot, screen, "preflight")
        await pilot.press("R")  # no dead frames there: nothing sent
        await wait_for(pilot, lambda: any("no dead frames in layer preflight" in t for t in toasts(app)))
        await on_layer(pilot, screen, "render")
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        question = app.screen.question  # type: ignore[attr-defined]
        assert "5 dead frames of layer render" in question and DEAD_JOB in question
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).stats()["dead"] == 0)
        body = next(json.loads(b) for _m, p, _h, b, _s in gw.recorded if p.endswith("/RetryFrames"))
        assert body["req"] == {"layers": ["render"], "states": {"frameStates": ["DEAD"]}}


async def test_layer_e_eats_and_k_kills_and_d_marks_done(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot)
        await on_layer(pilot, screen, "render")
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm_layer_of(farm, "render").counts[6] == 5)  # EATEN
        await on_layer(pilot, screen, "preflight")
        await pilot.press("K")
        await wait_for(pilot, lambda: isinstance(app.screen, KillReasonDialog))
        assert "8 running frames of layer preflight" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_farm(pilot, gw, lambda farm: farm_layer_of(farm, "preflight").counts[2] == 0)  # none RUNNING
        assert farm_layer(gw, "render").counts[2] == 9  # the other layer runs on
        await on_layer(pilot, screen, "render")
        counts = gw.run(lambda farm: list(farm_layer_of(farm, "render").counts))
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Mark layer render" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_for(pilot, lambda: "MarkdoneFrames" in sent(gw), what="mark done sent")
        await wait_for(pilot, lambda: any(t.startswith("marked done 1 layer") for t in toasts(app)))
        assert gw.run(lambda farm: list(farm_layer_of(farm, "render").counts)) == counts  # no frame eaten


def depend_frames(farm: Any, job: str) -> int:
    from cuetui.demo.model import DEPEND

    return int(farm.jobs_by_name[job].layers[0].counts[DEPEND])


async def test_d_satisfies_what_waits_on_the_layer_and_leaves_its_frames(gw: DemoGatewayThread) -> None:
    """`D` counts the dependencies waiting on the layer in its confirmation, says what it does not do,
    and on the farm releases the job held on the layer while the layer's own frames stay as they were."""
    waiting = wait_on_render(gw)
    assert gw.run(lambda farm: depend_frames(farm, waiting)) > 0
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot)
        await on_layer(pilot, screen, "render")
        counts = gw.run(lambda farm: list(farm_layer_of(farm, "render").counts))
        assert counts[5] == 5  # 5 DEAD
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        question = app.screen.question  # type: ignore[attr-defined]
        assert "satisfies the 1 dependency waiting on it" in question and "left as they are" in question
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: depend_frames(farm, waiting) == 0)
        await wait_for(pilot, lambda: "marked done 1 layer (1 dependency satisfied)" in toasts(app))
        assert gw.run(lambda farm: list(farm_layer_of(farm, "render").counts)) == counts
        assert gw.run(lambda farm: [d.active for d in farm.resources.depends if d.er_job.name == waiting]) == [False]


async def test_d_sends_nothing_when_what_waits_cannot_be_read(gw: DemoGatewayThread) -> None:
    """The count is read before asking: when the gateway refuses that read, nothing is asked or sent
    and the notification says why."""
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot)
        await on_layer(pilot, screen, "render")
        render = gw.run(lambda farm: farm_layer_of(farm, "render").id)
        gw.run(lambda farm: farm.layers_by_id.pop(render))  # listed by GetLayers, unknown to LayerInterface
        await pilot.press("D")
        await wait_for(pilot, lambda: any(t.startswith("mark done not sent: cannot read") for t in toasts(app)))
        assert not isinstance(app.screen, ConfirmDialog)
        assert sent(gw) == ["GetWhatDependsOnThis"]  # the refused read, and no MarkdoneFrames


async def test_d_in_read_only_mode_sends_nothing(gw: DemoGatewayThread) -> None:
    app = make_app(gw, read_only=True)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot)
        await on_layer(pilot, screen, "render")
        await pilot.press("D")
        await wait_for(pilot, lambda: any("read-only" in t and "mark done" in t for t in toasts(app)))
        assert not isinstance(app.screen, ConfirmDialog)
        assert sent(gw) == []


async def test_d_with_the_frames_table_focused_says_where(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot)
        screen.frames_table.focus()
        await pilot.press("D")
        await wait_for(pilot, lambda: any("focus the layers table" in t for t in toasts(app)))
        assert sent(gw) == []


async def test_read_only_refuses_the_forms(gw: DemoGatewayThread) -> None:
    app = make_app(gw, read_only=True)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot)
        await on_layer(pilot, screen, "render")
        await pilot.press("o")
        await wait_for(pilot, lambda: any("read-only" in t for t in toasts(app)))
        assert not isinstance(app.screen, SettingsForm)
        assert sent(gw) == []


async def test_open_layer_settings_prefills_min_memory(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        client = app.services.client
        job = next(j for j in await client.get_jobs(JobSearch()) if j.name == DEAD_JOB)
        layer = next(la for la in await client.get_layers(job.id) if la.name == "render")
        app.open_layer_settings(job, layer, min_memory_kb=24 * GB)
        dialog = await form(pilot)
        assert dialog.field_input("min_memory").value == "24G"
        await pilot.press("enter")
        await wait_farm(pilot, gw, lambda farm: farm_layer_of(farm, "render").min_memory == 24 * GB)
        assert sent(gw) == ["SetMinMemory"]


async def test_max_retries_is_shown_as_unknown_and_sent_only_when_typed(gw: DemoGatewayThread) -> None:
    before = gw.run(lambda farm: farm.find_job(DEAD_JOB).max_retries)
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await on_job_row(pilot)
        await pilot.press("o")
        dialog = await form(pilot)
        field = dialog.field_input("max_retries")
        # Cuebot's job message carries no max retries: the field is empty and says why.
        assert field.value == "" and "unknown" in field.placeholder and "type a number" in field.placeholder
        await set_field(pilot, dialog, "priority", "77")
        await pilot.press("enter")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).priority == 77)
        assert sent(gw) == ["SetPriority"]  # the untouched max retries is not sent
        assert gw.run(lambda farm: farm.find_job(DEAD_JOB).max_retries) == before


def test_the_settings_forms_are_not_imported_at_start_up() -> None:
    # Start-up imports what the first screen needs; the settings forms and dialogs load with the
    # first key that opens one (the keys themselves are tested above).
    import subprocess
    import sys

    code = (
        "import sys, cuetui.ui.app;"
        "print(sorted(m for m in ('cuetui.ui.settings_steer', 'cuetui.ui.widgets.settings_form',"
        " 'cuetui.ui.comments') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr
