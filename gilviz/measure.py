"""One watched scenario run, and a session that measures baselines first.

``watch_run`` creates a board, starts a lab, attaches the sampler, sends the run command
and collects the lab's result with the timeline's per-lane figures into a ``RunReport``,
with what the rest of the machine did meanwhile (``gilviz.probe.machine``).
``Session`` keeps the sequential baselines it has measured, so every speed-up is against
a baseline measured by this same gilviz process, on the same interpreter, size and
worker count, and is measured first when it is missing. ``Session.repeat`` runs a
scenario several times, each run right after a baseline run of its own (baseline, run,
baseline, run, ...), so that drift in the machine's speed hits both sides of each ratio.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable

from gilviz.lab.board import Board
from gilviz.labproc import LabError, LabProcess
from gilviz.model import Repeats, RunConfig, RunReport
from gilviz.noise import median_index
from gilviz.probe.machine import MachineMeter
from gilviz.probe.sampler import Sampler
from gilviz.probe.watchlist import BoardWatchList
from gilviz.timeline import SnapshotSink, Timeline

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
    on_snapshot: SnapshotSink | None = None,
    cancel: threading.Event | None = None,
    force_fallback: bool = False,
    recorder: TraceWriter | None = None,
    as_baseline: bool = False,
    on_hello: Callable[[dict], None] | None = None,
) -> RunReport:
    """Run one scenario in a fresh lab and return what was measured (and record it, given a recorder)."""
    board = Board.create()
    bin_s = SLOW_MOTION_BIN_S if (config.switch_interval_ms or 0) >= SLOW_MOTION_MS else BIN_S
    timeline = recorder.timeline(bin_s=bin_s) if recorder is not None else Timeline(bin_s=bin_s)
    try:
        with observed(recorder) as run:
            lab = run.lab = LabProcess(config.python, board.path)
            hello = lab.expect("hello", HELLO_TIMEOUT_S)
            if on_hello is not None:
                on_hello(hello)
            if watched:
                gil_enabled = hello["python"].get("gil_enabled") if hello["python"].get("implementation") == "cpython" else None
                watch = BoardWatchList(board, gil_enabled=gil_enabled)
                run.sampler = Sampler(watch, timeline, on_snapshot=on_snapshot, force_fallback=force_fallback)
            run.record_start(config, hello["python"], int(hello["cores"]), as_baseline=as_baseline, timeline=timeline)
            if run.sampler is not None:
                run.sampler.start()
            meter = MachineMeter([lab.pid])  # our own CPU: this process and the lab's tree
            machine_start = meter.read()
            lab.send(config.command())
            result = _wait_for_result(lab, cancel, run.sampler)
            report = RunReport(config, hello["python"], int(hello["cores"]), result, timeline.snapshot(), watched)
            report.machine = meter.load(machine_start)
            return run.finish(report, timeline)
    finally:
        board.close()


class ObservedRun:
    """What an observed run owns and must end however the run ends: its lab, its sampler, its recording's end."""

    def __init__(self, recorder: TraceWriter | None) -> None:
        self.recorder = recorder
        self.lab: LabProcess | None = None
        self.sampler: Sampler | None = None
        self.recording = False

    def record_start(self, config, python: dict, cores: int, *, as_baseline: bool, timeline: Timeline) -> None:
        if self.recorder is not None:
            self.recorder.run_started(config, python, cores, as_baseline=as_baseline, timeline=timeline)
            self.recording = True

    def finish(self, report: RunReport, timeline: Timeline) -> RunReport:
        """The sampler stopped (after its last tick), its figures in the report, the report recorded."""
        if self.sampler is not None:
            self.sampler.stop()
            report.snapshot = timeline.snapshot()
            report.sampler_cpu_s, report.sampler_ticks = self.sampler.cpu_s, self.sampler.ticks
            report.sampler_calm_ticks = self.sampler.calm_ticks
            report.sampler_interval_s = self.sampler.interval_s
            report.sampler_calm_interval_s = self.sampler.calm_interval_s
            report.core_busy = self.sampler.core_busy()
        errors = [e for e in (self.sampler and self.sampler.error, self.recorder and self.recorder.error) if e]
        if errors:  # a part failed (the sampler, the recording): one line each, in the report and the JSON
            report.result = {**report.result, "errors": list(report.result.get("errors", [])) + errors}
        if self.recorder is not None and self.recording:
            self.recorder.run_finished(report)
            self.recording = False
        return report

    def failed(self, exc: BaseException) -> None:
        if self.recorder is not None and self.recording:
            self.recorder.run_failed("%s: %s" % (type(exc).__name__, exc))
            self.recording = False

    def close(self) -> None:
        if self.sampler is not None:
            self.sampler.stop()
            self.sampler.close()
        if self.lab is not None:
            self.lab.close()


@contextmanager
def observed(recorder: TraceWriter | None) -> Iterator[ObservedRun]:
    """An ``ObservedRun``: a run that fails is recorded as failed, and its sampler and lab always end."""
    run = ObservedRun(recorder)
    try:
        yield run
    except BaseException as exc:
        run.failed(exc)
        raise
    finally:
        run.close()


