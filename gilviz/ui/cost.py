"""What the dashboard itself costs: its process's CPU while a scenario runs, headless (layer: UI).

``gilviz bench`` reports it: the app (UI and sampler together, in this process) drives a
real run in a terminal that is never shown, at 120×36, and psutil reads this process's
CPU time over the run's middle. The lab and its workers are other processes, not counted.
"""

from __future__ import annotations

import threading
import time

import psutil

from gilviz.model import RunConfig
from gilviz.probe.sampler import SAMPLER_THREAD


def _thread_cpu(me: psutil.Process) -> dict[int, float]:
    return {t.id: t.user_time + t.system_time for t in me.threads()}


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
        before, threads_before, started = me.cpu_times(), _thread_cpu(me), time.monotonic()
        await pilot.pause(seconds)
        after, threads_after, wall = me.cpu_times(), _thread_cpu(me), time.monotonic() - started
        figures["cpu_share"] = ((after.user - before.user) + (after.system - before.system)) / wall
        samplers: set[int] = {t.native_id for t in threading.enumerate() if t.name == SAMPLER_THREAD and t.native_id}
        throughout = samplers & threads_before.keys() & threads_after.keys()  # alive at both readings
        sampler_s = sum(threads_after[tid] - threads_before[tid] for tid in throughout)
        figures["sampler_share"] = sampler_s / wall  # of which the sampler thread (the rest: the UI's drawing)
        one_sampler = len(samplers) == 1 and samplers == throughout  # one run, its sampler all along
        figures["still_live"] = app.state.status == "live" and one_sampler
        await pilot.press("q")

    app.run(headless=True, size=size, auto_pilot=measure)
    return figures
