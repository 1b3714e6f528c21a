"""What the dashboard itself costs: its process's CPU while a scenario runs, headless (layer: UI).

``gilviz bench`` reports it: the app (UI and sampler together, in this process) drives a
real run in a terminal that is never shown, at 120×36, and psutil reads this process's
CPU time over the run's middle. The lab and its workers are other processes, not counted.
"""

from __future__ import annotations

import time

import psutil

from gilviz.model import RunConfig


def dashboard_cpu(config: RunConfig, *, seconds: float = 3.0, size: tuple[int, int] = (120, 36)) -> dict:
    """This process's CPU share (one core = 1) while the dashboard shows ``config`` running live."""
    from gilviz.ui.app import scenario_app

    me = psutil.Process()
    app = scenario_app(config)
    figures: dict = {"scenario": config.scenario, "workers": config.worker_count, "size": config.size, "seconds": seconds}

    async def measure(pilot) -> None:
        deadline = time.monotonic() + 120
        while not (app.state.status == "live" and app.state.snapshot is not None and app.state.snapshot.lanes):
            if time.monotonic() > deadline:
                raise RuntimeError("the run did not start within 120 s")
            await pilot.pause(0.05)
        await pilot.pause(0.5)  # past the run's start-up
        before, started = me.cpu_times(), time.monotonic()
        await pilot.pause(seconds)
        after, wall = me.cpu_times(), time.monotonic() - started
        figures["cpu_share"] = ((after.user - before.user) + (after.system - before.system)) / wall
        figures["still_live"] = app.state.status == "live"  # the whole span measured a running scenario
        await pilot.press("q")

    app.run(headless=True, size=size, auto_pilot=measure)
    return figures
