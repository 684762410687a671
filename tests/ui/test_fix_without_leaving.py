"""On the frozen studio farm, a wrangler fixes the top reason `w` gives without leaving cuetui: a job held
by a dependency is released from its dependencies panel (`v`, `A`), a show at its burst gets a higher
burst on the subscriptions screen (`6`, `b`); the farm's state changes and `w`'s reasons move on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.views.why import gather_why
from cuetui.farm.why import explain
from cuetui.gateway.models import Job
from cuetui.gateway.requests import JobSearch
from cuetui.ui.screens.deps_panel import DepsPanel
from cuetui.ui.screens.job import JobScreen
from cuetui.ui.screens.subscriptions import CoresDialog, SubscriptionsScreen
from cuetui.ui.widgets.dialogs import ConfirmDialog
from cuetui.ui.widgets.why_panel import WhyPanel
from tests.ui.steer_support import check_requests, make_app, wait_for, wait_loaded


async def top_reasons(app: Any) -> dict[str, tuple[Job, list[str]]]:
    """Each pending job with frames to run, by name: the job and its reasons, most decisive first."""
    client = app.services.client
    out = {}
    for job in await client.get_jobs(JobSearch()):
        if job.stats.waiting_frames + job.stats.depend_frames:
            out[job.name] = (job, [r.reason for r in explain(await gather_why(client, job))])
    return out


async def test_the_top_reason_is_fixed_from_the_tui(make_gateway: Callable[..., DemoGatewayThread]) -> None:
    gw = make_gateway(profile="studio", seed=0, speed=0.0, record=True)
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        before = await top_reasons(app)
        held = sorted(name for name, (_j, reasons) in before.items() if reasons[:1] == ["dependency"])
        at_burst = sorted(name for name, (_j, reasons) in before.items() if reasons[:1] == ["subscription_burst"])
        assert held and at_burst, before

        # The dependency: w says which key (v) drops it; v on the job, A drops all it waits on.
        name = held[0]
        await pilot.press("colon", *f"job {name}", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen) and app.screen.job is not None, what=name)
        app.screen.set_focus(None)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WhyPanel), what="why panel")
        assert "[drop-depends] v" in str(app.screen.query_one("#why-reasons").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), what="back on the job")
        # (back on the job screen its frames table has focus again: v would list the cursor frame's)
        app.screen.set_focus(None)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, DepsPanel) and app.screen.loads >= 1, what="panel")
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="confirmation")
        await pilot.press("y")

        def released(farm: Any) -> bool:
            job = farm.jobs_by_name[name]
            return not any(d.active for d in farm.resources.depends_of(job))

        await wait_for(pilot, lambda: gw.run(released), what="the farm's dependencies satisfied")
        job, _ = before[name]
        reasons = [r.reason for r in explain(await gather_why(app.services.client, job))]
        assert "dependency" not in reasons, reasons
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, (DepsPanel, JobScreen)), what="back")

        # The burst: 6, the show's row, b with twice the burst.
        name = at_burst[0]
        job, _ = before[name]
        await pilot.press("6")
        await wait_for(pilot, lambda: isinstance(app.screen, SubscriptionsScreen), what="subscriptions")
        await wait_loaded(pilot)
        screen: SubscriptionsScreen = app.screen  # type: ignore[assignment]
        why = explain(await gather_why(app.services.client, job))
        alloc = why[0].figures["allocation"]
        row = next(
            r
            for r in screen.table.models()
            if (r.subscription.show_name, r.subscription.allocation_name) == (job.show, alloc)
        )
        screen.table.move_to_key(row.key)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, CoresDialog), what="burst dialog")
        wanted = round(row.subscription.burst_cores) * 2  # cores, as a person types them
        await pilot.press("home", "ctrl+k", *str(wanted), "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="confirmation")
        await pilot.press("y")

        def burst(farm: Any) -> int:
            return int(farm.resources.subscription(farm.find_show(job.show), alloc).burst)

        await wait_for(pilot, lambda: gw.run(burst) == wanted, what="the farm's burst")
        reasons = [r.reason for r in explain(await gather_why(app.services.client, job))]
        assert "subscription_burst" not in reasons, reasons
    assert check_requests(gw) > 0


def test_remedy_keys_follow_the_catalogues_and_the_keymap() -> None:
    from cuetui.ui.catalogue import APP_ACTIONS
    from cuetui.ui.remedy_keys import remedy_keys
    from cuetui.ui.screens.hosts import HostsScreen

    catalogues = (*APP_ACTIONS, *JobScreen.ACTIONS, *SubscriptionsScreen.ACTIONS, *HostsScreen.ACTIONS)
    keys = remedy_keys(catalogues)
    assert (keys["drop-depends"], keys["subscription-burst"], keys["resume"]) == ("v", "6 then b", "u")
    assert keys["layer-memory"] == "o on the layer" and keys["host-unlock"] == "3 then U"
    remapped = remedy_keys(catalogues, {"job.depends": "V", "subs.burst": "B"})
    assert (remapped["drop-depends"], remapped["subscription-burst"]) == ("V", "6 then B")
    assert "subscription-burst" not in remedy_keys(JobScreen.ACTIONS)  # not among them: left out