def _wait_for_result(lab: LabProcess, cancel: threading.Event | None, sampler: Sampler | None = None) -> dict:
    """The lab's result; once cancelled (or the sampler failed), at most STOP_GRACE_S more before giving up (LabError)."""
    asked_at: float | None = None
    while True:
        stopping = (cancel is not None and cancel.is_set()) or (sampler is not None and sampler.error is not None)
        if stopping and asked_at is None:
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

    def repeat(
        self,
        config: RunConfig,
        repeats: int,
        *,
        on_start: Callable[[RunConfig, bool], None] | None = None,
        on_report: Callable[[RunReport], None] | None = None,
        **kwargs,
    ) -> RunReport:
        """Run ``config`` ``repeats`` times, each run right after a baseline run of its own; the run that stands for them.

        The order is baseline, run, baseline, run, ... (a sequential scenario or one
        without a baseline: run, run, ...). The report returned is the run with the
        median speed-up (without a baseline: the median wall time), paired with its own
        baseline run, and carries them all in ``report.repeats``: its ``speedup`` is the
        median of the runs' speed-ups and ``speedup_spread`` their range. ``on_start`` is
        called before each run with its config and whether it is a baseline run,
        ``on_report`` with each report as it finishes (baselines too); other keywords go
        to ``watch_run`` (``cancel``, ``on_snapshot``, ``on_hello``). A cancelled run ends
        the series and is returned as it is. ``repeats`` of 1 is ``run(config)``: a
        baseline this session already has is reused.
        """
        if repeats <= 1:
            base = config.baseline()
            if base is not None and base.scenario != config.scenario and not self.has_baseline(config):
                if on_start is not None:
                    on_start(base, True)
                baseline = self._measure_baseline(base, base, as_baseline=True, **kwargs)
                if on_report is not None:
                    on_report(baseline)
                if baseline.result.get("cancelled"):
                    return baseline
            if on_start is not None:
                on_start(config, False)
            report = self.run(config, **kwargs)  # against the baseline the session has now
            if on_report is not None:
                on_report(report)
            return report
        return self.repeat_together([config], repeats, on_start=on_start, on_report=on_report, **kwargs)[0]

    def repeat_together(
        self,
        configs: list[RunConfig],
        rounds: int,
        *,
        on_start: Callable[[RunConfig, bool], None] | None = None,
        on_report: Callable[[RunReport], None] | None = None,
        **kwargs,
    ) -> list[RunReport]:
        """Several scenarios in ``rounds`` rounds; for each config, the run that stands for its rounds (as ``repeat``).

        Each round measures every baseline the configs need once, just before the first
        run that needs it, then the runs in the order given: for threads-cpu and
        procs-cpu, seq-cpu, threads-cpu, procs-cpu, seq-cpu, threads-cpu, ... Each run is
        paired with its round's baseline run, measured moments before it, so drift hits
        both sides of the ratio, and scenarios with the same baseline share its runs. A
        cancelled run ends everything: it is returned for every config.
        """
        runs: dict[int, list[RunReport]] = {i: [] for i in range(len(configs))}
        paired: dict[int, list[RunReport]] = {i: [] for i in range(len(configs))}
        measured: dict[RunConfig, list[RunReport]] = {}
        for _ in range(max(1, rounds)):
            this_round: dict[RunConfig, RunReport] = {}
            for i, config in enumerate(configs):
                base = config.baseline()
                needs = base is not None and base.scenario != config.scenario
                if needs and base is not None and base not in this_round:
                    if on_start is not None:
                        on_start(base, True)
                    baseline = watch_run(base, watched=self.watched, recorder=self.recorder, as_baseline=True, **kwargs)
                    if on_report is not None:
                        on_report(baseline)
                    if baseline.result.get("cancelled"):
                        return [baseline] * len(configs)
                    this_round[base] = baseline
                    measured.setdefault(base, []).append(baseline)
                if on_start is not None:
                    on_start(config, False)
                report = watch_run(config, watched=self.watched, recorder=self.recorder, **kwargs)
                if needs and base is not None:
                    report.baseline = this_round[base]
                    paired[i].append(this_round[base])
                elif base is not None:  # a sequential scenario: its own baseline
                    measured.setdefault(base, []).append(report)
                if on_report is not None:
                    on_report(report)
                if report.result.get("cancelled"):
                    return [report] * len(configs)
                runs[i].append(report)
        for base, kept in measured.items():  # the session's baselines for later runs: the median of those just measured
            self._baselines[base] = kept[median_index([b.wall_s for b in kept])]
            self.baseline_walls[base.scenario] = [b.wall_s for b in kept]
        chosen = []
        for i in range(len(configs)):
            mine, bases = runs[i], paired[i]
            if bases:
                ratios = [b.wall_s / r.wall_s if r.wall_s > 0 else 0.0 for b, r in zip(bases, mine)]
                pick = mine[median_index(ratios)]
            else:
                pick = mine[median_index([r.wall_s for r in mine])]
            pick.repeats = Repeats(mine, bases)
            chosen.append(pick)
        return chosen


__all__ = ["LabError", "Session", "watch_run"]
