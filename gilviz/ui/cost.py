"""What the dashboard itself costs: its process's CPU while a scenario runs, headless.

``gilviz bench`` reports it: the app (UI and sampler together, in this process) drives a
real run in a terminal that is never shown, at 120×36, and this process's CPU time is
read over the run's middle (``time.process_time``, in nanoseconds: psutil's figures
come in 10 ms clock ticks, a third of the whole at 3 s). The sampler thread's part is
read from its own CPU clock. The lab and its workers are other processes, not counted.
"""

from __future__ import annotations

import threading
import time

import psutil

from gilviz.model import RunConfig
from gilviz.probe.sampler import SAMPLER_THREAD


def _samplers_cpu() -> dict[int, float]:
    """The CPU seconds of each sampler thread alive now, by thread id."""
    samplers = [t for t in threading.enumerate() if t.name == SAMPLER_THREAD and t.ident and t.native_id]
    if hasattr(time, "pthread_getcpuclockid"):
        out: dict[int, float] = {}
        for t in samplers:
            try:
                out[t.native_id] = time.clock_gettime(time.pthread_getcpuclockid(t.ident))  # type: ignore[arg-type,index]
            except OSError:  # it ended meanwhile
                pass
        return out
    ids = {t.native_id for t in samplers}  # no per-thread clocks (macOS): psutil's, in clock ticks
    return {t.id: t.user_time + t.system_time for t in psutil.Process().threads() if t.id in ids}


def dashboard_cpu(config: RunConfig, *, seconds: float = 3.0, size: tuple[int, int] = (120, 36)) -> dict:
    """This process's CPU share (one core = 1) while the dashboard shows ``config`` running live."""
    from gilviz.ui.app import scenario_app

    figures: dict = {"scenario": config.scenario, "workers": config.worker_count, "size": config.size, "seconds": seconds}
    return _measured(scenario_app(config), figures, seconds, size)


def watched_dashboard_cpu(command: list[str], *, seconds: float = 3.0, size: tuple[int, int] = (120, 36)) -> dict:
    """The same while the dashboard watches ``command`` (a program of many threads: ``gilviz.parked``)."""
    import os
    import tempfile

    from gilviz.model import WatchConfig
    from gilviz.sources.watch import WatchSource
    from gilviz.ui.app import GilvizApp

    with tempfile.TemporaryDirectory() as tmp:
        app = GilvizApp(WatchSource(WatchConfig(tuple(command), output=os.path.join(tmp, "output.log"))))
        figures: dict = {"scenario": "watch", "seconds": seconds}
        _measured(app, figures, seconds, size)
        snap = app.state.snapshot
        figures["lanes"] = len(snap.lanes) if snap is not None else 0
    return figures


def _measured(app, figures: dict, seconds: float, size: tuple[int, int]) -> dict:
    async def measure(pilot) -> None:
        deadline = time.monotonic() + 120
        while not (app.state.status == "live" and app.state.snapshot is not None and app.state.snapshot.lanes):
            if time.monotonic() > deadline:
                raise RuntimeError("the run did not start within 120 s")
            await pilot.pause(0.05)
        await pilot.pause(1.5)  # past the run's start-up (its first second is drawn 5 times a second)
        before, samplers_before, started, frames = time.process_time(), _samplers_cpu(), time.monotonic(), app.pacer.frames
        await pilot.pause(seconds)
        after, samplers_after, wall = time.process_time(), _samplers_cpu(), time.monotonic() - started
        figures["cpu_share"] = (after - before) / wall
        throughout = samplers_before.keys() & samplers_after.keys()  # alive at both readings
        sampler_s = sum(samplers_after[tid] - samplers_before[tid] for tid in throughout)
        figures["sampler_share"] = sampler_s / wall  # of which the sampler thread (the rest: the UI's drawing)
        figures["frames_per_s"] = (app.pacer.frames - frames) / wall  # the lanes' frames drawn
        one_sampler = len(samplers_after) == 1 and samplers_after.keys() == throughout  # one run, its sampler all along
        figures["still_live"] = app.state.status == "live" and one_sampler
        await pilot.press("q")

    app.run(headless=True, size=size, auto_pilot=measure)
    return figures
