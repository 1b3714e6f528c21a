"""The lab source: scenario runs, each after its baseline when missing (no textual).

With ``repeats`` above 1, each run is that many runs, each after a baseline run of its own
(``Session.repeat``): a ``RunStarted`` before every one (``baseline=True`` for the
baseline runs), and one ``RunFinished`` at the end with the run that stands for them all
(its ``repeats``, ``speedup`` the median, ``speedup_spread`` the range).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Callable

from gilviz.measure import Session
from gilviz.model import RunConfig, RunReport
from gilviz.sources.base import Defaults
from gilviz.sources.events import Event, InterpreterKnown, Problem, RunFinished, RunStarted, SnapshotTaken
from gilviz.timeline import Snapshot


class LabSource(Defaults):
    """Runs ``config`` in a fresh lab each time ``run`` is called; ``switch`` changes what runs next."""

    can_switch = True  # runs start from the keyboard

    def __init__(self, config: RunConfig, *, session: Session | None = None) -> None:
        self.config = config
        self.session = session or Session()
        self.repeats = 1  # runs in the next `run` only (the dashboard's "re-run N times"), 1 to 50
        self.frame_s: float | None = None  # how often the dashboard draws: the sampler's snapshots come then
        self.told_error = False  # the recording's error was shown (once a session)

    def switch(self, **changes) -> RunConfig:
        self.config = replace(self.config, **changes)
        return self.config

    def run(self, post: Callable[[Event], None], cancel: threading.Event, paused: Callable[[], bool] = lambda: False) -> None:
        config = self.config

        recorder = self.session.recorder

        def snapshot(snap: Snapshot) -> float | None:
            post(SnapshotTaken(snap))
            if recorder is not None and recorder.error and not self.told_error:  # said at once, not at the end
                self.told_error = True
                post(Problem(recorder.error))
            return self.frame_s

        def hello(event: dict) -> None:
            post(InterpreterKnown(event["python"], int(event["cores"])))

        repeats, self.repeats = self.repeats, 1  # the next run is one run again
        if repeats > 1:
            self._run_repeated(config, repeats, post, cancel, snapshot, hello)
            return
        try:
            if not self.session.has_baseline(config) and config.info.baseline != config.scenario:
                post(RunStarted(config, baseline=True))
                self.session.baseline_for(config, on_snapshot=snapshot, cancel=cancel, on_hello=hello)
            if cancel.is_set():
                return
            post(RunStarted(config))
            report = self.session.run(config, on_snapshot=snapshot, cancel=cancel, on_hello=hello)
        except Exception as exc:  # shown in the UI; the next run starts clean
            post(RunFinished(None, "%s: %s" % (type(exc).__name__, exc)))
            return
        post(RunFinished(report))

    def _run_repeated(self, config: RunConfig, repeats: int, post, cancel: threading.Event, snapshot, hello) -> None:
        done: list[RunReport] = []  # the series' runs so far (not their baselines)

        def started(what: RunConfig, baseline: bool) -> None:
            post(RunStarted(config, baseline=baseline, progress=series_progress(done, repeats, baseline)))

        def reported(report: RunReport) -> None:
            if report.config == config and not report.result.get("cancelled"):
                done.append(report)

        try:
            report = self.session.repeat(
                config, repeats, on_start=started, on_report=reported, on_snapshot=snapshot, cancel=cancel, on_hello=hello
            )
        except Exception as exc:  # shown in the UI; the next run starts clean
            post(RunFinished(None, "%s: %s" % (type(exc).__name__, exc)))
            return
        if report.run_config.scenario != config.scenario:  # a baseline run, cancelled: nothing to show
            return
        post(RunFinished(report))


def series_progress(done: list[RunReport], repeats: int, baseline: bool) -> str:
    """Where a series of runs is: "run 3 of 5 · so far 0.95–1.01×" (speed-ups, or wall times without a baseline)."""
    text = "run %d of %d" % (min(len(done) + 1, repeats), repeats)
    speedups = [r.baseline.wall_s / r.wall_s for r in done if r.baseline is not None and r.wall_s > 0]
    if speedups and len(speedups) == len(done):
        lo, hi = min(speedups), max(speedups)
        text += " · so far %.2f×" % lo if len(speedups) == 1 else " · so far %.2f–%.2f×" % (lo, hi)
    elif done:
        walls = [r.wall_s for r in done]
        lo, hi = min(walls), max(walls)
        text += " · so far %.2f s" % lo if len(walls) == 1 else " · so far %.2f–%.2f s" % (lo, hi)
    return text
