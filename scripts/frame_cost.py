"""Where a dashboard frame's CPU goes: the app drives threads-cpu live, headless, and the parts are timed.

    python scripts/frame_cost.py [SCENARIO] [--workers N] [--size seed]

A developer's tool (it wraps Textual internals, which may move between versions): it prints
the UI thread's CPU per second and per frame, and how much of a frame the compositor, the
lanes, the meters and the app's own drawing take. ``gilviz bench`` gives the total that counts.
"""

from __future__ import annotations

import argparse
import collections
import time

from gilviz.model import RunConfig
from gilviz.ui import app as dashboard
from gilviz.ui.dashboard_screen import DashboardScreen
from gilviz.ui.lanes import LanesView
from gilviz.ui.meters import CpuMeters
from textual import _compositor
from textual.screen import Screen

spent: collections.Counter[str] = collections.Counter()


def timed(cls: type, name: str, label: str) -> None:
    original = getattr(cls, name)

    def wrapper(self, *args, **kwargs):
        started = time.thread_time()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent[label] += time.thread_time() - started

    setattr(cls, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", nargs="?", default="threads-cpu")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--size", default="seed")
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    timed(Screen, "_on_timer_update", "screen update (all of the compositor)")
    timed(_compositor.Compositor, "_render_chops", "  compositor: every widget in the dirty area")
    timed(LanesView, "render_lines", "    the lanes")
    timed(LanesView, "render_line", "      its lines (the rest: Textual styles them)")
    timed(LanesView, "_line", "        their segments")
    timed(CpuMeters, "render_lines", "    the meters")
    timed(dashboard.GilvizApp, "apply", "app.apply: state and drawing")
    timed(DashboardScreen, "draw_lanes", "  the screen's draw_lanes")
    app = dashboard.scenario_app(RunConfig(args.scenario, size=args.size, workers=args.workers))

    async def measure(pilot) -> None:
        while not (app.state.status == "live" and app.state.snapshot is not None and app.state.snapshot.lanes):
            await pilot.pause(0.05)
        await pilot.pause(0.5)
        spent.clear()
        frames = app.pacer.frames
        cpu, wall = time.thread_time(), time.monotonic()
        await pilot.pause(args.seconds)
        cpu, wall = time.thread_time() - cpu, time.monotonic() - wall
        n = max(1, app.pacer.frames - frames)
        print("%d frames in %.1f s; the UI thread: %.4f of a core, %.2f ms a frame" % (n, wall, cpu / wall, cpu / n * 1000))
        for label, seconds in spent.items():
            print("  %-46s %6.2f ms a frame" % (label, seconds / n * 1000))
        await pilot.press("q")

    app.run(headless=True, size=(120, 36), auto_pilot=measure)


if __name__ == "__main__":
    main()
