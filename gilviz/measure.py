"""One watched scenario run, and a session that measures baselines first (layer: engine).

``watch_run`` creates a board, starts a lab, attaches the sampler, sends the run command
and collects the lab's result with the timeline's per-lane figures into a ``RunReport``.
``Session`` keeps the sequential baselines it has measured, so every speed-up is against
a baseline measured by this same gilviz process, on the same interpreter, size and
worker count, and is measured first when it is missing.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import TYPE_CHECKING, Callable

from gilviz.lab.board import Board
from gilviz.labproc import LabError, LabProcess
from gilviz.model import RunConfig, RunReport
from gilviz.probe.sampler import Sampler
from gilviz.probe.watchlist import BoardWatchList
from gilviz.timeline import Snapshot, Timeline

if TYPE_CHECKING:
    from gilviz.trace import TraceWriter

HELLO_TIMEOUT_S = 30.0
BIN_S = 0.05  # the timeline's resolution: 50 ms, a minute of history in 1200 bins
SLOW_MOTION_MS = 20.0  # a switch interval from this up is slow motion: the turns are drawn ...
SLOW_MOTION_BIN_S = 0.01  # ... at the sampler's own resolution, 10 ms (runs are short, history small)
STOP_GRACE_S = 2.0  # a cancelled run stops within one chunk (milliseconds); past this, its lab is killed


def watch_run(
    config: RunConfig,
    *,
    watched: bool = True,
    on_snapshot: Callable[[Snapshot], None] | None = None,
    cancel: threading.Event | None = None,
    force_fallback: bool = False,
    recorder: TraceWriter | None = None,
    as_baseline: bool = False,
    on_hello: Callable[[dict], None] | None = None,
) -> RunReport:
    """Run one scenario in a fresh lab and return what was measured (and record it, given a recorder)."""
    board = Board.create()
    lab: LabProcess | None = None
    sampler: Sampler | None = None
    bin_s = SLOW_MOTION_BIN_S if (config.switch_interval_ms or 0) >= SLOW_MOTION_MS else BIN_S
    timeline = recorder.timeline(bin_s=bin_s) if recorder is not None else Timeline(bin_s=bin_s)
    recording = False
    try:
        lab = LabProcess(config.python, board.path)
        hello = lab.expect("hello", HELLO_TIMEOUT_S)
        if on_hello is not None:
            on_hello(hello)
        if watched:
            gil_enabled = hello["python"].get("gil_enabled") if hello["python"].get("implementation") == "cpython" else None
            watch = BoardWatchList(board, gil_enabled=gil_enabled)
            sampler = Sampler(watch, timeline, on_snapshot=on_snapshot, force_fallback=force_fallback)
        if recorder is not None:
            recorder.run_started(config, hello["python"], int(hello["cores"]), as_baseline=as_baseline, timeline=timeline)
            recording = True
        if sampler is not None:
            sampler.start()
        lab.send(config.command())
        result = _wait_for_result(lab, cancel)
        report = RunReport(config, hello["python"], int(hello["cores"]), result, timeline.snapshot(), watched)
        if sampler is not None:
            sampler.stop()
            report.snapshot = timeline.snapshot()
            report.sampler_cpu_s = sampler.cpu_s
            report.sampler_ticks = sampler.ticks
            report.core_busy = sampler.core_busy()
        if recorder is not None:
            recorder.run_finished(report)
            recording = False
        return report
    except BaseException as exc:
        if recorder is not None and recording:
            recorder.run_failed("%s: %s" % (type(exc).__name__, exc))
        raise
    finally:
        if sampler is not None:
            sampler.stop()
            sampler.close()
        if lab is not None:
            lab.close()
        board.close()


def _wait_for_result(lab: LabProcess, cancel: threading.Event | None) -> dict:
    """The lab's result; once cancelled, at most STOP_GRACE_S more before giving up on it (LabError)."""
    asked_at: float | None = None
    while True:
        if cancel is not None and cancel.is_set() and asked_at is None:
            lab.stop_run()
            asked_at = time.monotonic()
        if asked_at is not None and time.monotonic() - asked_at > STOP_GRACE_S:
            raise LabError(
                "the run did not stop within %g s of being asked (a worker that never checks in?); "
                "its lab and workers are killed" % STOP_GRACE_S
            )
        try:
            event = lab.events.get(timeout=0.05)
        except queue.Empty:
            continue
        if event.get("event") == "result":
            return event
        lab.events.put(event)  # let expect() turn it into the right error
        lab.expect("result", 0)


class Session:
    """Runs scenarios and keeps the sequential baselines it measured along the way."""

    def __init__(self, *, watched: bool = True, recorder: TraceWriter | None = None, baseline_runs: int = 1) -> None:
        self.watched = watched
        self.recorder = recorder  # every run of the session goes into it
        # A baseline is the median of this many runs (one noisy run would move every speed-up
        # measured against it). Recording keeps one: a replay pairs a run with the last baseline.
        self.baseline_runs = 1 if recorder is not None else max(1, baseline_runs)
        self._baselines: dict[RunConfig, RunReport] = {}
        self.baseline_walls: dict[str, list[float]] = {}  # scenario -> wall times of its last baseline runs

    def baseline_for(self, config: RunConfig, **kwargs) -> RunReport | None:
        base = config.baseline()
        if base is None:
            return None
        if base not in self._baselines:
            self._measure_baseline(base, base, as_baseline=True, **kwargs)
        return self._baselines.get(base)

    def _measure_baseline(self, key: RunConfig, config: RunConfig, **kwargs) -> RunReport:
        """Run a sequential scenario (``baseline_runs`` times) and keep the median run as the baseline for ``key``.

        A cancelled run is never kept.
        """
        reports = []
        for _ in range(self.baseline_runs):
            report = watch_run(config, watched=self.watched, recorder=self.recorder, **kwargs)
            if report.result.get("cancelled"):
                return report
            reports.append(report)
        self.baseline_walls[config.scenario] = [r.wall_s for r in reports]
        median = sorted(reports, key=lambda r: r.wall_s)[len(reports) // 2]
        self._baselines[key] = median
        return median

    def has_baseline(self, config: RunConfig) -> bool:
        base = config.baseline()
        return base is None or base in self._baselines

    def run(self, config: RunConfig, **kwargs) -> RunReport:
        """Run ``config``, after its baseline if that is missing; a sequential run renews its baseline."""
        base = config.baseline()
        if base is not None and base.scenario == config.scenario:
            return self._measure_baseline(base, config, **kwargs)
        baseline = self.baseline_for(config, **kwargs)
        report = watch_run(config, watched=self.watched, recorder=self.recorder, **kwargs)
        report.baseline = baseline
        return report


__all__ = ["LabError", "Session", "watch_run"]
